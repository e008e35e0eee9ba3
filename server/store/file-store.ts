/**
 * The embedded file store: the default `RuleSetStore` of the decision service (one process, one
 * data directory). Layout under `dataDir`:
 *
 *   rulesets/<name>/v000001.json   one immutable file per version (the full StoredVersion JSON)
 *   rulesets/<name>/active.json    {"version": N, "hash": "..."}: the active pointer
 *   audit.jsonl                    one JSON line per publish / rollback / seed
 *   .lock                          the data-directory lock while a store has it open (lock.ts):
 *                                  a second process on the directory is refused by open()
 *
 * File-system failures of a publish (all before the commit point, temp file removed) are thrown
 * as StorageError (storage-error.ts: disk full, read-only, unavailable); the fs functions are
 * injectable (`FileStoreOptions.fs`) so that tests can simulate them.
 *
 * Publishing (HAZARDS.md item 14), per rule set, serialised in-process by a per-name mutex:
 *   1. the version is written to `.tmp-<random>` in the rule set's directory and fsynced;
 *   2. the version number is CLAIMED with `link(tmp, vNNNNNN.json)`: link never overwrites, so when
 *      another writer (another process on the same directory) already created that number it fails
 *      with EEXIST; the directory is then re-read and the next number tried (bounded), or, when the
 *      caller gave a `baseVersion` that is no longer the active one, StoreConflictError is thrown;
 *      the temp name is unlinked and the directory fsynced. THIS IS THE COMMIT POINT;
 *   3. `active.json` is replaced the same way but with `rename` (overwrite intended), dir fsynced;
 *   4. the audit line is appended (open 'a', one write, fsync).
 * A failure before the commit point changes nothing (the publish throws); a failure after it is
 * logged and the publish still succeeds, because the version exists and will be active after a
 * restart anyway (see the recovery rules).
 *
 * Recovery rules applied by `open()` (never throws for bad files, only for an unusable dataDir):
 *   - the ACTIVE VERSION IS THE HIGHEST VERSION FILE WHOSE HASH VERIFIES. Rollbacks are new
 *     versions, so "active" is always "latest" and `active.json` is a cross-checked, repairable
 *     hint. Consequently a crash after step 2 but before step 3 rolls FORWARD: the new version is
 *     served on the next open (its number is claimed on disk and can never be reused, and every
 *     process that reads the directory agrees on it without coordination). The pointer is then
 *     repaired and the case reported;
 *   - `active.json` missing, unreadable, pointing at a missing / corrupt version or with a hash that
 *     does not match: reported, the highest good version is used, the pointer is rewritten;
 *   - a version file that is empty, truncated, not UTF-8 / JSON, mis-shaped, or whose hash does not
 *     verify: reported with its path and skipped (its number stays taken); the rest still loads;
 *   - a rule set with no good version: reported and absent (`names()` / `get()` do not show it);
 *   - `.tmp-*` files (in the data directory and in each rule set's directory): crash leftovers,
 *     removed and reported. open() holds the data-directory lock (lock.ts) before it looks, so no
 *     other live process can be writing there: EVERY temp file present is a leftover of a dead
 *     process, whatever its age, and a restart after kill -9 leaves none. Only with `lock: false`
 *     (tests that play several writers on one directory) may a temp file belong to a publish in
 *     progress in another process: then only those older than `tmpGraceMs` are removed, younger
 *     ones are left alone (they are never read anyway);
 *   - a version at or above the pointer with no audit line (crash between steps 2 and 4): an audit
 *     line marked `"recovered": true` is appended and the case reported;
 *   - unreadable audit lines (a truncated last line): reported; `audit()` skips them, and the next
 *     append starts on a fresh line so a new entry is never glued to a broken one.
 */
import { randomBytes } from "node:crypto";
import type { Dirent } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
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
import { acquireDataDirLock, type DataDirLock, type DataDirLockOptions } from "./lock.js";
import { asStorageError, osErrorCode, StorageError } from "./storage-error.js";
import { versionHash } from "./version-hash.js";
import { RULESET_NAME_PATTERN } from "../../dsl/ruleset/names.js";

export interface FileStoreLogger {
  warn(obj: object, msg: string): void;
}

export interface FileStoreOptions {
  /** Clock for `createdAt` and audit timestamps (tests). Default: the system clock. */
  readonly now?: () => Date;
  /** Where problems found after `open()` (e.g. a failed audit append after a commit) are reported. */
  readonly logger?: FileStoreLogger;
  /**
   * Only with `lock: false`: `.tmp-*` files younger than this (by mtime, wall clock) are left alone
   * by `open()`, as they may belong to a publish in progress in another process. With the lock
   * held (the default) every temp file is a crash leftover and is removed. Default 60 000 ms.
   */
  readonly tmpGraceMs?: number;
  /** How many version numbers a publish tries when other writers keep claiming them. Default 32. */
  readonly maxClaimAttempts?: number;
  /**
   * The file-system functions the store uses (tests inject failures: a full disk, a read-only
   * volume). Default: node:fs/promises.
   */
  readonly fs?: StoreFs;
  /**
   * The data-directory lock (`DATA_DIR/.lock`, see lock.ts): the embedded store serves one
   * process, so `open()` refuses a directory another live process holds (DataDirLockedError).
   * Default: enabled; `false` only for tests that play several writers on one directory.
   */
  readonly lock?: false | DataDirLockOptions;
}

/** The subset of node:fs/promises the store uses (injectable). */
export type StoreFs = Pick<
  typeof fs,
  "open" | "readFile" | "readdir" | "link" | "unlink" | "rename" | "mkdir" | "stat"
>;

/** Rule-set names: checked before any path is built from them (no traversal, portable file names). */
export { RULESET_NAME_PATTERN };

export function isValidRuleSetName(name: unknown): name is string {
  return typeof name === "string" && RULESET_NAME_PATTERN.test(name);
}

export class InvalidRuleSetNameError extends Error {
  constructor(readonly ruleSetName: string) {
    super(`invalid rule-set name ${JSON.stringify(ruleSetName)}: expected ${String(RULESET_NAME_PATTERN)}`);
    this.name = "InvalidRuleSetNameError";
  }
}

/** The content hash every store shares (moved to version-hash.ts; re-exported for existing importers). */
export { versionHash };

export function createFileStore(dataDir: string, options: FileStoreOptions = {}): RuleSetStore {
  return new FileStore(dataDir, options);
}

// ---------------------------------------------------------------------------------------------
// File names and parsing

const RULESETS_DIR = "rulesets";
const POINTER_FILE = "active.json";
const AUDIT_FILE = "audit.jsonl";
const TMP_PREFIX = ".tmp-";
const VERSION_FILE = /^v(\d{6,})\.json$/;
const FILE_STATUS: StoreStatus = Object.freeze({ kind: "file", state: "ok" });
const AUDIT_ACTIONS: ReadonlySet<string> = new Set<AuditEntry["action"]>(["publish", "rollback", "seed"]);

export function versionFileName(version: number): string {
  return `v${String(version).padStart(6, "0")}.json`;
}

/** The version number of a version file name, or undefined (non-canonical names are not versions). */
function versionOfFileName(file: string): number | undefined {
  const m = VERSION_FILE.exec(file);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n >= 1 && versionFileName(n) === file ? n : undefined;
}

/** The version file's bytes: human-readable JSON, metadata first, then tests and source. */
function serializeVersion(v: StoredVersion): string {
  const ordered: Record<string, unknown> = {
    name: v.name,
    version: v.version,
    createdAt: v.createdAt,
    author: v.author,
    message: v.message,
  };
  if (v.rolledBackFrom !== undefined) ordered.rolledBackFrom = v.rolledBackFrom;
  if (v.effectiveFrom !== undefined) ordered.effectiveFrom = v.effectiveFrom;
  if (v.effectiveUntil !== undefined) ordered.effectiveUntil = v.effectiveUntil;
  ordered.hash = v.hash;
  ordered.tests = v.tests;
  ordered.source = v.source;
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Parses and verifies a version file (shape, name and number match its location, hash). */
export function parseVersionFile(bytes: Uint8Array, name: string, version: number): Parsed<StoredVersion> {
  const fail = (message: string): Parsed<StoredVersion> => ({ ok: false, message });
  if (bytes.length === 0) return fail("empty version file (interrupted write?)");
  const text = decodeUtf8(bytes);
  if (text === undefined) return fail("version file is not valid UTF-8 (truncated or corrupted)");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(`version file is not valid JSON (truncated or corrupted): ${(e as Error).message}`);
  }
  if (!isRecord(raw)) return fail("version file does not hold a JSON object");
  for (const key of ["name", "source", "author", "message", "createdAt", "hash"] as const) {
    if (typeof raw[key] !== "string") return fail(`version file field "${key}" is missing or not a string`);
  }
  if (raw.tests !== null && typeof raw.tests !== "string")
    return fail('version file field "tests" is not a string or null');
  if (!Number.isSafeInteger(raw.version)) return fail('version file field "version" is not an integer');
  if (
    raw.rolledBackFrom !== undefined &&
    !(Number.isSafeInteger(raw.rolledBackFrom) && (raw.rolledBackFrom as number) >= 1)
  ) {
    return fail('version file field "rolledBackFrom" is not a positive integer');
  }
  const vigencia = vigenciaProblem(raw);
  if (vigencia) return fail(`version file: ${vigencia}`);
  if (raw.name !== name)
    return fail(`version file names rule set ${JSON.stringify(raw.name)}, expected ${JSON.stringify(name)}`);
  if (raw.version !== version) return fail(`version file holds version ${String(raw.version)}, expected ${version}`);
  const v: StoredVersion = {
    name,
    version,
    source: raw.source as string,
    tests: raw.tests as string | null,
    author: raw.author as string,
    message: raw.message as string,
    createdAt: raw.createdAt as string,
    hash: raw.hash as string,
    ...(raw.rolledBackFrom !== undefined ? { rolledBackFrom: raw.rolledBackFrom as number } : {}),
    ...(raw.effectiveFrom !== undefined ? { effectiveFrom: raw.effectiveFrom as string } : {}),
    ...(raw.effectiveUntil !== undefined ? { effectiveUntil: raw.effectiveUntil as string } : {}),
  };
  const expected = versionHash(v);
  if (expected !== v.hash) {
    return fail(
      `hash mismatch: the file says ${v.hash.slice(0, 12)}…, its content hashes to ${expected.slice(0, 12)}… (edited or corrupted)`,
    );
  }
  return { ok: true, value: Object.freeze(v) };
}

interface Pointer {
  readonly version: number;
  readonly hash: string;
}

function parsePointer(bytes: Uint8Array): Parsed<Pointer> {
  const text = decodeUtf8(bytes);
  if (text === undefined) return { ok: false, message: "not valid UTF-8" };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not valid JSON: ${(e as Error).message}` };
  }
  if (!isRecord(raw) || !Number.isSafeInteger(raw.version) || typeof raw.hash !== "string") {
    return { ok: false, message: 'expected {"version": <integer>, "hash": <string>}' };
  }
  return { ok: true, value: { version: raw.version as number, hash: raw.hash } };
}

function parseAuditLine(line: string): Parsed<AuditLogEntry> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return { ok: false, message: `not valid JSON (truncated?): ${(e as Error).message}` };
  }
  if (isRecord(raw) && raw.action === "publish-refused") {
    const ok =
      typeof raw.at === "string" &&
      typeof raw.ruleset === "string" &&
      typeof raw.author === "string" &&
      typeof raw.message === "string" &&
      typeof raw.code === "string" &&
      typeof raw.reason === "string" &&
      Number.isSafeInteger(raw.status) &&
      Number.isSafeInteger(raw.activeVersion) &&
      (raw.requestId === undefined || typeof raw.requestId === "string");
    return ok
      ? { ok: true, value: Object.freeze(raw) as unknown as RefusalAuditEntry }
      : { ok: false, message: "not an audit entry" };
  }
  if (
    !isRecord(raw) ||
    typeof raw.at !== "string" ||
    typeof raw.action !== "string" ||
    !AUDIT_ACTIONS.has(raw.action) ||
    typeof raw.ruleset !== "string" ||
    !Number.isSafeInteger(raw.version) ||
    typeof raw.author !== "string" ||
    typeof raw.message !== "string" ||
    typeof raw.hash !== "string" ||
    (raw.requestId !== undefined && typeof raw.requestId !== "string")
  ) {
    return { ok: false, message: "not an audit entry" };
  }
  return { ok: true, value: Object.freeze(raw) as unknown as AuditEntry };
}

function metaOf(v: StoredVersion): VersionMeta {
  const { source: _source, tests: _tests, ...meta } = v;
  return Object.freeze(meta);
}

function errorCode(e: unknown): string | undefined {
  return isRecord(e) && typeof e.code === "string" ? e.code : undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------
// Durable file-system steps

/** fsync a directory so that entries created, renamed or removed in it survive a power loss. */
async function fsyncDir(io: StoreFs, dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await io.open(dir, "r");
    await fh.sync();
  } catch (e) {
    // Some platforms / file systems cannot fsync a directory (Windows: EPERM/EISDIR): best effort.
    const code = errorCode(e);
    if (code !== "EPERM" && code !== "EISDIR" && code !== "EINVAL" && code !== "EBADF" && code !== "ENOTSUP") throw e;
  } finally {
    await fh?.close();
  }
}

/** Writes `data` to a fresh `.tmp-<random>` file in `dir` and fsyncs it; returns its path. */
async function writeTemp(io: StoreFs, dir: string, data: string, mode: number): Promise<string> {
  const tmp = path.join(dir, `${TMP_PREFIX}${randomBytes(8).toString("hex")}`);
  const fh = await io.open(tmp, "wx", mode);
  try {
    await fh.writeFile(data, "utf8");
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await io.unlink(tmp).catch(() => undefined);
    throw e;
  }
  try {
    await fh.close(); // a full disk may only show here (delayed write errors)
  } catch (e) {
    await io.unlink(tmp).catch(() => undefined);
    throw e;
  }
  return tmp;
}

/** Replaces `target` atomically with `data` (temp file, fsync, rename, fsync dir). */
async function replaceFile(io: StoreFs, target: string, data: string): Promise<void> {
  const dir = path.dirname(target);
  const tmp = await writeTemp(io, dir, data, 0o644);
  try {
    await io.rename(tmp, target);
  } catch (e) {
    await io.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(io, dir);
}

/** mkdir that fsyncs the parent when it created the directory. */
async function ensureDir(io: StoreFs, dir: string): Promise<void> {
  try {
    await io.mkdir(dir);
  } catch (e) {
    if (errorCode(e) === "EEXIST") {
      const st = await io.stat(dir);
      if (st.isDirectory()) return;
    }
    throw e;
  }
  await fsyncDir(io, path.dirname(dir));
}

// ---------------------------------------------------------------------------------------------
// The store

interface RuleSetEntry {
  readonly name: string;
  readonly dir: string;
  /** Version numbers already examined on disk, good or bad: a bad file still occupies its number. */
  readonly seen: Set<number>;
  /** Highest version number present on disk (good or bad); the next publish claims maxNumber + 1. */
  maxNumber: number;
  /** Good versions, oldest first. */
  metas: VersionMeta[];
  /** The highest good version. */
  active: StoredVersion | undefined;
  snapshot: RuleSetState | undefined;
}

type Report = (problem: StoreProblem) => void;

class FileStore implements RuleSetStore {
  private readonly dataDir: string;
  private readonly rulesetsDir: string;
  private readonly auditPath: string;
  private readonly now: () => Date;
  private readonly logger: FileStoreLogger | undefined;
  private readonly tmpGraceMs: number;
  private readonly maxClaimAttempts: number;
  private readonly io: StoreFs;
  private readonly lockOptions: false | DataDirLockOptions;
  private dirLock: DataDirLock | undefined;

  private entries = new Map<string, RuleSetEntry>();
  private readonly cache = new VersionCache();
  /** Tail of each rule set's publish chain (the per-name mutex). */
  private readonly locks = new Map<string, Promise<void>>();
  /** Tail of the audit-append chain (one writer at a time on audit.jsonl in this process). */
  private auditTail: Promise<void> = Promise.resolve();
  private opened = false;
  private closed = false;

  constructor(dataDir: string, options: FileStoreOptions) {
    this.dataDir = path.resolve(dataDir);
    this.rulesetsDir = path.join(this.dataDir, RULESETS_DIR);
    this.auditPath = path.join(this.dataDir, AUDIT_FILE);
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger;
    this.tmpGraceMs = options.tmpGraceMs ?? 60_000;
    this.maxClaimAttempts = Math.max(1, options.maxClaimAttempts ?? 32);
    this.io = options.fs ?? fs;
    this.lockOptions = options.lock ?? {};
  }

  // ----- reading -------------------------------------------------------------------------------

  async open(): Promise<readonly StoreProblem[]> {
    await this.drain();
    await this.prepareDataDir();
    if (this.lockOptions !== false && !this.dirLock) {
      const lockOptions = this.lockOptions;
      this.dirLock = await acquireDataDirLock(this.dataDir, {
        fs: this.io,
        onTakeover: (previous, lockPath) =>
          this.logger?.warn(
            { path: lockPath, previousOwner: previous },
            `store: stale lock of ${previous ? `process ${previous.pid} (no longer running)` : "an unknown process (unreadable lock file)"} taken over`,
          ),
        ...lockOptions,
      });
    }
    try {
      return await this.openLocked();
    } catch (e) {
      await this.releaseLock();
      throw e;
    }
  }

  private async releaseLock(): Promise<void> {
    const held = this.dirLock;
    this.dirLock = undefined;
    await held?.release();
  }

  private async openLocked(): Promise<readonly StoreProblem[]> {
    const problems: StoreProblem[] = [];
    const report: Report = (p) => problems.push(p);

    this.entries = new Map();
    this.cache.clear();
    await this.cleanTemps(this.dataDir, report);

    const audit = await this.readAudit(report);
    const audited = new Set(
      audit.flatMap((a) => (a.action === "publish-refused" ? [] : [`${a.ruleset}@${a.version}`])),
    );

    const dirents = await this.io.readdir(this.rulesetsDir, { withFileTypes: true });
    for (const d of dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const where = path.join(this.rulesetsDir, d.name);
      if (d.name.startsWith(TMP_PREFIX)) continue;
      if (!d.isDirectory()) {
        report({ path: where, message: "unexpected entry in rulesets/ (not a directory), ignored" });
      } else if (!isValidRuleSetName(d.name)) {
        report({
          path: where,
          message: `directory name is not a valid rule-set name (${String(RULESET_NAME_PATTERN)}), ignored`,
        });
      } else {
        await this.openRuleSet(d.name, report, audited);
      }
    }
    this.opened = true;
    this.closed = false;
    return problems;
  }

  names(): readonly string[] {
    return servedNames(this.entries.values());
  }

  get(name: string): RuleSetState | undefined {
    if (!isValidRuleSetName(name)) return undefined;
    return this.entries.get(name)?.snapshot;
  }

  async getVersion(name: string, version: number): Promise<StoredVersion | undefined> {
    if (!isValidRuleSetName(name) || !Number.isSafeInteger(version) || version < 1) return undefined;
    const entry = this.entries.get(name);
    if (!entry?.active) return undefined;
    if (entry.active.version === version) return entry.active;
    if (!entry.metas.some((m) => m.version === version)) return undefined;
    const hit = this.cache.get(name, version);
    if (hit) return hit;
    const file = path.join(entry.dir, versionFileName(version));
    let parsed: Parsed<StoredVersion>;
    try {
      parsed = parseVersionFile(await this.io.readFile(file), name, version);
    } catch (e) {
      const code = osErrorCode(e);
      // The disk failing is not "no such version": the caller answers 503, not 404.
      if (code !== undefined && code !== "ENOENT")
        throw new StorageError("unavailable", code, `reading ${file}: ${messageOf(e)}`, { cause: e });
      parsed = { ok: false, message: `cannot read: ${messageOf(e)}` };
    }
    if (!parsed.ok) {
      this.logger?.warn({ path: file }, `store: version file became unreadable since open: ${parsed.message}`);
      return undefined;
    }
    this.cache.put(parsed.value);
    return parsed.value;
  }

  async audit(filter?: AuditFilter): Promise<readonly AuditLogEntry[]> {
    await this.auditTail;
    const entries = await this.readAudit((p) => this.logger?.warn({ path: p.path }, `store: ${p.message}`));
    return entries.filter((e) => auditMatches(e, filter));
  }

  async recordRefusal(entry: RefusalAuditEntry): Promise<void> {
    if (!this.opened || this.closed) return;
    try {
      await this.appendAudit(entry);
    } catch (e) {
      this.logger?.warn(
        { path: this.auditPath },
        `store: the audit line of a refused publish of "${entry.ruleset}" was not written: ${messageOf(e)}`,
      );
    }
  }

  // ----- writing -------------------------------------------------------------------------------

  publish(name: string, input: PublishInput): Promise<StoredVersion> {
    if (!isValidRuleSetName(name)) return Promise.reject(new InvalidRuleSetNameError(String(name)));
    const invalid = checkInput(input);
    if (invalid) return Promise.reject(new TypeError(`publish of "${name}": ${invalid}`));
    if (!this.opened) return Promise.reject(new Error(`file store at ${this.dataDir}: publish before open()`));
    // Closed (the service is shutting down): nothing is written; the caller answers 503.
    if (this.closed)
      return Promise.reject(
        new StorageError("unavailable", undefined, `file store at ${this.dataDir}: publish after close()`),
      );
    // Every failure of publishLocked happens before the commit point (nothing was written, its
    // temp file removed): file-system ones become StorageErrors (disk full, read-only...).
    return this.withLock(name, () => this.publishLocked(name, input)).catch((e: unknown) => {
      throw asStorageError(e, `publish of "${name}"`);
    });
  }

  /** The data folder is local: the store has no connection to lose (write failures are per publish). */
  status(): StoreStatus {
    return FILE_STATUS;
  }

  /** One process per data folder (the lock): nothing changes outside this store. */
  onChange(_listener: StoreChangeListener): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
    await this.releaseLock();
  }

  // ----- internals -----------------------------------------------------------------------------

  /** Waits for every publish and audit append in flight. */
  private async drain(): Promise<void> {
    for (;;) {
      const pending = [...this.locks.values()];
      if (pending.length === 0) break;
      await Promise.all(pending);
    }
    await this.auditTail;
  }

  private async withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.locks.set(name, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.locks.get(name) === tail) this.locks.delete(name);
    }
  }

  private async prepareDataDir(): Promise<void> {
    try {
      await this.io.mkdir(this.dataDir, { recursive: true });
      await ensureDir(this.io, this.rulesetsDir);
      // Prove that the directory is writable (and fsync-able) now rather than at the first publish.
      const probe = await writeTemp(this.io, this.dataDir, "probe\n", 0o644);
      await this.io.unlink(probe);
      await fsyncDir(this.io, this.dataDir);
    } catch (e) {
      throw new Error(`file store: the data directory ${this.dataDir} is not usable: ${messageOf(e)}`, { cause: e });
    }
  }

  /**
   * Removes `.tmp-*` crash leftovers from `dir`: all of them while this store holds the
   * data-directory lock (no other process writes here), else only those older than the grace period.
   */
  private async cleanTemps(dir: string, report: Report, dirents?: Dirent[]): Promise<void> {
    const list = dirents ?? (await this.io.readdir(dir, { withFileTypes: true }));
    const exclusive = this.dirLock !== undefined;
    for (const d of list) {
      if (!d.name.startsWith(TMP_PREFIX) || !d.isFile()) continue;
      const file = path.join(dir, d.name);
      try {
        if (!exclusive) {
          const st = await this.io.stat(file);
          if (Date.now() - st.mtimeMs < this.tmpGraceMs) continue; // maybe another process's write in flight
        }
        await this.io.unlink(file);
        report({ path: file, message: "leftover temporary file of an interrupted write, removed" });
      } catch (e) {
        if (errorCode(e) === "ENOENT") continue; // its writer finished with it meanwhile
        report({ path: file, message: `leftover temporary file could not be removed: ${messageOf(e)}` });
      }
    }
  }

  private newEntry(name: string): RuleSetEntry {
    return {
      name,
      dir: path.join(this.rulesetsDir, name),
      seen: new Set(),
      maxNumber: 0,
      metas: [],
      active: undefined,
      snapshot: undefined,
    };
  }

  /**
   * Reads the version files of `entry.dir` not examined yet: good ones join the entry, bad ones are
   * reported once. Version numbers taken by bad files still count for the next number.
   */
  private async scan(entry: RuleSetEntry, report: Report, dirents?: Dirent[]): Promise<void> {
    let list = dirents;
    if (!list) {
      try {
        list = await this.io.readdir(entry.dir, { withFileTypes: true });
      } catch (e) {
        if (errorCode(e) === "ENOENT") return;
        throw e;
      }
    }
    const fresh = list
      .map((d) => ({ d, n: versionOfFileName(d.name) }))
      .filter((x): x is { d: Dirent; n: number } => x.n !== undefined && !entry.seen.has(x.n))
      .sort((a, b) => a.n - b.n);
    let changed = false;
    for (const { d, n } of fresh) {
      entry.seen.add(n);
      entry.maxNumber = Math.max(entry.maxNumber, n);
      const file = path.join(entry.dir, d.name);
      let parsed: Parsed<StoredVersion>;
      if (!d.isFile()) parsed = { ok: false, message: "not a regular file" };
      else {
        try {
          parsed = parseVersionFile(await this.io.readFile(file), entry.name, n);
        } catch (e) {
          parsed = { ok: false, message: `cannot read: ${messageOf(e)}` };
        }
      }
      if (!parsed.ok) {
        report({ path: file, message: `${parsed.message}; version ${n} of "${entry.name}" skipped` });
        continue;
      }
      this.addGood(entry, parsed.value);
      changed = true;
    }
    if (changed) this.refreshSnapshot(entry);
  }

  private addGood(entry: RuleSetEntry, v: StoredVersion): void {
    const meta = metaOf(v);
    const metas = entry.metas;
    let i = metas.length;
    while (i > 0 && metas[i - 1]!.version > v.version) i--;
    metas.splice(i, 0, meta);
    if (!entry.active || v.version > entry.active.version) entry.active = v;
    this.cache.put(v);
  }

  private refreshSnapshot(entry: RuleSetEntry): void {
    entry.snapshot = snapshotOf(entry.name, entry.active, entry.metas);
  }

  private async openRuleSet(name: string, report: Report, audited: ReadonlySet<string>): Promise<void> {
    const entry = this.newEntry(name);
    this.entries.set(name, entry);
    let dirents: Dirent[];
    try {
      dirents = await this.io.readdir(entry.dir, { withFileTypes: true });
    } catch (e) {
      report({ path: entry.dir, message: `rule-set directory unreadable, ignored: ${messageOf(e)}` });
      return;
    }
    await this.cleanTemps(entry.dir, report, dirents);
    await this.scan(entry, report, dirents);
    const pointerPath = path.join(entry.dir, POINTER_FILE);
    const active = entry.active;
    if (!active) {
      const message =
        entry.seen.size === 0 ? "holds no version file (interrupted first publish?)" : "has no readable version";
      report({ path: entry.dir, message: `rule set "${name}" ${message}; it is not served` });
      return;
    }

    // The active pointer: cross-checked against the highest good version (which always wins).
    let pointer: Parsed<Pointer>;
    try {
      pointer = parsePointer(await this.io.readFile(pointerPath));
    } catch (e) {
      pointer = { ok: false, message: errorCode(e) === "ENOENT" ? "missing" : `cannot read: ${messageOf(e)}` };
    }
    let trusted: number | undefined; // the pointer's version, when the pointer is sound
    let issue: string | undefined;
    if (!pointer.ok) {
      issue = `active pointer ${pointer.message === "missing" ? "is missing" : `is unreadable (${pointer.message})`}; using the highest good version v${active.version}`;
    } else {
      const target = entry.metas.find((m) => m.version === pointer.value.version);
      if (!target) {
        issue = `active pointer names v${pointer.value.version}, which is missing or unreadable; falling back to the highest good version v${active.version}`;
      } else if (target.hash !== pointer.value.hash) {
        issue = `active pointer hash does not match v${target.version}; falling back to the highest good version v${active.version}`;
      } else {
        trusted = target.version;
        if (target.version < active.version) {
          issue = `v${active.version} was written but the active pointer still names v${target.version} (publish interrupted before the pointer moved); rolled forward to v${active.version}`;
        }
      }
    }
    if (issue !== undefined) {
      report({ path: pointerPath, message: issue });
      try {
        await replaceFile(this.io, pointerPath, pointerJson(active));
      } catch (e) {
        report({ path: pointerPath, message: `could not repair the active pointer: ${messageOf(e)}` });
      }
    }

    // Versions a crash may have left without their audit line: those at or above the pointer.
    const from = trusted ?? active.version;
    for (const meta of entry.metas) {
      if (meta.version < from || audited.has(`${name}@${meta.version}`)) continue;
      const entryLine = {
        ...auditEntryOf(meta, meta.rolledBackFrom !== undefined ? "rollback" : "publish", undefined),
        recovered: true,
      };
      try {
        await this.appendAudit(entryLine);
        report({
          path: this.auditPath,
          message: `no audit line for "${name}" v${meta.version} (publish interrupted before the audit append); a recovered one was appended`,
        });
      } catch (e) {
        report({
          path: this.auditPath,
          message: `no audit line for "${name}" v${meta.version} and none could be appended: ${messageOf(e)}`,
        });
      }
    }
  }

  private async publishLocked(name: string, input: PublishInput): Promise<StoredVersion> {
    let entry = this.entries.get(name);
    if (!entry) {
      entry = this.newEntry(name);
      this.entries.set(name, entry);
    }
    const warn: Report = (p) => this.logger?.warn({ path: p.path }, `store: ${p.message}`);

    for (let attempt = 1; attempt <= this.maxClaimAttempts; attempt++) {
      // Pick up versions other writers (processes) created since we last looked.
      await this.scan(entry, warn);
      const activeVersion = entry.active?.version ?? 0;
      if (input.baseVersion !== undefined && input.baseVersion !== activeVersion) {
        throw new StoreConflictError(
          `rule set "${name}" is at version ${activeVersion}, not at the base version ${input.baseVersion}`,
          activeVersion,
        );
      }
      await ensureDir(this.io, entry.dir); // only now: a refused publish of a new name leaves nothing behind
      const content: Omit<StoredVersion, "hash"> = {
        name,
        version: entry.maxNumber + 1,
        source: input.source,
        tests: input.tests,
        author: input.author,
        message: input.message,
        createdAt: this.now().toISOString(),
        ...(input.rolledBackFrom !== undefined ? { rolledBackFrom: input.rolledBackFrom } : {}),
        ...(input.effectiveFrom !== undefined ? { effectiveFrom: input.effectiveFrom } : {}),
        ...(input.effectiveUntil !== undefined ? { effectiveUntil: input.effectiveUntil } : {}),
      };
      const version: StoredVersion = Object.freeze({ ...content, hash: versionHash(content) });
      const final = path.join(entry.dir, versionFileName(version.version));

      // Version files are read-only: immutable by convention and by mode.
      const tmp = await writeTemp(this.io, entry.dir, serializeVersion(version), 0o444);
      let claimed = false;
      try {
        await this.io.link(tmp, final); // never overwrites: EEXIST when the number is taken
        claimed = true;
      } catch (e) {
        if (errorCode(e) !== "EEXIST") throw e;
      } finally {
        await this.io
          .unlink(tmp)
          .catch((e: unknown) => warn({ path: tmp, message: `temporary file not removed: ${messageOf(e)}` }));
      }
      if (!claimed) {
        this.logger?.warn(
          { path: final, attempt },
          `store: version ${version.version} of "${name}" was claimed by another writer; retrying`,
        );
        continue;
      }

      // Committed: the version exists on disk and is the highest one. From here on nothing throws.
      entry.seen.add(version.version);
      entry.maxNumber = Math.max(entry.maxNumber, version.version);
      this.addGood(entry, version);
      this.refreshSnapshot(entry);
      await this.afterCommit(entry, version, input, warn);
      return version;
    }
    const activeVersion = entry.active?.version ?? 0;
    throw new StoreConflictError(
      `rule set "${name}": no version number could be claimed in ${this.maxClaimAttempts} attempts (other writers kept taking them)`,
      activeVersion,
    );
  }

  /** Steps after the commit point: durability of the link, the pointer, the audit line. Logged, never thrown. */
  private async afterCommit(entry: RuleSetEntry, v: StoredVersion, input: PublishInput, warn: Report): Promise<void> {
    try {
      await fsyncDir(this.io, entry.dir);
    } catch (e) {
      warn({
        path: entry.dir,
        message: `fsync of the directory after publishing v${v.version} failed: ${messageOf(e)}`,
      });
    }
    const pointerPath = path.join(entry.dir, POINTER_FILE);
    try {
      await replaceFile(this.io, pointerPath, pointerJson(v));
    } catch (e) {
      warn({
        path: pointerPath,
        message: `v${v.version} is published but the active pointer was not moved (repaired at the next open): ${messageOf(e)}`,
      });
    }
    const action = input.action ?? (input.rolledBackFrom !== undefined ? "rollback" : "publish");
    try {
      await this.appendAudit(auditEntryOf(v, action, input.requestId));
    } catch (e) {
      warn({
        path: this.auditPath,
        message: `v${v.version} of "${v.name}" is published but its audit line was not written (recovered at the next open): ${messageOf(e)}`,
      });
    }
  }

  /** Appends one line to audit.jsonl (serialised in-process; O_APPEND across processes). */
  private appendAudit(entry: object): Promise<void> {
    const run = async (): Promise<void> => {
      const fh = await this.io.open(this.auditPath, "a+", 0o644);
      let created = false;
      try {
        const { size } = await fh.stat();
        created = size === 0;
        let prefix = "";
        if (size > 0) {
          // After a crash mid-append the file ends inside a line: start the new entry on its own line.
          const last = Buffer.alloc(1);
          await fh.read(last, 0, 1, size - 1);
          if (last[0] !== 0x0a) prefix = "\n";
        }
        await fh.write(`${prefix}${JSON.stringify(entry)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (created) await fsyncDir(this.io, this.dataDir);
    };
    const result = this.auditTail.then(run);
    this.auditTail = result.catch(() => undefined);
    return result;
  }

  private async readAudit(report: Report): Promise<AuditLogEntry[]> {
    let text: string;
    try {
      text = await this.io.readFile(this.auditPath, "utf8");
    } catch (e) {
      if (errorCode(e) === "ENOENT") return [];
      report({ path: this.auditPath, message: `audit log unreadable: ${messageOf(e)}` });
      return [];
    }
    const entries: AuditLogEntry[] = [];
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      const parsed = parseAuditLine(line);
      if (parsed.ok) entries.push(parsed.value);
      else {
        const truncated = i === lines.length - 1 ? " (truncated last line: interrupted append)" : "";
        report({ path: this.auditPath, message: `audit line ${i + 1} skipped: ${parsed.message}${truncated}` });
      }
    });
    return entries;
  }
}

function pointerJson(v: StoredVersion): string {
  return `${JSON.stringify({ version: v.version, hash: v.hash })}\n`;
}

function auditEntryOf(v: VersionMeta, action: AuditEntry["action"], requestId: string | undefined): AuditEntry {
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

/** Why a publish input is unusable, or undefined. */
function checkInput(input: PublishInput): string | undefined {
  if (!isRecord(input)) return "input must be an object";
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
