/**
 * How a logged decision is named to analysts, shared by the tester (`rules promote` case names) and
 * the editor ("Decisões registradas", "Simular com decisões reais"): the instant in São Paulo time
 * and the short id. Browser-safe (no Node-only imports).
 */

/** "02/12/2026 10:30" in São Paulo time (the contact centre's clock); the ISO text when unreadable. */
export function formatInstant(at: string): string {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return at;
  const parts = new Intl.DateTimeFormat("pt-BR", {
    timeZone: "America/Sao_Paulo",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(t));
  const p = (type: string) => parts.find((x) => x.type === type)?.value ?? "";
  return `${p("day")}/${p("month")}/${p("year")} ${p("hour")}:${p("minute")}`;
}

/** The short id shown in names and lists: the last 8 characters (the random part of a UUIDv7). */
export function shortDecisionId(id: string): string {
  return id.replace(/-/g, "").slice(-8);
}
