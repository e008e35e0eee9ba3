#!/usr/bin/env node
// Builds dist/ (the compiled JavaScript the service and the CLI run) when it is missing or older
// than what it is built from, and does nothing otherwise. Plain JavaScript so that it runs before
// anything is compiled. Used by `npm start` (`node scripts/ensure-build.js && node dist/server/main.js`)
// and by bin/rules.js (`ensureBuild()`, in process), so that `npm ci && npm start` and `npx rules ...`
// work in a fresh checkout.
//
// dist/ is stale when a compiled source (.ts under the production folders, not tests) has no output
// or is newer than its output, or when a production folder (a file added, renamed or deleted),
// tsconfig.json, tsconfig.build.json or package.json is newer than the oldest output. `npm run build`
// (tsc -p tsconfig.build.json, noEmitOnError) leaves dist/ fresh; so does this script, which empties
// dist/ first (no output of a deleted source is left behind). One build at a time: concurrent
// callers wait for the running build (lock file dist/.build-lock), then use it.
//
// Prints one line on stderr when it builds ("building dist/ ...", then tsc's own errors if any);
// stdout stays the caller's (`rules compile x > out.json`). Fails with a clear message when a build
// is needed and TypeScript (a dev dependency) is not installed.
//
// Command line: `node scripts/ensure-build.js [--force]` (exit 0 built or fresh, 1 failed).
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: this file is scripts/ensure-build.js. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The folders tsconfig.build.json compiles (keep the two lists in step). */
export const SOURCE_FOLDERS = ["dsl", "engine", "tester", "server", "cli", "common"];
const CONFIG_FILES = ["tsconfig.json", "tsconfig.build.json", "package.json"];
const LOCK = ".build-lock";
/** Longest wait for another process's build. */
const LOCK_WAIT_MS = 15 * 60_000;

export class BuildError extends Error {
  name = "BuildError";
}

function isCompiledSource(name) {
  return name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts") && !name.endsWith(".bench.ts");
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Why dist/ under `root` must be (re)built, or undefined when it is up to date. The reason names
 * the first file found that makes it stale (relative to `root`). `locked`: the caller holds the
 * build lock (otherwise a lock present means a build is under way, so not up to date).
 */
export function staleReason(root = ROOT, { locked = false } = {}) {
  const dist = join(root, "dist");
  if (!existsSync(dist)) return "dist/ is missing";
  if (!locked && existsSync(join(dist, LOCK))) return "a build is in progress";
  let oldestOutput = Number.POSITIVE_INFINITY;
  const folders = [];
  const walk = (dir) => {
    folders.push(dir);
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const reason = walk(path);
        if (reason) return reason;
      } else if (isCompiledSource(entry.name)) {
        const output = mtime(join(dist, `${path.slice(0, -".ts".length)}.js`));
        if (output === undefined) return `${path} has no compiled output`;
        if ((mtime(join(root, path)) ?? 0) > output) return `${path} changed`;
        oldestOutput = Math.min(oldestOutput, output);
      }
    }
    return undefined;
  };
  for (const folder of SOURCE_FOLDERS) {
    if (!existsSync(join(root, folder))) continue; // an installation without the sources
    const reason = walk(folder);
    if (reason) return reason;
  }
  if (oldestOutput === Number.POSITIVE_INFINITY) {
    // No sources: dist/ is all there is (deployed built); it must hold the entry points.
    return existsSync(join(dist, "server", "main.js")) && existsSync(join(dist, "cli", "main.js"))
      ? undefined
      : "dist/ is incomplete and there are no sources to build it from";
  }
  for (const path of [...CONFIG_FILES, ...folders])
    if ((mtime(join(root, path)) ?? 0) > oldestOutput) return `${path} changed`;
  return undefined;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** Takes dist/.build-lock (waiting while another live process holds it); returns its release. */
function lock(dist) {
  mkdirSync(dist, { recursive: true });
  const path = join(dist, LOCK);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(path, "utf8"));
    } catch {
      continue; // released meanwhile
    }
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
      // Left by a build that was killed: take it over.
      try {
        unlinkSync(path);
      } catch {}
      continue;
    }
    if (Date.now() > deadline)
      throw new BuildError(
        `another build of dist/ (process ${owner}) has held ${relative(process.cwd(), path)} too long`,
      );
    sleep(200);
  }
}

function tscPath(root, reason) {
  try {
    return createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
  } catch {
    throw new BuildError(
      `dist/ must be built (${reason}), but TypeScript (tsc) is not installed: run \`npm ci\` (with the dev dependencies) ` +
        "and `npm run build`, or deploy an already built dist/ and run `node dist/server/main.js`",
    );
  }
}

/**
 * Builds dist/ under `root` when it is stale (or always, with `force`). Returns true when it
 * built, false when dist/ was up to date. Throws BuildError (with a message for the operator)
 * when the build is needed and fails.
 */
export function ensureBuild({ root = ROOT, force = false, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const stale = force ? "forced" : staleReason(root);
  if (stale === undefined) return false;
  const tsc = tscPath(root, stale);
  const dist = join(root, "dist");
  const release = lock(dist);
  try {
    // Another process may have built it while this one waited for the lock.
    const reason = force ? "forced" : staleReason(root, { locked: true });
    if (reason === undefined) return false;
    log(`building dist/ (${reason}) ...`);
    for (const entry of readdirSync(dist))
      if (entry !== LOCK) rmSync(join(dist, entry), { recursive: true, force: true });
    // tsc reports on stdout: sent to stderr, the caller's stdout is its own.
    const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
      cwd: root,
      stdio: ["ignore", 2, 2],
    });
    if (r.error) throw new BuildError(`building dist/ failed: ${r.error.message}`);
    if (r.status !== 0)
      throw new BuildError(
        `building dist/ failed (tsc -p tsconfig.build.json exited with ${r.status ?? r.signal}); fix the errors above`,
      );
    return true;
  } finally {
    release();
  }
}

function isEntryPoint() {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  try {
    ensureBuild({ force: process.argv.includes("--force") });
  } catch (e) {
    process.stderr.write(`${e instanceof BuildError ? e.message : (e?.stack ?? String(e))}\n`);
    process.exitCode = 1;
  }
}
