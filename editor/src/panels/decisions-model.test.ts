/**
 * "Decisões registradas": the rows (time in São Paulo, version, key outputs, masked note), the
 * message after "Virar caso de teste" (with the warning of a case that does not reproduce), the
 * refusals, and the API calls behind them (`GET /v1/decisions`, `POST /v1/decisions/:id/promote`).
 */
import { describe, expect, it } from "vitest";
import { ApiError, createApi, type PromotedCase } from "../api.js";
import { decisionRow, decisionsErrorMessage, keyOutputs, promotedMessage } from "./decisions-model.js";

const promoted: PromotedCase = {
  ruleset: "reclame-designacao",
  version: 3,
  name: "Decisão aaaaaaa1 · 01/04/2026 09:15",
  case: "  - name: Decisão aaaaaaa1 · 01/04/2026 09:15\n",
  suite: "suite: reclame-designacao\ncases:\n",
  reproduced: true,
  masked: false,
  differences: [],
};

describe("decision rows", () => {
  it("time in São Paulo, version, short id, the first outputs with a value", () => {
    const row = decisionRow({
      id: "019d48f7-f5d0-7001-8aaa-0123456789ab",
      at: "2026-04-01T12:15:03.120Z",
      ruleset: "reclame-designacao",
      version: 3,
      decision: { gipes: null, acao: "DESIGNAR", designacao: "GIPES", anexarGravacao: false, email: null },
      fired: [],
      masked: [],
    });
    expect(row).toEqual({
      id: "019d48f7-f5d0-7001-8aaa-0123456789ab",
      short: "456789ab",
      when: "01/04/2026 09:15",
      version: "v3",
      outputs: "acao: DESIGNAR · designacao: GIPES · anexarGravacao: não",
    });
    expect(
      decisionRow({ ...row, at: "x", ruleset: "r", version: 1, decision: {}, fired: [], masked: ["cpf"] }),
    ).toMatchObject({
      when: "x",
      outputs: "(sem saídas preenchidas)",
      note: "dados pessoais mascarados",
    });
    expect(keyOutputs({ n: 1234.5, t: "a".repeat(60) })).toBe(`n: 1.234,5 · t: ${"a".repeat(39)}…`);
  });
});

describe("after Virar caso de teste", () => {
  it("says where the case went; warns when it does not reproduce", () => {
    expect(promotedMessage(promoted)).toEqual({
      text: "Caso “Decisão aaaaaaa1 · 01/04/2026 09:15” acrescentado à suíte do rascunho: publique para guardá-lo.",
    });
    const masked = promotedMessage({ ...promoted, reproduced: false, masked: true });
    expect(masked.warning).toBe(
      "A decisão não se reproduz: os fatos pessoais estão mascarados e as regras os leem: substitua-os por dados sintéticos. O caso tem a etiqueta revisar.",
    );
    const changed = promotedMessage({
      ...promoted,
      reproduced: false,
      differences: [{ path: "designacao", expected: "GIPES", actual: "CEPES", message: "" }],
    });
    expect(changed.warning).toContain("as regras da versão 3 decidem diferente (designacao)");
  });

  it("the refusals in Portuguese", () => {
    expect(decisionsErrorMessage(new ApiError(503, "DECISION_LOG_OFF", "x"))).toContain(
      "registro de decisões está desligado",
    );
    expect(decisionsErrorMessage(new ApiError(404, "HTTP_404", "x"))).toContain("não lista decisões registradas");
    expect(decisionsErrorMessage(new ApiError(404, "NOT_FOUND", "Não encontrado. (decisão desconhecida: x)"))).toBe(
      "Não encontrado. (decisão desconhecida: x)",
    );
    expect(decisionsErrorMessage(new ApiError(403, "FORBIDDEN", "x"))).toContain("não tem permissão");
  });
});

describe("api", () => {
  it("lists the open rule set's latest decisions and promotes one with the draft suite", async () => {
    const calls: { url: string; method: string; body: unknown }[] = [];
    const api = createApi({
      token: () => "t",
      fetch: async (url, init) => {
        calls.push({ url, method: String(init?.method), body: init?.body ? JSON.parse(String(init.body)) : undefined });
        const body = url.includes("/promote") ? promoted : { items: [] };
        return new Response(JSON.stringify(body), { status: 200 });
      },
    });
    expect(await api.decisions({ ruleset: "reclame-designacao", limit: 20 })).toEqual({ items: [] });
    expect(await api.promote("019d-1", { tests: "suite: x\ncases: []\n" })).toEqual(promoted);
    expect(calls).toEqual([
      { url: "/v1/decisions?ruleset=reclame-designacao&limit=20&order=desc", method: "GET", body: undefined },
      { url: "/v1/decisions/019d-1/promote", method: "POST", body: { tests: "suite: x\ncases: []\n" } },
    ]);
  });

  it("a log that is off is an ApiError with its message", async () => {
    const api = createApi({
      token: () => undefined,
      fetch: async () =>
        new Response(JSON.stringify({ error: { code: "DECISION_LOG_OFF", message: "desligado", details: [] } }), {
          status: 503,
        }),
    });
    await expect(api.decisions({ ruleset: "r" })).rejects.toMatchObject({ code: "DECISION_LOG_OFF", status: 503 });
  });
});
