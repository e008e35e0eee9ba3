/**
 * Validations: `into` must be a declared list output; each item's `when` and `require` are
 * conditions and its message is a template.
 */
import { T } from "../types.js";
import type { CheckContext } from "./context.js";
import { requireOutput } from "./facts.js";
import { checkTemplate } from "./templates.js";

export function checkValidations(ctx: CheckContext): void {
  const { tc, scope } = ctx;
  if (ctx.model.validations) {
    const v = ctx.model.validations;
    requireOutput(ctx, v.into, v.intoRange, T.list(T.any), "validations.into");
    for (const item of v.items) {
      ctx.guarded("a validação", item.range, () => {
        if (item.when) tc.expect(item.when, scope, T.boolean, `"when" da validação de ${item.field}`);
        tc.expect(item.require, scope, T.boolean, `"require" da validação de ${item.field}`);
        checkTemplate(ctx, item.message, scope);
      });
    }
  }
}
