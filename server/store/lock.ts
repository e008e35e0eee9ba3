/**
 * The data-directory lock of the embedded store: `DATA_DIR/.lock`, created with O_EXCL (`wx`),
 * holding the owner's pid, host name, start time and a random token. The embedded store serves
 * ONE process: a second process on the same folder is refused at start with a message naming the
 * owner and the folder. A lock left by a process that is gone (crash, kill -9) is taken over with
 * a log line:
 *   - same host, pid not alive: stale;
 *   - same host, same pid as ours but another process start time: a previous incarnation that
 *     had the same pid (containers, where the service is often pid 1): stale;
 *   - same host, pid alive (another process, or this very process through another store
 *     instance): refused;
 *   - another host: its pid cannot be checked from here: refused, the message says which file to
 *     remove once the other machine is known not to use the folder.
 * A lock file that cannot be parsed is taken over only once it is a few seconds old (a process
 * may be between creating and writing it). `release()` removes the file only while it still
 * holds this lock's token.
 */
import { randomBytes } from "node:crypto";
import * as nodeFs from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import * as path from "node:path";

export const LOCK_FILE = ".lock";

/** What the lock file holds. */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** ISO instant the lock was taken. */
  readonly startedAt: string;
  /** The owner process's start (performance.timeOrigin, ms): tells a reused pid apart. */
  readonly processStartedAt: number;
  readonly token: string;
}

export type LockFs = Pick<typeof nodeFs, "open" | "readFile" | "unlink" | "stat">;

export interface DataDirLockOptions {
  /** Defaults: this process. */
  readonly pid?: number;
  readonly hostname?: string;
  readonly processStartedAt?: number;
  readonly now?: () => Date;
  /** Whether `pid` is a live process on this host. Default: `process.kill(pid, 0)`. */
  readonly isAlive?: (pid: number) => boolean;
  /** Told when a stale lock is taken over. */
  readonly onTakeover?: (previous: LockOwner | undefined, lockPath: string) => void;
  readonly fs?: LockFs;
}

export interface DataDirLock {
  readonly path: string;
  readonly owner: LockOwner;
  release(): Promise<void>;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly lockPath: string,
    readonly owner: LockOwner,
    message: string,
  ) {
    super(message);
    this.name = "DataDirLockedError";
  }
}

function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as { code?: unknown }).code === "EPERM";
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (
      typeof raw === "object" &&
      raw !== null &&
      Number.isSafeInteger(raw.pid) &&
      (raw.pid as number) > 0 &&
      typeof raw.hostname === "string" &&
      typeof raw.startedAt === "string" &&
      typeof raw.processStartedAt === "number" &&
      typeof raw.token === "string"
    ) {
      return raw as unknown as LockOwner;
    }
  } catch {
    // not JSON: handled by the caller
  }
  return undefined;
}

const errorCode = (e: unknown): unknown =>
  typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;

/** How old an unparsable lock file must be before it counts as a crash leftover. */
const UNPARSABLE_GRACE_MS = 3_000;

/**
 * Takes the lock of `dataDir` (which must exist) or throws DataDirLockedError; other errors (an
 * unwritable folder) are thrown as they are.
 */
export async function acquireDataDirLock(dataDir: string, options: DataDirLockOptions = {}): Promise<DataDirLock> {
  const io = options.fs ?? nodeFs;
  const lockPath = path.join(dataDir, LOCK_FILE);
  const me: LockOwner = {
    pid: options.pid ?? process.pid,
    hostname: options.hostname ?? osHostname(),
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
    processStartedAt: options.processStartedAt ?? Math.round(performance.timeOrigin),
    token: randomBytes(12).toString("hex"),
  };
  const isAlive = options.isAlive ?? defaultIsAlive;

  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const fh = await io.open(lockPath, "wx", 0o644);
      try {
        await fh.writeFile(`${JSON.stringify(me)}\n`, "utf8");
        await fh.sync();
      } catch (e) {
        await fh.close().catch(() => undefined);
        await io.unlink(lockPath).catch(() => undefined);
        throw e;
      }
      await fh.close();
      return {
        path: lockPath,
        owner: me,
        async release() {
          let text: string;
          try {
            text = await io.readFile(lockPath, "utf8");
          } catch {
            return;
          }
          if (parseOwner(text)?.token === me.token) await io.unlink(lockPath).catch(() => undefined);
        },
      };
    } catch (e) {
      if (errorCode(e) !== "EEXIST") throw e;
    }

    let text: string;
    try {
      text = await io.readFile(lockPath, "utf8");
    } catch (e) {
      if (errorCode(e) === "ENOENT") continue; // released meanwhile: try again
      throw e;
    }
    const owner = parseOwner(text);
    if (!owner) {
      let age = Number.POSITIVE_INFINITY;
      try {
        age = Date.now() - (await io.stat(lockPath)).mtimeMs;
      } catch (e) {
        if (errorCode(e) === "ENOENT") continue;
      }
      if (age < UNPARSABLE_GRACE_MS) {
        await new Promise((resolve) => setTimeout(resolve, 50)); // its writer may be mid-write
        continue;
      }
      options.onTakeover?.(undefined, lockPath);
      await io.unlink(lockPath).catch((err: unknown) => {
        if (errorCode(err) !== "ENOENT") throw err;
      });
      continue;
    }
    if (owner.hostname !== me.hostname) {
      throw new DataDirLockedError(
        dataDir,
        lockPath,
        owner,
        `a pasta de dados ${dataDir} está travada pelo processo ${owner.pid} da máquina ${owner.hostname} (desde ${owner.startedAt}); daqui não é possível saber se ele ainda roda. O armazenamento embutido serve um processo só: pare o outro processo ou, se tiver certeza de que nenhum outro usa a pasta, apague ${lockPath}.`,
      );
    }
    const previousIncarnation = owner.pid === me.pid && owner.processStartedAt !== me.processStartedAt;
    if (!previousIncarnation && isAlive(owner.pid)) {
      throw new DataDirLockedError(
        dataDir,
        lockPath,
        owner,
        `a pasta de dados ${dataDir} já está em uso pelo processo ${owner.pid} (desde ${owner.startedAt}): o armazenamento embutido serve um processo só. Pare o outro processo ou use outra DATA_DIR.`,
      );
    }
    // Stale: its owner is gone. Take it over, unless another starting process just did.
    const again = await io.readFile(lockPath, "utf8").catch(() => undefined);
    if (again !== text) continue;
    options.onTakeover?.(owner, lockPath);
    await io.unlink(lockPath).catch((err: unknown) => {
      if (errorCode(err) !== "ENOENT") throw err;
    });
  }
  throw new Error(`could not take the lock ${lockPath}: it kept changing`);
}
