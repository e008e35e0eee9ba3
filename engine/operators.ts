/**
 * The operators and the path resolver registered on every json-rules-engine instance. Our own
 * operators replace the built-in ones, whose semantics are unsafe for rules (`greaterThan`
 * accepts numeric strings, `in` with a string is a substring test, `contains` needs an array).
 * Condition values that are not JSON (dates, durations) travel as `{"$date": "..."}` etc.
 */
import type { Operator } from "json-rules-engine";
import { applyBinary, parseDuration } from "../dsl/evaluate.js";
import { IS_BLANK_OPERATOR, IS_NULL_OPERATOR, OPERATOR_NAMES } from "../dsl/compile/compiled.js";
import { getFunction } from "../dsl/library/catalog.js";
import { isRecord, parseDate, parseDateTime, type Value } from "../dsl/values.js";

/** Decodes a condition value (JSON with `$date`/`$datetime`/`$duration` wrappers) into a runtime value. */
export function decodeValue(v: unknown, zone: string): Value {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => decodeValue(x, zone));
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.$date === "string") return parseDate(o.$date) ?? null;
    if (typeof o.$datetime === "string") return parseDateTime(o.$datetime, zone) ?? null;
    if (typeof o.$duration === "string") return parseDuration(o.$duration);
    // A value already computed by a fact (runtime value) passes through.
    return v as Value;
  }
  return v as Value;
}

/** Operator definitions: json-rules-engine operator name → predicate over (fact value, condition value). */
export function operatorDefinitions(zone: string): [string, (a: unknown, b: unknown) => boolean][] {
  const defs: [string, (a: unknown, b: unknown) => boolean][] = Object.entries(OPERATOR_NAMES).map(([dslOp, name]) => [
    name,
    (a: unknown, b: unknown) => applyBinary(dslOp, a as Value, decodeValue(b, zone), zone) === true,
  ]);
  const isBlank = getFunction("isBlank");
  defs.push([IS_NULL_OPERATOR, (a, b) => (a === null || a === undefined) === (b === true)]);
  defs.push([IS_BLANK_OPERATOR, (a, b) => (isBlank?.impl([(a ?? null) as Value], { zone }) === true) === (b === true)]);
  return defs;
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Resolves a dotted path (`campos.tipoManifestacao`, `itens.0.valor`) over own properties only.
 * Replaces json-rules-engine's default JSONPath resolver: rule text never reaches JSONPath.
 * A path over a list maps over its items (like the expression language's member access).
 */
export function pathResolver(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const segment of path.split(".")) {
    if (FORBIDDEN_KEYS.has(segment)) return null;
    if (cur === null || cur === undefined) return null;
    if (Array.isArray(cur)) {
      if (/^\d+$/.test(segment)) cur = cur[Number(segment)] ?? null;
      else cur = cur.map((item: unknown) => (isRecord(item) && Object.hasOwn(item, segment) ? item[segment] : null));
      continue;
    }
    if (isRecord(cur) && Object.hasOwn(cur, segment)) cur = (cur as Record<string, unknown>)[segment];
    else return null;
  }
  return cur ?? null;
}

export type { Operator };
