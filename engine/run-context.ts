/**
 * The per-decision run context: the decision being built, table results and hits, what fired, and
 * the evaluation environment the computed facts and event handlers use (facts, memoised constants,
 * values and collections, table rows as data, template rendering). The engine reaches it through
 * the `$run` fact; one is created per `decide` call and never shared between runs.
 *
 * A table's result before any of its rows matched (`tableValue`): null for single-hit policies,
 * an empty list for ruleOrder/outputOrder/collect, the aggregate of no rows for `collect` with
 * `aggregate` (count 0, sum/min/max null) — or, when the table has `onNoMatch` outputs, the
 * no-match result. Its `= expr` cells are evaluated LAZILY: when the table's result is read while
 * no row has matched (memoised until the run changes, so it is the value a fresh evaluation at
 * that read gives). The first matching row replaces it.
 */
import type { CompiledRuleSet, CompiledTable, CompiledTemplate } from "../dsl/compile/compiled.js";
import { evaluate, withLocals, type EvalEnv } from "../dsl/evaluate.js";
import type { Expr } from "../dsl/syntax/ast.js";
import { isSingleHit } from "../dsl/ruleset/model.js";
import { compareValues, createRecord, isRecord, toDisplayText, toJson, type Value } from "../dsl/values.js";
import { convert } from "./facts.js";

/** Per-run state, reached by the computed facts and event handlers through the `$run` fact. */
export class RunContext {
  readonly decision: Record<string, Value> = createRecord();
  readonly tables: Record<string, Value> = createRecord();
  readonly tableHits = new Map<string, number[]>();
  readonly fired: string[] = [];
  readonly firedRefs: string[] = [];
  readonly ignoredRows = new Set<string>();
  /** `priority` tables: the row whose outputs are the table's result, by table. */
  readonly chosenRows = new Map<string, number>();
  /** `priority` tables: rows that matched (and fired) but lost to a row with higher-priority outputs. */
  readonly lostRows = new Set<string>();
  /** Rows of indexed tables found by the `$tableIndex` fact, by table (engine/table-index.ts). */
  readonly tableMatches = new Map<string, readonly number[]>();
  private generation = 0;
  private readonly memo = new Map<string, { generation: number; value: Value }>();
  readonly env: EvalEnv;
  stopped = false;

  constructor(
    readonly compiled: CompiledRuleSet,
    readonly facts: Record<string, Value>,
    /** Engine rule name by event ref (precomputed once per runtime). */
    readonly names: ReadonlyMap<string, string>,
    /** The outputs' defaults as runtime values (`outputDefaults`, once per runtime); copied here. */
    defaults: Readonly<Record<string, Value>> = outputDefaults(compiled),
  ) {
    for (const name of Object.keys(defaults)) this.decision[name] = copyValue(defaults[name] ?? null);
    for (const [name, t] of Object.entries(compiled.tables)) this.tables[name] = initialTableValue(t);
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

  /**
   * A table's result as rules and other tables read it: the rows folded so far or, while no row
   * matched and the table has `onNoMatch` outputs, the no-match result (evaluated at this read).
   */
  tableValue(name: string): Value {
    const t = Object.hasOwn(this.compiled.tables, name) ? this.compiled.tables[name] : undefined;
    if (t?.onNoMatch && !this.tableHits.has(name))
      return this.memoised(`n:${name}`, () => noMatchValue(t, t.onNoMatch ?? [], this.env));
    return this.tables[name] ?? null;
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
    if (Object.hasOwn(c.tables, name)) return this.tableValue(name);
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
    // One scope, `item` rebound per item (evaluation is eager: nothing keeps a scope).
    const locals = createRecord([["item", null]]);
    const env = withLocals(this.env, locals);
    const rows = items.map((item, index) => {
      locals.item = item;
      const included = def.where ? evaluate(def.where, env) === true : true;
      return {
        item,
        index,
        included,
        key: def.key.map((k) => evaluate(k, env)),
        order: def.order.map((o) => evaluate(o, env)),
        // The item as JSON, the last tie-break: computed only for items that tie on every `order`.
        content: undefined as string | undefined,
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
        a.content ??= JSON.stringify(toJson(a.item));
        b.content ??= JSON.stringify(toJson(b.item));
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

/**
 * A table's result when no row matched and it has no `onNoMatch` outputs: null (single hit), an
 * empty list (ruleOrder, outputOrder, collect), or the aggregate of no rows (count 0, others null).
 */
export function initialTableValue(t: CompiledTable): Value {
  if (t.aggregate) return createRecord(t.outputs.map((o) => [o, t.aggregate === "count" ? 0 : null] as const));
  return isSingleHit(t.hitPolicy) ? null : [];
}

/** The `onNoMatch` outputs' result: the record (single hit, aggregate) or a list with it. */
function noMatchValue(t: CompiledTable, cells: readonly (Expr | null)[], env: EvalEnv): Value {
  const record = createRecord(t.outputs.map((o, i) => [o, cells[i] ? evaluate(cells[i] as Expr, env) : null] as const));
  return isSingleHit(t.hitPolicy) || t.aggregate ? record : [record];
}

/** Each output's default as a runtime value (computed once per runtime, copied into each run). */
export function outputDefaults(compiled: CompiledRuleSet): Readonly<Record<string, Value>> {
  const out = createRecord();
  for (const [name, o] of Object.entries(compiled.outputs))
    out[name] = convert(structuredClone(o.default), o.shape, compiled.zone);
  return out;
}

/** A copy of a value a run may change in place (lists and records); dates and scalars are immutable. */
function copyValue(v: Value): Value {
  if (Array.isArray(v)) return v.map(copyValue);
  if (isRecord(v)) return createRecord(Object.keys(v).map((k) => [k, copyValue(v[k] ?? null)] as const));
  return v;
}

/** Orders values for collections: nulls last, then by value (texts: `compareTexts`); incomparable values keep input order. */
function compareOrder(a: Value, b: Value): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareValues(a, b) ?? 0;
}
