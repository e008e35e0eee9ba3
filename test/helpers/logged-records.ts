/**
 * Logged decisions for the replay tests: decide facts with a published rule set and keep what the
 * service's decision log keeps (a `DecisionRecord`: time-ordered UUIDv7 id, version, hash, masked
 * personal facts, decision, fired names and refs). Masking mirrors the log's: every personal fact
 * path (`cpf`, `lista.*.nome`) holding a non-blank value becomes `pii:` + 32 hex of HMAC-SHA-256.
 * Synthetic data only.
 */
import { createHmac } from "node:crypto";
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import type { Runtime } from "../../engine/runtime.js";
import { MASK_PREFIX, type DecisionRecord } from "../../server/decision-log/types.js";

const KEY = Buffer.from("replay-test-key-not-a-secret");

/** A UUIDv7 text for instant `ms` and sequence `seq` (sorting ids sorts by time, then seq). */
export function uuidV7(ms: number, seq: number): string {
  const t = ms.toString(16).padStart(12, "0");
  const s = seq.toString(16).padStart(15, "0");
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${s.slice(0, 3)}-8${s.slice(3, 6)}-${s.slice(6, 15).padEnd(12, "0")}`;
}

function maskValue(v: unknown): unknown {
  if (v === null || v === "" || v === undefined) return v;
  return MASK_PREFIX + createHmac("sha256", KEY).update(JSON.stringify(v)).digest("hex").slice(0, 32);
}

/** Masks `path` (dot separated, `*` = every item/value) in `facts`, in place; the concrete paths masked. */
function maskPath(target: unknown, parts: readonly string[], prefix: string, masked: string[]): void {
  if (target === null || typeof target !== "object") return;
  const [head, ...rest] = parts;
  if (head === undefined) return;
  const o = target as Record<string, unknown>;
  const keys = head === "*" ? Object.keys(o) : Object.hasOwn(o, head) ? [head] : [];
  for (const k of keys) {
    const path = prefix ? `${prefix}.${head === "*" ? "*" : k}` : k;
    if (rest.length === 0) {
      const before = o[k];
      o[k] = maskValue(before);
      if (o[k] !== before && !masked.includes(path)) masked.push(path);
    } else maskPath(o[k], rest, path, masked);
  }
}

export function maskFacts(
  compiled: CompiledRuleSet,
  facts: Record<string, unknown>,
): { facts: Record<string, unknown>; masked: string[] } {
  const copy = structuredClone(facts);
  const masked: string[] = [];
  for (const p of compiled.personalFacts) maskPath(copy, p.split("."), "", masked);
  return { facts: copy, masked };
}

export interface LogOptions {
  readonly version?: number;
  /** Instant of the first record (epoch ms); each next one is a second later. */
  readonly start?: number;
  readonly hash?: string;
}

/** Decides each fact set with `runtime` and returns the records the log would hold, in time order. */
export async function logDecisions(
  runtime: Runtime,
  factSets: readonly Record<string, unknown>[],
  options: LogOptions = {},
): Promise<DecisionRecord[]> {
  const start = options.start ?? Date.parse("2026-03-02T12:00:00Z");
  const out: DecisionRecord[] = [];
  for (const [i, facts] of factSets.entries()) {
    const r = await runtime.decide(facts);
    const at = start + i * 1000;
    const { facts: logged, masked } = maskFacts(runtime.compiled, facts);
    out.push({
      id: uuidV7(at, i),
      at: new Date(at).toISOString(),
      ruleset: runtime.compiled.name,
      version: options.version ?? 1,
      hash: options.hash ?? "0".repeat(64),
      source: "decide",
      facts: logged,
      masked,
      decision: r.decision,
      fired: r.fired,
      firedRefs: r.firedRefs,
    });
  }
  return out;
}
