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
 * for the tests written on it — the constants themselves, a value between and beyond each two (one
 * unit for integers and dates, the midpoint otherwise), the schema's minimum and maximum, every
 * `enum` value, true/false, null when the fact may be absent, and one text no test names. Each
 * test is evaluated on a candidate with the language's own operators (`applyBinary`), so the
 * analysis agrees with the runtime on nulls, dates and texts by construction. The satisfying
 * candidates are the example input a finding shows.
 */
import type { Range } from "../diagnostics.js";
import { applyBinary, evaluate, type EvalEnv } from "../evaluate.js";
import type { FieldDecl, RuleSetModel } from "../ruleset/model.js";
import type { BinaryOperator, Expr } from "../syntax/ast.js";
import {
  DateTimeValue,
  DateValue,
  DurationValue,
  parseDate,
  parseDateTime,
  toDisplayText,
  type Value,
  valueEquals,
} from "../values.js";

/** One fact (path) tested against constants: true when `holds(value)`. */
export interface FactTest {
  /** `pedido.status`, `tipo`: a fact or a field of an object fact. */
  readonly path: string;
  readonly decl: FieldDecl;
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

  /** The declaration of a fact or a field of an object fact named by `e`, with its path. */
  factPath(e: Expr): { path: string; decl: FieldDecl } | undefined {
    if (e.kind === "name") {
      const decl = this.model.facts.get(e.name);
      return decl ? { path: e.name, decl } : undefined;
    }
    if (e.kind === "member") {
      const parent = this.factPath(e.object);
      const field = parent?.decl.decl.type === "object" ? parent.decl.decl.fields?.get(e.property) : undefined;
      if (!parent || !field) return undefined;
      // A field of an absent object is absent too.
      const nullable = field.nullable || !parent.decl.required || parent.decl.nullable;
      return { path: `${parent.path}.${e.property}`, decl: nullable ? { ...field, nullable: true } : field };
    }
    return undefined;
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
      if (fact?.decl.decl.type !== "boolean") return undefined;
      return { ...fact, constants: [], holds: (v) => v === true, text, range: e.range };
    }
    case "isNull": {
      const fact = cx.factPath(e.operand);
      if (!fact || !scalar(fact.decl)) return undefined;
      const negated = e.negated;
      return {
        ...fact,
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
      if (!fact || low === undefined || high === undefined || !ordered(fact.decl)) return undefined;
      const zone = cx.model.zone;
      return {
        ...fact,
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
        if (!fact || !Array.isArray(list) || !scalar(fact.decl)) return undefined;
        const op = e.operator;
        return {
          ...fact,
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
      if (!fact || value === undefined || !scalar(fact.decl)) return undefined;
      const equality = op === "==" || op === "!=";
      if (!equality && !ordered(fact.decl)) return undefined;
      const c = value;
      return { ...fact, constants: [c], holds: (v) => applyBinary(op, v, c, zone) === true, text, range: e.range };
    }
    default:
      return undefined;
  }
}

/** Types whose values the candidates cover for `==`/`!=`/`in`. */
function scalar(f: FieldDecl): boolean {
  return ["string", "number", "integer", "boolean", "date", "date-time", "duration"].includes(f.decl.type);
}

/** Types whose order the candidates cover (texts are left out: between two texts there may be none). */
function ordered(f: FieldDecl): boolean {
  return ["number", "integer", "date", "date-time", "duration"].includes(f.decl.type);
}

/** Whether the fact may be null when rules run (absent without default, or declared nullable). */
function mayBeNull(f: FieldDecl): boolean {
  return f.nullable || (!f.required && f.default === undefined);
}

/** The candidate values of one fact for the constants its tests name (see the top comment). */
export function candidates(decl: FieldDecl, constants: readonly Value[]): Value[] {
  const d = decl.decl;
  const out: Value[] = [];
  switch (d.type) {
    case "boolean":
      out.push(true, false);
      break;
    case "string": {
      if (d.enum) out.push(...d.enum);
      else {
        const texts = constants.filter((c): c is string => typeof c === "string");
        out.push(...texts);
        let fresh = "outro valor";
        for (let i = 2; texts.includes(fresh); i++) fresh = `outro valor ${i}`;
        out.push(fresh);
      }
      break;
    }
    case "number":
    case "integer": {
      const integer = d.type === "integer";
      const nums = [...new Set(constants.filter((c): c is number => typeof c === "number"))].sort((a, b) => a - b);
      if (d.minimum !== undefined) nums.push(d.minimum);
      if (d.maximum !== undefined) nums.push(d.maximum);
      nums.sort((a, b) => a - b);
      const points = new Set<number>(nums.length ? [] : [0]);
      nums.forEach((n, i) => {
        points.add(integer ? Math.ceil(n) : n);
        points.add(integer ? Math.floor(n) : n);
        points.add(integer ? Math.floor(n) - 1 : n - 1);
        points.add(integer ? Math.floor(n) + 1 : n + 1);
        const next = nums[i + 1];
        if (next !== undefined && !integer) points.add((n + next) / 2);
      });
      for (const p of points) {
        if (!Number.isFinite(p)) continue;
        if (d.minimum !== undefined && p < d.minimum) continue;
        if (d.maximum !== undefined && p > d.maximum) continue;
        out.push(p);
      }
      break;
    }
    case "date":
    case "date-time":
    case "duration": {
      const day = new DurationValue(1, 0);
      const ms = new DurationValue(0, 1);
      // Some value of the type, whatever the constants (a test may name none: `data is not null`).
      const some =
        d.type === "date"
          ? parseDate("2024-01-02")
          : d.type === "date-time"
            ? parseDateTime("2024-01-02T12:00:00Z", "UTC")
            : day;
      if (some) out.push(some);
      for (const c of constants) {
        if (!(c instanceof DateValue || c instanceof DateTimeValue || c instanceof DurationValue)) continue;
        out.push(c);
        const steps = c instanceof DateValue ? [day] : [day, ms];
        for (const step of steps) {
          const after = applyBinary("+", c, step);
          const before = applyBinary("-", c, step);
          if (after !== null) out.push(after);
          if (before !== null) out.push(before);
        }
      }
      break;
    }
    default:
      break;
  }
  if (mayBeNull(decl)) out.push(null);
  return out;
}

/** Values of the facts a conjunction tests, satisfying every test; undefined when none exists. */
export function satisfy(conjunction: Conjunction): Map<string, Value> | undefined {
  const byPath = new Map<string, FactTest[]>();
  for (const t of conjunction.tests) {
    const list = byPath.get(t.path);
    if (list) list.push(t);
    else byPath.set(t.path, [t]);
  }
  const example = new Map<string, Value>();
  for (const [path, tests] of byPath) {
    const first = tests[0] as FactTest;
    const values = candidates(
      first.decl,
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
  for (const t of conjunction.tests) byPath.set(t.path, [...(byPath.get(t.path) ?? []), t]);
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
  if (typeof v === "string") return v.startsWith("outro valor") ? "outro valor" : JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return toDisplayText(v);
}

/** Whether two constant values are the same (for "different values written"). */
export function sameValue(a: Value, b: Value): boolean {
  return valueEquals(a, b);
}
