/**
 * Brazil's national public holidays, as a small table plus the computation of Easter Sunday.
 *
 * This reproduces exactly the holidays typed "public" for country "BR" by the `date-holidays`
 * package (version 3.37.0), which this project used before; `calendar.test.ts` checks the
 * agreement day by day over 1990–2100 with that package, kept as a dev dependency only. Carnival
 * and Corpus Christi ("bank"/"optional" there), Easter Sunday and the other observances are not
 * national public holidays by law and are not listed. Quirks kept on purpose, for no change of
 * behaviour:
 * - election days (first and last Sunday of October in even years) are listed, like the source
 *   does; they always fall on a Sunday, so they change no business-day count;
 * - the holidays apply to any year (Tiradentes included), except Consciência Negra, national
 *   since 2024 and listed from 2024 on.
 *
 * Dates are proleptic Gregorian; Easter uses Gauss's formula (the one of `date-easter`, which
 * `date-holidays` uses), for any year.
 */

/** A calendar day of a given year: month 1–12, day 1–31. */
export interface MonthDay {
  readonly month: number;
  readonly day: number;
}

/** First year Consciência Negra (20 November) is a national holiday (Lei 14.759/2023). */
export const CONSCIENCIA_NEGRA_FROM_YEAR = 2024;

/** Fixed-date national holidays, valid for every year. */
const FIXED: readonly MonthDay[] = [
  { month: 1, day: 1 }, // Confraternização Universal
  { month: 4, day: 21 }, // Tiradentes
  { month: 5, day: 1 }, // Dia do Trabalho
  { month: 9, day: 7 }, // Independência
  { month: 10, day: 12 }, // Nossa Senhora Aparecida
  { month: 11, day: 2 }, // Finados
  { month: 11, day: 15 }, // Proclamação da República
  { month: 12, day: 25 }, // Natal
];

/**
 * Easter Sunday of `year` as a day count from the end of February (22 = 22 March … 56 = 25 April),
 * by Gauss's formula for the Gregorian calendar, as in `date-easter`.
 */
function easterOffset(year: number): number {
  const k = Math.floor(year / 100);
  const m = 15 + Math.floor((3 * k + 3) / 4) - Math.floor((8 * k + 13) / 25);
  const s = 2 - Math.floor((3 * k + 3) / 4);
  const a = year % 19;
  const d = (19 * a + m) % 30;
  const r = Math.floor((d + a / 11) / 29);
  const og = 21 + d - r;
  const sz = 7 - (Math.floor(year + year / 4 + s) % 7);
  const oe = 7 - ((og - sz) % 7);
  return og + oe;
}

/** Day `offset` counted from the end of February (1 = 1 March, 32 = 1 April). */
function marchOrApril(offset: number): MonthDay {
  return offset <= 31 ? { month: 3, day: offset } : { month: 4, day: offset - 31 };
}

/** Easter Sunday of `year` (Gregorian calendar). */
export function easterSunday(year: number): MonthDay {
  return marchOrApril(easterOffset(year));
}

/** 0 = Sunday … 6 = Saturday, for a proleptic Gregorian date. */
function weekday(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCDay();
}

/**
 * The national public holidays of `year`, unordered and possibly with a repeated day (Good Friday
 * can fall on 21 April). `year` must be an integer; the caller decides the range it applies to.
 */
export function nationalHolidayDays(year: number): MonthDay[] {
  const out: MonthDay[] = [...FIXED];
  out.push(marchOrApril(easterOffset(year) - 2)); // Sexta-Feira Santa
  if (year >= CONSCIENCIA_NEGRA_FROM_YEAR) out.push({ month: 11, day: 20 });
  if (year % 2 === 0) {
    // Election days: first Sunday of October and last Sunday of October.
    out.push({ month: 10, day: 1 + ((7 - weekday(year, 10, 1)) % 7) });
    out.push({ month: 10, day: 31 - weekday(year, 10, 31) });
  }
  return out;
}
