/**
 * `POST /v1/rulesets/:name/replay` (issue 13, blast radius): the rule set's logged decisions
 * (a memory decision log filled by deciding with the published version) replayed against a draft;
 * the report with its groups, samples and rows responsible, the window and limit, the refusals
 * (422 draft, 503 log off, 404, 400, 403) and the deadline. Synthetic data only.
 */
import { describe, expect, it, vi } from "vitest";
import { createMemoryDecisionStorage } from "../../server/decision-log/memory-storage.js";
import type { DecisionLogStorage, DecisionRecord } from "../../server/decision-log/types.js";
import { logDecisions } from "../helpers/decision-records.js";
import { readRuleSet, reclameFacts } from "../helpers/rulesets.js";
import { call, closeAfterEach, expectError, json, newTokens, startApp, startSeeded, type TestApp } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const keep = closeAfterEach();
const RECLAME = readRuleSet("reclame-designacao");
const URL = "/v1/rulesets/reclame-designacao/replay";
const REEMBOLSO_ROW = "servico: Reembolso, designacao: GIPES }";
const DRAFT = RECLAME.replace(REEMBOLSO_ROW, "servico: Reembolso, designacao: CEPES }");

/** An app seeded with reclame-designacao v1 whose decision log is `storage` (none: the log is off). */
async function startWithLog(
  storage: DecisionLogStorage | undefined,
  env: Record<string, string> = {},
): Promise<TestApp> {
  return keep(
    await startApp({
      seedShipped: ["reclame-designacao"],
      env: { LOG_LEVEL: "silent", ...env },
      ...(storage ? { decisionLog: { storage } } : {}),
    }),
  );
}

/** 3 Autorização Prévia, 6 Reembolso, 2 unknown services, decided with the active version and logged a second apart. */
async function logSome(t: TestApp, storage: DecisionLogStorage): Promise<DecisionRecord[]> {
  const runtime = t.registry.get("reclame-designacao")!.runtime;
  const facts = [
    ...Array.from({ length: 3 }, (_, i) => reclameFacts({ numero: `9001${i}`, servico: "Autorização Prévia" })),
    ...Array.from({ length: 6 }, (_, i) => reclameFacts({ numero: `9002${i}`, servico: "Reembolso" })),
    ...Array.from({ length: 2 }, (_, i) => reclameFacts({ numero: `9003${i}`, servico: "Serviço inexistente" })),
  ];
  const records = await logDecisions(runtime, facts, { start: Date.parse("2026-03-02T12:00:00Z") });
  await storage.append(records);
  return records;
}

function lineOf(source: string, text: string): number {
  return source.split("\n").findIndex((l) => l.includes(text)) + 1;
}

describe("POST /v1/rulesets/:name/replay", () => {
  it("replays the logged decisions against the draft: one group, the row responsible with its line, the window", async () => {
    const storage = createMemoryDecisionStorage();
    const t = await startWithLog(storage);
    const records = await logSome(t, storage);
    const res = await call(t.app, { url: URL, body: { source: DRAFT } });
    expect(res.statusCode, res.body).toBe(200);
    const r = json(res);
    expect(r).toMatchObject({
      ruleset: "reclame-designacao",
      total: 11,
      unchanged: 5,
      changed: 6,
      notReproducible: 0,
      invalidForDraft: 0,
      defects: 0,
      replayed: { limit: 10_000, oldest: records[0]!.at, newest: records[10]!.at, truncated: false },
    });
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]).toMatchObject({
      output: "designacao",
      from: { value: "GIPES" },
      to: { value: "CEPES" },
      count: 6,
      line: "6 decisões mudariam designacao de GIPES para CEPES",
    });
    expect(r.groups[0].samples).toHaveLength(5);
    expect(r.groups[0].samples[0]).toMatchObject({
      id: records[3]!.id,
      before: { designacao: "GIPES", acao: "DESIGNAR" },
      after: { designacao: "CEPES", acao: "DESIGNAR" },
      responsible: [
        {
          ref: "t:designacaoPorServico:8",
          side: "changed",
          label: "tabela designacaoPorServico, linha 9",
          line: lineOf(DRAFT, "servico: Reembolso, designacao: CEPES }"),
        },
      ],
    });
    expect(r.lines).toContain("5 de 11 decisões não mudariam");
  });

  it("limit, samples and the from/to window", async () => {
    const storage = createMemoryDecisionStorage();
    const t = await startWithLog(storage);
    const records = await logSome(t, storage);
    const limited = json(await call(t.app, { url: URL, body: { source: DRAFT, limit: 5, samples: 1 } }));
    // The 5 oldest: 3 Autorização Prévia, 2 Reembolso.
    expect(limited).toMatchObject({ total: 5, changed: 2, replayed: { limit: 5, truncated: true } });
    expect(limited.groups[0].samples).toHaveLength(1);

    const window = json(
      await call(t.app, { url: URL, body: { source: DRAFT, from: records[5]!.at, to: records[9]!.at } }),
    );
    // records 5..8: four Reembolso.
    expect(window).toMatchObject({
      total: 4,
      changed: 4,
      replayed: { from: records[5]!.at, to: records[9]!.at, oldest: records[5]!.at, newest: records[8]!.at },
    });

    expectError(await call(t.app, { url: URL, body: { source: DRAFT, from: "ontem" } }), 400, "INVALID_REQUEST");
    expectError(await call(t.app, { url: URL, body: { source: DRAFT, limit: 100_001 } }), 400, "INVALID_REQUEST");
  });

  it("a draft that does not compile is a 422 with its diagnostics; nothing is replayed", async () => {
    const storage = createMemoryDecisionStorage();
    const t = await startWithLog(storage);
    await logSome(t, storage);
    const broken = RECLAME.replace('then: acao = "NAO_E_RECLAME"', "then: acao = naoExiste");
    const body = expectError(await call(t.app, { url: URL, body: { source: broken } }), 422, "RULESET_INVALID");
    expect(body.details.length).toBeGreaterThan(0);
    expect(body.details[0]).toMatchObject({ severity: "error", line: lineOf(broken, "naoExiste") });
  });

  it("503 DECISION_LOG_OFF without a decision log; 404 for an unknown rule set", async () => {
    const off = keep(await startSeeded(["reclame-designacao"]));
    const body = expectError(await call(off.app, { url: URL, body: { source: DRAFT } }), 503, "DECISION_LOG_OFF");
    expect(body.message).toMatch(/registro de decisões/);
    await off.close();
    const on = await startWithLog(createMemoryDecisionStorage());
    expectError(
      await call(on.app, { url: "/v1/rulesets/nao-existe/replay", body: { source: DRAFT } }),
      404,
      "NOT_FOUND",
    );
  });

  it("needs the author or publisher role", async () => {
    const tokens = newTokens();
    const storage = createMemoryDecisionStorage();
    const t = await startWithLog(storage, { TOKENS: tokens.env });
    expectError(await call(t.app, { url: URL, body: { source: DRAFT }, token: tokens.decide }), 403, "FORBIDDEN");
    expectError(await call(t.app, { url: URL, body: { source: DRAFT } }), 401);
    const ok = await call(t.app, { url: URL, body: { source: DRAFT }, token: tokens.author });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(json(ok).total).toBe(0);
  });

  it("stops at the request's deadline: 503 and no more records read", async () => {
    const memory = createMemoryDecisionStorage();
    let queries = 0;
    // A slow log: one record per page, 100 ms each (200 records would take 20 s).
    const slow: DecisionLogStorage = {
      ...memory,
      async query(q) {
        queries++;
        await new Promise((resolve) => setTimeout(resolve, 100));
        return memory.query({ ...q, limit: 1 });
      },
    };
    const t = await startWithLog(slow, { HANDLER_TIMEOUT_MS: "3000", AUTHORING_WORKERS: "0" });
    const runtime = t.registry.get("reclame-designacao")!.runtime;
    await memory.append(
      await logDecisions(
        runtime,
        Array.from({ length: 200 }, (_, i) => reclameFacts({ numero: String(i) })),
      ),
    );
    const res = await call(t.app, { url: URL, body: { source: DRAFT } });
    expectError(res, 503, "HANDLER_TIMEOUT");
    const atAnswer = queries;
    await new Promise((resolve) => setTimeout(resolve, 500));
    // At most the page in flight when the deadline passed.
    expect(queries - atAnswer).toBeLessThanOrEqual(1);
    expect(queries).toBeLessThan(200);
  });
});
