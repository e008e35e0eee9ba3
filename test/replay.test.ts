/**
 * Replay (tester/replay.ts) on the shipped rule sets: decisions logged with the published version
 * are decided again with a draft; the report counts and groups what would change, names the table
 * row responsible with its line, counts apart the facts a draft refuses and the decisions a masked
 * personal fact makes impossible to reproduce. Synthetic data only.
 */
import { describe, expect, it } from "vitest";
import { runtimeOf } from "../engine/index.js";
import type { Runtime } from "../engine/runtime.js";
import { replay } from "../tester/replay.js";
import { logDecisions } from "./helpers/decision-records.js";
import { compileOk, readRuleSet, reclameFacts } from "./helpers/rulesets.js";

const RECLAME = readRuleSet("reclame-designacao");
const RETENCAO = readRuleSet("retencao");

/** Beneficiário services of the table and how many logged decisions each gets. */
const BENEFICIARIO: readonly [string, number][] = [
  ["Autorização Prévia", 3],
  ["Cadastro – Inclusão/alteração de titular", 2],
  ["Financeiro – Parcelas não descontadas", 4],
  ["Reembolso", 7],
  ["Registro de insatisfação de atendimento na Rede Credenciada", 2],
  ["Serviço que não existe", 2],
];

function reclameFactSets(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let n = 0;
  for (const [servico, count] of BENEFICIARIO)
    for (let i = 0; i < count; i++) out.push(reclameFacts({ numero: String(900100 + n++), servico }));
  out.push(
    reclameFacts({
      numero: "900200",
      tipoCliente: "Credenciado",
      servico: "Autorização Prévia",
      gipesVinculacao: "GIPES-SP",
    }),
  );
  return out;
}

/** The line (1-based) of the first line of `source` containing `text`. */
function lineOf(source: string, text: string): number {
  const i = source.split("\n").findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`not in source: ${text}`);
  return i + 1;
}

const REEMBOLSO_ROW = "servico: Reembolso, designacao: GIPES }";
const PARCELAS_ROW = "servico: Financeiro – Parcelas não descontadas, designacao: CEPES }";

describe("replay against the published version of reclame-designacao", () => {
  const published = runtimeOf(compileOk(RECLAME));
  const baseline = async (v: number): Promise<Runtime | undefined> => (v === 1 ? published : undefined);

  it("a row's designacao changed: exactly that row's decisions change, one group, the row named with its line", async () => {
    const records = await logDecisions(published, reclameFactSets());
    const draftSource = RECLAME.replace(REEMBOLSO_ROW, "servico: Reembolso, designacao: CEPES }");
    const draft = runtimeOf(compileOk(draftSource));
    const report = await replay({ draft, records, baseline });

    expect(report.total).toBe(records.length);
    expect(report.changed).toBe(7);
    expect(report.unchanged).toBe(records.length - 7);
    expect(report.notReproducible + report.invalidForDraft + report.defects).toBe(0);
    expect(report.groups.map((g) => [g.output, g.from, g.to, g.count])).toEqual([
      ["designacao", { value: "GIPES" }, { value: "CEPES" }, 7],
    ]);
    const group = report.groups[0]!;
    expect(group.line).toBe("7 decisões mudariam designacao de GIPES para CEPES");
    expect(group.samples).toHaveLength(5);
    const reembolsoIds = records.filter((r) => r.facts.servico === "Reembolso").map((r) => r.id);
    for (const s of group.samples) {
      expect(reembolsoIds).toContain(s.id);
      expect(s.before.designacao).toBe("GIPES");
      expect(s.after.designacao).toBe("CEPES");
      expect(s.fired).toContain("designacaoPorServico · linha 9");
      expect(s.firedBefore).toContain("designacaoPorServico · linha 9");
      expect(s.responsible).toEqual([
        expect.objectContaining({
          ref: "t:designacaoPorServico:8",
          side: "changed",
          label: "tabela designacaoPorServico, linha 9",
          line: lineOf(draftSource, "servico: Reembolso, designacao: CEPES }"),
        }),
      ]);
    }
    expect(report.lines).toEqual([
      `${records.length - 7} de ${records.length} decisões não mudariam`,
      "7 decisões mudariam em pelo menos uma saída:",
      "7 decisões mudariam designacao de GIPES para CEPES",
    ]);
  });

  it("groups are sorted by count, and samples are capped by samplesPerGroup", async () => {
    const records = await logDecisions(published, reclameFactSets());
    const draftSource = RECLAME.replace(REEMBOLSO_ROW, "servico: Reembolso, designacao: 2_NIVEL_CAIXA }").replace(
      PARCELAS_ROW,
      "servico: Financeiro – Parcelas não descontadas, designacao: GIPES }",
    );
    const report = await replay({ draft: runtimeOf(compileOk(draftSource)), records, baseline, samplesPerGroup: 2 });
    expect(report.groups.map((g) => g.line)).toEqual([
      "7 decisões mudariam designacao de GIPES para 2_NIVEL_CAIXA",
      "4 decisões mudariam designacao de CEPES para GIPES",
    ]);
    expect(report.groups.map((g) => g.samples.length)).toEqual([2, 2]);
  });

  it("an unchanged draft changes nothing", async () => {
    const records = await logDecisions(published, reclameFactSets());
    const report = await replay({ draft: runtimeOf(compileOk(RECLAME)), records, baseline });
    expect(report).toMatchObject({ total: records.length, unchanged: records.length, changed: 0, groups: [] });
    expect(report.lines).toEqual([`${records.length} de ${records.length} decisões não mudariam`]);
  });

  it("a row that no longer fires is responsible on the logged side; one that newly fires on the draft side", async () => {
    const records = await logDecisions(published, reclameFactSets());
    // The Reembolso row disappears: those decisions go to REVISAR_SERVICO (rule "revisar o serviço").
    const draftSource = RECLAME.replace(
      `      - { tipoAtendimento: Reclamação, tipoCliente: Beneficiário, ${REEMBOLSO_ROW}\n`,
      "",
    );
    const report = await replay({ draft: runtimeOf(compileOk(draftSource)), records });
    const acao = report.groups.find((g) => g.output === "acao");
    expect(acao?.line).toBe("7 decisões mudariam acao de DESIGNAR para REVISAR_SERVICO");
    const responsible = acao!.samples[0]!.responsible;
    expect(responsible).toContainEqual(
      expect.objectContaining({
        name: "revisar o serviço",
        side: "draft",
        line: lineOf(draftSource, "- name: revisar o serviço"),
      }),
    );
    expect(responsible).toContainEqual(expect.objectContaining({ name: "designar pela tabela", side: "logged" }));
  });

  it("with the baseline, rows renumbered by a removal are matched by definition: only the removed row's decisions change", async () => {
    const records = await logDecisions(published, reclameFactSets());
    const removed = `      - { tipoAtendimento: Reclamação, tipoCliente: Beneficiário, ${PARCELAS_ROW}\n`;
    const draftSource = RECLAME.replace(removed, "").replace(REEMBOLSO_ROW, "servico: Reembolso, designacao: CEPES }");
    const report = await replay({ draft: runtimeOf(compileOk(draftSource)), records, baseline });
    expect(report.groups.map((g) => g.line)).toContain("4 decisões mudariam acao de DESIGNAR para REVISAR_SERVICO");
    expect(report.groups.find((g) => g.output === "designacao" && g.count === 7)?.line).toBe(
      "7 decisões mudariam designacao de GIPES para CEPES",
    );
    // The Parcelas decisions: the row removed (no position in the draft), the rule that takes over.
    const parcelas = report.groups.find((g) => g.output === "acao")!.samples[0]!.responsible;
    expect(parcelas).toEqual([
      expect.objectContaining({
        name: "revisar o serviço",
        side: "draft",
        line: lineOf(draftSource, "- name: revisar o serviço"),
      }),
      { ref: "t:designacaoPorServico:5", name: "designacaoPorServico · linha 6", side: "logged" },
      expect.objectContaining({
        name: "designar pela tabela",
        side: "logged",
        line: lineOf(draftSource, "- name: designar pela tabela"),
      }),
    ]);
    // The Reembolso row, renumbered and rewritten: fired only with the draft (its new line), the old one only in the log.
    const reembolso = report.groups.find((g) => g.count === 7)!.samples[0]!.responsible;
    expect(reembolso).toEqual([
      expect.objectContaining({
        ref: "t:designacaoPorServico:7",
        side: "draft",
        line: lineOf(draftSource, "servico: Reembolso, designacao: CEPES }"),
      }),
      { ref: "t:designacaoPorServico:8", name: "designacaoPorServico · linha 9", side: "logged" },
    ]);
    // Autorização Prévia, Cadastro, Registro (renumbered) and the Credenciado one do not change; the
    // unknown services do: the valid services they are offered lose Parcelas.
    expect(report.unchanged).toBe(3 + 2 + 2 + 1);
    expect(
      report.groups.filter((g) => g.output === "servicosValidos").map((g) => [g.from.value === null, g.count]),
    ).toEqual([
      [true, 4],
      [false, 2],
    ]);
  });

  it("a draft with a new required fact refuses the logged facts: invalidForDraft, one group per message", async () => {
    const records = await logDecisions(published, reclameFactSets());
    const draftSource = RECLAME.replace("facts:\n", "facts:\n  canalNovo:\n    type: string\n    required: true\n");
    const report = await replay({ draft: runtimeOf(compileOk(draftSource)), records, baseline });
    expect(report).toMatchObject({ total: records.length, invalidForDraft: records.length, changed: 0, unchanged: 0 });
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ kind: "invalidForDraft", count: records.length });
    expect(report.problems[0]!.message).toBe("canalNovo: fato obrigatório ausente");
    expect(report.lines.at(-1)).toBe(
      `${records.length} decisões seriam recusadas pelo rascunho (fatos inválidos): ${report.problems[0]!.message}`,
    );
  });

  it("reads an async source and stops when the checkpoint throws", async () => {
    const records = await logDecisions(published, reclameFactSets());
    let read = 0;
    async function* slow() {
      for (const r of records) {
        read++;
        // Longer than the checkpoint interval: the next record is preceded by a checkpoint.
        await new Promise((resolve) => setTimeout(resolve, 20));
        yield r;
      }
    }
    const stop = new Error("deadline");
    await expect(
      replay({
        draft: published,
        records: slow(),
        checkpoint: async () => {
          throw stop;
        },
      }),
    ).rejects.toBe(stop);
    expect(read).toBeLessThan(records.length);
  });
});

describe("masked personal facts (retencao)", () => {
  const published = runtimeOf(compileOk(RETENCAO));
  const form = (extra: Record<string, unknown>) => ({
    colaborador: "Renata Okabe Duarte",
    operadora: "ODONTOEXEMPLO",
    cro: "90817",
    uf: "SP",
    nomeDentista: "Dra. Helena Quaresma Vilar",
    tipoPessoa: "F",
    demandadoPor: "Prestador",
    motivosDesligamento: ["Valores"],
    ...extra,
  });
  const factSets = [
    form({ cpf: "314.159.265-90" }),
    form({ cpf: "271.828.182-05" }),
    form({ cpf: "161.803.398-05" }),
    form({}),
    form({ motivosDesligamento: ["Glosas"] }),
  ];

  it("a decision that read a masked CPF is not reproducible and is not counted as a change", async () => {
    const records = await logDecisions(published, factSets);
    expect(records.map((r) => r.decision.valido)).toEqual([true, true, true, true, true]);
    expect(records[0]!.masked).toContain("cpf");
    expect(String(records[0]!.facts.cpf)).toMatch(/^pii:[0-9a-f]{32}$/);

    const report = await replay({ draft: runtimeOf(compileOk(RETENCAO)), records, baseline: async () => published });
    expect(report).toMatchObject({ total: 5, notReproducible: 3, unchanged: 2, changed: 0 });
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]!.kind).toBe("notReproducible");
    expect(report.problems[0]!.message).toContain("cpf");
    expect(report.problems[0]!.samples.map((s) => s.id)).toEqual(records.slice(0, 3).map((r) => r.id));
    expect(report.lines.at(-1)).toMatch(
      /^3 decisões não puderam ser reproduzidas e ficaram fora da comparação: a versão 1 não chega à decisão registrada com os dados pessoais mascarados \(.*cpf.*\)$/,
    );
  });

  it("without a baseline the masked CPF shows as a change (what the baseline check prevents)", async () => {
    const records = await logDecisions(published, factSets);
    const report = await replay({ draft: runtimeOf(compileOk(RETENCAO)), records });
    expect(report.notReproducible).toBe(0);
    expect(report.changed).toBe(3);
    expect(report.groups.find((g) => g.output === "valido")?.line).toBe(
      "3 decisões mudariam valido de true para false",
    );
  });

  it("a version the baseline does not know is compared unverified, and said so", async () => {
    const records = await logDecisions(published, factSets.slice(3), { version: 7 });
    const report = await replay({ draft: published, records, baseline: async () => undefined });
    expect(report).toMatchObject({ total: 2, unchanged: 2, unverified: 2 });
    expect(report.lines.at(-1)).toBe(
      "2 decisões de versões não encontradas foram comparadas sem conferir se a versão as reproduz",
    );
  });
});

describe("empty log", () => {
  it("says there is nothing to replay", async () => {
    const report = await replay({ draft: runtimeOf(compileOk(RECLAME)), records: [] });
    expect(report).toMatchObject({ total: 0, changed: 0, groups: [], problems: [] });
    expect(report.lines).toEqual(["nenhuma decisão registrada para reexecutar"]);
  });
});
