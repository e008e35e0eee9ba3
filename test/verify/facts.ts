/**
 * fast-check arbitraries of facts for a rule set, built from its fact schema (the rule-set model):
 * boundaries (minimum/maximum and one past them, 0, -1, integer edges), missing optionals,
 * explicit nulls where nullable (and sometimes where not), enum values and near misses (NFD,
 * spaces at the ends, another case), Unicode (NFD forms, emoji), dates around Brazilian national
 * holidays and year ends, date-times around São Paulo's DST changes (until 2019), with and without
 * offsets, lists of 0–4 items, objects with their declared fields; and, so that rules actually
 * fire, the rule set's own literals (table cells, constants, expression literals) as values. Now
 * and then a fact is left out when required, mistyped or misspelt: the facts must then be refused
 * by both sides.
 */
import fc from "fast-check";
import type { FieldDecl, RuleSetModel, TypeDecl } from "../../dsl/ruleset/model.js";
import { type Expr, type UnaryTest, walkExpr } from "../../dsl/syntax/ast.js";
import { isDateTimeText } from "../../dsl/values.js";

/** Literal values written in a rule set, by kind. */
export interface Literals {
  readonly strings: readonly string[];
  readonly numbers: readonly number[];
  readonly dates: readonly string[];
  readonly dateTimes: readonly string[];
  /** Values compared with a name (`servico == "Reembolso"`, a table column `servico`), by the name's last part. */
  readonly byName: ReadonlyMap<string, readonly unknown[]>;
}

/** The last name of a name or member path (`protocolo.status` → `status`), else undefined. */
function lastName(e: Expr): string | undefined {
  if (e.kind === "name") return e.name;
  if (e.kind === "member") return e.property;
  return undefined;
}

/** The value of a literal or of a constant written as one (JSON form: dates as text); else undefined. */
function constantOf(e: Expr, model: RuleSetModel, depth = 0): unknown[] | undefined {
  if (e.kind === "literal") return "value" in e.literal ? [e.literal.value] : [null];
  if (e.kind === "list" && depth === 0) {
    const items = e.items.map((i) => constantOf(i, model, 1));
    return items.every((i) => i !== undefined) ? items.flat() : undefined;
  }
  if (e.kind === "name") {
    const c = model.constants.get(e.name);
    if (c && depth < 2) return constantOf(c.expr, model, depth + 1);
  }
  return undefined;
}

const COMPARISONS = new Set(["==", "!=", "<", "<=", ">", ">=", "in", "not in", "contains", "starts with"]);

/** Values each name is compared with, in expressions and table columns. */
function comparedValues(model: RuleSetModel): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const add = (name: string | undefined, values: unknown[] | undefined) => {
    if (name === undefined || values === undefined) return;
    const list = out.get(name) ?? [];
    for (const v of values) if (v !== null && !list.includes(v)) list.push(v);
    out.set(name, list);
  };
  const cells = (name: string | undefined, t: UnaryTest) => {
    switch (t.kind) {
      case "compare":
        add(name, constantOf(t.value, model));
        break;
      case "range":
        add(name, constantOf(t.low, model));
        add(name, constantOf(t.high, model));
        break;
      case "oneOf":
        for (const x of t.tests) cells(name, x);
        break;
      case "not":
        cells(name, t.test);
        break;
      case "any":
        break;
    }
  };
  const exprs: Expr[] = [];
  for (const c of model.values.values()) exprs.push(c.expr);
  for (const t of model.tables) {
    if (t.when) exprs.push(t.when);
    t.inputs.forEach((col, i) => {
      for (const row of t.rows) {
        const cell = row.inputs[i];
        if (cell && col.expr) cells(lastName(col.expr), cell);
      }
    });
  }
  for (const r of model.rules) if (r.when) exprs.push(r.when);
  for (const v of model.validations?.items ?? []) exprs.push(v.require, ...(v.when ? [v.when] : []));
  for (const g of model.transitions?.guards ?? []) exprs.push(g.require);
  for (const a of model.transitions?.allow ?? []) for (const g of a.guards) exprs.push(g.require);
  for (const c of model.collections.values()) if (c.where) exprs.push(c.where);
  for (const root of exprs)
    walkExpr(root, (e) => {
      if (e.kind !== "binary" || !COMPARISONS.has(e.operator)) return;
      add(lastName(e.left), constantOf(e.right, model));
      add(lastName(e.right), constantOf(e.left, model));
    });
  return out;
}

/** Every literal in the model: expression literals, table cells, constants' values, enum values. */
export function literalsOf(model: RuleSetModel): Literals {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const dates = new Set<string>();
  const dateTimes = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.length <= 80) strings.add(v);
      return;
    }
    if (typeof v === "number") {
      if (Number.isFinite(v)) numbers.add(v);
      return;
    }
    if (typeof v !== "object" || v === null || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Map) {
      // The keys are declared names (constants, values...), not values.
      for (const x of v.values()) visit(x);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    const o = v as Record<string, unknown>;
    if (o.kind === "literal" && typeof o.literal === "object" && o.literal !== null) {
      const l = o.literal as { type: string; value?: unknown };
      if (l.type === "date" && typeof l.value === "string") dates.add(l.value);
      else if (l.type === "datetime" && typeof l.value === "string") dateTimes.add(l.value);
      else visit(l.value);
      return;
    }
    for (const [k, x] of Object.entries(o)) {
      // Positions, descriptions and names are not values a rule compares with.
      if (k === "range" || k.endsWith("Range") || k === "description") continue;
      visit(x);
    }
  };
  visit(model.constants);
  visit(model.values);
  visit(model.tables);
  visit(model.rules);
  visit(model.validations);
  visit(model.transitions);
  visit(model.collections);
  for (const f of model.facts.values()) visit(f.decl.enum);
  return {
    strings: [...strings],
    numbers: [...numbers],
    dates: [...dates],
    dateTimes: [...dateTimes],
    byName: comparedValues(model),
  };
}

/** Brazilian national holidays (fixed and Easter-based) around the years rules are written for. */
const HOLIDAYS = [
  "2018-01-01",
  "2018-02-13",
  "2018-03-30",
  "2018-11-02",
  "2018-11-15",
  "2018-12-25",
  "2019-03-05",
  "2019-04-19",
  "2019-04-21",
  "2019-05-01",
  "2019-09-07",
  "2019-10-12",
  "2023-02-21",
  "2023-04-07",
  "2023-06-08",
  "2023-11-15",
  "2023-12-25",
  "2024-02-13",
  "2024-03-29",
  "2024-05-30",
  "2024-11-20",
  "2024-12-25",
  "2025-03-04",
  "2025-04-18",
  "2025-04-21",
  "2025-06-19",
  "2025-11-20",
  "2026-01-01",
  "2026-02-17",
  "2026-04-03",
  "2026-04-21",
  "2026-05-01",
  "2026-06-04",
  "2026-09-07",
  "2026-10-12",
  "2026-11-02",
  "2026-11-15",
  "2026-11-20",
  "2026-12-25",
  "2027-03-26",
  "2027-12-25",
];
const YEAR_ENDS = [
  "2018-12-31",
  "2019-01-01",
  "2024-02-29",
  "2025-02-28",
  "2025-12-31",
  "2026-01-01",
  "2026-12-31",
  "2027-01-01",
];

function shiftDay(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Dates around holidays (the day before, of, after) and year ends. */
const DATES = [...new Set([...HOLIDAYS, ...YEAR_ENDS].flatMap((d) => [shiftDay(d, -1), d, shiftDay(d, 1)]))];

/** Wall clocks and instants around São Paulo's DST changes (until 2019), with and without offsets. */
const DATE_TIMES = [
  "2018-11-03T23:59",
  "2018-11-04T00:00",
  "2018-11-04T00:30",
  "2018-11-04T01:00", // gap (clock forward)
  "2018-02-17T22:59",
  "2018-02-17T23:00",
  "2018-02-17T23:30",
  "2018-02-18T00:00", // repeated hour
  "2019-02-16T23:30",
  "2019-11-03T00:30",
  "2017-10-15T00:15",
  "2018-11-04T02:30:00Z",
  "2018-11-04T00:30:00-02:00",
  "2018-02-17T23:30:00-03:00",
  "2025-12-31T23:59:59",
  "2026-01-01T00:00",
  "2026-04-03T10:00:00-03:00",
  "2026-04-03T13:00:00Z",
  "2026-04-03T10:00:00+05:30",
  "2026-06-15T08:00:00.500",
  "2024-02-29T12:00",
];

const EMOJI = ["😀", "👩🏽‍⚕️", "🇧🇷"];

/** A text in the ways a CRM may send it: as is, NFD, with spaces at the ends, another case, with an emoji. */
const variantsCache = new Map<string, fc.Arbitrary<string>>();

function textVariants(s: string, hostile: boolean): fc.Arbitrary<string> {
  const key = `${hostile ? 1 : 0}${s}`;
  const cached = variantsCache.get(key);
  if (cached) return cached;
  const arb = fc.oneof(
    { weight: 6, arbitrary: fc.constant(s) },
    { weight: 1, arbitrary: fc.constant(s.normalize("NFD")) },
    { weight: 1, arbitrary: fc.constantFrom(` ${s}`, `${s} `, `\t${s}\n`, ` ${s.normalize("NFD")} `) },
    {
      weight: hostile ? 1 : 0,
      arbitrary: fc.constantFrom(s.toLowerCase(), s.toUpperCase(), `${s}x`, s.slice(0, -1), s.replace("-", "–")),
    },
    { weight: hostile ? 1 : 0, arbitrary: fc.constantFrom(...EMOJI).map((e) => `${s}${e}`) },
  );
  variantsCache.set(key, arb);
  return arb;
}

function pick<T>(items: readonly T[], fallback: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return items.length > 0 ? fc.constantFrom(...items) : fallback;
}

/** Integer edges and boundaries of a declaration, plus literals of the rule set. */
function numberArb(decl: TypeDecl, lits: Literals, hostile: boolean): fc.Arbitrary<unknown> {
  const integer = decl.type === "integer";
  const edges: number[] = [0, -1, 1, 2, 10, 100];
  for (const b of [decl.minimum, decl.maximum]) if (b !== undefined) edges.push(b, b - 1, b + 1);
  for (const n of lits.numbers) edges.push(n, n - 1, n + 1);
  const within = (n: number) =>
    hostile || ((decl.minimum === undefined || n >= decl.minimum) && (decl.maximum === undefined || n <= decl.maximum));
  const pool = [...new Set(edges.filter((n) => (!integer || Number.isInteger(n)) && within(n)))];
  const lo = decl.minimum ?? -50;
  const hi = Math.max(lo, decl.maximum ?? 200);
  return fc.oneof(
    { weight: pool.length > 0 ? 8 : 0, arbitrary: pool.length > 0 ? fc.constantFrom(...pool) : fc.constant(lo) },
    {
      weight: 2,
      arbitrary: integer
        ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) })
        : fc.double({ min: lo, max: hi, noNaN: true }),
    },
    {
      weight: hostile ? 1 : 0,
      arbitrary: fc.constantFrom(
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        Number.MAX_SAFE_INTEGER + 1,
        0.5,
        -0,
        1e300,
        Number.POSITIVE_INFINITY,
      ),
    },
  );
}

function stringArb(decl: TypeDecl, lits: Literals, hostile: boolean): fc.Arbitrary<unknown> {
  const own = decl.enum ?? [];
  const base = [...new Set([...own, ...lits.strings])];
  const variants = (s: string) => textVariants(s, hostile);
  if (own.length > 0 && !hostile) return fc.constantFrom(...own).chain(variants);
  return fc.oneof(
    {
      weight: own.length > 0 ? 10 : 0,
      arbitrary: own.length > 0 ? fc.constantFrom(...own).chain(variants) : fc.constant(""),
    },
    { weight: 6, arbitrary: pick(base, fc.constant("A")).chain(variants) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "Ação", "Ac\u0327a\u0303o", "nº 1", "—", "-", "0011", "9") },
    { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: "grapheme" }) },
  );
}

/** A JSON value of a declaration: valid unless `hostile` (then now and then out of bounds, malformed...). */
function valueArb(decl: TypeDecl, lits: Literals, depth: number, hostile: boolean): fc.Arbitrary<unknown> {
  const h = hostile ? 1 : 0;
  switch (decl.type) {
    case "string":
      return stringArb(decl, lits, hostile);
    case "number":
    case "integer":
      return numberArb(decl, lits, hostile);
    case "boolean":
      return fc.boolean();
    case "date":
      return fc.oneof(
        { weight: 8, arbitrary: pick([...lits.dates, ...DATES], fc.constant("2026-04-03")) },
        { weight: h, arbitrary: fc.constantFrom("2026-02-30", "2026-4-3", "03/04/2026") },
      );
    case "date-time":
      return fc.oneof(
        { weight: 8, arbitrary: pick([...lits.dateTimes, ...DATE_TIMES], fc.constant("2026-04-03T10:00")) },
        {
          weight: 2,
          arbitrary: pick(DATES, fc.constant("2026-04-03")).chain((d) =>
            fc.constantFrom(`${d}T00:00`, `${d}T23:59:59`, `${d}T12:00:00-03:00`, `${d}T02:00:00Z`),
          ),
        },
        { weight: h, arbitrary: fc.constantFrom("2026-04-03 10:00", "2026-04-03T25:00", "agora") },
      );
    case "duration":
      return hostile
        ? fc.constantFrom("2h", "10d", "30min", "1h30min", "0s", "2x", "")
        : fc.constantFrom("2h", "10d", "30min", "1h30min", "0s");
    case "list": {
      const item = decl.items ? valueArb(decl.items, lits, depth + 1, hostile) : anyJson(lits);
      const min = hostile ? 0 : (decl.minItems ?? 0);
      const max = Math.max(min, hostile ? 4 : Math.min(decl.maxItems ?? 4, depth > 2 ? 1 : 4));
      const list = fc.array(item, { minLength: min, maxLength: max });
      const keys = decl.uniqueBy;
      if (hostile || !keys?.length) return list;
      // Valid facts: items repeating an earlier item's key are dropped (then the list may be shorter).
      return list.map((items) => {
        const seen = new Set<string>();
        return items.filter((item) => {
          const k = JSON.stringify(keys.map((key) => (item as Record<string, unknown> | null)?.[key]));
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
      });
    }
    case "object":
      if (decl.fields) return fieldsArb(decl.fields, lits, depth + 1, hostile);
      return fc
        .uniqueArray(pick(lits.strings, fc.constant("campo")), { maxLength: 4 })
        .chain((keys) =>
          fc
            .tuple(...keys.map(() => (decl.values ? valueArb(decl.values, lits, depth + 1, hostile) : anyJson(lits))))
            .map((vals) => Object.fromEntries(keys.map((k, i) => [k, vals[i]]))),
        );
    case "any":
      return anyJson(lits);
  }
}

function anyJson(lits: Literals): fc.Arbitrary<unknown> {
  return fc.oneof(
    pick(lits.strings, fc.constant("x")),
    fc.constantFrom("", "  ", null, 0, 1, true, false, "valor"),
    pick(lits.numbers, fc.constant(1)),
  );
}

/** A wrong value for a declaration (type mismatch), to check that both sides refuse it. */
function wrongArb(decl: TypeDecl): fc.Arbitrary<unknown> {
  switch (decl.type) {
    case "string":
    case "date":
    case "date-time":
    case "duration":
      return fc.constantFrom(1, true, ["x"]);
    case "number":
    case "integer":
      return fc.constantFrom("1", true, 1.5);
    case "boolean":
      return fc.constantFrom("true", 0);
    case "list":
      return fc.constantFrom("a", {});
    case "object":
      return fc.constantFrom("a", [], { desconhecido: 1 });
    case "any":
      return fc.constant(undefined);
  }
}

type Slot = { readonly present: false } | { readonly present: true; readonly value: unknown };

function fieldArb(f: FieldDecl, lits: Literals, depth: number, hostile: boolean): fc.Arbitrary<Slot> {
  // The values the rule set compares this field with (by its name), when they fit its type.
  const fits = (v: unknown) => {
    switch (f.decl.type) {
      case "string":
        return typeof v === "string" && (!f.decl.enum || f.decl.enum.includes(v));
      case "date":
        return typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v);
      case "date-time":
        return typeof v === "string" && isDateTimeText(v);
      case "number":
      case "integer":
        return typeof v === "number";
      default:
        return false;
    }
  };
  const compared = (lits.byName.get(f.name) ?? []).filter(fits);
  const own = valueArb(f.decl, lits, depth, hostile);
  const value = (
    compared.length > 0
      ? fc.oneof({ weight: 3, arbitrary: own }, { weight: 2, arbitrary: fc.constantFrom(...compared) })
      : own
  ).map((v): Slot => ({ present: true, value: v }));
  const absent = fc.constant<Slot>({ present: false });
  const nul = fc.constant<Slot>({ present: true, value: null });
  const wrong = wrongArb(f.decl).map((v): Slot => (v === undefined ? { present: false } : { present: true, value: v }));
  const h = hostile ? 1 : 0;
  return fc.oneof(
    { weight: 30, arbitrary: value },
    { weight: f.required ? (f.default !== undefined ? 6 : h) : 6, arbitrary: absent },
    { weight: f.nullable ? 4 : h, arbitrary: nul },
    { weight: h, arbitrary: wrong },
  );
}

function fieldsArb(
  fields: ReadonlyMap<string, FieldDecl>,
  lits: Literals,
  depth: number,
  hostile: boolean,
): fc.Arbitrary<Record<string, unknown>> {
  const entries = [...fields.values()];
  return fc.tuple(...entries.map((f) => fieldArb(f, lits, depth, hostile))).map((slots) => {
    const out: Record<string, unknown> = {};
    slots.forEach((s, i) => {
      if (s.present) out[(entries[i] as FieldDecl).name] = s.value;
    });
    return out;
  });
}

/**
 * Facts for a rule set: mostly valid facts of its schema (so that decisions are taken and rules
 * fire), one in eight hostile (values out of bounds, malformed, mistyped, missing when required,
 * null when not nullable, near-miss enum texts, or a misspelt extra fact) so that refusals are
 * compared too.
 */
export function factsArb(
  model: RuleSetModel,
  lits: Literals = literalsOf(model),
): fc.Arbitrary<Record<string, unknown>> {
  const valid = fieldsArb(model.facts, lits, 0, false);
  const hostile = fc
    .tuple(fieldsArb(model.facts, lits, 0, true), fc.nat(9))
    .map(([facts, roll]) => (roll === 0 ? { ...facts, fatoDesconhecido: 1 } : facts));
  return fc.oneof({ weight: 7, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}
