/**
 * Rules: one json-rules-engine rule each, by priority (higher first), then in the order written;
 * and each rule's actions (without ranges) and `stop`, which the runtime applies when it fires.
 */
import { stripRanges } from "../../syntax/ast.js";
import type { CompiledRule } from "../compiled.js";
import { condition } from "./conditions.js";
import type { EmitContext } from "./context.js";

/** Adds the rules in evaluation order and returns them, in the order written, as the runtime reads them. */
export function emitRules(ctx: EmitContext): CompiledRule[] {
  const model = ctx.model;
  const ordered = model.rules.map((r, i) => ({ r, i })).sort((a, b) => b.r.priority - a.r.priority || a.i - b.i);
  const rulesMeta = model.rules.map((r) => ({ name: r.name, actions: stripRanges(r.then), stop: r.stop }));
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
