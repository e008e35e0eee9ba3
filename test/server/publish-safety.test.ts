/**
 * A publish is validated by exactly what will run it (issue 7, item 9, the service's part):
 * `validate` and publish give the same verdict, the runtime (fact validator and first engine) is
 * built before anything is stored, so a publish is 201 and served or refused with nothing written;
 * a runtime build failure the checker did not catch is a 422 `ruleset/runtime-build-failed` at the
 * rule set's name, never a 500; rolling back to a version that no longer builds is a 422; at
 * start a stored version that no longer builds is reported and the newest one that builds serves
 * (`/ready` lists it as degraded), and a rule set with no buildable version is 503, not 404.
 *
 * "A stored version that no longer builds" is reproduced by writing a version file straight into
 * the store's folder, or by a runtime builder that refuses a marked rule set (standing for a
 * compiler or runtime change since the version was published).
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Engine } from "json-rules-engine";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import { inlineAuthoring, publish } from "../../server/publish.js";
import { buildRuntime, type RuntimeBuilder } from "../../server/registry.js";
import { versionFileName, versionHash } from "../../server/store/file-store.js";
import type { StoredVersion, StoreProblem } from "../../server/store/types.js";
import { call, expectError, json, miniSource, miniSuite, removeTempDirs, startApp, type TestApp } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

interface SafetyApp extends TestApp {
  readonly loadProblems: StoreProblem[];
}

const apps: SafetyApp[] = [];

afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  await removeTempDirs();
});
afterAll(() => removeTempDirs(true));

/** An app on `dataDir` (fresh by default) with an optional runtime builder; loadAll's problems are kept, not asserted. */
async function start(options: { dataDir?: string; buildRuntime?: RuntimeBuilder } = {}): Promise<SafetyApp> {
  const base = await startApp({
    dataDir: options.dataDir,
    registryOptions: options.buildRuntime ? { buildRuntime: options.buildRuntime } : {},
    load: false,
  });
  const t: SafetyApp = { ...base, loadProblems: await base.registry.loadAll() };
  apps.push(t);
  return t;
}

async function restart(t: SafetyApp, buildRuntime?: RuntimeBuilder): Promise<SafetyApp> {
  await t.close();
  return start({ dataDir: t.dataDir, ...(buildRuntime ? { buildRuntime } : {}) });
}

/** A runtime builder that refuses rule sets whose description has `marker` (while `on()`). */
function refusing(marker: string, on: () => boolean = () => true): RuntimeBuilder {
  return (compiled: CompiledRuleSet) => {
    if (on() && compiled.description.includes(marker)) throw new Error(`simulated: the engine refuses "${marker}"`);
    return buildRuntime(compiled);
  };
}

async function publishOk(t: TestApp, name: string, body: Record<string, unknown>): Promise<number> {
  const res = await call(t.app, { url: `/v1/rulesets/${name}/versions`, body });
  expect(res.statusCode, res.body).toBe(201);
  return json(res).version as number;
}

async function files(t: TestApp, name: string): Promise<string[]> {
  return (await readdir(join(t.dataDir, "rulesets", name)).catch(() => [] as string[]))
    .filter((f) => f.startsWith("v"))
    .sort();
}

/** Writes version `version` of `name` straight into the store's folder (valid hash: the store accepts it). */
async function writeVersion(dataDir: string, name: string, version: number, source: string): Promise<void> {
  const content: Omit<StoredVersion, "hash"> = {
    name,
    version,
    source,
    tests: null,
    author: "fora-do-servico",
    message: "escrita direta",
    createdAt: new Date(Date.UTC(2026, 0, version)).toISOString(),
  };
  const v: StoredVersion = { ...content, hash: versionHash(content) };
  const dir = join(dataDir, "rulesets", name);
  await mkdir(dir, { recursive: true });
  const ordered = {
    name: v.name,
    version: v.version,
    createdAt: v.createdAt,
    author: v.author,
    message: v.message,
    hash: v.hash,
    tests: v.tests,
    source: v.source,
  };
  await writeFile(join(dir, versionFileName(version)), `${JSON.stringify(ordered, null, 2)}\n`);
}

/** miniSource with one more fact declaration (a schema ajv refuses, for instance). */
function withFact(decl: string, name = "mini"): string {
  return miniSource(1, name).replace(
    "  canal: { type: string, enum: [telefone, chat] }\n",
    `  canal: { type: string, enum: [telefone, chat] }\n  ${decl}\n`,
  );
}

describe("validate and publish give the same verdict, and a refused publish writes nothing", () => {
  // Schemas the checker once accepted and ajv refuses: whichever stage finds them, validate says
  // no with a positioned error and publish is a 422 (never a 500 after storing).
  const cases = [
    "sigla: { type: string, enum: [J, F, J] }",
    "peso: { type: number, minimum: .nan }",
    "teto: { type: number, maximum: 1e400 }",
    "itens: { type: list, items: { type: string }, minItems: 1.5 }",
  ];
  for (const decl of cases) {
    it(`${decl}: validate not ok, publish 422, nothing stored, and after a restart nothing vanished`, async () => {
      let t = await start();
      const source = withFact(decl);
      const validate = json(await call(t.app, { url: "/v1/rulesets/mini/validate", body: { source } }));
      expect(validate.ok).toBe(false);
      const errors = validate.diagnostics.filter((d: { severity: string }) => d.severity === "error");
      expect(errors.length).toBeGreaterThan(0);
      for (const d of errors) expect(d.line).toBeGreaterThanOrEqual(1);
      const err = expectError(
        await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source } }),
        422,
        "RULESET_INVALID",
      );
      expect(err.details).toEqual(validate.diagnostics);
      expect(await files(t, "mini")).toEqual([]);
      expectError(await call(t.app, { url: "/v1/rulesets/mini" }), 404, "NOT_FOUND");
      t = await restart(t);
      expect(t.loadProblems).toEqual([]);
      expect((await call(t.app, { url: "/ready" })).statusCode).toBe(200);
      expectError(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } }), 404, "NOT_FOUND");
    });
  }
});

describe("the runtime is built before anything is stored", () => {
  it("a runtime build failure the checker did not catch is 422 ruleset/runtime-build-failed at the rule set's name; nothing is stored", async () => {
    const t = await start({ buildRuntime: refusing("marca 2") });
    expect(await publishOk(t, "mini", { source: miniSource(1), tests: miniSuite(1) })).toBe(1);
    const err = expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(2), tests: miniSuite(2) } }),
      422,
      "RULESET_INVALID",
    );
    expect(err.details).toEqual([
      {
        severity: "error",
        code: "ruleset/runtime-build-failed",
        message: expect.stringMatching(/motor/),
        line: 1,
        column: 10,
        endLine: 1,
        endColumn: 14,
      },
    ]);
    expect(await files(t, "mini")).toEqual(["v000001.json"]);
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).version).toBe(1);
    expect(json(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } }))).toMatchObject({
      version: 1,
      decision: { marca: 1 },
    });
  });

  it("the engine built before storing is the one the first decision uses (no second build)", async () => {
    const t = await start();
    await publishOk(t, "mini", { source: miniSource(1) });
    const addRule = vi.spyOn(Engine.prototype, "addRule");
    try {
      expect(json(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } }))).toMatchObject({
        version: 1,
        decision: { marca: 1 },
      });
      expect(addRule).not.toHaveBeenCalled();
    } finally {
      addRule.mockRestore();
    }
  });

  it("rolling back to a version that no longer builds is a 422 and changes nothing", async () => {
    let broken = false;
    const t = await start({ buildRuntime: refusing("marca 1", () => broken) });
    await publishOk(t, "mini", { source: miniSource(1), tests: miniSuite(1) });
    await publishOk(t, "mini", { source: miniSource(2), tests: miniSuite(2) });
    broken = true; // the engine changed: version 1 no longer builds
    const err = expectError(
      await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 1 } }),
      422,
      "RULESET_INVALID",
    );
    expect(err.details.map((d: { code: string }) => d.code)).toEqual(["ruleset/runtime-build-failed"]);
    expect(await files(t, "mini")).toEqual(["v000001.json", "v000002.json"]);
    expect(json(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } }))).toMatchObject({
      version: 2,
      decision: { marca: 2 },
    });
  });

  it("rolling back to a version whose source no longer compiles is a 422 with its diagnostics", async () => {
    let t = await start();
    await publishOk(t, "mini", { source: miniSource(1) });
    await t.close();
    await writeVersion(t.dataDir, "mini", 2, miniSource(2).replace("when: valor >= 100", "when: valor >= "));
    await writeVersion(t.dataDir, "mini", 3, miniSource(3));
    t = await restart(t);
    expect(t.loadProblems).toEqual([]);
    const err = expectError(
      await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 2 } }),
      422,
      "RULESET_INVALID",
    );
    expect(err.details[0]).toMatchObject({
      severity: "error",
      line:
        miniSource(2)
          .split("\n")
          .findIndex((l) => l.includes("when: valor >= 100")) + 1,
    });
    expect(await files(t, "mini")).toEqual(["v000001.json", "v000002.json", "v000003.json"]);
  });
});

describe("a publish whose request ran out of time", () => {
  it("stores nothing once the request's deadline is aborted (the caller was answered 503)", async () => {
    const t = await start();
    await publishOk(t, "mini", { source: miniSource(1) });
    const err = await publish(t.registry, inlineAuthoring, {
      name: "mini",
      source: miniSource(2),
      message: "tarde demais",
      author: "ana",
      signal: AbortSignal.abort("timeout"),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 503, code: "HANDLER_TIMEOUT" });
    expect(await files(t, "mini")).toEqual(["v000001.json"]);
    expect(json(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } }))).toMatchObject({
      version: 1,
    });
  });
});

describe("start-up with a stored version that no longer builds", () => {
  it("the newest version that builds serves; /ready is 200 and names the degraded rule set; a fixed publish clears it", async () => {
    let t = await start();
    await publishOk(t, "mini", { source: miniSource(1) });
    await publishOk(t, "outro", { source: miniSource(5, "outro") });
    await t.close();
    // v2 (valid hash) whose source no longer compiles; v3 that compiles but the engine refuses.
    await writeVersion(t.dataDir, "mini", 2, miniSource(2).replace("when: valor >= 100", "when: valor >= "));
    await writeVersion(t.dataDir, "mini", 3, miniSource(3));
    t = await restart(t, refusing("marca 3"));

    expect(t.loadProblems.map((p) => p.path)).toEqual(expect.arrayContaining(["mini v3", "mini v2"]));
    const ready = await call(t.app, { url: "/ready" });
    expect(ready.statusCode).toBe(200);
    expect(json(ready)).toMatchObject({
      status: "degraded",
      rulesets: ["mini", "outro"],
      degraded: [{ ruleset: "mini", activeVersion: 3, servedVersion: 1, reason: expect.stringMatching(/3/) }],
    });
    expect(json(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } }))).toMatchObject({
      version: 1,
      decision: { marca: 1 },
    });
    expect(json(await call(t.app, { url: "/v1/decide/outro", body: { facts: { valor: 1 } } }))).toMatchObject({
      version: 1,
      decision: { marca: 5 },
    });
    // The list shows the version that serves.
    expect(
      json(await call(t.app, { url: "/v1/rulesets" })).map((r: { name: string; version: number }) => [
        r.name,
        r.version,
      ]),
    ).toEqual([
      ["mini", 1],
      ["outro", 1],
    ]);

    // A publish that builds replaces the degraded state.
    expect(await publishOk(t, "mini", { source: miniSource(4) })).toBe(4);
    expect(json(await call(t.app, { url: "/ready" }))).toMatchObject({ status: "ready", degraded: [] });
    expect(json(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } }))).toMatchObject({
      version: 4,
      decision: { marca: 4 },
    });
  });

  it("a rule set with no version that builds: /ready 503 RULESET_UNAVAILABLE, decide 503 (not 404); the others still decide; a fixed publish restores it", async () => {
    let t = await start();
    await publishOk(t, "outro", { source: miniSource(5, "outro") });
    await t.close();
    await writeVersion(t.dataDir, "mini", 1, miniSource(1).replace("when: valor >= 100", "when: valor >= "));
    t = await restart(t);

    expect(t.loadProblems.map((p) => p.path)).toContain("mini v1");
    const ready = expectError(await call(t.app, { url: "/ready" }), 503, "RULESET_UNAVAILABLE");
    expect(ready.details).toEqual([
      expect.objectContaining({ ruleset: "mini", activeVersion: 1, servedVersion: null }),
    ]);
    const decide = expectError(
      await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } }),
      503,
      "RULESET_UNAVAILABLE",
    );
    expect(decide.details).toEqual([expect.objectContaining({ ruleset: "mini", activeVersion: 1 })]);
    expectError(
      await call(t.app, { url: "/v1/decide/mini/batch", body: { items: [{ facts: { valor: 1 } }] } }),
      503,
      "RULESET_UNAVAILABLE",
    );
    expectError(
      await call(t.app, { url: "/v1/decide/mini?version=1", body: { facts: { valor: 1 } } }),
      503,
      "RULESET_UNAVAILABLE",
    );
    expect(json(await call(t.app, { url: "/v1/decide/outro", body: { facts: { valor: 1 } } }))).toMatchObject({
      decision: { marca: 5 },
    });
    // It is still listed and its source readable (to fix it).
    expect(
      json(await call(t.app, { url: "/v1/rulesets" })).map((r: { name: string; version: number }) => [
        r.name,
        r.version,
      ]),
    ).toEqual([
      ["mini", 1],
      ["outro", 1],
    ]);
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).version).toBe(1);
    // Testing it says why (422 with the diagnostics), not that it does not exist.
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/test", body: { tests: miniSuite(1) } }),
      422,
      "RULESET_INVALID",
    );

    expect(await publishOk(t, "mini", { source: miniSource(2), baseVersion: 1 })).toBe(2);
    expect((await call(t.app, { url: "/ready" })).statusCode).toBe(200);
    expect(json(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } }))).toMatchObject({
      version: 2,
      decision: { marca: 2 },
    });
  });
});
