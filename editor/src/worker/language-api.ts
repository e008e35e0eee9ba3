/**
 * The shape of the language services (`editor/language/`, plain functions over the rule-set model)
 * as the worker uses them. Kept here so that the worker and the Monaco adapters agree on the data
 * that crosses the worker boundary (plain, structured-cloneable values).
 */
import type { Range } from "../../../dsl/diagnostics.js";
import type * as L from "../../language/index.js";

// The data shapes are the language services' own (one source); the worker only names them.
export type EditorDiagnostic = L.EditorDiagnostic;
export type EditorSeverity = L.EditorDiagnostic["severity"];
export type CompletionKind = L.CompletionKind;
export type EditorCompletion = L.CompletionItem;
export type EditorHover = L.Hover;
export type EditorSymbol = L.DocumentSymbol;
export type SemanticTokenType = L.SemanticTokenType;
export type EditorSemanticToken = L.SemanticToken;
export type FormatResult = ReturnType<typeof L.formatDocument>;

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
