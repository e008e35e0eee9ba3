/**
 * The model of the publish view's "Simular com decisões reais" (issue 13, blast radius): the texts
 * the analyst reads about a replay of the draft against logged decisions (the window read, each
 * sample, each rule or row responsible, the service's refusals as Portuguese messages) and the
 * range of a responsible row in the draft. Pure functions of the service's answer
 * (`POST .../replay`, docs/contract.md), unit-tested in node; `replay.tsx` renders them.
 */
import { ApiError, type ReplayResult } from "../api.js";
import { formatInstant } from "../../../tester/decision-labels.js";
import type { ResponsibleRef } from "../../../tester/replay.js";

export const REPLAY_BUTTON = "Simular com decisões reais";

/** Which decisions were replayed: "Decisões de 02/03/2026 09:00 a 05/03/2026 18:20 (limite de 10.000 atingido)". */
export function windowText(r: ReplayResult): string {
  if (r.total === 0) return "Nenhuma decisão registrada deste conjunto de regras para simular.";
  const w = r.replayed;
  const span = w.oldest && w.newest ? ` de ${formatInstant(w.oldest)} a ${formatInstant(w.newest)}` : "";
  const cut = w.truncated
    ? ` (limite de ${w.limit.toLocaleString("pt-BR")} atingido: há mais decisões registradas)`
    : "";
  return `${r.total.toLocaleString("pt-BR")} ${r.total === 1 ? "decisão registrada" : "decisões registradas"}${span}${cut}.`;
}

/** How a responsible rule or row differs between the draft and the logged decision. */
export function responsibleText(r: ResponsibleRef): string {
  const what = r.label ?? r.name;
  switch (r.side) {
    case "draft":
      return `${what}: dispararia só com o rascunho`;
    case "logged":
      return `${what}: disparou na decisão registrada e não dispararia mais`;
    case "changed":
      return `${what}: alterada no rascunho`;
  }
}

/** The 1-based range of a responsible rule or row in the draft, when the draft has it. */
export function responsibleRange(
  r: ResponsibleRef,
): { line: number; column: number; endLine: number; endColumn: number } | undefined {
  if (r.line === undefined || r.column === undefined) return undefined;
  return { line: r.line, column: r.column, endLine: r.endLine ?? r.line, endColumn: r.endColumn ?? r.column + 1 };
}

/** A sample: its id and when it was decided. */
export function sampleText(s: { readonly id: string; readonly at: string }): string {
  return `${s.id} · ${formatInstant(s.at)}`;
}

/** Why the replay could not run, for the analyst (pt-BR). */
export function replayErrorMessage(e: unknown): string {
  if (!(e instanceof ApiError))
    return `Não foi possível simular com decisões reais: ${e instanceof Error ? e.message : String(e)}`;
  switch (e.code) {
    case "DECISION_LOG_OFF":
      return "O serviço não guarda o registro de decisões: não há decisões reais para simular.";
    case "RULESET_INVALID":
      return "O rascunho tem erros (veja Problemas): corrija-os antes de simular com decisões reais.";
    case "RULESET_TOO_LARGE":
      return e.message;
    case "AUTHORING_TIMEOUT":
    case "HANDLER_TIMEOUT":
      return "A simulação passou do tempo que o serviço dá a uma requisição: tente de novo em instantes.";
    case "RATE_LIMITED":
      return "Muitas verificações seguidas no serviço: aguarde um minuto e simule de novo.";
    case "FORBIDDEN":
      return "Seu token não permite simular com decisões reais (é preciso o papel author ou publisher).";
    case "NOT_FOUND":
      return "Este conjunto de regras ainda não foi publicado: não há decisões reais para simular.";
    default:
      return e.status === 503 ? `O serviço não pôde simular agora: ${e.message}` : e.message;
  }
}
