/**
 * Rules: one json-rules-engine rule each, by priority (higher first), then in the order written;
 * and each rule's actions (without ranges), `stop` and the tables its assignments read, which the
 * runtime uses when it fires and when it explains a null output.
 */
import { stripRanges, walkExpr, type Action } from "../../syntax/ast.js";
import { isSingleHit } from "../../ruleset/model.js";
import type { CompiledRule } from "../compiled.js";
import { condition } from "./conditions.js";
import type { EmitContext } from "./context.js";

/** Adds the rules in evaluation order and returns them, in the order written, as the runtime reads them. */
export function emitRules(ctx: EmitContext): CompiledRule[] {
  const model = ctx.model;
  // Tables whose result is a record (null or the aggregate of no rows when no row matches).
  const single = new Set(model.tables.filter((t) => isSingleHit(t.hitPolicy) || t.aggregate).map((t) => t.name));
  const ordered = model.rules.map((r, i) => ({ r, i })).sort((a, b) => b.r.priority - a.r.priority || a.i - b.i);
  const rulesMeta = model.rules.map((r) => ({
    name: r.name,
    actions: stripRanges(r.then),
    stop: r.stop,
    tablesRead: tablesReadByOutput(r.then, single),
  }));
  for (const { r, i } of ordered) {
    ctx.add(
      r.name,
      `r:${i}`,
      r.when ? condition(ctx, r.when) : { all: [] },
      { kind: "rule", rule: i },
      r.range,
      `regra "${r.name}"`,
    );
  }
  return rulesMeta;
}

/**
 * For each output the actions assign as a whole (`saida = ...`), the `tables` its assigned
 * expression reads as `tabela.coluna` (pre-order, each once); a later assignment to the same
 * output replaces an earlier one's.
 */
function tablesReadByOutput(
  actions: readonly Action[],
  tables: ReadonlySet<string>,
): Readonly<Record<string, readonly string[]>> {
  const out: Record<string, readonly string[]> = {};
  for (const a of actions) {
    const output = a.target[0];
    if (a.kind !== "assign" || a.target.length !== 1 || output === undefined) continue;
    const read: string[] = [];
    walkExpr(a.value, (e) => {
      if (e.kind === "member" && e.object.kind === "name" && tables.has(e.object.name)) read.push(e.object.name);
    });
    out[output] = [...new Set(read)];
  }
  return out;
}
