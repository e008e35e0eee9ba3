/**
 * The production build (issue 8): the service and the CLI run compiled JavaScript from dist/,
 * built by `scripts/ensure-build.js` when missing or stale. From the compiled code: `rules
 * --version` and `rules check`, the service (port 0, temp DATA_DIR) answering /ready, a decision,
 * a validation and a publish (both through an authoring worker thread, which must start without
 * tsx); nothing under dist/ imports tsx; ensure-build builds only when dist/ is stale (checked on a
 * temp copy of the sources, so the real dist/ stays as it is for the other tests).
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

function ensureBuild(root: string) {
  return spawnSync(process.execPath, [join(root, "scripts/ensure-build.js")], {
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
  const MINI = (marca: number) => `ruleset: mini
description: Conjunto mínimo de teste (marca ${marca}).
facts:
  valor: { type: integer, required: true }
outputs:
  marca: { type: integer }
  faixa: { type: string, nullable: true }
rules:
  - name: faixa alta
    when: valor >= 100
    then: faixa = "ALTA"
  - name: marcar versão
    then: marca = ${marca}
`;
  const SUITE = (marca: number) => `suite: mini
cases:
  - name: marca da versão
    facts: { valor: 1 }
    expect: { marca: ${marca}, faixa: null }
  - name: faixa alta
    facts: { valor: 150 }
    expect: { marca: ${marca}, faixa: ALTA }
`;

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

  /** A checkout in a temp folder: the production sources and config, this dist/, node_modules linked. */
  function copy(withNodeModules: boolean, withDist: boolean): string {
    const root = tempDir("build-copy-");
    for (const f of [...SOURCE_FOLDERS, ...CONFIG_FILES, "scripts/ensure-build.js"])
      cpSync(join(ROOT, f), join(root, f), { recursive: true });
    if (withNodeModules) symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
    for (const f of [...SOURCE_FOLDERS, ...CONFIG_FILES]) {
      const path = join(root, f);
      if (statSync(path).isDirectory()) ageTree(path, OLD);
      else touch(path, OLD);
    }
    if (withDist) {
      cpSync(join(ROOT, "dist"), join(root, "dist"), { recursive: true });
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

  it("fails clearly, building nothing, when dist/ is missing and TypeScript is not installed", () => {
    const root = copy(false, false);
    const r = ensureBuild(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("dist/ must be built (dist/ is missing), but TypeScript (tsc) is not installed");
    expect(r.stdout).toBe("");
  });
});
