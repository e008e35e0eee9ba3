/**
 * The function catalog of the rule language: the single declarative list read by the type
 * checker, the evaluator, the editor (completion, hover) and the generated docs.
 *
 * Every `impl` is total: a null argument or an argument of the wrong kind yields null (so a missing
 * optional fact never crashes a decision); only predicates that are meaningful on null
 * (`isBlank`) return a boolean for it. `doc` strings are in Brazilian Portuguese for analysts.
 */
import { DateTime } from "luxon";
import { T, type Type } from "../types.js";
import {
  DateTimeValue,
  DateValue,
  compareValues,
  parseDate,
  toDisplayText,
  valueEquals,
  DurationValue,
  type Value,
} from "../values.js";
import { addBusinessDays, businessDaysBetween, isBusinessDay } from "./calendar.js";
import { isValidCnpj, isValidCpf, onlyDigits } from "./documents.js";
import { CLOSEST_THRESHOLD, closest } from "./similarity.js";
import type { FunctionSpec, ParamType } from "./spec.js";

// ---------------------------------------------------------------------------------------------
// Argument helpers (all return undefined for null / wrong kind).

const DATE_OR_DATETIME: ParamType = { oneOf: [T.date, T.datetime] };

/** A date, or the calendar date of a date-time in its own zone. */
function asDate(v: Value | undefined): DateValue | undefined {
  if (v instanceof DateValue) return isRealDate(v) ? v : undefined;
  if (v instanceof DateTimeValue) {
    if (!Number.isFinite(v.epochMs)) return undefined;
    const d = v.toDate(); // NaN fields when the zone is unknown
    return isRealDate(d) ? d : undefined;
  }
  return undefined;
}

/** Rejects hand-built impossible dates such as 2026-02-31 (or NaN fields). */
function isRealDate(d: DateValue): boolean {
  if (!Number.isInteger(d.year) || !Number.isInteger(d.month) || !Number.isInteger(d.day)) return false;
  const back = DateValue.fromEpochDay(d.epochDay());
  return back.year === d.year && back.month === d.month && back.day === d.day;
}

function asString(v: Value | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function asNumber(v: Value | undefined): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function asInteger(v: Value | undefined): number | undefined {
  return typeof v === "number" && Number.isSafeInteger(v) ? v : undefined;
}

function asList(v: Value | undefined): readonly Value[] | undefined {
  return Array.isArray(v) ? (v as readonly Value[]) : undefined;
}

/** Runs `f`, turning any exception (e.g. a RangeError for out-of-range input) into null. */
function orNull(f: () => Value): Value {
  try {
    return f();
  } catch {
    return null;
  }
}

/** The element type of a list type, or `any`. */
function elementType(t: Type | undefined): Type {
  return t?.kind === "list" ? t.of : T.any;
}

/** Code points, so that an accented letter or an emoji counts as one character. */
function textLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Key under which `v` may be deduplicated with a Set, matching valueEquals; undefined → compare by scan. */
function dedupKey(v: Value): string | undefined {
  if (v === null) return "null";
  if (typeof v === "string") return `s:${v}`;
  if (typeof v === "number") return Number.isNaN(v) ? undefined : `n:${v === 0 ? 0 : v}`;
  if (typeof v === "boolean") return `b:${v}`;
  if (v instanceof DateValue) return `d:${v.epochDay()}`;
  if (v instanceof DateTimeValue) return `t:${v.epochMs}`;
  if (v instanceof DurationValue) return `u:${v.days}:${v.millis}`;
  return undefined;
}

/** Rounds half away from zero at `digits` decimal places, in decimal (2.675 → 2.68). */
function roundDecimal(x: number, digits: number): number {
  if (digits >= 0 && Math.abs(x) >= Number.MAX_SAFE_INTEGER) return x; // no fractional part left
  const shift = (n: number, e: number): number => {
    const [mantissa, exponent] = String(n).split("e");
    return Number(`${mantissa}e${Number(exponent ?? 0) + e}`);
  };
  const sign = x < 0 ? -1 : 1;
  const r = shift(Math.round(shift(Math.abs(x), digits)), -digits) * sign;
  return r === 0 ? 0 : r; // no -0
}

function minMax(args: readonly Value[], wanted: 1 | -1): Value {
  const list = asList(args[0]);
  if (!list) return null;
  let best: Value = null;
  for (const item of list) {
    if (item === null) continue;
    if (best === null) {
      best = item;
      continue;
    }
    const c = compareValues(item, best);
    if (c === undefined) return null;
    if (c === wanted) best = item;
  }
  return best;
}

/** Doc of the optional `feriados` parameter of the business-day functions. */
const EXTRA_HOLIDAYS_DOC =
  "A lista opcional feriados acrescenta outros dias sem expediente (por exemplo, feriados estaduais ou municipais); " +
  "uma lista nula ou com um item que não seja data dá nulo.";

/**
 * The optional extra holidays of a business-day function, the argument at `index`: [] when
 * omitted; undefined (→ null result) when null or when an item is not a (real) date.
 */
function extraHolidays(args: readonly Value[], index: number): DateValue[] | undefined {
  if (args.length <= index || args[index] === undefined) return [];
  const list = asList(args[index]);
  if (!list) return undefined;
  const out: DateValue[] = [];
  for (const item of list) {
    const d = item instanceof DateValue ? asDate(item) : undefined;
    if (!d) return undefined;
    out.push(d);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The catalog.

export const FUNCTIONS: readonly FunctionSpec[] = [
  // --- Calendar --------------------------------------------------------------------------------
  {
    name: "addBusinessDays",
    params: [
      { name: "data", type: DATE_OR_DATETIME },
      { name: "dias", type: T.integer },
      { name: "feriados", type: T.list(T.date), optional: true },
    ],
    returns: T.date,
    doc:
      "Soma dias úteis a uma data (sem sábados, domingos e feriados nacionais), contando a partir do dia seguinte. " +
      "Com 0 dias, devolve a própria data se for dia útil, senão o próximo dia útil; dias negativos voltam no calendário. " +
      "Uma data-hora é convertida antes para a data no seu fuso. " +
      EXTRA_HOLIDAYS_DOC,
    example: { call: 'addBusinessDays(date("2026-04-01"), 10)', result: "16/04/2026" },
    impl: (args) => {
      const date = asDate(args[0]);
      const days = asInteger(args[1]);
      const extra = extraHolidays(args, 2);
      if (!date || days === undefined || !extra) return null;
      return orNull(() => addBusinessDays(date, days, extra));
    },
  },
  {
    name: "businessDaysBetween",
    params: [
      { name: "inicio", type: DATE_OR_DATETIME },
      { name: "fim", type: DATE_OR_DATETIME },
      { name: "feriados", type: T.list(T.date), optional: true },
    ],
    returns: T.integer,
    doc:
      "Quantidade de dias úteis entre duas datas, sem contar o dia inicial e contando o final " +
      "(negativa se o fim for antes do início). Sábados, domingos e feriados nacionais não contam. " +
      EXTRA_HOLIDAYS_DOC,
    example: { call: 'businessDaysBetween(date("2026-04-01"), date("2026-04-24"))', result: "15" },
    impl: (args) => {
      const from = asDate(args[0]);
      const to = asDate(args[1]);
      const extra = extraHolidays(args, 2);
      if (!from || !to || !extra) return null;
      return orNull(() => businessDaysBetween(from, to, extra));
    },
  },
  {
    name: "isBusinessDay",
    params: [
      { name: "data", type: DATE_OR_DATETIME },
      { name: "feriados", type: T.list(T.date), optional: true },
    ],
    returns: T.boolean,
    doc: `Verdadeiro se a data for dia útil: nem sábado, nem domingo, nem feriado nacional. ${EXTRA_HOLIDAYS_DOC}`,
    example: { call: 'isBusinessDay(date("2026-04-21"))', result: "false" },
    impl: (args) => {
      const date = asDate(args[0]);
      const extra = extraHolidays(args, 1);
      if (!date || !extra) return null;
      return orNull(() => isBusinessDay(date, extra));
    },
  },
  {
    name: "daysBetween",
    params: [
      { name: "inicio", type: DATE_OR_DATETIME },
      { name: "fim", type: DATE_OR_DATETIME },
    ],
    returns: T.integer,
    doc:
      "Quantidade de dias corridos entre duas datas (fim menos início; negativa se o fim for antes). " +
      "Datas-hora contam pela data do calendário no seu fuso, não por períodos de 24 horas.",
    example: { call: 'daysBetween(date("2023-08-23"), date("2023-10-06"))', result: "44" },
    impl: ([a, b]) => {
      const from = asDate(a);
      const to = asDate(b);
      if (!from || !to) return null;
      return to.epochDay() - from.epochDay();
    },
  },
  {
    name: "toDate",
    params: [{ name: "valor", type: DATE_OR_DATETIME }],
    returns: T.date,
    doc: "A data (sem hora) de uma data-hora, no fuso da data-hora. Uma data é devolvida como está.",
    example: { call: "toDate(2026-04-03T01:30:00Z)", result: "02/04/2026" },
    impl: ([v]) => asDate(v) ?? null,
  },
  {
    name: "date",
    params: [{ name: "texto", type: T.string }],
    returns: T.date,
    doc: 'Converte um texto no formato ISO "aaaa-mm-dd" em data; nulo se o texto não for uma data válida.',
    example: { call: 'date("2026-04-03")', result: "03/04/2026" },
    impl: ([s]) => {
      const text = asString(s);
      return text === undefined ? null : (parseDate(text) ?? null);
    },
  },
  {
    name: "formatDate",
    params: [
      { name: "data", type: DATE_OR_DATETIME },
      { name: "formato", type: T.string },
    ],
    returns: T.string,
    doc:
      'Formata uma data ou data-hora como texto, em português. Códigos: "dd" dia, "MM" mês, "MMMM" nome do mês, ' +
      '"yyyy" ano, "HH:mm" hora e minuto, "cccc" dia da semana; texto fixo entre aspas simples.',
    example: { call: "formatDate(date(\"2026-04-03\"), \"d 'de' MMMM 'de' yyyy\")", result: "3 de abril de 2026" },
    impl: ([v, f]) => {
      const format = asString(f);
      if (format === undefined) return null;
      let dt: DateTime;
      if (v instanceof DateValue) {
        if (!isRealDate(v)) return null;
        dt = DateTime.fromObject({ year: v.year, month: v.month, day: v.day }, { zone: "UTC" });
      } else if (v instanceof DateTimeValue) {
        dt = v.toLuxon();
      } else {
        return null;
      }
      if (!dt.isValid) return null;
      return orNull(() => dt.setLocale("pt-BR").toFormat(format));
    },
  },

  // --- Text ------------------------------------------------------------------------------------
  {
    name: "length",
    params: [{ name: "valor", type: { oneOf: [T.string, T.list(T.any)] } }],
    returns: T.integer,
    doc: "Tamanho de um texto (em caracteres) ou de uma lista (em itens).",
    example: { call: 'length("Solicitação")', result: "11" },
    impl: ([v]) => {
      if (typeof v === "string") return textLength(v);
      const list = asList(v);
      return list ? list.length : null;
    },
  },
  {
    name: "lower",
    params: [{ name: "texto", type: T.string }],
    returns: T.string,
    doc: "O texto em letras minúsculas.",
    example: { call: 'lower("REEMBOLSO Negado")', result: "reembolso negado" },
    impl: ([s]) => {
      const text = asString(s);
      return text === undefined ? null : text.toLowerCase();
    },
  },
  {
    name: "upper",
    params: [{ name: "texto", type: T.string }],
    returns: T.string,
    doc: "O texto em letras maiúsculas.",
    example: { call: 'upper("ouvidoria")', result: "OUVIDORIA" },
    impl: ([s]) => {
      const text = asString(s);
      return text === undefined ? null : text.toUpperCase();
    },
  },
  {
    name: "trim",
    params: [{ name: "texto", type: T.string }],
    returns: T.string,
    doc: "O texto sem os espaços do início e do fim.",
    example: { call: 'trim("  protocolo 123  ")', result: "protocolo 123" },
    impl: ([s]) => {
      const text = asString(s);
      return text === undefined ? null : text.trim();
    },
  },
  {
    name: "isBlank",
    params: [{ name: "valor", type: T.any }],
    returns: T.boolean,
    doc: "Verdadeiro se o valor for nulo, um texto vazio ou só com espaços, ou uma lista vazia.",
    example: { call: 'isBlank("   ")', result: "true" },
    impl: ([v]) => {
      if (v === null || v === undefined) return true;
      if (typeof v === "string") return v.trim() === "";
      if (Array.isArray(v)) return v.length === 0;
      return false;
    },
  },

  {
    name: "closest",
    params: [
      { name: "texto", type: T.string },
      { name: "candidatos", type: T.list(T.string) },
      { name: "quantidade", type: T.integer, optional: true },
    ],
    returns: T.list(T.string),
    doc:
      "Os candidatos mais parecidos com o texto, do mais próximo ao menos próximo (no máximo a quantidade pedida, 3 se omitida), " +
      'para respostas do tipo "você quis dizer". Maiúsculas, acentos, o tipo de traço (- ou –) e espaços extras não contam; ' +
      `depois conta a distância de edição (letras trocadas, a mais, a menos ou invertidas) em relação ao tamanho do texto. ` +
      `Candidatos diferentes demais (mais de ${Math.round(CLOSEST_THRESHOLD * 100)}% do texto) ficam de fora: um texto sem parecidos dá lista vazia. ` +
      "Empates mantêm a ordem dos candidatos.",
    example: {
      call: 'closest("Cadastro - Falta de Cartao", ["Reembolso", "Cadastro – Falta de Cartão", "Glosa"])',
      result: "Cadastro – Falta de Cartão",
    },
    impl: (args) => {
      const text = asString(args[0]);
      const list = asList(args[1]);
      const n = args.length < 3 || args[2] === undefined ? 3 : asInteger(args[2]);
      if (text === undefined || !list || n === undefined) return null;
      return closest(
        text,
        list.filter((c): c is string => typeof c === "string"),
        n,
      );
    },
  },

  // --- Documents -------------------------------------------------------------------------------
  {
    name: "isValidCpf",
    params: [{ name: "cpf", type: T.string }],
    returns: T.boolean,
    doc:
      'Verdadeiro se o texto for um CPF válido (dígitos verificadores corretos), só com números ou no formato "000.000.000-00". ' +
      "Números com todos os dígitos iguais são inválidos.",
    example: { call: 'isValidCpf("123.456.789-09")', result: "true" },
    impl: ([s]) => {
      const text = asString(s);
      return text === undefined ? null : isValidCpf(text);
    },
  },
  {
    name: "isValidCnpj",
    params: [{ name: "cnpj", type: T.string }],
    returns: T.boolean,
    doc:
      'Verdadeiro se o texto for um CNPJ válido (dígitos verificadores corretos), só com os caracteres ou no formato "00.000.000/0000-00". ' +
      'Aceita o CNPJ alfanumérico (letras nas 12 primeiras posições, ex.: "12.ABC.345/01DE-35"). Números com todos os caracteres iguais são inválidos.',
    example: { call: 'isValidCnpj("11.222.333/0001-81")', result: "true" },
    impl: ([s]) => {
      const text = asString(s);
      return text === undefined ? null : isValidCnpj(text);
    },
  },
  {
    name: "onlyDigits",
    params: [{ name: "texto", type: T.string }],
    returns: T.string,
    doc: "Só os algarismos do texto, sem pontos, traços, barras ou espaços.",
    example: { call: 'onlyDigits("(11) 98765-4321")', result: "11987654321" },
    impl: ([s]) => {
      const text = asString(s);
      return text === undefined ? null : onlyDigits(text);
    },
  },

  // --- Values and lists ------------------------------------------------------------------------
  {
    name: "coalesce",
    params: [{ name: "valores", type: T.any }],
    variadic: true,
    returns: (args) => args.find((t) => t.kind !== "null") ?? T.null,
    doc: "O primeiro valor que não for nulo (nulo se todos forem nulos).",
    example: { call: 'coalesce(null, "sem e-mail", "outro")', result: "sem e-mail" },
    impl: (args) => {
      for (const v of args) if (v !== null && v !== undefined) return v;
      return null;
    },
  },
  {
    name: "count",
    params: [{ name: "lista", type: T.list(T.any) }],
    returns: T.integer,
    doc: "Quantidade de itens da lista.",
    example: { call: 'count(["a", "b", "c"])', result: "3" },
    impl: ([v]) => asList(v)?.length ?? null,
  },
  {
    name: "sum",
    params: [{ name: "lista", type: T.list(T.number) }],
    returns: (args) => (elementType(args[0]).kind === "integer" ? T.integer : T.number),
    doc: "Soma dos números da lista (itens nulos são ignorados; lista vazia soma 0).",
    example: { call: "sum([150.5, 49.5, 100])", result: "300" },
    impl: ([v]) => {
      const list = asList(v);
      if (!list) return null;
      let total = 0;
      for (const item of list) {
        if (item === null) continue;
        const n = asNumber(item);
        if (n === undefined) return null;
        total += n;
      }
      return Number.isFinite(total) ? total : null;
    },
  },
  {
    name: "min",
    params: [{ name: "lista", type: T.list(T.any) }],
    returns: (args) => elementType(args[0]),
    doc: "O menor item da lista (números, textos, datas ou durações; itens nulos são ignorados; nulo se a lista estiver vazia).",
    example: { call: 'min([date("2026-05-10"), date("2026-04-03")])', result: "03/04/2026" },
    impl: (args) => minMax(args, -1),
  },
  {
    name: "max",
    params: [{ name: "lista", type: T.list(T.any) }],
    returns: (args) => elementType(args[0]),
    doc: "O maior item da lista (números, textos, datas ou durações; itens nulos são ignorados; nulo se a lista estiver vazia).",
    example: { call: "max([3, 12, 7])", result: "12" },
    impl: (args) => minMax(args, 1),
  },
  {
    name: "distinct",
    params: [{ name: "lista", type: T.list(T.any) }],
    returns: (args) => (args[0]?.kind === "list" ? args[0] : T.list(T.any)),
    doc: "A lista sem itens repetidos, mantendo a primeira ocorrência de cada um, na ordem original.",
    example: { call: 'distinct(["SP", "RJ", "SP", "MG"])', result: "SP, RJ, MG" },
    impl: ([v]) => {
      const list = asList(v);
      if (!list) return null;
      const seen = new Set<string>();
      const others: Value[] = [];
      const out: Value[] = [];
      for (const item of list) {
        const key = dedupKey(item);
        if (key !== undefined) {
          if (seen.has(key)) continue;
          seen.add(key);
        } else {
          if (others.some((o) => valueEquals(o, item))) continue;
          others.push(item);
        }
        out.push(item);
      }
      return out;
    },
  },
  {
    name: "join",
    params: [
      { name: "lista", type: T.list(T.any) },
      { name: "separador", type: T.string },
    ],
    returns: T.string,
    doc: "Junta os itens da lista num texto, com o separador entre eles (datas no formato dd/mm/aaaa).",
    example: { call: 'join(["consulta", "exame", "internação"], " / ")', result: "consulta / exame / internação" },
    impl: ([v, s]) => {
      const list = asList(v);
      const sep = asString(s);
      if (!list || sep === undefined) return null;
      // A date-time out of the representable range (inside a record too) cannot be shown: null.
      return orNull(() => list.map((item) => toDisplayText(item)).join(sep));
    },
  },
  {
    name: "isSorted",
    params: [{ name: "lista", type: T.list(T.any) }],
    returns: T.boolean,
    doc: "Verdadeiro se os itens da lista estiverem em ordem crescente (repetições permitidas); nulo se não forem comparáveis.",
    example: { call: 'isSorted([date("2026-04-01"), date("2026-04-01"), date("2026-04-20")])', result: "true" },
    impl: ([v]) => {
      const list = asList(v);
      if (!list) return null;
      for (let i = 1; i < list.length; i++) {
        const c = compareValues(list[i - 1], list[i]);
        if (c === undefined) return null;
        if (c > 0) return false;
      }
      return true;
    },
  },
  {
    name: "intersects",
    params: [
      { name: "lista1", type: T.list(T.any) },
      { name: "lista2", type: T.list(T.any) },
    ],
    returns: T.boolean,
    doc: "Verdadeiro se as duas listas tiverem pelo menos um item em comum.",
    example: { call: 'intersects(["A01", "B20"], ["C30", "B20"])', result: "true" },
    impl: ([a, b]) => {
      const first = asList(a);
      const second = asList(b);
      if (!first || !second) return null;
      const keys = new Set<string>();
      const others: Value[] = [];
      for (const item of second) {
        const key = dedupKey(item);
        if (key !== undefined) keys.add(key);
        else others.push(item);
      }
      return first.some((item) => {
        const key = dedupKey(item);
        return key !== undefined ? keys.has(key) : others.some((o) => valueEquals(o, item));
      });
    },
  },
  {
    name: "round",
    params: [
      { name: "numero", type: T.number },
      { name: "casas", type: T.integer, optional: true },
    ],
    returns: (args) => (args.length < 2 ? T.integer : T.number),
    doc:
      "Arredonda o número para a quantidade de casas decimais indicada (0 se omitida), " +
      "com meio para longe do zero: 2,675 com 2 casas dá 2,68.",
    example: { call: "round(2.675, 2)", result: "2.68" },
    impl: (args) => {
      const x = asNumber(args[0]);
      const digits = args.length < 2 || args[1] === undefined ? 0 : asInteger(args[1]);
      if (x === undefined || digits === undefined || Math.abs(digits) > 15) return null;
      const r = roundDecimal(x, digits);
      return Number.isFinite(r) ? r : null;
    },
  },
];

const BY_NAME: ReadonlyMap<string, FunctionSpec> = new Map(FUNCTIONS.map((f) => [f.name, f]));

/** The catalog entry for a DSL function name (case-sensitive), or undefined. */
export function getFunction(name: string): FunctionSpec | undefined {
  return BY_NAME.get(name);
}
