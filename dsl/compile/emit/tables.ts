/**
 * Decision tables: one json-rules-engine rule per row, whose conditions are the table's `when`
 * guard and the row's cells as conditions on the input columns; and the table itself (hit policy,
 * columns, rows without ranges), which the runtime uses to fold row hits into the table's value.
 *
 * A table whose cells all test their column against constants also gets an index
 * (`CompiledTable.index`: each cell as a `CellTest`, and the columns to hash on): the runtime then
 * replaces its row rules by one engine rule that looks the matching rows up (engine/table-index.ts).
 * The row rules are still emitted: they are the straightforward path (and the explain trace's).
 */
import { assertNever } from "../../exhaustive.js";
import { stripRanges, type Expr, type UnaryTest } from "../../syntax/ast.js";
import {
  OPERATOR_NAMES,
  type CellTest,
  type CompiledTable,
  type CompiledTableIndex,
  type Condition,
} from "../compiled.js";
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
    const index = ctx.indexTables ? tableIndex(ctx, t, guard) : undefined;
    const noMatch = t.onNoMatch;
    const compiled: CompiledTable = {
      hitPolicy: t.hitPolicy,
      ...(t.aggregate ? { aggregate: t.aggregate } : {}),
      ...(t.outputValues
        ? {
            outputValues: Object.fromEntries(
              t.outputs.flatMap((o) => {
                const list = t.outputValues?.get(o.name);
                return list ? [[o.name, [...list.values]] as const] : [];
              }),
            ),
          }
        : {}),
      ...(noMatch ? { onNoMatch: noMatch.outputs.map((e) => (e ? stripRanges(e) : null)) } : {}),
      inputs: t.inputs.map((c) =>
        stripRanges(c.expr ?? ({ kind: "literal", literal: { type: "null" }, range: t.range } as Expr)),
      ),
      inputNames: t.inputs.map((c) => c.name),
      outputs: t.outputs.map((c) => c.name),
      rows: t.rows.map((r) => ({ inputs: stripRanges(r.inputs), outputs: stripRanges(r.outputs) })),
      ...(index ? { index } : {}),
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

type TableModel = EmitContext["model"]["tables"][number];

/** A comparison cell with a constant operand as a test, or undefined (see `cellTest`). */
function compareTest(ctx: EmitContext, operator: string, value: Expr): CellTest | undefined {
  const constant = constantJson(ctx, value);
  if (!constant || !OPERATOR_NAMES[operator]) return undefined;
  return { op: operator, value: constant.value };
}

/** The table's index, or undefined when a cell is not a test against constants (or a column is missing). */
function tableIndex(ctx: EmitContext, t: TableModel, guard: Condition | undefined): CompiledTableIndex | undefined {
  const cells: (CellTest | null)[][] = [];
  for (const row of t.rows) {
    const out: (CellTest | null)[] = [];
    for (const [i, test] of row.inputs.entries()) {
      const column = t.inputs[i]?.expr;
      if (!column) return undefined;
      if (test.kind === "any") {
        out.push(null);
        continue;
      }
      const cell = cellTest(ctx, test, column);
      if (!cell) return undefined;
      out.push(cell);
    }
    cells.push(out);
  }
  const hashable = (c: CellTest | null | undefined): boolean =>
    !!c && "op" in c && c.op === "==" && ["string", "number", "boolean"].includes(typeof c.value);
  const columns = t.inputs.map((_, i) => i);
  // Columns where every row tests equality with a literal, hashed together; else the one column
  // where most rows do (the others are tested on every decision).
  let hash = columns.filter((i) => cells.length > 0 && cells.every((row) => hashable(row[i])));
  if (hash.length === 0) {
    const counts = columns.map((i) => cells.filter((row) => hashable(row[i])).length);
    const best = counts.indexOf(Math.max(0, ...counts));
    hash = best >= 0 && (counts[best] ?? 0) > 0 ? [best] : [];
  }
  return { ...(guard ? { guard } : {}), cells, hash };
}

/**
 * A cell as a test with constant operands, mirroring `cellCondition` case by case (so the index
 * decides exactly as the row rule does); undefined when an operand is not constant or the
 * comparison has no native operator (it would be evaluated through `$expr`).
 */
function cellTest(ctx: EmitContext, test: UnaryTest, column: Expr): CellTest | undefined {
  switch (test.kind) {
    case "any":
      return { all: [] };
    case "compare": {
      const listColumn = ctx.types.get(column)?.kind === "list" && ctx.types.get(test.value)?.kind !== "list";
      return compareTest(ctx, listColumn && test.operator === "==" ? "contains" : test.operator, test.value);
    }
    case "range": {
      const lo = compareTest(ctx, test.lowInclusive ? ">=" : ">", test.low);
      const hi = compareTest(ctx, test.highInclusive ? "<=" : "<", test.high);
      return lo && hi ? { all: [lo, hi] } : undefined;
    }
    case "oneOf": {
      const values = test.tests.map((x) =>
        x.kind === "compare" && x.operator === "==" ? constantJson(ctx, x.value) : undefined,
      );
      if (ctx.types.get(column)?.kind !== "list" && values.every((v) => v !== undefined)) {
        return { op: "in", value: values.map((v) => v?.value) };
      }
      const items = test.tests.map((x) => cellTest(ctx, x, column));
      return items.every((x) => x !== undefined) ? { any: items as CellTest[] } : undefined;
    }
    case "not": {
      const inner = cellTest(ctx, test.test, column);
      return inner ? { not: inner } : undefined;
    }
    default:
      return assertNever(test, "table cell test");
  }
}
