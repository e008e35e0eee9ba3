/**
 * `npm run soak`: mixed decisions, batches and publishes / roll backs against the real service for
 * SOAK_SECONDS (default 600), checking every answer (the suites are the oracle), the coherence of
 * the versions served, latency and memory over time; see docs/reliability.md, "Soak".
 *
 * Environment: SOAK_SECONDS (default 600), SOAK_SEED (default: random, printed), SOAK_MODE (`file`:
 * one service on the file store; `replicas`: two services on one throw-away PostgreSQL; default:
 * both, one after the other, when PostgreSQL is available and the service supports it, else `file`
 * with the reason printed), SOAK_CLIENTS (decide clients, default 6), SOAK_BATCH_CLIENTS (default 2),
 * SOAK_PUBLISH_MS (default 3000), SOAK_WINDOW_S (figures every, default 30), SOAK_BUILT=1 (run
 * dist/server/main.js; build first). Exits 1 on errors, incoherent decisions or memory growth.
 */
import type { ChildProcess } from "node:child_process";
import { postgresAvailability, startTempPostgres, type TempPostgres } from "../test/helpers/postgres.js";
import { failures, finalReport } from "../test/soak/report.js";
import { removeLiveRoots, runSoak, type SoakMode, type SoakResult } from "../test/soak/run.js";

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : Math.floor(Math.random() * 2 ** 31);
const requested = process.env.SOAK_MODE;
const int = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

if (!Number.isFinite(seconds) || seconds <= 0) {
  process.stderr.write("SOAK_SECONDS deve ser um número de segundos maior que zero\n");
  process.exit(2);
}
if (requested && requested !== "file" && requested !== "replicas") {
  process.stderr.write(`SOAK_MODE deve ser file ou replicas (recebido: ${requested})\n`);
  process.exit(2);
}

async function modes(): Promise<SoakMode[]> {
  const pg = await postgresAvailability();
  const why = pg.ok ? undefined : pg.reason;
  if (requested === "file") return ["file"];
  if (requested === "replicas") {
    if (why) {
      process.stderr.write(`SOAK_MODE=replicas impossível: ${why}\n`);
      process.exit(2);
    }
    return ["replicas"];
  }
  if (why) {
    console.log(`[soak] only the file mode: ${why}`);
    return ["file"];
  }
  return ["file", "replicas"];
}

const children = new Set<ChildProcess>();
let pg: TempPostgres | undefined;
const cleanUp = () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  removeLiveRoots();
};
process.on("SIGINT", () => {
  cleanUp();
  void (pg?.destroy() ?? Promise.resolve()).finally(() => process.exit(130));
});

const runs: SoakResult[] = [];
try {
  for (const mode of await modes()) {
    console.log(
      `[soak ${mode}] ${seconds} s, seed ${seed}${mode === "replicas" ? ", two replicas on one PostgreSQL" : ", one service on the file store"}`,
    );
    let databaseUrl: string | undefined;
    if (mode === "replicas") {
      pg = await startTempPostgres();
      databaseUrl = await pg.createDatabase("soak");
    }
    try {
      runs.push(
        await runSoak({
          mode,
          seconds,
          seed,
          clients: int("SOAK_CLIENTS", 6),
          batchClients: int("SOAK_BATCH_CLIENTS", 2),
          publishEveryMs: int("SOAK_PUBLISH_MS", 3000),
          windowSeconds: int("SOAK_WINDOW_S", 30),
          ...(databaseUrl ? { databaseUrl } : {}),
          built: process.env.SOAK_BUILT === "1",
          log: (l) => console.log(l),
          track: (c) => {
            children.add(c);
            c.on("exit", () => children.delete(c));
          },
        }),
      );
    } finally {
      await pg?.destroy();
      pg = undefined;
    }
  }
} finally {
  cleanUp();
}

console.log(finalReport(runs));
const failed = runs.flatMap((r) => failures(r).map((f) => `${r.mode}: ${f}`));
console.log(failed.length ? `\nsoak FAILED: ${failed.join("; ")}` : "\nsoak passed");
process.exit(failed.length ? 1 : 0);
