/**
 * The model of "Decisões registradas" (decisions.tsx): the texts the analyst reads about the open
 * rule set's latest logged decisions (when, which version, the key outputs) and about a decision
 * turned into a test case ("Virar caso de teste": added to the draft suite, or added to review
 * because it does not reproduce), and the service's refusals as Portuguese messages. Pure
 * functions of the service's answers (`GET /v1/decisions`, `POST /v1/decisions/:id/promote`,
 * docs/contract.md), unit-tested in node.
 */
import { formatInstant, shortDecisionId } from "../../../tester/decision-labels.js";
import { ApiError, type LoggedDecisionItem, type PromotedCase } from "../api.js";

/** How many decisions the panel lists. */
export const RECENT_LIMIT = 20;
/** How many outputs a row shows. */
const KEY_OUTPUTS = 3;
const MAX_VALUE = 40;

function shown(value: unknown): string | undefined {
  if (typeof value === "string") return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE - 1)}…` : value;
  if (typeof value === "boolean") return value ? "sim" : "não";
  if (typeof value === "number") return value.toLocaleString("pt-BR");
  return undefined;
}

/** "acao: DESIGNAR · designacao: GIPES · anexarGravacao: não": the first outputs with a short value. */
export function keyOutputs(decision: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(decision)) {
    const text = shown(v);
    if (text === undefined || text === "") continue;
    parts.push(`${k}: ${text}`);
    if (parts.length === KEY_OUTPUTS) break;
  }
  return parts.length > 0 ? parts.join(" · ") : "(sem saídas preenchidas)";
}

export interface DecisionRow {
  readonly id: string;
  readonly short: string;
  readonly when: string;
  readonly version: string;
  readonly outputs: string;
  /** "dados pessoais mascarados" when the record has masked facts. */
  readonly note?: string;
}

export function decisionRow(item: LoggedDecisionItem): DecisionRow {
  return {
    id: item.id,
    short: shortDecisionId(item.id),
    when: formatInstant(item.at),
    version: `v${item.version}`,
    outputs: keyOutputs(item.decision),
    ...(item.masked && item.masked.length > 0 ? { note: "dados pessoais mascarados" } : {}),
  };
}

/** What the panel says after "Virar caso de teste". */
export function promotedMessage(p: PromotedCase): { readonly text: string; readonly warning?: string } {
  const text = `Caso “${p.name}” acrescentado à suíte do rascunho: publique para guardá-lo.`;
  if (p.reproduced) return { text };
  const first = p.differences[0];
  const why = p.masked
    ? "os fatos pessoais estão mascarados e as regras os leem: substitua-os por dados sintéticos"
    : `as regras da versão ${p.version} decidem diferente${first ? ` (${first.path || "decisão"})` : ""}: revise fatos e expectativa`;
  return { text, warning: `A decisão não se reproduz: ${why}. O caso tem a etiqueta revisar.` };
}

/** The refusals of the service as the panel shows them. */
export function decisionsErrorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === "DECISION_LOG_OFF")
      return "O registro de decisões está desligado neste serviço: não há decisões para listar.";
    if (e.status === 404 && e.code !== "NOT_FOUND")
      return "Este serviço não lista decisões registradas (atualize o serviço).";
    if (e.status === 403) return "Seu token não tem permissão para ver ou transformar decisões registradas.";
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
