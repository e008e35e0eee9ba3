/**
 * AST → canonical expression text. One line, single spaces around binary operators and after
 * commas, strings in double quotes, and only the parentheses the grammar needs (so that printing
 * and re-parsing gives the same AST, ranges aside).
 *
 * Precedence, loosest first (see `dsl/syntax/parser.ts`):
 *   if / for  <  or  <  and  <  not  <  comparisons, in, contains, starts with, matches, is null
 *   <  + -  <  * / %  <  unary -  <  postfix (.x, [i])  <  primaries
 * Comparisons do not chain (both operands are additive); `+ - * / %` are left-associative; `and`
 * and `or` are n-ary (a nested `and` inside an `and` keeps its parentheses, so the tree shape
 * survives a round trip).
 *
 * Literals keep their spelling where the AST keeps it (dates, date-times, durations). Numbers only
 * keep their value in the AST; pass the text the expression was parsed from (with ranges relative
 * to it) as `source` to keep their spelling too (`2.50`, `1e3`).
 *
 * Iterative walks are not needed here: expressions are bounded by the parser (64 levels of
 * nesting, 4,000 symbols), so recursion depth is bounded too.
 */
import type { Action, BinaryOperator, Expr, LiteralValue, UnaryTest } from "../syntax/ast.js";
import { keywordNames } from "../syntax/tokens.js";

export interface PrintOptions {
  /** Text the AST was parsed from, its ranges being offsets into it (no YAML offsets). */
  readonly source?: string;
}

/** Binding strength of a printed form (higher binds tighter). */
const Prec = {
  Expression: 0,
  Or: 1,
  And: 2,
  Not: 3,
  Comparison: 4,
  Additive: 5,
  Multiplicative: 6,
  Prefix: 7,
  Postfix: 8,
  Primary: 9,
} as const;
type Prec = (typeof Prec)[keyof typeof Prec];

const COMPARISON_OPERATORS = new Set<BinaryOperator>([
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "in",
  "not in",
  "contains",
  "starts with",
  "matches",
]);
const ADDITIVE_OPERATORS = new Set<BinaryOperator>(["+", "-"]);

const KEYWORDS = new Set(keywordNames);
const IDENTIFIER_RE = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const NUMBER_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** True when `name` can be written bare (a record key, a member): an identifier that is no keyword. */
export function isBareName(name: string): boolean {
  return IDENTIFIER_RE.test(name) && !KEYWORDS.has(name);
}

/** A string literal in double quotes: `"` and `\` escaped, control and line-separator characters as escapes. */
export function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\b":
        out += "\\b";
        break;
      case "\f":
        out += "\\f";
        break;
      default: {
        const code = ch.codePointAt(0) ?? 0;
        if (code < 0x20 || code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029)
          out += `\\u${code.toString(16).padStart(4, "0")}`;
        else out += ch;
      }
    }
  }
  return `${out}"`;
}

function printNumber(value: number, range: { start: number; end: number }, source: string | undefined): string {
  if (source !== undefined) {
    const written = source.slice(range.start, range.end).replace(/\s+/g, "");
    if (NUMBER_RE.test(written) && Object.is(Number(written), value)) return written;
  }
  if (Object.is(value, -0)) return "-0";
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "0" : value > 0 ? "1e999" : "-1e999";
  return String(value);
}

function printLiteral(
  literal: LiteralValue,
  range: { start: number; end: number },
  source: string | undefined,
): string {
  switch (literal.type) {
    case "string":
      return quoteString(literal.value);
    case "number":
      return printNumber(literal.value, range, source);
    case "boolean":
      return literal.value ? "true" : "false";
    case "null":
      return "null";
    case "date":
    case "datetime":
    case "duration":
      return literal.value;
  }
}

function precedence(e: Expr): Prec {
  switch (e.kind) {
    case "if":
    case "for":
      return Prec.Expression;
    case "logical":
      return e.operator === "or" ? Prec.Or : Prec.And;
    case "between":
      return Prec.And;
    case "unary":
      return e.operator === "not" ? Prec.Not : Prec.Prefix;
    case "isNull":
      return Prec.Comparison;
    case "binary":
      if (COMPARISON_OPERATORS.has(e.operator)) return Prec.Comparison;
      return ADDITIVE_OPERATORS.has(e.operator) ? Prec.Additive : Prec.Multiplicative;
    case "literal":
      // A negative number prints with a leading "-": it binds like a prefix minus.
      return e.literal.type === "number" && (e.literal.value < 0 || Object.is(e.literal.value, -0))
        ? Prec.Prefix
        : Prec.Primary;
    case "member":
    case "index":
      return Prec.Postfix;
    default:
      return Prec.Primary;
  }
}

class Printer {
  constructor(private readonly source: string | undefined) {}

  /** Prints `e` where the grammar accepts forms binding at least as tightly as `min`. */
  at(e: Expr, min: Prec): string {
    const text = this.print(e);
    return precedence(e) < min ? `(${text})` : text;
  }

  print(e: Expr): string {
    switch (e.kind) {
      case "literal":
        return printLiteral(e.literal, e.range, this.source);
      case "name":
        return e.name;
      case "member":
        return `${this.at(e.object, Prec.Postfix)}.${e.property}`;
      case "index":
        return `${this.at(e.object, Prec.Postfix)}[${this.print(e.index)}]`;
      case "call":
        return `${e.callee}(${e.args.map((a) => this.print(a)).join(", ")})`;
      case "unary":
        if (e.operator === "not") {
          // `not (a == b)` keeps its parentheses: `not a == b` is the same tree but reads as `(not a) == b`.
          const operand = e.operand;
          const readsAmbiguous =
            (operand.kind === "binary" && COMPARISON_OPERATORS.has(operand.operator)) ||
            operand.kind === "isNull" ||
            operand.kind === "between";
          return readsAmbiguous ? `not (${this.at(operand, Prec.Expression)})` : `not ${this.at(operand, Prec.Not)}`;
        }
        {
          // `- -x`, not `--x`.
          const operand = this.at(e.operand, Prec.Prefix);
          return operand.startsWith("-") ? `- ${operand}` : `-${operand}`;
        }
      case "binary": {
        if (COMPARISON_OPERATORS.has(e.operator))
          return `${this.at(e.left, Prec.Additive)} ${e.operator} ${this.at(e.right, Prec.Additive)}`;
        const own = ADDITIVE_OPERATORS.has(e.operator) ? Prec.Additive : Prec.Multiplicative;
        return `${this.at(e.left, own)} ${e.operator} ${this.at(e.right, (own + 1) as Prec)}`;
      }
      case "logical": {
        const own = e.operator === "or" ? Prec.Or : Prec.And;
        return e.operands.map((o) => this.at(o, (own + 1) as Prec)).join(` ${e.operator} `);
      }
      case "isNull":
        return `${this.at(e.operand, Prec.Additive)} is ${e.negated ? "not " : ""}null`;
      case "between": {
        // Not produced by the parser; printed as its meaning.
        const operand = this.at(e.operand, Prec.Additive);
        return `${operand} >= ${this.at(e.low, Prec.Additive)} and ${operand} <= ${this.at(e.high, Prec.Additive)}`;
      }
      case "if":
        return `if ${this.print(e.test)} then ${this.print(e.then)} else ${this.print(e.else)}`;
      case "list":
        return `[${e.items.map((i) => this.print(i)).join(", ")}]`;
      case "record":
        return `{${e.fields.map((f) => `${isBareName(f.key) ? f.key : quoteString(f.key)}: ${this.print(f.value)}`).join(", ")}}`;
      case "for":
        return `for ${e.variable} in ${this.print(e.source)}${e.filter ? ` where ${this.print(e.filter)}` : ""} return ${this.print(e.body)}`;
      case "error":
        throw new Error("cannot print an expression with syntax errors");
    }
  }

  test(t: UnaryTest): string {
    switch (t.kind) {
      case "any":
        return "-";
      case "compare":
        return t.operator === "=="
          ? this.at(t.value, Prec.Additive)
          : `${t.operator} ${this.at(t.value, Prec.Additive)}`;
      case "range":
        return `${t.lowInclusive ? "[" : "("}${this.print(t.low)}..${this.print(t.high)}${t.highInclusive ? "]" : ")"}`;
      case "oneOf":
        return t.tests.map((x) => this.test(x)).join(", ");
      case "not":
        return `not(${this.test(t.test)})`;
    }
  }
}

/** Canonical text of an expression. Throws on `error` nodes (recovered ASTs are never printed). */
export function printExpr(e: Expr, options: PrintOptions = {}): string {
  return new Printer(options.source).print(e);
}

/** Canonical text of a `then` action: `alvo = expr`, `lista += expr`. */
export function printAction(a: Action, options: PrintOptions = {}): string {
  return `${a.target.join(".")} ${a.kind === "append" ? "+=" : "="} ${printExpr(a.value, options)}`;
}

/** Canonical text of a table cell's unary tests (`>= 18`, `"a", "b"`, `not("x")`, `[1..5]`). */
export function printUnaryTests(t: UnaryTest, options: PrintOptions = {}): string {
  return new Printer(options.source).test(t);
}
