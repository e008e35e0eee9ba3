/**
 * Language services of the analysts' editor, as plain functions over the rule-set model (no
 * Monaco, no DOM, no Node module): the editor's worker calls them through thin Monaco adapters,
 * and a language server could reuse them. Offsets and ranges are UTF-16 offsets into the
 * rule-set source (the `dsl/` `Range`); messages and texts are Brazilian Portuguese.
 *
 * `analyze` once per version of the text (pass the previous analysis: while the YAML cannot be
 * read, completion and hover use its last good model; see `analysis.ts`), then ask any service.
 */
import type { Range } from "../../dsl/diagnostics.js";
import { formatRuleSet } from "../../dsl/format/format.js";
import type { Analysis } from "./analysis.js";

export { analyze, type Analysis } from "./analysis.js";
export { type CompletionItem, type CompletionKind, completions } from "./completion.js";
export { definition, type Hover, hover } from "./navigation.js";
export { type DocumentSymbol, documentSymbols, type SymbolKind } from "./outline.js";
export { type SemanticToken, type SemanticTokenType, semanticTokens } from "./semantic.js";
export type { Range } from "../../dsl/diagnostics.js";

/** A problem of the draft, at its exact range, with its stable code and Portuguese message. */
export interface EditorDiagnostic {
  readonly range: Range;
  readonly severity: "error" | "warning" | "info";
  readonly code: string;
  readonly message: string;
  /** Other places it is about (the other row of an overlap, the row that shadows this one). */
  readonly related?: readonly { readonly message: string; readonly range: Range }[];
}

function toEditor(d: {
  range: Range;
  severity: EditorDiagnostic["severity"];
  code: string;
  message: string;
  related?: readonly { message: string; range: Range }[];
}): EditorDiagnostic {
  const base = { range: d.range, severity: d.severity, code: d.code, message: d.message };
  return d.related?.length
    ? { ...base, related: d.related.map((r) => ({ message: r.message, range: r.range })) }
    : base;
}

/** The draft's problems (YAML, structure, expressions, names, types, tables...), sorted by position. */
export function diagnostics(a: Analysis): EditorDiagnostic[] {
  return a.diagnostics.map(toEditor);
}

/**
 * The canonical formatting of a draft (`rules fmt`): the formatted text, or no text and the
 * syntax problems that prevent formatting.
 */
export function formatDocument(source: string): { text?: string; diagnostics: EditorDiagnostic[] } {
  const result = formatRuleSet(source);
  const diagnostics = result.diagnostics.map(toEditor);
  return result.text === undefined ? { diagnostics } : { text: result.text, diagnostics };
}
