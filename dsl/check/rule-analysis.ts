/**
 * What the rules' conditions allow, over the domains the fact schema declares (warnings, with
 * the input that shows the finding):
 *
 * - `rule/never-fires`: a rule whose `when` can never be true — every alternative asks one fact
 *   for values no input has (`tipo == "A" and tipo == "B"`,
 *   `idade > 60 and idade < 18`, a value outside the fact's `enum`, minimum or maximum);
 * - `rule/conflicting-writes`: two rules of the same priority that write different constant values
 *   into the same output and can both apply to one input (the one written later wins silently); the
 *   message gives that input. Not reported when the earlier rule has `stop` (the later never runs
 *   after it).
 *
 * Conditions are read by `conditions.ts`: only facts compared with constants count; anything else
 * is assumed to possibly hold, so a finding is never a guess.
 */
import { printExpr } from "../format/print-expr.js";
import type { RuleDecl } from "../ruleset/model.js";
import { type Expr, walkExpr } from "../syntax/ast.js";
import { type Value, valueEquals } from "../values.js";
import {
  ConditionContext,
  type Conjunction,
  conditionAlternatives,
  contradiction,
  exampleText,
  satisfy,
  valueText,
} from "./conditions.js";
import type { CheckContext } from "./context.js";

/** Pairs of rules compared for conflicting writes at most (beyond it the check stops, with an info). */
const MAX_PAIRS = 20_000;

/** A condition with a syntax error is not analysed (the error is reported already). */
function hasErrorNode(e: Expr | undefined): boolean {
  let found = false;
  if (e)
    walkExpr(e, (x) => {
      if (x.kind === "error") found = true;
    });
  return found;
}

/** Whether an error was already reported inside the condition (a value outside an enum, a type): no more noise. */
function reported(ctx: CheckContext, when: Expr | undefined): boolean {
  if (!when) return false;
  const inside = (d: { severity: string; range: { start: number; end: number } }) =>
    d.severity === "error" && d.range.start >= when.range.start && d.range.end <= when.range.end;
  return ctx.tc.diagnostics.some(inside) || ctx.diagnostics.some(inside);
}

export function checkRuleConditions(ctx: CheckContext): void {
  const cx = new ConditionContext(ctx.model, (e) => printExpr(e));
  const alternativesOf = new Map<RuleDecl, Conjunction[] | undefined>();
  for (const rule of ctx.model.rules) {
    ctx.guarded(`a regra ${rule.name}`, rule.nameRange, () => {
      if (hasErrorNode(rule.when) || rule.then.some((a) => hasErrorNode(a.value)) || reported(ctx, rule.when)) {
        alternativesOf.set(rule, undefined);
        return;
      }
      const alts = conditionAlternatives(cx, rule.when);
      alternativesOf.set(rule, alts);
      if (!alts || !rule.when) return;
      if (alts.some((a) => satisfy(a) !== undefined)) return;
      const reasons = alts
        .map((a) => contradiction(a))
        .filter((c) => c !== undefined)
        .map((tests) => tests.map((t) => t.text).join(" e "));
      const why =
        alts.length === 1
          ? `${reasons[0]} não valem ao mesmo tempo`
          : `nenhuma das ${alts.length} alternativas pode valer (${reasons.join("; ")})`;
      ctx.warn(
        "rule/never-fires",
        `a regra "${rule.name}" nunca se aplica: ${why} para nenhum valor que o esquema dos fatos permite. Corrija a condição ou remova a regra`,
        rule.when.range,
      );
    });
  }
  checkConflictingWrites(ctx, cx, alternativesOf);
}

/** The constant values a rule assigns to whole outputs (`saida = constante`), by output. */
function constantWrites(cx: ConditionContext, rule: RuleDecl): Map<string, { value: Value; range: RuleDecl["range"] }> {
  const out = new Map<string, { value: Value; range: RuleDecl["range"] }>();
  for (const a of rule.then) {
    if (a.kind !== "assign" || a.target.length !== 1) continue;
    const value = cx.constant(a.value);
    const output = a.target[0] as string;
    // A later action of the same rule overrides an earlier one; a non-constant write hides both.
    if (value === undefined) out.delete(output);
    else out.set(output, { value, range: a.value.range });
  }
  return out;
}

function checkConflictingWrites(
  ctx: CheckContext,
  cx: ConditionContext,
  alternativesOf: Map<RuleDecl, Conjunction[] | undefined>,
): void {
  const byPriority = new Map<number, RuleDecl[]>();
  for (const r of ctx.model.rules) byPriority.set(r.priority, [...(byPriority.get(r.priority) ?? []), r]);
  let pairs = 0;
  for (const rules of byPriority.values()) {
    const writes = rules.map((r) => constantWrites(cx, r));
    for (let i = 0; i < rules.length; i++) {
      const a = rules[i] as RuleDecl;
      if (a.stop) continue;
      for (let j = i + 1; j < rules.length; j++) {
        if (++pairs > MAX_PAIRS) {
          ctx.report({
            code: "rule/conflicting-writes",
            severity: "info",
            message: `a procura de regras de mesma prioridade que escrevem valores diferentes parou depois de ${MAX_PAIRS} pares`,
            range: ctx.model.nameRange,
          });
          return;
        }
        const b = rules[j] as RuleDecl;
        const wa = writes[i] as ReturnType<typeof constantWrites>;
        const wb = writes[j] as ReturnType<typeof constantWrites>;
        for (const [output, x] of wa) {
          const y = wb.get(output);
          if (!y || valueEquals(x.value, y.value)) continue;
          const example = jointExample(alternativesOf.get(a), alternativesOf.get(b));
          if (!example) continue;
          const when = example.size ? `, por exemplo com ${exampleText(example)}` : " (as duas valem sempre)";
          ctx.report({
            code: "rule/conflicting-writes",
            severity: "warning",
            message: `as regras "${a.name}" e "${b.name}" têm a mesma prioridade (${a.priority}) e escrevem valores diferentes em "${output}" (${valueText(x.value)} e ${valueText(y.value)}) para a mesma entrada${when}; vale o de "${b.name}", a escrita depois. Dê prioridades diferentes ou torne as condições exclusivas`,
            range: y.range,
            related: [{ message: `"${a.name}" escreve ${valueText(x.value)}`, range: x.range }],
          });
        }
      }
    }
  }
}

/** An input for which both rules apply (undefined when none, or when either condition has parts the
 * analysis cannot read: then it makes no claim). */
function jointExample(
  a: Conjunction[] | undefined,
  b: Conjunction[] | undefined,
): ReadonlyMap<string, Value> | undefined {
  if (!a || !b) return undefined;
  for (const x of a)
    for (const y of b) {
      // A part left out of either condition could make them exclusive: no claim then.
      if (x.opaque || y.opaque) continue;
      const example = satisfy({ tests: [...x.tests, ...y.tests], opaque: false });
      if (example) return example;
    }
  return undefined;
}
