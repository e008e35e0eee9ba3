/**
 * The editor's web worker: runs the language services (diagnostics, completion, hover, symbols,
 * semantic tokens, definition, format) and the same compiler, engine and test runner as the
 * service (`dsl/`, `engine/`, `tester/`) on the draft, off the page's main thread.
 *
 * Diagnostics requests are latest-wins: when a newer `analyze` arrives before an older one ran, the
 * older is answered `superseded` and never computed (typing fast costs one analysis, not one per
 * keystroke). The computations themselves are in handlers.ts.
 */
import { handlers } from "./handlers.js";
import type { WorkerRequest, WorkerResponse } from "./protocol.js";

interface WorkerScope {
  postMessage(message: WorkerResponse): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;

async function handle(request: WorkerRequest): Promise<void> {
  try {
    const handler = handlers[request.method] as (params: unknown) => unknown;
    const result = await handler(request.params);
    scope.postMessage({ id: request.id, ok: true, result });
  } catch (e) {
    scope.postMessage({ id: request.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
}

/** The analyze request waiting to run (latest wins). */
let pendingAnalyze: WorkerRequest | undefined;

scope.onmessage = (event) => {
  const request = event.data;
  if (request.method !== "analyze") {
    void handle(request);
    return;
  }
  if (pendingAnalyze)
    scope.postMessage({ id: pendingAnalyze.id, ok: false, error: "substituída por uma mais nova", superseded: true });
  pendingAnalyze = request;
  setTimeout(() => {
    if (pendingAnalyze !== request) return;
    pendingAnalyze = undefined;
    void handle(request);
  }, 0);
};
