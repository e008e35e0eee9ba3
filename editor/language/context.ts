/**
 * The expression around an offset: which part of a scalar is language text (a whole expression,
 * an action, a table cell's unary tests, the expression after `=` of a formula, one `{hole}` of a
 * template), its tokens from the language's own lexer, the local names it binds (`for x in ...`,
 * template parameters, `item` of a collection) and what each name in it refers to (a fact, a
 * table column, an output, a function...). Completion, hover, definition and semantic tokens all
 * read expressions through this module.
 *
 * The lenient path: when the draft's YAML cannot be read there are no expression sites; the text
 * after `chave:` (or `- `) on the cursor's line is then read as the expression being typed.
 */
import type { IToken, TokenType } from "chevrotain";
import type { Range } from "../../dsl/diagnostics.js";
import { getFunction } from "../../dsl/library/catalog.js";
import type { FunctionSpec } from "../../dsl/library/spec.js";
import type { ExpressionSiteKind } from "../../dsl/ruleset/load.js";
import type {
  CollectionDecl,
  ConstantDecl,
  FieldDecl,
  TableColumn,
  TableDecl,
  TemplateDecl,
  ValueDecl,
} from "../../dsl/ruleset/model.js";
import {
  Assign,
  Dot,
  expressionLexer,
  For,
  Identifier,
  In,
  LParen,
  PlusAssign,
  RParen,
} from "../../dsl/syntax/tokens.js";
import { T, type Type } from "../../dsl/types.js";
import { type Analysis, type Knowledge, knowledge, siteAt, siteText } from "./analysis.js";

/** A token of an expression segment, with its position in the segment text. */
export interface Token {
  readonly type: TokenType;
  readonly image: string;
  /** Index in the segment text. */
  readonly start: number;
  readonly end: number;
}

/** The language text around an offset. */
export interface Segment {
  /** How the text is read; `line` is the lenient path (no YAML). */
  readonly kind: ExpressionSiteKind | "line";
  /** The expression text (a template hole's content, a formula's text after `=`). */
  readonly text: string;
  /** Index of the cursor in `text`. */
  readonly cursor: number;
  /** Source offset of the character at `text[i]` (i ≤ text.length). */
  readonly at: (i: number) => number;
  /** The source range of the whole scalar (site), or of the text read on the line. */
  readonly scalar: Range;
}

/** Lexes a segment text (lexer errors skip characters, as the parser's recovery does). */
export function lex(text: string): Token[] {
  return expressionLexer.tokenize(text).tokens.map((t: IToken) => ({
    type: t.tokenType,
    image: t.image,
    start: t.startOffset,
    end: t.startOffset + t.image.length,
  }));
}

/** `[start, end)` of each `{hole}` of a template text (`{{` and `}}` are literal braces); an unclosed hole runs to the end. */
export function templateHoles(text: string): [number, number][] {
  const holes: [number, number][] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if ((ch === "{" && text[i + 1] === "{") || (ch === "}" && text[i + 1] === "}")) {
      i += 2;
      continue;
    }
    if (ch === "{") {
      const close = text.indexOf("}", i + 1);
      const end = close < 0 ? text.length : close;
      holes.push([i + 1, end]);
      i = end + 1;
      continue;
    }
    i++;
  }
  return holes;
}

/** The expression parts of a site's scalar text: `[start, end)` ranges of language text. */
export function expressionParts(kind: ExpressionSiteKind, text: string): [number, number][] {
  switch (kind) {
    case "expression":
    case "requirement":
    case "action":
    case "unaryTests":
      return [[0, text.length]];
    case "formula": {
      const at = text.indexOf("=");
      return at < 0 ? [] : [[at + 1, text.length]];
    }
    case "template":
      return templateHoles(text);
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** A segment built from a part of a site's scalar. */
function partSegment(
  kind: ExpressionSiteKind,
  text: string,
  offsets: readonly number[],
  part: [number, number],
  cursorIndex: number,
  scalar: Range,
): Segment {
  const [s, e] = part;
  const last = offsets.length - 1;
  return {
    kind,
    text: text.slice(s, e),
    cursor: Math.max(0, Math.min(cursorIndex - s, e - s)),
    at: (i) => offsets[Math.min(s + i, last)] ?? scalar.end,
    scalar,
  };
}

/** Every expression segment of a site (semantic tokens); cursor 0. */
export function siteSegments(a: Analysis, site: Analysis["sites"][number]): Segment[] {
  const st = siteText(a, site);
  if (!st) return [];
  return expressionParts(site.kind, st.text).map((p) =>
    partSegment(site.kind, st.text, st.offsets, p, p[0], site.range),
  );
}

/** Keys whose value is an expression (the lenient path reads only these lines). */
const EXPRESSION_KEYS =
  /^(?:when|then|check|require|requires|expr|from|to|where|key|order|inputs|value|text|message|reason)$/;

/** Keys whose value is never an expression (the lenient path skips them even when any key may be a name). */
const NOT_EXPRESSION_KEYS =
  /^(?:ruleset|description|timezone|name|type|enum|items|fields|values|default|nullable|required|normalize|personal|minimum|maximum|minItems|maxItems|uniqueBy|hitPolicy|aggregate|outputValues|labels|label|onNoMatch|outputs|priority|stop|field|into|record|states|initial|terminal)$/;

/**
 * The expression segment at `offset`: from the expression site there when the draft's YAML reads,
 * otherwise (lenient path) the text after `chave:` on the cursor's line.
 */
export function segmentAt(a: Analysis, offset: number): Segment | undefined {
  if (a.model) {
    const site = siteAt(a, offset) ?? siteBefore(a, offset);
    if (site) {
      let st = siteText(a, site);
      if (!st) return undefined;
      if (offset > site.range.end) {
        // Spaces typed after the scalar (YAML drops them from its value): part of the expression.
        const gap = offset - site.range.end;
        st = {
          site,
          text: st.text + " ".repeat(gap),
          offsets: [
            ...st.offsets.slice(0, st.text.length),
            ...Array.from({ length: gap + 1 }, (_, i) => site.range.end + i),
          ],
        };
      }
      // Before the value's first character: a block scalar's header, an opening quote.
      if (offset < (st.offsets[0] ?? offset)) return undefined;
      let index = st.offsets.findIndex((o) => o >= offset);
      if (index < 0) index = st.text.length;
      for (const part of expressionParts(site.kind, st.text))
        if (part[0] <= index && index <= part[1])
          return partSegment(site.kind, st.text, st.offsets, part, index, site.range);
      return undefined;
    }
  }
  return lineSegment(a.source, offset, !a.model);
}

/** A site ending just before `offset`, with only spaces between them on the same line. */
function siteBefore(a: Analysis, offset: number): Analysis["sites"][number] | undefined {
  const gap = /[ \t]*$/.exec(a.source.slice(Math.max(0, offset - 200), offset))?.[0].length ?? 0;
  if (gap === 0) return undefined;
  return a.sites.find((s) => s.range.end === offset - gap && s.kind !== "template");
}

/**
 * The lenient segment: on the cursor's line, the text after `chave:` (an expression key, or any
 * key when `anyKey`) or after a list dash, up to the end of the line.
 */
export function lineSegment(source: string, offset: number, anyKey: boolean): Segment | undefined {
  const lineStart = source.lastIndexOf("\n", offset - 1) + 1;
  let lineEnd = source.indexOf("\n", offset);
  if (lineEnd < 0) lineEnd = source.length;
  const line = source.slice(lineStart, lineEnd);
  const m = /^(\s*(?:-\s+)?)(?:([\p{L}_][\p{L}\p{N}_-]*)\s*:\s+)?/u.exec(line);
  if (!m) return undefined;
  const key = m[2];
  if (key === undefined && !anyKey) return undefined;
  if (key !== undefined && !EXPRESSION_KEYS.test(key) && (!anyKey || NOT_EXPRESSION_KEYS.test(key))) return undefined;
  const start = lineStart + m[0].length;
  if (offset < start) return undefined;
  let text = source.slice(start, lineEnd);
  let base = start;
  // A quoted YAML scalar: read inside the quotes.
  const quote = text[0];
  if (quote === "'" || quote === '"') {
    text = text.slice(1);
    base++;
    const close = text.lastIndexOf(quote);
    if (close >= 0 && text.slice(close + 1).trim() === "") text = text.slice(0, close);
  }
  return {
    kind: "line",
    text,
    cursor: Math.max(0, Math.min(offset - base, text.length)),
    at: (i) => base + i,
    scalar: { start, end: lineEnd },
  };
}

// ------------------------------------------------------------------ names and what they refer to

/** A name bound inside an expression. */
export interface Local {
  readonly name: string;
  readonly type: Type;
  /** Where it is declared in the source (a `for` variable, a template parameter). */
  readonly range?: Range;
  /** A row variable of `rows(tabela)`: its fields are the table's columns. */
  readonly table?: TableDecl;
  readonly what: string;
}

/** What a name (or a member of a path) in an expression refers to. */
export type Target =
  | { readonly kind: "fact"; readonly name: string; readonly decl: FieldDecl; readonly type: Type }
  | {
      readonly kind: "field";
      readonly name: string;
      readonly path: readonly string[];
      readonly type: Type;
      readonly decl?: FieldDecl;
      readonly role: "fact" | "output" | "other";
    }
  | { readonly kind: "output"; readonly name: string; readonly decl: FieldDecl; readonly type: Type }
  | { readonly kind: "constant"; readonly name: string; readonly decl: ConstantDecl; readonly type: Type }
  | { readonly kind: "value"; readonly name: string; readonly decl: ValueDecl; readonly type: Type }
  | { readonly kind: "template"; readonly name: string; readonly decl: TemplateDecl }
  | { readonly kind: "table"; readonly name: string; readonly decl: TableDecl; readonly type: Type }
  | {
      readonly kind: "column";
      readonly name: string;
      readonly table: TableDecl;
      readonly column: TableColumn;
      readonly input: boolean;
      readonly type: Type;
    }
  | { readonly kind: "collection"; readonly name: string; readonly decl: CollectionDecl; readonly type: Type }
  | { readonly kind: "function"; readonly name: string; readonly spec: FunctionSpec }
  | { readonly kind: "rows"; readonly name: string }
  | { readonly kind: "local"; readonly name: string; readonly local: Local }
  | { readonly kind: "decision"; readonly name: string; readonly type: Type };

/** The names an expression can see: the rule set's, and its locals. */
export interface Env {
  readonly k: Knowledge;
  readonly locals: ReadonlyMap<string, Local>;
}

function tableNamed(k: Knowledge, name: string): TableDecl | undefined {
  return k.model.tables.find((t) => t.name === name);
}

/** The top-level name (or local) `name`. */
export function resolveName(env: Env, name: string): Target | undefined {
  const local = env.locals.get(name);
  if (local) return { kind: "local", name, local };
  const { model, check } = env.k;
  if (name === "decision") return { kind: "decision", name, type: check.decisionType };
  const info = check.scope.lookup(name);
  const type = info?.type ?? T.any;
  const fact = model.facts.get(name);
  if (fact) return { kind: "fact", name, decl: fact, type };
  const constant = model.constants.get(name);
  if (constant) return { kind: "constant", name, decl: constant, type };
  const value = model.values.get(name);
  if (value) return { kind: "value", name, decl: value, type };
  const template = model.templates.get(name);
  if (template) return { kind: "template", name, decl: template };
  const table = tableNamed(env.k, name);
  if (table) return { kind: "table", name, decl: table, type };
  const collection = model.collections.get(name);
  if (collection) return { kind: "collection", name, decl: collection, type };
  return undefined;
}

/** Fields of a type, when it is a record (a list's items for a list of records). */
export function fieldsOf(type: Type | undefined): Readonly<Record<string, Type>> | undefined {
  if (!type) return undefined;
  if (type.kind === "object") return type.fields;
  return undefined;
}

/** What `path[0].path[1]...` refers to, one target per name (undefined from the first unknown one). */
export function resolvePath(env: Env, path: readonly string[]): (Target | undefined)[] {
  const out: (Target | undefined)[] = [];
  const head = path[0] === undefined ? undefined : resolveName(env, path[0]);
  out.push(head);
  let type: Type | undefined = head ? targetType(head) : undefined;
  let decls: ReadonlyMap<string, FieldDecl> | undefined =
    head?.kind === "fact" ? head.decl.decl.fields : head?.kind === "decision" ? env.k.model.outputs : undefined;
  let role: "fact" | "output" | "other" =
    head?.kind === "fact" ? "fact" : head?.kind === "decision" ? "output" : "other";
  const table = head?.kind === "table" ? head.decl : head?.kind === "local" ? head.local.table : undefined;
  for (let i = 1; i < path.length; i++) {
    const name = path[i] as string;
    const fields = fieldsOf(type);
    const fieldType = fields && Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (i === 1 && table) {
      const input = head?.kind === "local" ? table.inputs.find((c) => c.name === name) : undefined;
      const output = table.outputs.find((c) => c.name === name);
      const column = input ?? output;
      if (column) {
        out.push({ kind: "column", name, table, column, input: !!input, type: fieldType ?? T.any });
        type = fieldType;
        decls = undefined;
        role = "other";
        continue;
      }
    }
    if (i === 1 && head?.kind === "decision") {
      const decl = env.k.model.outputs.get(name);
      if (decl) {
        out.push({ kind: "output", name, decl, type: fieldType ?? T.any });
        type = fieldType;
        decls = decl.decl.fields;
        continue;
      }
    }
    if (fieldType === undefined) {
      out.push(undefined);
      break;
    }
    const decl = decls?.get(name);
    out.push({
      kind: "field",
      name,
      path: path.slice(0, i + 1),
      type: fieldType,
      ...(decl ? { decl } : {}),
      role,
    });
    type = fieldType;
    decls = decl?.decl.fields;
  }
  return out;
}

/** The static type of what a target names (functions and templates: their result). */
export function targetType(t: Target): Type | undefined {
  switch (t.kind) {
    case "fact":
    case "field":
    case "output":
    case "constant":
    case "value":
    case "table":
    case "column":
    case "collection":
    case "decision":
      return t.type;
    case "local":
      return t.local.type;
    case "template":
      return T.string;
    case "function":
    case "rows":
      return undefined;
    default: {
      const never: never = t;
      return never;
    }
  }
}

/** The names of a path written just before token index `end` (exclusive): `a.b.c` → ["a","b","c"]. */
export function pathBefore(tokens: readonly Token[], end: number): string[] {
  const names: string[] = [];
  let i = end - 1;
  while (i >= 0) {
    const t = tokens[i] as Token;
    if (t.type !== Identifier) break;
    names.unshift(t.image);
    if (i >= 1 && (tokens[i - 1] as Token).type === Dot) i -= 2;
    else break;
  }
  return names;
}

/** The locals an expression segment binds, with their types, given the site it belongs to. */
export function localsOf(k: Knowledge, segment: Segment, tokens: readonly Token[]): Map<string, Local> {
  const locals = new Map<string, Local>();
  const env: Env = { k, locals };
  const where = segment.scalar;
  if (k.current) {
    // Template parameters.
    for (const t of k.model.templates.values())
      if (t.range.start <= where.start && where.end <= t.range.end)
        for (const p of t.params)
          locals.set(p.name, { name: p.name, type: T.any, range: p.nameRange, what: "parâmetro do modelo de texto" });
    // `item` of a collection.
    for (const c of k.model.collections.values())
      if (c.range.start <= where.start && where.end <= c.range.end) {
        const from = k.check.types.get(c.from);
        locals.set("item", {
          name: "item",
          type: from?.kind === "list" ? from.of : T.any,
          what: `item da coleção ${c.name}`,
        });
      }
  }
  // `for x in fonte`: rows(tabela) or a path.
  for (let i = 0; i + 2 < tokens.length; i++) {
    const f = tokens[i] as Token;
    const v = tokens[i + 1] as Token;
    if (f.type !== For || v.type !== Identifier || (tokens[i + 2] as Token).type !== In) continue;
    const range = { start: segment.at(v.start), end: segment.at(v.start) + v.image.length };
    const s0 = tokens[i + 3];
    if (
      s0?.image === "rows" &&
      tokens[i + 4]?.type === LParen &&
      tokens[i + 5]?.type === Identifier &&
      tokens[i + 6]?.type === RParen
    ) {
      const table = tableNamed(k, (tokens[i + 5] as Token).image);
      const info = table ? k.check.scope.lookup(table.name) : undefined;
      locals.set(v.image, {
        name: v.image,
        type: info?.rowType ?? T.any,
        range,
        ...(table ? { table } : {}),
        what: table ? `linha da tabela ${table.name}` : "variável",
      });
      continue;
    }
    let j = i + 3;
    while (j < tokens.length && (tokens[j]?.type === Identifier || tokens[j]?.type === Dot)) j++;
    const path = pathBefore(tokens, j);
    const targets = path.length ? resolvePath(env, path) : [];
    const last = targets[targets.length - 1];
    const type = last ? targetType(last) : undefined;
    locals.set(v.image, {
      name: v.image,
      type: type?.kind === "list" ? type.of : T.any,
      range,
      what: "variável",
    });
  }
  return locals;
}

/** What the identifier token `index` of a segment refers to. */
export function targetAt(env: Env, segment: Segment, tokens: readonly Token[], index: number): Target | undefined {
  const tok = tokens[index];
  if (!tok || tok.type !== Identifier) return undefined;
  const next = tokens[index + 1];
  const prev = tokens[index - 1];
  const isMember = prev?.type === Dot;
  if (!isMember && next?.type === LParen) {
    if (tok.image === "rows") return { kind: "rows", name: "rows" };
    const spec = getFunction(tok.image);
    if (spec) return { kind: "function", name: tok.image, spec };
    const template = env.k.model.templates.get(tok.image);
    if (template) return { kind: "template", name: tok.image, decl: template };
  }
  const path = pathBefore(tokens, index + 1);
  // An action's target: the first name before `=` / `+=` is an output.
  if (segment.kind === "action" && isActionTarget(tokens, index)) {
    const outputs = resolvePath({ ...env, locals: new Map() }, ["decision", ...path]);
    return outputs[outputs.length - 1];
  }
  const targets = resolvePath(env, path);
  return targets[targets.length - 1];
}

/** True when token `index` is part of an action's target (before its `=` or `+=`). */
export function isActionTarget(tokens: readonly Token[], index: number): boolean {
  const assign = tokens.findIndex((t) => t.type === Assign || t.type === PlusAssign);
  return assign < 0 || index < assign;
}

/** Knowledge and locals for a segment (undefined when nothing is known about names). */
export function envFor(a: Analysis, segment: Segment, tokens: readonly Token[]): Env | undefined {
  const k = knowledge(a);
  if (!k) return undefined;
  return { k, locals: localsOf(k, segment, tokens) };
}

/** Index of the token containing segment index `i` (or ending at it). */
export function tokenIndexAt(tokens: readonly Token[], i: number): number {
  let found = -1;
  for (const [n, t] of tokens.entries()) {
    if (t.start <= i && i < t.end) return n;
    if (t.end === i) found = n;
  }
  return found;
}
