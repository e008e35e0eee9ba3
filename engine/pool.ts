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
import { Almanac, Engine, type RuleProperties } from "json-rules-engine";
import {
  DECISION_FACT,
  EXPR_FACT,
  HAS_ROWS_OPERATOR,
  RUN_FACT,
  TABLE_FACT,
  TABLE_INDEX_FACT,
  type CompiledRuleSet,
  type Condition,
  type EngineRule,
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

/**
 * The almanac of one decision: the run's facts are read straight from the run context (no
 * json-rules-engine `Fact` built and hashed per fact per run, as passing them as runtime facts
 * does), with the same resolution json-rules-engine applies (a `path` over an object goes through
 * our `pathResolver`; over anything else the value itself). Computed facts (`$expr`, `$decision`,
 * `$table`, `$tableIndex`) stay json-rules-engine facts and reach the run through `almanac.run`.
 */
export class RunAlmanac extends Almanac {
  constructor(readonly run: RunContext) {
    super({ allowUndefinedFacts: false, pathResolver });
  }

  override factValue<T>(factId: string, params?: Record<string, unknown>, path?: string): Promise<T> {
    const facts = this.run.facts;
    if (Object.hasOwn(facts, factId)) {
      const value = facts[factId];
      return Promise.resolve(
        (path && value !== null && typeof value === "object" ? pathResolver(value, path) : value) as T,
      );
    }
    if (factId === RUN_FACT) return Promise.resolve(this.run as T);
    return super.factValue<T>(factId, params, path);
  }
}

/**
 * The run context of an almanac: direct on a `RunAlmanac`; through the `$run` runtime fact when
 * the engine is run the plain json-rules-engine way (`engine.run({...facts, $run})`).
 */
function runOf(almanac: Almanac): RunContext | Promise<RunContext> {
  return almanac instanceof RunAlmanac ? almanac.run : (almanac.factValue(RUN_FACT) as Promise<RunContext>);
}

/** Applies `f` to the run context, synchronously when the almanac has it at hand. */
function withRun<T>(almanac: Almanac, f: (run: RunContext) => T): T | Promise<T> {
  const run = runOf(almanac);
  return run instanceof Promise ? run.then(f) : f(run);
}

/** Idle engines kept per rule set (more are built on demand under load, then dropped). */
const MAX_IDLE_ENGINES = 256;

/** Pool of engines, each serving one run at a time. */
export class EnginePool {
  private readonly idle: Engine[] = [];
  constructor(
    private readonly create: () => Engine,
    private readonly maxIdle = MAX_IDLE_ENGINES,
  ) {}
  acquire(): Engine {
    return this.idle.pop() ?? this.create();
  }
  release(engine: Engine): void {
    if (this.idle.length < this.maxIdle) this.idle.push(engine);
  }
}

/** Rule subsets (engine/rule-filter.ts keys) whose engines are kept; the least recently used go. */
const MAX_SUBSETS = 64;
/** Idle engines kept per subset. */
const MAX_IDLE_PER_SUBSET = 8;

/** Subset keys remembered (seen once, no engine yet) before the memory is cleared. */
const MAX_SEEN_SUBSETS = 1024;

/**
 * Pools of engines holding a subset of the rules, by subset key, least recently used dropped. A
 * subset gets its engines the second time it is seen: a decision never waits for an engine to be
 * built (the first one of a subset runs on the runtime's full engine, built at load time), and a
 * subset that never repeats costs nothing.
 */
export class SubsetPools {
  private readonly pools = new Map<string, EnginePool>();
  private readonly seen = new Set<string>();
  constructor(private readonly create: (key: string) => Engine) {}
  /** The pool of a subset, or undefined the first time it is seen (use the full engine then). */
  get(key: string): EnginePool | undefined {
    let pool = this.pools.get(key);
    if (pool) this.pools.delete(key);
    else if (!this.seen.has(key)) {
      if (this.seen.size >= MAX_SEEN_SUBSETS) this.seen.clear();
      this.seen.add(key);
      return undefined;
    } else {
      this.seen.delete(key);
      pool = new EnginePool(() => this.create(key), MAX_IDLE_PER_SUBSET);
    }
    this.pools.set(key, pool);
    if (this.pools.size > MAX_SUBSETS) this.pools.delete(this.pools.keys().next().value as string);
    return pool;
  }
}

/**
 * The same condition, smaller: leaf names dropped (only explain traces read them), `not not x` as
 * `x`, an `all` inside an `all` (an `any` inside an `any`) flattened. json-rules-engine evaluates
 * it to the same result (every fact has the default priority, so grouping is unchanged).
 * `createEngine` compacts the rule's event too (`{ type: ref }`).
 */
export function compact(c: Condition): Condition {
  if ("all" in c) return { all: c.all.map(compact).flatMap((x) => ("all" in x ? x.all : [x])) };
  if ("any" in c) return { any: c.any.map(compact).flatMap((x) => ("any" in x ? x.any : [x])) };
  if ("not" in c) {
    const inner = compact(c.not);
    if ("not" in inner) {
      const twice = inner.not;
      // The root must stay a boolean operator (json-rules-engine requires all/any/not there).
      return "all" in twice || "any" in twice || "not" in twice ? twice : { all: [twice] };
    }
    return { not: inner };
  }
  const { name: _name, ...leaf } = c;
  return leaf;
}

/** The engine rules: with `indexes`, each indexed table as one rule; without, every row a rule. */
export function engineRules(
  compiled: CompiledRuleSet,
  indexes?: ReadonlyMap<string, TableIndex>,
): readonly EngineRule[] {
  return indexes ? indexedRules(compiled) : compiled.rules;
}

export interface EngineOptions {
  /** Indexed tables (engine/table-index.ts) run as one rule each; without, every row is a rule. */
  readonly indexes?: ReadonlyMap<string, TableIndex>;
  /** A key of engine/rule-filter.ts (one character per rule of `engineRules`): only rules marked `1` are added. */
  readonly keep?: string;
  /** Conditions compacted (`compact`): for engines whose results are not explained. */
  readonly compact?: boolean;
}

/** Creates a json-rules-engine engine with our operators, facts and path resolver. */
export function createEngine(compiled: CompiledRuleSet, options: EngineOptions = {}): Engine {
  const { indexes, keep } = options;
  const engine = new Engine([], { allowUndefinedFacts: false, pathResolver, replaceFactsInEventParams: false });
  for (const [name, fn] of operatorDefinitions(compiled.zone)) engine.addOperator(name, fn);
  engine.addFact(
    EXPR_FACT,
    (params: Record<string, unknown>, almanac: Almanac) =>
      withRun(almanac, (run) => {
        const expr = compiled.expressions[String(params.id)];
        return expr ? evaluate(expr, run.env) : null;
      }),
    { cache: false },
  );
  engine.addFact(
    DECISION_FACT,
    (_params: Record<string, unknown>, almanac: Almanac) => withRun(almanac, (run) => run.decision),
    { cache: false },
  );
  engine.addFact(
    TABLE_FACT,
    (params: Record<string, unknown>, almanac: Almanac) =>
      withRun(almanac, (run) => run.tableValue(String(params.table))),
    { cache: false },
  );
  if (indexes) {
    engine.addOperator(HAS_ROWS_OPERATOR, hasRows);
    engine.addFact(
      TABLE_INDEX_FACT,
      (params: Record<string, unknown>, almanac: Almanac) =>
        withRun(almanac, (run) => tableIndexFact(indexes, run, String(params.table))),
      { cache: false },
    );
  }
  const rules = engineRules(compiled, indexes);
  for (const [i, rule] of rules.entries()) {
    if (keep !== undefined && keep[i] !== "1") continue;
    // Engines that do not explain run compacted conditions: json-rules-engine deep-clones a rule's
    // conditions on every evaluation, so fewer objects and properties cost less on every decision.
    const conditions = options.compact ? compact(rule.conditions) : structuredClone(rule.conditions);
    // Compacted, the event is just its ref as the type (one object less to clone per evaluation).
    const event = options.compact ? { type: rule.event.params.ref } : structuredClone(rule.event);
    engine.addRule({ name: rule.name, priority: rule.priority, conditions, event } as unknown as RuleProperties);
  }
  engine.on("success", (event, almanac) =>
    withRun(almanac, (run) => {
      const ref = String((event.params as { ref?: string } | undefined)?.ref ?? event.type);
      if (indexes && ref.startsWith(INDEX_REF_PREFIX))
        handleIndexedTable(run, ref.slice(INDEX_REF_PREFIX.length), engine);
      else handle(run, ref, engine);
    }),
  );
  return engine;
}
