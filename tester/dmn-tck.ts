/**
 * Test files in the DMN TCK format (the `testCases` XML of the public DMN Technology Compatibility
 * Kit, namespace http://www.omg.org/spec/DMN/20160719/testcase) run against a rule set in our
 * language (`rules dmn test`).
 *
 * `parseTckTestFile` reads the file through `dsl/dmn/xml.ts` (the one safe XML reader: no DOCTYPE,
 * no entities, bounded size and depth) into typed values (`xsi:type` decides: numbers keep their
 * exact decimal text for messages). `runTck` maps each case onto the rule set — an `inputNode` is
 * the fact whose `label` or name equals its name, a `resultNode` the output whose `label` or name
 * does; components of records and items of lists follow the declared fields (by label or name,
 * nested) — decides it with the engine (through `runSuite`, so facts are checked and coverage is
 * counted exactly as for `rules test`) and compares: numbers numerically (`1100` = `1100.0`; at 15
 * significant digits, the precision of a double), lists in order, records field by field (only the
 * components the file names), dates as dates, date-times as instants, durations by length; a
 * one-field record of ours is compared as its field's value (DMN gives a single-output table's
 * result bare, we give a one-column record). The
 * result is a `SuiteResult`, so `tester/report.ts` prints it (text and JUnit) like any suite.
 * Browser-safe like the rest of `tester/`.
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { didYouMean } from "../dsl/diagnostics.js";
import {
  childNamed,
  childrenNamed,
  parseXml,
  type XmlElement,
  type XmlLimits,
  xsiNil,
  xsiType,
} from "../dsl/dmn/xml.js";
import type { FieldDecl, RuleSetModel, TypeDecl } from "../dsl/ruleset/model.js";
import { isDateTimeText, parseDate, parseDateTime, parseDuration } from "../dsl/values.js";
import type { Difference } from "./diff.js";
import { type CaseResult, runSuite, type SuiteResult } from "./run.js";
import type { TestCase, TestSuite } from "./suite.js";

/** The namespace of TCK test files. */
export const TCK_NS = "http://www.omg.org/spec/DMN/20160719/testcase";

/** The `xsi:type`s read as numbers. */
export const TCK_NUMBER_TYPES: readonly string[] = ["decimal", "double", "float", "integer", "int", "long", "short"];
/** Every `xsi:type` a `<value>` may have (without one, the value is a text). */
export const TCK_VALUE_TYPES: readonly string[] = [
  ...TCK_NUMBER_TYPES,
  "string",
  "boolean",
  "date",
  "dateTime",
  "duration",
];

/** A value of a TCK test file, typed by its `xsi:type`. */
export type TckValue =
  | { readonly kind: "null" }
  /** `text`: the decimal as written (`1100.00`), for messages. */
  | { readonly kind: "number"; readonly value: number; readonly text: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "boolean"; readonly value: boolean }
  /** `yyyy-mm-dd`. */
  | { readonly kind: "date"; readonly value: string }
  /** ISO 8601 as written (an offset is optional; without one, the rule set's zone applies). */
  | { readonly kind: "dateTime"; readonly value: string }
  /**
   * `text`: the xsd duration as written (`P1DT2H`); `value`: the same in our syntax (`1d2h`), or
   * undefined when it has none (years, months, a sign or fractions of a second).
   */
  | { readonly kind: "duration"; readonly text: string; readonly value: string | undefined }
  | { readonly kind: "list"; readonly items: readonly TckValue[] }
  | { readonly kind: "record"; readonly fields: readonly { readonly name: string; readonly value: TckValue }[] };

export interface TckInputNode {
  readonly name: string;
  readonly value: TckValue;
  readonly line: number;
  readonly column: number;
}

export interface TckResultNode {
  readonly name: string;
  /** `type` as written (`decision` in the TCK's files). */
  readonly type?: string;
  /** `errorResult="true"`: the node is expected to end in an error. */
  readonly errorResult: boolean;
  readonly expected: TckValue;
  readonly line: number;
  readonly column: number;
}

export interface TckTestCase {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  /** `type` as written: `decision` (the default), `bkm`, `decisionService`. */
  readonly type?: string;
  readonly invocableName?: string;
  readonly inputs: readonly TckInputNode[];
  readonly results: readonly TckResultNode[];
  readonly line: number;
  readonly column: number;
}

export interface TckTestFile {
  readonly modelName?: string;
  readonly labels: readonly string[];
  readonly cases: readonly TckTestCase[];
}

/** A well-formed XML file that is not a valid TCK test file: a Portuguese message with its position. */
export class TckFormatError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line !== undefined ? `linha ${line}, coluna ${column ?? 1}: ${message}` : message);
    this.name = "TckFormatError";
  }
}

// ---------------------------------------------------------------- reading the file

/** Reads a TCK test file; throws `XmlError` (not XML, too big, too deep) or `TckFormatError`. */
export function parseTckTestFile(input: string | Uint8Array, limits?: XmlLimits): TckTestFile {
  const root = parseXml(input, limits);
  if (root.local !== "testCases" || (root.uri !== TCK_NS && root.uri !== ""))
    throw new TckFormatError(
      `não é um arquivo de testes do DMN TCK: o elemento raiz é <${root.local}>${root.uri ? ` (${root.uri})` : ""}, esperado <testCases> no espaço de nomes ${TCK_NS}`,
      root.line,
      root.column,
    );
  const modelName = childNamed(root, "modelName")?.text.trim();
  const labelsEl = childNamed(root, "labels");
  const labels = labelsEl ? childrenNamed(labelsEl, "label").map((l) => l.text.trim()) : [];
  const cases = childrenNamed(root, "testCase").map((el, i) => readCase(el, i));
  return { ...(modelName ? { modelName } : {}), labels, cases };
}

function attr(el: XmlElement, name: string): string | undefined {
  const v = el.attrs[name];
  return v === undefined || v === "" ? undefined : v;
}

function readCase(el: XmlElement, index: number): TckTestCase {
  const id = attr(el, "id") ?? String(index + 1);
  const name = attr(el, "name");
  const type = attr(el, "type");
  const invocableName = attr(el, "invocableName");
  const description = childNamed(el, "description")?.text.trim();
  const where = `caso ${id}`;
  const inputs = childrenNamed(el, "inputNode").map((n) => {
    const nodeName = requireName(n, `${where}, nó de entrada`);
    return {
      name: nodeName,
      value: readHolder(n, `${where}, nó de entrada "${nodeName}"`),
      line: n.line,
      column: n.column,
    };
  });
  const results = childrenNamed(el, "resultNode").map((n) => {
    const nodeName = requireName(n, `${where}, nó de resultado`);
    const at = `${where}, nó de resultado "${nodeName}"`;
    const expected = childNamed(n, "expected");
    const resultType = attr(n, "type");
    return {
      name: nodeName,
      ...(resultType ? { type: resultType } : {}),
      errorResult: n.attrs.errorResult === "true",
      expected: expected ? readHolder(expected, at) : ({ kind: "null" } as const),
      line: n.line,
      column: n.column,
    };
  });
  return {
    id,
    ...(name ? { name } : {}),
    ...(description ? { description } : {}),
    ...(type ? { type } : {}),
    ...(invocableName ? { invocableName } : {}),
    inputs,
    results,
    line: el.line,
    column: el.column,
  };
}

function requireName(el: XmlElement, where: string): string {
  const name = attr(el, "name");
  if (name === undefined) throw new TckFormatError(`${where}: <${el.local}> sem o atributo name`, el.line, el.column);
  return name;
}

/** Elements a value holder may contain besides its value (ignored). */
const IGNORED = new Set(["extensionElements", "computed", "description"]);

/**
 * The value of an element that holds one (`inputNode`, `expected`, `component`, `item`): a `<value>`,
 * a `<list>` or `<component>`s; nothing (or `xsi:nil="true"`) is null.
 */
function readHolder(el: XmlElement, where: string): TckValue {
  if (xsiNil(el)) return { kind: "null" };
  const kids = el.children.filter((c) => !IGNORED.has(c.local));
  for (const k of kids)
    if (k.local !== "value" && k.local !== "list" && k.local !== "component")
      throw new TckFormatError(
        `${where}: elemento inesperado <${k.local}> (esperado <value>, <list> ou <component>)`,
        k.line,
        k.column,
      );
  const components = kids.filter((k) => k.local === "component");
  const others = kids.filter((k) => k.local !== "component");
  if (others.length > 1 || (others.length === 1 && components.length > 0)) {
    const extra = (others.length > 1 ? others[1] : others[0]) as XmlElement;
    throw new TckFormatError(
      `${where}: mais de um valor (<value>, <list> ou <component> devem aparecer sozinhos)`,
      extra.line,
      extra.column,
    );
  }
  if (components.length > 0)
    return {
      kind: "record",
      fields: components.map((c) => {
        const name = requireName(c, `${where}, componente`);
        return { name, value: readHolder(c, `${where}, componente "${name}"`) };
      }),
    };
  const only = others[0];
  if (!only) return { kind: "null" };
  if (only.local === "list") {
    if (xsiNil(only)) return { kind: "null" };
    for (const k of only.children)
      if (k.local !== "item" && !IGNORED.has(k.local))
        throw new TckFormatError(
          `${where}: elemento inesperado <${k.local}> na lista (esperado <item>)`,
          k.line,
          k.column,
        );
    return {
      kind: "list",
      items: childrenNamed(only, "item").map((item, i) => readHolder(item, `${where}, item ${i + 1}`)),
    };
  }
  return readValue(only, where);
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const XSD_DURATION =
  /^(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** A `<value>` by its `xsi:type` (none: a text). */
function readValue(el: XmlElement, where: string): TckValue {
  if (xsiNil(el)) return { kind: "null" };
  if (el.children.length > 0) {
    const k = el.children[0] as XmlElement;
    throw new TckFormatError(`${where}: <value> não pode conter elementos (<${k.local}>)`, k.line, k.column);
  }
  const type = xsiType(el) ?? "string";
  const raw = el.text;
  const text = raw.trim();
  const bad = (what: string): never => {
    throw new TckFormatError(`${where}: "${raw}" não é ${what} (xsi:type="${type}")`, el.line, el.column);
  };
  if (TCK_NUMBER_TYPES.includes(type)) {
    const value = Number(text);
    if (!DECIMAL.test(text) || !Number.isFinite(value)) return bad("um número");
    return { kind: "number", value, text };
  }
  switch (type) {
    case "string":
      return { kind: "string", value: raw };
    case "boolean":
      if (text === "true" || text === "1") return { kind: "boolean", value: true };
      if (text === "false" || text === "0") return { kind: "boolean", value: false };
      return bad("um booleano (true ou false)");
    case "date":
      if (!parseDate(text)) return bad("uma data aaaa-mm-dd (sem fuso)");
      return { kind: "date", value: text };
    case "dateTime":
      if (!isDateTimeText(text)) return bad("uma data-hora ISO 8601 (aaaa-mm-ddThh:mm:ss, fuso opcional)");
      return { kind: "dateTime", value: text };
    case "duration": {
      const m = XSD_DURATION.exec(text);
      if (!m) return bad("uma duração xsd (por exemplo P1DT2H30M)");
      return { kind: "duration", text, value: ourDuration(m) };
    }
    default:
      throw new TckFormatError(
        `${where}: xsi:type "${type}" não é suportado (aceitos: ${TCK_VALUE_TYPES.join(", ")})`,
        el.line,
        el.column,
      );
  }
}

/** An xsd duration in our syntax (`1d2h30min`), or undefined when ours cannot say it. */
function ourDuration(m: RegExpExecArray): string | undefined {
  const [, sign, years, months, days, hours, minutes, seconds] = m;
  if (sign || Number(years ?? 0) > 0 || Number(months ?? 0) > 0) return undefined;
  if (seconds !== undefined && !/^\d+$/.test(seconds)) return undefined;
  const parts = [
    [days, "d"],
    [hours, "h"],
    [minutes, "min"],
    [seconds, "s"],
  ]
    .filter(([n]) => n !== undefined && Number(n) > 0)
    .map(([n, unit]) => `${Number(n)}${unit}`);
  return parts.join("") || "0s";
}

// ---------------------------------------------------------------- running the cases

/** A problem mapping a case onto the rule set (a name nothing has, a value ours cannot hold). */
class MappingError extends Error {}

/** The key of a declared field whose name or `label` is `name`. */
function fieldOf(fields: ReadonlyMap<string, FieldDecl>, name: string): string | undefined {
  if (fields.has(name)) return name;
  for (const [key, f] of fields) if (f.label === name) return key;
  return undefined;
}

function namesOf(fields: ReadonlyMap<string, FieldDecl>): string[] {
  return [...fields].map(([k, f]) => (f.label ? `${k} (${f.label})` : k));
}

function candidates(fields: ReadonlyMap<string, FieldDecl>): string[] {
  return [...fields].flatMap(([k, f]) => (f.label ? [k, f.label] : [k]));
}

/** The value a fact gets from a TCK value, following the fact's declaration. */
function toFact(v: TckValue, decl: TypeDecl | undefined, where: string): unknown {
  switch (v.kind) {
    case "null":
      return null;
    case "number":
    case "string":
    case "boolean":
    case "date":
    case "dateTime":
      return v.value;
    case "duration":
      if (v.value === undefined)
        throw new MappingError(
          `${where}: a duração ${v.text} não tem equivalente nas nossas durações (só dias, horas, minutos e segundos inteiros, sem sinal)`,
        );
      return v.value;
    case "list":
      return v.items.map((item, i) => toFact(item, decl?.type === "list" ? decl.items : undefined, `${where}[${i}]`));
    case "record": {
      const out: Record<string, unknown> = {};
      const fields = decl?.type === "object" ? decl.fields : undefined;
      for (const f of v.fields) {
        const key = fields ? fieldOf(fields, f.name) : f.name;
        if (key === undefined)
          throw new MappingError(
            `${where}: o componente "${f.name}" não corresponde a nenhum campo (campos: ${namesOf(fields as ReadonlyMap<string, FieldDecl>).join(", ")}).${didYouMean(f.name, candidates(fields as ReadonlyMap<string, FieldDecl>))}`,
          );
        Object.defineProperty(out, key, {
          value: toFact(f.value, fields?.get(key)?.decl, `${where}.${f.name}`),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
  }
}

/** A TCK value as plain JSON, by the file's names (for reports). */
export function plainOf(v: TckValue): unknown {
  switch (v.kind) {
    case "null":
      return null;
    case "duration":
      return v.text;
    case "list":
      return v.items.map(plainOf);
    case "record": {
      const out: Record<string, unknown> = {};
      for (const f of v.fields)
        Object.defineProperty(out, f.name, {
          value: plainOf(f.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    }
    default:
      return v.value;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Two numbers equal at 15 significant digits (a decimal written in the file vs a double computed). */
function sameNumber(a: number, b: number): boolean {
  return a === b || Number(a.toPrecision(15)) === Number(b.toPrecision(15));
}

/**
 * A record with exactly one field (declared so, when declared): DMN gives a single-output table's
 * result as the bare value, where ours gives a one-column record (a list policy: a list of them;
 * an aggregation: one); the TCK's expected value is then compared with that field.
 */
function soleField(actual: unknown, decl: TypeDecl | undefined): { value: unknown; decl?: TypeDecl } | undefined {
  if (!isObject(actual)) return undefined;
  const keys = Object.keys(actual);
  if (keys.length !== 1) return undefined;
  const key = keys[0] as string;
  if (decl === undefined || decl.type === "any") return { value: actual[key] };
  if (decl.type !== "object") return undefined;
  if (decl.fields === undefined) return { value: actual[key] };
  if (decl.fields.size !== 1 || !decl.fields.has(key)) return undefined;
  const field = decl.fields.get(key)?.decl;
  return field ? { value: actual[key], decl: field } : { value: actual[key] };
}

/** Differences between a TCK expected value and the decision's value, with paths in the file's names. */
function compare(
  expected: TckValue,
  actual: unknown,
  decl: TypeDecl | undefined,
  path: string,
  zone: string,
  out: Difference[],
): void {
  const single = soleField(actual, decl);
  if (single !== undefined && expected.kind !== "record" && expected.kind !== "null") {
    compare(expected, single.value, single.decl, path, zone, out);
    return;
  }
  const differ = (message: string) => out.push({ path, expected: plainOf(expected), actual, message });
  switch (expected.kind) {
    case "null":
      if (actual !== null && actual !== undefined) differ("esperava nulo");
      return;
    case "number":
      if (typeof actual !== "number") return void differ("esperava um número");
      if (!sameNumber(expected.value, actual))
        differ(
          String(expected.value) === expected.text
            ? "número diferente"
            : `número diferente (no arquivo: ${expected.text})`,
        );
      return;
    case "string":
      if (typeof actual !== "string") return void differ("esperava um texto");
      if (actual !== expected.value) differ("texto diferente");
      return;
    case "boolean":
      if (actual !== expected.value) differ(typeof actual === "boolean" ? "valor diferente" : "esperava um booleano");
      return;
    case "date": {
      const got = typeof actual === "string" ? parseDate(actual) : undefined;
      if (!got) return void differ("esperava uma data");
      if (got.epochDay() !== parseDate(expected.value)?.epochDay()) differ("data diferente");
      return;
    }
    case "dateTime": {
      const got = typeof actual === "string" ? parseDateTime(actual, zone) : undefined;
      if (!got) return void differ("esperava uma data-hora");
      if (got.epochMs !== parseDateTime(expected.value, zone)?.epochMs) differ("data-hora diferente (outro instante)");
      return;
    }
    case "duration": {
      if (expected.value === undefined)
        return void differ(
          `a duração ${expected.text} não tem equivalente nas nossas durações (só dias, horas, minutos e segundos inteiros, sem sinal)`,
        );
      if (typeof actual !== "string" || !/^(?:\d+(?:d|h|min|s))+$/.test(actual))
        return void differ("esperava uma duração");
      if (parseDuration(actual).approxMillis() !== parseDuration(expected.value).approxMillis())
        differ("duração diferente");
      return;
    }
    case "list": {
      if (!Array.isArray(actual)) return void differ("esperava uma lista");
      if (actual.length !== expected.items.length)
        return void differ(`esperava ${expected.items.length} item(ns), obteve ${actual.length}`);
      const items = decl?.type === "list" ? decl.items : undefined;
      expected.items.forEach((item, i) => {
        compare(item, actual[i], items, `${path}[${i}]`, zone, out);
      });
      return;
    }
    case "record": {
      if (!isObject(actual)) return void differ("esperava um registro (campos)");
      const fields = decl?.type === "object" ? decl.fields : undefined;
      for (const f of expected.fields) {
        const at = `${path}.${f.name}`;
        const key = fields ? fieldOf(fields, f.name) : f.name;
        if (key === undefined) {
          out.push({
            path: at,
            expected: plainOf(f.value),
            actual: undefined,
            message: `o componente "${f.name}" não corresponde a nenhum campo da saída (campos: ${namesOf(fields as ReadonlyMap<string, FieldDecl>).join(", ")}).${didYouMean(f.name, candidates(fields as ReadonlyMap<string, FieldDecl>))}`,
          });
          continue;
        }
        if (!Object.hasOwn(actual, key)) {
          out.push({ path: at, expected: plainOf(f.value), actual: undefined, message: "campo ausente na decisão" });
          continue;
        }
        compare(f.value, actual[key], fields?.get(key)?.decl, at, zone, out);
      }
      return;
    }
  }
}

/** The name a case has in reports: its id, with its name (or description) when it has one. */
export function caseTitle(c: TckTestCase): string {
  const extra = c.name ?? c.description;
  return extra ? `${c.id} — ${extra}` : c.id;
}

interface Mapped {
  readonly tck: TckTestCase;
  readonly facts: Record<string, unknown>;
  /** Output name per result node (same order). */
  readonly outputs: readonly string[];
}

const NODE_WORDS = {
  input: { node: "nó de entrada", none: "nenhum fato", fields: "fatos", empty: "nenhum" },
  result: { node: "nó de resultado", none: "nenhuma saída", fields: "saídas", empty: "nenhuma" },
} as const;

/**
 * The field of the rule set a node names (by name or label); when none, adds a problem naming the
 * fields there are and the nearest one.
 */
function nodeField(
  fields: ReadonlyMap<string, FieldDecl>,
  role: keyof typeof NODE_WORDS,
  name: string,
  expected: unknown,
  problems: Difference[],
): string | undefined {
  const key = fieldOf(fields, name);
  if (key === undefined) {
    const w = NODE_WORDS[role];
    problems.push({
      path: name,
      expected,
      actual: undefined,
      message: `o ${w.node} "${name}" não corresponde a ${w.none} do conjunto de regras (${w.fields}: ${namesOf(fields).join(", ") || w.empty}).${didYouMean(name, candidates(fields))}`,
    });
  }
  return key;
}

/** A case mapped onto the rule set, or the reasons it cannot be. */
function mapCase(c: TckTestCase, model: RuleSetModel): Mapped | { readonly problems: readonly Difference[] } {
  const problems: Difference[] = [];
  if (c.type !== undefined && c.type !== "decision")
    problems.push({
      path: "",
      expected: undefined,
      actual: undefined,
      message: `casos do tipo "${c.type}"${c.invocableName ? ` (${c.invocableName})` : ""} não são suportados: só decisões (type="decision")`,
    });
  const facts: Record<string, unknown> = {};
  for (const input of c.inputs) {
    const key = nodeField(model.facts, "input", input.name, plainOf(input.value), problems);
    if (key === undefined) continue;
    try {
      Object.defineProperty(facts, key, {
        value: toFact(input.value, model.facts.get(key)?.decl, input.name),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } catch (e) {
      if (!(e instanceof MappingError)) throw e;
      problems.push({ path: input.name, expected: plainOf(input.value), actual: undefined, message: e.message });
    }
  }
  const outputs: string[] = [];
  for (const result of c.results) {
    const key = nodeField(model.outputs, "result", result.name, plainOf(result.expected), problems);
    if (key === undefined) continue;
    outputs.push(key);
  }
  if (c.results.length === 0)
    problems.push({ path: "", expected: undefined, actual: undefined, message: "o caso não tem nenhum <resultNode>" });
  return problems.length > 0 ? { problems } : { tck: c, facts, outputs };
}

interface DecisionFailure {
  readonly error: { readonly code: string; readonly message: string; readonly details: readonly unknown[] };
}

function isFailure(v: unknown): v is DecisionFailure {
  return isObject(v) && isObject(v.error) && typeof v.error.code === "string";
}

/** What a decision error means for each result node. */
function errorDifferences(c: TckTestCase, actual: DecisionFailure): Difference[] {
  const { code, message, details } = actual.error;
  const detail = details
    .map((d) => (isObject(d) ? `${typeof d.path === "string" && d.path ? `${d.path}: ` : ""}${String(d.message)}` : ""))
    .filter((d) => d !== "" && !message.includes(d));
  const text = `a decisão terminou em erro ${code}: ${message}${detail.length ? ` (${detail.join("; ")})` : ""}`;
  return c.results
    .filter((r) => !r.errorResult)
    .map((r) => ({ path: r.name, expected: plainOf(r.expected), actual: { error: { code, message } }, message: text }));
}

/**
 * Runs the cases of a TCK test file against a compiled rule set (`model`: the same rule set's model,
 * for the names and labels of facts and outputs). Cases come back in file order; a case that cannot
 * be mapped (a name no fact or output has, a type ours has not) fails without deciding.
 */
export async function runTck(compiled: CompiledRuleSet, model: RuleSetModel, file: TckTestFile): Promise<SuiteResult> {
  const mapped = file.cases.map((c) => mapCase(c, model));
  const runnable = mapped.filter((m): m is Mapped => "tck" in m);
  const suite: TestSuite = {
    ruleset: compiled.name,
    cases: runnable.map(
      (m, i): TestCase => ({
        name: `#${i}`,
        tags: [],
        facts: m.facts,
        match: "subset",
        range: { start: 0, end: 0 },
      }),
    ),
  };
  const run = await runSuite(compiled, suite);
  const byCase = new Map<TckTestCase, CaseResult>();
  runnable.forEach((m, i) => {
    const r = run.cases[i] as CaseResult;
    const differences: Difference[] = [];
    if (isFailure(r.actual)) differences.push(...errorDifferences(m.tck, r.actual));
    else {
      const decision = isObject(r.actual) && isObject(r.actual.decision) ? r.actual.decision : {};
      m.tck.results.forEach((result, k) => {
        const key = m.outputs[k] as string;
        if (result.errorResult) {
          differences.push({
            path: result.name,
            expected: { erro: true },
            actual: decision[key],
            message: 'esperava um erro (errorResult="true"), mas a decisão foi tomada',
          });
          return;
        }
        compare(result.expected, decision[key], model.outputs.get(key)?.decl, result.name, compiled.zone, differences);
      });
    }
    byCase.set(m.tck, { ...r, differences, passed: differences.length === 0 });
  });
  const cases: CaseResult[] = file.cases.map((c, i) => {
    const base = byCase.get(c);
    const common = { name: caseTitle(c), tags: [], line: c.line, column: c.column };
    if (base) return { ...base, ...common };
    const problems = (mapped[i] as { problems: readonly Difference[] }).problems;
    return { ...common, passed: false, differences: problems, actual: undefined, durationMs: 0 };
  });
  const passed = cases.filter((c) => c.passed).length;
  return { ruleset: compiled.name, passed, failed: cases.length - passed, cases, coverage: run.coverage };
}
