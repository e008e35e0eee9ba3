/**
 * The service (in process, over app.inject) on the PostgreSQL store: two apps on one database play
 * two replicas. A publish on one is decided by the other; concurrent publishes with the same
 * baseVersion give one 201 and one 409; PostgreSQL stopped: decisions go on, `/ready` says
 * degraded, publishing answers 503 STORE_UNREACHABLE; started again: publishing works, with no
 * restart of either app. (Two real service processes are the lead's replicas test.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { requirePostgres, startTempPostgres, type TempPostgres } from "../helpers/postgres.js";
import { createPostgresStore } from "../../server/store/pg-store.js";
import { call, expectError, json, miniSource, miniSuite, removeTempDirs, startApp, type TestApp } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000 });

const availability = await requirePostgres();
const skipReason = availability.ok ? "" : availability.reason;

async function until(what: string, check: () => Promise<boolean>, budgetMs = 10_000): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not seen within ${budgetMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!availability.ok)(`service on PostgreSQL${skipReason ? ` (pulado: ${skipReason})` : ""}`, () => {
  let pg: TempPostgres;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    pg = await startTempPostgres();
  }, 60_000);
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    if (!pg.running) await pg.start();
    await removeTempDirs();
  });
  afterAll(async () => {
    await pg?.destroy();
    await removeTempDirs(true);
  });

  async function replica(url: string): Promise<TestApp> {
    const store = createPostgresStore(url, {
      logger: { warn: () => undefined },
      pollIntervalMs: 200,
      reconnectMinMs: 50,
      reconnectMaxMs: 300,
    });
    const t = await startApp({ wrapStore: () => store });
    t.registry.follow();
    apps.push(t);
    return t;
  }

  const marcaOf = async (t: TestApp): Promise<number | undefined> => {
    const res = await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } });
    return res.statusCode === 200 ? (json(res).decision.marca as number) : undefined;
  };
  const publish = (t: TestApp, marca: number, extra: Record<string, unknown> = {}) =>
    call(t.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(marca), tests: miniSuite(marca), ...extra },
    });

  it("a publish and a roll back on A are decided by B", async () => {
    const url = await pg.createDatabase();
    const a = await replica(url);
    const b = await replica(url);
    expect((await publish(a, 1)).statusCode).toBe(201);
    await until("B decides v1", async () => (await marcaOf(b)) === 1);
    expect((await publish(a, 2)).statusCode).toBe(201);
    await until("B decides v2", async () => (await marcaOf(b)) === 2);
    const rolledBack = await call(a.app, { url: "/v1/rulesets/mini/rollback", body: { version: 1 } });
    expect(rolledBack.statusCode, rolledBack.body).toBe(201);
    await until("B decides the roll back", async () => (await marcaOf(b)) === 1);
    const readyB = json(await call(b.app, { url: "/ready" }));
    expect(readyB).toMatchObject({ status: "ready", store: { kind: "postgres", state: "ok" } });
  });

  it("the same baseVersion on both replicas: one 201, one 409 with the active version", async () => {
    const url = await pg.createDatabase();
    const a = await replica(url);
    const b = await replica(url);
    expect((await publish(a, 1)).statusCode).toBe(201);
    await until("B has v1", async () => (await marcaOf(b)) === 1);
    const [ra, rb] = await Promise.all([publish(a, 2, { baseVersion: 1 }), publish(b, 3, { baseVersion: 1 })]);
    const codes = [ra.statusCode, rb.statusCode].sort();
    expect(codes).toEqual([201, 409]);
    const loser = ra.statusCode === 409 ? ra : rb;
    const err = expectError(loser, 409, "CONFLICT");
    expect(err.details).toEqual([{ activeVersion: 2 }]);
  });

  it("PostgreSQL stopped: B decides, /ready degraded, publish 503 STORE_UNREACHABLE; started: publishing works, A's change reaches B", async () => {
    const url = await pg.createDatabase();
    const a = await replica(url);
    const b = await replica(url);
    expect((await publish(a, 1)).statusCode).toBe(201);
    await until("B has v1", async () => (await marcaOf(b)) === 1);

    await pg.stop();
    await until("B's /ready says degraded", async () => {
      const r = json(await call(b.app, { url: "/ready" }));
      return r.store?.state === "degraded";
    });
    const ready = await call(b.app, { url: "/ready" });
    expect(ready.statusCode).toBe(200);
    expect(json(ready)).toMatchObject({ status: "degraded", store: { kind: "postgres", state: "degraded" } });
    expect(await marcaOf(b)).toBe(1);
    expectError(await publish(b, 2), 503, "STORE_UNREACHABLE");

    await pg.start();
    await until("A ok again", async () => a.store.status().state === "ok");
    expect((await publish(a, 2)).statusCode).toBe(201);
    await until("B decides A's v2", async () => (await marcaOf(b)) === 2);
    expect((await publish(b, 3)).statusCode).toBe(201);
    await until("A decides B's v3", async () => (await marcaOf(a)) === 3);
  });
});
