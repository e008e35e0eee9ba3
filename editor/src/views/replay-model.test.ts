/**
 * The texts of "Simular com decisões reais" (views/replay-model.ts): the window read, the
 * responsible rows and their ranges, samples and the service's refusals in Portuguese.
 */
import { describe, expect, it } from "vitest";
import { formatInstant } from "../../../tester/decision-labels.js";
import { ApiError, type ReplayResult } from "../api.js";
import { replayErrorMessage, responsibleRange, responsibleText, sampleText, windowText } from "./replay-model.js";

function result(over: Partial<ReplayResult> = {}): ReplayResult {
  return {
    ruleset: "exemplo",
    total: 12_500,
    unchanged: 12_000,
    changed: 500,
    notReproducible: 0,
    invalidForDraft: 0,
    defects: 0,
    unverified: 0,
    groups: [],
    problems: [],
    lines: [],
    replayed: {
      limit: 10_000,
      oldest: "2026-03-02T12:00:00.000Z",
      newest: "2026-03-05T21:20:00.000Z",
      truncated: false,
    },
    ...over,
  };
}

describe("replay model", () => {
  it("the window in São Paulo time, with thousands and the limit when it cut the log short", () => {
    expect(formatInstant("2026-03-02T12:00:00.000Z")).toBe("02/03/2026 09:00");
    expect(windowText(result())).toBe("12.500 decisões registradas de 02/03/2026 09:00 a 05/03/2026 18:20.");
    expect(windowText(result({ replayed: { limit: 10_000, truncated: true } }))).toBe(
      "12.500 decisões registradas (limite de 10.000 atingido: há mais decisões registradas).",
    );
    expect(windowText(result({ total: 0 }))).toBe("Nenhuma decisão registrada deste conjunto de regras para simular.");
  });

  it("names each responsible rule or row by how it differs, with its range in the draft", () => {
    const row = {
      ref: "t:tabela:3",
      name: "tabela · linha 4",
      label: "tabela tabela, linha 4",
      side: "changed" as const,
      line: 40,
      column: 9,
      endLine: 40,
      endColumn: 80,
    };
    expect(responsibleText(row)).toBe("tabela tabela, linha 4: alterada no rascunho");
    expect(responsibleText({ ref: "r:2", name: "regra nova", side: "draft" })).toBe(
      "regra nova: dispararia só com o rascunho",
    );
    expect(responsibleText({ ref: "r:1", name: "regra antiga", side: "logged" })).toBe(
      "regra antiga: disparou na decisão registrada e não dispararia mais",
    );
    expect(responsibleRange(row)).toEqual({ line: 40, column: 9, endLine: 40, endColumn: 80 });
    expect(responsibleRange({ ref: "r:9", name: "só na versão antiga", side: "logged" })).toBeUndefined();
    expect(sampleText({ id: "0190-abc", at: "2026-03-02T12:00:00.000Z" })).toBe("0190-abc · 02/03/2026 09:00");
  });

  it("the service's refusals in Portuguese", () => {
    expect(replayErrorMessage(new ApiError(503, "DECISION_LOG_OFF", "x"))).toBe(
      "O serviço não guarda o registro de decisões: não há decisões reais para simular.",
    );
    expect(replayErrorMessage(new ApiError(422, "RULESET_INVALID", "x"))).toMatch(/^O rascunho tem erros/);
    expect(replayErrorMessage(new ApiError(503, "HANDLER_TIMEOUT", "x"))).toMatch(/passou do tempo/);
    expect(replayErrorMessage(new ApiError(403, "FORBIDDEN", "x"))).toMatch(/papel author ou publisher/);
    expect(replayErrorMessage(new Error("rede fora"))).toBe("Não foi possível simular com decisões reais: rede fora");
  });
});
