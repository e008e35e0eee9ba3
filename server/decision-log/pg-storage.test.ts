/**
 * The PostgreSQL storage beyond the shared contract (storage-contract.test.ts), against a
 * throw-away cluster for this file: the tables of migration 2 next to the store's, rows that
 * cannot be updated, replicas agreeing on one masking key, characters jsonb refuses, and the
 * database going away (calls reject within seconds, then work again on the same storage).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { decisionRecord, decisionRecords } from "../../test/helpers/decision-records.js";
import { requirePostgres, startTempPostgres, type TempPostgres } from "../../test/helpers/postgres.js";
import { createPostgresStore } from "../store/pg-store.js";
import { StorageError } from "../store/storage-error.js";
import { createPostgresDecisionStorage } from "./pg-storage.js";
import type { DecisionLogStorage } from "./types.js";

const availability = await requirePostgres();
const skipReason = availability.ok ? "" : availability.reason;

const START = Date.parse("2026-12-02T03:00:00.000Z");

describe.skipIf(!availability.ok)(`PostgreSQL decision storage${skipReason ? ` (pulado: ${skipReason})` : ""}`, () => {
  let pg: TempPostgres;
  const storages: DecisionLogStorage[] = [];

  beforeAll(async () => {
    pg = await startTempPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.destroy();
  });
  afterEach(async () => {
    await Promise.all(storages.splice(0).map((s) => s.close().catch(() => undefined)));
  });

  async function storage(url: string): Promise<DecisionLogStorage> {
    const s = createPostgresDecisionStorage(url, { logger: { warn: () => undefined } });
    storages.push(s);
    await s.open();
    return s;
  }
  const sql = (url: string, text: string) => pg.psql(text, new URL(url).pathname.slice(1));

  it("migrates a fresh database (the store's tables too) and is idempotent next to the store", async () => {
    const url = await pg.createDatabase();
    const s = await storage(url);
    const tables = await sql(
      url,
      "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.trim().split(",")).toEqual(
      expect.arrayContaining(["rules_decisions", "rules_settings", "rules_versions", "rules_audit"]),
    );
    // The rule-set store opens the same database without migrating again.
    const store = createPostgresStore(url, { logger: { warn: () => undefined } });
    await store.open();
    expect(store.schema?.applied).toEqual([]);
    await store.close();
    await s.append(decisionRecords(2, START));
    expect((await s.query({})).items).toHaveLength(2);
  });

  it("decision rows cannot be updated; prune may delete them", async () => {
    const url = await pg.createDatabase();
    const s = await storage(url);
    const [r] = decisionRecords(1, Date.now() - 10 * 86_400_000);
    await s.append([r!]);
    await expect(sql(url, "UPDATE rules_decisions SET ruleset = 'outra'")).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    expect((await s.get(r!.id))?.ruleset).toBe(r!.ruleset);
    expect((await s.prune({ maxAgeMs: 86_400_000, maxBytes: 1e12 })).removed).toBe(1);
    expect(await s.get(r!.id)).toBeUndefined();
  });

  it("two replicas opening one database at once agree on the masking key", async () => {
    const url = await pg.createDatabase();
    const a = createPostgresDecisionStorage(url);
    const b = createPostgresDecisionStorage(url);
    storages.push(a, b);
    await Promise.all([a.open(), b.open()]);
    const [ka, kb] = await Promise.all([a.maskingKey(), b.maskingKey()]);
    expect(ka.equals(kb)).toBe(true);
    expect((await sql(url, "SELECT count(*) FROM rules_settings")).trim()).toBe("1");
  });

  it("NUL and unpaired surrogates (refused by jsonb) are stored as U+FFFD instead of failing the batch", async () => {
    const url = await pg.createDatabase();
    const s = await storage(url);
    const base = decisionRecord(1, START);
    const odd = { ...base, facts: { ...base.facts, nota: "a\u0000b\ud800c", "chave\u0000": 1, ok: "ação 😀" } };
    const plain = decisionRecord(2, START + 1000);
    await s.append([odd, plain]);
    expect((await s.get(odd.id))?.facts).toEqual({
      ...base.facts,
      nota: "a\ufffdb\ufffdc",
      "chave\ufffd": 1,
      ok: "ação 😀",
    });
    expect(await s.get(plain.id)).toEqual(plain);
  });

  it("database stopped: calls reject within seconds as unreachable; after a restart the same storage works", async () => {
    const url = await pg.createDatabase();
    const s = await storage(url);
    const records = decisionRecords(3, START);
    await s.append([records[0]!]);
    await pg.stop();
    try {
      for (const call of [
        () => s.append([records[1]!]),
        () => s.query({}),
        () => s.get(records[0]!.id),
        () => s.prune({ maxAgeMs: 1, maxBytes: 0 }),
      ]) {
        const began = Date.now();
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StorageError);
        expect((err as StorageError).failure).toBe("unreachable");
        // Generous: the point is "no long hang" (the connection timeout is 2 s).
        expect(Date.now() - began).toBeLessThan(15_000);
      }
    } finally {
      await pg.start();
    }
    await s.append([records[2]!]);
    expect((await s.query({ order: "asc" })).items.map((r) => r.id)).toEqual([records[0]!.id, records[2]!.id]);
  }, 120_000);

  it("open() on an unreachable database fails promptly with a clear error (password not shown)", async () => {
    const url = `postgres://ana:segredo@127.0.0.1:${pg.port + 1}/nada`;
    const s = createPostgresDecisionStorage(url);
    storages.push(s);
    const err = await s.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toMatch(/cannot connect to postgres:\/\/ana:\*\*\*@127\.0\.0\.1/);
    expect((err as Error).message).not.toMatch(/segredo/);
  });
});
