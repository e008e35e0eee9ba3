/**
 * Decision tables: the `when` and every input column are typed, each input cell as a unary test
 * against its column's type, each output cell typed and, when the column is named like a decision
 * output, checked against that output's type and enum, and each `impossible` cell like an input
 * cell; then `table-analysis.ts` reports gaps, overlaps and rows that never apply over the
 * domains of the fact schema. The symbol of a table is its result (one record, or a list for
 * `collect`) with `rowType` for `rows(tabela)`. `checkTableGap` (run on rule actions) warns when a
 * table that may have no row feeds an output that does not accept null.
 */
import { isSingleHit, type TableDecl } from "../ruleset/model.js";
import type { Expr, UnaryTest } from "../syntax/ast.js";
import { walkExpr } from "../syntax/ast.js";
import { assignable, T, type Type, typeName, unify } from "../types.js";
import type { CheckContext } from "./context.js";
import { constantEvaluator } from "./domains.js";
import { analyseTable } from "./table-analysis.js";
import type { SymbolInfo } from "./typing.js";

export function tableSymbol(ctx: CheckContext, name: string): SymbolInfo {
  const t = ctx.model.tables.find((x) => x.name === name) as TableDecl;
  return { kind: "table", name, type: tableType(ctx, t), rowType: rowType(ctx, t) };
}

function tableType(ctx: CheckContext, t: TableDecl): Type {
  const fields: Record<string, Type> = Object.create(null);
  t.outputs.forEach((col, i) => {
    let ty: Type = T.null;
    for (const row of t.rows) {
      const cell = row.outputs[i];
      if (cell) ty = unify(ty, ctx.tc.infer(cell, ctx.scope));
    }
    fields[col.name] = ty.kind === "null" ? T.any : ty;
  });
  // Aggregating: one record; `count` counts rows, the others keep the column's type.
  if (t.aggregate) {
    if (t.aggregate === "count") for (const k of Object.keys(fields)) fields[k] = T.integer;
    return T.object(fields);
  }
  const record = T.object(fields);
  return isSingleHit(t.hitPolicy) ? record : T.list(record);
}

function rowType(ctx: CheckContext, t: TableDecl): Type {
  const fields: Record<string, Type> = Object.create(null);
  for (const c of t.inputs) fields[c.name] = c.expr ? ctx.tc.infer(c.expr, ctx.scope) : T.any;
  const out = tableType(ctx, t);
  const outFields = out.kind === "list" ? out.of : out;
  if (outFields.kind === "object" && outFields.fields) Object.assign(fields, outFields.fields);
  return T.object(fields);
}

export function checkTables(ctx: CheckContext): void {
  const { tc, scope, decisionFields } = ctx;
  const constantOf = constantEvaluator(ctx.model);
  for (const t of ctx.model.tables) {
    ctx.guarded(`a tabela ${t.name}`, t.nameRange, () => {
      if (t.when) tc.expect(t.when, scope, T.boolean, `"when" da tabela ${t.name}`);
      const columnTypes = t.inputs.map((c) => (c.expr ? tc.infer(c.expr, scope) : T.any));
      for (const row of t.rows) {
        for (const [i, test] of row.inputs.entries()) tc.unaryTest(test, columnTypes[i] ?? T.any, scope);
        for (const o of row.outputs) tc.infer(o, scope);
        // An output column named like a decision output must fit its type and enum.
        row.outputs.forEach((o, i) => {
          const col = t.outputs[i];
          const target = col ? decisionFields[col.name] : undefined;
          if (target && Object.hasOwn(decisionFields, col?.name ?? "")) {
            const ot = tc.types.get(o) ?? T.any;
            if (!assignable(ot, target))
              ctx.err(
                "check/type-mismatch",
                `a saída "${col?.name}" deve ser ${typeName(target)}, mas é ${typeName(ot)}`,
                o.range,
              );
            else tc.checkEnumLiteral(target, o);
          }
        });
      }
      for (const c of t.impossible)
        for (const [i, test] of c.inputs.entries()) tc.unaryTest(test, columnTypes[i] ?? T.any, scope);
      analyseTable(ctx, t, columnTypes, constantOf);
    });
  }
}

/**
 * `saida = tabela.coluna` into an output that does not accept null, from a `unique`/`first` table
 * that may have no row for the facts (the decision would then be a RULESET_DEFECT): a warning,
 * unless the rule's `when` reads the table (it guards the null) or the rows cover every input —
 * a row with `-` in every input, or a single input column over a fact that cannot be null whose
 * `enum` values (or `true` and `false`) all have a literal row.
 */
export function checkTableGap(ctx: CheckContext, value: Expr, output: string, when: Expr | undefined): void {
  if (value.kind !== "member" || value.object.kind !== "name") return;
  const tableName = value.object.name;
  const t = ctx.model.tables.find((x) => x.name === tableName);
  if (!t || t.hitPolicy === "collect" || tableCoversEveryInput(ctx, t)) return;
  let guarded = false;
  if (when) {
    walkExpr(when, (e) => {
      if (e.kind === "name" && e.name === tableName) guarded = true;
    });
  }
  if (guarded) return;
  ctx.warn(
    "table/gap",
    `a tabela "${tableName}" (política ${t.hitPolicy}) pode não ter linha para os fatos, e então "${output}" ficaria nulo, mas não aceita nulo (a decisão seria um defeito): acrescente uma linha com "-" nas entradas, teste "${tableName}.${value.property} is not null" no when ou use coalesce`,
    value.range,
  );
}

function tableCoversEveryInput(ctx: CheckContext, t: TableDecl): boolean {
  if (t.when) return false;
  if (t.rows.some((r) => r.inputs.every((u) => u.kind === "any"))) return true;
  const column = t.inputs.length === 1 ? t.inputs[0]?.expr : undefined;
  const fact = column?.kind === "name" ? ctx.model.facts.get(column.name) : undefined;
  if (!fact || fact.nullable) return false;
  const needed: readonly unknown[] | undefined =
    fact.decl.type === "boolean" ? [true, false] : fact.decl.type === "string" ? fact.decl.enum : undefined;
  if (!needed) return false;
  const covered = new Set<unknown>();
  const add = (u: UnaryTest): void => {
    if (
      u.kind === "compare" &&
      u.operator === "==" &&
      u.value.kind === "literal" &&
      (u.value.literal.type === "string" || u.value.literal.type === "boolean")
    )
      covered.add(u.value.literal.value);
    else if (u.kind === "oneOf") u.tests.forEach(add);
  };
  for (const r of t.rows) if (r.inputs[0]) add(r.inputs[0]);
  return needed.every((v) => covered.has(v));
}
