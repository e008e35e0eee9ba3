/**
 * Zone offsets and date-time arithmetic on epoch milliseconds (dsl/zone.ts, dsl/values.ts) against
 * luxon, the reference they replace on the hot path: random instants in zones with and without
 * daylight saving time (São Paulo before 2019 had it; Lord Howe moves by 30 minutes; LMT offsets
 * before 1914 are fractions of a minute), and the documented answers for local times that a clock
 * change skips (gap) or repeats (overlap), where luxon's answer depends on the current moment.
 */
import fc from "fast-check";
import { DateTime, IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import {
  addDuration,
  compareValues,
  DateTimeValue,
  DateValue,
  DurationValue,
  isDateTimeText,
  parseDateTime,
  toDisplayText,
} from "../dsl/values.js";
import { isValidZone, MAX_CACHED_HOURS, offsetMinutes, zoneRule } from "../dsl/zone.js";

const ZONES = [
  "America/Sao_Paulo",
  "America/Manaus",
  "America/Noronha",
  "Europe/Lisbon",
  "America/New_York",
  "UTC",
  "Etc/UTC",
  "UTC-3",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
] as const;

const zoneArb = fc.constantFrom(...ZONES);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Instants from 1850 to 2100 (LMT, Brazil's DST years, today), at whole minutes or any millisecond. */
const instantArb = fc.oneof(
  fc.integer({ min: Date.UTC(1850, 0, 1), max: Date.UTC(2100, 0, 1) }),
  fc.integer({ min: Date.UTC(1985, 0, 1) / 60_000, max: Date.UTC(2030, 0, 1) / 60_000 }).map((m) => m * 60_000),
);

const luxonZone = (zone: string) => DateTime.fromMillis(0, { zone }).zone;

/**
 * How many instants show this wall-clock time in the zone (luxon's offsets): 1 normally, 0 in a
 * gap, 2 in an overlap.
 */
function occurrences(zone: string, wallMs: number): number {
  const z = luxonZone(zone);
  const offsets = new Set([z.offset(wallMs - DAY), z.offset(wallMs + DAY)]);
  let n = 0;
  for (const o of offsets) if (z.offset(wallMs - o * 60_000) === o) n++;
  return n;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** A wall-clock time as the text `yyyy-mm-ddThh:mm:ss.fff` and as epoch ms read as UTC. */
const wallArb = fc
  .record({
    year: fc.integer({ min: 1850, max: 2099 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    ms: fc.integer({ min: 0, max: 999 }),
  })
  .map((f) => ({
    text: `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}.${pad(f.ms, 3)}`,
    wallMs: Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.ms),
  }));

const offsetTextArb = fc
  .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 15, 30, 45))
  .map(([s, h, m]) => `${s}${pad(h)}:${pad(m)}`);

const RUNS = { numRuns: 400 };

describe("zone offsets", () => {
  it("agree with luxon's at random instants in every zone", () => {
    fc.assert(
      fc.property(zoneArb, instantArb, (zone, ms) => {
        const rule = zoneRule(zone);
        expect(rule).toBeDefined();
        if (rule) expect(offsetMinutes(rule, ms)).toBe(luxonZone(zone).offset(ms));
      }),
      RUNS,
    );
  });

  it("agree with luxon's second by second across transitions (cached hours hold no transition)", () => {
    // São Paulo's last DST end (2019-02-17 02:00Z) and start (2018-11-04 03:00Z); Lord Howe's
    // 30-minute change (2026-04-04 15:00Z); São Paulo's LMT end at 03:06:28Z on 1914-01-01.
    const transitions: [string, number][] = [
      ["America/Sao_Paulo", Date.UTC(2019, 1, 17, 2)],
      ["America/Sao_Paulo", Date.UTC(2018, 10, 4, 3)],
      ["Australia/Lord_Howe", Date.UTC(2026, 3, 4, 15)],
      ["America/Sao_Paulo", Date.UTC(1914, 0, 1, 3, 6, 28)],
    ];
    for (const [zone, at] of transitions) {
      const rule = zoneRule(zone);
      if (!rule) throw new Error(zone);
      const z = luxonZone(zone);
      expect(z.offset(at - 1000)).not.toBe(z.offset(at));
      // Read the hour after the transition first, then every second around it.
      offsetMinutes(rule, at + 1000);
      for (let t = at - 3 * 60_000; t <= at + 3 * 60_000; t += 1000) {
        expect(offsetMinutes(rule, t)).toBe(z.offset(t));
      }
    }
  });

  it("a zone's cache is bounded", () => {
    const rule = zoneRule("America/Manaus");
    if (rule?.kind !== "iana") throw new Error("iana expected");
    for (let i = 0; i <= MAX_CACHED_HOURS + 10; i++) offsetMinutes(rule, Date.UTC(1990, 0, 1) + i * HOUR);
    expect(rule.cache.size).toBeLessThanOrEqual(MAX_CACHED_HOURS);
    expect(offsetMinutes(rule, Date.UTC(1990, 0, 1))).toBe(-240);
  });

  it("read zone names as luxon does", () => {
    for (const zone of [...ZONES, "utc", "GMT", "UTC+05:30", "utc-0", "Not/AZone", "", "local", "America/sao_paulo"]) {
      expect(isValidZone(zone)).toBe(luxonZone(zone).isValid);
      const rule = zoneRule(zone);
      if (rule) expect(offsetMinutes(rule, Date.UTC(2026, 0, 1))).toBe(luxonZone(zone).offset(Date.UTC(2026, 0, 1)));
    }
    expect(IANAZone.isValidZone("Not/AZone")).toBe(false);
    expect(zoneRule("Not/AZone")).toBeUndefined();
  });
});

describe("date-times against luxon", () => {
  const luxonParse = (text: string, zone: string) => {
    const dt = DateTime.fromISO(text, { zone, setZone: false });
    return dt.isValid ? dt.toMillis() : undefined;
  };

  it("parse a text with an offset", () => {
    fc.assert(
      fc.property(zoneArb, wallArb, offsetTextArb, (zone, { text }, offset) => {
        expect(parseDateTime(text + offset, zone)?.epochMs).toBe(luxonParse(text + offset, zone));
        expect(parseDateTime(`${text}Z`, zone)?.epochMs).toBe(luxonParse(`${text}Z`, zone));
      }),
      RUNS,
    );
  });

  it("parse a text without an offset in the zone (times that happen exactly once)", () => {
    fc.assert(
      fc.property(zoneArb, wallArb, (zone, { text, wallMs }) => {
        fc.pre(occurrences(zone, wallMs) === 1);
        expect(parseDateTime(text, zone)?.epochMs).toBe(luxonParse(text, zone));
        const short = text.slice(0, 16); // yyyy-mm-ddThh:mm
        if (occurrences(zone, Date.parse(`${short}Z`)) === 1)
          expect(parseDateTime(short, zone)?.epochMs).toBe(luxonParse(short, zone));
      }),
      RUNS,
    );
  });

  it("reject what luxon rejects, accept what it accepts", () => {
    const texts = [
      "2026-02-29T10:00",
      "2024-02-29T10:00",
      "2026-04-31T10:00",
      "2026-13-01T10:00",
      "2026-00-10T10:00",
      "2026-04-00T10:00",
      "2026-04-02T24:00",
      "2026-04-02T24:00:00.000",
      "2026-04-02T24:00:01",
      "2026-04-02T24:01",
      "2026-04-02T25:00",
      "2026-04-02T10:60",
      "2026-04-02T10:59:60",
      "2026-04-02T10:59:59.999999999",
      "2026-04-02T10:00:00.1",
      "2026-04-02T10:00-00:30",
      "2026-04-02T10:00+99:99",
      "0000-01-01T00:00",
      "0099-12-31T23:59Z",
      "2026-04-02 10:00",
      "2026-04-02T10:00z",
      "2026-04-02",
    ];
    for (const text of texts) {
      const luxon = /^\d{4}-\d{2}-\d{2}T/.test(text) && !/z$| /.test(text) ? luxonParse(text, "UTC") : undefined;
      expect(parseDateTime(text, "UTC")?.epochMs, text).toBe(luxon);
      expect(isDateTimeText(text), text).toBe(luxon !== undefined);
    }
    expect(parseDateTime("2026-04-02T10:00", "Not/AZone")).toBeUndefined();
    expect(parseDateTime("2026-04-02T10:00Z", "Not/AZone")).toBeUndefined();
  });

  it("accept exactly the texts luxon accepts (the fact format check needs no zone conversion)", () => {
    const digits = (n: number, max: number) => fc.integer({ min: 0, max }).map((x) => pad(x, n));
    const textArb = fc
      .tuple(
        digits(4, 9999),
        digits(2, 13),
        digits(2, 32),
        digits(2, 25),
        digits(2, 61),
        fc.option(digits(2, 61)),
        fc.option(fc.stringMatching(/^[0-9]{1,9}$/)),
        fc.option(fc.oneof(fc.constant("Z"), offsetTextArb)),
      )
      .map(
        ([y, mo, d, h, mi, sec, frac, off]) =>
          `${y}-${mo}-${d}T${h}:${mi}${sec === null ? "" : `:${sec}${frac === null ? "" : `.${frac}`}`}${off ?? ""}`,
      );
    fc.assert(
      fc.property(textArb, zoneArb, (text, zone) => {
        const luxon = luxonParse(text, zone);
        expect(isDateTimeText(text)).toBe(luxon !== undefined);
        if (luxon !== undefined && /Z|[+-]\d\d:\d\d$/.test(text))
          expect(parseDateTime(text, zone)?.epochMs).toBe(luxon);
      }),
      { numRuns: 1000 },
    );
  });

  it("toISO, toDate and the display text", () => {
    fc.assert(
      fc.property(zoneArb, instantArb, (zone, ms) => {
        const v = new DateTimeValue(ms, zone);
        const l = DateTime.fromMillis(ms, { zone });
        expect(v.toISO()).toBe(l.toISO());
        expect(v.toDate()).toEqual(new DateValue(l.year, l.month, l.day));
        expect(toDisplayText(v)).toBe(l.toFormat("dd/MM/yyyy HH:mm"));
      }),
      RUNS,
    );
    expect(new DateTimeValue(Date.UTC(2026, 3, 2, 14, 30), "UTC").toISO()).toBe("2026-04-02T14:30:00.000Z");
    expect(new DateTimeValue(Date.UTC(2026, 3, 2, 14, 30), "Etc/UTC").toISO()).toBe("2026-04-02T14:30:00.000+00:00");
    expect(new DateTimeValue(Date.UTC(2026, 3, 2, 14, 30)).toISO()).toBe("2026-04-02T11:30:00.000-03:00");
  });

  it("toISO and toDate at the edges of the Date range and for unknown zones, as luxon", () => {
    for (const ms of [8.64e15, -8.64e15, 8.64e15 - 1, -62_198_755_200_000, 253_402_300_800_000, 0.5, -0.5]) {
      for (const zone of ["America/Sao_Paulo", "UTC", "Asia/Kolkata"]) {
        const v = new DateTimeValue(ms, zone);
        const l = DateTime.fromMillis(ms, { zone });
        expect(v.toISO()).toBe(l.toISO() ?? new Date(ms).toISOString());
        expect(v.toDate()).toEqual(new DateValue(l.year, l.month, l.day));
        expect(toDisplayText(v)).toBe(l.toFormat("dd/MM/yyyy HH:mm"));
      }
    }
    const unknown = new DateTimeValue(0, "Not/AZone");
    expect(unknown.toISO()).toBe("1970-01-01T00:00:00.000Z");
    expect(unknown.toDate().year).toBeNaN();
    expect(toDisplayText(unknown)).toBe("Invalid DateTime");
    expect(() => new DateTimeValue(8.64e15 + 1).toISO()).toThrow(RangeError);
  });

  it("add days on the wall clock and clock time on the instant", () => {
    fc.assert(
      fc.property(
        zoneArb,
        instantArb,
        fc.integer({ min: -400, max: 400 }),
        fc.oneof(
          fc.constant(0),
          fc.integer({ min: -1000, max: 1000 }).map((h) => h * 30 * 60_000),
          fc.integer(),
        ),
        fc.constantFrom(1, -1) as fc.Arbitrary<1 | -1>,
        (zone, ms, days, millis, sign) => {
          const base = new DateTimeValue(ms, zone);
          const got = addDuration(base, new DurationValue(days, millis), sign) as DateTimeValue;
          const want = DateTime.fromMillis(ms, { zone })
            .plus({ days: sign * days, milliseconds: sign * millis })
            .toMillis();
          expect(got).toBeInstanceOf(DateTimeValue);
          expect(got.epochMs).toBe(want);
          expect(got.zone).toBe(zone);
        },
      ),
      RUNS,
    );
  });

  it("start of day (a date against a date-time) and date + clock time", () => {
    fc.assert(
      fc.property(
        zoneArb,
        fc.integer({ min: -43_000, max: 47_000 }),
        fc.integer({ min: -48, max: 48 }),
        (zone, epochDay, hours) => {
          const d = DateValue.fromEpochDay(epochDay);
          fc.pre(occurrences(zone, epochDay * DAY) === 1);
          const start = DateTime.fromObject({ year: d.year, month: d.month, day: d.day }, { zone });
          expect(compareValues(d, new DateTimeValue(start.toMillis(), zone))).toBe(0);
          expect(compareValues(d, new DateTimeValue(start.toMillis() - 1, zone))).toBe(1);
          expect(compareValues(new DateTimeValue(start.toMillis() + 1, zone), d)).toBe(1);
          const got = addDuration(d, new DurationValue(1, hours * HOUR + 60_000), 1, zone) as DateTimeValue;
          expect(got.epochMs).toBe(start.plus({ days: 1, milliseconds: hours * HOUR + 60_000 }).toMillis());
        },
      ),
      RUNS,
    );
  });

  it("out-of-range and fractional cases still give luxon's answers", () => {
    const far = new DateTimeValue(8.64e15 - DAY, "America/Sao_Paulo");
    const l = far.toLuxon();
    expect((addDuration(far, new DurationValue(5, 0)) as DateTimeValue).epochMs).toBeNaN();
    expect(l.plus({ days: 5 }).toMillis()).toBeNaN();
    expect((addDuration(far, new DurationValue(0, 1)) as DateTimeValue).epochMs).toBe(
      l.plus({ milliseconds: 1 }).toMillis(),
    );
    expect((addDuration(new DateTimeValue(0.75, "UTC"), new DurationValue(0, 1000)) as DateTimeValue).epochMs).toBe(
      1000,
    );
    expect(
      (addDuration(new DateTimeValue(0, "Not/AZone"), new DurationValue(1, 0)) as DateTimeValue).epochMs,
    ).toBeNaN();
    expect(compareValues(new DateValue(2026, 2, 31), new DateTimeValue(0))).toBeNaN();
    expect(compareValues(new DateValue(2026, 2, 1), new DateTimeValue(0, "Not/AZone"))).toBeNaN();
  });
});

describe("local times skipped or repeated by a clock change (compatible disambiguation)", () => {
  const iso = (text: string, zone: string) => parseDateTime(text, zone)?.toISO();

  it("a skipped time moves forward by the gap", () => {
    // São Paulo, 2018-11-04: 00:00 → 01:00.
    expect(iso("2018-11-04T00:30", "America/Sao_Paulo")).toBe("2018-11-04T01:30:00.000-02:00");
    expect(iso("2018-11-04T00:00", "America/Sao_Paulo")).toBe("2018-11-04T01:00:00.000-02:00");
    // New York, 2026-03-08: 02:00 → 03:00.
    expect(iso("2026-03-08T02:30", "America/New_York")).toBe("2026-03-08T03:30:00.000-04:00");
    // Lord Howe, 2026-10-04: 02:00 → 02:30.
    expect(iso("2026-10-04T02:15", "Australia/Lord_Howe")).toBe("2026-10-04T02:45:00.000+11:00");
    // Lisbon, 2026-03-29: 01:00 → 02:00.
    expect(iso("2026-03-29T01:59:59.999", "Europe/Lisbon")).toBe("2026-03-29T02:59:59.999+01:00");
  });

  it("a repeated time is the earlier instant", () => {
    // São Paulo, 2018-02-18 00:00 → 2018-02-17 23:00: 23:xx happens at -02:00, then at -03:00.
    expect(iso("2018-02-17T23:30", "America/Sao_Paulo")).toBe("2018-02-17T23:30:00.000-02:00");
    expect(iso("2018-02-17T22:59", "America/Sao_Paulo")).toBe("2018-02-17T22:59:00.000-02:00");
    expect(iso("2018-02-18T00:00", "America/Sao_Paulo")).toBe("2018-02-18T00:00:00.000-03:00");
    // New York, 2026-11-01: 02:00 → 01:00.
    expect(iso("2026-11-01T01:30", "America/New_York")).toBe("2026-11-01T01:30:00.000-04:00");
    // Lord Howe, 2026-04-05: 02:00 → 01:30.
    expect(iso("2026-04-05T01:45", "Australia/Lord_Howe")).toBe("2026-04-05T01:45:00.000+11:00");
  });

  it("the start of a day that begins in a gap is the first instant after it", () => {
    const day = new DateValue(2018, 11, 4);
    const first = parseDateTime("2018-11-04T01:00-02:00", "America/Sao_Paulo");
    expect(compareValues(day, first)).toBe(0);
    const plus = addDuration(day, new DurationValue(0, HOUR), 1, "America/Sao_Paulo") as DateTimeValue;
    expect(plus.toISO()).toBe("2018-11-04T02:00:00.000-02:00");
  });

  it("adding days to a date-time keeps its own offset in an overlap, as luxon's plus", () => {
    const before = parseDateTime("2018-02-16T23:30-02:00", "America/Sao_Paulo") as DateTimeValue;
    const after = parseDateTime("2018-02-18T23:30-03:00", "America/Sao_Paulo") as DateTimeValue;
    const oneDay = new DurationValue(1, 0);
    expect((addDuration(before, oneDay) as DateTimeValue).toISO()).toBe("2018-02-17T23:30:00.000-02:00");
    expect((addDuration(after, oneDay, -1) as DateTimeValue).toISO()).toBe("2018-02-17T23:30:00.000-03:00");
    // Across the start of DST: a day keeps the time of day (after the gap), 24 hours do not.
    const eve = parseDateTime("2018-11-03T00:30", "America/Sao_Paulo") as DateTimeValue;
    expect((addDuration(eve, oneDay) as DateTimeValue).toISO()).toBe("2018-11-04T01:30:00.000-02:00");
    expect((addDuration(eve, new DurationValue(0, 24 * HOUR)) as DateTimeValue).toISO()).toBe(
      "2018-11-04T01:30:00.000-02:00",
    );
    const noon = parseDateTime("2018-11-03T12:00", "America/Sao_Paulo") as DateTimeValue;
    expect((addDuration(noon, oneDay) as DateTimeValue).toISO()).toBe("2018-11-04T12:00:00.000-02:00");
    expect((addDuration(noon, new DurationValue(0, 24 * HOUR)) as DateTimeValue).toISO()).toBe(
      "2018-11-04T13:00:00.000-02:00",
    );
  });
});
