/**
 * The explain trace (`decide(..., { explain: true })`): for every engine rule in order, whether it
 * matched (or was not evaluated because a rule stopped the evaluation, or was ignored by a `first`
 * table; for a `priority` table, which matching row was chosen and which lost to it), where it is
 * written, and each condition with the value it saw, what it was compared with and its result, as
 * json-rules-engine reported them.
 */
import type { RuleResult } from "json-rules-engine";
import type { CompiledRuleSet, Condition, Handler } from "../dsl/compile/compiled.js";
import { toJson, type Value } from "../dsl/values.js";
import { decodeValue } from "./operators.js";
import type { RunContext } from "./run-context.js";

export interface TraceCondition {
  readonly text: string;
  readonly line?: number;
  readonly column?: number;
  /** The value the condition saw (left-hand side). */
  readonly factValue: unknown;
  /** What it was compared with. */
  readonly value: unknown;
  readonly result: boolean | null;
}

export interface TraceEntry {
  readonly name: string;
  readonly kind: Handler["kind"];
  /** true / false, or null when not evaluated (an earlier rule stopped the evaluation). */
  readonly matched: boolean | null;
  readonly line: number;
  readonly column: number;
  readonly conditions: readonly TraceCondition[];
  /**
   * For table rows, what the hit policy made of a matching row: ignored (`first`: an earlier row
   * already hit), chosen or not chosen (`priority`: the row with the highest-priority outputs).
   */
  readonly note?: string;
}

/** The trace of a run: one entry per engine rule, in the rule set's order. */
export function explain(
  compiled: CompiledRuleSet,
  refs: readonly string[],
  names: ReadonlyMap<string, string>,
  results: readonly RuleResult[],
  run: RunContext,
): TraceEntry[] {
  const byRef = new Map<string, RuleResult>();
  for (const r of results) byRef.set(String((r.event?.params as { ref?: string } | undefined)?.ref), r);
  return refs.map((ref) => {
    const loc = compiled.sourceMap[ref];
    const handler = compiled.handlers[ref] as Handler;
    const r = byRef.get(ref);
    const conditions: TraceCondition[] = [];
    if (r) collectConditions((r as unknown as { conditions: Condition }).conditions, compiled, conditions);
    return {
      name: names.get(ref) ?? ref,
      kind: handler.kind,
      matched: r ? r.result : null,
      line: loc?.line ?? 0,
      column: loc?.column ?? 0,
      conditions,
      ...(run.ignoredRows.has(ref)
        ? { note: "ignorada: uma linha anterior da tabela já foi escolhida (política first)" }
        : {}),
      ...priorityNote(run, handler, ref),
      ...(!r && run.stopped ? { note: "não avaliada: uma regra anterior encerrou a avaliação (stop)" } : {}),
    };
  });
}

/** The note of a matching row of a `priority` table: chosen, or which row won over it. */
function priorityNote(run: RunContext, handler: Handler, ref: string): { note?: string } {
  if (handler.kind !== "row") return {};
  const chosen = run.chosenRows.get(handler.table);
  if (chosen === undefined) return {};
  if (chosen === handler.row)
    return { note: "escolhida: as saídas de maior prioridade entre as linhas válidas (política priority)" };
  if (run.lostRows.has(ref))
    return {
      note: `não escolhida: a linha ${chosen + 1} da tabela também se aplica e tem saídas de maior prioridade (política priority)`,
    };
  return {};
}

/** Adds the leaf conditions of a json-rules-engine condition tree (with their results) to `out`. */
function collectConditions(c: unknown, compiled: CompiledRuleSet, out: TraceCondition[]): void {
  if (!c || typeof c !== "object") return;
  const o = c as Record<string, unknown>;
  for (const key of ["all", "any"])
    if (Array.isArray(o[key])) for (const x of o[key] as unknown[]) collectConditions(x, compiled, out);
  if (o.not) collectConditions(o.not, compiled, out);
  if (typeof o.name === "string" && typeof o.operator === "string") {
    const loc = compiled.sourceMap[o.name];
    out.push({
      text: loc?.text ?? o.name,
      ...(loc ? { line: loc.line, column: loc.column } : {}),
      factValue: toJson((o.factResult ?? null) as Value),
      value: toJson(decodeValue(o.valueResult ?? o.value, compiled.zone)),
      result: typeof o.result === "boolean" ? o.result : null,
    });
  }
}
