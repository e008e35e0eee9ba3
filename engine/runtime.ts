/**
 * The decision runtime: json-rules-engine evaluates every condition; we fold its events into the
 * decision (table hit policies, actions in priority order, validations, transitions), enforce the
 * invariants and explain the result.
 *
 * A json-rules-engine `Engine` is not safe for overlapping `run()` calls (its status is
 * engine-wide: one run finishing or calling `stop()` silently cuts the others short). Each
 * compiled rule set therefore keeps a pool of engines in which every engine serves exactly one
 * run at a time.
 */
import { type Almanac, Engine, type RuleProperties, type RuleResult } from "json-rules-engine";
import {
  DECISION_FACT,
  EXPR_FACT,
  RUN_FACT,
  TABLE_FACT,
  type CompiledRuleSet,
  type CompiledTemplate,
  type Condition,
  type Handler,
} from "../dsl/compile/compiled.js";
import { evaluate, withLocals, type EvalEnv } from "../dsl/evaluate.js";
import type { Expr } from "../dsl/syntax/ast.js";
import {
  compareValues,
  createRecord,
  isRecord,
  toDisplayText,
  toJson,
  valueEquals,
  type Value,
} from "../dsl/values.js";
import { convert, createDecisionValidator, createFactValidator, toRuntimeFacts } from "./facts.js";
import { DecisionError, type ErrorDetail } from "./errors.js";
import { decodeValue, operatorDefinitions, pathResolver } from "./operators.js";

export interface DecideOptions {
  readonly explain?: boolean;
}

export interface TraceCondition {
  readonly text: string;
  readonly line?: number;
  readonly column?: number;
  /** The value the condition saw (left-hand side). */
  readonly factValue: unknown;
  /** What it was compared with. */
  readonly value: unknown;
  readonly result: boolean | null;
}

export interface TraceEntry {
  readonly name: string;
  readonly kind: Handler["kind"];
  /** true / false, or null when not evaluated (an earlier rule stopped the evaluation). */
  readonly matched: boolean | null;
  readonly line: number;
  readonly column: number;
  readonly conditions: readonly TraceCondition[];
  /** For table rows: ignored because of the hit policy (`first`: an earlier row already hit). */
  readonly note?: string;
}

export interface DecisionResult {
  readonly decision: Record<string, unknown>;
  readonly fired: readonly string[];
  /** Stable ids of what fired (`r:0` rule, `t:tabela:3` table row, `x:1` transition...), for coverage. */
  readonly firedRefs: readonly string[];
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

/** Per-run state, reached by the computed facts and event handlers through the `$run` fact. */
class RunContext {
  readonly decision: Record<string, Value> = createRecord();
  readonly tables: Record<string, Value> = createRecord();
  readonly tableHits = new Map<string, number[]>();
  readonly fired: string[] = [];
  readonly firedRefs: string[] = [];
  readonly ignoredRows = new Set<string>();
  private generation = 0;
  private readonly memo = new Map<string, { generation: number; value: Value }>();
  readonly env: EvalEnv;
  stopped = false;

  constructor(
    readonly compiled: CompiledRuleSet,
    readonly facts: Record<string, Value>,
    /** Engine rule name by event ref (precomputed once per runtime). */
    readonly names: ReadonlyMap<string, string>,
  ) {
    for (const [name, out] of Object.entries(compiled.outputs))
      this.decision[name] = convert(structuredClone(out.default), out.shape, compiled.zone);
    for (const [name, t] of Object.entries(compiled.tables)) this.tables[name] = t.hitPolicy === "collect" ? [] : null;
    this.env = {
      zone: compiled.zone,
      lookup: (name) => this.lookup(name),
      callTemplate: (name, args) => {
        const t = compiled.templates[name];
        return t ? this.render(t, args) : undefined;
      },
      tableRows: (name) => this.memoised(`rows:${name}`, () => this.tableRows(name)),
    };
  }

  /** Marks that the decision or a table changed (memoised computed values may be stale). */
  touch(): void {
    this.generation++;
  }

  /** A table's rows as data: literal input cells (others null) and evaluated outputs. */
  tableRows(name: string): Value {
    const t = this.compiled.tables[name];
    if (!t) return null;
    return t.rows.map((row) =>
      createRecord([
        ...t.inputNames.map((n, i) => {
          const cell = row.inputs[i];
          const lit = cell?.kind === "compare" && cell.operator === "==" ? evaluate(cell.value, this.env) : null;
          return [n, lit] as const;
        }),
        ...t.outputs.map((n, i) => [n, row.outputs[i] ? evaluate(row.outputs[i] as Expr, this.env) : null] as const),
      ]),
    );
  }

  memoised(key: string, compute: () => Value): Value {
    const hit = this.memo.get(key);
    if (hit && hit.generation === this.generation) return hit.value;
    const value = compute();
    this.memo.set(key, { generation: this.generation, value });
    return value;
  }

  lookup(name: string): Value | undefined {
    const c = this.compiled;
    if (Object.hasOwn(this.facts, name)) return this.facts[name];
    if (Object.hasOwn(c.constants, name))
      return this.memoised(`c:${name}`, () => evaluate(c.constants[name] as Expr, this.env));
    if (Object.hasOwn(c.values, name))
      return this.memoised(`v:${name}`, () => evaluate(c.values[name] as Expr, this.env));
    if (Object.hasOwn(c.templates, name)) return this.render(c.templates[name] as CompiledTemplate, []);
    if (Object.hasOwn(c.tables, name)) return this.tables[name];
    if (Object.hasOwn(c.collections, name)) return this.memoised(`k:${name}`, () => this.collection(name));
    if (name === "decision") return this.decision;
    return undefined;
  }

  render(t: CompiledTemplate, args: readonly Value[]): string {
    const locals: Record<string, Value> = {};
    for (const [i, p] of t.params.entries()) locals[p] = args[i] ?? null;
    const env = t.params.length ? withLocals(this.env, locals) : this.env;
    return t.parts.map((p) => ("text" in p ? p.text : toDisplayText(evaluate(p.expr, env)))).join("");
  }

  /**
   * A collection: the source items grouped by key, each group ordered by the `order` expressions,
   * then by the items' content, so the result never depends on the order the caller listed them.
   */
  private collection(name: string): Value {
    const def = this.compiled.collections[name];
    if (!def) return null;
    const source = evaluate(def.from, this.env);
    if (!Array.isArray(source)) return [];
    const items = source as Value[];
    const rows = items.map((item, index) => {
      const env = withLocals(this.env, { item });
      const included = def.where ? evaluate(def.where, env) === true : true;
      return {
        item,
        index,
        included,
        key: def.key.map((k) => evaluate(k, env)),
        order: def.order.map((o) => evaluate(o, env)),
        content: JSON.stringify(toJson(item)),
      };
    });
    const groups = new Map<string, typeof rows>();
    for (const r of rows) {
      if (!r.included) continue;
      const k = JSON.stringify(toJson(r.key));
      const g = groups.get(k) ?? [];
      g.push(r);
      groups.set(k, g);
    }
    const rank = new Map<number, { first: Value; rank: number; size: number }>();
    for (const g of groups.values()) {
      g.sort((a, b) => {
        for (let i = 0; i < a.order.length; i++) {
          const c = compareOrder(a.order[i] ?? null, b.order[i] ?? null);
          if (c !== 0) return c;
        }
        return a.content < b.content ? -1 : a.content > b.content ? 1 : 0;
      });
      for (const [i, r] of g.entries()) {
        rank.set(r.index, { first: (g[0] as (typeof rows)[number]).item, rank: i + 1, size: g.length });
      }
    }
    return rows.map((r) => {
      const info = rank.get(r.index);
      return createRecord([
        ["item", r.item],
        ["index", r.index],
        ["included", r.included],
        ["first", info ? info.first : null],
        ["isFirst", info ? info.rank === 1 : false],
        ["rank", info ? info.rank : 0],
        ["size", info ? info.size : 0],
      ]);
    });
  }
}

/** Orders values for collections: nulls last, then by value (texts: `compareTexts`); incomparable values keep input order. */
function compareOrder(a: Value, b: Value): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareValues(a, b) ?? 0;
}

/** Sets `path` in a record, creating nested records on the way. */
function assignPath(target: Record<string, Value>, path: readonly string[], value: Value): void {
  let cur: Record<string, Value> = target;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] as string;
    const next = cur[k];
    if (!isRecord(next)) cur[k] = createRecord();
    cur = cur[k] as Record<string, Value>;
  }
  cur[path[path.length - 1] as string] = value;
}

function readPath(target: Record<string, Value>, path: readonly string[]): Value {
  let cur: Value = target;
  for (const k of path) {
    if (!isRecord(cur)) return null;
    cur = Object.hasOwn(cur, k) ? (cur[k] ?? null) : null;
  }
  return cur;
}

function handle(run: RunContext, ref: string, engine: Engine): void {
  const c = run.compiled;
  const handler = c.handlers[ref];
  const label = c.sourceMap[ref];
  if (!handler) return;
  const name = run.names.get(ref) ?? ref;
  switch (handler.kind) {
    case "row": {
      const table = c.tables[handler.table];
      if (!table) return;
      const hits = run.tableHits.get(handler.table) ?? [];
      if (table.hitPolicy === "first" && hits.length > 0) {
        run.ignoredRows.add(ref);
        return;
      }
      if (table.hitPolicy === "unique" && hits.length > 0) {
        const first = c.sourceMap[`t:${handler.table}:${hits[0]}`];
        throw new DecisionError(
          "RULESET_DEFECT",
          `a tabela "${handler.table}" (política unique) tem mais de uma linha válida para estes fatos: linhas ${(hits[0] ?? 0) + 1} e ${handler.row + 1}`,
          [
            ...(first
              ? [
                  {
                    ruleset: c.name,
                    table: handler.table,
                    row: (hits[0] ?? 0) + 1,
                    message: `linha ${(hits[0] ?? 0) + 1}`,
                    line: first.line,
                    column: first.column,
                  },
                ]
              : []),
            ...(label
              ? [
                  {
                    ruleset: c.name,
                    table: handler.table,
                    row: handler.row + 1,
                    message: `linha ${handler.row + 1}`,
                    line: label.line,
                    column: label.column,
                  },
                ]
              : []),
          ],
        );
      }
      hits.push(handler.row);
      run.tableHits.set(handler.table, hits);
      const row = table.rows[handler.row];
      const result = createRecord(
        table.outputs.map((o, i) => [o, row?.outputs[i] ? evaluate(row.outputs[i] as Expr, run.env) : null] as const),
      );
      if (table.hitPolicy === "collect")
        run.tables[handler.table] = [...((run.tables[handler.table] as Value[]) ?? []), result];
      else run.tables[handler.table] = result;
      break;
    }
    case "rule": {
      const rule = c.rulesMeta[handler.rule];
      if (!rule) return;
      for (const a of rule.actions) {
        const value = evaluate(a.value, run.env);
        if (a.kind === "append") {
          const current = readPath(run.decision, a.target);
          assignPath(run.decision, a.target, [...(Array.isArray(current) ? current : []), value]);
        } else assignPath(run.decision, a.target, value);
        run.touch();
      }
      if (rule.stop) {
        run.stopped = true;
        engine.stop();
      }
      break;
    }
    case "validation": {
      const v = c.validations;
      const item = v?.items[handler.index];
      if (!v || !item) return;
      const record = createRecord([
        [v.fieldKey, item.field],
        [v.messageKey, run.render(item.message, [])],
      ]);
      const current = run.decision[v.into];
      run.decision[v.into] = [...(Array.isArray(current) ? current : []), record];
      break;
    }
    case "refuse":
    case "missing": {
      const t = c.transitions;
      if (!t) return;
      const key = handler.kind === "refuse" ? t.reasons : t.missing;
      const text = handler.kind === "refuse" ? run.render(handler.reason, []) : handler.label;
      const current = run.decision[key];
      const list = Array.isArray(current) ? (current as Value[]) : [];
      if (!list.some((x) => valueEquals(x, text))) run.decision[key] = [...list, text];
      break;
    }
    case "edge":
      break;
    case "transitionResult": {
      const t = c.transitions;
      if (!t) return;
      const missing = run.decision[t.missing];
      if (t.missingFields && Array.isArray(missing) && missing.length > 0) {
        const current = run.decision[t.reasons];
        run.decision[t.reasons] = [...(Array.isArray(current) ? current : []), run.render(t.missingFields, [])];
        run.touch();
      }
      const reasons = run.decision[t.reasons];
      run.decision[t.allowed] =
        (!Array.isArray(reasons) || reasons.length === 0) && (!Array.isArray(missing) || missing.length === 0);
      break;
    }
  }
  run.touch();
  run.fired.push(name);
  run.firedRefs.push(ref);
}

/** Idle engines kept per rule set (more are built on demand under load, then dropped). */
const MAX_IDLE_ENGINES = 256;

/** Pool of engines, each serving one run at a time. */
class EnginePool {
  private readonly idle: Engine[] = [];
  constructor(private readonly create: () => Engine) {}
  acquire(): Engine {
    return this.idle.pop() ?? this.create();
  }
  release(engine: Engine): void {
    if (this.idle.length < MAX_IDLE_ENGINES) this.idle.push(engine);
  }
}

/** Creates a json-rules-engine engine with our operators, facts and path resolver. */
export function createEngine(compiled: CompiledRuleSet): Engine {
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
  for (const rule of compiled.rules) engine.addRule(structuredClone(rule) as unknown as RuleProperties);
  engine.on("success", async (event, almanac) => {
    const run = await runOf(almanac);
    handle(run, String((event.params as { ref: string }).ref), engine);
  });
  return engine;
}

/** Creates the runtime of a compiled rule set: validator compiled once, engines pooled. */
export function createRuntime(compiled: CompiledRuleSet): Runtime {
  const validate = createFactValidator(compiled);
  const checkDecision = createDecisionValidator(compiled);
  const tablesRead = tablesReadByActions(compiled);
  const pool = new EnginePool(() => createEngine(compiled));
  const refs = compiled.rules.map((r) => r.event.params.ref);
  const names = new Map(compiled.rules.map((r) => [r.event.params.ref, r.name] as const));

  async function decide(rawFacts: unknown, options: DecideOptions = {}): Promise<DecisionResult> {
    const json = validate(rawFacts);
    const facts = toRuntimeFacts(compiled, json);
    const run = new RunContext(compiled, facts, names);
    const engine = pool.acquire();
    const runtimeFacts = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(facts)) runtimeFacts[k] = facts[k];
    runtimeFacts[RUN_FACT] = run;
    // An engine whose run rejected may still be evaluating in the background (json-rules-engine
    // does not cancel the remaining priorities): it is never returned to the pool.
    const out = await engine.run(runtimeFacts);
    pool.release(engine);
    const results: RuleResult[] = [...out.results, ...out.failureResults];
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
    const result: DecisionResult = { decision, fired: run.fired, firedRefs: run.firedRefs };
    if (!options.explain) return result;
    return { ...result, trace: explain(compiled, refs, names, results, run) };
  }

  return { compiled, decide, prepare: () => pool.release(pool.acquire()) };
}

/**
 * For each rule (by index) and output it assigns: the `unique`/`first` tables its action reads
 * directly (`tabela.coluna` in the assigned expression). That is what "the value came from a
 * table" means for a RULESET_DEFECT: the last rule that fired and set the output read the table.
 */
function tablesReadByActions(compiled: CompiledRuleSet): ReadonlyMap<number, ReadonlyMap<string, readonly string[]>> {
  const single = new Set(
    Object.entries(compiled.tables)
      .filter(([, t]) => t.hitPolicy !== "collect")
      .map(([name]) => name),
  );
  const out = new Map<number, Map<string, string[]>>();
  compiled.rulesMeta.forEach((rule, i) => {
    for (const a of rule.actions) {
      const output = a.target[0];
      if (a.kind !== "assign" || a.target.length !== 1 || output === undefined) continue;
      const read: string[] = [];
      collectTableReads(a.value, single, read);
      const byOutput = out.get(i) ?? new Map<string, string[]>();
      // A later action on the same output replaces what an earlier one set.
      byOutput.set(output, [...new Set(read)]);
      out.set(i, byOutput);
    }
  });
  return out;
}

/** Names of `tables` read as `tabela.coluna` anywhere in an expression. */
function collectTableReads(node: unknown, tables: ReadonlySet<string>, into: string[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collectTableReads(n, tables, into);
    return;
  }
  if (!node || typeof node !== "object") return;
  const o = node as { kind?: unknown; object?: { kind?: unknown; name?: unknown } };
  if (
    o.kind === "member" &&
    o.object?.kind === "name" &&
    typeof o.object.name === "string" &&
    tables.has(o.object.name)
  )
    into.push(o.object.name);
  for (const v of Object.values(node)) if (v && typeof v === "object") collectTableReads(v, tables, into);
}

/**
 * The RULESET_DEFECT of a decision that breaks its declared outputs (a null in an output that is
 * not `nullable`, a value outside its type or `enum`): one detail per output, naming the output
 * and where it is declared and, when the last rule that set it read a `unique`/`first` table that
 * had no row for these facts, that table and where it is written. Never the decision itself.
 */
function outputDefect(
  compiled: CompiledRuleSet,
  run: RunContext,
  decision: Record<string, unknown>,
  issues: readonly { readonly path: string; readonly message: string }[],
  tablesRead: ReadonlyMap<number, ReadonlyMap<string, readonly string[]>>,
): DecisionError {
  const byOutput = new Map<string, { path: string; message: string }[]>();
  for (const issue of issues) {
    const output = decodePointerSegment(issue.path.split("/")[1] ?? "");
    const list = byOutput.get(output) ?? [];
    list.push(issue);
    byOutput.set(output, list);
  }
  const details: ErrorDetail[] = [];
  for (const [output, list] of byOutput) {
    const at = compiled.sourceMap[`o:${output}`];
    const where = { ruleset: compiled.name, output, ...(at ? { line: at.line, column: at.column } : {}) };
    if (decision[output] === null) {
      const behind = nullBehind(compiled, run, output, tablesRead);
      if (behind.table !== undefined) {
        const t = compiled.sourceMap[`tb:${behind.table}`];
        const policy = compiled.tables[behind.table]?.hitPolicy ?? "unique";
        details.push({
          ...where,
          table: behind.table,
          ...(t ? { line: t.line, column: t.column } : {}),
          message: `a tabela "${behind.table}" (política ${policy}) não tem linha para estes fatos e a saída "${output}" não aceita nulo`,
        });
        // Where the output is declared without accepting null (the other place a fix can go).
        details.push({ ...where, message: `a saída "${output}" está declarada aqui sem aceitar nulo` });
      } else if (behind.rule !== undefined) {
        details.push({
          ...where,
          message: `a regra "${behind.rule}" deu nulo à saída "${output}", que não aceita nulo`,
        });
      } else {
        details.push({ ...where, message: `nenhuma regra deu valor à saída "${output}", que não aceita nulo` });
      }
      continue;
    }
    const first = list[0] as { path: string; message: string };
    details.push({
      ...where,
      message: `a saída "${first.path.slice(1).split("/").map(decodePointerSegment).join(".")}" recebeu um valor fora do declarado: ${first.message}`,
    });
  }
  const first = details[0] as ErrorDetail;
  const message =
    byOutput.size === 1
      ? `a decisão não segue as saídas declaradas: ${first.message}`
      : `a decisão não segue as saídas declaradas (${byOutput.size} saídas): ${first.message}`;
  return new DecisionError("RULESET_DEFECT", message, details);
}

/**
 * What left an output null: the last rule that fired and assigned it and, when that assignment
 * read a `unique`/`first` table with no row hit for these facts, that table.
 */
function nullBehind(
  compiled: CompiledRuleSet,
  run: RunContext,
  output: string,
  tablesRead: ReadonlyMap<number, ReadonlyMap<string, readonly string[]>>,
): { rule?: string; table?: string } {
  for (let i = run.firedRefs.length - 1; i >= 0; i--) {
    const handler = compiled.handlers[run.firedRefs[i] as string];
    if (handler?.kind !== "rule") continue;
    const read = tablesRead.get(handler.rule)?.get(output);
    if (read === undefined) continue;
    const table = read.find((t) => !run.tableHits.has(t));
    return { rule: compiled.rulesMeta[handler.rule]?.name ?? "", ...(table !== undefined ? { table } : {}) };
  }
  return {};
}

function decodePointerSegment(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

function explain(
  compiled: CompiledRuleSet,
  refs: readonly string[],
  names: ReadonlyMap<string, string>,
  results: readonly RuleResult[],
  run: RunContext,
): TraceEntry[] {
  const byRef = new Map<string, RuleResult>();
  for (const r of results) byRef.set(String((r.event?.params as { ref?: string } | undefined)?.ref), r);
  return refs.map((ref) => {
    const loc = compiled.sourceMap[ref];
    const handler = compiled.handlers[ref] as Handler;
    const r = byRef.get(ref);
    const conditions: TraceCondition[] = [];
    if (r) collectConditions((r as unknown as { conditions: Condition }).conditions, compiled, conditions);
    return {
      name: names.get(ref) ?? ref,
      kind: handler.kind,
      matched: r ? r.result : null,
      line: loc?.line ?? 0,
      column: loc?.column ?? 0,
      conditions,
      ...(run.ignoredRows.has(ref)
        ? { note: "ignorada: uma linha anterior da tabela já foi escolhida (política first)" }
        : {}),
      ...(!r && run.stopped ? { note: "não avaliada: uma regra anterior encerrou a avaliação (stop)" } : {}),
    };
  });
}

function collectConditions(c: unknown, compiled: CompiledRuleSet, out: TraceCondition[]): void {
  if (!c || typeof c !== "object") return;
  const o = c as Record<string, unknown>;
  for (const key of ["all", "any"])
    if (Array.isArray(o[key])) for (const x of o[key] as unknown[]) collectConditions(x, compiled, out);
  if (o.not) collectConditions(o.not, compiled, out);
  if (typeof o.name === "string" && typeof o.operator === "string") {
    const loc = compiled.sourceMap[o.name];
    out.push({
      text: loc?.text ?? o.name,
      ...(loc ? { line: loc.line, column: loc.column } : {}),
      factValue: toJson((o.factResult ?? null) as Value),
      value: toJson(decodeValue(o.valueResult ?? o.value, compiled.zone)),
      result: typeof o.result === "boolean" ? o.result : null,
    });
  }
}
