/**
 * Rule pre-selection: before a run, the rules that cannot fire for these facts are set aside, and
 * json-rules-engine runs only the others (an engine holding just those rules, cached by the set).
 *
 * A rule is set aside only on proof: its condition requires (under `all`, or through `not not`)
 * a comparison of an input fact with a constant (not with another fact, `{ fact: ... }`) — `pedido.canal == "A"`,
 * `pedido.destino != "B"`, `valor is null` — and that comparison is false for these facts. The comparison is computed exactly as json-rules-engine would compute that condition: the
 * same operator function (`operators.ts`), the same fact value and path resolution (`pool.ts`'s
 * `RunAlmanac`). Everything else (`any`, computed facts, `decision.x`, tables) is left to
 * json-rules-engine, which still evaluates every condition of every rule it runs.
 *
 * Why the decision cannot change: a rule set aside would have failed (a condition of its `all` is
 * false, and input facts never change during a run); conditions have no side effects (the language
 * is total; computed facts only memoise); rules run in priority order one priority at a time, so
 * removing a failing rule changes neither the order of the others' events nor what `stop` halts.
 * The explain trace (which reports the rules that did not fire) runs every rule.
 */
import type { CompiledRuleSet, Condition, EngineRule } from "../dsl/compile/compiled.js";
import type { Value } from "../dsl/values.js";
import { operatorDefinitions, pathResolver } from "./operators.js";
import { engineRules } from "./pool.js";
import { buildTableIndexes } from "./table-index.js";

/** A comparison of an input fact with a constant that a rule's condition requires (or forbids). */
interface Gate {
  readonly fact: string;
  readonly path?: string;
  readonly test: (a: unknown, b: unknown) => boolean;
  readonly value: unknown;
  /** The rule requires the comparison to be false (`not`). */
  readonly negated: boolean;
}

export interface RuleFilter {
  /** Per engine rule (same order as the rules given), its gates; empty when nothing is provable. */
  readonly gates: readonly (readonly Gate[])[];
  /** Whether any rule has a gate at all (otherwise filtering is pointless). */
  readonly useful: boolean;
}

/** Collects the gates a condition implies (negated: the condition must be false). */
function collect(
  c: Condition,
  negated: boolean,
  inputs: ReadonlySet<string>,
  operators: ReadonlyMap<string, (a: unknown, b: unknown) => boolean>,
  out: Gate[],
): void {
  if ("all" in c) {
    // all(...) true: each child true. all(...) false proves nothing about one child.
    if (!negated) for (const x of c.all) collect(x, false, inputs, operators, out);
    return;
  }
  if ("any" in c) {
    // any(...) false: each child false.
    if (negated) for (const x of c.any) collect(x, true, inputs, operators, out);
    return;
  }
  if ("not" in c) {
    collect(c.not, !negated, inputs, operators, out);
    return;
  }
  if (c.params !== undefined || !inputs.has(c.fact) || refersToFact(c.value)) return;
  const test = operators.get(c.operator);
  if (!test) return;
  out.push({ fact: c.fact, ...(c.path ? { path: c.path } : {}), test, value: c.value, negated });
}

/** A condition value json-rules-engine reads as a fact (`{ fact, params?, path? }`), not a constant. */
function refersToFact(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.hasOwn(value, "fact");
}

/** The filter of a runtime's engine rules. */
export function buildRuleFilter(compiled: CompiledRuleSet, rules: readonly EngineRule[]): RuleFilter {
  const inputs = new Set(Object.keys(compiled.factShapes));
  const operators = new Map(operatorDefinitions(compiled.zone));
  const gates = rules.map((r) => {
    const out: Gate[] = [];
    collect(r.conditions, false, inputs, operators, out);
    return out;
  });
  return { gates, useful: gates.some((g) => g.length > 0) };
}

/** The filter over the rules the optimised engines run (each indexed table as one rule). */
export function optimisedRuleFilter(compiled: CompiledRuleSet): RuleFilter {
  const indexes = buildTableIndexes(compiled);
  return buildRuleFilter(compiled, engineRules(compiled, indexes.size > 0 ? indexes : undefined));
}

/** The fact value a condition on `fact`/`path` sees (as `RunAlmanac.factValue` resolves it). */
function factValue(facts: Readonly<Record<string, Value>>, fact: string, path: string | undefined): unknown {
  const value = Object.hasOwn(facts, fact) ? facts[fact] : undefined;
  return path && value !== null && typeof value === "object" ? pathResolver(value, path) : value;
}

/**
 * The rules that may fire for these facts, as a key: one character per rule, `1` kept, `0` set
 * aside. Undefined when every rule is kept.
 */
export function candidateKey(filter: RuleFilter, facts: Readonly<Record<string, Value>>): string | undefined {
  let key = "";
  let dropped = false;
  for (const gates of filter.gates) {
    let keep = true;
    for (const g of gates) {
      if (g.test(factValue(facts, g.fact, g.path), g.value) === g.negated) {
        keep = false;
        break;
      }
    }
    if (!keep) dropped = true;
    key += keep ? "1" : "0";
  }
  return dropped ? key : undefined;
}
