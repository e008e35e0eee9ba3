/**
 * The PostgreSQL store: a `RuleSetStore` for several replicas of the decision service on one
 * database (selected by DATABASE_URL; the embedded file store stays the default). Schema and
 * migrations: pg-migrations.ts. Operators' view: docs/reliability.md, "Several replicas on
 * PostgreSQL".
 *
 * Publishing is ONE transaction: ensure the head row (INSERT … ON CONFLICT DO NOTHING), lock it
 * (SELECT … FOR UPDATE), compare-and-set against `baseVersion` (StoreConflictError, nothing
 * written), next version = max + 1, insert the version row (hash = versionHash, the file store's
 * canonical form), move the head, insert the audit line, pg_notify(channel, name), commit. A
 * failure at any point rolls everything back. Concurrent publishes of one rule set serialise on
 * the head row, on one replica or several, so none is lost and versions stay contiguous.
 *
 * Reads: `names()` / `get()` are synchronous and served from memory (every head, every version's
 * metadata, the active version's content). `open()` loads it all and verifies the active
 * version's hash; a mismatch is a StoreProblem and the newest older version whose hash verifies
 * is served instead (as the file store does). `getVersion` reads a version (LRU cache; cached
 * versions stay readable while the database is down) and verifies its hash.
 *
 * Sync between replicas (NOTIFY is only a hint: it is lost while a listener is disconnected):
 *   - a dedicated connection LISTENs on the channel; a notification asks for a sync;
 *   - a poll every `pollIntervalMs` asks for one too (one cheap query over rules_heads);
 *   - after every reconnect a FULL resync runs.
 * A sync compares each head (active version, version count) with memory and reloads the rule sets
 * that changed; memory is updated first, then the `onChange` listeners get the changed names.
 * One sync runs at a time; requests meanwhile coalesce into one more run. Changes made through
 * this very store are applied to memory by the publish itself and never reported.
 *
 * Database down at run time: a connection-class failure (refused, reset, timed out, terminated,
 * SQLSTATE class 08, 57P01-57P03) turns `status()` to degraded. Memory keeps serving names() /
 * get(); publish, audit, recordRefusal and getVersion of an uncached version fail AT ONCE with
 * StorageError("unreachable") while degraded; a reconnect loop (backoff reconnectMinMs ..
 * reconnectMaxMs) reconnects the listener, resyncs fully and returns to ok — no restart. Other
 * database errors: 53100 disk full → StorageError "full", 25006 read-only → "read-only", any
 * other → "unavailable". A publish whose connection breaks while COMMIT is in flight may have
 * committed: it is reported as failed, and the next sync picks the version up if it exists.
 */
import pg from "pg";
import {
  auditMatches,
  StoreConflictError,
  type AuditEntry,
  type AuditFilter,
  type AuditLogEntry,
  type PublishInput,
  type RefusalAuditEntry,
  type RuleSetState,
  type RuleSetStore,
  type StoreChangeListener,
  type StoredVersion,
  type StoreProblem,
  type StoreStatus,
  type VersionMeta,
  vigenciaProblem,
} from "./types.js";
import { servedNames, snapshotOf, VersionCache } from "./memory-index.js";
import { StorageError, type StorageFailure } from "./storage-error.js";
import { versionHash } from "./version-hash.js";
import { migrate, type MigrationResult } from "./pg-migrations.js";
import { RULESET_NAME_PATTERN } from "../../dsl/ruleset/names.js";

export interface PostgresStoreLogger {
  warn(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
  error?(obj: object, msg: string): void;
}

export interface PostgresStoreOptions {
  readonly logger?: PostgresStoreLogger;
  /** Clock for `createdAt` and audit timestamps (tests). Default: the system clock. */
  readonly now?: () => Date;
  /** How often replicas poll rules_heads for changes (NOTIFY can be missed). Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Time to open one connection before giving up. Default 3000 ms. */
  readonly connectTimeoutMs?: number;
  /** Server-side statement_timeout of every query. Default 10 000 ms. */
  readonly statementTimeoutMs?: number;
  /** Backoff of the reconnect loop while degraded. Defaults 250 / 2000 ms. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** How long `open()` keeps retrying an unreachable database before throwing. Default 30 000 ms. */
  readonly startupTimeoutMs?: number;
  /** Connections of the pool (publishes, reads, polls). Default 5. */
  readonly poolSize?: number;
  /** LISTEN for changes (default true); false: poll only (tests proving polling alone suffices). */
  readonly listen?: boolean;
  /** application_name of the connections (pg_stat_activity). Default "rules-service". */
  readonly applicationName?: string;
}

/** The NOTIFY channel publishes signal on (payload: the rule-set name). */
export const CHANGE_CHANNEL = "rules_store_changes";

export function createPostgresStore(url: string, options: PostgresStoreOptions = {}): PostgresStore {
  return new PostgresStore(url, options);
}

const AUDIT_ACTIONS: ReadonlySet<string> = new Set<AuditEntry["action"]>(["publish", "rollback", "seed"]);
const META_COLUMNS =
  "name, version, author, message, created_at, rolled_back_from, effective_from, effective_until, hash";
const FULL_COLUMNS = `${META_COLUMNS}, source, tests`;

// ---------------------------------------------------------------------------------------------
// Errors

const CONNECTION_OS_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);
const CONNECTION_SQLSTATES: ReadonlySet<string> = new Set(["57P01", "57P02", "57P03"]);
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended|not queryable/i;

/** The SQLSTATE (or Node error code) of an error, when it has one. */
export function codeOf(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whether an error means the database cannot be reached (rather than a refused statement). */
export function isConnectionError(e: unknown): boolean {
  if (e instanceof StorageError) return e.failure === "unreachable";
  const code = codeOf(e);
  if (code !== undefined) {
    if (CONNECTION_OS_CODES.has(code) || CONNECTION_SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  const errors = (e as { errors?: unknown } | null)?.errors; // AggregateError (IPv4 + IPv6 attempts)
  if (Array.isArray(errors) && errors.some(isConnectionError)) return true;
  return CONNECTION_MESSAGES.test(messageOf(e));
}

/** What kind of storage failure a database error is (shared with the decision log's storage). */
export function failureOf(e: unknown): StorageFailure {
  if (isConnectionError(e)) return "unreachable";
  const code = codeOf(e);
  if (code === "53100") return "full";
  if (code === "25006") return "read-only";
  return "unavailable";
}

/** A database failure as a StorageError (`what`: the operation); other errors unchanged. */
function asStoreError(e: unknown, what: string): unknown {
  if (e instanceof StorageError || e instanceof StoreConflictError) return e;
  const code = codeOf(e);
  const fromDatabase = e instanceof pg.DatabaseError || code !== undefined || isConnectionError(e);
  if (!fromDatabase) return e;
  return new StorageError(failureOf(e), code, `${what}: ${messageOf(e)}`, { cause: e });
}

/** The URL without its password, for messages and logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

function isValidName(name: unknown): name is string {
  return typeof name === "string" && RULESET_NAME_PATTERN.test(name);
}

/** Why a publish input is unusable, or undefined (the file store's checks). */
function checkInput(input: PublishInput): string | undefined {
  if (typeof input !== "object" || input === null) return "input must be an object";
  if (typeof input.source !== "string") return "source must be a string";
  if (input.tests !== null && typeof input.tests !== "string") return "tests must be a string or null";
  if (typeof input.author !== "string") return "author must be a string";
  if (typeof input.message !== "string") return "message must be a string";
  if (input.baseVersion !== undefined && !(Number.isSafeInteger(input.baseVersion) && input.baseVersion >= 0))
    return "baseVersion must be a non-negative integer";
  if (input.rolledBackFrom !== undefined && !(Number.isSafeInteger(input.rolledBackFrom) && input.rolledBackFrom >= 1))
    return "rolledBackFrom must be a positive integer";
  if (input.action !== undefined && !AUDIT_ACTIONS.has(input.action)) return "action must be publish, rollback or seed";
  if (input.requestId !== undefined && typeof input.requestId !== "string") return "requestId must be a string";
  return vigenciaProblem(input);
}

// ---------------------------------------------------------------------------------------------
// Rows

interface MetaRow {
  name: string;
  version: number;
  author: string;
  message: string;
  created_at: string;
  rolled_back_from: number | null;
  effective_from: string | null;
  effective_until: string | null;
  hash: string;
}

interface FullRow extends MetaRow {
  source: string;
  tests: string | null;
}

function metaOfRow(r: MetaRow): VersionMeta {
  return Object.freeze({
    name: r.name,
    version: r.version,
    author: r.author,
    message: r.message,
    createdAt: r.created_at,
    hash: r.hash,
    ...(r.rolled_back_from !== null ? { rolledBackFrom: r.rolled_back_from } : {}),
    ...(r.effective_from !== null ? { effectiveFrom: r.effective_from } : {}),
    ...(r.effective_until !== null ? { effectiveUntil: r.effective_until } : {}),
  });
}

function versionOfRow(r: FullRow): StoredVersion {
  return Object.freeze({
    name: r.name,
    version: r.version,
    source: r.source,
    tests: r.tests,
    author: r.author,
    message: r.message,
    createdAt: r.created_at,
    hash: r.hash,
    ...(r.rolled_back_from !== null ? { rolledBackFrom: r.rolled_back_from } : {}),
    ...(r.effective_from !== null ? { effectiveFrom: r.effective_from } : {}),
    ...(r.effective_until !== null ? { effectiveUntil: r.effective_until } : {}),
  });
}

function auditEntryOf(v: StoredVersion, action: AuditEntry["action"], requestId: string | undefined): AuditEntry {
  return {
    at: v.createdAt,
    action,
    ruleset: v.name,
    version: v.version,
    author: v.author,
    message: v.message,
    hash: v.hash,
    ...(requestId !== undefined ? { requestId } : {}),
  };
}

/** What memory holds of one rule set. */
interface Entry {
  readonly name: string;
  /** The head as last seen in the database: active version and version count. */
  headVersion: number;
  count: number;
  /** Every version's metadata, oldest first, except those found corrupt. */
  metas: VersionMeta[];
  /** The served version: the head's, or the newest older one whose hash verifies. */
  active: StoredVersion | undefined;
  snapshot: RuleSetState | undefined;
}

type Report = (problem: StoreProblem) => void;

/** A sleep that `close()` can cut short (the reconnect loop and `open()`'s retries must not outlive it). */
interface Sleeper {
  readonly timer: NodeJS.Timeout;
  readonly wake: () => void;
}

function sleep(ms: number, sleepers: Set<Sleeper>): Promise<void> {
  return new Promise((resolve) => {
    const sleeper: Sleeper = {
      timer: setTimeout(() => sleeper.wake(), ms),
      wake: () => {
        clearTimeout(sleeper.timer);
        sleepers.delete(sleeper);
        resolve();
      },
    };
    sleepers.add(sleeper);
  });
}

// ---------------------------------------------------------------------------------------------
// The store

export class PostgresStore implements RuleSetStore {
  private readonly url: string;
  private readonly logger: PostgresStoreLogger | undefined;
  private readonly now: () => Date;
  private readonly pollIntervalMs: number;
  private readonly connectTimeoutMs: number;
  private readonly statementTimeoutMs: number;
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;
  private readonly startupTimeoutMs: number;
  private readonly poolSize: number;
  private readonly listen: boolean;
  private readonly applicationName: string;

  private pool: pg.Pool | undefined;
  private listener: pg.Client | undefined;
  private entries = new Map<string, Entry>();
  private readonly cache = new VersionCache();
  private readonly listeners = new Set<StoreChangeListener>();
  /** Rule sets with a publish of this store in flight: a sync leaves them to the publish. */
  private readonly publishing = new Map<string, number>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly sleepers = new Set<Sleeper>();
  private pollTimer: NodeJS.Timeout | undefined;
  private syncRunning: Promise<void> | undefined;
  private syncAgain = false;
  private syncAgainFull = false;
  private reconnecting: Promise<void> | undefined;
  private reviving: Promise<void> | undefined;
  private statusValue: StoreStatus = Object.freeze({ kind: "postgres", state: "ok" });
  private opened = false;
  private closed = false;
  private migration: MigrationResult | undefined;
  /** Figures for scripts and tests: syncs run, rule sets reloaded by syncs, reconnections. */
  private readonly counters = { syncs: 0, reloaded: 0, reconnects: 0, notifications: 0 };

  constructor(url: string, options: PostgresStoreOptions) {
    this.url = url;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.pollIntervalMs = Math.max(10, options.pollIntervalMs ?? 1000);
    this.connectTimeoutMs = Math.max(1, options.connectTimeoutMs ?? 3000);
    this.statementTimeoutMs = Math.max(1, options.statementTimeoutMs ?? 10_000);
    this.reconnectMinMs = Math.max(1, options.reconnectMinMs ?? 250);
    this.reconnectMaxMs = Math.max(this.reconnectMinMs, options.reconnectMaxMs ?? 2000);
    this.startupTimeoutMs = Math.max(0, options.startupTimeoutMs ?? 30_000);
    this.poolSize = Math.max(1, options.poolSize ?? 5);
    this.listen = options.listen ?? true;
    this.applicationName = options.applicationName ?? "rules-service";
  }

  // ----- accessors for scripts and tests ---------------------------------------------------------

  /** The schema migrations the last `open()` applied, and the schema version. */
  get schema(): MigrationResult | undefined {
    return this.migration;
  }

  /** Counters: syncs run, rule sets reloaded by them, reconnections, notifications received. */
  get stats(): Readonly<{ syncs: number; reloaded: number; reconnects: number; notifications: number }> {
    return { ...this.counters };
  }

  /** The server process id of the LISTEN connection (tests terminate it), or undefined. */
  get listenerPid(): number | undefined {
    return (this.listener as unknown as { processID?: number } | undefined)?.processID ?? undefined;
  }

  /** Runs a sync now (the poll's, or a full one) and waits for it. */
  async syncNow(full = false): Promise<void> {
    await this.requestSync(full);
  }

  // ----- opening -------------------------------------------------------------------------------

  async open(): Promise<readonly StoreProblem[]> {
    if (this.closed) throw new Error("PostgreSQL store: open() after close()");
    this.pool ??= this.createPool();
    await this.waitForDatabase();
    const client = await this.pool.connect();
    const onError = (): void => undefined; // the failing query reports it; no uncaught 'error' event
    client.on("error", onError);
    try {
      this.migration = await migrate(client);
    } finally {
      client.removeListener("error", onError);
      client.release();
    }
    if (this.migration.applied.length > 0) {
      this.logger?.info?.(
        { applied: this.migration.applied, schemaVersion: this.migration.schemaVersion },
        `store: PostgreSQL schema migrated to version ${this.migration.schemaVersion}`,
      );
    }
    const problems: StoreProblem[] = [];
    this.entries = new Map();
    this.cache.clear();
    await this.loadAll((p) => problems.push(p));
    if (this.listen && !this.listener) await this.connectListener();
    if (!this.pollTimer) {
      this.pollTimer = setInterval(() => this.poll(), this.pollIntervalMs);
      this.pollTimer.unref();
    }
    this.opened = true;
    return problems;
  }

  private createPool(): pg.Pool {
    const pool = new pg.Pool({
      connectionString: this.url,
      max: this.poolSize,
      connectionTimeoutMillis: this.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: this.statementTimeoutMs,
      query_timeout: this.statementTimeoutMs + this.connectTimeoutMs,
      application_name: this.applicationName,
      keepAlive: true,
    });
    // An idle connection failing (the server shut down, the backend was terminated): not a
    // crash; check whether the database is still there.
    pool.on("error", (e) => {
      if (this.closed) return;
      if (isConnectionError(e)) void this.probe(e);
      else this.logger?.warn({ err: messageOf(e) }, "store: idle PostgreSQL connection failed");
    });
    return pool;
  }

  /** Retries an unreachable database until startupTimeoutMs, then throws a clear error. */
  private async waitForDatabase(): Promise<void> {
    const deadline = Date.now() + this.startupTimeoutMs;
    let delay = this.reconnectMinMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.pool!.query("SELECT 1");
        return;
      } catch (e) {
        if (!isConnectionError(e)) {
          throw new Error(`PostgreSQL store: cannot use ${redact(this.url)}: ${messageOf(e)}`, { cause: e });
        }
        if (Date.now() + delay > deadline) {
          throw new Error(
            `PostgreSQL store: ${redact(this.url)} unreachable for ${Math.round(this.startupTimeoutMs / 1000)} s (${attempt} attempts): ${messageOf(e)}`,
            { cause: e },
          );
        }
        if (attempt === 1) {
          this.logger?.warn({ err: messageOf(e) }, `store: PostgreSQL not reachable yet, retrying until ready`);
        }
        await sleep(delay, this.sleepers);
        if (this.closed) throw new Error("PostgreSQL store: closed while opening");
        delay = Math.min(delay * 2, this.reconnectMaxMs);
      }
    }
  }

  /** Loads every rule set (at open). */
  private async loadAll(report: Report): Promise<void> {
    const heads = await this.pool!.query<{ name: string; active_version: number; version_count: number }>(
      "SELECT name, active_version, version_count FROM rules_heads WHERE active_version > 0 ORDER BY name",
    );
    for (const h of heads.rows) {
      const entry = await this.loadRuleSet(h.name, h.active_version, h.version_count, report);
      if (entry) this.entries.set(h.name, entry);
    }
  }

  /**
   * Reads one rule set: every version's metadata and the head version's content, verified; when
   * it does not verify, the newest older version that does is served (reported).
   */
  private async loadRuleSet(name: string, headVersion: number, count: number, report: Report): Promise<Entry> {
    const pool = this.pool!;
    const metaRows = await pool.query<MetaRow>(
      `SELECT ${META_COLUMNS} FROM rules_versions WHERE name = $1 ORDER BY version`,
      [name],
    );
    const metas = metaRows.rows.filter((r) => r.version <= headVersion).map(metaOfRow);
    const entry: Entry = { name, headVersion, count, metas, active: undefined, snapshot: undefined };
    const bad = new Set<number>();
    for (const meta of [...metas].reverse()) {
      const cached = this.cache.get(name, meta.version);
      if (cached && cached.hash === meta.hash) {
        entry.active = cached;
        break;
      }
      const row = await pool.query<FullRow>(
        `SELECT ${FULL_COLUMNS} FROM rules_versions WHERE name = $1 AND version = $2`,
        [name, meta.version],
      );
      const v = row.rows[0] ? versionOfRow(row.rows[0]) : undefined;
      const problem = v ? verifyProblem(v) : "row vanished";
      if (v && problem === undefined) {
        entry.active = v;
        this.cache.put(v);
        break;
      }
      bad.add(meta.version);
      report({
        path: `postgres:rules_versions/${name}/v${meta.version}`,
        message: `${problem}; version ${meta.version} of "${name}" skipped`,
      });
    }
    if (bad.size > 0) entry.metas = entry.metas.filter((m) => !bad.has(m.version));
    if (!entry.active) {
      report({
        path: `postgres:rules_heads/${name}`,
        message: `rule set "${name}" has no readable version; it is not served`,
      });
    } else if (entry.active.version !== headVersion) {
      report({
        path: `postgres:rules_heads/${name}`,
        message: `serving v${entry.active.version} of "${name}" instead of the head v${headVersion}, whose hash does not verify`,
      });
    }
    refreshSnapshot(entry);
    return entry;
  }

  // ----- reading -------------------------------------------------------------------------------

  names(): readonly string[] {
    return servedNames(this.entries.values());
  }

  get(name: string): RuleSetState | undefined {
    if (!isValidName(name)) return undefined;
    return this.entries.get(name)?.snapshot;
  }

  async getVersion(name: string, version: number): Promise<StoredVersion | undefined> {
    if (!isValidName(name) || !Number.isSafeInteger(version) || version < 1) return undefined;
    const entry = this.entries.get(name);
    if (!entry?.active) return undefined;
    if (entry.active.version === version) return entry.active;
    const meta = entry.metas.find((m) => m.version === version);
    if (!meta) return undefined;
    const hit = this.cache.get(name, version);
    if (hit) return hit;
    this.assertUsable(`reading v${version} of "${name}"`);
    let row: FullRow | undefined;
    try {
      const r = await this.pool!.query<FullRow>(
        `SELECT ${FULL_COLUMNS} FROM rules_versions WHERE name = $1 AND version = $2`,
        [name, version],
      );
      row = r.rows[0];
    } catch (e) {
      throw this.failed(e, `reading v${version} of "${name}"`);
    }
    if (!row) return undefined;
    const v = versionOfRow(row);
    const problem = verifyProblem(v);
    if (problem !== undefined) {
      this.logger?.warn(
        { path: `postgres:rules_versions/${name}/v${version}` },
        `store: version row does not verify: ${problem}`,
      );
      return undefined;
    }
    this.cache.put(v);
    return v;
  }

  async audit(filter?: AuditFilter): Promise<readonly AuditLogEntry[]> {
    this.assertUsable("reading the audit log");
    const ruleset = filter?.ruleset ?? null;
    // `at` is compared in JavaScript (auditMatches, exactly as the file store does); the query only
    // narrows with a second of margin.
    const since =
      filter?.since !== undefined && Number.isFinite(filter.since) ? new Date(filter.since - 1000).toISOString() : null;
    try {
      const r = await this.pool!.query<{ entry: AuditLogEntry }>(
        `SELECT entry FROM rules_audit
          WHERE ($1::text IS NULL OR ruleset = $1) AND ($2::timestamptz IS NULL OR at >= $2::timestamptz)
          ORDER BY id`,
        [ruleset, since],
      );
      return r.rows.map((row) => Object.freeze(inWrittenOrder(row.entry))).filter((e) => auditMatches(e, filter));
    } catch (e) {
      throw this.failed(e, "reading the audit log");
    }
  }

  async recordRefusal(entry: RefusalAuditEntry): Promise<void> {
    if (!this.opened || this.closed) return;
    this.assertUsable(`recording a refused publish of "${entry.ruleset}"`);
    try {
      await this.pool!.query("INSERT INTO rules_audit (at, ruleset, action, entry) VALUES ($1, $2, $3, $4)", [
        atOf(entry.at),
        entry.ruleset,
        entry.action,
        JSON.stringify(entry),
      ]);
    } catch (e) {
      const err = this.failed(e, `recording a refused publish of "${entry.ruleset}"`);
      this.logger?.warn({ err: messageOf(err) }, `store: the audit line of a refused publish was not written`);
      throw err;
    }
  }

  // ----- writing -------------------------------------------------------------------------------

  publish(name: string, input: PublishInput): Promise<StoredVersion> {
    if (!isValidName(name)) return Promise.reject(new TypeError(`invalid rule-set name ${JSON.stringify(name)}`));
    const invalid = checkInput(input);
    if (invalid) return Promise.reject(new TypeError(`publish of "${name}": ${invalid}`));
    if (!this.opened) return Promise.reject(new Error("PostgreSQL store: publish before open()"));
    if (this.closed)
      return Promise.reject(new StorageError("unavailable", undefined, "PostgreSQL store: publish after close()"));
    try {
      this.assertUsable(`publish of "${name}"`);
    } catch (e) {
      return Promise.reject(e);
    }
    this.publishing.set(name, (this.publishing.get(name) ?? 0) + 1);
    const run = this.publishTx(name, input).finally(() => {
      const n = (this.publishing.get(name) ?? 1) - 1;
      if (n <= 0) this.publishing.delete(name);
      else this.publishing.set(name, n);
    });
    this.inflight.add(run);
    void run.then(
      () => this.inflight.delete(run),
      () => this.inflight.delete(run),
    );
    return run;
  }

  private async publishTx(name: string, input: PublishInput): Promise<StoredVersion> {
    const what = `publish of "${name}"`;
    let client: pg.PoolClient;
    try {
      client = await this.pool!.connect();
    } catch (e) {
      throw this.failed(e, what);
    }
    let broken: Error | undefined;
    // A checked-out client has no 'error' listener of the pool's: without this one, the
    // connection dropping between two statements would be an uncaught 'error' event.
    const onError = (e: Error): void => {
      broken = e;
    };
    client.on("error", onError);
    const known = this.entries.get(name);
    const knownMax = known?.metas.length ? known.metas[known.metas.length - 1]!.version : 0;
    let version: StoredVersion;
    let fresh: VersionMeta[];
    let count: number;
    try {
      await client.query("BEGIN");
      try {
        await client.query("INSERT INTO rules_heads (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", [name]);
        const head = await client.query<{ active_version: number; version_count: number }>(
          "SELECT active_version, version_count FROM rules_heads WHERE name = $1 FOR UPDATE",
          [name],
        );
        const activeVersion = head.rows[0]!.active_version;
        if (input.baseVersion !== undefined && input.baseVersion !== activeVersion) {
          throw new StoreConflictError(
            `rule set "${name}" is at version ${activeVersion}, not at the base version ${input.baseVersion}`,
            activeVersion,
          );
        }
        const max = await client.query<{ max: number }>(
          "SELECT coalesce(max(version), 0)::integer AS max FROM rules_versions WHERE name = $1",
          [name],
        );
        const content: Omit<StoredVersion, "hash"> = {
          name,
          version: max.rows[0]!.max + 1,
          source: input.source,
          tests: input.tests,
          author: input.author,
          message: input.message,
          createdAt: this.now().toISOString(),
          ...(input.rolledBackFrom !== undefined ? { rolledBackFrom: input.rolledBackFrom } : {}),
          ...(input.effectiveFrom !== undefined ? { effectiveFrom: input.effectiveFrom } : {}),
          ...(input.effectiveUntil !== undefined ? { effectiveUntil: input.effectiveUntil } : {}),
        };
        version = Object.freeze({ ...content, hash: versionHash(content) });
        await client.query(
          `INSERT INTO rules_versions (name, version, source, tests, author, message, created_at, rolled_back_from, hash,
                                       effective_from, effective_until)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            name,
            version.version,
            version.source,
            version.tests,
            version.author,
            version.message,
            version.createdAt,
            version.rolledBackFrom ?? null,
            version.hash,
            version.effectiveFrom ?? null,
            version.effectiveUntil ?? null,
          ],
        );
        const moved = await client.query<{ version_count: number }>(
          `UPDATE rules_heads SET active_version = $2, version_count = version_count + 1, updated_at = now()
            WHERE name = $1 RETURNING version_count`,
          [name, version.version],
        );
        count = moved.rows[0]!.version_count;
        const action = input.action ?? (input.rolledBackFrom !== undefined ? "rollback" : "publish");
        await client.query("INSERT INTO rules_audit (at, ruleset, action, entry) VALUES ($1, $2, $3, $4)", [
          atOf(version.createdAt),
          name,
          action,
          JSON.stringify(auditEntryOf(version, action, input.requestId)),
        ]);
        await client.query("SELECT pg_notify($1, $2)", [CHANGE_CHANNEL, name]);
        // Versions other replicas published since this store last looked (and this one).
        const rows = await client.query<MetaRow>(
          `SELECT ${META_COLUMNS} FROM rules_versions WHERE name = $1 AND version > $2 ORDER BY version`,
          [name, knownMax],
        );
        fresh = rows.rows.map(metaOfRow);
        await client.query("COMMIT");
      } catch (e) {
        if (isConnectionError(e)) broken = e as Error;
        else await client.query("ROLLBACK").catch((r: unknown) => (broken = r as Error));
        throw e;
      }
    } catch (e) {
      if (e instanceof StoreConflictError) throw e;
      throw this.failed(e, what);
    } finally {
      client.removeListener("error", onError);
      client.release(broken);
    }

    // Committed: memory shows it at once (never going back if a sync got further meanwhile).
    const entry = this.entries.get(name) ?? newEntry(name);
    this.entries.set(name, entry);
    if (version.version > entry.headVersion) {
      const have = new Set(entry.metas.map((m) => m.version));
      for (const m of fresh) if (!have.has(m.version)) entry.metas.push(m);
      entry.metas.sort((a, b) => a.version - b.version);
      entry.headVersion = version.version;
      entry.count = count;
      entry.active = version;
      refreshSnapshot(entry);
    }
    this.cache.put(version);
    return version;
  }

  // ----- sync between replicas -------------------------------------------------------------------

  status(): StoreStatus {
    return this.statusValue;
  }

  onChange(listener: StoreChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private poll(): void {
    if (this.closed || !this.opened || this.statusValue.state === "degraded") return;
    this.requestSync(false).catch(() => undefined);
  }

  /** Asks for a sync; one runs at a time, requests meanwhile coalesce into one more run. */
  private requestSync(full: boolean): Promise<void> {
    if (this.syncRunning) {
      this.syncAgain = true;
      this.syncAgainFull ||= full;
      return this.syncRunning;
    }
    const run = async (): Promise<void> => {
      let f = full;
      for (;;) {
        this.syncAgain = false;
        this.syncAgainFull = false;
        await this.syncOnce(f);
        if (!this.syncAgain || this.closed) return;
        f = this.syncAgainFull;
      }
    };
    const p = run()
      .catch((e: unknown) => {
        if (this.closed) return;
        if (isConnectionError(e)) {
          this.degrade(e);
          throw e;
        }
        this.logger?.warn({ err: messageOf(e) }, "store: sync with PostgreSQL failed");
        throw e;
      })
      .finally(() => {
        this.syncRunning = undefined;
      });
    this.syncRunning = p;
    return p;
  }

  /** Compares every head with memory; reloads what changed; tells the listeners. */
  private async syncOnce(full: boolean): Promise<void> {
    if (this.closed || !this.pool) return;
    this.counters.syncs++;
    const heads = await this.pool.query<{ name: string; active_version: number; version_count: number }>(
      "SELECT name, active_version, version_count FROM rules_heads WHERE active_version > 0",
    );
    const changed: string[] = [];
    const warn: Report = (p) => this.logger?.warn({ path: p.path }, `store: ${p.message}`);
    for (const h of heads.rows) {
      if (this.closed) return;
      const before = this.entries.get(h.name);
      const same = before && before.headVersion === h.active_version && before.count === h.version_count;
      if ((same && !full) || this.publishing.has(h.name)) continue;
      if (before && before.headVersion > h.active_version) continue; // memory is already further
      const loaded = await this.loadRuleSet(h.name, h.active_version, h.version_count, warn);
      this.counters.reloaded++;
      // Re-check after the awaits: a publish of this store may have moved memory meanwhile.
      const now = this.entries.get(h.name);
      if (this.publishing.has(h.name) || (now && now.headVersion > loaded.headVersion)) continue;
      const differs =
        !now ||
        now.headVersion !== loaded.headVersion ||
        now.count !== loaded.count ||
        now.active?.version !== loaded.active?.version ||
        now.metas.length !== loaded.metas.length;
      this.entries.set(h.name, loaded);
      if (differs) changed.push(h.name);
    }
    if (changed.length > 0) this.emit(changed.sort());
  }

  private emit(names: readonly string[]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(names);
      } catch (e) {
        this.logger?.warn({ err: messageOf(e) }, "store: a change listener threw");
      }
    }
  }

  // ----- the LISTEN connection, degraded mode, reconnecting -----------------------------------

  private async connectListener(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: this.connectTimeoutMs,
      application_name: `${this.applicationName}-listen`,
      keepAlive: true,
    });
    const lost = (e: unknown) => {
      if (this.listener !== client || this.closed) return;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      void this.reviveListener(e);
    };
    client.on("error", lost);
    client.on("end", () => lost(new Error("Connection terminated (LISTEN connection ended)")));
    client.on("notification", (msg) => {
      if (msg.channel !== CHANGE_CHANNEL || this.closed) return;
      this.counters.notifications++;
      this.requestSync(false).catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (e) {
      client.removeAllListeners("end");
      client.on("error", () => undefined);
      await client.end().catch(() => undefined);
      throw e;
    }
    const old = this.listener;
    this.listener = client;
    if (old) await old.end().catch(() => undefined);
  }

  /**
   * The LISTEN connection was lost: reconnect it at once and resync fully (notifications were
   * missed meanwhile); when that fails the database is gone: degraded, and the loop takes over.
   */
  private reviveListener(e: unknown): Promise<void> {
    if (this.reviving || this.reconnecting) return this.reviving ?? Promise.resolve();
    const run = async () => {
      try {
        if (this.statusValue.state === "degraded") throw e;
        await this.connectListener();
        await this.requestSync(true);
        this.counters.reconnects++;
        this.logger?.info?.({}, "store: PostgreSQL LISTEN connection re-established; resynced");
      } catch (err) {
        if (!this.closed) this.degrade(isConnectionError(err) ? err : e);
      }
    };
    this.reviving = run().finally(() => {
      this.reviving = undefined;
    });
    return this.reviving;
  }

  /** An idle pool connection failed: is the database still there? */
  private async probe(e: unknown): Promise<void> {
    if (this.statusValue.state === "degraded" || this.closed) return;
    try {
      await this.pool!.query("SELECT 1");
    } catch (err) {
      if (isConnectionError(err)) this.degrade(err);
      else this.logger?.warn({ err: messageOf(e) }, "store: idle PostgreSQL connection failed");
    }
  }

  /** Enters degraded mode (or updates its reason) and starts the reconnect loop. */
  private degrade(e: unknown): void {
    if (this.closed) return;
    const reason = messageOf(e) || codeOf(e) || "connection lost";
    if (this.statusValue.state !== "degraded") {
      this.statusValue = Object.freeze({
        kind: "postgres",
        state: "degraded",
        reason,
        since: this.now().toISOString(),
      });
      this.logger?.warn(
        { reason },
        "store: PostgreSQL unreachable; deciding goes on with the versions in memory, authoring answers 503 until it is back",
      );
    } else {
      this.statusValue = Object.freeze({ ...this.statusValue, reason });
    }
    if (!this.reconnecting) {
      this.reconnecting = this.reconnectLoop().finally(() => {
        this.reconnecting = undefined;
      });
    }
  }

  private async reconnectLoop(): Promise<void> {
    let delay = this.reconnectMinMs;
    while (!this.closed && this.statusValue.state === "degraded") {
      await sleep(delay, this.sleepers);
      if (this.closed) return;
      try {
        await this.pool!.query("SELECT 1");
        if (this.listen) await this.connectListener();
        await this.requestSync(true);
        const since = this.statusValue.since;
        this.statusValue = Object.freeze({ kind: "postgres", state: "ok" });
        this.counters.reconnects++;
        this.logger?.info?.({ degradedSince: since }, "store: PostgreSQL reachable again; resynced");
        return;
      } catch (e) {
        if (this.closed) return;
        if (isConnectionError(e)) this.statusValue = Object.freeze({ ...this.statusValue, reason: messageOf(e) });
        else this.logger?.warn({ err: messageOf(e) }, "store: resync after reconnecting failed; retrying");
        delay = Math.min(delay * 2, this.reconnectMaxMs);
      }
    }
  }

  /** Throws StorageError("unreachable") at once while degraded (no connect timeout per request). */
  private assertUsable(what: string): void {
    if (this.closed) throw new StorageError("unavailable", undefined, `PostgreSQL store: ${what} after close()`);
    if (this.statusValue.state === "degraded") {
      throw new StorageError(
        "unreachable",
        undefined,
        `${what}: PostgreSQL unreachable since ${this.statusValue.since ?? "?"} (${this.statusValue.reason ?? "connection lost"})`,
      );
    }
  }

  /** A failed database call: StorageError, entering degraded mode on a connection-class failure. */
  private failed(e: unknown, what: string): unknown {
    if (isConnectionError(e)) this.degrade(e);
    return asStoreError(e, what);
  }

  // ----- closing -------------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    for (const sleeper of [...this.sleepers]) sleeper.wake();
    await Promise.allSettled([this.syncRunning, this.reconnecting, this.reviving]);
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      listener.removeAllListeners("end");
      await listener.end().catch(() => undefined);
    }
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.end().catch(() => undefined);
    this.listeners.clear();
  }

  // ----- internals -----------------------------------------------------------------------------
}

function newEntry(name: string): Entry {
  return { name, headVersion: 0, count: 0, metas: [], active: undefined, snapshot: undefined };
}

function refreshSnapshot(entry: Entry): void {
  entry.snapshot = snapshotOf(entry.name, entry.active, entry.metas);
}

/** Why a version read back does not verify, or undefined. */
function verifyProblem(v: StoredVersion): string | undefined {
  const expected = versionHash(v);
  return expected === v.hash
    ? undefined
    : `hash mismatch: the row says ${v.hash.slice(0, 12)}…, its content hashes to ${expected.slice(0, 12)}… (edited or corrupted)`;
}

/**
 * jsonb keeps keys in its own order (shortest first); an audit entry is given back with its keys
 * in the order the service writes them (the file store's audit.jsonl order), unknown keys last.
 */
const AUDIT_KEY_ORDER = [
  "at",
  "action",
  "ruleset",
  "version",
  "author",
  "message",
  "hash",
  "attempted",
  "status",
  "code",
  "reason",
  "problems",
  "activeVersion",
  "baseVersion",
  "rolledBackFrom",
  "requestId",
  "recovered",
];
const PROBLEM_KEY_ORDER = ["code", "line", "column", "case", "file", "activeVersion"];

function ordered(obj: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) if (Object.hasOwn(obj, k)) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!Object.hasOwn(out, k)) out[k] = obj[k];
  return out;
}

function inWrittenOrder(entry: AuditLogEntry): AuditLogEntry {
  const out = ordered(entry as unknown as Record<string, unknown>, AUDIT_KEY_ORDER);
  if (Array.isArray(out.problems)) {
    out.problems = out.problems.map((p: unknown) =>
      typeof p === "object" && p !== null ? ordered(p as Record<string, unknown>, PROBLEM_KEY_ORDER) : p,
    );
  }
  return out as unknown as AuditLogEntry;
}

/** The audit row's `at` column: the entry's instant (the entry keeps its own text). */
function atOf(at: string): string {
  const ms = Date.parse(at);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : new Date().toISOString();
}
