/**
 * Compiled rule sets in memory, over the store. Each version is compiled once (fact validator and
 * engine pool included) and cached; the active version of a rule set is one reference that a
 * publish replaces in a single assignment, so a decision that began on a version finishes on it.
 *
 * At start (`loadAll`) a stored version that no longer builds (a compiler or runtime change since
 * it was published) is reported and the newest older version that builds is served instead: the
 * rule set is *degraded*, and `/ready` says so. A rule set none of whose versions builds is
 * *unavailable*: not served (decisions answer 503) and `/ready` answers 503.
 *
 * Several replicas on one store (PostgreSQL): `follow()` subscribes to the store's changes made by
 * other processes and builds and activates each newly active version the same way (`refresh`), so a
 * publish or roll back on one replica is decided by the others once their store has seen it. A
 * version that does not build there leaves the rule set degraded on the version it served.
 *
 * With a compiled cache (`RegistryOptions.compiledCache`; the service keeps one under DATA_DIR,
 * see compiled-cache.ts) `loadAll` takes what the same compiler made of the same source from the
 * cache and builds only its runtime; the compiler itself loads on the first miss (a new version,
 * or a compiler changed since), not at start.
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import type { CompiledCache } from "./compiled-cache.js";
import { runtimeOf } from "../engine/index.js";
import type { Runtime } from "../engine/runtime.js";
import { ApiError } from "./errors.js";
import type { RuleSetStore, StoredVersion, StoreProblem } from "./store/types.js";

export interface LoadedVersion {
  readonly stored: StoredVersion;
  readonly compiled: CompiledRuleSet;
  readonly runtime: Runtime;
}

/** A rule set whose active version does not build. */
export interface DegradedRuleSet {
  readonly ruleset: string;
  /** The store's active version (the newest one). */
  readonly activeVersion: number;
  /** The version served instead, or null when no version builds (the rule set is unavailable). */
  readonly servedVersion: number | null;
  /** Why the active version does not build. */
  readonly reason: string;
}

/**
 * Builds the runtime of a compiled rule set: fact validator and a first engine. Throws when either
 * fails. `fromCache`: the compiled form came from the compiled cache, which keeps only forms whose
 * runtime this compiler and this ajv built before (their schemas passed the meta-schema then).
 */
export type RuntimeBuilder = (compiled: CompiledRuleSet, options?: { readonly fromCache?: boolean }) => Runtime;

export const buildRuntime: RuntimeBuilder = (compiled, options) => {
  const runtime = runtimeOf(compiled, { schemasChecked: options?.fromCache === true });
  runtime.prepare();
  return runtime;
};

export interface RegistryOptions {
  /** How runtimes are built (tests inject failures); default `buildRuntime`. */
  readonly buildRuntime?: RuntimeBuilder;
  /**
   * Compiled forms kept between starts, read and written by `loadAll` only (none: `loadAll`
   * compiles every active version). Not written at publish: serialising a large rule set would
   * hold the event loop; the next start compiles a newly published version once and keeps it.
   */
  readonly compiledCache?: CompiledCache;
}

/** What `Registry.follow` reports to, and how it compiles. */
export interface FollowHooks {
  /** A version another replica made active could not be built here (the rule set stays on what it served). */
  readonly onProblem?: (p: StoreProblem) => void;
  /** A version another replica made active is now served here. */
  readonly onRefreshed?: (name: string, version: number) => void;
  /**
   * Compiles a version off the event loop (the service: an authoring worker thread), so that a
   * large rule set published elsewhere does not stall the decisions served here. Throws when it
   * does not compile. Default: the compiler on this thread.
   */
  readonly compile?: (stored: StoredVersion) => Promise<CompiledRuleSet>;
}

/** Pinned versions kept compiled (least recently used are dropped). */
const PINNED_CACHE_SIZE = 64;

export class Registry {
  private readonly active = new Map<string, LoadedVersion>();
  private readonly pinned = new Map<string, LoadedVersion>();
  private readonly degradedSets = new Map<string, DegradedRuleSet>();
  private loaded = false;
  /** Per rule set, the refresh in progress (refreshes of one rule set run one after another). */
  private readonly refreshing = new Map<string, Promise<void>>();
  private unfollow: (() => void) | undefined;
  private compileOffThread: FollowHooks["compile"];
  /** Builds runtimes (the fact validator and a first engine): the last check before a version is stored or served. */
  readonly buildRuntime: RuntimeBuilder;
  private readonly cache: CompiledCache | undefined;

  constructor(
    readonly store: RuleSetStore,
    options: RegistryOptions = {},
  ) {
    this.buildRuntime = options.buildRuntime ?? buildRuntime;
    this.cache = options.compiledCache;
  }

  /**
   * Compiles and builds the active version of every stored rule set; when it does not build,
   * walks the older versions newest first and serves the first that builds. A rule set whose
   * active version is already served (activated by the seed's publish) is kept as it is. Problems
   * are returned, not thrown. Synchronous (no await) when the store is empty.
   */
  async loadAll(): Promise<StoreProblem[]> {
    const problems: StoreProblem[] = [];
    this.degradedSets.clear();
    for (const name of this.store.names()) {
      const state = this.store.get(name);
      if (!state) continue;
      // Already built from this very version (seeding publishes, and a publish activates what it
      // built): not compiled and built a second time.
      const current = this.active.get(name);
      if (current?.stored.version === state.active.version) {
        this.cache?.putIfMissing(current.stored.source, current.compiled);
        continue;
      }
      let reason: string;
      try {
        this.active.set(name, await this.load(state.active, this.cache));
        continue;
      } catch (e) {
        reason = (e as Error).message;
      }
      problems.push({ path: `${name} v${state.active.version}`, message: reason });
      let served: LoadedVersion | undefined;
      for (const meta of [...state.versions].reverse()) {
        if (meta.version >= state.active.version) continue;
        const stored = await this.store.getVersion(name, meta.version);
        if (!stored) continue;
        try {
          served = await this.load(stored, this.cache);
          break;
        } catch (e) {
          problems.push({ path: `${name} v${meta.version}`, message: (e as Error).message });
        }
      }
      if (served) {
        this.active.set(name, served);
        problems.push({
          path: `${name}`,
          message: `servindo a versão ${served.stored.version} de ${name} no lugar da ${state.active.version}, que não pode mais ser usada`,
        });
      } else {
        this.active.delete(name);
        problems.push({
          path: `${name}`,
          message: `nenhuma versão de ${name} pode ser usada: o conjunto não está disponível`,
        });
      }
      this.degradedSets.set(name, {
        ruleset: name,
        activeVersion: state.active.version,
        servedVersion: served ? served.stored.version : null,
        reason,
      });
    }
    this.loaded = true;
    return problems;
  }

  /**
   * Follows the store's changes made outside this process (other replicas): each changed rule set
   * is refreshed. `onProblem` hears what could not be built (the rule set stays on what it served);
   * `onRefreshed` hears each version activated; `compile` compiles off the event loop. Idempotent;
   * `stopFollowing()` stops.
   */
  follow(hooks: FollowHooks = {}): void {
    if (this.unfollow) return;
    this.compileOffThread = hooks.compile;
    this.unfollow = this.store.onChange((names) => {
      for (const name of names) {
        void this.refresh(name).then(
          (r) => {
            for (const p of r.problems) hooks.onProblem?.(p);
            if (r.activated !== undefined) hooks.onRefreshed?.(name, r.activated);
          },
          (e: unknown) => hooks.onProblem?.({ path: name, message: (e as Error).message }),
        );
      }
    });
  }

  stopFollowing(): void {
    this.unfollow?.();
    this.unfollow = undefined;
  }

  /**
   * Brings one rule set to the store's active version: builds it (compiled cache first) and
   * activates it, unless what is served is already that version or a newer one. When it does not
   * build, the rule set keeps serving what it served and is reported degraded. Refreshes of one
   * rule set run one after another; resolves with the version activated (if any) and the problems.
   */
  refresh(name: string): Promise<{ activated?: number; problems: StoreProblem[] }> {
    const previous = this.refreshing.get(name) ?? Promise.resolve();
    const next = previous.then(() => this.refreshNow(name));
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.refreshing.set(name, tail);
    void tail.then(() => {
      if (this.refreshing.get(name) === tail) this.refreshing.delete(name);
    });
    return next;
  }

  private async refreshNow(name: string): Promise<{ activated?: number; problems: StoreProblem[] }> {
    const state = this.store.get(name);
    if (!state) return { problems: [] };
    const current = this.active.get(name);
    if (current && current.stored.version >= state.active.version) return { problems: [] };
    let loaded: LoadedVersion;
    try {
      const cached = this.cache?.get(state.active.source);
      if (cached) loaded = this.loadedFrom(state.active, cached, true);
      else if (this.compileOffThread) {
        loaded = this.loadedFrom(state.active, await this.compileOffThread(state.active));
        this.cache?.put(state.active.source, loaded.compiled);
      } else loaded = await this.load(state.active, this.cache);
    } catch (e) {
      const reason = (e as Error).message;
      this.degradedSets.set(name, {
        ruleset: name,
        activeVersion: state.active.version,
        servedVersion: current ? current.stored.version : null,
        reason,
      });
      return { problems: [{ path: `${name} v${state.active.version}`, message: reason }] };
    }
    // A publish through this process may have activated a newer version meanwhile.
    const now = this.active.get(name);
    if (now && now.stored.version >= loaded.stored.version) return { problems: [] };
    this.activate(loaded);
    return { activated: loaded.stored.version, problems: [] };
  }

  get ready(): boolean {
    return this.loaded;
  }

  /** Served rule sets. */
  names(): string[] {
    return [...this.active.keys()].sort();
  }

  /** Rule sets whose active version does not build (served from an older version, or not at all). */
  degraded(): DegradedRuleSet[] {
    return [...this.degradedSets.values()].sort((a, b) => (a.ruleset < b.ruleset ? -1 : a.ruleset > b.ruleset ? 1 : 0));
  }

  /** Set when no version of the rule set builds: it is stored but cannot decide. */
  unavailable(name: string): DegradedRuleSet | undefined {
    const d = this.degradedSets.get(name);
    return d && d.servedVersion === null ? d : undefined;
  }

  /** The served version of a rule set. */
  get(name: string): LoadedVersion | undefined {
    return this.active.get(name);
  }

  /** A specific version (compiled on first use, then cached). A version that no longer builds is a 503. */
  async version(name: string, version: number): Promise<LoadedVersion | undefined> {
    const current = this.active.get(name);
    if (current?.stored.version === version) return current;
    const key = `${name}@${version}`;
    const hit = this.pinned.get(key);
    if (hit) {
      this.pinned.delete(key);
      this.pinned.set(key, hit);
      return hit;
    }
    const stored = await this.store.getVersion(name, version);
    if (!stored) return undefined;
    let loaded: LoadedVersion;
    try {
      loaded = await this.load(stored);
    } catch (e) {
      throw new ApiError(
        503,
        "RULESET_UNAVAILABLE",
        `a versão ${version} de ${name} não pode ser usada: ${(e as Error).message}`,
        [{ ruleset: name, version }],
      );
    }
    this.pinned.set(key, loaded);
    if (this.pinned.size > PINNED_CACHE_SIZE) this.pinned.delete(this.pinned.keys().next().value as string);
    return loaded;
  }

  /** Makes an already built version active (one assignment: atomic for readers). */
  activate(loaded: LoadedVersion): void {
    this.active.set(loaded.stored.name, loaded);
    this.degradedSets.delete(loaded.stored.name);
  }

  /**
   * Compiles a stored version (or takes it from `cache`) and builds its runtime; throws (Portuguese
   * message) when either fails. The compiler is imported on first use.
   */
  async load(stored: StoredVersion, cache?: CompiledCache): Promise<LoadedVersion> {
    const cached = cache?.get(stored.source);
    if (cached) return this.loadedFrom(stored, cached, true);
    const { compileSource } = await import("../dsl/compile/pipeline.js");
    const result = compileSource(stored.source);
    if (!result.compiled) {
      const first = result.diagnostics.find((d) => d.severity === "error") ?? result.diagnostics[0];
      throw new Error(
        `a versão ${stored.version} de ${stored.name} não compila mais: ${first ? `${first.code} ${first.message}` : "erro desconhecido"}`,
      );
    }
    // Kept only once its runtime builds: a cached form's schemas are known to pass (see RuntimeBuilder).
    const loaded = this.loadedFrom(stored, result.compiled);
    cache?.put(stored.source, result.compiled);
    return loaded;
  }

  /** Wraps an already compiled rule set (publish compiles before storing; no second compile). Throws when its runtime does not build. */
  loadedFrom(stored: StoredVersion, compiled: CompiledRuleSet, fromCache = false): LoadedVersion {
    let runtime: Runtime;
    try {
      runtime = this.buildRuntime(compiled, fromCache ? { fromCache } : undefined);
    } catch (e) {
      throw new Error(
        `a versão ${stored.version} de ${stored.name} compila, mas o motor não consegue montá-la: ${(e as Error).message}`,
      );
    }
    return { stored, compiled, runtime };
  }
}
