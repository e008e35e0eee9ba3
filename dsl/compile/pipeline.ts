/**
 * The compile pipeline as a named, ordered list of stages: load (YAML and expressions) → check
 * (names, types, constructs) → emit (json-rules-engine rules). Each stage returns its value and
 * diagnostics; compilation stops at the first stage with errors, or after `stopAfter` in tests.
 * Any syntax recovery is fatal for compilation (recovery is for the editor's partial model only).
 */
import { createError, hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import { checkRuleSet, type CheckResult } from "../check/check-ruleset.js";
import { loadRuleSet } from "../ruleset/load.js";
import type { RuleSetModel } from "../ruleset/model.js";
import type { CompiledRuleSet } from "./compiled.js";
import { emit } from "./emit.js";

export const STAGES = ["load", "check", "emit"] as const;
export type Stage = (typeof STAGES)[number];

/** Largest rule-set source accepted (characters). */
export const MAX_SOURCE_LENGTH = 1_000_000;
/** Most diagnostics reported in one pass (the rest are summarised). */
export const MAX_DIAGNOSTICS = 200;

export interface CompileOptions {
  readonly stopAfter?: Stage;
  /**
   * Index tables whose cells are constant tests (default true). With false the compiled form has
   * no table indexes and every table row runs as its own engine rule (the straightforward path).
   */
  readonly indexTables?: boolean;
}

export interface CompileResult {
  readonly ok: boolean;
  readonly compiled?: CompiledRuleSet;
  readonly model?: RuleSetModel;
  readonly check?: CheckResult;
  readonly diagnostics: readonly Diagnostic[];
}

function limit(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const sorted = sortDiagnostics(diagnostics);
  if (sorted.length <= MAX_DIAGNOSTICS) return sorted;
  const last = sorted[MAX_DIAGNOSTICS - 1] as Diagnostic;
  const hidden = sorted.slice(MAX_DIAGNOSTICS);
  // The note is as severe as the worst problem it hides: hidden warnings never turn a rule set that
  // compiles into one that is refused.
  const severity = hidden.some((d) => d.severity === "error")
    ? "error"
    : hidden.some((d) => d.severity === "warning")
      ? "warning"
      : "info";
  const note = createError("internal/error", `mais ${hidden.length} problemas não mostrados`, last.range);
  return [...sorted.slice(0, MAX_DIAGNOSTICS), { ...note, severity }];
}

/** Compiles a rule-set source text. Never throws for user mistakes. */
export function compileSource(source: string, options: CompileOptions = {}): CompileResult {
  if (source.length > MAX_SOURCE_LENGTH) {
    return {
      ok: false,
      diagnostics: [
        createError(
          "ruleset/structure",
          `o arquivo é grande demais (${source.length} caracteres; o limite é ${MAX_SOURCE_LENGTH})`,
          { start: 0, end: 0 },
        ),
      ],
    };
  }
  const loaded = loadRuleSet(source);
  const model = loaded.model;
  if (!model || hasErrors(loaded.diagnostics) || options.stopAfter === "load") {
    return {
      ok: !!model && !hasErrors(loaded.diagnostics),
      ...(model ? { model } : {}),
      diagnostics: limit(loaded.diagnostics),
    };
  }
  let check: CheckResult;
  try {
    check = checkRuleSet(model);
  } catch (e) {
    return {
      ok: false,
      model,
      diagnostics: [
        createError(
          "internal/error",
          `erro interno na verificação: ${e instanceof Error ? e.message : String(e)}`,
          model.nameRange,
        ),
      ],
    };
  }
  const diagnostics = [...loaded.diagnostics, ...check.diagnostics];
  if (hasErrors(diagnostics) || options.stopAfter === "check") {
    return { ok: !hasErrors(diagnostics), model, check, diagnostics: limit(diagnostics) };
  }
  const compiled = emit({
    model,
    source,
    scope: check.scope,
    types: check.types,
    ...(options.indexTables === false ? { indexTables: false } : {}),
  });
  return { ok: true, compiled, model, check, diagnostics: limit(diagnostics) };
}

/**
 * Checks a source for the editor: like compileSource, but a model with errors is still checked so
 * that the analyst sees every problem (load and check) in one pass.
 */
export function diagnose(source: string): {
  diagnostics: readonly Diagnostic[];
  model?: RuleSetModel;
  check?: CheckResult;
} {
  if (source.length > MAX_SOURCE_LENGTH) return { diagnostics: compileSource(source).diagnostics };
  const loaded = loadRuleSet(source);
  if (!loaded.model) return { diagnostics: limit(loaded.diagnostics) };
  let check: CheckResult | undefined;
  const extra: Diagnostic[] = [];
  try {
    check = checkRuleSet(loaded.model);
  } catch (e) {
    extra.push(
      createError(
        "internal/error",
        `erro interno na verificação: ${e instanceof Error ? e.message : String(e)}`,
        loaded.model.nameRange,
      ),
    );
  }
  return {
    diagnostics: limit([...loaded.diagnostics, ...(check?.diagnostics ?? []), ...extra]),
    model: loaded.model,
    ...(check ? { check } : {}),
  };
}
