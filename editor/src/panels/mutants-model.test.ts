import { describe, expect, it } from "vitest";
import { ApiError, createApi, errorFromResponse, type MutantSurvivor, type MutantsResult } from "../api.js";
import { formatScore, leftOutText, mutantsErrorMessage, scoreText, survivorLead } from "./mutants-model.js";
import { MUTANT_MARKER_OWNER, survivorMarkers } from "../monaco/mutant-markers.js";

function result(over: Partial<MutantsResult>): MutantsResult {
  return {
    ruleset: "mini",
    score: 100,
    total: 0,
    killed: 0,
    survived: 0,
    invalid: 0,
    equivalent: 0,
    capped: 0,
    survivors: [],
    ...over,
  };
}

const SOURCE = [
  "ruleset: mini",
  "rules:",
  "  - name: faixa alta",
  "    when: valor >= 100",
  "    then:",
  "      - faixa = 'ALTA'",
  "",
].join("\n");

function survivor(start: number, end: number, description: string): MutantSurvivor {
  return {
    id: 1,
    operator: "comparison",
    range: { start, end },
    line: 0,
    column: 0,
    description,
    message: `nenhum teste pegaria esta mudança: ${description}`,
  };
}

describe("the mutants' score, as analysts read it", () => {
  it("uses the pt-BR number format: comma decimals, thousands with a dot, no needless ',0'", () => {
    expect(formatScore(96.9)).toBe("96,9%");
    expect(formatScore(100)).toBe("100%");
    expect(formatScore(50)).toBe("50%");
    expect(formatScore(0)).toBe("0%");
    expect(scoreText(result({ killed: 94, survived: 3, total: 97, score: 96.9 }))).toBe(
      "a suíte pegou 94 de 97 mudanças (96,9%)",
    );
    expect(scoreText(result({ killed: 1, survived: 0, total: 1, score: 100 }))).toBe(
      "a suíte pegou 1 de 1 mudança (100%)",
    );
    expect(scoreText(result({ killed: 1200, survived: 34, total: 1234, score: 97.2 }))).toBe(
      "a suíte pegou 1.200 de 1.234 mudanças (97,2%)",
    );
  });

  it("says when nothing could be measured, and what the score leaves out", () => {
    expect(scoreText(result({ invalid: 2, total: 2 }))).toBe(
      "nenhuma mudança do rascunho pôde ser medida (nenhum mutante válido)",
    );
    expect(leftOutText(result({ killed: 3 }))).toBeUndefined();
    expect(leftOutText(result({ invalid: 1 }))).toBe("1 mudança não conta (não compila ou decide igual ao original).");
    expect(leftOutText(result({ invalid: 2, equivalent: 1, capped: 5 }))).toBe(
      "3 mudanças não contam (não compilam ou decidem igual ao original); 5 mudanças ficaram de fora por passar do limite de mutantes.",
    );
  });

  it("shows a survivor's message without repeating its description", () => {
    const s = survivor(0, 1, 'regra "faixa alta" (when): >= → > em valor >= 100');
    expect(survivorLead(s)).toBe("nenhum teste pegaria esta mudança");
    expect(survivorLead({ ...s, message: "outra coisa" })).toBe("outra coisa");
  });
});

describe("survivors as editor warnings", () => {
  it("puts each survivor at its range (1-based, end exclusive) with its message", () => {
    const at = SOURCE.indexOf(">=");
    const markers = survivorMarkers(SOURCE, [survivor(at, at + 2, ">= → >")]);
    expect(markers).toEqual([
      {
        startLineNumber: 4,
        startColumn: 17,
        endLineNumber: 4,
        endColumn: 19,
        message: "nenhum teste pegaria esta mudança: >= → >",
      },
    ]);
    expect(MUTANT_MARKER_OWNER).toBe("mutantes");
  });

  it("widens an empty range to one character, spans lines, and leaves out ranges outside the text", () => {
    const row = SOURCE.indexOf("  - name");
    const [empty, span, ...rest] = survivorMarkers(SOURCE, [
      survivor(row, row, "linha removida"),
      survivor(row, SOURCE.indexOf("    then"), "regra removida"),
      survivor(SOURCE.length + 5, SOURCE.length + 6, "fora"),
    ]);
    expect(empty).toMatchObject({ startLineNumber: 3, startColumn: 1, endLineNumber: 3, endColumn: 2 });
    expect(span).toMatchObject({ startLineNumber: 3, startColumn: 1, endLineNumber: 5, endColumn: 1 });
    expect(rest).toEqual([]);
  });

  it("counts CRLF line breaks as the service does", () => {
    const crlf = SOURCE.replace(/\n/g, "\r\n");
    const at = crlf.indexOf("100");
    expect(survivorMarkers(crlf, [survivor(at, at + 3, "100 → 101")])[0]).toMatchObject({
      startLineNumber: 4,
      startColumn: 20,
      endColumn: 23,
    });
  });
});

describe("why the mutants could not be measured", () => {
  it("a suite that already fails names its failing cases", () => {
    const e = errorFromResponse(422, {
      error: {
        code: "TESTS_FAILED",
        message: "1 caso(s) de teste falham contra a própria fonte: corrija-os antes de medir com mutantes",
        details: [{ case: "faixa alta no limite", line: 12, column: 5, differences: [] }],
      },
    });
    expect(mutantsErrorMessage(e)).toBe(
      "A suíte já falha contra o rascunho (faixa alta no limite): um mutante só conta quando a suíte passa no original. Corrija os casos que falham e rode de novo.",
    );
    // Not the publish text of the generic client message.
    expect(mutantsErrorMessage(e)).not.toContain("publicação");
  });

  it("time limit, rate limit, a broken draft, no suite, no role, the network", () => {
    const timeout = errorFromResponse(503, { error: { code: "AUTHORING_TIMEOUT", message: "tempo esgotado" } });
    expect(mutantsErrorMessage(timeout)).toMatch(/^Os mutantes passaram do tempo que o serviço dá/);
    const limited = errorFromResponse(429, { error: { code: "RATE_LIMITED", message: "x" } });
    expect(mutantsErrorMessage(limited)).toBe(
      "Muitas verificações seguidas no serviço: aguarde um minuto e rode os mutantes de novo.",
    );
    // A 429 without the envelope (a proxy) is still a rate limit to the analyst.
    expect(mutantsErrorMessage(errorFromResponse(429, undefined))).toContain("Muitas solicitações seguidas");
    expect(mutantsErrorMessage(new ApiError(422, "RULESET_INVALID", "x"))).toMatch(/^O rascunho tem erros/);
    expect(mutantsErrorMessage(new ApiError(422, "NO_TEST_SUITE", "x"))).toMatch(/ainda não tem suíte de testes/);
    expect(mutantsErrorMessage(new ApiError(403, "FORBIDDEN", "x"))).toContain("papel author ou publisher");
    const down = errorFromResponse(503, { error: { code: "SHUTTING_DOWN", message: "encerrando" } });
    expect(mutantsErrorMessage(down)).toMatch(
      /^O serviço não pôde rodar os mutantes agora: O serviço está sendo desligado/,
    );
    expect(mutantsErrorMessage(new Error("boom"))).toBe("Não foi possível rodar os mutantes: boom");
  });
});

describe("the API client's mutants call", () => {
  it("posts the draft's source and suite to the rule set's mutants endpoint, with the token", async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const answer = result({ killed: 3, survived: 0, total: 3 });
    const api = createApi({
      fetch: async (url, init) => {
        seen.push({ url, init });
        return new Response(JSON.stringify(answer), { status: 200 });
      },
      token: () => "tok",
    });
    expect(await api.mutants("reclame designação", { source: "S", tests: "T" })).toEqual(answer);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe("/v1/rulesets/reclame%20designa%C3%A7%C3%A3o/mutants");
    expect(seen[0]?.init?.method).toBe("POST");
    expect(JSON.parse(String(seen[0]?.init?.body))).toEqual({ source: "S", tests: "T" });
    expect((seen[0]?.init?.headers as Record<string, string> | undefined)?.authorization).toBe("Bearer tok");
  });
});
