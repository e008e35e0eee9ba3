/**
 * Storage faults on a real service process.
 *
 * File store: DATA_DIR on a small tmpfs.
 *   - disk full: a filler file takes every free byte; a publish (and a roll back) answers 507
 *     STORAGE_FULL and writes nothing (the rule set's folder as it was: no temp file, no version),
 *     decisions go on from the active version; the filler removed, the next publish works;
 *   - read-only: the tmpfs remounted read-only; publish and roll back answer 503
 *     STORAGE_READ_ONLY, decisions go on; remounted read-write, the next publish works.
 * Where mounting is not permitted (not root, no CAP_SYS_ADMIN, not Linux) both cases are skipped
 * with the reason; test/server/storage-errors.test.ts covers the same answers in process.
 *
 * PostgreSQL: the database stopped mid-run; publishing answers 503 STORE_UNREACHABLE, decisions
 * go on, /ready (still 200) says the store is degraded; started again, a publish works and /ready
 * is back to ready — the same service process, never restarted.
 */
import { open, readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { ServiceProcess } from "../../helpers/service-process.js";
import type { TempPostgres } from "../../helpers/postgres.js";
import { emptyFigures, violation, type CaseFigures } from "./figures.js";
import { fetchJson } from "./http.js";
import { faultSource, faultSuite, launch, RULESET, type TempDirs, writeRulesDir } from "./fixture.js";
import { mountTmpfs, remount, unmount } from "./mounts.js";

export interface StorageOptions {
  readonly temp: TempDirs;
  readonly log: (line: string) => void;
  readonly built?: boolean;
}

interface ReadyBody {
  status?: string;
  store?: { state?: string };
}

/** Polls `check` until it holds (true) or `budgetMs` has passed (false). */
async function until(budgetMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface ErrorBody {
  error?: { code?: string };
}

const publish = (s: ServiceProcess, marker: number) =>
  fetchJson<{ version?: number } & ErrorBody>(s.url, `/v1/rulesets/${RULESET}/versions`, {
    source: faultSource(marker),
    tests: faultSuite(marker),
    message: `storage faults ${marker}`,
  });

const rollback = (s: ServiceProcess, version: number) =>
  fetchJson<ErrorBody>(s.url, `/v1/rulesets/${RULESET}/rollback`, { version });

/** `count` decisions; each must be 200 from `version` with `marker`. */
async function decideMany(
  s: ServiceProcess,
  f: CaseFigures,
  count: number,
  version: number,
  marker: number,
  where: string,
) {
  for (let i = 0; i < count; i++) {
    f.decisions++;
    const d = await fetchJson<{ version?: number; decision?: { marca?: number } }>(s.url, `/v1/decide/${RULESET}`, {
      facts: { valor: i + 1 },
    });
    if (d.status !== 200 || d.json?.version !== version || d.json.decision?.marca !== marker) {
      f.decisionsFailed++;
      violation(
        f,
        `${where}: decision ${d.status} v${String(d.json?.version)}, expected 200 from v${version} (marca ${marker})`,
      );
    }
  }
}

function expectRefusal(
  f: CaseFigures,
  got: { status: number; json: ErrorBody | undefined },
  status: number,
  code: string,
  where: string,
  log: (line: string) => void,
): void {
  if (got.status !== status || got.json?.error?.code !== code)
    violation(f, `${where}: answered ${got.status} ${String(got.json?.error?.code)}, expected ${status} ${code}`, log);
}

/** Fills the file system holding `dir` to the last byte (tmpfs: to the last page). */
async function fill(dir: string): Promise<string> {
  const filler = join(dir, "filler");
  const fh = await open(filler, "w");
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 9, 1]) {
      const chunk = Buffer.alloc(size, 0x61);
      for (;;) {
        try {
          await fh.write(chunk);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ENOSPC") break;
          throw e;
        }
      }
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
  return filler;
}

export async function runStorageFaults(options: StorageOptions): Promise<CaseFigures[]> {
  const { log } = options;
  const full = emptyFigures("disk full (file, tmpfs)");
  const readOnly = emptyFigures("read-only data folder (file, tmpfs)");
  const mountPoint = await options.temp.make("tmpfs");
  const reason = await mountTmpfs(mountPoint, 32 * 1024 * 1024);
  if (reason !== undefined) {
    full.skipped = reason;
    readOnly.skipped = reason;
    log(`  storage faults skipped: ${reason} (the in-process equivalent is test/server/storage-errors.test.ts)`);
    return [full, readOnly];
  }
  let s: ServiceProcess | undefined;
  try {
    const dataDir = join(mountPoint, "data");
    const rulesDir = await options.temp.make("rules");
    await writeRulesDir(rulesDir);
    s = await launch({ dataDir, rulesDir, ...(options.built !== undefined ? { built: options.built } : {}) });
    const setDir = join(dataDir, "rulesets", RULESET);
    const first = await publish(s, 2);
    if (first.status !== 201) throw new Error(`the first publish answered ${first.status}`);

    // Disk full.
    full.rounds = 1;
    const filler = await fill(mountPoint);
    full.faults++;
    const files = (await readdir(setDir)).sort();
    expectRefusal(full, await publish(s, 3), 507, "STORAGE_FULL", "disk full: publish", log);
    expectRefusal(full, await rollback(s, 1), 507, "STORAGE_FULL", "disk full: roll back", log);
    const after = (await readdir(setDir)).sort();
    if (after.join() !== files.join()) {
      full.leftoverTemp += after.filter((x) => x.startsWith(".tmp-")).length;
      violation(full, `disk full: the rule set's folder changed: ${files.join(",")} → ${after.join(",")}`, log);
    }
    await decideMany(s, full, 20, 2, 2, "disk full");
    await unlink(filler);
    const freed = await publish(s, 3);
    if (freed.status === 201) full.acknowledged++;
    else violation(full, `space freed: publish answered ${freed.status}`, log);
    await decideMany(s, full, 5, 3, 3, "space freed");
    log(
      `  [${full.name}] 507 STORAGE_FULL while full, ${full.decisions - full.decisionsFailed}/${full.decisions} decisions served, publish after freeing: ${freed.status}`,
    );

    // Read-only.
    readOnly.rounds = 1;
    await remount(mountPoint, "ro");
    readOnly.faults++;
    try {
      const before = (await readdir(setDir)).sort();
      expectRefusal(readOnly, await publish(s, 4), 503, "STORAGE_READ_ONLY", "read-only: publish", log);
      expectRefusal(readOnly, await rollback(s, 1), 503, "STORAGE_READ_ONLY", "read-only: roll back", log);
      const now = (await readdir(setDir)).sort();
      if (now.join() !== before.join()) violation(readOnly, "read-only: the rule set's folder changed", log);
      await decideMany(s, readOnly, 20, 3, 3, "read-only");
    } finally {
      await remount(mountPoint, "rw");
    }
    const back = await publish(s, 4);
    if (back.status === 201) readOnly.acknowledged++;
    else violation(readOnly, `read-write again: publish answered ${back.status}`, log);
    await decideMany(s, readOnly, 5, 4, 4, "read-write again");
    log(
      `  [${readOnly.name}] 503 STORAGE_READ_ONLY while read-only, ${readOnly.decisions - readOnly.decisionsFailed}/${readOnly.decisions} decisions served, publish after remounting rw: ${back.status}`,
    );

    s.child.kill("SIGTERM");
    const code = await s.exited;
    if (code !== 0) violation(readOnly, `exit code ${String(code)} after SIGTERM`, log);
  } finally {
    if (s && s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill("SIGKILL");
      await s.exited;
    }
    await unmount(mountPoint);
  }
  return [full, readOnly];
}

/**
 * PostgreSQL stopped while the service runs: authoring 503 STORE_UNREACHABLE, decisions go on;
 * PostgreSQL started again: publishing works again without restarting the service.
 */
export async function runPostgresOutage(
  options: StorageOptions & { readonly pg: TempPostgres; readonly databaseUrl: string },
): Promise<CaseFigures> {
  const { log, pg } = options;
  const f = emptyFigures("PostgreSQL stopped (postgres)");
  const dataDir = await options.temp.make("data");
  const rulesDir = await options.temp.make("rules");
  await writeRulesDir(rulesDir);
  const s = await launch({
    dataDir,
    rulesDir,
    env: { DATABASE_URL: options.databaseUrl },
    ...(options.built !== undefined ? { built: options.built } : {}),
  });
  try {
    f.rounds = 1;
    const first = await publish(s, 2);
    if (first.status !== 201) throw new Error(`the first publish answered ${first.status}`);
    f.acknowledged++;
    await pg.stop();
    f.faults++;
    try {
      expectRefusal(f, await publish(s, 3), 503, "STORE_UNREACHABLE", "database stopped: publish", log);
      expectRefusal(f, await rollback(s, 1), 503, "STORE_UNREACHABLE", "database stopped: roll back", log);
      await decideMany(s, f, 20, 2, 2, "database stopped");
      // /ready stays 200 (deciding goes on) and says the store is degraded.
      const degraded = await until(60_000, async () => {
        const ready = await fetchJson<ReadyBody>(s.url, "/ready");
        return ready.status === 200 && ready.json?.status === "degraded" && ready.json.store?.state === "degraded";
      });
      if (!degraded) violation(f, "database stopped: /ready did not report the store degraded within 60 s", log);
    } finally {
      await pg.start();
    }
    // Recovery needs no restart: the same process publishes again (it may take a reconnect).
    let back = await publish(s, 3);
    const deadline = Date.now() + 60_000;
    while (back.status !== 201 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      back = await publish(s, 3);
    }
    if (back.status === 201) f.acknowledged++;
    else violation(f, `database started again: publish still answers ${back.status} after 60 s`, log);
    const ok = await until(60_000, async () => {
      const ready = await fetchJson<ReadyBody>(s.url, "/ready");
      return ready.status === 200 && ready.json?.status === "ready" && ready.json.store?.state === "ok";
    });
    if (!ok) violation(f, "database started again: /ready did not return to ready within 60 s", log);
    if (s.child.exitCode !== null) violation(f, "the service exited during the outage", log);
    await decideMany(s, f, 5, 3, 3, "database back");
    log(
      `  [${f.name}] publish while stopped refused, ${f.decisions - f.decisionsFailed}/${f.decisions} decisions served, publish after restart of the database: ${back.status}`,
    );
  } finally {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill("SIGTERM");
      await s.exited;
    }
  }
  return f;
}
