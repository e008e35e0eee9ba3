/**
 * The expression AST. Plain JSON-serialisable objects (the compiled rule set carries them to the
 * runtime and to the editor's worker). Every node keeps its range in the rule-set file.
 */
import type { Range } from "../diagnostics.js";
import { assertNever } from "../exhaustive.js";

export type BinaryOperator =
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "in"
  | "not in"
  | "contains"
  | "starts with"
  | "matches"
  | "+"
  | "-"
  | "*"
  | "/"
  | "%";

export type LiteralValue =
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "number"; readonly value: number }
  | { readonly type: "boolean"; readonly value: boolean }
  | { readonly type: "null" }
  | { readonly type: "date"; readonly value: string }
  | { readonly type: "datetime"; readonly value: string }
  | { readonly type: "duration"; readonly value: string };

export type Expr =
  | { readonly kind: "literal"; readonly literal: LiteralValue; readonly range: Range }
  | { readonly kind: "name"; readonly name: string; readonly range: Range }
  | {
      readonly kind: "member";
      readonly object: Expr;
      readonly property: string;
      readonly propertyRange: Range;
      readonly range: Range;
    }
  | { readonly kind: "index"; readonly object: Expr; readonly index: Expr; readonly range: Range }
  | {
      readonly kind: "call";
      readonly callee: string;
      readonly calleeRange: Range;
      readonly args: readonly Expr[];
      readonly range: Range;
    }
  | { readonly kind: "unary"; readonly operator: "not" | "-"; readonly operand: Expr; readonly range: Range }
  | {
      readonly kind: "binary";
      readonly operator: BinaryOperator;
      readonly left: Expr;
      readonly right: Expr;
      readonly range: Range;
    }
  | {
      readonly kind: "logical";
      readonly operator: "and" | "or";
      readonly operands: readonly Expr[];
      readonly range: Range;
    }
  | { readonly kind: "isNull"; readonly negated: boolean; readonly operand: Expr; readonly range: Range }
  | { readonly kind: "between"; readonly operand: Expr; readonly low: Expr; readonly high: Expr; readonly range: Range }
  | { readonly kind: "if"; readonly test: Expr; readonly then: Expr; readonly else: Expr; readonly range: Range }
  | { readonly kind: "list"; readonly items: readonly Expr[]; readonly range: Range }
  | { readonly kind: "record"; readonly fields: readonly RecordField[]; readonly range: Range }
  | {
      readonly kind: "for";
      readonly variable: string;
      readonly variableRange: Range;
      readonly source: Expr;
      /** Optional `where` filter over the items. */
      readonly filter?: Expr;
      readonly body: Expr;
      readonly range: Range;
    }
  /** Placeholder produced by error recovery; never reaches the compiler. */
  | { readonly kind: "error"; readonly range: Range };

export interface RecordField {
  readonly key: string;
  readonly keyRange: Range;
  readonly value: Expr;
}

/** An action in a rule's `then`: `alvo = expr` or `lista += expr`. */
export interface Action {
  readonly kind: "assign" | "append";
  /** Output name followed by nested field names (`email.texto` → ["email", "texto"]). */
  readonly target: readonly string[];
  readonly targetRange: Range;
  readonly value: Expr;
  readonly range: Range;
}

/**
 * A unary test of a decision-table cell, applied to the column's input value: any (`-`), a
 * comparison (`>= 10`, `!= "X"`, `= expr`), a range (`[1..5]`, `(0..10]`), a list of
 * alternatives (`"a", "b"`) or a negation (`not("a", "b")`).
 */
export type UnaryTest =
  | { readonly kind: "any"; readonly range: Range }
  | {
      readonly kind: "compare";
      readonly operator: "==" | "!=" | "<" | "<=" | ">" | ">=";
      readonly value: Expr;
      readonly range: Range;
    }
  | {
      readonly kind: "range";
      readonly low: Expr;
      readonly high: Expr;
      readonly lowInclusive: boolean;
      readonly highInclusive: boolean;
      readonly range: Range;
    }
  | { readonly kind: "oneOf"; readonly tests: readonly UnaryTest[]; readonly range: Range }
  | { readonly kind: "not"; readonly test: UnaryTest; readonly range: Range };

const RANGE_KEYS = new Set(["range", "keyRange", "propertyRange", "calleeRange", "variableRange", "targetRange"]);

/**
 * Removes source ranges from an AST (the compiled output stays small and stable). The result is
 * what `JSON.parse(JSON.stringify(node, dropRanges))` gives (a deep copy of plain data: undefined
 * properties dropped, undefined array items as null, non-finite numbers as null, -0 as 0), built
 * directly instead of through a string: compiling a large table strips every row.
 */
export function stripRanges<T>(node: T): T {
  return copyWithoutRanges(node) as T;
}

function copyWithoutRanges(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const out: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = value[i] as unknown;
          out[i] = isDropped(item) ? null : copyWithoutRanges(item);
        }
        return out;
      }
      const proto = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || "toJSON" in value) return viaJson(value);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        if (RANGE_KEYS.has(key)) continue;
        const item = (value as Record<string, unknown>)[key];
        if (isDropped(item)) continue;
        const copy = copyWithoutRanges(item);
        if (key === "__proto__")
          Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
        else out[key] = copy;
      }
      return out;
    }
    default:
      // undefined, functions, symbols and bigints: whatever the JSON round trip does (not AST data).
      return viaJson(value);
  }
}

/** What JSON.stringify leaves out of objects (and writes as null in arrays). */
function isDropped(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

function viaJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (RANGE_KEYS.has(key) ? undefined : v)));
}

/** Calls `visit` on every sub-expression of `e` (pre-order, iterative so deep trees cannot overflow). */
export function walkExpr(root: Expr, visit: (e: Expr) => void): void {
  const stack: Expr[] = [root];
  while (stack.length) {
    const e = stack.pop() as Expr;
    visit(e);
    switch (e.kind) {
      case "member":
        stack.push(e.object);
        break;
      case "index":
        stack.push(e.index, e.object);
        break;
      case "call":
        stack.push(...[...e.args].reverse());
        break;
      case "unary":
        stack.push(e.operand);
        break;
      case "binary":
        stack.push(e.right, e.left);
        break;
      case "logical":
        stack.push(...[...e.operands].reverse());
        break;
      case "isNull":
        stack.push(e.operand);
        break;
      case "between":
        stack.push(e.high, e.low, e.operand);
        break;
      case "if":
        stack.push(e.else, e.then, e.test);
        break;
      case "list":
        stack.push(...[...e.items].reverse());
        break;
      case "record":
        stack.push(...e.fields.map((f) => f.value).reverse());
        break;
      case "for":
        stack.push(e.body);
        if (e.filter) stack.push(e.filter);
        stack.push(e.source);
        break;
      case "literal":
      case "name":
      case "error":
        break;
      default:
        assertNever(e, "expression kind");
    }
  }
}
