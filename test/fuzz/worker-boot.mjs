// Entry of a fuzz worker thread: worker threads do not inherit tsx's loader from `node --import
// tsx` on Node 20, so the loader is registered here before the TypeScript worker is imported.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
