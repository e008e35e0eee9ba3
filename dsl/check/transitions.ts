/**
 * Transitions (a state machine over a fact): `from` and `to` are texts, the three outputs exist
 * with the right types, states are unique (and values of the `from` fact's enum when it has one),
 * every named state is declared, nothing leaves a terminal state, no transition is repeated,
 * guards are conditions with template reasons, and every state is reachable from the initial one.
 */
import { didYouMean, type Range } from "../diagnostics.js";
import { T } from "../types.js";
import type { CheckContext } from "./context.js";
import { requireOutput } from "./facts.js";
import { checkTemplate } from "./templates.js";

export function checkTransitions(ctx: CheckContext): void {
  const { tc, scope } = ctx;
  if (ctx.model.transitions) {
    const tr = ctx.model.transitions;
    ctx.guarded("transitions", tr.range, () => {
      const fromType = tc.expect(tr.from, scope, T.string, "transitions.from");
      tc.expect(tr.to, scope, T.string, "transitions.to");
      requireOutput(ctx, tr.outputs.allowed, tr.outputRanges.allowed, T.boolean, "transitions.outputs.allowed");
      requireOutput(ctx, tr.outputs.reasons, tr.outputRanges.reasons, T.list(T.string), "transitions.outputs.reasons");
      requireOutput(ctx, tr.outputs.missing, tr.outputRanges.missing, T.list(T.string), "transitions.outputs.missing");
      const states = new Map<string, Range>();
      for (const s of tr.states) {
        if (states.has(s.name)) ctx.err("ruleset/duplicate-name", `estado "${s.name}" repetido`, s.nameRange);
        states.set(s.name, s.nameRange);
      }
      const enumValues = fromType.kind === "string" ? fromType.enum : undefined;
      const known = (name: string, range: Range) => {
        if (!states.has(name)) {
          ctx.err(
            "transition/unknown-state",
            `estado desconhecido "${name}".${didYouMean(name, states.keys())} Estados: ${[...states.keys()].join(", ")}`,
            range,
          );
          return false;
        }
        return true;
      };
      if (enumValues)
        for (const s of tr.states)
          if (!enumValues.includes(s.name))
            ctx.err(
              "check/not-in-enum",
              `o estado "${s.name}" não é um valor aceito do fato de origem.${didYouMean(s.name, enumValues)}`,
              s.nameRange,
            );
      known(tr.initial.name, tr.initial.nameRange);
      const terminal = new Set(tr.terminal.map((t) => t.name));
      for (const t of tr.terminal) known(t.name, t.nameRange);
      const edges = new Map<string, Set<string>>();
      const seenPairs = new Set<string>();
      for (const a of tr.allow) {
        const okFrom = known(a.from, a.fromRange);
        const okTo = known(a.to, a.toRange);
        if (okFrom && terminal.has(a.from))
          ctx.err(
            "transition/unknown-state",
            `"${a.from}" é um estado terminal: não pode haver transição saindo dele`,
            a.fromRange,
          );
        const pair = `${a.from}\u0000${a.to}`;
        if (seenPairs.has(pair))
          ctx.err("ruleset/duplicate-name", `a transição de "${a.from}" para "${a.to}" está repetida`, a.range);
        seenPairs.add(pair);
        if (okFrom && okTo) {
          const set = edges.get(a.from) ?? new Set<string>();
          set.add(a.to);
          edges.set(a.from, set);
        }
        for (const r of a.requires) tc.infer(r.expr, scope);
        for (const g of a.guards) {
          tc.expect(g.require, scope, T.boolean, "a condição da transição");
          checkTemplate(ctx, g.reason, scope);
        }
      }
      for (const g of tr.guards) {
        tc.expect(g.require, scope, T.boolean, "a condição geral de transição");
        checkTemplate(ctx, g.reason, scope);
      }
      for (const t of Object.values(tr.refusals)) checkTemplate(ctx, t, scope);
      // Reachability from the initial state.
      const reached = new Set<string>([tr.initial.name]);
      const queue = [tr.initial.name];
      while (queue.length) {
        const s = queue.shift() as string;
        for (const n of edges.get(s) ?? []) {
          if (!reached.has(n)) {
            reached.add(n);
            queue.push(n);
          }
        }
      }
      for (const [s, range] of states) {
        if (!reached.has(s))
          ctx.err(
            "transition/unreachable",
            `o estado "${s}" não pode ser alcançado a partir de "${tr.initial.name}" por nenhuma transição permitida`,
            range,
          );
      }
    });
  }
}
