/**
 * Logged decisions for the promote tests: a shipped rule set decides the facts, and the record is
 * what the decision log keeps (JSON facts with the personal paths masked as `pii:` + 32 hex of an
 * HMAC, the JSON decision, fired names and refs).
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { compileSource } from "../dsl/compile/pipeline.js";
import { runtimeOf } from "../engine/index.js";
import type { DecisionRecord } from "../server/decision-log/types.js";

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

const KEY = Buffer.from("chave-de-teste-do-registro-de-decisoes");

function mask(value: unknown): unknown {
  if (value === null || value === "" || value === undefined) return value;
  return `pii:${createHmac("sha256", KEY).update(JSON.stringify(value)).digest("hex").slice(0, 32)}`;
}

/** Masks `path` (`a.b`, `lista.*.nome`) in place; returns whether anything was masked. */
function maskPath(target: unknown, parts: readonly string[]): boolean {
  if (typeof target !== "object" || target === null) return false;
  const [head, ...rest] = parts;
  if (head === undefined) return false;
  const obj = target as Record<string, unknown>;
  const keys = head === "*" ? Object.keys(obj) : Object.hasOwn(obj, head) ? [head] : [];
  let any = false;
  for (const k of keys) {
    if (rest.length === 0) {
      const v = obj[k];
      if (Array.isArray(v)) obj[k] = v.map(mask);
      else obj[k] = mask(v);
      any = true;
    } else if (maskPath(obj[k], rest)) any = true;
  }
  return any;
}

let counter = 0;

/** A UUIDv7-looking id, increasing. */
export function decisionId(at: number): string {
  counter++;
  const hex =
    at.toString(16).padStart(12, "0") + (0x7000 + counter).toString(16) + counter.toString(16).padStart(16, "a");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Decides `facts` with the shipped rule set and returns what the log would hold. */
export async function loggedDecision(
  name: string,
  facts: Record<string, unknown>,
  options: { version?: number; at?: string; compiled?: CompiledRuleSet } = {},
): Promise<DecisionRecord> {
  const compiled = options.compiled ?? compileShipped(name);
  const result = await runtimeOf(compiled).decide(structuredClone(facts));
  const logged = JSON.parse(JSON.stringify(facts)) as Record<string, unknown>;
  const masked = compiled.personalFacts.filter((p) => maskPath(logged, p.split(".")));
  const at = options.at ?? "2026-04-01T12:15:03.120Z";
  return {
    id: decisionId(Date.parse(at)),
    at,
    ruleset: name,
    version: options.version ?? 1,
    hash: "0".repeat(64),
    source: "decide",
    facts: logged,
    masked,
    decision: JSON.parse(JSON.stringify(result.decision)) as Record<string, unknown>,
    fired: [...result.fired],
    firedRefs: [...result.firedRefs],
  };
}

/** A reclame-designacao decision (no personal facts). */
export const RECLAME_FACTS = {
  numero: "2026000777",
  tipoAtendimento: "Reclamação",
  entradaEm: "2026-04-01T09:15:00",
  tipoCliente: "Beneficiário",
  servico: "Reembolso",
};
