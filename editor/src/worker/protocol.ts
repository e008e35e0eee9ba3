/**
 * The typed message protocol between the page and the editor's web worker. The page sends a
 * `WorkerRequest` with an id; the worker answers one `WorkerResponse` with the same id. Every value
 * is plain data (structured clone). Requests carry the draft's text: the worker caches the last
 * analysis and compilation by text, so repeated requests on the same draft cost nothing.
 */
import type { Range } from "../../../dsl/diagnostics.js";
import type { DraftWhyNot } from "../../simulate/why-not.js";
import type { DraftDecision, DraftTestRun } from "../app-context.js";
import type {
  EditorCompletion,
  EditorDiagnostic,
  EditorHover,
  EditorSemanticToken,
  EditorSymbol,
  FormatResult,
} from "./language-api.js";

/** Each request type: its parameters and its result. */
export interface WorkerMethods {
  /** Diagnostics of a draft (language services, or the compiler when they are missing). */
  analyze: { params: { source: string }; result: { diagnostics: EditorDiagnostic[]; elapsedMs: number } };
  completions: { params: { source: string; offset: number }; result: EditorCompletion[] };
  hover: { params: { source: string; offset: number }; result: EditorHover | null };
  definition: { params: { source: string; offset: number }; result: Range | null };
  symbols: { params: { source: string }; result: EditorSymbol[] };
  semanticTokens: { params: { source: string }; result: EditorSemanticToken[] };
  format: { params: { source: string }; result: FormatResult };
  decide: { params: { source: string; facts: unknown }; result: DraftDecision };
  test: { params: { source: string; suite: string | undefined }; result: DraftTestRun };
  /** "Por que não…?": why the draft's decision of `facts` does not give `want` (engine/why-not.ts). */
  whyNot: { params: { source: string; facts: unknown; want: Record<string, unknown> }; result: DraftWhyNot };
}

export type WorkerMethod = keyof WorkerMethods;

export type WorkerRequest = {
  [M in WorkerMethod]: { readonly id: number; readonly method: M; readonly params: WorkerMethods[M]["params"] };
}[WorkerMethod];

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  /** `superseded`: a newer request of the same kind replaced this one before it ran. */
  | { readonly id: number; readonly ok: false; readonly error: string; readonly superseded?: boolean };
