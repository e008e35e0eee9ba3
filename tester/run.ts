/**
 * Runs a test suite against a compiled rule set: each case decides its facts and compares the
 * decision (subset or exact) or the error; the report carries a readable diff for failures and
 * the coverage of rules, table rows and transitions. A table row is covered when some case used
 * its outputs: rows that matched but were not chosen by the hit policy (a `first` table's later
 * matches, a `priority` table's losers) do not count.
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { didYouMean } from "../dsl/diagnostics.js";
import { createLineIndex } from "../dsl/positions.js";
import { isDecisionError } from "../engine/errors.js";
import { runtimeOf } from "../engine/index.js";
import { diffValues, type Difference } from "./diff.js";
import type { TestCase, TestSuite } from "./suite.js";

export interface CaseResult {
  readonly name: string;
  readonly tags: readonly string[];
  readonly passed: boolean;
  readonly line: number;
  readonly column: number;
  /** What differs (expected vs actual), empty when the case passed. */
  readonly differences: readonly Difference[];
  /** The actual decision (or error) the case got. */
  readonly actual: unknown;
  readonly durationMs: number;
}

export interface CoverageItem {
  readonly ref: string;
  readonly name: string;
  readonly line: number;
  readonly column: number;
}

export interface CoverageGroup {
  readonly total: number;
  readonly covered: number;
  /** What no case exercised. */
  readonly missing: readonly CoverageItem[];
}

export interface Coverage {
  readonly rules: CoverageGroup;
  readonly rows: CoverageGroup;
  readonly transitions: CoverageGroup;
  /** Covered / total over the three groups, 0–100 (100 when there is nothing to cover). */
  readonly percent: number;
}

export interface SuiteResult {
  readonly ruleset: string;
  readonly passed: number;
  readonly failed: number;
  readonly cases: readonly CaseResult[];
  readonly coverage: Coverage;
}

export interface RunOptions {
  /** Only cases with at least one of these tags. */
  readonly tags?: readonly string[];
  /** Only the case with exactly this name. */
  readonly caseName?: string;
  /** Text of the suite file, to give each case its line and column. */
  readonly suiteSource?: string;
}

/** Which engine rules count for coverage, by the prefix of their ref. */
const GROUPS = { rules: "r:", rows: "t:", transitions: "x:" } as const;

function isTransitionEdge(ref: string): boolean {
  return /^x:\d+$/.test(ref);
}

export async function runSuite(
  compiled: CompiledRuleSet,
  suite: TestSuite,
  options: RunOptions = {},
): Promise<SuiteResult> {
  const runtime = runtimeOf(compiled);
  const index = options.suiteSource !== undefined ? createLineIndex(options.suiteSource) : undefined;
  const selected = suite.cases.filter(
    (c) =>
      (!options.tags?.length || c.tags.some((t) => options.tags?.includes(t))) &&
      (options.caseName === undefined || c.name === options.caseName),
  );
  const seen = new Set<string>();
  const ruleNames = [...new Set(compiled.rules.map((r) => r.name))];
  const cases: CaseResult[] = [];
  for (const c of selected) {
    const started = performance.now();
    const { differences, actual } = await runCase(runtime.decide.bind(runtime), c, seen, ruleNames);
    const pos = index?.toPosition(c.range.start) ?? { line: 0, column: 0 };
    cases.push({
      name: c.name,
      tags: c.tags,
      passed: differences.length === 0,
      line: pos.line,
      column: pos.column,
      differences,
      actual,
      durationMs: performance.now() - started,
    });
  }
  const group = (prefix: string, filter: (ref: string) => boolean = () => true): CoverageGroup => {
    const items = compiled.rules.map((r) => r.event.params.ref).filter((ref) => ref.startsWith(prefix) && filter(ref));
    const missing = items
      .filter((ref) => !seen.has(ref))
      .map((ref) => {
        const loc = compiled.sourceMap[ref];
        return {
          ref,
          name: compiled.rules.find((r) => r.event.params.ref === ref)?.name ?? ref,
          line: loc?.line ?? 0,
          column: loc?.column ?? 0,
        };
      });
    return { total: items.length, covered: items.length - missing.length, missing };
  };
  const rules = group(GROUPS.rules);
  const rows = group(GROUPS.rows);
  const transitions = group(GROUPS.transitions, isTransitionEdge);
  const total = rules.total + rows.total + transitions.total;
  const covered = rules.covered + rows.covered + transitions.covered;
  const passed = cases.filter((c) => c.passed).length;
  return {
    ruleset: compiled.name,
    passed,
    failed: cases.length - passed,
    cases,
    coverage: { rules, rows, transitions, percent: total === 0 ? 100 : Math.floor((covered / total) * 1000) / 10 },
  };
}

type Decide = (facts: unknown) => Promise<{
  decision: Record<string, unknown>;
  fired: readonly string[];
  firedRefs: readonly string[];
  unchosenRefs?: readonly string[];
}>;

async function runCase(
  decide: Decide,
  c: TestCase,
  seen: Set<string>,
  ruleNames: readonly string[],
): Promise<{ differences: Difference[]; actual: unknown }> {
  try {
    const result = await decide(c.facts);
    // A table row counts as covered when its outputs were (part of) the table's result: a row of a
    // `priority` table that matched but lost counts no more than a `first` table's later match.
    const unchosen = new Set(result.unchosenRefs ?? []);
    for (const ref of result.firedRefs) if (!unchosen.has(ref)) seen.add(ref);
    const differences: Difference[] = [];
    if (c.expectError)
      differences.push({
        path: "",
        expected: { error: c.expectError.code },
        actual: "uma decisão",
        message: "esperava um erro, mas a decisão foi tomada",
      });
    if (c.expect) differences.push(...diffValues(c.expect, result.decision, c.match === "exact"));
    if (c.fired) {
      const missing = c.fired.filter((f) => !result.fired.includes(f));
      for (const f of missing) {
        // A name no rule has is a typo in the suite, not a rule that did not fire.
        const unknown = ruleNames.includes(f) ? "" : ` (nenhuma regra tem esse nome.${didYouMean(f, ruleNames)})`;
        differences.push({
          path: "fired",
          expected: f,
          actual: result.fired,
          message: `a regra "${f}" não disparou${unknown}`,
        });
      }
    }
    return { differences, actual: { decision: result.decision, fired: result.fired } };
  } catch (e) {
    if (!isDecisionError(e)) throw e;
    const actual = { error: { code: e.code, message: e.message, details: e.details } };
    if (!c.expectError)
      return {
        differences: [{ path: "", expected: c.expect, actual, message: `erro inesperado ${e.code}: ${e.message}` }],
        actual,
      };
    const differences: Difference[] = [];
    if (e.code !== c.expectError.code)
      differences.push({
        path: "error.code",
        expected: c.expectError.code,
        actual: e.code,
        message: "código de erro diferente",
      });
    if (c.expectError.status !== undefined) {
      const status = e.code === "INVALID_FACTS" ? 400 : 500;
      if (status !== c.expectError.status)
        differences.push({
          path: "error.status",
          expected: c.expectError.status,
          actual: status,
          message: "status HTTP diferente",
        });
    }
    for (const p of c.expectError.paths) {
      if (!e.details.some((d) => d.path === p))
        differences.push({
          path: "error.details",
          expected: p,
          actual: e.details.map((d) => d.path),
          message: `o erro não aponta o campo ${p}`,
        });
    }
    return { differences, actual };
  }
}
