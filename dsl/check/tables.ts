/**
 * Decision tables: the `when` and every input column are typed, each input cell as a unary test
 * against its column's type, each output cell (of the rows and of `onNoMatch`) typed and, when the
 * column is named like a decision output, checked against that output's type and enum, and
 * against the column's `outputValues` when it declares them; each `impossible` cell like an input
 * cell. The hit policy's needs are checked (`priority`/`outputOrder` need `outputValues`;
 * `aggregate: sum` numbers, `min`/`max` values of one orderable kind). Then `table-analysis.ts`
 * reports gaps, overlaps and rows that never apply, per policy, over the domains of the fact
 * schema. The symbol of a table is its result (one record for single-hit policies and aggregates,
 * a list for the others) with `rowType` for `rows(tabela)`. `checkTableGap` (run on rule actions)
 * warns when a single-hit table that may have no row feeds an output that does not accept null.
 */
import { isSingleHit, type TableDecl } from "../ruleset/model.js";
import type { Expr, UnaryTest } from "../syntax/ast.js";
import { walkExpr } from "../syntax/ast.js";
import { assignable, isNumeric, T, type Type, typeName, unify } from "../types.js";
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
  const { tc, scope } = ctx;
  const constantOf = constantEvaluator(ctx.model);
  for (const t of ctx.model.tables) {
    ctx.guarded(`a tabela ${t.name}`, t.nameRange, () => {
      if (t.when) tc.expect(t.when, scope, T.boolean, `"when" da tabela ${t.name}`);
      const columnTypes = t.inputs.map((c) => (c.expr ? tc.infer(c.expr, scope) : T.any));
      for (const row of t.rows) {
        for (const [i, test] of row.inputs.entries()) tc.unaryTest(test, columnTypes[i] ?? T.any, scope);
        for (const o of row.outputs) tc.infer(o, scope);
        for (const [i, o] of row.outputs.entries()) checkOutputCell(ctx, t, i, o);
      }
      // onNoMatch's cells are output cells too: typed, and checked against a decision output.
      if (t.onNoMatch)
        t.onNoMatch.outputs.forEach((o, i) => {
          if (!o) return;
          const ty = tc.infer(o, scope);
          checkOutputCell(ctx, t, i, o);
          // Its value takes the place of a row's: it must fit the type the rows give the column.
          let rowsType: Type = T.null;
          for (const row of t.rows) {
            const cell = row.outputs[i];
            if (cell) rowsType = unify(rowsType, tc.types.get(cell) ?? T.any);
          }
          const col = t.outputs[i]?.name ?? "";
          if (
            !Object.hasOwn(ctx.decisionFields, col) &&
            !t.aggregate &&
            !assignable(ty, rowsType) &&
            !assignable(rowsType, ty)
          )
            ctx.err(
              "check/type-mismatch",
              `a saída ${columnTitle(t, col)} de onNoMatch é ${typeName(ty)}, mas as linhas da tabela ${tableTitle(t)} dão ${typeName(rowsType)} nessa coluna`,
              o.range,
            );
        });
      for (const c of t.impossible)
        for (const [i, test] of c.inputs.entries()) tc.unaryTest(test, columnTypes[i] ?? T.any, scope);
      checkHitPolicy(ctx, t);
      analyseTable(ctx, t, columnTypes, constantOf);
    });
  }
}

/** A table's name for messages: with its DMN label when it has one (`t ("Approval Status")`). */
function tableTitle(t: TableDecl): string {
  return t.label ? `"${t.name}" ("${t.label}")` : `"${t.name}"`;
}

/** An output column's name for messages, with its label when it has one. */
function columnTitle(t: TableDecl, column: string): string {
  const label = t.labels?.get(column);
  return label ? `"${column}" ("${label}")` : `"${column}"`;
}

/**
 * An output cell (a row's or onNoMatch's) of output column `i`: when the column is named like a
 * decision output it must fit that output's type and enum; a literal must be one of the column's
 * `outputValues` when it declares them (DMN's output values constrain the outputs; null — no
 * value — is not checked).
 */
function checkOutputCell(ctx: CheckContext, t: TableDecl, i: number, o: Expr): void {
  const { tc, decisionFields } = ctx;
  const col = t.outputs[i];
  if (!col) return;
  const target = Object.hasOwn(decisionFields, col.name) ? decisionFields[col.name] : undefined;
  if (target) {
    const ot = tc.types.get(o) ?? T.any;
    if (!assignable(ot, target))
      ctx.err(
        "check/type-mismatch",
        `a saída "${col.name}" deve ser ${typeName(target)}, mas é ${typeName(ot)}`,
        o.range,
      );
    else tc.checkEnumLiteral(target, o);
  }
  const allowed = t.outputValues?.get(col.name);
  if (allowed && o.kind === "literal" && o.literal.type !== "null") {
    const value = o.literal.value;
    if (!allowed.values.some((v) => v === value))
      ctx.err(
        "table/shape",
        `o valor ${JSON.stringify(value)} não está em outputValues da saída ${columnTitle(t, col.name)} da tabela ${tableTitle(t)} (${allowed.values.map((v) => JSON.stringify(v)).join(", ")}): use um deles ou acrescente-o à lista`,
        o.range,
      );
  }
}

/** Kinds of values `min` and `max` can order (numbers together, dates and date-times together). */
function orderGroup(ty: Type): string | undefined {
  switch (ty.kind) {
    case "number":
    case "integer":
      return "número";
    case "string":
      return "texto";
    case "date":
    case "datetime":
      return "data";
    case "duration":
      return "duração";
    default:
      return undefined;
  }
}

/**
 * What a hit policy needs of the table: `priority` and `outputOrder` order rows by `outputValues`
 * (at least one output column must declare them); `aggregate: sum` adds numbers, `min`/`max`
 * compare values of one orderable kind, and `count` gives integers (onNoMatch's cells are the
 * aggregated result, so they are held to the same rule).
 */
function checkHitPolicy(ctx: CheckContext, t: TableDecl): void {
  const { tc } = ctx;
  if ((t.hitPolicy === "priority" || t.hitPolicy === "outputOrder") && !(t.outputValues && t.outputValues.size > 0))
    ctx.err(
      "table/shape",
      `a tabela ${tableTitle(t)} tem hitPolicy: ${t.hitPolicy}, que ordena as linhas pela ordem dos valores de saída, mas nenhuma saída declara outputValues: acrescente outputValues: { ${t.outputs[0]?.name ?? "saida"}: [valor de maior prioridade, ...] }`,
      t.hitPolicyRange ?? t.nameRange,
    );
  const aggregate = t.aggregate;
  if (!aggregate) return;
  t.outputs.forEach((col, i) => {
    const cells: Expr[] = t.rows.map((r) => r.outputs[i]).filter((o): o is Expr => o !== undefined);
    const noMatch = t.onNoMatch?.outputs[i];
    const typeOf = (o: Expr): Type => tc.types.get(o) ?? T.any;
    const isNull = (ty: Type): boolean => ty.kind === "null" || ty.kind === "any";
    if (aggregate === "count") {
      if (noMatch && !isNull(typeOf(noMatch)) && typeOf(noMatch).kind !== "integer")
        ctx.err(
          "table/shape",
          `com aggregate: count, o resultado da saída ${columnTitle(t, col.name)} é um número de linhas: em onNoMatch use um inteiro (é o resultado quando nenhuma linha vale), não ${typeName(typeOf(noMatch))}`,
          noMatch.range,
        );
      return;
    }
    if (noMatch) cells.push(noMatch);
    if (aggregate === "sum") {
      for (const o of cells) {
        const ty = typeOf(o);
        if (isNull(ty) || isNumeric(ty)) continue;
        ctx.err(
          "table/shape",
          `aggregate: sum soma a saída ${columnTitle(t, col.name)} da tabela ${tableTitle(t)}, mas este valor é ${typeName(ty)}: use números (ou outra agregação)`,
          o.range,
        );
      }
      return;
    }
    // min / max: every value of one orderable kind.
    let kind: string | undefined;
    let kindName = "";
    for (const o of cells) {
      const ty = typeOf(o);
      if (isNull(ty)) continue;
      const group = orderGroup(ty);
      if (!group) {
        ctx.err(
          "table/shape",
          `aggregate: ${aggregate} compara os valores da saída ${columnTitle(t, col.name)} da tabela ${tableTitle(t)}, mas ${typeName(ty)} não tem ordem: use números, textos, datas ou durações`,
          o.range,
        );
        continue;
      }
      if (kind === undefined) {
        kind = group;
        kindName = typeName(ty);
      } else if (group !== kind)
        ctx.err(
          "table/shape",
          `aggregate: ${aggregate} compara os valores da saída ${columnTitle(t, col.name)} da tabela ${tableTitle(t)}: as linhas anteriores dão ${kindName}, este valor é ${typeName(ty)} (valores de tipos diferentes não se comparam)`,
          o.range,
        );
    }
  });
}

/**
 * `saida = tabela.coluna` into an output that does not accept null, from a single-hit table
 * (`unique`, `first`, `any`, `priority`) that may have no row for the facts and no onNoMatch
 * value for the column (the decision would then be a RULESET_DEFECT): a warning,
 * unless the rule's `when` reads the table (it guards the null) or the rows cover every input —
 * a row with `-` in every input, or a single input column over a fact that cannot be null whose
 * `enum` values (or `true` and `false`) all have a literal row.
 */
export function checkTableGap(ctx: CheckContext, value: Expr, output: string, when: Expr | undefined): void {
  if (value.kind !== "member" || value.object.kind !== "name") return;
  const tableName = value.object.name;
  const t = ctx.model.tables.find((x) => x.name === tableName);
  if (!t || !isSingleHit(t.hitPolicy) || tableCoversEveryInput(ctx, t)) return;
  // onNoMatch gives this column a value when no row matches: no null from here.
  const col = t.outputs.findIndex((c) => c.name === value.property);
  const fallback = col >= 0 ? t.onNoMatch?.outputs[col] : undefined;
  if (fallback && !(fallback.kind === "literal" && fallback.literal.type === "null")) return;
  let guarded = false;
  if (when) {
    walkExpr(when, (e) => {
      if (e.kind === "name" && e.name === tableName) guarded = true;
    });
  }
  if (guarded) return;
  const label = ctx.model.outputs.get(output)?.label;
  ctx.warn(
    "table/gap",
    `a tabela ${tableTitle(t)} (política ${t.hitPolicy}) pode não ter linha para os fatos, e então "${output}"${label ? ` ("${label}")` : ""} ficaria nulo, mas não aceita nulo (a decisão seria um defeito): acrescente uma linha com "-" nas entradas, teste "${tableName}.${value.property} is not null" no when ou use coalesce`,
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
