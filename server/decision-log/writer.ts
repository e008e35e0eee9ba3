/**
 * The decision log's writer: the decide routes hand every decision to `record()`, which only
 * pushes it onto a bounded queue (synchronous, O(1), never throws, never waits); past
 * DECISION_LOG_QUEUE entries a decision is dropped and counted instead
 * (`rules_decision_log_dropped_total{reason="queue_full"}`), so a slow or stuck storage never
 * slows or fails a decision. A flusher, off the hot path, takes batches from the queue, masks the
 * personal facts (mask.ts, with the compiled `personalFacts` of the version that decided) and
 * appends them to the storage; a batch the storage refuses is dropped and counted
 * (reason="storage_error", a warning at most once a minute). Retention (age, then size) runs at
 * open and every hour. `close()` writes what is queued, within a time limit, then closes the
 * storage.
 */
import type { DecisionLogConfig } from "../config.js";
import type { DecisionLogDropReason, Increment, Metrics } from "../metrics.js";
import { timeOfId } from "./ids.js";
import { type MaskMode, maskFacts } from "./mask.js";
import type { DecisionEntry, DecisionLogReader, DecisionLogStorage, DecisionRecord, RetentionPolicy } from "./types.js";

export interface DecisionLogLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DecisionLogOptions {
  readonly storage: DecisionLogStorage;
  /** Most decisions waiting to be written (DECISION_LOG_QUEUE). Default 10,000. */
  readonly queueLimit?: number;
  /** Personal facts hashed (default) or dropped (DECISION_LOG_PERSONAL). */
  readonly mode?: MaskMode;
  /** The masking key (DECISION_LOG_KEY); default: the storage's own (`maskingKey()`). */
  readonly key?: Buffer | undefined;
  readonly metrics?: Metrics;
  readonly logger?: DecisionLogLogger;
  /** Milliseconds between two looks at the queue. Default 200. */
  readonly flushEveryMs?: number;
  /** Most records in one append. Default 500. */
  readonly batchSize?: number;
  /** Default: 90 days, 1,024 MiB. */
  readonly retention?: RetentionPolicy;
  /** Milliseconds between two prunes. Default one hour. */
  readonly pruneEveryMs?: number;
  /** Most milliseconds `close()` spends writing what is queued and closing the storage. Default 5,000. */
  readonly closeTimeoutMs?: number;
}

export interface DecisionLogStats {
  readonly queued: number;
  readonly written: number;
  readonly dropped: Readonly<Record<DecisionLogDropReason, number>>;
}

const DAY_MS = 86_400_000;
const MIB = 1_048_576;
/** At most one warning per reason in this many milliseconds. */
const WARN_EVERY_MS = 60_000;

/** A counter that goes nowhere (no metrics given). */
const NO_COUNTER: Increment = { inc() {} };

/** Records masked between two turns of the event loop. */
const MASK_SLICE = 64;

export class DecisionLog implements DecisionLogReader {
  readonly storage: DecisionLogStorage;
  private readonly queueLimit: number;
  private readonly mode: MaskMode;
  private readonly batchSize: number;
  private readonly flushEveryMs: number;
  private readonly pruneEveryMs: number;
  private readonly closeTimeoutMs: number;
  private readonly retention: RetentionPolicy;
  private readonly logger: DecisionLogLogger | undefined;
  private key: Buffer | undefined;
  private queue: DecisionEntry[] = [];
  private opened = false;
  private closing = false;
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** Entries ever queued / entries taken off the queue (written or dropped by the storage). */
  private enqueued = 0;
  private settled = 0;
  private written = 0;
  private readonly dropped: Record<DecisionLogDropReason, number> = { queue_full: 0, storage_error: 0, shutdown: 0 };
  /** Dropped counts already reported in a warning, and when. */
  private readonly warned: Record<DecisionLogDropReason, { count: number; at: number }> = {
    queue_full: { count: 0, at: -Infinity },
    storage_error: { count: 0, at: -Infinity },
    shutdown: { count: 0, at: -Infinity },
  };
  private readonly writtenCounter: Increment;
  private readonly droppedCounters: Record<DecisionLogDropReason, Increment>;

  constructor(options: DecisionLogOptions) {
    this.storage = options.storage;
    this.queueLimit = options.queueLimit ?? 10_000;
    this.mode = options.mode ?? "hash";
    this.key = options.key;
    this.batchSize = options.batchSize ?? 500;
    this.flushEveryMs = options.flushEveryMs ?? 200;
    this.pruneEveryMs = options.pruneEveryMs ?? 3_600_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.retention = options.retention ?? { maxAgeMs: 90 * DAY_MS, maxBytes: 1024 * MIB };
    this.logger = options.logger;
    const series = options.metrics?.decisionLog;
    this.writtenCounter = series?.written ?? NO_COUNTER;
    const dropped = (reason: DecisionLogDropReason) => {
      const c = series?.dropped(reason) ?? NO_COUNTER;
      // Every reason shows in /metrics from the start (at 0), so alerts on a rate see it.
      c.inc(0);
      return c;
    };
    this.droppedCounters = {
      queue_full: dropped("queue_full"),
      storage_error: dropped("storage_error"),
      shutdown: dropped("shutdown"),
    };
    series?.watchQueue(() => this.queue.length);
  }

  /**
   * Opens the storage, reads the masking key, applies the retention policy once and starts the
   * flusher and the hourly prune. Decisions recorded before wait in the queue.
   */
  async open(): Promise<void> {
    if (this.opened) return;
    await this.storage.open();
    this.key ??= await this.storage.maskingKey();
    this.opened = true;
    await this.prune();
    this.flushTimer = setInterval(() => this.tick(), this.flushEveryMs);
    this.flushTimer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), this.pruneEveryMs);
    this.pruneTimer.unref();
    this.tick();
  }

  /** Queues a decision; drops it (counted) when the queue is full or the log is closing. Never throws. */
  record(entry: DecisionEntry): void {
    try {
      if (this.closing) this.drop("shutdown", 1);
      else if (this.queue.length >= this.queueLimit) this.drop("queue_full", 1);
      else {
        this.queue.push(entry);
        this.enqueued++;
      }
    } catch {
      // Nothing the log does may reach a decision.
    }
  }

  /** Writes what is queued now (and waits for it); resolves at once before `open()`. */
  async flush(): Promise<void> {
    const target = this.enqueued;
    while (this.opened && this.settled < target && (this.queue.length > 0 || this.flushing)) await this.drain();
  }

  /**
   * Stops taking decisions, writes what is queued (at most `closeTimeoutMs`; what is left is
   * dropped, reason="shutdown") and closes the storage.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    const deadline = Date.now() + this.closeTimeoutMs;
    const inTime = <T>(work: Promise<T>) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()));
      });
      return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
    };
    if ((await inTime(this.flush().then(() => "done" as const))) === "timeout") {
      this.logger?.warn(
        { queued: this.queue.length, closeTimeoutMs: this.closeTimeoutMs },
        "decision log: the storage did not take the queued decisions in time; they are dropped",
      );
    }
    const left = this.queue.length;
    this.queue = [];
    this.settled += left;
    this.drop("shutdown", left);
    const closed = await inTime(
      this.storage.close().then(
        () => "done" as const,
        (e: unknown) => {
          this.logger?.warn({ err: e }, "decision log: closing the storage failed");
          return "done" as const;
        },
      ),
    );
    if (closed === "timeout") this.logger?.warn({}, "decision log: the storage did not close in time");
  }

  stats(): DecisionLogStats {
    return { queued: this.queue.length, written: this.written, dropped: { ...this.dropped } };
  }

  private drop(reason: DecisionLogDropReason, count: number): void {
    if (count <= 0) return;
    this.dropped[reason] += count;
    this.droppedCounters[reason].inc(count);
  }

  private tick(): void {
    if (this.queue.length > 0) void this.drain();
    this.warnDropped("queue_full", "decision log: queue full (DECISION_LOG_QUEUE): decisions not recorded");
  }

  /** A warning when `reason` dropped decisions since the last one, at most once a minute. */
  private warnDropped(reason: DecisionLogDropReason, message: string, extra: object = {}): void {
    const w = this.warned[reason];
    const count = this.dropped[reason];
    if (count === w.count) return;
    const now = Date.now();
    if (now - w.at < WARN_EVERY_MS) return;
    this.logger?.warn({ ...extra, dropped: count - w.count, droppedTotal: count }, message);
    w.count = count;
    w.at = now;
  }

  /** Writes batches until the queue is empty; one drain at a time. */
  private drain(): Promise<void> {
    if (this.flushing) return this.flushing;
    const run = async () => {
      while (this.queue.length > 0 && this.key) {
        const batch = this.queue.length <= this.batchSize ? this.queue.splice(0) : this.queue.splice(0, this.batchSize);
        await this.write(batch, this.key);
      }
    };
    this.flushing = run().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(batch: readonly DecisionEntry[], key: Buffer): Promise<void> {
    try {
      // Masking costs ~10 µs per personal value: a batch of 500 is masked in slices, with the
      // decisions waiting on the event loop let in between.
      const records: DecisionRecord[] = [];
      for (let i = 0; i < batch.length; i++) {
        if (i > 0 && i % MASK_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
        records.push(this.toRecord(batch[i]!, key));
      }
      await this.storage.append(records);
      this.written += records.length;
      this.writtenCounter.inc(records.length);
    } catch (e) {
      // The batch is lost (the log is best effort and bounded); the decisions were answered.
      this.drop("storage_error", batch.length);
      this.warnDropped("storage_error", "decision log: the storage refused a batch: decisions not recorded", {
        err: e,
        storage: this.storage.kind,
      });
    } finally {
      this.settled += batch.length;
    }
  }

  /** The stored form: personal facts masked; `at` is the id's time (ids and times sort alike). */
  private toRecord(entry: DecisionEntry, key: Buffer): DecisionRecord {
    const raw = entry.facts;
    const plain = raw !== null && typeof raw === "object" && !Array.isArray(raw);
    const { facts, masked } =
      plain && entry.personalFacts.length > 0
        ? maskFacts(raw as Record<string, unknown>, entry.personalFacts, key, this.mode)
        : { facts: (plain ? raw : {}) as Record<string, unknown>, masked: [] };
    return {
      id: entry.id,
      at: new Date(timeOfId(entry.id) ?? Date.now()).toISOString(),
      ruleset: entry.ruleset,
      version: entry.version,
      hash: entry.hash,
      source: entry.source,
      ...(entry.requestId !== undefined ? { requestId: entry.requestId } : {}),
      ...(entry.asOf !== undefined ? { asOf: entry.asOf } : {}),
      ...(entry.versionReason !== undefined ? { versionReason: entry.versionReason } : {}),
      facts,
      masked,
      decision: entry.decision,
      fired: entry.fired,
      firedRefs: entry.firedRefs,
    };
  }

  private async prune(): Promise<void> {
    try {
      const result = await this.storage.prune(this.retention);
      if (result.removed > 0)
        this.logger?.info({ removed: result.removed, bytes: result.bytes }, "decision log: retention applied");
    } catch (e) {
      this.logger?.warn({ err: e }, "decision log: retention failed (tried again in an hour)");
    }
  }
}

/**
 * The service's decision log from its configuration (DECISION_LOG_*), on `storage`; undefined
 * when DECISION_LOG=off. Call `open()` before serving and `close()` at shutdown (it closes the
 * storage). Pass the app's `metrics` (the same object given to buildApp) for the counters.
 */
export function decisionLogFromConfig(
  config: DecisionLogConfig,
  storage: DecisionLogStorage,
  deps: { readonly metrics?: Metrics; readonly logger?: DecisionLogLogger } = {},
): DecisionLog | undefined {
  if (!config.enabled) return undefined;
  return new DecisionLog({
    storage,
    queueLimit: config.queue,
    mode: config.personal,
    key: config.key,
    retention: { maxAgeMs: config.retentionDays * DAY_MS, maxBytes: config.maxMb * MIB },
    ...deps,
  });
}
