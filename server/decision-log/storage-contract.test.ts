/**
 * One contract, three storages: the same cases run against the memory storage (the reference
 * semantics), the file storage (small segments, so that pages cross segment boundaries) and the
 * PostgreSQL storage (a throw-away cluster for this file, a fresh database per test). Append and
 * get, every filter, both orders, cursor paging with nothing duplicated or missing, repeated ids,
 * retention by age and by size, the masking key kept across a reopen.
 * Storage-specific behaviour: file-storage.test.ts, pg-storage.test.ts.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { decisionRecord, decisionRecords, uuidv7 } from "../../test/helpers/decision-records.js";
import { requirePostgres, startTempPostgres, type TempPostgres } from "../../test/helpers/postgres.js";
import { createFileDecisionStorage } from "./file-storage.js";
import { createMemoryDecisionStorage } from "./memory-storage.js";
import { createPostgresDecisionStorage } from "./pg-storage.js";
import { type DecisionLogStorage, type DecisionQuery, type DecisionRecord, recordMatches } from "./types.js";

const availability = await requirePostgres();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Harness {
  /** A fresh, empty storage (opened). */
  fresh(): Promise<DecisionLogStorage>;
  /** Closes `s` and opens a new storage on the same data, or undefined (memory keeps nothing). */
  reopen(s: DecisionLogStorage): Promise<DecisionLogStorage | undefined>;
}

const open: DecisionLogStorage[] = [];
async function opened(s: DecisionLogStorage): Promise<DecisionLogStorage> {
  open.push(s);
  await s.open();
  return s;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
});

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const where = new WeakMap<DecisionLogStorage, string>();

const memory: Harness = {
  fresh: () => opened(createMemoryDecisionStorage()),
  reopen: async () => undefined,
};

const files: Harness = {
  async fresh() {
    const dir = await mkdtemp(join(tmpdir(), "decisions-"));
    dirs.push(dir);
    // ~4 records per segment: every page below crosses segment boundaries.
    const s = await opened(createFileDecisionStorage(join(dir, "decisions"), { segmentBytes: 2048 }));
    where.set(s, dir);
    return s;
  },
  async reopen(s) {
    await s.close();
    const dir = where.get(s)!;
    return opened(createFileDecisionStorage(join(dir, "decisions"), { segmentBytes: 2048 }));
  },
};

let pg: TempPostgres | undefined;
const postgres: Harness = {
  async fresh() {
    const url = await pg!.createDatabase();
    const s = await opened(createPostgresDecisionStorage(url));
    where.set(s, url);
    return s;
  },
  async reopen(s) {
    await s.close();
    return opened(createPostgresDecisionStorage(where.get(s)!));
  },
};

/** Every page of a query, following `next`; fails on a page longer than the limit. */
async function allPages(s: DecisionLogStorage, query: DecisionQuery): Promise<DecisionRecord[][]> {
  const pages: DecisionRecord[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await s.query(cursor === undefined ? query : { ...query, cursor });
    expect(page.items.length).toBeLessThanOrEqual(query.limit ?? 100);
    pages.push([...page.items]);
    if (page.next === undefined) return pages;
    expect(page.items.length).toBe(query.limit ?? 100);
    cursor = page.next;
  }
  throw new Error("paging did not end");
}

function expected(all: readonly DecisionRecord[], query: DecisionQuery): string[] {
  const ids = all
    .filter((r) => recordMatches(r, query))
    .map((r) => r.id)
    .sort();
  return query.order === "asc" ? ids : ids.reverse();
}

const START = Date.parse("2026-11-20T08:00:00.000Z");

const kinds: [string, Harness, string | undefined][] = [
  ["memory", memory, undefined],
  ["file", files, undefined],
  ["postgres", postgres, availability.ok ? undefined : availability.reason],
];

describe.each(kinds)("decision-log storage contract: %s", (kind, h, skip) => {
  beforeAll(async () => {
    if (kind === "postgres" && !skip) pg = await startTempPostgres();
  }, 60_000);
  afterAll(async () => {
    if (kind === "postgres") await pg?.destroy();
  });

  it.skipIf(skip !== undefined)(
    `append then get returns the record as written${skip ? ` (pulado: ${skip})` : ""}`,
    async () => {
      const s = await h.fresh();
      expect(s.kind).toBe(kind);
      const records = decisionRecords(5, START);
      await s.append(records.slice(0, 2));
      await s.append(records.slice(2));
      for (const r of records) expect(await s.get(r.id)).toEqual(r);
      expect(await s.get(uuidv7(START + 999_999))).toBeUndefined();
      expect(await s.get("not-an-id")).toBeUndefined();
      await s.append([]);
      expect((await s.query({ order: "asc" })).items.map((r) => r.id)).toEqual(records.map((r) => r.id));
    },
  );

  it.skipIf(skip !== undefined)("every filter, alone and combined, in both orders", async () => {
    const s = await h.fresh();
    // 60 records over 6 hours: several segments per hour for the file storage.
    const all = decisionRecords(60, START, 6 * 60_000);
    for (let i = 0; i < all.length; i += 7) await s.append(all.slice(i, i + 7));
    const queries: DecisionQuery[] = [
      {},
      { ruleset: "retencao" },
      { version: 2 },
      { from: START + HOUR, to: START + 3 * HOUR },
      { from: START + 5 * HOUR },
      { to: START + 30 * 60_000 },
      { output: { field: "fila", value: "FILA_B" } },
      { output: { field: "fila", value: null } },
      { output: { field: "fila", value: true } },
      { output: { field: "prioridade", value: 2 } },
      { output: { field: "ausente", value: null } },
      { fired: "tabela-prazos#2" },
      { fired: "regra-1" },
      { fired: "nunca" },
      { ruleset: "cobranca", version: 1, fired: "tabela-prazos#2", from: START + HOUR },
      { ruleset: "portal", output: { field: "fila", value: "FILA_C" } },
    ];
    for (const q of queries) {
      for (const order of ["asc", "desc"] as const) {
        const query = { ...q, order, limit: 1000 };
        const page = await s.query(query);
        expect(
          page.items.map((r) => r.id),
          JSON.stringify(query),
        ).toEqual(expected(all, query));
        expect(page.next).toBeUndefined();
      }
    }
    // Some filters select something and some nothing: the cases above are not vacuous.
    expect(expected(all, { ruleset: "retencao" }).length).toBe(20);
    expect(expected(all, { fired: "nunca" })).toEqual([]);
    // The default order is newest first, the default page 100.
    expect((await s.query({})).items[0]!.id).toBe(all[all.length - 1]!.id);
  });

  it.skipIf(skip !== undefined)(
    "cursor paging: every record once, none missing, in order, across segments",
    async () => {
      const s = await h.fresh();
      const all = decisionRecords(90, START, 40_000);
      // Mostly in time order, but one batch arrives late with ids older than those already stored.
      const late = all.filter((_, i) => i % 10 === 5);
      const onTime = all.filter((_, i) => i % 10 !== 5);
      for (let i = 0; i < onTime.length; i += 9) await s.append(onTime.slice(i, i + 9));
      await s.append(late);
      for (const q of [{}, { ruleset: "portal" }, { fired: "regra-2" }, { from: START + 10 * 40_000, version: 1 }]) {
        for (const order of ["asc", "desc"] as const) {
          for (const limit of [1, 7, 16, 1000]) {
            const query: DecisionQuery = { ...q, order, limit };
            const pages = await allPages(s, query);
            const ids = pages.flat().map((r) => r.id);
            expect(ids, JSON.stringify(query)).toEqual(expected(all, query));
            expect(new Set(ids).size).toBe(ids.length);
          }
        }
      }
      if (kind === "file") {
        const dir = join(where.get(s)!, "decisions");
        expect((await readdir(dir)).filter((n) => n.endsWith(".jsonl")).length).toBeGreaterThan(8);
      }
      // A page that ends exactly at the last record has no `next`.
      const exact = await s.query({ order: "asc", limit: 90 });
      expect(exact.items).toHaveLength(90);
      expect(exact.next).toBeUndefined();
      const short = await s.query({ order: "asc", limit: 89 });
      expect(short.next).toBe(all[88]!.id);
    },
  );

  it.skipIf(skip !== undefined)("a batch repeating a recorded id is refused whole", async () => {
    const s = await h.fresh();
    const [a, b, c] = decisionRecords(3, START);
    await s.append([a!, b!]);
    await expect(s.append([c!, { ...a!, ruleset: "outra" }])).rejects.toThrow(/already recorded/);
    expect(await s.get(c!.id)).toBeUndefined();
    expect((await s.query({ order: "asc" })).items.map((r) => r.id)).toEqual([a!.id, b!.id]);
    expect((await s.get(a!.id))?.ruleset).toBe(a!.ruleset);
  });

  it.skipIf(skip !== undefined)("retention by age removes the old records and keeps the recent ones", async () => {
    const s = await h.fresh();
    const now = Date.now();
    const old = decisionRecords(12, now - 20 * DAY, HOUR / 2);
    const recent = decisionRecords(5, now - 60_000, 1000, 100);
    await s.append(old.slice(0, 6));
    await s.append(old.slice(6));
    await s.append(recent);
    const result = await s.prune({ maxAgeMs: 7 * DAY, maxBytes: 1e12 });
    expect(result.removed).toBe(12);
    expect(result.bytes).toBeGreaterThan(0);
    expect((await s.query({ order: "asc" })).items.map((r) => r.id)).toEqual(recent.map((r) => r.id));
    expect(await s.get(old[0]!.id)).toBeUndefined();
    // Nothing more to remove: a second run is a no-op.
    expect((await s.prune({ maxAgeMs: 7 * DAY, maxBytes: 1e12 })).removed).toBe(0);
    // New records still go in after a prune.
    const later = decisionRecord(200, now);
    await s.append([later]);
    expect(await s.get(later.id)).toEqual(later);
  });

  it.skipIf(skip !== undefined)("retention by size removes the oldest first, down to the limit", async () => {
    const s = await h.fresh();
    const now = Date.now();
    const all = decisionRecords(40, now - 40_000, 1000);
    for (let i = 0; i < all.length; i += 4) await s.append(all.slice(i, i + 4));
    const { bytes: total, removed: none } = await s.prune({ maxAgeMs: 30 * DAY, maxBytes: 1e12 });
    expect(none).toBe(0);
    const result = await s.prune({ maxAgeMs: 30 * DAY, maxBytes: Math.floor(total / 2) });
    expect(result.removed).toBeGreaterThan(0);
    expect(result.bytes).toBeLessThanOrEqual(total / 2);
    expect(result.bytes).toBeGreaterThan(total / 4);
    const kept = (await s.query({ order: "asc", limit: 1000 })).items.map((r) => r.id);
    expect(kept.length + result.removed).toBe(all.length);
    // What is kept is the newest part of the log, whole.
    expect(kept).toEqual(all.slice(all.length - kept.length).map((r) => r.id));
  });

  it.skipIf(skip !== undefined)("the masking key: 32 bytes, the same after a reopen", async () => {
    const s = await h.fresh();
    const key = await s.maskingKey();
    expect(key).toBeInstanceOf(Buffer);
    expect(key.length).toBe(32);
    expect((await s.maskingKey()).equals(key)).toBe(true);
    const r = decisionRecord(1, START);
    await s.append([r]);
    const again = await h.reopen(s);
    if (again === undefined) return; // memory keeps nothing across a reopen
    expect((await again.maskingKey()).equals(key)).toBe(true);
    expect(await again.get(r.id)).toEqual(r);
    // Another storage's key differs: keys are random, not derived.
    const other = await h.fresh();
    expect((await other.maskingKey()).equals(key)).toBe(false);
  });

  // The memory storage trusts its caller (tests); the durable storages check what they write.
  const durable = kind === "memory" ? () => undefined : it.skipIf(skip !== undefined);
  durable("a malformed record refuses the whole batch", async () => {
    const s = await h.fresh();
    const good = decisionRecord(1, START);
    const bad = { ...decisionRecord(2, START + 1000), id: "../../etc/passwd" };
    await expect(s.append([good, bad])).rejects.toThrow(/record 2 of the batch refused.*id/);
    // Only UUID version 7 in lower case is stored: its text order is time order (pages, cursors).
    const v4 = { ...good, id: "0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b" };
    await expect(s.append([v4])).rejects.toThrow(/record 1 of the batch refused.*version 7/);
    await expect(s.append([{ ...good, id: good.id.toUpperCase() }])).rejects.toThrow(/lower-case UUID/);
    await expect(s.append([{ ...good, at: "ontem" }])).rejects.toThrow(/at must be/);
    expect((await s.query({})).items).toEqual([]);
    await expect(s.query({ from: Number.NaN })).rejects.toThrow(/from/);
    await expect(s.query({ to: 1e20 })).rejects.toThrow(/to must be epoch/);
    await expect(s.query({ cursor: "x' OR 1=1" })).rejects.toThrow(/cursor/);
  });
});
