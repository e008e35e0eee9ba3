/**
 * Publishing: compile the source, run its test suite, store the version, switch the active
 * version. Any failure before the store changes nothing (422 with the diagnostics or the failing
 * cases); the store makes the write atomic; the registry makes the switch atomic.
 */
import { compileSource } from "../dsl/compile/pipeline.js";
import { createError } from "../dsl/diagnostics.js";
import { locateDiagnostics, type LocatedDiagnostic } from "../dsl/positions.js";
import { runSuite, type SuiteResult } from "../tester/run.js";
import { loadSuite } from "../tester/suite.js";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { ApiError } from "./errors.js";
import { loadedFrom, type Registry } from "./registry.js";
import { StoreConflictError, type AuditEntry, type StoredVersion } from "./store/types.js";

export interface CompileOutcome {
  readonly compiled?: CompiledRuleSet;
  readonly diagnostics: LocatedDiagnostic[];
}

/** Compiles a source for the API, checking that its `ruleset:` name matches the URL. */
export function compileFor(name: string, source: string): CompileOutcome {
  const result = compileSource(source);
  const diagnostics = [...result.diagnostics];
  if (result.model && result.model.name !== name) {
    diagnostics.push(createError("ruleset/invalid-name", `o arquivo se chama "${result.model.name}", mas está sendo publicado como "${name}": os nomes devem ser iguais`, result.model.nameRange));
  }
  const located = locateDiagnostics(source, diagnostics);
  const ok = result.compiled && !located.some((d) => d.severity === "error");
  return { ...(ok ? { compiled: result.compiled } : {}), diagnostics: located };
}

/** Runs a test suite source against a compiled rule set; suite problems are a 422. */
export async function testWith(compiled: CompiledRuleSet, tests: string): Promise<SuiteResult> {
  const loaded = loadSuite(tests);
  if (!loaded.suite || loaded.diagnostics.some((d) => d.severity === "error")) {
    throw new ApiError(422, "INVALID_TEST_SUITE", "a suíte de testes tem problemas", locateDiagnostics(tests, loaded.diagnostics).map((d) => ({ ...d, file: "tests" })));
  }
  if (loaded.suite.ruleset !== compiled.name) {
    throw new ApiError(422, "INVALID_TEST_SUITE", `a suíte de testes é de "${loaded.suite.ruleset}", não de "${compiled.name}"`);
  }
  return runSuite(compiled, loaded.suite, { suiteSource: tests });
}

export interface PublishRequest {
  readonly name: string;
  readonly source: string;
  /** undefined: keep the current suite; null: no suite. */
  readonly tests?: string | null;
  readonly message: string;
  readonly author: string;
  readonly baseVersion?: number;
  readonly requestId?: string;
  readonly action?: AuditEntry["action"];
  readonly rolledBackFrom?: number;
}

/** Compiles, tests, stores and activates. Throws ApiError 422/409 without changing anything. */
export async function publish(registry: Registry, req: PublishRequest): Promise<StoredVersion> {
  // A stale base version is a conflict whatever else is wrong: say so first (the store checks again).
  const active = registry.store.get(req.name)?.active.version ?? 0;
  if (req.baseVersion !== undefined && req.baseVersion !== active) {
    throw new ApiError(409, "CONFLICT", `a versão ativa de ${req.name} é ${active}, não ${req.baseVersion}: alguém publicou antes`, [{ activeVersion: active }]);
  }
  const outcome = compileFor(req.name, req.source);
  if (!outcome.compiled) throw new ApiError(422, "RULESET_INVALID", "o conjunto de regras não compila", outcome.diagnostics);
  const tests = req.tests === undefined ? (registry.store.get(req.name)?.active.tests ?? null) : req.tests;
  if (tests !== null) {
    const result = await testWith(outcome.compiled, tests);
    if (result.failed > 0) {
      const failing = result.cases.filter((c) => !c.passed).map((c) => ({ case: c.name, line: c.line, column: c.column, differences: c.differences }));
      throw new ApiError(422, "TESTS_FAILED", `${result.failed} caso(s) de teste falharam`, failing);
    }
  }
  let stored: StoredVersion;
  try {
    stored = await registry.store.publish(req.name, {
      source: req.source,
      tests,
      author: req.author,
      message: req.message,
      ...(req.baseVersion !== undefined ? { baseVersion: req.baseVersion } : {}),
      ...(req.requestId ? { requestId: req.requestId } : {}),
      ...(req.action ? { action: req.action } : {}),
      ...(req.rolledBackFrom !== undefined ? { rolledBackFrom: req.rolledBackFrom } : {}),
    });
  } catch (e) {
    if (e instanceof StoreConflictError) throw new ApiError(409, "CONFLICT", e.message, [{ activeVersion: e.activeVersion }]);
    throw e;
  }
  // Concurrent publishes may finish out of order; never let an older version replace a newer one.
  const current = registry.get(req.name);
  if (!current || current.stored.version < stored.version) registry.activate(loadedFrom(stored, outcome.compiled));
  return stored;
}
