/**
 * HTTP benchmark (figures, not assertions), part of `npm run bench`: the decision service on
 * 127.0.0.1 (random port, temp DATA_DIR, shipped rule sets), loaded with autocannon for a bounded
 * time on POST /v1/decide/reclame-designacao and on the batch endpoint. Only loopback traffic.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { buildApp } from "../../server/app.js";
import { loadConfig } from "../../server/config.js";
import { Registry } from "../../server/registry.js";
import { seedFromDirectory } from "../../server/seed.js";
import { createFileStore } from "../../server/store/file-store.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 8);

const facts = {
  tipoAtendimento: "Reclamação",
  tipoCliente: "Credenciado",
  servico: "Glosa",
  entradaEm: "2026-04-16T15:00",
  gipesVinculacao: "GIPES Sintética",
};

async function main(): Promise<void> {
  const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), "bench-http-")), LOG_LEVEL: "silent" }, ROOT);
  const store = createFileStore(config.dataDir);
  await store.open();
  const registry = new Registry(store);
  await seedFromDirectory(registry, config.rulesDir);
  await registry.loadAll();
  const app = await buildApp({ config, registry, logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  const scenarios = [
    { title: "decide (10 connections)", path: "/v1/decide/reclame-designacao", body: { facts }, connections: 10 },
    {
      title: "decide with explain (10 connections)",
      path: "/v1/decide/reclame-designacao",
      body: { facts, explain: true },
      connections: 10,
    },
    {
      title: "batch of 100 (4 connections)",
      path: "/v1/decide/reclame-designacao/batch",
      body: { items: Array.from({ length: 100 }, () => ({ facts })) },
      connections: 4,
    },
  ];
  console.log(`HTTP benchmark, ${SECONDS}s per scenario, ${url}`);
  console.log("| scenario | req/s | p50 ms | p97.5 ms | p99 ms | non-2xx |");
  console.log("|:--|--:|--:|--:|--:|--:|");
  for (const s of scenarios) {
    const result = await autocannon({
      url: url + s.path,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(s.body),
      connections: s.connections,
      duration: SECONDS,
    });
    console.log(
      `| ${s.title} | ${result.requests.average.toFixed(0)} | ${result.latency.p50} | ${result.latency.p97_5} | ${result.latency.p99} | ${result.non2xx} |`,
    );
  }
  await app.close();
}

await main();
