/**
 * The decision log in the service (issue 13): every decision answers a `decisionId` and, with the
 * log on, is recorded (rule set, version, hash, request id, fired rules); `GET /v1/decisions`
 * filters and pages, `GET /v1/decisions/:id` shows one and reconstructs its explanation on
 * demand (reproduced or not, and why); with the log off the decisions go on and the routes say 503.
 * Synthetic data only (CPF with valid check digits).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { DecisionRecord } from "../../server/decision-log/types.js";
import {
  BROKEN_INVARIANT_SOURCE,
  call,
  closeAfterEach,
  expectError,
  json,
  miniSource,
  miniSuite,
  newTokens,
  rulesDirWith,
  type StartOptions,
  startApp,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const keep = closeAfterEach();

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** An app with `mini` v1, `defeito` v1, retencao and portal-solicitacoes seeded; the log on unless said. */
async function logApp(options: StartOptions = {}): Promise<TestApp> {
  const rulesDir = await rulesDirWith(["retencao", "portal-solicitacoes"]);
  await writeFile(join(rulesDir, "mini.yaml"), miniSource(1));
  await writeFile(join(rulesDir, "mini.test.yaml"), miniSuite(1));
  await writeFile(join(rulesDir, "defeito.yaml"), BROKEN_INVARIANT_SOURCE);
  return keep(
    await startApp({ decisionLog: true, ...options, rulesDir, env: { AUTHORING_WORKERS: "0", ...options.env } }),
  );
}

/** Every record in the log, oldest first (after writing what is queued). */
async function logged(t: TestApp): Promise<DecisionRecord[]> {
  await t.decisionLog!.flush();
  return [...(await t.decisionLog!.storage.query({ order: "asc", limit: 1000 })).items];
}

async function decide(t: TestApp, ruleset: string, facts: Record<string, unknown>, url = "") {
  const res = await call(t.app, { url: `/v1/decide/${ruleset}${url}`, body: { facts } });
  expect(res.statusCode, res.body).toBe(200);
  return json(res);
}

/** A retencao form with a CPF (the rule set checks its digits). */
const RETENCAO = {
  qtdCros: 1,
  colaborador: "Renata Okabe Duarte",
  operadora: "ODONTOEXEMPLO",
  cro: "CRO-SP 90817",
  uf: "SP",
  nomeDentista: "Dra. Helena Quaresma Vilar",
  tipoPessoa: "F",
  cpf: "314.159.265-90",
  demandadoPor: "Prestador",
};

/** A portal cancellation choosing a phone and an e-mail among the registered ones. */
const CANCELAMENTO = {
  tipo: "CANCELAMENTO_CONTRATO",
  aceiteTermos: true,
  telefone: "(21) 99999-0001",
  email: "joana.teste@exemplo.com.br",
  contatosCadastrados: {
    telefones: ["(21) 99999-0001", "(21) 3333-0002"],
    emails: ["joana.teste@exemplo.com.br"],
  },
  motivoCancelamento: { descricao: "Mudança de cidade", rn561Web: "Ambos" },
  tipoCancelamento: "Titular e dependentes",
};

describe("decisionId and recording", () => {
  it("a decision answers a decisionId and is recorded with its version, hash, request id and what fired", async () => {
    const t = await logApp();
    const res = await call(t.app, {
      url: "/v1/decide/mini",
      body: { facts: { valor: 150, canal: "chat" } },
      headers: { "x-request-id": "crm-123" },
    });
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body.decisionId).toMatch(UUID_V7);
    const [record, ...rest] = await logged(t);
    expect(rest).toEqual([]);
    const stored = t.registry.get("mini")!.stored;
    expect(record).toEqual({
      id: body.decisionId,
      at: expect.any(String),
      ruleset: "mini",
      version: 1,
      hash: stored.hash,
      source: "decide",
      requestId: "crm-123",
      versionReason: "versão em vigor agora",
      facts: { valor: 150, canal: "chat" },
      masked: [],
      decision: body.decision,
      fired: body.fired,
      firedRefs: expect.arrayContaining(["r:0"]),
    });
    expect(Math.abs(Date.parse(record!.at) - Date.now())).toBeLessThan(3_600_000);
  });

  it("a decision asked as of an instant is recorded with that instant and why its version decided", async () => {
    const t = await logApp();
    const res = await call(t.app, {
      url: "/v1/decide/mini",
      body: { facts: { valor: 150 }, asOf: "2999-01-01T09:00:00-03:00" },
    });
    expect(res.statusCode).toBe(200);
    const body = json(res);
    const [record] = await logged(t);
    expect(record).toMatchObject({ id: body.decisionId, asOf: "2999-01-01T12:00:00.000Z", version: 1 });
    expect(record!.versionReason).toBe(body.versionReason);
    expect(record!.versionReason).toContain("2999-01-01");
  });

  it("a batch gives each item that decided its own decisionId; items with bad facts get none and are not recorded", async () => {
    const t = await logApp();
    const items = [
      ...Array.from({ length: 50 }, (_, i) => ({ facts: { valor: i * 5 } })),
      { facts: { valor: "x" } },
      { facts: { valor: 7 } },
    ];
    const res = await call(t.app, { url: "/v1/decide/mini/batch", body: { items } });
    expect(res.statusCode).toBe(200);
    const results = json(res).results as { decisionId?: string; error?: unknown }[];
    const ids = results.filter((r) => r.error === undefined).map((r) => r.decisionId);
    expect(ids).toHaveLength(51);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(51);
    expect(results[50]!.decisionId).toBeUndefined();
    expect(results[50]!.error).toBeDefined();
    const records = await logged(t);
    expect(records.map((r) => r.id)).toEqual(ids);
    expect(new Set(records.map((r) => r.source))).toEqual(new Set(["batch"]));
    expect(records[51 - 1]!.facts).toEqual({ valor: 7 });
  });

  it("refused decisions (400 bad facts, 500 rule-set defect, 404) are not recorded", async () => {
    const t = await logApp();
    expectError(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: "x" } } }), 400, "INVALID_FACTS");
    expectError(
      await call(t.app, { url: "/v1/decide/defeito", body: { facts: { valor: 500 } } }),
      500,
      "RULESET_DEFECT",
    );
    expectError(await call(t.app, { url: "/v1/decide/nada", body: { facts: {} } }), 404, "NOT_FOUND");
    expect(await logged(t)).toEqual([]);
    await decide(t, "defeito", { valor: 5 });
    expect((await logged(t)).map((r) => r.ruleset)).toEqual(["defeito"]);
  });
});

describe("the log off", () => {
  it("DECISION_LOG=off: decisions still answer a decisionId, nothing is kept, the routes answer 503 DECISION_LOG_OFF", async () => {
    const t = await logApp({ env: { DECISION_LOG: "off" } });
    expect(t.decisionLog).toBeUndefined();
    const a = await decide(t, "mini", { valor: 1 });
    const b = await decide(t, "mini", { valor: 1 });
    expect(a.decisionId).toMatch(UUID_V7);
    expect(b.decisionId).not.toBe(a.decisionId);
    const list = expectError(await call(t.app, { url: "/v1/decisions" }), 503, "DECISION_LOG_OFF");
    expect(list.message).toContain("DECISION_LOG=off");
    expectError(await call(t.app, { url: `/v1/decisions/${a.decisionId}` }), 503, "DECISION_LOG_OFF");
    expectError(await call(t.app, { url: `/v1/decisions/${a.decisionId}?explain=true` }), 503, "DECISION_LOG_OFF");
  });
});

describe("GET /v1/decisions", () => {
  it("filters by rule set, version, time, an output's value and a fired rule", async () => {
    const t = await logApp();
    const v1 = [];
    for (const valor of [10, 150, 200, 20]) v1.push((await decide(t, "mini", { valor })).decisionId);
    await decide(t, "defeito", { valor: 1 });
    const published = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(2), tests: miniSuite(2) },
    });
    expect(published.statusCode, published.body).toBe(201);
    const v2 = (await decide(t, "mini", { valor: 300 })).decisionId;
    await t.decisionLog!.flush();

    const ids = async (query: string) => {
      const res = await call(t.app, { url: `/v1/decisions${query}` });
      expect(res.statusCode, res.body).toBe(200);
      return (json(res).items as DecisionRecord[]).map((r) => r.id);
    };
    // Newest first by default; oldest first with order=asc.
    expect(await ids("?ruleset=mini")).toEqual([v2, ...[...v1].reverse()]);
    expect(await ids("?ruleset=mini&order=asc")).toEqual([...v1, v2]);
    expect(await ids("?ruleset=mini&version=1&order=asc")).toEqual(v1);
    expect(await ids("?ruleset=mini&version=2")).toEqual([v2]);
    expect(await ids("?ruleset=defeito")).toHaveLength(1);
    // An output's value: JSON when it parses, else the text.
    expect(await ids("?output=faixa&value=ALTA&order=asc")).toEqual([v1[1], v1[2], v2]);
    expect(await ids(`?output=faixa&value=${encodeURIComponent('"ALTA"')}&order=asc`)).toEqual([v1[1], v1[2], v2]);
    expect(await ids("?ruleset=mini&output=faixa&value=null&order=asc")).toEqual([v1[0], v1[3]]);
    expect(await ids("?output=marca&value=2")).toEqual([v2]);
    expect(await ids("?output=marca&value=%222%22")).toEqual([]);
    expect(await ids(`?fired=${encodeURIComponent("faixa alta")}&order=asc`)).toEqual([v1[1], v1[2], v2]);
    // Time: from inclusive, to exclusive; a window in the past or the future holds nothing.
    const all = (await logged(t)).filter((r) => r.ruleset === "mini");
    const at = (id: string) => all.find((r) => r.id === id)!.at;
    expect(await ids(`?ruleset=mini&from=${encodeURIComponent(at(v2))}`)).toEqual([v2]);
    expect(await ids(`?ruleset=mini&to=${encodeURIComponent(at(v1[0]!))}`)).toEqual([]);
    expect(await ids("?from=2020-01-01&to=2020-02-01")).toEqual([]);
    expect(await ids("?from=2999-01-01T00:00:00Z")).toEqual([]);
    expect(await ids("?from=2020-01-01T00:00:00-03:00&ruleset=mini&version=2")).toEqual([v2]);
  });

  it("pages with the cursor: every record once, in order, both ways; `next` absent on the last page", async () => {
    const t = await logApp();
    const items = Array.from({ length: 23 }, (_, i) => ({ facts: { valor: i } }));
    const made = (
      json(await call(t.app, { url: "/v1/decide/mini/batch", body: { items } })).results as {
        decisionId: string;
      }[]
    ).map((r) => r.decisionId);
    await t.decisionLog!.flush();
    for (const order of ["asc", "desc"] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await call(t.app, {
          url: `/v1/decisions?ruleset=mini&limit=5&order=${order}${cursor ? `&cursor=${cursor}` : ""}`,
        });
        expect(res.statusCode).toBe(200);
        const page = json(res);
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((r: DecisionRecord) => r.id));
        cursor = page.next;
        pages++;
      } while (cursor !== undefined);
      expect(pages).toBe(5);
      expect(seen).toEqual(order === "asc" ? made : [...made].reverse());
    }
    // The default page is 100.
    const first = json(await call(t.app, { url: "/v1/decisions" }));
    expect(first.items).toHaveLength(23);
    expect(first.next).toBeUndefined();
  });

  it("bad parameters are a 400 naming the parameter, in Portuguese", async () => {
    const t = await logApp();
    const bad: [string, string][] = [
      ["?from=ontem", "?/from"],
      ["?to=2026-13-01", "?/to"],
      ["?from=2026-03-02&to=2026-03-01", "?/to"],
      ["?limit=0", "?/limit"],
      ["?limit=1001", "?/limit"],
      ["?limit=dez", "?/limit"],
      ["?version=0", "?/version"],
      ["?output=faixa", "?/value"],
      ["?value=ALTA", "?/output"],
      ["?cursor=abc", "?/cursor"],
      ["?order=random", "?/order"],
      ["?ruleset=Nome%20Ruim", "?/ruleset"],
      ["?rulest=mini", "?/rulest"],
    ];
    for (const [query, path] of bad) {
      const err = expectError(await call(t.app, { url: `/v1/decisions${query}` }), 400, "INVALID_REQUEST");
      expect(
        err.details.map((d: { path: string }) => d.path),
        query,
      ).toContain(path);
    }
    const err = expectError(await call(t.app, { url: "/v1/decisions?limit=5000" }), 400);
    expect(err.message).toContain("limit");
    expect(err.details[0].message).toContain("entre 1 e 1.000");
  });

  it("needs an analyst's role (author or publisher) when tokens are configured", async () => {
    const tokens = newTokens();
    const t = await logApp({ env: { TOKENS: tokens.env } });
    const res = await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } }, token: tokens.decide });
    expect(res.statusCode).toBe(200);
    const id = json(res).decisionId;
    await t.decisionLog!.flush();
    expectError(await call(t.app, { url: "/v1/decisions" }), 401, "UNAUTHORIZED");
    expectError(await call(t.app, { url: "/v1/decisions", token: tokens.decide }), 403, "FORBIDDEN");
    expectError(await call(t.app, { url: `/v1/decisions/${id}`, token: tokens.decide }), 403, "FORBIDDEN");
    for (const token of [tokens.author, tokens.publisher]) {
      expect((await call(t.app, { url: "/v1/decisions", token })).statusCode).toBe(200);
      expect(json(await call(t.app, { url: `/v1/decisions/${id}`, token })).id).toBe(id);
    }
  });
});

describe("GET /v1/decisions/:id", () => {
  it("shows the record; 404 for an unknown id, 400 for text that is not a decision id", async () => {
    const t = await logApp();
    const { decisionId } = await decide(t, "mini", { valor: 150 });
    await t.decisionLog!.flush();
    const res = await call(t.app, { url: `/v1/decisions/${decisionId}` });
    expect(res.statusCode).toBe(200);
    const record = json(res);
    expect(record).toEqual((await logged(t))[0]);
    expect(record.trace).toBeUndefined();
    expect(json(await call(t.app, { url: `/v1/decisions/${decisionId.toUpperCase()}` })).id).toBe(decisionId);
    const unknown = expectError(
      await call(t.app, { url: "/v1/decisions/01900000-0000-7000-8000-000000000000" }),
      404,
      "NOT_FOUND",
    );
    expect(unknown.message).toContain("retenção");
    expectError(await call(t.app, { url: "/v1/decisions/123" }), 400, "INVALID_REQUEST");
    expectError(await call(t.app, { url: `/v1/decisions/${decisionId}?explain=sim` }), 400, "INVALID_REQUEST");
  });

  it("explain=true reconstructs the trace with the stored version: reproduced for a rule set without personal facts, also after a newer publish", async () => {
    const t = await logApp();
    const { decisionId, decision } = await decide(t, "mini", { valor: 150 });
    const published = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(2), tests: miniSuite(2) },
    });
    expect(published.statusCode).toBe(201);
    await t.decisionLog!.flush();
    const res = await call(t.app, { url: `/v1/decisions/${decisionId}?explain=true` });
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body.version).toBe(1);
    expect(body.decision).toEqual(decision);
    expect(body.reproduced).toBe(true);
    expect(body.note).toBeUndefined();
    expect(body.reconstructed).toBeUndefined();
    // The trace is version 1's: its "marcar versão" rule and the condition that matched.
    const alta = body.trace.find((e: { name: string }) => e.name === "faixa alta");
    expect(alta.matched).toBe(true);
    expect(body.trace.some((e: { name: string }) => e.name === "marcar versão")).toBe(true);
  });

  it("explain=true on a decision that read a masked personal fact: not reproduced, with a note naming the masked facts", async () => {
    const t = await logApp();
    const { decisionId, decision } = await decide(t, "retencao", RETENCAO);
    // The CPF is valid: no violation for it in the decision taken.
    expect(JSON.stringify(decision.violacoes ?? [])).not.toContain("cpf");
    await t.decisionLog!.flush();
    const body = json(await call(t.app, { url: `/v1/decisions/${decisionId}?explain=true` }));
    expect(body.masked).toEqual(expect.arrayContaining(["cpf", "colaborador", "cro", "nomeDentista"]));
    expect(body.reproduced).toBe(false);
    expect(body.note).toMatch(/^a decisão reconstruída difere da registrada: fatos pessoais mascarados no registro: /);
    expect(body.note).toContain("cpf");
    // The masked CPF fails the check digits in the reconstruction.
    expect(JSON.stringify(body.reconstructed.decision.violacoes)).toContain("cpf");
    expect(Array.isArray(body.trace)).toBe(true);
  });

  it("explain=true with masked facts the decision only compared with each other: still reproduced (equal values, equal masks)", async () => {
    const t = await logApp();
    const { decisionId, decision } = await decide(t, "portal-solicitacoes", CANCELAMENTO);
    expect(decision.aceito).toBe(true);
    await t.decisionLog!.flush();
    const body = json(await call(t.app, { url: `/v1/decisions/${decisionId}?explain=true` }));
    expect(body.masked).toEqual(["telefone", "email", "contatosCadastrados.telefones", "contatosCadastrados.emails"]);
    expect(body.reproduced).toBe(true);
  });

  it("explain=true after DECISION_LOG_PERSONAL=drop removed a fact the decision needed: not reproduced, and says why", async () => {
    const t = await logApp({ env: { DECISION_LOG_PERSONAL: "drop" } });
    const { decisionId } = await decide(t, "portal-solicitacoes", CANCELAMENTO);
    await t.decisionLog!.flush();
    const body = json(await call(t.app, { url: `/v1/decisions/${decisionId}?explain=true` }));
    expect(body.facts.telefone).toBeUndefined();
    expect(body.reproduced).toBe(false);
    expect(body.note).toContain("telefone");
    expect(body.reconstructed.decision.aceito).toBe(false);
  });
});
