/**
 * Vigência through the service, on an injected clock (the store's and the registry's): publishing
 * with `effective` schedules a version, decide answers with the version in force now or at `asOf`
 * and says why (`versionReason`), the scheduled version takes over at its start by itself (built
 * ahead: nothing is compiled at the switch), a restart keeps the schedule, bad `asOf` and bad
 * `effective` are 400s with nothing published, roll backs carry no vigência, and the timeline.
 */
import { describe, expect, it, vi } from "vitest";
import { buildRuntime, type RuntimeBuilder } from "../../server/registry.js";
import { call, closeAfterEach, expectError, json, miniSource, miniSuite, startApp, type TestApp } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
const keep = closeAfterEach();
const at = (iso: string) => Date.parse(iso);

interface Clock {
  t: number;
}

/** An app on an empty store whose store and registry read `clock.t`; counts runtimes built. */
async function start(clock: Clock, dataDir?: string): Promise<TestApp & { builds: () => number }> {
  let builds = 0;
  const counting: RuntimeBuilder = (compiled, options) => {
    builds++;
    return buildRuntime(compiled, options);
  };
  const t = await startApp({
    ...(dataDir !== undefined ? { dataDir } : {}),
    storeOptions: { now: () => new Date(clock.t) },
    registryOptions: { now: () => clock.t, buildRuntime: counting },
  });
  keep(t);
  return Object.assign(t, { builds: () => builds });
}

async function publish(t: TestApp, marca: number, effective?: { from?: string; until?: string }) {
  return call(t.app, {
    url: "/v1/rulesets/mini/versions",
    body: { source: miniSource(marca), tests: miniSuite(marca), ...(effective ? { effective } : {}) },
  });
}

async function decide(t: TestApp, body: Record<string, unknown> = {}, query = "") {
  const res = await call(t.app, { url: `/v1/decide/mini${query}`, body: { facts: { valor: 1 }, ...body } });
  expect(res.statusCode, res.body).toBe(200);
  const b = json(res);
  return { version: b.version, marca: b.decision.marca, reason: b.versionReason };
}

/** v1 published on Jan 10; v2 published on Jan 20, in force from Mar 1 (a date: 00:00 in São Paulo). */
async function scheduled(clock: Clock) {
  const t = await start(clock);
  clock.t = at("2026-01-10T12:00:00.000Z");
  expect((await publish(t, 1)).statusCode).toBe(201);
  clock.t = at("2026-01-20T12:00:00.000Z");
  const res = await publish(t, 2, { from: "2026-03-01" });
  expect(res.statusCode, res.body).toBe(201);
  expect(json(res)).toMatchObject({ version: 2, effectiveFrom: "2026-03-01T03:00:00.000Z" });
  return t;
}

describe("a scheduled version", () => {
  it("leaves the previous one in force until its start, then takes over by itself, compiling nothing", async () => {
    const clock = { t: 0 };
    const t = await scheduled(clock);
    expect(await decide(t)).toEqual({ version: 1, marca: 1, reason: "versão em vigor agora" });
    const info = json(await call(t.app, { url: "/v1/rulesets/mini" }));
    expect(info).toMatchObject({ version: 2, active: 2, inForce: 1, scheduled: [2] });
    expect(info.versions[1]).toMatchObject({ version: 2, effectiveFrom: "2026-03-01T03:00:00.000Z" });
    const built = t.builds();
    clock.t = at("2026-03-01T02:59:59.999Z");
    expect((await decide(t)).version).toBe(1);
    clock.t = at("2026-03-01T03:00:00.000Z");
    expect(await decide(t)).toEqual({ version: 2, marca: 2, reason: "versão em vigor agora" });
    expect(t.builds()).toBe(built);
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" }))).toMatchObject({ inForce: 2, scheduled: [] });
  });

  it("is still scheduled after a restart: the version in force is built at load and the switch still happens", async () => {
    const clock = { t: 0 };
    const first = await scheduled(clock);
    await first.close();
    clock.t = at("2026-02-01T12:00:00.000Z");
    const t = await start(clock, first.dataDir);
    // Loading built the newest version and, ahead, the one in force now.
    expect(t.builds()).toBe(2);
    expect((await decide(t)).version).toBe(1);
    const built = t.builds();
    clock.t = at("2026-03-02T12:00:00.000Z");
    expect((await decide(t)).version).toBe(2);
    expect(t.builds()).toBe(built);
  });

  it("a scheduled version that no longer builds at start is reported (the others still load)", async () => {
    const clock = { t: 0 };
    const first = await scheduled(clock);
    clock.t = at("2026-01-25T12:00:00.000Z");
    expect((await publish(first, 3, { from: "2026-04-01" })).statusCode).toBe(201);
    await first.close();
    // Restart with an engine that cannot build v2 any more (scheduled, neither newest nor in force).
    const t = keep(
      await startApp({
        dataDir: first.dataDir,
        load: false,
        storeOptions: { now: () => new Date(clock.t) },
        registryOptions: {
          now: () => clock.t,
          buildRuntime: (compiled, options) => {
            if (compiled.description?.includes("marca 2")) throw new Error("motor novo recusa a versão");
            return buildRuntime(compiled, options);
          },
        },
      }),
    );
    const problems = await t.registry.loadAll();
    expect(problems).toEqual([
      {
        path: "mini v2",
        message: expect.stringMatching(
          /^a versão 2 de mini, em vigor ou agendada, não pode ser usada: .*motor novo recusa/,
        ),
      },
    ]);
    expect((await decide(t)).version).toBe(1);
    clock.t = at("2026-04-02T12:00:00.000Z");
    expect((await decide(t)).version).toBe(3);
  });

  it("a roll back carries no vigência and supersedes from its publish", async () => {
    const clock = { t: 0 };
    const t = await scheduled(clock);
    clock.t = at("2026-01-25T12:00:00.000Z");
    const res = await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 1 } });
    expect(res.statusCode, res.body).toBe(201);
    const v3 = json(await call(t.app, { url: "/v1/rulesets/mini/versions/3" }));
    expect(v3.effectiveFrom).toBeUndefined();
    clock.t = at("2026-03-10T12:00:00.000Z");
    expect((await decide(t)).version).toBe(3);
  });
});

describe("decide with asOf", () => {
  it("picks the version in force at that instant and says why", async () => {
    const clock = { t: 0 };
    const t = await scheduled(clock);
    expect(await decide(t, { asOf: "2026-03-10T09:00:00-03:00" })).toEqual({
      version: 2,
      marca: 2,
      reason: "versão em vigor em 2026-03-10T09:00:00-03:00 (vigência desde 2026-03-01T00:00:00-03:00)",
    });
    expect(await decide(t, { asOf: "2026-01-15" })).toEqual({
      version: 1,
      marca: 1,
      reason: "versão em vigor em 2026-01-15T00:00:00-03:00",
    });
    expect(await decide(t, { asOf: "2025-12-01" })).toEqual({
      version: 2,
      marca: 2,
      reason: "nenhuma versão em vigor em 2025-12-01T00:00:00-03:00: usada a versão mais recente",
    });
    expect(await decide(t, {}, "?version=2")).toEqual({
      version: 2,
      marca: 2,
      reason: "versão 2 pedida explicitamente",
    });
  });

  it("batch: every item decided by the version in force at asOf", async () => {
    const clock = { t: 0 };
    const t = await scheduled(clock);
    const res = await call(t.app, {
      url: "/v1/decide/mini/batch",
      body: { asOf: "2026-03-02", items: [{ facts: { valor: 1 } }, { facts: { valor: 150 } }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const b = json(res);
    expect(b.version).toBe(2);
    expect(b.versionReason).toMatch(/^versão em vigor em 2026-03-02T00:00:00-03:00/);
    expect(b.results.map((r: { decision: { marca: number } }) => r.decision.marca)).toEqual([2, 2]);
    const now = json(await call(t.app, { url: "/v1/decide/mini/batch", body: { items: [{ facts: { valor: 1 } }] } }));
    expect(now).toMatchObject({ version: 1, versionReason: "versão em vigor agora" });
  });

  it.each([
    ["not a date", "amanhã"],
    ["a date-time without offset", "2026-03-01T09:00:00"],
    ["an impossible date", "2026-02-30"],
  ])("asOf %s is a 400 naming /asOf", async (_what, asOf) => {
    const clock = { t: at("2026-01-10T12:00:00.000Z") };
    const t = await start(clock);
    expect((await publish(t, 1)).statusCode).toBe(201);
    for (const url of ["/v1/decide/mini", "/v1/decide/mini/batch"]) {
      const body = url.endsWith("batch") ? { asOf, items: [{ facts: { valor: 1 } }] } : { asOf, facts: { valor: 1 } };
      const err = expectError(await call(t.app, { url, body }), 400, "INVALID_REQUEST");
      expect(err.message).toMatch(/asOf inválido: deve ser uma data/);
      expect(err.details).toEqual([expect.objectContaining({ path: "/asOf" })]);
    }
  });

  it("asOf with ?version=N is a 400 (one or the other)", async () => {
    const clock = { t: at("2026-01-10T12:00:00.000Z") };
    const t = await start(clock);
    expect((await publish(t, 1)).statusCode).toBe(201);
    const res = await call(t.app, {
      url: "/v1/decide/mini?version=1",
      body: { asOf: "2026-01-11", facts: { valor: 1 } },
    });
    expect(expectError(res, 400, "INVALID_REQUEST").message).toBe("use ?version=N ou asOf, não os dois");
  });
});

describe("publishing with effective", () => {
  it.each([
    [{ from: "01/03/2026" }, "/effective/from", /deve ser uma data/],
    [{ until: "2026-03-01T09:00" }, "/effective/until", /deve ser uma data/],
    [{ from: "2026-03-01", until: "2026-03-01" }, "/effective/until", /deve ser depois do início/],
    [{ from: "2026-04-01", until: "2026-03-01T00:00:00Z" }, "/effective/until", /deve ser depois do início/],
  ])("%j is a 400 and nothing is published", async (effective, path, message) => {
    const clock = { t: at("2026-01-10T12:00:00.000Z") };
    const t = await start(clock);
    expect((await publish(t, 1)).statusCode).toBe(201);
    const err = expectError(await publish(t, 2, effective), 400, "INVALID_REQUEST");
    expect(err.message).toMatch(/^vigência inválida: /);
    expect(err.details).toEqual([{ path, message: expect.stringMatching(message) }]);
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).versions).toHaveLength(1);
  });

  it("until: the version is in force up to it, then the one below again (kept built, nothing compiled)", async () => {
    const clock = { t: at("2026-01-10T12:00:00.000Z") };
    const t = await start(clock);
    expect((await publish(t, 1)).statusCode).toBe(201);
    const res = await publish(t, 2, { until: "2026-02-01T00:00:00-03:00" });
    expect(json(res)).toMatchObject({ version: 2, effectiveUntil: "2026-02-01T03:00:00.000Z" });
    expect((await decide(t)).version).toBe(2);
    const built = t.builds();
    clock.t = at("2026-02-01T03:00:00.000Z");
    expect((await decide(t)).version).toBe(1);
    // v1 was kept built: it was to be in force again.
    expect(t.builds()).toBe(built);
  });
});

describe("GET /v1/rulesets/{name}/timeline", () => {
  it("lists when each version is, was or will be in force", async () => {
    const clock = { t: 0 };
    const t = await scheduled(clock);
    clock.t = at("2026-02-01T12:00:00.000Z");
    const res = await call(t.app, { url: "/v1/rulesets/mini/timeline" });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual([
      {
        version: 1,
        from: "2026-01-10T12:00:00.000Z",
        until: "2026-03-01T03:00:00.000Z",
        reason: "publicação",
        state: "em vigor",
      },
      { version: 2, from: "2026-03-01T03:00:00.000Z", until: null, reason: "vigência", state: "agendada" },
    ]);
    expectError(await call(t.app, { url: "/v1/rulesets/nada/timeline" }), 404, "NOT_FOUND");
  });
});
