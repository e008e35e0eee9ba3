/**
 * One authoring job — what `validate`, `test`, `publish` and `rollback` need computed from a
 * source: compile it (its `ruleset:` name checked against the URL), check the service's size
 * limits, build its runtime (the fact validator and one engine: exactly what will decide with it)
 * and, when a suite is given, run it. Plain data in, plain data out: the job runs in a worker
 * thread (see pool.ts), so its input and its verdict cross the thread boundary by structured clone.
 * Problems are values (diagnostics, a suite verdict); the job throws only for bugs. This module
 * loads the compiler and the tester: the main thread imports it only when a job runs inline
 * (`inlineRunner`); the limits and messages it shares with publish.ts are in limits.ts.
 */
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import { compileSource } from "../../dsl/compile/pipeline.js";
import { createError, type Diagnostic, type Range } from "../../dsl/diagnostics.js";
import { createLineIndex, locateDiagnostics, type LocatedDiagnostic } from "../../dsl/positions.js";
import type { RuleSetModel } from "../../dsl/ruleset/model.js";
import { runtimeOf } from "../../engine/index.js";
import { mutateSuite, type MutationReport } from "../../tester/mutate.js";
import { runSuite, type SuiteResult } from "../../tester/run.js";
import { loadSuite } from "../../tester/suite.js";
import { RUNTIME_BUILD_FAILED, runtimeBuildMessage, type AuthoringLimits } from "./limits.js";

export { DEFAULT_LIMITS, RUNTIME_BUILD_FAILED, runtimeBuildMessage, type AuthoringLimits } from "./limits.js";

export interface AuthoringJob {
  /** The rule set's name in the URL (the source's `ruleset:` must match). */
  readonly name: string;
  readonly source: string;
  /** A test-suite source to run against the compiled rule set, or null for none. */
  readonly tests: string | null;
  readonly limits: AuthoringLimits;
  /** Send the compiled rule set back (publish); validate and test do not need it. */
  readonly wantCompiled: boolean;
  /** Also run the suite against the rule set's mutants (POST .../mutants; tester/mutate.ts). */
  readonly mutate?: { readonly maxMutants: number };
}

/** A span of the source, 1-based (end column exclusive), as diagnostics carry it. */
export interface SourceSpan {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export type SuiteVerdict =
  | { readonly kind: "ran"; readonly result: SuiteResult }
  /** The suite itself is unusable (YAML or structure problems, or it names another rule set). */
  | { readonly kind: "invalid"; readonly message: string; readonly details: readonly unknown[] };

export interface AuthoringVerdict {
  /** The source compiles, stays within the limits and its runtime builds. */
  readonly ok: boolean;
  /** Over a size limit (then `ok` is false and a `ruleset/too-many-*` diagnostic says where). */
  readonly tooLarge: boolean;
  readonly diagnostics: readonly LocatedDiagnostic[];
  /** Where the `ruleset:` name is: the place for problems of the rule set as a whole. */
  readonly nameSpan: SourceSpan;
  /** Present when `ok` and the job asked for it. */
  readonly compiled?: CompiledRuleSet;
  /** Present when `ok` and a suite was given. */
  readonly suite?: SuiteVerdict;
  /** Present when `mutate` was asked and the suite ran. */
  readonly mutation?: MutationReport;
}

/** Builds what decides: the fact validator (ajv) and one json-rules-engine engine. Throws when either fails. */
export function buildRuntimeOf(compiled: CompiledRuleSet): void {
  runtimeOf(compiled).prepare();
}

/** The size limits as diagnostics, each at the first rule or table row beyond its limit. */
export function limitDiagnostics(model: RuleSetModel, limits: AuthoringLimits): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (model.rules.length > limits.maxRules) {
    const first = model.rules[limits.maxRules];
    out.push(
      createError(
        "ruleset/too-many-rules",
        `o conjunto tem ${model.rules.length} regras e o serviço aceita no máximo ${limits.maxRules} (MAX_RULES); esta é a primeira além do limite. Junte regras parecidas numa tabela ou divida o conjunto.`,
        first ? first.range : model.nameRange,
      ),
    );
  }
  const totalRows = model.tables.reduce((n, t) => n + t.rows.length, 0);
  if (totalRows > limits.maxTableRows) {
    let seen = 0;
    let where: Range = model.nameRange;
    for (const t of model.tables) {
      if (seen + t.rows.length > limits.maxTableRows) {
        const row = t.rows[limits.maxTableRows - seen];
        where = row ? row.range : t.range;
        break;
      }
      seen += t.rows.length;
    }
    out.push(
      createError(
        "ruleset/too-many-table-rows",
        `as tabelas têm ${totalRows} linhas ao todo e o serviço aceita no máximo ${limits.maxTableRows} (MAX_TABLE_ROWS); esta é a primeira além do limite.`,
        where,
      ),
    );
  }
  return out;
}

/** Runs one authoring job (in a worker thread, or inline). */
export async function runAuthoringJob(job: AuthoringJob): Promise<AuthoringVerdict> {
  const result = compileSource(job.source);
  const model = result.model;
  const extra: Diagnostic[] = [];
  const nameRange: Range = model?.nameRange ?? { start: 0, end: 0 };
  if (model && model.name !== job.name) {
    extra.push(
      createError(
        "ruleset/invalid-name",
        `o arquivo se chama "${model.name}", mas está sendo publicado como "${job.name}": os nomes devem ser iguais`,
        model.nameRange,
      ),
    );
  }
  const limits = model ? limitDiagnostics(model, job.limits) : [];
  extra.push(...limits);
  let compiled = result.compiled;
  if (compiled && extra.length === 0) {
    try {
      buildRuntimeOf(compiled);
    } catch (e) {
      extra.push(createError(RUNTIME_BUILD_FAILED, runtimeBuildMessage(e), nameRange));
      compiled = undefined;
    }
  }
  const diagnostics = locateDiagnostics(job.source, [...result.diagnostics, ...extra]);
  const index = createLineIndex(job.source);
  const start = index.toPosition(nameRange.start);
  const end = index.toPosition(nameRange.end);
  const nameSpan: SourceSpan = { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  const ok = compiled !== undefined && !diagnostics.some((d) => d.severity === "error");
  if (!ok || !compiled) return { ok: false, tooLarge: limits.length > 0, diagnostics, nameSpan };
  const suite = job.tests === null ? undefined : await suiteVerdict(compiled, job.tests);
  const loaded = job.mutate && job.tests !== null && suite?.kind === "ran" ? loadSuite(job.tests).suite : undefined;
  const mutation =
    job.mutate && loaded && job.tests !== null
      ? await mutateSuite(job.source, loaded, job.tests, { maxMutants: job.mutate.maxMutants })
      : undefined;
  return {
    ok: true,
    tooLarge: false,
    diagnostics,
    nameSpan,
    ...(job.wantCompiled ? { compiled } : {}),
    ...(suite ? { suite } : {}),
    ...(mutation ? { mutation } : {}),
  };
}

async function suiteVerdict(compiled: CompiledRuleSet, tests: string): Promise<SuiteVerdict> {
  const loaded = loadSuite(tests);
  if (!loaded.suite || loaded.diagnostics.some((d) => d.severity === "error")) {
    return {
      kind: "invalid",
      message: "a suíte de testes tem problemas",
      details: locateDiagnostics(tests, loaded.diagnostics).map((d) => ({ ...d, file: "tests" })),
    };
  }
  if (loaded.suite.ruleset !== compiled.name) {
    return {
      kind: "invalid",
      message: `a suíte de testes é de "${loaded.suite.ruleset}", não de "${compiled.name}"`,
      details: [],
    };
  }
  return { kind: "ran", result: await runSuite(compiled, loaded.suite, { suiteSource: tests }) };
}
