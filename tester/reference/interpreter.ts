/**
 * The reference interpreter: a second, deliberately simple implementation of what a rule set
 * decides, used only to check the engine (differential testing: test/reference.test.ts and
 * `npm run verify`). It reads the rule-set MODEL (`RuleSetModel`, dsl/ruleset/model.ts, as the
 * loader produced and the checker accepted it) — never the compiler's output, json-rules-engine or
 * engine/ — and follows docs/language.md step by step, in plain loops:
 *
 * 1. facts: checked, normalised and given defaults (`facts.ts`); refused → `{ kind: "refused" }`;
 * 2. the decision starts from the outputs' defaults (`null`, or `[]` for lists);
 * 3. tables in the order written: a false `when` skips the table; each row whose input cells all
 *    match its columns is a hit; `unique`: a second hit is a defect; `first`: later hits are
 *    ignored (not fired); `any`: a hit whose outputs differ from the first hit's is a defect;
 *    every other hit fires. The result: single hit (`unique`, `first`, `any`) the first hit's
 *    outputs, `priority` the hit whose outputs rank first by `outputValues` (earliest on a tie);
 *    `ruleOrder`/`collect` the list of every hit's outputs, `outputOrder` that list sorted by rank
 *    (stable); `collect` + `aggregate` one record of each column's sum/min/max over the non-null
 *    values (a non-number summed or values min/max cannot order: defect) or the number of hits.
 *    No hit: null / [] / the aggregate of nothing — or, with `onNoMatch` outputs, those outputs
 *    (a record, or a list with it), evaluated each time the table is read;
 * 4. validations in the order written: `when` true (or absent) and `require` not true → a record
 *    `{field, message}` appended to the `into` output;
 * 5. transitions: unknown state, terminal state, edge not allowed, general guards, then per allowed
 *    edge that matches: the edge, its missing required fields, its failing guards; then the result
 *    (`missingFields` reason, `allowed`);
 * 6. rules by priority (higher first), then in the order written; a true (or absent) `when` runs
 *    the actions in order (`x = e`, `x.y = e`, `x += e`); `stop` ends the rules;
 * 7. invariants (one not true → defect), then the outputs' declarations (null where not nullable,
 *    wrong type, outside `enum`/limits → defect).
 *
 * What it shares with the engine, on purpose: `evaluate` (dsl/evaluate.ts), the language's one
 * definition of an expression's VALUE (unit-tested on its own), and the value types and their
 * equality/order/JSON form (dsl/values.ts). Everything around them — which rule fires, the order,
 * table cells and hit policies, defaults, templates, collections, transitions, outputs and errors —
 * is this file's own code. Nothing is memoised: computed values are recomputed at each use.
 */
import { evaluate, withLocals, type EvalEnv } from "../../dsl/evaluate.js";
import { assertNever } from "../../dsl/exhaustive.js";
import { getFunction } from "../../dsl/library/catalog.js";
import type { RuleSetModel, TableDecl, TemplateDecl, TypeDecl } from "../../dsl/ruleset/model.js";
import type { Action, Expr, UnaryTest } from "../../dsl/syntax/ast.js";
import {
  compareValues,
  createRecord,
  isDateTimeText,
  isDurationText,
  isRecord,
  parseDate,
  toDisplayText,
  toJson,
  valueEquals,
  type Value,
} from "../../dsl/values.js";
import { checkFacts, FactsRefused, toValue } from "./facts.js";

/** What the reference decides: a decision (JSON) with what fired, refused facts, or a rule-set defect. */
export type ReferenceOutcome =
  | {
      readonly kind: "decision";
      readonly decision: Record<string, unknown>;
      /** Names of what fired, in order (rules by name, `tabela · linha N`, `validação campo`, transitions). */
      readonly fired: readonly string[];
      /** The same, as stable refs (`r:0`, `t:tabela:3`, `v:1`, `x:0`, `x:result`...). */
      readonly firedRefs: readonly string[];
    }
  | { readonly kind: "refused"; readonly where: string }
  | { readonly kind: "defect"; readonly reason: string };

/**
 * Deliberate flaws, for the mutation sanity check only (test/reference.test.ts shows that the
 * differential test catches a broken reference). Never set outside that test.
 */
export interface ReferenceOptions {
  readonly flaw?: "reverse-priority" | "ignore-stop" | "first-row-last";
}

class Defect extends Error {}

/** Decides `facts` with the rule set `model` (which must have passed the checker). */
export function referenceDecide(model: RuleSetModel, facts: unknown, options: ReferenceOptions = {}): ReferenceOutcome {
  let json: Record<string, unknown>;
  try {
    json = checkFacts(facts, model.facts, model.zone);
  } catch (e) {
    if (e instanceof FactsRefused) return { kind: "refused", where: e.where };
    throw e;
  }
  try {
    const run = new Run(model, json, options);
    run.decide();
    return { kind: "decision", decision: run.outputJson(), fired: run.fired, firedRefs: run.firedRefs };
  } catch (e) {
    if (e instanceof Defect) return { kind: "defect", reason: e.message };
    throw e;
  }
}

class Run {
  readonly facts = createRecord();
  readonly decision = createRecord();
  readonly tables = createRecord();
  /** Tables that had at least one hit (the others give their `onNoMatch` outputs when read). */
  readonly tablesHit = new Set<string>();
  readonly fired: string[] = [];
  readonly firedRefs: string[] = [];
  readonly env: EvalEnv;

  constructor(
    readonly model: RuleSetModel,
    json: Record<string, unknown>,
    readonly options: ReferenceOptions,
  ) {
    for (const [name, f] of model.facts)
      this.facts[name] = Object.hasOwn(json, name) ? toValue(json[name], f.decl, model.zone) : null;
    for (const [name, o] of model.outputs) {
      const initial = o.default !== undefined ? o.default : o.decl.type === "list" ? [] : null;
      this.decision[name] = toValue(structuredClone(initial), o.decl, model.zone);
    }
    for (const t of model.tables) this.tables[t.name] = noHits(t);
    this.env = {
      zone: model.zone,
      lookup: (name) => this.lookup(name),
      callTemplate: (name, args) => {
        const t = model.templates.get(name);
        return t ? this.render(t, args) : undefined;
      },
      tableRows: (name) => this.tableRows(name),
    };
  }

  private record(name: string, ref: string): void {
    this.fired.push(name);
    this.firedRefs.push(ref);
  }

  private lookup(name: string): Value | undefined {
    const m = this.model;
    if (Object.hasOwn(this.facts, name)) return this.facts[name];
    const constant = m.constants.get(name);
    if (constant) return evaluate(constant.expr, this.env);
    const value = m.values.get(name);
    if (value) return evaluate(value.expr, this.env);
    const template = m.templates.get(name);
    if (template) return this.render(template, []);
    if (Object.hasOwn(this.tables, name)) return this.tableResult(name);
    if (m.collections.has(name)) return this.collection(name);
    if (name === "decision") return this.decision;
    return undefined;
  }

  private render(t: TemplateDecl, args: readonly Value[]): string {
    const locals = createRecord(t.params.map((p, i) => [p.name, args[i] ?? null] as const));
    const env = t.params.length > 0 ? withLocals(this.env, locals) : this.env;
    let text = "";
    for (const part of t.parts) text += part.kind === "text" ? part.text : toDisplayText(evaluate(part.expr, env));
    return text;
  }

  /** `rows(tabela)`: per row, the input cells written as `== value` (others null) and the outputs. */
  private tableRows(name: string): Value | undefined {
    const t = this.model.tables.find((x) => x.name === name);
    if (!t) return undefined;
    return t.rows.map((row) => {
      const r = createRecord();
      t.inputs.forEach((col, i) => {
        const cell = row.inputs[i];
        r[col.name] = cell?.kind === "compare" && cell.operator === "==" ? evaluate(cell.value, this.env) : null;
      });
      t.outputs.forEach((col, i) => {
        const cell = row.outputs[i];
        r[col.name] = cell ? evaluate(cell, this.env) : null;
      });
      return r;
    });
  }

  /** A collection (docs/language.md, "Coleções"): groups by key, each ordered, nulls last, ties by content. */
  private collection(name: string): Value {
    const def = this.model.collections.get(name);
    if (!def) return null;
    const source = evaluate(def.from, this.env);
    if (!Array.isArray(source)) return [];
    const entries = (source as Value[]).map((item, index) => {
      const env = withLocals(this.env, createRecord([["item", item]]));
      return {
        item,
        index,
        included: def.where === undefined || evaluate(def.where, env) === true,
        key: JSON.stringify(toJson(def.key.map((k) => evaluate(k, env)))),
        order: def.order.map((o) => evaluate(o, env)),
      };
    });
    const info = new Map<number, { first: Value; rank: number; size: number }>();
    const keys = [...new Set(entries.filter((e) => e.included).map((e) => e.key))];
    for (const key of keys) {
      const group = entries.filter((e) => e.included && e.key === key);
      group.sort((a, b) => {
        for (let i = 0; i < a.order.length; i++) {
          const x = a.order[i] ?? null;
          const y = b.order[i] ?? null;
          const c = x === null ? (y === null ? 0 : 1) : y === null ? -1 : (compareValues(x, y) ?? 0);
          if (c !== 0) return c;
        }
        const ca = JSON.stringify(toJson(a.item));
        const cb = JSON.stringify(toJson(b.item));
        return ca < cb ? -1 : ca > cb ? 1 : 0;
      });
      group.forEach((e, i) => {
        info.set(e.index, { first: (group[0] as (typeof group)[number]).item, rank: i + 1, size: group.length });
      });
    }
    return entries.map((e) => {
      const g = info.get(e.index);
      return createRecord([
        ["item", e.item],
        ["index", e.index],
        ["included", e.included],
        ["first", g ? g.first : null],
        ["isFirst", g?.rank === 1],
        ["rank", g ? g.rank : 0],
        ["size", g ? g.size : 0],
      ]);
    });
  }

  private holds(e: Expr | undefined): boolean {
    return e === undefined || evaluate(e, this.env) === true;
  }

  decide(): void {
    for (const t of this.model.tables) this.table(t);
    this.validations();
    this.transitions();
    this.rules();
    for (const inv of this.model.invariants)
      if (evaluate(inv.check, this.env) !== true) throw new Defect(`invariante "${inv.name}" quebrado`);
    this.checkOutputs();
  }

  // --- tables -------------------------------------------------------------------------------

  /** A table's result: what its hits gave, or (no hit) its `onNoMatch` outputs evaluated now. */
  private tableResult(name: string): Value {
    const t = this.model.tables.find((x) => x.name === name);
    const cells = t?.onNoMatch?.outputs;
    if (!t || !cells || this.tablesHit.has(name)) return this.tables[name] ?? null;
    const record = createRecord();
    t.outputs.forEach((col, i) => {
      const cell = cells[i];
      record[col.name] = cell ? evaluate(cell, this.env) : null;
    });
    return t.hitPolicy === "ruleOrder" || t.hitPolicy === "outputOrder" || (t.hitPolicy === "collect" && !t.aggregate)
      ? [record]
      : record;
  }

  private table(t: TableDecl): void {
    if (!this.holds(t.when)) return;
    const rows = this.options.flaw === "first-row-last" && t.hitPolicy === "first" ? [...t.rows].reverse() : t.rows;
    // A column declared as a list (a list fact, or a path through one) reads its one-value cells as
    // "contains", even when the list is absent; other columns, when their value is a list.
    const listColumns = t.inputs.map((col) => (col.expr ? declaredList(col.expr, this.model) : undefined));
    const hits: { row: number; outputs: Record<string, Value> }[] = [];
    for (const row of rows) {
      const matches = row.inputs.every((cell, i) => {
        const column = t.inputs[i]?.expr;
        if (column === undefined) return true;
        const value = evaluate(column, this.env);
        return cellMatches(cell, value, listColumns[i] ?? Array.isArray(value), this.env);
      });
      if (!matches) continue;
      if (hits.length > 0 && t.hitPolicy === "first") continue;
      if (hits.length > 0 && t.hitPolicy === "unique")
        throw new Defect(`tabela "${t.name}": mais de uma linha (unique)`);
      const outputs = createRecord(
        t.outputs.map(
          (col, i) => [col.name, row.outputs[i] ? evaluate(row.outputs[i] as Expr, this.env) : null] as const,
        ),
      );
      const firstHit = hits[0];
      if (firstHit && t.hitPolicy === "any")
        for (const col of t.outputs)
          if (!valueEquals(firstHit.outputs[col.name] ?? null, outputs[col.name] ?? null))
            throw new Defect(
              `tabela "${t.name}": linhas ${firstHit.row + 1} e ${row.index + 1} com saídas diferentes (any)`,
            );
      hits.push({ row: row.index, outputs });
      this.record(`${t.name} · linha ${row.index + 1}`, `t:${t.name}:${row.index}`);
    }
    if (hits.length === 0) return;
    this.tablesHit.add(t.name);
    const ranked = () => hits.map((h) => ({ ...h, rank: rankOf(t, h.outputs) }));
    switch (t.hitPolicy) {
      case "unique":
      case "first":
      case "any":
        this.tables[t.name] = (hits[0] as (typeof hits)[number]).outputs;
        return;
      case "priority": {
        let best = ranked()[0] as ReturnType<typeof ranked>[number];
        for (const h of ranked()) if (lexicographic(h.rank, best.rank) < 0) best = h;
        this.tables[t.name] = best.outputs;
        return;
      }
      case "outputOrder":
        // Array.prototype.sort is stable: ties keep row order.
        this.tables[t.name] = ranked()
          .sort((a, b) => lexicographic(a.rank, b.rank))
          .map((h) => h.outputs);
        return;
      case "ruleOrder":
        this.tables[t.name] = hits.map((h) => h.outputs);
        return;
      case "collect":
        this.tables[t.name] = t.aggregate ? aggregate(t, hits) : hits.map((h) => h.outputs);
        return;
      default:
        assertNever(t.hitPolicy, "hit policy");
    }
  }

  // --- validations --------------------------------------------------------------------------

  private validations(): void {
    const v = this.model.validations;
    if (!v) return;
    v.items.forEach((item, i) => {
      if (!this.holds(item.when) || evaluate(item.require, this.env) === true) return;
      const violation = createRecord([
        [v.fieldKey, item.field],
        [v.messageKey, this.render(item.message, [])],
      ]);
      const list = this.decision[v.into];
      this.decision[v.into] = [...(Array.isArray(list) ? list : []), violation];
      this.record(`validação ${item.field}`, `v:${i}`);
    });
  }

  // --- transitions --------------------------------------------------------------------------

  private transitions(): void {
    const tr = this.model.transitions;
    if (!tr) return;
    const from = evaluate(tr.from, this.env);
    const to = evaluate(tr.to, this.env);
    const states = tr.states.map((s) => s.name);
    const terminal = tr.terminal.map((s) => s.name);
    const isState = (v: Value) => typeof v === "string" && states.includes(v);
    const { reasons, missing, allowed } = tr.outputs;
    const addOnce = (output: string, text: string) => {
      const list = Array.isArray(this.decision[output]) ? (this.decision[output] as Value[]) : [];
      if (!list.includes(text)) this.decision[output] = [...list, text];
    };
    const refuse = (template: TemplateDecl, name: string, ref: string) => {
      addOnce(reasons, this.render(template, []));
      this.record(name, ref);
    };
    if (!isState(from) || !isState(to)) refuse(tr.refusals.unknownState, "transição: estado desconhecido", "x:unknown");
    if (typeof from === "string" && terminal.includes(from))
      refuse(tr.refusals.terminal, "transição: estado terminal", "x:terminal");
    const edgeListed = tr.allow.some((a) => a.from === from && a.to === to);
    if (isState(from) && !terminal.includes(from as string) && isState(to) && !edgeListed)
      refuse(tr.refusals.notAllowed, "transição: não permitida", "x:notAllowed");
    tr.guards.forEach((g, i) => {
      if (evaluate(g.require, this.env) !== true)
        refuse(g.reason, `transição: condição geral ${i + 1}`, `x:guard:${i}`);
    });
    const isBlank = getFunction("isBlank");
    tr.allow.forEach((a, i) => {
      if (a.from !== from || a.to !== to) return;
      const edge = `transição ${a.from} → ${a.to}`;
      this.record(edge, `x:${i}`);
      a.requires.forEach((req, j) => {
        if (isBlank?.impl([evaluate(req.expr, this.env)], { zone: this.model.zone }) !== true) return;
        addOnce(missing, req.label);
        this.record(`${edge}: exige ${req.label}`, `x:${i}:req:${j}`);
      });
      a.guards.forEach((g, j) => {
        if (evaluate(g.require, this.env) !== true) refuse(g.reason, `${edge}: condição ${j + 1}`, `x:${i}:guard:${j}`);
      });
    });
    const missingNow = this.decision[missing];
    const hasMissing = Array.isArray(missingNow) && missingNow.length > 0;
    if (tr.refusals.missingFields && hasMissing) {
      const list = this.decision[reasons];
      this.decision[reasons] = [...(Array.isArray(list) ? list : []), this.render(tr.refusals.missingFields, [])];
    }
    const reasonsNow = this.decision[reasons];
    this.decision[allowed] = !(Array.isArray(reasonsNow) && reasonsNow.length > 0) && !hasMissing;
    this.record("transição: resultado", "x:result");
  }

  // --- rules --------------------------------------------------------------------------------

  private rules(): void {
    const order = this.model.rules.map((rule, i) => ({ rule, i }));
    // Higher priority first; equal priorities in the order written (a stable sort keeps it).
    order.sort((a, b) => b.rule.priority - a.rule.priority);
    if (this.options.flaw === "reverse-priority") order.reverse();
    for (const { rule, i } of order) {
      if (!this.holds(rule.when)) continue;
      for (const action of rule.then) this.act(action);
      this.record(rule.name, `r:${i}`);
      if (rule.stop && this.options.flaw !== "ignore-stop") break;
    }
  }

  private act(a: Action): void {
    const value = evaluate(a.value, this.env);
    let target: Record<string, Value> = this.decision;
    for (const key of a.target.slice(0, -1)) {
      if (!isRecord(target[key])) target[key] = createRecord();
      target = target[key] as Record<string, Value>;
    }
    const last = a.target[a.target.length - 1] as string;
    if (a.kind === "append") {
      const current = Object.hasOwn(target, last) ? target[last] : null;
      target[last] = [...(Array.isArray(current) ? current : []), value];
    } else target[last] = value;
  }

  // --- outputs ------------------------------------------------------------------------------

  outputJson(): Record<string, unknown> {
    return toJson(this.decision) as Record<string, unknown>;
  }

  private checkOutputs(): void {
    const json = this.outputJson();
    for (const key of Object.keys(json))
      if (!this.model.outputs.has(key)) throw new Defect(`a decisão tem "${key}", que não é uma saída`);
    for (const [name, o] of this.model.outputs) {
      const v = json[name];
      if (v === null || v === undefined) {
        if (!o.nullable) throw new Defect(`a saída "${name}" não aceita nulo`);
        continue;
      }
      const problem = outputProblem(v, o.decl);
      if (problem) throw new Defect(`a saída "${name}": ${problem}`);
    }
  }
}

/** A table's result before any hit: null (single hit), [] (lists), or count 0 / null per column (aggregate). */
function noHits(t: TableDecl): Value {
  if (t.aggregate) {
    const record = createRecord();
    for (const col of t.outputs) record[col.name] = t.aggregate === "count" ? 0 : null;
    return record;
  }
  return t.hitPolicy === "unique" || t.hitPolicy === "first" || t.hitPolicy === "any" || t.hitPolicy === "priority"
    ? null
    : [];
}

/** Per output column with an `outputValues` list (table order): the value's place in it, unlisted last. */
function rankOf(t: TableDecl, outputs: Record<string, Value>): number[] {
  const rank: number[] = [];
  for (const col of t.outputs) {
    const list = t.outputValues?.get(col.name)?.values;
    if (list === undefined) continue;
    let place = list.length;
    for (let i = list.length - 1; i >= 0; i--) if (valueEquals(outputs[col.name] ?? null, list[i] as Value)) place = i;
    rank.push(place);
  }
  return rank;
}

function lexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

/** `collect` + `aggregate` over the hits (in row order): one record, column by column. */
function aggregate(t: TableDecl, hits: readonly { row: number; outputs: Record<string, Value> }[]): Value {
  const record = createRecord();
  for (const col of t.outputs) {
    if (t.aggregate === "count") {
      record[col.name] = hits.length;
      continue;
    }
    const values = hits.map((h) => h.outputs[col.name] ?? null).filter((v) => v !== null);
    let result: Value = null;
    for (const v of values) {
      if (t.aggregate === "sum") {
        if (typeof v !== "number") throw new Defect(`tabela "${t.name}": "${col.name}" não numérico (sum)`);
        result = result === null ? v : (result as number) + v;
      } else if (result === null) result = v;
      else {
        const order = compareValues(v, result);
        if (order === undefined) throw new Defect(`tabela "${t.name}": "${col.name}" sem ordem (${t.aggregate})`);
        if (t.aggregate === "min" ? order < 0 : order > 0) result = v;
      }
    }
    record[col.name] = result;
  }
  return record;
}

/**
 * Whether a column expression is declared a list: a fact declared `list`, or a path through a list
 * (`contatos.canal`); false for a path to a declared non-list; undefined when the expression is not
 * a path over facts (the caller then looks at the value).
 */
function declaredList(e: Expr, model: RuleSetModel): boolean | undefined {
  const path: string[] = [];
  let cur = e;
  while (cur.kind === "member") {
    path.unshift(cur.property);
    cur = cur.object;
  }
  if (cur.kind !== "name") return undefined;
  let decl: TypeDecl | undefined = model.facts.get(cur.name)?.decl;
  if (!decl) return undefined;
  let throughList = false;
  for (const key of path) {
    while (decl?.type === "list") {
      throughList = true;
      decl = decl.items;
    }
    if (decl?.type !== "object") return undefined;
    decl = decl.fields ? decl.fields.get(key)?.decl : decl.values;
    if (!decl) return undefined;
  }
  return throughList || decl.type === "list";
}

/** Whether a table cell accepts the column's value (docs/language.md, "Células de entrada"). */
function cellMatches(cell: UnaryTest, column: Value, listColumn: boolean, env: EvalEnv): boolean {
  switch (cell.kind) {
    case "any":
      return true;
    case "compare": {
      const value = evaluate(cell.value, env);
      // On a list column, a one-value cell means "the list contains this value" (an absent list
      // contains nothing).
      if (listColumn && !Array.isArray(value) && cell.operator === "==")
        return Array.isArray(column) && column.some((x: Value) => valueEquals(x, value));
      return compare(cell.operator, column, value);
    }
    case "range":
      return (
        compare(cell.lowInclusive ? ">=" : ">", column, evaluate(cell.low, env)) &&
        compare(cell.highInclusive ? "<=" : "<", column, evaluate(cell.high, env))
      );
    case "oneOf":
      return cell.tests.some((t) => cellMatches(t, column, listColumn, env));
    case "not":
      return !cellMatches(cell.test, column, listColumn, env);
    default:
      return assertNever(cell, "table cell test");
  }
}

/** `==`/`!=` treat null as a value; an order comparison with null (or across types) is false. */
function compare(operator: "==" | "!=" | "<" | "<=" | ">" | ">=", a: Value, b: Value): boolean {
  if (operator === "==") return valueEquals(a, b);
  if (operator === "!=") return !valueEquals(a, b);
  if (a === null || b === null) return false;
  const c = compareValues(a, b);
  if (c === undefined) return false;
  switch (operator) {
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    default:
      return assertNever(operator, "comparison");
  }
}

/**
 * What is wrong with a (non-null) output value as JSON, by its declaration; undefined when it
 * conforms. Inside lists and objects, a null or a missing field is the language's "absent".
 */
function outputProblem(v: unknown, decl: TypeDecl): string | undefined {
  if (v === null) return undefined;
  switch (decl.type) {
    case "any":
      return undefined;
    case "string":
      if (typeof v !== "string") return "não é texto";
      return decl.enum && !decl.enum.includes(v) ? `"${v}" fora do enum` : undefined;
    case "number":
    case "integer":
      if (typeof v !== "number" || (decl.type === "integer" && !Number.isInteger(v))) return "não é número";
      if (decl.minimum !== undefined && v < decl.minimum) return "abaixo do mínimo";
      if (decl.maximum !== undefined && v > decl.maximum) return "acima do máximo";
      return undefined;
    case "boolean":
      return typeof v === "boolean" ? undefined : "não é booleano";
    case "date":
      return typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v) && parseDate(v) ? undefined : "não é data";
    case "date-time":
      return typeof v === "string" && isDateTimeText(v) ? undefined : "não é data-hora";
    case "duration":
      return typeof v === "string" && isDurationText(v) ? undefined : "não é duração";
    case "list": {
      if (!Array.isArray(v)) return "não é lista";
      if (decl.minItems !== undefined && v.length < decl.minItems) return "itens de menos";
      if (decl.maxItems !== undefined && v.length > decl.maxItems) return "itens demais";
      for (const item of v) {
        const p = decl.items ? outputProblem(item, decl.items) : undefined;
        if (p) return p;
      }
      return undefined;
    }
    case "object": {
      if (typeof v !== "object" || Array.isArray(v)) return "não é objeto";
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const field = decl.fields ? decl.fields.get(k)?.decl : decl.values;
        if (decl.fields && !field) return `campo "${k}" não declarado`;
        const p = field ? outputProblem(x, field) : undefined;
        if (p) return p;
      }
      return undefined;
    }
    default:
      return assertNever(decl.type, "type declaration");
  }
}
