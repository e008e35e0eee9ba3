/**
 * Expressions as json-rules-engine conditions, shared by every emitter that adds rules. Simple
 * comparisons become native conditions on facts (with a safe path); anything richer becomes a
 * condition on the `$expr` computed fact, whose expression is stored (without ranges) by id.
 * Every leaf condition gets a name and a source-map entry with its text (for traces).
 */
import { assertNever } from "../../exhaustive.js";
import { stripRanges, type Expr } from "../../syntax/ast.js";
import { DECISION_FACT, EXPR_FACT, IS_NULL_OPERATOR, OPERATOR_NAMES, TABLE_FACT, type Condition } from "../compiled.js";
import type { EmitContext } from "./context.js";

/** A leaf condition's fact side and comparison (everything but its name). */
export type LeafCondition = Omit<Extract<Condition, { fact: string }>, "name">;

/** A reference to the `$expr` fact evaluating `e` (stored in the rule set's expressions). */
export function exprRef(ctx: EmitContext, e: Expr): { fact: string; params: { id: string } } {
  const id = ctx.nextExpressionId();
  ctx.expressions[id] = stripRanges(e);
  return { fact: EXPR_FACT, params: { id } };
}

/** A fact reference for a plain path (`protocolo.campos.x`, `decision.y`, `tabela.col`), or undefined. */
export function factPath(
  ctx: EmitContext,
  e: Expr,
): { fact: string; path?: string; params?: Record<string, unknown> } | undefined {
  const segments: string[] = [];
  let cur = e;
  while (cur.kind === "member") {
    segments.unshift(cur.property);
    cur = cur.object;
  }
  if (cur.kind !== "name") return undefined;
  const root = cur.name;
  const sym = ctx.scope.lookup(root);
  const path = segments.length ? segments.join(".") : undefined;
  if (sym?.kind === "fact") return { fact: root, ...(path ? { path } : {}) };
  if (root === "decision" && segments.length) return { fact: DECISION_FACT, path: segments.join(".") };
  if (sym?.kind === "table") return { fact: TABLE_FACT, params: { table: root }, ...(path ? { path } : {}) };
  return undefined;
}

/** A literal (or constant) as JSON for a condition value, or undefined when not constant. */
export function constantJson(ctx: EmitContext, e: Expr): { value: unknown } | undefined {
  if (e.kind === "literal") {
    const l = e.literal;
    if (l.type === "null") return { value: null };
    if (l.type === "date") return { value: { $date: l.value } };
    if (l.type === "datetime") return { value: { $datetime: l.value } };
    if (l.type === "duration") return { value: { $duration: l.value } };
    return { value: l.value };
  }
  if (e.kind === "list") {
    const items = e.items.map((i) => constantJson(ctx, i));
    if (items.every((i) => i !== undefined)) return { value: items.map((i) => i?.value) };
    return undefined;
  }
  if (e.kind === "name" && ctx.scope.lookup(e.name)?.kind === "constant") {
    const c = ctx.model.constants.get(e.name);
    return c ? constantJson(ctx, c.expr) : undefined;
  }
  return undefined;
}

/** A leaf condition with its source-map entry; `column` prefixes a table cell's text in traces ("coluna: célula"). */
export function leaf(ctx: EmitContext, e: Expr, base: LeafCondition, column?: string): Condition {
  const name = ctx.nextConditionName();
  ctx.locate(name, e.range, "condição", true, column === undefined ? "" : `${column}: `);
  return { name, ...base };
}

/**
 * `leaf` for a fact side and a comparison: the same condition as `leaf(ctx, e, { ...side, operator,
 * value })` (keys in that order), built without the two spreads (a table compiles one per cell).
 */
function comparisonLeaf(
  ctx: EmitContext,
  e: Expr,
  side: { fact: string; path?: string; params?: Record<string, unknown> },
  operator: string,
  value: unknown,
  column: string | undefined,
): Condition {
  const name = ctx.nextConditionName();
  ctx.locate(name, e.range, "condição", true, column === undefined ? "" : `${column}: `);
  const c: Record<string, unknown> = { name, fact: side.fact };
  if ("params" in side) c.params = side.params;
  if ("path" in side) c.path = side.path;
  c.operator = operator;
  c.value = value;
  return c as unknown as Condition;
}

/** A boolean expression as a condition (`and`/`or`/`not` become all/any/not; leaves native when possible). */
export function condition(ctx: EmitContext, e: Expr, column?: string): Condition {
  switch (e.kind) {
    case "logical":
      return e.operator === "and"
        ? { all: e.operands.map((o) => condition(ctx, o, column)) }
        : { any: e.operands.map((o) => condition(ctx, o, column)) };
    case "unary":
      if (e.operator === "not") return { not: condition(ctx, e.operand, column) };
      break;
    case "literal":
      if (e.literal.type === "boolean" && e.literal.value === true) return { all: [] };
      break;
    case "isNull": {
      const p = factPath(ctx, e.operand);
      if (p) return leaf(ctx, e, { ...p, operator: IS_NULL_OPERATOR, value: !e.negated }, column);
      break;
    }
    case "binary": {
      const op = OPERATOR_NAMES[e.operator];
      if (!op) break;
      const left = factPath(ctx, e.left) ?? exprRef(ctx, e.left);
      const right = constantJson(ctx, e.right) ?? { value: factPath(ctx, e.right) ?? exprRef(ctx, e.right) };
      return comparisonLeaf(ctx, e, left, op, right.value, column);
    }
    case "member":
    case "name": {
      const p = factPath(ctx, e);
      if (p) return leaf(ctx, e, { ...p, operator: OPERATOR_NAMES["=="] as string, value: true }, column);
      break;
    }
    // No native form: evaluated by the `$expr` fact below.
    case "index":
    case "call":
    case "between":
    case "if":
    case "list":
    case "record":
    case "for":
    case "error":
      break;
    default:
      assertNever(e, "expression kind");
  }
  return leaf(ctx, e, { ...exprRef(ctx, e), operator: OPERATOR_NAMES["=="] as string, value: true }, column);
}
