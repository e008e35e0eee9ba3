/**
 * Compiled rule sets in memory, over the store. Each version is compiled once (fact validator and
 * engine pool included) and cached; the active version of a rule set is one reference that a
 * publish replaces in a single assignment, so a decision that began on a version finishes on it.
 */
import { compileSource } from "../dsl/compile/pipeline.js";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { runtimeOf } from "../engine/index.js";
import type { Runtime } from "../engine/runtime.js";
import type { RuleSetStore, StoredVersion, StoreProblem } from "./store/types.js";

export interface LoadedVersion {
  readonly stored: StoredVersion;
  readonly compiled: CompiledRuleSet;
  readonly runtime: Runtime;
}

/** Pinned versions kept compiled (least recently used are dropped). */
const PINNED_CACHE_SIZE = 64;

export class Registry {
  private readonly active = new Map<string, LoadedVersion>();
  private readonly pinned = new Map<string, LoadedVersion>();
  private loaded = false;

  constructor(readonly store: RuleSetStore) {}

  /** Compiles the active version of every stored rule set. Problems are returned, not thrown. */
  loadAll(): StoreProblem[] {
    const problems: StoreProblem[] = [];
    for (const name of this.store.names()) {
      const state = this.store.get(name);
      if (!state) continue;
      try {
        this.active.set(name, compileStored(state.active));
      } catch (e) {
        problems.push({ path: `${name} v${state.active.version}`, message: (e as Error).message });
      }
    }
    this.loaded = true;
    return problems;
  }

  get ready(): boolean {
    return this.loaded;
  }

  names(): string[] {
    return [...this.active.keys()].sort();
  }

  /** The active version of a rule set. */
  get(name: string): LoadedVersion | undefined {
    return this.active.get(name);
  }

  /** A specific version (compiled on first use, then cached). */
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
    const loaded = compileStored(stored);
    this.pinned.set(key, loaded);
    if (this.pinned.size > PINNED_CACHE_SIZE) this.pinned.delete(this.pinned.keys().next().value as string);
    return loaded;
  }

  /** Makes an already compiled version active (one assignment: atomic for readers). */
  activate(loaded: LoadedVersion): void {
    this.active.set(loaded.stored.name, loaded);
  }
}

/** Compiles a stored version; a stored version that no longer compiles is an error (it passed at publish). */
export function compileStored(stored: StoredVersion): LoadedVersion {
  const result = compileSource(stored.source);
  if (!result.compiled) {
    const first = result.diagnostics[0];
    throw new Error(`a versão ${stored.version} de ${stored.name} não compila mais: ${first ? `${first.code} ${first.message}` : "erro desconhecido"}`);
  }
  return { stored, compiled: result.compiled, runtime: runtimeOf(result.compiled) };
}

/** Wraps an already compiled rule set (publish compiles before storing; no second compile). */
export function loadedFrom(stored: StoredVersion, compiled: CompiledRuleSet): LoadedVersion {
  return { stored, compiled, runtime: runtimeOf(compiled) };
}
