/**
 * The simulator's form model: the fact declarations of a rule set (`facts:`, as the loader reads
 * them) become a description of a form (one field per fact, nested for objects and lists), and the
 * values typed in that form become the facts object a decision receives. Pure functions: no DOM,
 * no Node modules; the editor's simulate panel renders the description and the tests run in Node.
 *
 * Values held by the form (`FormValue`) are what the inputs hold: texts for text, number, date,
 * date-time, duration and JSON inputs (a number being typed is still text), booleans (or
 * undefined, "not informed") for checkboxes, arrays for lists, records for objects and key/value
 * pairs for objects with free keys. An empty optional field, and an optional field equal to its
 * declared default, are left out of the facts: the engine fills in defaults by itself.
 */
import { assertNever } from "../../dsl/exhaustive.js";
import type { FieldDecl, TypeDecl } from "../../dsl/ruleset/model.js";

/** How one field is entered. */
export type FieldControl =
  /** One of the enum's texts (a dropdown). */
  | { readonly kind: "select"; readonly options: readonly string[] }
  | { readonly kind: "checkbox" }
  | {
      readonly kind: "number";
      readonly integer: boolean;
      readonly minimum?: number;
      readonly maximum?: number;
    }
  /** `aaaa-mm-dd` (a date picker). */
  | { readonly kind: "date" }
  /** `aaaa-mm-ddThh:mm[:ss]` in the rule set's zone (a date-time picker). */
  | { readonly kind: "datetime" }
  /** A duration text such as `2h`, `10d`, `30min`. */
  | { readonly kind: "duration" }
  | { readonly kind: "text" }
  /** A list of enum texts: any of the options, in the order given (a group of checkboxes). */
  | { readonly kind: "multiselect"; readonly options: readonly string[] }
  | {
      readonly kind: "list";
      readonly item: FormField;
      readonly minItems?: number;
      readonly maxItems?: number;
    }
  | { readonly kind: "object"; readonly fields: readonly FormField[] }
  /** An object with free keys (`values:`): key/value pairs. */
  | { readonly kind: "map"; readonly value: FormField }
  /** A value of type `any`, typed as JSON (a plain text when it is not JSON). */
  | { readonly kind: "json" };

export interface FormField {
  /** The fact's (or field's) name, the key in the facts object; "" for list items and map values. */
  readonly name: string;
  /** Dotted path from the top (`reembolso.valor`, `contatos[].data`): unique, for ids and messages. */
  readonly path: string;
  readonly required: boolean;
  readonly nullable: boolean;
  readonly default?: unknown;
  readonly description?: string;
  readonly control: FieldControl;
}

/** What an input holds (see the module comment). */
export type FormValue =
  | string
  | boolean
  | undefined
  | readonly FormValue[]
  | { readonly [key: string]: FormValue }
  | readonly MapEntry[];

/** One key/value pair of an object with free keys (`{ key, value }`, tagged to tell it from lists). */
export type MapEntry = {
  readonly key: string;
  readonly value: FormValue;
  readonly entry: true;
};

/** The values of the whole form, by fact name. */
export type FormValues = { readonly [fact: string]: FormValue };

/** A value the form could not turn into a fact (the field is left out of the facts). */
export interface FormProblem {
  readonly path: string;
  readonly message: string;
}

/** The form of a rule set's facts, in the order they are declared. */
export function buildForm(facts: ReadonlyMap<string, FieldDecl>): FormField[] {
  return [...facts.values()].map((f) => fieldOf(f, f.name));
}

function fieldOf(f: FieldDecl, path: string): FormField {
  return {
    name: f.name,
    path,
    required: f.required,
    nullable: f.nullable,
    ...(f.default !== undefined ? { default: f.default } : {}),
    ...(f.description !== undefined ? { description: f.description } : {}),
    control: controlOf(f.decl, path),
  };
}

/** A field with no name of its own: a list item or the value of a free key (left out when empty). */
function anonymous(decl: TypeDecl, path: string): FormField {
  return { name: "", path, required: false, nullable: false, control: controlOf(decl, path) };
}

function controlOf(decl: TypeDecl, path: string): FieldControl {
  switch (decl.type) {
    case "string":
      return decl.enum ? { kind: "select", options: decl.enum } : { kind: "text" };
    case "number":
    case "integer":
      return {
        kind: "number",
        integer: decl.type === "integer",
        ...(decl.minimum !== undefined ? { minimum: decl.minimum } : {}),
        ...(decl.maximum !== undefined ? { maximum: decl.maximum } : {}),
      };
    case "boolean":
      return { kind: "checkbox" };
    case "date":
      return { kind: "date" };
    case "date-time":
      return { kind: "datetime" };
    case "duration":
      return { kind: "duration" };
    case "list": {
      const bounds = {
        ...(decl.minItems !== undefined ? { minItems: decl.minItems } : {}),
        ...(decl.maxItems !== undefined ? { maxItems: decl.maxItems } : {}),
      };
      if (decl.items?.type === "string" && decl.items.enum) return { kind: "multiselect", options: decl.items.enum };
      return {
        kind: "list",
        item: anonymous(decl.items ?? { type: "any", range: decl.range }, `${path}[]`),
        ...bounds,
      };
    }
    case "object":
      if (decl.fields)
        return { kind: "object", fields: [...decl.fields.values()].map((f) => fieldOf(f, `${path}.${f.name}`)) };
      return { kind: "map", value: anonymous(decl.values ?? { type: "any", range: decl.range }, `${path}.*`) };
    case "any":
      return { kind: "json" };
    default:
      return assertNever(decl.type, "type declaration");
  }
}

/** The value an empty input of this field holds. */
export function emptyValue(field: FormField): FormValue {
  const c = field.control;
  switch (c.kind) {
    case "checkbox":
      return undefined;
    case "multiselect":
    case "list":
    case "map":
      return [];
    case "object":
      return initialObject(c.fields);
    case "select":
    case "number":
    case "date":
    case "datetime":
    case "duration":
    case "text":
    case "json":
      return "";
    default:
      return assertNever(c, "form control");
  }
}

/** The form's first values: each field's declared default, or empty. */
export function initialValues(fields: readonly FormField[]): FormValues {
  return initialObject(fields);
}

function initialObject(fields: readonly FormField[]): { [key: string]: FormValue } {
  const out: { [key: string]: FormValue } = {};
  for (const f of fields) out[f.name] = f.default !== undefined ? toFormValue(f, f.default) : emptyValue(f);
  return out;
}

/**
 * The form values that show the given facts (a saved case loaded back into the form); facts the
 * form has no field for are ignored, and fields the facts lack are empty (not their defaults).
 */
export function valuesFromFacts(fields: readonly FormField[], facts: Readonly<Record<string, unknown>>): FormValues {
  const out: { [key: string]: FormValue } = {};
  for (const f of fields) out[f.name] = Object.hasOwn(facts, f.name) ? toFormValue(f, facts[f.name]) : emptyValue(f);
  return out;
}

function toFormValue(field: FormField, value: unknown): FormValue {
  const c = field.control;
  if (value === null || value === undefined) return emptyValue(field);
  switch (c.kind) {
    case "checkbox":
      return typeof value === "boolean" ? value : undefined;
    case "multiselect":
      return Array.isArray(value) ? value.map(String) : [];
    case "list":
      return Array.isArray(value) ? value.map((v) => toFormValue(c.item, v)) : [];
    case "object": {
      const o = isRecord(value) ? value : {};
      const out: { [key: string]: FormValue } = {};
      for (const f of c.fields) out[f.name] = Object.hasOwn(o, f.name) ? toFormValue(f, o[f.name]) : emptyValue(f);
      return out;
    }
    case "map":
      return isRecord(value)
        ? Object.entries(value).map(([key, v]): MapEntry => ({ key, value: toFormValue(c.value, v), entry: true }))
        : [];
    case "json":
      return typeof value === "string" && !looksLikeJson(value) ? value : JSON.stringify(value);
    case "datetime":
      // A picker shows local date-times only; anything else (a zone, fractions) stays as typed.
      return String(value);
    case "select":
    case "number":
    case "date":
    case "duration":
    case "text":
      return String(value);
    default:
      return assertNever(c, "form control");
  }
}

/**
 * The facts object of the form's values: empty optional fields and optional fields equal to their
 * default are left out; texts that are not numbers (or JSON) are problems and left out too.
 */
export function factsFromValues(
  fields: readonly FormField[],
  values: FormValues,
): { facts: Record<string, unknown>; problems: FormProblem[] } {
  const problems: FormProblem[] = [];
  return { facts: objectFacts(fields, values, problems), problems };
}

function objectFacts(
  fields: readonly FormField[],
  values: { readonly [key: string]: FormValue },
  problems: FormProblem[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = factOf(f, values[f.name], problems);
    if (v === undefined) continue;
    if (!f.required && f.default !== undefined && sameJson(v, f.default)) continue;
    out[f.name] = v;
  }
  return out;
}

/** The fact value of one field; undefined when it is empty (or could not be read). */
function factOf(field: FormField, value: FormValue, problems: FormProblem[]): unknown {
  const c = field.control;
  switch (c.kind) {
    case "checkbox":
      return typeof value === "boolean" ? value : undefined;
    case "select":
    case "date":
    case "datetime":
    case "duration":
    case "text":
      return typeof value === "string" && value !== "" ? value : undefined;
    case "number": {
      if (typeof value !== "string" || value.trim() === "") return undefined;
      const n = Number(value.trim().replace(",", "."));
      if (!Number.isFinite(n)) {
        problems.push({ path: field.path, message: `${label(field)}: "${value}" não é um número` });
        return undefined;
      }
      if (c.integer && !Number.isInteger(n)) {
        problems.push({ path: field.path, message: `${label(field)}: "${value}" não é um número inteiro` });
        return undefined;
      }
      return n;
    }
    case "json": {
      if (typeof value !== "string" || value.trim() === "") return undefined;
      if (!looksLikeJson(value)) return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        problems.push({ path: field.path, message: `${label(field)}: JSON inválido` });
        return undefined;
      }
    }
    case "multiselect": {
      const list = Array.isArray(value) ? (value as readonly FormValue[]).filter((v) => typeof v === "string") : [];
      return list.length > 0 || field.required ? list : undefined;
    }
    case "list": {
      const items = Array.isArray(value) ? (value as readonly FormValue[]) : [];
      const out = items.map((v) => factOf(c.item, v, problems)).filter((v) => v !== undefined);
      return out.length > 0 || field.required ? out : undefined;
    }
    case "object": {
      const o = isRecord(value) ? (value as { readonly [key: string]: FormValue }) : {};
      const out = objectFacts(c.fields, o, problems);
      return Object.keys(out).length > 0 || field.required ? out : undefined;
    }
    case "map": {
      const entries = Array.isArray(value) ? (value as readonly FormValue[]).filter(isMapEntry) : [];
      const out: Record<string, unknown> = {};
      for (const e of entries) {
        if (e.key.trim() === "") continue;
        const v = factOf(c.value, e.value, problems);
        if (v !== undefined) out[e.key.trim()] = v;
      }
      return Object.keys(out).length > 0 || field.required ? out : undefined;
    }
    default:
      return assertNever(c, "form control");
  }
}

/** The name shown for a field in messages (its path without list markers). */
export function label(field: FormField): string {
  return field.path.replaceAll("[]", "").replaceAll(".*", "") || field.name;
}

export function isMapEntry(v: unknown): v is MapEntry {
  return isRecord(v) && v.entry === true && typeof v.key === "string";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function looksLikeJson(text: string): boolean {
  return /^\s*([[{"]|-?\d|true\b|false\b|null\b)/.test(text);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
