/**
 * A small, exact decision procedure for the simplest guards: conditions that compare one fact path
 * with constants (`x == 1`, `x != "A"`, `x > 3`, `x in ["a", "b"]`, `not x`, `x is null`, `and`/
 * `or`/`not` of those) and constant conditions (`false`, `1 == 2`). Used by the state-machine
 * checks (`transitions.ts`: a transition whose guards can never all hold) and by the suite
 * scaffold (`tester/scaffold.ts`: a fact value that makes a guard hold, or fail). Its fact paths
 * (`factPathOf`) and candidate values (`candidateValues`) are also those of the rule-condition
 * analyses (`conditions.ts`), which read `or`/`not` across several facts, named constants and dates.
 *
 * How it stays exact: such a condition over a path `p` can only tell values apart by how they
 * compare with the constants it names, so a finite set of candidate values (each constant, a value
 * between and beyond each pair of numeric constants, `null` when the path may be absent, a text
 * no condition names, and the enum values or the booleans of the declared type, within its
 * minimum/maximum) contains a witness whenever one exists. Each candidate is tried with the real
 * evaluator (`dsl/evaluate.ts`), so the semantics are the runtime's (null compares false, `not`
 * of null is true). Anything else (calls, arithmetic on the path, dates, two paths in one
 * condition) is "not analysed": callers treat it as possibly true.
 */
import { applyBinary, evaluate } from "../evaluate.js";
import type { FieldDecl, RuleSetModel, TypeDecl } from "../ruleset/model.js";
import type { Expr } from "../syntax/ast.js";
import {
  createRecord,
  DateTimeValue,
  DateValue,
  DEFAULT_ZONE,
  DurationValue,
  parseDate,
  parseDateTime,
  type Value,
} from "../values.js";

/** A fact path (`protocolo.status`): its segments, declaration (when known) and whether it may be null. */
export interface FactPath {
  readonly segments: readonly string[];
  /** `protocolo.status`. */
  readonly key: string;
  readonly decl?: TypeDecl;
  /** The declaration of the last field (where its name is written). */
  readonly field?: FieldDecl;
  /** False only when every field on the way is required and not nullable. */
  readonly mayBeNull: boolean;
}

/** What a condition depends on: nothing (a constant), one fact path, or something not analysed. */
export type Shape =
  | { readonly kind: "constant" }
  | { readonly kind: "path"; readonly path: FactPath }
  | { readonly kind: "other" };

/** The conjuncts of a condition (`a and b and c` → a, b, c; anything else → itself). */
export function conjuncts(e: Expr): Expr[] {
  if (e.kind === "logical" && e.operator === "and") return e.operands.flatMap(conjuncts);
  return [e];
}

/** The fact path an expression names (`protocolo.status`), or undefined when it is not one. */
export function factPathOf(e: Expr, model: RuleSetModel): FactPath | undefined {
  const segments: string[] = [];
  let x: Expr = e;
  while (x.kind === "member") {
    segments.unshift(x.property);
    x = x.object;
  }
  if (x.kind !== "name") return undefined;
  const root = model.facts.get(x.name);
  if (!root) return undefined;
  segments.unshift(x.name);
  let field: FieldDecl | undefined = root;
  let mayBeNull = !(root.required && !root.nullable);
  for (const s of segments.slice(1)) {
    const next: FieldDecl | undefined = field?.decl.fields?.get(s);
    if (!next) {
      field = undefined;
      mayBeNull = true;
      break;
    }
    if (!(next.required && !next.nullable)) mayBeNull = true;
    field = next;
  }
  return {
    segments,
    key: segments.join("."),
    mayBeNull,
    ...(field ? { decl: field.decl, field } : {}),
  };
}

const MODELLED = new Set<TypeDecl["type"]>(["string", "number", "integer", "boolean", "any"]);

/** Literal kinds the procedure understands (dates and durations are left out). */
function simpleLiteral(e: Expr): boolean {
  return (
    e.kind === "literal" &&
    (e.literal.type === "string" ||
      e.literal.type === "number" ||
      e.literal.type === "boolean" ||
      e.literal.type === "null")
  );
}

/** A literal, a negative number literal or a list of them. */
function constantOperand(e: Expr): boolean {
  if (simpleLiteral(e)) return true;
  if (e.kind === "unary" && e.operator === "-")
    return e.operand.kind === "literal" && e.operand.literal.type === "number";
  if (e.kind === "list") return e.items.every(constantOperand);
  return false;
}

/**
 * The shape of a condition: `constant` (no fact read), `path` (reads exactly one fact path, only
 * through the supported operators) or `other`.
 */
export function shapeOf(e: Expr, model: RuleSetModel): Shape {
  let path: FactPath | undefined;
  let ok = true;
  const visit = (x: Expr, presence = false): void => {
    if (!ok) return;
    const p = factPathOf(x, model);
    if (p) {
      // Dates, lists and objects are modelled only by being there or not (`x is null`).
      if (p.decl && !MODELLED.has(p.decl.type) && !presence) ok = false;
      else if (path && path.key !== p.key) ok = false;
      else path = p;
      return;
    }
    switch (x.kind) {
      case "literal":
        if (!simpleLiteral(x)) ok = false;
        return;
      case "unary":
        if (x.operator === "not") visit(x.operand);
        else if (!constantOperand(x)) ok = false;
        return;
      case "logical":
        for (const o of x.operands) visit(o);
        return;
      case "isNull":
        visit(x.operand, true);
        return;
      case "binary": {
        const op = x.operator;
        const ordered = op === "<" || op === "<=" || op === ">" || op === ">=";
        if (op === "==" || op === "!=" || ordered) {
          const [a, b] = constantOperand(x.right) ? [x.left, x.right] : [x.right, x.left];
          if (!constantOperand(b)) {
            ok = false;
            return;
          }
          // Texts compare by collation: only numbers are ordered here.
          if (ordered && !(numeric(b) && (factPathOf(a, model) !== undefined || numeric(a)))) {
            ok = false;
            return;
          }
          visit(a);
          return;
        }
        if (op === "in" || op === "not in") {
          if (x.right.kind !== "list" || !constantOperand(x.right)) {
            ok = false;
            return;
          }
          visit(x.left);
          return;
        }
        ok = false;
        return;
      }
      case "between":
        if (!numeric(x.low) || !numeric(x.high)) ok = false;
        else visit(x.operand);
        return;
      default:
        // Calls, lists, records, if, for, names that are not facts: not analysed.
        ok = false;
    }
  };
  visit(e);
  if (!ok) return { kind: "other" };
  return path ? { kind: "path", path } : { kind: "constant" };
}

function numeric(e: Expr): boolean {
  if (e.kind === "literal") return e.literal.type === "number";
  return (
    e.kind === "unary" && e.operator === "-" && e.operand.kind === "literal" && e.operand.literal.type === "number"
  );
}

/** Every literal value in an expression. */
function constantsIn(e: Expr, out: Value[]): void {
  switch (e.kind) {
    case "literal":
      if (e.literal.type === "null") out.push(null);
      else if (e.literal.type === "string" || e.literal.type === "number" || e.literal.type === "boolean")
        out.push(e.literal.value);
      return;
    case "unary":
      if (e.operator === "-" && e.operand.kind === "literal" && e.operand.literal.type === "number")
        out.push(-e.operand.literal.value);
      else constantsIn(e.operand, out);
      return;
    case "binary":
      constantsIn(e.left, out);
      constantsIn(e.right, out);
      return;
    case "logical":
      for (const o of e.operands) constantsIn(o, out);
      return;
    case "list":
      for (const i of e.items) constantsIn(i, out);
      return;
    case "isNull":
      constantsIn(e.operand, out);
      return;
    case "between":
      constantsIn(e.operand, out);
      constantsIn(e.low, out);
      constantsIn(e.high, out);
      return;
    default:
      return;
  }
}

/** A text that no condition names (stands for "any other text", or "some value" of an unmodelled type). */
export const OTHER_TEXT = "\u0000outro";

/**
 * The candidate values of a path for a set of conditions over it: enough to find a witness
 * whenever one exists, restricted to what the declared type accepts.
 */
export function candidates(path: FactPath, conditions: readonly Expr[]): Value[] {
  const constants: Value[] = [];
  for (const c of conditions) constantsIn(c, constants);
  return candidateValues(path.decl, path.mayBeNull, constants);
}

/**
 * The candidate values of a fact of type `decl` for the constants the conditions on it name — the
 * one definition, shared with `conditions.ts` (rule conditions): each constant, a value between and
 * beyond each two numbers (integers only for `integer`, within `minimum`/`maximum`), every `enum`
 * value or both booleans, one text no condition names (`OTHER_TEXT`), for dates, date-times and
 * durations each constant and one day (and one millisecond) either side of it plus one value of the
 * type, null when the fact may be absent, and for lists and objects only "absent" or "some value".
 */
export function candidateValues(decl: TypeDecl | undefined, mayBeNull: boolean, constants: readonly Value[]): Value[] {
  const out: Value[] = [];
  const push = (v: Value) => {
    if (!out.some((x) => x === v)) out.push(v);
  };
  const type = decl?.type;
  if (mayBeNull) push(null);
  if (type === "date" || type === "date-time" || type === "duration") {
    const day = new DurationValue(1, 0);
    const some =
      type === "date"
        ? parseDate("2024-01-02")
        : type === "date-time"
          ? parseDateTime("2024-01-02T12:00:00Z", "UTC")
          : day;
    if (some) push(some);
    for (const c of constants) {
      if (!(c instanceof DateValue || c instanceof DateTimeValue || c instanceof DurationValue)) continue;
      push(c);
      for (const step of c instanceof DateValue ? [day] : [day, new DurationValue(0, 1)]) {
        const after = applyBinary("+", c, step);
        const before = applyBinary("-", c, step);
        if (after !== null) push(after);
        if (before !== null) push(before);
      }
    }
    return out;
  }
  // A type only tested for presence: absent, or any value at all.
  if (type !== undefined && !MODELLED.has(type)) {
    push(OTHER_TEXT);
    return out;
  }
  if (type === "boolean" || type === undefined || type === "any") {
    push(true);
    push(false);
  }
  if (type === "string" || type === undefined || type === "any") {
    if (decl?.enum) for (const v of decl.enum) push(v);
    else {
      for (const c of constants) if (typeof c === "string") push(c);
      push(OTHER_TEXT);
    }
  }
  if (type === "number" || type === "integer" || type === undefined || type === "any") {
    const numbers = [...new Set(constants.filter((c): c is number => typeof c === "number"))].sort((a, b) => a - b);
    if (decl?.minimum !== undefined) numbers.push(decl.minimum);
    if (decl?.maximum !== undefined) numbers.push(decl.maximum);
    numbers.sort((a, b) => a - b);
    const raw: number[] = [0];
    numbers.forEach((n, i) => {
      raw.push(n, n - 1, n + 1, Math.floor(n), Math.ceil(n), Math.floor(n) - 1, Math.ceil(n) + 1);
      const next = numbers[i + 1];
      if (next !== undefined) raw.push((n + next) / 2);
    });
    for (const n of raw.sort((a, b) => a - b)) {
      if (!Number.isFinite(n)) continue;
      if (type === "integer" && !Number.isInteger(n)) continue;
      if (decl?.minimum !== undefined && n < decl.minimum) continue;
      if (decl?.maximum !== undefined && n > decl.maximum) continue;
      push(n);
    }
  }
  return out;
}

/** True when `e` (a `constant` or `path` condition) holds with the path bound to `value`. */
export function holds(e: Expr, path: FactPath | undefined, value: Value): boolean {
  let bound: Value = value;
  if (path)
    for (let i = path.segments.length - 1; i >= 1; i--) bound = createRecord([[path.segments[i] as string, bound]]);
  const root = path?.segments[0];
  try {
    return (
      evaluate(e, {
        zone: DEFAULT_ZONE,
        lookup: (name) => (name === root ? bound : undefined),
      }) === true
    );
  } catch {
    // A condition the evaluator cannot run (it never should here) is treated as possibly true.
    return true;
  }
}

/** A value of `path` for which every condition holds, or undefined when there is none. */
export function witness(path: FactPath, conditions: readonly Expr[]): { value: Value } | undefined {
  for (const v of candidates(path, conditions)) if (conditions.every((c) => holds(c, path, v))) return { value: v };
  return undefined;
}

/**
 * A smallest-by-deletion subset of `conditions` (over one path) that still has no witness: the
 * conditions that conflict. `conditions` must have none.
 */
export function conflictCore<T extends { readonly expr: Expr }>(path: FactPath, conditions: readonly T[]): T[] {
  let core = [...conditions];
  for (const c of conditions) {
    const without = core.filter((x) => x !== c);
    if (
      without.length > 0 &&
      !witness(
        path,
        without.map((x) => x.expr),
      )
    )
      core = without;
  }
  return core;
}
