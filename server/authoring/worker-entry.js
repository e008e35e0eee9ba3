// Entry of an authoring worker thread (see pool.ts). Plain JavaScript so that the thread starts
// without a TypeScript loader, under `npm start` (node --import tsx) and under vitest alike: it
// registers tsx for this thread, then loads the worker written in TypeScript (given in workerData,
// default ./worker.ts).
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData?.module ?? new URL("./worker.ts", import.meta.url).href);
