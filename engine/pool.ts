/**
 * The json-rules-engine engines of a compiled rule set: `createEngine` builds one with our
 * operators, safe path resolver, computed facts (`$expr`, `$decision`, `$table`, all reading the
 * run context passed as the `$run` fact) and the event handler of `actions.ts`.
 *
 * A json-rules-engine `Engine` is not safe for overlapping `run()` calls (its status is
 * engine-wide: one run finishing or calling `stop()` silently cuts the others short). Each
 * compiled rule set therefore keeps a pool of engines in which every engine serves exactly one
 * run at a time.
 */
import { type Almanac, Engine, type RuleProperties } from "json-rules-engine";
import {
  DECISION_FACT,
  EXPR_FACT,
  HAS_ROWS_OPERATOR,
  RUN_FACT,
  TABLE_FACT,
  TABLE_INDEX_FACT,
  type CompiledRuleSet,
} from "../dsl/compile/compiled.js";
import { evaluate } from "../dsl/evaluate.js";
import { handle } from "./actions.js";
import { operatorDefinitions, pathResolver } from "./operators.js";
import type { RunContext } from "./run-context.js";
import {
  handleIndexedTable,
  hasRows,
  INDEX_REF_PREFIX,
  indexedRules,
  tableIndexFact,
  type TableIndex,
} from "./table-index.js";

/** Idle engines kept per rule set (more are built on demand under load, then dropped). */
const MAX_IDLE_ENGINES = 256;

/** Pool of engines, each serving one run at a time. */
export class EnginePool {
  private readonly idle: Engine[] = [];
  constructor(private readonly create: () => Engine) {}
  acquire(): Engine {
    return this.idle.pop() ?? this.create();
  }
  release(engine: Engine): void {
    if (this.idle.length < MAX_IDLE_ENGINES) this.idle.push(engine);
  }
}

/**
 * Creates a json-rules-engine engine with our operators, facts and path resolver. With `indexes`
 * (engine/table-index.ts) each indexed table runs as one rule; without, every row is a rule.
 */
export function createEngine(compiled: CompiledRuleSet, indexes?: ReadonlyMap<string, TableIndex>): Engine {
  const engine = new Engine([], { allowUndefinedFacts: false, pathResolver, replaceFactsInEventParams: false });
  for (const [name, fn] of operatorDefinitions(compiled.zone)) engine.addOperator(name, fn);
  const runOf = async (almanac: Almanac) => (await almanac.factValue(RUN_FACT)) as RunContext;
  engine.addFact(
    EXPR_FACT,
    async (params: Record<string, unknown>, almanac: Almanac) => {
      const run = await runOf(almanac);
      const expr = compiled.expressions[String(params.id)];
      return expr ? evaluate(expr, run.env) : null;
    },
    { cache: false },
  );
  engine.addFact(
    DECISION_FACT,
    async (_params: Record<string, unknown>, almanac: Almanac) => (await runOf(almanac)).decision,
    { cache: false },
  );
  engine.addFact(
    TABLE_FACT,
    async (params: Record<string, unknown>, almanac: Almanac) =>
      (await runOf(almanac)).tables[String(params.table)] ?? null,
    { cache: false },
  );
  if (indexes) {
    engine.addOperator(HAS_ROWS_OPERATOR, hasRows);
    engine.addFact(
      TABLE_INDEX_FACT,
      async (params: Record<string, unknown>, almanac: Almanac) =>
        tableIndexFact(indexes, await runOf(almanac), String(params.table)),
      { cache: false },
    );
  }
  const rules = indexes ? indexedRules(compiled) : compiled.rules;
  for (const rule of rules) engine.addRule(structuredClone(rule) as unknown as RuleProperties);
  engine.on("success", async (event, almanac) => {
    const run = await runOf(almanac);
    const ref = String((event.params as { ref: string }).ref);
    if (indexes && ref.startsWith(INDEX_REF_PREFIX))
      handleIndexedTable(run, ref.slice(INDEX_REF_PREFIX.length), engine);
    else handle(run, ref, engine);
  });
  return engine;
}
