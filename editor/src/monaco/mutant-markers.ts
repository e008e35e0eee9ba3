/**
 * Surviving mutants as warnings in the editor: Monaco markers of their own owner (`mutantes`), so
 * that the diagnostics (owner `regras`, replaced on every analysis) and these (replaced on every
 * mutants run, cleared when the draft changes) never overwrite each other. `survivorMarkers` is the
 * geometry (pure, unit-tested in node); `setMutantMarkers` puts them on a model. Kept small: the
 * session imports it, so it is part of the page's entry chunk.
 */
import { createLineIndex } from "../../../dsl/positions.js";
import type { Monaco } from "./setup.js";
import type * as MonacoApi from "monaco-editor/editor";

/** The marker owner of surviving mutants (the diagnostics use `regras`). */
export const MUTANT_MARKER_OWNER = "mutantes";

/** A warning in the editor (1-based lines and columns, end exclusive, as Monaco's markers). */
export interface MutantMarker {
  readonly startLineNumber: number;
  readonly startColumn: number;
  readonly endLineNumber: number;
  readonly endColumn: number;
  readonly message: string;
}

/**
 * The survivors as warnings of `source` (the text that was sent): each at its range, an empty range
 * widened to one character so it shows; ranges outside the text are left out.
 */
export function survivorMarkers(
  source: string,
  survivors: readonly { readonly range: { readonly start: number; readonly end: number }; readonly message: string }[],
): MutantMarker[] {
  const index = createLineIndex(source);
  const out: MutantMarker[] = [];
  for (const s of survivors) {
    const { start } = s.range;
    if (start < 0 || start > source.length) continue;
    const end = Math.min(Math.max(s.range.end, start + 1), Math.max(source.length, start));
    const a = index.toPosition(start);
    const b = index.toPosition(end);
    const empty = a.line === b.line && a.column === b.column;
    out.push({
      startLineNumber: a.line,
      startColumn: a.column,
      endLineNumber: b.line,
      endColumn: empty ? b.column + 1 : b.column,
      message: s.message,
    });
  }
  return out;
}

/** Replaces the mutant warnings of `model` (an empty list clears them). */
export function setMutantMarkers(m: Monaco, model: MonacoApi.editor.ITextModel, markers: readonly MutantMarker[]) {
  m.editor.setModelMarkers(
    model,
    MUTANT_MARKER_OWNER,
    markers.map((k) => ({ ...k, severity: m.MarkerSeverity.Warning, source: "mutantes" })),
  );
}
