/**
 * One differential comparison: the same facts decided by the engine as the service runs it
 * (`compileSource` → `runtimeOf(compiled).decide`, the optimised runtime) and by the reference
 * interpreter (tester/reference/, over the rule-set model). They agree when
 *
 * - both decide: the decisions are deep-equal after a JSON round trip, and `fired` (names) and
 *   `firedRefs` (stable refs) are equal, in order; or
 * - both refuse the facts (engine INVALID_FACTS, reference "refused"): only "refused or not" is
 *   compared, not the details; or
 * - both find a rule-set defect (engine RULESET_DEFECT, reference "defect"): the class only.
 *
 * Anything else (one decides and the other fails, different classes, or the engine throwing
 * something that is not a DecisionError) is a disagreement. With `explain`, the engine decides as
 * the service does for `explain: true` (the straightforward engine: every table row and rule run as
 * compiled, no table index, no rule pre-selection).
 */
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import type { RuleSetModel } from "../../dsl/ruleset/model.js";
import { isDecisionError } from "../../engine/errors.js";
import { runtimeOf } from "../../engine/index.js";
import { type ReferenceOptions, referenceDecide } from "../../tester/reference/interpreter.js";

/** What one side produced, in comparable form. */
export type Side =
  | {
      readonly kind: "decision";
      readonly decision: unknown;
      readonly fired: readonly string[];
      readonly firedRefs: readonly string[];
    }
  | { readonly kind: "refused" }
  | { readonly kind: "defect"; readonly message: string }
  | { readonly kind: "crash"; readonly message: string };

export interface Comparison {
  readonly agree: boolean;
  readonly engine: Side;
  readonly reference: Side;
}

/** A JSON round trip (what the service would send). */
function roundTrip(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v));
}

/** The engine's side; `explain` runs the path the service takes for `explain: true` (every row and rule as compiled). */
export async function engineSide(compiled: CompiledRuleSet, facts: unknown, explain = false): Promise<Side> {
  try {
    const r = await runtimeOf(compiled).decide(facts, { explain });
    return { kind: "decision", decision: roundTrip(r.decision), fired: [...r.fired], firedRefs: [...r.firedRefs] };
  } catch (e) {
    if (isDecisionError(e))
      return e.code === "INVALID_FACTS" ? { kind: "refused" } : { kind: "defect", message: e.message };
    return { kind: "crash", message: e instanceof Error ? e.message : String(e) };
  }
}

export function referenceSide(model: RuleSetModel, facts: unknown, options: ReferenceOptions = {}): Side {
  try {
    const r = referenceDecide(model, facts, options);
    switch (r.kind) {
      case "decision":
        return { kind: "decision", decision: roundTrip(r.decision), fired: r.fired, firedRefs: r.firedRefs };
      case "refused":
        return { kind: "refused" };
      case "defect":
        return { kind: "defect", message: r.reason };
    }
  } catch (e) {
    return { kind: "crash", message: e instanceof Error ? e.message : String(e) };
  }
}

/** Deep equality of JSON data (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

export function sidesAgree(a: Side, b: Side): boolean {
  if (a.kind === "crash" || b.kind === "crash") return false;
  if (a.kind !== b.kind) return false;
  if (a.kind === "decision" && b.kind === "decision")
    return jsonEqual(a.decision, b.decision) && jsonEqual(a.fired, b.fired) && jsonEqual(a.firedRefs, b.firedRefs);
  return true;
}

export async function compare(
  model: RuleSetModel,
  compiled: CompiledRuleSet,
  facts: unknown,
  options: ReferenceOptions & { readonly explain?: boolean } = {},
): Promise<Comparison> {
  const engine = await engineSide(compiled, facts, options.explain === true);
  const reference = referenceSide(model, facts, options);
  return { agree: sidesAgree(engine, reference), engine, reference };
}
