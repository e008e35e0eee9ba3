/**
 * Authoring off the event loop (issue 7, item 14): compiling, checking and suite runs happen in a
 * worker thread, so a large publish never stalls decisions or /health on a real listening server;
 * a stuck worker is terminated and replaced; the compiled rule set crosses the thread boundary as
 * plain data; rule sets above MAX_RULES / MAX_TABLE_ROWS are refused with a positioned diagnostic.
 * Assertions are about order and outcome, never about milliseconds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { threadId } from "node:worker_threads";
import { describe, expect, it, vi } from "vitest";
import { compileSource } from "../../dsl/compile/pipeline.js";
import { DEFAULT_LIMITS, type AuthoringJob } from "../../server/authoring/job.js";
import {
  AuthoringPool,
  AuthoringTimeoutError,
  AuthoringWorkerError,
  inlineRunner,
} from "../../server/authoring/pool.js";
import { joinTransfer, PART_SIZE, splitForTransfer } from "../../server/authoring/transfer.js";
import { loadConfig } from "../../server/config.js";
import { ApiError } from "../../server/errors.js";
import { runJob } from "../../server/publish.js";
import {
  call,
  closeAfterEach,
  expectError,
  json,
  miniSource,
  miniSuite,
  ROOT,
  SHIPPED_RULES,
  slowSource,
  startApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 60_000 });

const pools: AuthoringPool[] = [];
const keep = closeAfterEach({
  afterClose: async () => {
    for (const p of pools.splice(0)) await p.close();
  },
});

const FIXTURE = new URL("./fixtures/authoring-worker.ts", import.meta.url).href;

function job(name: string, source = "", tests: string | null = null): AuthoringJob {
  return { name, source, tests, limits: DEFAULT_LIMITS, wantCompiled: true };
}

function fixturePool(size = 1): AuthoringPool {
  const pool = new AuthoringPool({ size, module: FIXTURE });
  pools.push(pool);
  return pool;
}

/** The worker thread id the fixture reports. */
async function threadOf(pool: AuthoringPool, name = "ok"): Promise<string> {
  const verdict = await pool.run(job(name), 0);
  return verdict.diagnostics[0]!.message;
}

describe("the authoring pool", () => {
  it("a job past its time limit is rejected, its worker terminated and replaced; the next job runs on a fresh worker", async () => {
    const pool = fixturePool();
    const first = await threadOf(pool);
    expect(first).not.toBe(String(threadId)); // not the test's own thread
    await expect(pool.run(job("trava"), 300)).rejects.toBeInstanceOf(AuthoringTimeoutError);
    const second = await threadOf(pool);
    expect(second).not.toBe(first);
    expect(pool.stats).toMatchObject({ started: 2, timedOut: 1, busy: 0, queued: 0 });
  });

  it("a job's time limit does not count the worker's start-up: a fresh pool's first job within a short limit succeeds", async () => {
    const pool = fixturePool();
    const verdict = await pool.run(job("primeiro"), 300);
    expect(verdict.ok).toBe(true);
    expect(pool.stats).toMatchObject({ started: 1, timedOut: 0 });
  });

  it("jobs queue behind a busy worker and run in order; a job queued behind a stuck one still runs", async () => {
    const pool = fixturePool();
    const order: string[] = [];
    const stuck = pool.run(job("trava"), 300).catch((e: unknown) => {
      order.push(e instanceof AuthoringTimeoutError ? "trava: tempo esgotado" : "trava: outro erro");
    });
    const a = pool.run(job("a"), 0).then(() => order.push("a"));
    const b = pool.run(job("b"), 0).then(() => order.push("b"));
    await Promise.all([stuck, a, b]);
    expect(order).toEqual(["trava: tempo esgotado", "a", "b"]);
  });

  it("a worker that dies rejects its job and is replaced", async () => {
    const pool = fixturePool();
    await expect(pool.run(job("quebra"), 0)).rejects.toBeInstanceOf(AuthoringWorkerError);
    await expect(threadOf(pool)).resolves.toMatch(/^\d+$/);
    expect(pool.stats.crashed).toBe(1);
  });

  it("a timed-out job is a 503 AUTHORING_TIMEOUT for the API", async () => {
    const pool = fixturePool();
    const err = await runJob(
      { runner: pool, limits: DEFAULT_LIMITS, timeoutMs: 300 },
      { name: "trava", source: "", tests: null, wantCompiled: false },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ statusCode: 503, code: "AUTHORING_TIMEOUT" });
  });

  it("the compiled rule set crosses the thread boundary as plain data: equal to an in-thread compile, and its suite passes in the worker", async () => {
    const pool = new AuthoringPool({ size: 1 });
    pools.push(pool);
    for (const name of ["reclame-designacao", "protocolo-status"]) {
      const source = readFileSync(join(SHIPPED_RULES, `${name}.yaml`), "utf8");
      const tests = readFileSync(join(SHIPPED_RULES, `${name}.test.yaml`), "utf8");
      const verdict = await pool.run(job(name, source, tests), 0);
      expect(verdict.ok, JSON.stringify(verdict.diagnostics.slice(0, 3))).toBe(true);
      expect(isDeepStrictEqual(verdict.compiled, compileSource(source).compiled)).toBe(true);
      expect(verdict.suite).toMatchObject({ kind: "ran", result: { failed: 0 } });
      // The inline runner gives the same verdict.
      const inline = await inlineRunner.run(job(name, source, tests), 0);
      expect(isDeepStrictEqual(inline.compiled, verdict.compiled)).toBe(true);
    }
  });
});

describe("moving a large compiled rule set to the main thread in parts", () => {
  it("split and join give back the same value (arrays, records, nested table rows, odd keys); small values are not split", () => {
    const rows = Array.from({ length: PART_SIZE * 2 + 7 }, (_, i) => ({ inputs: [i], outputs: [`F${i}`] }));
    const record: Record<string, unknown> = {};
    for (let i = 0; i < PART_SIZE + 3; i++) record[`r:${i}`] = { kind: "rule", rule: i };
    Object.defineProperty(record, "__proto__", {
      value: { kind: "estranho" },
      enumerable: true,
      configurable: true,
      writable: true,
    });
    const value = {
      name: "x",
      rules: Array.from({ length: PART_SIZE * 3 }, (_, i) => ({ name: `regra ${i}` })),
      handlers: record,
      tables: { t: { rows, hitPolicy: "first" } },
      small: [1, 2, 3],
    };
    const { shell, parts } = splitForTransfer(value);
    expect(parts.length).toBeGreaterThan(6);
    expect(shell.rules).toEqual([]);
    expect(shell.small).toEqual([1, 2, 3]);
    const joined = joinTransfer(structuredClone(shell), structuredClone(parts));
    expect(isDeepStrictEqual(joined, value)).toBe(true);
    expect(Object.getPrototypeOf(joined.handlers)).toBe(Object.prototype);
    expect(splitForTransfer({ a: [1], b: { c: 2 } }).parts).toEqual([]);
  });

  it("a compiled rule set bigger than one part (many rules, a long table) arrives whole from the worker", async () => {
    const pool = new AuthoringPool({ size: 1 });
    pools.push(pool);
    let table =
      "tables:\n  - name: faixas\n    onNoMatch: null\n    inputs: [valor]\n    outputs: [faixa]\n    rows:\n";
    for (let i = 0; i < PART_SIZE + 50; i++) table += `      - [${i}, "F${i}"]\n`;
    const source = slowSource(3, PART_SIZE + 20, "grande")
      .replace(
        "  soma: { type: integer, default: 0 }\n",
        "  soma: { type: integer, default: 0 }\n  faixa: { type: string, nullable: true }\n",
      )
      .replace("rules:\n", `${table}rules:\n  - name: aplicar faixa\n    then: faixa = faixas.faixa\n`);
    const local = compileSource(source);
    expect(local.ok, JSON.stringify(local.diagnostics.slice(0, 2))).toBe(true);
    const verdict = await pool.run(job("grande", source), 0);
    expect(verdict.ok).toBe(true);
    expect(splitForTransfer(local.compiled).parts.length).toBeGreaterThan(4);
    expect(isDeepStrictEqual(verdict.compiled, local.compiled)).toBe(true);
  });
});

describe("limits", () => {
  it("MAX_RULES and MAX_TABLE_ROWS default to 2000 and 10000, AUTHORING_WORKERS to 1; bad values stop the start", () => {
    const config = loadConfig({}, ROOT);
    expect([config.maxRules, config.maxTableRows, config.authoringWorkers]).toEqual([2000, 10_000, 1]);
    expect(() => loadConfig({ MAX_RULES: "0" }, ROOT)).toThrow(/MAX_RULES/);
    expect(() => loadConfig({ AUTHORING_WORKERS: "muitos" }, ROOT)).toThrow(/AUTHORING_WORKERS/);
  });

  it("more rules than MAX_RULES: validate says so at the first rule beyond the limit; publish is 422 RULESET_TOO_LARGE and writes nothing", async () => {
    const t = keep(await startApp({ env: { MAX_RULES: "5" } }));
    const source = slowSource(1, 6, "grande"); // 6 rules + the marker rule
    const lines = source.split("\n");
    const sixth = lines.findIndex((l) => l.includes("- name: regra 5")) + 1;
    const validate = json(await call(t.app, { url: "/v1/rulesets/grande/validate", body: { source } }));
    expect(validate.ok).toBe(false);
    expect(validate.diagnostics).toEqual([
      expect.objectContaining({ severity: "error", code: "ruleset/too-many-rules", line: sixth, column: 5 }),
    ]);
    expect(validate.diagnostics[0].message).toMatch(/MAX_RULES/);
    const err = expectError(
      await call(t.app, { url: "/v1/rulesets/grande/versions", body: { source } }),
      422,
      "RULESET_TOO_LARGE",
    );
    expect(err.details).toEqual(validate.diagnostics);
    expectError(await call(t.app, { url: "/v1/rulesets/grande" }), 404, "NOT_FOUND");
    // At the limit it publishes.
    expect(
      (await call(t.app, { url: "/v1/rulesets/grande/versions", body: { source: slowSource(1, 4, "grande") } }))
        .statusCode,
    ).toBe(201);
  });

  it("more table rows than MAX_TABLE_ROWS (all tables together): the diagnostic is at the first row beyond the limit", async () => {
    const t = keep(await startApp({ env: { MAX_TABLE_ROWS: "3" } }));
    const source = `ruleset: faixas
description: Duas tabelas, cinco linhas ao todo.
facts:
  codigo: { type: integer, required: true }
outputs:
  faixa: { type: string, nullable: true }
  grupo: { type: string, nullable: true }
tables:
  - name: porCodigo
    onNoMatch: null
    inputs: [codigo]
    outputs: [faixa]
    rows:
      - [1, "A"]
      - [2, "B"]
  - name: porGrupo
    onNoMatch: null
    inputs: [codigo]
    outputs: [grupo]
    rows:
      - [1, "G1"]
      - [2, "G2"]
      - [3, "G3"]
rules:
  - name: aplicar
    then:
      - faixa = porCodigo.faixa
      - grupo = porGrupo.grupo
`;
    expect(compileSource(source).ok).toBe(true);
    const line = source.split("\n").findIndex((l) => l.includes('[2, "G2"]')) + 1;
    const validate = json(await call(t.app, { url: "/v1/rulesets/faixas/validate", body: { source } }));
    expect(validate.ok).toBe(false);
    expect(validate.diagnostics).toEqual([expect.objectContaining({ code: "ruleset/too-many-table-rows", line })]);
    expect(validate.diagnostics[0].message).toMatch(/MAX_TABLE_ROWS/);
    expectError(await call(t.app, { url: "/v1/rulesets/faixas/versions", body: { source } }), 422, "RULESET_TOO_LARGE");
  });

  it("AUTHORING_WORKERS=0 runs the same checks on the main thread", async () => {
    const t = keep(await startApp({ env: { AUTHORING_WORKERS: "0", MAX_RULES: "5" } }));
    const validate = json(
      await call(t.app, { url: "/v1/rulesets/grande/validate", body: { source: slowSource(1, 6, "grande") } }),
    );
    expect(validate.diagnostics.map((d: { code: string }) => d.code)).toEqual(["ruleset/too-many-rules"]);
    expect(
      (await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1), tests: miniSuite(1) } }))
        .statusCode,
    ).toBe(201);
  });
});

describe("a large publish does not stall deciding (real listening server)", () => {
  it("while 3,000 rules compile, /health and decisions keep answering before the publish answers", async () => {
    const t = keep(
      await startApp({
        env: { MAX_RULES: "5000", HANDLER_TIMEOUT_MS: "600000", REQUEST_TIMEOUT_MS: "600000", LOG_LEVEL: "silent" },
      }),
    );
    const events: string[] = [];
    // Server-side marks: the publish handler starts; the publish reaches the store (compiled,
    // checked and built by then). Between the two is the authoring work.
    t.app.addHook("preHandler", async (request) => {
      if (request.url === "/v1/rulesets/enorme/versions") events.push("publish started");
    });
    const storePublish = t.store.publish.bind(t.store);
    t.store.publish = (name, input) => {
      if (name === "enorme") events.push("publish storing");
      return storePublish(name, input);
    };
    expect(
      (await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1), tests: miniSuite(1) } }))
        .statusCode,
    ).toBe(201);
    // Start the worker before the measured publish (its first start loads the compiler).
    expect(json(await call(t.app, { url: "/v1/rulesets/mini/validate", body: { source: miniSource(1) } })).ok).toBe(
      true,
    );
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

    let publishDone = false;
    const big = slowSource(7, 3000, "enorme");
    const publishing = fetch(`${base}/v1/rulesets/enorme/versions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ source: big }),
    }).then(async (res) => {
      events.push(`publish ${res.status}`);
      publishDone = true;
      return res.json() as Promise<{ version?: number }>;
    });
    // One request at a time, alternating /health and a decision, until the publish answers.
    for (let i = 0; !publishDone; i++) {
      if (i % 2 === 0) {
        const res = await fetch(`${base}/health`);
        events.push(`health ${res.status}`);
        await res.arrayBuffer();
      } else {
        const res = await fetch(`${base}/v1/decide/mini`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ facts: { valor: 150 } }),
        });
        const body = (await res.json()) as { decision?: { faixa?: string } };
        events.push(`decide ${res.status} ${body.decision?.faixa ?? "-"}`);
      }
    }
    expect(await publishing).toMatchObject({ version: 1 });
    const start = events.indexOf("publish started");
    const storing = events.indexOf("publish storing");
    expect(start).toBeGreaterThanOrEqual(0);
    expect(storing).toBeGreaterThan(start);
    expect(events.indexOf("publish 201")).toBeGreaterThan(storing);
    // Answers arrived while the publish was compiling (on the event loop, none could until it finished).
    const duringCompile = events.slice(start + 1, storing);
    expect(duringCompile.filter((e) => e === "health 200").length).toBeGreaterThanOrEqual(5);
    expect(duringCompile.filter((e) => e === "decide 200 ALTA").length).toBeGreaterThanOrEqual(5);
    expect(duringCompile.every((e) => e === "health 200" || e === "decide 200 ALTA")).toBe(true);
    // And the big rule set decides.
    const res = await fetch(`${base}/v1/decide/enorme`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ facts: { valor: 10 } }),
    });
    expect(await res.json()).toMatchObject({ version: 1, decision: { marca: 7, soma: 10 } });
  });
});
