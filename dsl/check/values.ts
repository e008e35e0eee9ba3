/**
 * Constants and computed values: a constant is typed in the scope of constants only, a value in
 * the scope of every top-level name. Both are typed through their symbols (`CheckContext.resolve`),
 * lazily, so that values may refer to tables, collections and each other in any order; cycles
 * between them are reported by `cycles.ts`.
 */
import { T } from "../types.js";
import type { CheckContext } from "./context.js";
import type { SymbolInfo } from "./typing.js";

export function constantSymbol(ctx: CheckContext, name: string): SymbolInfo {
  const c = ctx.model.constants.get(name);
  const text = c?.expr.kind === "literal" && c.expr.literal.type === "string" ? c.expr.literal.value : undefined;
  return {
    kind: "constant",
    name,
    type: c ? ctx.tc.infer(c.expr, ctx.constantScope) : T.any,
    ...(text !== undefined ? { text } : {}),
  };
}

export function valueSymbol(ctx: CheckContext, name: string): SymbolInfo {
  const v = ctx.model.values.get(name);
  return { kind: "value", name, type: v ? ctx.tc.infer(v.expr, ctx.scope) : T.any };
}

/**
 * Types every top-level name, in declaration order: this is where constants and values (and the
 * symbols of templates, tables and collections) are checked, whether or not anything uses them.
 */
export function checkConstantsAndValues(ctx: CheckContext): void {
  for (const name of ctx.declared.keys()) ctx.resolve(name);
}
