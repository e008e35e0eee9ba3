/**
 * Token definitions of the expression language. Operators are token families (categories), so a
 * new operator extends a family without touching the grammar; keywords use `longer_alt` so that an
 * identifier such as `notas` or `inicio` is not split into a keyword. The editor's highlighting is
 * generated from these same definitions (see `keywordNames`).
 */
import { createToken, Lexer, type TokenType } from "chevrotain";
import { DURATION_PART } from "../values.js";

/**
 * Chevrotain re-creates RegExp patterns without the `u` flag, which breaks `\p{L}`. Patterns that
 * need Unicode classes are therefore custom matchers over a sticky Unicode RegExp.
 */
function unicodePattern(re: RegExp): (text: string, offset: number) => RegExpExecArray | null {
  const sticky = new RegExp(re.source, "uy");
  return (text, offset) => {
    sticky.lastIndex = offset;
    return sticky.exec(text);
  };
}

export const Identifier = createToken({
  name: "Identifier",
  pattern: unicodePattern(/[\p{L}_][\p{L}\p{N}_]*/u),
  line_breaks: false,
  start_chars_hint: identifierStartHints(),
});

/** First characters of identifiers for the lexer's dispatch table: ASCII and Latin letters. */
function identifierStartHints(): string[] {
  const hints = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"];
  for (let c = 0xaa; c <= 0x24f; c++) {
    const ch = String.fromCharCode(c);
    if (/\p{L}/u.test(ch)) hints.push(ch);
  }
  return hints;
}

/** Spelling of each keyword token, recorded as the token is defined (the one list of keywords). */
const keywordSpelling = new Map<TokenType, string>();

function keyword(name: string, word: string, categories?: TokenType[]): TokenType {
  const token = createToken({
    name,
    pattern: unicodePattern(new RegExp(`${word}(?![\\p{L}\\p{N}_])`)),
    line_breaks: false,
    start_chars_hint: [word.charAt(0)],
    longer_alt: Identifier,
    ...(categories ? { categories } : {}),
  });
  keywordSpelling.set(token, word);
  return token;
}

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\u00a0]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED });

// Literals. Order matters: date-time before date before duration before number.
export const DateTimeLiteral = createToken({
  name: "DateTimeLiteral",
  pattern: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?/,
});
export const DateLiteral = createToken({
  name: "DateLiteral",
  pattern: unicodePattern(/\d{4}-\d{2}-\d{2}(?![\d\p{L}_])/u),
  line_breaks: false,
  start_chars_hint: [..."0123456789"],
});
export const DurationLiteral = createToken({
  name: "DurationLiteral",
  pattern: unicodePattern(new RegExp(`(?:${DURATION_PART}(?![\\p{L}_]))+`, "u")),
  line_breaks: false,
  start_chars_hint: [..."0123456789"],
});
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/ });
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\n\r]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"|'(?:[^'\\\n\r]|\\(?:['\\/bfnrt]|u[0-9a-fA-F]{4}))*'/,
});

// Keywords.
export const True = keyword("True", "true");
export const False = keyword("False", "false");
export const Null = keyword("Null", "null");
export const And = keyword("And", "and");
export const Or = keyword("Or", "or");
export const Not = keyword("Not", "not");
export const In = keyword("In", "in");
export const Is = keyword("Is", "is");
export const Contains = keyword("Contains", "contains");
export const Starts = keyword("Starts", "starts");
export const With = keyword("With", "with");
export const Matches = keyword("Matches", "matches");
export const If = keyword("If", "if");
export const Then = keyword("Then", "then");
export const Else = keyword("Else", "else");
export const For = keyword("For", "for");
export const Return = keyword("Return", "return");
export const Where = keyword("Where", "where");

// Operator families.
export const ComparisonOperator = createToken({ name: "ComparisonOperator", pattern: Lexer.NA });
export const Equal = createToken({ name: "Equal", pattern: /==/, categories: [ComparisonOperator] });
export const NotEqual = createToken({ name: "NotEqual", pattern: /!=/, categories: [ComparisonOperator] });
export const LessEqual = createToken({ name: "LessEqual", pattern: /<=/, categories: [ComparisonOperator] });
export const GreaterEqual = createToken({ name: "GreaterEqual", pattern: />=/, categories: [ComparisonOperator] });
export const Less = createToken({ name: "Less", pattern: /</, categories: [ComparisonOperator] });
export const Greater = createToken({ name: "Greater", pattern: />/, categories: [ComparisonOperator] });

export const AdditiveOperator = createToken({ name: "AdditiveOperator", pattern: Lexer.NA });
export const Plus = createToken({ name: "Plus", pattern: /\+/, categories: [AdditiveOperator] });
export const Minus = createToken({ name: "Minus", pattern: /-/, categories: [AdditiveOperator] });

export const MultiplicativeOperator = createToken({ name: "MultiplicativeOperator", pattern: Lexer.NA });
export const Times = createToken({ name: "Times", pattern: /\*/, categories: [MultiplicativeOperator] });
export const Divide = createToken({ name: "Divide", pattern: /\//, categories: [MultiplicativeOperator] });
export const Modulo = createToken({ name: "Modulo", pattern: /%/, categories: [MultiplicativeOperator] });

// Assignment operators (actions only).
export const PlusAssign = createToken({ name: "PlusAssign", pattern: /\+=/ });
export const Assign = createToken({ name: "Assign", pattern: /=/ });

// Punctuation.
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const DotDot = createToken({ name: "DotDot", pattern: /\.\./ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });

export const keywordTokens = [
  True,
  False,
  Null,
  And,
  Or,
  Not,
  In,
  Is,
  Contains,
  Starts,
  With,
  Matches,
  If,
  Then,
  Else,
  For,
  Return,
  Where,
];

/** Every token in lexing order. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  DateTimeLiteral,
  DateLiteral,
  DurationLiteral,
  NumberLiteral,
  StringLiteral,
  ...keywordTokens,
  Identifier,
  Equal,
  NotEqual,
  LessEqual,
  GreaterEqual,
  Less,
  Greater,
  PlusAssign,
  Assign,
  Plus,
  Minus,
  Times,
  Divide,
  Modulo,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  DotDot,
  Dot,
  Colon,
  ComparisonOperator,
  AdditiveOperator,
  MultiplicativeOperator,
];

/** Keyword spellings, for the editor's highlighting and completion and the loader's reserved names. */
export const keywordNames: readonly string[] = keywordTokens.map((t) => keywordSpelling.get(t) ?? t.name.toLowerCase());

export const expressionLexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false });
