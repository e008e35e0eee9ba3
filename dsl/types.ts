/**
 * Static types of the expression language. They come from the fact schema, constants, table
 * outputs and the function catalog, and drive the checker ("entradaEm > 'abc'" is an error) and
 * the editor's completion.
 */

export type Type =
  | { readonly kind: "string"; readonly enum?: readonly string[] }
  | { readonly kind: "number" }
  | { readonly kind: "integer" }
  | { readonly kind: "boolean" }
  | { readonly kind: "date" }
  | { readonly kind: "datetime" }
  | { readonly kind: "duration" }
  | { readonly kind: "null" }
  | { readonly kind: "any" }
  | { readonly kind: "list"; readonly of: Type }
  | { readonly kind: "object"; readonly fields?: Readonly<Record<string, Type>> };

export const T = {
  string: { kind: "string" } as Type,
  number: { kind: "number" } as Type,
  integer: { kind: "integer" } as Type,
  boolean: { kind: "boolean" } as Type,
  date: { kind: "date" } as Type,
  datetime: { kind: "datetime" } as Type,
  duration: { kind: "duration" } as Type,
  null: { kind: "null" } as Type,
  any: { kind: "any" } as Type,
  list: (of: Type): Type => ({ kind: "list", of }),
  object: (fields?: Record<string, Type>): Type => (fields ? { kind: "object", fields } : { kind: "object" }),
  enumOf: (values: readonly string[]): Type => ({ kind: "string", enum: values }),
} as const;

/** Human (Portuguese) name of a type, for messages. */
export function typeName(t: Type): string {
  switch (t.kind) {
    case "string":
      return "texto";
    case "number":
      return "número";
    case "integer":
      return "inteiro";
    case "boolean":
      return "booleano";
    case "date":
      return "data";
    case "datetime":
      return "data-hora";
    case "duration":
      return "duração";
    case "null":
      return "nulo";
    case "any":
      return "qualquer";
    case "list":
      return `lista de ${typeName(t.of)}`;
    case "object":
      return "objeto";
  }
}

export function isNumeric(t: Type): boolean {
  return t.kind === "number" || t.kind === "integer";
}

/**
 * True when a value of type `a` may be compared for equality / ordering with one of type `b`.
 * `any` and `null` are compatible with everything (null-safe comparisons).
 */
export function comparable(a: Type, b: Type): boolean {
  if (a.kind === "any" || b.kind === "any" || a.kind === "null" || b.kind === "null") return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if ((a.kind === "date" || a.kind === "datetime") && (b.kind === "date" || b.kind === "datetime")) return true;
  if (a.kind === "list" && b.kind === "list") return comparable(a.of, b.of);
  return a.kind === b.kind;
}

/** True when a value of type `value` may be used where `expected` is required. */
export function assignable(value: Type, expected: Type): boolean {
  if (value.kind === "any" || expected.kind === "any" || value.kind === "null") return true;
  if (expected.kind === "number" && value.kind === "integer") return true;
  if (expected.kind === "integer" && value.kind === "number") return false;
  if (expected.kind === "list" && value.kind === "list") return assignable(value.of, expected.of);
  if (expected.kind === "string" && value.kind === "string") {
    if (!expected.enum || !value.enum) return true;
    return value.enum.every((v) => expected.enum?.includes(v));
  }
  return value.kind === expected.kind;
}

/** The common type of two branches (if/else, list items), or `any` when they differ. */
export function unify(a: Type, b: Type): Type {
  if (a.kind === "null") return b;
  if (b.kind === "null") return a;
  if (isNumeric(a) && isNumeric(b)) return a.kind === "integer" && b.kind === "integer" ? T.integer : T.number;
  if (a.kind === "string" && b.kind === "string") {
    if (a.enum && b.enum) return T.enumOf([...new Set([...a.enum, ...b.enum])]);
    return T.string;
  }
  if (a.kind === "list" && b.kind === "list") return T.list(unify(a.of, b.of));
  return a.kind === b.kind ? a : T.any;
}
