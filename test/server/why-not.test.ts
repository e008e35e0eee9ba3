/**
 * `POST /v1/decide/{ruleset}/why-not` (role `decide`): why the decision of the facts does not give
 * the wanted outcome (engine/why-not.ts), as the contract (docs/contract.md) and the OpenAPI
 * document describe it: candidates with blocking conditions and positions, the smallest change of
 * facts (which really gives the outcome), `already`, and the errors (INVALID_WANT, INVALID_FACTS,
 * NOT_FOUND, roles).
 */
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import {
  call,
  expectError,
  json,
  newTokens,
  reclameFacts,
  removeTempDirs,
  startSeeded,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  await removeTempDirs();
});
afterAll(() => removeTempDirs(true));

const URL = "/v1/decide/reclame-designacao/why-not";

async function seeded(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await startSeeded(["reclame-designacao"], { env });
  apps.push(t);
  return t;
}

describe("POST /v1/decide/{ruleset}/why-not", () => {
  it("Beneficiário + Reembolso, why not CEPES: the CEPES row, its blocking cell with the value, and a change that gives CEPES", async () => {
    const t = await seeded();
    const facts = reclameFacts();
    const res = await call(t.app, { url: URL, body: { facts, want: { designacao: "CEPES" } } });
    expect(res.statusCode, res.body).toBe(200);
    const body = json(res);
    expect(body).toMatchObject({
      ruleset: "reclame-designacao",
      version: 1,
      wanted: { designacao: "CEPES" },
      already: false,
      decision: { designacao: "GIPES" },
    });
    expect(body.candidates).toEqual([
      {
        kind: "row",
        name: "designacaoPorServico · linha 6",
        table: "designacaoPorServico",
        row: 6,
        position: { line: 202, column: 9 },
        blocking: [
          {
            kind: "condition",
            text: "servico: Financeiro – Parcelas não descontadas",
            position: { line: 202, column: 76 },
            values: { servico: "Reembolso" },
          },
        ],
      },
    ]);
    expect(body.suggestion.changes).toEqual([
      { fact: "servico", from: "Reembolso", to: "Financeiro – Parcelas não descontadas" },
    ]);
    // The suggestion decides CEPES through the ordinary decide route too.
    const changed = { ...facts, servico: body.suggestion.changes[0].to };
    const decided = await call(t.app, { url: "/v1/decide/reclame-designacao", body: { facts: changed } });
    expect(json(decided).decision.designacao).toBe("CEPES");
  });

  it("a stop of a higher-priority rule is named; a wanted value already given answers already: true", async () => {
    const t = await seeded();
    const stopped = json(
      await call(t.app, {
        url: URL,
        body: { facts: reclameFacts({ protocoloValidado: false }), want: { acao: "DESIGNAR" } },
      }),
    );
    expect(stopped.candidates[0].blocking[0]).toMatchObject({
      kind: "stop",
      text: 'a regra "protocolo não validado pelo Reclame", avaliada antes, encerrou a avaliação (stop): esta regra não chegou a ser avaliada',
      position: { line: 249, column: 5 },
    });
    expect(stopped.suggestion.changes).toEqual([{ fact: "protocoloValidado", from: false, to: true }]);

    const already = await call(t.app, { url: URL, body: { facts: reclameFacts(), want: { designacao: "GIPES" } } });
    expect(already.statusCode).toBe(200);
    expect(json(already)).toMatchObject({ already: true, candidates: [], suggestion: null });
  });

  it("an impossible wanted value is a 400 INVALID_WANT naming the values; bad facts a 400 INVALID_FACTS; unknown rule set 404", async () => {
    const t = await seeded();
    const bad = expectError(
      await call(t.app, { url: URL, body: { facts: reclameFacts(), want: { designacao: "VECTOR" } } }),
      400,
      "INVALID_WANT",
    );
    expect(bad.message).toBe(
      '"VECTOR" não é um valor de designacao: os valores são GIPES, CEPES, 2_NIVEL_CAIXA (ou null)',
    );
    const unknown = expectError(
      await call(t.app, { url: URL, body: { facts: reclameFacts(), want: { destino: "CEPES" } } }),
      400,
      "INVALID_WANT",
    );
    expect(unknown.message).toMatch(/^a saída destino não existe em reclame-designacao/u);
    expectError(await call(t.app, { url: URL, body: { facts: reclameFacts(), want: {} } }), 400, "INVALID_REQUEST");
    expectError(await call(t.app, { url: URL, body: { facts: reclameFacts() } }), 400, "INVALID_REQUEST");
    expectError(
      await call(t.app, { url: URL, body: { facts: { tipoCliente: "Beneficiário" }, want: { designacao: "CEPES" } } }),
      400,
      "INVALID_FACTS",
    );
    expectError(
      await call(t.app, { url: "/v1/decide/nada/why-not", body: { facts: {}, want: { x: 1 } } }),
      404,
      "NOT_FOUND",
    );
  });

  it("needs the decide role, and is documented with the rule set's facts and outputs", async () => {
    const tokens = newTokens();
    const t = await seeded({ TOKENS: tokens.env });
    const body = { facts: reclameFacts(), want: { designacao: "CEPES" } };
    expectError(await call(t.app, { url: URL, body }), 401, "UNAUTHORIZED");
    expectError(await call(t.app, { url: URL, body, token: tokens.author }), 403, "FORBIDDEN");
    expect((await call(t.app, { url: URL, body, token: tokens.decide })).statusCode).toBe(200);

    const doc = json(await call(t.app, { url: "/docs/json" }));
    const generic = doc.paths["/v1/decide/{ruleset}/why-not"]?.post;
    expect(generic).toBeDefined();
    expect(Object.keys(generic.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403", "404"]));
    const op = doc.paths["/v1/decide/reclame-designacao/why-not"]?.post;
    expect(op.operationId).toBe("whyNot_reclame-designacao");
    const request = op.requestBody.content["application/json"];
    expect(request.schema.properties.facts).toEqual({ $ref: "#/components/schemas/Facts_reclame-designacao" });
    expect(request.schema.properties.want.properties.designacao.enum).toEqual([
      "GIPES",
      "CEPES",
      "2_NIVEL_CAIXA",
      null,
    ]);
    // The example asks for a value of the first output with a list of values, and is answered.
    expect(request.example.want).toEqual({ acao: "DESIGNAR" });
    const tried = await call(t.app, { url: URL, body: request.example, token: tokens.decide });
    expect(tried.statusCode, tried.body).toBe(200);
  });
});
