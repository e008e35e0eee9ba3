/**
 * The model of the tests panel's "Testar a suíte com mutantes" (issue 11, mutation score for QA):
 * the texts the analyst reads (the score in pt-BR number format, each survivor's lead, the
 * refusals and failures of the service as Portuguese messages). Pure functions of the service's
 * answer (`POST .../mutants`, docs/contract.md), unit-tested in node; `mutants.tsx` renders them.
 * The survivors as editor warnings are `monaco/mutant-markers.ts` (the session uses them, so they
 * stay out of this module, which only the workspace chunk loads).
 */
import { ApiError, type MutantSurvivor, type MutantsResult } from "../api.js";

/** A percentage as analysts write it: `96,9%`, `100%` (one decimal at most, comma). */
export function formatScore(score: number): string {
  return `${score.toLocaleString("pt-BR", { minimumFractionDigits: 0, maximumFractionDigits: 1 })}%`;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString("pt-BR")} ${n === 1 ? one : many}`;
}

/** "a suíte pegou 94 de 97 mudanças (96,9%)" — or why there is no score. */
export function scoreText(r: MutantsResult): string {
  const counted = r.killed + r.survived;
  if (counted === 0) return "nenhuma mudança do rascunho pôde ser medida (nenhum mutante válido)";
  return `a suíte pegou ${r.killed.toLocaleString("pt-BR")} de ${plural(counted, "mudança", "mudanças")} (${formatScore(r.score)})`;
}

/** What the score leaves out (mutants that do not compile or decide like the original; the cap). */
export function leftOutText(r: MutantsResult): string | undefined {
  const parts: string[] = [];
  const notCounted = r.invalid + r.equivalent;
  if (notCounted > 0)
    parts.push(
      `${plural(notCounted, "mudança não conta", "mudanças não contam")} (não ${notCounted === 1 ? "compila ou decide" : "compilam ou decidem"} igual ao original)`,
    );
  if (r.capped > 0)
    parts.push(`${plural(r.capped, "mudança ficou", "mudanças ficaram")} de fora por passar do limite de mutantes`);
  return parts.length > 0 ? `${parts.join("; ")}.` : undefined;
}

/** The survivor's message without its description (shown apart): "nenhum teste pegaria esta mudança". */
export function survivorLead(s: MutantSurvivor): string {
  const tail = `: ${s.description}`;
  return s.message.endsWith(tail) ? s.message.slice(0, -tail.length) : s.message;
}

/** The names of the failing cases a 422 TESTS_FAILED lists in its details. */
function failingCases(details: readonly unknown[]): string[] {
  return details.flatMap((d) => {
    const name = typeof d === "object" && d !== null ? (d as { case?: unknown }).case : undefined;
    return typeof name === "string" ? [name] : [];
  });
}

/** Why the mutants could not be measured, for the analyst (pt-BR). */
export function mutantsErrorMessage(e: unknown): string {
  if (!(e instanceof ApiError))
    return `Não foi possível rodar os mutantes: ${e instanceof Error ? e.message : String(e)}`;
  switch (e.code) {
    case "TESTS_FAILED": {
      const names = failingCases(e.details);
      const which = names.length > 0 ? ` (${names.slice(0, 5).join("; ")}${names.length > 5 ? "; …" : ""})` : "";
      return `A suíte já falha contra o rascunho${which}: um mutante só conta quando a suíte passa no original. Corrija os casos que falham e rode de novo.`;
    }
    case "AUTHORING_TIMEOUT":
    case "HANDLER_TIMEOUT":
      return "Os mutantes passaram do tempo que o serviço dá a uma verificação: tente de novo em instantes (com menos carga, ou com uma suíte menor).";
    case "RATE_LIMITED":
      return "Muitas verificações seguidas no serviço: aguarde um minuto e rode os mutantes de novo.";
    case "RULESET_INVALID":
      return "O rascunho tem erros (veja os problemas abaixo do editor): corrija-os antes de medir com mutantes.";
    case "RULESET_TOO_LARGE":
      return e.message;
    case "NO_TEST_SUITE":
      return "Este conjunto de regras ainda não tem suíte de testes: sem casos, nenhuma mudança seria pega.";
    case "INVALID_TEST_SUITE":
      return `${e.message} Corrija a suíte e rode os mutantes de novo.`;
    case "FORBIDDEN":
      return "Seu token não permite rodar mutantes (é preciso o papel author ou publisher).";
    default:
      if (e.status === 503) return `O serviço não pôde rodar os mutantes agora: ${e.message}`;
      return e.message;
  }
}
