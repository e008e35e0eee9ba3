/**
 * Promote (tester/promote.ts): a logged decision of a shipped rule set appended to its shipped suite
 * keeps every line of the suite, runs green with the tester, gets a unique name; a masked decision
 * the rule set reads does not reproduce and is refused without force, tagged and commented with it.
 */
import { describe, expect, it } from "vitest";
import { runSuite } from "../tester/run.js";
import { loadSuite } from "../tester/suite.js";
import {
  appendCase,
  caseFromDecision,
  checkPromoted,
  formatInstant,
  MASKED_COMMENT,
  PromoteError,
  promoteDecision,
  REVIEW_TAG,
} from "../tester/promote.js";
import { loggedDecision } from "./helpers/decision-records.js";
import { compileShipped, RECLAME_FACTS, shippedSuite } from "./promote-fixtures.js";

const reclame = compileShipped("reclame-designacao");
const retencao = compileShipped("retencao");

/** Every line of `old` is in `now`, in order, and `now` starts with `old`'s text up to the append. */
function expectKept(old: string, now: string): void {
  const oldLines = old.split("\n");
  const newLines = now.split("\n");
  let j = 0;
  for (const line of oldLines) {
    while (j < newLines.length && newLines[j] !== line) j++;
    expect(j, `line kept: ${line}`).toBeLessThan(newLines.length);
    j++;
  }
}

async function runText(text: string, compiled = reclame) {
  const loaded = loadSuite(text);
  expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (!loaded.suite) throw new Error("no suite");
  return runSuite(compiled, loaded.suite, { suiteSource: text });
}

const retencaoFacts = {
  colaborador: "Marcos Tavares Ilha",
  data: "2023-10-06",
  operadora: "ODONTOEXEMPLO",
  cro: "48213",
  uf: "SP",
  nomeDentista: "Dr. Tobias Arantes Quelhas",
  cpf: "27182818205",
  tipoPessoa: "F",
  demandadoPor: "Operadora",
};

describe("caseFromDecision", () => {
  it("takes the logged facts and every output, names the decision and tags it producao", async () => {
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    const c = caseFromDecision(record);
    expect(c.facts).toEqual(RECLAME_FACTS);
    expect(c.expect).toEqual(record.decision);
    expect(Object.keys(c.expect).length).toBeGreaterThan(3);
    expect(c.tags).toEqual(["producao"]);
    expect(c.name).toBe(`Decisão ${record.id.replace(/-/g, "").slice(-8)} · 01/04/2026 09:15`);
    expect(c.description).toContain(record.id);
    expect(c.description).toContain("versão 1");
    const named = caseFromDecision(record, { name: "Reembolso de produção", tags: ["regressao", "producao"] });
    expect(named.name).toBe("Reembolso de produção");
    expect(named.tags).toEqual(["producao", "regressao"]);
  });

  it("formats the time in São Paulo", () => {
    expect(formatInstant("2026-12-02T02:28:00.000Z")).toBe("01/12/2026 23:28");
  });
});

describe("appendCase into the shipped reclame-designacao suite", () => {
  it("keeps every original line, leaves default facts out and the new case passes", async () => {
    const suite = shippedSuite("reclame-designacao");
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    const appended = appendCase(suite, caseFromDecision(record), "reclame-designacao");
    expect(appended.text.startsWith(suite)).toBe(true);
    expectKept(suite, appended.text);
    // Only the facts that differ from the suite's defaults are written (numero differs).
    expect(appended.caseText).toContain('numero: "2026000777"');
    expect(appended.caseText).not.toMatch(/^ *(tipoAtendimento|entradaEm):/m);
    const result = await runText(appended.text);
    const mine = result.cases.find((c) => c.name === appended.name);
    expect(mine?.passed).toBe(true);
    expect(result.failed).toBe(0);
  });

  it("de-duplicates names with (2), (3)", async () => {
    const suite = shippedSuite("reclame-designacao");
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    const c = caseFromDecision(record, { name: "Tabela 1 · Beneficiário · Autorização Prévia → GIPES" });
    const once = appendCase(suite, c, "reclame-designacao");
    expect(once.name).toBe("Tabela 1 · Beneficiário · Autorização Prévia → GIPES (2)");
    const twice = appendCase(once.text, c, "reclame-designacao");
    expect(twice.name).toBe("Tabela 1 · Beneficiário · Autorização Prévia → GIPES (3)");
    expectKept(once.text, twice.text);
    const result = await runText(twice.text);
    expect(result.failed).toBe(0);
  });

  it("starts a suite when there is none, and writes omit for defaults the decision lacked", async () => {
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    const fresh = appendCase(null, caseFromDecision(record), "reclame-designacao");
    expect(fresh.text.startsWith("suite: reclame-designacao\ncases:\n  - name: Decisão")).toBe(true);
    expect((await runText(fresh.text)).passed).toBe(1);

    const suite =
      "suite: reclame-designacao\ndefaults:\n  facts:\n    canal: Telefone\n\ncases:\n  # comentário\n  - name: a\n    facts: { tipoCliente: Beneficiário }\n    expect: { acao: DESIGNAR }\n";
    const withOmit = appendCase(suite, caseFromDecision(record), "reclame-designacao");
    expect(withOmit.caseText).toContain("omit: [canal]");
    expect(withOmit.text.startsWith(suite)).toBe(true);
  });

  it("inserts before a key that follows the cases, keeping it", async () => {
    const suite =
      'suite: reclame-designacao\ncases:\n  - name: a\n    facts: { tipoCliente: Beneficiário, servico: Reembolso, numero: "1", entradaEm: 2026-04-01T09:15:00 }\n    expect: { acao: DESIGNAR }\n# fim\ndescription: depois\n';
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    const appended = appendCase(suite, caseFromDecision(record), "reclame-designacao");
    expectKept(suite, appended.text);
    expect(appended.text.endsWith("# fim\ndescription: depois\n")).toBe(true);
    expect(loadSuite(appended.text).suite?.cases.map((c) => c.name)).toEqual(["a", appended.name]);
  });

  it("keeps CRLF line ends and fills an empty flow list", async () => {
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    const crlf =
      '# suíte\r\nsuite: reclame-designacao\r\ncases:\r\n  - name: a\r\n    facts: { tipoCliente: Beneficiário, servico: Reembolso, numero: "1", entradaEm: 2026-04-01T09:15:00 }\r\n    expect: { acao: DESIGNAR }\r\n';
    const appended = appendCase(crlf, caseFromDecision(record), "reclame-designacao");
    expect(appended.text.startsWith(crlf)).toBe(true);
    expect(appended.text.slice(crlf.length)).not.toMatch(/[^\r]\n/);
    expect(loadSuite(appended.text).suite?.cases.map((c) => c.name)).toEqual(["a", appended.name]);
    expect((await runText(appended.text)).cases.find((c) => c.name === appended.name)?.passed).toBe(true);

    const empty = "suite: reclame-designacao # sem casos ainda\ncases: []\n";
    const filled = appendCase(empty, caseFromDecision(record), "reclame-designacao");
    expect(filled.text.startsWith("suite: reclame-designacao # sem casos ainda\ncases:\n  - name: Decisão")).toBe(true);
    expect((await runText(filled.text)).passed).toBe(1);
  });

  it("refuses a suite of another rule set and an unreadable suite, naming the line", async () => {
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    const c = caseFromDecision(record);
    expect(() => appendCase(shippedSuite("retencao"), c, "reclame-designacao")).toThrow(
      /decisão é do conjunto de regras "reclame-designacao", mas a suíte é de "retencao"/,
    );
    const broken = "suite: reclame-designacao\ncases:\n  - name: a\n    facts: { x: [1 }\n";
    try {
      appendCase(broken, c, "reclame-designacao");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PromoteError);
      expect((e as PromoteError).code).toBe("SUITE_INVALID");
      expect((e as Error).message).toMatch(/linha 4/);
    }
  });
});

describe("masked decisions (retencao)", () => {
  it("a decision whose masked CPF the rules validate does not reproduce", async () => {
    const record = await loggedDecision("retencao", retencaoFacts);
    expect(record.masked).toEqual(expect.arrayContaining(["cpf", "colaborador", "cro", "nomeDentista"]));
    expect(String(record.facts.cpf)).toMatch(/^pii:[0-9a-f]{32}$/);
    const check = await checkPromoted(caseFromDecision(record), retencao);
    expect(check.masked).toBe(true);
    expect(check.reproduced).toBe(false);
    expect(check.differences.length).toBeGreaterThan(0);
  });

  it("is refused without force; with force it is tagged revisar under the comment", async () => {
    const suite = shippedSuite("retencao");
    const record = await loggedDecision("retencao", retencaoFacts);
    await expect(promoteDecision(record, { suite, compiled: retencao })).rejects.toThrow(/não se reproduz/);
    const forced = await promoteDecision(record, { suite, compiled: retencao, force: true });
    expect(forced.check?.reproduced).toBe(false);
    expectKept(suite, forced.text);
    const lines = forced.caseText.split("\n");
    expect(lines[0]).toBe(`  ${MASKED_COMMENT}`);
    expect(lines[1]).toMatch(/^ {2}- name: Decisão /);
    const written = loadSuite(forced.text).suite?.cases.find((c) => c.name === forced.name);
    expect(written?.tags).toEqual(["producao", REVIEW_TAG]);
    expect(String(written?.facts.cpf)).toMatch(/^pii:/);
  });

  it("a masked decision the rules do not read reproduces and is written plainly", async () => {
    // retencao without personal facts that the rules validate: blank CPF/CRO are kept as they are.
    const facts = { ...retencaoFacts, cpf: "", cro: "" };
    const record = await loggedDecision("retencao", facts);
    const result = await promoteDecision(record, { suite: shippedSuite("retencao"), compiled: retencao });
    expect(result.check).toMatchObject({ reproduced: true, masked: true });
    expect(result.caseText).not.toContain(MASKED_COMMENT);
    const run = await runText(result.text, retencao);
    expect(run.cases.find((c) => c.name === result.name)?.passed).toBe(true);
  });
});
