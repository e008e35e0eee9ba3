/**
 * The decision runtime: json-rules-engine evaluates every condition; we fold its events into the
 * decision (table hit policies, actions in priority order, validations, transitions), enforce the
 * invariants and explain the result.
 *
 * This module holds the public types and `createRuntime` (validate the facts, run an engine from
 * the pool, check invariants and outputs, assemble the decision). The parts live beside it:
 * `run-context.ts` (per-decision state and evaluation environment), `actions.ts` (what each
 * compiled action does to the decision), `pool.ts` (`createEngine` and the engine pool: one run
 * per engine at a time), `output-check.ts` (RULESET_DEFECT for a decision that breaks its declared
 * outputs), `table-reads.ts` (which tables each rule's assignments read), `table-index.ts` (indexed
 * tables: one engine rule per table), `rule-filter.ts` (rules that cannot fire set aside before the
 * run) and `explain.ts` (the explain trace and its types).
 */
import type { RuleResult } from "json-rules-engine";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { evaluate } from "../dsl/evaluate.js";
import { toJson } from "../dsl/values.js";
import { DecisionError } from "./errors.js";
import { explain, type TraceEntry } from "./explain.js";
import { createDecisionValidator, createFactValidator, toRuntimeFacts } from "./facts.js";
import { outputDefect } from "./output-check.js";
import { createEngine, EnginePool, engineRules, RunAlmanac, SubsetPools } from "./pool.js";
import { buildRuleFilter, candidateKey } from "./rule-filter.js";
import { outputDefaults, RunContext } from "./run-context.js";
import { buildTableIndexes } from "./table-index.js";
import { tablesReadByActions } from "./table-reads.js";

export { createEngine } from "./pool.js";
export type { TraceCondition, TraceEntry } from "./explain.js";

export interface DecideOptions {
  readonly explain?: boolean;
}

export interface RuntimeOptions {
  /**
   * Default true: indexed tables run as one rule each (engine/table-index.ts), the rules that
   * cannot fire for the facts are set aside before each run (engine/rule-filter.ts) and conditions
   * are compacted (`compact` in pool.ts). False: the straightforward path, every table row and
   * every rule run as compiled (what explain traces run; the reference in comparisons).
   */
  readonly optimised?: boolean;
  /**
   * The fact and decision schemas are known to pass the JSON Schema meta-schema (a runtime was
   * built from them before by this compiler and this ajv): the check is skipped. Default false.
   */
  readonly schemasChecked?: boolean;
}

export interface DecisionResult {
  readonly decision: Record<string, unknown>;
  readonly fired: readonly string[];
  /** Stable ids of what fired (`r:0` rule, `t:tabela:3` table row, `x:1` transition...), for coverage. */
  readonly firedRefs: readonly string[];
  /**
   * Rows of `priority` tables that matched and fired but whose outputs are not the table's result
   * (a row with higher-priority outputs matched too), in firing order; absent when there are none.
   * Coverage does not count them, as it does not count the later matching rows of a `first` table
   * (which do not fire).
   */
  readonly unchosenRefs?: readonly string[];
  readonly trace?: readonly TraceEntry[];
}

export interface Runtime {
  readonly compiled: CompiledRuleSet;
  /** Validates facts (400-style DecisionError on failure) and decides. */
  decide(facts: unknown, options?: DecideOptions): Promise<DecisionResult>;
  /**
   * Builds one engine now, into the pool: an engine that cannot be built fails here (before the
   * runtime is put to use), and the first decision does not pay for the build.
   */
  prepare(): void;
}

/** Creates the runtime of a compiled rule set: validator compiled once, engines pooled. */
export function createRuntime(compiled: CompiledRuleSet, runtimeOptions: RuntimeOptions = {}): Runtime {
  const validate = createFactValidator(compiled, runtimeOptions.schemasChecked === true);
  const checkDecision = createDecisionValidator(compiled, runtimeOptions.schemasChecked === true);
  const tablesRead = tablesReadByActions(compiled);
  // Indexed tables (engine/table-index.ts) run as one rule each; explain traces use the
  // straightforward engine, where every table row is its own rule with its own conditions.
  const optimised = runtimeOptions.optimised !== false;
  const indexes = buildTableIndexes(compiled);
  const fastIndexes = optimised && indexes.size > 0 ? indexes : undefined;
  const fast = { ...(fastIndexes ? { indexes: fastIndexes } : {}), compact: optimised };
  const pool = new EnginePool(() => createEngine(compiled, fast));
  const explainPool = optimised ? new EnginePool(() => createEngine(compiled)) : pool;
  // Rules that cannot fire for the facts are set aside before the run (engine/rule-filter.ts).
  const filter = buildRuleFilter(compiled, engineRules(compiled, fastIndexes));
  const preselect = optimised && filter.useful;
  const subsets = new SubsetPools((key) => createEngine(compiled, { ...fast, keep: key }));
  const defaults = outputDefaults(compiled);
  const refs = compiled.rules.map((r) => r.event.params.ref);
  const names = new Map(compiled.rules.map((r) => [r.event.params.ref, r.name] as const));

  async function decide(rawFacts: unknown, options: DecideOptions = {}): Promise<DecisionResult> {
    const json = validate(rawFacts);
    const facts = toRuntimeFacts(compiled, json);
    const run = new RunContext(compiled, facts, names, defaults);
    const key = options.explain || !preselect ? undefined : candidateKey(filter, facts);
    const enginePool = options.explain ? explainPool : ((key === undefined ? undefined : subsets.get(key)) ?? pool);
    const engine = enginePool.acquire();
    // An engine whose run rejected may still be evaluating in the background (json-rules-engine
    // does not cancel the remaining priorities): it is never returned to the pool.
    const out = await engine.run({}, { almanac: new RunAlmanac(run) });
    enginePool.release(engine);
    for (const [i, inv] of compiled.invariants.entries()) {
      if (evaluate(inv.check, run.env) !== true) {
        const at = compiled.sourceMap[`i:${i}`];
        // Which invariant and where it is written; never the decision itself (it carries the facts).
        throw new DecisionError(
          "RULESET_DEFECT",
          `a decisão quebra o invariante "${inv.name}"${inv.message ? `: ${inv.message}` : ""}`,
          [
            {
              ruleset: compiled.name,
              invariant: inv.name,
              message: inv.message ?? `invariante "${inv.name}" violado`,
              ...(at ? { line: at.line, column: at.column } : {}),
            },
          ],
        );
      }
    }
    const decision = toJson(run.decision) as Record<string, unknown>;
    const issues = checkDecision(decision);
    if (issues.length > 0) throw outputDefect(compiled, run, decision, issues, tablesRead);
    const unchosen = run.lostRows.size > 0 ? run.firedRefs.filter((ref) => run.lostRows.has(ref)) : [];
    const result: DecisionResult = {
      decision,
      fired: run.fired,
      firedRefs: run.firedRefs,
      ...(unchosen.length > 0 ? { unchosenRefs: unchosen } : {}),
    };
    if (!options.explain) return result;
    const results: RuleResult[] = [...out.results, ...out.failureResults];
    return { ...result, trace: explain(compiled, refs, names, results, run) };
  }

  return { compiled, decide, prepare: () => pool.release(pool.acquire()) };
}
