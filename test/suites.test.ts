/**
 * `npm test` runs every shipped rule test suite (`rules/<name>.test.yaml`): every case passes and
 * the suites exercise 100% of rules, table rows and transitions.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { locateDiagnostics } from "../dsl/positions.js";
import { runSuite } from "../tester/run.js";
import { loadSuite } from "../tester/suite.js";

const dir = new URL("../rules/", import.meta.url);
const rulesets = readdirSync(dir).filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"));

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

  it("every case passes, with 100% coverage of rules, rows and transitions", async () => {
    const result = await runSuite(compiled!, loaded.suite!, { suiteSource });
    const failures = result.cases.filter((c) => !c.passed).map((c) => ({ case: c.name, line: c.line, differences: c.differences }));
    expect(failures).toEqual([]);
    const missing = [...result.coverage.rules.missing, ...result.coverage.rows.missing, ...result.coverage.transitions.missing].map((m) => m.name);
    expect(missing).toEqual([]);
    expect(result.coverage.percent).toBe(100);
  });
});
