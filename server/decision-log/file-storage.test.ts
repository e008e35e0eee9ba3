/**
 * The file storage beyond the shared contract (storage-contract.test.ts): segment files and their
 * names, a torn last line after a crash (cut off and reported at open, skipped by reads), a broken
 * line in the middle, the masking key file (0600, kept, a damaged one refused), an unusable folder,
 * a failed write leaving nothing behind, and close() flushing.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile, appendFile } from "node:fs/promises";
import * as nodeFs from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decisionRecord, decisionRecords } from "../../test/helpers/decision-records.js";
import { StorageError } from "../store/storage-error.js";
import {
  createFileDecisionStorage,
  type DecisionFs,
  type FileDecisionStorageOptions,
  MASKING_KEY_FILE,
  removeTempLeftovers,
} from "./file-storage.js";
import type { DecisionLogStorage } from "./types.js";

const START = Date.parse("2026-12-02T03:00:00.000Z");
const HOUR = 3_600_000;

const storages: DecisionLogStorage[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(storages.splice(0).map((s) => s.close().catch(() => undefined)));
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "decisions-file-"));
  dirs.push(d);
  return join(d, "decisions");
}

interface Warning {
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

async function storage(dir: string, options: FileDecisionStorageOptions = {}) {
  const warnings: Warning[] = [];
  const s = createFileDecisionStorage(dir, {
    logger: { warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) },
    ...options,
  });
  storages.push(s);
  await s.open();
  return { s, warnings };
}

const segments = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith(".jsonl")).sort();

describe("file decision storage", () => {
  it("writes JSON Lines segments named by their first record, a new one per hour and past segmentBytes", async () => {
    const dir = await folder();
    const { s } = await storage(dir, { segmentBytes: 4096 });
    const hour3 = decisionRecords(3, START, 60_000);
    const hour4 = decisionRecords(2, START + HOUR + 5_000, 60_000, 10);
    await s.append(hour3);
    await s.append(hour4);
    const names = await segments(dir);
    expect(names).toEqual([
      `2026-12-02T03-00-00.000Z-${hour3[0]!.id}.jsonl`,
      `2026-12-02T04-00-05.000Z-${hour4[0]!.id}.jsonl`,
    ]);
    const lines = (await readFile(join(dir, names[0]!), "utf8")).split("\n");
    expect(lines).toHaveLength(4); // three records and the final newline
    expect(JSON.parse(lines[0]!)).toEqual(hour3[0]);
    expect(lines[0]!.startsWith(`{"id":"${hour3[0]!.id}","at":"${hour3[0]!.at}",`)).toBe(true);
    // Past segmentBytes: 40 records in batches of 5 at ~500 bytes make several segments of one hour.
    const more = decisionRecords(40, START + HOUR + 600_000, 1000, 20);
    for (let i = 0; i < more.length; i += 5) await s.append(more.slice(i, i + 5));
    const after = await segments(dir);
    expect(after.length).toBeGreaterThan(4);
    for (const n of after) expect((await stat(join(dir, n))).size).toBeLessThan(4096 + 5 * 1024);
  });

  it("a torn last line (crash mid-write) is cut off and reported at open; the next append starts clean", async () => {
    const dir = await folder();
    const records = decisionRecords(4, START);
    {
      const { s } = await storage(dir);
      await s.append(records.slice(0, 3));
      await s.close();
    }
    const [name] = await segments(dir);
    const file = join(dir, name!);
    const whole = await readFile(file, "utf8");
    await appendFile(file, '{"id":"0193d4a0-0000-7000-8000-000000000000","at":"2026-12-02T03:0');
    const { s, warnings } = await storage(dir);
    expect(warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/torn last line cut off/)]);
    expect(warnings[0]!.obj.path).toBe(file);
    expect(await readFile(file, "utf8")).toBe(whole);
    await s.append([records[3]!]);
    const page = await s.query({ order: "asc" });
    expect(page.items).toEqual(records);
  });

  it("a line that does not parse is skipped by reads and reported by open; the rest is served", async () => {
    const dir = await folder();
    const records = decisionRecords(3, START);
    {
      const { s } = await storage(dir);
      await s.append(records);
      await s.close();
    }
    const [name] = await segments(dir);
    const file = join(dir, name!);
    const lines = (await readFile(file, "utf8")).split("\n");
    lines[1] = `${lines[1]!.slice(0, 60)}#garbage`;
    await writeFile(file, lines.join("\n"));
    const { s, warnings } = await storage(dir);
    expect(warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/1 unreadable line\(s\) skipped/)]);
    expect((await s.query({ order: "asc" })).items).toEqual([records[0], records[2]]);
    expect(await s.get(records[1]!.id)).toBeUndefined();
    expect(await s.get(records[2]!.id)).toEqual(records[2]);
  });

  it("the masking key: a 0600 file of 64 hex characters, kept across restarts; a damaged one is refused", async () => {
    const dir = await folder();
    const { s } = await storage(dir);
    const key = await s.maskingKey();
    const file = join(dir, MASKING_KEY_FILE);
    expect((await readFile(file, "utf8")).trim()).toBe(key.toString("hex"));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await s.close();
    expect((await readdir(dir)).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
    const { s: again } = await storage(dir);
    expect((await again.maskingKey()).equals(key)).toBe(true);
    await again.close();
    await writeFile(file, "abc\n");
    const damaged = createFileDecisionStorage(dir);
    storages.push(damaged);
    await expect(damaged.open()).rejects.toThrow(/masking key .*masking\.key is not 64 hexadecimal characters/);
    expect(await readFile(file, "utf8")).toBe("abc\n"); // never overwritten
  });

  it("a temp file left by a crash while creating the key is removed (and reported) at open; the key is then created", async () => {
    const dir = await folder();
    await nodeFs.mkdir(dir);
    await writeFile(join(dir, ".tmp-b917abffeb05"), "0123"); // killed between writing the key and linking it
    const { s, warnings } = await storage(dir);
    expect(await readdir(dir)).toEqual([MASKING_KEY_FILE]);
    expect((await s.maskingKey()).length).toBe(32);
    expect(warnings.map((w) => w.msg)).toContain("decision log: temporary file left by a crash removed");
    // The service's own sweep before it listens: the same, and a missing folder is no error.
    await writeFile(join(dir, ".tmp-again"), "");
    expect(await removeTempLeftovers(dir)).toEqual([".tmp-again"]);
    expect(await removeTempLeftovers(join(dir, "absent"))).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual([MASKING_KEY_FILE]);
  });

  it("an unusable folder is a clear error at open()", async () => {
    const dir = await folder();
    const missingParent = join(dir, "nao-existe", "decisions");
    await expect(createFileDecisionStorage(missingParent).open()).rejects.toThrow(
      /cannot create .*nao-existe.*does not exist/,
    );
    await writeFile(`${dir}-file`, "x");
    dirs.push(`${dir}-file`);
    await expect(createFileDecisionStorage(`${dir}-file`).open()).rejects.toThrow(/is not a folder/);
    const denied: DecisionFs = {
      ...nodeFs,
      access: async () => {
        throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
      },
    };
    await expect(createFileDecisionStorage(dir, { fs: denied }).open()).rejects.toThrow(/not readable and writable/);
    expect(() => createFileDecisionStorage(dir, { segmentBytes: 0 })).toThrow(/segmentBytes/);
  });

  it("a write that fails (disk full) leaves nothing of the batch; the next append works", async () => {
    const dir = await folder();
    let fail = false;
    const fs: DecisionFs = {
      ...nodeFs,
      open: (async (...args: Parameters<typeof nodeFs.open>) => {
        const handle = await nodeFs.open(...args);
        const appendFile = handle.appendFile.bind(handle);
        handle.appendFile = (async (data: string) => {
          if (!fail) return appendFile(data);
          await appendFile(data.slice(0, 100)); // a partial write, then the disk is full
          throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
        }) as typeof handle.appendFile;
        return handle;
      }) as typeof nodeFs.open,
    };
    const { s } = await storage(dir, { fs });
    const records = decisionRecords(4, START);
    await s.append(records.slice(0, 2));
    fail = true;
    const err = await s.append(records.slice(2)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).failure).toBe("full");
    fail = false;
    expect((await s.query({ order: "asc" })).items).toEqual(records.slice(0, 2));
    await s.append(records.slice(2));
    expect((await s.query({ order: "asc" })).items).toEqual(records);
    const text = await readFile(join(dir, (await segments(dir))[0]!), "utf8");
    expect(
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual(records);
  });

  it("close() flushes: everything appended is on disk and read back by a new storage", async () => {
    const dir = await folder();
    const { s } = await storage(dir);
    const records = decisionRecords(50, START, 10);
    await Promise.all([s.append(records.slice(0, 25)), s.append(records.slice(25))]);
    await s.close();
    await expect(s.append([decisionRecord(99, START)])).rejects.toThrow(/closed/);
    const { s: again } = await storage(dir);
    expect((await again.query({ order: "asc", limit: 1000 })).items).toEqual(records);
  });

  it("prune never removes the segment being written, even over maxBytes", async () => {
    const dir = await folder();
    const { s } = await storage(dir, { segmentBytes: 100 }); // one record per segment
    const records = decisionRecords(6, Date.now() - 5000, 500);
    for (const r of records) await s.append([r]);
    const result = await s.prune({ maxAgeMs: HOUR, maxBytes: 0 });
    const left = (await s.query({ order: "asc" })).items;
    expect(left).toEqual([records[5]]);
    expect(result.removed).toBe(5);
    expect(result.bytes).toBeGreaterThan(0);
    expect(await segments(dir)).toHaveLength(1);
  });
});
