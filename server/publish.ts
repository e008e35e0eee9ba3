/**
 * Publishing: compile the source, check the size limits, build its runtime, run its test suite,
 * store the version, switch the active version. Compiling, checking and the suite run happen off
 * the event loop (an authoring job, see authoring/); the runtime that will decide (fact validator
 * and first engine) is built here from the job's plain compiled data BEFORE anything is stored.
 * So a publish is either 201 and served, or refused (409/422) with nothing written; every refusal
 * is recorded in the audit log (`publish-refused`). The store makes the write atomic; the
 * registry makes the switch atomic. A publish may carry a vigência (`effective`, see as-of.ts): its
 * dates are read in the compiled rule set's zone and stored as UTC instants; a start in the future
 * schedules the version (stored and built now, in force from its start).
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import type { LocatedDiagnostic } from "../dsl/positions.js";
import type { Runtime } from "../engine/runtime.js";
import type { SuiteResult } from "../tester/run.js";
import { inlineRunner, AuthoringTimeoutError, type AuthoringRunner } from "./authoring/pool.js";
import type { AuthoringJob, AuthoringVerdict } from "./authoring/job.js";
import { DEFAULT_LIMITS, RUNTIME_BUILD_FAILED, runtimeBuildMessage, type AuthoringLimits } from "./authoring/limits.js";
import { ApiError, handlerTimeout, storageApiError } from "./errors.js";
import { DEFAULT_ZONE, formatInstant, isWhen, parseWhen, WHEN_FORMAT } from "./as-of.js";
import type { Registry } from "./registry.js";
import { StoreConflictError, type AuditEntry, type RefusalAuditEntry, type StoredVersion } from "./store/types.js";

/** How authoring jobs run: where (worker pool or inline), within which limits and time. */
export interface Authoring {
  readonly runner: AuthoringRunner;
  readonly limits: AuthoringLimits;
  /** Time limit of one job in milliseconds (0: none). */
  readonly timeoutMs: number;
}

/** Inline jobs, default limits, no time limit (seeding at start, before the service listens). */
export const inlineAuthoring: Authoring = { runner: inlineRunner, limits: DEFAULT_LIMITS, timeoutMs: 0 };

/** Runs an authoring job; a job past its time limit is a 503. */
export async function runJob(authoring: Authoring, job: Omit<AuthoringJob, "limits">): Promise<AuthoringVerdict> {
  try {
    return await authoring.runner.run({ ...job, limits: authoring.limits }, authoring.timeoutMs);
  } catch (e) {
    if (e instanceof AuthoringTimeoutError) {
      throw new ApiError(
        503,
        "AUTHORING_TIMEOUT",
        `a compilação do conjunto de regras passou de ${e.timeoutMs} ms (HANDLER_TIMEOUT_MS) e foi interrompida`,
      );
    }
    throw e;
  }
}

/** The 422 of a verdict that is not ok: too large, or does not compile / build. */
export function refusalOf(verdict: AuthoringVerdict): ApiError {
  return verdict.tooLarge
    ? new ApiError(
        422,
        "RULESET_TOO_LARGE",
        "o conjunto de regras passa dos limites do serviço (MAX_RULES, MAX_TABLE_ROWS)",
        verdict.diagnostics,
      )
    : new ApiError(422, "RULESET_INVALID", "o conjunto de regras não compila", verdict.diagnostics);
}

/** The suite result of an ok verdict that ran a suite; an unusable suite is a 422. */
export function suiteOf(verdict: AuthoringVerdict): SuiteResult | undefined {
  const suite = verdict.suite;
  if (!suite) return undefined;
  if (suite.kind === "invalid") throw new ApiError(422, "INVALID_TEST_SUITE", suite.message, suite.details);
  return suite.result;
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
  /**
   * Vigência (as-of.ts) as the author wrote it: ISO date-times with an offset, or dates meaning
   * 00:00 in the rule set's zone. Roll backs carry none.
   */
  readonly effective?: { readonly from?: string; readonly until?: string };
  /**
   * The request's deadline: once aborted (HANDLER_TIMEOUT_MS answered 503, or the client left)
   * nothing is stored, so a publish answered 503 is not committed behind the caller's back.
   */
  readonly signal?: AbortSignal;
}

/**
 * Compiles, checks, builds, tests, stores and activates. Throws ApiError 409/422 (503 when the
 * job runs out of time) without changing anything but the audit log, which records the refusal.
 */
export async function publish(registry: Registry, authoring: Authoring, req: PublishRequest): Promise<StoredVersion> {
  try {
    return await publishChecked(registry, authoring, req);
  } catch (e) {
    if (e instanceof ApiError && e.statusCode >= 400 && e.statusCode < 500) await recordRefusal(registry, req, e);
    throw e;
  }
}

async function publishChecked(registry: Registry, authoring: Authoring, req: PublishRequest): Promise<StoredVersion> {
  // The database is known to be out of reach: say so now, not after compiling and running the suite.
  if (registry.store.status().state !== "ok") throw storageApiError("unreachable");
  // A stale base version is a conflict whatever else is wrong: say so first (the store checks again).
  const active = registry.store.get(req.name)?.active.version ?? 0;
  if (req.baseVersion !== undefined && req.baseVersion !== active) {
    throw new ApiError(
      409,
      "CONFLICT",
      `a versão ativa de ${req.name} é ${active}, não ${req.baseVersion}: alguém publicou antes`,
      [{ activeVersion: active }],
    );
  }
  checkEffectiveForm(req.effective);
  const tests = req.tests === undefined ? (registry.store.get(req.name)?.active.tests ?? null) : req.tests;
  const verdict = await runJob(authoring, { name: req.name, source: req.source, tests, wantCompiled: true });
  if (!verdict.ok || !verdict.compiled) throw refusalOf(verdict);
  const result = suiteOf(verdict);
  if (result && result.failed > 0) {
    const failing = result.cases
      .filter((c) => !c.passed)
      .map((c) => ({ case: c.name, line: c.line, column: c.column, differences: c.differences }));
    throw new ApiError(422, "TESTS_FAILED", `${result.failed} caso(s) de teste falharam`, failing);
  }
  // The runtime that will decide, built from exactly the data that will be served, before storing.
  const compiled: CompiledRuleSet = verdict.compiled;
  let runtime: Runtime;
  try {
    runtime = registry.buildRuntime(compiled);
  } catch (e) {
    const diagnostic: LocatedDiagnostic = {
      severity: "error",
      code: RUNTIME_BUILD_FAILED,
      message: runtimeBuildMessage(e),
      ...verdict.nameSpan,
    };
    throw new ApiError(422, "RULESET_INVALID", "o conjunto de regras não pode ser montado pelo motor de decisão", [
      diagnostic,
    ]);
  }
  const effective = effectiveOf(req.effective, compiled.zone ?? DEFAULT_ZONE);
  if (req.signal?.aborted) throw handlerTimeout();
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
      ...effective,
    });
  } catch (e) {
    if (e instanceof StoreConflictError)
      throw new ApiError(
        409,
        "CONFLICT",
        `a versão ativa de ${req.name} é ${e.activeVersion}, não ${req.baseVersion ?? "a base enviada"}: alguém publicou antes`,
        [{ activeVersion: e.activeVersion }],
      );
    throw e;
  }
  // Concurrent publishes may finish out of order; never let an older version replace a newer one.
  const current = registry.get(req.name);
  if (!current || current.stored.version < stored.version) registry.activate({ stored, compiled, runtime });
  return stored;
}

function invalidEffective(field: "from" | "until", message: string): ApiError {
  return new ApiError(400, "INVALID_REQUEST", `vigência inválida: ${message}`, [
    { path: `/effective/${field}`, message },
  ]);
}

/** Refuses (400) a vigência whose texts are not dates or date-times with an offset: before compiling. */
function checkEffectiveForm(effective: PublishRequest["effective"]): void {
  for (const field of ["from", "until"] as const) {
    const text = effective?.[field];
    if (text !== undefined && !isWhen(text)) throw invalidEffective(field, WHEN_FORMAT);
  }
}

/** The vigência as stored (UTC instants), dates read in the rule set's zone; `until` must come after `from`. */
function effectiveOf(
  effective: PublishRequest["effective"],
  zone: string,
): { effectiveFrom?: string; effectiveUntil?: string } {
  const out: { effectiveFrom?: string; effectiveUntil?: string } = {};
  let from: number | undefined;
  let until: number | undefined;
  if (effective?.from !== undefined) {
    from = parseWhen(effective.from, zone);
    if (from === undefined) throw invalidEffective("from", `${JSON.stringify(effective.from)} não é uma data válida`);
    out.effectiveFrom = new Date(from).toISOString();
  }
  if (effective?.until !== undefined) {
    until = parseWhen(effective.until, zone);
    if (until === undefined)
      throw invalidEffective("until", `${JSON.stringify(effective.until)} não é uma data válida`);
    out.effectiveUntil = new Date(until).toISOString();
  }
  if (from !== undefined && until !== undefined && !(until > from)) {
    throw invalidEffective(
      "until",
      `o fim da vigência (${formatInstant(until, zone)}) deve ser depois do início (${formatInstant(from, zone)})`,
    );
  }
  return out;
}

/** Most problems (diagnostic positions, failing cases) kept in a refusal's audit entry. */
const MAX_REFUSAL_PROBLEMS = 20;

/** What a refusal's details say, without any source text: codes, positions, case names. */
function problemsOf(details: readonly unknown[]): NonNullable<RefusalAuditEntry["problems"]> {
  const out: NonNullable<RefusalAuditEntry["problems"]>[number][] = [];
  for (const d of details.slice(0, MAX_REFUSAL_PROBLEMS)) {
    if (typeof d !== "object" || d === null) continue;
    const o = d as Record<string, unknown>;
    const p: { code?: string; line?: number; column?: number; case?: string; file?: string; activeVersion?: number } =
      {};
    if (typeof o.code === "string") p.code = o.code;
    if (typeof o.line === "number") p.line = o.line;
    if (typeof o.column === "number") p.column = o.column;
    if (typeof o.case === "string") p.case = o.case.slice(0, 200);
    if (typeof o.file === "string") p.file = o.file;
    if (typeof o.activeVersion === "number") p.activeVersion = o.activeVersion;
    if (Object.keys(p).length > 0) out.push(p);
  }
  return out;
}

/** Appends the refusal to the audit log; a failure to do so is logged by the store, never masks the refusal. */
async function recordRefusal(registry: Registry, req: PublishRequest, e: ApiError): Promise<void> {
  const entry: RefusalAuditEntry = {
    at: new Date().toISOString(),
    action: "publish-refused",
    ruleset: req.name,
    author: req.author,
    message: req.message,
    attempted: req.action ?? (req.rolledBackFrom !== undefined ? "rollback" : "publish"),
    status: e.statusCode,
    code: e.code,
    reason: e.message,
    problems: problemsOf(e.details),
    activeVersion: registry.store.get(req.name)?.active.version ?? 0,
    ...(req.baseVersion !== undefined ? { baseVersion: req.baseVersion } : {}),
    ...(req.rolledBackFrom !== undefined ? { rolledBackFrom: req.rolledBackFrom } : {}),
    ...(req.requestId ? { requestId: req.requestId } : {}),
  };
  await registry.store.recordRefusal(entry).catch(() => undefined);
}
