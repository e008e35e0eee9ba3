/**
 * The whole fault-injection run, shared by `npm run faults` (scripts/faults.ts: full numbers) and
 * its CI slice (test/reliability/faults.test.ts: small numbers): which cases run, on which store,
 * and the figures of each. PostgreSQL cases run when the service selects the PostgreSQL store by
 * DATABASE_URL (server/main.ts wires `createPostgresStore`) and PostgreSQL can be started here
 * (test/helpers/postgres.ts); otherwise they are reported as skipped, with the reason.
 */
import pg from "pg";
import { postgresAvailability, startTempPostgres, type TempPostgres } from "../../helpers/postgres.js";
import { emptyFigures, violation, type CaseFigures } from "./figures.js";
import { killAll, setRunEnv, TempDirs } from "./fixture.js";
import { runKillRounds } from "./kill.js";
import { runSigtermRounds } from "./sigterm.js";
import { runPostgresOutage, runStorageFaults } from "./storage.js";

export type CaseName = "kill" | "storage" | "sigterm";

export interface FaultsConfig {
  readonly seed: number;
  /** kill -9 rounds on the file store. */
  readonly killRounds: number;
  /** kill -9 rounds on PostgreSQL. */
  readonly pgKillRounds: number;
  readonly sigtermRounds: number;
  readonly cases: ReadonlySet<CaseName>;
  /** Run dist/server/main.js (fresh: see scripts/ensure-build.js) instead of the TypeScript sources. */
  readonly built: boolean;
  readonly log: (line: string) => void;
  /** Whether PostgreSQL's absence is a failure (CI) rather than a skip. */
  readonly requirePostgres?: boolean;
  /** Extra environment for every service started (e.g. AUTHORING_WORKERS). */
  readonly serviceEnv?: Readonly<Record<string, string>>;
}

/** Whether the service really keeps its data in the database at `url` (it made tables there). */
async function tablesIn(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    );
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

export async function runFaults(config: FaultsConfig): Promise<CaseFigures[]> {
  const { log } = config;
  const temp = new TempDirs();
  const out: CaseFigures[] = [];
  const built = config.built;
  let cluster: TempPostgres | undefined;
  setRunEnv(config.serviceEnv ?? {});
  try {
    // Can the PostgreSQL cases run?
    let pgSkip: string | undefined;
    const a = await postgresAvailability();
    if (!a.ok) {
      if (config.requirePostgres) throw new Error(`PostgreSQL required: ${a.reason}`);
      pgSkip = a.reason;
    }
    const pgDatabase = async (): Promise<string> => {
      cluster ??= await startTempPostgres({ fsync: true });
      return await cluster.createDatabase();
    };
    const pgSkipped = (name: string): CaseFigures => {
      const f = emptyFigures(name);
      f.skipped = pgSkip!;
      log(`  ${name}: skipped — ${pgSkip}`);
      return f;
    };

    if (config.cases.has("kill")) {
      if (config.killRounds > 0) {
        log(`kill -9 during publishes and roll backs: ${config.killRounds} rounds on the file store`);
        out.push(
          await runKillRounds({
            name: "kill -9 (file)",
            rounds: config.killRounds,
            seed: config.seed,
            temp,
            log,
            built,
          }),
        );
      }
      if (config.pgKillRounds > 0) {
        if (pgSkip !== undefined) out.push(pgSkipped("kill -9 (postgres)"));
        else {
          log(`kill -9 during publishes and roll backs: ${config.pgKillRounds} rounds on PostgreSQL`);
          const databaseUrl = await pgDatabase();
          const f = await runKillRounds({
            name: "kill -9 (postgres)",
            rounds: config.pgKillRounds,
            seed: config.seed + 1,
            temp,
            log,
            built,
            databaseUrl,
          });
          if ((await tablesIn(databaseUrl)) === 0)
            violation(f, "the service ignored DATABASE_URL: no table in the database", log);
          out.push(f);
        }
      }
    }
    if (config.cases.has("storage")) {
      log("disk full and read-only data folder (file store on a tmpfs)");
      out.push(...(await runStorageFaults({ temp, log, built })));
      if (pgSkip !== undefined) out.push(pgSkipped("PostgreSQL stopped (postgres)"));
      else {
        log("PostgreSQL stopped and started again under a running service");
        const databaseUrl = await pgDatabase();
        out.push(await runPostgresOutage({ temp, log, built, pg: cluster!, databaseUrl }));
      }
    }
    if (config.cases.has("sigterm")) {
      log(`SIGTERM with requests in flight: ${config.sigtermRounds} rounds (file store)`);
      out.push(
        await runSigtermRounds({
          name: "SIGTERM in flight (file)",
          rounds: config.sigtermRounds,
          seed: config.seed,
          temp,
          log,
          built,
        }),
      );
    }
  } finally {
    killAll();
    await cluster?.destroy().catch(() => undefined);
    await temp.removeAll();
  }
  return out;
}
