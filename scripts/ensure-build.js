#!/usr/bin/env node
// Builds dist/ (the compiled JavaScript the service and the CLI run) and dist/editor/ (the
// analysts' editor, a Vite build of editor/) when they are missing or older than what they are
// built from, and does nothing otherwise. Plain JavaScript so that it runs before anything is
// compiled. Used by `npm start` (`node scripts/ensure-build.js && node dist/server/main.js`: both
// builds) and by bin/rules.js (`ensureBuild()`, in process: dist/ only, the CLI needs no editor),
// so that `npm ci && npm start` and `npx rules ...` work in a fresh checkout.
//
// dist/ is stale when a compiled source (.ts under the production folders, not tests) has no output
// or is newer than its output, or when a production folder (a file added, renamed or deleted),
// tsconfig.json, tsconfig.build.json or package.json is newer than the oldest output. `npm run build`
// (tsc -p tsconfig.build.json, noEmitOnError, then the editor) leaves both fresh; so does this
// script, which empties dist/ first (no output of a deleted source is left behind) but keeps
// dist/editor/.
//
// dist/editor/ is stale when it has no index.html, or when a file or folder of what the browser
// bundle is built from (editor/ with its vite.config.ts, dsl/, engine/, tester/; tests and
// Markdown aside) or package.json is newer than its oldest file. Without editor/vite.config.ts
// (an installation without the editor's sources) there is nothing to build: the service then
// serves dist/editor/ as it is, or a page saying how to build it.
//
// One build at a time: concurrent callers wait for the running build (lock file dist/.build-lock),
// then use it.
//
// Prints one line on stderr per build ("building dist/ ...", "building dist/editor/ ...", then the
// compiler's own errors if any); stdout stays the caller's (`rules compile x > out.json`). Fails
// with a clear message when a build is needed and TypeScript or Vite (dev dependencies) is not
// installed.
//
// Command line: `node scripts/ensure-build.js [--force] [--no-editor]` (exit 0 built or fresh,
// 1 failed).
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
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: this file is scripts/ensure-build.js. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The folders tsconfig.build.json compiles (keep the two lists in step). */
export const SOURCE_FOLDERS = ["dsl", "engine", "tester", "server", "cli", "common"];
const CONFIG_FILES = ["tsconfig.json", "tsconfig.build.json", "package.json"];
/** What the editor's bundle is built from: editor/ (with its Vite config) and the code it runs. */
export const EDITOR_SOURCE_FOLDERS = ["editor", "dsl", "engine", "tester"];
const EDITOR_CONFIG_FILES = ["package.json"];
/** The editor's Vite config: its presence says there is an editor to build. */
const VITE_CONFIG = join("editor", "vite.config.ts");
/** The editor's build, inside dist/ (kept when dist/ is rebuilt). */
const EDITOR_OUT = "editor";
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

/** Files and folders under `dir` (relative to `root`), tests and Markdown left out. */
function editorInputs(root, dir, out) {
  out.push(dir);
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") editorInputs(root, path, out);
    } else if (!/\.test\.tsx?$|\.md$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** The oldest modification time of the files under `dir` (infinity when there are none). */
function oldestFile(dir) {
  let oldest = Number.POSITIVE_INFINITY;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    oldest = Math.min(oldest, entry.isDirectory() ? oldestFile(path) : (mtime(path) ?? 0));
  }
  return oldest;
}

/** True when `root` holds the editor's sources (its Vite config). */
export function hasEditorSources(root = ROOT) {
  return existsSync(join(root, VITE_CONFIG));
}

/**
 * Why dist/editor/ under `root` must be (re)built, or undefined when it is up to date or there
 * is no editor to build (no editor/vite.config.ts). Same conventions as staleReason.
 */
export function editorStaleReason(root = ROOT, { locked = false } = {}) {
  if (!hasEditorSources(root)) return undefined;
  const dist = join(root, "dist");
  if (!locked && existsSync(join(dist, LOCK))) return "a build is in progress";
  const out = join(dist, EDITOR_OUT);
  if (!existsSync(join(out, "index.html"))) return "dist/editor/ is missing";
  const oldestOutput = oldestFile(out);
  for (const folder of EDITOR_SOURCE_FOLDERS) {
    if (!existsSync(join(root, folder))) continue;
    for (const path of editorInputs(root, folder, []))
      if ((mtime(join(root, path)) ?? 0) > oldestOutput) return `${path} changed`;
  }
  for (const path of EDITOR_CONFIG_FILES) if ((mtime(join(root, path)) ?? 0) > oldestOutput) return `${path} changed`;
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

function vitePath(root, reason) {
  try {
    const pkg = createRequire(join(root, "package.json")).resolve("vite/package.json");
    const bin = JSON.parse(readFileSync(pkg, "utf8")).bin;
    return join(dirname(pkg), typeof bin === "string" ? bin : bin.vite);
  } catch {
    throw new BuildError(
      `dist/editor/ must be built (${reason}), but Vite is not installed: run \`npm ci\` (with the dev dependencies) ` +
        "and `npm run build:editor`, or deploy an already built dist/ (with dist/editor/), or start with `node dist/server/main.js` (the editor's page then says how to build it)",
    );
  }
}

/** Runs a build tool (a Node script) with its output on stderr; throws BuildError when it fails. */
function run(root, script, args, what) {
  // Build tools report on stdout: sent to stderr, the caller's stdout is its own.
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: ["ignore", 2, 2] });
  if (r.error) throw new BuildError(`building ${what} failed: ${r.error.message}`);
  return r.status ?? r.signal;
}

/**
 * Builds dist/ under `root` when it is stale (or always, with `force`), and with `editor` also
 * dist/editor/ (when there are editor sources). Returns true when it built something, false when
 * everything was up to date. Throws BuildError (with a message for the operator) when a build is
 * needed and fails.
 */
export function ensureBuild({
  root = ROOT,
  force = false,
  editor = false,
  log = (line) => process.stderr.write(`${line}\n`),
} = {}) {
  const withEditor = editor && hasEditorSources(root);
  const stale = force ? "forced" : staleReason(root);
  const editorStale = !withEditor ? undefined : force ? "forced" : editorStaleReason(root);
  if (stale === undefined && editorStale === undefined) return false;
  // Fail fast, before waiting for anyone's lock, when a needed tool is missing.
  const tsc = stale === undefined ? undefined : tscPath(root, stale);
  const vite = editorStale === undefined ? undefined : vitePath(root, editorStale);
  const dist = join(root, "dist");
  const release = lock(dist);
  try {
    // Another process may have built them while this one waited for the lock.
    const reason = stale === undefined ? undefined : force ? "forced" : staleReason(root, { locked: true });
    const editorReason =
      editorStale === undefined ? undefined : force ? "forced" : editorStaleReason(root, { locked: true });
    if (reason !== undefined) {
      log(`building dist/ (${reason}) ...`);
      for (const entry of readdirSync(dist))
        if (entry !== LOCK && entry !== EDITOR_OUT) rmSync(join(dist, entry), { recursive: true, force: true });
      const status = run(root, tsc, ["-p", "tsconfig.build.json"], "dist/");
      if (status !== 0)
        throw new BuildError(
          `building dist/ failed (tsc -p tsconfig.build.json exited with ${status}); fix the errors above`,
        );
    }
    if (editorReason !== undefined) {
      log(`building dist/editor/ (${editorReason}) ...`);
      const status = run(
        root,
        vite,
        ["build", "--config", join(root, VITE_CONFIG), "--logLevel", "warn"],
        "dist/editor/",
      );
      if (status !== 0)
        throw new BuildError(`building dist/editor/ failed (vite build exited with ${status}); fix the errors above`);
    }
    return reason !== undefined || editorReason !== undefined;
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
    ensureBuild({ force: process.argv.includes("--force"), editor: !process.argv.includes("--no-editor") });
  } catch (e) {
    process.stderr.write(`${e instanceof BuildError ? e.message : (e?.stack ?? String(e))}\n`);
    process.exitCode = 1;
  }
}
