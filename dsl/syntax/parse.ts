/**
 * Parsing entry points of the expression language: lex, bound the nesting, parse with recovery,
 * build the AST. Ranges are mapped into the rule-set file through the offsets of the YAML scalar
 * the expression came from, so every diagnostic and AST node points at the YAML file.
 */
import type { CstNode, IRecognitionException, IToken } from "chevrotain";
import { createError, unsafeNumberProblem, type Diagnostic, type Range } from "../diagnostics.js";
import type { Action, BinaryOperator, Expr, LiteralValue, RecordField, UnaryTest } from "./ast.js";
import type * as C from "./cst.generated.js";
import { assertNever } from "../exhaustive.js";
import { parser, type StartRule } from "./parser.js";
import * as t from "./tokens.js";

/** Deepest bracket / prefix nesting accepted in one expression (Chevrotain recursion is bounded by it). */
export const MAX_NESTING = 64;
/** Most tokens accepted in one expression. */
export const MAX_TOKENS = 4000;
/**
 * Deepest AST accepted (a chain `a + b + c ...` is as deep as it is long): the checker, the
 * compiler and the evaluator recurse over the AST, so its depth is bounded, not only the parser's.
 */
export const MAX_AST_DEPTH = 256;

/**
 * Where an expression's text lives in the file: `offsets[i]` is the file offset of text[i]
 * (length text.length + 1). Without offsets the text starts at file offset `base`.
 */
export interface SourceSpan {
  readonly text: string;
  readonly offsets?: readonly number[];
  readonly base?: number;
}

export interface ParseResult<T> {
  /** The AST; `undefined` only when nothing usable could be recovered. */
  readonly value: T | undefined;
  readonly diagnostics: Diagnostic[];
  /** True when recovery invented or skipped input: fine for the editor, fatal for compile. */
  readonly recovered: boolean;
}

class Mapper {
  constructor(private readonly span: SourceSpan) {}
  at(i: number): number {
    const { offsets, text, base = 0 } = this.span;
    const clamped = Math.max(0, Math.min(i, text.length));
    return offsets ? (offsets[clamped] ?? offsets[offsets.length - 1] ?? 0) : base + clamped;
  }
  range(start: number, endExclusive: number): Range {
    const s = this.at(start);
    return { start: s, end: Math.max(s, this.at(endExclusive)) };
  }
  token(tok: IToken): Range {
    if (Number.isNaN(tok.startOffset)) return this.range(this.span.text.length, this.span.text.length);
    return this.range(tok.startOffset, tok.startOffset + tok.image.length);
  }
}

/** Longest text whose parse is cached, and most cached parses (the cache is emptied when full). */
const MAX_CACHED_TEXT = 2000;
const MAX_CACHED = 5000;
/**
 * Clean parses (no diagnostic, no recovery) by start rule and text, with ranges relative to the
 * text. A table repeats its cells (`"[0..99]"` on thousands of rows) and the editor re-checks the
 * same expressions on every keystroke: a hit is a copy of the cached AST with its ranges mapped
 * through the new span, which is what parsing the text there gives, because every range the
 * builder makes is `Mapper.range` of text offsets or the smallest range covering two such ranges,
 * and `Mapper.at` is non-decreasing (checked; a span whose offsets go back is parsed afresh).
 */
const parseCache = new Map<string, unknown>();

function run<T>(rule: StartRule, span: SourceSpan, build: (cst: CstNode, b: AstBuilder) => T): ParseResult<T> {
  const { text } = span;
  if (text.length > MAX_CACHED_TEXT || !nonDecreasing(span.offsets)) return parse(rule, span, build);
  const key = `${rule}\u0000${text}`;
  let relative = parseCache.get(key) as T | undefined;
  if (relative === undefined) {
    const fresh = parse(rule, { text }, build);
    if (fresh.value === undefined || fresh.recovered) return parse(rule, span, build);
    if (parseCache.size >= MAX_CACHED) parseCache.clear();
    parseCache.set(key, fresh.value);
    relative = fresh.value;
  }
  return { value: relocate(relative, new Mapper(span), new Map()) as T, diagnostics: [], recovered: false };
}

function nonDecreasing(offsets: readonly number[] | undefined): boolean {
  if (!offsets) return true;
  for (let i = 1; i < offsets.length; i++) if ((offsets[i] as number) < (offsets[i - 1] as number)) return false;
  return true;
}

const RANGE_KEYS = new Set(["range", "keyRange", "propertyRange", "calleeRange", "variableRange", "targetRange"]);

/** A copy of an AST with relative ranges (shared nodes stay shared), each range mapped by `m`. */
function relocate(value: unknown, m: Mapper, copies: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const done = copies.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    copies.set(value, out);
    for (const item of value) out.push(relocate(item, m, copies));
    return out;
  }
  const out: Record<string, unknown> = {};
  copies.set(value, out);
  for (const [key, item] of Object.entries(value)) {
    if (RANGE_KEYS.has(key) && typeof item === "object" && item !== null) {
      const mapped = copies.get(item);
      if (mapped !== undefined) out[key] = mapped;
      else {
        const r = item as Range;
        const range = m.range(r.start, r.end);
        copies.set(item, range);
        out[key] = range;
      }
    } else out[key] = relocate(item, m, copies);
  }
  return out;
}

function parse<T>(rule: StartRule, span: SourceSpan, build: (cst: CstNode, b: AstBuilder) => T): ParseResult<T> {
  const m = new Mapper(span);
  const diagnostics: Diagnostic[] = [];
  const lexed = t.expressionLexer.tokenize(span.text);
  for (const e of lexed.errors) {
    const ch = span.text.slice(e.offset, e.offset + e.length);
    diagnostics.push(createError("dsl/lexer", `caractere inesperado '${ch}'`, m.range(e.offset, e.offset + e.length)));
  }
  const tokens = lexed.tokens;
  if (tokens.length > MAX_TOKENS) {
    diagnostics.push(
      createError(
        "dsl/too-deep",
        `expressão longa demais (${tokens.length} símbolos; o limite é ${MAX_TOKENS}): divida-a em valores nomeados`,
        m.range(0, span.text.length),
      ),
    );
    return { value: undefined, diagnostics, recovered: true };
  }
  const deep = findExcessiveNesting(tokens);
  if (deep) {
    diagnostics.push(
      createError(
        "dsl/too-deep",
        `expressão aninhada demais (mais de ${MAX_NESTING} níveis): simplifique-a ou use valores nomeados`,
        m.token(deep),
      ),
    );
    return { value: undefined, diagnostics, recovered: true };
  }
  for (const tok of tokens) {
    if (tok.tokenType !== t.NumberLiteral) continue;
    const problem = unsafeNumberProblem(tok.image, Number(tok.image));
    if (problem) diagnostics.push(createError("ruleset/unsafe-number", problem, m.token(tok)));
  }
  parser.input = tokens;
  const cst = parser[rule]();
  for (const e of parser.errors) diagnostics.push(syntaxDiagnostic(e, m, span.text.length, tokens));
  const builder = new AstBuilder(m, span.text);
  let value: T | undefined;
  try {
    value = build(cst, builder);
  } catch (err) {
    // A CST shape the builder did not expect can only come from recovery; report, do not crash.
    if (diagnostics.length === 0) throw err;
    value = undefined;
  }
  if (value !== undefined && depthOf(value) > MAX_AST_DEPTH) {
    diagnostics.push(
      createError(
        "dsl/too-deep",
        `expressão profunda demais (mais de ${MAX_AST_DEPTH} operações encadeadas): divida-a em valores nomeados`,
        m.range(0, span.text.length),
      ),
    );
    return { value: undefined, diagnostics, recovered: true };
  }
  return { value, diagnostics, recovered: diagnostics.length > 0 || builder.sawError };
}

function syntaxDiagnostic(
  e: IRecognitionException,
  m: Mapper,
  textLength: number,
  tokens: readonly IToken[],
): Diagnostic {
  const tok = e.token;
  const range =
    tok.tokenType?.name === "EOF" || Number.isNaN(tok.startOffset) ? m.range(textLength, textLength) : m.token(tok);
  const hint = portugueseHabit(tok, tokens);
  if (hint) return createError("dsl/syntax", `${e.message}. ${hint.message}`, m.token(hint.token));
  return createError("dsl/syntax", e.message, range);
}

/** Portuguese words and spreadsheet habits that analysts type for the language's operators. */
const HABITS: Readonly<Record<string, string>> = {
  e: 'Para "e" lógico, use "and"',
  ou: 'Para "ou" lógico, use "or"',
  não: 'Para negar, use "not"',
  nao: 'Para negar, use "not"',
};

/**
 * When a syntax error happens at (or right after) a word an analyst types out of habit, the
 * suggestion of the operator meant: `=` → `==`, `e` → `and`, `ou` → `or`, `não` → `not` (the
 * error for `não x` comes at `x`, so the previous token is looked at too).
 */
function portugueseHabit(tok: IToken, tokens: readonly IToken[]): { token: IToken; message: string } | undefined {
  if (Number.isNaN(tok.startOffset)) return undefined;
  const at = tokens.findIndex((x) => x.startOffset === tok.startOffset);
  const candidates = [tokens[at], tokens[at - 1]].filter((x): x is IToken => x !== undefined);
  for (const c of candidates) {
    const here = c === tokens[at];
    // `=` and `e`/`ou` only where the error is (`acao = )` is no comparison); `não x` errs at x.
    if (here && c.tokenType === t.Assign)
      return { token: c, message: 'Para comparar, use "==" ("=" só atribui valores em "then")' };
    if (c.tokenType !== t.Identifier) continue;
    const word = c.image.normalize("NFC").toLowerCase();
    const hint = HABITS[word];
    if (hint && (here || word === "não" || word === "nao")) return { token: c, message: hint };
  }
  return undefined;
}

/**
 * Returns the token where nesting first exceeds MAX_NESTING: bracket depth, runs of prefix
 * operators (`not not ...`, `- - ...`), and `if`/`for` (each nests everything after it, so they
 * are counted over the whole expression).
 */
function findExcessiveNesting(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  let prefixRun = 0;
  let blocks = 0;
  for (const tok of tokens) {
    const type = tok.tokenType;
    if (type === t.LParen || type === t.LBracket || type === t.LBrace) depth++;
    else if (type === t.RParen || type === t.RBracket || type === t.RBrace) depth = Math.max(0, depth - 1);
    if (type === t.Not || type === t.Minus) prefixRun++;
    else if (type !== t.LParen) prefixRun = 0;
    if (type === t.If || type === t.For) blocks++;
    if (depth > MAX_NESTING || prefixRun > MAX_NESTING || blocks > MAX_NESTING) return tok;
  }
  return undefined;
}

/** Depth of an AST (actions and unary tests included), computed without recursion. */
function depthOf(root: unknown): number {
  let max = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (typeof node !== "object" || node === null) continue;
    if (depth > max) max = depth;
    if (max > MAX_AST_DEPTH) return max;
    for (const v of Object.values(node)) stack.push({ node: v, depth: Array.isArray(node) ? depth : depth + 1 });
  }
  return max;
}

/** Parses a boolean or value expression (`when`, computed values, template holes). */
export function parseExpression(span: SourceSpan): ParseResult<Expr> {
  return run("expression", span, (cst, b) => b.expression(cst as C.ExpressionCstNode));
}

/** Parses one `then` item. */
export function parseAction(span: SourceSpan): ParseResult<Action> {
  return run("action", span, (cst, b) => b.action(cst as C.ActionCstNode));
}

/** Parses with the start rule, never from or into the cache (the reference the cache is tested against). */
export function parseUncached(rule: StartRule, span: SourceSpan): ParseResult<Expr | Action | UnaryTest> {
  switch (rule) {
    case "expression":
      return parse(rule, span, (cst, b) => b.expression(cst as C.ExpressionCstNode));
    case "action":
      return parse(rule, span, (cst, b) => b.action(cst as C.ActionCstNode));
    case "unaryTests":
      return parse(rule, span, (cst, b) => b.unaryTests(cst as C.UnaryTestsCstNode));
    default:
      return assertNever(rule, "start rule");
  }
}

/** Parses a decision-table input cell written as unary tests. */
export function parseUnaryTests(span: SourceSpan): ParseResult<UnaryTest> {
  return run("unaryTests", span, (cst, b) => b.unaryTests(cst as C.UnaryTestsCstNode));
}

const COMPARISON_OPS: Record<string, BinaryOperator & ("==" | "!=" | "<" | "<=" | ">" | ">=")> = {
  Equal: "==",
  NotEqual: "!=",
  Less: "<",
  LessEqual: "<=",
  Greater: ">",
  GreaterEqual: ">=",
};

/** Decodes the body of a string literal token (quotes included in `image`). */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16));
    switch (esc) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "b":
        return "\b";
      case "f":
        return "\f";
      default:
        return esc;
    }
  });
}

/** CST → AST. Missing pieces (from recovery) become `error` nodes and set `sawError`. */
class AstBuilder {
  sawError = false;
  constructor(
    private readonly m: Mapper,
    private readonly text: string,
  ) {}

  private nodeRange(node: CstNode): Range {
    const loc = node.location;
    if (!loc || Number.isNaN(loc.startOffset)) return this.m.range(this.text.length, this.text.length);
    return this.m.range(loc.startOffset, (loc.endOffset ?? loc.startOffset) + 1);
  }

  private error(range: Range): Expr {
    this.sawError = true;
    return { kind: "error", range };
  }

  private span(a: Range, b: Range): Range {
    return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
  }

  expression(node: C.ExpressionCstNode | undefined): Expr {
    if (!node || node.recoveredNode)
      return this.error(node ? this.nodeRange(node) : this.m.range(this.text.length, this.text.length));
    const c = node.children;
    if (c.ifExpression?.[0]) {
      const n = c.ifExpression[0];
      const test = this.expression(n.children.test?.[0]);
      const then = this.expression(n.children.consequent?.[0]);
      const otherwise = this.expression(n.children.alternate?.[0]);
      return {
        kind: "if",
        test,
        then,
        else: otherwise,
        range: this.span(this.m.token(n.children.If[0] as IToken), otherwise.range),
      };
    }
    if (c.forExpression?.[0]) {
      const n = c.forExpression[0];
      const id = n.children.Identifier?.[0];
      const source = this.expression(n.children.source?.[0]);
      const filter = n.children.Where?.[0] ? this.expression(n.children.filter?.[0]) : undefined;
      const body = this.expression(n.children.body?.[0]);
      return {
        kind: "for",
        variable: id?.image ?? "",
        variableRange: id ? this.m.token(id) : source.range,
        source,
        ...(filter ? { filter } : {}),
        body,
        range: this.span(this.m.token(n.children.For[0] as IToken), body.range),
      };
    }
    return this.or(c.orExpression?.[0]);
  }

  private or(node: C.OrExpressionCstNode | undefined): Expr {
    if (!node) return this.error(this.m.range(this.text.length, this.text.length));
    const operands = (node.children.operands ?? []).map((n) => this.and(n));
    return this.logical("or", operands, node);
  }

  private and(node: C.AndExpressionCstNode): Expr {
    const operands = (node.children.operands ?? []).map((n) => this.not(n));
    return this.logical("and", operands, node);
  }

  private logical(operator: "and" | "or", operands: Expr[], node: CstNode): Expr {
    if (operands.length === 0) return this.error(this.nodeRange(node));
    if (operands.length === 1) return operands[0] as Expr;
    return {
      kind: "logical",
      operator,
      operands,
      range: this.span((operands[0] as Expr).range, (operands[operands.length - 1] as Expr).range),
    };
  }

  private not(node: C.NotExpressionCstNode): Expr {
    const c = node.children;
    if (c.Not?.[0]) {
      const operand = c.notExpression?.[0] ? this.not(c.notExpression[0]) : this.error(this.nodeRange(node));
      return { kind: "unary", operator: "not", operand, range: this.span(this.m.token(c.Not[0]), operand.range) };
    }
    return this.comparison(c.comparison?.[0], node);
  }

  private comparison(node: C.ComparisonCstNode | undefined, parent: CstNode): Expr {
    if (!node) return this.error(this.nodeRange(parent));
    const c = node.children;
    const left = this.additive(c.left?.[0], node);
    if (c.Is?.[0]) {
      const end = c.Null?.[0] ? this.m.token(c.Null[0]) : this.m.token(c.Is[0]);
      return { kind: "isNull", negated: Boolean(c.Not?.[0]), operand: left, range: this.span(left.range, end) };
    }
    const rightNode = c.right?.[0];
    let operator: BinaryOperator | undefined;
    if (c.ComparisonOperator?.[0]) operator = COMPARISON_OPS[c.ComparisonOperator[0].tokenType.name];
    else if (c.In?.[0]) operator = c.Not?.[0] ? "not in" : "in";
    else if (c.Contains?.[0]) operator = "contains";
    else if (c.Starts?.[0]) operator = "starts with";
    else if (c.Matches?.[0]) operator = "matches";
    if (!operator) return left;
    const right = this.additive(rightNode, node);
    return { kind: "binary", operator, left, right, range: this.span(left.range, right.range) };
  }

  additive(node: C.AdditiveCstNode | undefined, parent: CstNode): Expr {
    if (!node) return this.error(this.nodeRange(parent));
    const operands = (node.children.operands ?? []).map((n) => this.multiplicative(n));
    const ops = node.children.AdditiveOperator ?? [];
    return this.leftAssoc(operands, ops, node);
  }

  private multiplicative(node: C.MultiplicativeCstNode): Expr {
    const operands = (node.children.operands ?? []).map((n) => this.prefix(n));
    const ops = node.children.MultiplicativeOperator ?? [];
    return this.leftAssoc(operands, ops, node);
  }

  private leftAssoc(operands: Expr[], ops: IToken[], node: CstNode): Expr {
    let acc = operands[0];
    if (!acc) return this.error(this.nodeRange(node));
    for (let i = 1; i < operands.length; i++) {
      const right = operands[i] as Expr;
      const image = ops[i - 1]?.image ?? "+";
      acc = {
        kind: "binary",
        operator: image as BinaryOperator,
        left: acc,
        right,
        range: this.span(acc.range, right.range),
      };
    }
    return acc;
  }

  private prefix(node: C.PrefixCstNode): Expr {
    const c = node.children;
    if (c.Minus?.[0]) {
      const operand = c.prefix?.[0] ? this.prefix(c.prefix[0]) : this.error(this.nodeRange(node));
      const minus = this.m.token(c.Minus[0]);
      // Fold "-5" into a literal so that tables and constants can hold negative numbers.
      if (operand.kind === "literal" && operand.literal.type === "number") {
        return {
          kind: "literal",
          literal: { type: "number", value: -operand.literal.value },
          range: this.span(minus, operand.range),
        };
      }
      return { kind: "unary", operator: "-", operand, range: this.span(minus, operand.range) };
    }
    return this.postfix(c.postfix?.[0], node);
  }

  private postfix(node: C.PostfixCstNode | undefined, parent: CstNode): Expr {
    if (!node) return this.error(this.nodeRange(parent));
    const c = node.children;
    let acc = this.primary(c.primary?.[0], node);
    // Members and indexes interleave; rebuild their source order from token offsets.
    const steps: { offset: number; apply: (e: Expr) => Expr }[] = [];
    for (const id of c.member ?? []) {
      steps.push({
        offset: id.startOffset,
        apply: (e) => ({
          kind: "member",
          object: e,
          property: id.image,
          propertyRange: this.m.token(id),
          range: this.span(e.range, this.m.token(id)),
        }),
      });
    }
    const rbrackets = c.RBracket ?? [];
    (c.index ?? []).forEach((idx, i) => {
      const close = rbrackets[i];
      const loc = idx.location?.startOffset ?? 0;
      steps.push({
        offset: loc,
        apply: (e) => {
          const index = this.expression(idx);
          const end = close && !Number.isNaN(close.startOffset) ? this.m.token(close) : index.range;
          return { kind: "index", object: e, index, range: this.span(e.range, end) };
        },
      });
    });
    steps.sort((a, b) => a.offset - b.offset);
    for (const s of steps) acc = s.apply(acc);
    return acc;
  }

  private primary(node: C.PrimaryCstNode | undefined, parent: CstNode): Expr {
    if (!node || node.recoveredNode) return this.error(this.nodeRange(node ?? parent));
    const c = node.children;
    if (c.literal?.[0]) return this.literal(c.literal[0]);
    if (c.nameOrCall?.[0]) return this.nameOrCall(c.nameOrCall[0]);
    if (c.expression?.[0]) {
      const inner = this.expression(c.expression[0]);
      const open = c.LParen?.[0];
      const close = c.RParen?.[0];
      const range =
        open && close && !Number.isNaN(close.startOffset)
          ? this.span(this.m.token(open), this.m.token(close))
          : inner.range;
      return { ...inner, range } as Expr;
    }
    if (c.listLiteral?.[0]) {
      const n = c.listLiteral[0];
      return { kind: "list", items: (n.children.items ?? []).map((i) => this.expression(i)), range: this.nodeRange(n) };
    }
    if (c.recordLiteral?.[0]) {
      const n = c.recordLiteral[0];
      const fields: RecordField[] = (n.children.fields ?? []).map((f) => {
        const key = f.children.key?.[0];
        const value = this.expression(f.children.value?.[0]);
        if (!key) return { key: "", keyRange: value.range, value: this.error(value.range) };
        const name = key.tokenType === t.StringLiteral ? unquote(key.image) : key.image;
        return { key: name, keyRange: this.m.token(key), value };
      });
      return { kind: "record", fields, range: this.nodeRange(n) };
    }
    return this.error(this.nodeRange(node));
  }

  literalToken(tok: IToken): Expr {
    const range = this.m.token(tok);
    const lit = literalOf(tok);
    if (!lit) return this.error(range);
    return { kind: "literal", literal: lit, range };
  }

  private literal(node: C.LiteralCstNode): Expr {
    const c = node.children;
    const tok = [
      c.StringLiteral,
      c.NumberLiteral,
      c.DateTimeLiteral,
      c.DateLiteral,
      c.DurationLiteral,
      c.True,
      c.False,
      c.Null,
    ].find((x) => x?.[0])?.[0];
    return tok ? this.literalToken(tok) : this.error(this.nodeRange(node));
  }

  private nameOrCall(node: C.NameOrCallCstNode): Expr {
    const c = node.children;
    const id = c.Identifier?.[0];
    if (!id || Number.isNaN(id.startOffset)) return this.error(this.nodeRange(node));
    const idRange = this.m.token(id);
    if (!c.LParen?.[0]) return { kind: "name", name: id.image, range: idRange };
    const args = (c.args ?? []).map((a) => this.expression(a));
    const close = c.RParen?.[0];
    const end =
      close && !Number.isNaN(close.startOffset) ? this.m.token(close) : (args[args.length - 1]?.range ?? idRange);
    return { kind: "call", callee: id.image, calleeRange: idRange, args, range: this.span(idRange, end) };
  }

  action(node: C.ActionCstNode): Action {
    const c = node.children;
    const targets = (c.target ?? []).filter((x) => !Number.isNaN(x.startOffset));
    const first = targets[0];
    const last = targets[targets.length - 1];
    const targetRange = first && last ? this.span(this.m.token(first), this.m.token(last)) : this.nodeRange(node);
    const value = this.expression(c.value?.[0]);
    if (!first) this.sawError = true;
    return {
      kind: c.op?.[0]?.tokenType === t.PlusAssign ? "append" : "assign",
      target: targets.map((x) => x.image),
      targetRange,
      value,
      range: this.span(targetRange, value.range),
    };
  }

  unaryTests(node: C.UnaryTestsCstNode): UnaryTest {
    const c = node.children;
    if (c.negated?.[0]) {
      const inner = this.testList(c.negated[0]);
      return { kind: "not", test: inner, range: this.nodeRange(node) };
    }
    const list = c.tests?.[0];
    if (!list) {
      this.sawError = true;
      return { kind: "any", range: this.nodeRange(node) };
    }
    return this.testList(list);
  }

  private testList(node: C.TestListCstNode): UnaryTest {
    const tests = (node.children.tests ?? []).map((n) => this.unaryTest(n));
    if (tests.length === 1) return tests[0] as UnaryTest;
    return { kind: "oneOf", tests, range: this.nodeRange(node) };
  }

  private unaryTest(node: C.UnaryTestCstNode): UnaryTest {
    const c = node.children;
    const range = this.nodeRange(node);
    if (c.rangeTest?.[0]) {
      const r = c.rangeTest[0].children;
      const low = this.bound(r.low?.[0], range);
      const high = this.bound(r.high?.[0], range);
      const open = r.open?.[0];
      const close = r.close?.[0];
      return {
        kind: "range",
        low,
        high,
        lowInclusive: open?.tokenType === t.LBracket,
        highInclusive: close?.tokenType === t.RBracket,
        range,
      };
    }
    const value = this.additive(c.value?.[0], node);
    const op = c.op?.[0];
    if (!op) return { kind: "compare", operator: "==", value, range };
    const operator = op.tokenType === t.Assign ? "==" : (COMPARISON_OPS[op.tokenType.name] ?? "==");
    return { kind: "compare", operator, value, range };
  }

  private bound(node: C.RangeBoundCstNode | undefined, fallback: Range): Expr {
    if (!node) return this.error(fallback);
    const c = node.children;
    if (c.Minus?.[0] && c.NumberLiteral?.[0]) {
      const num = this.literalToken(c.NumberLiteral[0]);
      if (num.kind === "literal" && num.literal.type === "number") {
        return {
          kind: "literal",
          literal: { type: "number", value: -num.literal.value },
          range: this.span(this.m.token(c.Minus[0]), num.range),
        };
      }
      return num;
    }
    if (c.literal?.[0]) return this.literal(c.literal[0]);
    const id = c.Identifier?.[0];
    if (id) return { kind: "name", name: id.image, range: this.m.token(id) };
    return this.error(fallback);
  }
}

function literalOf(tok: IToken): LiteralValue | undefined {
  if (Number.isNaN(tok.startOffset)) return undefined;
  switch (tok.tokenType) {
    case t.StringLiteral:
      return { type: "string", value: unquote(tok.image) };
    case t.NumberLiteral:
      return { type: "number", value: Number(tok.image) };
    case t.DateLiteral:
      return { type: "date", value: tok.image };
    case t.DateTimeLiteral:
      return { type: "datetime", value: tok.image };
    case t.DurationLiteral:
      return { type: "duration", value: tok.image };
    case t.True:
      return { type: "boolean", value: true };
    case t.False:
      return { type: "boolean", value: false };
    case t.Null:
      return { type: "null" };
    default:
      return undefined;
  }
}

/** Re-export so callers do not import the parser module for this. */
export type { Expr, Action, UnaryTest };
