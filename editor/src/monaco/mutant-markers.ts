/**
 * Surviving mutants as warnings in the editor: Monaco markers of their own owner (`mutantes`), so
 * that the diagnostics (owner `regras`, replaced on every analysis) and these (replaced on every
 * mutants run, cleared when the draft changes) never overwrite each other.
 */
import { MUTANT_MARKER_OWNER, type MutantMarker } from "../panels/mutants-model.js";
import type { Monaco } from "./setup.js";
import type * as MonacoApi from "monaco-editor/editor";

/** Replaces the mutant warnings of `model` (an empty list clears them). */
export function setMutantMarkers(m: Monaco, model: MonacoApi.editor.ITextModel, markers: readonly MutantMarker[]) {
  m.editor.setModelMarkers(
    model,
    MUTANT_MARKER_OWNER,
    markers.map((k) => ({ ...k, severity: m.MarkerSeverity.Warning, source: "mutantes" })),
  );
}
