/**
 * The authoring worker thread: runs authoring jobs (job.ts) off the event loop that serves
 * decisions. Protocol (pool.ts): `{ready: true}` out once loaded, then `{id, job}` in, `{id,
 * result}` or `{id, error}` out, one job at a time. Started through worker-entry.js (which registers the TypeScript loader).
 */
import { parentPort } from "node:worker_threads";
import { runAuthoringJob, type AuthoringJob } from "./job.js";

const port = parentPort;
if (!port) throw new Error("server/authoring/worker.ts runs only as a worker thread");

// Loaded (the compiler included): the pool starts counting a job's time from here.
port.postMessage({ ready: true });

port.on("message", (message: { id: number; job: AuthoringJob }) => {
  runAuthoringJob(message.job).then(
    (result) => port.postMessage({ id: message.id, result }),
    (e: unknown) => port.postMessage({ id: message.id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
  );
});
