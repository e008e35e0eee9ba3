import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../dsl/compile/pipeline.js";
import { handlers } from "../src/worker/handlers.js";
import { outputChoices, suggestionText, valueLabel, wantedValue } from "./why-not.js";

const RULES = join(import.meta.dirname, "../../rules");
const source = readFileSync(join(RULES, "reclame-designacao.yaml"), "utf8");
const { model } = compileSource(source);
const facts = {
  tipoAtendimento: "Reclamação",
  tipoCliente: "Beneficiário",
  servico: "Reembolso",
  entradaEm: "2026-03-02T10:00:00-03:00",
};

describe("the simulator's why-not model", () => {
  it("offers the scalar outputs with their declared values (null when nullable, true/false for booleans)", () => {
    const choices = outputChoices(model!);
    expect(choices.map((c) => c.name)).toEqual([
      "acao",
      "designacao",
      "gipes",
      "tipoEntrada",
      "prazoDesignacao",
      "anexarGravacao",
      "historico",
      "tipoAtendimentoSugerido",
    ]);
    const byName = new Map(choices.map((c) => [c.name, c]));
    expect(byName.get("designacao")?.values).toEqual(["GIPES", "CEPES", "2_NIVEL_CAIXA", null]);
    expect(byName.get("acao")?.values).not.toContain(null);
    expect(byName.get("anexarGravacao")?.values).toEqual([true, false, null]);
    expect(byName.get("gipes")?.values).toEqual([]);
    expect(valueLabel(null)).toBe("null (vazio)");
    expect(valueLabel(true)).toBe("true (sim)");
  });

  it("types what is typed by the output's type", () => {
    const text = { name: "gipes", type: "string", values: [] };
    const number = { name: "n", type: "integer", values: [] };
    expect(wantedValue(text, "GIPES Sul")).toBe("GIPES Sul");
    expect(wantedValue(text, "null")).toBeNull();
    expect(wantedValue(number, "10")).toBe(10);
    expect(wantedValue(number, "dez")).toBe("dez");
    expect(wantedValue(text, false)).toBe(false);
  });

  it("the worker answers on the draft: candidates and blocking conditions with their ranges, and the suggestion", async () => {
    const answer = await handlers.whyNot({ source, facts, want: { designacao: "CEPES" } });
    if (!answer.ok) throw new Error(answer.message);
    const [candidate] = answer.result.candidates;
    expect(answer.labels).toEqual(["tabela designacaoPorServico, linha 6"]);
    expect(candidate).toMatchObject({ kind: "row", table: "designacaoPorServico", row: 6 });
    const ranges = answer.ranges[0]!;
    // The row's range is the row as written; the blocking cell's is the cell.
    expect(source.slice(ranges.at!.start, ranges.at!.end)).toBe(
      "{ tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Financeiro – Parcelas não descontadas, designacao: CEPES }",
    );
    expect(source.slice(ranges.blocking[0]!.start, ranges.blocking[0]!.end)).toBe(
      "Financeiro – Parcelas não descontadas",
    );
    expect(suggestionText(answer.result)).toBe('servico: "Reembolso" → "Financeiro – Parcelas não descontadas"');
    expect(JSON.parse(JSON.stringify(answer))).toEqual(answer); // plain data

    const stopped = await handlers.whyNot({
      source,
      facts: { ...facts, protocoloValidado: false },
      want: { acao: "DESIGNAR" },
    });
    if (!stopped.ok) throw new Error(stopped.message);
    const stop = stopped.ranges[0]!.blocking[0]!;
    expect(source.slice(stop.start, stop.end)).toMatch(/^name: protocolo não validado pelo Reclame/u);
  });

  it("the worker's errors are messages: an impossible value, bad facts, a draft that does not compile", async () => {
    expect(await handlers.whyNot({ source, facts, want: { designacao: "VECTOR" } })).toEqual({
      ok: false,
      message: '"VECTOR" não é um valor de designacao: os valores são GIPES, CEPES, 2_NIVEL_CAIXA (ou null)',
    });
    const bad = await handlers.whyNot({ source, facts: { servico: 1 }, want: { designacao: "CEPES" } });
    expect(bad.ok).toBe(false);
    const broken = await handlers.whyNot({ source: `${source}\n  - nada: [`, facts, want: { designacao: "CEPES" } });
    expect(broken).toEqual({
      ok: false,
      message: "o rascunho tem erros e não pode ser simulado: corrija-os no editor",
    });
  });
});
