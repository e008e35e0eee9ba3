/**
 * Shared helpers of the HTTP service tests: a fresh app on a fresh temp DATA_DIR (and, when
 * seeding, a temp RULES_DIR holding copies of the chosen shipped rule sets), small inline rule
 * sets and suites, tokens, the error-envelope assertion and a gate that holds a decision in flight.
 * Synthetic data only.
 */
import { randomBytes } from "node:crypto";
import { copyFile, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { Engine } from "json-rules-engine";
import { afterAll, afterEach, expect, vi } from "vitest";
import { buildApp } from "../../server/app.js";
import { hashToken, type Role } from "../../server/auth.js";
import { loadConfig, type Config } from "../../server/config.js";
import { createMemoryDecisionStorage } from "../../server/decision-log/memory-storage.js";
import { DecisionLog, type DecisionLogOptions } from "../../server/decision-log/writer.js";
import { createMetrics, type Metrics } from "../../server/metrics.js";
import { Registry, type RegistryOptions } from "../../server/registry.js";
import { seedFromDirectory, type SeedReport } from "../../server/seed.js";
import { createFileStore, type FileStoreOptions } from "../../server/store/file-store.js";
import type { RuleSetStore, StoreProblem } from "../../server/store/types.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SHIPPED_RULES = join(ROOT, "rules");

// ---------------------------------------------------------------------------------------------
// Temp directories

const temps: string[] = [];

export async function tempDir(prefix = "server-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Temp dirs kept for the whole file (seeded templates). */
const persistent: string[] = [];

/** Removes every temp dir made so far (call in afterEach); `all` also removes the seeded templates (afterAll). */
export async function removeTempDirs(all = false): Promise<void> {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
  if (all) {
    templates.clear();
    for (const dir of persistent.splice(0)) await rm(dir, { recursive: true, force: true });
  }
}

/** A temp RULES_DIR with copies of the named shipped rule sets (and their suites when present). */
export async function rulesDirWith(names: readonly string[]): Promise<string> {
  const dir = await tempDir("rules-");
  for (const name of names) {
    await copyFile(join(SHIPPED_RULES, `${name}.yaml`), join(dir, `${name}.yaml`));
    await copyFile(join(SHIPPED_RULES, `${name}.test.yaml`), join(dir, `${name}.test.yaml`)).catch(() => undefined);
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Apps

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: RuleSetStore;
  readonly registry: Registry;
  readonly config: Config;
  readonly metrics: Metrics;
  readonly dataDir: string;
  readonly rulesDir: string;
  /** What store.open() reported. */
  readonly problems: readonly StoreProblem[];
  readonly seed: SeedReport | undefined;
  /** The decision log (the `decisionLog` start option), opened; closed with the app. */
  readonly decisionLog: DecisionLog | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Extra environment for loadConfig (DATA_DIR / RULES_DIR are filled in unless given). */
  readonly env?: Record<string, string>;
  /** Reuse an existing data dir (restart); default: a fresh temp one. */
  readonly dataDir?: string | undefined;
  /** Seed from this RULES_DIR; default: no seeding (empty store). */
  readonly rulesDir?: string;
  /** Shipped rule sets to copy into a fresh RULES_DIR and seed from (ignored when rulesDir is given). */
  readonly seedShipped?: readonly string[];
  /** Call registry.loadAll() (default true). False: the app answers before the rule sets are loaded. */
  readonly load?: boolean;
  /** Options of the file store (an injected failing fs, the lock's pid checker...). */
  readonly storeOptions?: FileStoreOptions;
  /** Options of the registry (an injected runtime builder...). */
  readonly registryOptions?: RegistryOptions;
  /** Wraps the file store (a test playing a database that went down, or another replica's changes). */
  readonly wrapStore?: (store: RuleSetStore) => RuleSetStore;
  /**
   * Start with a decision log, as server/main.ts wires it from DECISION_LOG_* (env DECISION_LOG=off:
   * none): `true`, or options of the writer over the defaults (storage: a memory storage; flushed
   * every 20 ms; close waits at most 1 s).
   */
  readonly decisionLog?: true | Partial<DecisionLogOptions>;
}

/** Builds the app the way server/main.ts wires it: store.open, seed, loadAll; never listens. */
export async function startApp(options: StartOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? (await tempDir("data-"));
  const rulesDir =
    options.rulesDir ?? (options.seedShipped ? await rulesDirWith(options.seedShipped) : await tempDir("no-rules-"));
  const config = loadConfig({ DATA_DIR: dataDir, RULES_DIR: rulesDir, ...options.env }, ROOT);
  const fileStore = createFileStore(config.dataDir, options.storeOptions);
  const store = options.wrapStore ? options.wrapStore(fileStore) : fileStore;
  const registry = new Registry(store, options.registryOptions);
  const metrics = createMetrics();
  let decisionLog: DecisionLog | undefined;
  if (options.decisionLog !== undefined && config.decisionLog.enabled) {
    const c = config.decisionLog;
    decisionLog = new DecisionLog({
      storage: createMemoryDecisionStorage(),
      queueLimit: c.queue,
      mode: c.personal,
      key: c.key,
      flushEveryMs: 20,
      closeTimeoutMs: 1000,
      ...(options.decisionLog === true ? {} : options.decisionLog),
      metrics,
    });
    await decisionLog.open();
  }
  const app = await buildApp({ config, registry, logger: false, metrics, ...(decisionLog ? { decisionLog } : {}) });
  const problems = await store.open();
  let seed: SeedReport | undefined;
  if (options.rulesDir !== undefined || options.seedShipped !== undefined) {
    seed = await seedFromDirectory(registry, config.rulesDir);
  }
  if (options.load !== false) {
    const loadProblems = await registry.loadAll();
    expect(loadProblems).toEqual([]);
  }
  let closed = false;
  return {
    app,
    store,
    registry,
    config,
    metrics,
    dataDir,
    rulesDir,
    problems,
    seed,
    decisionLog,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await decisionLog?.close();
      await store.close();
    },
  };
}

/** Marks `app` as the one to close after the current test; returns it. */
export type Keep = <T extends TestApp>(app: T) => T;

/** Extra clean-up a test file runs around the shared one, in this order: `beforeClose`, close, `afterClose`, temp dirs. */
export interface CloseSteps {
  /** Runs before the kept app is closed (e.g. release a held decision, destroy open sockets). */
  readonly beforeClose?: () => void | Promise<void>;
  /** Runs after the kept app is closed and before the temp dirs are removed (e.g. close worker pools). */
  readonly afterClose?: () => void | Promise<void>;
}

/**
 * Registers the clean-up every HTTP service test file needs and returns `keep(app)`, which marks
 * `app` as the one to close after the current test (and returns it). After each test: the extra
 * `beforeClose` step, close the kept app (if any) and forget it, the extra `afterClose` step,
 * remove that test's temp dirs; after all tests: also remove the seeded templates. Call once at
 * the top level of a test file.
 *
 * Why: every test file repeated this; the app's store lives in a temp DATA_DIR, so the app is
 * closed before the dirs are removed, and it is closed even when the test failed half-way, so
 * nothing is left open for the next test. One slot, as the files had it: keeping another app
 * replaces the kept one without closing it (a test that swaps apps closes the first itself).
 */
export function closeAfterEach(steps: CloseSteps = {}): Keep {
  let current: TestApp | undefined;
  afterEach(async () => {
    await steps.beforeClose?.();
    await current?.close();
    current = undefined;
    await steps.afterClose?.();
    await removeTempDirs();
  });
  afterAll(() => removeTempDirs(true));
  return (app) => {
    current = app;
    return app;
  };
}

/**
 * closeAfterEach for files that hold a decision in flight: `hold()` is holdNextDecision(), and
 * after each test its gate is released and the engine restored before the app is closed, so a
 * test that fails while a decision is held leaves neither the decision nor the spy behind.
 */
export function closeAfterEachHolding(): { keep: Keep; hold(): DecisionGate } {
  let gate: DecisionGate | undefined;
  const keep = closeAfterEach({
    beforeClose: () => {
      gate?.release();
      gate?.restore();
      gate = undefined;
    },
  });
  return { keep, hold: () => (gate = holdNextDecision()) };
}

const templates = new Map<string, Promise<string>>();

/** A data dir seeded once per test file (worker) with the named shipped rule sets. */
function seededTemplate(names: readonly string[]): Promise<string> {
  const key = [...names].sort().join(",");
  let t = templates.get(key);
  if (!t) {
    t = (async () => {
      const seeded = await startApp({ seedShipped: names });
      expect(seeded.seed?.problems).toEqual([]);
      expect(seeded.seed?.seeded.sort()).toEqual([...names].sort());
      await seeded.close();
      for (const dir of [seeded.dataDir, seeded.rulesDir]) {
        const i = temps.indexOf(dir);
        if (i >= 0) temps.splice(i, 1);
        persistent.push(dir);
      }
      return seeded.dataDir;
    })();
    templates.set(key, t);
  }
  return t;
}

/**
 * An app on a FRESH temp DATA_DIR that already holds version 1 of the named shipped rule sets
 * (a copy of a data dir seeded once per file, so each test pays a directory copy, not a seed).
 */
export async function startSeeded(
  names: readonly string[] = ["reclame-designacao"],
  options: Omit<StartOptions, "dataDir" | "rulesDir" | "seedShipped"> = {},
): Promise<TestApp> {
  const template = await seededTemplate(names);
  const dataDir = await tempDir("data-");
  await cp(template, dataDir, { recursive: true });
  return startApp({ ...options, dataDir });
}

// ---------------------------------------------------------------------------------------------
// Requests

export interface Call {
  readonly method?: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  readonly url: string;
  readonly body?: unknown;
  /** Bearer token; absent or undefined: no Authorization header. */
  readonly token?: string | undefined;
  readonly headers?: Record<string, string>;
}

export function call(app: FastifyInstance, c: Call): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...c.headers };
  if (c.token !== undefined) headers.authorization = `Bearer ${c.token}`;
  return app.inject({
    method: c.method ?? (c.body === undefined ? "GET" : "POST"),
    url: c.url,
    headers,
    ...(c.body !== undefined ? { payload: c.body as Record<string, unknown> } : {}),
  });
}

export function json<T = any>(res: LightMyRequestResponse): T {
  return JSON.parse(res.body) as T;
}

/** No stack frames, no source file names in a response body. */
export function expectNoStack(body: string): void {
  expect(body).not.toMatch(/\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+|\.js:\d+|node:internal|node_modules/);
}

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: any[];
  readonly requestId: string;
}

/**
 * Asserts the contract's error envelope: the status, JSON content type, `{"error": {code,
 * message, details[], requestId}}` with the same requestId as the x-request-id header, no stack.
 * `code` may be a list of acceptable codes.
 */
export function expectError(res: LightMyRequestResponse, status: number, code?: string | readonly string[]): ErrorBody {
  expect(res.statusCode, `status of ${res.body.slice(0, 500)}`).toBe(status);
  expect(String(res.headers["content-type"])).toMatch(/^application\/json/);
  expectNoStack(res.body);
  const body = json(res);
  expect(Object.keys(body)).toEqual(["error"]);
  const err = body.error as ErrorBody;
  expect(err.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  expect(typeof err.message).toBe("string");
  expect(err.message.length).toBeGreaterThan(0);
  expect(Array.isArray(err.details)).toBe(true);
  const header = res.headers["x-request-id"];
  expect(typeof header).toBe("string");
  expect(err.requestId, "error.requestId equals the x-request-id header").toBe(header);
  if (typeof code === "string") expect(err.code).toBe(code);
  else if (code) expect(code).toContain(err.code);
  return err;
}

// ---------------------------------------------------------------------------------------------
// Inline rule sets and suites

/**
 * A small rule set: `valor` integer (required), `canal` enum (optional); decision `marca` (a
 * version marker: tells which source decided) and `faixa` ("ALTA" from 100).
 */
export function miniSource(marca: number, name = "mini", extraRules = ""): string {
  return `ruleset: ${name}
description: Conjunto mínimo de teste (marca ${marca}).
facts:
  valor: { type: integer, required: true }
  canal: { type: string, enum: [telefone, chat] }
outputs:
  marca: { type: integer }
  faixa: { type: string, nullable: true }
rules:
  - name: faixa alta
    when: valor >= 100
    then: faixa = "ALTA"
  - name: marcar versão
    then: marca = ${marca}
${extraRules}`;
}

/** A rule set whose invariant breaks for large values (`total` is `valor`, and must stay below 100): a 500 RULESET_DEFECT at decision time. */
export const BROKEN_INVARIANT_SOURCE = `ruleset: defeito
description: Invariante quebrado de propósito.
facts:
  valor: { type: integer, required: true }
outputs:
  total: { type: integer }
rules:
  - name: copiar
    then: total = valor
invariants:
  - name: total pequeno
    check: decision.total < 100
`;

/** A suite for miniSource expecting `marca` (and the ALTA band for valor 150). */
export function miniSuite(expectMarca: number, name = "mini"): string {
  return `suite: ${name}
cases:
  - name: marca da versão
    facts: { valor: 1 }
    expect: { marca: ${expectMarca}, faixa: null }
  - name: faixa alta
    facts: { valor: 150, canal: chat }
    expect: { marca: ${expectMarca}, faixa: ALTA }
`;
}

/** A rule set with `rules` rules (each one runs a json-rules-engine condition): slower decisions. */
export function slowSource(marca: number, rules = 50, name = "lento"): string {
  let s = `ruleset: ${name}
description: Muitas regras (decisão lenta de propósito).
facts:
  valor: { type: integer, required: true }
outputs:
  marca: { type: integer }
  soma: { type: integer, default: 0 }
rules:
`;
  for (let i = 0; i < rules; i++)
    s += `  - name: regra ${i}\n    when: valor > ${i}\n    then: soma = decision.soma + 1\n`;
  s += `  - name: marcar versão\n    priority: -1\n    then: marca = ${marca}\n`;
  return s;
}

/** Valid facts for reclame-designacao, shared with the engine tests. */
export { reclameFacts } from "../helpers/rulesets.js";

// ---------------------------------------------------------------------------------------------
// Tokens

export interface Tokens {
  /** Clear-text tokens by name. */
  readonly decide: string;
  readonly author: string;
  readonly publisher: string;
  readonly all: string;
  /** The TOKENS env value (hashes only). */
  readonly env: string;
}

export function newTokens(): Tokens {
  const t = () => randomBytes(24).toString("base64url");
  const entries: [string, Role[], string][] = [
    ["crm", ["decide"], t()],
    ["ana", ["author"], t()],
    ["paulo", ["publisher"], t()],
    ["admin", ["decide", "author", "publisher"], t()],
  ];
  return {
    decide: entries[0]![2],
    author: entries[1]![2],
    publisher: entries[2]![2],
    all: entries[3]![2],
    env: entries.map(([name, roles, token]) => `${name}:${roles.join(",")}:${hashToken(token)}`).join(";"),
  };
}

// ---------------------------------------------------------------------------------------------
// Holding a decision in flight

export interface DecisionGate {
  /** Resolves when a decision reached the engine and is being held. */
  readonly started: Promise<void>;
  /** Lets the held decision continue. */
  release(): void;
  restore(): void;
}

/**
 * The next json-rules-engine run (i.e. a decision that has already picked its rule-set version
 * and is entering `engine.run`) waits until `release()`. Only the first run is held; everything
 * else passes straight through.
 */
export function holdNextDecision(): DecisionGate {
  let armed = true;
  let signalStarted!: () => void;
  const started = new Promise<void>((resolve) => (signalStarted = resolve));
  let releaseGate!: () => void;
  const gate = new Promise<void>((resolve) => (releaseGate = resolve));
  // Held at the start of json-rules-engine's run, whatever facts the rules read (the runtime may
  // set every rule that reads a fact aside: engine/rule-filter.ts).
  const proto = Engine.prototype as unknown as { run: (...args: unknown[]) => Promise<unknown> };
  const original = proto.run;
  const spy = vi.spyOn(proto, "run").mockImplementation(async function (this: unknown, ...args: unknown[]) {
    if (armed) {
      armed = false;
      signalStarted();
      await gate;
    }
    return original.apply(this, args);
  });
  return { started, release: () => releaseGate(), restore: () => spy.mockRestore() };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
