/**
 * Several PostgreSQL stores on one database, as replicas of the service are: a change made
 * through one reaches the others (NOTIFY, polling alone, a lost LISTEN connection), and the
 * database going away and coming back (degraded mode, recovery without reopening). Budgets are
 * generous and only bound the waiting: the tests assert what is seen, never how fast.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { requirePostgres, startTempPostgres, type TempPostgres } from "../../test/helpers/postgres.js";
import { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from "./pg-store.js";
import { StorageError } from "./storage-error.js";
import type { PublishInput } from "./types.js";

const availability = await requirePostgres();
const skipReason = availability.ok ? "" : availability.reason;

/** How long a test waits for something that should happen within about a second. */
const BUDGET_MS = 10_000;

function input(source: string, extra: Partial<PublishInput> = {}): PublishInput {
  return { source, tests: null, author: "ana", message: `publish ${source}`, ...extra };
}

async function until(what: string, check: () => boolean | Promise<boolean>, budgetMs = BUDGET_MS): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not seen within ${budgetMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Logged {
  readonly level: "warn" | "info" | "error";
  readonly msg: string;
}

describe.skipIf(!availability.ok)(`PostgreSQL store replicas${skipReason ? ` (pulado: ${skipReason})` : ""}`, () => {
  let pg: TempPostgres;
  const stores: PostgresStore[] = [];

  beforeAll(async () => {
    pg = await startTempPostgres();
  }, 60_000);

  afterAll(async () => {
    await pg?.destroy();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    if (!pg.running) await pg.start();
  });

  function store(url: string, options: PostgresStoreOptions = {}, log: Logged[] = []): PostgresStore {
    const s = createPostgresStore(url, {
      logger: {
        warn: (_o, msg) => log.push({ level: "warn", msg }),
        info: (_o, msg) => log.push({ level: "info", msg }),
        error: (_o, msg) => log.push({ level: "error", msg }),
      },
      reconnectMinMs: 50,
      reconnectMaxMs: 300,
      ...options,
    });
    stores.push(s);
    return s;
  }

  function changes(s: PostgresStore): string[][] {
    const seen: string[][] = [];
    s.onChange((names) => seen.push([...names]));
    return seen;
  }

  it("B reports A's publish through NOTIFY (polling too slow to matter here), get() first", async () => {
    const url = await pg.createDatabase();
    const a = store(url, { pollIntervalMs: 600_000 });
    const b = store(url, { pollIntervalMs: 600_000 });
    await a.open();
    await b.open();
    const seenByA = changes(a);
    const seenAtCall: (number | undefined)[] = [];
    b.onChange((names) => seenAtCall.push(...names.map((n) => b.get(n)?.active.version)));
    const seenByB = changes(b);
    await a.publish("cobranca", input("v1"));
    await until("B's onChange after A's publish", () => seenByB.length > 0);
    expect(seenByB).toEqual([["cobranca"]]);
    expect(seenAtCall).toEqual([1]); // memory already showed it when the listener was called
    expect(b.get("cobranca")?.active).toMatchObject({ version: 1, source: "v1" });
    // A roll back on A reaches B too; A never reports its own changes.
    await a.publish("cobranca", input("v1", { rolledBackFrom: 1 }));
    await until("B sees the roll back", () => b.get("cobranca")?.active.version === 2);
    expect(b.get("cobranca")?.active.rolledBackFrom).toBe(1);
    expect(seenByA).toEqual([]);
    expect(b.stats.notifications).toBeGreaterThanOrEqual(2);
  });

  it("with listen: false, polling alone propagates changes", async () => {
    const url = await pg.createDatabase();
    const a = store(url, { listen: false, pollIntervalMs: 600_000 });
    const b = store(url, { listen: false, pollIntervalMs: 100 });
    await a.open();
    await b.open();
    const seenByB = changes(b);
    await a.publish("cobranca", input("v1"));
    await a.publish("triagem", input("t1"));
    await until("B's poll picks both up", () => b.names().length === 2);
    expect(seenByB.flat().sort()).toEqual(["cobranca", "triagem"]);
    expect(b.stats.notifications).toBe(0);
    expect(b.listenerPid).toBeUndefined();
  });

  it("B's LISTEN connection killed while A publishes: B reconnects and catches up", async () => {
    const url = await pg.createDatabase();
    const a = store(url, { pollIntervalMs: 600_000 });
    const b = store(url, { pollIntervalMs: 600_000 });
    await a.open();
    await b.open();
    await a.publish("cobranca", input("v1"));
    await until("B sees v1", () => b.get("cobranca")?.active.version === 1);
    const pid = b.listenerPid;
    expect(pid).toBeTypeOf("number");
    const reconnects = b.stats.reconnects;
    await pg.psql(`SELECT pg_terminate_backend(${pid})`, new URL(url).pathname.slice(1));
    await a.publish("cobranca", input("v2"));
    await until("B catches up with v2", () => b.get("cobranca")?.active.version === 2);
    await until("B's listener is a new connection", () => b.listenerPid !== undefined && b.listenerPid !== pid);
    expect(b.stats.reconnects).toBeGreaterThan(reconnects);
    expect(b.status().state).toBe("ok");
    // And the new listener works: a later publish arrives by NOTIFY (polling is off).
    await a.publish("cobranca", input("v3"));
    await until("B sees v3", () => b.get("cobranca")?.active.version === 3);
  });

  it("PostgreSQL stopped: degraded, deciding data still served, authoring fails at once; restarted: ok again, no reopen", async () => {
    const url = await pg.createDatabase();
    const log: Logged[] = [];
    const a = store(url);
    await a.open();
    await a.publish("cobranca", input("v1"));
    await a.publish("cobranca", input("v2"));
    // B opens now: v2's content is in memory, v1's only as metadata (not cached).
    const b = store(url, { pollIntervalMs: 200, connectTimeoutMs: 30_000 }, log);
    await b.open();
    const seenByB = changes(b);
    expect(b.status()).toEqual({ kind: "postgres", state: "ok" });

    await pg.stop();
    await until("B degraded", () => b.status().state === "degraded");
    const status = b.status();
    expect(status).toMatchObject({ kind: "postgres", state: "degraded" });
    expect(status.reason).toBeTruthy();
    expect(Number.isNaN(Date.parse(status.since ?? ""))).toBe(false);
    expect(log.some((l) => l.level === "warn" && /PostgreSQL unreachable/.test(l.msg))).toBe(true);

    // Deciding data: still served from memory.
    expect(b.names()).toEqual(["cobranca"]);
    expect(b.get("cobranca")?.active).toMatchObject({ version: 2, source: "v2" });
    expect(await b.getVersion("cobranca", 2)).toMatchObject({ source: "v2" });
    // Authoring: StorageError "unreachable" from the degraded state itself (no connection attempt).
    for (let i = 0; i < 5; i++) {
      const err = await b.publish("cobranca", input(`while down ${i}`)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect(err).toMatchObject({ failure: "unreachable" });
      expect((err as Error).message).toMatch(/PostgreSQL unreachable since/);
    }
    await expect(b.audit()).rejects.toMatchObject({ failure: "unreachable" });
    await expect(b.getVersion("cobranca", 1)).rejects.toMatchObject({ failure: "unreachable" });
    await expect(
      b.recordRefusal({
        at: new Date().toISOString(),
        action: "publish-refused",
        ruleset: "cobranca",
        author: "ana",
        message: "m",
        attempted: "publish",
        status: 422,
        code: "RULESET_INVALID",
        reason: "r",
        activeVersion: 2,
      }),
    ).rejects.toMatchObject({ failure: "unreachable" });

    // Back: another store publishes while B may still be waiting to reconnect.
    await pg.start();
    const c = store(url);
    await c.open();
    await c.publish("cobranca", input("v3 by c"));
    await until("B ok again", () => b.status().state === "ok");
    await until("B sees C's publish", () => b.get("cobranca")?.active.version === 3);
    expect(seenByB.flat()).toContain("cobranca");
    expect(log.some((l) => l.level === "info" && /reachable again/.test(l.msg))).toBe(true);
    const v4 = await b.publish("cobranca", input("v4 by b"));
    expect(v4.version).toBe(4);
    expect(await b.getVersion("cobranca", 1)).toMatchObject({ source: "v1" });
    expect((await b.audit()).map((e) => e.version)).toEqual([1, 2, 3, 4]);
    await until("A sees B's publish", () => a.get("cobranca")?.active.version === 4);
    expect(a.status().state).toBe("ok");
  });

  it("close() while degraded (the reconnect loop waiting) or while open() is still retrying returns", async () => {
    const url = await pg.createDatabase();
    const a = store(url, { reconnectMinMs: 1000, reconnectMaxMs: 60_000 });
    await a.open();
    await pg.stop();
    await until("degraded", () => a.status().state === "degraded");
    await a.close();
    const b = store(url, { startupTimeoutMs: 600_000, reconnectMinMs: 60_000, reconnectMaxMs: 60_000 });
    const opening = b.open();
    await new Promise((r) => setTimeout(r, 100));
    await b.close();
    await expect(opening).rejects.toThrow(/closed while opening/);
  });

  it("open() waits for a database that comes up late (within startupTimeoutMs)", async () => {
    const url = await pg.createDatabase();
    await pg.stop();
    const s = store(url, { startupTimeoutMs: 60_000 });
    const opening = s.open();
    let settled = false;
    void opening.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    await pg.start();
    await expect(opening).resolves.toEqual([]);
    expect(s.status().state).toBe("ok");
    expect((await s.publish("cobranca", input("v1"))).version).toBe(1);
  });

  it("close() waits for a publish in flight and stops syncing; idempotent", async () => {
    const url = await pg.createDatabase();
    const a = store(url, { pollIntervalMs: 50 });
    await a.open();
    const pending = a.publish("cobranca", input("v1"));
    await a.close();
    await expect(pending).resolves.toMatchObject({ version: 1 });
    await a.close();
    await expect(a.publish("cobranca", input("v2"))).rejects.toMatchObject({ failure: "unavailable" });
    const b = store(url);
    await b.open();
    expect(b.get("cobranca")?.active.version).toBe(1);
  });
});
