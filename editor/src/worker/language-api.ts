/**
 * The shape of the language services (`editor/language/`, plain functions over the rule-set model)
 * as the worker uses them. Kept here so that the worker and the Monaco adapters agree on the data
 * that crosses the worker boundary (plain, structured-cloneable values).
 */
import type { Range } from "../../../dsl/diagnostics.js";

export type EditorSeverity = "error" | "warning" | "info";

export interface EditorDiagnostic {
  readonly range: Range;
  readonly severity: EditorSeverity;
  readonly code: string;
  readonly message: string;
}

export type CompletionKind =
  | "fact"
  | "field"
  | "enum"
  | "constant"
  | "value"
  | "table"
  | "column"
  | "function"
  | "keyword"
  | "template"
  | "collection";

export interface EditorCompletion {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly documentation?: string;
  readonly insertText: string;
  /** What the completion replaces. */
  readonly range: Range;
}

export interface EditorHover {
  readonly markdown: string;
  readonly range: Range;
}

export interface EditorSymbol {
  readonly name: string;
  readonly kind: string;
  readonly range: Range;
  readonly selectionRange: Range;
  readonly children: readonly EditorSymbol[];
}

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

export interface EditorSemanticToken {
  readonly start: number;
  readonly length: number;
  readonly type: SemanticTokenType;
}

export interface FormatResult {
  readonly text?: string;
  readonly diagnostics: readonly EditorDiagnostic[];
}

/** `editor/language/index.ts`, as far as the worker needs it. */
export interface LanguageModule {
  /** `previous`: the last analysis, used while the draft does not load. */
  analyze(source: string, previous?: unknown): unknown;
  diagnostics(analysis: unknown): readonly EditorDiagnostic[];
  completions(analysis: unknown, offset: number): readonly EditorCompletion[];
  hover(analysis: unknown, offset: number): EditorHover | undefined;
  documentSymbols(analysis: unknown): readonly EditorSymbol[];
  formatDocument(source: string): FormatResult;
  semanticTokens(analysis: unknown): readonly EditorSemanticToken[];
  definition(analysis: unknown, offset: number): Range | undefined;
}
