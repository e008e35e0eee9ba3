/**
 * Runtime values of the expression language. JSON facts are converted into these once, after
 * schema validation (dates and date-times become value objects), and decisions are converted back
 * to JSON (ISO 8601) at the end. Everything here is pure and runs in the browser too.
 *
 * Dates without an offset are read in the rule set's time zone (America/Sao_Paulo by default); a
 * local time that a clock change skips or repeats is read as `instantOfWallClock` (dsl/zone.ts)
 * says: the earlier of two, or moved forward by the gap.
 *
 * Date-time arithmetic works on epoch milliseconds with the zone offsets of `dsl/zone.ts` and gives
 * luxon's numbers and texts; luxon itself is the fallback for what the fast path leaves out (a
 * system or invalid zone, instants near the edge of the Date range, fractional durations), so
 * those keep luxon's exact behaviour (NaN fields, "Invalid DateTime", a RangeError).
 */
import { DateTime } from "luxon";
import {
  instantOfWallClock,
  instantWithGuess,
  MAX_EPOCH_MS,
  offsetMinutes,
  type WallClock,
  wallClock,
  wallClockMs,
  zoneRule,
} from "./zone.js";

export const DEFAULT_ZONE = "America/Sao_Paulo";

/** A calendar date (no time, no zone). */
export class DateValue {
  readonly kind = "date" as const;
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {}
  /** `yyyy-mm-dd`, which also sorts correctly as text. */
  toISO(): string {
    return `${String(this.year).padStart(4, "0")}-${String(this.month).padStart(2, "0")}-${String(this.day).padStart(2, "0")}`;
  }
  toJSON(): string {
    return this.toISO();
  }
  /** Days since 1970-01-01 (UTC calendar arithmetic, no zone involved). */
  epochDay(): number {
    return Math.floor(Date.UTC(this.year, this.month - 1, this.day) / 86_400_000);
  }
  static fromEpochDay(day: number): DateValue {
    const d = new Date(day * 86_400_000);
    return new DateValue(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  }
}

/** An instant, shown in the rule set's zone. */
export class DateTimeValue {
  readonly kind = "datetime" as const;
  constructor(
    readonly epochMs: number,
    readonly zone: string = DEFAULT_ZONE,
  ) {}
  toLuxon(): DateTime {
    return DateTime.fromMillis(this.epochMs, { zone: this.zone });
  }
  /**
   * ISO 8601 with the zone's offset, e.g. `2026-04-02T11:30:00.000-03:00` (`Z` in the fixed zone
   * "UTC", `+00:00` in an IANA zone such as "Etc/UTC"), as luxon's `toISO()` writes it.
   */
  toISO(): string {
    const local = localTime(this.epochMs, this.zone);
    if (local === undefined) return this.toLuxon().toISO() ?? new Date(this.epochMs).toISOString();
    return isoText(local);
  }
  toJSON(): string {
    return this.toISO();
  }
  /** The calendar date of this instant in its zone. */
  toDate(): DateValue {
    const local = localTime(this.epochMs, this.zone);
    if (local !== undefined) return new DateValue(local.clock.year, local.clock.month, local.clock.day);
    const l = this.toLuxon();
    return new DateValue(l.year, l.month, l.day);
  }
}

/** An instant on the wall clock of its zone: what luxon keeps in a valid DateTime (`c`, `o`). */
interface LocalTime {
  readonly clock: WallClock;
  /** Minutes east of UTC. */
  readonly offset: number;
  /** A fixed-offset zone ("UTC", "UTC-3"), whose zero offset is written `Z`. */
  readonly fixed: boolean;
}

/** The wall clock of an instant in a zone, or undefined where luxon decides (see the top comment). */
function localTime(epochMs: number, zone: string): LocalTime | undefined {
  const rule = zoneRule(zone);
  if (rule === undefined || !(Math.abs(epochMs) <= MAX_EPOCH_MS)) return undefined;
  const offset = offsetMinutes(rule, epochMs);
  const clock = wallClock(epochMs, offset);
  if (Number.isNaN(clock.year)) return undefined;
  return { clock, offset, fixed: rule.kind === "fixed" };
}

/** luxon's `padStart`: the sign before the zeros. */
function pad(n: number, width = 2): string {
  return n < 0 ? `-${String(-n).padStart(width, "0")}` : String(n).padStart(width, "0");
}

/** luxon's `toISO()` (extended format, milliseconds, offset). */
function isoText({ clock: c, offset, fixed }: LocalTime): string {
  const long = c.year > 9999 || c.year < 0;
  const year = `${long && c.year >= 0 ? "+" : ""}${pad(c.year, long ? 6 : 4)}`;
  let zone: string;
  if (fixed && offset === 0) zone = "Z";
  else if (offset < 0) zone = `-${pad(Math.trunc(-offset / 60))}:${pad(Math.trunc(-offset % 60))}`;
  else zone = `+${pad(Math.trunc(offset / 60))}:${pad(Math.trunc(offset % 60))}`;
  return `${year}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}.${pad(c.millisecond, 3)}${zone}`;
}

/** A duration: calendar days plus clock milliseconds (`2h`, `10d`, `30min`). */
export class DurationValue {
  readonly kind = "duration" as const;
  constructor(
    readonly days: number,
    readonly millis: number,
  ) {}
  toJSON(): string {
    const parts: string[] = [];
    if (this.days) parts.push(`${this.days}d`);
    if (this.millis) {
      const h = Math.floor(this.millis / 3_600_000);
      const rest = this.millis - h * 3_600_000;
      if (h) parts.push(`${h}h`);
      if (rest) parts.push(rest % 60_000 === 0 ? `${rest / 60_000}min` : `${rest / 1000}s`);
    }
    return parts.join("") || "0s";
  }
  /** Total length in milliseconds, counting a day as 24 hours (for comparisons only). */
  approxMillis(): number {
    return this.days * 86_400_000 + this.millis;
  }
}

/**
 * Duration syntax, defined once: one or more parts `<digits><unit>`, unit `d`, `h`, `min` or `s`
 * (`2h`, `10d`, `1h30min`). The lexer's literal, the checker's defaults, the engine's fact format and
 * `parseDuration` are all built from `DURATION_PART` (groups: digits, unit).
 */
export const DURATION_PART = String.raw`(\d+)(d|h|min|s)`;
const DURATION_TEXT = new RegExp(`^(?:${DURATION_PART})+$`);
const DURATION_PARTS = new RegExp(DURATION_PART, "g");

/** True when `text` is a whole duration in the language's syntax. */
export function isDurationText(text: string): boolean {
  return DURATION_TEXT.test(text);
}

/** Durations already parsed (literals are read at every evaluation); values are immutable, so shared. */
const durations = new Map<string, DurationValue>();

/** Parses a duration literal such as `2h`, `10d` or `1h30min` (the text is assumed well-formed). */
export function parseDuration(text: string): DurationValue {
  let d = durations.get(text);
  if (d === undefined) {
    if (durations.size >= 1000) durations.clear();
    d = readDuration(text);
    durations.set(text, d);
  }
  return d;
}

function readDuration(text: string): DurationValue {
  let days = 0;
  let millis = 0;
  for (const m of text.matchAll(DURATION_PARTS)) {
    const n = Number(m[1]);
    switch (m[2]) {
      case "d":
        days += n;
        break;
      case "h":
        millis += n * 3_600_000;
        break;
      case "min":
        millis += n * 60_000;
        break;
      case "s":
        millis += n * 1000;
        break;
    }
  }
  return new DurationValue(days, millis);
}

export type Value =
  | null
  | string
  | number
  | boolean
  | DateValue
  | DateTimeValue
  | DurationValue
  | readonly Value[]
  | ValueRecord;

export interface ValueRecord {
  readonly [key: string]: Value;
}

export function isRecord(v: unknown): v is ValueRecord {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof DateValue) &&
    !(v instanceof DateTimeValue) &&
    !(v instanceof DurationValue)
  );
}

/** Creates a record with no prototype, so that `__proto__` and friends are plain keys. */
export function createRecord(entries?: Iterable<readonly [string, Value]>): Record<string, Value> {
  const r = Object.create(null) as Record<string, Value>;
  if (entries) for (const [k, v] of entries) r[k] = v;
  return r;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Groups: year, month, day, hour, minute, second?, fraction?, `Z`?, offset hours?, offset minutes?. */
const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-]\d{2}):(\d{2}))?$/;

/** Parses `yyyy-mm-dd` (a real calendar date) or returns undefined. */
export function parseDate(text: string): DateValue | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  return new DateValue(y, mo, d);
}

/** The fields of a date-time text, checked as luxon checks them (hour 24 only as 24:00:00.000). */
interface DateTimeFields {
  readonly wallMs: number;
  /** Minutes east of UTC written in the text; undefined when the text has no offset. */
  readonly offset: number | undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A real calendar date (integer fields, month 1–12, day within the month), as luxon requires. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

function dateTimeFields(text: string): DateTimeFields | undefined {
  const m = DATETIME_RE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  // luxon's parseMillis, digit for digit.
  const millisecond = m[7] === undefined ? 0 : Math.floor(Number.parseFloat(`0.${m[7]}`) * 1000);
  if (!isCalendarDate(year, month, day)) return undefined;
  const midnight = hour === 24 && minute === 0 && second === 0 && millisecond === 0;
  if ((hour > 23 && !midnight) || minute > 59 || second > 59) return undefined;
  let offset: number | undefined;
  if (m[8] !== undefined) offset = 0;
  else if (m[9] !== undefined) {
    const h = Number.parseInt(m[9], 10);
    const min = Number.parseInt(m[10] ?? "0", 10);
    offset = h * 60 + (h < 0 || Object.is(h, -0) ? -min : min);
  }
  return { wallMs: wallClockMs(year, month, day, hour, minute, second, millisecond), offset };
}

/**
 * True when `text` is a date-time `parseDateTime` accepts in any valid zone: the syntax and a real
 * calendar date and time, without converting it to an instant (the fact schema's format check).
 */
export function isDateTimeText(text: string): boolean {
  return dateTimeFields(text) !== undefined;
}

/**
 * Parses an ISO 8601 date-time; without an offset it is read in `zone` (a local time skipped by a
 * clock change moves forward by the gap, a repeated one is the earlier instant: see
 * `instantOfWallClock`). Undefined for a malformed text, an impossible date or time, or an
 * unknown zone.
 */
export function parseDateTime(text: string, zone: string = DEFAULT_ZONE): DateTimeValue | undefined {
  const fields = dateTimeFields(text);
  if (fields === undefined) return undefined;
  const rule = zoneRule(zone);
  if (rule === undefined) {
    // The system zone or an invalid one: luxon decides (an invalid zone gives undefined).
    const dt = DateTime.fromISO(text, { zone, setZone: false });
    return dt.isValid ? new DateTimeValue(dt.toMillis(), zone) : undefined;
  }
  const epochMs =
    fields.offset === undefined ? instantOfWallClock(rule, fields.wallMs) : fields.wallMs - fields.offset * 60 * 1000;
  return new DateTimeValue(epochMs, zone);
}

/** Strict equality of runtime values (deep for lists and records, by instant for date-times). */
export function valueEquals(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (a instanceof DateValue && b instanceof DateValue) return a.epochDay() === b.epochDay();
  if (a instanceof DateTimeValue && b instanceof DateTimeValue) return a.epochMs === b.epochMs;
  if (a instanceof DurationValue && b instanceof DurationValue) return a.approxMillis() === b.approxMillis();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => valueEquals(x, (b as readonly Value[])[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && valueEquals(a[k], b[k]));
  }
  return false;
}

const DIGITS = /^[0-9]+$/;

/**
 * The one order of texts (docs/language.md): `<`, `<=`, `>`, `>=`, `min`, `max`, `isSorted` and a
 * collection's `order` all use it. Two texts of digits only (`0`–`9`) compare by numeric value, of any
 * length or leading zeros ("9" < "10" < "0011" < "100"); a digits-only text comes before any other
 * text; equal values ("007", "7") and all other texts by Unicode code point (texts from facts are
 * already NFC). Zero only for identical texts, so it agrees with `==`.
 */
export function compareTexts(a: string, b: string): number {
  const da = DIGITS.test(a);
  const db = DIGITS.test(b);
  if (da && db) {
    const x = a.replace(/^0+/, "");
    const y = b.replace(/^0+/, "");
    if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  } else if (da !== db) {
    return da ? -1 : 1;
  }
  return compareCodePoints(a, b);
}

function compareCodePoints(a: string, b: string): number {
  const x = a[Symbol.iterator]();
  const y = b[Symbol.iterator]();
  for (;;) {
    const p = x.next();
    const q = y.next();
    if (p.done || q.done) return p.done && q.done ? 0 : p.done ? -1 : 1;
    const c = (p.value.codePointAt(0) ?? 0) - (q.value.codePointAt(0) ?? 0);
    if (c !== 0) return c < 0 ? -1 : 1;
  }
}

/**
 * Orders two values of the same kind: numbers, texts (`compareTexts`), dates, date-times
 * (a date compares as its start of day in the zone), durations. Returns undefined when they are
 * not comparable (then every ordering comparison is false).
 */
export function compareValues(a: Value | undefined, b: Value | undefined): number | undefined {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return compareTexts(a, b);
  if (a instanceof DateValue && b instanceof DateValue) return Math.sign(a.epochDay() - b.epochDay());
  if (a instanceof DateTimeValue && b instanceof DateTimeValue) return Math.sign(a.epochMs - b.epochMs);
  if (a instanceof DateValue && b instanceof DateTimeValue) return Math.sign(startOfDay(a, b.zone) - b.epochMs);
  if (a instanceof DateTimeValue && b instanceof DateValue) return Math.sign(a.epochMs - startOfDay(b, a.zone));
  if (a instanceof DurationValue && b instanceof DurationValue) return Math.sign(a.approxMillis() - b.approxMillis());
  return undefined;
}

/** Instants this close to the edge of the Date range are left to luxon. */
const FAST_LIMIT_MS = MAX_EPOCH_MS - 3 * 86_400_000;

/**
 * The first instant of a date in a zone (midnight, or the first instant after a gap that skips
 * it); NaN for an impossible date or an unknown zone.
 */
function startOfDay(d: DateValue, zone: string): number {
  const rule = zoneRule(zone);
  if (rule !== undefined && isCalendarDate(d.year, d.month, d.day)) {
    const ms = instantOfWallClock(rule, wallClockMs(d.year, d.month, d.day, 0, 0, 0, 0));
    if (Math.abs(ms) <= FAST_LIMIT_MS) return ms;
  }
  return DateTime.fromObject({ year: d.year, month: d.month, day: d.day }, { zone }).toMillis();
}

/**
 * luxon's `plus({ days, milliseconds })` on epoch milliseconds: `days` on the wall clock (the time
 * of day kept; in an overlap the date-time's own offset wins when it is one of the two), then
 * `millis` of clock time on the instant. Undefined where luxon must decide (see the top comment).
 */
function plusDays(epochMs: number, zone: string, days: number, millis: number): number | undefined {
  const rule = zoneRule(zone);
  if (rule === undefined || !(Math.abs(epochMs) <= FAST_LIMIT_MS)) return undefined;
  if (!Number.isSafeInteger(days) || !Number.isSafeInteger(millis)) return undefined;
  const offset = offsetMinutes(rule, epochMs);
  // Through the wall clock even for 0 days, as luxon does (it drops a fraction of a millisecond).
  const c = wallClock(epochMs, offset);
  const wallMs = wallClockMs(c.year, c.month, c.day + days, c.hour, c.minute, c.second, c.millisecond);
  if (!(Math.abs(wallMs) <= FAST_LIMIT_MS)) return undefined;
  let ts = instantWithGuess(rule, wallMs, offset);
  if (millis !== 0) ts += millis;
  return Math.abs(ts) <= FAST_LIMIT_MS ? ts : undefined;
}

/**
 * Adds a duration to a date or date-time: calendar days on the wall clock of the zone, then clock
 * time on the instant (`+ 1d` across a clock change keeps the time of day, `+ 24h` does not).
 */
export function addDuration(
  base: DateValue | DateTimeValue,
  d: DurationValue,
  sign: 1 | -1 = 1,
  zone: string = DEFAULT_ZONE,
): DateValue | DateTimeValue {
  if (base instanceof DateValue) {
    // Whole days keep a date; a clock part makes a date-time from the start of that day in the zone.
    if (d.millis === 0) return DateValue.fromEpochDay(base.epochDay() + sign * d.days);
    const start = startOfDay(base, zone);
    const fast = Number.isNaN(start) ? undefined : plusDays(start, zone, sign * d.days, sign * d.millis);
    if (fast !== undefined) return new DateTimeValue(fast, zone);
    const from = DateTime.fromMillis(start, { zone });
    return new DateTimeValue(from.plus({ days: sign * d.days, milliseconds: sign * d.millis }).toMillis(), zone);
  }
  const fast = plusDays(base.epochMs, base.zone, sign * d.days, sign * d.millis);
  if (fast !== undefined) return new DateTimeValue(fast, base.zone);
  return new DateTimeValue(
    base
      .toLuxon()
      .plus({ days: sign * d.days, milliseconds: sign * d.millis })
      .toMillis(),
    base.zone,
  );
}

const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Converts a runtime value to plain JSON (ISO strings for temporal values). */
export function toJson(v: Value | undefined): unknown {
  if (v === undefined) return null;
  if (v instanceof DateValue || v instanceof DateTimeValue || v instanceof DurationValue) return v.toJSON();
  if (Array.isArray(v)) return v.map(toJson);
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      // defineProperty, not assignment, for the names Object.prototype has: "__proto__" stays a plain
      // own key, never a prototype ("toString" and the rest too, even with frozen intrinsics).
      if (PROTOTYPE_NAMES.has(k))
        Object.defineProperty(out, k, { value: toJson(v[k]), enumerable: true, writable: true, configurable: true });
      else out[k] = toJson(v[k]);
    }
    return out;
  }
  return v;
}

/** Renders a value inside a text template (dates as dd/mm/yyyy, as Brazilian readers expect). */
export function toDisplayText(v: Value | undefined): string {
  if (v === null || v === undefined) return "";
  if (v instanceof DateValue) return `${String(v.day).padStart(2, "0")}/${String(v.month).padStart(2, "0")}/${v.year}`;
  if (v instanceof DateTimeValue) {
    const local = localTime(v.epochMs, v.zone);
    if (local === undefined || local.clock.year < 0 || local.clock.year > 9999)
      return v.toLuxon().toFormat("dd/MM/yyyy HH:mm");
    const c = local.clock;
    return `${pad(c.day)}/${pad(c.month)}/${pad(c.year, 4)} ${pad(c.hour)}:${pad(c.minute)}`;
  }
  if (v instanceof DurationValue) return v.toJSON();
  if (Array.isArray(v)) return v.map(toDisplayText).join(", ");
  if (typeof v === "object") return JSON.stringify(toJson(v));
  return String(v);
}
