/**
 * Data-driven corpus of the rule language, in the style of Open Policy Agent's test corpora: every
 * `test/corpus/*.yaml` file is a list of cases, one runner turns each case into a vitest test, and
 * a bug report becomes one more YAML case.
 *
 * A case is
 *
 *   - name: what the case shows (unique in its file)
 *     source: |                 # a whole rule set; line 1 is the first line of the block
 *       ruleset: exemplo
 *       ...
 *     # then EITHER the exact set of ERROR diagnostics of `diagnose(source)` (warnings ignored),
 *     # positions 1-based at the start of each diagnostic's range:
 *     want_errors:
 *       - { code: dsl/syntax, line: 5, column: 12 }
 *       - { code: check/not-in-enum, line: 9, column: 20, message: Você quis dizer }   # message: substring (optional)
 *     # OR decisions (the source must compile):
 *     decisions:
 *       - facts: { idade: 20 }
 *         want: { categoria: A }        # subset of the decision, compared as suites compare `expect` (tester/diff.ts)
 *         want_fired: [regra a]         # optional: the exact list of fired names, in order
 *       - facts: { idade: "20" }
 *         want_error: { code: INVALID_FACTS, paths: [/idade] }   # paths: exact set of detail paths (optional)
 *         # details: [{ path: /idade, message: deve ser inteiro }] (optional; message is a substring)
 *
 * Every case whose rule set compiles (decisions, or want_errors: []) also builds its runtime: the
 * fact validator (ajv, strict) and the engine must accept whatever the compiler accepted.
 *
 * A case that fails because of an implementation bug stays here, red, until the bug is fixed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compileSource, diagnose } from "../dsl/compile/pipeline.js";
import { locateDiagnostics } from "../dsl/positions.js";
import { DecisionError } from "../engine/errors.js";
import { createRuntime, type Runtime } from "../engine/runtime.js";
import { diffValues } from "../tester/diff.js";

const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), "corpus");

interface WantError {
  readonly code: string;
  readonly line: number;
  readonly column: number;
  readonly message?: string;
}

interface WantDecisionError {
  readonly code: "INVALID_FACTS" | "RULESET_DEFECT";
  readonly paths?: readonly string[];
  readonly details?: readonly { readonly path?: string; readonly message: string }[];
  readonly message?: string;
}

interface DecisionCase {
  readonly facts: unknown;
  readonly want?: Record<string, unknown>;
  readonly want_fired?: readonly string[];
  readonly want_error?: WantDecisionError;
}

interface CorpusCase {
  readonly name: string;
  readonly source: string;
  readonly want_errors?: readonly WantError[];
  readonly decisions?: readonly DecisionCase[];
}

const CASE_KEYS = new Set(["name", "source", "want_errors", "decisions"]);
const DECISION_KEYS = new Set(["facts", "want", "want_fired", "want_error"]);

/** Reads and shape-checks one corpus file; a malformed case is a loud error, never a silent pass. */
function loadCorpus(file: string): CorpusCase[] {
  const data = parse(readFileSync(join(CORPUS_DIR, file), "utf8")) as unknown;
  if (!Array.isArray(data)) throw new Error(`${file}: a corpus file must be a YAML list of cases`);
  const names = new Set<string>();
  return data.map((raw, i) => {
    const c = raw as Record<string, unknown>;
    const where = `${file}, case ${i + 1} (${String(c?.name)})`;
    if (typeof c !== "object" || c === null) throw new Error(`${where}: a case must be a mapping`);
    for (const k of Object.keys(c)) if (!CASE_KEYS.has(k)) throw new Error(`${where}: unknown key "${k}"`);
    if (typeof c.name !== "string" || c.name === "") throw new Error(`${where}: missing name`);
    if (names.has(c.name)) throw new Error(`${where}: duplicate case name`);
    names.add(c.name);
    if (typeof c.source !== "string") throw new Error(`${where}: source must be a block string`);
    if ((c.want_errors === undefined) === (c.decisions === undefined))
      throw new Error(`${where}: give exactly one of want_errors or decisions`);
    if (c.want_errors !== undefined && !Array.isArray(c.want_errors))
      throw new Error(`${where}: want_errors must be a list`);
    if (c.decisions !== undefined) {
      if (!Array.isArray(c.decisions) || c.decisions.length === 0)
        throw new Error(`${where}: decisions must be a non-empty list`);
      for (const d of c.decisions as Record<string, unknown>[]) {
        for (const k of Object.keys(d))
          if (!DECISION_KEYS.has(k)) throw new Error(`${where}: unknown decision key "${k}"`);
        if ((d.want === undefined && d.want_fired === undefined) === (d.want_error === undefined)) {
          throw new Error(`${where}: a decision gives want/want_fired or want_error`);
        }
      }
    }
    return c as unknown as CorpusCase;
  });
}

// ---------------------------------------------------------------------------------------------
// subset matching with readable diffs: the comparison of the rule suites (tester/diff.ts)

const show = (v: unknown): string => (v === undefined ? "(absent)" : JSON.stringify(v));

/**
 * Asserts that `actual` contains `want`, compared as the rule suites compare `expect` (`diffValues`
 * in subset mode: objects by the listed keys, lists item by item with the same length); the failure
 * lists every difference and the whole value.
 */
function expectSubset(actual: unknown, want: unknown, label = "decision"): void {
  const differences = diffValues(want, actual, false);
  if (differences.length > 0) {
    const lines = differences.map(
      (d) => `${d.path || "(decision)"}: ${d.message}: want ${show(d.expected)}, got ${show(d.actual)}`,
    );
    expect.fail(`${label} does not match:\n  ${lines.join("\n  ")}\n${label} was:\n${JSON.stringify(actual, null, 2)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// the two kinds of case

const key = (e: { code: string; line: number; column: number }) => `${e.code} @ ${e.line}:${e.column}`;

function checkErrors(c: CorpusCase): void {
  const { diagnostics } = diagnose(c.source);
  const located = locateDiagnostics(c.source, diagnostics).filter((d) => d.severity === "error");
  const shown = located.map((d) => `${key(d)}  ${d.message}`).join("\n") || "(none)";
  const actual = [...new Set(located.map(key))].sort();
  const want = [...new Set((c.want_errors ?? []).map(key))].sort();
  expect(actual, `error diagnostics were:\n${shown}\n`).toEqual(want);
  for (const w of c.want_errors ?? []) {
    if (w.message === undefined) continue;
    const hits = located.filter((d) => key(d) === key(w));
    expect(
      hits.some((d) => d.message.includes(w.message as string)),
      `${key(w)} should mention ${JSON.stringify(w.message)}; messages: ${JSON.stringify(hits.map((d) => d.message))}`,
    ).toBe(true);
  }
  // Compilation agrees with the diagnostics: errors never compile, no errors always compile.
  const compiled = compileSource(c.source);
  expect(compiled.ok, `compileSource(...).ok with errors:\n${shown}`).toBe(want.length === 0);
  // "Compiles" implies "builds": the runtime (ajv fact validator, engine) of what compiled builds.
  if (compiled.ok) expect(() => createRuntime(compiled.compiled!)).not.toThrow();
}

async function checkDecisions(c: CorpusCase): Promise<void> {
  const compiled = compileSource(c.source);
  const diags = locateDiagnostics(c.source, compiled.diagnostics)
    .filter((d) => d.severity === "error")
    .map((d) => `${key(d)}  ${d.message}`);
  expect(compiled.ok, `the rule set must compile, but:\n${diags.join("\n")}`).toBe(true);
  const runtime: Runtime = createRuntime(compiled.compiled!);
  for (const [i, d] of (c.decisions ?? []).entries()) {
    const label = `decision ${i + 1} (facts ${JSON.stringify(d.facts)})`;
    let result: Awaited<ReturnType<Runtime["decide"]>> | undefined;
    let error: unknown;
    try {
      result = await runtime.decide(d.facts, { explain: true });
    } catch (e) {
      error = e;
    }
    if (d.want_error) {
      if (!(error instanceof DecisionError)) {
        expect.fail(
          `${label}: want ${d.want_error.code}, got ${error ? String(error) : `the decision ${JSON.stringify(result?.decision)}`}`,
        );
      }
      const details = JSON.stringify(error.details);
      expect(error.code, `${label}: ${error.message} ${details}`).toBe(d.want_error.code);
      if (d.want_error.message !== undefined) expect(error.message, label).toContain(d.want_error.message);
      if (d.want_error.paths) {
        const paths = [...new Set(error.details.map((x) => x.path ?? ""))].sort();
        expect(paths, `${label}: details ${details}`).toEqual([...d.want_error.paths].sort());
      }
      for (const w of d.want_error.details ?? []) {
        const ok = error.details.some(
          (x) => (w.path === undefined || x.path === w.path) && x.message.includes(w.message),
        );
        expect(ok, `${label}: no detail ${JSON.stringify(w)} in ${details}`).toBe(true);
      }
      continue;
    }
    if (error !== undefined) {
      const extra = error instanceof DecisionError ? ` ${error.code} ${JSON.stringify(error.details)}` : "";
      expect.fail(`${label}: the decision failed: ${error instanceof Error ? error.stack : String(error)}${extra}`);
    }
    if (d.want) expectSubset(result!.decision, d.want, `${label}: decision`);
    if (d.want_fired) expect(result!.fired, `${label}: fired`).toEqual(d.want_fired);
  }
}

// ---------------------------------------------------------------------------------------------

const files = readdirSync(CORPUS_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("corpus", () => {
  it("has corpus files", () => {
    expect(files.length).toBeGreaterThan(0);
  });
});

for (const file of files) {
  const cases = loadCorpus(file);
  describe(file, () => {
    for (const c of cases) {
      if (c.want_errors !== undefined) it(c.name, () => checkErrors(c));
      else it(c.name, () => checkDecisions(c));
    }
  });
}
