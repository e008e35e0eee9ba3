/**
 * The authoring worker thread: runs authoring jobs (job.ts) off the event loop that serves
 * decisions. Protocol (pool.ts): `{ready: true}` out once loaded, then `{id, job}` in; out, for a
 * large compiled rule set, `{id, part}` messages one at a time, each sent after the main thread's
 * `{ack: id}` for the previous one (transfer.ts), then `{id, result}` (or `{id, error}`). One job
 * at a time. Started through worker-entry.js (which registers the TypeScript loader).
 */
import { parentPort } from "node:worker_threads";
import { runAuthoringJob, type AuthoringJob, type AuthoringVerdict } from "./job.js";
import { splitForTransfer } from "./transfer.js";

const port = parentPort;
if (!port) throw new Error("server/authoring/worker.ts runs only as a worker thread");

// Loaded (the compiler included): the pool starts counting a job's time from here.
port.postMessage({ ready: true });

/** Resolves when the main thread acknowledges the part just sent. */
let acknowledged: (() => void) | undefined;

async function send(id: number, verdict: AuthoringVerdict): Promise<void> {
  if (!verdict.compiled) {
    port?.postMessage({ id, result: verdict });
    return;
  }
  const { shell, parts } = splitForTransfer(verdict.compiled);
  for (const part of parts) {
    await new Promise<void>((resolve) => {
      acknowledged = resolve;
      port?.postMessage({ id, part });
    });
  }
  port?.postMessage({ id, result: { ...verdict, compiled: shell } });
}

port.on("message", (message: { id: number; job: AuthoringJob } | { ack: number }) => {
  if ("ack" in message) {
    const resolve = acknowledged;
    acknowledged = undefined;
    resolve?.();
    return;
  }
  const id = message.id;
  runAuthoringJob(message.job)
    .then((result) => send(id, result))
    .catch((e: unknown) => port.postMessage({ id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }));
});
