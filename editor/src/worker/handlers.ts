/**
 * What the editor's worker computes, as plain functions of the request (no `self`, no messages):
 * the language services on the draft, and the draft compiled, decided with explain and tested
 * with the same `dsl/`, `engine/` and `tester/` code as the service, and "por que não?" answered
 * on the draft (engine/why-not.ts). The last analysis and the last compilation are cached by
 * source text. Tested in node (handlers.test.ts).
 */
import { compileSource, type CompileResult } from "../../../dsl/compile/pipeline.js";
import type { Range } from "../../../dsl/diagnostics.js";
import { createLineIndex } from "../../../dsl/positions.js";
import { isDecisionError } from "../../../engine/errors.js";
import { decide, runtimeOf } from "../../../engine/index.js";
import { candidateLabel, isWhyNotError, whyNot } from "../../../engine/why-not.js";
import { runSuite } from "../../../tester/run.js";
import { loadSuite } from "../../../tester/suite.js";
import { type DraftWhyNot, whyNotRanges } from "../../simulate/why-not.js";
import type { DraftDecision, DraftTestRun, SourceRange } from "../app-context.js";
import { language } from "./language.js";
import type { WorkerMethod, WorkerMethods } from "./protocol.js";

let analyzed: { source: string; analysis: unknown } | undefined;
function analysisOf(source: string): unknown {
  // The previous analysis lets completion and hover work from the last good model while the
  // draft does not load (the analyst is typing).
  if (analyzed?.source !== source) analyzed = { source, analysis: language.analyze(source, analyzed?.analysis) };
  return analyzed.analysis;
}

let compiledCache: { source: string; result: CompileResult } | undefined;
function compile(source: string): CompileResult {
  if (compiledCache?.source !== source) compiledCache = { source, result: compileSource(source) };
  return compiledCache.result;
}

/** Where each engine rule (by ref) is written, as offsets into `source`. */
function refRanges(
  source: string,
  sourceMap: Readonly<Record<string, { line: number; column: number; endLine: number; endColumn: number }>>,
): Record<string, SourceRange> {
  const index = createLineIndex(source);
  const out: Record<string, SourceRange> = {};
  for (const [ref, loc] of Object.entries(sourceMap))
    out[ref] = {
      start: index.toOffset({ line: loc.line, column: loc.column }),
      end: index.toOffset({ line: loc.endLine, column: loc.endColumn }),
    };
  return out;
}

/** JSON round trip: decisions and traces are JSON by contract; this drops anything not cloneable. */
function json<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function decideDraft(source: string, facts: unknown): Promise<DraftDecision> {
  const compiled = compile(source);
  if (!compiled.ok || !compiled.compiled) return { ok: false, kind: "compile", diagnostics: compiled.diagnostics };
  try {
    const result = await decide(compiled.compiled, facts, { explain: true });
    return json({
      ok: true as const,
      decision: result.decision,
      fired: result.fired,
      firedRefs: result.firedRefs,
      trace: result.trace ?? [],
      refRanges: refRanges(source, compiled.compiled.sourceMap),
    });
  } catch (e) {
    if (isDecisionError(e))
      return json({
        ok: false as const,
        kind: "decision" as const,
        code: e.code,
        message: e.message,
        details: e.details,
      });
    return {
      ok: false,
      kind: "decision",
      code: "INTERNAL_ERROR",
      message: `erro interno ao decidir: ${e instanceof Error ? e.message : String(e)}`,
      details: [],
    };
  }
}

async function whyNotDraft(source: string, facts: unknown, want: Record<string, unknown>): Promise<DraftWhyNot> {
  const compiled = compile(source);
  if (!compiled.ok || !compiled.compiled)
    return { ok: false, message: "o rascunho tem erros e não pode ser simulado: corrija-os no editor" };
  try {
    const result = await whyNot(runtimeOf(compiled.compiled), facts, want);
    return json({
      ok: true as const,
      result,
      labels: result.candidates.map(candidateLabel),
      ranges: whyNotRanges(source, compiled.compiled, result),
    });
  } catch (e) {
    if (isWhyNotError(e) || isDecisionError(e)) return { ok: false, message: e.message };
    return { ok: false, message: `erro interno: ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function testDraft(source: string, suiteText: string | undefined): Promise<DraftTestRun> {
  if (suiteText === undefined || suiteText.trim() === "")
    return { ok: false, where: "none", message: "este conjunto de regras ainda não tem suíte de testes" };
  const compiled = compile(source);
  if (!compiled.ok || !compiled.compiled) return { ok: false, where: "source", diagnostics: compiled.diagnostics };
  const loaded = loadSuite(suiteText);
  if (!loaded.suite || loaded.diagnostics.some((d) => d.severity === "error"))
    return { ok: false, where: "suite", diagnostics: loaded.diagnostics };
  const result = await runSuite(compiled.compiled, loaded.suite, { suiteSource: suiteText });
  const ranges = refRanges(source, compiled.compiled.sourceMap);
  const { rules, rows, transitions } = result.coverage;
  return json({
    ok: true as const,
    passed: result.passed,
    failed: result.failed,
    cases: result.cases.map((c) => ({
      name: c.name,
      passed: c.passed,
      line: c.line,
      column: c.column,
      differences: c.differences,
      actual: c.actual,
    })),
    uncovered: [...rules.missing, ...rows.missing, ...transitions.missing].map((m) => ({
      ref: m.ref,
      name: m.name,
      range: ranges[m.ref] ?? { start: 0, end: 0 },
    })),
    percent: result.coverage.percent,
  });
}

export type Handlers = {
  [M in WorkerMethod]: (
    params: WorkerMethods[M]["params"],
  ) => WorkerMethods[M]["result"] | Promise<WorkerMethods[M]["result"]>;
};

export const handlers: Handlers = {
  analyze({ source }) {
    const started = performance.now();
    const diagnostics = [...language.diagnostics(analysisOf(source))];
    return { diagnostics, elapsedMs: performance.now() - started };
  },
  completions: ({ source, offset }) => [...language.completions(analysisOf(source), offset)],
  hover: ({ source, offset }) => language.hover(analysisOf(source), offset) ?? null,
  definition: ({ source, offset }): Range | null => language.definition(analysisOf(source), offset) ?? null,
  symbols: ({ source }) => [...language.documentSymbols(analysisOf(source))],
  semanticTokens: ({ source }) => [...language.semanticTokens(analysisOf(source))],
  format: ({ source }) => language.formatDocument(source),
  decide: ({ source, facts }) => decideDraft(source, facts),
  test: ({ source, suite }) => testDraft(source, suite),
  whyNot: ({ source, facts, want }) => whyNotDraft(source, facts, want),
};
