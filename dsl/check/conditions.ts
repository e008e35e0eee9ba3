/**
 * A rule condition as facts compared with constants, for the analyses that ask "can this ever be
 * true?" and "can these two be true together?" (dsl/check/rule-analysis.ts).
 *
 * `conditionAlternatives` turns a `when` into alternatives (a disjunction) of conjunctions of
 * *tests*: one fact (or a field of an object fact) compared with a constant (`==`, `!=`, `<`, `<=`,
 * `>`, `>=`, `in`, `not in`, `between`, `is null`, a bare boolean fact), through `and`, `or` and
 * `not`. Anything else (computed values, tables, `decision.x`, function calls, two facts compared
 * with each other) is *opaque*: it is left out of the conjunction, which then may only be more often
 * true than the real condition. So a finding built on these conjunctions ("never true") is sound:
 * it never claims something the real condition could contradict.
 *
 * `satisfy` decides one conjunction over the domains the fact schema declares: the tests on
 * different facts are independent, and for each fact a finite set of *candidate values* is complete
 * for the tests written on it (`candidateValues` in `guard-logic.ts`, shared with the state-machine
 * checks: the constants themselves, a value between and beyond each two, the schema's minimum and
 * maximum, every `enum` value, true/false, null when the fact may be absent, one text no test
 * names, a day and a millisecond either side of a date or date-time). Fact paths are
 * `factPathOf`'s. Each
 * test is evaluated on a candidate with the language's own operators (`applyBinary`), so the
 * analysis agrees with the runtime on nulls, dates and texts by construction. The satisfying
 * candidates are the example input a finding shows.
 */
import type { Range } from "../diagnostics.js";
import { applyBinary, evaluate, type EvalEnv } from "../evaluate.js";
import type { RuleSetModel } from "../ruleset/model.js";
import type { BinaryOperator, Expr } from "../syntax/ast.js";
import { toDisplayText, type Value } from "../values.js";
import { candidateValues, type FactPath, factPathOf, OTHER_TEXT } from "./guard-logic.js";

/** One fact (path) tested against constants: true when `holds(value)`. */
export interface FactTest {
  /** `pedido.status`, `tipo`: a fact or a field of an object fact. */
  readonly path: FactPath;
  /** The constants the test names (they define the candidate values). */
  readonly constants: readonly Value[];
  readonly holds: (v: Value) => boolean;
  /** The test as written (`tipo == "A"`, negated with `not (...)`). */
  readonly text: string;
  readonly range: Range;
}

/** A conjunction of tests; `opaque` when parts of the condition were left out. */
export interface Conjunction {
  readonly tests: readonly FactTest[];
  readonly opaque: boolean;
}

/** Beyond this many alternatives a condition is not analysed (undefined). */
const MAX_ALTERNATIVES = 256;

const FLIP: Partial<Record<BinaryOperator, BinaryOperator>> = {
  "==": "==",
  "!=": "!=",
  "<": ">",
  "<=": ">=",
  ">": "<",
  ">=": "<=",
};

/** What the analysis knows of the rule set: the fact declarations and the constants' values. */
export class ConditionContext {
  private readonly constantValues = new Map<string, Value | undefined>();

  constructor(
    readonly model: RuleSetModel,
    /** Text of a node as written (for messages). */
    private readonly textOf: (e: Expr) => string,
  ) {}

  /** The fact (or field of an object fact) `e` names, when it is one. */
  factPath(e: Expr): FactPath | undefined {
    return factPathOf(e, this.model);
  }

  /** The value of a constant expression (literals, constants, lists of them); undefined otherwise. */
  constant(e: Expr): Value | undefined {
    if (!this.isConstant(e)) return undefined;
    try {
      return evaluate(e, this.env());
    } catch {
      return undefined;
    }
  }

  private isConstant(e: Expr): boolean {
    switch (e.kind) {
      case "literal":
        return true;
      case "name":
        return this.model.constants.has(e.name);
      case "list":
        return e.items.every((i) => this.isConstant(i));
      case "unary":
        return e.operator === "-" && this.isConstant(e.operand);
      default:
        return false;
    }
  }

  private env(): EvalEnv {
    return {
      zone: this.model.zone,
      lookup: (n) => {
        const c = this.model.constants.get(n);
        if (!c) return undefined;
        if (!this.constantValues.has(n)) {
          this.constantValues.set(n, undefined);
          try {
            this.constantValues.set(n, evaluate(c.expr, this.env()));
          } catch {
            // an unevaluable constant stays unknown
          }
        }
        return this.constantValues.get(n) ?? undefined;
      },
    };
  }

  text(e: Expr): string {
    return this.textOf(e);
  }
}

/**
 * The alternatives of a condition (undefined when there are too many to analyse). No condition
 * (`when` absent) is one empty conjunction: always true.
 */
export function conditionAlternatives(cx: ConditionContext, when: Expr | undefined): Conjunction[] | undefined {
  if (!when) return [{ tests: [], opaque: false }];
  return alternatives(cx, when, false);
}

function alternatives(cx: ConditionContext, e: Expr, negated: boolean): Conjunction[] | undefined {
  if (e.kind === "unary" && e.operator === "not") return alternatives(cx, e.operand, !negated);
  if (e.kind === "logical") {
    const parts = e.operands.map((o) => alternatives(cx, o, negated));
    if (parts.some((p) => p === undefined)) return undefined;
    const lists = parts as Conjunction[][];
    // `and` (or a negated `or`) is the product of the operands' alternatives; `or` their union.
    if ((e.operator === "and") !== negated) {
      let acc: Conjunction[] = [{ tests: [], opaque: false }];
      for (const list of lists) {
        const next: Conjunction[] = [];
        for (const a of acc)
          for (const b of list) next.push({ tests: [...a.tests, ...b.tests], opaque: a.opaque || b.opaque });
        if (next.length > MAX_ALTERNATIVES) return undefined;
        acc = next;
      }
      return acc;
    }
    const all = lists.flat();
    return all.length > MAX_ALTERNATIVES ? undefined : all;
  }
  const test = factTest(cx, e);
  if (!test) return [{ tests: [], opaque: true }];
  return [{ tests: [negated ? negate(test) : test], opaque: false }];
}

function negate(t: FactTest): FactTest {
  return { ...t, holds: (v) => !t.holds(v), text: `not (${t.text})` };
}

/** A single test of a fact against constants, or undefined (opaque). */
function factTest(cx: ConditionContext, e: Expr): FactTest | undefined {
  const text = cx.text(e);
  switch (e.kind) {
    case "name":
    case "member": {
      const fact = cx.factPath(e);
      if (fact?.decl?.type !== "boolean") return undefined;
      return { path: fact, constants: [], holds: (v) => v === true, text, range: e.range };
    }
    case "isNull": {
      const fact = cx.factPath(e.operand);
      if (!fact || !scalar(fact)) return undefined;
      const negated = e.negated;
      return {
        path: fact,
        constants: [],
        holds: (v) => (v === null) !== negated,
        text,
        range: e.range,
      };
    }
    case "between": {
      const fact = cx.factPath(e.operand);
      const low = cx.constant(e.low);
      const high = cx.constant(e.high);
      if (!fact || low === undefined || high === undefined || !ordered(fact)) return undefined;
      const zone = cx.model.zone;
      return {
        path: fact,
        constants: [low, high],
        holds: (v) => applyBinary(">=", v, low, zone) === true && applyBinary("<=", v, high, zone) === true,
        text,
        range: e.range,
      };
    }
    case "binary": {
      const zone = cx.model.zone;
      if (e.operator === "in" || e.operator === "not in") {
        const fact = cx.factPath(e.left);
        const list = cx.constant(e.right);
        if (!fact || !Array.isArray(list) || !scalar(fact)) return undefined;
        const op = e.operator;
        return {
          path: fact,
          constants: list,
          holds: (v) => applyBinary(op, v, list, zone) === true,
          text,
          range: e.range,
        };
      }
      const flipped = FLIP[e.operator];
      if (!flipped) return undefined;
      let fact = cx.factPath(e.left);
      let value = cx.constant(e.right);
      let op: BinaryOperator = e.operator;
      if (!fact || value === undefined) {
        fact = cx.factPath(e.right);
        value = cx.constant(e.left);
        op = flipped;
      }
      if (!fact || value === undefined || !scalar(fact)) return undefined;
      const equality = op === "==" || op === "!=";
      if (!equality && !ordered(fact)) return undefined;
      const c = value;
      return { path: fact, constants: [c], holds: (v) => applyBinary(op, v, c, zone) === true, text, range: e.range };
    }
    default:
      return undefined;
  }
}

/** Types whose values the candidates cover for `==`/`!=`/`in`. */
function scalar(p: FactPath): boolean {
  return ["string", "number", "integer", "boolean", "date", "date-time", "duration"].includes(p.decl?.type ?? "");
}

/** Types whose order the candidates cover (texts are left out: between two texts there may be none). */
function ordered(p: FactPath): boolean {
  return ["number", "integer", "date", "date-time", "duration"].includes(p.decl?.type ?? "");
}

/** Values of the facts a conjunction tests, satisfying every test; undefined when none exists. */
export function satisfy(conjunction: Conjunction): Map<string, Value> | undefined {
  const byPath = new Map<string, FactTest[]>();
  for (const t of conjunction.tests) {
    const list = byPath.get(t.path.key);
    if (list) list.push(t);
    else byPath.set(t.path.key, [t]);
  }
  const example = new Map<string, Value>();
  for (const [path, tests] of byPath) {
    const first = tests[0] as FactTest;
    const values = candidateValues(
      first.path.decl,
      first.path.mayBeNull,
      tests.flatMap((t) => t.constants.flatMap((c) => (Array.isArray(c) ? c : [c]))),
    );
    const found = values.find((v) => tests.every((t) => t.holds(v)));
    if (found === undefined) return undefined;
    example.set(path, found);
  }
  return example;
}

/** The tests on one fact that cannot hold together (the reason a conjunction is never true). */
export function contradiction(conjunction: Conjunction): FactTest[] | undefined {
  const byPath = new Map<string, FactTest[]>();
  for (const t of conjunction.tests) byPath.set(t.path.key, [...(byPath.get(t.path.key) ?? []), t]);
  for (const tests of byPath.values()) {
    const one: Conjunction = { tests, opaque: false };
    if (!satisfy(one)) return tests;
  }
  return undefined;
}

/** An example input in the analyst's terms: `tipo = "A", idade = 17`. */
export function exampleText(example: ReadonlyMap<string, Value>): string {
  return [...example].map(([path, v]) => `${path} = ${valueText(v)}`).join(", ");
}

/** A value as a finding shows it (texts quoted, dates as dd/mm/aaaa, null as "ausente"). */
export function valueText(v: Value): string {
  if (v === null) return "ausente";
  if (typeof v === "string") return v === OTHER_TEXT ? "outro valor" : JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return toDisplayText(v);
}
