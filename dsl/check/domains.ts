/**
 * Domains of values, for the semantic analyses (decision-table gaps, overlaps and shadowed rows,
 * today; conditions of rules tomorrow). Browser-safe: no Node modules.
 *
 * API (every function is pure; sets are immutable values):
 *
 * - `Domain`: the values a column, fact or expression can take, from the fact schema or a type:
 *   `enum` (a string enum: its values), `text` (an open string: the literals mentioned plus "any
 *   other value"), `boolean` (true/false), `integer`/`number` (intervals, integers with step 1,
 *   honouring schema `minimum`/`maximum`), `date`/`datetime` (intervals over epoch days / epoch
 *   milliseconds, step 1), plus `null` when the value may be absent (`nullable`).
 *   - `factPath(expr)`: the fact path an expression reads (`a`, `a.b.c`), or undefined;
 *   - `domainOfFact(model, path)`: the domain a fact path's schema declares (undefined when it is
 *     not a scalar the analyses understand: lists, objects, durations, `any`);
 *   - `domainOfType(type, nullable, zone)`: the domain of an inferred type (computed columns);
 *   - `domainOfExpr(model, expr, type)`: the fact's domain when `expr` is a fact path, else its type's.
 * - `ValueSet`: a subset of a domain (finite or co-finite values, or disjoint intervals, plus null).
 *   `EMPTY`, `fullSet(d)`, `nullSet()`, `union`, `intersect`, `complement`, `isEmpty`, `subsetOf`,
 *   `contains(d, set, point)`.
 * - What an expression admits: `comparisonSet(d, op, value)` is the set of `x` with `x op value`
 *   under the evaluator's semantics (`==`/`!=` null-safe, ordering false on null, a value of
 *   another kind never equal), or undefined when it cannot be analysed (e.g. ordering on texts); `testSet(d, test, constantOf)` does the
 *   same for a table cell (unary test), with `constantOf` (`constantEvaluator(model)`) giving the
 *   value of a cell expression that reads only literals and constants (undefined otherwise: the
 *   caller decides whether "unknown" means "may match" or "does not match").
 * - `partition(d, sets)`: the coarsest split of the domain into atoms such that every given set is
 *   a union of atoms (each atom with an exact `set`, a representative `point` and an `example`);
 *   `atomIndexes(d, atoms, set)`: which atoms a set contains.
 * - `exampleOf(d, set, avoid)`: one value of a set written as the YAML writes it, for messages in
 *   the analysts' terms: `Titular` (an enum value), `"Consulta"` (a text), `17`, `2024-03-01`, `ausente` (null), or
 *   `outro valor (p.ex. "X")` for "any other text" (X not among `avoid`).
 */
import type { Expr, UnaryTest } from "../syntax/ast.js";
import { walkExpr } from "../syntax/ast.js";
import { evaluate, type EvalEnv, literalValue } from "../evaluate.js";
import type { FieldDecl, RuleSetModel, TypeDecl } from "../ruleset/model.js";
import type { Type } from "../types.js";
import { DateTimeValue, DateValue, type Value } from "../values.js";

export type DomainKind = "enum" | "text" | "boolean" | "integer" | "number" | "date" | "datetime";

export interface Domain {
  readonly kind: DomainKind;
  /** `enum`: the declared values, in order. */
  readonly values?: readonly string[];
  /** Ordered kinds: inclusive bounds (schema `minimum`/`maximum`), in the kind's points. */
  readonly min?: number;
  readonly max?: number;
  /** The value may be absent (null). */
  readonly nullable: boolean;
  /** Zone of the rule set, for writing date-times. */
  readonly zone: string;
}

/**
 * A point of a domain: the value itself for discrete kinds (texts, booleans), its number for
 * ordered ones (numbers; epoch day for dates; epoch milliseconds for date-times).
 */
export type Point = string | number | boolean;

/** An interval of an ordered domain; infinite bounds are open. */
export interface Interval {
  readonly lo: number;
  readonly loOpen: boolean;
  readonly hi: number;
  readonly hiOpen: boolean;
}

/** A subset of a domain. Discrete kinds use `values`/`cofinite`; ordered kinds use `intervals`. */
export interface ValueSet {
  readonly null: boolean;
  /** Discrete kinds: the values in the set or, with `cofinite`, the values not in it. */
  readonly values: readonly Point[];
  readonly cofinite: boolean;
  /** Ordered kinds: disjoint intervals, in order. */
  readonly intervals: readonly Interval[];
}

export const EMPTY: ValueSet = { null: false, values: [], cofinite: false, intervals: [] };

const ALL_LINE: Interval = { lo: -Infinity, loOpen: true, hi: Infinity, hiOpen: true };

export function isOrdered(d: Domain): boolean {
  return d.kind === "integer" || d.kind === "number" || d.kind === "date" || d.kind === "datetime";
}

/** Whether points of the domain are whole numbers (step 1). */
function stepped(d: Domain): boolean {
  return d.kind === "integer" || d.kind === "date" || d.kind === "datetime";
}

// ---------------------------------------------------------------------------------------------
// Domains
// ---------------------------------------------------------------------------------------------

/** The fact path an expression reads (`a` → ["a"], `a.b` → ["a", "b"]), or undefined. */
export function factPath(e: Expr, model: RuleSetModel): string[] | undefined {
  if (e.kind === "name") return model.facts.has(e.name) ? [e.name] : undefined;
  if (e.kind === "member") {
    const base = factPath(e.object, model);
    return base ? [...base, e.property] : undefined;
  }
  return undefined;
}

/** The domain a fact path's schema declares, or undefined when it is not an analysable scalar. */
export function domainOfFact(model: RuleSetModel, path: readonly string[]): Domain | undefined {
  let field: FieldDecl | undefined = model.facts.get(path[0] ?? "");
  let nullable = false;
  for (let i = 0; field; i++) {
    nullable ||= field.nullable && field.default === undefined;
    if (i === path.length - 1) return domainOfDecl(field.decl, nullable, model.zone);
    field = field.decl.fields?.get(path[i + 1] ?? "");
  }
  return undefined;
}

function domainOfDecl(decl: TypeDecl, nullable: boolean, zone: string): Domain | undefined {
  const bounds = {
    ...(decl.minimum !== undefined ? { min: decl.minimum } : {}),
    ...(decl.maximum !== undefined ? { max: decl.maximum } : {}),
  };
  switch (decl.type) {
    case "string":
      return decl.enum ? { kind: "enum", values: decl.enum, nullable, zone } : { kind: "text", nullable, zone };
    case "boolean":
      return { kind: "boolean", nullable, zone };
    case "integer":
      return clipBounds({ kind: "integer", nullable, zone, ...bounds });
    case "number":
      return { kind: "number", nullable, zone, ...bounds };
    case "date":
      return { kind: "date", nullable, zone };
    case "date-time":
      return { kind: "datetime", nullable, zone };
    default:
      return undefined;
  }
}

function clipBounds(d: Domain): Domain {
  return {
    ...d,
    ...(d.min !== undefined ? { min: Math.ceil(d.min) } : {}),
    ...(d.max !== undefined ? { max: Math.floor(d.max) } : {}),
  };
}

/** The domain of an inferred type, or undefined when it is not an analysable scalar. */
export function domainOfType(type: Type, nullable: boolean, zone: string): Domain | undefined {
  switch (type.kind) {
    case "string":
      return type.enum ? { kind: "enum", values: type.enum, nullable, zone } : { kind: "text", nullable, zone };
    case "boolean":
    case "integer":
    case "number":
    case "date":
      return { kind: type.kind, nullable, zone };
    case "datetime":
      return { kind: "datetime", nullable, zone };
    default:
      return undefined;
  }
}

/**
 * The domain of an expression: the schema's when it reads a fact path, else its inferred type's
 * (not nullable: a computed value's absence is not analysed).
 */
export function domainOfExpr(model: RuleSetModel, e: Expr, type: Type | undefined): Domain | undefined {
  const path = factPath(e, model);
  if (path) return domainOfFact(model, path);
  return type ? domainOfType(type, false, model.zone) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Sets
// ---------------------------------------------------------------------------------------------

/** Every value of the domain (with null when it is nullable). */
export function fullSet(d: Domain): ValueSet {
  if (isOrdered(d)) return { ...EMPTY, null: d.nullable, intervals: clip(d, [ALL_LINE]) };
  return { ...EMPTY, null: d.nullable, cofinite: true };
}

/** Only null. */
export function nullSet(): ValueSet {
  return { ...EMPTY, null: true };
}

/** One point. */
export function pointSet(d: Domain, p: Point): ValueSet {
  if (isOrdered(d) && typeof p === "number")
    return { ...EMPTY, intervals: clip(d, [{ lo: p, loOpen: false, hi: p, hiOpen: false }]) };
  return { ...EMPTY, values: [p] };
}

export function union(d: Domain, a: ValueSet, b: ValueSet): ValueSet {
  if (isOrdered(d))
    return { ...EMPTY, null: a.null || b.null, intervals: mergeIntervals(d, [...a.intervals, ...b.intervals]) };
  const nul = a.null || b.null;
  if (!a.cofinite && !b.cofinite) return { ...EMPTY, null: nul, values: uniq([...a.values, ...b.values]) };
  if (a.cofinite && b.cofinite)
    return { ...EMPTY, null: nul, cofinite: true, values: a.values.filter((v) => b.values.includes(v)) };
  const [fin, cof] = a.cofinite ? [b, a] : [a, b];
  return { ...EMPTY, null: nul, cofinite: true, values: cof.values.filter((v) => !fin.values.includes(v)) };
}

export function intersect(d: Domain, a: ValueSet, b: ValueSet): ValueSet {
  const nul = a.null && b.null;
  if (isOrdered(d)) {
    const out: Interval[] = [];
    for (const x of a.intervals)
      for (const y of b.intervals) {
        const i = meet(x, y);
        if (i) out.push(i);
      }
    return { ...EMPTY, null: nul, intervals: mergeIntervals(d, out) };
  }
  if (!a.cofinite && !b.cofinite) return { ...EMPTY, null: nul, values: a.values.filter((v) => b.values.includes(v)) };
  if (a.cofinite && b.cofinite)
    return { ...EMPTY, null: nul, cofinite: true, values: uniq([...a.values, ...b.values]) };
  const [fin, cof] = a.cofinite ? [b, a] : [a, b];
  return { ...EMPTY, null: nul, values: fin.values.filter((v) => !cof.values.includes(v)) };
}

/** The values of the domain not in `a` (null included when the domain is nullable and `a` lacks it). */
export function complement(d: Domain, a: ValueSet): ValueSet {
  const nul = d.nullable && !a.null;
  if (!isOrdered(d)) return { ...EMPTY, null: nul, cofinite: !a.cofinite, values: a.values };
  const out: Interval[] = [];
  let lo = -Infinity;
  let loOpen = true;
  for (const i of a.intervals) {
    const gap: Interval = { lo, loOpen, hi: i.lo, hiOpen: !i.loOpen };
    if (nonEmpty(d, gap)) out.push(gap);
    lo = i.hi;
    loOpen = !i.hiOpen;
  }
  out.push({ lo, loOpen, hi: Infinity, hiOpen: true });
  return {
    ...EMPTY,
    null: nul,
    intervals: clip(
      d,
      out.filter((i) => nonEmpty(d, i)),
    ),
  };
}

/** Whether a set has no value of the domain. */
export function isEmpty(d: Domain, a: ValueSet): boolean {
  if (a.null && d.nullable) return false;
  if (isOrdered(d)) return clip(d, a.intervals).length === 0;
  const universe = discreteUniverse(d);
  if (!a.cofinite) return !a.values.some((v) => universe === undefined || universe.includes(v));
  return universe?.every((v) => a.values.includes(v)) ?? false;
}

/** Whether every value of `a` is in `b`. */
export function subsetOf(d: Domain, a: ValueSet, b: ValueSet): boolean {
  return isEmpty(d, intersect(d, a, complement(d, b)));
}

/** Whether a point (null for absent) is in a set. */
export function contains(d: Domain, a: ValueSet, p: Point | null): boolean {
  if (p === null) return a.null;
  if (isOrdered(d)) return typeof p === "number" && a.intervals.some((i) => inside(i, p));
  return a.cofinite !== a.values.includes(p);
}

function discreteUniverse(d: Domain): readonly Point[] | undefined {
  if (d.kind === "enum") return d.values ?? [];
  if (d.kind === "boolean") return [true, false];
  return undefined;
}

function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function inside(i: Interval, p: number): boolean {
  return (i.loOpen ? p > i.lo : p >= i.lo) && (i.hiOpen ? p < i.hi : p <= i.hi);
}

function meet(x: Interval, y: Interval): Interval | undefined {
  const [lo, loOpen] = x.lo > y.lo ? [x.lo, x.loOpen] : y.lo > x.lo ? [y.lo, y.loOpen] : [x.lo, x.loOpen || y.loOpen];
  const [hi, hiOpen] = x.hi < y.hi ? [x.hi, x.hiOpen] : y.hi < x.hi ? [y.hi, y.hiOpen] : [x.hi, x.hiOpen || y.hiOpen];
  const i = { lo, loOpen, hi, hiOpen };
  return lo < hi || (lo === hi && !loOpen && !hiOpen) ? i : undefined;
}

function nonEmpty(d: Domain, i: Interval): boolean {
  if (stepped(d)) {
    const n = normal(i);
    return n.lo <= n.hi;
  }
  return i.lo < i.hi || (i.lo === i.hi && !i.loOpen && !i.hiOpen);
}

/** Stepped kinds: an interval with closed whole bounds (infinite bounds stay open). */
function normal(i: Interval): Interval {
  const lo = Number.isFinite(i.lo) ? (i.loOpen ? Math.floor(i.lo) + 1 : Math.ceil(i.lo)) : i.lo;
  const hi = Number.isFinite(i.hi) ? (i.hiOpen ? Math.ceil(i.hi) - 1 : Math.floor(i.hi)) : i.hi;
  return { lo, loOpen: !Number.isFinite(lo), hi, hiOpen: !Number.isFinite(hi) };
}

/** Intervals within the domain's bounds, normalised, empty ones dropped. */
function clip(d: Domain, intervals: readonly Interval[]): Interval[] {
  const bound: Interval = {
    lo: d.min ?? -Infinity,
    loOpen: d.min === undefined,
    hi: d.max ?? Infinity,
    hiOpen: d.max === undefined,
  };
  const out: Interval[] = [];
  for (const i of intervals) {
    const m = meet(i, bound);
    if (!m) continue;
    const n = stepped(d) ? normal(m) : m;
    if (nonEmpty(d, n)) out.push(n);
  }
  return out;
}

/** Sorted, disjoint, merged intervals within the domain. */
function mergeIntervals(d: Domain, intervals: readonly Interval[]): Interval[] {
  const sorted = clip(d, intervals).sort((a, b) => a.lo - b.lo || Number(a.loOpen) - Number(b.loOpen));
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    const touches =
      last &&
      (i.lo < last.hi ||
        (i.lo === last.hi && !(i.loOpen && last.hiOpen)) ||
        (stepped(d) && Number.isFinite(last.hi) && i.lo === last.hi + 1));
    if (last && touches) {
      if (i.hi > last.hi || (i.hi === last.hi && !i.hiOpen))
        out[out.length - 1] = { lo: last.lo, loOpen: last.loOpen, hi: i.hi, hiOpen: i.hiOpen };
    } else out.push(i);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What comparisons and cells admit
// ---------------------------------------------------------------------------------------------

/** The point of a value in a domain, null for null, undefined when the value does not belong to the kind. */
export function pointOf(d: Domain, v: Value): Point | null | undefined {
  if (v === null) return null;
  switch (d.kind) {
    case "enum":
    case "text":
      return typeof v === "string" ? v : undefined;
    case "boolean":
      return typeof v === "boolean" ? v : undefined;
    case "integer":
    case "number":
      return typeof v === "number" && Number.isFinite(v) ? v : undefined;
    case "date":
      return v instanceof DateValue ? v.epochDay() : undefined;
    case "datetime":
      return v instanceof DateTimeValue ? v.epochMs : undefined;
    default:
      return undefined;
  }
}

export type ComparisonOperator = "==" | "!=" | "<" | "<=" | ">" | ">=";

/**
 * The values `x` of the domain with `x op value` true, as the evaluator decides it (`==` and `!=`
 * null-safe, ordering false when either side is null, a value of another kind never equal nor
 * ordered); undefined when it cannot be analysed (ordering on texts or booleans, dates against
 * date-times).
 */
export function comparisonSet(d: Domain, op: ComparisonOperator, value: Value): ValueSet | undefined {
  const p = pointOf(d, value);
  if (p === undefined) {
    // A date against a date-time is compared in the zone: not analysed. Any other value of
    // another kind is never equal, and never ordered, to the domain's values.
    if (d.kind === "date" || d.kind === "datetime") return undefined;
    return op === "!=" ? fullSet(d) : EMPTY;
  }
  if (op === "==" || op === "!=") {
    const eq = p === null ? nullSet() : pointSet(d, p);
    return op === "==" ? eq : complement(d, eq);
  }
  if (p === null) return EMPTY;
  if (!isOrdered(d) || typeof p !== "number") return undefined;
  const i: Interval =
    op === "<"
      ? { lo: -Infinity, loOpen: true, hi: p, hiOpen: true }
      : op === "<="
        ? { lo: -Infinity, loOpen: true, hi: p, hiOpen: false }
        : op === ">"
          ? { lo: p, loOpen: true, hi: Infinity, hiOpen: true }
          : { lo: p, loOpen: false, hi: Infinity, hiOpen: true };
  return { ...EMPTY, intervals: clip(d, [i]) };
}

/** The value of an expression that reads only literals and constants, else undefined. */
export type ConstantOf = (e: Expr) => Value | undefined;

/**
 * Evaluates expressions made of literals, constants, lists, records and operators (no facts, no
 * function calls), with the rule set's constants (`model.constants`), as `invariants.ts` does.
 */
export function constantEvaluator(model: RuleSetModel): ConstantOf {
  const values = new Map<string, Value | undefined>();
  const constantValue = (name: string): Value | undefined => {
    if (values.has(name)) return values.get(name);
    values.set(name, undefined); // a cycle reads undefined (reported by checkCycles)
    const c = model.constants.get(name);
    const v = c ? of(c.expr) : undefined;
    values.set(name, v);
    return v;
  };
  const env: EvalEnv = {
    zone: model.zone,
    lookup: (n) => {
      const v = constantValue(n);
      if (v === undefined) throw new Error(`not a constant: ${n}`);
      return v;
    },
  };
  const of = (e: Expr): Value | undefined => {
    if (e.kind === "literal") return literalValue(e, model.zone);
    let pure = true;
    walkExpr(e, (x) => {
      if (x.kind === "call" || x.kind === "for" || x.kind === "error") pure = false;
      else if (x.kind === "name" && !model.constants.has(x.name)) pure = false;
    });
    if (!pure) return undefined;
    try {
      return evaluate(e, env);
    } catch {
      return undefined;
    }
  };
  return of;
}

/**
 * The values a table cell admits in its column's domain (as the compiled row decides: a cell
 * `not(t)` also admits null), or undefined when a part of it cannot be analysed (it reads a fact,
 * calls a function, or compares in a way `comparisonSet` does not analyse).
 */
export function testSet(d: Domain, test: UnaryTest, constantOf: ConstantOf): ValueSet | undefined {
  switch (test.kind) {
    case "any":
      return fullSet(d);
    case "compare": {
      const v = constantOf(test.value);
      return v === undefined ? undefined : comparisonSet(d, test.operator, v);
    }
    case "range": {
      const lo = constantOf(test.low);
      const hi = constantOf(test.high);
      if (lo === undefined || hi === undefined) return undefined;
      const a = comparisonSet(d, test.lowInclusive ? ">=" : ">", lo);
      const b = comparisonSet(d, test.highInclusive ? "<=" : "<", hi);
      return a && b ? intersect(d, a, b) : undefined;
    }
    case "oneOf": {
      let out = EMPTY;
      for (const t of test.tests) {
        const s = testSet(d, t, constantOf);
        if (!s) return undefined;
        out = union(d, out, s);
      }
      return out;
    }
    case "not": {
      const s = testSet(d, test.test, constantOf);
      return s ? complement(d, s) : undefined;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Atoms and examples
// ---------------------------------------------------------------------------------------------

/** One piece of a partition: every given set contains all of it or none of it. */
export interface Atom {
  readonly set: ValueSet;
  /** A point inside the atom (null for the null atom). */
  readonly point: Point | null;
  /** The atom's example in the YAML's terms (see `exampleOf`). */
  readonly example: string;
}

/**
 * The coarsest partition of the domain into atoms such that each of `sets` is a union of atoms:
 * the null atom (when nullable), then discrete values in order of the enum (or true, false; or
 * the texts in order of first mention, then "any other text"), or the pieces of the line between
 * the sets' interval bounds, in order.
 */
export function partition(d: Domain, sets: readonly ValueSet[]): Atom[] {
  const atoms: Atom[] = [];
  if (d.nullable) atoms.push({ set: nullSet(), point: null, example: "ausente" });
  if (d.kind === "enum" || d.kind === "boolean") {
    for (const v of discreteUniverse(d) ?? []) atoms.push(discreteAtom(d, v));
  } else if (d.kind === "text") {
    const mentioned = uniq(sets.flatMap((s) => s.values));
    for (const v of mentioned) atoms.push(discreteAtom(d, v));
    const other = freshText(new Set(mentioned.map(String)));
    atoms.push({
      set: { ...EMPTY, cofinite: true, values: mentioned },
      point: other,
      example: `outro valor (p.ex. "${other}")`,
    });
  } else {
    // Cuts: (value, 0) just before a value, (value, 1) just after it.
    const cuts = new Map<string, [number, 0 | 1]>();
    const cut = (v: number, side: 0 | 1): void => {
      if (Number.isFinite(v)) cuts.set(`${v}:${side}`, [v, side]);
    };
    for (const s of sets)
      for (const i of s.intervals) {
        cut(i.lo, i.loOpen ? 1 : 0);
        cut(i.hi, i.hiOpen ? 0 : 1);
      }
    const sorted = [...cuts.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let lo = -Infinity;
    let loOpen = true;
    const pieces: Interval[] = [];
    for (const [v, side] of sorted) {
      pieces.push({ lo, loOpen, hi: v, hiOpen: side === 0 });
      lo = v;
      loOpen = side === 1;
    }
    pieces.push({ lo, loOpen, hi: Infinity, hiOpen: true });
    for (const p of pieces) {
      const intervals = clip(d, [p]);
      const only = intervals[0];
      if (!only) continue;
      const set: ValueSet = { ...EMPTY, intervals };
      const point = intervalExample(d, only);
      atoms.push({ set, point, example: writePoint(d, point) });
    }
  }
  return atoms;
}

function discreteAtom(d: Domain, v: Point): Atom {
  return { set: { ...EMPTY, values: [v] }, point: v, example: writePoint(d, v) };
}

/** Indexes of the atoms a set contains, in order. */
export function atomIndexes(d: Domain, atoms: readonly Atom[], set: ValueSet): number[] {
  const out: number[] = [];
  const first = atoms[0]?.point === null ? 1 : 0;
  if (first === 1 && set.null) out.push(0);
  const lookup = atomLookup(atoms, first);
  if (isOrdered(d)) {
    // Atoms (after null) are in order of their points: each interval is a run of them.
    for (const i of set.intervals) {
      let lo = first;
      let hi = atoms.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (((atoms[mid] as Atom).point as number) < i.lo) lo = mid + 1;
        else hi = mid;
      }
      // An open lower bound: the atom at the bound itself is outside.
      if (lo < atoms.length && (atoms[lo] as Atom).point === i.lo && i.loOpen) lo++;
      while (lo < atoms.length && inside(i, (atoms[lo] as Atom).point as number)) out.push(lo++);
    }
  } else if (!set.cofinite) {
    const found: number[] = [];
    for (const v of set.values) {
      const k = lookup.get(v);
      if (k !== undefined) found.push(k);
    }
    out.push(...found.sort((a, b) => a - b));
  } else {
    const except = new Set(set.values);
    for (let k = first; k < atoms.length; k++) if (!except.has((atoms[k] as Atom).point as Point)) out.push(k);
  }
  return out;
}

const LOOKUPS = new WeakMap<readonly Atom[], Map<Point, number>>();

/** Point → index of the atoms of a partition (built once per atom list). */
function atomLookup(atoms: readonly Atom[], first: number): Map<Point, number> {
  let m = LOOKUPS.get(atoms);
  if (!m) {
    m = new Map();
    for (let k = first; k < atoms.length; k++) m.set((atoms[k] as Atom).point as Point, k);
    LOOKUPS.set(atoms, m);
  }
  return m;
}

/**
 * One value of a non-empty set as the YAML writes it (bounds first: `idade = 17`), `ausente` for
 * null, `outro valor (p.ex. "X")` for a text outside `avoid`; undefined for an empty set.
 */
export function exampleOf(d: Domain, set: ValueSet, avoid: ReadonlySet<string> = new Set()): string | undefined {
  if (isOrdered(d)) {
    const i = set.intervals[0];
    if (i) return writePoint(d, intervalExample(d, i));
  } else if (!set.cofinite) {
    const universe = discreteUniverse(d);
    const v = set.values.find((x) => universe === undefined || universe.includes(x));
    if (v !== undefined) return writePoint(d, v);
  } else {
    const universe = discreteUniverse(d);
    if (universe === undefined) {
      const other = freshText(new Set([...avoid, ...set.values.map(String)]));
      return `outro valor (p.ex. "${other}")`;
    }
    const v = universe.find((x) => !set.values.includes(x));
    if (v !== undefined) return writePoint(d, v);
  }
  return set.null && d.nullable ? "ausente" : undefined;
}

/** A point inside an interval, preferring its bounds (`< 18` → 17, `(18..65)` → 19). */
function intervalExample(d: Domain, i: Interval): number {
  const finiteLo = Number.isFinite(i.lo);
  const finiteHi = Number.isFinite(i.hi);
  if (finiteLo && !i.loOpen) return i.lo;
  if (finiteHi && !i.hiOpen) return i.hi;
  const step = d.kind === "datetime" ? 60_000 : 1;
  if (finiteLo && finiteHi) return i.hi - i.lo > step ? i.lo + step : (i.lo + i.hi) / 2;
  if (finiteLo) return i.lo + step;
  if (finiteHi) return i.hi - step;
  return d.kind === "date" ? 19_723 /* 2024-01-01 */ : d.kind === "datetime" ? 1_704_078_000_000 : 0;
}

/** A point written as the YAML writes it: enum values bare, texts quoted, dates ISO. */
export function writePoint(d: Domain, p: Point): string {
  switch (d.kind) {
    case "text":
      return JSON.stringify(String(p));
    case "date":
      return DateValue.fromEpochDay(p as number).toISO();
    case "datetime":
      return new DateTimeValue(p as number, d.zone).toJSON();
    default:
      return String(p);
  }
}

/** A short text that is not in `used` ("X", "X2", ...). */
function freshText(used: ReadonlySet<string>): string {
  if (!used.has("X")) return "X";
  for (let n = 2; ; n++) if (!used.has(`X${n}`)) return `X${n}`;
}
