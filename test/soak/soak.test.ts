/**
 * The CI slice of `npm run soak` (scripts/soak.ts): ~20 s of mixed decisions, batches, publishes
 * and roll backs against the real service — one process on the file store, and two replicas on one
 * PostgreSQL when PostgreSQL is here and the service runs on it (requirePostgres: a skip with its
 * reason on a developer's machine, a failure under CI). Asserts behaviour, never speed: no errors
 * (every answer is what the suites expect), no incoherent decision, and that the run decided and
 * that decisions saw at least one published and one rolled-back version.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { requirePostgres, startTempPostgres, type TempPostgres } from "../helpers/postgres.js";
import { runSoak, type SoakResult } from "./run.js";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const children = new Set<ChildProcess>();
const track = (c: ChildProcess) => {
  children.add(c);
  c.on("exit", () => children.delete(c));
};
afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

function expectHealthy(r: SoakResult): void {
  // The samples name what went wrong, so a failure is readable.
  expect(r.errorSamples).toEqual([]);
  expect(r.errors).toBe(0);
  expect(r.incoherentSamples).toEqual([]);
  expect(r.incoherent).toBe(0);
  expect(r.decide.count).toBeGreaterThan(0);
  expect(r.batch.count).toBeGreaterThan(0);
  expect(r.batch.items).toBeGreaterThanOrEqual(50 * r.batch.count);
  expect(r.markerDecisions).toBeGreaterThan(0);
  expect(r.expectedErrors).toBeGreaterThan(0);
  expect(r.publishes).toBeGreaterThan(0);
  expect(r.rollbacks).toBeGreaterThan(0);
  expect(r.seenPublished).toBeGreaterThan(0);
  expect(r.seenRolledBack).toBeGreaterThan(0);
  for (const m of r.memory) expect(m.samples.length).toBeGreaterThan(0);
}

// untilSeen: the load goes on (at most 2 min more) until a publish and a roll back were served, so
// a slow first publish on a busy machine does not fail the slice.
const options = {
  seconds: SECONDS,
  seed: 12,
  clients: 4,
  batchClients: 1,
  publishEveryMs: 1000,
  untilSeen: true,
  track,
} as const;

describe("soak slice", () => {
  it(`file store: ${SECONDS} s of load with publishes and roll backs, 0 errors, 0 incoherent`, {
    timeout: SECONDS * 1000 + 180_000,
  }, async () => {
    const r = await runSoak({ ...options, mode: "file" });
    expect(r.replicas).toBe(1);
    expectHealthy(r);
  });

  describe("two replicas on one PostgreSQL", async () => {
    const pgOk = (await requirePostgres()).ok;
    let pg: TempPostgres | undefined;
    afterAll(async () => {
      await pg?.destroy();
    });
    it.skipIf(!pgOk)(
      `${SECONDS} s across two replicas, 0 errors, 0 incoherent (a replica lagging > 2 s is incoherent)`,
      { timeout: SECONDS * 1000 + 300_000 },
      async () => {
        pg = await startTempPostgres();
        const r = await runSoak({ ...options, mode: "replicas", databaseUrl: await pg.createDatabase() });
        expect(r.replicas).toBe(2);
        expectHealthy(r);
      },
    );
  });
});
