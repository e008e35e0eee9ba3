/**
 * One soak run (`npm run soak`, scripts/soak.ts; a short slice in test/soak/soak.test.ts): real
 * service processes (test/helpers/service-process.ts) — one on the file store (`file`), or two on
 * one PostgreSQL through DATABASE_URL (`replicas`) — seeded with the shipped rule sets and the
 * synthetic `soak-marker` (marker.ts), under load for the whole duration:
 * - decide clients (keep-alive, each bound to one replica) sending the shipped suites' cases, whose
 *   answers must be what the suites expect (oracle.ts), and marker decisions;
 * - batch clients sending 50–200 items of one rule set (the marker's included), every item judged;
 * - a publisher that, every few seconds, publishes a new marker or rolls the marker rule set back
 *   to an older version, alternating replicas;
 * - a sampler reading RSS and heap from each replica's /metrics every ~10 s.
 * Every marker decision is checked against the version book (coherence.ts). The run returns its
 * figures; printing and the exit code are the caller's.
 */
import type { ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32 } from "../helpers/prng.js";
import { ROOT, startService, type ServiceProcess } from "../helpers/service-process.js";
import { VersionBook } from "./coherence.js";
import { HttpClient, type Reply } from "./http.js";
import { MARKER_RULESET, markerDecision, markerSource, markerSuite } from "./marker.js";
import { judge, loadOracle, suitedRuleSets, type OracleCase } from "./oracle.js";
import {
  memoryFromMetrics,
  memoryVerdict,
  summarise,
  type LatencySummary,
  type MemorySample,
  type MemoryVerdict,
} from "./stats.js";

export type SoakMode = "file" | "replicas";

export interface SoakOptions {
  readonly mode: SoakMode;
  readonly seconds: number;
  readonly seed: number;
  /** Decide clients (default 6) and batch clients (default 2), spread over the replicas. */
  readonly clients?: number;
  readonly batchClients?: number;
  /** A publish or roll back every this many ms (default 3000). */
  readonly publishEveryMs?: number;
  /** Figures printed every this many seconds (default 30). */
  readonly windowSeconds?: number;
  /** Memory sampled every this many seconds (default 10). */
  readonly memoryEverySeconds?: number;
  /** PostgreSQL database for `replicas`. */
  readonly databaseUrl?: string;
  /** Run the built service (dist/) instead of the sources. */
  readonly built?: boolean;
  /**
   * Keep the load going past `seconds` (at most 2 minutes more) until decisions have been served by
   * a published and a rolled-back version (the CI slice: a short run must prove both were seen).
   */
  readonly untilSeen?: boolean;
  /** Where progress lines go (default: nowhere). */
  readonly log?: (line: string) => void;
  readonly track?: (child: ChildProcess) => void;
}

export interface WindowFigures {
  readonly t: number;
  readonly seconds: number;
  readonly decide: LatencySummary;
  readonly batch: LatencySummary;
  readonly requestsPerSecond: number;
  readonly decisionsPerSecond: number;
  readonly errors: number;
  readonly incoherent: number;
}

export interface SoakResult {
  readonly mode: SoakMode;
  readonly replicas: number;
  readonly seed: number;
  readonly seconds: number;
  readonly decide: LatencySummary;
  readonly batch: LatencySummary & { readonly items: number };
  readonly requestsPerSecond: number;
  readonly decisionsPerSecond: number;
  /** Expected 4xx answers (the suites' bad-facts cases), items of batches included. */
  readonly expectedErrors: number;
  readonly errors: number;
  readonly errorSamples: readonly string[];
  readonly incoherent: number;
  readonly incoherentSamples: readonly string[];
  readonly markerDecisions: number;
  readonly publishes: number;
  readonly rollbacks: number;
  /** Versions made by a publish / a roll back that some decision was served by. */
  readonly seenPublished: number;
  readonly seenRolledBack: number;
  /** Decisions served by an older version after a newer one was acknowledged, within the allowed lag. */
  readonly lagged: number;
  readonly maxLagMs: number;
  readonly windows: readonly WindowFigures[];
  readonly memory: readonly {
    readonly replica: number;
    readonly samples: readonly MemorySample[];
    readonly verdict: MemoryVerdict;
  }[];
}

const MARKER_SHARE = 0.15;
const UNTIL_SEEN_MAX_MS = 120_000;
const MAX_SAMPLES = 20;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The seeding folder: the shipped rule sets with their suites, and soak-marker at marker 1. */
function rulesFolder(root: string): string {
  const dir = join(root, "rules");
  const shipped = join(ROOT, "rules");
  mkdirSync(dir, { recursive: true });
  for (const n of suitedRuleSets(shipped))
    for (const f of [`${n}.yaml`, `${n}.test.yaml`]) copyFileSync(join(shipped, f), join(dir, f));
  writeFileSync(join(dir, `${MARKER_RULESET}.yaml`), markerSource(1));
  writeFileSync(join(dir, `${MARKER_RULESET}.test.yaml`), markerSuite(1));
  return dir;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => undefined);
  const replicas = options.mode === "replicas" ? 2 : 1;
  if (options.mode === "replicas" && !options.databaseUrl) throw new Error("replicas mode needs a databaseUrl");
  const clients = options.clients ?? 6;
  const batchClients = options.batchClients ?? 2;
  const publishEveryMs = options.publishEveryMs ?? 3000;
  const windowSeconds = options.windowSeconds ?? 30;
  const memoryEvery = (options.memoryEverySeconds ?? 10) * 1000;
  const rng = mulberry32(options.seed); // the run's choices repeat with SOAK_SEED

  const root = mkdtempSync(join(tmpdir(), "soak-"));
  liveRoots.add(root);
  const rulesDir = rulesFolder(root);
  const oracle = loadOracle(
    rulesDir,
    suitedRuleSets(rulesDir).filter((n) => n !== MARKER_RULESET),
  );
  const byRuleset = new Map<string, OracleCase[]>();
  for (const c of oracle) byRuleset.set(c.ruleset, [...(byRuleset.get(c.ruleset) ?? []), c]);
  const shippedNames = [...byRuleset.keys()];

  const services: ServiceProcess[] = [];
  const http: HttpClient[] = [];
  let fatal: string | undefined;
  let stopping = false;
  try {
    // Replicas start one after the other (the first migrates and seeds; the second finds it done).
    for (let r = 0; r < replicas; r++) {
      // The service's defaults (the publisher stays far below AUTHORING_RATE_LIMIT).
      const env: Record<string, string> = {};
      if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
      const started = startService({
        dataDir: join(root, `data-${r}`),
        rulesDir,
        env,
        ...(options.built ? { built: true } : {}),
        ...(options.track ? { track: options.track } : {}),
      });
      const svc = await started.service;
      services.push(svc);
      http.push(new HttpClient(svc.url, clients + batchClients + 4));
      void svc.exited.then((code) => {
        if (!stopping)
          fatal ??= `o serviço ${r} saiu durante o soak (código ${String(code)}): ${svc.stderr().slice(0, 500)}`;
      });
    }
    for (const [r, c] of http.entries()) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ready = await c.request("GET", "/ready").catch(() => undefined);
        if (ready?.status === 200) break;
        if (Date.now() > deadline) throw new Error(`réplica ${r} não ficou pronta: ${ready?.text ?? "sem resposta"}`);
        await sleep(200);
      }
    }

    // The marker rule set's state at start: its active version and marker.
    const book = new VersionBook();
    const first = await (http[0] as HttpClient).request("GET", `/v1/rulesets/${MARKER_RULESET}`);
    if (first.status !== 200 || !isObject(first.body)) throw new Error(`sem ${MARKER_RULESET}: ${first.text}`);
    let active = Number(first.body.version);
    const startMarker = markerOf(String(first.body.source));
    if (startMarker === undefined) throw new Error(`${MARKER_RULESET} sem marca na fonte`);
    book.record({ version: active, marker: startMarker, at: 0, replica: -1, kind: "seed" });
    let nextMarker = startMarker + 1;

    // Figures.
    const t0 = performance.now();
    const windowLat = { decide: [] as number[], batch: [] as number[] };
    const allLat = { decide: [] as number[], batch: [] as number[] };
    let windowRequests = 0;
    let windowDecisions = 0;
    let requests = 0;
    let decisions = 0;
    let batchItems = 0;
    let expectedErrors = 0;
    let errors = 0;
    const errorSamples: string[] = [];
    let incoherent = 0;
    const incoherentSamples: string[] = [];
    let markerDecisions = 0;
    let publishes = 0;
    let rollbacks = 0;
    let lagged = 0;
    let maxLagMs = 0;
    const windows: WindowFigures[] = [];
    const memory = services.map(() => [] as MemorySample[]);

    const error = (what: string) => {
      errors++;
      if (errorSamples.length < MAX_SAMPLES)
        errorSamples.push(`${((performance.now() - t0) / 1000).toFixed(1)}s ${what}`);
    };
    const incoherence = (what: string) => {
      incoherent++;
      if (incoherentSamples.length < MAX_SAMPLES)
        incoherentSamples.push(`${((performance.now() - t0) / 1000).toFixed(1)}s ${what}`);
    };
    const markerServed = (version: unknown, decision: unknown, valor: number, startedAt: number, replica: number) => {
      markerDecisions++;
      if (!isObject(decision) || typeof version !== "number") {
        error(`${MARKER_RULESET}: resposta sem versão ou decisão`);
        return;
      }
      const v = book.check({ version, marker: decision.marca, startedAt, replica });
      if (v.incoherent) incoherence(v.incoherent);
      if (v.lagMs !== undefined) {
        lagged++;
        maxLagMs = Math.max(maxLagMs, v.lagMs);
      }
      const marca = typeof decision.marca === "number" ? decision.marca : Number.NaN;
      const want = markerDecision(marca, valor);
      if (decision.faixa !== want.faixa)
        error(`${MARKER_RULESET}: faixa ${String(decision.faixa)} para valor ${valor}`);
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
    const deadline = t0 + options.seconds * 1000;
    // With `untilSeen`, the load goes on past the deadline (at most UNTIL_SEEN_MAX_MS) until decisions
    // were served by a published and a rolled-back version: a slow first publish (the compiler and
    // the authoring worker load then) does not make a short run prove nothing.
    const untilSeenEnd = deadline + UNTIL_SEEN_MAX_MS;
    const running = () => {
      if (stopping || fatal !== undefined) return false;
      const now = performance.now();
      if (now < deadline) return true;
      return (
        options.untilSeen === true &&
        now < untilSeenEnd &&
        (book.seen.publish.size === 0 || book.seen.rollback.size === 0)
      );
    };

    const decideClient = async (replica: number) => {
      const c = http[replica] as HttpClient;
      while (running()) {
        const marker = rng() < MARKER_SHARE;
        const k = marker ? undefined : pick(oracle);
        const valor = Math.floor(rng() * 200);
        const ruleset = k?.ruleset ?? MARKER_RULESET;
        const body = k ? `{"facts":${k.factsJson}}` : `{"facts":{"valor":${valor}}}`;
        let reply: Reply;
        try {
          reply = await c.request("POST", `/v1/decide/${ruleset}`, body);
        } catch (e) {
          if (running()) error(`decide ${ruleset} (réplica ${replica}): ${(e as Error).message}`);
          continue;
        }
        requests++;
        windowRequests++;
        windowLat.decide.push(reply.ms);
        allLat.decide.push(reply.ms);
        const b = isObject(reply.body) ? reply.body : {};
        if (k) {
          const answer = isObject(b.error)
            ? { status: reply.status, error: b.error }
            : { status: reply.status, decision: b.decision, fired: b.fired };
          const wrong = judge(k, answer);
          if (wrong) error(`${k.ruleset} · ${k.name}: ${wrong}`);
          else if (k.expectError) expectedErrors++;
          else {
            decisions++;
            windowDecisions++;
          }
        } else if (reply.status !== 200) {
          error(`${MARKER_RULESET} ${reply.status}: ${reply.text.slice(0, 200)}`);
        } else {
          decisions++;
          windowDecisions++;
          markerServed(b.version, b.decision, valor, reply.startedAt, replica);
        }
      }
    };

    const batchClient = async (replica: number) => {
      const c = http[replica] as HttpClient;
      while (running()) {
        const ruleset = pick([...shippedNames, MARKER_RULESET]);
        const n = 50 + Math.floor(rng() * 151);
        const cases = byRuleset.get(ruleset);
        const items: { k?: OracleCase; valor: number }[] = [];
        for (let i = 0; i < n; i++)
          items.push(cases ? { k: pick(cases), valor: 0 } : { valor: Math.floor(rng() * 200) });
        const body = `{"items":[${items.map((it) => (it.k ? `{"facts":${it.k.factsJson}}` : `{"facts":{"valor":${it.valor}}}`)).join(",")}]}`;
        let reply: Reply;
        try {
          reply = await c.request("POST", `/v1/decide/${ruleset}/batch`, body);
        } catch (e) {
          if (running()) error(`batch ${ruleset} (réplica ${replica}): ${(e as Error).message}`);
          continue;
        }
        requests++;
        windowRequests++;
        windowLat.batch.push(reply.ms);
        allLat.batch.push(reply.ms);
        const b = isObject(reply.body) ? reply.body : {};
        const results = Array.isArray(b.results) ? (b.results as unknown[]) : undefined;
        if (reply.status !== 200 || !results || results.length !== n) {
          error(`batch ${ruleset} ${reply.status}: ${reply.text.slice(0, 200)}`);
          continue;
        }
        batchItems += n;
        for (const [i, it] of items.entries()) {
          const r = isObject(results[i]) ? (results[i] as Record<string, unknown>) : {};
          if (it.k) {
            const answer = isObject(r.error)
              ? { status: r.error.code === "INVALID_FACTS" ? 400 : 500, error: r.error }
              : { status: 200, decision: r.decision };
            const wrong = judge(it.k, answer);
            if (wrong) error(`batch ${it.k.ruleset} · ${it.k.name}: ${wrong}`);
            else if (it.k.expectError) expectedErrors++;
            else {
              decisions++;
              windowDecisions++;
            }
          } else {
            decisions++;
            windowDecisions++;
            markerServed(b.version, r.decision, it.valor, reply.startedAt, replica);
          }
        }
      }
    };

    const publisher = async () => {
      let step = 0;
      while (running()) {
        await sleep(publishEveryMs);
        if (!running()) break;
        const replica = step % replicas;
        const c = http[replica] as HttpClient;
        const older = book.versions().filter((v) => v !== active);
        const rollback = step % 2 === 1 && older.length > 0;
        step++;
        try {
          if (rollback) {
            const to = pick(older);
            const marker = book.markerOf(to) as number;
            const reply = await c.request(
              "POST",
              `/v1/rulesets/${MARKER_RULESET}/rollback`,
              JSON.stringify({ version: to, message: `soak: volta à ${to}` }),
            );
            if (reply.status !== 201 || !isObject(reply.body)) {
              error(`roll back para ${to} (réplica ${replica}): ${reply.status} ${reply.text.slice(0, 300)}`);
              continue;
            }
            active = Number(reply.body.version);
            book.record({ version: active, marker, at: performance.now(), replica, kind: "rollback" });
            rollbacks++;
          } else {
            const marker = nextMarker++;
            const reply = await c.request(
              "POST",
              `/v1/rulesets/${MARKER_RULESET}/versions`,
              JSON.stringify({
                source: markerSource(marker),
                tests: markerSuite(marker),
                message: `soak: marca ${marker}`,
                baseVersion: active,
              }),
            );
            if (reply.status !== 201 || !isObject(reply.body)) {
              error(`publicação da marca ${marker} (réplica ${replica}): ${reply.status} ${reply.text.slice(0, 300)}`);
              continue;
            }
            active = Number(reply.body.version);
            book.record({ version: active, marker, at: performance.now(), replica, kind: "publish" });
            publishes++;
          }
        } catch (e) {
          if (running())
            error(`${rollback ? "roll back" : "publicação"} (réplica ${replica}): ${(e as Error).message}`);
        }
      }
    };

    const sampler = async () => {
      while (running()) {
        for (const [r, c] of http.entries()) {
          let failure = "";
          const reply = await c.request("GET", "/metrics").catch((e: unknown) => {
            failure = (e as Error).message;
            return undefined;
          });
          const m = reply?.status === 200 ? memoryFromMetrics(reply.text) : undefined;
          if (m) (memory[r] as MemorySample[]).push({ t: (performance.now() - t0) / 1000, ...m });
          else if (running()) error(`/metrics da réplica ${r}: ${reply?.status ?? failure}`);
        }
        await sleep(Math.min(memoryEvery, Math.max(0, deadline - performance.now())));
      }
    };

    const window = () => {
      const now = performance.now();
      const seconds = (now - (windows.length ? t0 + (windows.at(-1) as WindowFigures).t * 1000 : t0)) / 1000;
      for (const r of book.resolve()) incoherence(r);
      const w: WindowFigures = {
        t: (now - t0) / 1000,
        seconds,
        decide: summarise(windowLat.decide.splice(0)),
        batch: summarise(windowLat.batch.splice(0)),
        requestsPerSecond: windowRequests / seconds,
        decisionsPerSecond: windowDecisions / seconds,
        errors,
        incoherent,
      };
      windowRequests = 0;
      windowDecisions = 0;
      windows.push(w);
      const mem = memory
        .map((s, r) => {
          const last = s.at(-1);
          return last ? `r${r} rss ${mib(last.rss)} heap ${mib(last.heap)}` : `r${r} -`;
        })
        .join(", ");
      log(
        `[soak ${options.mode}] ${w.t.toFixed(0).padStart(4)}s  ${w.requestsPerSecond.toFixed(0)} req/s ${w.decisionsPerSecond.toFixed(0)} dec/s  decide p50/p99/max ${ms(w.decide.p50)}/${ms(w.decide.p99)}/${ms(w.decide.max)} ms  batch ${ms(w.batch.p50)}/${ms(w.batch.p99)}/${ms(w.batch.max)} ms  publish ${publishes} rollback ${rollbacks}  errors ${errors}  incoherent ${incoherent}  ${mem}`,
      );
      // The service's log lines are not needed: keep the soak's own memory flat.
      for (const s of services) s.lines.splice(0);
    };
    let loadEnd = Number.NaN;
    const ticker = setInterval(window, windowSeconds * 1000);
    try {
      const background = [publisher(), sampler()];
      const load: Promise<void>[] = [];
      for (let i = 0; i < clients; i++) load.push(decideClient(i % replicas));
      for (let i = 0; i < batchClients; i++) load.push(batchClient(i % replicas));
      await Promise.all(load);
      loadEnd = performance.now();
      clearInterval(ticker);
      // The rates are over the load's time; a publish still in flight is waited for, not counted.
      if (windows.length === 0 || (windows.at(-1) as WindowFigures).t < (loadEnd - t0) / 1000 - 1) window();
      await Promise.all(background);
    } finally {
      clearInterval(ticker);
    }
    const elapsed = (loadEnd - t0) / 1000;
    if (fatal) error(fatal);

    // Versions still unknown (a publish whose answer was lost): their markers from the store.
    for (const v of book.pendingVersions()) {
      const reply = await (http[0] as HttpClient)
        .request("GET", `/v1/rulesets/${MARKER_RULESET}/versions/${v}`)
        .catch(() => undefined);
      const marker = isObject(reply?.body) ? markerOf(String(reply.body.source)) : undefined;
      if (marker !== undefined) book.learn(v, marker);
    }
    for (const r of book.resolve()) incoherence(r);
    if (book.pendingCount() > 0) incoherence(`${book.pendingCount()} decisões de versões desconhecidas`);

    stopping = true;
    return {
      mode: options.mode,
      replicas,
      seed: options.seed,
      seconds: elapsed,
      decide: summarise(allLat.decide),
      batch: { ...summarise(allLat.batch), items: batchItems },
      requestsPerSecond: requests / elapsed,
      decisionsPerSecond: decisions / elapsed,
      expectedErrors,
      errors,
      errorSamples,
      incoherent,
      incoherentSamples,
      markerDecisions,
      publishes,
      rollbacks,
      seenPublished: book.seen.publish.size,
      seenRolledBack: book.seen.rollback.size,
      lagged,
      maxLagMs,
      windows,
      memory: memory.map((samples, replica) => ({ replica, samples, verdict: memoryVerdict(samples, elapsed) })),
    };
  } finally {
    stopping = true;
    for (const c of http) c.close();
    for (const s of services) {
      s.child.kill("SIGTERM");
      const timer = setTimeout(() => s.child.kill("SIGKILL"), 15_000);
      await s.exited;
      clearTimeout(timer);
    }
    rmSync(root, { recursive: true, force: true });
    liveRoots.delete(root);
  }
}

/** Temp folders of runs in progress (a script interrupted by Ctrl-C removes them: `removeLiveRoots`). */
const liveRoots = new Set<string>();

/** Removes the temp folders of the runs still in progress (after their processes were killed). */
export function removeLiveRoots(): void {
  for (const root of liveRoots) rmSync(root, { recursive: true, force: true });
  liveRoots.clear();
}

function markerOf(source: string): number | undefined {
  const m = /marca = (\d+)/.exec(source);
  return m ? Number(m[1]) : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)}M`;
}

function ms(v: number): string {
  return Number.isFinite(v) ? (v < 10 ? v.toFixed(1) : v.toFixed(0)) : "-";
}
