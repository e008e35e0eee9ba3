/**
 * Public API of the runtime: `decide(compiled, facts, { explain })` → `{ decision, fired, trace }`.
 * Runtimes (fact validator and engine pool) are built once per compiled rule set and reused.
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import {
  createRuntime,
  type DecideOptions,
  type DecisionResult,
  type Runtime,
  type RuntimeOptions,
} from "./runtime.js";

const runtimes = new WeakMap<CompiledRuleSet, Runtime>();

/** The runtime of a compiled rule set, created on first use (with `options`, if given then). */
export function runtimeOf(compiled: CompiledRuleSet, options?: RuntimeOptions): Runtime {
  let r = runtimes.get(compiled);
  if (!r) {
    r = createRuntime(compiled, options);
    runtimes.set(compiled, r);
  }
  return r;
}

/** Validates the facts, runs the rule set and assembles the decision. Rejects with DecisionError. */
export function decide(
  compiled: CompiledRuleSet,
  facts: unknown,
  options: DecideOptions = {},
): Promise<DecisionResult> {
  return runtimeOf(compiled).decide(facts, options);
}

export {
  createRuntime,
  createEngine,
  type DecideOptions,
  type DecisionResult,
  type Runtime,
  type RuntimeOptions,
  type TraceEntry,
  type TraceCondition,
} from "./runtime.js";
export { DecisionError, isDecisionError, type DecisionErrorCode, type ErrorDetail } from "./errors.js";
