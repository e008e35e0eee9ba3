// Entry of an authoring worker thread when the service runs from the TypeScript sources (vitest,
// tsx; see pool.ts). Plain JavaScript so that the thread starts without a TypeScript loader: it
// registers tsx (a dev dependency) for this thread, then loads the worker written in TypeScript
// (given in workerData, default ./worker.ts). The compiled service (dist/) does not use this file:
// its pool starts dist/server/authoring/worker.js directly.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData?.module ?? new URL("./worker.ts", import.meta.url).href);
