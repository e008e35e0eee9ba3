/**
 * The compiled form of a rule set: plain JSON. `rules` are json-rules-engine rules, runnable by
 * json-rules-engine once our operators and facts (`engine/`) are registered; the rest is what the
 * runtime needs to assemble decisions (actions, tables, templates, invariants) and to explain them
 * (the source map back to the YAML file).
 */
import type { Action, Expr, UnaryTest } from "../syntax/ast.js";
import type { Aggregation, HitPolicy } from "../ruleset/model.js";

export const COMPILED_FORMAT = 1;

/** Operators registered by the engine, by DSL operator. */
export const OPERATOR_NAMES: Readonly<Record<string, string>> = {
  "==": "dsl.eq",
  "!=": "dsl.ne",
  "<": "dsl.lt",
  "<=": "dsl.lte",
  ">": "dsl.gt",
  ">=": "dsl.gte",
  in: "dsl.in",
  "not in": "dsl.notIn",
  contains: "dsl.contains",
  "starts with": "dsl.startsWith",
  matches: "dsl.matches",
};
export const IS_NULL_OPERATOR = "dsl.isNull";
export const IS_BLANK_OPERATOR = "dsl.isBlank";
/** Succeeds when the `$tableIndex` fact found at least one matching row. */
export const HAS_ROWS_OPERATOR = "dsl.hasRows";

/** Names of the computed facts the engine registers. */
export const EXPR_FACT = "$expr";
export const DECISION_FACT = "$decision";
export const TABLE_FACT = "$table";
export const RUN_FACT = "$run";
/** The rows of an indexed table that match the facts (params: `{ table }`), in row order. */
export const TABLE_INDEX_FACT = "$tableIndex";

/** How a JSON fact converts into runtime values (only temporal leaves need converting). */
export type Shape =
  | { readonly t: "date" }
  | { readonly t: "datetime" }
  | { readonly t: "duration" }
  | { readonly t: "list"; readonly items: Shape }
  | { readonly t: "object"; readonly fields?: Readonly<Record<string, Shape>>; readonly values?: Shape }
  | { readonly t: "plain" };

/** A json-rules-engine condition (the subset we emit). */
export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | {
      readonly name?: string;
      readonly fact: string;
      readonly path?: string;
      readonly params?: Readonly<Record<string, unknown>>;
      readonly operator: string;
      readonly value: unknown;
    };

export interface EngineRule {
  readonly name: string;
  readonly priority: number;
  readonly conditions: Condition;
  readonly event: { readonly type: string; readonly params: { readonly ref: string } };
}

/** What happens when a compiled json-rules-engine rule fires. */
export type Handler =
  | { readonly kind: "row"; readonly table: string; readonly row: number }
  | { readonly kind: "rule"; readonly rule: number }
  | { readonly kind: "validation"; readonly index: number }
  | { readonly kind: "refuse"; readonly reason: CompiledTemplate }
  | { readonly kind: "missing"; readonly label: string }
  /** An allowed transition was requested (recorded for explain and coverage; changes nothing). */
  | { readonly kind: "edge"; readonly from: string; readonly to: string }
  | { readonly kind: "transitionResult" };

export interface CompiledTemplate {
  readonly params: readonly string[];
  readonly parts: readonly ({ readonly text: string } | { readonly expr: Expr })[];
}

export interface CompiledTable {
  readonly hitPolicy: HitPolicy;
  /** `collect` only: the result is one record of each output column aggregated. */
  readonly aggregate?: Aggregation;
  /**
   * Declared values of output columns (plain JSON), first = highest priority, by column name:
   * `priority` picks the matching row whose outputs come first, `outputOrder` sorts by them
   * (columns compared in the table's output order; a value not in a list comes after those in it).
   */
  readonly outputValues?: Readonly<Record<string, readonly unknown[]>>;
  /**
   * `onNoMatch` with outputs: per output column, the cell (or null) the table gives when no row
   * matches (see `NoMatchOutputs` in dsl/ruleset/model.ts for the result's shape per policy).
   */
  readonly onNoMatch?: readonly (Expr | null)[];
  readonly inputs: readonly Expr[];
  /** Column names of the inputs (for `rows(tabela)`). */
  readonly inputNames: readonly string[];
  readonly outputs: readonly string[];
  readonly rows: readonly { readonly inputs: readonly UnaryTest[]; readonly outputs: readonly Expr[] }[];
  /**
   * Present when every cell is a constant test (the table is indexed): the runtime then runs one
   * engine rule for the whole table instead of one per row (`engine/table-index.ts`). The row rules
   * stay in `rules` (the straightforward path, used for explain traces).
   */
  readonly index?: CompiledTableIndex;
}

/**
 * A cell as a test on its column's value, with constant operands only: `op` is a DSL operator
 * (`==`, `<`, `in`, `contains`, ...) applied as `column op value`; `value` is condition JSON
 * (`{"$date": ...}` wrappers). The tree mirrors the cell's row-rule condition exactly.
 */
export type CellTest =
  | { readonly all: readonly CellTest[] }
  | { readonly any: readonly CellTest[] }
  | { readonly not: CellTest }
  | { readonly op: string; readonly value: unknown };

export interface CompiledTableIndex {
  /** The table's `when` guard (the same condition its row rules start with). */
  readonly guard?: Condition;
  /** Per row, per input column: the cell's test, or null for `-` (any value). */
  readonly cells: readonly (readonly (CellTest | null)[])[];
  /**
   * Columns hashed together: for a row whose cells in these columns are all `== literal` (text,
   * number or boolean), the row is found by the column values; other rows are always tested.
   */
  readonly hash: readonly number[];
}

export interface CompiledRule {
  readonly name: string;
  readonly actions: readonly Action[];
  readonly stop: boolean;
  /**
   * For each output an action assigns as a whole (`saida = ...`; a later assignment to the same
   * output replaces what an earlier one read): the record-shaped tables (single hit, or `collect`
   * with `aggregate`) the assigned expression
   * reads directly (`tabela.coluna`), in reading order, each once. That is what "the value came
   * from a table" means for a RULESET_DEFECT on a null output (engine/table-reads.ts).
   */
  readonly tablesRead: Readonly<Record<string, readonly string[]>>;
}

export interface SourceLocation {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface CompiledRuleSet {
  readonly format: typeof COMPILED_FORMAT;
  readonly name: string;
  readonly description: string;
  readonly zone: string;
  /** JSON Schema of the facts (validated with ajv before every decision). */
  readonly factSchema: Record<string, unknown>;
  readonly factShapes: Readonly<Record<string, Shape>>;
  /**
   * The facts marked `personal: true`, as paths: field names joined by ".", `*` for every item of
   * a list or every value of a map (`cpf`, `contatos.emails.*`, `dependentes.*.nome`). The
   * decision log masks these before anything is stored.
   */
  readonly personalFacts: readonly string[];
  /** JSON Schema of the decision (for the API's response description). */
  readonly decisionSchema: Record<string, unknown>;
  readonly outputs: Readonly<Record<string, { readonly default: unknown; readonly shape: Shape }>>;
  readonly constants: Readonly<Record<string, Expr>>;
  readonly values: Readonly<Record<string, Expr>>;
  readonly templates: Readonly<Record<string, CompiledTemplate>>;
  readonly collections: Readonly<
    Record<
      string,
      { readonly from: Expr; readonly where?: Expr; readonly key: readonly Expr[]; readonly order: readonly Expr[] }
    >
  >;
  readonly tables: Readonly<Record<string, CompiledTable>>;
  readonly rulesMeta: readonly CompiledRule[];
  readonly validations?: {
    readonly into: string;
    readonly fieldKey: string;
    readonly messageKey: string;
    readonly items: readonly { readonly field: string; readonly message: CompiledTemplate }[];
  };
  readonly transitions?: {
    readonly allowed: string;
    readonly reasons: string;
    readonly missing: string;
    readonly missingFields?: CompiledTemplate;
  };
  /** Where each one is written: `sourceMap["i:<index>"]` (RULESET_DEFECT details point there). */
  readonly invariants: readonly { readonly name: string; readonly check: Expr; readonly message?: string }[];
  /** Expressions evaluated by the `$expr` fact, by id. */
  readonly expressions: Readonly<Record<string, Expr>>;
  /** The json-rules-engine rules, in evaluation order (priorities strictly decreasing). */
  readonly rules: readonly EngineRule[];
  readonly handlers: Readonly<Record<string, Handler>>;
  /**
   * Source locations of rules, table rows and conditions, by id (rule `ref`s and condition `name`s);
   * also `o:<output>` (an output's declaration) and `tb:<table>` (a table's name), which
   * RULESET_DEFECT details point at.
   */
  readonly sourceMap: Readonly<Record<string, SourceLocation & { readonly label: string; readonly text?: string }>>;
}
