/**
 * `npm test` runs the test suite of every rule set in rules/ (`rules/<name>.test.yaml`): every case
 * passes, the suite names only facts, outputs and values its rule set has, and it exercises 100% of
 * rules, table rows and transitions. The list comes from rules/, so adding a rule set (with its
 * suite) adds its tests instead of breaking a fixed list.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { locateDiagnostics } from "../dsl/positions.js";
import { checkSuite } from "../tester/check.js";
import { runSuite } from "../tester/run.js";
import { loadSuite } from "../tester/suite.js";

const dir = new URL("../rules/", import.meta.url);
const rulesets = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
  .sort();
const SHIPPED = ["portal-solicitacoes", "protocolo-status", "reclame-designacao", "reclame-duplicidade", "retencao"];

it("the five shipped rule sets and their suites are in rules/ (others may be added)", () => {
  const suites = readdirSync(dir).filter((f) => f.endsWith(".test.yaml"));
  expect(rulesets).toEqual(expect.arrayContaining(SHIPPED.map((n) => `${n}.yaml`)));
  expect(suites).toEqual(expect.arrayContaining(SHIPPED.map((n) => `${n}.test.yaml`)));
});

describe.each(rulesets)("%s", (file) => {
  const suitePath = new URL(file.replace(/\.yaml$/, ".test.yaml"), dir);
  it("has a test suite", () => {
    expect(existsSync(suitePath)).toBe(true);
  });
  if (!existsSync(suitePath)) return;
  const source = readFileSync(new URL(file, dir), "utf8");
  const suiteSource = readFileSync(suitePath, "utf8");
  const compiled = compileSource(source).compiled;
  const loaded = loadSuite(suiteSource);

  it("suite loads without problems and names its rule set", () => {
    expect(locateDiagnostics(suiteSource, loaded.diagnostics)).toEqual([]);
    expect(loaded.suite?.ruleset).toBe(file.replace(/\.yaml$/, ""));
  });

  it("suite names only facts, outputs and enum values of its rule set", () => {
    expect(locateDiagnostics(suiteSource, checkSuite(suiteSource, compiled!))).toEqual([]);
  });

  it("every case passes, with 100% coverage of rules, rows and transitions", async () => {
    const result = await runSuite(compiled!, loaded.suite!, { suiteSource });
    const failures = result.cases
      .filter((c) => !c.passed)
      .map((c) => ({ case: c.name, line: c.line, differences: c.differences }));
    expect(failures).toEqual([]);
    const missing = [
      ...result.coverage.rules.missing,
      ...result.coverage.rows.missing,
      ...result.coverage.transitions.missing,
    ].map((m) => m.name);
    expect(missing).toEqual([]);
    expect(result.coverage.percent).toBe(100);
  }, 120_000);
});
