/**
 * The state the emitters share while one rule set is compiled: the checked model (with its scope
 * and expression types), the source map, the `$expr` expressions, the handlers and the
 * json-rules-engine rules in the order they are added. Every emitter adds its rules through `add`,
 * and that order is the evaluation order: priorities are assigned at the end (`engineRules`),
 * strictly decreasing, so that json-rules-engine never runs two of our rules in parallel.
 */
import type { Range } from "../../diagnostics.js";
import { createLineIndex, locateRange, type LineIndex } from "../../positions.js";
import type { Scope } from "../../check/typing.js";
import type { RuleSetModel } from "../../ruleset/model.js";
import type { Expr } from "../../syntax/ast.js";
import type { Type } from "../../types.js";
import type { CompiledRuleSet, Condition, EngineRule, Handler } from "../compiled.js";

export interface EmitInput {
  readonly model: RuleSetModel;
  readonly source: string;
  readonly scope: Scope;
  readonly types: WeakMap<Expr, Type>;
  /** Whether tables of constant cells get an index (default true; false: row rules only). */
  readonly indexTables?: boolean;
}

type SourceMapEntry = CompiledRuleSet["sourceMap"][string];

/** A json-rules-engine rule before its priority is known. */
interface PendingRule {
  readonly name: string;
  readonly ref: string;
  readonly conditions: Condition;
}

export class EmitContext {
  readonly model: RuleSetModel;
  readonly source: string;
  readonly scope: Scope;
  readonly types: WeakMap<Expr, Type>;
  readonly indexTables: boolean;
  readonly sourceMap: Record<string, SourceMapEntry> = {};
  /** Expressions evaluated by the `$expr` fact, by id (`e1`, `e2`, ... in emission order). */
  readonly expressions: Record<string, Expr> = {};
  readonly handlers: Record<string, Handler> = {};
  private readonly index: LineIndex;
  private readonly pending: PendingRule[] = [];
  private conditionCount = 0;
  private exprCount = 0;

  constructor({ model, source, scope, types, indexTables = true }: EmitInput) {
    this.model = model;
    this.indexTables = indexTables;
    this.source = source;
    this.scope = scope;
    this.types = types;
    this.index = createLineIndex(source);
  }

  /**
   * Records where `id` is written (with the source text when `withText`, for condition traces,
   * after `textPrefix` when given). The entry is built field by field (same key order as
   * `{ ...locateRange(...), label, text }`): a spread per entry was a tenth of compiling a large table.
   */
  locate(id: string, range: Range, label: string, withText = false, textPrefix = ""): void {
    const at = locateRange(this.index, range);
    this.sourceMap[id] = withText
      ? {
          line: at.line,
          column: at.column,
          endLine: at.endLine,
          endColumn: at.endColumn,
          label,
          text: textPrefix + this.source.slice(range.start, range.end),
        }
      : { line: at.line, column: at.column, endLine: at.endLine, endColumn: at.endColumn, label };
  }

  /** The name of the next leaf condition (`c1`, `c2`, ...). */
  nextConditionName(): string {
    return `c${++this.conditionCount}`;
  }

  /** The id of the next `$expr` expression (`e1`, `e2`, ...). */
  nextExpressionId(): string {
    return `e${++this.exprCount}`;
  }

  /** Adds a json-rules-engine rule after the ones already added, with its handler and location. */
  add(name: string, ref: string, conditions: Condition, handler: Handler, range: Range, label: string): void {
    this.pending.push({ name, ref, conditions });
    this.handlers[ref] = handler;
    this.locate(ref, range, label);
  }

  /** The rules added so far, in order, with strictly decreasing priorities. */
  engineRules(): EngineRule[] {
    return this.pending.map((p, i) => ({
      name: p.name,
      priority: this.pending.length - i,
      conditions:
        "all" in p.conditions || "any" in p.conditions || "not" in p.conditions
          ? p.conditions
          : { all: [p.conditions] },
      event: { type: "dsl", params: { ref: p.ref } },
    }));
  }
}

/** The conjunction of the given conditions (undefined ones skipped; a single one as is). */
export function andAll(...cs: (Condition | undefined)[]): Condition {
  const list = cs.filter((c): c is Condition => c !== undefined);
  return list.length === 1 ? (list[0] as Condition) : { all: list };
}
