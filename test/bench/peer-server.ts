/**
 * HTTP peers for the benchmark (started by test/bench/harness.ts as a child process, so that its
 * CPU time is measured apart from autocannon's):
 * - `bare`: a bare fastify route (GET /health answering { status: "ok" });
 * - `naive`: fastify + json-rules-engine as a user would write it (POST /decide with { facts },
 *   the designation table as one rule per row, engine built once).
 * Usage: node --import tsx test/bench/peer-server.ts bare|naive <port>. Loopback only.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { designationWorkload, naiveEngine } from "./workloads.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const kind = process.argv[2];
const port = Number(process.argv[3] ?? 0);

const app = Fastify({ logger: false });
app.get("/health", async () => ({ status: "ok" }));
if (kind === "naive") {
  const decide = naiveEngine(designationWorkload(ROOT));
  app.post("/decide", async (req) => {
    const facts = (req.body as { facts: Record<string, unknown> }).facts;
    return { decision: { designacao: await decide(facts) } };
  });
} else if (kind !== "bare") {
  throw new Error(`unknown peer server ${kind}`);
}
await app.listen({ host: "127.0.0.1", port });
