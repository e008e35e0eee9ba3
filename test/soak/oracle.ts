/**
 * The soak's oracle: the shipped rule sets' test suites (rules/<name>.test.yaml). Each case's facts
 * are sent to the real service and its answer must be what the suite expects — the decision
 * (subset or exact, as the case says), the rules that fired, or the error a bad request must get
 * (400 INVALID_FACTS naming the case's paths). A wrong decision is an error of the soak run.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { diffValues } from "../../tester/diff.js";
import { loadSuite, type TestCase } from "../../tester/suite.js";

export interface OracleCase {
  readonly ruleset: string;
  readonly name: string;
  readonly facts: Record<string, unknown>;
  /** The request body's facts, serialised once. */
  readonly factsJson: string;
  readonly expect?: Record<string, unknown>;
  readonly exact: boolean;
  readonly fired?: readonly string[];
  readonly expectError?: { readonly code: string; readonly status: number; readonly paths: readonly string[] };
}

/** The names of the rule sets under `rulesDir` that have a suite beside them. */
export function suitedRuleSets(rulesDir: string): string[] {
  const files = new Set(readdirSync(rulesDir));
  return [...files]
    .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml") && files.has(f.replace(/\.yaml$/, ".test.yaml")))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

function toCase(ruleset: string, c: TestCase): OracleCase | undefined {
  const factsJson = JSON.stringify(c.facts);
  // A case whose facts JSON cannot carry as written (Infinity, -0...) is not an HTTP case.
  if (!isDeepStrictEqual(JSON.parse(factsJson), c.facts)) return undefined;
  return {
    ruleset,
    name: c.name,
    facts: c.facts,
    factsJson,
    exact: c.match === "exact",
    ...(c.expect ? { expect: c.expect } : {}),
    ...(c.fired ? { fired: c.fired } : {}),
    ...(c.expectError
      ? {
          expectError: {
            code: c.expectError.code,
            status: c.expectError.status ?? (c.expectError.code === "INVALID_FACTS" ? 400 : 500),
            paths: c.expectError.paths,
          },
        }
      : {}),
  };
}

/** Every case of every suite under `rulesDir`, by rule set. Throws when a suite does not load. */
export function loadOracle(rulesDir: string, names: readonly string[] = suitedRuleSets(rulesDir)): OracleCase[] {
  const out: OracleCase[] = [];
  for (const name of names) {
    const text = readFileSync(join(rulesDir, `${name}.test.yaml`), "utf8");
    const { suite, diagnostics } = loadSuite(text);
    if (!suite) throw new Error(`a suíte de ${name} não carrega: ${diagnostics.map((d) => d.message).join("; ")}`);
    for (const c of suite.cases) {
      const k = toCase(name, c);
      if (k) out.push(k);
    }
  }
  return out;
}

/** A decision, or the error object of a decide response / batch item. */
export type Answer =
  | { readonly status: number; readonly decision: unknown; readonly fired?: unknown }
  | { readonly status: number; readonly error: { readonly code?: unknown; readonly details?: unknown } };

/** Why `answer` is not what the case expects, or undefined when it is. */
export function judge(c: OracleCase, answer: Answer): string | undefined {
  if ("error" in answer) {
    if (!c.expectError) return `erro inesperado ${answer.status} ${String(answer.error.code)}`;
    if (answer.error.code !== c.expectError.code || answer.status !== c.expectError.status)
      return `esperava ${c.expectError.status} ${c.expectError.code}, obteve ${answer.status} ${String(answer.error.code)}`;
    const details = Array.isArray(answer.error.details) ? (answer.error.details as { path?: unknown }[]) : [];
    const missing = c.expectError.paths.filter((p) => !details.some((d) => d.path === p));
    return missing.length ? `o erro não aponta ${missing.join(", ")}` : undefined;
  }
  if (c.expectError) return `esperava ${c.expectError.status} ${c.expectError.code}, obteve uma decisão`;
  if (answer.status !== 200) return `status ${answer.status} com uma decisão`;
  if (c.expect) {
    const d = diffValues(c.expect, answer.decision, c.exact);
    if (d.length) return d.map((x) => `${x.path}: ${x.message}`).join("; ");
  }
  if (c.fired && answer.fired !== undefined) {
    const fired = Array.isArray(answer.fired) ? answer.fired : [];
    const missing = c.fired.filter((f) => !fired.includes(f));
    if (missing.length) return `não disparou ${missing.join(", ")}`;
  }
  return undefined;
}
