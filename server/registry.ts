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
 *
 * Vigência (as-of.ts): the version that decides by default is the one IN FORCE now, which is the
 * newest unless a version is scheduled (an effective start in the future). `inForce(name, at?)`
 * answers which version decides at an instant and why. For "now" it keeps the answer with the
 * instant of the next boundary (a scheduled start, an `effectiveUntil`) and recomputes only past it
 * or when the rule set's versions change, so the switch to a scheduled version happens by itself at
 * its start, the same on every replica (the clock is injectable: `RegistryOptions.now`). The
 * version in force now and every scheduled one are built ahead (`loadAll`, publish, `refresh`) and
 * held, so a switch compiles nothing; one that does not build is reported like the others.
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import type { CompiledCache } from "./compiled-cache.js";
import { runtimeOf } from "../engine/index.js";
import type { Runtime } from "../engine/runtime.js";
import { DEFAULT_ZONE, inForceAt, intervalOf, nextBoundary, reasonText, upcoming } from "./as-of.js";
import { ApiError } from "./errors.js";
import type { RuleSetState, RuleSetStore, StoredVersion, StoreProblem } from "./store/types.js";

export interface LoadedVersion {
  readonly stored: StoredVersion;
  readonly compiled: CompiledRuleSet;
  readonly runtime: Runtime;
}

/** Which version decides at an instant, and why (`versionReason` of the decide answers). */
export interface InForce {
  readonly loaded: LoadedVersion;
  /** Portuguese: "versão em vigor agora", "versão em vigor em … (vigência desde …)", "nenhuma versão em vigor …". */
  readonly reason: string;
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
  /** The clock of the vigência (epoch ms; tests inject one). Default: `Date.now`. */
  readonly now?: () => number;
}

/** The answer of `inForce` for "now", kept until the next boundary or a change of the versions. */
interface NowEntry {
  readonly state: RuleSetState | undefined;
  readonly served: LoadedVersion;
  readonly from: number;
  readonly until: number;
  readonly answer: InForce;
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
  /** The vigência's clock. */
  readonly now: () => number;
  /** Per rule set, versions built ahead and kept (in force now, or scheduled), never evicted. */
  private readonly held = new Map<string, Map<number, LoadedVersion>>();
  /** Per rule set, the answer of `inForce` for now (see NowEntry). */
  private readonly nowCache = new Map<string, NowEntry>();

  constructor(
    readonly store: RuleSetStore,
    options: RegistryOptions = {},
  ) {
    this.buildRuntime = options.buildRuntime ?? buildRuntime;
    this.cache = options.compiledCache;
    this.now = options.now ?? Date.now;
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
    for (const name of this.store.names()) problems.push(...(await this.prepare(name)));
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
    return { activated: loaded.stored.version, problems: await this.prepare(name) };
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
    const held = this.held.get(name)?.get(version);
    if (held) return held;
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

  /**
   * Makes an already built version active (one assignment: atomic for readers). The version it
   * replaces stays built while it is still in force (the new one is scheduled) or scheduled.
   */
  activate(loaded: LoadedVersion): void {
    const name = loaded.stored.name;
    const previous = this.active.get(name);
    if (previous && previous !== loaded) this.hold(previous);
    this.active.set(name, loaded);
    this.degradedSets.delete(name);
    this.nowCache.delete(name);
    this.pruneHeld(name);
  }

  /**
   * Which version decides at `at` (epoch ms; default now) and why: the version in force then
   * (as-of.ts), or the newest when none is; undefined when the rule set is not served (unknown, or
   * no version builds). A version in force that does not build is replaced by the served one (the
   * newest that builds) and the reason says so. Cheap for "now": see NowEntry.
   */
  async inForce(name: string, at?: number): Promise<InForce | undefined> {
    const served = this.active.get(name);
    if (!served) return undefined;
    const state = this.store.get(name);
    if (at !== undefined) return this.resolve(name, served, state, at, true);
    const t = this.now();
    const hit = this.nowCache.get(name);
    if (hit && hit.state === state && hit.served === served && t >= hit.from && t < hit.until) return hit.answer;
    this.pruneHeld(name);
    const answer = await this.resolve(name, served, state, t, false);
    // A publish or refresh meanwhile cleared the entry: it is not written back over theirs.
    if (this.active.get(name) === served && this.store.get(name) === state) {
      const versions = state?.versions ?? [];
      this.nowCache.set(name, { state, served, from: t, until: nextBoundary(versions, t), answer });
    }
    return answer;
  }

  /** The zone the rule set's dates mean (its compiled `zone`). */
  zoneOf(name: string): string {
    return this.active.get(name)?.compiled.zone ?? DEFAULT_ZONE;
  }

  private async resolve(
    name: string,
    served: LoadedVersion,
    state: RuleSetState | undefined,
    t: number,
    asOf: boolean,
  ): Promise<InForce> {
    const zone = served.compiled.zone ?? DEFAULT_ZONE;
    const at = asOf ? t : undefined;
    const meta = state ? inForceAt(state.versions, t) : served.stored;
    if (!meta) {
      return {
        loaded: served,
        reason: reasonText("none", { version: served.stored.version, ...(at !== undefined ? { at } : {}), zone }),
      };
    }
    const since = meta.effectiveFrom !== undefined ? intervalOf(meta).start : undefined;
    const reason = reasonText("in-force", {
      version: meta.version,
      ...(at !== undefined ? { at } : {}),
      ...(at !== undefined && since !== undefined ? { since } : {}),
      zone,
    });
    if (meta.version > served.stored.version) {
      // Newer than the newest that builds (the rule set is degraded): the served one decides.
      return {
        loaded: served,
        reason: `${reason}: a versão ${meta.version} não pode ser usada, decidiu a ${served.stored.version}`,
      };
    }
    const loaded = await this.version(name, meta.version);
    if (!loaded) throw new Error(`version ${meta.version} of ${name} is listed but cannot be read`);
    return { loaded, reason };
  }

  /**
   * Builds ahead, and holds, every version of a rule set in force now or later (scheduled, or in
   * force again when a later one's vigência ends), but the served one; returns what does not build
   * (reported like other problems).
   */
  private async prepare(name: string): Promise<StoreProblem[]> {
    const state = this.store.get(name);
    const served = this.active.get(name);
    if (!state || !served) return [];
    const problems: StoreProblem[] = [];
    for (const version of upcoming(state.versions, this.now())) {
      if (version >= served.stored.version || this.held.get(name)?.has(version)) continue;
      const stored = await this.store.getVersion(name, version).catch(() => undefined);
      if (!stored) continue;
      try {
        this.hold(await this.load(stored, this.cache));
      } catch (e) {
        problems.push({
          path: `${name} v${version}`,
          message: `a versão ${version} de ${name}, em vigor ou agendada, não pode ser usada: ${(e as Error).message}`,
        });
      }
    }
    this.nowCache.delete(name);
    return problems;
  }

  private hold(loaded: LoadedVersion): void {
    const name = loaded.stored.name;
    let m = this.held.get(name);
    if (!m) {
      m = new Map();
      this.held.set(name, m);
    }
    m.set(loaded.stored.version, loaded);
  }

  /** Drops held versions that will not be in force again (as-of.ts `upcoming`). */
  private pruneHeld(name: string): void {
    const m = this.held.get(name);
    const state = this.store.get(name);
    if (!m || m.size === 0 || !state) return;
    const keep = upcoming(state.versions, this.now());
    for (const v of [...m.keys()]) if (!keep.has(v)) m.delete(v);
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
