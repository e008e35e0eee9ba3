#!/usr/bin/env node
// The `rules` command (package.json "bin"): runs the compiled CLI (dist/cli/main.js), building dist/
// first when it is missing or older than the sources (scripts/ensure-build.js; one line on stderr
// when it builds), so that `npx rules ...` works in a fresh checkout. Works from any directory
// (paths resolve from this file). Stack traces point at the TypeScript sources (source maps).
import { BuildError, ensureBuild } from "../scripts/ensure-build.js";

process.setSourceMapsEnabled(true);
try {
  ensureBuild();
} catch (e) {
  if (!(e instanceof BuildError)) throw e;
  process.stderr.write(`rules: ${e.message}\n`);
  process.exit(1);
}
const { runCli } = await import("../dist/cli/main.js");
process.exitCode = await runCli(process.argv);
