/**
 * Rules and their actions: rule names are unique, `when` is a condition, and each `then` action
 * writes a declared output (never an input fact) with a value of its type and enum (`+=` appends
 * to a list output); a null into an output that does not accept it is an error, and a table that
 * may have no row feeding such an output is a warning (`checkTableGap`).
 */
import { createError, didYouMean, type Range } from "../diagnostics.js";
import { assertNever } from "../exhaustive.js";
import { typeOfDecl } from "../ruleset/model.js";
import type { Action, Expr } from "../syntax/ast.js";
import { assignable, T, typeName } from "../types.js";
import type { CheckContext } from "./context.js";
import { checkTableGap } from "./tables.js";

export function checkRules(ctx: CheckContext): void {
  const { tc, scope } = ctx;
  const ruleNames = new Map<string, Range>();
  for (const r of ctx.model.rules) {
    ctx.guarded(`a regra ${r.name}`, r.nameRange, () => {
      const prev = ruleNames.get(r.name);
      if (prev)
        ctx.report(
          createError("ruleset/duplicate-name", `já existe uma regra chamada "${r.name}"`, r.nameRange, [
            { message: "primeira regra com este nome", range: prev },
          ]),
        );
      else ruleNames.set(r.name, r.nameRange);
      if (r.when) tc.expect(r.when, scope, T.boolean, `"when" da regra "${r.name}"`);
      for (const a of r.then) checkAction(ctx, a, r.when);
    });
  }
}

function checkAction(ctx: CheckContext, a: Action, when?: Expr): void {
  const { model, tc, scope: globalScope } = ctx;
  const [head, ...rest] = a.target;
  const assigned = head !== undefined && rest.length === 0 ? model.outputs.get(head) : undefined;
  if (assigned) tc.markBareWords(a.value, typeOfDecl(assigned.decl), globalScope);
  const valueType = tc.infer(a.value, globalScope);
  if (!head) return;
  const out = model.outputs.get(head);
  if (!out) {
    const isInput = model.facts.has(head);
    const hint = isInput
      ? ` "${head}" é um fato de entrada; fatos não podem ser alterados. Declare uma saída em outputs.`
      : didYouMean(head, model.outputs.keys());
    ctx.err(
      isInput ? "check/assign-input" : "check/unknown-output",
      `saída desconhecida "${head}".${hint}`,
      a.targetRange,
    );
    return;
  }
  let target = typeOfDecl(out.decl);
  for (const field of rest) target = tc.memberType(target, field, a.targetRange);
  switch (a.kind) {
    case "append":
      if (target.kind !== "list") {
        ctx.err(
          "check/type-mismatch",
          `'+=' acrescenta a uma lista, mas "${a.target.join(".")}" é ${typeName(target)}`,
          a.targetRange,
        );
        return;
      }
      if (!assignable(valueType, target.of))
        ctx.err(
          "check/type-mismatch",
          `"${a.target.join(".")}" é ${typeName(target)}, mas o valor acrescentado é ${typeName(valueType)}`,
          a.value.range,
        );
      else tc.checkEnumLiteral(target.of, a.value);
      return;
    case "assign":
      if (!assignable(valueType, target))
        ctx.err(
          "check/type-mismatch",
          `"${a.target.join(".")}" é ${typeName(target)}, mas recebe ${typeName(valueType)}`,
          a.value.range,
        );
      else {
        tc.checkEnumLiteral(target, a.value);
        if (valueType.kind === "null" && !out.nullable)
          ctx.err("check/type-mismatch", `"${head}" não aceita nulo (declare nullable: true)`, a.value.range);
        else if (!out.nullable && rest.length === 0) checkTableGap(ctx, a.value, head, when);
      }
      return;
    default:
      assertNever(a.kind, "action kind");
  }
}
