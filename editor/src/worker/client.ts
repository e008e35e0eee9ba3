/**
 * The page's side of the worker protocol: typed requests as promises. `latest(method, ...)`
 * resolves only for the newest call of a kind (older ones reject with `Superseded`), so a
 * result computed for an older draft never overwrites a newer one.
 */
import RegrasWorker from "./worker.ts?worker";
import type { WorkerMethod, WorkerMethods, WorkerRequest, WorkerResponse } from "./protocol.js";

/** A request replaced by a newer one of the same kind before its result arrived. */
export class Superseded extends Error {
  constructor() {
    super("substituída por uma mais nova");
    this.name = "Superseded";
  }
}

export class WorkerClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly newest = new Map<string, number>();

  private started: Worker | undefined;

  /** `start` creates the worker on the first request (its code loads after the page is up). */
  constructor(private readonly start: () => Worker) {}

  private get worker(): Worker {
    if (this.started) return this.started;
    const worker = this.start();
    this.started = worker;
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const response = event.data;
      const w = this.waiting.get(response.id);
      if (!w) return;
      this.waiting.delete(response.id);
      if (response.ok) w.resolve(response.result);
      else w.reject(response.superseded ? new Superseded() : new Error(response.error));
    };
    worker.onerror = (event) => {
      const error = new Error(`o processamento em segundo plano falhou: ${event.message}`);
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    };
    return worker;
  }

  request<M extends WorkerMethod>(method: M, params: WorkerMethods[M]["params"]): Promise<WorkerMethods[M]["result"]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, params } as WorkerRequest);
    });
  }

  /** Like `request`, but only the newest call with the same `key` resolves; older ones reject `Superseded`. */
  async latest<M extends WorkerMethod>(
    key: string,
    method: M,
    params: WorkerMethods[M]["params"],
  ): Promise<WorkerMethods[M]["result"]> {
    const mine = this.nextId;
    this.newest.set(key, mine);
    const result = await this.request(method, params);
    if (this.newest.get(key) !== mine) throw new Superseded();
    return result;
  }
}

let shared: WorkerClient | undefined;

/** The page's one worker, started on first use. */
export function workerClient(): WorkerClient {
  shared ??= new WorkerClient(() => new RegrasWorker());
  return shared;
}
