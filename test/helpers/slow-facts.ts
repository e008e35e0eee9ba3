/**
 * Injects latency into json-rules-engine's fact resolution without touching engine/ code: a spy on
 * `Almanac.prototype.factValue` (every engine, ours included, resolves facts through it) that
 * delays the chosen facts by a random 0..maxDelayMs before resolving them normally. This turns our
 * computed facts (`$expr`, `$decision`, `$table`) into "slow async facts", which is what makes
 * overlapping `run()` calls on a shared engine cut each other short (HAZARDS 1).
 */
import { Almanac } from "json-rules-engine";
import { vi } from "vitest";

type FactValue = (this: Almanac, factId: string, params?: Record<string, unknown>, path?: string) => Promise<unknown>;

export interface SlowFacts {
  /** Calls that were delayed, and the most delayed calls in flight at once (> 1 proves overlap). */
  stats(): { calls: number; maxInFlight: number };
  restore(): void;
}

export function injectSlowFacts(factIds: readonly string[], maxDelayMs = 2): SlowFacts {
  const proto = Almanac.prototype as unknown as { factValue: FactValue };
  const original = proto.factValue;
  const ids = new Set(factIds);
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const spy = vi.spyOn(proto, "factValue").mockImplementation(async function (this: Almanac, factId, params, path) {
    if (!ids.has(factId)) return original.call(this, factId, params, path);
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * (maxDelayMs + 1))));
      return await original.call(this, factId, params, path);
    } finally {
      inFlight--;
    }
  });
  return {
    stats: () => ({ calls, maxInFlight }),
    restore: () => spy.mockRestore(),
  };
}

/** Promise that resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
