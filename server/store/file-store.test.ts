import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createFileStore,
  InvalidRuleSetNameError,
  type FileStoreOptions,
  versionFileName,
  versionHash,
} from "./file-store.js";
import { StoreConflictError, type PublishInput, type RuleSetStore, type StoredVersion } from "./types.js";
import { DataDirLockedError, LOCK_FILE, type LockOwner } from "./lock.js";
import { StorageError } from "./storage-error.js";

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "file-store-"));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

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

interface Warning {
  readonly obj: object;
  readonly msg: string;
}

async function openStore(dataDir: string, options: FileStoreOptions = {}) {
  const warnings: Warning[] = [];
  const store = createFileStore(dataDir, {
    now: clock(),
    logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    ...options,
  });
  const problems = await store.open();
  return { store, problems, warnings };
}

const versionPath = (dataDir: string, name: string, n: number) =>
  path.join(dataDir, "rulesets", name, versionFileName(n));
const pointerPath = (dataDir: string, name: string) => path.join(dataDir, "rulesets", name, "active.json");
const auditPath = (dataDir: string) => path.join(dataDir, "audit.jsonl");

/** Version files are read-only; tests that play the corrupting disk make them writable first. */
async function overwrite(file: string, content: string | Buffer): Promise<void> {
  await fs.chmod(file, 0o644).catch(() => undefined);
  await fs.writeFile(file, content);
}

async function publishAll(store: RuleSetStore, name: string, sources: string[]): Promise<StoredVersion[]> {
  const out: StoredVersion[] = [];
  for (const s of sources) out.push(await store.publish(name, input(s)));
  return out;
}

/** A valid version file for `name` v`n` as the store would write it (for crash simulations). */
function versionJson(name: string, n: number, source: string, createdAt = "2025-03-10T13:00:00.000Z"): string {
  const content = { name, version: n, source, tests: null, author: "bob", message: "crashed publish", createdAt };
  return `${JSON.stringify({ ...content, hash: versionHash(content) }, null, 2)}\n`;
}

describe("file store: publish, read back, audit", () => {
  it("round-trips publish / get / getVersion / audit and lays the files out as documented", async () => {
    const dataDir = path.join(await tempDir(), "data"); // created by open()
    const { store, problems } = await openStore(dataDir);
    expect(problems).toEqual([]);
    expect(store.names()).toEqual([]);

    const v1 = await store.publish(
      "reclame-designacao",
      input("rules: 1\n", { tests: "cases: []\n", author: "ana", message: "first", action: "seed" }),
    );
    const v2 = await store.publish(
      "reclame-designacao",
      input("rules: 2\n", { tests: null, message: "second", requestId: "req-42", baseVersion: 1 }),
    );

    expect(v1).toMatchObject({
      name: "reclame-designacao",
      version: 1,
      source: "rules: 1\n",
      tests: "cases: []\n",
      author: "ana",
      message: "first",
    });
    expect(v2.version).toBe(2);
    expect(v1.hash).toBe(versionHash(v1));
    expect(v1.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.isFrozen(v1)).toBe(true);

    const state = store.get("reclame-designacao")!;
    expect(state.active).toEqual(v2);
    expect(state.versions.map((m) => m.version)).toEqual([1, 2]);
    expect(state.versions[0]).not.toHaveProperty("source");
    expect(state.versions[0]).not.toHaveProperty("tests");
    expect(state.versions[0]).toMatchObject({
      version: 1,
      hash: v1.hash,
      author: "ana",
      message: "first",
      createdAt: v1.createdAt,
    });
    expect(store.names()).toEqual(["reclame-designacao"]);

    expect(await store.getVersion("reclame-designacao", 1)).toEqual(v1);
    expect(await store.getVersion("reclame-designacao", 2)).toEqual(v2);
    expect(await store.getVersion("reclame-designacao", 3)).toBeUndefined();
    expect(await store.getVersion("reclame-designacao", 0)).toBeUndefined();
    expect(await store.getVersion("reclame-designacao", Number.NaN)).toBeUndefined();
    expect(await store.getVersion("unknown", 1)).toBeUndefined();
    expect(store.get("unknown")).toBeUndefined();

    const audit = await store.audit();
    expect(audit).toEqual([
      {
        at: v1.createdAt,
        action: "seed",
        ruleset: "reclame-designacao",
        version: 1,
        author: "ana",
        message: "first",
        hash: v1.hash,
      },
      {
        at: v2.createdAt,
        action: "publish",
        ruleset: "reclame-designacao",
        version: 2,
        author: "ana",
        message: "second",
        hash: v2.hash,
        requestId: "req-42",
      },
    ]);

    // On disk: one JSON file per version, the pointer, the audit log; no temp file left.
    expect(JSON.parse(await fs.readFile(versionPath(dataDir, "reclame-designacao", 1), "utf8"))).toEqual(v1);
    expect(JSON.parse(await fs.readFile(pointerPath(dataDir, "reclame-designacao"), "utf8"))).toEqual({
      version: 2,
      hash: v2.hash,
    });
    expect((await fs.readFile(auditPath(dataDir), "utf8")).trimEnd().split("\n")).toHaveLength(2);
    expect((await fs.readdir(path.join(dataDir, "rulesets", "reclame-designacao"))).sort()).toEqual([
      "active.json",
      "v000001.json",
      "v000002.json",
    ]);
    // `.lock`: the data-directory lock of the open store, removed by close().
    expect((await fs.readdir(dataDir)).sort()).toEqual([".lock", "audit.jsonl", "rulesets"]);
    await store.close();
    expect((await fs.readdir(dataDir)).sort()).toEqual(["audit.jsonl", "rulesets"]);
  });

  it("numbers versions 1..n and never changes a published version", async () => {
    const dataDir = await tempDir();
    const { store } = await openStore(dataDir);
    const [v1] = await publishAll(store, "retencao", ["a: 1\n"]);
    const bytes1 = await fs.readFile(versionPath(dataDir, "retencao", 1));
    const rest = await publishAll(store, "retencao", ["a: 2\n", "a: 3\n", "a: 4\n"]);
    expect([v1!, ...rest].map((v) => v.version)).toEqual([1, 2, 3, 4]);
    expect(await fs.readFile(versionPath(dataDir, "retencao", 1))).toEqual(bytes1);
    expect(await store.getVersion("retencao", 1)).toEqual(v1);
    // Read-only on disk.
    expect((await fs.stat(versionPath(dataDir, "retencao", 1))).mode & 0o222).toBe(0);
    // A roll back is a new version repeating an old one.
    const rb = await store.publish("retencao", input("a: 1\n", { rolledBackFrom: 1, message: "roll back to 1" }));
    expect(rb).toMatchObject({ version: 5, rolledBackFrom: 1, source: "a: 1\n" });
    expect(store.get("retencao")!.active.version).toBe(5);
    expect((await store.audit()).at(-1)).toMatchObject({ action: "rollback", version: 5 });
  });

  it("reading a reopened store gives back exactly the same state", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    await publishAll(first.store, "retencao", ["r: 1\n", "r: 2\n"]);
    await first.store.publish("portal-solicitacoes", input("p: 1\n", { tests: "t: 1\n", requestId: "r1" }));
    await first.store.publish("retencao", input("r: 1\n", { rolledBackFrom: 1 }));
    await first.store.close();

    const second = await openStore(dataDir);
    expect(second.problems).toEqual([]);
    expect(second.store.names()).toEqual(first.store.names());
    for (const name of first.store.names()) {
      expect(second.store.get(name)).toEqual(first.store.get(name));
      for (const meta of first.store.get(name)!.versions) {
        expect(await second.store.getVersion(name, meta.version)).toEqual(
          await first.store.getVersion(name, meta.version),
        );
      }
    }
    expect(await second.store.audit()).toEqual(await first.store.audit());
    // Reopening changed nothing on disk.
    expect(second.store.get("retencao")!.active).toMatchObject({ version: 3, rolledBackFrom: 1 });
  });

  it("versionHash covers every content field, rolledBackFrom only when present", () => {
    const base = {
      name: "x",
      version: 1,
      source: "s",
      tests: null,
      author: "a",
      message: "m",
      createdAt: "2025-01-01T00:00:00.000Z",
    };
    const canonical = JSON.stringify({
      author: "a",
      createdAt: base.createdAt,
      message: "m",
      name: "x",
      source: "s",
      tests: null,
      version: 1,
    });
    expect(versionHash(base)).toBe(createHash("sha256").update(canonical, "utf8").digest("hex"));
    expect(versionHash({ ...base, hash: "ignored" } as StoredVersion)).toBe(versionHash(base));
    const variants = [
      { source: "t" },
      { tests: "" },
      { author: "b" },
      { message: "n" },
      { createdAt: "2025-01-01T00:00:01.000Z" },
      { version: 2 },
      { name: "y" },
      { rolledBackFrom: 1 },
    ];
    const hashes = new Set(variants.map((v) => versionHash({ ...base, ...v })));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(versionHash(base))).toBe(false);
  });
});

describe("file store: concurrency", () => {
  it("20 concurrent publishes of one rule set get versions 1..20, none lost", async () => {
    const dataDir = await tempDir();
    const { store } = await openStore(dataDir);
    const sources = Array.from({ length: 20 }, (_, i) => `rule: ${i}\n`);
    const results = await Promise.all(sources.map((s) => store.publish("protocolo-status", input(s))));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const r of results) expect((await store.getVersion("protocolo-status", r.version))!.source).toBe(r.source);
    expect(new Set(results.map((r) => r.source)).size).toBe(20);
    const state = store.get("protocolo-status")!;
    expect(state.active.version).toBe(20);
    expect(state.versions).toHaveLength(20);
    expect((await store.audit()).map((a) => a.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const files = await fs.readdir(path.join(dataDir, "rulesets", "protocolo-status"));
    expect(files.filter((f) => f.startsWith(".tmp-"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("v"))).toHaveLength(20);
    await store.close();
    const reopened = await openStore(dataDir);
    expect(reopened.problems).toEqual([]);
    expect(reopened.store.get("protocolo-status")).toEqual(state);
  });

  it("a stale baseVersion is a StoreConflictError and writes nothing", async () => {
    const dataDir = await tempDir();
    const { store } = await openStore(dataDir);
    await expect(store.publish("retencao", input("a\n", { baseVersion: 0 }))).resolves.toMatchObject({ version: 1 });
    await expect(store.publish("retencao", input("b\n", { baseVersion: 1 }))).resolves.toMatchObject({ version: 2 });
    const before = await fs.readdir(path.join(dataDir, "rulesets", "retencao"));
    const auditBefore = await fs.readFile(auditPath(dataDir), "utf8");

    const err = await store.publish("retencao", input("c\n", { baseVersion: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreConflictError);
    expect((err as StoreConflictError).activeVersion).toBe(2);
    await expect(store.publish("retencao", input("c\n", { baseVersion: 0 }))).rejects.toBeInstanceOf(
      StoreConflictError,
    );
    await expect(store.publish("retencao", input("c\n", { baseVersion: 7 }))).rejects.toBeInstanceOf(
      StoreConflictError,
    );
    // A refused publish of a new rule set leaves nothing behind either.
    await expect(store.publish("portal-solicitacoes", input("c\n", { baseVersion: 1 }))).rejects.toBeInstanceOf(
      StoreConflictError,
    );
    expect(await fs.readdir(path.join(dataDir, "rulesets"))).toEqual(["retencao"]);

    expect(await fs.readdir(path.join(dataDir, "rulesets", "retencao"))).toEqual(before);
    expect(await fs.readFile(auditPath(dataDir), "utf8")).toBe(auditBefore);
    expect(store.get("retencao")!.active.version).toBe(2);

    // Two concurrent publishes on the same base: one wins, the other is told.
    const outcomes = await Promise.allSettled([
      store.publish("retencao", input("x\n", { baseVersion: 2 })),
      store.publish("retencao", input("y\n", { baseVersion: 2 })),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(StoreConflictError);
    expect(store.get("retencao")!.active.version).toBe(3);
  });

  // The data-directory lock refuses a second process (see "data-directory lock" below); this test
  // turns it off to check the layer beneath it: even two writers on one directory (the lock
  // removed by hand, a store on a shared volume) never overwrite each other's versions.
  it("two writers on one directory (lock disabled) never overwrite each other's versions", async () => {
    const dataDir = await tempDir();
    const a = await openStore(dataDir, { lock: false });
    const b = await openStore(dataDir, { lock: false });
    const jobs: Promise<StoredVersion>[] = [];
    for (let i = 0; i < 10; i++) {
      jobs.push(a.store.publish("retencao", input(`from a ${i}\n`)));
      jobs.push(b.store.publish("retencao", input(`from b ${i}\n`)));
    }
    const outcomes = await Promise.allSettled(jobs);
    const won = outcomes
      .filter((o): o is PromiseFulfilledResult<StoredVersion> => o.status === "fulfilled")
      .map((o) => o.value);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(StoreConflictError);
    // Every version number was claimed by exactly one publish, and the file holds that publish.
    const numbers = won.map((v) => v.version).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: won.length }, (_, i) => i + 1));
    expect(won.length).toBe(20); // 32 claim attempts are plenty for two writers
    for (const v of won)
      expect(JSON.parse(await fs.readFile(versionPath(dataDir, "retencao", v.version), "utf8"))).toEqual(v);
    // The collisions really happened (the claim path is exercised), and were retried.
    const collisions = [...a.warnings, ...b.warnings].filter((w) => /claimed by another writer/.test(w.msg));
    expect(collisions.length).toBeGreaterThan(0);

    const c = await openStore(dataDir, { lock: false });
    expect(c.problems).toEqual([]);
    expect(c.store.get("retencao")!.active.version).toBe(20);
    expect(c.store.get("retencao")!.versions).toHaveLength(20);
    expect(new Set((await c.store.audit()).map((e) => e.version)).size).toBe(20);

    // Cross-instance optimistic locking: both on base 20, exactly one wins.
    const race = await Promise.allSettled([
      a.store.publish("retencao", input("a!\n", { baseVersion: 20 })),
      b.store.publish("retencao", input("b!\n", { baseVersion: 20 })),
    ]);
    expect(race.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const lost = race.find((o): o is PromiseRejectedResult => o.status === "rejected")!;
    expect(lost.reason).toBeInstanceOf(StoreConflictError);
    expect((lost.reason as StoreConflictError).activeVersion).toBe(21);
  });

  it("close() waits for publishes in flight; publishing before open() or after close() fails", async () => {
    const dataDir = await tempDir();
    const store = createFileStore(dataDir);
    await expect(store.publish("retencao", input("a\n"))).rejects.toThrow(/before open/);
    await store.open();
    let finished = false;
    const pending = store.publish("retencao", input("a\n")).then((v) => {
      finished = true;
      return v;
    });
    await store.close();
    expect(finished).toBe(true);
    await expect(pending).resolves.toMatchObject({ version: 1 });
    await expect(store.publish("retencao", input("b\n"))).rejects.toThrow(/after close/);
  });
});

describe("file store: crash recovery", () => {
  it("(a) leftover .tmp- files, however young, are removed and reported: open() holds the data-directory lock, so no live process writes there", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    const [v1] = await publishAll(first.store, "retencao", ["a\n"]);
    await first.store.close();
    const dir = path.join(dataDir, "rulesets", "retencao");
    const old = path.join(dir, ".tmp-xyz");
    const oldRoot = path.join(dataDir, ".tmp-probe");
    const fresh = path.join(dir, ".tmp-fresh");
    await fs.writeFile(old, '{"name": "retencao", "vers');
    await fs.writeFile(oldRoot, "probe\n");
    await fs.writeFile(fresh, "{"); // as a kill -9 a moment ago leaves it
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(old, hourAgo, hourAgo);
    await fs.utimes(oldRoot, hourAgo, hourAgo);

    const { store, problems } = await openStore(dataDir);
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining(
        [old, oldRoot, fresh].map((p) => ({ path: p, message: expect.stringMatching(/leftover temporary file/) })),
      ),
    );
    for (const f of [old, oldRoot, fresh]) await expect(fs.access(f)).rejects.toThrow();
    expect((await fs.readdir(dir)).filter((f) => f.startsWith(".tmp-"))).toEqual([]);
    expect(store.get("retencao")!.active).toEqual(v1);
    expect(store.get("retencao")!.versions).toHaveLength(1);
  });

  it("(a') without the lock (lock: false, several writers on one directory) only temp files older than tmpGraceMs are removed: a young one may be another writer's publish in flight", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir, { lock: false });
    const [v1] = await publishAll(first.store, "retencao", ["a\n"]);
    await first.store.close();
    const dir = path.join(dataDir, "rulesets", "retencao");
    const old = path.join(dir, ".tmp-xyz");
    const fresh = path.join(dir, ".tmp-fresh");
    await fs.writeFile(old, '{"name": "retencao", "vers');
    await fs.writeFile(fresh, "{");
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(old, hourAgo, hourAgo);

    const { store, problems } = await openStore(dataDir, { lock: false });
    expect(problems).toEqual([{ path: old, message: expect.stringMatching(/leftover temporary file/) }]);
    await expect(fs.access(old)).rejects.toThrow();
    await expect(fs.access(fresh)).resolves.toBeUndefined();
    expect(store.get("retencao")!.active).toEqual(v1);
    await store.close();

    // Past the grace period it counts as a leftover too.
    const later = await openStore(dataDir, { lock: false, tmpGraceMs: 0 });
    expect(later.problems).toEqual([{ path: fresh, message: expect.stringMatching(/leftover temporary file/) }]);
    await expect(fs.access(fresh)).rejects.toThrow();
  });

  it("(b) a truncated highest version file is reported by path; the previous version stays active and served", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    const [v1, v2] = await publishAll(first.store, "retencao", ["a\n", "b\n"]);
    await first.store.close();
    const full = versionJson("retencao", 3, "c: três\n");
    const v3 = versionPath(dataDir, "retencao", 3);
    await fs.writeFile(v3, full.slice(0, Math.floor(full.length / 2)));

    const { store, problems } = await openStore(dataDir);
    expect(problems).toEqual([{ path: v3, message: expect.stringMatching(/not valid JSON/) }]);
    expect(store.get("retencao")!.active).toEqual(v2);
    expect(store.get("retencao")!.versions.map((m) => m.version)).toEqual([1, 2]);
    expect(await store.getVersion("retencao", 1)).toEqual(v1);
    expect(await store.getVersion("retencao", 3)).toBeUndefined();
    // Number 3 stays taken: the next publish is 4, and the bad file is not touched.
    await expect(store.publish("retencao", input("d\n", { baseVersion: 2 }))).resolves.toMatchObject({ version: 4 });
    expect(await fs.readFile(v3, "utf8")).toBe(full.slice(0, Math.floor(full.length / 2)));
  });

  it("(b') an empty version file with the pointer on it falls back to the previous version", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    const [, v2] = await publishAll(first.store, "retencao", ["a\n", "b\n"]);
    await first.store.close();
    await fs.writeFile(versionPath(dataDir, "retencao", 3), "");
    await fs.writeFile(pointerPath(dataDir, "retencao"), JSON.stringify({ version: 3, hash: "0".repeat(64) }));
    const { store, problems } = await openStore(dataDir);
    expect(problems).toEqual([
      { path: versionPath(dataDir, "retencao", 3), message: expect.stringMatching(/empty version file/) },
      {
        path: pointerPath(dataDir, "retencao"),
        message: expect.stringMatching(/names v3, which is missing or unreadable; falling back .* v2/),
      },
    ]);
    expect(store.get("retencao")!.active).toEqual(v2);
    expect(JSON.parse(await fs.readFile(pointerPath(dataDir, "retencao"), "utf8"))).toEqual({
      version: 2,
      hash: v2!.hash,
    });
  });

  it("(c) a version file whose content was edited (hash mismatch) is reported and skipped", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    const [v1, v2] = await publishAll(first.store, "retencao", ["a\n", "b\n"]);
    await first.store.close();
    const file = versionPath(dataDir, "retencao", 2);
    const edited = { ...JSON.parse(await fs.readFile(file, "utf8")), source: "b: tampered\n" };
    await overwrite(file, JSON.stringify(edited));

    const { store, problems } = await openStore(dataDir);
    expect(problems).toEqual([
      { path: file, message: expect.stringMatching(/hash mismatch/) },
      {
        path: pointerPath(dataDir, "retencao"),
        message: expect.stringMatching(/names v2, which is missing or unreadable; falling back .* v1/),
      },
    ]);
    expect(store.get("retencao")!.active).toEqual(v1);
    expect(await store.getVersion("retencao", 2)).toBeUndefined();
    expect(v2!.version).toBe(2);

    // Also caught when the file changes after open (getVersion re-verifies).
    const v1file = versionPath(dataDir, "retencao", 1);
    await store.publish("retencao", input("c\n"));
    await overwrite(v1file, JSON.stringify({ ...v1, message: "rewritten history" }));
    await store.close();
    const fresh = await openStore(dataDir);
    expect(fresh.problems.map((p) => p.path)).toEqual([v1file, file]);
    expect(fresh.store.get("retencao")!.versions.map((m) => m.version)).toEqual([3]);
  });

  it("(c') a version file misplaced under another name or number is rejected", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    await publishAll(first.store, "retencao", ["a\n"]);
    await first.store.close();
    const wrong = path.join(dataDir, "rulesets", "retencao", versionFileName(2));
    await fs.writeFile(wrong, versionJson("portal-solicitacoes", 2, "x\n"));
    const wrongNumber = path.join(dataDir, "rulesets", "retencao", versionFileName(3));
    await fs.writeFile(wrongNumber, versionJson("retencao", 9, "x\n"));
    const { store, problems } = await openStore(dataDir);
    expect(problems).toEqual([
      { path: wrong, message: expect.stringMatching(/names rule set "portal-solicitacoes"/) },
      { path: wrongNumber, message: expect.stringMatching(/holds version 9, expected 3/) },
    ]);
    expect(store.get("retencao")!.active.version).toBe(1);
  });

  it("(d) a corrupt or missing active.json falls back to the highest good version and is repaired", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    const [, v2] = await publishAll(first.store, "retencao", ["a\n", "b\n"]);
    await first.store.close();
    const pointer = pointerPath(dataDir, "retencao");

    await fs.writeFile(pointer, '{"vers');
    let opened = await openStore(dataDir);
    expect(opened.problems).toEqual([
      { path: pointer, message: expect.stringMatching(/unreadable .*using the highest good version v2/) },
    ]);
    expect(opened.store.get("retencao")!.active).toEqual(v2);
    expect(JSON.parse(await fs.readFile(pointer, "utf8"))).toEqual({ version: 2, hash: v2!.hash });
    await opened.store.close();

    await fs.unlink(pointer);
    opened = await openStore(dataDir);
    expect(opened.problems).toEqual([{ path: pointer, message: expect.stringMatching(/is missing/) }]);
    expect(opened.store.get("retencao")!.active).toEqual(v2);
    await opened.store.close();

    await fs.writeFile(pointer, JSON.stringify({ version: 2, hash: "f".repeat(64) }));
    opened = await openStore(dataDir);
    expect(opened.problems).toEqual([{ path: pointer, message: expect.stringMatching(/hash does not match v2/) }]);
    expect(opened.store.get("retencao")!.active).toEqual(v2);
    await opened.store.close();

    opened = await openStore(dataDir);
    expect(opened.problems).toEqual([]); // repaired for good
  });

  it("(e) a crash after the version file was linked but before the pointer moved rolls forward to the new version", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    const [, v2] = await publishAll(first.store, "retencao", ["a\n", "b\n"]);
    await first.store.close();
    // The crashed publish: v3 is on disk (complete, hash verifies), the pointer still names v2, no audit line.
    await fs.writeFile(versionPath(dataDir, "retencao", 3), versionJson("retencao", 3, "c\n"));
    expect(JSON.parse(await fs.readFile(pointerPath(dataDir, "retencao"), "utf8")).version).toBe(2);

    const { store, problems } = await openStore(dataDir);
    expect(problems).toEqual([
      {
        path: pointerPath(dataDir, "retencao"),
        message: expect.stringMatching(/v3 was written but the active pointer still names v2.*rolled forward to v3/),
      },
      {
        path: auditPath(dataDir),
        message: expect.stringMatching(/no audit line for "retencao" v3.*recovered one was appended/),
      },
    ]);
    const active = store.get("retencao")!.active;
    expect(active).toMatchObject({ version: 3, source: "c\n", author: "bob" });
    expect(JSON.parse(await fs.readFile(pointerPath(dataDir, "retencao"), "utf8"))).toEqual({
      version: 3,
      hash: active.hash,
    });
    const audit = await store.audit();
    expect(audit.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(audit[2]).toMatchObject({
      action: "publish",
      version: 3,
      hash: active.hash,
      author: "bob",
      recovered: true,
    });
    // The base the crashed publisher saw (v2) is stale now.
    await expect(store.publish("retencao", input("d\n", { baseVersion: v2!.version }))).rejects.toBeInstanceOf(
      StoreConflictError,
    );
    await expect(store.publish("retencao", input("d\n", { baseVersion: 3 }))).resolves.toMatchObject({ version: 4 });
    await store.close();
    expect((await openStore(dataDir)).problems).toEqual([]);
  });

  it("(e') a crash after the pointer moved but before the audit append gets its audit line recovered", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    const [, v2] = await publishAll(first.store, "retencao", ["a\n", "b\n"]);
    await first.store.close();
    const lines = (await fs.readFile(auditPath(dataDir), "utf8")).trimEnd().split("\n");
    await fs.writeFile(auditPath(dataDir), `${lines[0]}\n`);
    const { store, problems } = await openStore(dataDir);
    expect(problems).toEqual([
      { path: auditPath(dataDir), message: expect.stringMatching(/no audit line for "retencao" v2/) },
    ]);
    expect(store.get("retencao")!.active).toEqual(v2);
    expect((await store.audit()).map((e) => e.version)).toEqual([1, 2]);
  });

  it("(f) audit.jsonl with a truncated last line: earlier entries are returned and the next append starts on a fresh line", async () => {
    const dataDir = await tempDir();
    const { store, warnings } = await openStore(dataDir);
    await publishAll(store, "retencao", ["a\n", "b\n"]);
    await fs.appendFile(auditPath(dataDir), '{"at":"2025-03-10T12:00:0');
    expect((await store.audit()).map((e) => e.version)).toEqual([1, 2]);
    expect(warnings.some((w) => /truncated last line/.test(w.msg))).toBe(true);

    await store.publish("retencao", input("c\n"));
    expect((await store.audit()).map((e) => e.version)).toEqual([1, 2, 3]);
    await store.close();

    const reopened = await openStore(dataDir);
    expect(reopened.problems).toEqual([
      { path: auditPath(dataDir), message: expect.stringMatching(/audit line 3 skipped/) },
    ]);
    expect((await reopened.store.audit()).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it("a rule set with no good version is reported and absent; publishing it again takes the next free number", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    await publishAll(first.store, "retencao", ["a\n"]);
    await publishAll(first.store, "portal-solicitacoes", ["p\n"]);
    await first.store.close();
    await overwrite(versionPath(dataDir, "retencao", 1), "not json at all");

    const { store, problems } = await openStore(dataDir);
    expect(problems).toEqual([
      { path: versionPath(dataDir, "retencao", 1), message: expect.stringMatching(/not valid JSON/) },
      { path: path.join(dataDir, "rulesets", "retencao"), message: expect.stringMatching(/no readable version/) },
    ]);
    expect(store.names()).toEqual(["portal-solicitacoes"]);
    expect(store.get("retencao")).toBeUndefined();
    expect(await store.getVersion("retencao", 1)).toBeUndefined();
    await expect(store.publish("retencao", input("again\n", { baseVersion: 0 }))).resolves.toMatchObject({
      version: 2,
    });
    expect(store.names()).toEqual(["portal-solicitacoes", "retencao"]);
  });

  it("stray entries under rulesets/ are reported and ignored", async () => {
    const dataDir = await tempDir();
    await fs.mkdir(path.join(dataDir, "rulesets", "Not_Valid"), { recursive: true });
    await fs.writeFile(path.join(dataDir, "rulesets", "README"), "hi");
    const { store, problems } = await openStore(dataDir);
    expect(problems.map((p) => path.basename(p.path))).toEqual(["Not_Valid", "README"]);
    expect(store.names()).toEqual([]);
  });

  it("an unusable data directory is a clear error naming it", async () => {
    const base = await tempDir();
    const file = path.join(base, "a-file");
    await fs.writeFile(file, "x");
    await expect(createFileStore(file).open()).rejects.toThrow(
      new RegExp(`data directory ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not usable`),
    );
    await expect(createFileStore(path.join(file, "below")).open()).rejects.toThrow(/is not usable/);
  });
});

describe("file store: names and content", () => {
  it("rejects invalid rule-set names (no path traversal) without touching the disk", async () => {
    const base = await tempDir();
    const dataDir = path.join(base, "data");
    const { store } = await openStore(dataDir);
    for (const bad of [
      "../evil",
      "..",
      ".",
      "a/b",
      "a\\b",
      "/abs",
      "Upper",
      "",
      "-lead",
      "with space",
      "é",
      "x".repeat(65),
      "ok\n",
    ]) {
      await expect(store.publish(bad, input("a\n"))).rejects.toBeInstanceOf(InvalidRuleSetNameError);
      expect(store.get(bad)).toBeUndefined();
      expect(await store.getVersion(bad, 1)).toBeUndefined();
    }
    expect((await fs.readdir(base)).sort()).toEqual(["data"]);
    expect(await fs.readdir(path.join(dataDir, "rulesets"))).toEqual([]);
    await expect(fs.access(auditPath(dataDir))).rejects.toThrow();
    // The longest valid name works.
    await expect(store.publish(`a${"-".repeat(63)}`, input("a\n"))).resolves.toMatchObject({ version: 1 });
  });

  it("rejects malformed publish input", async () => {
    const { store } = await openStore(await tempDir());
    await expect(store.publish("retencao", { ...input("a\n"), source: 1 as unknown as string })).rejects.toThrow(
      TypeError,
    );
    await expect(store.publish("retencao", input("a\n", { baseVersion: 1.5 }))).rejects.toThrow(/baseVersion/);
    await expect(store.publish("retencao", input("a\n", { rolledBackFrom: 0 }))).rejects.toThrow(/rolledBackFrom/);
    expect(store.names()).toEqual([]);
  });

  it("keeps Unicode content byte-exact through publish, the disk and a reopen", async () => {
    const dataDir = await tempDir();
    const source =
      "# Reclamação – Beneficiário “VIP”\r\ndescrição: 'ação imediata — já'\n\tcafe\u0301 vs café, 😀, ﬁ, \u00a0nbsp, \u200bzwsp\n";
    const tests = "casos:\n  - nome: Credenciado – prazo útil\n    esperado: ✓\n";
    const author = "João Ñandú";
    const message = "publicação – revisão nº 2";
    const first = await openStore(dataDir);
    const v = await first.store.publish("reclame-designacao", { source, tests, author, message });
    expect(v.source).toBe(source);
    await first.store.close();

    const raw = await fs.readFile(versionPath(dataDir, "reclame-designacao", 1));
    expect(raw.includes(Buffer.from("Reclamação – Beneficiário", "utf8"))).toBe(true); // stored as UTF-8, not \u escapes

    const { store, problems } = await openStore(dataDir);
    expect(problems).toEqual([]);
    const back = (await store.getVersion("reclame-designacao", 1))!;
    expect(back.source).toBe(source);
    expect(back.tests).toBe(tests);
    expect(back.author).toBe(author);
    expect(back.message).toBe(message);
    expect(Buffer.from(back.source, "utf8").equals(Buffer.from(source, "utf8"))).toBe(true);
    expect(back.hash).toBe(v.hash);
    expect((await store.audit())[0]).toMatchObject({ author, message });
  });
});

describe("file store: data-directory lock (one process per DATA_DIR)", () => {
  const lockPath = (dataDir: string) => path.join(dataDir, LOCK_FILE);
  const readLock = async (dataDir: string): Promise<LockOwner> =>
    JSON.parse(await fs.readFile(lockPath(dataDir), "utf8")) as LockOwner;
  /** A lock file as another process would have left it. */
  const foreignLock = (over: Partial<LockOwner> = {}): string =>
    `${JSON.stringify({ pid: 4242, hostname: os.hostname(), startedAt: "2026-11-30T08:00:00.000Z", processStartedAt: 1, token: "outro", ...over })}\n`;

  it("open() takes DATA_DIR/.lock (pid, host, start time); a second store on the folder is refused, naming the pid and the folder; close() frees it", async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    const owner = await readLock(dataDir);
    expect(owner).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    expect(Number.isNaN(Date.parse(owner.startedAt))).toBe(false);

    const second = createFileStore(dataDir);
    const err = await second.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as DataDirLockedError).owner.pid).toBe(process.pid);
    expect((err as Error).message).toContain(String(process.pid));
    expect((err as Error).message).toContain(dataDir);
    expect((err as Error).message).toMatch(/já está em uso pelo processo/);
    // Refused before touching anything: the first store's lock is intact.
    expect((await readLock(dataDir)).token).toBe(owner.token);

    await first.store.close();
    await expect(fs.stat(lockPath(dataDir))).rejects.toMatchObject({ code: "ENOENT" });
    const third = await openStore(dataDir);
    expect(third.problems).toEqual([]);
    await third.store.close();
  });

  it("a live process's lock refuses the start; a stale one (its pid gone) is taken over with a warning", async () => {
    const dataDir = await tempDir();
    await fs.writeFile(lockPath(dataDir), foreignLock());
    const alive = new Set([4242]);
    const isAlive = (pid: number) => alive.has(pid);

    const refused = await createFileStore(dataDir, { lock: { isAlive } })
      .open()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain("4242");
    expect((refused as Error).message).toContain(dataDir);
    expect((await readLock(dataDir)).token).toBe("outro");

    alive.delete(4242); // the other process died without cleaning up (kill -9, power loss)
    const { store, warnings } = await openStore(dataDir, { lock: { isAlive } });
    expect(warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/stale lock of process 4242 .*taken over/)]);
    expect(await readLock(dataDir)).toMatchObject({ pid: process.pid });
    await store.publish("retencao", input("a\n"));
    await store.close();
  });

  it("the same pid from an earlier start (a restarted container where the service is pid 1 again) is stale; an unreadable old lock too", async () => {
    const dataDir = await tempDir();
    await fs.writeFile(lockPath(dataDir), foreignLock({ pid: process.pid, processStartedAt: 1 }));
    const a = await openStore(dataDir);
    expect(a.warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/stale lock .*taken over/)]);
    await a.store.close();

    await fs.writeFile(lockPath(dataDir), '{"pid": 12'); // torn write of a crashed start
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(lockPath(dataDir), old, old);
    const b = await openStore(dataDir);
    expect(b.warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/unknown process .*taken over/)]);
    await b.store.close();
  });

  it("a lock held from another host cannot be checked from here: refused, and the message says which file to remove", async () => {
    const dataDir = await tempDir();
    await fs.writeFile(lockPath(dataDir), foreignLock({ hostname: "outra-maquina" }));
    const err = await createFileStore(dataDir, { lock: { isAlive: () => false } })
      .open()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as Error).message).toContain("outra-maquina");
    expect((err as Error).message).toContain(lockPath(dataDir));
  });

  it("publishing after close() is a StorageError (the service is stopping): nothing is written", async () => {
    const dataDir = await tempDir();
    const { store } = await openStore(dataDir);
    await store.close();
    const err = await store.publish("retencao", input("a\n")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).failure).toBe("unavailable");
    expect(await fs.readdir(path.join(dataDir, "rulesets"))).toEqual([]);
  });
});
