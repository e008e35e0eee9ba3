/**
 * The PostgreSQL store against a real PostgreSQL (a throw-away cluster for this file, a fresh
 * database per test): migrations, publish / read / audit parity with the file store, the audit
 * line in the publish's transaction, immutable rows, and concurrent publishes from two stores.
 * Replication between stores and the database going away: pg-store-replicas.test.ts.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { requirePostgres, startTempPostgres, type TempPostgres } from "../../test/helpers/postgres.js";
import { createFileStore } from "./file-store.js";
import { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from "./pg-store.js";
import { MIGRATIONS, SchemaTooNewError, SCHEMA_VERSION } from "./pg-migrations.js";
import { StorageError } from "./storage-error.js";
import { StoreConflictError, type PublishInput, type RefusalAuditEntry } from "./types.js";
import { versionHash } from "./version-hash.js";

/** Every migration this code knows, in order (numbers may have gaps while branches merge). */
const ALL_MIGRATIONS = MIGRATIONS.map((m) => m.version);

const availability = await requirePostgres();
const skipReason = availability.ok ? "" : availability.reason;

/** A clock that advances one second per call. */
function clock(start = Date.parse("2025-03-10T12:00:00.000Z")): () => Date {
  let t = start;
  return () => {
    t += 1000;
    return new Date(t);
  };
}

function input(source: string, extra: Partial<PublishInput> = {}): PublishInput {
  return { source, tests: null, author: "ana", message: `publish ${source.slice(0, 20)}`, ...extra };
}

describe.skipIf(!availability.ok)(`PostgreSQL store${skipReason ? ` (pulado: ${skipReason})` : ""}`, () => {
  let pg: TempPostgres;
  const stores: PostgresStore[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    pg = await startTempPostgres();
  }, 60_000);

  afterAll(async () => {
    await pg?.destroy();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  });

  function store(url: string, options: PostgresStoreOptions = {}): PostgresStore {
    const s = createPostgresStore(url, { now: clock(), logger: { warn: () => undefined }, ...options });
    stores.push(s);
    return s;
  }

  const dbName = (url: string) => new URL(url).pathname.slice(1);
  const sql = (url: string, text: string) => pg.psql(text, dbName(url));

  describe("migrations", () => {
    it("creates the schema on a fresh database and records each migration once", async () => {
      const url = await pg.createDatabase();
      const s = store(url);
      expect(await s.open()).toEqual([]);
      expect(s.schema).toEqual({ applied: ALL_MIGRATIONS, schemaVersion: SCHEMA_VERSION });
      const tables = await sql(
        url,
        "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'",
      );
      // The store's tables (later migrations add the decision log's and others).
      expect(tables.trim().split(",")).toEqual(
        expect.arrayContaining(["rules_audit", "rules_heads", "rules_schema_migrations", "rules_versions"]),
      );
      expect(
        (
          await sql(
            url,
            "SELECT string_agg(version || ':' || (applied_at IS NOT NULL), ',' ORDER BY version) FROM rules_schema_migrations",
          )
        ).trim(),
      ).toBe(ALL_MIGRATIONS.map((v) => `${v}:true`).join(","));
    });

    it("is idempotent: reopening applies nothing and keeps the data", async () => {
      const url = await pg.createDatabase();
      const a = store(url);
      await a.open();
      await a.publish("cobranca", input("v1"));
      await a.close();
      const b = store(url);
      expect(await b.open()).toEqual([]);
      expect(b.schema).toEqual({ applied: [], schemaVersion: SCHEMA_VERSION });
      expect(b.get("cobranca")?.active.source).toBe("v1");
      expect((await sql(url, "SELECT count(*) FROM rules_schema_migrations")).trim()).toBe(String(MIGRATIONS.length));
    });

    it("two stores opening one fresh database at once: one schema, each migration applied once, both open", async () => {
      const url = await pg.createDatabase();
      const a = store(url);
      const b = store(url);
      const [pa, pb] = await Promise.all([a.open(), b.open()]);
      expect(pa).toEqual([]);
      expect(pb).toEqual([]);
      const applied = [...(a.schema?.applied ?? []), ...(b.schema?.applied ?? [])].sort((x, y) => x - y);
      expect(applied).toEqual(ALL_MIGRATIONS);
      expect((await sql(url, "SELECT count(*) FROM rules_schema_migrations")).trim()).toBe(String(MIGRATIONS.length));
      // Both work on the one schema.
      await a.publish("x", input("from a"));
      await b.publish("x", input("from b"));
      await b.syncNow();
      expect(b.get("x")?.versions.map((m) => m.version)).toEqual([1, 2]);
    });

    it("refuses, untouched, a database whose schema is newer than the code", async () => {
      const url = await pg.createDatabase();
      const a = store(url);
      await a.open();
      await a.close();
      await sql(url, "INSERT INTO rules_schema_migrations (version, name) VALUES (99, 'from the future')");
      const before = await sql(url, "SELECT count(*) FROM rules_schema_migrations");
      const b = store(url);
      const err = await b.open().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SchemaTooNewError);
      expect((err as Error).message).toMatch(new RegExp(`version 99.*\\(${SCHEMA_VERSION}\\)`));
      expect(await sql(url, "SELECT count(*) FROM rules_schema_migrations")).toBe(before);
    });

    it("open() gives up on an unreachable database after startupTimeoutMs with a clear error", async () => {
      const s = store("postgres://postgres@127.0.0.1:1/none", {
        startupTimeoutMs: 300,
        reconnectMinMs: 50,
        reconnectMaxMs: 100,
      });
      await expect(s.open()).rejects.toThrow(/unreachable for 0 s \(\d+ attempts\)/);
    });

    it("open() does not retry an error that waiting cannot cure (no such database), and hides the password", async () => {
      const url = pg.url("no_such_db").replace("postgres@", "postgres:s3cret@");
      const s = store(url, { startupTimeoutMs: 60_000 });
      const err = await s.open().catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/cannot use .*no_such_db.*does not exist/);
      expect((err as Error).message).not.toMatch(/s3cret/);
    });
  });

  describe("publish, read, audit", () => {
    it("gives the same versions, hashes and audit lines as the file store", async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "pg-parity-"));
      dirs.push(dir);
      const file = createFileStore(dir, { now: clock() });
      await file.open();
      const url = await pg.createDatabase();
      const db = store(url, { now: clock() });
      await db.open();
      const steps: [string, PublishInput][] = [
        ["cobranca", input("rules: v1", { tests: "cases: []", requestId: "req-1" })],
        ["cobranca", input("rules: v2 ção", { baseVersion: 1 })],
        ["cobranca", input("rules: v1", { tests: "cases: []", rolledBackFrom: 1, action: "rollback" })],
        ["triagem", input("rules: t", { baseVersion: 0, action: "seed" })],
      ];
      for (const [name, inp] of steps) {
        const f = await file.publish(name, inp);
        const d = await db.publish(name, inp);
        expect(d).toEqual(f);
        expect(d.hash).toBe(versionHash(d));
      }
      expect(db.names()).toEqual(file.names());
      for (const name of file.names()) {
        expect(db.get(name)).toEqual(file.get(name));
        for (const m of file.get(name)!.versions)
          expect(await db.getVersion(name, m.version)).toEqual(await file.getVersion(name, m.version));
      }
      expect(await db.getVersion("cobranca", 9)).toBeUndefined();
      expect(await db.getVersion("nope", 1)).toBeUndefined();
      expect(await db.getVersion("../x", 1)).toBeUndefined();
      expect(await db.audit()).toEqual(await file.audit());
      expect(JSON.stringify(await db.audit())).toBe(JSON.stringify(await file.audit())); // key order too
      expect(await db.audit({ ruleset: "triagem" })).toEqual(await file.audit({ ruleset: "triagem" }));
      const since = Date.parse("2025-03-10T12:00:03.000Z"); // the roll back and the seed
      expect(await db.audit({ since })).toEqual(await file.audit({ since }));
      expect((await db.audit({ since })).map((e) => e.version)).toEqual([3, 1]);
      expect(db.get("cobranca")?.active).toMatchObject({ version: 3, rolledBackFrom: 1, source: "rules: v1" });
      // A reopened store reads the same back.
      await db.close();
      const again = store(url);
      expect(await again.open()).toEqual([]);
      expect(again.get("cobranca")).toEqual(file.get("cobranca"));
      await file.close();
    });

    it("refusal lines join the audit log, with their filters", async () => {
      const url = await pg.createDatabase();
      const s = store(url);
      await s.open();
      await s.publish("cobranca", input("v1"));
      const refusal: RefusalAuditEntry = {
        at: "2025-03-10T13:00:00.000Z",
        action: "publish-refused",
        ruleset: "cobranca",
        author: "bia",
        message: "tentativa",
        attempted: "rollback",
        status: 409,
        code: "CONFLICT",
        reason: "a versão ativa de cobranca é 1, não 0",
        problems: [{ activeVersion: 1 }, { code: "E_SYNTAX", line: 3, column: 7, file: "cobranca.yaml" }],
        activeVersion: 1,
        baseVersion: 0,
        rolledBackFrom: 1,
        requestId: "req-9",
      };
      await s.recordRefusal(refusal);
      const all = await s.audit();
      expect(all.map((e) => e.action)).toEqual(["publish", "publish-refused"]);
      expect(all[1]).toEqual(refusal);
      expect(JSON.stringify(all[1])).toBe(JSON.stringify(refusal)); // jsonb's key order is not given back
      expect(await s.audit({ ruleset: "outro" })).toEqual([]);
      expect(await s.audit({ since: Date.parse("2025-03-10T12:30:00.000Z") })).toEqual([refusal]);
    });

    it("baseVersion is a compare-and-set; baseVersion 0 creates a rule set once", async () => {
      const url = await pg.createDatabase();
      const s = store(url);
      await s.open();
      await s.publish("novo", input("v1", { baseVersion: 0 }));
      const err = await s.publish("novo", input("again", { baseVersion: 0 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConflictError);
      expect((err as StoreConflictError).activeVersion).toBe(1);
      expect((err as Error).message).toBe('rule set "novo" is at version 1, not at the base version 0');
      await expect(s.publish("outro", input("x", { baseVersion: 3 }))).rejects.toBeInstanceOf(StoreConflictError);
      expect(s.names()).toEqual(["novo"]);
      expect((await sql(url, "SELECT count(*) FROM rules_heads WHERE name = 'outro'")).trim()).toBe("0");
      expect((await s.audit()).length).toBe(1);
    });

    it("rejects bad names and inputs before touching the database", async () => {
      const url = await pg.createDatabase();
      const s = store(url);
      await s.open();
      await expect(s.publish("../etc", input("x"))).rejects.toThrow(TypeError);
      await expect(s.publish("ok", { ...input("x"), author: 3 as unknown as string })).rejects.toThrow(/author/);
      expect((await sql(url, "SELECT count(*) FROM rules_versions")).trim()).toBe("0");
    });

    it("writes the audit line in the publish's transaction: a failing audit insert stores nothing", async () => {
      const url = await pg.createDatabase();
      const s = store(url);
      await s.open();
      await s.publish("cobranca", input("v1"));
      await sql(
        url,
        `CREATE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.entry->>'message' = 'falha' THEN RAISE EXCEPTION 'audit insert refused by the test'; END IF; RETURN NEW; END $$;
         CREATE TRIGGER test_fail_audit BEFORE INSERT ON rules_audit FOR EACH ROW EXECUTE FUNCTION test_fail_audit();`,
      );
      const err = await s.publish("cobranca", input("v2", { message: "falha" })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect(err).toMatchObject({ failure: "unavailable", osCode: "P0001" });
      expect((err as Error).message).toMatch(/audit insert refused by the test/);
      expect((await sql(url, "SELECT count(*) FROM rules_versions")).trim()).toBe("1");
      expect((await sql(url, "SELECT active_version || '/' || version_count FROM rules_heads")).trim()).toBe("1/1");
      expect(s.get("cobranca")?.active.version).toBe(1);
      expect(s.status().state).toBe("ok");
      // The next publish takes the next number: nothing was claimed by the failed one.
      expect((await s.publish("cobranca", input("v2"))).version).toBe(2);
    });

    it("refuses UPDATE, DELETE and TRUNCATE of versions and audit lines", async () => {
      const url = await pg.createDatabase();
      const s = store(url);
      await s.open();
      await s.publish("cobranca", input("v1"));
      for (const statement of [
        "UPDATE rules_versions SET source = 'x'",
        "DELETE FROM rules_versions",
        "TRUNCATE rules_versions CASCADE",
        "UPDATE rules_audit SET ruleset = 'x'",
        "DELETE FROM rules_audit",
        "TRUNCATE rules_audit",
      ]) {
        await expect(sql(url, statement), statement).rejects.toThrow(/append-only/);
      }
      expect((await sql(url, "SELECT count(*) FROM rules_versions")).trim()).toBe("1");
      expect((await sql(url, "SELECT count(*) FROM rules_audit")).trim()).toBe("1");
    });

    it("serves the newest older version whose hash verifies when the active one does not", async () => {
      const url = await pg.createDatabase();
      const a = store(url);
      await a.open();
      await a.publish("cobranca", input("v1"));
      await a.publish("cobranca", input("v2"));
      await a.close();
      await sql(
        url,
        `ALTER TABLE rules_versions DISABLE TRIGGER rules_versions_immutable;
         UPDATE rules_versions SET source = 'tampered' WHERE version = 2;
         ALTER TABLE rules_versions ENABLE TRIGGER rules_versions_immutable;`,
      );
      const b = store(url);
      const problems = await b.open();
      expect(problems.map((p) => p.message).join("\n")).toMatch(/hash mismatch.*version 2 of "cobranca" skipped/);
      expect(problems.map((p) => p.message).join("\n")).toMatch(/serving v1 of "cobranca" instead of the head v2/);
      expect(b.get("cobranca")?.active).toMatchObject({ version: 1, source: "v1" });
      expect(b.get("cobranca")?.versions.map((m) => m.version)).toEqual([1]);
      // The next publish still takes a fresh number.
      expect((await b.publish("cobranca", input("v3"))).version).toBe(3);
    });
  });

  describe("concurrency between two stores", () => {
    it("40 concurrent publishes without baseVersion: contiguous versions, none lost", async () => {
      const url = await pg.createDatabase();
      const a = store(url);
      const b = store(url);
      await a.open();
      await b.open();
      const jobs = [];
      for (let i = 0; i < 20; i++) {
        jobs.push(a.publish("cobranca", input(`a-${i}`)));
        jobs.push(b.publish("cobranca", input(`b-${i}`)));
      }
      const acked = await Promise.all(jobs);
      expect(acked.map((v) => v.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      await a.syncNow();
      await b.syncNow();
      for (const s of [a, b]) {
        expect(s.get("cobranca")?.active.version).toBe(40);
        expect(s.get("cobranca")?.versions.map((m) => m.version)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        for (const v of acked) expect(await s.getVersion("cobranca", v.version)).toEqual(v);
      }
      expect((await sql(url, "SELECT active_version || '/' || version_count FROM rules_heads")).trim()).toBe("40/40");
      expect((await a.audit()).length).toBe(40);
    });

    it("the same baseVersion from both: exactly one wins, the other gets StoreConflictError(activeVersion)", async () => {
      const url = await pg.createDatabase();
      const a = store(url);
      const b = store(url);
      await a.open();
      await b.open();
      // The seed of two replicas starting at once: baseVersion 0.
      const seeds = await Promise.allSettled([
        a.publish("novo", input("seed a", { baseVersion: 0 })),
        b.publish("novo", input("seed b", { baseVersion: 0 })),
      ]);
      expect(seeds.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const lost = seeds.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(StoreConflictError);
      expect((lost.reason as StoreConflictError).activeVersion).toBe(1);

      await b.syncNow();
      const results = await Promise.allSettled([
        a.publish("novo", input("next a", { baseVersion: 1 })),
        b.publish("novo", input("next b", { baseVersion: 1 })),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(StoreConflictError);
      expect((loser.reason as StoreConflictError).activeVersion).toBe(2);
      expect((await sql(url, "SELECT count(*) FROM rules_versions")).trim()).toBe("2");
    });
  });
});
