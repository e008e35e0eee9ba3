/**
 * Authoring off the event loop: a small pool of worker threads that run authoring jobs (compile,
 * check, build the runtime, run a suite — job.ts), so that a large publish never stalls decisions
 * or /health. Jobs queue when every worker is busy; a job that runs past its time limit has its
 * worker terminated (the only way to stop synchronous work) and replaced by a fresh one on the
 * next job. Workers start on first use and do not keep the process alive while idle.
 *
 * `inlineRunner` runs the same jobs on the calling thread (AUTHORING_WORKERS=0, and seeding at
 * start, before the service listens).
 */
import { Worker } from "node:worker_threads";
import type { AuthoringJob, AuthoringVerdict } from "./job.js";
import { joinTransfer, type TransferPart } from "./transfer.js";

export interface AuthoringRunner {
  /** Runs a job; `timeoutMs` > 0 bounds its run time (AuthoringTimeoutError). */
  run(job: AuthoringJob, timeoutMs: number): Promise<AuthoringVerdict>;
}

/** Runs jobs on the calling thread (no time limit can be enforced there). */
export const inlineRunner: AuthoringRunner = {
  // job.ts (the compiler and the tester) loads on the first inline job, not at start.
  run: async (job) => (await import("./job.js")).runAuthoringJob(job),
};

export class AuthoringTimeoutError extends Error {
  override name = "AuthoringTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`authoring job exceeded ${timeoutMs} ms; its worker was terminated`);
  }
}

/** A worker died (crash, out of memory) while running a job. */
export class AuthoringWorkerError extends Error {
  override name = "AuthoringWorkerError";
}

export interface AuthoringPoolOptions {
  /** Worker threads (at least 1). */
  readonly size: number;
  /**
   * The worker module as a file URL (tests); default `worker.ts` beside this file (through
   * worker-entry.js), or `worker.js` when compiled (a compiled pool starts the module directly, so
   * it must be JavaScript).
   */
  readonly module?: string;
}

export interface AuthoringPoolStats {
  /** Workers started so far. */
  readonly started: number;
  /** Workers terminated because a job ran past its time limit. */
  readonly timedOut: number;
  /** Workers that died on their own while running a job. */
  readonly crashed: number;
  readonly busy: number;
  readonly queued: number;
}

interface Pending {
  readonly id: number;
  readonly job: AuthoringJob;
  readonly timeoutMs: number;
  /** Parts of the compiled rule set received so far (transfer.ts). */
  readonly parts: TransferPart[];
  readonly resolve: (v: AuthoringVerdict) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  current?: Pending | undefined;
  timer?: NodeJS.Timeout | undefined;
  dead: boolean;
  /** The worker has loaded its modules (a job's time limit counts from then, not from the spawn). */
  ready: boolean;
}

type Reply =
  | { ready: true }
  | { id: number; part: TransferPart }
  | { id: number; result: AuthoringVerdict }
  | { id: number; error: string };

/**
 * What a worker thread starts from. Compiled (`dist/server/authoring/pool.js`): the worker module
 * itself, plain JavaScript (`worker.js` beside this file, or the given module). From the TypeScript
 * sources (vitest, tsx): `worker-entry.js`, which registers tsx in the thread and then imports the
 * module (`workerData.module`, default `./worker.ts`). tsx is a dev dependency: the compiled
 * service never loads it.
 */
const COMPILED = import.meta.url.endsWith(".js");

function workerStart(module: string | undefined): { file: URL; workerData: { module: string | undefined } } {
  if (COMPILED) return { file: new URL(module ?? "./worker.js", import.meta.url), workerData: { module } };
  return { file: new URL("./worker-entry.js", import.meta.url), workerData: { module } };
}

export class AuthoringPool implements AuthoringRunner {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private counts = { started: 0, timedOut: 0, crashed: 0 };

  constructor(private readonly options: AuthoringPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new RangeError("an authoring pool needs at least one worker");
  }

  get stats(): AuthoringPoolStats {
    return { ...this.counts, busy: this.slots.filter((s) => s.current).length, queued: this.queue.length };
  }

  run(job: AuthoringJob, timeoutMs: number): Promise<AuthoringVerdict> {
    if (this.closed) return Promise.reject(new AuthoringWorkerError("the authoring pool is closed"));
    return new Promise<AuthoringVerdict>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, timeoutMs, parts: [], resolve, reject });
      this.dispatch();
    });
  }

  /** Terminates every worker; queued and running jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new AuthoringWorkerError("the authoring pool was closed"));
    await Promise.all(
      this.slots.splice(0).map((s) => this.kill(s, new AuthoringWorkerError("the authoring pool was closed"))),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.current && !s.dead);
      if (!slot) {
        if (this.slots.length >= this.options.size) return;
        slot = this.spawn();
      }
      const pending = this.queue.shift() as Pending;
      this.start(slot, pending);
    }
  }

  private spawn(): Slot {
    const start = workerStart(this.options.module);
    const worker = new Worker(start.file, { workerData: start.workerData });
    const slot: Slot = { worker, dead: false, ready: false };
    this.counts.started++;
    worker.unref();
    worker.on("message", (reply: Reply) => {
      if ("ready" in reply) {
        slot.ready = true;
        if (slot.current) this.arm(slot, slot.current);
        return;
      }
      const p = slot.current;
      if (!p || reply.id !== p.id) return;
      if ("part" in reply) {
        // One slice of a large compiled rule set: keep it, ask for the next (other requests run in between).
        p.parts.push(reply.part);
        slot.worker.postMessage({ ack: p.id });
        return;
      }
      this.finish(slot);
      if ("error" in reply) {
        p.reject(new Error(`authoring job failed: ${reply.error}`));
        return;
      }
      const verdict = reply.result;
      if (p.parts.length === 0 || !verdict.compiled) {
        p.resolve(verdict);
        return;
      }
      try {
        p.resolve({ ...verdict, compiled: joinTransfer(verdict.compiled, p.parts) });
      } catch (e) {
        p.reject(e as Error);
      }
    });
    const died = (why: string) => {
      if (slot.dead) return;
      slot.dead = true;
      this.remove(slot);
      const p = slot.current;
      if (p) {
        this.finish(slot);
        this.counts.crashed++;
        p.reject(new AuthoringWorkerError(`authoring worker died: ${why}`));
      }
      this.dispatch();
    };
    worker.on("error", (e) => died(e.message));
    worker.on("exit", (code) => died(`exit code ${code}`));
    this.slots.push(slot);
    return slot;
  }

  private start(slot: Slot, p: Pending): void {
    slot.current = p;
    slot.worker.ref();
    if (slot.ready) this.arm(slot, p);
    slot.worker.postMessage({ id: p.id, job: p.job });
  }

  /** Starts the job's clock. */
  private arm(slot: Slot, p: Pending): void {
    if (p.timeoutMs > 0 && !slot.timer) {
      slot.timer = setTimeout(() => {
        if (slot.current !== p) return;
        this.counts.timedOut++;
        this.finish(slot);
        p.reject(new AuthoringTimeoutError(p.timeoutMs));
        this.remove(slot);
        void this.kill(slot).then(() => this.dispatch());
        this.dispatch();
      }, p.timeoutMs);
    }
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.current = undefined;
    if (!slot.dead) slot.worker.unref();
    queueMicrotask(() => this.dispatch());
  }

  private remove(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private async kill(slot: Slot, reason?: Error): Promise<void> {
    const p = slot.current;
    slot.dead = true;
    if (p && reason) {
      this.finish(slot);
      p.reject(reason);
    }
    await slot.worker.terminate().catch(() => undefined);
  }
}

const shared = new Map<number, AuthoringPool>();

/**
 * The process-wide pool of `size` workers (worker threads are a process resource: every app in
 * the process — one in production, many in tests — shares them). 0 → the inline runner.
 */
export function sharedAuthoringRunner(size: number): AuthoringRunner {
  if (size <= 0) return inlineRunner;
  let pool = shared.get(size);
  if (!pool) {
    pool = new AuthoringPool({ size });
    shared.set(size, pool);
  }
  return pool;
}
