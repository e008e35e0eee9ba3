/**
 * The simulator's "Por que não…?" model, pure (tested in node): which outputs the analyst can ask
 * about and the values offered for each (from the draft's output declarations: enum values, true
 * and false, null when nullable), the typed value of what was picked or typed, and the answer of
 * the worker (engine/why-not.ts run on the draft, editor/src/worker/handlers.ts) with a source range
 * for every candidate and blocking condition, so that each one is clickable to where it is written.
 */
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import { createLineIndex } from "../../dsl/positions.js";
import type { RuleSetModel } from "../../dsl/ruleset/model.js";
import type { WhyNotResult } from "../../engine/why-not.js";

/** A source range as offsets into the draft (the editor's SourceRange). */
export interface WhyNotRange {
  readonly start: number;
  readonly end: number;
}

/** An output the analyst can ask about, with the values offered in the picker. */
export interface OutputChoice {
  readonly name: string;
  readonly type: string;
  /** Values offered (enum values, true/false, null when nullable); empty: typed freely. */
  readonly values: readonly (string | boolean | null)[];
}

/** The worker's answer: the result with ranges, or a message (the draft does not compile, an impossible value...). */
export type DraftWhyNot =
  | {
      readonly ok: true;
      readonly result: WhyNotResult;
      /** Per candidate (same order): how it is named (`tabela X, linha N`, `regra "nome"`...). */
      readonly labels: readonly string[];
      /** Per candidate (same order): its range, and each blocking condition's range (null when unknown). */
      readonly ranges: readonly {
        readonly at: WhyNotRange | null;
        readonly blocking: readonly (WhyNotRange | null)[];
      }[];
    }
  | { readonly ok: false; readonly message: string };

/** The outputs of a draft that can be asked about (scalars: texts, numbers, booleans), in declaration order. */
export function outputChoices(model: RuleSetModel): OutputChoice[] {
  const out: OutputChoice[] = [];
  for (const [name, o] of model.outputs) {
    const t = o.decl.type;
    if (!["string", "number", "integer", "boolean", "date", "date-time", "any"].includes(t)) continue;
    const values: (string | boolean | null)[] = o.decl.enum ? [...o.decl.enum] : t === "boolean" ? [true, false] : [];
    if (o.nullable && values.length > 0) values.push(null);
    out.push({ name, type: t, values });
  }
  return out;
}

/**
 * The wanted value of what the analyst picked or typed: a picked value as is; typed text by the
 * output's type (`null`, numbers for numeric outputs, `true`/`false` for booleans, else the text).
 */
export function wantedValue(choice: OutputChoice, picked: string | boolean | null): unknown {
  if (typeof picked !== "string") return picked;
  const text = picked.trim();
  if (text === "null") return null;
  if ((choice.type === "number" || choice.type === "integer") && text !== "" && Number.isFinite(Number(text)))
    return Number(text);
  if (choice.type === "boolean" && (text === "true" || text === "false")) return text === "true";
  return picked;
}

/** A picker option's label (texts as they are, null and booleans spelled out). */
export function valueLabel(v: string | boolean | null): string {
  return v === null ? "null (vazio)" : typeof v === "boolean" ? (v ? "true (sim)" : "false (não)") : v;
}

/**
 * The ranges of a why-not answer: each candidate and blocking position is where the compiler put
 * a rule, a row or a condition (its source map), so the range is that entry's.
 */
export function whyNotRanges(
  source: string,
  compiled: CompiledRuleSet,
  result: WhyNotResult,
): Extract<DraftWhyNot, { ok: true }>["ranges"] {
  const index = createLineIndex(source);
  const byPosition = new Map<string, WhyNotRange>();
  for (const loc of Object.values(compiled.sourceMap)) {
    const key = `${loc.line}:${loc.column}`;
    if (byPosition.has(key)) continue;
    byPosition.set(key, {
      start: index.toOffset({ line: loc.line, column: loc.column }),
      end: index.toOffset({ line: loc.endLine, column: loc.endColumn }),
    });
  }
  const at = (p: { line: number; column: number } | undefined): WhyNotRange | null =>
    p ? (byPosition.get(`${p.line}:${p.column}`) ?? null) : null;
  return result.candidates.map((c) => ({ at: at(c.position), blocking: c.blocking.map((b) => at(b.position)) }));
}

/** One line of text for a suggestion: `servico: "Reembolso" → "Financeiro..."; ...`. */
export function suggestionText(result: WhyNotResult): string | undefined {
  if (!result.suggestion) return undefined;
  const show = (v: unknown) => (typeof v === "string" ? `"${v}"` : JSON.stringify(v ?? null));
  return result.suggestion.changes.map((c) => `${c.fact}: ${show(c.from)} → ${show(c.to)}`).join("; ");
}
