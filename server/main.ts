/**
 * Starts the decision service: configuration from the environment, the store (the embedded file
 * store under DATA_DIR, or PostgreSQL when DATABASE_URL is set: several replicas on one database),
 * rule sets seeded from rules/, the API, its docs and metrics. The only file that listens.
 *
 * Start-up stays short (under a second with the shipped rule sets): the compiled forms come from
 * the cache under DATA_DIR (compiled-cache.ts), so the compiler, the tester and the authoring
 * worker threads load on the first validate, test or publish, not here.
 */
import type { FastifyBaseLogger } from "fastify";
import { join } from "node:path";
import { buildApp } from "./app.js";
import { COMPILED_CACHE_DIR, CompiledCache, compilerFingerprint } from "./compiled-cache.js";
import { ConfigError, loadConfig, redactDatabaseUrl } from "./config.js";
import { AuthoringPool, sharedAuthoringRunner } from "./authoring/pool.js";
import { createFileDecisionStorage, removeTempLeftovers } from "./decision-log/file-storage.js";
import type { DecisionLogStorage } from "./decision-log/types.js";
import { type DecisionLog, decisionLogFromConfig } from "./decision-log/writer.js";
import { followCompiler } from "./follow.js";
import { createMetrics } from "./metrics.js";
import { inlineAuthoring } from "./publish.js";
import { Registry } from "./registry.js";
import { seedFromDirectory } from "./seed.js";
import { createFileStore } from "./store/file-store.js";
import type { RuleSetStore } from "./store/types.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError || e instanceof Error) {
      process.stderr.write(`configuração inválida: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  // The store's own warnings (a stale data-directory lock taken over, the database lost and
  // found again...) go to the service log.
  let logSink: FastifyBaseLogger | undefined;
  const logger = {
    warn: (obj: object, msg: string) => logSink?.warn(obj, msg),
    info: (obj: object, msg: string) => logSink?.info(obj, msg),
    error: (obj: object, msg: string) => logSink?.error(obj, msg),
  };
  let store: RuleSetStore;
  if (config.databaseUrl) {
    // Loaded only here: a service on the file store never loads the PostgreSQL driver.
    const { createPostgresStore } = await import("./store/pg-store.js");
    store = createPostgresStore(config.databaseUrl, {
      logger,
      pollIntervalMs: config.storePollMs,
    });
  } else {
    store = createFileStore(config.dataDir, { logger });
  }
  // What the compiler made of each stored version, kept between starts (compiled-cache.ts): a
  // restart builds the runtimes without loading or running the compiler.
  const fingerprint = compilerFingerprint();
  const registry = new Registry(
    store,
    fingerprint ? { compiledCache: new CompiledCache(join(config.dataDir, COMPILED_CACHE_DIR), fingerprint) } : {},
  );
  // The decision log (server/decision-log/): next to the rule sets — files under DATA_DIR/decisions,
  // or the same PostgreSQL database. Off with DECISION_LOG=off.
  const metrics = createMetrics();
  let decisionLog: DecisionLog | undefined;
  if (config.decisionLog.enabled) {
    let storage: DecisionLogStorage;
    if (config.databaseUrl) {
      const { createPostgresDecisionStorage } = await import("./decision-log/pg-storage.js");
      storage = createPostgresDecisionStorage(config.databaseUrl, { logger });
    } else {
      storage = createFileDecisionStorage(join(config.dataDir, "decisions"), { logger });
    }
    decisionLog = decisionLogFromConfig(config.decisionLog, storage, { metrics, logger });
  }
  const app = await buildApp({ config, registry, metrics, ...(decisionLog ? { decisionLog } : {}) });
  const log = app.log;
  logSink = log;

  // File store: takes DATA_DIR/.lock — a second process on the same folder stops here (exit 1,
  // message naming the owner's pid and the folder). PostgreSQL: connects (retrying for a while when
  // the database is not up yet), migrates the schema, loads every rule set.
  if (config.databaseUrl) log.info({ database: redactDatabaseUrl(config.databaseUrl) }, "store: PostgreSQL");
  const problems = await store.open();

  // Graceful shutdown: stop accepting connections, let the requests in flight finish (each
  // keep-alive connection closes after its response), answer new requests on open connections
  // 503 SHUTTING_DOWN, then exit 0. Past SHUTDOWN_GRACE_MS: wait for the publishes already writing
  // (a publish is committed and answered, or not committed), cut the remaining connections, exit 1.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceMs: config.shutdownGrace }, "shutting down: finishing the requests in flight");
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      log.warn({ graceMs: config.shutdownGrace }, "shutdown grace period over: cutting the connections still open");
      void store.close().finally(() => setImmediate(() => app.server.closeAllConnections()));
    }, config.shutdownGrace);
    try {
      await app.close();
    } finally {
      clearTimeout(timer);
    }
    // What the decision log still holds in its queue is written (bounded: 5 s), then it closes.
    await decisionLog?.close();
    registry.stopFollowing();
    await store.close();
    log.info({ signal, forced }, "stopped");
    process.exit(forced ? 1 : 0);
  };
  // Installed before the start-up work: a SIGTERM while seeding still releases the lock cleanly.
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  try {
    for (const p of problems) log.warn({ path: p.path }, `store: ${p.message}`);
    // The seed's jobs (the service's limits apply, no time limit) run in a worker thread of their
    // own, ended once seeding is done: the compiler and the tester it loaded, and what five suite
    // runs left on its heap, go with it, so a first start serves at the memory of a restart. The
    // thread starts only when a rule set is to be seeded. AUTHORING_WORKERS=0: inline, as asked.
    const seedRunner = config.authoringWorkers > 0 ? new AuthoringPool({ size: 1 }) : inlineAuthoring.runner;
    let seed: Awaited<ReturnType<typeof seedFromDirectory>>;
    try {
      seed = await seedFromDirectory(registry, config.rulesDir, {
        ...inlineAuthoring,
        runner: seedRunner,
        limits: { maxRules: config.maxRules, maxTableRows: config.maxTableRows },
      });
    } finally {
      if (seedRunner instanceof AuthoringPool) await seedRunner.close();
    }
    for (const name of seed.seeded) log.info({ ruleset: name }, "rule set seeded from rules/");
    for (const p of seed.problems) log.error({ path: p.path }, `seed: ${p.message}`);
    // A stored version that no longer builds is reported; the newest older one that builds serves (see /ready).
    for (const p of await registry.loadAll()) log.error({ path: p.path }, `load: ${p.message}`);
    // Several replicas: what another one publishes or rolls back is built and served here too.
    registry.follow({
      compile: followCompiler({
        workers: sharedAuthoringRunner(config.authoringWorkers),
        limits: { maxRules: config.maxRules, maxTableRows: config.maxTableRows },
      }),
      onRefreshed: (name, version) => log.info({ ruleset: name, version }, "rule set updated by another replica"),
      onProblem: (p) => log.error({ path: p.path }, `load: ${p.message}`),
    });

    // The decision log opens in the background: decisions taken before it is open wait in its
    // bounded queue (dropped, counted, when full); a storage that cannot open yet (the database
    // just went away) is tried again, and never holds up or fails a decision.
    if (decisionLog) {
      // Crash leftovers of the file log go before the service says it is ready (a folder listing;
      // opening the log itself scans every segment, so that stays in the background).
      if (decisionLog.storage.kind === "file")
        await removeTempLeftovers(join(config.dataDir, "decisions"), log).catch((e: unknown) =>
          log.error({ err: e }, "decision log: temporary files could not be removed"),
        );
      void openDecisionLog(decisionLog, log);
    }

    // The authoring worker threads start on the first validate, test or publish (each one loads the
    // compiler: about 40 MiB that a service only deciding never needs).
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    if (stopping) return; // stopped during start-up: stop() exits
    await store.close(); // releases the data-directory lock
    throw e;
  }
  log.info(
    {
      dataDir: config.dataDir,
      store: store.status().kind,
      rulesets: registry.names(),
      auth: config.tokens.length ? "tokens" : "open (loopback only)",
    },
    "decision service ready",
  );
}

/** Opens the decision log, trying again (1 s, doubling up to 30 s) until it opens or the service stops. */
async function openDecisionLog(decisionLog: DecisionLog, log: FastifyBaseLogger): Promise<void> {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 30_000)) {
    try {
      await decisionLog.open();
      log.info({ storage: decisionLog.storage.kind }, "decision log open");
      return;
    } catch (e) {
      log.error(
        { err: e, retryInMs: wait },
        "decision log: the storage could not be opened; decisions are not logged until it opens",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait).unref());
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`falha ao iniciar: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
