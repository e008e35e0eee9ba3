/** Reading and checking one test-suite file (`<nome>.test.yaml`) for the commands. */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { compileSource } from "../dsl/compile/pipeline.js";
import { createWarning, hasErrors, type Diagnostic } from "../dsl/diagnostics.js";
import { checkSuite } from "../tester/check.js";
import { loadSuite, type TestSuite } from "../tester/suite.js";
import { readTextFile, resolvePath, type CliContext } from "./io.js";

/** The rule-set file a suite tests: `x.test.yaml` → `x.yaml` in the same folder. */
export function ruleFileOfSuite(file: string): string {
  return join(dirname(file), basename(file).replace(/\.test\.yaml$/, ".yaml"));
}

/**
 * Every diagnostic of a suite source: its structure and, when the rule set beside it compiles, its
 * fact names, output names and enum values compared with the rule set (`compiled` when the caller
 * already has it).
 */
export function diagnoseSuite(
  ctx: CliContext,
  file: string,
  source: string,
  compiled?: CompiledRuleSet,
): { suite?: TestSuite; diagnostics: Diagnostic[] } {
  const loaded = loadSuite(source);
  if (!loaded.suite || hasErrors(loaded.diagnostics)) return loaded;
  const whole = { start: 0, end: 0 };
  let target = compiled;
  if (!target) {
    const rulesFile = ruleFileOfSuite(file);
    if (!existsSync(resolvePath(ctx, rulesFile))) {
      return {
        ...loaded,
        diagnostics: [
          ...loaded.diagnostics,
          createWarning(
            "ruleset/structure",
            `não há ${rulesFile} ao lado da suíte: os nomes de fatos e saídas não foram conferidos`,
            whole,
          ),
        ],
      };
    }
    const result = compileSource(readTextFile(ctx, rulesFile));
    target = result.ok ? result.compiled : undefined;
    if (!target) {
      return {
        ...loaded,
        diagnostics: [
          ...loaded.diagnostics,
          createWarning(
            "ruleset/structure",
            `${rulesFile} tem erros (veja rules check ${rulesFile}): os nomes de fatos e saídas da suíte não foram conferidos`,
            whole,
          ),
        ],
      };
    }
  }
  return { ...loaded, diagnostics: [...loaded.diagnostics, ...checkSuite(source, target)] };
}
