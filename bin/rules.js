#!/usr/bin/env node
// The `rules` command (package.json "bin"): registers tsx so that the TypeScript sources run
// as they are, then runs the CLI. Works from any directory (paths resolve from this file).
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../cli/main.ts");
process.exitCode = await runCli(process.argv);
