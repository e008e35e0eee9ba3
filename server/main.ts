/**
 * Starts the decision service: configuration from the environment, the embedded store under
 * DATA_DIR, rule sets seeded from rules/, the API, its docs and metrics. The only file that
 * listens.
 */
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { inlineAuthoring } from "./publish.js";
import { Registry } from "./registry.js";
import { seedFromDirectory } from "./seed.js";
import { createFileStore } from "./store/file-store.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError || e instanceof Error) {
      process.stderr.write(`configuração inválida: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const store = createFileStore(config.dataDir);
  const registry = new Registry(store);
  const app = await buildApp({ config, registry });
  const log = app.log;

  const problems = await store.open();
  for (const p of problems) log.warn({ path: p.path }, `store: ${p.message}`);
  // Before listening: nothing to stall yet, so the seed's jobs run inline (the service's limits apply).
  const seed = await seedFromDirectory(registry, config.rulesDir, { ...inlineAuthoring, limits: { maxRules: config.maxRules, maxTableRows: config.maxTableRows } });
  for (const name of seed.seeded) log.info({ ruleset: name }, "rule set seeded from rules/");
  for (const p of seed.problems) log.error({ path: p.path }, `seed: ${p.message}`);
  // A stored version that no longer builds is reported; the newest older one that builds serves (see /ready).
  for (const p of await registry.loadAll()) log.error({ path: p.path }, `load: ${p.message}`);

  await app.listen({ port: config.port, host: config.host });
  log.info({ dataDir: config.dataDir, rulesets: registry.names(), auth: config.tokens.length ? "tokens" : "open (loopback only)" }, "decision service ready");

  const stop = async (signal: string) => {
    log.info({ signal }, "shutting down");
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

main().catch((e: unknown) => {
  process.stderr.write(`falha ao iniciar: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
