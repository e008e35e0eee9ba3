/**
 * Decision tables: one json-rules-engine rule per row, whose conditions are the table's `when`
 * guard and the row's cells as conditions on the input columns; and the table itself (hit policy,
 * columns, rows without ranges), which the runtime uses to fold row hits into the table's value.
 */
import { assertNever } from "../../exhaustive.js";
import { stripRanges, type Expr, type UnaryTest } from "../../syntax/ast.js";
import type { CompiledTable, Condition } from "../compiled.js";
import { condition, constantJson } from "./conditions.js";
import { andAll, type EmitContext } from "./context.js";

/** Adds every table's row rules (tables in the order written) and returns the tables by name. */
export function emitTables(ctx: EmitContext): Record<string, CompiledTable> {
  const tableRecord: Record<string, CompiledTable> = {};
  for (const t of ctx.model.tables) {
    ctx.locate(`tb:${t.name}`, t.nameRange, `tabela ${t.name}`);
    const guard = t.when ? condition(ctx, t.when) : undefined;
    t.rows.forEach((row, r) => {
      const cells = row.inputs.map((test, i) => {
        const column = t.inputs[i]?.expr;
        if (!column || test.kind === "any") return undefined;
        return cellCondition(ctx, test, column, t.inputs[i]?.name ?? "");
      });
      ctx.add(
        `${t.name} · linha ${r + 1}`,
        `t:${t.name}:${r}`,
        andAll(guard, ...cells) ?? { all: [] },
        { kind: "row", table: t.name, row: r },
        row.range,
        `tabela ${t.name}, linha ${r + 1}`,
      );
    });
    const compiled = {
      hitPolicy: t.hitPolicy,
      inputs: t.inputs.map((c) =>
        stripRanges(c.expr ?? ({ kind: "literal", literal: { type: "null" }, range: t.range } as Expr)),
      ),
      inputNames: t.inputs.map((c) => c.name),
      outputs: t.outputs.map((c) => c.name),
      rows: t.rows.map((r) => ({ inputs: stripRanges(r.inputs), outputs: stripRanges(r.outputs) })),
    };
    tableRecord[t.name] = compiled;
  }
  return tableRecord;
}

/** A table cell as a condition: native when the column is a fact path and the cell literal. */
function cellCondition(ctx: EmitContext, test: UnaryTest, column: Expr, label: string): Condition {
  switch (test.kind) {
    case "any":
      return { all: [] };
    case "compare": {
      // On a list column, an equality cell means "the list contains this value".
      const listColumn = ctx.types.get(column)?.kind === "list" && ctx.types.get(test.value)?.kind !== "list";
      const operator = listColumn && test.operator === "==" ? "contains" : test.operator;
      const synthetic: Expr = { kind: "binary", operator, left: column, right: test.value, range: test.range };
      return condition(ctx, synthetic, label);
    }
    case "range": {
      const lo: Expr = {
        kind: "binary",
        operator: test.lowInclusive ? ">=" : ">",
        left: column,
        right: test.low,
        range: test.range,
      };
      const hi: Expr = {
        kind: "binary",
        operator: test.highInclusive ? "<=" : "<",
        left: column,
        right: test.high,
        range: test.range,
      };
      return { all: [condition(ctx, lo, label), condition(ctx, hi, label)] };
    }
    case "oneOf": {
      // All plain equalities with constants: one `in` condition.
      const values = test.tests.map((x) =>
        x.kind === "compare" && x.operator === "==" ? constantJson(ctx, x.value) : undefined,
      );
      if (ctx.types.get(column)?.kind !== "list" && values.every((v) => v !== undefined)) {
        const synthetic: Expr = {
          kind: "binary",
          operator: "in",
          left: column,
          right: { kind: "list", items: test.tests.map((x) => (x as { value: Expr }).value), range: test.range },
          range: test.range,
        };
        return condition(ctx, synthetic, label);
      }
      return { any: test.tests.map((x) => cellCondition(ctx, x, column, label)) };
    }
    case "not":
      return { not: cellCondition(ctx, test.test, column, label) };
    default:
      return assertNever(test, "table cell test");
  }
}
