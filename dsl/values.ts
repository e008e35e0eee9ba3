/**
 * Runtime values of the expression language. JSON facts are converted into these once, after
 * schema validation (dates and date-times become value objects), and decisions are converted back
 * to JSON (ISO 8601) at the end. Everything here is pure and runs in the browser too.
 *
 * Dates without an offset are read in the rule set's time zone (America/Sao_Paulo by default).
 */
import { DateTime } from "luxon";

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
  /** ISO 8601 with the zone's offset, e.g. `2026-04-02T11:30:00.000-03:00`. */
  toISO(): string {
    return this.toLuxon().toISO() ?? new Date(this.epochMs).toISOString();
  }
  toJSON(): string {
    return this.toISO();
  }
  /** The calendar date of this instant in its zone. */
  toDate(): DateValue {
    const l = this.toLuxon();
    return new DateValue(l.year, l.month, l.day);
  }
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

/** Parses a duration literal such as `2h`, `10d` or `1h30min` (the text is assumed well-formed). */
export function parseDuration(text: string): DurationValue {
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
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

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

/** Parses an ISO 8601 date-time; without an offset it is read in `zone`. */
export function parseDateTime(text: string, zone: string = DEFAULT_ZONE): DateTimeValue | undefined {
  if (!DATETIME_RE.test(text)) return undefined;
  const dt = DateTime.fromISO(text, { zone, setZone: false });
  if (!dt.isValid) return undefined;
  return new DateTimeValue(dt.toMillis(), zone);
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

function startOfDay(d: DateValue, zone: string): number {
  return DateTime.fromObject({ year: d.year, month: d.month, day: d.day }, { zone }).toMillis();
}

/** Adds a duration to a date or date-time (calendar days in the zone, then clock time). */
export function addDuration(
  base: DateValue | DateTimeValue,
  d: DurationValue,
  sign: 1 | -1 = 1,
  zone: string = DEFAULT_ZONE,
): DateValue | DateTimeValue {
  if (base instanceof DateValue) {
    // Whole days keep a date; a clock part makes a date-time from the start of that day in the zone.
    if (d.millis === 0) return DateValue.fromEpochDay(base.epochDay() + sign * d.days);
    const start = DateTime.fromObject({ year: base.year, month: base.month, day: base.day }, { zone });
    return new DateTimeValue(start.plus({ days: sign * d.days, milliseconds: sign * d.millis }).toMillis(), zone);
  }
  return new DateTimeValue(
    base
      .toLuxon()
      .plus({ days: sign * d.days, milliseconds: sign * d.millis })
      .toMillis(),
    base.zone,
  );
}

/** Converts a runtime value to plain JSON (ISO strings for temporal values). */
export function toJson(v: Value | undefined): unknown {
  if (v === undefined) return null;
  if (v instanceof DateValue || v instanceof DateTimeValue || v instanceof DurationValue) return v.toJSON();
  if (Array.isArray(v)) return v.map(toJson);
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: an own "__proto__" key stays a plain key, never a prototype.
    for (const k of Object.keys(v))
      Object.defineProperty(out, k, { value: toJson(v[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/** Renders a value inside a text template (dates as dd/mm/yyyy, as Brazilian readers expect). */
export function toDisplayText(v: Value | undefined): string {
  if (v === null || v === undefined) return "";
  if (v instanceof DateValue) return `${String(v.day).padStart(2, "0")}/${String(v.month).padStart(2, "0")}/${v.year}`;
  if (v instanceof DateTimeValue) return v.toLuxon().toFormat("dd/MM/yyyy HH:mm");
  if (v instanceof DurationValue) return v.toJSON();
  if (Array.isArray(v)) return v.map(toDisplayText).join(", ");
  if (typeof v === "object") return JSON.stringify(toJson(v));
  return String(v);
}
