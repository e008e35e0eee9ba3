/**
 * The shipped `reclame-designacao` rule set (DOMAIN.md §1) beyond its decisions. What it decides for
 * given facts (every row of the designation table, the precedence of `acao`, the 2-hour deadline, the
 * call recording, the reclassification e-mail and its business-day deadline, the fact errors) is
 * the YAML suite rules/reclame-designacao.test.yaml, run by test/suites.test.ts; that it compiles
 * without diagnostics is test/shipped-rules.test.ts. This file keeps only what a suite cannot
 * express: the rule set edited by an analyst, a compile-time invariant, the messages of fact errors
 * and the source positions of an explanation.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { createRuntime } from "../engine/runtime.js";

const source = readFileSync(new URL("../rules/reclame-designacao.yaml", import.meta.url), "utf8");
const compiled = compileSource(source);
const runtime = createRuntime(compiled.compiled!);

const base = {
  numero: "2026000101",
  tipoAtendimento: "Reclamação",
  entradaEm: "2026-04-01T09:15:00",
};

describe("reclame-designacao", () => {
  // A suite runs the shipped rule set as it is; these decisions come from edited copies of it.
  it("an analyst extends the list by editing data: the [default] extra list, or a new GIPES row of the table", async () => {
    const decideWith = async (edited: string, servico: string) => {
      const result = compileSource(edited);
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      return (await createRuntime(result.compiled!).decide({ ...base, tipoCliente: "Credenciado", servico })).decision;
    };
    const extra = source.replace(/(SERVICOS_GIPES_EXTRAS:\n\s+value: )\[\]/u, "$1[Glosa]");
    expect(extra).not.toBe(source);
    expect((await decideWith(extra, "Glosa")).acao).toBe("RECLASSIFICAR");
    const row =
      "      - { tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Reembolso, designacao: GIPES }\n";
    expect(source).toContain(row);
    const table = source.replace(
      row,
      `${row}      - { tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Home care, designacao: GIPES }\n`,
    );
    expect((await decideWith(table, "Home care")).acao).toBe("RECLASSIFICAR");
    expect((await decideWith(source, "Home care")).acao).toBe("REVISAR_SERVICO");
  });

  // A suite runs only a rule set that compiles; the invariant shows in a copy that breaks it and does not.
  it("never designates to VECTOR nor AUDITORIA: the invariant is part of the rule set", () => {
    expect(compiled.compiled?.invariants.map((i) => i.name)).toContain(
      "designação só para GIPES, CEPES ou 2_NIVEL_CAIXA",
    );
    const broken = source.replace("servico: Reembolso, designacao: GIPES", "servico: Reembolso, designacao: VECTOR");
    const result = compileSource(broken);
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toContain("table/invariant");
  });

  // A suite's expectError checks the code, the status and that each path is named, not the
  // messages nor that the error names nothing else.
  it("rejects facts that break the schema, naming the field", async () => {
    await expect(runtime.decide({ ...base, tipoCliente: "Beneficiario", servico: "Reembolso" })).rejects.toMatchObject({
      code: "INVALID_FACTS",
      details: [{ path: "/tipoCliente", message: expect.stringContaining('Você quis dizer "Beneficiário"?') }],
    });
    await expect(
      runtime.decide({ ...base, tipoCliente: "Beneficiário", servico: "Reembolso", sevico: "x" }),
    ).rejects.toMatchObject({
      code: "INVALID_FACTS",
      details: [{ path: "/sevico", message: expect.stringContaining('"servico"') }],
    });
    await expect(
      runtime.decide({ tipoCliente: "Beneficiário", servico: "Reembolso", tipoAtendimento: "Reclamação" }),
    ).rejects.toMatchObject({
      code: "INVALID_FACTS",
      details: [{ path: "/entradaEm", message: "fato obrigatório ausente" }],
    });
  });

  // A suite checks which rules fired, not the trace nor its positions in the rule set.
  it("explains a decision with source positions of the table row and the rule", async () => {
    const r = await runtime.decide({ ...base, tipoCliente: "Beneficiário", servico: "Reembolso" }, { explain: true });
    const lines = source.split("\n");
    const row = r.trace?.find((t) => t.kind === "row" && t.matched);
    expect(row?.name).toBe("designacaoPorServico · linha 9");
    expect(lines[(row?.line ?? 0) - 1]).toContain("servico: Reembolso, designacao: GIPES");
    const rule = r.trace?.find((t) => t.name === "designar pela tabela");
    expect(rule?.matched).toBe(true);
    expect(lines[(rule?.line ?? 0) - 1]).toContain("- name: designar pela tabela");
    const later = r.trace?.find((t) => t.name === "revisar o serviço");
    expect(later?.matched).toBeNull();
    expect(r.fired).toEqual(["designacaoPorServico · linha 9", "tipo de entrada informado", "designar pela tabela"]);
  });
});
