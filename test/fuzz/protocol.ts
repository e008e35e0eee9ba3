/**
 * Messages between `npm run fuzz` (scripts/fuzz.ts) and its worker threads (worker.ts), and the
 * layout of the shared watchdog buffer.
 */
import type { ChunkResult, Finding, SlowInput } from "./runner.js";
import type { TargetName } from "./targets.js";

export interface ChunkJob {
  readonly type: "chunk";
  readonly id: number;
  readonly target: TargetName;
  readonly seed: number;
  readonly runs: number;
}

export interface ConfirmJob {
  readonly type: "confirm";
  readonly id: number;
  readonly slow: SlowInput;
}

export type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "chunk"; readonly id: number; readonly result: ChunkResult; readonly ms: number }
  | { readonly type: "confirm"; readonly id: number; readonly finding: Finding | null };

/** Watchdog buffer layout: Int32 [0] sequence, [1] input byte length, then the input bytes. */
export const WATCH_HEADER = 8;
export const WATCH_BYTES = 1 << 20;
