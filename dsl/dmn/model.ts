/**
 * What the DMN importer and exporter share: namespaces, DMN versions, hit-policy names, and a
 * neutral data type (`DmnType`) between DMN's typeRefs/itemDefinitions and our facts/outputs
 * declarations.
 */
import type { Aggregation, HitPolicy } from "../ruleset/model.js";

/** The DMN 1.5 model namespace (what the exporter writes). */
export const DMN15_NS = "https://www.omg.org/spec/DMN/20230324/MODEL/";
export const DMN15_FEEL = "https://www.omg.org/spec/DMN/20230324/FEEL/";
export const DMNDI15_NS = "https://www.omg.org/spec/DMN/20230324/DMNDI/";
export const DC_NS = "http://www.omg.org/spec/DMN/20180521/DC/";
export const DI_NS = "http://www.omg.org/spec/DMN/20180521/DI/";
/**
 * Our own namespace for what DMN cannot say (a table's `impossible` combinations and `when`, the
 * original identifiers), written inside `extensionElements`: DMN tools keep and ignore it.
 */
export const EXTENSION_NS = "urn:rules-engine:dmn-extensions:1";

/** DMN version by the date in its model namespace. */
export const DMN_VERSIONS: Readonly<Record<string, string>> = {
  "20151101": "1.1",
  "20180521": "1.2",
  "20191111": "1.3",
  "20211108": "1.4",
  "20230324": "1.5",
};

/** The DMN version of a model namespace URI, or undefined when it is not a DMN model namespace. */
export function dmnVersionOf(uri: string): string | undefined {
  const m = /^https?:\/\/www\.omg\.org\/spec\/DMN\/(\d{8})\/(?:MODEL\/|dmn\.xsd)$/.exec(uri);
  return m ? DMN_VERSIONS[m[1] as string] : undefined;
}

export const HIT_POLICY_FROM_DMN: Readonly<Record<string, HitPolicy>> = {
  UNIQUE: "unique",
  FIRST: "first",
  ANY: "any",
  PRIORITY: "priority",
  "RULE ORDER": "ruleOrder",
  "OUTPUT ORDER": "outputOrder",
  COLLECT: "collect",
};

export const HIT_POLICY_TO_DMN: Readonly<Record<HitPolicy, string>> = {
  unique: "UNIQUE",
  first: "FIRST",
  any: "ANY",
  priority: "PRIORITY",
  ruleOrder: "RULE ORDER",
  outputOrder: "OUTPUT ORDER",
  collect: "COLLECT",
};

export const AGGREGATION_FROM_DMN: Readonly<Record<string, Aggregation>> = {
  SUM: "sum",
  MIN: "min",
  MAX: "max",
  COUNT: "count",
};

export type ScalarKind = "string" | "number" | "integer" | "boolean" | "date" | "date-time" | "duration" | "any";

/** A data type between DMN and our declarations. */
export type DmnType =
  | { readonly kind: ScalarKind; readonly enum?: readonly string[] }
  | { readonly kind: "object"; readonly fields: readonly DmnField[] }
  | { readonly kind: "list"; readonly items: DmnType };

export interface DmnField {
  /** Our identifier. */
  readonly id: string;
  /** The DMN name (the label when it differs from the identifier). */
  readonly dmnName: string;
  readonly type: DmnType;
  /** The identifier came from our own extension element (a name chosen in a rule set). */
  readonly kept?: boolean;
}

/** FEEL built-in type names (DMN 1.1–1.5 spellings) → ours; undefined = not translated. */
export const FEEL_TYPES: Readonly<Record<string, ScalarKind | "object">> = {
  string: "string",
  number: "number",
  boolean: "boolean",
  date: "date",
  "date and time": "date-time",
  dateTime: "date-time",
  "days and time duration": "duration",
  dayTimeDuration: "duration",
  duration: "duration",
  Any: "any",
  any: "any",
  context: "object",
  // Camunda's type names (its DMN engine predates FEEL's types in typeRefs).
  integer: "integer",
  long: "integer",
  double: "number",
};

/** Our scalar kinds → the FEEL type written in a typeRef. */
export const FEEL_TYPE_OF: Readonly<Record<ScalarKind, string>> = {
  string: "string",
  number: "number",
  integer: "number",
  boolean: "boolean",
  date: "date",
  "date-time": "date and time",
  duration: "days and time duration",
  any: "Any",
};
