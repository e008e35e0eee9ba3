/**
 * Text templates (`templates`, and the messages of validations and transitions): every `{expr}`
 * part is typed in the template's scope, where its parameters are locals of any type.
 */
import type { TemplateDecl } from "../ruleset/model.js";
import { T, type Type } from "../types.js";
import type { CheckContext } from "./context.js";
import { localScope, type Scope, type SymbolInfo } from "./typing.js";

export function templateSymbol(ctx: CheckContext, name: string): SymbolInfo {
  const t = ctx.model.templates.get(name);
  return { kind: "template", name, type: T.string, params: t?.params.map((p) => p.name) ?? [] };
}

export function checkTemplates(ctx: CheckContext): void {
  for (const t of ctx.model.templates.values()) {
    ctx.guarded(t.name, t.nameRange, () => checkTemplate(ctx, t, ctx.scope));
  }
}

/** Types the expression parts of one template (a declared one or a message) in `scope`. */
export function checkTemplate(ctx: CheckContext, t: TemplateDecl, scope: Scope): void {
  const locals: Record<string, Type> = {};
  for (const p of t.params) locals[p.name] = T.any;
  const inner = t.params.length ? localScope(scope, locals) : scope;
  for (const part of t.parts) if (part.kind === "expr") ctx.tc.infer(part.expr, inner);
}
