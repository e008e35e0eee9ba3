/**
 * The rule-set model: what a YAML rule set means, with every part's position in the file.
 * Produced by `load.ts`, checked by `dsl/check`, compiled by `dsl/compile`.
 */
import type { Range } from "../diagnostics.js";
import type { Action, Expr, UnaryTest } from "../syntax/ast.js";
import type { Type } from "../types.js";

/** A name with where it was written. */
export interface Named {
  readonly name: string;
  readonly nameRange: Range;
}

/** A declared data type (facts and outputs), as written in the schema. */
export interface TypeDecl {
  readonly type:
    | "string"
    | "number"
    | "integer"
    | "boolean"
    | "date"
    | "date-time"
    | "duration"
    | "list"
    | "object"
    | "any";
  readonly enum?: readonly string[];
  readonly items?: TypeDecl;
  /** Closed set of fields of an object; undefined = any fields (values of `values` type). */
  readonly fields?: ReadonlyMap<string, FieldDecl>;
  /** Type of each value of an object with free keys (e.g. `campos: {type: object, values: {type: string}}`). */
  readonly values?: TypeDecl;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  /**
   * Facts only. `false`: texts under this declaration arrive byte for byte; by default the engine
   * turns each text declared `string` to NFC and trims it where facts enter.
   */
  readonly normalize?: boolean;
  /** Facts only, lists of objects: fields whose value (together) must not repeat across the items. */
  readonly uniqueBy?: readonly string[];
  readonly range: Range;
}

export interface FieldDecl extends Named {
  readonly decl: TypeDecl;
  readonly required: boolean;
  readonly nullable: boolean;
  readonly default?: unknown;
  readonly description?: string;
  /** A fact marked `personal: true` (LGPD): the decision log never stores it in clear. */
  readonly personal?: boolean;
  /**
   * The name people know this by when it is not an identifier (`label: "Approval Status"` on
   * `approvalStatus`, kept from a DMN file): shown by the editor and in messages.
   */
  readonly label?: string;
  readonly range: Range;
}

export interface ConstantDecl extends Named {
  readonly value: unknown;
  readonly expr: Expr;
  readonly description?: string;
}

export interface ValueDecl extends Named {
  readonly expr: Expr;
  readonly description?: string;
}

/** A text template: literal text with `{expressão}` holes; callable with parameters. */
export interface TemplateDecl extends Named {
  readonly params: readonly Named[];
  readonly parts: readonly TemplatePart[];
  readonly description?: string;
  readonly range: Range;
}

export type TemplatePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "expr"; readonly expr: Expr };

/**
 * How a decision table's matching rows make its result (DMN's hit policies):
 * - single hit, the result is one row's outputs (a record; null when no row matches):
 *   `unique` (two matching rows are a rule-set defect), `first` (the first in row order),
 *   `any` (matching rows must have equal outputs, else a defect), `priority` (the row whose
 *   outputs come first in `outputValues`);
 * - multiple hits, the result is the list of the matching rows' outputs (empty when none):
 *   `ruleOrder` (row order), `outputOrder` (by `outputValues`, then row order), `collect` (row
 *   order) — or, with `aggregate`, one record of each output column aggregated.
 */
export type HitPolicy = "unique" | "first" | "any" | "priority" | "ruleOrder" | "outputOrder" | "collect";

/** Every hit policy, in the order the docs and the editor list them. */
export const HIT_POLICIES: readonly HitPolicy[] = [
  "unique",
  "first",
  "any",
  "priority",
  "ruleOrder",
  "outputOrder",
  "collect",
];

/** Whether the table's result is one row's outputs (a record, or null) rather than a list. */
export function isSingleHit(policy: HitPolicy): boolean {
  return policy === "unique" || policy === "first" || policy === "any" || policy === "priority";
}

/**
 * `collect` with `aggregate`: the result is one record whose every output column is the sum, the
 * minimum, the maximum of that column's values over the matching rows (nulls left out; null when
 * there are none), or the number of matching rows (`count`; 0 when none).
 */
export type Aggregation = "sum" | "min" | "max" | "count";

export const AGGREGATIONS: readonly Aggregation[] = ["sum", "min", "max", "count"];

/** The declared values of one output column, first = highest priority (`outputValues`). */
export interface OutputValueList {
  /** Plain values (texts, numbers, booleans), as written. */
  readonly values: readonly unknown[];
  readonly range: Range;
}

/**
 * `onNoMatch` with outputs: what the table gives when no row matches, an output cell per output
 * column (a column left out is null). A single-hit table's result is then this record; a list
 * policy's, a list with this one record; an aggregating table's, this record as its result.
 */
export interface NoMatchOutputs {
  /** By output column, in the table's order: the cell, or undefined when left out (null). */
  readonly outputs: readonly (Expr | undefined)[];
  readonly range: Range;
}

export interface TableColumn extends Named {
  /** Input columns: the expression whose value the cells test. */
  readonly expr?: Expr;
}

export interface TableRow {
  readonly index: number;
  readonly inputs: readonly UnaryTest[];
  /** Output cells: literal values (as expressions) or `= expr`. */
  readonly outputs: readonly Expr[];
  readonly range: Range;
  readonly description?: string;
}

/** A combination of inputs declared impossible (`impossible:`): cells shaped like a row's input cells. */
export interface ImpossibleDecl {
  readonly inputs: readonly UnaryTest[];
  readonly range: Range;
  readonly description?: string;
}

export interface TableDecl extends Named {
  readonly description?: string;
  readonly hitPolicy: HitPolicy;
  readonly hitPolicyRange?: Range;
  /** Only with `hitPolicy: collect`. */
  readonly aggregate?: Aggregation;
  readonly aggregateRange?: Range;
  /** Declared values of output columns, by column name (required by `priority` and `outputOrder`). */
  readonly outputValues?: ReadonlyMap<string, OutputValueList>;
  /** The DMN decision's name when it is not an identifier (shown by the editor and in messages). */
  readonly label?: string;
  /** Column labels (input or output column name → label), e.g. kept from a DMN file. */
  readonly labels?: ReadonlyMap<string, string>;
  readonly when?: Expr;
  readonly inputs: readonly TableColumn[];
  readonly outputs: readonly TableColumn[];
  readonly rows: readonly TableRow[];
  /**
   * `onNoMatch: null`: the analyst declares that no matching row is intended (the table's result
   * is then null — an empty list for list policies — as it is at run time without the key); the
   * gap analysis reports no gap for this table. `onNoMatch: {coluna: valor, ...}`: the outputs the
   * table gives when no row matches (DMN's default output entries); no gap either.
   */
  readonly onNoMatch?: null | NoMatchOutputs;
  /** Input combinations that never happen: no gap (nor overlap) is reported inside them. */
  readonly impossible: readonly ImpossibleDecl[];
  readonly range: Range;
}

export interface RuleDecl extends Named {
  readonly description?: string;
  readonly priority: number;
  readonly when?: Expr;
  readonly then: readonly Action[];
  readonly stop: boolean;
  readonly range: Range;
}

export interface ValidationDecl {
  readonly field: string;
  readonly fieldRange: Range;
  readonly when?: Expr;
  readonly require: Expr;
  readonly message: TemplateDecl;
  readonly description?: string;
  readonly range: Range;
}

export interface ValidationsDecl {
  readonly into: string;
  readonly intoRange: Range;
  readonly fieldKey: string;
  readonly messageKey: string;
  readonly items: readonly ValidationDecl[];
  readonly range: Range;
}

export interface CollectionDecl extends Named {
  readonly from: Expr;
  readonly where?: Expr;
  readonly key: readonly Expr[];
  readonly order: readonly Expr[];
  readonly description?: string;
  readonly range: Range;
}

/** A condition a transition needs; when `require` is false the transition is refused with `reason`. */
export interface GuardDecl {
  readonly require: Expr;
  readonly reason: TemplateDecl;
  readonly description?: string;
  readonly range: Range;
}

export interface TransitionDecl {
  readonly from: string;
  readonly fromRange: Range;
  readonly to: string;
  readonly toRange: Range;
  readonly requires: readonly { readonly expr: Expr; readonly label: string }[];
  readonly guards: readonly GuardDecl[];
  readonly description?: string;
  readonly range: Range;
}

export interface TransitionsDecl {
  readonly from: Expr;
  readonly to: Expr;
  readonly states: readonly Named[];
  readonly initial: Named;
  readonly terminal: readonly Named[];
  readonly outputs: { readonly allowed: string; readonly reasons: string; readonly missing: string };
  readonly outputsRange: Range;
  /** Where each output name is written. */
  readonly outputRanges: { readonly allowed: Range; readonly reasons: Range; readonly missing: Range };
  readonly guards: readonly GuardDecl[];
  readonly allow: readonly TransitionDecl[];
  readonly refusals: {
    readonly notAllowed: TemplateDecl;
    readonly terminal: TemplateDecl;
    readonly unknownState: TemplateDecl;
    /** Optional reason added when required fields are missing (it may list `decision.<missing>`). */
    readonly missingFields?: TemplateDecl;
  };
  readonly range: Range;
}

export interface InvariantDecl extends Named {
  readonly check: Expr;
  readonly message?: string;
  readonly description?: string;
  readonly range: Range;
}

export interface RuleSetModel {
  readonly name: string;
  readonly nameRange: Range;
  readonly description: string;
  readonly zone: string;
  readonly facts: ReadonlyMap<string, FieldDecl>;
  readonly constants: ReadonlyMap<string, ConstantDecl>;
  readonly values: ReadonlyMap<string, ValueDecl>;
  readonly templates: ReadonlyMap<string, TemplateDecl>;
  readonly outputs: ReadonlyMap<string, FieldDecl>;
  readonly collections: ReadonlyMap<string, CollectionDecl>;
  readonly tables: readonly TableDecl[];
  readonly validations?: ValidationsDecl;
  readonly transitions?: TransitionsDecl;
  readonly rules: readonly RuleDecl[];
  readonly invariants: readonly InvariantDecl[];
}

/** Static type of a declared data type. */
export function typeOfDecl(decl: TypeDecl): Type {
  switch (decl.type) {
    case "string":
      return decl.enum ? { kind: "string", enum: decl.enum } : { kind: "string" };
    case "number":
      return { kind: "number" };
    case "integer":
      return { kind: "integer" };
    case "boolean":
      return { kind: "boolean" };
    case "date":
      return { kind: "date" };
    case "date-time":
      return { kind: "datetime" };
    case "duration":
      return { kind: "duration" };
    case "list":
      return { kind: "list", of: decl.items ? typeOfDecl(decl.items) : { kind: "any" } };
    case "object": {
      if (!decl.fields) return { kind: "object" };
      const fields: Record<string, Type> = Object.create(null);
      for (const [k, f] of decl.fields) fields[k] = typeOfDecl(f.decl);
      return { kind: "object", fields };
    }
    case "any":
      return { kind: "any" };
  }
}
