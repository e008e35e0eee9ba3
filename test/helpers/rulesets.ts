/**
 * Small shared helpers for the engine tests: compile a rule-set source (failing loudly with its
 * diagnostics), read the real rule sets, and build synthetic facts. Synthetic data only.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSource } from "../../dsl/compile/pipeline.js";
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import type { Diagnostic } from "../../dsl/diagnostics.js";
import { createLineIndex } from "../../dsl/positions.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const RULES_DIR = join(ROOT, "rules");

/** Text of `rules/<name>.yaml`. */
export function readRuleSet(name: string): string {
  return readFileSync(join(RULES_DIR, `${name}.yaml`), "utf8");
}

/** Names of every rule set under rules/ (without extension). */
export function ruleSetNames(): string[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

/** "code@line:column message" for each diagnostic (readable failure messages). */
export function describeDiagnostics(source: string, diagnostics: readonly Diagnostic[]): string[] {
  const index = createLineIndex(source);
  return diagnostics.map((d) => {
    const p = index.toPosition(d.range.start);
    return `${d.code}@${p.line}:${p.column} ${d.message}`;
  });
}

/** Compiles a source that must compile; throws with its diagnostics otherwise. */
export function compileOk(source: string): CompiledRuleSet {
  const r = compileSource(source);
  if (!r.ok || !r.compiled)
    throw new Error(`rule set did not compile:\n${describeDiagnostics(source, r.diagnostics).join("\n")}`);
  return r.compiled;
}

/** Diagnostic codes of a source that must NOT compile (throws if it compiles). */
export function compileErrors(source: string): {
  codes: string[];
  diagnostics: readonly Diagnostic[];
  described: string[];
} {
  const r = compileSource(source);
  if (r.ok) throw new Error("expected the rule set to be rejected, but it compiled");
  return {
    codes: r.diagnostics.map((d) => d.code),
    diagnostics: r.diagnostics,
    described: describeDiagnostics(source, r.diagnostics),
  };
}

/** Text of 1-based line `line` of `source`. */
export function lineOf(source: string, line: number): string {
  return source.split(/\r\n|\r|\n/)[line - 1] ?? "";
}

/** Valid facts for reclame-designacao (a table hit: Beneficiário + Reembolso → GIPES), with overrides. */
export function reclameFacts(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    numero: "900001",
    tipoAtendimento: "Reclamação",
    tipoCliente: "Beneficiário",
    servico: "Reembolso",
    entradaEm: "2026-04-06T10:00",
    ...overrides,
  };
}

/** The values of reclame-designacao's `acao` output (the contract's five plus NAO_E_RECLAME and TIPO_ATENDIMENTO_INVALIDO). */
export const RECLAME_ACOES = [
  "DESIGNAR",
  "RECLASSIFICAR",
  "REVISAR_SERVICO",
  "ADIAR_REVISAO",
  "ABRIR_FALE_CONOSCO",
  "NAO_E_RECLAME",
  "TIPO_ATENDIMENTO_INVALIDO",
] as const;

/** Rejection of a promise as a value (undefined when it resolved). */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e;
  }
}
