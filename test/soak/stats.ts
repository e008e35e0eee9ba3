/**
 * Figures of a soak run, as pure functions: latency quantiles per window and overall, and whether
 * memory stayed flat — the median of the last third of the run against the median of the middle
 * third (the first third is warm-up: JIT, caches, the authoring worker loading the compiler).
 *
 * Memory threshold: growth above max(MEMORY_MIN_GROWTH_MIB, MEMORY_MAX_GROWTH_RATIO × middle) is a
 * failure. RSS is compared by the median of each third (≥ 3 samples, one every ~10 s). The heap
 * used swings by ~100 MiB between collections under load (a 10-minute run measured 41–142 MiB), so
 * its median is noise; a leak raises the floor the collector comes back to, so the heap is compared
 * by each third's minimum (the live set after the lowest collection seen). 16 MiB is above the
 * run-to-run drift of that floor, and 20 % scales with a bigger process. A leak of ~150 bytes per
 * request at 1,000 requests/s grows 30 MiB between the thirds of a 10-minute run, so it is caught;
 * a run shorter than three samples per third is not judged (said so, never passed silently).
 */

export const MEMORY_MIN_GROWTH_MIB = 16;
export const MEMORY_MAX_GROWTH_RATIO = 0.2;
const MIB = 1024 * 1024;

/** Quantile q (0–1) of an ascending array (nearest rank); NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function summarise(values: readonly number[]): LatencySummary {
  const s = Float64Array.from(values).sort();
  return {
    count: s.length,
    p50: quantile(s as unknown as number[], 0.5),
    p99: quantile(s as unknown as number[], 0.99),
    max: s.length ? (s[s.length - 1] as number) : Number.NaN,
  };
}

export interface MemorySample {
  /** Seconds since the load started. */
  readonly t: number;
  readonly rss: number;
  readonly heap: number;
}

export interface Growth {
  /** The middle third's median (RSS) or minimum (heap), MiB. */
  readonly middleMiB: number;
  /** The same of the last third, MiB. */
  readonly lastMiB: number;
  readonly growthMiB: number;
  /** Growth over the middle third, percent. */
  readonly growthPct: number;
  /** Growth above the threshold. */
  readonly failed: boolean;
}

export type MemoryVerdict =
  | { readonly judged: false; readonly reason: string }
  | { readonly judged: true; readonly rss: Growth; readonly heap: Growth; readonly failed: boolean };

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function growth(middle: readonly number[], last: readonly number[], of: (v: readonly number[]) => number): Growth {
  const a = of(middle);
  const b = of(last);
  const g = b - a;
  return {
    middleMiB: a / MIB,
    lastMiB: b / MIB,
    growthMiB: g / MIB,
    growthPct: a > 0 ? (g / a) * 100 : 0,
    failed: g > Math.max(MEMORY_MIN_GROWTH_MIB * MIB, MEMORY_MAX_GROWTH_RATIO * a),
  };
}

/** Whether one process's memory stayed flat over a run of `durationS` seconds. */
export function memoryVerdict(samples: readonly MemorySample[], durationS: number): MemoryVerdict {
  const middle = samples.filter((s) => s.t >= durationS / 3 && s.t < (2 * durationS) / 3);
  const last = samples.filter((s) => s.t >= (2 * durationS) / 3);
  if (middle.length < 3 || last.length < 3)
    return {
      judged: false,
      reason: `run too short to judge memory (${middle.length}/${last.length} samples in the middle/last third, 3 needed)`,
    };
  const rss = growth(
    middle.map((s) => s.rss),
    last.map((s) => s.rss),
    median,
  );
  const heap = growth(
    middle.map((s) => s.heap),
    last.map((s) => s.heap),
    (v) => Math.min(...v),
  );
  return { judged: true, rss, heap, failed: rss.failed || heap.failed };
}

/** process_resident_memory_bytes and nodejs_heap_size_used_bytes from a Prometheus text page. */
export function memoryFromMetrics(text: string): { rss: number; heap: number } | undefined {
  const value = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, "m").exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const rss = value("process_resident_memory_bytes");
  const heap = value("nodejs_heap_size_used_bytes");
  return rss !== undefined && heap !== undefined ? { rss, heap } : undefined;
}
