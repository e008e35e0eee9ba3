/**
 * Indexed decision tables: a table compiled with an index (`CompiledTable.index`, every cell a test
 * against constants) runs as ONE engine rule instead of one per row. Its condition is the table's
 * `when` guard and the `$tableIndex` fact, which evaluates each input column once, looks the
 * candidate rows up in a hash on the equality columns, tests the remaining cells of the candidates
 * only, and records the matching rows (in row order) in the run. When the rule succeeds,
 * `handleIndexedTable` folds those rows into the table's result through the row handler of
 * `actions.ts` (the same one the row rules use), so hit policies, the `unique`/`any`/aggregate
 * defects, `fired` and `firedRefs` (`t:<tabela>:<linha>`) are exactly as on the row-per-rule path
 * (`first` needs one matching row, `unique` two, every other policy all of them).
 *
 * The row rules stay in the compiled form: `createEngine` without indexes runs them (explain traces
 * and the `indexTables: false` compile option use that straightforward path).
 */
import type { Engine } from "json-rules-engine";
import {
  HAS_ROWS_OPERATOR,
  TABLE_INDEX_FACT,
  type CellTest,
  type CompiledRuleSet,
  type CompiledTable,
  type EngineRule,
} from "../dsl/compile/compiled.js";
import { assertNever } from "../dsl/exhaustive.js";
import { applyBinary, evaluate } from "../dsl/evaluate.js";
import type { Value } from "../dsl/values.js";
import { handle } from "./actions.js";
import { decodeValue } from "./operators.js";
import type { RunContext } from "./run-context.js";

/** The ref of an indexed table's engine rule (no handler: `handleIndexedTable` handles it). */
export const INDEX_REF_PREFIX = "ti:";

/** A cell test with its operands decoded once (dates as runtime values). */
type Test =
  | { readonly all: readonly Test[] }
  | { readonly any: readonly Test[] }
  | { readonly not: Test }
  | { readonly op: string; readonly value: Value };

/** A table's index, built once per runtime. */
export interface TableIndex {
  readonly table: CompiledTable;
  /** Per row, per column: the decoded test, or null for any value. */
  readonly tests: readonly (readonly (Test | null)[])[];
  readonly hash: readonly number[];
  /** Rows by the values of their hashed cells (one column: the value; more: their JSON). */
  readonly buckets: ReadonlyMap<unknown, readonly number[]>;
  /** Rows not in a bucket (a hashed cell is not `== literal`): tested on every decision. */
  readonly rest: readonly number[];
}

function decodeTest(c: CellTest, zone: string): Test {
  if ("all" in c) return { all: c.all.map((x) => decodeTest(x, zone)) };
  if ("any" in c) return { any: c.any.map((x) => decodeTest(x, zone)) };
  if ("not" in c) return { not: decodeTest(c.not, zone) };
  return { op: c.op, value: decodeValue(c.value, zone) };
}

function isPrimitive(v: unknown): v is string | number | boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

/** The key of hashed values (undefined when one is not a text, number or boolean: no bucket can match). */
function keyOf(values: readonly unknown[]): unknown {
  if (!values.every(isPrimitive)) return undefined;
  return values.length === 1 ? values[0] : JSON.stringify(values);
}

/** The indexes of the rule set's indexed tables, by table name. */
export function buildTableIndexes(compiled: CompiledRuleSet): ReadonlyMap<string, TableIndex> {
  const out = new Map<string, TableIndex>();
  for (const [name, table] of Object.entries(compiled.tables)) {
    const spec = table.index;
    if (!spec) continue;
    const tests = spec.cells.map((row) => row.map((c) => (c ? decodeTest(c, compiled.zone) : null)));
    const buckets = new Map<unknown, number[]>();
    const rest: number[] = [];
    for (const [r, row] of spec.cells.entries()) {
      const values: unknown[] = [];
      for (const i of spec.hash) {
        const c = row[i];
        if (c && "op" in c && c.op === "==" && isPrimitive(c.value)) values.push(c.value);
        else break;
      }
      const key = spec.hash.length > 0 && values.length === spec.hash.length ? keyOf(values) : undefined;
      if (key === undefined) {
        rest.push(r);
        continue;
      }
      const bucket = buckets.get(key);
      if (bucket) bucket.push(r);
      else buckets.set(key, [r]);
    }
    out.set(name, { table, tests, hash: spec.hash, buckets, rest });
  }
  return out;
}

function passes(t: Test, v: Value, zone: string): boolean {
  if ("all" in t) return t.all.every((x) => passes(x, v, zone));
  if ("any" in t) return t.any.some((x) => passes(x, v, zone));
  if ("not" in t) return !passes(t.not, v, zone);
  // As the native operator does (engine/operators.ts): the DSL operator on (column, constant).
  return applyBinary(t.op, v, t.value, zone) === true;
}

/** How many matching rows the hit policy needs (`unique`: a second one is the defect). */
function needed(table: CompiledTable): number {
  switch (table.hitPolicy) {
    case "first":
      return 1;
    case "unique":
      return 2;
    case "any":
    case "priority":
    case "ruleOrder":
    case "outputOrder":
    case "collect":
      return Number.POSITIVE_INFINITY;
    default:
      return assertNever(table.hitPolicy, "hit policy");
  }
}

/** The rows of an indexed table that match the run's facts, in row order (as many as the hit policy needs). */
export function matchRows(index: TableIndex, run: RunContext): number[] {
  const { table, tests } = index;
  const zone = run.compiled.zone;
  const values: (Value | undefined)[] = [];
  const column = (i: number): Value => {
    let v = values[i];
    if (v === undefined) {
      v = evaluate(table.inputs[i] as (typeof table.inputs)[number], run.env) ?? null;
      values[i] = v;
    }
    return v;
  };
  const bucket = index.hash.length > 0 ? index.buckets.get(keyOf(index.hash.map(column))) : undefined;
  const limit = needed(table);
  const matches: number[] = [];
  // The bucket's rows and the other rows, merged in row order.
  const a = bucket ?? [];
  const b = index.rest;
  let i = 0;
  let j = 0;
  while ((i < a.length || j < b.length) && matches.length < limit) {
    const r =
      j >= b.length || (i < a.length && (a[i] as number) < (b[j] as number)) ? (a[i++] as number) : (b[j++] as number);
    const row = tests[r] as readonly (Test | null)[];
    let ok = true;
    for (let c = 0; c < row.length && ok; c++) {
      const t = row[c];
      if (t) ok = passes(t, column(c), zone);
    }
    if (ok) matches.push(r);
  }
  return matches;
}

/** The `$tableIndex` fact: matches the table and records the rows in the run (for the handler). */
export function tableIndexFact(
  indexes: ReadonlyMap<string, TableIndex>,
  run: RunContext,
  table: string,
): readonly number[] {
  const index = indexes.get(table);
  const rows = index ? matchRows(index, run) : [];
  run.tableMatches.set(table, rows);
  return rows;
}

/** The operator of the index condition: the fact found rows. */
export function hasRows(a: unknown): boolean {
  return Array.isArray(a) && a.length > 0;
}

/** Folds the matched rows of an indexed table into the run, row by row, as their row rules would. */
export function handleIndexedTable(run: RunContext, table: string, engine: Engine): void {
  for (const r of run.tableMatches.get(table) ?? []) handle(run, `t:${table}:${r}`, engine);
}

/**
 * The engine rules of the indexed path: the compiled rules with each indexed table's row rules
 * replaced by one rule at the place (and priority) of its first row.
 */
export function indexedRules(compiled: CompiledRuleSet): EngineRule[] {
  const out: EngineRule[] = [];
  for (const rule of compiled.rules) {
    const handler = compiled.handlers[rule.event.params.ref];
    if (handler?.kind !== "row") {
      out.push(rule);
      continue;
    }
    const index = compiled.tables[handler.table]?.index;
    if (!index) {
      out.push(rule);
      continue;
    }
    if (handler.row !== 0) continue;
    const lookup = {
      fact: TABLE_INDEX_FACT,
      params: { table: handler.table },
      operator: HAS_ROWS_OPERATOR,
      value: true,
    };
    out.push({
      name: `${handler.table} · índice`,
      priority: rule.priority,
      conditions: { all: index.guard ? [index.guard, lookup] : [lookup] },
      event: { type: "dsl", params: { ref: `${INDEX_REF_PREFIX}${handler.table}` } },
    });
  }
  return out;
}
