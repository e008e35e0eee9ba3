/**
 * Runs one chunk of a fuzz target in the current thread: `numRuns` inputs from the target's
 * arbitrary with a seed (fast-check's `check`, so a failing input is shrunk), counting every
 * outcome. The first crash / unrunnable input of a chunk ends it; fast-check then shrinks it
 * (within SHRINK_BUDGET_MS) and the caller runs the rest of the inputs as a new chunk. Inputs over
 * SLOW_MS are returned as slow candidates: the caller re-runs them alone before counting a hang
 * (the machine may be loaded). Used by the worker threads of `npm run fuzz` (test/fuzz/worker.ts)
 * and, in-process, by the CI slice (test/fuzz.test.ts).
 */
import fc from "fast-check";
import { OUTCOME_KINDS, type Outcome, type OutcomeKind, type Target, TARGETS, type TargetName } from "./targets.js";

/** An input slower than this is a hang candidate. */
export const SLOW_MS = 1000;
/** Time given to shrinking one failing input. */
export const SHRINK_BUDGET_MS = 20_000;

export type Counts = Record<OutcomeKind | "hang" | "rejection", number>;

export function emptyCounts(): Counts {
  return { ok: 0, diagnostic: 0, defect: 0, crash: 0, unrunnable: 0, hang: 0, rejection: 0 };
}

export function addCounts(into: Counts, from: Counts): void {
  for (const k of Object.keys(into) as (keyof Counts)[]) into[k] += from[k];
}

export function total(c: Counts): number {
  return OUTCOME_KINDS.reduce((s, k) => s + c[k], 0) + c.hang;
}

export interface Finding {
  readonly target: TargetName;
  readonly kind: "crash" | "unrunnable" | "hang" | "rejection";
  readonly detail: string;
  /** The input as JSON (shrunk when fast-check could). */
  readonly input: unknown;
  /** The input's text to look at (source, expression, facts). */
  readonly repro: string;
  readonly seed: number;
  readonly ms?: number;
}

export interface SlowInput {
  readonly target: TargetName;
  readonly input: unknown;
  readonly ms: number;
  readonly seed: number;
}

export interface ChunkResult {
  readonly target: TargetName;
  readonly counts: Counts;
  /** Inputs counted (may be fewer than asked when a failure ended the chunk). */
  readonly ran: number;
  readonly findings: Finding[];
  readonly slow: SlowInput[];
}

export interface ChunkHooks {
  /** Called before each input (the worker publishes it for the watchdog). */
  readonly before?: (input: unknown) => void;
  /** Called after each input. */
  readonly after?: () => void;
}

/** Runs a target on one input, timing it; never throws. */
export async function runOne(target: Target, input: unknown): Promise<{ outcome: Outcome; ms: number }> {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    outcome = await target.run(input);
  } catch (e) {
    outcome = { kind: "crash", detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  return { outcome, ms: performance.now() - t0 };
}

function safeRepro(target: Target, input: unknown): string {
  try {
    return target.repro(input);
  } catch (e) {
    return `(repro failed: ${String(e)})`;
  }
}

/** Runs `numRuns` inputs of `name` with `seed`. */
export async function runChunk(
  name: TargetName,
  seed: number,
  numRuns: number,
  hooks: ChunkHooks = {},
): Promise<ChunkResult> {
  const target = TARGETS[name];
  const counts = emptyCounts();
  const slow: SlowInput[] = [];
  let failing: { input: unknown; outcome: Outcome } | undefined;
  let shrinkStart = 0;
  let ran = 0;

  const body = async (input: unknown): Promise<boolean> => {
    if (failing && performance.now() - shrinkStart > SHRINK_BUDGET_MS) return true;
    hooks.before?.(input);
    const { outcome, ms } = await runOne(target, input);
    hooks.after?.();
    if (!failing) {
      ran++;
      counts[outcome.kind]++;
      if (ms > SLOW_MS) slow.push({ target: name, input, ms, seed });
    }
    if (outcome.kind === "crash" || outcome.kind === "unrunnable") {
      if (!failing) shrinkStart = performance.now();
      failing = { input, outcome };
      return false;
    }
    return true;
  };

  const details = await fc.check(
    fc.asyncProperty(target.arb, (input) => body(input)),
    { seed, numRuns },
  );
  const findings: Finding[] = [];
  const first = failing as { input: unknown; outcome: Outcome } | undefined;
  if (details.failed && first) {
    const shrunk = details.counterexample ? details.counterexample[0] : first.input;
    const again = (await runOne(target, shrunk)).outcome;
    const [input, outcome] =
      again.kind === "crash" || again.kind === "unrunnable" ? [shrunk, again] : [first.input, first.outcome];
    findings.push({
      target: name,
      kind: outcome.kind as "crash" | "unrunnable",
      detail: outcome.detail ?? "",
      input,
      repro: safeRepro(target, input),
      seed,
    });
  } else if (details.failed && details.errorInstance) {
    // fast-check itself failed (a generator threw): a crash of the harness, reported as such.
    findings.push({
      target: name,
      kind: "crash",
      detail: `harness: ${String(details.errorInstance)}`,
      input: null,
      repro: "",
      seed,
    });
    counts.crash++;
  }
  return { target: name, counts, ran, findings, slow };
}

/** Re-runs a slow candidate alone `times` times; a hang when every run is still over SLOW_MS. */
export async function confirmSlow(candidate: SlowInput, times = 2): Promise<Finding | undefined> {
  const target = TARGETS[candidate.target];
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i++) {
    const { ms } = await runOne(target, candidate.input);
    fastest = Math.min(fastest, ms);
    if (ms <= SLOW_MS) return undefined;
  }
  return {
    target: candidate.target,
    kind: "hang",
    detail: `over ${SLOW_MS} ms alone (fastest of ${times}: ${Math.round(fastest)} ms)`,
    input: candidate.input,
    repro: safeRepro(target, candidate.input),
    seed: candidate.seed,
    ms: fastest,
  };
}
