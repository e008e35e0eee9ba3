/**
 * Brazilian business-day calendar: Monday to Friday, minus the national public holidays of
 * `holidays.ts` (the same set as the "public" holidays of the `date-holidays` package for country
 * "BR", which this module used before). State and municipal holidays, Carnival and Corpus Christi
 * are NOT holidays here: they are not national public holidays by law.
 *
 * Holidays are only looked up for years within [MIN_HOLIDAY_YEAR, MAX_HOLIDAY_YEAR] (the range
 * the former data source supported); outside, only weekends are days off.
 *
 * Pure and browser-safe: the holiday sets are built lazily, once per year, and cached.
 */
import { DateValue } from "../values.js";
import { nationalHolidayDays } from "./holidays.js";

export const MIN_HOLIDAY_YEAR = 1000;
export const MAX_HOLIDAY_YEAR = 9999;

/** Largest |n| accepted by `addBusinessDays` (about 400 years); beyond it a RangeError is thrown. */
export const MAX_BUSINESS_DAYS = 100_000;
/** Largest distance in calendar days accepted by `businessDaysBetween` (about 400 years). */
export const MAX_SPAN_DAYS = 150_000;

/** year → epoch days of the national holidays of that year. */
const holidayCache = new Map<number, ReadonlySet<number>>();

function holidayEpochDays(year: number): ReadonlySet<number> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const days = new Set<number>();
  if (Number.isInteger(year) && year >= MIN_HOLIDAY_YEAR && year <= MAX_HOLIDAY_YEAR) {
    for (const h of nationalHolidayDays(year)) days.add(new DateValue(year, h.month, h.day).epochDay());
  }
  holidayCache.set(year, days);
  return days;
}

function yearOfEpochDay(day: number): number {
  return new Date(day * 86_400_000).getUTCFullYear();
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekdayOfEpochDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isWeekdayEpoch(day: number): boolean {
  const w = weekdayOfEpochDay(day);
  return w !== 0 && w !== 6;
}

const NO_EXTRA_HOLIDAYS: ReadonlySet<number> = new Set();

function isNationalHolidayEpochDay(day: number): boolean {
  return holidayEpochDays(yearOfEpochDay(day)).has(day);
}

function isBusinessEpochDay(day: number, extra: ReadonlySet<number> = NO_EXTRA_HOLIDAYS): boolean {
  return isWeekdayEpoch(day) && !isNationalHolidayEpochDay(day) && !extra.has(day);
}

function epochDaySet(dates: readonly DateValue[]): ReadonlySet<number> {
  return dates.length === 0 ? NO_EXTRA_HOLIDAYS : new Set(dates.map((d) => d.epochDay()));
}

/** The national public holidays of `year`, in date order (empty outside the supported years). */
export function nationalHolidays(year: number): DateValue[] {
  return [...holidayEpochDays(year)].sort((a, b) => a - b).map((d) => DateValue.fromEpochDay(d));
}

/**
 * True when `d` is neither a Saturday, a Sunday, a national public holiday nor one of
 * `extraHolidays` (e.g. state or municipal holidays declared by a rule set).
 */
export function isBusinessDay(d: DateValue, extraHolidays: readonly DateValue[] = []): boolean {
  return isBusinessEpochDay(d.epochDay(), epochDaySet(extraHolidays));
}

/**
 * The date `n` business days after `d`, counting from the next day (`n = 1` is the first business
 * day after `d`). `n = 0` returns `d` itself when it is a business day, else the next business day.
 * A negative `n` goes backwards symmetrically (`n = -1` is the last business day before `d`).
 * The days of `extraHolidays` are skipped too. Throws a RangeError when `n` is not an integer or
 * |n| > MAX_BUSINESS_DAYS.
 */
export function addBusinessDays(d: DateValue, n: number, extraHolidays: readonly DateValue[] = []): DateValue {
  if (!Number.isInteger(n) || Math.abs(n) > MAX_BUSINESS_DAYS) {
    throw new RangeError(`addBusinessDays: n must be an integer with |n| <= ${MAX_BUSINESS_DAYS}, got ${n}`);
  }
  const extra = epochDaySet(extraHolidays);
  let day = d.epochDay();
  if (n === 0) {
    while (!isBusinessEpochDay(day, extra)) day++;
    return DateValue.fromEpochDay(day);
  }
  const step = n > 0 ? 1 : -1;
  let remaining = Math.abs(n);
  while (remaining > 0) {
    day += step;
    if (isBusinessEpochDay(day, extra)) remaining--;
  }
  return DateValue.fromEpochDay(day);
}

/** Number of weekdays (Mon–Fri) among the epoch days in (from, to], for from <= to. */
function weekdaysInRange(from: number, to: number): number {
  const total = to - from;
  const fullWeeks = Math.floor(total / 7);
  let count = fullWeeks * 5;
  for (let day = from + fullWeeks * 7 + 1; day <= to; day++) if (isWeekdayEpoch(day)) count++;
  return count;
}

/**
 * The number of business days in the interval (a, b] (a excluded, b included), negated when
 * b < a, so that `businessDaysBetween(d, addBusinessDays(d, n)) === n` for n > 0, and for any n
 * when `d` is a business day (with the same `extraHolidays`, which do not count either). Throws a
 * RangeError when the dates are more than MAX_SPAN_DAYS apart.
 */
export function businessDaysBetween(a: DateValue, b: DateValue, extraHolidays: readonly DateValue[] = []): number {
  const ea = a.epochDay();
  const eb = b.epochDay();
  if (Math.abs(eb - ea) > MAX_SPAN_DAYS) {
    throw new RangeError(`businessDaysBetween: dates more than ${MAX_SPAN_DAYS} days apart`);
  }
  if (eb < ea) return -businessDaysBetween(b, a, extraHolidays);
  let count = weekdaysInRange(ea, eb);
  for (let year = yearOfEpochDay(ea); year <= yearOfEpochDay(eb); year++) {
    for (const h of holidayEpochDays(year)) {
      if (h > ea && h <= eb && isWeekdayEpoch(h)) count--;
    }
  }
  for (const h of epochDaySet(extraHolidays)) {
    if (h > ea && h <= eb && isWeekdayEpoch(h) && !isNationalHolidayEpochDay(h)) count--;
  }
  return count;
}
