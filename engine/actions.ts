/**
 * What each compiled action does to the decision: the event handler the engine calls when a rule
 * succeeds. A table row is folded into its table's result by the hit policy (`foldRow`: `unique`
 * refuses a second row, `first` ignores it, `any` refuses a second row with other outputs,
 * `priority` keeps the row whose outputs rank first by `outputValues`, `ruleOrder` and `collect`
 * append, `outputOrder` inserts by rank, `collect` with `aggregate` folds the row's outputs into
 * the sum/min/max/count), a rule's actions assign or append to the decision in order (and `stop`
 * halts the engine), validations, refusals and missing items add to their lists, and the
 * transition result decides `allowed`. Everything that fires is recorded.
 *
 * Rows arrive in row order (row rules, or an indexed table's matches, engine/table-index.ts), so
 * the table's result after its last row is the policy's result over every matching row.
 */
import type { Engine } from "json-rules-engine";
import type { CompiledRuleSet, CompiledTable } from "../dsl/compile/compiled.js";
import { assertNever } from "../dsl/exhaustive.js";
import { evaluate } from "../dsl/evaluate.js";
import type { Expr } from "../dsl/syntax/ast.js";
import { compareValues, createRecord, isRecord, toDisplayText, valueEquals, type Value } from "../dsl/values.js";
import { DecisionError, type ErrorDetail } from "./errors.js";
import type { RunContext } from "./run-context.js";

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

/** The value at `path` in a record; null when a step is missing or not a record. */
function readPath(target: Record<string, Value>, path: readonly string[]): Value {
  let cur: Value = target;
  for (const k of path) {
    if (!isRecord(cur)) return null;
    cur = Object.hasOwn(cur, k) ? (cur[k] ?? null) : null;
  }
  return cur;
}

/** Applies the event of the rule `ref` (a rule, table row, validation, transition...) to the run. */
export function handle(run: RunContext, ref: string, engine: Engine): void {
  const c = run.compiled;
  const handler = c.handlers[ref];
  if (!handler) return;
  const name = run.names.get(ref) ?? ref;
  switch (handler.kind) {
    case "row": {
      const table = c.tables[handler.table];
      if (!table) return;
      if (!foldRow(run, table, handler.table, handler.row, ref)) return;
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
    default:
      assertNever(handler, "compiled handler kind");
  }
  run.touch();
  run.fired.push(name);
  run.firedRefs.push(ref);
}

/** Where row `row` (0-based) of `table` is written, as a RULESET_DEFECT detail. */
function rowDetail(c: CompiledRuleSet, table: string, row: number, message = `linha ${row + 1}`): ErrorDetail[] {
  const at = c.sourceMap[`t:${table}:${row}`];
  return at ? [{ ruleset: c.name, table, row: row + 1, message, line: at.line, column: at.column }] : [];
}

/**
 * Each output column's rank by `outputValues` (the index of the value in the column's list, or the
 * list's length for a value not in it), for the columns that have a list, in the table's order.
 */
export function outputRank(table: CompiledTable, record: Value): number[] {
  const lists = table.outputValues;
  if (!lists || !isRecord(record)) return [];
  const out: number[] = [];
  for (const o of table.outputs) {
    const list = Object.hasOwn(lists, o) ? lists[o] : undefined;
    if (!list) continue;
    const v = record[o] ?? null;
    const i = list.findIndex((x) => valueEquals(v, x as Value));
    out.push(i < 0 ? list.length : i);
  }
  return out;
}

/** Negative when `a` comes first by `outputValues`, 0 when they tie. */
function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The policy of a table as messages name it (`collect sum` for an aggregating table). */
export function policyLabel(table: CompiledTable): string {
  return table.aggregate ? `${table.hitPolicy} ${table.aggregate}` : table.hitPolicy;
}

/**
 * Folds the matching row `row` of `table` into the table's result by its hit policy; false when
 * the row is ignored (`first`: an earlier row was chosen) and so does not fire. Throws the
 * RULESET_DEFECT of `unique` (a second matching row), `any` (a matching row whose outputs differ
 * from the first's) and aggregations (a non-number summed, values min/max cannot compare).
 */
function foldRow(run: RunContext, table: CompiledTable, name: string, row: number, ref: string): boolean {
  const c = run.compiled;
  const hits = run.tableHits.get(name) ?? [];
  const first = hits[0];
  if (table.hitPolicy === "first" && first !== undefined) {
    run.ignoredRows.add(ref);
    return false;
  }
  if (table.hitPolicy === "unique" && first !== undefined)
    throw new DecisionError(
      "RULESET_DEFECT",
      `a tabela "${name}" (política unique) tem mais de uma linha válida para estes fatos: linhas ${first + 1} e ${row + 1}`,
      [...rowDetail(c, name, first), ...rowDetail(c, name, row)],
    );
  const cells = table.rows[row]?.outputs ?? [];
  const result = createRecord(
    table.outputs.map((o, i) => [o, cells[i] ? evaluate(cells[i] as Expr, run.env) : null] as const),
  );
  const current = run.tables[name] ?? null;
  if (table.hitPolicy === "any" && first !== undefined) {
    const kept = isRecord(current) ? current : createRecord();
    if (!table.outputs.every((o) => valueEquals(kept[o] ?? null, result[o] ?? null)))
      throw new DecisionError(
        "RULESET_DEFECT",
        `a tabela "${name}" (política any) tem linhas válidas com saídas diferentes para estes fatos: linhas ${first + 1} e ${row + 1}`,
        [...rowDetail(c, name, first), ...rowDetail(c, name, row)],
      );
  }
  if (table.aggregate) run.tables[name] = aggregateRow(run, table, name, row, current, result, hits.length === 0);
  else
    switch (table.hitPolicy) {
      case "unique":
      case "first":
        run.tables[name] = result;
        break;
      case "any":
        if (first === undefined) run.tables[name] = result;
        break;
      case "priority": {
        const chosen = run.chosenRows.get(name);
        if (chosen === undefined || compareRanks(outputRank(table, result), outputRank(table, current)) < 0) {
          if (chosen !== undefined) run.lostRows.add(`t:${name}:${chosen}`);
          run.chosenRows.set(name, row);
          run.tables[name] = result;
        } else run.lostRows.add(ref);
        break;
      }
      case "ruleOrder":
      case "collect":
        run.tables[name] = [...(Array.isArray(current) ? current : []), result];
        break;
      case "outputOrder": {
        const list = Array.isArray(current) ? [...current] : [];
        const rank = outputRank(table, result);
        // After every record that ranks first or ties (stable: ties keep row order).
        let at = list.length;
        for (let i = 0; i < list.length; i++)
          if (compareRanks(rank, outputRank(table, list[i] ?? null)) < 0) {
            at = i;
            break;
          }
        list.splice(at, 0, result);
        run.tables[name] = list;
        break;
      }
      default:
        assertNever(table.hitPolicy, "hit policy");
    }
  hits.push(row);
  run.tableHits.set(name, hits);
  return true;
}

/**
 * The aggregate of a `collect` table with row `row`'s outputs folded in: per output column the sum,
 * minimum or maximum of the non-null values so far (null while there are none), or the number of
 * matching rows (`count`).
 */
function aggregateRow(
  run: RunContext,
  table: CompiledTable,
  name: string,
  row: number,
  current: Value,
  result: Record<string, Value>,
  firstRow: boolean,
): Value {
  const c = run.compiled;
  const before = !firstRow && isRecord(current) ? current : createRecord();
  const out = createRecord();
  for (const o of table.outputs) {
    const acc = before[o] ?? null;
    const v = result[o] ?? null;
    switch (table.aggregate) {
      case "count":
        out[o] = (typeof acc === "number" && !firstRow ? acc : 0) + 1;
        break;
      case "sum":
        if (v !== null && typeof v !== "number") {
          const message = `a linha ${row + 1} da tabela "${name}" (política collect sum) dá a "${o}" um valor que não é número: ${toDisplayText(v)}`;
          throw new DecisionError("RULESET_DEFECT", message, rowDetail(c, name, row, message));
        }
        out[o] = v === null ? acc : acc === null ? v : (acc as number) + v;
        break;
      case "min":
      case "max": {
        if (v === null || acc === null) {
          out[o] = v ?? acc;
          break;
        }
        const order = compareValues(v, acc);
        if (order === undefined) {
          const message = `a linha ${row + 1} da tabela "${name}" (política collect ${table.aggregate}) dá a "${o}" um valor que não se compara com os das linhas anteriores: ${toDisplayText(v)}`;
          throw new DecisionError("RULESET_DEFECT", message, rowDetail(c, name, row, message));
        }
        out[o] = (table.aggregate === "min" ? order < 0 : order > 0) ? v : acc;
        break;
      }
      default:
        out[o] = null;
    }
  }
  return out;
}
