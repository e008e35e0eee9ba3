/**
 * Canonical formatting of a rule-set file (`rules fmt`).
 *
 * The YAML is re-emitted with yaml's Document API (parsed by `loadYaml`, so with the same pinned
 * options as the compiler): comments and blank lines are kept, indentation becomes 2 spaces, flow
 * collections are written `[a, b]` and `{ a: b }`. Which scalars are expressions is not decided
 * here: the loader (`loadRuleSet`) reports every scalar it parsed as language text, and where
 * (`expressionSites`); the expressions and actions among them (rules' `when`/`then`, `values`,
 * table `inputs`/`when`, validations `when`/`require`, transitions `from`/`to`/`requires` and
 * guards' `require`, invariants' `check`, collections' `from`/`where`/`key`/`order`, today) are
 * re-printed by `printExpr`/`printAction`. Every other scalar (table cells, `= expr` constants,
 * templates, descriptions, names, keys) is written back exactly as it was in the source, byte for
 * byte (only the indentation of its continuation lines follows the new indentation).
 *
 * Safety: a source with YAML or expression syntax errors is refused (diagnostics, no text); an
 * expression whose re-printed form does not parse back to the same AST is left as written; and
 * the output is parsed again and compared with the input's data before it is returned. Nothing
 * here throws for user input.
 *
 * This module must stay free of `node:` imports (it can run in the editor's worker).
 */
import { isMap, isScalar, isSeq, Scalar, visit, YAMLMap, YAMLSeq, type Document, type ScalarTag } from "yaml";
import { createError, sortDiagnostics, type Diagnostic, type DiagnosticCode, type Range } from "../diagnostics.js";
import { assertNever } from "../exhaustive.js";
import { loadRuleSet, type ExpressionSite, type ExpressionSiteKind } from "../ruleset/load.js";
import { stripRanges, type Action, type Expr } from "../syntax/ast.js";
import { parseAction, parseExpression, type ParseResult } from "../syntax/parse.js";
import { expressionLexer } from "../syntax/tokens.js";
import { loadYaml, rangeOf } from "../yaml/load.js";
import { printAction, printExpr } from "./print-expr.js";

export interface FormatResult {
  /** The formatted source; absent when formatting was refused (see `diagnostics`). */
  readonly text?: string;
  /** Why formatting was refused (syntax errors); empty when `text` is present. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Diagnostics that make formatting impossible: the YAML or an expression cannot be read. */
const BLOCKING_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>([
  "yaml/syntax",
  "yaml/duplicate-key",
  "yaml/too-deep",
  "yaml/unsupported",
  "dsl/lexer",
  "dsl/syntax",
  "dsl/too-deep",
  "internal/error",
]);

/** True when a diagnostic blocks formatting (YAML or expression syntax). */
export function blocksFormatting(d: Diagnostic): boolean {
  return d.severity === "error" && BLOCKING_CODES.has(d.code);
}

/** The site kinds this module re-prints; the others are written as in the source. */
type ReprintKind = Extract<ExpressionSiteKind, "expression" | "requirement" | "action">;

/** Formats a rule-set source. Refuses (no `text`) when the source has YAML or DSL syntax errors. */
export function formatRuleSet(source: string): FormatResult {
  const loaded = safeLoad(source);
  const blocking = sortDiagnostics([...loadYaml(source).diagnostics, ...loaded.diagnostics].filter(blocksFormatting));
  if (blocking.length > 0) return { diagnostics: dedupe(blocking) };
  for (const raw of [true, false]) {
    const text = attempt(source, raw, loaded.expressionSites);
    if (text !== undefined) return { text, diagnostics: [] };
  }
  return {
    diagnostics: [
      createError(
        "internal/error",
        "não foi possível formatar este arquivo sem mudar o seu conteúdo; ele foi deixado como está",
        { start: 0, end: 0 },
      ),
    ],
  };
}

/** The loader's diagnostics and expression sites; a loader crash becomes a (blocking) internal error. */
function safeLoad(source: string): {
  readonly diagnostics: readonly Diagnostic[];
  readonly expressionSites: readonly ExpressionSite[];
} {
  try {
    return loadRuleSet(source);
  } catch (e) {
    return {
      diagnostics: [
        createError("internal/error", `erro interno ao ler o arquivo: ${e instanceof Error ? e.message : String(e)}`, {
          start: 0,
          end: 0,
        }),
      ],
      expressionSites: [],
    };
  }
}

function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const k = `${d.range.start}:${d.range.end}:${d.code}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * One formatting attempt on a fresh parse. With `raw`, scalars that are not expressions are
 * written as in the source; without, yaml writes them (same values, possibly other line breaks).
 * Returns undefined when the result does not read back as the same data.
 */
function attempt(source: string, raw: boolean, sites: readonly ExpressionSite[]): string | undefined {
  try {
    const doc = loadYaml(source).value;
    if (!doc) return undefined;
    const expressions = new Set<Scalar>();
    for (const { node, kind } of reprintableScalars(doc, sites)) {
      // An expression the analyst laid out over several lines in a block scalar keeps its layout
      // (one long line would be harder to read); it is still checked like every other scalar.
      if (
        (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) &&
        String(node.value).trim().includes("\n")
      )
        continue;
      const printed = reprint(String(node.value), kind);
      if (printed === undefined) continue;
      expressions.add(node);
      if (printed !== node.value || node.type !== Scalar.PLAIN) {
        node.value = printed;
        node.type = Scalar.PLAIN;
      }
    }
    const expected = JSON.stringify(doc.toJS({ maxAliasCount: 0 }));
    prepare(doc, expressions, raw);
    const text = doc.toString({
      indent: 2,
      indentSeq: true,
      lineWidth: 0,
      minContentWidth: 0,
      flowCollectionPadding: true,
    });
    const back = loadYaml(text);
    if (!back.value || back.diagnostics.some((d) => d.severity === "error")) return undefined;
    if (JSON.stringify(back.value.toJS({ maxAliasCount: 0 })) !== expected) return undefined;
    return text;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Which scalars are expressions: the loader's sites
// ---------------------------------------------------------------------------------------------

/** How a site's text is re-printed, or undefined when it is written as in the source. */
function reprintKind(kind: ExpressionSiteKind): ReprintKind | undefined {
  switch (kind) {
    case "expression":
    case "requirement":
    case "action":
      return kind;
    // Table cells, constants and templates are data and texts: kept byte for byte.
    case "unaryTests":
    case "formula":
    case "template":
      return undefined;
    default:
      return assertNever(kind, "expression site kind");
  }
}

const rangeKey = (r: Range): string => `${r.start}:${r.end}`;

/**
 * The scalars of `doc` (a fresh parse of the source the loader read) at the loader's expression
 * and action sites, with how to re-print each; empty texts are left alone.
 */
function reprintableScalars(
  doc: Document.Parsed,
  sites: readonly ExpressionSite[],
): { node: Scalar; kind: ReprintKind }[] {
  const kinds = new Map<string, ReprintKind>();
  for (const site of sites) {
    const kind = reprintKind(site.kind);
    if (kind) kinds.set(rangeKey(site.range), kind);
  }
  const out: { node: Scalar; kind: ReprintKind }[] = [];
  if (kinds.size === 0) return out;
  visit(doc, {
    Scalar(_key, node) {
      const kind = kinds.get(rangeKey(rangeOf(node)));
      if (kind && typeof node.value === "string" && node.value.trim() !== "") out.push({ node, kind });
    },
  });
  return out;
}

/**
 * The canonical text of an expression scalar, or undefined to leave it as written: it does not
 * parse cleanly, it holds `//` comments (printing would drop them), or its printed form would not
 * parse back to the same AST.
 */
function reprint(text: string, kind: ReprintKind): string | undefined {
  if (hasComments(text)) return undefined;
  const parse = (s: string): ParseResult<unknown> =>
    kind === "action" ? parseAction({ text: s }) : parseExpression({ text: s });
  const parsed = parse(text);
  if (parsed.value === undefined || parsed.recovered || parsed.diagnostics.length > 0) return undefined;
  let printed: string;
  try {
    if (kind === "action") {
      printed = printAction(parsed.value as Action, { source: text });
    } else {
      const e = parsed.value as Expr;
      // A requirement's label is its last name; other forms are labelled by their text, so keep it.
      if (kind === "requirement" && e.kind !== "name" && e.kind !== "member") return undefined;
      printed = printExpr(e, { source: text });
    }
  } catch {
    return undefined;
  }
  if (printed === text) return printed;
  const again = parse(printed);
  if (again.value === undefined || again.recovered || again.diagnostics.length > 0) return undefined;
  return JSON.stringify(stripRanges(again.value)) === JSON.stringify(stripRanges(parsed.value)) ? printed : undefined;
}

/** True when the expression text has `//` comments (anything but white space between tokens). */
function hasComments(text: string): boolean {
  if (!text.includes("//")) return false;
  const { tokens } = expressionLexer.tokenize(text);
  let at = 0;
  for (const tok of tokens) {
    if (text.slice(at, tok.startOffset).trim() !== "") return true;
    at = tok.startOffset + tok.image.length;
  }
  return text.slice(at).trim() !== "";
}

// ---------------------------------------------------------------------------------------------
// Writing scalars as in the source
// ---------------------------------------------------------------------------------------------

/** A scalar's value replaced by its source text, written back by `RAW_TAG`. */
class RawSource {
  constructor(
    /** Lines of the source text; lines after the first are re-indented. */
    private readonly first: string,
    private readonly rest: readonly string[],
  ) {}

  render(indent: string): string {
    return [this.first, ...this.rest.map((l) => (l === "" ? "" : indent + l))].join("\n");
  }
}

const RAW_TAG: ScalarTag = {
  tag: "tag:regras-central:source",
  default: true,
  identify: (value) => value instanceof RawSource,
  resolve: (value) => value,
  stringify: (item, ctx) => (item.value as RawSource).render(ctx.indent || "  "),
};

const LINE_BREAK = /\r\n|\r|\n/;

/** The source text of a scalar as a RawSource, or undefined when yaml should write it. */
function rawSource(node: Scalar): RawSource | undefined {
  const token = node.srcToken;
  if (!token) return undefined;
  if (token.type === "block-scalar") {
    const header = token.props[0];
    if (header?.type !== "block-scalar-header") return undefined;
    // Keep-chomping, explicit indentation or a comment on the header: let yaml write it.
    if (/[+0-9]/.test(header.source)) return undefined;
    if (token.props.slice(1).some((p) => p.type !== "newline" && p.type !== "space")) return undefined;
    const lines = token.source.split(LINE_BREAK);
    while (lines.length > 0 && (lines[lines.length - 1] ?? "").trim() === "") lines.pop();
    const firstContent = lines.find((l) => l.trim() !== "");
    if (firstContent === undefined) return undefined;
    const indent = firstContent.length - firstContent.replace(/^ +/, "").length;
    const rest = lines.map((l) => (l.trim() === "" && l.length <= indent ? "" : l.slice(indent)));
    if (lines.some((l) => l.trim() !== "" && !l.startsWith(" ".repeat(indent)))) return undefined;
    return new RawSource(header.source, rest);
  }
  if (token.type !== "scalar" && token.type !== "single-quoted-scalar" && token.type !== "double-quoted-scalar")
    return undefined;
  const [first = "", ...rest] = token.source.split(LINE_BREAK);
  // Leading white space of continuation lines is folded away in every flow scalar style.
  return new RawSource(
    first,
    rest.map((l) => l.replace(/^[ \t]+/, "")),
  );
}

/**
 * Prepares the document for writing: non-expression scalars become RawSource (with `raw`), flow
 * sequences are written without inner padding (`[a, b]`) and flow maps with it (`{ a: b }`).
 */
function prepare(doc: Document.Parsed, expressions: ReadonlySet<Scalar>, raw: boolean): void {
  if (raw) {
    doc.schema = doc.schema.clone();
    doc.schema.tags.unshift(RAW_TAG);
  }
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isScalar(node)) {
      if (raw && !expressions.has(node)) {
        const source = rawSource(node);
        if (source) node.value = source;
      }
    } else if (isMap(node)) {
      if (node.flow) padded(node, " ");
      for (const pair of node.items) stack.push(pair.key, pair.value);
    } else if (isSeq(node)) {
      if (node.flow) padded(node, "");
      stack.push(...node.items);
    }
  }
}

/** Makes one flow collection write its brackets with the given inner padding. */
function padded(node: YAMLMap | YAMLSeq, padding: string): void {
  const base = isMap(node) ? YAMLMap.prototype.toString : YAMLSeq.prototype.toString;
  type ToString = typeof base;
  const override: ToString = function (this: YAMLMap | YAMLSeq, ctx, onComment, onChompKeep) {
    return base.call(this, ctx ? { ...ctx, flowCollectionPadding: padding } : ctx, onComment, onChompKeep);
  };
  Object.defineProperty(node, "toString", { value: override, configurable: true, writable: true });
}
