/**
 * DMN → rule sets: each decision table of a DMN file becomes a rule set in our language.
 * (Placeholder with the contract's signature; the importer is being written — see types.ts.)
 */
import type { DmnImportOptions, DmnImportResult } from "./types.js";

export function importDmn(_input: string | Uint8Array, _options: DmnImportOptions = {}): DmnImportResult {
  throw new Error("importDmn: not implemented yet");
}
