/**
 * The benchmark harness (`npm run bench`; figures, not assertions): in one run, side by side on the
 * same inputs, this project in-process (compileSource + createRuntime + decide), naive
 * json-rules-engine (one rule per row), GoRules' zen-engine (a JDM decision table) and a
 * hand-written Map lookup (the floor); the shipped rule sets with their suites' facts;
 * reclame-duplicidade with 10 and 1,000 occurrences; compile and check times; then HTTP with
 * autocannon (the built service `node dist/server/main.js`, a bare fastify route, a naive fastify +
 * json-rules-engine server), start-up time to /ready and RSS. The issue's targets are printed next
 * to the figures (met / not met). Results go to bench/results/<date>-<host>.json (BENCH_OUT).
 *
 * Environment: BENCH_MS (time budget per measurement, default 1000), BENCH_MAX_ITER (default
 * 20000), BENCH_SIZES (synthetic rows, default 15,150,1500,15000), BENCH_HTTP_SECONDS (default 5;
 * 0 skips HTTP), BENCH_OUT (the JSON path). Synthetic facts only; run on an otherwise idle machine.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ZenEngine } from "@gorules/zen-engine";
import autocannon from "autocannon";
import { compileSource, diagnose } from "../../dsl/compile/pipeline.js";
import { Engine } from "json-rules-engine";
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import { createFactValidator, toRuntimeFacts } from "../../engine/facts.js";
import { candidateKey, optimisedRuleFilter } from "../../engine/rule-filter.js";
import { createRuntime } from "../../engine/runtime.js";
import { createFileDecisionStorage } from "../../server/decision-log/file-storage.js";
import { newDecisionId } from "../../server/decision-log/ids.js";
import { DecisionLog } from "../../server/decision-log/writer.js";
import { loadSuite } from "../../tester/suite.js";
import {
  designationWorkload,
  duplicateFacts,
  jdmTable,
  naiveEngine,
  syntheticWorkload,
  type TableWorkload,
} from "./workloads.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BUDGET_MS = Number(process.env.BENCH_MS ?? 1000);
const MAX_ITER = Number(process.env.BENCH_MAX_ITER ?? 20_000);
const SIZES = (process.env.BENCH_SIZES ?? "15,150,1500,15000").split(",").map(Number);
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const HTTP_CONNECTIONS = 50;

type Peer = "project" | "json-rules-engine" | "zen-engine" | "map" | "json-rules-engine floor";

interface Measure {
  readonly workload: string;
  readonly peer: Peer;
  readonly iterations: number;
  readonly medianUs: number;
  readonly p99Us: number;
  readonly cpuUsPerDecision: number;
}

interface HttpMeasure {
  readonly scenario: string;
  readonly server: string;
  readonly connections: number;
  readonly reqPerSec: number;
  readonly decisionsPerSec?: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerRequest: number;
  readonly non2xx: number;
  readonly errors: number;
}

interface Target {
  readonly target: string;
  readonly figure: string;
  readonly met: boolean | null;
}

const results = {
  date: new Date().toISOString(),
  machine: {
    host: hostname(),
    nproc: cpus().length,
    cpu: cpuModel(),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
  },
  settings: { budgetMs: BUDGET_MS, maxIter: MAX_ITER, sizes: SIZES, httpSeconds: HTTP_SECONDS },
  decisions: [] as Measure[],
  mismatches: [] as string[],
  compile: {} as Record<string, number>,
  heap: {} as Record<string, number>,
  http: [] as HttpMeasure[],
  /** Engine rules run per decision (average over the suite's facts), by shipped rule set. */
  rulesRun: {} as Record<string, number>,
  /** Restart on a seeded DATA_DIR (`readyMs`, `rssMiB`), and the first start that seeded it. */
  startup: null as null | {
    readyMs: number;
    rssMiB: number;
    rssAfterLoadMiB: number;
    firstStartReadyMs: number;
    firstStartRssMiB: number;
  },
  targets: [] as Target[],
  /**
   * The decision log's cost per decision (issue 13): `recordUs` on the request's path (queue
   * only), `flushUs` in the background writer (masking, JSON, the file append) on the same
   * thread, and the decision it rides on (`decideUs`, in-process, for scale).
   */
  decisionLog: null as null | { records: number; decideUs: number; recordUs: number; flushUs: number },
};

function cpuModel(): string {
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    return m?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  } catch {
    return cpus()[0]?.model ?? "unknown";
  }
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return "-";
  return n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : Math.round(n).toLocaleString("en-US");
}

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

/** Times `run` sequentially: a short warm-up, then until the budget or MAX_ITER (at least 3 runs). */
async function measure(workload: string, peer: Peer, count: number, run: (i: number) => unknown): Promise<Measure> {
  const warmEnd = performance.now() + BUDGET_MS / 5;
  for (let i = 0; i < 200 && (i < 2 || performance.now() < warmEnd); i++) await run(i % count);
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  const end = performance.now() + BUDGET_MS;
  for (let i = 0; i < MAX_ITER && (i < 3 || performance.now() < end); i++) {
    const s = performance.now();
    await run(i % count);
    lat.push(performance.now() - s);
  }
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  const m: Measure = {
    workload,
    peer,
    iterations: lat.length,
    medianUs: quantile(lat, 0.5) * 1000,
    p99Us: quantile(lat, 0.99) * 1000,
    cpuUsPerDecision: (cpu.user + cpu.system) / lat.length,
  };
  results.decisions.push(m);
  return m;
}

function timed<T>(f: () => T): { value: T; ms: number } {
  const s = performance.now();
  const value = f();
  return { value, ms: performance.now() - s };
}

function compileOrThrow(source: string, what: string) {
  const r = compileSource(source);
  if (!r.compiled) throw new Error(`${what} did not compile: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.compiled;
}

// ---------------------------------------------------------------------------------------------
// In-process decisions.
// ---------------------------------------------------------------------------------------------

async function tableWorkload(w: TableWorkload): Promise<void> {
  const { value: compiled, ms } = timed(() => compileOrThrow(w.source, w.id));
  results.compile[`${w.id} compile+check`] = ms;
  const runtime = createRuntime(compiled);
  runtime.prepare();
  const project = async (f: Record<string, unknown>) => {
    const v = (await runtime.decide(f)).decision[w.output];
    return v === undefined ? null : (v as string | null);
  };
  const jre = naiveEngine(w);
  const zenDecision = new ZenEngine().createDecision(jdmTable(w));
  const zen = async (f: Record<string, unknown>) => {
    const r = (await zenDecision.evaluate(f)).result as Record<string, unknown> | null;
    return (r?.[w.output] as string | undefined) ?? null;
  };
  const peers: [Peer, (f: Record<string, unknown>) => unknown][] = [
    ["project", project],
    ["json-rules-engine", jre],
    ["zen-engine", zen],
    ["map", w.lookup],
  ];
  // Same answer on a sample before timing.
  const sample = w.facts.slice(0, 32);
  for (const f of sample) {
    const expected = await project(f);
    for (const [peer, run] of peers.slice(1)) {
      const got = await run(f);
      if (got !== expected) {
        const msg = `MISMATCH ${w.id} ${peer}: ${JSON.stringify(f)} → ${JSON.stringify(got)}, project ${JSON.stringify(expected)}`;
        console.error(`\n!!!!! ${msg} !!!!!\n`);
        results.mismatches.push(msg);
      }
    }
  }
  for (const [peer, run] of peers)
    await measure(w.id, peer, w.facts.length, (i) => run(w.facts[i] as object as Record<string, unknown>));
  process.stdout.write(".");
}

async function shippedRuleSets(): Promise<void> {
  const files = readdirSync(join(ROOT, "rules"))
    .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
    .sort();
  let largest = { file: "", length: 0 };
  for (const file of files) {
    const source = readFileSync(join(ROOT, "rules", file), "utf8");
    if (source.length > largest.length) largest = { file, length: source.length };
    const name = file.replace(/\.yaml$/, "");
    const compiled = compileOrThrow(source, file);
    const runtime = createRuntime(compiled);
    runtime.prepare();
    const suitePath = join(ROOT, "rules", `${name}.test.yaml`);
    const suite = existsSync(suitePath) ? loadSuite(readFileSync(suitePath, "utf8")).suite : undefined;
    const facts: Record<string, unknown>[] = [];
    for (const c of suite?.cases ?? []) {
      if (c.expectError) continue;
      try {
        await runtime.decide(c.facts);
        facts.push(c.facts);
      } catch {
        // A case whose facts are refused is not a decision to time.
      }
    }
    if (facts.length === 0) continue;
    await measure(`ruleset:${name}`, "project", facts.length, (i) => runtime.decide(facts[i]));
    // The floor of any design that keeps json-rules-engine as the evaluator: an engine running as
    // many rules as this rule set runs per decision (after the rule filter), each one condition on
    // a constant fact at its own priority, firing into a no-op handler.
    const run = rulesRunPerDecision(compiled, facts);
    results.rulesRun[name] = run;
    const floor = floorEngine(Math.max(1, Math.round(run)));
    await measure(`ruleset:${name}`, "json-rules-engine floor", 1, () => floor.run({ x: 1 }));
    process.stdout.write(".");
  }
  // Checking the largest shipped rule set (what the editor does on every keystroke).
  const source = readFileSync(join(ROOT, "rules", largest.file), "utf8");
  diagnose(source);
  const runs: number[] = [];
  for (let i = 0; i < 10; i++) runs.push(timed(() => diagnose(source)).ms);
  runs.sort((a, b) => a - b);
  results.compile[`check ${largest.file} (median of 10)`] = quantile(runs, 0.5);
}

/** Average number of engine rules the optimised path runs per decision over these facts. */
function rulesRunPerDecision(compiled: CompiledRuleSet, facts: readonly Record<string, unknown>[]): number {
  const filter = optimisedRuleFilter(compiled);
  const validate = createFactValidator(compiled);
  let total = 0;
  for (const f of facts) {
    const key = candidateKey(filter, toRuntimeFacts(compiled, validate(f)));
    total += key === undefined ? filter.gates.length : [...key].filter((c) => c === "1").length;
  }
  return total / facts.length;
}

/** An engine of `n` rules, each one true condition on the constant fact `x`, at its own priority. */
function floorEngine(n: number): Engine {
  const engine = new Engine([], { allowUndefinedFacts: false, replaceFactsInEventParams: false });
  for (let i = 0; i < n; i++)
    engine.addRule({
      priority: n - i,
      conditions: { all: [{ fact: "x", operator: "equal", value: 1 }] },
      event: { type: "floor", params: { ref: String(i) } },
    });
  engine.on("success", () => undefined);
  return engine;
}

async function duplicates(): Promise<void> {
  const compiled = compileOrThrow(readFileSync(join(ROOT, "rules", "reclame-duplicidade.yaml"), "utf8"), "dup");
  const runtime = createRuntime(compiled);
  runtime.prepare();
  for (const n of [10, 1000]) {
    const facts = duplicateFacts(n);
    await runtime.decide(facts);
    await measure(`reclame-duplicidade-${n}`, "project", 1, () => runtime.decide(facts));
    process.stdout.write(".");
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP.
// ---------------------------------------------------------------------------------------------

/** What the decision log costs a decision: the queue on the request's path, the writer behind it. */
async function decisionLog(): Promise<void> {
  const compiled = compileOrThrow(readFileSync(join(ROOT, "rules", "retencao.yaml"), "utf8"), "retencao");
  const runtime = createRuntime(compiled);
  // Personal facts (CPF, CNPJ, names) to mask: the writer's expensive case.
  const facts = {
    cro: "12345",
    nomeDentista: "Dentista Sintético",
    cpf: "52998224725",
    cnpj: "11222333000181",
    uf: "SP",
  };
  const decided = await runtime.decide(facts);
  const count = Math.max(100, Math.min(MAX_ITER * 5, 50_000));
  const started = performance.now();
  for (let i = 0; i < count; i++) await runtime.decide(facts);
  const decideUs = ((performance.now() - started) * 1000) / count;
  const dir = mkdtempSync(join(tmpdir(), "bench-decision-log-"));
  const log = new DecisionLog({ storage: createFileDecisionStorage(join(dir, "decisions")), queueLimit: count + 1 });
  await log.open();
  const entry = {
    ruleset: compiled.name,
    version: 1,
    hash: "0".repeat(64),
    personalFacts: compiled.personalFacts,
    source: "decide" as const,
    requestId: "bench",
    facts,
    decision: decided.decision,
    fired: decided.fired,
    firedRefs: decided.firedRefs,
  };
  const t0 = performance.now();
  for (let i = 0; i < count; i++) log.record({ id: newDecisionId(), ...entry });
  const recordUs = ((performance.now() - t0) * 1000) / count;
  const t1 = performance.now();
  await log.flush();
  const flushUs = ((performance.now() - t1) * 1000) / count;
  await log.close();
  rmSync(dir, { recursive: true, force: true });
  results.decisionLog = { records: count, decideUs, recordUs, flushUs };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** CPU time (µs) of a process, from /proc (Linux). */
function procCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / 100) * 1e6;
}

function procRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before ${url} answered`);
    try {
      const r = await fetch(url);
      if (r.ok) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function load(
  server: string,
  pid: number,
  scenario: string,
  url: string,
  body: unknown,
  connections: number,
  perRequest = 1,
): Promise<void> {
  const cpu0 = procCpuUs(pid);
  const r = await autocannon({
    url,
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    connections,
    duration: HTTP_SECONDS,
  });
  const cpu = procCpuUs(pid) - cpu0;
  const total = r.requests.total || 1;
  results.http.push({
    scenario,
    server,
    connections,
    reqPerSec: r.requests.average,
    ...(perRequest > 1 ? { decisionsPerSec: r.requests.average * perRequest } : {}),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    cpuUsPerRequest: cpu / total,
    non2xx: r.non2xx,
    errors: r.errors,
  });
  process.stdout.write(".");
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  });
}

async function http(): Promise<void> {
  // dist/ rebuilt when missing or stale (the editor's bundle is not needed here).
  execFileSync(process.execPath, [join(ROOT, "scripts", "ensure-build.js"), "--no-editor"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  const main = join(ROOT, "dist", "server", "main.js");
  const facts = {
    tipoAtendimento: "Reclamação",
    tipoCliente: "Credenciado",
    servico: "Autorização Prévia",
    entradaEm: "2026-04-16T15:00",
    gipesVinculacao: "GIPES Sintética",
  };
  const tableFacts = { tipoAtendimento: facts.tipoAtendimento, tipoCliente: facts.tipoCliente, servico: facts.servico };

  // The service, as deployed (default log level): a first start on an empty DATA_DIR (it seeds
  // the shipped rule sets), stopped, then a restart on the same DATA_DIR, which is loaded.
  const dataDir = mkdtempSync(join(tmpdir(), "bench-data-"));
  const startService = async (): Promise<{ child: ChildProcess; base: string; readyMs: number }> => {
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      cwd: ROOT,
      env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), DATA_DIR: dataDir, RULES_DIR: join(ROOT, "rules") },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      return { child, base, readyMs: await waitFor(`${base}/ready`, child) };
    } catch (e) {
      await stop(child);
      throw e;
    }
  };
  const first = await startService();
  const firstRssMiB = procRssMiB(first.child.pid as number);
  await stop(first.child);
  const { child: service, base, readyMs } = await startService();
  try {
    const rssMiB = procRssMiB(service.pid as number);
    const pid = service.pid as number;
    await load(
      "service",
      pid,
      "decide reclame-designacao",
      `${base}/v1/decide/reclame-designacao`,
      { facts },
      HTTP_CONNECTIONS,
    );
    await load(
      "service",
      pid,
      "batch of 100",
      `${base}/v1/decide/reclame-designacao/batch`,
      { items: Array.from({ length: 100 }, () => ({ facts })) },
      4,
      100,
    );
    await load("service", pid, "/health", `${base}/health`, undefined, HTTP_CONNECTIONS);
    results.startup = {
      readyMs,
      rssMiB,
      rssAfterLoadMiB: procRssMiB(pid),
      firstStartReadyMs: first.readyMs,
      firstStartRssMiB: firstRssMiB,
    };
  } finally {
    await stop(service);
  }

  for (const kind of ["bare", "naive"] as const) {
    const p = await freePort();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "test", "bench", "peer-server.ts"), kind, String(p)],
      {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    try {
      const base = `http://127.0.0.1:${p}`;
      await waitFor(`${base}/health`, child);
      const pid = child.pid as number;
      if (kind === "bare") await load("bare fastify", pid, "/health", `${base}/health`, undefined, HTTP_CONNECTIONS);
      else
        await load(
          "fastify + json-rules-engine",
          pid,
          "decide (designation table)",
          `${base}/decide`,
          { facts: tableFacts },
          HTTP_CONNECTIONS,
        );
    } finally {
      await stop(child);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Report.
// ---------------------------------------------------------------------------------------------

function find(workload: string, peer: Peer): Measure | undefined {
  return results.decisions.find((d) => d.workload === workload && d.peer === peer);
}

function targets(): void {
  const t = (target: string, figure: string, met: boolean | null) => results.targets.push({ target, figure, met });
  const d15 = find("designation-15", "project");
  const zen15 = find("designation-15", "zen-engine");
  if (d15 && zen15) {
    t("designation table ≤ 15 µs median", `${fmt(d15.medianUs)} µs`, d15.medianUs <= 15);
    t(
      "designation table faster than zen-engine",
      `${fmt(d15.medianUs)} vs ${fmt(zen15.medianUs)} µs`,
      d15.medianUs < zen15.medianUs,
    );
  }
  const whole = find("ruleset:reclame-designacao", "project");
  if (whole) t("whole reclame-designacao ≤ 40 µs", `${fmt(whole.medianUs)} µs`, whole.medianUs <= 40);
  const shipped = results.decisions.filter((d) => d.workload.startsWith("ruleset:"));
  if (shipped.length > 0) {
    const worst = shipped.reduce((a, b) => (b.medianUs > a.medianUs ? b : a));
    t(
      "every shipped rule set ≤ 60 µs",
      `worst ${worst.workload.slice(8)} ${fmt(worst.medianUs)} µs`,
      worst.medianUs <= 60,
    );
  }
  const jre15 = find("designation-15", "json-rules-engine");
  if (d15 && jre15) {
    const r = jre15.medianUs / d15.medianUs;
    t("≥ 5× naive json-rules-engine at 15 rows", `${fmt(r)}×`, r >= 5);
  }
  const big = Math.max(...SIZES);
  const pBig = find(`synthetic-${big}`, "project");
  const jBig = find(`synthetic-${big}`, "json-rules-engine");
  if (pBig && jBig) {
    const r = jBig.medianUs / pBig.medianUs;
    t(`≥ 500× naive json-rules-engine at ${big} rows`, `${fmt(r)}×`, r >= 500);
  }
  // Like with like: the synthetic table of 15 rows (same columns and cells) when measured, else the designation table.
  const small = find("synthetic-15", "project") ?? d15;
  if (pBig && small) {
    const r = pBig.medianUs / small.medianUs;
    t(`${big} rows within 2× of 15 rows (${small.workload})`, `${fmt(r)}×`, r <= 2);
  }
  const c = results.compile[`synthetic-${big} compile+check`];
  if (c !== undefined) t(`compile + check of ${big} rows < 1.5 s`, `${fmt(c)} ms`, c < 1500);
  const chk = Object.entries(results.compile).find(([k]) => k.startsWith("check "));
  if (chk) t("check of the largest shipped rule set < 30 ms", `${fmt(chk[1])} ms`, chk[1] < 30);
  const h = (scenario: string, server: string) =>
    results.http.find((x) => x.scenario === scenario && x.server === server);
  const decide = h("decide reclame-designacao", "service");
  const naive = h("decide (designation table)", "fastify + json-rules-engine");
  const bare = h("/health", "bare fastify");
  const health = h("/health", "service");
  const batch = h("batch of 100", "service");
  if (decide && naive)
    t(
      "HTTP decide ≥ 3× naive req/s",
      `${fmt(decide.reqPerSec / naive.reqPerSec)}×`,
      decide.reqPerSec >= 3 * naive.reqPerSec,
    );
  if (decide && bare)
    t(
      "HTTP decide ≥ 60% of the bare route's req/s",
      `${fmt((100 * decide.reqPerSec) / bare.reqPerSec)}%`,
      decide.reqPerSec >= 0.6 * bare.reqPerSec,
    );
  if (decide)
    t(`HTTP decide p99 < 10 ms at ${HTTP_CONNECTIONS} connections`, `${fmt(decide.p99Ms)} ms`, decide.p99Ms < 10);
  if (batch?.decisionsPerSec !== undefined)
    t("batch ≥ 20,000 decisions/s", `${fmt(batch.decisionsPerSec)}/s`, batch.decisionsPerSec >= 20_000);
  if (health && bare)
    t(
      "/health CPU within 1.5× of a bare fastify route",
      `${fmt(health.cpuUsPerRequest / bare.cpuUsPerRequest)}×`,
      health.cpuUsPerRequest <= 1.5 * bare.cpuUsPerRequest,
    );
  if (results.startup) {
    t("ready in < 1 s (restart)", `${fmt(results.startup.readyMs)} ms`, results.startup.readyMs < 1000);
    t("RSS < 120 MiB (restart)", `${fmt(results.startup.rssMiB)} MiB at ready`, results.startup.rssMiB < 120);
    t(
      "ready in < 1 s (first start, seeding)",
      `${fmt(results.startup.firstStartReadyMs)} ms`,
      results.startup.firstStartReadyMs < 1000,
    );
  }
}

function print(): void {
  const peers: Peer[] = ["project", "json-rules-engine", "zen-engine", "map", "json-rules-engine floor"];
  const workloads = [...new Set(results.decisions.map((d) => d.workload))];
  const rows: string[][] = [];
  for (const w of workloads) {
    const p = find(w, "project");
    for (const peer of peers) {
      const m = find(w, peer);
      if (!m) continue;
      const run = peer === "json-rules-engine floor" ? results.rulesRun[w.slice("ruleset:".length)] : undefined;
      rows.push([
        w,
        run === undefined ? peer : `${peer} (${fmt(run)} rules)`,
        String(m.iterations),
        fmt(m.medianUs),
        fmt(m.p99Us),
        fmt(m.cpuUsPerDecision),
        p && peer !== "project" ? `${fmt(p.medianUs / m.medianUs)}×` : "",
      ]);
    }
  }
  table(
    "Decisions in-process (µs per decision; ratio = project median / peer median, > 1 means the peer is faster)",
    ["workload", "peer", "runs", "median µs", "p99 µs", "CPU µs", "project ÷ peer"],
    rows,
  );
  table(
    "Compile and check",
    ["what", "ms"],
    Object.entries(results.compile).map(([k, v]) => [k, fmt(v)]),
  );
  if (results.decisionLog) {
    const d = results.decisionLog;
    table(
      `Decision log (retencao, personal facts masked, file storage; ${d.records} records)`,
      ["what", "µs per decision"],
      [
        ["decide (in-process, for scale)", fmt(d.decideUs)],
        ["record: queued on the request's path", fmt(d.recordUs)],
        ["writer: masked, serialised, appended (same thread, in the background)", fmt(d.flushUs)],
      ],
    );
  }
  console.log(
    `\nheap used ${fmt(results.heap.heapUsedMiB ?? Number.NaN)} MiB · rss ${fmt(results.heap.rssMiB ?? Number.NaN)} MiB (this process, after the in-process workloads)`,
  );
  if (results.http.length > 0)
    table(
      `HTTP (autocannon, ${HTTP_SECONDS} s each, loopback)`,
      ["server", "scenario", "conn", "req/s", "decisions/s", "p50 ms", "p99 ms", "CPU µs/req", "non-2xx"],
      results.http.map((h) => [
        h.server,
        h.scenario,
        String(h.connections),
        fmt(h.reqPerSec),
        h.decisionsPerSec === undefined ? "" : fmt(h.decisionsPerSec),
        fmt(h.p50Ms),
        fmt(h.p99Ms),
        fmt(h.cpuUsPerRequest),
        String(h.non2xx + h.errors),
      ]),
    );
  if (results.startup)
    console.log(
      `\nnode dist/server/main.js: first start (seeding an empty DATA_DIR) ready in ${fmt(results.startup.firstStartReadyMs)} ms, RSS ${fmt(results.startup.firstStartRssMiB)} MiB; restart ready in ${fmt(results.startup.readyMs)} ms, RSS ${fmt(results.startup.rssMiB)} MiB at ready, ${fmt(results.startup.rssAfterLoadMiB)} MiB after the load`,
    );
  table(
    "Targets (issue 10; printed, not asserted)",
    ["target", "figure", "met"],
    results.targets.map((x) => [x.target, x.figure, x.met === null ? "?" : x.met ? "met" : "NOT met"]),
  );
  if (results.mismatches.length > 0)
    console.log(`\n!!!!! ${results.mismatches.length} MISMATCHES between peers (above) !!!!!`);
}

async function main(): Promise<void> {
  const m = results.machine;
  console.log(`${m.cpu} · ${m.nproc} cores · node ${m.node} · ${m.platform} · budget ${BUDGET_MS} ms per measurement`);
  await tableWorkload(designationWorkload(ROOT));
  for (const n of SIZES) await tableWorkload(syntheticWorkload(n));
  await shippedRuleSets();
  await duplicates();
  await decisionLog();
  const mem = process.memoryUsage();
  results.heap = { heapUsedMiB: mem.heapUsed / 2 ** 20, rssMiB: mem.rss / 2 ** 20 };
  if (HTTP_SECONDS > 0) await http();
  targets();
  print();
  const out =
    process.env.BENCH_OUT ??
    join(ROOT, "bench", "results", `${results.date.slice(0, 10)}-${hostname().replace(/[^A-Za-z0-9_.-]/g, "_")}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults: ${out}`);
}

await main();
