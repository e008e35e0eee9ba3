/** Invariants: checks the runtime evaluates on every decision; each is located as `i:<index>`. */
import { stripRanges } from "../../syntax/ast.js";
import type { CompiledRuleSet } from "../compiled.js";
import type { EmitContext } from "./context.js";

/** The rule set's invariants, in the order written. */
export function emitInvariants(ctx: EmitContext): CompiledRuleSet["invariants"] {
  return ctx.model.invariants.map((inv, i) => {
    ctx.locate(`i:${i}`, inv.range, `invariante ${inv.name}`);
    return { name: inv.name, check: stripRanges(inv.check), ...(inv.message ? { message: inv.message } : {}) };
  });
}
