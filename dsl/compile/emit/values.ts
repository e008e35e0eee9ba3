/** Constants and values: their expressions without ranges, evaluated (and memoised) by the runtime. */
import { stripRanges } from "../../syntax/ast.js";
import type { CompiledRuleSet } from "../compiled.js";
import type { EmitContext } from "./context.js";

/** The rule set's constants and values, by name. */
export function emitConstantsAndValues(ctx: EmitContext): Pick<CompiledRuleSet, "constants" | "values"> {
  return {
    constants: recordOf(ctx.model.constants, (c) => stripRanges(c.expr)),
    values: recordOf(ctx.model.values, (v) => stripRanges(v.expr)),
  };
}

/** A map's entries, each converted by `f`, as a record (in the map's order). */
export function recordOf<T, U>(m: ReadonlyMap<string, T>, f: (v: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const [k, v] of m) out[k] = f(v);
  return out;
}
