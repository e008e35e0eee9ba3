import Holidays from "date-holidays";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DateValue } from "../values.js";
import {
  MAX_BUSINESS_DAYS,
  MAX_SPAN_DAYS,
  addBusinessDays,
  businessDaysBetween,
  isBusinessDay,
  nationalHolidays,
} from "./calendar.js";
import { easterSunday } from "./holidays.js";

const d = (iso: string): DateValue => {
  const [y, m, day] = iso.split("-").map(Number);
  return new DateValue(y as number, m as number, day as number);
};
const iso = (v: DateValue): string => v.toISO();

describe("nationalHolidays", () => {
  it("lists the 2026 national public holidays, in order", () => {
    expect(nationalHolidays(2026).map(iso)).toEqual([
      "2026-01-01", // Confraternização Universal
      "2026-04-03", // Sexta-Feira Santa
      "2026-04-21", // Tiradentes
      "2026-05-01", // Dia do Trabalho
      "2026-09-07", // Independência
      "2026-10-04", // election day (a Sunday; listed as public by date-holidays)
      "2026-10-12", // Nossa Senhora Aparecida
      "2026-10-25", // election day, 2nd round (a Sunday)
      "2026-11-02", // Finados
      "2026-11-15", // Proclamação da República
      "2026-11-20", // Consciência Negra (national since 2024)
      "2026-12-25", // Natal
    ]);
  });

  it("does not include Carnival nor Corpus Christi (not national public holidays)", () => {
    const days = nationalHolidays(2026).map(iso);
    expect(days).not.toContain("2026-02-16");
    expect(days).not.toContain("2026-02-17");
    expect(days).not.toContain("2026-06-04");
    expect(isBusinessDay(d("2026-02-17"))).toBe(true); // Carnival Tuesday
    expect(isBusinessDay(d("2026-06-04"))).toBe(true); // Corpus Christi
  });

  it("has Consciência Negra only from 2024 on", () => {
    expect(nationalHolidays(2023).map(iso)).not.toContain("2023-11-20");
    expect(nationalHolidays(2024).map(iso)).toContain("2024-11-20");
  });

  it("is empty outside the supported years", () => {
    expect(nationalHolidays(-5)).toEqual([]);
    expect(nationalHolidays(10_000)).toEqual([]);
  });

  it("returns a fresh array each time (the cache cannot be mutated)", () => {
    nationalHolidays(2026).pop();
    expect(nationalHolidays(2026)).toHaveLength(12);
  });
});

describe("easterSunday", () => {
  it("knows Easter Sunday, including its earliest and latest dates", () => {
    const easter = (y: number): string => {
      const e = easterSunday(y);
      return `${e.month}-${e.day}`;
    };
    expect(easter(2026)).toBe("4-5");
    expect(easter(2024)).toBe("3-31");
    expect(easter(2000)).toBe("4-23");
    expect(easter(1818)).toBe("3-22"); // earliest possible
    expect(easter(1943)).toBe("4-25"); // latest possible
    expect(easter(2038)).toBe("4-25");
  });
});

describe("agreement with the date-holidays package (dev dependency; the former data source)", () => {
  it("has the same national holidays and business days, every day of 1990–2100", () => {
    const source = new Holidays("BR");
    const mismatches: string[] = [];
    for (let year = 1990; year <= 2100; year++) {
      const expected = new Set<string>();
      for (const h of source.getHolidays(year)) {
        if (h.type !== "public" || !h.date.startsWith(`${year}-`)) continue;
        expected.add(h.date.slice(0, 10));
      }
      const actual = nationalHolidays(year).map(iso);
      if ([...expected].sort().join() !== actual.join())
        mismatches.push(`${year}: ${[...expected].sort().join()} ≠ ${actual.join()}`);
      for (let day = new DateValue(year, 1, 1).epochDay(); day <= new DateValue(year, 12, 31).epochDay(); day++) {
        const date = DateValue.fromEpochDay(day);
        const weekday = new Date(day * 86_400_000).getUTCDay();
        const expectedBusiness = weekday !== 0 && weekday !== 6 && !expected.has(iso(date));
        if (isBusinessDay(date) !== expectedBusiness) mismatches.push(iso(date));
      }
    }
    expect(mismatches).toEqual([]);
  }, 60_000);
});

describe("isBusinessDay", () => {
  it("knows holidays and weekends", () => {
    expect(isBusinessDay(d("2026-04-03"))).toBe(false); // Sexta-Feira Santa
    expect(isBusinessDay(d("2026-04-21"))).toBe(false); // Tiradentes (Tuesday)
    expect(isBusinessDay(d("2026-04-04"))).toBe(false); // Saturday
    expect(isBusinessDay(d("2026-04-05"))).toBe(false); // Sunday
    expect(isBusinessDay(d("2026-04-01"))).toBe(true); // Wednesday
    expect(isBusinessDay(d("2026-04-20"))).toBe(true); // Monday
  });

  it("treats weekends as days off even outside the holiday years", () => {
    expect(isBusinessDay(d("0900-01-02"))).toBe(false); // a Saturday (proleptic Gregorian)
    expect(isBusinessDay(d("0900-01-01"))).toBe(true); // a Friday; no holiday data for year 900
  });
});

describe("addBusinessDays", () => {
  // April 2026 by hand: Wed 1, Thu 2, Fri 3 (Sexta-Feira Santa), Sat 4, Sun 5, Mon 6 … Fri 10,
  // Mon 13 … Fri 17, Mon 20, Tue 21 (Tiradentes), Wed 22, Thu 23, Fri 24.
  // Business days after April 1: 2(1) 6(2) 7(3) 8(4) 9(5) 10(6) 13(7) 14(8) 15(9) 16(10)
  // 17(11) 20(12) 22(13) 23(14) 24(15).
  it("adds 10 business days to 2026-04-01, skipping Sexta-Feira Santa and the weekends", () => {
    expect(iso(addBusinessDays(d("2026-04-01"), 10))).toBe("2026-04-16");
  });

  it("adds 15 business days to 2026-04-01, skipping both Sexta-Feira Santa and Tiradentes", () => {
    expect(iso(addBusinessDays(d("2026-04-01"), 15))).toBe("2026-04-24");
  });

  it("counts from the next day", () => {
    expect(iso(addBusinessDays(d("2026-04-01"), 1))).toBe("2026-04-02");
    expect(iso(addBusinessDays(d("2026-04-02"), 1))).toBe("2026-04-06");
    expect(iso(addBusinessDays(d("2026-04-04"), 1))).toBe("2026-04-06"); // from a Saturday
  });

  it("with n = 0 returns the date itself or the next business day", () => {
    expect(iso(addBusinessDays(d("2026-04-01"), 0))).toBe("2026-04-01");
    expect(iso(addBusinessDays(d("2026-04-03"), 0))).toBe("2026-04-06");
    expect(iso(addBusinessDays(d("2026-04-21"), 0))).toBe("2026-04-22");
  });

  it("goes backwards for negative n", () => {
    expect(iso(addBusinessDays(d("2026-04-22"), -1))).toBe("2026-04-20");
    expect(iso(addBusinessDays(d("2026-04-06"), -1))).toBe("2026-04-02");
    expect(iso(addBusinessDays(d("2026-04-16"), -10))).toBe("2026-04-01");
    expect(iso(addBusinessDays(d("2026-04-24"), -15))).toBe("2026-04-01");
  });

  it("crosses years", () => {
    // Wed 2025-12-31 → Thu 2026-01-01 (holiday) → Fri 2026-01-02.
    expect(iso(addBusinessDays(d("2025-12-31"), 1))).toBe("2026-01-02");
    expect(iso(addBusinessDays(d("2026-01-02"), -1))).toBe("2025-12-31");
  });

  it("rejects non-integer or huge n", () => {
    expect(() => addBusinessDays(d("2026-04-01"), 1.5)).toThrow(RangeError);
    expect(() => addBusinessDays(d("2026-04-01"), MAX_BUSINESS_DAYS + 1)).toThrow(RangeError);
    expect(() => addBusinessDays(d("2026-04-01"), Number.NaN)).toThrow(RangeError);
  });
});

describe("businessDaysBetween", () => {
  it("counts business days in (a, b]", () => {
    expect(businessDaysBetween(d("2026-04-01"), d("2026-04-16"))).toBe(10);
    expect(businessDaysBetween(d("2026-04-01"), d("2026-04-24"))).toBe(15);
    expect(businessDaysBetween(d("2026-04-01"), d("2026-04-01"))).toBe(0);
    expect(businessDaysBetween(d("2026-04-02"), d("2026-04-05"))).toBe(0); // Fri holiday + weekend
  });

  it("is negative when b < a", () => {
    expect(businessDaysBetween(d("2026-04-24"), d("2026-04-01"))).toBe(-15);
  });

  it("agrees with a day-by-day count over a whole year", () => {
    let manual = 0;
    for (let day = d("2025-12-31").epochDay() + 1; day <= d("2026-12-31").epochDay(); day++) {
      if (isBusinessDay(DateValue.fromEpochDay(day))) manual++;
    }
    // 261 weekdays in 2026, minus the 9 national holidays that fall on a weekday.
    expect(manual).toBe(252);
    expect(businessDaysBetween(d("2025-12-31"), d("2026-12-31"))).toBe(252);
  });

  it("rejects spans that are too long", () => {
    const a = d("2000-01-01");
    expect(() => businessDaysBetween(a, DateValue.fromEpochDay(a.epochDay() + MAX_SPAN_DAYS + 1))).toThrow(RangeError);
  });
});

describe("extra holidays (e.g. state or municipal ones)", () => {
  it("are days off like the national ones, and businessDaysBetween agrees with a day-by-day count", () => {
    const extra = [d("2026-01-20"), d("2026-06-04"), d("2026-11-20"), d("2026-12-26")]; // Tue, Thu, national, Sat
    expect(isBusinessDay(d("2026-01-20"), extra)).toBe(false);
    expect(isBusinessDay(d("2026-01-21"), extra)).toBe(true);
    let manual = 0;
    for (let day = d("2025-12-31").epochDay() + 1; day <= d("2026-12-31").epochDay(); day++) {
      if (isBusinessDay(DateValue.fromEpochDay(day), extra)) manual++;
    }
    expect(manual).toBe(250);
    expect(businessDaysBetween(d("2025-12-31"), d("2026-12-31"), extra)).toBe(250);
    expect(businessDaysBetween(d("2026-12-31"), d("2025-12-31"), extra)).toBe(-250);
    expect(iso(addBusinessDays(d("2025-12-31"), 250, extra))).toBe("2026-12-31");
    expect(iso(addBusinessDays(d("2026-12-31"), -250, extra))).toBe("2025-12-31");
  });
});

describe("properties", () => {
  const dateArb = fc
    .integer({ min: new DateValue(1990, 1, 1).epochDay(), max: new DateValue(2100, 12, 31).epochDay() })
    .map((e) => DateValue.fromEpochDay(e));

  it("businessDaysBetween agrees with a naive day-by-day count", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -120, max: 120 }), (a, delta) => {
        const b = DateValue.fromEpochDay(a.epochDay() + delta);
        let naive = 0;
        const [lo, hi] = delta >= 0 ? [a, b] : [b, a];
        for (let day = lo.epochDay() + 1; day <= hi.epochDay(); day++) {
          if (isBusinessDay(DateValue.fromEpochDay(day))) naive++;
        }
        expect(businessDaysBetween(a, b)).toBe(delta >= 0 ? naive : -naive);
      }),
    );
  });

  it("going back n business days undoes going forward from a business day", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 60 }), (start, n) => {
        const d0 = addBusinessDays(start, 0);
        const later = addBusinessDays(d0, n);
        expect(iso(addBusinessDays(later, -n))).toBe(iso(d0));
        expect(businessDaysBetween(later, d0)).toBe(-n);
      }),
    );
  });
});
