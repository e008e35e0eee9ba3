/** Collections: source, filter, grouping key and order expressions (without ranges), computed by the runtime. */
import { stripRanges } from "../../syntax/ast.js";
import type { CompiledRuleSet } from "../compiled.js";
import type { EmitContext } from "./context.js";
import { recordOf } from "./values.js";

/** The rule set's collections, by name. */
export function emitCollections(ctx: EmitContext): CompiledRuleSet["collections"] {
  return recordOf(ctx.model.collections, (c) => ({
    from: stripRanges(c.from),
    ...(c.where ? { where: stripRanges(c.where) } : {}),
    key: stripRanges(c.key),
    order: stripRanges(c.order),
  }));
}
