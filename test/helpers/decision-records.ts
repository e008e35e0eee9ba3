/**
 * Decision-log records for tests, made one way: ids are UUIDv7 texts built from a given time (so id
 * order is time order, as the service's ids, and the same inputs give the same ids), and personal
 * facts are masked by the PRODUCT's masking (server/decision-log/mask.ts `maskFacts`, hash mode)
 * under a fixed test key — a change of the product's masking is seen by the replay, promote and
 * storage tests. Synthetic data only.
 *
 * - `decisionRecord` / `decisionRecords`: synthetic records (rule sets, outputs and fired rules that
 *   vary with the index) for the storage tests.
 * - `logDecisions`: a published rule set decides each fact set; the records the log would hold, one
 *   a second apart (replay tests).
 * - `loggedDecision`: a shipped rule set decides one fact set; the record the log would hold
 *   (promote tests).
 */
import { createHash } from "node:crypto";
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import { runtimeOf } from "../../engine/index.js";
import type { Runtime } from "../../engine/runtime.js";
import { maskFacts, maskValue } from "../../server/decision-log/mask.js";
import type { DecisionRecord } from "../../server/decision-log/types.js";
import { compileShipped } from "../promote-fixtures.js";

/** The masking key of every test record (not a secret). */
export const TEST_MASKING_KEY = Buffer.from("chave-de-teste-do-registro-de-decisoes");

/** A UUIDv7 text for epoch ms `ms`; `seq` (0…4095) orders ids made for the same millisecond. */
export function uuidv7(ms: number, seq = 0): string {
  const time = Math.floor(ms).toString(16).padStart(12, "0");
  const rand = createHash("sha256").update(`${ms}:${seq}`).digest("hex");
  const variant = ((Number.parseInt(rand[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${seq.toString(16).padStart(3, "0")}-${variant}${rand.slice(0, 3)}-${rand.slice(4, 16)}`;
}

/** The facts as the log keeps them: the rule set's personal paths masked by the product's masking. */
export function maskedFacts(
  compiled: CompiledRuleSet,
  facts: Record<string, unknown>,
): { facts: Record<string, unknown>; masked: string[] } {
  const r = maskFacts(structuredClone(facts), compiled.personalFacts, TEST_MASKING_KEY, "hash");
  return { facts: r.facts, masked: [...r.masked] };
}

const RULESETS = ["cobranca", "retencao", "portal"] as const;
const OUTCOMES = ["FILA_A", "FILA_B", "FILA_C", null, true] as const;

/** Record number `i` at `atMs` (defaults vary rule set, version, outcome and fired rules with `i`). */
export function decisionRecord(i: number, atMs: number, over: Partial<DecisionRecord> = {}): DecisionRecord {
  const fired = [`regra-${i % 4}`, ...(i % 3 === 0 ? ["tabela-prazos#2"] : [])];
  return {
    id: uuidv7(atMs, i % 4096),
    at: new Date(atMs).toISOString(),
    ruleset: RULESETS[i % RULESETS.length]!,
    version: 1 + (i % 2),
    hash: `sha256:${"ab".repeat(32)}`,
    source: i % 5 === 0 ? "batch" : "decide",
    requestId: `req-${i}`,
    facts: {
      cpf: maskValue(`cpf${i}`, TEST_MASKING_KEY),
      idade: 20 + (i % 50),
      plano: { nome: `Plano ${i % 7}`, coparticipacao: i % 2 === 0 },
      observacao: "São Paulo — atendimento nº 1",
    },
    masked: ["cpf"],
    decision: { fila: OUTCOMES[i % OUTCOMES.length], prioridade: i % 3 },
    fired,
    firedRefs: fired.map((_, k) => `r:${k}`),
    ...over,
  };
}

/** `n` records, one every `stepMs` from `startMs`, in id order. */
export function decisionRecords(n: number, startMs: number, stepMs = 1000, first = 0): DecisionRecord[] {
  return Array.from({ length: n }, (_, k) => decisionRecord(first + k, startMs + k * stepMs));
}

interface Decided {
  readonly decision: Record<string, unknown>;
  readonly fired: readonly string[];
  readonly firedRefs: readonly string[];
}

/** What the log keeps of one decision. */
function recordOf(
  compiled: CompiledRuleSet,
  facts: Record<string, unknown>,
  decided: Decided,
  meta: { id: string; at: string; version?: number; hash?: string },
): DecisionRecord {
  const { facts: logged, masked } = maskedFacts(compiled, JSON.parse(JSON.stringify(facts)));
  return {
    id: meta.id,
    at: meta.at,
    ruleset: compiled.name,
    version: meta.version ?? 1,
    hash: meta.hash ?? "0".repeat(64),
    source: "decide",
    facts: logged,
    masked,
    decision: JSON.parse(JSON.stringify(decided.decision)) as Record<string, unknown>,
    fired: [...decided.fired],
    firedRefs: [...decided.firedRefs],
  };
}

export interface LogOptions {
  readonly version?: number;
  /** Instant of the first record (epoch ms); each next one is a second later. */
  readonly start?: number;
  readonly hash?: string;
}

/** Decides each fact set with `runtime` and returns the records the log would hold, in time order. */
export async function logDecisions(
  runtime: Runtime,
  factSets: readonly Record<string, unknown>[],
  options: LogOptions = {},
): Promise<DecisionRecord[]> {
  const start = options.start ?? Date.parse("2026-03-02T12:00:00Z");
  const out: DecisionRecord[] = [];
  for (const [i, facts] of factSets.entries()) {
    const decided = await runtime.decide(facts);
    const at = start + i * 1000;
    out.push(
      recordOf(runtime.compiled, facts, decided, {
        ...options,
        id: uuidv7(at, i % 4096),
        at: new Date(at).toISOString(),
      }),
    );
  }
  return out;
}

let made = 0;

/** Decides `facts` with the shipped rule set `name` and returns what the log would hold (a new id each call). */
export async function loggedDecision(
  name: string,
  facts: Record<string, unknown>,
  options: { version?: number; at?: string; compiled?: CompiledRuleSet } = {},
): Promise<DecisionRecord> {
  const compiled = options.compiled ?? compileShipped(name);
  const decided = await runtimeOf(compiled).decide(structuredClone(facts));
  const at = options.at ?? "2026-04-01T12:15:03.120Z";
  made++;
  const record = recordOf(compiled, facts, decided, { ...options, id: uuidv7(Date.parse(at), made % 4096), at });
  return { ...record, ruleset: name };
}
