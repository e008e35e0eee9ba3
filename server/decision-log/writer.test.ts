/**
 * The decision log's writer (writer.ts): bounded queue, masking off the hot path, storage failures
 * counted and never thrown, retention at open, bounded close.
 */
import { describe, expect, it } from "vitest";
import { createMetrics } from "../metrics.js";
import { newDecisionId, timeOfId } from "./ids.js";
import { maskValue } from "./mask.js";
import { createMemoryDecisionStorage } from "./memory-storage.js";
import type { DecisionEntry, DecisionLogStorage, DecisionRecord } from "./types.js";
import { DecisionLog } from "./writer.js";

const KEY = Buffer.alloc(32, 3);

function entry(facts: Record<string, unknown> = { cpf: "271.828.182-05", valor: 1 }): DecisionEntry {
  return {
    id: newDecisionId(),
    ruleset: "mini",
    version: 2,
    hash: "ab".repeat(32),
    personalFacts: ["cpf"],
    source: "decide",
    requestId: "req-1",
    facts,
    decision: { faixa: "ALTA" },
    fired: ["faixa alta"],
    firedRefs: ["r:0"],
  };
}

async function all(storage: DecisionLogStorage): Promise<DecisionRecord[]> {
  return [...(await storage.query({ order: "asc", limit: 1000 })).items];
}

/** A storage whose appends never settle (a database that hangs). */
function hangingStorage(): DecisionLogStorage & { appends: number } {
  const inner = createMemoryDecisionStorage({ key: KEY });
  const s = {
    ...inner,
    appends: 0,
    append: () => {
      s.appends++;
      return new Promise<void>(() => {});
    },
  };
  return s;
}

function logSink() {
  const warnings: string[] = [];
  return { warnings, logger: { info() {}, warn: (_o: object, msg: string) => warnings.push(msg) } };
}

describe("DecisionLog", () => {
  it("writes each recorded decision masked, with the id's time as `at`; the entry's facts stay as they were", async () => {
    const storage = createMemoryDecisionStorage();
    const log = new DecisionLog({ storage, key: KEY, flushEveryMs: 10_000 });
    const early = entry();
    log.record(early); // before open: waits in the queue
    await log.open();
    const e = entry({ cpf: "161.803.398-05", valor: 2, extra: null });
    log.record(e);
    await log.flush();
    const records = await all(storage);
    expect(records.map((r) => r.id)).toEqual([early.id, e.id]);
    const r = records[1]!;
    expect(r).toEqual({
      id: e.id,
      at: new Date(timeOfId(e.id)!).toISOString(),
      ruleset: "mini",
      version: 2,
      hash: "ab".repeat(32),
      source: "decide",
      requestId: "req-1",
      facts: { cpf: maskValue("161.803.398-05", KEY), valor: 2, extra: null },
      masked: ["cpf"],
      decision: { faixa: "ALTA" },
      fired: ["faixa alta"],
      firedRefs: ["r:0"],
    });
    expect(e.facts).toEqual({ cpf: "161.803.398-05", valor: 2, extra: null });
    expect(log.stats()).toEqual({ queued: 0, written: 2, dropped: { queue_full: 0, storage_error: 0, shutdown: 0 } });
    await log.close();
  });

  it("without a key of its own, masks with the storage's key; drop mode leaves personal facts out", async () => {
    const storage = createMemoryDecisionStorage({ key: Buffer.alloc(32, 9) });
    const hashed = new DecisionLog({ storage, flushEveryMs: 10_000 });
    await hashed.open();
    hashed.record(entry());
    await hashed.flush();
    expect((await all(storage))[0]!.facts.cpf).toBe(maskValue("271.828.182-05", Buffer.alloc(32, 9)));

    const dropStorage = createMemoryDecisionStorage();
    const dropped = new DecisionLog({ storage: dropStorage, mode: "drop", flushEveryMs: 10_000 });
    await dropped.open();
    dropped.record(entry());
    await dropped.flush();
    const [r] = await all(dropStorage);
    expect(r!.facts).toEqual({ valor: 1 });
    expect(r!.masked).toEqual(["cpf"]);
    await hashed.close();
    await dropped.close();
  });

  it("a full queue drops new decisions (counted, in /metrics) and record() returns at once; close is bounded", async () => {
    const storage = hangingStorage();
    const metrics = createMetrics();
    const { warnings, logger } = logSink();
    const log = new DecisionLog({
      storage,
      key: KEY,
      queueLimit: 10,
      batchSize: 4,
      metrics,
      logger,
      flushEveryMs: 5,
      closeTimeoutMs: 200,
    });
    await log.open();
    for (let i = 0; i < 500; i++) log.record(entry());
    // The flusher takes one batch of 4 into the hanging append and waits there for good.
    await expect.poll(() => storage.appends, { timeout: 10_000 }).toBe(1);
    const stats = log.stats();
    expect(stats.queued).toBe(6);
    expect(stats.dropped.queue_full).toBeGreaterThanOrEqual(490);
    expect(stats.written).toBe(0);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`rules_decision_log_dropped_total{reason="queue_full"} ${stats.dropped.queue_full}`);
    expect(text).toMatch(/rules_decision_log_queue_depth \d+/);
    expect(warnings.some((w) => w.includes("queue full"))).toBe(true);
    const closing = log.close();
    await closing;
    expect(log.stats().queued).toBe(0);
    expect(log.stats().dropped.shutdown).toBeGreaterThan(0);
    // After close, decisions are dropped as "shutdown", never thrown.
    expect(() => log.record(entry())).not.toThrow();
  });

  it("a storage that throws loses that batch (storage_error, one warning) and the next batches go through", async () => {
    const inner = createMemoryDecisionStorage({ key: KEY });
    let failing = true;
    const storage: DecisionLogStorage = {
      ...inner,
      append: async (records) => {
        if (failing) throw new Error("disk on fire");
        return inner.append(records);
      },
    };
    const metrics = createMetrics();
    const { warnings, logger } = logSink();
    const log = new DecisionLog({ storage, key: KEY, metrics, logger, flushEveryMs: 10_000, batchSize: 2 });
    await log.open();
    for (let i = 0; i < 5; i++) log.record(entry());
    await log.flush();
    expect(log.stats().dropped.storage_error).toBe(5);
    expect(warnings.filter((w) => w.includes("refused a batch"))).toHaveLength(1);
    expect(await metrics.registry.metrics()).toContain('rules_decision_log_dropped_total{reason="storage_error"} 5');
    failing = false;
    const ok = entry();
    log.record(ok);
    await log.flush();
    expect((await all(inner)).map((r) => r.id)).toEqual([ok.id]);
    expect(await metrics.registry.metrics()).toContain("rules_decision_log_written_total 1");
    await log.close();
  });

  it("applies retention at open (age, then size) and keeps going when pruning fails", async () => {
    const storage = createMemoryDecisionStorage({ key: KEY });
    // Ids made by this process only go forward: an old one is written by hand.
    const t = (Date.now() - 10 * 86_400_000).toString(16).padStart(12, "0");
    const old = { ...entry(), id: `${t.slice(0, 8)}-${t.slice(8)}-7000-8000-000000000001` };
    const seed = new DecisionLog({ storage, flushEveryMs: 10_000, retention: { maxAgeMs: 1e12, maxBytes: 1e12 } });
    await seed.open();
    seed.record(old);
    seed.record(entry());
    await seed.flush();
    expect(await all(storage)).toHaveLength(2);
    const pruned = new DecisionLog({
      storage,
      flushEveryMs: 10_000,
      retention: { maxAgeMs: 86_400_000, maxBytes: 1e12 },
    });
    await pruned.open();
    expect((await all(storage)).map((r) => r.id)).not.toContain(old.id);
    expect(await all(storage)).toHaveLength(1);

    const { warnings, logger } = logSink();
    const broken = new DecisionLog({
      storage: { ...storage, prune: () => Promise.reject(new Error("no")) },
      logger,
      flushEveryMs: 10_000,
    });
    await broken.open();
    expect(warnings.some((w) => w.includes("retention failed"))).toBe(true);
  });
});
