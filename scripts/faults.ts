/**
 * `npm run faults`: fault injection against the real service process (test/reliability/faults/),
 * printing progress and a final table of figures; exits 1 on any violation.
 *   1. kill -9 at random points of publishes and roll backs (file store; PostgreSQL when the
 *      service selects it by DATABASE_URL), then a restart and the checks: every acknowledged
 *      version intact, versions contiguous, the active one the last acknowledged (or a later one
 *      committed without its 201), no temp file left, decisions served by the active version,
 *      one audit line per version;
 *   2. disk full and read-only data folder on a tmpfs (root with CAP_SYS_ADMIN; skipped with the
 *      reason elsewhere), and PostgreSQL stopped under a running service;
 *   3. SIGTERM with requests in flight: every request taken answered, the publish committed iff
 *      answered 201, exit 0.
 *
 * Environment: FAULTS_ROUNDS (kill -9 rounds per store, default 100), FAULTS_PG_ROUNDS (default
 * FAULTS_ROUNDS), FAULTS_SIGTERM_ROUNDS (default 20), FAULTS_SEED (default: random, printed),
 * FAULTS_CASES (comma list of kill, storage, sigterm; default all), FAULTS_BUILT (default 1: build
 * dist/ when stale with scripts/ensure-build.js and run it, as `npm start` does; 0: the TypeScript
 * sources through tsx, slower to start).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../test/helpers/service-process.js";
import { skipReasons, summaryTable } from "../test/reliability/faults/figures.js";
import { installCleanup } from "../test/reliability/faults/mounts.js";
import { type CaseName, runFaults } from "../test/reliability/faults/run.js";

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`${name} must be a non-negative integer, not ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
}

const ALL_CASES: readonly CaseName[] = ["kill", "storage", "sigterm"];
const rounds = intEnv("FAULTS_ROUNDS", 100);
const seed = intEnv("FAULTS_SEED", Math.floor(Math.random() * 2 ** 31));
const cases = new Set(
  (process.env.FAULTS_CASES || ALL_CASES.join(","))
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== ""),
);
for (const c of cases)
  if (!ALL_CASES.includes(c as CaseName)) {
    process.stderr.write(`FAULTS_CASES: unknown case ${JSON.stringify(c)} (known: ${ALL_CASES.join(", ")})\n`);
    process.exit(2);
  }
const built = process.env.FAULTS_BUILT !== "0";

installCleanup();
const started = Date.now();
console.log(
  `faults: seed ${seed} (FAULTS_SEED=${seed} repeats the run), ${rounds} kill -9 rounds per store, cases ${[...cases].join(", ")}, service ${built ? "dist/ (built)" : "TypeScript sources (tsx)"}`,
);
if (built) {
  const build = spawnSync(process.execPath, [join(ROOT, "scripts", "ensure-build.js"), "--no-editor"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (build.status !== 0) {
    console.error("faults: dist/ could not be built (FAULTS_BUILT=0 runs the TypeScript sources)");
    process.exit(1);
  }
}

const figures = await runFaults({
  seed,
  killRounds: rounds,
  pgKillRounds: intEnv("FAULTS_PG_ROUNDS", rounds),
  sigtermRounds: intEnv("FAULTS_SIGTERM_ROUNDS", 20),
  cases: cases as Set<CaseName>,
  built,
  log: (line) => console.log(line),
});

console.log("");
console.log(summaryTable(figures));
for (const line of skipReasons(figures)) console.log(`- ${line}`);
for (const f of figures) for (const n of f.notes) console.log(`- ${f.name}: ${n}`);
const violations = figures.flatMap((f) => f.violations.map((v) => `${f.name}: ${v}`));
console.log("");
console.log(`seed ${seed}; ${((Date.now() - started) / 1000).toFixed(0)} s; ${violations.length} violations`);
for (const v of violations) console.log(`  ${v}`);
process.exit(violations.length > 0 ? 1 : 0);
