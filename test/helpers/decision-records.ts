/**
 * Synthetic decision-log records for the storage tests: UUIDv7 ids made from a given time (so that
 * id order is time order, as the service's ids), rule sets, outputs and fired rules to filter on,
 * and masked personal facts shaped as the writer stores them. No real personal data.
 */
import { createHash } from "node:crypto";
import { type DecisionRecord, MASK_PREFIX } from "../../server/decision-log/types.js";

/** A UUIDv7 text for epoch ms `ms`; `seq` (0…4095) orders ids made for the same millisecond. */
export function uuidv7(ms: number, seq = 0): string {
  const time = Math.floor(ms).toString(16).padStart(12, "0");
  const rand = createHash("sha256").update(`${ms}:${seq}`).digest("hex");
  const variant = ((Number.parseInt(rand[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${seq.toString(16).padStart(3, "0")}-${variant}${rand.slice(0, 3)}-${rand.slice(4, 16)}`;
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
      cpf: `${MASK_PREFIX}${createHash("sha256").update(`cpf${i}`).digest("hex").slice(0, 32)}`,
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
