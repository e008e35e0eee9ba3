/**
 * The content hash of a stored version, shared by every store (the embedded file store and the
 * PostgreSQL store): a version moved from one store to another keeps its hash, and each store
 * verifies it when it reads the version back.
 */
import { createHash } from "node:crypto";
import type { StoredVersion } from "./types.js";

/** The fields a hash covers; `hash` itself, when present, is ignored. */
export type HashedFields = Omit<StoredVersion, "hash"> & { readonly hash?: string };

/**
 * SHA-256 (hex) of the canonical JSON of a version's content: an object with exactly the keys
 * author, createdAt, effectiveFrom (only when present), effectiveUntil (only when present), message,
 * name, rolledBackFrom (only when present), source, tests, version, in that (alphabetical) order, serialised by `JSON.stringify` without spaces, hashed as UTF-8. Every
 * value is a string, a number or null, so the form is unambiguous; other stores must use the same.
 */
export function versionHash(v: HashedFields): string {
  const canonical: Record<string, string | number | null> = {
    author: v.author,
    createdAt: v.createdAt,
  };
  // Absent vigência adds no key: versions published before it existed keep their hashes.
  if (v.effectiveFrom !== undefined) canonical.effectiveFrom = v.effectiveFrom;
  if (v.effectiveUntil !== undefined) canonical.effectiveUntil = v.effectiveUntil;
  canonical.message = v.message;
  canonical.name = v.name;
  if (v.rolledBackFrom !== undefined) canonical.rolledBackFrom = v.rolledBackFrom;
  canonical.source = v.source;
  canonical.tests = v.tests;
  canonical.version = v.version;
  return createHash("sha256").update(JSON.stringify(canonical), "utf8").digest("hex");
}
