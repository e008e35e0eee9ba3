/**
 * Masking of personal facts (LGPD) before a decision is logged. The compiled rule set lists the
 * fact paths marked `personal: true` (`cpf`, `contatos.emails`, `lista.*.nome`; `*` = every item
 * of a list or every value of a map). Each non-blank value found there is replaced by a keyed hash
 * (`MASK_PREFIX` + the first 32 hex characters of HMAC-SHA-256(key, canonical JSON of the value))
 * or, in "drop" mode, removed. A personal list or object is masked leaf by leaf, so equal values
 * give equal masks wherever they sit (a masked `telefone` is still `in` the masked list of phones).
 * Blank values (null, absent, texts of spaces only) carry nothing personal and stay as they are.
 *
 * The input is never changed: what is masked is copied along its path, the rest is shared.
 */
import { createHmac } from "node:crypto";
import { MASK_PREFIX } from "./types.js";

export type MaskMode = "hash" | "drop";

export interface MaskedFacts {
  readonly facts: Record<string, unknown>;
  /** The personal paths (as compiled, `*` included) under which something was masked or dropped. */
  readonly masked: readonly string[];
}

/** The mask of one value: equal values (as JSON) give equal masks under the same key. */
export function maskValue(value: unknown, key: Buffer): string {
  return MASK_PREFIX + createHmac("sha256", key).update(canonicalJson(value)).digest("hex").slice(0, 32);
}

/** JSON with object keys sorted (the same value always gives the same text). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    const parts: string[] = [];
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
    }
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Marks a value to be removed from its parent (drop mode). */
const DROP: unique symbol = Symbol("drop");
type Walked = unknown | typeof DROP;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Values kept as they are: null, absent, and texts of spaces only (they carry no personal data, and
 * rules that ask `isBlank(...)` of a personal fact decide the logged record as they decided it).
 */
function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === "string" && value.trim() === "");
}

/** Whether anything under `value` would be masked (a non-blank leaf). */
function hasContent(value: unknown): boolean {
  if (isBlank(value)) return false;
  if (Array.isArray(value)) return value.some(hasContent);
  if (isPlainObject(value)) return Object.values(value).some(hasContent);
  return true;
}

/**
 * Masks the facts' personal paths. `key` is the masking key (DECISION_LOG_KEY or the storage's);
 * unused in "drop" mode.
 */
export function maskFacts(
  facts: Record<string, unknown>,
  personalFacts: readonly string[],
  key: Buffer,
  mode: MaskMode,
): MaskedFacts {
  let current: Record<string, unknown> = facts;
  const masked: string[] = [];
  const cache = new Map<string, string>();

  // A whole personal value, leaf by leaf: every non-blank leaf hashed (hash mode).
  const hashAll = (value: unknown): unknown => {
    if (isBlank(value)) return value;
    if (Array.isArray(value)) return value.map(hashAll);
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = hashAll(v);
      return out;
    }
    const text = canonicalJson(value);
    let m = cache.get(text);
    if (m === undefined) {
      m = maskValue(value, key);
      cache.set(text, m);
    }
    return m;
  };

  // Walks `segments` from `i` under `value`; returns the new value (the same object when nothing
  // changed), or DROP when the value itself must go. `hit` is set when something was masked.
  const walk = (value: unknown, segments: readonly string[], i: number, hit: { on: boolean }): Walked => {
    if (i === segments.length) {
      if (!hasContent(value)) return value;
      hit.on = true;
      return mode === "drop" ? DROP : hashAll(value);
    }
    const segment = segments[i]!;
    if (segment === "*") {
      if (Array.isArray(value)) {
        let changed = false;
        const out: unknown[] = [];
        for (const item of value) {
          const next = walk(item, segments, i + 1, hit);
          if (next !== item) changed = true;
          if (next !== DROP) out.push(next);
        }
        return changed ? out : value;
      }
      if (isPlainObject(value)) {
        let changed = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
          const next = walk(v, segments, i + 1, hit);
          if (next !== v) changed = true;
          if (next !== DROP) out[k] = next;
        }
        return changed ? out : value;
      }
      return value;
    }
    if (!isPlainObject(value) || !Object.hasOwn(value, segment)) return value;
    const child = value[segment];
    const next = walk(child, segments, i + 1, hit);
    if (next === child) return value;
    const out = { ...value };
    if (next === DROP) delete out[segment];
    else out[segment] = next;
    return out;
  };

  for (const path of personalFacts) {
    const hit = { on: false };
    const next = walk(current, path.split("."), 0, hit);
    // The facts object itself is never a personal path (paths have at least one segment).
    if (next !== DROP) current = next as Record<string, unknown>;
    if (hit.on) masked.push(path);
  }
  return { facts: current, masked };
}
