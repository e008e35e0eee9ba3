/**
 * Two replicas of the service (real processes, `server/main.ts`) on one PostgreSQL (a throw-away
 * cluster, test/helpers/postgres.ts), as a contact centre runs them behind a load balancer:
 *
 * - both start at once on an empty database: the schema is created once, every rule set is seeded
 *   once (version 1, one seed line in the audit log);
 * - a publish on one replica is decided by the other, and so is a roll back on the other (the
 *   issue's target is 2 s; the test allows a generous budget and prints the time it saw);
 * - concurrent publishes on both: with the same base version, one 201 and one 409 CONFLICT; without,
 *   both 201 with different versions — no lost update, both replicas list the same versions;
 * - PostgreSQL stopped mid-test: both replicas keep deciding, `/ready` stays 200 and says the store
 *   is degraded, publishing is 503 STORE_UNREACHABLE; PostgreSQL started again: both recover with
 *   no restart, and a publish on one is decided by the other.
 *
 * Skipped, with the reason printed, only where PostgreSQL is not installed (never under CI).
 */
import type { ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { requirePostgres, startTempPostgres, type TempPostgres } from "../helpers/postgres.js";
import { startService, type ServiceProcess } from "../helpers/service-process.js";
import { miniSource, miniSuite, removeTempDirs, tempDir } from "./helpers.js";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

const availability = await requirePostgres();

const children: ChildProcess[] = [];
let pg: TempPostgres | undefined;

beforeAll(async () => {
  if (availability.ok) pg = await startTempPostgres();
});
afterAll(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await pg?.destroy();
  await removeTempDirs(true);
});

interface Answer {
  readonly status: number;
  // JSON answers read by the test.
  readonly body: any;
}

async function http(base: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(
    `${base}${path}`,
    body === undefined
      ? {}
      : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
  );
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const decide = (s: ServiceProcess) => http(s.url, "/v1/decide/mini", { facts: { valor: 1 } });
const publish = (s: ServiceProcess, marca: number, extra: Record<string, unknown> = {}) =>
  http(s.url, "/v1/rulesets/mini/versions", {
    source: miniSource(marca),
    tests: miniSuite(marca),
    message: `marca ${marca}`,
    ...extra,
  });

/** Polls until `check` holds; returns the milliseconds it took (printed, never asserted). */
async function until(what: string, check: () => Promise<boolean>, budgetMs = 30_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > budgetMs) throw new Error(`${what}: not seen within ${budgetMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function twoReplicas(databaseUrl: string): Promise<[ServiceProcess, ServiceProcess]> {
  const rulesDir = await tempDir("rules-");
  await writeFile(join(rulesDir, "mini.yaml"), miniSource(1));
  await writeFile(join(rulesDir, "mini.test.yaml"), miniSuite(1));
  // Replica B compiles what A publishes in its authoring worker thread (the default), A on its main thread.
  const env = { DATABASE_URL: databaseUrl, STORE_POLL_MS: "500" };
  const track = (c: ChildProcess) => children.push(c);
  // Started together: both migrate and seed the same empty database at the same moment.
  const [a, b] = await Promise.all([
    startService({ dataDir: await tempDir("replica-a-"), rulesDir, env: { ...env, AUTHORING_WORKERS: "0" }, track })
      .service,
    startService({ dataDir: await tempDir("replica-b-"), rulesDir, env, track }).service,
  ]);
  return [a, b];
}

describe.skipIf(!availability.ok)("two replicas on one PostgreSQL", () => {
  it("start together (one schema, one seed), see each other's publishes and roll backs, never lose an update", async () => {
    const url = await pg!.createDatabase();
    const [a, b] = await twoReplicas(url);

    // One seed for both.
    for (const s of [a, b]) {
      const info = await http(s.url, "/v1/rulesets/mini");
      expect(info.status).toBe(200);
      expect(info.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
      expect((await decide(s)).body.decision.marca).toBe(1);
    }
    const seeds = (await http(a.url, "/v1/audit?ruleset=mini")).body.filter(
      (l: { action: string }) => l.action === "seed",
    );
    expect(seeds).toHaveLength(1);

    // Publish on A, decided by B.
    const p2 = await publish(a, 2);
    expect(p2.status).toBe(201);
    expect(p2.body.version).toBe(2);
    const seenB = await until("B decides version 2", async () => (await decide(b)).body.decision?.marca === 2);
    const onB = await decide(b);
    expect(onB.body.version).toBe(2);

    // Roll back on B, decided by A.
    const rb = await http(b.url, "/v1/rulesets/mini/rollback", { version: 1, message: "voltar" });
    expect(rb.status).toBe(201);
    expect(rb.body).toMatchObject({ version: 3, rolledBackFrom: 1 });
    const seenA = await until("A decides the roll back", async () => (await decide(a)).body.version === 3);
    expect((await decide(a)).body.decision.marca).toBe(1);
    process.stdout.write(
      `[replicas] publish on A decided by B after ${seenB} ms; roll back on B by A after ${seenA} ms\n`,
    );

    // The same base version on both at once: one wins, the other is told who did.
    const [x, y] = await Promise.all([publish(a, 4, { baseVersion: 3 }), publish(b, 5, { baseVersion: 3 })]);
    const statuses = [x.status, y.status].sort();
    expect(statuses).toEqual([201, 409]);
    const loser = x.status === 409 ? x : y;
    expect(loser.body.error.code).toBe("CONFLICT");
    const winner = x.status === 201 ? x : y;
    expect(winner.body.version).toBe(4);

    // Without a base version, both land, one after the other.
    const both = await Promise.all([publish(a, 6), publish(b, 7)]);
    expect(both.map((r) => r.status)).toEqual([201, 201]);
    expect(both.map((r) => r.body.version).sort()).toEqual([5, 6]);
    const last = both.find((r) => r.body.version === 6)!;
    const lastMarca = last === both[0] ? 6 : 7;

    // Both replicas converge on the same list and the same decision.
    for (const s of [a, b]) {
      await until(`${s.url} decides version 6`, async () => (await decide(s)).body.version === 6);
      expect((await decide(s)).body.decision.marca).toBe(lastMarca);
      const info = await http(s.url, "/v1/rulesets/mini");
      expect(info.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    const audit = (await http(b.url, "/v1/audit?ruleset=mini")).body as {
      action: string;
      version?: number;
      attempted?: string;
    }[];
    expect(audit.filter((l) => l.version !== undefined).map((l) => l.version)).toEqual([1, 2, 3, 4, 5, 6]);
    // The conflict is on record (a seed that lost the start-up race may be too).
    expect(audit.filter((l) => l.action === "publish-refused" && l.attempted === "publish")).toHaveLength(1);

    for (const s of [a, b]) s.child.kill("SIGTERM");
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
  });

  it("PostgreSQL stopped mid-test: both keep deciding, /ready says degraded, publishing is 503 STORE_UNREACHABLE; started again: both recover without a restart", async () => {
    const url = await pg!.createDatabase();
    const [a, b] = await twoReplicas(url);
    expect((await publish(a, 2)).status).toBe(201);
    await until("B decides version 2", async () => (await decide(b)).body.version === 2);

    await pg!.stop();
    for (const s of [a, b]) {
      await until(`${s.url} reports the store degraded`, async () => {
        const r = await http(s.url, "/ready");
        return r.status === 200 && r.body.store?.state === "degraded";
      });
      const ready = await http(s.url, "/ready");
      expect(ready.body).toMatchObject({ status: "degraded", store: { kind: "postgres", state: "degraded" } });
      for (let i = 0; i < 20; i++) {
        const d = await decide(s);
        expect(d.status).toBe(200);
        expect(d.body.decision.marca).toBe(2);
      }
      const refused = await publish(s, 9);
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe("STORE_UNREACHABLE");
    }

    await pg!.start();
    for (const s of [a, b]) {
      await until(`${s.url} recovers`, async () => (await http(s.url, "/ready")).body.store?.state === "ok", 60_000);
    }
    const p3 = await publish(b, 3);
    expect(p3.status).toBe(201);
    expect(p3.body.version).toBe(3);
    await until("A decides version 3 after the recovery", async () => (await decide(a)).body.decision?.marca === 3);
    for (const s of [a, b]) expect(s.child.exitCode, "no replica restarted").toBeNull();

    for (const s of [a, b]) s.child.kill("SIGTERM");
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
  });
});
