/**
 * The rule-set store: versioned, append-only, each version immutable. The service talks to this
 * interface only, so that a PostgreSQL store (for several replicas) can replace the embedded file
 * store without touching the routes.
 */

/** One immutable version of a rule set: its source, its test suite and who published it. */
export interface StoredVersion {
  readonly name: string;
  readonly version: number;
  /** The rule-set YAML source. */
  readonly source: string;
  /** The test-suite YAML source (`<name>.test.yaml`), or null when the rule set has none. */
  readonly tests: string | null;
  readonly author: string;
  readonly message: string;
  /** ISO 8601 instant of the publish. */
  readonly createdAt: string;
  /** SHA-256 (hex) of the canonical content (name, version, source, tests, author, message, createdAt). */
  readonly hash: string;
  /** For roll backs: the version whose content this one repeats. */
  readonly rolledBackFrom?: number;
  /**
   * Vigência: the instant (ISO 8601, UTC `…Z`) from which the version is in force; absent: from
   * `createdAt`. A start in the future schedules the version (see server/as-of.ts).
   */
  readonly effectiveFrom?: string;
  /** Vigência: the instant (ISO 8601, UTC `…Z`) at which the version stops being in force; absent: never. */
  readonly effectiveUntil?: string;
}

export type VersionMeta = Omit<StoredVersion, "source" | "tests">;

export interface RuleSetState {
  readonly name: string;
  /** The version decisions use (the latest publish or roll back). */
  readonly active: StoredVersion;
  /** Every readable version, oldest first. */
  readonly versions: readonly VersionMeta[];
}

/** The audit line of a stored version (publish, roll back or seed). */
export interface AuditEntry {
  readonly at: string;
  readonly action: "publish" | "rollback" | "seed";
  readonly ruleset: string;
  readonly version: number;
  readonly author: string;
  readonly message: string;
  readonly hash: string;
  readonly requestId?: string;
}

/** The audit line of a refused publish, roll back or seed: who and why, never the source text. */
export interface RefusalAuditEntry {
  readonly at: string;
  readonly action: "publish-refused";
  readonly ruleset: string;
  readonly author: string;
  /** The message the author gave for the publish. */
  readonly message: string;
  /** What was refused. */
  readonly attempted: AuditEntry["action"];
  /** The refusal as the API answered it: HTTP status, error code and message. */
  readonly status: number;
  readonly code: string;
  readonly reason: string;
  /** The first problems: diagnostic codes and positions, failing test cases (no source text). */
  readonly problems?: readonly {
    readonly code?: string;
    readonly line?: number;
    readonly column?: number;
    readonly case?: string;
    readonly file?: string;
    readonly activeVersion?: number;
  }[];
  /** The active version when the publish was refused (0: the rule set did not exist). */
  readonly activeVersion: number;
  readonly baseVersion?: number;
  readonly rolledBackFrom?: number;
  readonly requestId?: string;
  /** A refusal stores no version (absent; declared so that `entry.version` reads on any line). */
  readonly version?: undefined;
  readonly hash?: undefined;
}

/** One line of the audit log. */
export type AuditLogEntry = AuditEntry | RefusalAuditEntry;

/** Which audit lines to return: of one rule set, at or after an instant. */
export interface AuditFilter {
  readonly ruleset?: string;
  /** Epoch milliseconds; lines whose `at` is earlier are left out. */
  readonly since?: number;
}

/** Whether an audit line passes a filter. */
export function auditMatches(entry: AuditLogEntry, filter: AuditFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.ruleset !== undefined && entry.ruleset !== filter.ruleset) return false;
  if (filter.since !== undefined) {
    const at = Date.parse(entry.at);
    if (!(at >= filter.since)) return false;
  }
  return true;
}

/** Whether a value is an instant as the stores keep vigência: ISO 8601 in UTC (`2026-03-01T03:00:00.000Z`). */
export function isUtcInstant(x: unknown): x is string {
  return (
    typeof x === "string" &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(x) &&
    Number.isFinite(Date.parse(x))
  );
}

/** Why a vigência (`effectiveFrom`, `effectiveUntil`) is unusable, or undefined (shared by the stores). */
export function vigenciaProblem(v: {
  readonly effectiveFrom?: unknown;
  readonly effectiveUntil?: unknown;
}): string | undefined {
  if (v.effectiveFrom !== undefined && !isUtcInstant(v.effectiveFrom))
    return "effectiveFrom must be an ISO 8601 instant in UTC";
  if (v.effectiveUntil !== undefined && !isUtcInstant(v.effectiveUntil))
    return "effectiveUntil must be an ISO 8601 instant in UTC";
  if (
    typeof v.effectiveFrom === "string" &&
    typeof v.effectiveUntil === "string" &&
    !(Date.parse(v.effectiveUntil) > Date.parse(v.effectiveFrom))
  )
    return "effectiveUntil must be after effectiveFrom";
  return undefined;
}

export interface PublishInput {
  readonly source: string;
  readonly tests: string | null;
  readonly author: string;
  readonly message: string;
  /** When given, the publish is refused (conflict) unless this is still the active version. */
  readonly baseVersion?: number;
  readonly action?: AuditEntry["action"];
  readonly rolledBackFrom?: number;
  readonly requestId?: string;
  /** Vigência of the new version (ISO 8601 instants, UTC `…Z`); see StoredVersion. */
  readonly effectiveFrom?: string;
  readonly effectiveUntil?: string;
}

/** A problem found while opening the store (a corrupt or truncated file), reported at start. */
export interface StoreProblem {
  readonly path: string;
  readonly message: string;
}

export class StoreConflictError extends Error {
  constructor(
    message: string,
    readonly activeVersion: number,
  ) {
    super(message);
    this.name = "StoreConflictError";
  }
}

/** The state of a store's backing storage, as `/ready` reports it. */
export interface StoreStatus {
  /** Which store: the embedded file store or PostgreSQL. */
  readonly kind: "file" | "postgres";
  /**
   * ok: reads and writes reach the storage. degraded: they do not (the database is down or
   * unreachable): decisions go on with the versions in memory, writes and reads of stored versions
   * fail with StorageError("unreachable"), and the store keeps trying to reconnect on its own.
   */
  readonly state: "ok" | "degraded";
  /** Why degraded (the last connection error). */
  readonly reason?: string;
  /** ISO 8601 instant since when degraded. */
  readonly since?: string;
}

/** Rule sets whose state (`RuleSetStore.get`) changed outside this process, e.g. a publish on another replica. */
export type StoreChangeListener = (names: readonly string[]) => void;

export interface RuleSetStore {
  /** Opens the store: reads every rule set, verifies hashes; problems are returned, not thrown. */
  open(): Promise<readonly StoreProblem[]>;
  names(): readonly string[];
  get(name: string): RuleSetState | undefined;
  /** A version with its source; undefined when unknown. */
  getVersion(name: string, version: number): Promise<StoredVersion | undefined>;
  /**
   * Appends a new version and makes it active, atomically: a crash at any point leaves either the
   * previous state or the new one. Concurrent publishes of one rule set never overwrite each other.
   */
  publish(name: string, input: PublishInput): Promise<StoredVersion>;
  /** The audit log, oldest first (only the lines that pass the filter). */
  audit(filter?: AuditFilter): Promise<readonly AuditLogEntry[]>;
  /** Appends the line of a refused publish to the audit log. */
  recordRefusal(entry: RefusalAuditEntry): Promise<void>;
  /** The backing storage's state (synchronous: from what the store last saw). */
  status(): StoreStatus;
  /**
   * Subscribes to changes made outside this process (other replicas): the listener is called,
   * after `get()` already shows the new state, with the names whose active version or version list
   * changed. Changes made through this very store are not reported. Returns the unsubscribe. A
   * store for one process (the file store) never calls it.
   */
  onChange(listener: StoreChangeListener): () => void;
  close(): Promise<void>;
}
