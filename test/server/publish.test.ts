/**
 * Publishing semantics (CONTRACT "Rule sets (authoring)", HAZARDS 14): 201/422/409, suites kept or
 * replaced, rollback, atomicity (a failed publish changes nothing), concurrent publishes, decisions
 * in flight during a publish, and version pinning. Small inline rule sets and suites.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  call,
  closeAfterEachHolding,
  expectError,
  json,
  miniSource,
  miniSuite,
  slowSource,
  startApp,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const { keep, hold } = closeAfterEachHolding();

async function empty(env: Record<string, string> = {}): Promise<TestApp> {
  return keep(await startApp({ env }));
}

async function publishOk(t: TestApp, name: string, body: Record<string, unknown>): Promise<number> {
  const res = await call(t.app, { url: `/v1/rulesets/${name}/versions`, body });
  expect(res.statusCode, res.body).toBe(201);
  const v = json(res).version as number;
  expect(Number.isInteger(v)).toBe(true);
  return v;
}

async function decideMini(t: TestApp, valor = 1, query = ""): Promise<{ version: number; marca: number }> {
  const res = await call(t.app, { url: `/v1/decide/mini${query}`, body: { facts: { valor } } });
  expect(res.statusCode, res.body).toBe(200);
  const b = json(res);
  return { version: b.version, marca: b.decision.marca };
}

/** Everything a failed publish must leave unchanged (the audit log only gains `publish-refused` lines). */
async function snapshot(t: TestApp, name: string) {
  const ruleset = json(await call(t.app, { url: `/v1/rulesets/${name}` }));
  const list = json(await call(t.app, { url: "/v1/rulesets" }));
  const audit = json<any[]>(await call(t.app, { url: "/v1/audit" })).filter((a) => a.action !== "publish-refused");
  // Every decision has its own id: the rest of the answer is what must not change.
  const { decisionId: _id, ...decision } = json(
    await call(t.app, { url: `/v1/decide/${name}`, body: { facts: { valor: 150 } } }),
  );
  const files = (await readdir(join(t.dataDir, "rulesets", name))).sort();
  return { ruleset, list, audit, decision, files };
}

describe("publish", () => {
  it("201 {version}: the new version is active for GET and decisions, the old one stays readable", async () => {
    const t = await empty();
    expect(await publishOk(t, "mini", { source: miniSource(1), tests: miniSuite(1), message: "v1" })).toBe(1);
    expect(await decideMini(t)).toEqual({ version: 1, marca: 1 });
    const res = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(2), tests: miniSuite(2), message: "v2" },
    });
    expect(res.statusCode).toBe(201);
    expect(json(res)).toMatchObject({ version: 2 });
    const body = json(await call(t.app, { url: "/v1/rulesets/mini" }));
    expect(body.version).toBe(2);
    expect(body.source).toBe(miniSource(2));
    expect(body.tests).toBe(miniSuite(2));
    expect(body.versions.map((v: any) => [v.version, v.message, v.author])).toEqual([
      [1, "v1", "local"],
      [2, "v2", "local"],
    ]);
    expect(await decideMini(t)).toEqual({ version: 2, marca: 2 });
    expect(json(await call(t.app, { url: "/v1/rulesets/mini/versions/1" })).source).toBe(miniSource(1));
  });

  it("422 RULESET_INVALID with located diagnostics for a source that does not compile — and nothing changes", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(1), tests: miniSuite(1) });
    const before = await snapshot(t, "mini");
    const source = miniSource(2).replace("when: valor >= 100", "when: valor >= ");
    const err = expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source, tests: miniSuite(2) } }),
      422,
      "RULESET_INVALID",
    );
    expect(err.details.length).toBeGreaterThan(0);
    const d = err.details[0];
    expect(d).toMatchObject({ severity: "error" });
    expect(typeof d.code).toBe("string");
    const line = source.split("\n").findIndex((l) => l.includes("when: valor >= ")) + 1;
    expect(d.line).toBe(line);
    for (const k of ["column", "endLine", "endColumn"]) expect(d[k]).toBeGreaterThanOrEqual(1);
    expect(await snapshot(t, "mini")).toEqual(before);
  });

  it("422 TESTS_FAILED lists the failing cases with their differences — and nothing changes", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(1), tests: miniSuite(1) });
    const before = await snapshot(t, "mini");
    const err = expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(2), tests: miniSuite(3) } }),
      422,
      "TESTS_FAILED",
    );
    expect(err.details).toHaveLength(2);
    expect(err.details[0]).toMatchObject({
      case: "marca da versão",
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect(err.details[0].differences).toEqual([expect.objectContaining({ path: "marca", expected: 3, actual: 2 })]);
    // An unusable suite is refused the same way.
    expectError(
      await call(t.app, {
        url: "/v1/rulesets/mini/versions",
        body: { source: miniSource(2), tests: "suite: mini\ncases: {}\n" },
      }),
      422,
    );
    expectError(
      await call(t.app, {
        url: "/v1/rulesets/mini/versions",
        body: { source: miniSource(2), tests: miniSuite(2, "outro") },
      }),
      422,
    );
    expect(await snapshot(t, "mini")).toEqual(before);
  });

  it("a source whose `ruleset:` name differs from the URL is refused (422, ruleset/invalid-name) and publishes nothing", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(1) });
    const err = expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(2, "outro") } }),
      422,
      "RULESET_INVALID",
    );
    expect(err.details.map((d) => d.code)).toContain("ruleset/invalid-name");
    expectError(await call(t.app, { url: "/v1/rulesets/outro" }), 404, "NOT_FOUND");
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).version).toBe(1);
  });

  it("publishing without `tests` keeps the current suite (and runs it: a source that breaks it is refused)", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(1), tests: miniSuite(1) });
    // Same marker, different wording: the kept suite still passes.
    const v2 = miniSource(1).replace("Conjunto mínimo de teste", "Conjunto mínimo, revisado");
    expect(await publishOk(t, "mini", { source: v2, message: "sem testes" })).toBe(2);
    const body = json(await call(t.app, { url: "/v1/rulesets/mini" }));
    expect(body.tests).toBe(miniSuite(1));
    expect(json(await call(t.app, { url: "/v1/rulesets/mini/versions/2" })).tests).toBe(miniSuite(1));
    // The kept suite expects marca 1: marca 5 without new tests fails it.
    const err = expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(5) } }),
      422,
      "TESTS_FAILED",
    );
    expect(err.details[0].differences[0]).toMatchObject({ path: "marca", expected: 1, actual: 5 });
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).version).toBe(2);
  });

  it("publishing with new `tests` replaces the suite", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(1), tests: miniSuite(1) });
    await publishOk(t, "mini", { source: miniSource(2), tests: miniSuite(2) });
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).tests).toBe(miniSuite(2));
    expect(json(await call(t.app, { url: "/v1/rulesets/mini/versions/1" })).tests).toBe(miniSuite(1));
    // The default suite of /test is now the new one.
    expect(json(await call(t.app, { url: "/v1/rulesets/mini/test", body: {} }))).toMatchObject({
      passed: 2,
      failed: 0,
    });
  });

  it("a new name creates a rule set (version 1); a refused first publish leaves no trace", async () => {
    const t = await empty();
    expectError(
      await call(t.app, {
        url: "/v1/rulesets/novo/versions",
        body: { source: miniSource(1, "novo"), tests: miniSuite(2, "novo") },
      }),
      422,
      "TESTS_FAILED",
    );
    expectError(await call(t.app, { url: "/v1/rulesets/novo" }), 404, "NOT_FOUND");
    expectError(await call(t.app, { url: "/v1/decide/novo", body: { facts: { valor: 1 } } }), 404, "NOT_FOUND");
    expectError(
      await call(t.app, { url: "/v1/rulesets/novo/versions", body: { source: miniSource(1, "novo"), baseVersion: 3 } }),
      409,
      "CONFLICT",
    );
    expect(json(await call(t.app, { url: "/v1/rulesets" }))).toEqual([]);
    // Only the refusals are in the audit log (who and why), no version.
    expect(json<any[]>(await call(t.app, { url: "/v1/audit" })).map((a) => [a.action, a.code, a.version])).toEqual([
      ["publish-refused", "TESTS_FAILED", undefined],
      ["publish-refused", "CONFLICT", undefined],
    ]);

    expect(await publishOk(t, "novo", { source: miniSource(1, "novo"), tests: miniSuite(1, "novo") })).toBe(1);
    expect(json(await call(t.app, { url: "/v1/rulesets" })).map((r: any) => [r.name, r.version])).toEqual([
      ["novo", 1],
    ]);
    const d = json(await call(t.app, { url: "/v1/decide/novo", body: { facts: { valor: 1 } } }));
    expect(d).toMatchObject({ ruleset: "novo", version: 1, decision: { marca: 1 } });
    expectError(
      await call(t.app, { url: "/v1/rulesets/Nome_Invalido/versions", body: { source: miniSource(1) } }),
      400,
    );
  });

  it("a stale baseVersion is 409 CONFLICT naming the active version; the current baseVersion publishes", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(1) });
    await publishOk(t, "mini", { source: miniSource(2), baseVersion: 1 });
    const err = expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(3), baseVersion: 1 } }),
      409,
      "CONFLICT",
    );
    expect(err.details).toEqual([{ activeVersion: 2 }]);
    expect(await decideMini(t)).toEqual({ version: 2, marca: 2 });
    expect(await publishOk(t, "mini", { source: miniSource(3), baseVersion: 2 })).toBe(3);
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(4), baseVersion: 0 } }),
      400,
    );
  });
});

describe("rollback", () => {
  it("makes an old version active again as a NEW version with the old source and suite", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(1), tests: miniSuite(1) });
    await publishOk(t, "mini", { source: miniSource(2), tests: miniSuite(2) });
    const res = await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 1 } });
    expect(res.statusCode).toBe(201);
    expect(json(res)).toMatchObject({ version: 3, rolledBackFrom: 1 });
    const body = json(await call(t.app, { url: "/v1/rulesets/mini" }));
    expect(body.version).toBe(3);
    expect(body.source).toBe(miniSource(1));
    expect(body.tests).toBe(miniSuite(1));
    expect(body.versions.map((v: any) => v.version)).toEqual([1, 2, 3]);
    expect(body.versions[2].rolledBackFrom).toBe(1);
    const v3 = json(await call(t.app, { url: "/v1/rulesets/mini/versions/3" }));
    const v1 = json(await call(t.app, { url: "/v1/rulesets/mini/versions/1" }));
    expect(v3.source).toBe(v1.source);
    expect(await decideMini(t)).toEqual({ version: 3, marca: 1 });
    const audit = json(await call(t.app, { url: "/v1/audit" }));
    expect(audit.at(-1)).toMatchObject({ action: "rollback", ruleset: "mini", version: 3 });
  });

  it("404 for an unknown version or rule set; 400 for a bad version; nothing changes", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(1) });
    expectError(await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 9 } }), 404, "NOT_FOUND");
    expectError(await call(t.app, { url: "/v1/rulesets/nada/rollback", body: { version: 1 } }), 404, "NOT_FOUND");
    for (const version of [0, -1, "1", 1.5, null]) {
      expectError(await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version } }), 400);
    }
    expectError(await call(t.app, { url: "/v1/rulesets/mini/rollback", body: {} }), 400);
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).versions).toHaveLength(1);
  });
});

describe("atomicity and concurrency", () => {
  it("10 concurrent publishes of one rule set all succeed with distinct consecutive versions; none is lost", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(100) });
    const markers = Array.from({ length: 10 }, (_, i) => 101 + i);
    const responses = await Promise.all(
      markers.map((m) =>
        call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(m), message: `marca ${m}` } }),
      ),
    );
    for (const r of responses) expect(r.statusCode, r.body).toBe(201);
    const versions = responses.map((r) => json(r).version as number).sort((a, b) => a - b);
    expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    // Every publish is stored under the version it was told, with its own source.
    for (let i = 0; i < markers.length; i++) {
      const v = json(responses[i]!).version;
      expect(json(await call(t.app, { url: `/v1/rulesets/mini/versions/${v}` })).source).toBe(miniSource(markers[i]!));
      expect((await decideMini(t, 1, `?version=${v}`)).marca).toBe(markers[i]);
    }
    const body = json(await call(t.app, { url: "/v1/rulesets/mini" }));
    expect(body.version).toBe(11);
    expect(body.versions.map((v: any) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // The active version is the highest one, for reads and decisions alike.
    const v11 = json(await call(t.app, { url: "/v1/rulesets/mini/versions/11" }));
    expect(body.source).toBe(v11.source);
    const active = await decideMini(t);
    expect(active.version).toBe(11);
    expect(miniSource(active.marca)).toBe(v11.source);
    const audit = json(await call(t.app, { url: "/v1/audit" })) as any[];
    expect(audit.map((a) => a.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("10 concurrent publishes with the same baseVersion: exactly one wins, the others get 409 (no silent overwrite)", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(100) });
    const markers = Array.from({ length: 10 }, (_, i) => 201 + i);
    const responses = await Promise.all(
      markers.map((m) =>
        call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(m), baseVersion: 1 } }),
      ),
    );
    const won = responses.filter((r) => r.statusCode === 201);
    const lost = responses.filter((r) => r.statusCode !== 201);
    expect(won).toHaveLength(1);
    for (const r of lost) expect(expectError(r, 409, "CONFLICT").details).toEqual([{ activeVersion: 2 }]);
    expect(json(won[0]!).version).toBe(2);
    const winner = markers[responses.indexOf(won[0]!)]!;
    const body = json(await call(t.app, { url: "/v1/rulesets/mini" }));
    expect(body.versions).toHaveLength(2);
    expect(body.source).toBe(miniSource(winner));
    expect(await decideMini(t)).toEqual({ version: 2, marca: winner });
  });

  it("a decision in flight during a publish finishes on the version it began with; the next one sees the new version", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(1) });
    const gate = hold();
    const inFlight = call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 150 } } });
    await gate.started; // the decision picked v1 and is inside the engine
    expect(await publishOk(t, "mini", { source: miniSource(2), tests: miniSuite(2) })).toBe(2);
    expect(await decideMini(t)).toEqual({ version: 2, marca: 2 }); // new decisions already see v2
    gate.release();
    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({ version: 1, decision: { marca: 1, faixa: "ALTA" } });
    expect(await decideMini(t)).toEqual({ version: 2, marca: 2 });
  });

  it("a batch (1000 decisions on a 50-rule set) in flight during a publish is decided entirely on its starting version", async () => {
    const t = await empty();
    await publishOk(t, "lento", { source: slowSource(1) });
    const items = Array.from({ length: 1000 }, (_, i) => ({ facts: { valor: i % 60 } }));
    const gate = hold();
    const batch = call(t.app, { url: "/v1/decide/lento/batch", body: { items } });
    await gate.started; // the batch picked v1 and its first decision is inside the engine
    expect(await publishOk(t, "lento", { source: slowSource(2) })).toBe(2);
    expect(json(await call(t.app, { url: "/v1/decide/lento", body: { facts: { valor: 5 } } }))).toMatchObject({
      version: 2,
      decision: { marca: 2, soma: 5 },
    });
    gate.release();
    const res = await batch;
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body.version).toBe(1);
    expect(body.results).toHaveLength(1000);
    body.results.forEach((r: any, i: number) => {
      expect(r.decision.marca).toBe(1);
      expect(r.decision.soma).toBe(Math.min(i % 60, 50));
    });
    const counted = (await t.metrics.decisions.get()).values.filter(
      (v) => v.labels.ruleset === "lento" && v.labels.outcome === "ok",
    );
    expect(Object.fromEntries(counted.map((v) => [v.labels.version, v.value]))).toEqual({ "1": 1000, "2": 1 });
  });

  it("?version=N pins a version after newer publishes and after a rollback", async () => {
    const t = await empty();
    for (const m of [1, 2, 3]) await publishOk(t, "mini", { source: miniSource(m), tests: miniSuite(m) });
    expect(json(await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 1 } })).version).toBe(4);
    expect(await decideMini(t)).toEqual({ version: 4, marca: 1 });
    expect(await decideMini(t, 1, "?version=1")).toEqual({ version: 1, marca: 1 });
    expect(await decideMini(t, 1, "?version=2")).toEqual({ version: 2, marca: 2 });
    expect(await decideMini(t, 1, "?version=3")).toEqual({ version: 3, marca: 3 });
    expect(await decideMini(t, 1, "?version=4")).toEqual({ version: 4, marca: 1 });
    expectError(
      await call(t.app, { url: "/v1/decide/mini?version=5", body: { facts: { valor: 1 } } }),
      404,
      "NOT_FOUND",
    );
    await publishOk(t, "mini", { source: miniSource(5), tests: miniSuite(5) });
    expect(await decideMini(t, 1, "?version=2")).toEqual({ version: 2, marca: 2 });
    expect(await decideMini(t)).toEqual({ version: 5, marca: 5 });
  });

  it("a failed publish of one rule set does not disturb decisions of another", async () => {
    const t = await empty();
    await publishOk(t, "mini", { source: miniSource(1), tests: miniSuite(1) });
    await publishOk(t, "outro", { source: miniSource(7, "outro"), tests: miniSuite(7, "outro") });
    expectError(
      await call(t.app, { url: "/v1/rulesets/outro/versions", body: { source: miniSource(8, "outro") } }),
      422,
      "TESTS_FAILED",
    );
    expect(await decideMini(t)).toEqual({ version: 1, marca: 1 });
    expect(json(await call(t.app, { url: "/v1/decide/outro", body: { facts: { valor: 1 } } })).decision.marca).toBe(7);
  });
});
