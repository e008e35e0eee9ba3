/**
 * The decision log in PostgreSQL: the storage of a service with DATABASE_URL, next to the rule-set
 * store (same database; schema in server/store/pg-migrations.ts, migration 2). Its own small pool
 * (2 connections), so that logging never takes a connection the publishes need.
 *
 *   rules_decisions  id (UUIDv7 text, COLLATE "C" so that text order is time order), at, ruleset,
 *                    version, fired (text[]), size (bytes of the record's JSON text, for retention),
 *                    record (jsonb: the whole DecisionRecord). Rows are inserted and deleted by
 *                    retention, never updated (a trigger refuses UPDATE).
 *   rules_settings   `decision_log.masking_key`: the masking key, 64 hex characters, created by the
 *                    first replica (INSERT … ON CONFLICT DO NOTHING, then SELECT: every replica
 *                    reads the same key).
 *
 * `open()` runs the store's `migrate` (idempotent, under its advisory lock: nothing is done when
 * the schema is current). `append` is one INSERT of all the batch (a JSON array parameter
 * unnested by PostgreSQL): all or nothing. `query` is one SELECT ordered by id with LIMIT n + 1.
 * `prune` deletes by age (`at`), then the oldest rows while the sum of `size` exceeds maxBytes
 * (the sum of the records' JSON sizes, not `pg_total_relation_size`: the table's disk size does
 * not shrink after a DELETE until VACUUM, so it could not tell when to stop).
 *
 * PostgreSQL refuses the NUL character and unpaired UTF-16 surrogates in jsonb: such characters in
 * a record's strings are stored as U+FFFD (the file storage keeps them as they are).
 *
 * Database down: connections time out after 2 s and every call rejects promptly with
 * StorageError("unreachable"); the pool reconnects by itself once the database is back (no new
 * storage needed).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "../store/pg-migrations.js";
import { codeOf, failureOf, isConnectionError } from "../store/pg-store.js";
import { StorageError } from "../store/storage-error.js";
import { checkBatch, checkQuery } from "./storage-input.js";
import {
  type DecisionLogStorage,
  type DecisionPage,
  type DecisionQuery,
  type DecisionRecord,
  pageSize,
  type RetentionPolicy,
  type RetentionResult,
} from "./types.js";

export interface DecisionPgLogger {
  warn(obj: object, msg: string): void;
}

export interface PostgresDecisionStorageOptions {
  readonly logger?: DecisionPgLogger;
  /** Connections of the storage's own pool. Default 2. */
  readonly poolSize?: number;
  /** Time to open one connection before giving up. Default 2000 ms. */
  readonly connectTimeoutMs?: number;
  /** Server-side statement_timeout of appends, queries and reads. Default 10 000 ms. */
  readonly statementTimeoutMs?: number;
  /** statement_timeout of a prune (it may delete many rows). Default 300 000 ms. */
  readonly pruneTimeoutMs?: number;
  /** application_name of the connections. Default "rules-decision-log". */
  readonly applicationName?: string;
}

export const MASKING_KEY_SETTING = "decision_log.masking_key";

/** A database failure as a StorageError (`what`: the operation); other errors unchanged. */
function asLogError(e: unknown, what: string): unknown {
  if (e instanceof StorageError) return e;
  if (!(e instanceof pg.DatabaseError || codeOf(e) !== undefined || isConnectionError(e))) return e;
  return new StorageError(failureOf(e), codeOf(e), `decision log: ${what}: ${(e as Error).message ?? String(e)}`, {
    cause: e,
  });
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/** Characters jsonb refuses: NUL and unpaired surrogates, as JSON.stringify writes them. */
const JSONB_REFUSED_ESCAPE = /\\u0000|\\ud[89a-f]/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what jsonb refuses.
const JSONB_REFUSED_CHAR = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A copy of a JSON value with the characters jsonb refuses replaced by U+FFFD (keys too). */
function jsonbSafe(value: unknown): unknown {
  if (typeof value === "string") return value.replace(JSONB_REFUSED_CHAR, "\ufffd");
  if (Array.isArray(value)) return value.map(jsonbSafe);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k.replace(JSONB_REFUSED_CHAR, "\ufffd")] = jsonbSafe(v);
    return out;
  }
  return value;
}

export function createPostgresDecisionStorage(
  url: string,
  options: PostgresDecisionStorageOptions = {},
): DecisionLogStorage {
  return new PostgresDecisionStorage(url, options);
}

class PostgresDecisionStorage implements DecisionLogStorage {
  readonly kind = "postgres" as const;
  private readonly pool: pg.Pool;
  private readonly logger: DecisionPgLogger | undefined;
  private readonly pruneTimeoutMs: number;
  private key: Buffer | undefined;
  private opening: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    options: PostgresDecisionStorageOptions,
  ) {
    this.logger = options.logger;
    this.pruneTimeoutMs = options.pruneTimeoutMs ?? 300_000;
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 2,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
      statement_timeout: options.statementTimeoutMs ?? 10_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: options.applicationName ?? "rules-decision-log",
    });
    // An idle connection cut by the server (restart, failover) must not crash the process.
    this.pool.on("error", (e) => {
      this.logger?.warn({ error: e.message }, "decision log: idle PostgreSQL connection lost");
    });
  }

  open(): Promise<void> {
    if (this.closed) return Promise.reject(new Error("decision log: the PostgreSQL storage is closed"));
    this.opening ??= this.doOpen().catch((e: unknown) => {
      this.opening = undefined;
      throw e;
    });
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw asLogError(e, `cannot connect to ${redact(this.url)}`);
    }
    try {
      await migrate(client);
      await client.query("INSERT INTO rules_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", [
        MASKING_KEY_SETTING,
        randomBytes(32).toString("hex"),
      ]);
      const { rows } = await client.query<{ value: string }>("SELECT value FROM rules_settings WHERE key = $1", [
        MASKING_KEY_SETTING,
      ]);
      const hex = rows[0]?.value ?? "";
      if (!/^[0-9a-f]{64}$/i.test(hex))
        throw new Error(
          `decision log: the masking key in rules_settings (${MASKING_KEY_SETTING}) is not 64 hexadecimal characters; restore it (a new key changes the masks of new records)`,
        );
      this.key = Buffer.from(hex, "hex");
    } catch (e) {
      throw asLogError(e, `open ${redact(this.url)}`);
    } finally {
      client.release();
    }
  }

  private async ready(): Promise<void> {
    if (this.closed) throw new Error("decision log: the PostgreSQL storage is closed");
    await this.open();
  }

  private async run<R extends pg.QueryResultRow>(what: string, text: string, values: unknown[]) {
    try {
      return await this.pool.query<R>(text, values);
    } catch (e) {
      throw asLogError(e, what);
    }
  }

  async append(records: readonly DecisionRecord[]): Promise<void> {
    await this.ready();
    checkBatch(records);
    if (records.length === 0) return;
    const rows = records.map((r) => {
      let text = JSON.stringify(r);
      if (JSONB_REFUSED_ESCAPE.test(text)) text = JSON.stringify(jsonbSafe(r));
      return text;
    });
    const sizes = rows.map((t) => Buffer.byteLength(t));
    try {
      await this.pool.query(
        `INSERT INTO rules_decisions (id, at, ruleset, version, fired, size, record)
       SELECT r->>'id', (r->>'at')::timestamptz, r->>'ruleset', (r->>'version')::integer,
              ARRAY(SELECT jsonb_array_elements_text(r->'fired')), s, r
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(r, n)
         JOIN unnest($2::integer[]) WITH ORDINALITY AS z(s, n) USING (n)`,
        [`[${rows.join(",")}]`, sizes],
      );
    } catch (e) {
      if (codeOf(e) === "23505")
        throw new Error(
          `decision log: an id of the batch is already recorded (nothing written): ${(e as Error).message}`,
        );
      throw asLogError(e, "append");
    }
  }

  async query(query: DecisionQuery): Promise<DecisionPage> {
    await this.ready();
    checkQuery(query);
    const limit = pageSize(query);
    const desc = query.order !== "asc";
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (v: unknown) => {
      values.push(v);
      return `$${values.length}`;
    };
    if (query.ruleset !== undefined) where.push(`ruleset = ${param(query.ruleset)}`);
    if (query.version !== undefined) where.push(`version = ${param(query.version)}`);
    if (query.from !== undefined) where.push(`at >= ${param(new Date(query.from).toISOString())}::timestamptz`);
    if (query.to !== undefined) where.push(`at < ${param(new Date(query.to).toISOString())}::timestamptz`);
    if (query.output !== undefined) {
      const value = JSON.stringify(query.output.value);
      if (value === undefined) return { items: [] }; // no stored output is `undefined`
      const field = param(query.output.field);
      where.push(`record->'decision' ? ${field} AND record->'decision'->${field} = ${param(value)}::jsonb`);
    }
    if (query.fired !== undefined) where.push(`${param(query.fired)} = ANY(fired)`);
    if (query.cursor !== undefined) where.push(`id ${desc ? "<" : ">"} ${param(query.cursor)}`);
    const { rows } = await this.run<{ record: DecisionRecord }>(
      "query",
      `SELECT record FROM rules_decisions ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY id ${desc ? "DESC" : "ASC"} LIMIT ${param(limit + 1)}`,
      values,
    );
    const items = rows.slice(0, limit).map((r) => r.record);
    return rows.length > limit ? { items, next: items[limit - 1]!.id } : { items };
  }

  async get(id: string): Promise<DecisionRecord | undefined> {
    await this.ready();
    if (typeof id !== "string") return undefined;
    const { rows } = await this.run<{ record: DecisionRecord }>(
      "get",
      "SELECT record FROM rules_decisions WHERE id = $1",
      [id],
    );
    return rows[0]?.record;
  }

  async prune(policy: RetentionPolicy): Promise<RetentionResult> {
    await this.ready();
    if (!(policy.maxAgeMs >= 0 && policy.maxBytes >= 0))
      throw new Error("decision log: retention needs maxAgeMs and maxBytes of 0 or more");
    const cutoff = new Date(Math.max(0, Date.now() - policy.maxAgeMs)).toISOString();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw asLogError(e, "prune");
    }
    let broken = false;
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL statement_timeout = ${Math.floor(this.pruneTimeoutMs)}`);
      const byAge = await client.query("DELETE FROM rules_decisions WHERE at < $1::timestamptz", [cutoff]);
      // Newest first, the running total of sizes: rows past maxBytes are the oldest to go.
      const bySize = await client.query<{ removed: string; bytes: string }>(
        `WITH sized AS (
           SELECT id, size, sum(size) OVER (ORDER BY id DESC) AS upto FROM rules_decisions
         ), gone AS (
           DELETE FROM rules_decisions d USING sized s WHERE d.id = s.id AND s.upto > $1 RETURNING d.size
         )
         SELECT (SELECT count(*) FROM gone) AS removed,
                (SELECT coalesce(sum(size), 0) FROM sized) - (SELECT coalesce(sum(size), 0) FROM gone) AS bytes`,
        [policy.maxBytes],
      );
      await client.query("COMMIT");
      const row = bySize.rows[0]!;
      return { removed: (byAge.rowCount ?? 0) + Number(row.removed), bytes: Number(row.bytes) };
    } catch (e) {
      broken = isConnectionError(e);
      if (!broken) await client.query("ROLLBACK").catch(() => undefined);
      throw asLogError(e, "prune");
    } finally {
      client.release(broken);
    }
  }

  async maskingKey(): Promise<Buffer> {
    await this.ready();
    return this.key!;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
