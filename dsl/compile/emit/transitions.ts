/**
 * Transitions: the json-rules-engine rules that check a requested state change (unknown state,
 * terminal state, edge not allowed, general guards; per allowed edge: the edge itself, its
 * required fields and its guards; then the result), and the section naming the outputs they fill.
 */
import type { Range } from "../../diagnostics.js";
import type { Expr } from "../../syntax/ast.js";
import { IS_BLANK_OPERATOR, type CompiledRuleSet, type Condition } from "../compiled.js";
import { condition, exprRef, factPath, leaf } from "./conditions.js";
import { andAll, type EmitContext } from "./context.js";
import { compileTemplate } from "./templates.js";

/** Adds the transition rules, in evaluation order. */
export function emitTransitionRules(ctx: EmitContext): void {
  const tr = ctx.model.transitions;
  if (!tr) return;
  const states = tr.states.map((s) => s.name);
  const terminal = tr.terminal.map((s) => s.name);
  const is = (side: Expr, op: string, value: unknown): Condition => {
    const synthetic: Expr = {
      kind: "binary",
      operator: op as "==",
      left: side,
      right: jsonLiteral(value, side.range),
      range: side.range,
    };
    return condition(ctx, synthetic);
  };
  const edge = (from: string, to: string) => andAll(is(tr.from, "==", from), is(tr.to, "==", to));
  ctx.add(
    "transição: estado desconhecido",
    "x:unknown",
    { any: [is(tr.from, "not in", states), is(tr.to, "not in", states)] },
    { kind: "refuse", reason: compileTemplate(tr.refusals.unknownState) },
    tr.range,
    "estados da transição",
  );
  ctx.add(
    "transição: estado terminal",
    "x:terminal",
    is(tr.from, "in", terminal),
    { kind: "refuse", reason: compileTemplate(tr.refusals.terminal) },
    tr.range,
    "estados terminais",
  );
  const nonTerminal = states.filter((s) => !terminal.includes(s));
  ctx.add(
    "transição: não permitida",
    "x:notAllowed",
    andAll(is(tr.from, "in", nonTerminal), is(tr.to, "in", states), {
      not: { any: tr.allow.map((a) => edge(a.from, a.to)) },
    }),
    { kind: "refuse", reason: compileTemplate(tr.refusals.notAllowed) },
    tr.range,
    "transições permitidas",
  );
  tr.guards.forEach((g, i) => {
    ctx.add(
      `transição: condição geral ${i + 1}`,
      `x:guard:${i}`,
      { not: condition(ctx, g.require) },
      { kind: "refuse", reason: compileTemplate(g.reason) },
      g.range,
      "condição geral de transição",
    );
  });
  tr.allow.forEach((a, i) => {
    ctx.add(
      `transição ${a.from} → ${a.to}`,
      `x:${i}`,
      edge(a.from, a.to),
      { kind: "edge", from: a.from, to: a.to },
      a.range,
      `transição ${a.from} → ${a.to}`,
    );
    a.requires.forEach((req, j) => {
      const p = factPath(ctx, req.expr);
      const blank = p
        ? leaf(ctx, req.expr, { ...p, operator: IS_BLANK_OPERATOR, value: true })
        : leaf(ctx, req.expr, { ...exprRef(ctx, req.expr), operator: IS_BLANK_OPERATOR, value: true });
      ctx.add(
        `transição ${a.from} → ${a.to}: exige ${req.label}`,
        `x:${i}:req:${j}`,
        andAll(edge(a.from, a.to), blank),
        { kind: "missing", label: req.label },
        req.expr.range,
        `campo exigido ${req.label}`,
      );
    });
    a.guards.forEach((g, j) => {
      ctx.add(
        `transição ${a.from} → ${a.to}: condição ${j + 1}`,
        `x:${i}:guard:${j}`,
        andAll(edge(a.from, a.to), { not: condition(ctx, g.require) }),
        { kind: "refuse", reason: compileTemplate(g.reason) },
        g.range,
        `condição da transição ${a.from} → ${a.to}`,
      );
    });
  });
  ctx.add(
    "transição: resultado",
    "x:result",
    { all: [] },
    { kind: "transitionResult" },
    tr.range,
    "resultado da transição",
  );
}

/** The compiled transitions section (output names, missing-fields reason), or undefined without transitions. */
export function emitTransitions(ctx: EmitContext): CompiledRuleSet["transitions"] {
  const tr = ctx.model.transitions;
  if (!tr) return undefined;
  return {
    ...tr.outputs,
    ...(tr.refusals.missingFields ? { missingFields: compileTemplate(tr.refusals.missingFields) } : {}),
  };
}

/** A JSON value (state names and lists of them) as a literal expression at `range`. */
function jsonLiteral(value: unknown, range: Range): Expr {
  if (Array.isArray(value)) return { kind: "list", items: value.map((v) => jsonLiteral(v, range)), range };
  if (typeof value === "string") return { kind: "literal", literal: { type: "string", value }, range };
  if (typeof value === "number") return { kind: "literal", literal: { type: "number", value }, range };
  if (typeof value === "boolean") return { kind: "literal", literal: { type: "boolean", value }, range };
  return { kind: "literal", literal: { type: "null" }, range };
}
