/**
 * Facts in: normalisation at the boundary (texts declared `string` to NFC and trimmed, unless the
 * schema says `normalize: false`), checks JSON Schema cannot express (finite numbers, safe
 * integers, items unique by a key), validation against the rule set's own JSON Schema (ajv,
 * compiled once per compiled rule set, no coercion, no silent stripping, unknown facts rejected,
 * defaults applied) and conversion of the validated JSON into runtime values (dates, date-times,
 * null-prototype records). Errors name each offending field with a JSON pointer.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { didYouMean } from "../dsl/diagnostics.js";
import type { CompiledRuleSet, Shape } from "../dsl/compile/compiled.js";
import {
  createRecord,
  DurationValue,
  isDateTimeText,
  isDurationText,
  parseDate,
  parseDateTime,
  parseDuration,
  type Value,
} from "../dsl/values.js";
import { isValidZone } from "../dsl/zone.js";
import { DecisionError } from "./errors.js";

// ajv-formats is published as CommonJS; under ESM its default export is the plugin function.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
  formats: string[],
) => Ajv;

/** Most fact problems listed in one error. */
export const MAX_FACT_ISSUES = 100;

/** Deepest nesting accepted in a facts document. */
export const MAX_FACT_DEPTH = 32;

export interface FactIssue {
  /** JSON pointer into the request's `facts`, e.g. `/reclames/3/registradoEm`. */
  readonly path: string;
  readonly message: string;
}

/**
 * Annotations of the fact schema read here, at the boundary (ajv knows them as annotations only):
 * `x-normalize: false` keeps the texts of a declaration (and everything inside it) byte for byte;
 * `x-uniqueBy: [campo, ...]` on a list of objects refuses two items with the same value(s).
 */
export const FACT_SCHEMA_ANNOTATIONS = ["x-normalize", "x-uniqueBy"] as const;

/** Validates schemas against JSON Schema's meta-schema for every validator of the process (see `checkSchema`). */
let schemaChecker: Ajv | undefined;

/**
 * What ajv does before compiling a schema (each validator's own instance skips it): validation
 * against the draft-07 meta-schema, throwing the same "schema is invalid: ..." error. One instance
 * set up like the validators' (same options, keywords and format names) does it for all of them:
 * compiling the meta-schema in each instance, two per rule set, was most of the time of building
 * a runtime (the service's start-up, every publish).
 */
function checkSchema(schema: Record<string, unknown>): void {
  if (!schemaChecker) {
    schemaChecker = new Ajv({
      allErrors: true,
      strict: true,
      ownProperties: true,
      allowUnionTypes: true,
      verbose: true,
    });
    addVocabulary(
      schemaChecker,
      () => true,
      () => true,
    );
  }
  schemaChecker.validateSchema(schema, true);
}

/** The formats and annotation keywords of our fact and decision schemas, on an ajv instance. */
function addVocabulary(ajv: Ajv, dateTime: (s: string) => boolean, duration: (s: string) => boolean): void {
  addFormats(ajv, ["date"]);
  ajv.addKeyword({ keyword: "x-normalize", schemaType: "boolean" });
  ajv.addKeyword({ keyword: "x-uniqueBy", schemaType: "array" });
  ajv.addFormat("rules-date-time", { type: "string", validate: dateTime });
  ajv.addFormat("rules-duration", { type: "string", validate: duration });
}

/** An ajv validator of one of the rule set's schemas (facts: defaults applied; decision: nothing changed). */
function schemaValidator(
  compiled: CompiledRuleSet,
  schema: Record<string, unknown>,
  useDefaults: boolean,
  schemasChecked: boolean,
): ValidateFunction {
  if (!schemasChecked) checkSchema(schema);
  const ajv = new Ajv({
    // Checked against the meta-schema above, once per process instead of once per instance.
    validateSchema: false,
    allErrors: true,
    coerceTypes: false,
    removeAdditional: false,
    useDefaults,
    strict: true,
    ownProperties: true,
    allowUnionTypes: true,
    // `verbose` keeps the offending data and schema on each error, for "você quis dizer" hints.
    verbose: true,
  });
  // The syntax and the calendar only: `convert` reads the instant in the zone, once. A text passes
  // exactly when `parseDateTime` accepts it (every date-time is refused in an unknown zone).
  const zoneOk = isValidZone(compiled.zone);
  addVocabulary(ajv, (s) => zoneOk && isDateTimeText(s), isDurationText);
  return ajv.compile(schema);
}

/**
 * Checks an assembled decision (as JSON) against the declared `outputs` (the rule set's
 * `decisionSchema`): the issues, each with a JSON pointer into the decision; none when it conforms.
 */
export function createDecisionValidator(
  compiled: CompiledRuleSet,
  schemasChecked = false,
): (decision: Record<string, unknown>) => readonly FactIssue[] {
  const validate = schemaValidator(compiled, compiled.decisionSchema, false, schemasChecked);
  return (decision) => {
    if (validate(decision)) return [];
    // Inside an output (list items, object fields) a null or a missing field is the language's
    // "absent" (`contatos.canal` over items without `canal`); only the outputs themselves must
    // keep to `nullable`.
    const nested = (e: ErrorObject) =>
      e.instancePath.split("/").length > 2 || (e.keyword === "required" && e.instancePath !== "");
    const issues = (validate.errors ?? []).filter((e) => !(nested(e) && (e.data === null || e.keyword === "required")));
    // No "você quis dizer" here: the value came from the rule set, not from someone typing it.
    const enumIssue = (e: ErrorObject): FactIssue => ({
      path: e.instancePath,
      message: `valor fora da lista (enum) declarada: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? [])
        .filter((x) => x !== null)
        .map((a) => `"${String(a)}"`)
        .join(", ")}`,
    });
    return dedupe(issues.map((e) => (e.keyword === "enum" ? enumIssue(e) : describe(e))));
  };
}

/** Thrown by `copyPlain` at a value that is not plain JSON data. */
const NOT_PLAIN = Symbol("not plain JSON");

/**
 * A copy of plain JSON data (what JSON.parse gives: null, texts, finite or not numbers, booleans,
 * dense arrays, objects with Object.prototype or no prototype), own keys such as `__proto__` kept as
 * plain keys; throws NOT_PLAIN at anything else. Faster than structuredClone for small documents.
 */
function copyPlain(v: unknown): unknown {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v !== "object") throw NOT_PLAIN;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype || Object.keys(v).length !== v.length) throw NOT_PLAIN;
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyPlain(v[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const value = copyPlain((v as Record<string, unknown>)[k]);
    if (k in Object.prototype) setOwn(out, k, value);
    else out[k] = value;
  }
  return out;
}

/**
 * The facts' own copy (normalised and given defaults in place): plain JSON data is copied
 * directly; anything else (a Date, a Map, a sparse array, `undefined` values...) goes through
 * structuredClone, as every document did before, so it is accepted or refused exactly as then.
 */
function copyFacts(facts: object): unknown {
  try {
    return copyPlain(facts);
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
    return structuredClone(facts);
  }
}

/**
 * Creates the fact validator of a compiled rule set. `schemasChecked`: the rule set's schemas are
 * known to pass the JSON Schema meta-schema (they did when this compiler and this ajv built a
 * runtime from them before: the service's compiled cache), so that check is skipped.
 */
export function createFactValidator(
  compiled: CompiledRuleSet,
  schemasChecked = false,
): (facts: unknown) => Record<string, unknown> {
  const validate: ValidateFunction = schemaValidator(compiled, compiled.factSchema, true, schemasChecked);

  return (facts: unknown) => {
    if (typeof facts !== "object" || facts === null || Array.isArray(facts)) {
      throw new DecisionError("INVALID_FACTS", "os fatos devem ser um objeto JSON", [
        { path: "", message: "esperava um objeto com os fatos" },
      ]);
    }
    const depthIssue = tooDeep(facts);
    if (depthIssue !== undefined) {
      throw new DecisionError("INVALID_FACTS", "os fatos estão aninhados demais", [
        { path: depthIssue, message: `aninhamento acima de ${MAX_FACT_DEPTH} níveis` },
      ]);
    }
    let copy: Record<string, unknown>;
    try {
      copy = copyFacts(facts) as Record<string, unknown>;
    } catch {
      throw new DecisionError("INVALID_FACTS", "os fatos devem ser dados JSON", [
        { path: "", message: "valor que não é JSON (função, símbolo...)" },
      ]);
    }
    const boundary: FactIssue[] = [];
    prepareObject(copy, compiled.factSchema, [], true, boundary);
    const valid = validate(copy);
    if (!valid || boundary.length > 0) {
      // A boundary issue explains its place better than ajv can (Infinity "deve ser número").
      const flagged = new Set(boundary.map((i) => i.path));
      const schemaErrors = valid
        ? []
        : (validate.errors ?? []).filter((e) => !(e.keyword === "type" && flagged.has(e.instancePath)));
      const schemaIssues = schemaErrors.map(describe);
      const details = dedupe([...schemaIssues, ...boundary]);
      const shown =
        details.length > MAX_FACT_ISSUES
          ? [
              ...details.slice(0, MAX_FACT_ISSUES),
              { path: "", message: `mais ${details.length - MAX_FACT_ISSUES} problemas não mostrados` },
            ]
          : details;
      throw new DecisionError("INVALID_FACTS", "os fatos não seguem o esquema do conjunto de regras", shown);
    }
    return copy;
  };
}

type Schema = Readonly<Record<string, unknown>>;

const NO_SCHEMA: Schema = Object.freeze({});

/** True when the schema's `type` is `type` or lists it. */
function hasType(schema: Schema, type: string): boolean {
  const t = schema.type;
  return t === type || (Array.isArray(t) && t.includes(type));
}

/**
 * The keys from the facts' root to the value being prepared: its JSON pointer is built from them
 * only when an issue is reported, not for every value.
 */
type Trail = (string | number)[];

function pointer(trail: Trail): string {
  let path = "";
  for (const k of trail) path += `/${typeof k === "number" ? k : escapePointer(k)}`;
  return path;
}

function isSchema(v: unknown): v is Schema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Sets an own property, even one named `__proto__`, without touching any prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Walks a (cloned) JSON value along its schema: normalises declared texts in place and reports
 * what JSON Schema cannot say. Returns the (possibly normalised) value. Depth is already bounded.
 */
function prepare(value: unknown, schema: Schema, trail: Trail, normalize: boolean, issues: FactIssue[]): unknown {
  const norm = typeof schema["x-normalize"] === "boolean" ? schema["x-normalize"] : normalize;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      issues.push({
        path: pointer(trail),
        message: "número fora do intervalo representável (infinito ou NaN, por exemplo 1e400)",
      });
    } else if (Number.isInteger(value) && !Number.isSafeInteger(value) && hasType(schema, "integer")) {
      issues.push({
        path: pointer(trail),
        message: `inteiro grande demais: acima de ${Number.MAX_SAFE_INTEGER} (2^53 − 1) o valor perde precisão; envie-o como texto`,
      });
    }
    return value;
  }
  if (typeof value === "string") {
    return norm && schema.format === undefined && hasType(schema, "string") ? value.normalize("NFC").trim() : value;
  }
  if (Array.isArray(value)) {
    const items = isSchema(schema.items) ? schema.items : NO_SCHEMA;
    for (let i = 0; i < value.length; i++) {
      trail.push(i);
      value[i] = prepare(value[i], items, trail, norm, issues);
      trail.pop();
    }
    const keys = schema["x-uniqueBy"];
    if (Array.isArray(keys) && keys.length > 0) uniqueBy(value, keys.map(String), pointer(trail), issues);
    return value;
  }
  if (typeof value === "object" && value !== null) {
    prepareObject(value as Record<string, unknown>, schema, trail, norm, issues);
  }
  return value;
}

function prepareObject(
  target: Record<string, unknown>,
  schema: Schema,
  trail: Trail,
  normalize: boolean,
  issues: FactIssue[],
): void {
  const norm = typeof schema["x-normalize"] === "boolean" ? schema["x-normalize"] : normalize;
  const properties = isSchema(schema.properties) ? schema.properties : NO_SCHEMA;
  const rest = isSchema(schema.additionalProperties) ? schema.additionalProperties : NO_SCHEMA;
  for (const k of Object.keys(target)) {
    const own = Object.hasOwn(properties, k) ? properties[k] : undefined;
    const before = target[k];
    trail.push(k);
    const after = prepare(before, isSchema(own) ? own : rest, trail, norm, issues);
    trail.pop();
    if (after !== before) setOwn(target, k, after);
  }
}

/** Reports every item whose key repeats an earlier item's, naming both places. */
function uniqueBy(items: readonly unknown[], keys: readonly string[], path: string, issues: FactIssue[]): void {
  const seen = new Map<string, number>();
  const place = (i: number) =>
    keys.length === 1 ? `${path}/${i}/${escapePointer(keys[0] as string)}` : `${path}/${i}`;
  items.forEach((item, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return;
    const values: unknown[] = [];
    for (const k of keys) {
      const v = Object.hasOwn(item, k) ? (item as Record<string, unknown>)[k] : undefined;
      // Absent, null or non-scalar keys are the schema's business, not duplicates.
      if (typeof v !== "string" && typeof v !== "boolean" && !(typeof v === "number" && Number.isFinite(v))) return;
      values.push(v);
    }
    const key = JSON.stringify(values);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    issues.push({
      path: place(i),
      message:
        keys.length === 1
          ? `o valor ${JSON.stringify(values[0])} repete o ${keys[0]} de ${place(first)} (${keys[0]} deve ser único na lista)`
          : `a combinação de ${keys.join(", ")} repete a de ${place(first)} (deve ser única na lista)`,
    });
  });
}

function dedupe(issues: FactIssue[]): FactIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Returns the pointer of the first place deeper than MAX_FACT_DEPTH. The walk is depth-first with
 * the last key first (the order of a stack of pending children), and the recursion stops at
 * MAX_FACT_DEPTH + 1 levels, however deep the facts are; the pointer is built only when found.
 */
function tooDeep(root: unknown): string | undefined {
  const trail: string[] = [];
  return deeper(root, 0, trail) ? pointer(trail) : undefined;
}

function deeper(v: unknown, depth: number, trail: string[]): boolean {
  if (typeof v !== "object" || v === null) return false;
  if (depth > MAX_FACT_DEPTH) return true;
  const keys = Object.keys(v);
  if (keys.length === 0) return false;
  // Every child is read before any is walked, in key order, as the stack-based walk read them.
  const children = keys.map((k) => (v as Record<string, unknown>)[k]);
  for (let i = keys.length - 1; i >= 0; i--) {
    trail.push(keys[i] as string);
    if (deeper(children[i], depth + 1, trail)) return true;
    trail.pop();
  }
  return false;
}

function escapePointer(k: string): string {
  if (!k.includes("~") && !k.includes("/")) return k;
  return k.replace(/~/g, "~0").replace(/\//g, "~1");
}

const TYPE_PT: Record<string, string> = {
  string: "texto",
  number: "número",
  integer: "inteiro",
  boolean: "booleano (true/false)",
  object: "objeto",
  array: "lista",
  null: "nulo",
};

function describe(e: ErrorObject): FactIssue {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return {
        path: `${e.instancePath}/${escapePointer(String(params.missingProperty))}`,
        message: "fato obrigatório ausente",
      };
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const known = Object.keys(
        ((e.parentSchema as Record<string, unknown> | undefined)?.properties as object | undefined) ?? {},
      );
      return {
        path: `${e.instancePath}/${escapePointer(name)}`,
        message: `campo desconhecido.${didYouMean(name, known)}`,
      };
    }
    case "type": {
      const types = Array.isArray(params.type) ? (params.type as string[]) : [String(params.type)];
      return { path: e.instancePath, message: `deve ser ${types.map((t) => TYPE_PT[t] ?? t).join(" ou ")}` };
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).filter((x) => x !== null).map(String);
      const actual = e.data;
      const hint = typeof actual === "string" ? didYouMean(actual, allowed) : "";
      const list = allowed.length <= 10 ? ` Valores aceitos: ${allowed.map((a) => `"${a}"`).join(", ")}.` : "";
      return { path: e.instancePath, message: `valor não aceito.${hint}${list}` };
    }
    case "format":
      return {
        path: e.instancePath,
        message:
          params.format === "date"
            ? "deve ser uma data ISO 8601 (aaaa-mm-dd)"
            : params.format === "rules-date-time"
              ? "deve ser uma data-hora ISO 8601 (aaaa-mm-ddThh:mm[:ss][fuso])"
              : "deve ser uma duração como 2h, 10d ou 30min",
      };
    case "minItems":
      return { path: e.instancePath, message: `deve ter pelo menos ${String(params.limit)} item(ns)` };
    case "maxItems":
      return { path: e.instancePath, message: `deve ter no máximo ${String(params.limit)} item(ns)` };
    case "minimum":
      return { path: e.instancePath, message: `deve ser no mínimo ${String(params.limit)}` };
    case "maximum":
      return { path: e.instancePath, message: `deve ser no máximo ${String(params.limit)}` };
    default:
      return { path: e.instancePath, message: e.message ?? "valor inválido" };
  }
}

/** Converts validated JSON facts into runtime values; every declared fact is present (null when absent). */
export function toRuntimeFacts(compiled: CompiledRuleSet, facts: Record<string, unknown>): Record<string, Value> {
  const out = createRecord();
  for (const [name, shape] of Object.entries(compiled.factShapes)) {
    out[name] = Object.hasOwn(facts, name) ? convert(facts[name], shape, compiled.zone) : null;
  }
  return out;
}

/** Converts one JSON value by its shape. */
export function convert(v: unknown, shape: Shape, zone: string): Value {
  if (v === null || v === undefined) return null;
  switch (shape.t) {
    case "date":
      return typeof v === "string" ? (parseDate(v) ?? null) : null;
    case "datetime":
      return typeof v === "string" ? (parseDateTime(v, zone) ?? null) : null;
    case "duration":
      return typeof v === "string" ? parseDuration(v) : v instanceof DurationValue ? v : null;
    case "list":
      return Array.isArray(v) ? v.map((x) => convert(x, shape.items, zone)) : null;
    case "object": {
      if (typeof v !== "object" || Array.isArray(v)) return null;
      const r = createRecord();
      for (const k of Object.keys(v)) {
        const field = shape.fields && Object.hasOwn(shape.fields, k) ? shape.fields[k] : shape.values;
        r[k] = convert((v as Record<string, unknown>)[k], field ?? { t: "plain" }, zone);
      }
      if (shape.fields) for (const k of Object.keys(shape.fields)) if (!(k in r)) r[k] = null;
      return r;
    }
    case "plain":
      return plainValue(v);
  }
}

function plainValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map(plainValue);
  if (typeof v === "object") {
    const r = createRecord();
    for (const k of Object.keys(v)) r[k] = plainValue((v as Record<string, unknown>)[k]);
    return r;
  }
  return null;
}
