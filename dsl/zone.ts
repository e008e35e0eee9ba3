/**
 * Time-zone offsets and wall-clock arithmetic on epoch milliseconds, without building luxon
 * DateTimes on the hot path (parsing facts, `+ 2h`, `toISO`...). `dsl/values.ts` is the only user.
 *
 * The numbers are luxon's (3.x), computed the same way: a zone string is read as luxon's
 * `normalizeZone` reads it ("UTC"/"GMT" and "UTC±h[:mm]" are fixed offsets, anything else an IANA
 * name checked by `Intl`), and an IANA offset comes from one cached `Intl.DateTimeFormat` per zone
 * (luxon's own options and formula, so historical offsets such as LMT -03:06:28 agree to the
 * fraction of a minute). Offsets are memoised per (zone, hour): a bucket is cached only when the
 * offsets at its first and last second agree, so an hour holding a transition is never cached
 * (tz data never has two transitions within one hour); the cache of a zone is cleared when it
 * grows past `MAX_CACHED_HOURS` entries.
 *
 * Zones luxon reads as the system zone ("local", "system", "default") and invalid names have no
 * `ZoneRule`: callers fall back to luxon for them (rare, and never a rule set's zone: the loader
 * accepts IANA names only).
 *
 * Pure, no Node modules: the editor runs this in the browser.
 */

/** Largest epoch milliseconds a JavaScript Date (and luxon) accepts, either side of 1970. */
export const MAX_EPOCH_MS = 8.64e15;

const HOUR_MS = 3_600_000;

/** Most hours cached per zone before that zone's cache is cleared. */
export const MAX_CACHED_HOURS = 10_000;

/** Instants this close to the edge of the Date range are computed without the cache. */
const CACHE_LIMIT_MS = MAX_EPOCH_MS - 2 * HOUR_MS;

/** How a zone string maps instants to offsets (minutes east of UTC). */
export type ZoneRule =
  | { readonly kind: "fixed"; readonly offset: number }
  | {
      readonly kind: "iana";
      readonly format: Intl.DateTimeFormat;
      readonly cache: Map<number, number>;
    };

const rules = new Map<string, ZoneRule | null>();

/** At most this many distinct zone strings are remembered (rule sets use one or two). */
const MAX_ZONES = 1000;

const FIXED = /^utc(?:([+-]\d{1,2})(?::(\d{2}))?)?$/i;

/** luxon's `signedOffset`: `-00:30` is -30 minutes (the sign of the hours applies to the minutes). */
function signedOffset(hours: string | undefined, minutes: string | undefined): number {
  let h = Number.parseInt(hours ?? "", 10);
  if (Number.isNaN(h)) h = 0;
  const m = Number.parseInt(minutes ?? "", 10) || 0;
  return h * 60 + (h < 0 || Object.is(h, -0) ? -m : m);
}

function ianaFormat(name: string): Intl.DateTimeFormat | undefined {
  try {
    // luxon's `makeDTF` options: the parts are read back into a wall-clock time.
    const format = new Intl.DateTimeFormat("en-US", {
      hour12: false,
      timeZone: name,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      era: "short",
    });
    format.format(0);
    return format;
  } catch {
    return undefined;
  }
}

function classify(zone: string): ZoneRule | null {
  const lowered = zone.toLowerCase();
  if (lowered === "default" || lowered === "local" || lowered === "system") return null;
  if (lowered === "utc" || lowered === "gmt") return { kind: "fixed", offset: 0 };
  const fixed = FIXED.exec(lowered);
  if (fixed) return { kind: "fixed", offset: signedOffset(fixed[1], fixed[2]) };
  const format = zone === "" ? undefined : ianaFormat(zone);
  return format ? { kind: "iana", format, cache: new Map() } : null;
}

/**
 * The rule of a zone string, or undefined for the system zone and for invalid names (the
 * caller then falls back to luxon, which knows what those mean).
 */
export function zoneRule(zone: string): ZoneRule | undefined {
  let rule = rules.get(zone);
  if (rule === undefined) {
    if (rules.size >= MAX_ZONES) rules.clear();
    rule = classify(zone);
    rules.set(zone, rule);
  }
  return rule ?? undefined;
}

/** True when luxon accepts the zone string (an IANA name, a fixed offset or the system zone). */
export function isValidZone(zone: string): boolean {
  if (zoneRule(zone) !== undefined) return true;
  const lowered = zone.toLowerCase();
  return lowered === "default" || lowered === "local" || lowered === "system";
}

/**
 * luxon's `objToLocalTS`: the wall-clock fields read as if they were UTC (epoch milliseconds with
 * the offset baked in). Fields may overflow (day 32, hour 24), as `Date.UTC` allows; years 0–99
 * are not read as 19xx.
 */
export function wallClockMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
): number {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  if (year < 100 && year >= 0) {
    const d = new Date(ms);
    d.setUTCFullYear(year, month - 1, day);
    return d.getTime();
  }
  return ms;
}

/** luxon's `IANAZone.offset`, uncached: minutes east of UTC at `epochMs` (may be fractional). */
function intlOffset(format: Intl.DateTimeFormat, epochMs: number): number {
  const date = new Date(epochMs);
  let year = Number.NaN;
  let month = Number.NaN;
  let day = Number.NaN;
  let hour = Number.NaN;
  let minute = Number.NaN;
  let second = Number.NaN;
  let era = "";
  for (const { type, value } of format.formatToParts(date)) {
    switch (type) {
      case "year":
        year = Number.parseInt(value, 10);
        break;
      case "month":
        month = Number.parseInt(value, 10);
        break;
      case "day":
        day = Number.parseInt(value, 10);
        break;
      case "hour":
        hour = Number.parseInt(value, 10);
        break;
      case "minute":
        minute = Number.parseInt(value, 10);
        break;
      case "second":
        second = Number.parseInt(value, 10);
        break;
      case "era":
        era = value;
        break;
      default:
        break;
    }
  }
  if (era === "BC") year = -Math.abs(year) + 1;
  // Some engines print midnight as 24 with hour12: false.
  const asUTC = wallClockMs(year, month, day, hour === 24 ? 0 : hour, minute, second, 0);
  let asTS = date.getTime();
  const over = asTS % 1000;
  asTS -= over >= 0 ? over : 1000 + over;
  return (asUTC - asTS) / (60 * 1000);
}

/**
 * Minutes east of UTC in `rule` at the instant `epochMs` (luxon's `zone.offset(ts)`); NaN outside
 * the Date range.
 */
export function offsetMinutes(rule: ZoneRule, epochMs: number): number {
  if (rule.kind === "fixed") return rule.offset;
  // What `new Date(epochMs)` keeps: whole milliseconds, truncated toward zero.
  const t = Math.trunc(epochMs);
  if (!(Math.abs(t) <= CACHE_LIMIT_MS)) {
    return Math.abs(t) <= MAX_EPOCH_MS ? intlOffset(rule.format, t) : Number.NaN;
  }
  const bucket = Math.floor(t / HOUR_MS);
  const cached = rule.cache.get(bucket);
  if (cached !== undefined) return cached;
  const start = bucket * HOUR_MS;
  const first = intlOffset(rule.format, start);
  const last = intlOffset(rule.format, start + HOUR_MS - 1000);
  if (first !== last) return intlOffset(rule.format, t); // a transition inside this hour
  if (rule.cache.size >= MAX_CACHED_HOURS) rule.cache.clear();
  rule.cache.set(bucket, first);
  return first;
}

/** Wall-clock fields of an instant at a given offset (luxon's `tsToObj`). */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

/** luxon's `tsToObj`: the wall clock at `epochMs` shifted by `offset` minutes (NaN fields out of range). */
export function wallClock(epochMs: number, offset: number): WallClock {
  const d = new Date(epochMs + offset * 60 * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

/**
 * luxon's `fixOffset`: the instant of a wall-clock time (`localMs`, see `wallClockMs`) given a guess
 * of its offset. In an overlap it keeps the guess when the guess is one of the two offsets; in a
 * gap it moves forward by the gap. Used where luxon's guess is deterministic (adding days to a
 * date-time: the guess is the date-time's own offset), so that `addDuration` stays luxon's `plus`.
 */
export function instantWithGuess(rule: ZoneRule, localMs: number, guess: number): number {
  let utcGuess = localMs - guess * 60 * 1000;
  const o2 = offsetMinutes(rule, utcGuess);
  if (guess === o2) return utcGuess;
  utcGuess -= (o2 - guess) * 60 * 1000;
  const o3 = offsetMinutes(rule, utcGuess);
  if (o2 === o3) return utcGuess;
  return localMs - Math.min(o2, o3) * 60 * 1000;
}

const DAY_MS = 86_400_000;

/**
 * The instant of a wall-clock time in a zone, with "compatible" disambiguation (as in Temporal and
 * java.time): a time that happens twice (clocks set back) is the earlier instant, a time that
 * never happens (clocks set forward) is moved forward by the length of the gap (read with the
 * offset in force before it). Deterministic, unlike luxon's `fromObject`, whose answer in those
 * cases depends on the offset of the current moment. Assumes at most one transition within a
 * day either side of the time (true of the tz data).
 */
export function instantOfWallClock(rule: ZoneRule, localMs: number): number {
  if (rule.kind === "fixed") return localMs - rule.offset * 60 * 1000;
  // The true offset is one of the offsets a day before and a day after (offsets are under 24 h).
  const before = offsetMinutes(rule, localMs - DAY_MS);
  const after = offsetMinutes(rule, localMs + DAY_MS);
  const atBefore = localMs - before * 60 * 1000;
  const fitsBefore = offsetMinutes(rule, atBefore) === before;
  if (before === after && fitsBefore) return atBefore;
  const atAfter = localMs - after * 60 * 1000;
  const fitsAfter = offsetMinutes(rule, atAfter) === after;
  if (fitsBefore && fitsAfter) return Math.min(atBefore, atAfter); // overlap: the earlier instant
  if (fitsBefore) return atBefore;
  if (fitsAfter) return atAfter;
  return atBefore; // gap: the offset before the transition, i.e. later by the gap's length
}
