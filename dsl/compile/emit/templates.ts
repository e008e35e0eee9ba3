/** Text templates: literal text and `{expressão}` holes (without ranges), with their parameter names. */
import type { TemplateDecl } from "../../ruleset/model.js";
import { stripRanges } from "../../syntax/ast.js";
import type { CompiledRuleSet, CompiledTemplate } from "../compiled.js";
import type { EmitContext } from "./context.js";
import { recordOf } from "./values.js";

/** The rule set's named templates. */
export function emitTemplates(ctx: EmitContext): CompiledRuleSet["templates"] {
  return recordOf(ctx.model.templates, compileTemplate);
}

/** One template (named, or a validation message or transition refusal reason). */
export function compileTemplate(t: TemplateDecl): CompiledTemplate {
  return {
    params: t.params.map((p) => p.name),
    parts: t.parts.map((p) => (p.kind === "text" ? { text: p.text } : { expr: stripRanges(p.expr) })),
  };
}
