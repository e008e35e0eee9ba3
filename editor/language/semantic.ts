/**
 * Semantic tokens of the expressions embedded in the YAML (rules' `when`/`then`, values, table
 * inputs and unary-test cells, `= expr` formulas, template holes, ...): keywords, operators,
 * literals, and each name by what it refers to (fact, output, constant, value, table, column,
 * template, function, variable). Sorted by offset; a token never spans a line break (a folded
 * scalar's token is split per line).
 */
import type { TokenType } from "chevrotain";
import {
  Assign,
  DateLiteral,
  DateTimeLiteral,
  Divide,
  DotDot,
  DurationLiteral,
  Equal,
  Greater,
  GreaterEqual,
  Identifier,
  keywordTokens,
  Less,
  LessEqual,
  Minus,
  Modulo,
  NotEqual,
  NumberLiteral,
  Plus,
  PlusAssign,
  StringLiteral,
  Times,
} from "../../dsl/syntax/tokens.js";
import type { Analysis } from "./analysis.js";
import { envFor, lex, type Segment, siteSegments, type Target, targetAt, type Token } from "./context.js";

export type SemanticTokenType =
  | "fact"
  | "output"
  | "constant"
  | "value"
  | "table"
  | "column"
  | "function"
  | "keyword"
  | "operator"
  | "string"
  | "number"
  | "variable"
  | "template";

export interface SemanticToken {
  /** Source offset. */
  readonly start: number;
  readonly length: number;
  readonly type: SemanticTokenType;
}

const KEYWORDS: ReadonlySet<TokenType> = new Set(keywordTokens);
const OPERATORS: ReadonlySet<TokenType> = new Set([
  Equal,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  Plus,
  Minus,
  Times,
  Divide,
  Modulo,
  Assign,
  PlusAssign,
  DotDot,
]);
const NUMBERS: ReadonlySet<TokenType> = new Set([NumberLiteral, DateLiteral, DateTimeLiteral, DurationLiteral]);

function nameType(t: Target | undefined): SemanticTokenType {
  if (!t) return "variable";
  switch (t.kind) {
    case "fact":
    case "output":
    case "constant":
    case "value":
    case "table":
    case "column":
    case "function":
    case "template":
      return t.kind;
    case "field":
      return t.role === "other" ? "variable" : t.role;
    case "rows":
      return "function";
    case "collection":
    case "local":
    case "decision":
      return "variable";
    default: {
      const never: never = t;
      return never;
    }
  }
}

function push(out: SemanticToken[], source: string, start: number, end: number, type: SemanticTokenType): void {
  let s = start;
  for (let i = start; i < end; i++)
    if (source[i] === "\n" || source[i] === "\r") {
      if (i > s) out.push({ start: s, length: i - s, type });
      s = i + 1;
    }
  if (end > s) out.push({ start: s, length: end - s, type });
}

function segmentTokens(a: Analysis, segment: Segment, out: SemanticToken[]): void {
  const tokens = lex(segment.text);
  const env = envFor(a, segment, tokens);
  tokens.forEach((tok: Token, i) => {
    let type: SemanticTokenType | undefined;
    if (tok.type === Identifier) type = env ? nameType(targetAt(env, segment, tokens, i)) : "variable";
    else if (KEYWORDS.has(tok.type)) type = "keyword";
    else if (OPERATORS.has(tok.type)) type = "operator";
    else if (tok.type === StringLiteral) type = "string";
    else if (NUMBERS.has(tok.type)) type = "number";
    if (type) push(out, a.source, segment.at(tok.start), segment.at(tok.end - 1) + 1, type);
  });
}

/** The semantic tokens of every expression of the draft (none while its YAML cannot be read). */
export function semanticTokens(a: Analysis): SemanticToken[] {
  const out: SemanticToken[] = [];
  if (!a.model) return out;
  for (const site of a.sites) for (const segment of siteSegments(a, site)) segmentTokens(a, segment, out);
  return out.sort((x, y) => x.start - y.start || x.length - y.length);
}
