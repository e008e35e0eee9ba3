import { describe, expect, it } from "vitest";
import { compileSource } from "../../dsl/compile/pipeline.js";
import { runSuite } from "../../tester/run.js";
import { loadSuite } from "../../tester/suite.js";
import { NAME_PATTERN, ruleSetTemplate, suiteTemplate } from "./template.js";

describe("new rule-set template", () => {
  it("compiles without diagnostics and its suite passes", async () => {
    const compiled = compileSource(ruleSetTemplate("novo-conjunto"));
    expect(compiled.diagnostics).toEqual([]);
    const suite = loadSuite(suiteTemplate("novo-conjunto"));
    expect(suite.diagnostics).toEqual([]);
    const result = await runSuite(compiled.compiled!, suite.suite!);
    expect(result.failed).toBe(0);
    expect(result.passed).toBe(2);
    expect(result.coverage.percent).toBe(100);
  });

  it("accepts the names the service accepts", () => {
    expect(NAME_PATTERN.test("novo-conjunto")).toBe(true);
    expect(NAME_PATTERN.test("Nao_Existe")).toBe(false);
    expect(NAME_PATTERN.test("")).toBe(false);
  });
});
