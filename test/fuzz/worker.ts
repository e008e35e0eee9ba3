/**
 * A fuzz worker thread of `npm run fuzz` (scripts/fuzz.ts): takes chunks `{target, seed, runs}`
 * from the main thread, runs them (runner.ts) and posts the results. Before each input it writes
 * the input (as JSON) and a sequence number into the shared watchdog buffer, so that the main
 * thread can name the input of a worker that stopped answering, end it and start another.
 * Unhandled rejections are counted against the target of the chunk in progress.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type ChunkJob, type ConfirmJob, WATCH_HEADER, type WorkerReply } from "./protocol.js";
import { confirmSlow, type Finding, runChunk } from "./runner.js";
import type { TargetName } from "./targets.js";

const port = parentPort;
if (!port) throw new Error("worker.ts runs as a worker thread");
const shared = (workerData as { watch: SharedArrayBuffer }).watch;
const header = new Int32Array(shared, 0, 2);
const bytes = new Uint8Array(shared, WATCH_HEADER);
const encoder = new TextEncoder();

let current: TargetName | undefined;
const rejections: Finding[] = [];
process.on("unhandledRejection", (reason) => {
  rejections.push({
    target: current ?? "parser",
    kind: "rejection",
    detail: reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason),
    input: null,
    repro: "",
    seed: -1,
  });
});

function publish(input: unknown): void {
  let text: string;
  try {
    text = JSON.stringify(input) ?? "null";
  } catch {
    text = "(not JSON)";
  }
  const { written } = encoder.encodeInto(text, bytes);
  Atomics.store(header, 1, written);
  Atomics.add(header, 0, 1);
}

port.on("message", async (job: ChunkJob | ConfirmJob) => {
  if (job.type === "confirm") {
    current = job.slow.target;
    publish(job.slow.input);
    const finding = await confirmSlow(job.slow);
    port.postMessage({ type: "confirm", id: job.id, finding: finding ?? null } satisfies WorkerReply);
    return;
  }
  current = job.target;
  const t0 = performance.now();
  const result = await runChunk(job.target, job.seed, job.runs, { before: publish });
  // Let pending rejections of this chunk surface before it is reported.
  await new Promise((resolve) => setImmediate(resolve));
  const found = rejections.splice(0);
  const counts = { ...result.counts, rejection: result.counts.rejection + found.length };
  port.postMessage({
    type: "chunk",
    id: job.id,
    result: { ...result, counts, findings: [...result.findings, ...found] },
    ms: performance.now() - t0,
  } satisfies WorkerReply);
});

port.postMessage({ type: "ready" } satisfies WorkerReply);
