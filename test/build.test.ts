/**
 * The production build (issue 8): the service and the CLI run compiled JavaScript from dist/,
 * built by `scripts/ensure-build.js` when missing or stale, and the service serves the editor's
 * Vite build from dist/editor/ (built by the same script). From the compiled code: `rules
 * --version` and `rules check`, the service (port 0, temp DATA_DIR) answering /ready, a decision,
 * a validation and a publish (both through an authoring worker thread, which must start without
 * tsx), and the editor's page and files; nothing under dist/ imports tsx; ensure-build builds only
 * what is stale, dist/ or dist/editor/ (checked on a temp copy of the sources, so the real dist/
 * stays as it is for the other tests).
 *
 * The other test files run the TypeScript sources; only `test/cli.test.ts` spawns bin/rules.js
 * (which uses dist/ too). Building dist/ here is safe: the build takes a lock, concurrent callers
 * wait for it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { miniSource, miniSuite } from "./server/helpers.js";

// A build is a full tsc run: minutes on a shared, loaded machine.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 900_000 });

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
/** What tsconfig.build.json compiles (as in scripts/ensure-build.js). */
const SOURCE_FOLDERS = ["dsl", "engine", "tester", "server", "cli", "common"];
const CONFIG_FILES = ["tsconfig.json", "tsconfig.build.json", "package.json"];

const temps: string[] = [];
const children: ChildProcess[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

function ensureBuild(root: string, args: string[] = []) {
  return spawnSync(process.execPath, [join(root, "scripts/ensure-build.js"), ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 900_000,
  });
}

function rules(args: string[], cwd = ROOT) {
  return spawnSync(process.execPath, [join(ROOT, "bin/rules.js"), ...args], {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
  });
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

beforeAll(() => {
  const r = ensureBuild(ROOT);
  expect(r.status, r.stderr).toBe(0);
});

afterAll(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const dir of temps.splice(0)) {
    // Unlink the node_modules link first: never anything under it.
    if (existsSync(join(dir, "node_modules"))) unlinkSync(join(dir, "node_modules"));
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("the compiled CLI (bin/rules.js runs dist/cli/main.js)", () => {
  it("rules --version prints the version in package.json", () => {
    const r = rules(["--version"], tmpdir());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`rules ${VERSION}\n`);
  });

  it("rules check and rules test work on the shipped rule sets, from another directory", () => {
    const cwd = tempDir("build-cli-");
    const check = rules(["check", join(ROOT, "rules/retencao.yaml"), join(ROOT, "rules/retencao.test.yaml")], cwd);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const test = rules(["test", join(ROOT, "rules/retencao.test.yaml")], cwd);
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/\d+ passed, 0 failed/);
  });

  it("an error exits 1 with the diagnostic, as from the sources", () => {
    const cwd = tempDir("build-cli-");
    writeFileSync(
      join(cwd, "quebrado.yaml"),
      "ruleset: quebrado\nfacts:\n  x: { type: integer }\nrules:\n  - when: x >=\n",
    );
    const r = rules(["check", "quebrado.yaml"], cwd);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^quebrado\.yaml:\d+:\d+: error /m);
  });
});

describe("dist/", () => {
  it("holds the entry points with source maps, and no tests", () => {
    for (const f of ["server/main.js", "server/authoring/worker.js", "cli/main.js", "common/package-root.js"]) {
      expect(existsSync(join(ROOT, "dist", f)), f).toBe(true);
      expect(existsSync(join(ROOT, "dist", `${f}.map`)), `${f}.map`).toBe(true);
    }
    const all = files(join(ROOT, "dist")).map((f) => f.slice(join(ROOT, "dist").length + 1));
    expect(all.filter((f) => /\.test\.js$|^test\/|^scripts\//.test(f))).toEqual([]);
    // The source-only worker entry (it registers tsx) is not part of the build.
    expect(all).not.toContain("server/authoring/worker-entry.js");
  });

  it("dist/editor/ holds the editor: index.html loading hashed bundles from /assets/ (no CDN), with source maps", () => {
    const editor = join(ROOT, "dist", "editor");
    const index = readFileSync(join(editor, "index.html"), "utf8");
    const scripts = [...index.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) expect(src).toMatch(/^\/assets\/[\w.-]+-[\w-]{8}\.js$/);
    expect(index).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    const assets = readdirSync(join(editor, "assets"));
    for (const name of assets) expect(name).toMatch(/-[\w-]{8}\.[a-z0-9]+(?:\.map)?$/);
    for (const src of scripts) expect(assets).toContain(`${src.slice("/assets/".length)}.map`);
    // Monaco's worker is bundled next to the page's code.
    expect(assets.some((a) => /worker.*\.js$/.test(a))).toBe(true);
  });

  it("no compiled module imports tsx (a dev dependency)", () => {
    const offenders = files(join(ROOT, "dist"))
      .filter((f) => f.endsWith(".js"))
      .filter((f) =>
        /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']tsx(?:\/[^"']*)?["']/.test(
          readFileSync(f, "utf8"),
        ),
      );
    expect(offenders).toEqual([]);
  });

  it("package.json: tsx is a dev dependency, start runs dist/", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(pkg.scripts.start).toContain("dist/server/main.js");
    expect(pkg.scripts.start).not.toContain("tsx");
  });
});

describe("the compiled service (node dist/server/main.js)", () => {
  // The mini rule set and suite of the server tests.
  const MINI = (marca: number) => miniSource(marca);
  const SUITE = (marca: number) => miniSuite(marca);

  /** Starts the compiled service; resolves with its base URL once it listens (port from the log). */
  function start(dataDir: string, rulesDir: string): Promise<string> {
    const child = spawn(process.execPath, ["--enable-source-maps", "dist/server/main.js"], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        RULES_DIR: rulesDir,
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        TOKENS: "",
        TOKENS_FILE: "",
        AUTHORING_WORKERS: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
    return new Promise((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString("utf8");
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`the service exited (${code}): ${err}\n${out}`)));
    });
  }

  async function post(base: string, path: string, body: unknown) {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it("answers /ready and decides; validate and publish run in an authoring worker thread", async () => {
    const rulesDir = tempDir("build-rules-");
    writeFileSync(join(rulesDir, "mini.yaml"), MINI(1));
    writeFileSync(join(rulesDir, "mini.test.yaml"), SUITE(1));
    const base = await start(tempDir("build-data-"), rulesDir);

    let ready = await fetch(`${base}/ready`);
    for (let i = 0; ready.status !== 200 && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await fetch(`${base}/ready`);
    }
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", rulesets: ["mini"] });

    const first = await post(base, "/v1/decide/mini", { facts: { valor: 150 } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ ruleset: "mini", version: 1, decision: { marca: 1, faixa: "ALTA" } });

    const valid = await post(base, "/v1/rulesets/mini/validate", { source: MINI(2) });
    expect(valid).toEqual({ status: 200, body: { ok: true, diagnostics: [] } });
    const invalid = await post(base, "/v1/rulesets/mini/validate", { source: `${MINI(2)}  - when: valor >=\n` });
    expect(invalid.status).toBe(200);
    expect(invalid.body.ok).toBe(false);

    const published = await post(base, "/v1/rulesets/mini/versions", { source: MINI(2), tests: SUITE(2) });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body).toMatchObject({ version: 2 });

    const second = await post(base, "/v1/decide/mini", { facts: { valor: 5 } });
    expect(second.body).toMatchObject({ version: 2, decision: { marca: 2, faixa: null } });

    // The editor: its page and the bundle it loads.
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("content-security-policy")).toContain("worker-src 'self' blob:");
    const src = /<script[^>]*\ssrc="([^"]+)"/.exec(await page.text())?.[1];
    expect(src).toBeDefined();
    const bundle = await fetch(`${base}${src}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(bundle.headers.get("content-type")).toMatch(/javascript/);
  });
});

describe("scripts/ensure-build.js (on a temp copy of the sources and of dist/)", () => {
  /** Sets a path's access and modification times (seconds since the epoch). */
  const touch = (path: string, seconds: number) => utimesSync(path, seconds, seconds);
  const OLD = 1_000_000_000; // 2001: older than any build
  const BUILT = OLD + 1000;

  function ageTree(dir: string, seconds: number): void {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) ageTree(path, seconds);
      touch(path, seconds);
    }
    touch(dir, seconds);
  }

  /**
   * A checkout in a temp folder: the production sources and config, this dist/ (with dist/editor/
   * only `withEditor`), node_modules linked; `withEditor`: editor/ too (the editor's sources).
   */
  function copy(withNodeModules: boolean, withDist: boolean, withEditor = false): string {
    const root = tempDir("build-copy-");
    const sources = [...SOURCE_FOLDERS, ...(withEditor ? ["editor"] : [])];
    for (const f of [...sources, ...CONFIG_FILES, "scripts/ensure-build.js"])
      cpSync(join(ROOT, f), join(root, f), { recursive: true });
    if (withNodeModules) symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
    for (const f of [...sources, ...CONFIG_FILES]) {
      const path = join(root, f);
      if (statSync(path).isDirectory()) ageTree(path, OLD);
      else touch(path, OLD);
    }
    if (withDist) {
      cpSync(join(ROOT, "dist"), join(root, "dist"), { recursive: true });
      if (!withEditor) rmSync(join(root, "dist", "editor"), { recursive: true, force: true });
      ageTree(join(root, "dist"), BUILT);
    }
    return root;
  }

  it("does nothing when dist/ is fresh, rebuilds when a source is touched, then is fresh again", () => {
    const root = copy(true, true);
    const fresh = ensureBuild(root);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stderr).toBe("");
    expect(statSync(join(root, "dist/server/main.js")).mtimeMs).toBe(BUILT * 1000);

    touch(join(root, "engine/runtime.ts"), Date.now() / 1000);
    const rebuilt = ensureBuild(root);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toBe("building dist/ (engine/runtime.ts changed) ...\n");
    expect(statSync(join(root, "dist/server/main.js")).mtimeMs).toBeGreaterThan(BUILT * 1000);
    expect(existsSync(join(root, "dist/.build-lock"))).toBe(false);

    const again = ensureBuild(root);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toBe("");
  });

  it("also counts tsconfig.build.json, package.json and a new source file as changes", () => {
    const root = copy(true, true);
    touch(join(root, "package.json"), BUILT + 1);
    // Fails fast instead of building: no TypeScript in reach once node_modules is gone.
    unlinkSync(join(root, "node_modules"));
    const stale = ensureBuild(root);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain("dist/ must be built (package.json changed), but TypeScript (tsc) is not installed");

    touch(join(root, "package.json"), OLD);
    expect(ensureBuild(root).stderr).toBe("");
    touch(join(root, "tsconfig.build.json"), BUILT + 1);
    expect(ensureBuild(root).stderr).toContain("(tsconfig.build.json changed)");
    touch(join(root, "tsconfig.build.json"), OLD);

    mkdirSync(join(root, "common/extra"));
    writeFileSync(join(root, "common/extra/new.ts"), "export const x = 1;\n");
    touch(join(root, "common/extra/new.ts"), OLD);
    touch(join(root, "common/extra"), OLD);
    touch(join(root, "common"), OLD);
    expect(ensureBuild(root).stderr).toContain("(common/extra/new.ts has no compiled output)");

    // A deleted source: its folder changed.
    rmSync(join(root, "common/extra/new.ts"));
    expect(ensureBuild(root).stderr).toContain("(common/extra changed)");
  });

  it("with the editor: keeps dist/editor/ when it rebuilds dist/, and rebuilds dist/editor/ alone when an editor source changes", () => {
    const root = copy(true, true, true);
    const index = join(root, "dist/editor/index.html");
    const fresh = ensureBuild(root);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stderr).toBe("");

    // server/ is not part of the editor's bundle: dist/ only, dist/editor/ kept as it was.
    touch(join(root, "server/app.ts"), Date.now() / 1000);
    const tsc = ensureBuild(root);
    expect(tsc.status, tsc.stderr).toBe(0);
    expect(tsc.stderr).toBe("building dist/ (server/app.ts changed) ...\n");
    expect(statSync(index).mtimeMs).toBe(BUILT * 1000);
    const serverBuilt = statSync(join(root, "dist/server/main.js")).mtimeMs;

    touch(join(root, "editor/vite.config.ts"), Date.now() / 1000);
    const vite = ensureBuild(root);
    expect(vite.status, vite.stderr).toBe(0);
    expect(vite.stderr).toBe("building dist/editor/ (editor/vite.config.ts changed) ...\n");
    expect(statSync(index).mtimeMs).toBeGreaterThan(BUILT * 1000);
    expect(statSync(join(root, "dist/server/main.js")).mtimeMs).toBe(serverBuilt);
    expect(existsSync(join(root, "dist/.build-lock"))).toBe(false);

    const again = ensureBuild(root);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toBe("");
  });

  it("with the editor: an editor source, a dsl/ file or a deleted file makes dist/editor/ stale; tests do not; Vite missing is a clear error", () => {
    // No node_modules: a build that is needed fails fast with the reason, and nothing is built.
    const root = copy(false, true, true);
    expect(ensureBuild(root).stderr).toBe("");
    const stale = (path: string) => {
      touch(join(root, path), BUILT + 1);
      const r = ensureBuild(root);
      touch(join(root, path), OLD);
      return r;
    };
    const r = stale("editor/index.html");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "dist/editor/ must be built (editor/index.html changed), but Vite is not installed: run `npm ci`",
    );
    expect(r.stderr).toContain("npm run build:editor");
    expect(r.stdout).toBe("");
    // --no-editor (bin/rules.js's in-process call likewise) leaves the editor alone.
    touch(join(root, "editor/index.html"), BUILT + 1);
    const cliOnly = ensureBuild(root, ["--no-editor"]);
    expect(cliOnly.status, cliOnly.stderr).toBe(0);
    expect(cliOnly.stderr).toBe("");
    touch(join(root, "editor/index.html"), OLD);

    mkdirSync(join(root, "editor/extra"));
    writeFileSync(join(root, "editor/extra/nota.test.ts"), "export {};\n");
    writeFileSync(join(root, "editor/extra/LEIA.md"), "notas\n");
    touch(join(root, "editor/extra/nota.test.ts"), BUILT + 1);
    touch(join(root, "editor/extra/LEIA.md"), BUILT + 1);
    touch(join(root, "editor/extra"), OLD);
    touch(join(root, "editor"), OLD);
    expect(ensureBuild(root).stderr).toBe("");

    // A deleted file: its folder changed.
    rmSync(join(root, "editor/extra/LEIA.md"));
    expect(ensureBuild(root).stderr).toContain("(editor/extra changed)");
    touch(join(root, "editor/extra"), OLD);
    expect(ensureBuild(root).stderr).toBe("");

    // The dsl/ the editor's worker runs: dist/ is stale first (TypeScript is not installed either).
    touch(join(root, "dsl/diagnostics.ts"), BUILT + 1);
    expect(ensureBuild(root).stderr).toContain("dist/ must be built (dsl/diagnostics.ts changed)");
    // Once dist/ is fresh again, dist/editor/ still is not.
    touch(join(root, "dist/dsl/diagnostics.js"), BUILT + 2);
    expect(ensureBuild(root).stderr).toContain("dist/editor/ must be built (dsl/diagnostics.ts changed)");
  });

  it("fails clearly, building nothing, when dist/ is missing and TypeScript is not installed", () => {
    const root = copy(false, false);
    const r = ensureBuild(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("dist/ must be built (dist/ is missing), but TypeScript (tsc) is not installed");
    expect(r.stdout).toBe("");
  });
});
