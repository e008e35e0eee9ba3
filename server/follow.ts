/**
 * How a replica compiles a version another replica published (`Registry.follow`'s `compile`): a
 * small one on the calling thread — a few milliseconds once the compiler is loaded, so it serves
 * within the poll interval even when no worker thread has started yet (a cold worker takes
 * seconds to load the compiler) — and a large one in an authoring worker thread, so that it never
 * stalls the decisions this replica serves. Either way with the service's limits, like a publish.
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { inlineRunner, type AuthoringRunner } from "./authoring/pool.js";
import type { AuthoringLimits } from "./authoring/limits.js";
import { refusalOf, runJob } from "./publish.js";
import type { StoredVersion } from "./store/types.js";

/** Sources up to this many characters are compiled on the calling thread by default. */
export const INLINE_FOLLOW_LIMIT = 64 * 1024;

export interface FollowCompilerOptions {
  /** Where large versions compile (the service's shared authoring pool). */
  readonly workers: AuthoringRunner;
  readonly limits: AuthoringLimits;
  /** Largest source compiled on the calling thread (characters). Default INLINE_FOLLOW_LIMIT. */
  readonly inlineLimit?: number;
}

/** The compile function for `Registry.follow`; throws (Portuguese message) when the version does not compile here. */
export function followCompiler(options: FollowCompilerOptions): (stored: StoredVersion) => Promise<CompiledRuleSet> {
  const inlineLimit = options.inlineLimit ?? INLINE_FOLLOW_LIMIT;
  return async (stored) => {
    const runner = stored.source.length <= inlineLimit ? inlineRunner : options.workers;
    const verdict = await runJob(
      { runner, limits: options.limits, timeoutMs: 0 },
      { name: stored.name, source: stored.source, tests: null, wantCompiled: true },
    );
    if (!verdict.ok || !verdict.compiled) {
      const first = verdict.diagnostics.find((d) => d.severity === "error") ?? verdict.diagnostics[0];
      const why = first ? `${first.code} ${first.message}` : refusalOf(verdict).message;
      throw new Error(`a versão ${stored.version} de ${stored.name} não compila aqui: ${why}`);
    }
    return verdict.compiled;
  };
}
