/**
 * Personal facts never reach the decision log in clear (issue 13, LGPD): the shipped rule sets
 * that mark facts `personal: true` (retencao: colaborador, cro, nomeDentista, cnpj, cpf;
 * portal-solicitacoes: beneficiario, telefone, email, contatosCadastrados.telefones/.emails) are
 * decided with synthetic values, single and in batches, with DECISION_LOG_PERSONAL=hash and =drop,
 * and no stored record, serialised, contains any of those values. In hash mode equal values give
 * equal masks (within a record and across records). Synthetic data only: CPF and CNPJ with valid
 * check digits, e-mails at exemplo.com.br.
 */
import { describe, expect, it, vi } from "vitest";
import { MASK_PREFIX } from "../../server/decision-log/types.js";
import { call, closeAfterEach, json, startSeeded, type TestApp } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const keep = closeAfterEach();
const SETS = ["retencao", "portal-solicitacoes"];
const MASK = new RegExp(`^${MASK_PREFIX}[0-9a-f]{32}$`);

/** Every personal value sent below (none of them may be found in the log). */
const PERSONAL = [
  "Marcos Tavares Ilha",
  "Renata Okabe Duarte",
  "CRO-SP 48213",
  "CRO-RJ 90817",
  "Dr. Tobias Arantes Quelhas",
  "Dra. Helena Quaresma Vilar",
  "27.182.818/0001-29",
  "45123456000187",
  "271.828.182-05",
  "31415926590",
  "161.803.398-05",
  "Joana Teste Sintética",
  "(21) 99999-0001",
  "(21) 3333-0002",
  "(21) 98888-0003",
  "joana.teste@exemplo.com.br",
  "joana.alt@exemplo.com.br",
];
/** Pieces that must not survive either (a value split or reformatted). */
const FRAGMENTS = ["Tavares", "Okabe", "Quelhas", "Quaresma", "48213", "90817", "99999-0001", "3333-0002", "joana"];

function retencao(over: Record<string, unknown>): Record<string, unknown> {
  return { qtdCros: 1, operadora: "ODONTOEXEMPLO", uf: "SP", demandadoPor: "Prestador", ...over };
}

const RETENCAO_ITEMS = [
  retencao({
    colaborador: "Marcos Tavares Ilha",
    cro: "CRO-SP 48213",
    nomeDentista: "Dr. Tobias Arantes Quelhas",
    tipoPessoa: "J",
    cnpj: "27.182.818/0001-29",
    cpf: "271.828.182-05",
  }),
  retencao({
    colaborador: "Renata Okabe Duarte",
    cro: "CRO-RJ 90817",
    nomeDentista: "Dra. Helena Quaresma Vilar",
    tipoPessoa: "F",
    cpf: "31415926590",
    cnpj: "45123456000187",
  }),
  // The same CPF as the first form, plus blanks (kept as they are).
  retencao({ colaborador: "", cro: null, tipoPessoa: "F", cpf: "271.828.182-05" }),
  retencao({ colaborador: "Renata Okabe Duarte", cpf: "161.803.398-05", tipoPessoa: "F" }),
];

const PORTAL_ITEMS = [
  {
    tipo: "CANCELAMENTO_CONTRATO",
    aceiteTermos: true,
    telefone: "(21) 99999-0001",
    email: "joana.teste@exemplo.com.br",
    contatosCadastrados: {
      telefones: ["(21) 99999-0001", "(21) 3333-0002"],
      emails: ["joana.teste@exemplo.com.br", "joana.alt@exemplo.com.br"],
    },
    motivoCancelamento: { descricao: "Mudança de cidade", rn561Web: "Ambos" },
    tipoCancelamento: "Titular e dependentes",
  },
  {
    tipo: "CANCELAMENTO_CONTRATO",
    aceiteTermos: true,
    telefone: "(21) 98888-0003",
    email: "joana.alt@exemplo.com.br",
    contatosCadastrados: { telefones: ["(21) 99999-0001"], emails: ["joana.alt@exemplo.com.br"] },
    motivoCancelamento: { descricao: "Mudança de cidade", rn561Web: "Ambos" },
    tipoCancelamento: "Somente titular",
  },
  { tipo: "SEGUNDA_VIA_CARTEIRINHA", beneficiario: "Joana Teste Sintética", motivo: "Perda" },
];

async function decideAll(t: TestApp): Promise<number> {
  let decided = 0;
  for (const [ruleset, items] of [
    ["retencao", RETENCAO_ITEMS],
    ["portal-solicitacoes", PORTAL_ITEMS],
  ] as const) {
    for (const facts of items) {
      const res = await call(t.app, { url: `/v1/decide/${ruleset}`, body: { facts } });
      expect(res.statusCode, res.body).toBe(200);
      decided++;
    }
    const batch = await call(t.app, {
      url: `/v1/decide/${ruleset}/batch`,
      body: { items: items.map((facts) => ({ facts })) },
    });
    expect(batch.statusCode).toBe(200);
    for (const r of json(batch).results) expect(r.decisionId, JSON.stringify(r.error)).toBeDefined();
    decided += items.length;
  }
  return decided;
}

describe.each(["hash", "drop"] as const)("DECISION_LOG_PERSONAL=%s", (mode) => {
  it("no stored record, single or batch, holds a personal value in clear; the personal paths are listed", async () => {
    const t = keep(await startSeeded(SETS, { decisionLog: true, env: { DECISION_LOG_PERSONAL: mode } }));
    const decided = await decideAll(t);
    await t.decisionLog!.flush();
    const { items } = await t.decisionLog!.storage.query({ limit: 1000 });
    expect(items).toHaveLength(decided);
    for (const record of items) {
      const text = JSON.stringify(record);
      for (const value of [...PERSONAL, ...FRAGMENTS])
        expect(text, `${record.ruleset} ${record.id}`).not.toContain(value);
    }
    // Also through the API (list and get).
    const listed = await call(t.app, { url: "/v1/decisions?limit=1000" });
    for (const value of PERSONAL) expect(listed.body).not.toContain(value);
    const one = await call(t.app, { url: `/v1/decisions/${items[0]!.id}?explain=true` });
    expect(one.statusCode).toBe(200);
    for (const value of PERSONAL) expect(one.body).not.toContain(value);

    const first = items.find((r) => r.ruleset === "retencao" && r.source === "decide" && r.facts.tipoPessoa === "J")!;
    expect(first.masked).toEqual(["colaborador", "cro", "nomeDentista", "cnpj", "cpf"]);
    expect(first.facts.operadora).toBe("ODONTOEXEMPLO");
    const blanks = items.find((r) => r.ruleset === "retencao" && r.facts.colaborador === "")!;
    expect(blanks.facts.cro).toBeNull();
    expect(blanks.masked).toEqual(["cpf"]);
    const portal = items.find(
      (r) => r.ruleset === "portal-solicitacoes" && r.facts.tipoCancelamento === "Titular e dependentes",
    )!;
    expect(portal.masked).toEqual(["telefone", "email", "contatosCadastrados.telefones", "contatosCadastrados.emails"]);
    expect(portal.facts.motivoCancelamento).toEqual({ descricao: "Mudança de cidade", rn561Web: "Ambos" });

    if (mode === "hash") {
      for (const k of first.masked) expect(first.facts[k]).toMatch(MASK);
      // Equal values, equal masks: the CPF of the first and the third forms; the chosen phone and
      // e-mail and the same ones in the registered lists.
      const sameCpf = items.filter((r) => r.ruleset === "retencao" && r.facts.cpf === first.facts.cpf);
      expect(sameCpf).toHaveLength(4); // two forms, each decided alone and in the batch
      const contatos = portal.facts.contatosCadastrados as { telefones: string[]; emails: string[] };
      expect(contatos.telefones[0]).toBe(portal.facts.telefone);
      expect(contatos.emails[0]).toBe(portal.facts.email);
      expect(contatos.telefones[1]).not.toBe(contatos.telefones[0]);
      expect(new Set(items.filter((r) => r.facts.cnpj !== undefined).map((r) => r.facts.cnpj)).size).toBe(2);
    } else {
      for (const k of first.masked) expect(Object.hasOwn(first.facts, k)).toBe(false);
      expect(portal.facts.contatosCadastrados).toEqual({});
    }
  });
});

it("the decisions themselves are answered unmasked, and equal to the ones the log keeps", async () => {
  const t = keep(await startSeeded(SETS, { decisionLog: true }));
  const res = await call(t.app, { url: "/v1/decide/portal-solicitacoes", body: { facts: PORTAL_ITEMS[0] } });
  const body = json(res);
  expect(body.decision.aceito).toBe(true);
  await t.decisionLog!.flush();
  const record = await t.decisionLog!.storage.get(body.decisionId);
  expect(record!.decision).toEqual(body.decision);
  expect(record!.fired).toEqual(body.fired);
});
