/**
 * The reference interpreter's fact boundary (see `interpreter.ts`): written from docs/language.md
 * ("Na entrada dos fatos"), not from engine/facts.ts, and deliberately simple. A facts document is
 * walked once along the declarations of the rule-set model: texts declared `string` become NFC and
 * lose the spaces at their ends (unless `normalize: false` on that declaration or one around it),
 * missing facts and fields get their `default`, and anything the schema refuses (unknown fact,
 * missing required fact, wrong type, null where not nullable, value outside its `enum`, minimum,
 * maximum, minItems, maxItems, repeated `uniqueBy` key, infinite number, unsafe integer, malformed
 * date, date-time or duration) makes the whole document refused. Only "refused or not" is
 * compared with the engine, so the refusal carries no details.
 *
 * Accepted facts are converted to runtime values (dates, date-times, durations, null-prototype
 * records) with the parsers of dsl/values.ts, the language's definition of those values.
 */
import type { FieldDecl, TypeDecl } from "../../dsl/ruleset/model.js";
import {
  createRecord,
  isDateTimeText,
  isDurationText,
  parseDate,
  parseDateTime,
  parseDuration,
  type Value,
} from "../../dsl/values.js";

/** Thrown when the facts do not follow the schema (the engine's INVALID_FACTS). */
export class FactsRefused extends Error {
  constructor(readonly where: string) {
    super(`fatos recusados em ${where || "/"}`);
  }
}

const MAX_DEPTH = 32;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function depthOf(v: unknown, depth: number): number {
  if (typeof v !== "object" || v === null) return depth;
  let max = depth;
  for (const child of Object.values(v)) {
    max = Math.max(max, depthOf(child, depth + 1));
    if (max > MAX_DEPTH + 1) break;
  }
  return max;
}

/** A calendar date written `aaaa-mm-dd` (ajv-formats' `date`). */
function isDateText(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && parseDate(s) !== undefined;
}

/** Checks a facts document, returning its normalised JSON with defaults; throws FactsRefused. */
export function checkFacts(
  facts: unknown,
  declared: ReadonlyMap<string, FieldDecl>,
  zone: string,
): Record<string, unknown> {
  if (!isPlainObject(facts)) throw new FactsRefused("");
  if (depthOf(facts, 0) > MAX_DEPTH + 1) throw new FactsRefused("");
  return checkFields(facts, declared, "", true, zone);
}

function checkFields(
  object: Record<string, unknown>,
  fields: ReadonlyMap<string, FieldDecl>,
  at: string,
  normalize: boolean,
  zone: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) if (!fields.has(key)) throw new FactsRefused(`${at}/${key}`);
  for (const [name, f] of fields) {
    const where = `${at}/${name}`;
    if (!Object.hasOwn(object, name)) {
      // A default is checked like a value sent, but never normalised (it is not a text from the caller).
      if (f.default !== undefined)
        out[name] = checkValue(structuredClone(f.default), f.decl, f.nullable, where, false, zone);
      else if (f.required) throw new FactsRefused(where);
      continue;
    }
    out[name] = checkValue(object[name], f.decl, f.nullable, where, normalize, zone);
  }
  return out;
}

function checkValue(
  value: unknown,
  decl: TypeDecl,
  nullable: boolean,
  at: string,
  outerNormalize: boolean,
  zone: string,
): unknown {
  const normalize = decl.normalize ?? outerNormalize;
  if (value === null) {
    // `any` accepts everything, null included.
    if (nullable || decl.type === "any") return null;
    throw new FactsRefused(at);
  }
  const refuse = (): never => {
    throw new FactsRefused(at);
  };
  switch (decl.type) {
    case "any":
      return value;
    case "string": {
      if (typeof value !== "string") return refuse();
      const text = normalize ? value.normalize("NFC").trim() : value;
      if (decl.enum && !decl.enum.includes(text)) refuse();
      return text;
    }
    case "number":
    case "integer": {
      if (typeof value !== "number" || !Number.isFinite(value)) return refuse();
      if (decl.type === "integer" && !Number.isSafeInteger(value)) refuse();
      if (decl.minimum !== undefined && value < decl.minimum) refuse();
      if (decl.maximum !== undefined && value > decl.maximum) refuse();
      return value;
    }
    case "boolean":
      return typeof value === "boolean" ? value : refuse();
    case "date":
      return typeof value === "string" && isDateText(value) ? value : refuse();
    case "date-time":
      return typeof value === "string" && isDateTimeText(value) && parseDateTime(value, zone) !== undefined
        ? value
        : refuse();
    case "duration":
      return typeof value === "string" && isDurationText(value) ? value : refuse();
    case "list": {
      if (!Array.isArray(value)) return refuse();
      if (decl.minItems !== undefined && value.length < decl.minItems) refuse();
      if (decl.maxItems !== undefined && value.length > decl.maxItems) refuse();
      const items = value.map((item, i) =>
        decl.items ? checkValue(item, decl.items, false, `${at}/${i}`, normalize, zone) : item,
      );
      if (decl.uniqueBy?.length) {
        const seen = new Set<string>();
        for (const item of items) {
          if (!isPlainObject(item)) continue;
          const key = decl.uniqueBy.map((k) => item[k]);
          if (!key.every((k) => typeof k === "string" || typeof k === "boolean" || typeof k === "number")) continue;
          const text = JSON.stringify(key);
          if (seen.has(text)) refuse();
          seen.add(text);
        }
      }
      return items;
    }
    case "object": {
      if (!isPlainObject(value)) return refuse();
      if (decl.fields) return checkFields(value, decl.fields, at, normalize, zone);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value))
        out[k] = decl.values ? checkValue(v, decl.values, true, `${at}/${k}`, normalize, zone) : v;
      return out;
    }
  }
}

/** A JSON value (a checked fact, an output default) as a runtime value of its declaration. */
export function toValue(json: unknown, decl: TypeDecl | undefined, zone: string): Value {
  if (json === null || json === undefined) return null;
  switch (decl?.type) {
    case "date":
      return typeof json === "string" ? (parseDate(json) ?? null) : null;
    case "date-time":
      return typeof json === "string" ? (parseDateTime(json, zone) ?? null) : null;
    case "duration":
      return typeof json === "string" ? parseDuration(json) : null;
    case "list":
      return Array.isArray(json) ? json.map((x) => toValue(x, decl.items, zone)) : null;
    case "object": {
      if (!isPlainObject(json)) return null;
      const out = createRecord();
      for (const [k, v] of Object.entries(json)) out[k] = toValue(v, decl.fields?.get(k)?.decl ?? decl.values, zone);
      if (decl.fields) for (const k of decl.fields.keys()) if (!Object.hasOwn(out, k)) out[k] = null;
      return out;
    }
    default:
      return plain(json);
  }
}

function plain(json: unknown): Value {
  if (json === null || json === undefined) return null;
  if (typeof json === "string" || typeof json === "number" || typeof json === "boolean") return json;
  if (Array.isArray(json)) return json.map(plain);
  if (typeof json === "object") {
    const out = createRecord();
    for (const [k, v] of Object.entries(json)) out[k] = plain(v);
    return out;
  }
  return null;
}
