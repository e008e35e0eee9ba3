/**
 * The contract between the editor's shell (main.tsx and the editing view) and its panels
 * (simulator, tests, table grid): what a panel may ask of the shell. Panels receive one
 * `AppContext`; they never reach into Monaco or the shell's state directly.
 *
 * Offsets are UTF-16 offsets into the rule-set source (the same offsets as the `dsl/` ranges).
 */
import type { Diagnostic } from "../../dsl/diagnostics.js";

export interface SourceRange {
  readonly start: number;
  readonly end: number;
}

/** The rule set being edited. */
export interface OpenRuleSet {
  /** The rule set's name (`ruleset:`), as in the URL of the service. */
  readonly name: string;
  /** The draft's current text (what the editor shows). */
  readonly source: string;
  /** The draft's test suite text (`<name>.test.yaml`), when the rule set has one. */
  readonly suite: string | undefined;
  /** The version the draft started from (`baseVersion` of a publish), when published. */
  readonly baseVersion: number | undefined;
  /** False when a past version is open read-only. */
  readonly editable: boolean;
}

/** Highlights a panel can put on the source: what decided a simulation, what no test case covers. */
export type HighlightKind = "decided" | "uncovered";

export interface AppContext {
  /** The open rule set, or undefined while none is open. */
  current(): OpenRuleSet | undefined;
  /** The latest diagnostics of the draft (Portuguese messages, exact ranges). */
  diagnostics(): readonly Diagnostic[];
  /** Replaces the draft's text as one undoable edit (the grid uses it); the draft autosaves. */
  setSource(text: string): void;
  /** Replaces the draft's test suite text (a simulation saved as a test case); autosaves. */
  setSuite(text: string): void;
  /** Shows the editing view with `range` selected and scrolled into view. */
  reveal(range: SourceRange): void;
  /** Replaces the highlights of one kind (an empty list clears them). */
  highlight(kind: HighlightKind, ranges: readonly SourceRange[]): void;
  /** Calls `listener` after every change of the draft, the diagnostics or the open rule set. */
  onChange(listener: () => void): () => void;
  /** A short message to the analyst (Portuguese). */
  notify(message: string, kind?: "info" | "error"): void;
}
