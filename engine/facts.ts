/**
 * Facts in: validation against the rule set's own JSON Schema (ajv, compiled once per compiled
 * rule set, no coercion, no silent stripping, unknown facts rejected, defaults applied) and
 * conversion of the validated JSON into runtime values (dates, date-times, null-prototype
 * records). Errors name each offending field with a JSON pointer.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { didYouMean } from "../dsl/diagnostics.js";
import type { CompiledRuleSet, Shape } from "../dsl/compile/compiled.js";
import { parseDuration } from "../dsl/evaluate.js";
import { createRecord, DurationValue, parseDate, parseDateTime, type Value } from "../dsl/values.js";
import { DecisionError } from "./errors.js";

// ajv-formats is published as CommonJS; under ESM its default export is the plugin function.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv, formats: string[]) => Ajv;

/** Most fact problems listed in one error. */
export const MAX_FACT_ISSUES = 100;

/** Deepest nesting accepted in a facts document. */
export const MAX_FACT_DEPTH = 32;

export interface FactIssue {
  /** JSON pointer into the request's `facts`, e.g. `/reclames/3/registradoEm`. */
  readonly path: string;
  readonly message: string;
}

const DURATION_RE = /^(?:\d+(?:d|h|min|s))+$/;

/** Creates the fact validator of a compiled rule set. */
export function createFactValidator(compiled: CompiledRuleSet): (facts: unknown) => Record<string, unknown> {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: true,
    strict: true,
    ownProperties: true,
    allowUnionTypes: true,
    // `verbose` keeps the offending data and schema on each error, for "você quis dizer" hints.
    verbose: true,
  });
  addFormats(ajv, ["date"]);
  ajv.addFormat("rules-date-time", { type: "string", validate: (s: string) => parseDateTime(s, compiled.zone) !== undefined });
  ajv.addFormat("rules-duration", { type: "string", validate: (s: string) => DURATION_RE.test(s) });
  const validate: ValidateFunction = ajv.compile(compiled.factSchema);

  return (facts: unknown) => {
    if (typeof facts !== "object" || facts === null || Array.isArray(facts)) {
      throw new DecisionError("INVALID_FACTS", "os fatos devem ser um objeto JSON", [{ path: "", message: "esperava um objeto com os fatos" }]);
    }
    const depthIssue = tooDeep(facts);
    if (depthIssue !== undefined) {
      throw new DecisionError("INVALID_FACTS", "os fatos estão aninhados demais", [{ path: depthIssue, message: `aninhamento acima de ${MAX_FACT_DEPTH} níveis` }]);
    }
    let copy: Record<string, unknown>;
    try {
      copy = structuredClone(facts) as Record<string, unknown>;
    } catch {
      throw new DecisionError("INVALID_FACTS", "os fatos devem ser dados JSON", [{ path: "", message: "valor que não é JSON (função, símbolo...)" }]);
    }
    if (!validate(copy)) {
      const details = dedupe((validate.errors ?? []).map(describe));
      const shown = details.length > MAX_FACT_ISSUES ? [...details.slice(0, MAX_FACT_ISSUES), { path: "", message: `mais ${details.length - MAX_FACT_ISSUES} problemas não mostrados` }] : details;
      throw new DecisionError("INVALID_FACTS", "os fatos não seguem o esquema do conjunto de regras", shown);
    }
    return copy;
  };
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

/** Returns the pointer of the first place deeper than MAX_FACT_DEPTH (iterative). */
function tooDeep(root: unknown): string | undefined {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: root, depth: 0, path: "" }];
  while (stack.length) {
    const { v, depth, path } = stack.pop() as { v: unknown; depth: number; path: string };
    if (typeof v !== "object" || v === null) continue;
    if (depth > MAX_FACT_DEPTH) return path;
    for (const k of Object.keys(v)) stack.push({ v: (v as Record<string, unknown>)[k], depth: depth + 1, path: `${path}/${escapePointer(k)}` });
  }
  return undefined;
}

function escapePointer(k: string): string {
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
      return { path: `${e.instancePath}/${escapePointer(String(params.missingProperty))}`, message: "fato obrigatório ausente" };
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const known = Object.keys(((e.parentSchema as Record<string, unknown> | undefined)?.properties as object | undefined) ?? {});
      return { path: `${e.instancePath}/${escapePointer(name)}`, message: `campo desconhecido.${didYouMean(name, known)}` };
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
    out[name] = Object.prototype.hasOwnProperty.call(facts, name) ? convert(facts[name], shape, compiled.zone) : null;
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
        const field = shape.fields && Object.prototype.hasOwnProperty.call(shape.fields, k) ? shape.fields[k] : shape.values;
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
