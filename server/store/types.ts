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
}

export type VersionMeta = Omit<StoredVersion, "source" | "tests">;

export interface RuleSetState {
  readonly name: string;
  /** The version decisions use (the latest publish or roll back). */
  readonly active: StoredVersion;
  /** Every readable version, oldest first. */
  readonly versions: readonly VersionMeta[];
}

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
  /** The audit log, oldest first. */
  audit(): Promise<readonly AuditEntry[]>;
  close(): Promise<void>;
}
