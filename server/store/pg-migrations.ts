/**
 * The schema of the PostgreSQL store (pg-store.ts) and how it is brought up to date at start.
 *
 * Migrations are numbered from 1 and never edited once released: a change of schema is a new
 * migration appended to MIGRATIONS. `migrate()` applies the missing ones, EACH IN ITS OWN
 * TRANSACTION under a transaction-level advisory lock on a fixed key (pg_advisory_xact_lock), and
 * records each in `rules_schema_migrations` (version, name, applied_at) in that same transaction.
 * So two replicas starting at once on a fresh database serialise on the lock: the first applies
 * migration N, the second then sees it recorded and skips it; a crash mid-migration rolls the
 * whole migration back. A database whose schema is NEWER than this code (a later release already
 * migrated it) is refused untouched: `migrate()` throws naming both versions.
 *
 * Tables (all prefixed `rules_` so that the store can live in an existing database):
 *   rules_versions  one row per version, IMMUTABLE (a trigger refuses UPDATE, DELETE, TRUNCATE);
 *                   created_at is the ISO text exactly as hashed (versionHash), so a version moved
 *                   between stores keeps its hash;
 *   rules_heads     one row per rule set: the active version and the version count (the only
 *                   mutable table; replicas poll it);
 *                   effective_from / effective_until (migration 3): the vigência, nullable ISO texts;
 *   rules_audit     the audit log, one JSON entry per line (same shape as the file store's
 *                   audit.jsonl), IMMUTABLE like the versions.
 *   rules_decisions the decision log (server/decision-log/pg-storage.ts): one row per decision,
 *                   the whole record in `record`; rows are inserted and deleted (retention) but
 *                   never updated (a trigger refuses UPDATE);
 *   rules_settings  key/value settings shared by the replicas (the decision log's masking key).
 */
import type pg from "pg";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The advisory-lock key the migrations serialise on (any fixed 64-bit value; "rulesmig" in ASCII). */
export const MIGRATION_LOCK_KEY = "8247338521566537063";

export const MIGRATIONS_TABLE = "rules_schema_migrations";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "versions, heads and audit; immutable versions and audit",
    sql: `
CREATE TABLE rules_versions (
  name             text    NOT NULL,
  version          integer NOT NULL CHECK (version >= 1),
  source           text    NOT NULL,
  tests            text,
  author           text    NOT NULL,
  message          text    NOT NULL,
  created_at       text    NOT NULL,
  rolled_back_from integer CHECK (rolled_back_from >= 1),
  hash             text    NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE rules_heads (
  name           text        PRIMARY KEY,
  active_version integer     NOT NULL DEFAULT 0,
  version_count  integer     NOT NULL DEFAULT 0,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rules_audit (
  id      bigserial   PRIMARY KEY,
  at      timestamptz NOT NULL,
  ruleset text        NOT NULL,
  action  text        NOT NULL,
  entry   jsonb       NOT NULL
);
CREATE INDEX rules_audit_ruleset_id ON rules_audit (ruleset, id);
CREATE INDEX rules_audit_at ON rules_audit (at);
CREATE FUNCTION rules_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER rules_versions_immutable BEFORE UPDATE OR DELETE ON rules_versions
  FOR EACH ROW EXECUTE FUNCTION rules_refuse_change();
CREATE TRIGGER rules_versions_no_truncate BEFORE TRUNCATE ON rules_versions
  FOR EACH STATEMENT EXECUTE FUNCTION rules_refuse_change();
CREATE TRIGGER rules_audit_immutable BEFORE UPDATE OR DELETE ON rules_audit
  FOR EACH ROW EXECUTE FUNCTION rules_refuse_change();
CREATE TRIGGER rules_audit_no_truncate BEFORE TRUNCATE ON rules_audit
  FOR EACH STATEMENT EXECUTE FUNCTION rules_refuse_change();
`,
  },
  {
    version: 2,
    name: "decision log: decisions (insert and delete only) and settings",
    sql: `
CREATE TABLE rules_decisions (
  id      text COLLATE "C" PRIMARY KEY,
  at      timestamptz NOT NULL,
  ruleset text        NOT NULL,
  version integer     NOT NULL,
  fired   text[]      NOT NULL,
  size    integer     NOT NULL,
  record  jsonb       NOT NULL
);
CREATE INDEX rules_decisions_ruleset_id ON rules_decisions (ruleset, id);
CREATE INDEX rules_decisions_at ON rules_decisions (at);
CREATE TRIGGER rules_decisions_immutable BEFORE UPDATE ON rules_decisions
  FOR EACH ROW EXECUTE FUNCTION rules_refuse_change();
CREATE TABLE rules_settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);
`,
  },
  {
    version: 3,
    name: "vigência of versions: effective_from and effective_until",
    // Nullable ISO texts exactly as hashed (versionHash), like created_at; rows stay immutable
    // (ADD COLUMN fires no row trigger). Existing versions have none and keep their hashes.
    sql: `
ALTER TABLE rules_versions ADD COLUMN effective_from text;
ALTER TABLE rules_versions ADD COLUMN effective_until text;
`,
  },
];

/** The schema version this code knows (the last migration). */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export class SchemaTooNewError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `PostgreSQL store: the database schema is at version ${databaseVersion}, newer than this service knows (${codeVersion}); it was left untouched — run a release that knows schema ${databaseVersion}`,
    );
    this.name = "SchemaTooNewError";
  }
}

/** What `migrate()` did: the migrations it applied (none when the schema was up to date). */
export interface MigrationResult {
  readonly applied: readonly number[];
  readonly schemaVersion: number;
}

/**
 * Applies the missing migrations, one transaction each, under the advisory lock. Throws
 * SchemaTooNewError (before changing anything) when the database is ahead of `migrations`.
 */
export async function migrate(
  client: pg.ClientBase,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  const applied: number[] = [];
  for (;;) {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
           version    integer     PRIMARY KEY,
           name       text        NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const done = await client.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE}`);
      const have = new Set(done.rows.map((r) => r.version));
      const newest = Math.max(0, ...have);
      if (newest > known) throw new SchemaTooNewError(newest, known);
      const next = migrations.find((m) => !have.has(m.version));
      if (!next) {
        await client.query("COMMIT");
        return { applied, schemaVersion: newest };
      }
      await client.query(next.sql);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES ($1, $2)`, [next.version, next.name]);
      await client.query("COMMIT");
      applied.push(next.version);
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }
}
