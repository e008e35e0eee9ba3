/**
 * The fault-injection runs' synthetic rule set and its plumbing: a one-rule set whose decision is
 * a MARKER constant written into each published source (`marca = <marker>`), so that a decision
 * tells which version decided; its suite expects the same marker, so every version passes its own
 * suite and can be rolled back to. Also a seeded random generator (the runs print their seed),
 * temp folders, the service started on them, and the scan for temp files left in a data folder.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32 } from "../../helpers/prng.js";
import { startService, type ServiceProcess, type StartedService } from "../../helpers/service-process.js";

export const RULESET = "falhas";

export function faultSource(marker: number): string {
  return `ruleset: ${RULESET}
description: Conjunto sintético do script de falhas (marca ${marker}).
facts:
  valor: { type: integer, required: true }
outputs:
  marca: { type: integer }
rules:
  - name: marcar versão
    then: marca = ${marker}
`;
}

export function faultSuite(marker: number): string {
  return `suite: ${RULESET}
cases:
  - name: marca da versão
    facts: { valor: 1 }
    expect: { marca: ${marker} }
`;
}

/** The marker of a source written by faultSource, or undefined for any other text. */
export function markerOf(source: string): number | undefined {
  const m = /\(marca (\d+)\)\.\n/.exec(source);
  if (!m) return undefined;
  const n = Number(m[1]);
  return source === faultSource(n) ? n : undefined;
}

/** A seeded generator (test/helpers/prng.ts; the runs are repeatable from their printed seed). */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** Temp folders of a run, removed by `removeAll()`. */
export class TempDirs {
  private readonly dirs: string[] = [];
  async make(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `faults-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }
  async removeAll(): Promise<void> {
    for (const d of this.dirs.splice(0)) await rm(d, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** A RULES_DIR seeding the fault rule set with marker 1 (version 1 of a fresh store). */
export async function writeRulesDir(dir: string): Promise<void> {
  await writeFile(join(dir, `${RULESET}.yaml`), faultSource(1));
  await writeFile(join(dir, `${RULESET}.test.yaml`), faultSuite(1));
}

export interface ServiceOptions {
  readonly dataDir: string;
  readonly rulesDir: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly built?: boolean;
}

/** Environment every service of the run gets (FaultsConfig.serviceEnv), under each launch's own. */
let runEnv: Readonly<Record<string, string>> = {};
export function setRunEnv(env: Readonly<Record<string, string>>): void {
  runEnv = env;
}

/** Every service process started by the runs, so that a failure or a signal can kill what is left. */
export const liveChildren = new Set<StartedService["child"]>();

/** Starts the service and waits until it listens (a generous budget: the box may be loaded). */
export async function launch(options: ServiceOptions): Promise<ServiceProcess> {
  const started = startService({
    dataDir: options.dataDir,
    rulesDir: options.rulesDir,
    built: options.built ?? false,
    env: {
      LOG_LEVEL: "info",
      AUTHORING_RATE_LIMIT: "1000000",
      SHUTDOWN_GRACE_MS: "60000",
      ...runEnv,
      ...options.env,
    },
    track: (child) => {
      liveChildren.add(child);
      child.on("exit", () => liveChildren.delete(child));
    },
  });
  started.service.catch(() => undefined);
  return await started.service;
}

/** Kills every service process still running (SIGKILL), e.g. on the way out after a failure. */
export function killAll(): void {
  for (const c of liveChildren) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

/** Paths of temp files under `dir`: the store's `.tmp-*` and the compiled cache's `*.tmp`. */
export async function tempFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.startsWith(".tmp-") || e.name.endsWith(".tmp")) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}
