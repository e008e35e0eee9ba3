/**
 * A throw-away PostgreSQL server for tests and the reliability scripts: its own cluster in a temp
 * folder (initdb), on a free loopback port, with trust authentication, started and stopped with
 * pg_ctl — so that a test can stop PostgreSQL mid-run and start it again.
 *
 * The binaries come from Debian's `postgresql` package (`/usr/lib/postgresql/<major>/bin`), or
 * from the folder named by PG_BIN. PostgreSQL refuses to run as root: as root, every command
 * runs as the `postgres` user the package creates (runuser), and the cluster folder belongs to it.
 *
 * Where the binaries are absent, `postgresAvailability()` says why; tests then skip with that
 * reason printed — except under CI (CI=true), where .ci/run installs the package and an absent
 * PostgreSQL is a failure (`requirePostgres`).
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export type PostgresAvailability =
  | { readonly ok: true; readonly bin: string; readonly asUser: { uid: number; gid: number } | undefined }
  | { readonly ok: false; readonly reason: string };

/** The folder holding initdb, pg_ctl and postgres: PG_BIN, else the newest /usr/lib/postgresql/<major>/bin. */
function findBin(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, "initdb")) ? fromEnv : undefined;
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(base, d, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(base, majors[0], "bin") : undefined;
}

let cached: PostgresAvailability | undefined;

/** Whether a throw-away PostgreSQL can be started here, and how. */
export async function postgresAvailability(): Promise<PostgresAvailability> {
  if (cached) return cached;
  const bin = findBin();
  if (!bin) {
    cached = {
      ok: false,
      reason:
        "PostgreSQL não encontrado (instale o pacote Debian `postgresql`, ou aponte PG_BIN para a pasta de initdb e pg_ctl)",
    };
    return cached;
  }
  if (process.getuid?.() !== 0) {
    cached = { ok: true, bin, asUser: undefined };
    return cached;
  }
  try {
    const { stdout: uid } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    cached = { ok: true, bin, asUser: { uid: Number(uid.trim()), gid: Number(gid.trim()) } };
  } catch {
    cached = {
      ok: false,
      reason:
        "rodando como root sem o usuário `postgres` (o PostgreSQL não roda como root; instale o pacote `postgresql`)",
    };
  }
  return cached;
}

/**
 * For test files: the availability, with the reason printed when absent; under CI an absent
 * PostgreSQL throws (CI installs it, so its absence is a defect of the run, never a skip).
 */
export async function requirePostgres(): Promise<PostgresAvailability> {
  const a = await postgresAvailability();
  if (!a.ok) {
    if (process.env.CI) throw new Error(`CI sem PostgreSQL: ${a.reason}`);
    process.stderr.write(`[postgres] testes com PostgreSQL pulados: ${a.reason}\n`);
  }
  return a;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface TempPostgresOptions {
  /** fsync on (the faults script wants real durability); default off, for speed. */
  readonly fsync?: boolean;
  /** Extra `-c name=value` settings. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface TempPostgres {
  readonly port: number;
  readonly dataDir: string;
  /** A connection URL for a database of this server (default `postgres`). */
  url(database?: string): string;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Runs SQL with psql as the superuser (setup and inspection in tests). */
  psql(sql: string, database?: string): Promise<string>;
  /** Fast shutdown (pg_ctl stop -m fast): connections are cut, as when the database goes away. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  readonly running: boolean;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

/** Initialises and starts a throw-away cluster. Throws when PostgreSQL is not available here. */
export async function startTempPostgres(options: TempPostgresOptions = {}): Promise<TempPostgres> {
  const a = await postgresAvailability();
  if (!a.ok) throw new Error(a.reason);
  const { bin, asUser } = a;
  const root = await mkdtemp(join(tmpdir(), "pg-test-"));
  const dataDir = join(root, "data");
  if (asUser) await chown(root, asUser.uid, asUser.gid);
  const exec = async (cmd: string, args: readonly string[]): Promise<string> => {
    const full = join(bin, cmd);
    const { stdout } = asUser
      ? await run("runuser", ["-u", "postgres", "--", full, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 })
      : await run(full, [...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  };
  await exec("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    port: String(port),
    unix_socket_directories: root,
    fsync: options.fsync ? "on" : "off",
    synchronous_commit: options.fsync ? "on" : "off",
    full_page_writes: options.fsync ? "on" : "off",
    max_connections: "200",
    ...options.settings,
  };
  const opts = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(" ");
  let running = false;
  const start = async () => {
    await exec("pg_ctl", ["-D", dataDir, "-l", join(root, "server.log"), "-o", opts, "-w", "-t", "120", "start"]);
    running = true;
  };
  const stop = async () => {
    if (!running) return;
    await exec("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "120", "stop"]);
    running = false;
  };
  await start();
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const psql = (sql: string, database = "postgres") =>
    exec("psql", [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      "postgres",
      "-d",
      database,
      "-XAtq",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      sql,
    ]);
  let databases = 0;
  return {
    port,
    dataDir,
    url,
    psql,
    async createDatabase(name = `t${process.pid}_${++databases}_${Date.now().toString(36)}`) {
      await psql(`CREATE DATABASE "${name}"`);
      return url(name);
    },
    stop,
    start,
    get running() {
      return running;
    },
    async destroy() {
      await stop().catch(() => undefined);
      if (existsSync(root) && statSync(root).isDirectory()) await rm(root, { recursive: true, force: true });
    },
  };
}
