/**
 * Validations: one json-rules-engine rule per item, firing when the item applies (`when`) and its
 * requirement does not hold; and the section the runtime fills (where the messages go, and each
 * item's field and message template).
 */
import type { CompiledRuleSet } from "../compiled.js";
import { condition } from "./conditions.js";
import { andAll, type EmitContext } from "./context.js";
import { compileTemplate } from "./templates.js";

/** Adds the validation rules (items in the order written). */
export function emitValidationRules(ctx: EmitContext): void {
  if (!ctx.model.validations) return;
  ctx.model.validations.items.forEach((v, i) => {
    const conds = andAll(v.when ? condition(ctx, v.when) : undefined, { not: condition(ctx, v.require) });
    ctx.add(
      `validação ${v.field}`,
      `v:${i}`,
      conds,
      { kind: "validation", index: i },
      v.range,
      `validação de ${v.field}`,
    );
  });
}

/** The compiled validations section, or undefined without validations. */
export function emitValidations(ctx: EmitContext): CompiledRuleSet["validations"] {
  const v = ctx.model.validations;
  if (!v) return undefined;
  return {
    into: v.into,
    fieldKey: v.fieldKey,
    messageKey: v.messageKey,
    items: v.items.map((item) => ({ field: item.field, message: compileTemplate(item.message) })),
  };
}
