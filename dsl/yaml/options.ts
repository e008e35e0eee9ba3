/**
 * Parse options and limits of the YAML layer: the pinned dialect handed to yaml's `Composer` and
 * the nesting bound checked on the CST before composing (see `load.ts` for the order of the
 * hardening steps).
 */
import type { Document } from "yaml";

/** Maximum nesting depth of collections (maps and sequences, block or flow) in a rule-set file. */
export const MAX_YAML_DEPTH = 64;

/**
 * The pinned parse options. `version`/`schema`/`merge` pin the dialect; `uniqueKeys: false` because
 * yaml's own duplicate-key check compares every key with all the keys before it (quadratic: 20,000
 * keys took 15 s, a fuzz finding) — `checkKeys` (checks.ts) reports duplicates in one pass with a
 * Map instead (NFC-normalised, at the second key); `resolveKnownTags: false`
 * stops yaml from honouring `!!binary`, `!!set`, `!!timestamp`... even if a tag slipped through;
 * `maxAliasCount` bounds alias expansion should an alias ever reach `toJS` (aliases are rejected
 * anyway); `keepSourceTokens` keeps the CST token on every node (`scalarValueOffsets` needs it).
 * No custom tags are configured.
 */
export const YAML_OPTIONS = {
  version: "1.2",
  schema: "core",
  merge: false,
  uniqueKeys: false,
  strict: true,
  prettyErrors: false,
  maxAliasCount: 50,
  resolveKnownTags: false,
  keepSourceTokens: true,
  stringKeys: false,
  intAsBigInt: false,
} as const;

/** A composed yaml document (what `loadYaml` returns). */
export type ParsedDocument = Document.Parsed;
