/**
 * The contract between the editor's shell (main.tsx and the editing view) and its panels
 * (simulator, tests, table grid): what a panel may ask of the shell. Panels receive one
 * `AppContext`; they never reach into Monaco or the shell's state directly.
 *
 * Offsets are UTF-16 offsets into the rule-set source (the same offsets as the `dsl/` ranges).
 */
import type { Diagnostic } from "../../dsl/diagnostics.js";
import type { DecisionsPage, MutantsResult, PromotedCase } from "./api.js";

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

/** One entry of the explain trace (engine/explain.ts `TraceEntry`, as plain data). */
export interface DraftTraceEntry {
  readonly name: string;
  readonly kind: string;
  readonly matched: boolean | null;
  readonly line: number;
  readonly column: number;
  readonly conditions: readonly {
    readonly text: string;
    readonly factValue: unknown;
    readonly value: unknown;
    readonly result: boolean | null;
  }[];
  readonly note?: string;
}

/** A decision of the draft, run in the editor's worker (compile + decide with explain). */
export type DraftDecision =
  | {
      readonly ok: true;
      readonly decision: Record<string, unknown>;
      readonly fired: readonly string[];
      /** Stable ids of what fired (`r:0` rule, `t:tabela:3` table row, `x:1` transition...). */
      readonly firedRefs: readonly string[];
      readonly trace: readonly DraftTraceEntry[];
      /** Where each engine rule (by ref) is written in the draft. */
      readonly refRanges: Readonly<Record<string, SourceRange>>;
    }
  /** The draft does not compile: its diagnostics. */
  | { readonly ok: false; readonly kind: "compile"; readonly diagnostics: readonly Diagnostic[] }
  /** The decision failed (INVALID_FACTS, RULESET_DEFECT, ...): the engine's code, message and details. */
  | {
      readonly ok: false;
      readonly kind: "decision";
      readonly code: string;
      readonly message: string;
      readonly details: readonly unknown[];
    };

/** One case of a suite run against the draft (tester/run.ts `CaseResult`, as plain data). */
export interface DraftCaseResult {
  readonly name: string;
  readonly passed: boolean;
  /** 1-based position of the case in the suite text. */
  readonly line: number;
  readonly column: number;
  readonly differences: readonly {
    readonly path: string;
    readonly expected: unknown;
    readonly actual: unknown;
    readonly message: string;
  }[];
  readonly actual: unknown;
}

/** The draft's suite run against the draft, in the editor's worker. */
export type DraftTestRun =
  | {
      readonly ok: true;
      readonly passed: number;
      readonly failed: number;
      readonly cases: readonly DraftCaseResult[];
      /** What no case exercised (rules, table rows, transitions), with where it is written in the draft. */
      readonly uncovered: readonly { readonly ref: string; readonly name: string; readonly range: SourceRange }[];
      readonly percent: number;
    }
  /** The draft does not compile, or the suite cannot be read (`where` says which text). */
  | { readonly ok: false; readonly where: "source" | "suite"; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly where: "none"; readonly message: string };

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
  /** Decides `facts` with the draft (in a web worker; the page stays responsive). */
  decide(facts: unknown): Promise<DraftDecision>;
  /** Runs the draft's suite against the draft (in a web worker). */
  runTests(): Promise<DraftTestRun>;
  /** The caller's roles allow validating and testing drafts on the service (`author` or `publisher`). */
  mayAuthor(): boolean;
  /**
   * Runs the draft's suite against the draft's mutants on the service (`POST .../mutants` with the
   * draft's source and suite); rejects with an `ApiError` (Portuguese message, service's code).
   */
  runMutants(): Promise<MutantsResult>;
  /**
   * Shows surviving mutants as warnings in the editor (markers of their own owner, `mutantes`),
   * replacing the previous ones; an empty list clears them. They are cleared when the draft or its
   * suite changes (the ranges no longer hold).
   */
  markMutants(survivors: readonly { readonly range: SourceRange; readonly message: string }[]): void;
  /** The latest logged decisions of the open rule set (`GET /v1/decisions`); rejects with an `ApiError`. */
  recentDecisions(limit: number): Promise<DecisionsPage>;
  /** A logged decision as a case appended to the draft's suite (`POST /v1/decisions/:id/promote`); nothing is set. */
  promoteDecision(
    id: string,
    input: { readonly name?: string; readonly tags?: readonly string[] },
  ): Promise<PromotedCase>;
}
