/**
 * Top-level names: every construct that declares a name (facts, constants, values, templates,
 * tables, collections) is declared in one namespace, in this order (a repeated name is reported
 * at the later declaration), and each name's symbol is typed by its construct's checker on first
 * use (`CheckContext.resolve`).
 */
import { assertNever } from "../exhaustive.js";
import { T } from "../types.js";
import { collectionSymbol } from "./collections.js";
import type { CheckContext, SymbolTyper } from "./context.js";
import { factSymbol } from "./facts.js";
import { tableSymbol } from "./tables.js";
import { templateSymbol } from "./templates.js";
import type { SymbolInfo } from "./typing.js";
import { constantSymbol, valueSymbol } from "./values.js";

/** Declares every top-level name of the model (duplicates are reported). */
export function declareNames(ctx: CheckContext): void {
  const { model } = ctx;
  for (const f of model.facts.values()) ctx.declare(f.name, "fact", f.nameRange);
  for (const c of model.constants.values()) ctx.declare(c.name, "constant", c.nameRange);
  for (const v of model.values.values()) ctx.declare(v.name, "value", v.nameRange);
  for (const t of model.templates.values()) ctx.declare(t.name, "template", t.nameRange);
  for (const t of model.tables) ctx.declare(t.name, "table", t.nameRange);
  for (const c of model.collections.values()) ctx.declare(c.name, "collection", c.nameRange);
}

/** The symbol of a declared name, computed by the checker of its construct. */
export const typeSymbol: SymbolTyper = (ctx, name, kind): SymbolInfo => {
  switch (kind) {
    case "fact":
      return factSymbol(ctx, name);
    case "constant":
      return constantSymbol(ctx, name);
    case "value":
      return valueSymbol(ctx, name);
    case "template":
      return templateSymbol(ctx, name);
    case "table":
      return tableSymbol(ctx, name);
    case "collection":
      return collectionSymbol(ctx, name);
    // Never declared (`decision` is resolved by the context, locals by local scopes).
    case "decision":
    case "local":
      return { kind, name, type: T.any };
    default:
      return assertNever(kind, "symbol kind");
  }
};
