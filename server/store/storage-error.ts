/**
 * Storage failures of a store (disk full, read-only or missing volume, I/O errors), told apart
 * so that the API can answer them with a clear status and code instead of a bare 500:
 *
 *   full         ENOSPC, EDQUOT                      → 507 STORAGE_FULL
 *   read-only    EROFS, EACCES, EPERM                → 503 STORAGE_READ_ONLY
 *   unavailable  any other operating-system error    → 503 STORAGE_UNAVAILABLE
 *   unreachable  the database cannot be reached      → 503 STORE_UNREACHABLE
 *                (PostgreSQL down, connection lost)
 *
 * Any store (the embedded one, a future PostgreSQL one) throws StorageError for these.
 */

export type StorageFailure = "full" | "read-only" | "unavailable" | "unreachable";

const FULL: ReadonlySet<string> = new Set(["ENOSPC", "EDQUOT"]);
const READ_ONLY: ReadonlySet<string> = new Set(["EROFS", "EACCES", "EPERM"]);

export class StorageError extends Error {
  constructor(
    readonly failure: StorageFailure,
    /** The operating-system code (ENOSPC, EROFS...), when there is one. */
    readonly osCode: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StorageError";
  }
}

/** The operating-system error code of an fs failure (`ENOSPC`...), or undefined. */
export function osErrorCode(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** Which kind of storage failure an operating-system error code is. */
export function storageFailureOf(osCode: string | undefined): StorageFailure {
  if (osCode !== undefined && FULL.has(osCode)) return "full";
  if (osCode !== undefined && READ_ONLY.has(osCode)) return "read-only";
  return "unavailable";
}

/**
 * Wraps an fs failure as a StorageError (`what`: the operation, for logs); errors that are not
 * operating-system errors (bugs) and StorageErrors are returned unchanged.
 */
export function asStorageError(e: unknown, what: string): unknown {
  if (e instanceof StorageError) return e;
  const code = osErrorCode(e);
  if (code === undefined) return e;
  return new StorageError(storageFailureOf(code), code, `${what}: ${e instanceof Error ? e.message : String(e)}`, {
    cause: e,
  });
}
