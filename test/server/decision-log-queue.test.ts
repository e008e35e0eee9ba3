/**
 * A full or failing decision log never slows or fails a decision (issue 13): with a storage whose
 * append never resolves and a queue of 10, 500 decisions (single and batch) are all answered 200
 * with their decisionIds and the overflow is counted in /metrics; with a storage that throws, the
 * decisions are answered and the lost records are counted as storage errors. Outcomes and counts
 * are asserted, never durations.
 */
import { describe, expect, it, vi } from "vitest";
import { createMemoryDecisionStorage } from "../../server/decision-log/memory-storage.js";
import type { DecisionLogStorage, DecisionRecord } from "../../server/decision-log/types.js";
import { call, closeAfterEach, json, reclameFacts, startSeeded, type TestApp } from "./helpers.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const keep = closeAfterEach();
const RECLAME = "reclame-designacao";
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A storage whose appends never settle (a database that hangs); counts the records handed to it. */
function hangingStorage(): DecisionLogStorage & { handed: number } {
  const inner = createMemoryDecisionStorage();
  const s = {
    ...inner,
    handed: 0,
    append(records: readonly DecisionRecord[]) {
      s.handed += records.length;
      return new Promise<void>(() => {});
    },
  };
  return s;
}

async function metric(t: TestApp, line: RegExp): Promise<number> {
  const text = (await call(t.app, { url: "/metrics" })).body;
  const m = line.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

describe("a stuck storage and a full queue", () => {
  it("500 decisions are all answered 200 with decisionIds; the overflow is dropped and counted in /metrics", async () => {
    const storage = hangingStorage();
    const t = keep(await startSeeded([RECLAME], { decisionLog: { storage, queueLimit: 10, closeTimeoutMs: 200 } }));
    // A first decision takes the writer into the append that never returns: from then on it is stuck.
    expect((await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } })).statusCode).toBe(200);
    await expect.poll(() => storage.handed, { timeout: 10_000 }).toBe(1);
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } });
      expect(res.statusCode).toBe(200);
      ids.push(json(res).decisionId);
    }
    const batch = await call(t.app, {
      url: `/v1/decide/${RECLAME}/batch`,
      body: { items: Array.from({ length: 200 }, () => ({ facts: reclameFacts() })) },
    });
    expect(batch.statusCode).toBe(200);
    for (const r of json(batch).results) ids.push(r.decisionId);
    expect(ids).toHaveLength(500);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(500);

    // The queue holds 10; every other decision was dropped (counted), none was waited for.
    const stats = t.decisionLog!.stats();
    expect(stats.queued).toBe(10);
    expect(storage.handed).toBe(1);
    expect(stats.written).toBe(0);
    expect(stats.dropped.queue_full).toBe(490);
    expect(await metric(t, /^rules_decision_log_dropped_total\{reason="queue_full"\} (\d+)$/m)).toBe(
      stats.dropped.queue_full,
    );
    expect(await metric(t, /^rules_decision_log_queue_depth (\d+)$/m)).toBe(10);
    // Decisions keep being answered while it stays stuck.
    expect((await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } })).statusCode).toBe(200);
    // Closing does not hang on it (close is bounded); what was queued is counted as dropped.
    const log = t.decisionLog!;
    await t.close();
    expect(log.stats().dropped.shutdown).toBe(10);
  });
});

describe("a storage that throws", () => {
  it("decisions are answered 200; the lost records are counted as storage_error; the log recovers with the storage", async () => {
    const inner = createMemoryDecisionStorage();
    let failing = true;
    const storage: DecisionLogStorage = {
      ...inner,
      async append(records) {
        if (failing) throw new Error("ENOSPC: no space left on device");
        return inner.append(records);
      },
    };
    const t = keep(await startSeeded([RECLAME], { decisionLog: { storage } }));
    for (let i = 0; i < 20; i++)
      expect((await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } })).statusCode).toBe(
        200,
      );
    const batch = await call(t.app, {
      url: `/v1/decide/${RECLAME}/batch`,
      body: { items: Array.from({ length: 30 }, () => ({ facts: reclameFacts() })) },
    });
    expect(batch.statusCode).toBe(200);
    await t.decisionLog!.flush();
    expect(t.decisionLog!.stats().dropped.storage_error).toBe(50);
    expect(await metric(t, /^rules_decision_log_dropped_total\{reason="storage_error"\} (\d+)$/m)).toBe(50);
    // Only appends fail here: the routes still read what the storage holds (nothing yet).
    const read = await call(t.app, { url: "/v1/decisions" });
    expect(json(read).items).toEqual([]);

    failing = false;
    const ok = json(await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } }));
    await t.decisionLog!.flush();
    expect((await inner.get(ok.decisionId))?.id).toBe(ok.decisionId);
    expect(await metric(t, /^rules_decision_log_written_total (\d+)$/m)).toBe(1);
  });

  it("a storage that cannot be read answers 503 DECISION_LOG_UNAVAILABLE on the routes", async () => {
    const inner = createMemoryDecisionStorage();
    const storage: DecisionLogStorage = {
      ...inner,
      query: () => Promise.reject(new Error("connection refused")),
      get: () => Promise.reject(new Error("connection refused")),
    };
    const t = keep(await startSeeded([RECLAME], { decisionLog: { storage } }));
    const { decisionId } = json(await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } }));
    const list = await call(t.app, { url: "/v1/decisions" });
    expect(list.statusCode).toBe(503);
    expect(json(list).error.code).toBe("DECISION_LOG_UNAVAILABLE");
    expect(list.body).not.toContain("connection refused");
    const one = await call(t.app, { url: `/v1/decisions/${decisionId}` });
    expect(json(one).error.code).toBe("DECISION_LOG_UNAVAILABLE");
  });
});
