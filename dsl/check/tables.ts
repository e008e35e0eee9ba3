/**
 * Decision tables: the `when` and every input column are typed, each input cell as a unary test
 * against its column's type, each output cell typed and, when the column is named like a decision
 * output, checked against that output's type and enum; `unique` tables must not have two rows that
 * match the same input (overlaps). The symbol of a table is its result (one record, or a list for
 * `collect`) with `rowType` for `rows(tabela)`. `checkTableGap` (run on rule actions) warns when a
 * table that may have no row feeds an output that does not accept null.
 */
import { createError } from "../diagnostics.js";
import type { TableDecl } from "../ruleset/model.js";
import type { Expr, UnaryTest } from "../syntax/ast.js";
import { walkExpr } from "../syntax/ast.js";
import { assignable, T, type Type, typeName, unify } from "../types.js";
import type { Value } from "../values.js";
import type { CheckContext } from "./context.js";
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
  const record = T.object(fields);
  return t.hitPolicy === "collect" ? T.list(record) : record;
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
      if (t.hitPolicy === "unique") checkOverlaps(ctx, t);
    });
  }
}

/** For `unique` tables: two rows whose input cells are all literal-or-any and can match the same input. */
function checkOverlaps(ctx: CheckContext, t: TableDecl): void {
  const literalSet = (u: UnaryTest): Value[] | "any" | undefined => {
    if (u.kind === "any") return "any";
    if (
      u.kind === "compare" &&
      u.operator === "==" &&
      u.value.kind === "literal" &&
      u.value.literal.type !== "date" &&
      u.value.literal.type !== "datetime" &&
      u.value.literal.type !== "duration"
    ) {
      return [u.value.literal.type === "null" ? null : u.value.literal.value];
    }
    if (u.kind === "oneOf") {
      const parts = u.tests.map(literalSet);
      if (parts.some((p) => p === undefined)) return undefined;
      if (parts.includes("any")) return "any";
      return (parts as Value[][]).flat();
    }
    return undefined;
  };
  const sets = t.rows.map((r) => r.inputs.map(literalSet));
  for (const [i, j] of overlappingRowPairs(sets)) {
    const row = t.rows[j];
    const first = t.rows[i];
    if (row && first) {
      ctx.report(
        createError(
          "table/overlap",
          `as linhas ${i + 1} e ${j + 1} da tabela "${t.name}" (política unique) valem para as mesmas entradas: use hitPolicy first ou torne-as exclusivas`,
          row.range,
          [{ message: `linha ${i + 1}`, range: first.range }],
        ),
      );
    }
  }
}

/** A row's input cells for the overlap check: literal values, any (`-`), or undefined (not literal). */
export type OverlapCell = readonly Value[] | "any" | undefined;

/** Whether two rows can match the same input: every column any on one side or sharing a value. */
function rowsOverlap(a: readonly OverlapCell[], b: readonly OverlapCell[]): boolean {
  return a.every((ca, k) => {
    const cb = b[k];
    if (ca === undefined || cb === undefined) return false;
    if (ca === "any" || cb === "any") return true;
    return ca.some((x) => cb.some((y) => x === y));
  });
}

/**
 * The pairs of rows (i < j, in order of i then j) that overlap, without testing every pair. Rows
 * with a non-literal cell overlap nothing. Rows with one value in every cell ("simple") can only
 * overlap a simple row with the same values: they are grouped by their values. Every pair with
 * another row (some any or several values) is found through one column (the one with the fewest
 * any cells): the rows sharing one of its values there, or any there, or every row when it is
 * any there. Each candidate pair is then tested as before, so the hashing only has to keep every
 * overlapping pair among the candidates (its keys can only merge values that `===` tells apart).
 */
export function overlappingRowPairs(sets: readonly (readonly OverlapCell[])[]): [number, number][] {
  const valid: number[] = [];
  sets.forEach((cells, i) => {
    if (cells.every((c) => c !== undefined)) valid.push(i);
  });
  const n = sets.length;
  const candidates = new Set<number>();
  const pair = (a: number, b: number): void => {
    if (a !== b) candidates.add(a < b ? a * n + b : b * n + a);
  };
  const width = sets[0]?.length ?? 0;
  const groups = new Map<string, number[]>();
  const others: number[] = [];
  for (const i of valid) {
    const key = simpleKey(sets[i] as readonly OverlapCell[]);
    if (key === undefined || width === 0) others.push(i);
    else {
      const group = groups.get(key);
      if (group) group.push(i);
      else groups.set(key, [i]);
    }
  }
  for (const group of groups.values())
    for (let a = 0; a < group.length; a++)
      for (let b = a + 1; b < group.length; b++) pair(group[a] as number, group[b] as number);
  if (others.length > 0) {
    let column = 0;
    let fewestAny = Number.POSITIVE_INFINITY;
    for (let k = 0; k < width; k++) {
      let anys = 0;
      for (const i of valid) if (sets[i]?.[k] === "any") anys++;
      if (anys < fewestAny) {
        fewestAny = anys;
        column = k;
      }
    }
    const byValue = new Map<Value, number[]>();
    const anyRows: number[] = [];
    for (const i of valid) {
      const cell = sets[i]?.[column];
      if (width === 0 || cell === "any" || cell === undefined) anyRows.push(i);
      else
        for (const v of new Set(cell)) {
          const list = byValue.get(v);
          if (list) list.push(i);
          else byValue.set(v, [i]);
        }
    }
    for (const j of others) {
      const cell = sets[j]?.[column];
      if (width === 0 || cell === "any" || cell === undefined) {
        for (const i of valid) pair(i, j);
        continue;
      }
      for (const i of anyRows) pair(i, j);
      for (const v of cell) for (const i of byValue.get(v) ?? []) pair(i, j);
    }
  }
  const pairs: [number, number][] = [];
  for (const c of candidates) {
    const i = Math.floor(c / n);
    const j = c - i * n;
    if (rowsOverlap(sets[i] as readonly OverlapCell[], sets[j] as readonly OverlapCell[])) pairs.push([i, j]);
  }
  return pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** The key of a row with exactly one value in every cell (type and value per column), else undefined. */
function simpleKey(cells: readonly OverlapCell[]): string | undefined {
  const parts: string[] = [];
  for (const c of cells) {
    if (c === undefined || c === "any" || c.length !== 1) return undefined;
    const v = c[0];
    parts.push(v === null ? "null" : `${typeof v}:${String(v)}`);
  }
  return parts.join("\u0000");
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
