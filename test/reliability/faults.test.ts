/**
 * The CI slice of `npm run faults` (scripts/faults.ts): the same code on the real service process
 * with small numbers — 5 kill -9 rounds on the file store and 3 on PostgreSQL (PostgreSQL absent:
 * skipped with the reason, a failure under CI), disk
 * full and read-only data folder on a tmpfs (where mounting is permitted; else skipped with the
 * reason) with the PostgreSQL outage, and 2 SIGTERM rounds — each asserting zero violations.
 * The service runs from dist/ when it is up to date (scripts/ensure-build.js's staleReason: seconds
 * less per start on a loaded box), else from the TypeScript sources (tsx); in both cases with
 * AUTHORING_WORKERS=0 (compiling and suites in the service's own thread): a restarted service then
 * publishes without first starting a worker and loading the compiler there, seconds per round on a
 * loaded box. The store's publish path — what a kill interrupts — is the same; `npm run faults`
 * runs with the default worker pool.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { requirePostgres } from "../helpers/postgres.js";
import { ROOT } from "../helpers/service-process.js";
import type { CaseFigures } from "./faults/figures.js";
import { killAll } from "./faults/fixture.js";
import { mountRefusal, unmountAll } from "./faults/mounts.js";
import { type CaseName, runFaults } from "./faults/run.js";

vi.setConfig({ testTimeout: 600_000, hookTimeout: 60_000 });

afterAll(async () => {
  killAll();
  await unmountAll();
});

const seed = Number(process.env.FAULTS_SEED || Math.floor(Math.random() * 2 ** 31));
const pgReady = (await requirePostgres()).ok;
const noMount = await mountRefusal();
if (noMount)
  process.stderr.write(
    `[faults] disk-full / read-only cases skipped: ${noMount} (in process: test/server/storage-errors.test.ts)\n`,
  );

/** Whether dist/ is up to date (then the service starts from it; this test never builds it). */
const distStale = spawnSync(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    "const m = await import(process.argv[1]); process.stdout.write(m.staleReason() ?? '')",
    pathToFileURL(join(ROOT, "scripts", "ensure-build.js")).href,
  ],
  { encoding: "utf8" },
);
const built = distStale.status === 0 && distStale.stdout === "";
process.stderr.write(
  `[faults] service from ${built ? "dist/" : `the TypeScript sources (dist/: ${distStale.stdout || distStale.stderr.slice(0, 200)})`}\n`,
);

async function run(cases: CaseName[], rounds: { kill?: number; pgKill?: number; sigterm?: number }) {
  const lines: string[] = [];
  const figures = await runFaults({
    seed,
    killRounds: rounds.kill ?? 0,
    pgKillRounds: pgReady ? (rounds.pgKill ?? 0) : 0,
    sigtermRounds: rounds.sigterm ?? 0,
    cases: new Set(cases),
    built,
    serviceEnv: { AUTHORING_WORKERS: "0" },
    log: (line) => lines.push(line),
  });
  return { figures, lines };
}

function expectClean(f: CaseFigures | undefined, lines: readonly string[]): void {
  expect(f, lines.join("\n")).toBeDefined();
  expect(f!.violations, `seed ${seed}\n${lines.join("\n")}`).toEqual([]);
  expect(f!.lost + f!.corrupt + f!.leftoverTemp + f!.decisionsFailed).toBe(0);
}

describe(`fault injection on the real service process (seed ${seed})`, () => {
  it("kill -9 at random points of publishes and roll backs: nothing acknowledged is lost or altered, no temp file is left, decisions come from the active version", async () => {
    const { figures, lines } = await run(["kill"], { kill: 5, pgKill: 3 });
    const file = figures.find((f) => f.name === "kill -9 (file)");
    expectClean(file, lines);
    expect(file!.rounds).toBe(5);
    expect(file!.faults).toBe(5);
    expect(file!.decisions).toBeGreaterThan(0);
    if (pgReady) {
      const onPg = figures.find((f) => f.name === "kill -9 (postgres)");
      expectClean(onPg, lines);
      expect(onPg!.faults).toBe(3);
    }
  });

  it.skipIf(noMount !== undefined)(
    "disk full and read-only data folder (tmpfs): authoring refused with 507 / 503 and nothing written, decisions go on, publishing works once the disk recovers",
    async () => {
      const { figures, lines } = await run(["storage"], {});
      for (const name of ["disk full (file, tmpfs)", "read-only data folder (file, tmpfs)"]) {
        const f = figures.find((x) => x.name === name);
        expectClean(f, lines);
        expect(f!.skipped).toBeUndefined();
        expect(f!.faults).toBe(1);
        expect(f!.acknowledged).toBe(1);
        expect(f!.decisions).toBe(25);
      }
      if (pgReady)
        expectClean(
          figures.find((x) => x.name === "PostgreSQL stopped (postgres)"),
          lines,
        );
    },
  );

  it("SIGTERM with requests in flight: every request taken is answered, the publish is committed iff answered 201, exit 0", async () => {
    const { figures, lines } = await run(["sigterm"], { sigterm: 2 });
    const f = figures.find((x) => x.name === "SIGTERM in flight (file)");
    expectClean(f, lines);
    expect(f!.rounds).toBe(2);
    // The first round takes every request before SIGTERM: its 20 decides and its publish are answered.
    expect(f!.decisions).toBeGreaterThanOrEqual(20);
    expect(f!.acknowledged).toBeGreaterThanOrEqual(1);
  });
});
