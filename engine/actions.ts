/**
 * What each compiled action does to the decision: the event handler the engine calls when a rule
 * succeeds. A table row is folded into its table's result by the hit policy (`unique` refuses a
 * second row, `first` ignores it, `collect` appends), a rule's actions assign or append to the
 * decision in order (and `stop` halts the engine), validations, refusals and missing items add to
 * their lists, and the transition result decides `allowed`. Everything that fires is recorded.
 */
import type { Engine } from "json-rules-engine";
import { assertNever } from "../dsl/exhaustive.js";
import { evaluate } from "../dsl/evaluate.js";
import type { Expr } from "../dsl/syntax/ast.js";
import { createRecord, isRecord, valueEquals, type Value } from "../dsl/values.js";
import { DecisionError } from "./errors.js";
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
    default:
      assertNever(handler, "compiled handler kind");
  }
  run.touch();
  run.fired.push(name);
  run.firedRefs.push(ref);
}
