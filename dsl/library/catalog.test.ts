import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { T, type Type } from "../types.js";
import {
  DEFAULT_ZONE,
  DateTimeValue,
  DateValue,
  DurationValue,
  createRecord,
  toDisplayText,
  type Value,
} from "../values.js";
import { isBusinessDay } from "./calendar.js";
import { FUNCTIONS, getFunction } from "./catalog.js";
import type { CallContext, FunctionSpec } from "./spec.js";

const ctx: CallContext = { zone: DEFAULT_ZONE };
const date = (iso: string): DateValue => {
  const [y, m, d] = iso.split("-").map(Number);
  return new DateValue(y as number, m as number, d as number);
};

function fn(name: string): FunctionSpec {
  const f = getFunction(name);
  if (!f) throw new Error(`missing function ${name}`);
  return f;
}

function call(name: string, ...args: Value[]): Value {
  return fn(name).impl(args, ctx);
}

function returnType(name: string, args: readonly Type[]): Type {
  const r = fn(name).returns;
  return typeof r === "function" ? r(args) : r;
}

/**
 * Test-only: the literal arguments of each catalog example, built by hand (the DSL parser is not
 * available here), so that every `example.result` is checked against the real `impl`.
 */
const EXAMPLE_ARGS: readonly { readonly call: string; readonly args: readonly Value[] }[] = [
  { call: 'addBusinessDays(date("2026-04-01"), 10)', args: [date("2026-04-01"), 10] },
  {
    call: 'businessDaysBetween(date("2026-04-01"), date("2026-04-24"))',
    args: [date("2026-04-01"), date("2026-04-24")],
  },
  { call: 'isBusinessDay(date("2026-04-21"))', args: [date("2026-04-21")] },
  { call: 'daysBetween(date("2023-08-23"), date("2023-10-06"))', args: [date("2023-08-23"), date("2023-10-06")] },
  { call: "toDate(2026-04-03T01:30:00Z)", args: [new DateTimeValue(Date.UTC(2026, 3, 3, 1, 30), DEFAULT_ZONE)] },
  { call: 'date("2026-04-03")', args: ["2026-04-03"] },
  {
    call: "formatDate(date(\"2026-04-03\"), \"d 'de' MMMM 'de' yyyy\")",
    args: [date("2026-04-03"), "d 'de' MMMM 'de' yyyy"],
  },
  { call: 'length("Solicitação")', args: ["Solicitação"] },
  { call: 'lower("REEMBOLSO Negado")', args: ["REEMBOLSO Negado"] },
  { call: 'upper("ouvidoria")', args: ["ouvidoria"] },
  { call: 'trim("  protocolo 123  ")', args: ["  protocolo 123  "] },
  { call: 'isBlank("   ")', args: ["   "] },
  {
    call: 'closest("Cadastro - Falta de Cartao", ["Reembolso", "Cadastro – Falta de Cartão", "Glosa"])',
    args: ["Cadastro - Falta de Cartao", ["Reembolso", "Cadastro – Falta de Cartão", "Glosa"]],
  },
  { call: 'isValidCpf("123.456.789-09")', args: ["123.456.789-09"] },
  { call: 'isValidCnpj("11.222.333/0001-81")', args: ["11.222.333/0001-81"] },
  { call: 'onlyDigits("(11) 98765-4321")', args: ["(11) 98765-4321"] },
  { call: 'coalesce(null, "sem e-mail", "outro")', args: [null, "sem e-mail", "outro"] },
  { call: 'count(["a", "b", "c"])', args: [["a", "b", "c"]] },
  { call: "sum([150.5, 49.5, 100])", args: [[150.5, 49.5, 100]] },
  { call: 'min([date("2026-05-10"), date("2026-04-03")])', args: [[date("2026-05-10"), date("2026-04-03")]] },
  { call: "max([3, 12, 7])", args: [[3, 12, 7]] },
  { call: 'distinct(["SP", "RJ", "SP", "MG"])', args: [["SP", "RJ", "SP", "MG"]] },
  { call: 'join(["consulta", "exame", "internação"], " / ")', args: [["consulta", "exame", "internação"], " / "] },
  {
    call: 'isSorted([date("2026-04-01"), date("2026-04-01"), date("2026-04-20")])',
    args: [[date("2026-04-01"), date("2026-04-01"), date("2026-04-20")]],
  },
  {
    call: 'intersects(["A01", "B20"], ["C30", "B20"])',
    args: [
      ["A01", "B20"],
      ["C30", "B20"],
    ],
  },
  { call: "round(2.675, 2)", args: [2.675, 2] },
];

describe("catalog shape", () => {
  it("has unique names, found by getFunction", () => {
    const names = FUNCTIONS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FUNCTIONS) expect(getFunction(f.name)).toBe(f);
    expect(getFunction("noSuchFunction")).toBeUndefined();
    expect(getFunction("toString")).toBeUndefined();
  });

  it("has the expected functions", () => {
    expect(FUNCTIONS.map((f) => f.name).sort()).toEqual(
      [
        "addBusinessDays",
        "businessDaysBetween",
        "isBusinessDay",
        "daysBetween",
        "toDate",
        "date",
        "formatDate",
        "length",
        "lower",
        "upper",
        "trim",
        "isBlank",
        "closest",
        "isValidCpf",
        "isValidCnpj",
        "onlyDigits",
        "coalesce",
        "count",
        "sum",
        "min",
        "max",
        "distinct",
        "join",
        "isSorted",
        "intersects",
        "round",
      ].sort(),
    );
  });

  it.each(FUNCTIONS.map((f) => [f.name, f] as const))(
    "%s has a pt-BR doc, named params and an example call",
    (name, f) => {
      expect(f.doc.trim().length).toBeGreaterThan(10);
      // Portuguese, not English: at least one accented letter or a common Portuguese word.
      expect(f.doc).toMatch(/[áàâãéêíóôõúç]|\b(da|de|do|se|um|uma|os|as)\b/i);
      expect(f.example.call.startsWith(`${name}(`)).toBe(true);
      for (const p of f.params) expect(p.name).toMatch(/^[a-z][A-Za-z0-9]*$/);
      const firstOptional = f.params.findIndex((p) => p.optional);
      if (firstOptional >= 0) expect(f.params.slice(firstOptional).every((p) => p.optional)).toBe(true);
    },
  );
});

describe("examples", () => {
  it("covers every catalog entry exactly once", () => {
    expect(EXAMPLE_ARGS.map((e) => e.call).sort()).toEqual(FUNCTIONS.map((f) => f.example.call).sort());
  });

  it.each(EXAMPLE_ARGS.map((e) => [e.call, e] as const))("%s", (_call, e) => {
    const f = FUNCTIONS.find((x) => x.example.call === e.call);
    expect(f).toBeDefined();
    expect(toDisplayText(f?.impl(e.args, ctx))).toBe(f?.example.result);
  });
});

// ---------------------------------------------------------------------------------------------
// Totality.

const valueArb: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.string(),
    fc.constantFrom("2026-04-01", "123.456.789-09", "", "   ", "dd/MM/yyyy"),
    fc.double(),
    fc.integer(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER * 4, -0, 1e300, 5e-324),
    fc.boolean(),
    fc
      .tuple(fc.integer({ min: -3000, max: 12000 }), fc.integer({ min: -2, max: 14 }), fc.integer({ min: -2, max: 40 }))
      .map(([y, m, d]) => new DateValue(y, m, d)),
    fc.tuple(fc.double(), fc.constantFrom(DEFAULT_ZONE, "UTC", "Not/AZone")).map(([ms, z]) => new DateTimeValue(ms, z)),
    fc.tuple(fc.integer(), fc.integer()).map(([d, ms]) => new DurationValue(d, ms)),
    fc.array(tie("value"), { maxLength: 4 }),
    fc
      .dictionary(fc.string({ maxLength: 5 }), tie("value"), { maxKeys: 3 })
      .map((o) => createRecord(Object.entries(o))),
  ),
})).value;

describe("totality", () => {
  it.each(FUNCTIONS.map((f) => [f.name, f] as const))(
    "%s returns null or a boolean for all-null arguments",
    (_name, f) => {
      const arities = [f.params.length, f.params.filter((p) => !p.optional).length, ...(f.variadic ? [0, 3] : [])];
      for (const n of arities) {
        const result = f.impl(
          Array.from({ length: n }, () => null),
          ctx,
        );
        expect(result === null || typeof result === "boolean").toBe(true);
      }
      // `undefined` (a missing fact) behaves like null.
      const undef = f.impl(
        Array.from({ length: f.params.length }, () => undefined as unknown as Value),
        ctx,
      );
      expect(undef === null || typeof undef === "boolean").toBe(true);
    },
  );

  it("never throws nor returns undefined, whatever the arguments", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FUNCTIONS), fc.array(valueArb, { maxLength: 4 }), (f, args) => {
        const result = f.impl(args, ctx);
        expect(result).not.toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Behaviour of individual functions.

describe("calendar functions", () => {
  it("convert a date-time to its calendar date in its zone first", () => {
    // 2026-04-03T01:30Z is still April 2 (22:30) in São Paulo, a business day: +1 → April 6.
    const dt = new DateTimeValue(Date.UTC(2026, 3, 3, 1, 30), DEFAULT_ZONE);
    expect((call("addBusinessDays", dt, 1) as DateValue).toISO()).toBe("2026-04-06");
    expect(call("isBusinessDay", dt)).toBe(true);
    expect(call("isBusinessDay", new DateTimeValue(Date.UTC(2026, 3, 3, 1, 30), "UTC"))).toBe(false);
    expect(call("businessDaysBetween", date("2026-04-01"), dt)).toBe(1);
  });

  it("return null for out-of-domain arguments", () => {
    expect(call("addBusinessDays", date("2026-04-01"), 1.5)).toBeNull();
    expect(call("addBusinessDays", date("2026-04-01"), 10_000_000)).toBeNull();
    expect(call("addBusinessDays", "2026-04-01", 1)).toBeNull();
    expect(call("addBusinessDays", new DateValue(2026, 2, 31), 1)).toBeNull();
    expect(call("businessDaysBetween", date("1000-01-01"), date("9000-01-01"))).toBeNull();
    expect(call("isBusinessDay", 3)).toBeNull();
  });

  it("skip the extra holidays of the optional list (e.g. state or municipal ones)", () => {
    // Corpus Christi 2026 (Thursday June 4) is not a national holiday; a rule set may declare it.
    const extra = [date("2026-06-04")];
    expect(call("isBusinessDay", date("2026-06-04"))).toBe(true);
    expect(call("isBusinessDay", date("2026-06-04"), extra)).toBe(false);
    expect(call("isBusinessDay", date("2026-06-05"), extra)).toBe(true);
    expect((call("addBusinessDays", date("2026-06-03"), 1) as DateValue).toISO()).toBe("2026-06-04");
    expect((call("addBusinessDays", date("2026-06-03"), 1, extra) as DateValue).toISO()).toBe("2026-06-05");
    expect((call("addBusinessDays", date("2026-06-04"), 0, extra) as DateValue).toISO()).toBe("2026-06-05");
    expect((call("addBusinessDays", date("2026-06-05"), -1, extra) as DateValue).toISO()).toBe("2026-06-03");
    expect(call("businessDaysBetween", date("2026-06-03"), date("2026-06-05"))).toBe(2);
    expect(call("businessDaysBetween", date("2026-06-03"), date("2026-06-05"), extra)).toBe(1);
    expect(call("businessDaysBetween", date("2026-06-05"), date("2026-06-03"), extra)).toBe(-1);
    // A Sunday, a national holiday, a repeated day or an empty list change nothing.
    const redundant = [date("2026-06-07"), date("2026-04-21"), date("2026-04-21")];
    expect(call("businessDaysBetween", date("2026-04-01"), date("2026-06-30"), redundant)).toBe(
      call("businessDaysBetween", date("2026-04-01"), date("2026-06-30")),
    );
    expect(call("businessDaysBetween", date("2026-04-01"), date("2026-04-24"), [])).toBe(15);
  });

  it("return null for an extra-holiday list that is null or holds a non-date", () => {
    expect(call("isBusinessDay", date("2026-06-04"), null)).toBeNull();
    expect(call("addBusinessDays", date("2026-06-03"), 1, [date("2026-06-04"), null])).toBeNull();
    expect(call("businessDaysBetween", date("2026-06-03"), date("2026-06-05"), ["2026-06-04"])).toBeNull();
    expect(call("isBusinessDay", date("2026-06-04"), [new DateValue(2026, 2, 31)])).toBeNull();
  });

  it("daysBetween counts calendar days, not 24-hour periods", () => {
    expect(call("daysBetween", date("2023-08-23"), date("2023-10-06"))).toBe(44);
    expect(call("daysBetween", date("2023-10-06"), date("2023-08-23"))).toBe(-44);
    // 23:30 → 00:10 the next day (São Paulo) is one calendar day.
    const late = new DateTimeValue(Date.UTC(2026, 3, 3, 2, 30), DEFAULT_ZONE); // 2026-04-02 23:30 -03:00
    const early = new DateTimeValue(Date.UTC(2026, 3, 3, 3, 10), DEFAULT_ZONE); // 2026-04-03 00:10 -03:00
    expect(call("daysBetween", late, early)).toBe(1);
    expect(call("daysBetween", date("2024-02-28"), date("2024-03-01"))).toBe(2); // leap year
  });

  it("toDate, date and formatDate", () => {
    expect(call("toDate", date("2026-04-03"))).toEqual(date("2026-04-03"));
    expect(call("date", "2026-02-29")).toBeNull();
    expect(call("date", "03/04/2026")).toBeNull();
    expect(call("date", "2024-02-29")).toEqual(date("2024-02-29"));
    expect(call("formatDate", date("2026-04-03"), "dd/MM/yyyy")).toBe("03/04/2026");
    expect(call("formatDate", date("2026-04-03"), "cccc")).toBe("sexta-feira");
    const dt = new DateTimeValue(Date.UTC(2026, 3, 3, 14, 5), DEFAULT_ZONE);
    expect(call("formatDate", dt, "dd/MM/yyyy HH:mm")).toBe("03/04/2026 11:05");
    expect(call("formatDate", new DateValue(2026, 13, 1), "dd/MM/yyyy")).toBeNull();
    expect(call("formatDate", new DateTimeValue(0, "Not/AZone"), "dd/MM/yyyy")).toBeNull();
  });

  it("for any date d and n in 0..60, addBusinessDays lands on a business day n business days later", () => {
    const dateArb = fc
      .integer({ min: date("1995-01-01").epochDay(), max: date("2060-12-31").epochDay() })
      .map((e) => DateValue.fromEpochDay(e));
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 60 }), (d, n) => {
        const result = call("addBusinessDays", d, n);
        expect(result).toBeInstanceOf(DateValue);
        const r = result as DateValue;
        if (n > 0) {
          expect(call("isBusinessDay", r)).toBe(true);
          expect(call("businessDaysBetween", d, r)).toBe(n);
        }
        if (isBusinessDay(d)) expect(call("businessDaysBetween", d, r)).toBe(n);
        if (n === 0) expect(call("isBusinessDay", r)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("text and document functions", () => {
  it("length counts characters (code points) and list items", () => {
    expect(call("length", "")).toBe(0);
    expect(call("length", "😀a")).toBe(2);
    expect(call("length", [1, null, 3])).toBe(3);
    expect(call("length", 12)).toBeNull();
  });

  it("lower, upper, trim", () => {
    expect(call("lower", "AÇÃO")).toBe("ação");
    expect(call("upper", "ação")).toBe("AÇÃO");
    expect(call("trim", "\t x \n")).toBe("x");
    expect(call("upper", 1)).toBeNull();
  });

  it("isBlank", () => {
    expect(call("isBlank", null)).toBe(true);
    expect(call("isBlank", "")).toBe(true);
    expect(call("isBlank", " \n\t")).toBe(true);
    expect(call("isBlank", [])).toBe(true);
    expect(call("isBlank", "x")).toBe(false);
    expect(call("isBlank", [null])).toBe(false);
    expect(call("isBlank", 0)).toBe(false);
    expect(call("isBlank", false)).toBe(false);
  });

  it("documents", () => {
    expect(call("isValidCpf", "12345678909")).toBe(true);
    expect(call("isValidCpf", "12345678900")).toBe(false);
    expect(call("isValidCpf", 12345678909)).toBeNull();
    expect(call("isValidCnpj", "11222333000181")).toBe(true);
    expect(call("isValidCnpj", "11222333000180")).toBe(false);
    expect(call("onlyDigits", "a1b2")).toBe("12");
  });
});

describe("closest", () => {
  const SERVICOS = [
    "Autorização Prévia",
    "Cadastro – Inclusão/alteração de titular",
    "Cadastro – Inclusão/Renovação/exclusão de beneficiários dependentes",
    "Cadastro – Renovação de aposentado/pensionista titular",
    "Financeiro – Parcelas não descontadas",
    "Reembolso",
  ];

  it("ignores case, accents, the kind of dash and extra spaces, closest first", () => {
    expect(call("closest", "Cadastro - Inclusão/alteração de titular", SERVICOS)).toEqual([
      "Cadastro – Inclusão/alteração de titular",
    ]);
    expect(call("closest", "Reembolsos", ["Reembols", "Glosa", "Reembolso"])).toEqual(["Reembolso", "Reembols"]);
    expect(call("closest", "  AUTORIZACAO   previa ", SERVICOS, 1)).toEqual(["Autorização Prévia"]);
    expect(call("closest", "Autorizac\u0327a\u0303o Pre\u0301via", SERVICOS, 1)).toEqual(["Autorização Prévia"]);
    // An adjacent swap is one edit (Damerau): "Reebmolso" is as close as one typo.
    expect(call("closest", "Reebmolso", ["Reembolso"])).toEqual(["Reembolso"]);
    expect(call("closest", "Reclamacao", ["Reclamação"], 1)).toEqual(["Reclamação"]);
  });

  it("leaves unrelated candidates out: no suggestion is an empty list", () => {
    expect(call("closest", "Elogio ao atendimento", SERVICOS)).toEqual([]);
    expect(call("closest", "Glosa", SERVICOS)).toEqual([]);
    expect(call("closest", "Solicitação", ["Reclamação"])).toEqual([]);
    expect(call("closest", "", SERVICOS)).toEqual([]);
    expect(call("closest", "x".repeat(10_000), ["x".repeat(10_000)])).toEqual([]);
  });

  it("returns at most n (3 by default), keeps the candidates' order on ties and drops repeated candidates", () => {
    const near = ["abcx", "abcy", "abcz", "abcw", "abcx"];
    expect(call("closest", "abcd", near)).toEqual(["abcx", "abcy", "abcz"]);
    expect(call("closest", "abcd", near, 10)).toEqual(["abcx", "abcy", "abcz", "abcw"]);
    expect(call("closest", "abcd", near, 0)).toEqual([]);
    expect(call("closest", "abcd", near, -1)).toEqual([]);
    expect(call("closest", "abcd", ["abcd", null, 3, "abce"])).toEqual(["abcd", "abce"]);
  });

  it("is null for null or wrong arguments", () => {
    expect(call("closest", null, SERVICOS)).toBeNull();
    expect(call("closest", "a", null)).toBeNull();
    expect(call("closest", "a", SERVICOS, 1.5)).toBeNull();
    expect(call("closest", "a", "abc")).toBeNull();
    expect(returnType("closest", [T.string, T.list(T.string)])).toEqual(T.list(T.string));
  });
});

describe("list and value functions", () => {
  it("coalesce", () => {
    expect(call("coalesce")).toBeNull();
    expect(call("coalesce", null, null)).toBeNull();
    expect(call("coalesce", null, 0, 1)).toBe(0);
    expect(call("coalesce", "", "x")).toBe("");
    expect(returnType("coalesce", [T.null, T.string, T.integer])).toEqual(T.string);
    expect(returnType("coalesce", [T.null])).toEqual(T.null);
  });

  it("count and sum", () => {
    expect(call("count", [])).toBe(0);
    expect(call("sum", [])).toBe(0);
    expect(call("sum", [1, null, 2])).toBe(3);
    expect(call("sum", [1, "2"])).toBeNull();
    expect(call("sum", [Number.MAX_VALUE, Number.MAX_VALUE])).toBeNull();
    expect(returnType("sum", [T.list(T.integer)])).toEqual(T.integer);
    expect(returnType("sum", [T.list(T.number)])).toEqual(T.number);
  });

  it("min and max", () => {
    expect(call("min", [])).toBeNull();
    expect(call("min", [null, 5, null, 2])).toBe(2);
    expect(call("max", ["b", "a", "c"])).toBe("c");
    expect(call("max", [1, "a"])).toBeNull();
    expect(call("max", [new DurationValue(1, 0), new DurationValue(0, 3_600_000)])).toEqual(new DurationValue(1, 0));
    expect(returnType("min", [T.list(T.date)])).toEqual(T.date);
    expect(returnType("max", [T.any])).toEqual(T.any);
  });

  it("distinct keeps the first occurrence, comparing by value", () => {
    expect(call("distinct", [3, 1, 3, 2, 1])).toEqual([3, 1, 2]);
    expect(
      (call("distinct", [date("2026-04-01"), date("2026-04-01"), date("2026-04-02")]) as DateValue[]).map((d) =>
        d.toISO(),
      ),
    ).toEqual(["2026-04-01", "2026-04-02"]);
    expect(
      call("distinct", [
        [1, 2],
        [1, 2],
        [2, 1],
      ]),
    ).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(call("distinct", [null, null, "1", 1])).toEqual([null, "1", 1]);
    expect(returnType("distinct", [T.list(T.string)])).toEqual(T.list(T.string));
  });

  it("join of a date-time out of range, even inside a record, is null, not an exception", () => {
    const far = new DateTimeValue(8_640_000_000_000_001, DEFAULT_ZONE);
    expect(call("join", [createRecord([["a", createRecord([["b", far]])]])], "")).toBeNull();
  });

  it("join", () => {
    expect(call("join", [date("2026-04-03"), 2, true], "; ")).toBe("03/04/2026; 2; true");
    expect(call("join", [], ",")).toBe("");
    expect(call("join", ["a"], null)).toBeNull();
  });

  it("isSorted", () => {
    expect(call("isSorted", [])).toBe(true);
    expect(call("isSorted", [1, 1, 2])).toBe(true);
    expect(call("isSorted", [2, 1])).toBe(false);
    expect(call("isSorted", [1, "a"])).toBeNull();
    expect(call("isSorted", [1, null])).toBeNull();
  });

  it("intersects", () => {
    expect(call("intersects", [1, 2], [3, 2])).toBe(true);
    expect(call("intersects", [1, 2], [])).toBe(false);
    expect(call("intersects", ["1"], [1])).toBe(false);
    expect(call("intersects", [date("2026-04-01")], [date("2026-04-01")])).toBe(true);
    expect(call("intersects", [[1]], [[1]])).toBe(true);
  });

  it("round", () => {
    expect(call("round", 2.675, 2)).toBe(2.68);
    expect(call("round", 1.005, 2)).toBe(1.01);
    expect(call("round", 2.5)).toBe(3);
    expect(call("round", -2.5)).toBe(-3);
    expect(Object.is(call("round", -0.4), 0)).toBe(true);
    expect(call("round", 1234.5678, -2)).toBe(1200);
    expect(call("round", 1e300, 2)).toBe(1e300);
    expect(call("round", 1e-7, 2)).toBe(0);
    expect(call("round", 1.5, 1.5)).toBeNull();
    expect(call("round", 1.5, null)).toBeNull();
    expect(returnType("round", [T.number])).toEqual(T.integer);
    expect(returnType("round", [T.number, T.integer])).toEqual(T.number);
  });
});
