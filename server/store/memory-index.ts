/**
 * What both stores keep in memory of the rule sets they serve (the embedded file store and the
 * PostgreSQL one): `names()` and `get()` answer from it synchronously, and the last version
 * contents read are cached so that a pinned `?version=N` or a roll back reads no file / row twice.
 */
import type { RuleSetState, StoredVersion, VersionMeta } from "./types.js";

/** The version contents read last, least recently used dropped first. */
export class VersionCache {
  private readonly entries = new Map<string, StoredVersion>();

  constructor(private readonly size = 128) {}

  /** The cached version (and marks it used), or undefined. */
  get(name: string, version: number): StoredVersion | undefined {
    const key = `${name}@${version}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  put(v: StoredVersion): void {
    const key = `${v.name}@${v.version}`;
    this.entries.delete(key);
    this.entries.set(key, v);
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The state `get()` returns: frozen, or undefined while no version serves. */
export function snapshotOf(
  name: string,
  active: StoredVersion | undefined,
  metas: readonly VersionMeta[],
): RuleSetState | undefined {
  return active ? Object.freeze({ name, active, versions: Object.freeze([...metas]) }) : undefined;
}

/** The names of the rule sets that serve (have a snapshot), sorted. */
export function servedNames(entries: Iterable<{ readonly name: string; readonly snapshot: unknown }>): string[] {
  const out: string[] = [];
  for (const e of entries) if (e.snapshot !== undefined) out.push(e.name);
  return out.sort();
}
