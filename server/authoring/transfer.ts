/**
 * Moving a large compiled rule set from the worker to the main thread in parts. A structured clone
 * is deserialised on the receiving thread in one go: a rule set of thousands of rules or table
 * rows would hold the event loop that serves decisions for as long. So the big collections (the
 * engine rules, handlers, source map, expressions, table rows...) travel in slices of at most
 * PART_SIZE items, one message each, the worker sending the next slice only when the main thread
 * has acknowledged the previous one: other requests are served between slices.
 */

/** Most array items or record entries in one part. */
export const PART_SIZE = 200;

/** How deep into the compiled rule set collections are looked for (tables → a table → rows). */
const MAX_DEPTH = 3;

/** One slice of a collection, by its path from the root: items of an array or entries of a record. */
export interface TransferPart {
  readonly path: readonly string[];
  readonly items?: readonly unknown[];
  readonly entries?: readonly (readonly [string, unknown])[];
}

/** Sets an own property whatever its name (`__proto__` included). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function isPlainRecord(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Splits `value` into a shell (large collections left empty) and the parts that fill them back,
 * in order. Small values are not split (no parts).
 */
export function splitForTransfer<T>(value: T): { shell: T; parts: TransferPart[] } {
  const parts: TransferPart[] = [];
  const walk = (v: unknown, path: readonly string[], depth: number): unknown => {
    if (Array.isArray(v)) {
      if (v.length <= PART_SIZE || depth === 0) return v;
      for (let i = 0; i < v.length; i += PART_SIZE) parts.push({ path, items: v.slice(i, i + PART_SIZE) });
      return [];
    }
    if (!isPlainRecord(v)) return v;
    const keys = Object.keys(v);
    if (keys.length > PART_SIZE && depth > 0) {
      for (let i = 0; i < keys.length; i += PART_SIZE)
        parts.push({ path, entries: keys.slice(i, i + PART_SIZE).map((k) => [k, v[k]] as const) });
      return {};
    }
    if (depth >= MAX_DEPTH) return v;
    const shell: Record<string, unknown> = {};
    for (const k of keys) put(shell, k, walk(v[k], [...path, k], depth + 1));
    return shell;
  };
  return { shell: walk(value, [], 0) as T, parts };
}

/** Puts the parts back into the shell (in place) and returns it. */
export function joinTransfer<T>(shell: T, parts: readonly TransferPart[]): T {
  for (const part of parts) {
    let target: unknown = shell;
    for (const k of part.path)
      target = Object.hasOwn(target as object, k) ? (target as Record<string, unknown>)[k] : undefined;
    if (part.items && Array.isArray(target)) {
      for (const item of part.items) target.push(item);
    } else if (part.entries && isPlainRecord(target)) {
      for (const [k, v] of part.entries) put(target, k, v);
    } else {
      throw new Error(`authoring transfer: part for ${part.path.join(".") || "(root)"} does not fit the shell`);
    }
  }
  return shell;
}
