/** Public API of the rule language. */
export {
  compileSource,
  diagnose,
  STAGES,
  MAX_SOURCE_LENGTH,
  type CompileResult,
  type CompileOptions,
  type Stage,
} from "./compile/pipeline.js";
export type { CompiledRuleSet } from "./compile/compiled.js";
export { type Diagnostic, type DiagnosticCode, type Severity, type Range, DIAGNOSTIC_CODES } from "./diagnostics.js";
export { createLineIndex, locateDiagnostics, type LocatedDiagnostic, type Position } from "./positions.js";
export { loadRuleSet } from "./ruleset/load.js";
export { FUNCTIONS } from "./library/catalog.js";
export { keywordNames } from "./syntax/tokens.js";
