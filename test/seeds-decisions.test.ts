/**
 * The cases taken from the seed documents decide as the seeds say, through both entries a user
 * has: the `rules decide` command (in-process, as test/cli.test.ts runs it) and the decision
 * service over HTTP (fastify `inject` on an app seeded with the shipped rule sets). Synthetic data.
 *
 * Items: (1) reclassifiable services derived from seed 002's table; (2) only a RECLAME is designated
 * or reclassified; (3) "Classificação do atendimento" is mandatory and refusals name screen labels;
 * (4) the 2nd card asks no terms, takes an observation and matches the theft motive in any case;
 * (5) the retention form of seeds 000/001.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runRules } from "./helpers/cli.js";
import { call, json, removeTempDirs, SHIPPED_RULES, startSeeded, type TestApp } from "./server/helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

interface SeedCase {
  readonly item: number;
  readonly name: string;
  readonly ruleset: string;
  readonly facts: Record<string, unknown>;
  /** The decision must contain these fields with these values (lists compared whole). */
  readonly expect: Record<string, unknown>;
  /** Texts that must appear in (or be absent from) the decision's JSON. */
  readonly mentions?: readonly string[];
  readonly never?: readonly string[];
}

const RECLAME = { numero: "2026990001", tipoAtendimento: "Reclamação", entradaEm: "2026-04-01T09:15:00" };

/** A protocol with every field of seed 003's screen filled, but the ones named in `without`. */
function protocolo(without: readonly string[], status = "Em atendimento"): Record<string, unknown> {
  const campos: Record<string, unknown> = {
    operadoraAtendente: "Operadora Alfa Saúde",
    operadoraBeneficiario: "Operadora Alfa Saúde",
    codigoBeneficiario: "0009876500017",
    canalAtendimento: "Telefone",
    classificacaoAtendimento: "Eletivo",
    tipoManifestacao: "Solicitação",
    categoriaManifestacao: "Autorização",
    subcategoriaAtendimento: "Status de guia",
    grupoProcedimento: "Consultas",
    descricaoEvento: "Beneficiária fictícia pergunta pelo andamento da guia.",
    sentimentoCliente: "Neutro",
    nivelPrioridade: "Normal",
  };
  for (const k of without) delete campos[k];
  return {
    numero: "PRT-2026-990001",
    status,
    tipoEntrada: "INTERNO",
    aberturaConcluida: true,
    pendenciasAbertas: 0,
    campos,
  };
}

/** Seed 000's form with synthetic people and documents (valid check digits). */
const SEED_000 = {
  qtdCros: 10,
  colaborador: "Marcos Tavares Ilha",
  data: "2023-10-06",
  operadora: "ODONTOEXEMPLO",
  cro: "48213",
  uf: "SP",
  nomeDentista: "Dr. Tobias Arantes Quelhas",
  cnpj: "27182818000129",
  cpf: "27182818205",
  dataInclusao: "2023-04-10",
  tipoPessoa: "J",
  demandadoPor: "Operadora",
  numeroProtocolo: "SAD100000000001",
  dataAberturaProtocolo: "2023-08-23",
  cidade: "MARÍLIA",
  ufCidade: "SP",
  vidas: 120,
  crosDivulgados: 9,
  atendeOutrosConvenios: false,
  moeda: 0.4,
  ultimaProducao: "SEM GUIAS",
  valorUltimaProducao: null,
  dataInicio: "2023-08-23",
  dataFinal: "2023-10-06",
  contatos: [1, 2, 3, 4, 5].map((n) => ({ data: "2023-08-23", obs: `Contato fictício ${n} com a clínica.` })),
  motivosDesligamento: ["Valores"],
  obsGeral: "Orientada sobre o cronograma de notas fiscais; a clínica mantém o pedido de desligamento.",
};

/** Seed 001's form: only the status, the contacts' notes, the motive and "no protocol" are filled. */
const SEED_001 = {
  atendeOutrosConvenios: false,
  statusRetencao: "Desligamento",
  contatos: [
    { obs: "Clínica fictícia pede a retirada da divulgação no site." },
    { obs: "Mensagem enviada." },
    { obs: "Ligação encerrada pela clínica." },
  ],
  motivosDesligamento: ["Burocracia Operadora"],
  necessarioProtocolo: false,
  obsGeral: "A clínica fictícia só agradece o contato.",
};

const CASES: readonly SeedCase[] = [
  // (1) Seed 002, 1º: other GIPES matters of a Credenciado (not Autorização Prévia) are reclassified.
  {
    item: 1,
    name: "Credenciado · Reembolso (GIPES na tabela, não AP) → RECLASSIFICAR para INTERNO com o e-mail",
    ruleset: "reclame-designacao",
    facts: { ...RECLAME, tipoCliente: "Credenciado", servico: "Reembolso", gipesVinculacao: "GIPES Serra Azul" },
    expect: { acao: "RECLASSIFICAR", tipoEntrada: "INTERNO", designacao: "GIPES", gipes: "GIPES Serra Azul" },
    mentions: ["reclassificacao-reclame", "prazo de resposta estimado em até 10 dias úteis"],
  },
  {
    item: 1,
    name: "Credenciado · Registro de insatisfação de atendimento na Rede Credenciada → RECLASSIFICAR",
    ruleset: "reclame-designacao",
    facts: {
      ...RECLAME,
      tipoCliente: "Credenciado",
      servico: "Registro de insatisfação de atendimento na Rede Credenciada",
    },
    expect: { acao: "RECLASSIFICAR", tipoEntrada: "INTERNO", designacao: "GIPES" },
  },
  {
    item: 1,
    name: "Credenciado · Autorização Prévia → DESIGNAR à GIPES de vinculação, nunca reclassificada",
    ruleset: "reclame-designacao",
    facts: {
      ...RECLAME,
      tipoCliente: "Credenciado",
      servico: "Autorização Prévia",
      gipesVinculacao: "GIPES Campo Verde",
    },
    expect: { acao: "DESIGNAR", tipoEntrada: "RECLAME", designacao: "GIPES", gipes: "GIPES Campo Verde", email: null },
  },
  // (2) Only a RECLAME is designated by the table or reclassified.
  {
    item: 2,
    name: "INTERNO · Credenciado com Reembolso não é reclassificado de novo nem reenvia o e-mail",
    ruleset: "reclame-designacao",
    facts: { ...RECLAME, tipoCliente: "Credenciado", servico: "Reembolso", tipoEntrada: "INTERNO" },
    expect: {
      acao: "NAO_E_RECLAME",
      tipoEntrada: "INTERNO",
      designacao: null,
      prazoDesignacao: null,
      historico: null,
      email: null,
    },
  },
  {
    item: 2,
    name: "INTERNO · Beneficiário com serviço da tabela não é designado pela tabela do RECLAME",
    ruleset: "reclame-designacao",
    facts: { ...RECLAME, tipoCliente: "Beneficiário", servico: "Reembolso", tipoEntrada: "INTERNO" },
    expect: { acao: "NAO_E_RECLAME", tipoEntrada: "INTERNO", designacao: null },
  },
  // (3) Seed 003: "Classificação do atendimento" is mandatory; refusals name the screen labels.
  {
    item: 3,
    name: "Concluir sem Classificação do atendimento → recusado, pelo rótulo da tela",
    ruleset: "protocolo-status",
    facts: { protocolo: protocolo(["classificacaoAtendimento"]), transicao: { para: "Concluído", ator: "OPERACAO" } },
    expect: {
      permitido: false,
      motivos: ["Faltam campos obrigatórios: Classificação do atendimento."],
      camposFaltando: ["classificacaoAtendimento"],
      camposFaltandoRotulos: ["Classificação do atendimento"],
    },
  },
  {
    item: 3,
    name: "Pendente → Concluído sem Sentimento do cliente → a recusa diz o rótulo, não a chave",
    ruleset: "protocolo-status",
    facts: {
      protocolo: protocolo(["sentimentoCliente", "nivelPrioridade"], "Pendente"),
      transicao: { para: "Concluído", ator: "GIPES" },
    },
    expect: {
      permitido: false,
      motivos: ["Faltam campos obrigatórios: Sentimento do cliente, Nível de prioridade."],
      camposFaltando: ["sentimentoCliente", "nivelPrioridade"],
    },
  },
  {
    item: 3,
    name: "Concluir com todos os campos do seed 003 → permitido",
    ruleset: "protocolo-status",
    facts: { protocolo: protocolo([]), transicao: { para: "Concluído", ator: "OPERACAO" } },
    expect: { permitido: true, motivos: [], camposFaltando: [] },
  },
  // (4) Seed 004, 2ª via da carteirinha.
  {
    item: 4,
    name: "2ª via sem aceite dos termos e com observação → aceita, vai para a operadora",
    ruleset: "portal-solicitacoes",
    facts: {
      tipo: "SEGUNDA_VIA_CARTEIRINHA",
      beneficiario: "Lúcia Fernandes Prado",
      motivo: "Desgaste",
      observacao: "Tarja ilegível.",
    },
    expect: { aceito: true, violacoes: [], requerAnaliseOperadora: true, mensagem: "Inclusão aceita com sucesso" },
  },
  {
    item: 4,
    name: '2ª via com motivo "roubo" (minúsculas) sem B.O. → recusada',
    ruleset: "portal-solicitacoes",
    facts: { tipo: "SEGUNDA_VIA_CARTEIRINHA", beneficiario: "Caio Fernandes Prado", motivo: "roubo" },
    expect: {
      aceito: false,
      violacoes: [{ campo: "boletimOcorrencia", mensagem: "Informe o Boletim de ocorrência (B.O)." }],
    },
  },
  {
    item: 4,
    name: "Boleto digital ainda exige o aceite dos termos",
    ruleset: "portal-solicitacoes",
    facts: { tipo: "ADESAO_BOLETO_DIGITAL" },
    expect: {
      aceito: false,
      violacoes: [{ campo: "aceiteTermos", mensagem: 'É preciso marcar "Li e concordo com os termos".' }],
    },
  },
  // (5) Seeds 000/001, the retention form.
  {
    item: 5,
    name: "Seed 000 (sintético) com Qtd CRO(s) 10 → válido, 44 dias, Comercial / Ofertado Novos Valores",
    ruleset: "retencao",
    facts: SEED_000,
    expect: {
      valido: true,
      violacoes: [],
      tempoFinalizacaoDias: 44,
      setoresSugeridos: ["Comercial"],
      acoesSugeridas: ["Ofertado Novos Valores"],
    },
  },
  {
    item: 5,
    name: "Seed 001 (sintético) → válido, sem tempo de finalização",
    ruleset: "retencao",
    facts: SEED_001,
    expect: { valido: true, violacoes: [], tempoFinalizacaoDias: null, retivel: true },
  },
  {
    item: 5,
    name: "Formulário vazio → inválido",
    ruleset: "retencao",
    facts: {},
    expect: { valido: false },
    mentions: ["Formulário vazio"],
  },
  {
    item: 5,
    name: 'Atende outros convênios sem "Quais?" → violação em outrosConvenios',
    ruleset: "retencao",
    facts: { ...SEED_001, atendeOutrosConvenios: true },
    expect: {
      valido: false,
      violacoes: [
        { campo: "outrosConvenios", mensagem: 'Informe quais outros convênios o prestador atende ("Quais?").' },
      ],
    },
  },
  {
    item: 5,
    name: "Óbito (com Valores) → nenhum setor nem oferta sugeridos",
    ruleset: "retencao",
    facts: { ...SEED_001, motivosDesligamento: ["Valores", "Óbito"] },
    expect: { valido: true, retivel: false, setoresSugeridos: [], acoesSugeridas: [] },
  },
  {
    item: 5,
    name: "Retenção efetiva com Óbito → violação",
    ruleset: "retencao",
    facts: {
      ...SEED_001,
      statusRetencao: "Retenção efetiva",
      acoesRetencao: ["Ofertado Suporte"],
      motivosDesligamento: ["Óbito"],
    },
    expect: {
      valido: false,
      violacoes: [
        { campo: "statusRetencao", mensagem: "Retenção efetiva com motivo em que não cabe retenção: Óbito." },
      ],
    },
  },
];

function checkDecision(c: SeedCase, decision: Record<string, unknown>): void {
  expect(decision).toMatchObject(c.expect);
  for (const [k, v] of Object.entries(c.expect)) if (Array.isArray(v)) expect(decision[k]).toEqual(v);
  const text = JSON.stringify(decision);
  for (const m of c.mentions ?? []) expect(text).toContain(m);
  for (const m of c.never ?? []) expect(text).not.toContain(m);
}

describe("seed cases through `rules decide`", () => {
  it.each(CASES.map((c) => [`(${c.item}) ${c.ruleset} · ${c.name}`, c] as const))("%s", async (_, c) => {
    const { code, stdout, stderr } = await runRules(
      ["decide", join(SHIPPED_RULES, `${c.ruleset}.yaml`), "--facts", JSON.stringify(c.facts)],
      SHIPPED_RULES,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    checkDecision(c, (JSON.parse(stdout) as { decision: Record<string, unknown> }).decision);
  });
});

describe("seed cases over HTTP (POST /v1/decide/{ruleset})", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startSeeded([
      "reclame-designacao",
      "reclame-duplicidade",
      "protocolo-status",
      "portal-solicitacoes",
      "retencao",
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await removeTempDirs();
  });

  it.each(CASES.map((c) => [`(${c.item}) ${c.ruleset} · ${c.name}`, c] as const))("%s", async (_, c) => {
    const res = await call(t.app, { url: `/v1/decide/${c.ruleset}`, body: { facts: c.facts } });
    expect(res.statusCode).toBe(200);
    const body = json<{ ruleset: string; decision: Record<string, unknown> }>(res);
    expect(body.ruleset).toBe(c.ruleset);
    checkDecision(c, body.decision);
  });

  it("(7) reclame-duplicidade: a status outside seed 003's protocol statuses is a 400 naming the field", async () => {
    const item = {
      numero: "2026990101",
      clienteId: "BEN-009901",
      servico: "Reembolso",
      tipoEntrada: "RECLAME",
      registradoEm: "2026-04-01T09:00:00",
    };
    const res = await call(t.app, {
      url: "/v1/decide/reclame-duplicidade",
      body: { facts: { reclames: [{ ...item, status: "Concluido" }] } },
    });
    expect(res.statusCode).toBe(400);
    const body = json<{ error: { code: string; details: { path: string }[] } }>(res);
    expect(body.error.code).toBe("INVALID_FACTS");
    expect(body.error.details.map((d) => d.path)).toEqual(["/reclames/0/status"]);
  });

  it("(7) reclame-duplicidade: an Abandonado occurrence is not the one treating the others", async () => {
    const base = { clienteId: "BEN-009902", servico: "Reembolso", tipoEntrada: "RECLAME" };
    const reclames = [
      { ...base, numero: "2026990201", registradoEm: "2026-04-01T08:00:00", status: "Abandonado" },
      { ...base, numero: "2026990202", registradoEm: "2026-04-01T09:00:00", status: "Em atendimento" },
      { ...base, numero: "2026990203", registradoEm: "2026-04-01T10:00:00" },
    ];
    const res = await call(t.app, { url: "/v1/decide/reclame-duplicidade", body: { facts: { reclames } } });
    expect(res.statusCode).toBe(200);
    const resultados = json<{
      decision: { resultados: { numero: string; tipoEntrada: string; duplicadoDe: string | null }[] };
    }>(res).decision.resultados;
    expect(resultados.map((r) => [r.numero, r.tipoEntrada, r.duplicadoDe])).toEqual([
      ["2026990201", "RECLAME", null],
      ["2026990202", "RECLAME", null],
      ["2026990203", "INTERNO", "2026990202"],
    ]);
  });
});
