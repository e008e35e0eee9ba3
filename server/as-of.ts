/**
 * Vigência ("as of"): which version of a rule set is in force at an instant, and the timeline of
 * a rule set's versions. Pure functions over the versions' metadata, shared by the registry (the
 * decisions), the routes (the timeline, publish bodies) and the tests; the one place these rules
 * are written:
 *
 * - a version's interval is [start, end): start = effectiveFrom ?? createdAt, end = effectiveUntil
 *   ?? +∞ (effective dates are stored as UTC instants);
 * - the version IN FORCE at instant T is the highest-numbered version whose interval contains T.
 *   So a later publish or roll back supersedes the older versions from its start on; a version
 *   whose start is in the future is *scheduled*: the previous one stays in force until then;
 * - when no version is in force at T (before the first publish, or every interval over), the
 *   newest version decides and the reason says so.
 *
 * Instants given by people (publish `effective`, decide `asOf`) are ISO 8601 date-times WITH an
 * offset (`2026-03-01T09:00:00-03:00`, `…Z`), or dates (`2026-03-01`) meaning 00:00 in the rule
 * set's zone (its compiled `zone`, America/Sao_Paulo unless the rule set says otherwise).
 */
import { DateTime } from "luxon";
import type { VersionMeta } from "./store/types.js";

/** The fields of a version the vigência rules read. */
export type VersionTimes = Pick<
  VersionMeta,
  "version" | "createdAt" | "effectiveFrom" | "effectiveUntil" | "rolledBackFrom"
>;

/** Start (inclusive) and end (exclusive, Infinity when open) of a version's interval, epoch ms. */
export function intervalOf(v: VersionTimes): { readonly start: number; readonly end: number } {
  return {
    start: Date.parse(v.effectiveFrom ?? v.createdAt),
    end: v.effectiveUntil === undefined ? Number.POSITIVE_INFINITY : Date.parse(v.effectiveUntil),
  };
}

/** The version in force at `at` (epoch ms): the highest-numbered one whose interval contains it. */
export function inForceAt<V extends VersionTimes>(versions: readonly V[], at: number): V | undefined {
  let best: V | undefined;
  for (const v of versions) {
    if (best && v.version < best.version) continue;
    const { start, end } = intervalOf(v);
    if (start <= at && at < end) best = v;
  }
  return best;
}

/** The first instant after `at` at which the version in force may change (Infinity: none). */
export function nextBoundary(versions: readonly VersionTimes[], at: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const v of versions) {
    const { start, end } = intervalOf(v);
    if (start > at && start < next) next = start;
    if (end > at && end < next) next = end;
  }
  return next;
}

/** Versions whose start is still ahead of `now` and that will be in force at their start. */
export function scheduledAt<V extends VersionTimes>(versions: readonly V[], now: number): V[] {
  return versions.filter((v) => {
    const { start } = intervalOf(v);
    return start > now && inForceAt(versions, start)?.version === v.version;
  });
}

export type TimelineReason = "publicação" | "reversão" | "vigência";
export type TimelineState = "encerrada" | "em vigor" | "agendada";

/** One stretch of time during which one version is in force. */
export interface TimelineEntry {
  readonly version: number;
  /** ISO 8601 instant (UTC) the stretch begins. */
  readonly from: string;
  /** ISO 8601 instant (UTC) the stretch ends; null: open. */
  readonly until: string | null;
  /** Why the version came into force then: its publish, its roll back, or an effective date. */
  readonly reason: TimelineReason;
  readonly state: TimelineState;
}

/**
 * The stretches of time, oldest first, during which each version is in force (by `inForceAt`).
 * A version never in force (superseded before its start) does not appear; a version may appear
 * twice (in force again once a later version's `effectiveUntil` passes). Gaps (no version in
 * force) are left out.
 */
export function timeline(versions: readonly VersionTimes[], now: number): TimelineEntry[] {
  const points = new Set<number>();
  for (const v of versions) {
    const { start, end } = intervalOf(v);
    points.add(start);
    if (Number.isFinite(end)) points.add(end);
  }
  const sorted = [...points].sort((a, b) => a - b);
  const stretches: { v: VersionTimes; from: number; until: number }[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const from = sorted[i]!;
    const until = i + 1 < sorted.length ? sorted[i + 1]! : Number.POSITIVE_INFINITY;
    const v = inForceAt(versions, from);
    if (!v) continue;
    const last = stretches[stretches.length - 1];
    if (last && last.v.version === v.version && last.until === from) last.until = until;
    else stretches.push({ v, from, until });
  }
  return stretches.map(({ v, from, until }) => {
    const ownStart = v.effectiveFrom === undefined && Date.parse(v.createdAt) === from;
    const reason: TimelineReason = ownStart ? (v.rolledBackFrom !== undefined ? "reversão" : "publicação") : "vigência";
    const state: TimelineState = until <= now ? "encerrada" : from > now ? "agendada" : "em vigor";
    return {
      version: v.version,
      from: new Date(from).toISOString(),
      until: Number.isFinite(until) ? new Date(until).toISOString() : null,
      reason,
      state,
    };
  });
}

/**
 * The versions in force now or at some later instant (in force again once a later version's
 * `effectiveUntil` passes, or scheduled): what the registry builds ahead and holds.
 */
export function upcoming(versions: readonly VersionTimes[], now: number): Set<number> {
  const out = new Set<number>();
  const current = inForceAt(versions, now);
  if (current) out.add(current.version);
  for (const e of timeline(versions, now)) if (e.state !== "encerrada") out.add(e.version);
  return out;
}

/** The zone dates mean when the rule set does not say. */
export const DEFAULT_ZONE = "America/Sao_Paulo";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** What an instant given by a person should look like (the message of a 400). */
export const WHEN_FORMAT =
  "deve ser uma data (aaaa-mm-dd, 00:00 no fuso do conjunto de regras) ou uma data-hora ISO 8601 com fuso (aaaa-mm-ddThh:mm[:ss]±hh:mm ou Z)";

/** Whether a text has the form of an instant given by a person (before the zone is known). */
export function isWhen(text: string): boolean {
  return DATE_ONLY.test(text) || DATE_TIME_WITH_OFFSET.test(text);
}

/** Epoch ms of an instant given by a person (see the top comment); undefined when not one. */
export function parseWhen(text: string, zone: string = DEFAULT_ZONE): number | undefined {
  let parsed: DateTime;
  if (DATE_ONLY.test(text)) parsed = DateTime.fromISO(text, { zone });
  else if (DATE_TIME_WITH_OFFSET.test(text)) parsed = DateTime.fromISO(text, { setZone: true });
  else return undefined;
  return parsed.isValid ? parsed.toMillis() : undefined;
}

/** An instant as people read it: ISO 8601 in the zone, with its offset, no milliseconds. */
export function formatInstant(ms: number, zone: string = DEFAULT_ZONE): string {
  const dt = DateTime.fromMillis(ms, { zone });
  return (dt.isValid ? dt : DateTime.fromMillis(ms, { zone: "utc" })).toISO({ suppressMilliseconds: true }) ?? "";
}

/** Why a version decides (`versionReason` of the decide answers), in Portuguese. */
export function reasonText(
  kind: "explicit" | "in-force" | "none",
  options: { readonly version: number; readonly at?: number; readonly since?: number; readonly zone: string },
): string {
  const when = options.at === undefined ? "agora" : `em ${formatInstant(options.at, options.zone)}`;
  if (kind === "explicit") return `versão ${options.version} pedida explicitamente`;
  if (kind === "none") return `nenhuma versão em vigor ${when}: usada a versão mais recente`;
  const since = options.since === undefined ? "" : ` (vigência desde ${formatInstant(options.since, options.zone)})`;
  return `versão em vigor ${when}${since}`;
}
