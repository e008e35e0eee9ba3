/**
 * Vigência in the stores: `effectiveFrom` / `effectiveUntil` round-trip through the file store
 * (the version file) and the PostgreSQL store (migration 3's nullable columns), enter the version
 * hash only when present (versions stored before keep their hashes, in both stores), and bad
 * values are refused with nothing written.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createFileStore } from "../../server/store/file-store.js";
import { MIGRATIONS, migrate } from "../../server/store/pg-migrations.js";
import { createPostgresStore, type PostgresStore } from "../../server/store/pg-store.js";
import type { PublishInput, RuleSetStore } from "../../server/store/types.js";
import { versionHash } from "../../server/store/version-hash.js";
import { requirePostgres, startTempPostgres, type TempPostgres } from "../helpers/postgres.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const FROM = "2026-03-01T03:00:00.000Z";
const UNTIL = "2026-04-01T03:00:00.000Z";

function input(source: string, extra: Partial<PublishInput> = {}): PublishInput {
  return { source, tests: null, author: "ana", message: "m", ...extra };
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), "as-of-store-"));
  dirs.push(d);
  return d;
}

afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

describe("version hash", () => {
  it("without vigência is the hash versions always had (literal values computed before vigência existed)", () => {
    const base = {
      name: "mini",
      version: 1,
      source: "src",
      tests: null,
      author: "ana",
      message: "m",
      createdAt: "2025-03-10T12:00:00.000Z",
    };
    expect(versionHash(base)).toBe("bccd2c1c74690dfce2b25b2171dcd2085ce3ef5bb9133b2836dab6d5c08db0ce");
    expect(versionHash({ ...base, version: 2, tests: "t", rolledBackFrom: 1 })).toBe(
      "5c85a289a4ad7da25552e549e179c24ab8c2bee6a8249ef425112b0805b662ae",
    );
  });

  it("covers the vigência when present: each field changes it", () => {
    const base = {
      name: "mini",
      version: 1,
      source: "src",
      tests: null,
      author: "ana",
      message: "m",
      createdAt: "2025-03-10T12:00:00.000Z",
    };
    const hashes = new Set([
      versionHash(base),
      versionHash({ ...base, effectiveFrom: FROM }),
      versionHash({ ...base, effectiveUntil: FROM }),
      versionHash({ ...base, effectiveFrom: FROM, effectiveUntil: UNTIL }),
    ]);
    expect(hashes.size).toBe(4);
  });
});

/** The round trip every store must pass. */
async function roundTrip(open: () => Promise<RuleSetStore>): Promise<void> {
  const a = await open();
  const v1 = await a.publish("mini", input("v1"));
  const v2 = await a.publish("mini", input("v2", { effectiveFrom: FROM, effectiveUntil: UNTIL }));
  const v3 = await a.publish("mini", input("v3", { effectiveFrom: FROM }));
  expect(v1.effectiveFrom).toBeUndefined();
  expect(v1.hash).toBe(versionHash({ ...v1 }));
  expect(v2).toMatchObject({ effectiveFrom: FROM, effectiveUntil: UNTIL });
  expect(v3.effectiveFrom).toBe(FROM);
  expect(v3.effectiveUntil).toBeUndefined();
  await a.close();
  // Read back by a fresh store: the same fields, the hashes verify (open reports no problem).
  const b = await open();
  const metas = b.get("mini")?.versions ?? [];
  expect(metas.map((m) => [m.version, m.effectiveFrom ?? null, m.effectiveUntil ?? null])).toEqual([
    [1, null, null],
    [2, FROM, UNTIL],
    [3, FROM, null],
  ]);
  const read2 = await b.getVersion("mini", 2);
  expect(read2).toEqual(v2);
  expect(b.get("mini")?.active).toEqual(v3);
  // A bad vigência is refused, nothing written.
  await expect(b.publish("mini", input("v4", { effectiveFrom: "2026-03-01" }))).rejects.toThrow(/effectiveFrom/);
  await expect(b.publish("mini", input("v4", { effectiveFrom: UNTIL, effectiveUntil: FROM }))).rejects.toThrow(
    /effectiveUntil must be after/,
  );
  expect(b.get("mini")?.versions.length).toBe(3);
  await b.close();
}

describe("file store", () => {
  it("keeps the vigência in the version file and reads it back, hashes verified", async () => {
    const dir = await tempDir();
    await roundTrip(async () => {
      const s = createFileStore(dir);
      expect(await s.open()).toEqual([]);
      return s;
    });
    const file = JSON.parse(await fs.readFile(path.join(dir, "rulesets", "mini", "v000002.json"), "utf8"));
    expect(file).toMatchObject({ effectiveFrom: FROM, effectiveUntil: UNTIL });
    const old = JSON.parse(await fs.readFile(path.join(dir, "rulesets", "mini", "v000001.json"), "utf8"));
    expect(Object.keys(old)).not.toContain("effectiveFrom");
  });

  it("a version file whose vigência was edited no longer verifies and is skipped", async () => {
    const dir = await tempDir();
    const s = createFileStore(dir);
    await s.open();
    await s.publish("mini", input("v1"));
    await s.publish("mini", input("v2", { effectiveFrom: FROM }));
    await s.close();
    const file = path.join(dir, "rulesets", "mini", "v000002.json");
    const text = (await fs.readFile(file, "utf8")).replace(FROM, "2026-02-01T03:00:00.000Z");
    await fs.chmod(file, 0o644);
    await fs.writeFile(file, text);
    const again = createFileStore(dir);
    const problems = await again.open();
    expect(problems.some((p) => p.path.endsWith("v000002.json") && /hash mismatch/.test(p.message))).toBe(true);
    expect(again.get("mini")?.active.version).toBe(1);
    await again.close();
  });
});

const availability = await requirePostgres();
const skipReason = availability.ok ? "" : availability.reason;

describe.skipIf(!availability.ok)(`PostgreSQL store${skipReason ? ` (pulado: ${skipReason})` : ""}`, () => {
  let server: TempPostgres;
  const stores: PostgresStore[] = [];

  beforeAll(async () => {
    server = await startTempPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  function store(url: string): PostgresStore {
    const s = createPostgresStore(url);
    stores.push(s);
    return s;
  }

  it("keeps the vigência in migration 3's columns and reads it back, hashes verified", async () => {
    const url = await server.createDatabase();
    await roundTrip(async () => {
      const s = store(url);
      expect(await s.open()).toEqual([]);
      return s;
    });
    const rows = await server.psql(
      "SELECT string_agg(version || '=' || coalesce(effective_from, '-') || '/' || coalesce(effective_until, '-'), ',' ORDER BY version) FROM rules_versions",
      new URL(url).pathname.slice(1),
    );
    expect(rows.trim()).toBe(`1=-/-,2=${FROM}/${UNTIL},3=${FROM}/-`);
  });

  it("a version stored before migration 3 keeps its hash and reads back without vigência", async () => {
    const url = await server.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(
        client,
        MIGRATIONS.filter((m) => m.version === 1),
      );
      const content = {
        name: "mini",
        version: 1,
        source: "v1",
        tests: null,
        author: "ana",
        message: "m",
        createdAt: "2025-03-10T12:00:00.000Z",
      };
      const hash = versionHash(content);
      await client.query(
        `INSERT INTO rules_versions (name, version, source, tests, author, message, created_at, rolled_back_from, hash)
         VALUES ('mini', 1, 'v1', NULL, 'ana', 'm', '2025-03-10T12:00:00.000Z', NULL, $1)`,
        [hash],
      );
      await client.query("INSERT INTO rules_heads (name, active_version, version_count) VALUES ('mini', 1, 1)");
      const s = store(url);
      expect(await s.open()).toEqual([]);
      expect(s.schema?.applied).toContain(3);
      const v = await s.getVersion("mini", 1);
      expect(v).toEqual({ ...content, hash });
      expect(v && "effectiveFrom" in v).toBe(false);
    } finally {
      await client.end();
    }
  });
});
