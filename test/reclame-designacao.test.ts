/**
 * The shipped `reclame-designacao` rule set decides DOMAIN.md §1: every row of the designation
 * table, the precedence of `acao`, the 2-hour deadline, the call recording, the reclassification
 * e-mail with its deadline in business days, and the invariant.
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

async function decide(facts: Record<string, unknown>) {
  return (await runtime.decide({ ...base, ...facts })).decision;
}

const TABLE: [string, string, string][] = [
  ["Beneficiário", "Autorização Prévia", "GIPES"],
  ["Beneficiário", "Cadastro – Inclusão/alteração de titular", "2_NIVEL_CAIXA"],
  ["Beneficiário", "Cadastro – Inclusão/Renovação/exclusão de beneficiários dependentes", "2_NIVEL_CAIXA"],
  ["Beneficiário", "Cadastro – Renovação de aposentado/pensionista titular", "2_NIVEL_CAIXA"],
  ["Beneficiário", "Falta de atendimento, nos Canais do Saúde CAIXA", "2_NIVEL_CAIXA"],
  ["Beneficiário", "Financeiro – Parcelas não descontadas", "CEPES"],
  ["Beneficiário", "Insatisfação de atendimento, nos Canais do Saúde CAIXA", "2_NIVEL_CAIXA"],
  ["Beneficiário", "Problemas de acesso aos sistemas Saúde CAIXA", "2_NIVEL_CAIXA"],
  ["Beneficiário", "Reembolso", "GIPES"],
  ["Beneficiário", "Registro de insatisfação de atendimento na Rede Credenciada", "GIPES"],
  ["Credenciado", "Autorização Prévia", "GIPES"],
  ["Credenciado", "Cadastro – Falta de Cartão Saúde CAIXA", "2_NIVEL_CAIXA"],
  ["Credenciado", "Falta de atendimento, nos Canais do Saúde CAIXA", "2_NIVEL_CAIXA"],
  ["Credenciado", "Insatisfação de atendimento, nos Canais do Saúde CAIXA", "2_NIVEL_CAIXA"],
  ["Credenciado", "Problemas de acesso aos sistemas Saúde CAIXA", "2_NIVEL_CAIXA"],
];

describe("reclame-designacao", () => {
  it("compiles without diagnostics", () => {
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.ok).toBe(true);
  });

  describe("designation table (seed 002), every row", () => {
    it.each(TABLE)("%s · %s → %s", async (tipoCliente, servico, designacao) => {
      const d = await decide({ tipoCliente, servico });
      expect(d.acao).toBe("DESIGNAR");
      expect(d.designacao).toBe(designacao);
      expect(d.tipoEntrada).toBe("RECLAME");
      expect(d.email).toBeNull();
    });
  });

  it("a tipoAtendimento other than Reclamação is not in the table: its own outcome, not a service review", async () => {
    const d = await decide({ tipoAtendimento: "Solicitação", tipoCliente: "Beneficiário", servico: "Reembolso" });
    expect(d.acao).toBe("TIPO_ATENDIMENTO_INVALIDO");
    expect(d.designacao).toBeNull();
  });

  it("a Credenciado's prior authorisation goes to the GIPES it is linked to", async () => {
    const d = await decide({
      tipoCliente: "Credenciado",
      servico: "Autorização Prévia",
      gipesVinculacao: "GIPES Recife",
    });
    expect(d).toMatchObject({ acao: "DESIGNAR", designacao: "GIPES", gipes: "GIPES Recife" });
  });

  it("a Beneficiário designated to GIPES carries no linked GIPES", async () => {
    const d = await decide({ tipoCliente: "Beneficiário", servico: "Reembolso", gipesVinculacao: "GIPES Recife" });
    expect(d.gipes).toBeNull();
  });

  it("the designation deadline is 2 clock hours after entry, in São Paulo time", async () => {
    expect((await decide({ tipoCliente: "Beneficiário", servico: "Reembolso" })).prazoDesignacao).toBe(
      "2026-04-01T11:15:00.000-03:00",
    );
    // An entry with another offset is the same instant.
    const d = await decide({ tipoCliente: "Beneficiário", servico: "Reembolso", entradaEm: "2026-04-01T23:30:00Z" });
    expect(d.prazoDesignacao).toBe("2026-04-01T22:30:00.000-03:00");
    // Across midnight and into the next day.
    expect(
      (await decide({ tipoCliente: "Beneficiário", servico: "Reembolso", entradaEm: "2026-04-01T23:00" }))
        .prazoDesignacao,
    ).toBe("2026-04-02T01:00:00.000-03:00");
  });

  describe("precedence of acao", () => {
    it("no validated protocol → ABRIR_FALE_CONOSCO, before everything else", async () => {
      const d = await decide({
        tipoCliente: "Credenciado",
        servico: "Reembolso",
        protocoloValidado: false,
        registradoDuranteAtendimento: true,
      });
      expect(d).toMatchObject({ acao: "ABRIR_FALE_CONOSCO", designacao: null, prazoDesignacao: null, email: null });
    });
    it("registered during the attendance → ADIAR_REVISAO, before the table", async () => {
      const d = await decide({ tipoCliente: "Beneficiário", servico: "Reembolso", registradoDuranteAtendimento: true });
      expect(d).toMatchObject({ acao: "ADIAR_REVISAO", designacao: null });
      expect(d.prazoDesignacao).toBe("2026-04-01T11:15:00.000-03:00");
    });
    it("in the table → DESIGNAR, before reclassification", async () => {
      expect((await decide({ tipoCliente: "Credenciado", servico: "Autorização Prévia" })).acao).toBe("DESIGNAR");
    });
    it("reclassifiable → RECLASSIFICAR", async () => {
      expect((await decide({ tipoCliente: "Credenciado", servico: "Reembolso" })).acao).toBe("RECLASSIFICAR");
    });
    it("already INTERNO → NAO_E_RECLAME, before the table and the reclassification", async () => {
      for (const [tipoCliente, servico] of [
        ["Credenciado", "Reembolso"],
        ["Beneficiário", "Reembolso"],
        ["Credenciado", "Autorização Prévia"],
      ]) {
        const d = await decide({ tipoCliente, servico, tipoEntrada: "INTERNO" });
        expect(d).toMatchObject({
          acao: "NAO_E_RECLAME",
          tipoEntrada: "INTERNO",
          designacao: null,
          prazoDesignacao: null,
          email: null,
          historico: null,
        });
      }
    });
    it("a Beneficiário with a GIPES-competence service is not reclassified: REVISAR_SERVICO", async () => {
      expect((await decide({ tipoCliente: "Beneficiário", servico: "Glosa" })).acao).toBe("REVISAR_SERVICO");
    });
    it("anything else → REVISAR_SERVICO with the valid services of the client type", async () => {
      const d = await decide({ tipoCliente: "Credenciado", servico: "Serviço inexistente" });
      expect(d.acao).toBe("REVISAR_SERVICO");
      expect(d.servicosValidos).toEqual(TABLE.filter(([c]) => c === "Credenciado").map(([, s]) => s));
      expect((await decide({ tipoCliente: "Credenciado", servico: "Autorização Prévia" })).servicosValidos).toBeNull();
    });
  });

  describe("call recording", () => {
    const servico = "Insatisfação de atendimento, nos Canais do Saúde CAIXA";
    it("attached when the original contact was a phone call", async () => {
      expect((await decide({ tipoCliente: "Beneficiário", servico, canalOrigem: "telefone" })).anexarGravacao).toBe(
        true,
      );
      expect((await decide({ tipoCliente: "Credenciado", servico, canalOrigem: "telefone" })).anexarGravacao).toBe(
        true,
      );
    });
    it("not for other channels, nor for other services", async () => {
      expect((await decide({ tipoCliente: "Beneficiário", servico, canalOrigem: "chat" })).anexarGravacao).toBe(false);
      expect((await decide({ tipoCliente: "Beneficiário", servico })).anexarGravacao).toBe(false);
      expect(
        (await decide({ tipoCliente: "Beneficiário", servico: "Reembolso", canalOrigem: "telefone" })).anexarGravacao,
      ).toBe(false);
    });
  });

  describe("reclassification (Credenciado, GIPES competence other than prior authorisation)", () => {
    it("becomes INTERNO, goes to the linked GIPES, with history and the standard e-mail", async () => {
      const d = await decide({
        numero: "2026000777",
        tipoCliente: "Credenciado",
        servico: "Reembolso",
        gipesVinculacao: "GIPES Belém",
      });
      expect(d).toMatchObject({
        acao: "RECLASSIFICAR",
        tipoEntrada: "INTERNO",
        designacao: "GIPES",
        gipes: "GIPES Belém",
      });
      const email = d.email as Record<string, unknown>;
      expect(email.template).toBe("reclassificacao-reclame");
      expect(email.assunto).toBe("Reclame – demanda reclassificada – ocorrência 2026000777");
      expect(email.prazoRespostaDiasUteis).toBe(10);
      const texto = String(email.texto);
      expect(texto.startsWith("Informamos que o canal de atendimento ‘Reclame’ foi modernizado")).toBe(true);
      expect(texto).toContain("- Autorização Prévia (negativa/indeferimento/resposta acima de 21 dias úteis);");
      expect(texto).toContain(
        "o protocolo de atendimento permanece o mesmo e prazo de resposta estimado em até 10 dias úteis",
      );
      expect(texto).not.toContain("XX");
      expect(String(d.historico)).toContain("RECLAME reclassificado para INTERNO");
    });

    it("the e-mail's date counts business days, skipping Good Friday and weekends", async () => {
      // 2026-04-01 (Wed) + 10 business days: 02, 06, 07, 08, 09, 10, 13, 14, 15, 16 (03/04 is Good Friday).
      const d = await decide({ tipoCliente: "Credenciado", servico: "Reembolso", entradaEm: "2026-04-01T09:00" });
      const email = d.email as Record<string, unknown>;
      expect(email.prazoRespostaData).toBe("2026-04-16");
      expect(String(email.texto)).toContain("(16/04/2026)");
    });

    it("across Tiradentes: entry on 2026-04-16 + 10 business days skips 21/04", async () => {
      // 17, 20, 22, 23, 24, 27, 28, 29, 30 April and 04 May (01/05 is Labour Day).
      const d = await decide({
        tipoCliente: "Credenciado",
        servico: "Registro de insatisfação de atendimento na Rede Credenciada",
        entradaEm: "2026-04-16T15:00",
      });
      expect((d.email as Record<string, unknown>).prazoRespostaData).toBe("2026-05-04");
    });

    it("the reclassifiable services are the table's GIPES services other than Autorização Prévia, not invented names", async () => {
      for (const servico of ["Reembolso", "Registro de insatisfação de atendimento na Rede Credenciada"]) {
        expect((await decide({ tipoCliente: "Credenciado", servico })).acao, servico).toBe("RECLASSIFICAR");
      }
      for (const servico of ["Glosa", "Credenciamento", "Pagamento de produção"]) {
        expect((await decide({ tipoCliente: "Credenciado", servico })).acao, servico).toBe("REVISAR_SERVICO");
      }
    });

    it("an analyst extends the list by editing data: the [default] extra list, or a new GIPES row of the table", async () => {
      const decideWith = async (edited: string, servico: string) => {
        const result = compileSource(edited);
        expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        return (await createRuntime(result.compiled!).decide({ ...base, tipoCliente: "Credenciado", servico }))
          .decision;
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

    it("an entry late in the evening UTC is dated by São Paulo's calendar day", async () => {
      // 2026-04-02T01:00Z is still 2026-04-01 in São Paulo.
      const d = await decide({ tipoCliente: "Credenciado", servico: "Reembolso", entradaEm: "2026-04-02T01:00:00Z" });
      expect((d.email as Record<string, unknown>).prazoRespostaData).toBe("2026-04-16");
    });
  });

  it("never designates to VECTOR nor AUDITORIA: the invariant is part of the rule set", () => {
    expect(compiled.compiled?.invariants.map((i) => i.name)).toContain(
      "designação só para GIPES, CEPES ou 2_NIVEL_CAIXA",
    );
    const broken = source.replace("servico: Reembolso, designacao: GIPES", "servico: Reembolso, designacao: VECTOR");
    const result = compileSource(broken);
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toContain("table/invariant");
  });

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
