/**
 * What the main thread needs of authoring jobs without loading them: the size limits and the
 * wording of a runtime that does not build. Kept apart from job.ts, which loads the compiler and
 * the tester (about a second of start-up and 25 MiB), so that a service whose rule sets come from
 * the compiled cache (see ../compiled-cache.ts) starts without them; they load on the first
 * validate, test or publish.
 */

/** Most rules (`rules:` entries) and table rows (all tables together) a rule set may have. */
export interface AuthoringLimits {
  readonly maxRules: number;
  readonly maxTableRows: number;
}

export const DEFAULT_LIMITS: AuthoringLimits = { maxRules: 2000, maxTableRows: 10_000 };

export const RUNTIME_BUILD_FAILED = "ruleset/runtime-build-failed";

/** The diagnostic message of a runtime that does not build (Portuguese; the cause is technical). */
export function runtimeBuildMessage(cause: unknown): string {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return `o conjunto de regras compila, mas o motor de decisão não consegue montá-lo (esquema dos fatos ou regras recusados); detalhe técnico: ${detail.slice(0, 500)}`;
}
