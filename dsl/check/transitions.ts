/**
 * Transitions (a state machine over a fact): `from` and `to` are texts, the three outputs exist
 * with the right types, states are unique (and values of the `from` fact's enum when it has one),
 * every named state is declared, guards are conditions with template reasons; and the machine
 * itself, with every finding written in its own terms (`"Pendente" → "Concluído"`):
 *
 * - `transition/terminal-exit` (error): a transition leaving a terminal state;
 * - `transition/ambiguous` (error): two entries for the same pair: for that request both would
 *   decide (the input of a transition is the pair from → to, so this is the only way two
 *   transitions are enabled for one input; every other pair is decided by exactly one entry or by
 *   one refusal: unknown state, terminal state, not allowed);
 * - `transition/unknown-state` (warning): a value of the `from`/`to` fact's enum that is not a
 *   state (every request with it is refused as an unknown state);
 * - `transition/dead-transition` (warning): a transition whose own guards, the general guards and
 *   its from/to can never all hold (`require: false`, `x == 1` and `x == 2`, a target the `to`
 *   fact never takes...), decided exactly for conditions over one fact and constants
 *   (`guard-logic.ts`); other conditions count as possibly true;
 * - `transition/unreachable`: a state no allowed transition reaches from the initial one (error),
 *   or one reached only through dead transitions (warning, naming them);
 * - `transition/dead-end` (warning): a reachable state that is not terminal and that no live
 *   transition leaves (whatever reaches it stays there forever);
 * - `transition/self-loop` (info): a transition from a state to itself.
 *
 * The work is linear in the transitions and their guards (the dead-transition analysis stops, with
 * an info, past `MAX_ANALYSED_TRANSITIONS`); findings come in the order of the file.
 */
import { didYouMean, type Range, type RelatedInformation } from "../diagnostics.js";
import { printExpr } from "../format/print-expr.js";
import type { TransitionDecl } from "../ruleset/model.js";
import type { Expr } from "../syntax/ast.js";
import { T } from "../types.js";
import type { CheckContext } from "./context.js";
import { requireOutput } from "./facts.js";
import {
  conflictCore,
  conjuncts,
  type FactPath,
  factPathOf,
  holds,
  type Shape,
  shapeOf,
  witness,
} from "./guard-logic.js";
import { checkTemplate } from "./templates.js";

/** Past this many transitions the dead-transition analysis stops (and says so). */
export const MAX_ANALYSED_TRANSITIONS = 5_000;
/** Conditions over one fact beyond this many are not analysed (counted as possibly true). */
const MAX_CONDITIONS_PER_FACT = 64;

/** One conjunct of what a transition needs, with how to name it in a message. */
interface Need {
  readonly expr: Expr;
  /** "condição 2 da transição", "condição geral 1", "a origem da transição". */
  readonly label: string;
  readonly range: Range;
  /** Written in the transition itself (its guards), not general or implied by from/to. */
  readonly own: boolean;
  readonly implied: boolean;
  /** What the condition depends on (`shapeOf`), computed once per condition. */
  readonly shape: Shape;
  /** For the condition implied by from/to: the state it names. */
  readonly state?: string;
}

/** Why a set of needs can never all hold: the conflicting needs and the fact they are about. */
interface Conflict {
  readonly core: readonly Need[];
  readonly path?: FactPath;
}

/** `"A" → "B"`, the way analysts write a transition. */
export function arrow(from: string, to: string): string {
  return `"${from}" → "${to}"`;
}

function printed(e: Expr): string {
  try {
    return printExpr(e);
  } catch {
    return "(condição)";
  }
}

/** A synthetic `side == "state"` (the condition a transition's from/to implies). */
function equals(side: Expr, state: string, range: Range): Expr {
  return {
    kind: "binary",
    operator: "==",
    left: side,
    right: { kind: "literal", literal: { type: "string", value: state }, range },
    range,
  };
}

/** The needs that can never all hold, or undefined (satisfiable, or not decidable here). */
function findConflict(needs: readonly Need[]): Conflict | undefined {
  const groups = new Map<string, { path: FactPath; needs: Need[] }>();
  for (const n of needs) {
    const shape = n.shape;
    if (shape.kind === "constant") {
      if (!holds(n.expr, undefined, null)) return { core: [n] };
    } else if (shape.kind === "path") {
      const g = groups.get(shape.path.key) ?? { path: shape.path, needs: [] };
      g.needs.push(n);
      groups.set(shape.path.key, g);
    }
  }
  for (const { path, needs: group } of groups.values()) {
    if (group.length > MAX_CONDITIONS_PER_FACT) continue;
    // Only "from/to is this state" (most transitions): it holds unless the fact's enum lacks the state.
    const only = group.length === 1 ? group[0] : undefined;
    if (only?.state !== undefined) {
      if (!path.decl?.enum || path.decl.enum.includes(only.state)) continue;
      return { core: group, path };
    }
    if (
      witness(
        path,
        group.map((n) => n.expr),
      )
    )
      continue;
    return { core: conflictCore(path, group), path };
  }
  return undefined;
}

/** Why a conflict can never hold, in words. */
function explainConflict(conflict: Conflict): string {
  const { core, path } = conflict;
  const first = core[0];
  if (core.length === 1 && first) {
    const state =
      first.expr.kind === "binary" && first.expr.right.kind === "literal" ? first.expr.right.literal : undefined;
    if (first.implied && path?.decl?.enum && state?.type === "string" && !path.decl.enum.includes(state.value))
      return `o fato ${path.key} nunca vale "${state.value}" (${first.label}): não está entre os seus valores (${path.decl.enum.map((v) => `"${v}"`).join(", ")})`;
    if (!path) return `a condição ${printed(first.expr)} (${first.label}) nunca vale`;
    return `nenhum valor aceito de ${path.key}${domain(path)} faz valer ${printed(first.expr)} (${first.label})`;
  }
  const items = core.map((n) => `${printed(n.expr)} (${n.label})`);
  const last = items.pop();
  return `${items.join(", ")} e ${last} não valem juntas${path ? ` para nenhum valor de ${path.key}` : ""}`;
}

function domain(path: FactPath): string {
  const d = path.decl;
  if (!d) return "";
  const parts: string[] = [];
  if (d.enum) parts.push(`valores: ${d.enum.map((v) => `"${v}"`).join(", ")}`);
  if (d.minimum !== undefined) parts.push(`mínimo ${d.minimum}`);
  if (d.maximum !== undefined) parts.push(`máximo ${d.maximum}`);
  if (!path.mayBeNull) parts.push("sempre presente");
  return parts.length ? ` (${parts.join("; ")})` : "";
}

export function checkTransitions(ctx: CheckContext): void {
  const { tc, scope } = ctx;
  const tr = ctx.model.transitions;
  if (!tr) return;
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
    const outsideFromEnum = new Set<string>();
    if (enumValues)
      for (const s of tr.states)
        if (!enumValues.includes(s.name)) {
          outsideFromEnum.add(s.name);
          ctx.err(
            "check/not-in-enum",
            `o estado "${s.name}" não é um valor aceito do fato de origem.${didYouMean(s.name, enumValues)}`,
            s.nameRange,
          );
        }
    const fromPath = factPathOf(tr.from, ctx.model);
    const toPath = factPathOf(tr.to, ctx.model);
    checkFactValuesAreStates(ctx, fromPath, toPath, states);

    const initialKnown = known(tr.initial.name, tr.initial.nameRange);
    const terminal = new Set<string>();
    for (const t of tr.terminal) {
      known(t.name, t.nameRange);
      if (terminal.has(t.name))
        ctx.warn("ruleset/duplicate-name", `o estado "${t.name}" aparece mais de uma vez em terminal`, t.nameRange);
      terminal.add(t.name);
    }

    // Each allowed transition: its states, the pair (one entry per pair), its guards typed.
    const valid: TransitionDecl[] = [];
    const firstOfPair = new Map<string, TransitionDecl>();
    for (const a of tr.allow) {
      const okFrom = known(a.from, a.fromRange);
      const okTo = known(a.to, a.toRange);
      if (okFrom && terminal.has(a.from)) {
        const initial =
          a.from === tr.initial.name
            ? ` "${a.from}" é também o estado inicial: com ele terminal, nenhuma transição aconteceria.`
            : "";
        ctx.err(
          "transition/terminal-exit",
          `"${a.from}" é um estado terminal: não pode haver transição saindo dele (${arrow(a.from, a.to)}).${initial} Tire a transição ou tire "${a.from}" de terminal`,
          a.fromRange,
        );
      }
      const pair = `${a.from}\u0000${a.to}`;
      const first = firstOfPair.get(pair);
      if (first) {
        const related: RelatedInformation[] = [{ message: "primeira entrada", range: first.range }];
        ctx.report({
          code: "transition/ambiguous",
          severity: "error",
          message: `a transição ${arrow(a.from, a.to)} está repetida: para o pedido ${arrow(a.from, a.to)} as duas entradas valeriam ao mesmo tempo (as condições e os campos exigidos de ambas se somariam). Junte-as numa entrada só`,
          range: a.range,
          related,
        });
      } else firstOfPair.set(pair, a);
      if (okFrom && okTo) {
        valid.push(a);
        if (a.from === a.to)
          ctx.report({
            code: "transition/self-loop",
            severity: "info",
            message: `a transição ${arrow(a.from, a.to)} leva "${a.from}" a ele mesmo: quando permitida, o estado não muda. Confira se é isso mesmo que se quer`,
            range: a.range,
          });
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

    const dead = deadTransitions(ctx, valid, terminal, outsideFromEnum, fromPath, toPath);

    // Reachability from the initial state: over every allowed transition, then over the live ones.
    const successors = (edges: readonly TransitionDecl[]) => {
      const next = new Map<string, string[]>();
      for (const a of edges) {
        const list = next.get(a.from);
        if (list) list.push(a.to);
        else next.set(a.from, [a.to]);
      }
      return next;
    };
    const allNext = successors(valid);
    const reach = (edges: readonly TransitionDecl[]) => {
      const next = successors(edges);
      const reached = new Set<string>(initialKnown ? [tr.initial.name] : []);
      const queue = [...reached];
      for (let i = 0; i < queue.length; i++)
        for (const n of next.get(queue[i] as string) ?? [])
          if (!reached.has(n)) {
            reached.add(n);
            queue.push(n);
          }
      return reached;
    };
    const reached = reach(valid);
    const live = valid.filter((a) => !dead.has(a));
    const liveReached = reach(live);
    for (const [s, range] of states) {
      if (!reached.has(s)) {
        if (initialKnown)
          ctx.err(
            "transition/unreachable",
            `o estado "${s}" não pode ser alcançado a partir de "${tr.initial.name}" por nenhuma transição permitida`,
            range,
          );
      } else if (!liveReached.has(s)) {
        const blocking = valid.filter((a) => dead.has(a) && liveReached.has(a.from) && leadsTo(allNext, a.to, s));
        const list = blocking.map((a) => arrow(a.from, a.to)).join(", ");
        ctx.warn(
          "transition/unreachable",
          `o estado "${s}" não pode ser alcançado a partir de "${tr.initial.name}": o caminho até ele passa por ${blocking.length === 1 ? "uma transição que nunca é permitida" : "transições que nunca são permitidas"} (${list})`,
          range,
        );
      }
    }

    // Dead ends: a reachable state that is not terminal and that no live transition leaves.
    const leaving = new Map<string, TransitionDecl[]>();
    for (const a of valid) {
      const list = leaving.get(a.from);
      if (list) list.push(a);
      else leaving.set(a.from, [a]);
    }
    for (const [s, range] of states) {
      if (terminal.has(s) || !reached.has(s)) continue;
      const out = leaving.get(s) ?? [];
      const exits = out.filter((a) => a.to !== s);
      if (exits.some((a) => !dead.has(a))) continue;
      const why =
        exits.length === 0
          ? out.length > 0
            ? `a única transição que sai dele volta para ele mesmo (${arrow(s, s)})`
            : `nenhuma transição sai dele (${arrow(s, "…")} não existe)`
          : exits.length === 1
            ? `a única saída, ${arrow(s, exits[0]?.to ?? "")}, nunca é permitida`
            : `as saídas ${exits.map((a) => arrow(a.from, a.to)).join(", ")} nunca são permitidas`;
      ctx.warn(
        "transition/dead-end",
        `o estado "${s}" não é terminal, mas ${why}: o que chega a "${s}" fica preso nele para sempre. Declare-o terminal ou permita uma saída`,
        range,
      );
    }
  });
}

/** True when `target` is reachable from `start` over the transitions (or is `start`). */
function leadsTo(next: ReadonlyMap<string, readonly string[]>, start: string, target: string): boolean {
  const seen = new Set([start]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const s = queue[i] as string;
    if (s === target) return true;
    for (const n of next.get(s) ?? [])
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
  }
  return false;
}

/** Values of the from/to facts' enums that are not states: every request with them is refused. */
function checkFactValuesAreStates(
  ctx: CheckContext,
  fromPath: FactPath | undefined,
  toPath: FactPath | undefined,
  states: ReadonlyMap<string, Range>,
): void {
  const sides = [
    {
      path: fromPath,
      what: (v: string) => `com ele, todo pedido de transição é recusado como estado desconhecido (${arrow(v, "…")})`,
    },
    {
      path: toPath,
      what: (v: string) => `todo pedido de transição para ele é recusado como estado desconhecido (${arrow("…", v)})`,
    },
  ];
  for (const { path, what } of sides) {
    if (!path?.field || !path.decl?.enum) continue;
    // from and to on the same fact: its values are reported once.
    if (path === toPath && fromPath?.key === toPath.key) continue;
    for (const v of path.decl.enum)
      if (!states.has(v))
        ctx.warn(
          "transition/unknown-state",
          `o valor "${v}" do fato ${path.key} não é um estado: ${what(v)}. Declare "${v}" em states ou tire-o dos valores do fato`,
          path.field.nameRange,
        );
  }
}

/**
 * The transitions that are never allowed: their from/to, the general guards and their own guards
 * can never all hold. Reported once each (`transition/dead-transition`); general guards that can
 * never hold together are reported once, on the general guard, and make every transition dead.
 */
function deadTransitions(
  ctx: CheckContext,
  valid: readonly TransitionDecl[],
  terminal: ReadonlySet<string>,
  outsideFromEnum: ReadonlySet<string>,
  fromPath: FactPath | undefined,
  toPath: FactPath | undefined,
): Set<TransitionDecl> {
  const tr = ctx.model.transitions;
  const dead = new Set<TransitionDecl>();
  if (!tr) return dead;
  const general: Need[] = tr.guards.flatMap((g, i) =>
    conjuncts(g.require).map((expr) => ({
      expr,
      label: `condição geral ${i + 1}`,
      range: expr.range,
      own: false,
      implied: false,
      shape: shapeOf(expr, ctx.model),
    })),
  );
  const generalConflict = findConflict(general);
  if (generalConflict) {
    const at = generalConflict.core[0]?.range ?? tr.range;
    ctx.warn(
      "transition/dead-transition",
      `as condições gerais de transição nunca são satisfeitas: ${explainConflict(generalConflict)}. Toda transição é recusada`,
      at,
    );
    for (const a of valid) dead.add(a);
    return dead;
  }
  const analysed = valid.slice(0, MAX_ANALYSED_TRANSITIONS);
  for (const a of analysed) {
    // Already errors: a transition out of a terminal state, or from a state the fact never takes.
    if (terminal.has(a.from) || outsideFromEnum.has(a.from)) continue;
    const needs: Need[] = [];
    if (fromPath)
      needs.push({
        expr: equals(tr.from, a.from, a.fromRange),
        label: "a origem da transição",
        range: a.fromRange,
        own: false,
        implied: true,
        shape: { kind: "path", path: fromPath },
        state: a.from,
      });
    if (toPath)
      needs.push({
        expr: equals(tr.to, a.to, a.toRange),
        label: "o destino da transição",
        range: a.toRange,
        own: false,
        implied: true,
        shape: { kind: "path", path: toPath },
        state: a.to,
      });
    needs.push(...general);
    a.guards.forEach((g, j) => {
      for (const expr of conjuncts(g.require))
        needs.push({
          expr,
          label: `condição ${j + 1} da transição`,
          range: expr.range,
          own: true,
          implied: false,
          shape: shapeOf(expr, ctx.model),
        });
    });
    const conflict = findConflict(needs);
    if (!conflict) continue;
    dead.add(a);
    const at = conflict.core.find((n) => n.own)?.range ?? conflict.core.find((n) => n.implied)?.range ?? a.range;
    ctx.warn(
      "transition/dead-transition",
      `a transição ${arrow(a.from, a.to)} nunca é permitida: ${explainConflict(conflict)}`,
      at,
    );
  }
  if (valid.length > analysed.length)
    ctx.report({
      code: "transition/dead-transition",
      severity: "info",
      message: `a análise de transições impossíveis parou depois de ${MAX_ANALYSED_TRANSITIONS} transições (de ${valid.length}); as demais não foram analisadas`,
      range: tr.range,
    });
  return dead;
}
