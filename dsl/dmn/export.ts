/**
 * Rule set → DMN 1.5: the decision tables of a rule set as a DMN file a DMN tool opens.
 * (Placeholder with the contract's signature; the exporter is being written — see types.ts.)
 */
import type { DmnExportOptions, DmnExportResult } from "./types.js";

export function exportDmn(_source: string, _options: DmnExportOptions = {}): DmnExportResult {
  throw new Error("exportDmn: not implemented yet");
}
