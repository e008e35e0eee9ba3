/**
 * Validations: `into` must be a declared list output whose items can hold the records the
 * validations write (`{<record.field>: campo, <record.message>: mensagem}`: when the items declare
 * their fields, both keys must be among them and no other field may be required); each item's
 * `when` and `require` are conditions and its message is a template.
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
    checkRecordFields(ctx);
    for (const item of v.items) {
      ctx.guarded("a validação", item.range, () => {
        if (item.when) tc.expect(item.when, scope, T.boolean, `"when" da validação de ${item.field}`);
        tc.expect(item.require, scope, T.boolean, `"require" da validação de ${item.field}`);
        checkTemplate(ctx, item.message, scope);
      });
    }
  }
}

/** The record keys against the fields the `into` output declares for its items. */
function checkRecordFields(ctx: CheckContext): void {
  const v = ctx.model.validations;
  const item = v ? ctx.model.outputs.get(v.into)?.decl.items : undefined;
  if (!v || item?.type !== "object" || !item.fields) return;
  const keys = [v.fieldKey, v.messageKey];
  const declared = [...item.fields.keys()];
  const missing = keys.filter((k) => !item.fields?.has(k));
  const extra = [...item.fields.values()].filter((f) => f.required && !keys.includes(f.name)).map((f) => f.name);
  if (missing.length === 0 && extra.length === 0) return;
  const problem = missing.length
    ? `cada violação vira { ${keys.map((k) => `${k}: ...`).join(", ")} }, mas os itens de "${v.into}" declaram os campos ${declared.join(", ")}`
    : `os itens de "${v.into}" exigem ${extra.join(", ")}, que as validações não preenchem (cada violação vira { ${keys.map((k) => `${k}: ...`).join(", ")} })`;
  ctx.err(
    "check/type-mismatch",
    `${problem}: toda decisão com uma violação seria um defeito. Use record: { field: <campo>, message: <campo> } com os nomes declarados, ou declare os campos ${keys.join(" e ")}`,
    v.intoRange,
  );
}
