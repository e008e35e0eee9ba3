/**
 * The expression evaluator: a tree-walking interpreter over the AST (rule text never becomes
 * code). It is total: absent values propagate as null, comparisons with null are false, and
 * functions return null outside their domain, so a missing optional fact never crashes a decision.
 *
 * Used by the runtime (computed facts of json-rules-engine conditions, actions, templates) and by
 * the checker (constants, invariants over literal table outputs).
 */
import type { Expr } from "./syntax/ast.js";
import { getFunction } from "./library/catalog.js";
import { InvalidPatternError, matches } from "./library/regex.js";
import {
  addDuration,
  compareValues,
  createRecord,
  DEFAULT_ZONE,
  DateTimeValue,
  DateValue,
  DurationValue,
  isRecord,
  parseDate,
  parseDateTime,
  parseDuration,
  toDisplayText,
  valueEquals,
  type Value,
} from "./values.js";

/** What names and templates mean during one evaluation. */
export interface EvalEnv {
  readonly zone: string;
  /** Value of a top-level name (fact, constant, computed value, table, collection, `decision`); undefined when unknown. */
  lookup(name: string): Value | undefined;
  /** Renders a template called as a function; undefined when no such template exists. */
  callTemplate?(name: string, args: readonly Value[]): Value | undefined;
  /** Rows of a decision table as data, for `rows(tabela)`. */
  tableRows?(name: string): Value | undefined;
}

/** Scope that adds local variables (for-loops, template parameters) over another. */
export function withLocals(env: EvalEnv, locals: Record<string, Value>): EvalEnv {
  return {
    zone: env.zone,
    lookup: (name) => (Object.hasOwn(locals, name) ? locals[name] : env.lookup(name)),
    ...(env.callTemplate ? { callTemplate: env.callTemplate.bind(env) } : {}),
    ...(env.tableRows ? { tableRows: env.tableRows.bind(env) } : {}),
  };
}

/** Duration literals are parsed by the one definition in values.ts (re-exported for callers of this module). */
export { parseDuration };

/** Value of a literal node. */
export function literalValue(e: Extract<Expr, { kind: "literal" }>, zone: string): Value {
  const l = e.literal;
  switch (l.type) {
    case "string":
    case "number":
    case "boolean":
      return l.value;
    case "null":
      return null;
    case "date":
      return parseDate(l.value) ?? null;
    case "datetime":
      return parseDateTime(l.value, zone) ?? null;
    case "duration":
      return parseDuration(l.value);
  }
}

function truthy(v: Value | undefined): boolean {
  return v === true;
}

function member(object: Value | undefined, property: string): Value {
  if (object === null || object === undefined) return null;
  if (Array.isArray(object)) return object.map((item: Value) => member(item, property));
  if (isRecord(object)) return Object.hasOwn(object, property) ? (object[property] ?? null) : null;
  return null;
}

function index(object: Value | undefined, key: Value | undefined): Value {
  if (Array.isArray(object) && typeof key === "number" && Number.isInteger(key))
    return (object as Value[])[key] ?? null;
  if (isRecord(object) && typeof key === "string") return member(object, key);
  return null;
}

/** Applies a binary operator to two evaluated operands. */
export function applyBinary(
  operator: string,
  a: Value | undefined,
  b: Value | undefined,
  zone: string = DEFAULT_ZONE,
): Value {
  switch (operator) {
    case "==":
      return valueEquals(a ?? null, b ?? null);
    case "!=":
      return !valueEquals(a ?? null, b ?? null);
    case "<":
    case "<=":
    case ">":
    case ">=": {
      if (a === null || b === null || a === undefined || b === undefined) return false;
      const c = compareValues(a, b);
      if (c === undefined) return false;
      return operator === "<" ? c < 0 : operator === "<=" ? c <= 0 : operator === ">" ? c > 0 : c >= 0;
    }
    case "in":
      return Array.isArray(b) ? b.some((x: Value) => valueEquals(x, a ?? null)) : false;
    case "not in":
      return Array.isArray(b) ? !b.some((x: Value) => valueEquals(x, a ?? null)) : true;
    case "contains":
      if (Array.isArray(a)) return a.some((x: Value) => valueEquals(x, b ?? null));
      if (typeof a === "string" && typeof b === "string") return a.includes(b);
      return false;
    case "starts with":
      return typeof a === "string" && typeof b === "string" ? a.startsWith(b) : false;
    case "matches":
      if (typeof a !== "string" || typeof b !== "string") return false;
      try {
        return matches(a, b);
      } catch (err) {
        if (err instanceof InvalidPatternError) return false;
        throw err;
      }
    default:
      return arithmetic(operator, a, b, zone);
  }
}

function arithmetic(operator: string, a: Value | undefined, b: Value | undefined, zone: string): Value {
  if (a === null || b === null || a === undefined || b === undefined) return null;
  if (typeof a === "number" && typeof b === "number") {
    switch (operator) {
      case "+":
        return a + b;
      case "-":
        return a - b;
      case "*":
        return a * b;
      case "/":
        return b === 0 ? null : a / b;
      case "%":
        return b === 0 ? null : a % b;
    }
  }
  if (operator === "+" && (typeof a === "string" || typeof b === "string")) return toDisplayText(a) + toDisplayText(b);
  if ((a instanceof DateValue || a instanceof DateTimeValue) && b instanceof DurationValue) {
    if (operator === "+") return addDuration(a, b, 1, zone);
    if (operator === "-") return addDuration(a, b, -1, zone);
  }
  if (a instanceof DurationValue && b instanceof DurationValue) {
    if (operator === "+") return new DurationValue(a.days + b.days, a.millis + b.millis);
    if (operator === "-") return new DurationValue(a.days - b.days, a.millis - b.millis);
  }
  if (operator === "+" && a instanceof DurationValue && (b instanceof DateValue || b instanceof DateTimeValue))
    return addDuration(b, a, 1, zone);
  return null;
}

/** Evaluates an expression. Throws only for internal errors (an `error` node or an unknown name the checker should have caught). */
export function evaluate(e: Expr, env: EvalEnv): Value {
  switch (e.kind) {
    case "literal":
      return literalValue(e, env.zone);
    case "name": {
      const v = env.lookup(e.name);
      if (v === undefined) throw new Error(`unknown name at runtime: ${e.name}`);
      return v;
    }
    case "member":
      return member(evaluate(e.object, env), e.property);
    case "index":
      return index(evaluate(e.object, env), evaluate(e.index, env));
    case "call": {
      const first = e.args[0];
      if (e.callee === "rows" && first?.kind === "name" && env.tableRows) {
        const rows = env.tableRows(first.name);
        if (rows !== undefined) return rows;
      }
      const args = e.args.map((a) => evaluate(a, env));
      const fn = getFunction(e.callee);
      if (fn) return fn.impl(args, { zone: env.zone });
      const rendered = env.callTemplate?.(e.callee, args);
      if (rendered === undefined) throw new Error(`unknown function at runtime: ${e.callee}`);
      return rendered;
    }
    case "unary": {
      const v = evaluate(e.operand, env);
      if (e.operator === "not") return !truthy(v);
      if (typeof v === "number") return -v;
      if (v instanceof DurationValue) return new DurationValue(-v.days, -v.millis);
      return null;
    }
    case "binary":
      return applyBinary(e.operator, evaluate(e.left, env), evaluate(e.right, env), env.zone);
    case "logical":
      if (e.operator === "and") return e.operands.every((o) => truthy(evaluate(o, env)));
      return e.operands.some((o) => truthy(evaluate(o, env)));
    case "isNull": {
      const v = evaluate(e.operand, env);
      const isNull = v === null || v === undefined;
      return e.negated ? !isNull : isNull;
    }
    case "between": {
      const v = evaluate(e.operand, env);
      return truthy(applyBinary(">=", v, evaluate(e.low, env))) && truthy(applyBinary("<=", v, evaluate(e.high, env)));
    }
    case "if":
      return truthy(evaluate(e.test, env)) ? evaluate(e.then, env) : evaluate(e.else, env);
    case "list":
      return e.items.map((i) => evaluate(i, env));
    case "record":
      return createRecord(e.fields.map((f) => [f.key, evaluate(f.value, env)] as const));
    case "for": {
      const source = evaluate(e.source, env);
      if (!Array.isArray(source)) return [];
      const out: Value[] = [];
      // One scope for the loop, its variable rebound per item (evaluation is eager: nothing keeps a scope).
      const locals = createRecord([[e.variable, null]]);
      const scoped = withLocals(env, locals);
      for (const item of source as Value[]) {
        locals[e.variable] = item;
        if (e.filter && evaluate(e.filter, scoped) !== true) continue;
        out.push(evaluate(e.body, scoped));
      }
      return out;
    }
    case "error":
      throw new Error("cannot evaluate an expression with syntax errors");
  }
}
