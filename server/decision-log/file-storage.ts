/**
 * The decision log in files: the storage of a service without DATABASE_URL, under
 * `DATA_DIR/decisions/` (the folder is given). Layout:
 *
 *   <first at>-<first id>.jsonl   segments: JSON Lines, one record per line, append-only. The name
 *                                 is the time (`:` as `-`) and id of the first record it holds,
 *                                 e.g. `2026-12-02T03-00-00.000Z-0193….jsonl`. A new segment starts
 *                                 when a batch falls in another UTC hour than the segment's first
 *                                 record, or when the segment is past `segmentBytes` (16 MiB).
 *   masking.key                   the masking key: 32 random bytes as 64 hex characters, mode 0600,
 *                                 created once (temp file + link, never overwritten) and read back.
 *
 * Every line is written as `{"id":"<uuid>","at":"<iso>",…}` (id and at first), so that ids and
 * times are read from the line's prefix without parsing the JSON.
 *
 * Writing: one `append` is ONE write of all its lines through a kept file descriptor, no fsync
 * per append (the log is best effort and bounded: a crash may lose the records written since the
 * operating system last flushed, and may leave a torn LAST line). `close()` fsyncs. A failed
 * write is cut back off the segment (truncate to the size before it), so an append is all or
 * nothing as far as the file system allows. Appends and prunes run one at a time.
 *
 * Reading: `open()` scans every segment once (line prefixes only) to keep a small in-memory index
 * per segment: id range, time range, record count, bytes (and, for the segment being written, its
 * ids, to refuse a repeated id). A torn last line (no newline) is cut off and reported; any other
 * line that does not parse is skipped by reads (and reported by open() when its id/at prefix is
 * damaged; a damaged tail is only found when a read parses the line). `query` walks the
 * segments in the asked order, one segment in memory at a time, keeps the best `limit + 1`
 * matches and stops as soon as no later segment can hold a better one (cursor = the last id of
 * the page, as the memory storage). `get` reads only the segments whose id range holds the id
 * (UUIDv7 ids are time-ordered, so this is picking by time).
 *
 * Crash leftovers: a `.tmp-*` file (a key being created when the process died) is removed by
 * `removeTempLeftovers` — at `open()`, and by the service before it listens (the folder lives in
 * the data directory whose lock the file store holds, so no other process writes there).
 *
 * Retention (`prune`): whole segments whose newest record is older than `maxAgeMs`, then the
 * oldest segments while the folder holds more than `maxBytes` — never the segment being written.
 */
import { randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import * as nodeFs from "node:fs/promises";
import * as path from "node:path";
import { asStorageError, osErrorCode } from "../store/storage-error.js";
import { atMs, checkBatch, checkQuery } from "./storage-input.js";
import {
  type DecisionLogStorage,
  type DecisionPage,
  type DecisionQuery,
  type DecisionRecord,
  pageSize,
  type RetentionPolicy,
  type RetentionResult,
  recordMatches,
} from "./types.js";

export interface DecisionFileLogger {
  warn(obj: object, msg: string): void;
}

/** The subset of node:fs/promises the storage uses (tests inject failures). */
export type DecisionFs = Pick<
  typeof nodeFs,
  "open" | "readFile" | "readdir" | "unlink" | "mkdir" | "stat" | "truncate" | "link" | "access"
>;

export interface FileDecisionStorageOptions {
  readonly fs?: DecisionFs;
  readonly logger?: DecisionFileLogger;
  /** A segment past this size is closed and the next append starts a new one. Default 16 MiB. */
  readonly segmentBytes?: number;
}

export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
const HOUR_MS = 3_600_000;
export const MASKING_KEY_FILE = "masking.key";
const SEGMENT_SUFFIX = ".jsonl";

/** The in-memory index entry of one segment file. */
interface Segment {
  readonly name: string;
  readonly file: string;
  /** UTC hour (epoch ms / 1 h) of the first record: a batch of another hour starts a new segment. */
  readonly hour: number;
  minId: string;
  maxId: string;
  minAt: number;
  maxAt: number;
  count: number;
  bytes: number;
  /** Ids held, only for the segment being written (a repeated id is refused). */
  ids?: Set<string> | undefined;
  /** No more appends here (a failed write could not be cut off). */
  sealed?: boolean;
}

/** `{"id":"` + 36 characters + `","at":"` — the prefix every line this storage writes starts with. */
const ID_START = 7;
const ID_END = ID_START + 36;
const AT_START = ID_END + 8;

const NL = 0x0a;
const ID_OPEN = Buffer.from('{"id":"');
const AT_OPEN = Buffer.from('","at":"');

/** Whether `buf` holds `what` at `at`. */
function holds(buf: Buffer, what: Buffer, at: number): boolean {
  return at + what.length <= buf.length && buf.compare(what, 0, what.length, at, at + what.length) === 0;
}

/** The id of the line at `start` read from its prefix, or undefined when the line has another shape. */
function idAt(buf: Buffer, start: number): string | undefined {
  return holds(buf, ID_OPEN, start) && holds(buf, AT_OPEN, start + ID_END)
    ? buf.toString("latin1", start + ID_START, start + ID_END)
    : undefined;
}

/** The id and time of the line `start…end`, from its prefix when it has the usual shape, else by parsing it. */
function lineKey(buf: Buffer, start: number, end: number): { id: string; at: number } | undefined {
  const id = idAt(buf, start);
  if (id !== undefined) {
    const atEnd = buf.indexOf('"', start + AT_START);
    const at = atEnd > 0 && atEnd < end ? Date.parse(buf.toString("latin1", start + AT_START, atEnd)) : Number.NaN;
    if (Number.isFinite(at)) return { id, at };
  }
  const r = parseLine(buf, start, end);
  return r ? { id: r.id, at: Date.parse(r.at) } : undefined;
}

function parseLine(buf: Buffer, start: number, end: number): DecisionRecord | undefined {
  try {
    const r = JSON.parse(buf.toString("utf8", start, end)) as DecisionRecord;
    if (typeof r !== "object" || r === null || typeof r.id !== "string" || typeof r.at !== "string") return undefined;
    return r;
  } catch {
    return undefined;
  }
}

/**
 * Calls `each(start, end)` for every complete, non-empty line (ending in "\n") of a segment,
 * first to last or (`reverse`) last to first; an incomplete last line is never visited.
 */
function forEachLine(buf: Buffer, each: (start: number, end: number) => void, reverse = false): void {
  if (!reverse) {
    let start = 0;
    for (;;) {
      const end = buf.indexOf(NL, start);
      if (end < 0) return;
      if (end > start) each(start, end);
      start = end + 1;
    }
  }
  let end = buf.lastIndexOf(NL);
  while (end > 0) {
    const start = buf.lastIndexOf(NL, end - 1) + 1;
    if (end > start) each(start, end);
    end = start - 1;
  }
}

/** Whether `needle` occurs within `start…end` of `buf`. */
function within(buf: Buffer, needle: Buffer, start: number, end: number): boolean {
  const at = buf.indexOf(needle, start);
  return at >= 0 && at + needle.length <= end;
}

/** The line of a record: id and at first (see the top comment). */
function lineOf(r: DecisionRecord): string {
  const { id, at, ...rest } = r;
  return `${JSON.stringify({ id, at, ...rest })}\n`;
}

function segmentName(first: DecisionRecord): string {
  return `${new Date(atMs(first)).toISOString().replace(/:/g, "-")}-${first.id}${SEGMENT_SUFFIX}`;
}

/** The hour of a segment from its name (`2026-12-02T03-00-00.000Z-…`), or undefined for other files. */
function hourOfName(name: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}\.\d{3}Z)-[0-9a-f-]{36}(?:\.\d+)?\.jsonl$/.exec(name);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}:${m[2]}:${m[3]}`);
  return Number.isFinite(t) ? Math.floor(t / HOUR_MS) : undefined;
}

const TMP_PREFIX = ".tmp-";

/**
 * Removes `.tmp-*` crash leftovers from the decision-log folder `dir` (a missing folder is fine)
 * and returns the names removed, each reported to `logger`. Call it only from the process that
 * holds the data directory (the file store's lock): it does not tell another process's write in
 * flight from a leftover.
 */
export async function removeTempLeftovers(
  dir: string,
  logger?: DecisionFileLogger,
  fs: Pick<DecisionFs, "readdir" | "unlink"> = nodeFs,
): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    if (osErrorCode(e) === "ENOENT") return [];
    throw e;
  }
  const removed: string[] = [];
  for (const name of names.filter((n) => n.startsWith(TMP_PREFIX))) {
    try {
      await fs.unlink(path.join(dir, name));
      removed.push(name);
      logger?.warn({ path: path.join(dir, name) }, "decision log: temporary file left by a crash removed");
    } catch (e) {
      if (osErrorCode(e) !== "ENOENT") throw e;
    }
  }
  return removed;
}

export function createFileDecisionStorage(dir: string, options: FileDecisionStorageOptions = {}): DecisionLogStorage {
  return new FileDecisionStorage(dir, options);
}

class FileDecisionStorage implements DecisionLogStorage {
  readonly kind = "file" as const;
  private readonly fs: DecisionFs;
  private readonly logger: DecisionFileLogger | undefined;
  private readonly segmentBytes: number;
  /** Sorted by name (creation order). */
  private segments: Segment[] = [];
  /**
   * The segment being written. No file descriptor is kept between appends: each batch opens the
   * segment, appends and closes it (a batch every ~200 ms at most), so the log never pins its
   * file system (an operator can remount the data folder read-only; a deleted segment is gone).
   */
  private current: { segment: Segment } | undefined;
  private key: Buffer | undefined;
  private opening: Promise<void> | undefined;
  private closed = false;
  /** Appends and prunes, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    options: FileDecisionStorageOptions,
  ) {
    this.fs = options.fs ?? nodeFs;
    this.logger = options.logger;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!(Number.isSafeInteger(this.segmentBytes) && this.segmentBytes > 0))
      throw new Error(`decision log: segmentBytes must be a positive integer (got ${String(options.segmentBytes)})`);
  }

  open(): Promise<void> {
    if (this.closed) return Promise.reject(new Error("decision log: the file storage is closed"));
    this.opening ??= this.doOpen().catch((e: unknown) => {
      this.opening = undefined;
      throw e;
    });
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    const parent = path.dirname(this.dir);
    try {
      await this.fs.mkdir(this.dir);
    } catch (e) {
      const code = osErrorCode(e);
      if (code === "ENOENT")
        throw new Error(`decision log: cannot create ${this.dir}: the folder ${parent} does not exist`, { cause: e });
      if (code !== "EEXIST") throw new Error(`decision log: cannot create ${this.dir}: ${String(e)}`, { cause: e });
    }
    const info = await this.fs.stat(this.dir);
    if (!info.isDirectory()) throw new Error(`decision log: ${this.dir} is not a folder`);
    try {
      await this.fs.access(this.dir, nodeFs.constants.W_OK | nodeFs.constants.R_OK);
    } catch (e) {
      throw new Error(`decision log: the folder ${this.dir} is not readable and writable: ${String(e)}`, { cause: e });
    }
    await removeTempLeftovers(this.dir, this.logger, this.fs);
    this.key = await this.loadKey();
    const names = (await this.fs.readdir(this.dir))
      .filter((n) => n.endsWith(SEGMENT_SUFFIX) && hourOfName(n) !== undefined)
      .sort();
    const segments: Segment[] = [];
    for (const [i, name] of names.entries()) {
      segments.push(await this.scan(name, i === names.length - 1));
    }
    this.segments = segments;
  }

  /** Indexes one segment (line prefixes only), cuts off a torn last line; for the newest one (`last`), keeps its ids. */
  private async scan(name: string, last: boolean): Promise<Segment> {
    const file = path.join(this.dir, name);
    const buf = await this.fs.readFile(file);
    const segment: Segment = {
      name,
      file,
      hour: hourOfName(name)!,
      minId: "",
      maxId: "",
      minAt: Number.POSITIVE_INFINITY,
      maxAt: Number.NEGATIVE_INFINITY,
      count: 0,
      bytes: buf.length,
    };
    if (last) segment.ids = new Set();
    let broken = 0;
    forEachLine(buf, (start, end) => {
      const key = lineKey(buf, start, end);
      if (!key) {
        broken++;
        return;
      }
      this.index(segment, key.id, key.at);
    });
    if (broken > 0)
      this.logger?.warn({ path: file, lines: broken }, `decision log: ${broken} unreadable line(s) skipped`);
    const keep = buf.lastIndexOf(NL) + 1;
    if (keep < buf.length) {
      // A torn last line (a crash mid-write): cut it off so that the next append starts a clean line.
      await this.fs.truncate(file, keep);
      segment.bytes = keep;
      this.logger?.warn(
        { path: file, bytes: buf.length - keep },
        "decision log: torn last line cut off (a crash while writing)",
      );
    }
    return segment;
  }

  private index(segment: Segment, id: string, at: number): void {
    if (segment.count === 0 || id < segment.minId) segment.minId = id;
    if (segment.count === 0 || id > segment.maxId) segment.maxId = id;
    segment.minAt = Math.min(segment.minAt, at);
    segment.maxAt = Math.max(segment.maxAt, at);
    segment.count++;
    segment.ids?.add(id);
  }

  private async loadKey(): Promise<Buffer> {
    const file = path.join(this.dir, MASKING_KEY_FILE);
    const read = async () => {
      const text = (await this.fs.readFile(file, "utf8")).trim();
      if (!/^[0-9a-f]{64}$/i.test(text))
        throw new Error(
          `decision log: the masking key ${file} is not 64 hexadecimal characters; restore it (a new key changes the masks of new records)`,
        );
      return Buffer.from(text, "hex");
    };
    try {
      return await read();
    } catch (e) {
      if (osErrorCode(e) !== "ENOENT") throw e;
    }
    const tmp = path.join(this.dir, `${TMP_PREFIX}${randomBytes(6).toString("hex")}`);
    const handle = await this.fs.open(tmp, "wx", 0o600);
    try {
      await handle.writeFile(`${randomBytes(32).toString("hex")}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await this.fs.link(tmp, file); // never overwrites: a key already there wins
    } catch (e) {
      if (osErrorCode(e) !== "EEXIST") throw e;
    } finally {
      await this.fs.unlink(tmp).catch(() => undefined);
    }
    return await read();
  }

  private async ready(): Promise<void> {
    if (this.closed) throw new Error("decision log: the file storage is closed");
    await this.open();
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  append(records: readonly DecisionRecord[]): Promise<void> {
    return this.serial(async () => {
      await this.ready();
      checkBatch(records);
      if (records.length === 0) return;
      await this.refuseKnownIds(records);
      const data = records.map(lineOf).join("");
      const bytes = Buffer.byteLength(data);
      const { segment } = await this.segmentFor(records[0]!);
      let handle: FileHandle;
      try {
        handle = await this.fs.open(segment.file, "a", 0o600);
      } catch (e) {
        throw asStorageError(e, `decision log: open ${segment.file}`);
      }
      try {
        await handle.appendFile(data);
      } catch (e) {
        // All or nothing: cut the part that may have been written.
        await handle.truncate(segment.bytes).catch((t: unknown) => {
          this.logger?.warn({ path: segment.file, error: String(t) }, "decision log: could not cut a failed append");
          segment.sealed = true; // the next append starts a fresh segment
          this.current = undefined;
        });
        throw asStorageError(e, `decision log: append to ${segment.file}`);
      } finally {
        await handle.close().catch(() => undefined);
      }
      segment.bytes += bytes;
      for (const r of records) this.index(segment, r.id, atMs(r));
    });
  }

  /** Refuses ids already recorded (the segment being written keeps its ids; older ones are read if their range holds the id). */
  private async refuseKnownIds(records: readonly DecisionRecord[]): Promise<void> {
    const doubtful = new Map<Segment, string[]>();
    for (const r of records) {
      for (const s of this.segments) {
        if (s.count === 0 || r.id < s.minId || r.id > s.maxId) continue;
        if (s.ids) {
          if (s.ids.has(r.id)) throw new Error(`decision log: id ${r.id} already recorded (nothing written)`);
          continue;
        }
        doubtful.set(s, [...(doubtful.get(s) ?? []), r.id]);
      }
    }
    for (const [s, ids] of doubtful) {
      const buf = await this.readSegment(s);
      for (const id of ids) {
        if (lineStartOf(buf, id) >= 0) throw new Error(`decision log: id ${id} already recorded (nothing written)`);
      }
    }
  }

  /** The segment the batch starting with `first` goes to: the current one, or a new one. */
  private async segmentFor(first: DecisionRecord): Promise<{ segment: Segment }> {
    const hour = Math.floor(atMs(first) / HOUR_MS);
    let cur = this.current;
    if (cur && (cur.segment.hour !== hour || cur.segment.bytes >= this.segmentBytes || cur.segment.sealed)) {
      this.current = undefined;
      cur.segment.ids = undefined;
      cur = undefined;
    }
    if (cur) return cur;
    // After open(): continue the newest segment when it is of this hour and not full.
    const newest = this.segments[this.segments.length - 1];
    let segment: Segment;
    if (newest && newest.hour === hour && newest.bytes < this.segmentBytes && !newest.sealed) {
      segment = newest;
      segment.ids ??= new Set();
    } else {
      if (newest) newest.ids = undefined;
      let name = segmentName(first);
      // A sealed segment may already have this name (a retried batch): number the new one.
      for (let n = 1; this.segments.some((s) => s.name === name && s.sealed); n++)
        name = segmentName(first).replace(SEGMENT_SUFFIX, `.${n}${SEGMENT_SUFFIX}`);
      segment = this.segments.find((s) => s.name === name) ?? {
        name,
        file: path.join(this.dir, name),
        hour,
        minId: "",
        maxId: "",
        minAt: Number.POSITIVE_INFINITY,
        maxAt: Number.NEGATIVE_INFINITY,
        count: 0,
        bytes: 0,
        ids: new Set(),
      };
      if (!this.segments.includes(segment)) {
        this.segments.push(segment);
        this.segments.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      }
    }
    this.current = { segment };
    return this.current;
  }

  private async readSegment(s: Segment): Promise<Buffer> {
    try {
      return await this.fs.readFile(s.file);
    } catch (e) {
      if (osErrorCode(e) === "ENOENT") return Buffer.alloc(0); // pruned meanwhile
      throw asStorageError(e, `decision log: read ${s.file}`);
    }
  }

  async query(query: DecisionQuery): Promise<DecisionPage> {
    await this.ready();
    checkQuery(query);
    const limit = pageSize(query);
    const want = limit + 1;
    const desc = query.order !== "asc";
    /** `a` comes before `b` in the page's order. */
    const before = (a: string, b: string) => (desc ? a > b : a < b);
    const cursor = query.cursor;
    const segments = this.segments
      .filter((s) => s.count > 0)
      .sort(
        desc
          ? (a, b) => (a.maxId > b.maxId ? -1 : a.maxId < b.maxId ? 1 : 0)
          : (a, b) => (a.minId < b.minId ? -1 : a.minId > b.minId ? 1 : 0),
      );
    // Cheap necessary conditions on the line text before parsing it.
    const needles: Buffer[] = [];
    if (query.ruleset !== undefined) needles.push(Buffer.from(`"ruleset":${JSON.stringify(query.ruleset)}`));
    if (query.fired !== undefined) needles.push(Buffer.from(JSON.stringify(query.fired)));
    /** The best matches so far, in page order, at most `want`. */
    const best: DecisionRecord[] = [];
    for (const s of segments) {
      const worst = best.length === want ? best[want - 1]!.id : undefined;
      if (worst !== undefined && !before(desc ? s.maxId : s.minId, worst)) break;
      if (cursor !== undefined && (desc ? s.minId >= cursor : s.maxId <= cursor)) continue;
      if (query.from !== undefined && s.maxAt < query.from) continue;
      if (query.to !== undefined && s.minAt >= query.to) continue;
      const buf = await this.readSegment(s);
      if (needles.some((n) => !buf.includes(n))) continue; // nothing here can match
      // Lines are (almost always) in id order: newest first for "desc" fills the page soonest.
      forEachLine(
        buf,
        (start, end) => {
          const id = idAt(buf, start) ?? lineKey(buf, start, end)?.id;
          if (id === undefined) return;
          if (cursor !== undefined && !before(cursor, id)) return;
          if (best.length === want && !before(id, best[want - 1]!.id)) return;
          for (const n of needles) if (!within(buf, n, start, end)) return;
          const record = parseLine(buf, start, end);
          if (!record || !recordMatches(record, query)) return;
          insertSorted(best, record, before);
          if (best.length > want) best.pop();
        },
        desc,
      );
    }
    if (best.length > limit) {
      const items = best.slice(0, limit);
      return { items, next: items[limit - 1]!.id };
    }
    return { items: best };
  }

  async get(id: string): Promise<DecisionRecord | undefined> {
    await this.ready();
    if (typeof id !== "string" || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
    for (const s of this.segments) {
      if (s.count === 0 || id < s.minId || id > s.maxId) continue;
      const buf = await this.readSegment(s);
      const start = lineStartOf(buf, id);
      if (start < 0) continue;
      const end = buf.indexOf(NL, start);
      if (end < 0) continue; // a line still being written
      const record = parseLine(buf, start, end);
      if (record?.id === id) return record;
    }
    return undefined;
  }

  prune(policy: RetentionPolicy): Promise<RetentionResult> {
    return this.serial(async () => {
      await this.ready();
      if (!(policy.maxAgeMs >= 0 && policy.maxBytes >= 0))
        throw new Error("decision log: retention needs maxAgeMs and maxBytes of 0 or more");
      const oldest = Date.now() - policy.maxAgeMs;
      const writing = this.current?.segment;
      let removed = 0;
      const drop = async (s: Segment) => {
        try {
          await this.fs.unlink(s.file);
        } catch (e) {
          if (osErrorCode(e) !== "ENOENT") throw asStorageError(e, `decision log: remove ${s.file}`);
        }
        this.segments = this.segments.filter((x) => x !== s);
        removed += s.count;
      };
      for (const s of [...this.segments]) {
        if (s !== writing && (s.count === 0 || s.maxAt < oldest)) await drop(s);
      }
      const total = () => this.segments.reduce((n, s) => n + s.bytes, 0);
      // Oldest first: by the newest record they hold.
      const byAge = [...this.segments].sort((a, b) => a.maxAt - b.maxAt);
      for (const s of byAge) {
        if (total() <= policy.maxBytes) break;
        if (s === writing) continue;
        await drop(s);
      }
      return { removed, bytes: total() };
    });
  }

  async maskingKey(): Promise<Buffer> {
    await this.ready();
    return this.key!;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial(async () => {
      this.closed = true;
      const cur = this.current;
      this.current = undefined;
      // What the appends left in the page cache reaches the disk.
      if (cur) {
        const handle = await this.fs.open(cur.segment.file, "r").catch(() => undefined);
        if (handle) {
          try {
            await handle.sync();
          } finally {
            await handle.close();
          }
        }
      }
    });
  }
}

/** Where the line of record `id` starts in a segment, or -1. */
function lineStartOf(buf: Buffer, id: string): number {
  const needle = Buffer.from(`{"id":"${id}"`);
  for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) {
    if (at === 0 || buf[at - 1] === NL) return at;
  }
  return -1;
}

/** Inserts `r` into `list` (in page order, by id) with a binary search; a repeated id is ignored. */
function insertSorted(list: DecisionRecord[], r: DecisionRecord, before: (a: string, b: string) => boolean): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(list[mid]!.id, r.id)) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo]?.id === r.id) return;
  list.splice(lo, 0, r);
}
