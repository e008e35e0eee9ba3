/**
 * The shipped rule sets and suites for the promote tests (read and compiled from rules/), and the
 * facts of a decision without personal facts. Logged records of them: test/helpers/decision-records.ts
 * (`loggedDecision`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { compileSource } from "../dsl/compile/pipeline.js";

export const RULES = join(import.meta.dirname, "..", "rules");

export function shippedSource(name: string): string {
  return readFileSync(join(RULES, `${name}.yaml`), "utf8");
}

export function shippedSuite(name: string): string {
  return readFileSync(join(RULES, `${name}.test.yaml`), "utf8");
}

export function compileShipped(name: string): CompiledRuleSet {
  const result = compileSource(shippedSource(name));
  if (!result.ok || !result.compiled) throw new Error(`${name} does not compile`);
  return result.compiled;
}

/** A reclame-designacao decision (no personal facts). */
export const RECLAME_FACTS = {
  numero: "2026000777",
  tipoAtendimento: "Reclamação",
  entradaEm: "2026-04-01T09:15:00",
  tipoCliente: "Beneficiário",
  servico: "Reembolso",
};
