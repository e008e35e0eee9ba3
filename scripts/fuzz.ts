/**
 * `npm run fuzz`: the fuzzers of the rule language and the runtime (test/fuzz/), FUZZ_INPUTS
 * inputs in all (default 1,000,000) spread over the targets by cost (the split is printed), in
 * FUZZ_WORKERS worker threads (default 2) with a watchdog, from FUZZ_SEED (default: from the
 * clock; printed). Prints progress every 10 s and the final table of outcomes per target, saves
 * each finding (shrunk by fast-check where it could) under FUZZ_FINDINGS (default a folder under
 * the system temp dir; printed) and exits 1 on any crash, hang, unhandled rejection or compiled
 * rule set that cannot run.
 *
 * Hangs: an input over 1 s is re-run alone at the end (twice, nothing else running) and counted
 * only if it is still over 1 s; a worker whose input has not finished after FUZZ_HANG_KILL_MS
 * (default 60 s) is ended by the watchdog, its input saved as a hang, and a new worker started.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import {
  addCounts,
  type ChunkResult,
  type Counts,
  emptyCounts,
  type Finding,
  type SlowInput,
  total,
} from "../test/fuzz/runner.js";
import { TARGET_NAMES, TARGETS, type TargetName } from "../test/fuzz/targets.js";
import { type ChunkJob, type ConfirmJob, WATCH_BYTES, WATCH_HEADER, type WorkerReply } from "../test/fuzz/protocol.js";

const env = process.env;
const INPUTS = Number(env.FUZZ_INPUTS ?? 1_000_000);
const SEED = Number(env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const WORKERS = Math.max(1, Number(env.FUZZ_WORKERS ?? 2));
const HANG_KILL_MS = Number(env.FUZZ_HANG_KILL_MS ?? 60_000);
const FINDINGS =
  env.FUZZ_FINDINGS ?? join(tmpdir(), "regras-fuzz", `seed-${SEED}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
const PROGRESS_MS = 10_000;

for (const [name, v] of [
  ["FUZZ_INPUTS", INPUTS],
  ["FUZZ_SEED", SEED],
  ["FUZZ_HANG_KILL_MS", HANG_KILL_MS],
] as const)
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`${name} must be a non-negative integer`);
    process.exit(2);
  }

/**
 * FUZZ_TARGETS=compiler:20000,yaml:5000: exactly these inputs per target (the others get none),
 * instead of FUZZ_INPUTS spread by cost — for a run that dwells on the expensive stages.
 */
function explicitSplit(text: string): Record<TargetName, number> {
  const out = Object.fromEntries(TARGET_NAMES.map((t) => [t, 0])) as Record<TargetName, number>;
  for (const part of text.split(",")) {
    const [name, count] = part.split(":").map((x) => x.trim());
    const n = Number(count);
    if (!(TARGET_NAMES as readonly string[]).includes(name ?? "") || !Number.isSafeInteger(n) || n < 0) {
      console.error(`FUZZ_TARGETS: expected target:count[,target:count...] with targets ${TARGET_NAMES.join(", ")}`);
      process.exit(2);
    }
    out[name as TargetName] = n;
  }
  return out;
}

/** Inputs per target: share × INPUTS, the rounding remainder to the parser (or FUZZ_TARGETS). */
function split(): Record<TargetName, number> {
  if (env.FUZZ_TARGETS) return explicitSplit(env.FUZZ_TARGETS);
  const out = {} as Record<TargetName, number>;
  let given = 0;
  for (const t of TARGET_NAMES) {
    out[t] = Math.floor(INPUTS * TARGETS[t].share);
    given += out[t];
  }
  out.parser += INPUTS - given;
  return out;
}

/** A 31-bit seed for a chunk, mixed from the run's seed, the target and the chunk number. */
function chunkSeed(target: TargetName, n: number): number {
  let h = (SEED ^ 0x9e3779b9) >>> 0;
  for (const c of `${target}:${n}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h & 0x7fffffff;
}

const planned = split();
/** Inputs of the run: FUZZ_INPUTS, or the sum of FUZZ_TARGETS. */
const TOTAL = TARGET_NAMES.reduce((n, t) => n + planned[t], 0);
const queue: ChunkJob[] = [];
let nextId = 0;
const chunksMade: Record<string, number> = {};
function makeChunk(target: TargetName, runs: number): ChunkJob {
  const n = chunksMade[target] ?? 0;
  chunksMade[target] = n + 1;
  return { type: "chunk", id: nextId++, target, seed: chunkSeed(target, n), runs };
}
{
  // Interleaved, so that every target makes progress from the start.
  const left = { ...planned };
  let more = true;
  while (more) {
    more = false;
    for (const t of TARGET_NAMES) {
      if (left[t] <= 0) continue;
      const runs = Math.min(TARGETS[t].chunk, left[t]);
      left[t] -= runs;
      queue.push(makeChunk(t, runs));
      more = true;
    }
  }
}

const counts = Object.fromEntries(TARGET_NAMES.map((t) => [t, emptyCounts()])) as Record<TargetName, Counts>;
const busyMs = Object.fromEntries(TARGET_NAMES.map((t) => [t, 0])) as Record<TargetName, number>;
const findings: Finding[] = [];
const slow: SlowInput[] = [];
let unconfirmedSlow = 0;
/** Inputs run by a worker that was then ended (their outcomes were never reported). */
let lost = 0;

interface Slot {
  worker: Worker;
  watch: SharedArrayBuffer;
  job: ChunkJob | ConfirmJob | undefined;
  /** The watchdog sequence number when the job was sent (inputs started since = seq - this). */
  seqAtStart: number;
  lastSeq: number;
  lastChange: number;
  ready: boolean;
}

const slots: Slot[] = [];
let finishConfirm: (() => void) | undefined;
const started = performance.now();

function spawn(): Slot {
  const watch = new SharedArrayBuffer(WATCH_HEADER + WATCH_BYTES);
  const worker = new Worker(new URL("../test/fuzz/worker-boot.mjs", import.meta.url), {
    workerData: { entry: new URL("../test/fuzz/worker.ts", import.meta.url).href, watch },
  });
  const slot: Slot = {
    worker,
    watch,
    job: undefined,
    seqAtStart: 0,
    lastSeq: 0,
    lastChange: performance.now(),
    ready: false,
  };
  worker.on("message", (m: WorkerReply) => onReply(slot, m));
  worker.on("error", (e) => {
    // An exception that escaped the worker (not a target's throw, which is caught): a crash.
    const job = slot.job;
    const target = job?.type === "chunk" ? job.target : job?.type === "confirm" ? job.slow.target : "parser";
    findings.push({
      target,
      kind: "crash",
      detail: `worker died: ${e.stack ?? e.message}`,
      input: lastInput(slot),
      repro: "",
      seed: -1,
    });
    counts[target].crash++;
    replace(slot, job);
  });
  slots.push(slot);
  return slot;
}

function lastInput(slot: Slot): unknown {
  const header = new Int32Array(slot.watch, 0, 2);
  const length = Atomics.load(header, 1);
  if (length === 0) return null;
  const text = new TextDecoder().decode(new Uint8Array(slot.watch, WATCH_HEADER, length));
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Ends a slot's worker and starts another. The inputs of a chunk it held that started before the
 * one that hung or crashed are lost (their outcomes were never reported: counted as `lost`); the
 * rest of the chunk runs again as a new chunk, so every replacement makes progress.
 */
function replace(slot: Slot, job: ChunkJob | ConfirmJob | undefined): void {
  slots.splice(slots.indexOf(slot), 1);
  slot.job = undefined;
  void slot.worker.terminate();
  if (job?.type === "chunk") {
    const started = Math.max(1, Atomics.load(new Int32Array(slot.watch, 0, 1), 0) - slot.seqAtStart);
    lost += started - 1;
    if (job.runs > started) queue.unshift(makeChunk(job.target, job.runs - started));
  }
  if (job?.type === "confirm") finishConfirm?.();
  if (!confirming || job?.type === "confirm") spawn();
}

function dispatch(slot: Slot): void {
  if (!slot.ready || slot.job || confirming) return;
  const job = queue.shift();
  if (!job) {
    if (slots.every((s) => !s.job)) void finish();
    return;
  }
  slot.job = job;
  const header = new Int32Array(slot.watch, 0, 2);
  slot.seqAtStart = Atomics.load(header, 0);
  // No input of this job yet: a hang before its first input is reported as such, not as the
  // previous job's last input.
  Atomics.store(header, 1, 0);
  slot.lastChange = performance.now();
  slot.worker.postMessage(job);
}

function onReply(slot: Slot, m: WorkerReply): void {
  if (m.type === "ready") {
    slot.ready = true;
    dispatch(slot);
    return;
  }
  if (m.type === "chunk") {
    const job = slot.job as ChunkJob;
    slot.job = undefined;
    const r: ChunkResult = m.result;
    addCounts(counts[r.target], r.counts);
    busyMs[r.target] += m.ms;
    findings.push(...r.findings);
    slow.push(...r.slow);
    // A failure ends a chunk early: the rest of its inputs run as a new chunk.
    if (r.ran < job.runs) queue.unshift(makeChunk(job.target, job.runs - r.ran));
    dispatch(slot);
    return;
  }
  slot.job = undefined;
  if (m.finding) {
    findings.push(m.finding);
    counts[m.finding.target].hang++;
    // The input was counted under its outcome when it first ran; it is a hang now.
    unconfirmedSlow--;
  }
  finishConfirm?.();
}

const watchdog = setInterval(() => {
  const now = performance.now();
  for (const slot of [...slots]) {
    const seq = Atomics.load(new Int32Array(slot.watch, 0, 1), 0);
    if (seq !== slot.lastSeq || !slot.job) {
      slot.lastSeq = seq;
      slot.lastChange = now;
      continue;
    }
    if (now - slot.lastChange > HANG_KILL_MS) {
      const job = slot.job;
      const target = job.type === "chunk" ? job.target : job.slow.target;
      const input = lastInput(slot);
      findings.push({
        target,
        kind: "hang",
        detail: `no answer after ${HANG_KILL_MS} ms${input === null ? " (before the first input of its chunk: while generating)" : ""}: worker ended by the watchdog`,
        input,
        repro: "",
        seed: job.type === "chunk" ? job.seed : job.slow.seed,
      });
      counts[target].hang++;
      replace(slot, job);
    }
  }
}, 1000);

const fmt = (n: number) => n.toLocaleString("en-US");

function progressLine(): string {
  const secs = (performance.now() - started) / 1000;
  const done = TARGET_NAMES.reduce((s, t) => s + total(counts[t]), 0);
  const per = TARGET_NAMES.map((t) => {
    const c = counts[t];
    const bad = c.crash + c.unrunnable + c.hang + c.rejection;
    return `${t} ${fmt(total(c))}/${fmt(planned[t])}${bad ? ` (${bad} bad)` : ""}`;
  }).join(", ");
  return `[${secs.toFixed(0)} s] ${fmt(done)}/${fmt(TOTAL)} inputs, ${fmt(Math.round(done / secs))}/s — ${per}`;
}
const progress = setInterval(() => console.log(progressLine()), PROGRESS_MS);

let confirming = false;
let finishing = false;

async function finish(): Promise<void> {
  if (finishing) return;
  finishing = true;
  clearInterval(progress);
  const runMs = performance.now() - started;
  // Slow inputs are re-run alone: one worker, nothing else running.
  confirming = true;
  for (const s of slots.slice(1)) {
    slots.splice(slots.indexOf(s), 1);
    void s.worker.terminate();
  }
  unconfirmedSlow = slow.length;
  if (slow.length > 0) console.log(`re-running ${slow.length} input(s) that took over 1 s, alone...`);
  for (const [i, s] of slow.entries()) {
    const slot = slots[0] ?? spawn();
    await new Promise<void>((resolve) => {
      finishConfirm = resolve;
      const send = () => {
        slot.job = { type: "confirm", id: i, slow: s };
        slot.lastChange = performance.now();
        slot.worker.postMessage(slot.job);
      };
      if (slot.ready) send();
      else slot.worker.once("message", () => send());
    });
  }
  clearInterval(watchdog);
  for (const s of slots) void s.worker.terminate();
  report(runMs);
}

function report(runMs: number): void {
  const cols = ["ok", "diagnostic", "defect", "crash", "unrunnable", "hang", "rejection"] as const;
  const header = ["target", "inputs", ...cols, "inputs/s"];
  const rows = TARGET_NAMES.map((t) => {
    const c = counts[t];
    return [t, fmt(total(c)), ...cols.map((k) => fmt(c[k])), fmt(Math.round(total(c) / (busyMs[t] / 1000 || 1)))];
  });
  const all = emptyCounts();
  for (const t of TARGET_NAMES) addCounts(all, counts[t]);
  rows.push(["all", fmt(total(all)), ...cols.map((k) => fmt(all[k])), fmt(Math.round(total(all) / (runMs / 1000)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: readonly string[]) =>
    r.map((v, i) => (i === 0 ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number))).join("  ");
  console.log("");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log("");
  console.log(
    `${fmt(total(all))} inputs in ${(runMs / 1000).toFixed(0)} s with ${WORKERS} worker(s), seed ${SEED}; inputs/s per target are per busy worker-second; ${fmt(unconfirmedSlow)} input(s) over 1 s in the run were under 1 s alone (not hangs)${lost ? `; ${fmt(lost)} input(s) lost with ended workers` : ""}`,
  );
  const bad = findings.length;
  if (bad > 0) {
    mkdirSync(FINDINGS, { recursive: true });
    for (const [i, f] of findings.entries()) {
      const base = join(FINDINGS, `${String(i + 1).padStart(3, "0")}-${f.target}-${f.kind}`);
      writeFileSync(`${base}.json`, `${JSON.stringify(f, null, 2)}\n`);
      if (f.repro) writeFileSync(`${base}.txt`, f.repro);
    }
    console.log(`${bad} finding(s) saved under ${FINDINGS}`);
    for (const f of findings.slice(0, 20)) console.log(`- ${f.target} ${f.kind}: ${f.detail.split("\n")[0]}`);
  } else {
    console.log(`no findings (findings folder: ${FINDINGS}, not created)`);
  }
  process.exit(all.crash + all.unrunnable + all.hang + all.rejection > 0 ? 1 : 0);
}

console.log(
  `fuzz: ${fmt(TOTAL)} inputs, seed ${SEED}, ${WORKERS} worker(s), findings under ${FINDINGS}\nsplit (${env.FUZZ_TARGETS ? "FUZZ_TARGETS" : "by cost"}):`,
);
for (const t of TARGET_NAMES) console.log(`  ${t.padEnd(9)} ${fmt(planned[t]).padStart(9)}  ${TARGETS[t].what}`);
for (let i = 0; i < WORKERS; i++) spawn();
