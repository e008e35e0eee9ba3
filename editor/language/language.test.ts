/**
 * Tests of the editor's language services on the shipped rule sets (read-only fixtures) and on a
 * small rule set (fixtures/pequeno.yaml): completion at given positions, hover texts, diagnostics
 * at exact ranges, definition, document symbols, semantic tokens and formatting. A `‸` in a test's
 * text marks the cursor.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createLineIndex } from "../../dsl/positions.js";
import {
  analyze,
  type Analysis,
  completions,
  definition,
  diagnostics,
  documentSymbols,
  formatDocument,
  hover,
  semanticTokens,
} from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));
const read = (path: string): string => readFileSync(join(here, path), "utf8");
const RECLAME = read("../../rules/reclame-designacao.yaml");
const SMALL = read("fixtures/pequeno.yaml");

/** Replaces `find` (once) in `source` by `replace`, whose `‸` marks the cursor: the new text and the cursor's offset. */
function edit(source: string, find: string, replace: string): { text: string; offset: number } {
  const at = source.indexOf(find);
  if (at < 0) throw new Error(`not found: ${find}`);
  const cursor = replace.indexOf("‸");
  if (cursor < 0) throw new Error("no cursor");
  const text = source.slice(0, at) + replace.replace("‸", "") + source.slice(at + find.length);
  return { text, offset: at + cursor };
}

/** Completion labels after an edit. */
function labels(source: string, find: string, replace: string, previous?: Analysis): string[] {
  const { text, offset } = edit(source, find, replace);
  return completions(analyze(text, previous), offset).map((c) => c.label);
}

/** Offset of the `nth` occurrence (0-based) of `needle`, plus `delta`. */
function offsetOf(source: string, needle: string, delta = 0, nth = 0): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = source.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`not found: ${needle}`);
  }
  return at + delta;
}

const slice = (source: string, r: { start: number; end: number } | undefined): string | undefined =>
  r && source.slice(r.start, r.end);

describe("analyze", () => {
  it("loads, checks and compiles a rule set with no problems", () => {
    const a = analyze(SMALL);
    expect(diagnostics(a)).toEqual([]);
    expect(a.compiled).toBeDefined();
    const r = analyze(RECLAME);
    expect(diagnostics(r)).toEqual([]);
    expect(r.compiled).toBeDefined();
  });
});

describe("completion inside expressions", () => {
  it('offers the services after `servico == "` in reclame-designacao (from its designation table)', () => {
    const { text, offset } = edit(
      RECLAME,
      'when: tipoEntrada != "RECLAME"',
      'when: tipoEntrada != "RECLAME" and servico == "‸',
    );
    const items = completions(analyze(text), offset);
    const labels = items.map((i) => i.label);
    expect(labels).toContain("Autorização Prévia");
    expect(labels).toContain("Reembolso");
    expect(labels).toContain("Insatisfação de atendimento, nos Canais do Saúde CAIXA");
    expect(new Set(labels).size).toBe(labels.length);
    const first = items.find((i) => i.label === "Reembolso");
    expect(first).toMatchObject({ kind: "enum", insertText: 'Reembolso"', range: { start: offset, end: offset } });
  });

  it("offers a fact's enum values after ==, != and in [", () => {
    const find = 'when: tipoEntrada != "RECLAME"';
    expect(labels(RECLAME, find, 'when: tipoCliente == "‸')).toEqual(["Beneficiário", "Credenciado"]);
    expect(labels(RECLAME, find, 'when: canalOrigem != "‸')).toEqual(["telefone", "chat", "site", "email", "whatsapp"]);
    expect(labels(SMALL, 'when: idoso and servico == "Cirurgia"', 'when: servico in ["Exame", "‸')).toEqual([
      "Consulta",
      "Exame",
      "Cirurgia",
    ]);
    expect(labels(SMALL, 'when: idoso and servico == "Cirurgia"', 'when: servico not in ["‸')).toEqual([
      "Consulta",
      "Exame",
      "Cirurgia",
    ]);
  });

  it("offers the allowed values, quoted, right after == and an action's =, before the names", () => {
    const { text, offset } = edit(SMALL, 'servico == "Cirurgia"', "servico == ‸");
    const items = completions(analyze(text), offset);
    expect(items.slice(0, 3).map((i) => [i.label, i.insertText, i.kind])).toEqual([
      ['"Consulta"', '"Consulta"', "enum"],
      ['"Exame"', '"Exame"', "enum"],
      ['"Cirurgia"', '"Cirurgia"', "enum"],
    ]);
    expect(items.map((i) => i.label)).toContain("LIMITE_IDADE");
    expect(labels(SMALL, '- prioridade = "ALTA"', "- prioridade = ‸").slice(0, 2)).toEqual(['"ALTA"', '"NORMAL"']);
    expect(labels(SMALL, 'servico == "Cirurgia"', "servico == LIM‸")).not.toContain('"Consulta"');
  });

  it("replaces what was typed inside the quotes and does not repeat a closing quote", () => {
    const { text, offset } = edit(SMALL, 'servico == "Cirurgia"', 'servico == "Ci‸"');
    const items = completions(analyze(text), offset);
    const item = items.find((i) => i.label === "Cirurgia");
    expect(item?.insertText).toBe("Cirurgia");
    expect(slice(text, item?.range)).toBe("Ci");
  });

  it("offers the enum values of a field of an object fact and of an output in an action", () => {
    const when = 'when: idoso and servico == "Cirurgia"';
    expect(labels(SMALL, when, 'when: cliente.plano == "‸')).toEqual(["Básico", "Especial"]);
    expect(labels(SMALL, '- prioridade = "ALTA"', '- prioridade = "‸"')).toEqual(["ALTA", "NORMAL"]);
    expect(labels(RECLAME, '- acao = "DESIGNAR"', '- acao = "‸"')).toContain("RECLASSIFICAR");
  });

  it("offers the fields of an object fact after `cliente.`", () => {
    const { text, offset } = edit(SMALL, "when: idoso and", "when: cliente.‸ and");
    const items = completions(analyze(text), offset);
    expect(items.map((i) => [i.label, i.kind])).toEqual([
      ["nome", "field"],
      ["idade", "field"],
      ["plano", "field"],
    ]);
    const idade = items.find((i) => i.label === "idade");
    expect(idade?.detail).toBe("campo: inteiro");
    expect(idade?.documentation).toContain("Idade em anos.");
  });

  it("offers a table's columns after `tabela.` and a row's columns after `r.`", () => {
    const when = 'when: tipoEntrada != "RECLAME"';
    const { text, offset } = edit(RECLAME, when, `${when} and designacaoPorServico.‸`);
    expect(completions(analyze(text), offset).map((i) => [i.label, i.kind])).toEqual([["designacao", "column"]]);
    const row = labels(RECLAME, "where r.tipoCliente == tipoCliente", "where r.‸tipoCliente == tipoCliente");
    expect(row).toEqual(["tipoAtendimento", "tipoCliente", "servico", "designacao"]);
  });

  it("offers functions with their signature and the catalog's documentation", () => {
    const { text, offset } = edit(SMALL, "when: idoso and", "when: addB‸ and");
    const item = completions(analyze(text), offset).find((i) => i.label === "addBusinessDays");
    expect(item).toMatchObject({
      kind: "function",
      detail: "addBusinessDays(data, dias, feriados?)",
      insertText: "addBusinessDays(",
    });
    expect(item?.documentation).toContain("Soma dias úteis a uma data");
    expect(item?.documentation).toContain('Exemplo: `addBusinessDays(date("2026-04-01"), 10)`');
    expect(slice(text, item?.range)).toBe("addB");
  });

  it("offers every name in scope, the keywords, and only the outputs before an action's `=`", () => {
    const { text, offset } = edit(SMALL, "when: idoso and", "when: ‸idoso and");
    const items = completions(analyze(text), offset);
    const kinds = new Map(items.map((i) => [i.label, i.kind]));
    expect(kinds.get("cliente")).toBe("fact");
    expect(kinds.get("LIMITE_IDADE")).toBe("constant");
    expect(kinds.get("idoso")).toBe("value");
    expect(kinds.get("prazos")).toBe("table");
    expect(kinds.get("aviso")).toBe("template");
    expect(kinds.get("and")).toBe("keyword");
    expect(kinds.get("matches")).toBe("keyword");
    expect(items.find((i) => i.label === "LIMITE_IDADE")?.detail).toBe("constante = 60");
    expect(labels(SMALL, '- prioridade = "ALTA"', "- pri‸")).toEqual(["prioridade", "dias", "mensagem"]);
  });

  it("completes inside a template hole", () => {
    const got = labels(SMALL, "{LIMITE_IDADE}", "{LIM‸}");
    expect(got).toContain("LIMITE_IDADE");
    expect(got).toContain("cliente");
  });
});

describe("completion outside expressions", () => {
  it("offers an enum fact's values in a table cell of its column", () => {
    const { text, offset } = edit(SMALL, "{ servico: Exame, dias: 5 }", "{ servico: Ex‸, dias: 5 }");
    const items = completions(analyze(text), offset);
    expect(items.map((i) => i.label)).toEqual(["Consulta", "Exame", "Cirurgia"]);
    expect(slice(text, items[0]?.range)).toBe("Ex");
    const cell = edit(
      RECLAME,
      "tipoCliente: Credenciado, servico: Autorização Prévia",
      "tipoCliente: ‸Credenciado, servico: Autorização Prévia",
    );
    expect(completions(analyze(cell.text), cell.offset).map((i) => i.label)).toEqual(["Beneficiário", "Credenciado"]);
  });

  it("offers an output's enum values in a table's output cell", () => {
    const { text, offset } = edit(
      RECLAME,
      "servico: Reembolso, designacao: GIPES",
      "servico: Reembolso, designacao: ‸GIPES",
    );
    const items = completions(analyze(text), offset);
    expect(items.map((i) => i.label)).toEqual(["GIPES", "CEPES", "2_NIVEL_CAIXA"]);
    expect(items.map((i) => i.insertText)).toEqual(["GIPES", "CEPES", "2_NIVEL_CAIXA"]);
  });

  it("offers the enum values in a table cell written as unary tests", () => {
    expect(labels(SMALL, "{ servico: Exame, dias: 5 }", "{ servico: '!= \"‸\"', dias: 5 }")).toEqual([
      "Consulta",
      "Exame",
      "Cirurgia",
    ]);
    // Also while the cell does not parse yet.
    expect(labels(SMALL, "{ servico: Exame, dias: 5 }", "{ servico: 'not \"‸\"', dias: 5 }")).toEqual([
      "Consulta",
      "Exame",
      "Cirurgia",
    ]);
  });

  it("offers the section keys not yet written at the start of a top-level line", () => {
    const { text, offset } = edit(SMALL, "\nrules:", "\ncol‸\nrules:");
    const keys = completions(analyze(text), offset).map((i) => i.label);
    expect(keys).toContain("collections");
    expect(keys).toContain("invariants");
    expect(keys).not.toContain("facts");
  });
});

describe("drafts with errors", () => {
  it("still completes when an expression does not parse", () => {
    const { text, offset } = edit(SMALL, "when: idoso and", "when: (cliente.‸ and");
    const a = analyze(text);
    expect(diagnostics(a).some((d) => d.code === "dsl/syntax")).toBe(true);
    expect(completions(a, offset).map((i) => i.label)).toEqual(["nome", "idade", "plano"]);
  });

  it("uses the last good analysis while the YAML cannot be read", () => {
    const good = analyze(SMALL);
    const { text, offset } = edit(SMALL, "when: idoso and", 'when: servico == "‸" and');
    const broken = `${text}\n  - [nao: fecha\n`;
    const a = analyze(broken, good);
    expect(a.model).toBeUndefined();
    expect(diagnostics(a)[0]?.code).toBe("yaml/syntax");
    expect(completions(a, offset).map((i) => i.label)).toEqual(["Consulta", "Exame", "Cirurgia"]);
    // An analysis chain keeps the last good one.
    const again = analyze(`${broken} `, a);
    expect(again.lastGood).toBe(good);
    const word = edit(broken, "when: servico", "when: servico == LIMI‸TE");
    expect(completions(analyze(word.text, a), word.offset).map((i) => i.label)).toContain("LIMITE_IDADE");
    // Hover works from the last good model; definition needs the current positions.
    const at = offsetOf(broken, "servico ==", 2);
    expect(hover(a, at)?.markdown).toContain("**servico** — fato");
    expect(definition(a, at)).toBeUndefined();
  });

  it("offers only keywords when nothing is known yet", () => {
    const source = "ruleset: x\nrules:\n  - name: r\n    when: [\n  - [nao: fecha\n";
    const got = labels(source, "when: [", "when: ab‸");
    expect(got).toContain("and");
    expect(got).not.toContain("addBusinessDays");
  });
});

describe("hover", () => {
  const a = analyze(SMALL);
  const r = analyze(RECLAME);

  it("describes a fact: type, description and allowed values", () => {
    const h = hover(a, offsetOf(SMALL, 'servico == "Cirurgia"', 3));
    expect(h?.markdown).toBe(
      "**servico** — fato (texto, obrigatório)\n\nServiço pedido.\n\nValores permitidos: `Consulta`, `Exame`, `Cirurgia`",
    );
    expect(slice(SMALL, h?.range)).toBe("servico");
    const field = hover(a, offsetOf(SMALL, "cliente.idade", 10));
    expect(field?.markdown).toBe("**idade** — campo (inteiro, aceita nulo)\n\nIdade em anos.");
    expect(slice(SMALL, field?.range)).toBe("idade");
  });

  it("describes a constant with its value, a value, a table and a template", () => {
    expect(hover(a, offsetOf(SMALL, ">= LIMITE_IDADE", 5))?.markdown).toBe(
      "**LIMITE_IDADE** — constante (inteiro)\n\nValor: `60`\n\nIdade a partir da qual há prioridade.",
    );
    expect(hover(r, offsetOf(RECLAME, "entradaEm + PRAZO_DESIGNACAO", 14))?.markdown).toContain("Valor: `= 2h`");
    expect(hover(a, offsetOf(SMALL, "idoso and", 1))?.markdown).toBe(
      "**idoso** — valor calculado (booleano)\n\n```\ncliente.idade >= LIMITE_IDADE\n```",
    );
    expect(hover(a, offsetOf(SMALL, "prazos.dias", 1))?.markdown).toBe(
      "**prazos** — tabela de decisão (first, 2 linhas)\n\nEntradas: `servico`\n\nSaídas: `dias`\n\nSem linha que case: nulo, de propósito (onNoMatch: null)",
    );
    expect(hover(a, offsetOf(SMALL, "= aviso", 3))?.markdown).toBe("**aviso** — modelo de texto");
  });

  it("describes a function with its signature, documentation and example", () => {
    const h = hover(r, offsetOf(RECLAME, "addBusinessDays(toDate", 3));
    expect(h?.markdown.split("\n\n")[0]).toBe(
      "```\naddBusinessDays(data: data ou data-hora, dias: inteiro, feriados?: lista de data) → data\n```",
    );
    expect(h?.markdown).toContain("Soma dias úteis a uma data");
    expect(h?.markdown).toContain('Exemplo: `addBusinessDays(date("2026-04-01"), 10)` → 16/04/2026');
    expect(slice(RECLAME, h?.range)).toBe("addBusinessDays");
  });

  it("describes an output (in an action and where it is declared) and a table column", () => {
    const out = hover(r, offsetOf(RECLAME, "- acao = ", 3));
    expect(out?.markdown).toContain("**acao** — saída (texto)");
    expect(out?.markdown).toContain("Valores permitidos: `DESIGNAR`, `RECLASSIFICAR`");
    expect(hover(a, offsetOf(SMALL, "  prioridade: {", 3))?.markdown).toBe(
      "**prioridade** — saída (texto, aceita nulo)\n\nValores permitidos: `ALTA`, `NORMAL`",
    );
    expect(hover(a, offsetOf(SMALL, "prazos.dias", 8))?.markdown).toBe(
      "**dias** — coluna de saída da tabela `prazos` (inteiro)",
    );
    expect(hover(r, offsetOf(RECLAME, "r.servico)", 3))?.markdown).toBe(
      "**servico** — coluna de entrada da tabela `designacaoPorServico` (texto)",
    );
  });

  it("says nothing outside names", () => {
    expect(hover(a, offsetOf(SMALL, "Conjunto pequeno", 3))).toBeUndefined();
    expect(hover(a, offsetOf(SMALL, '"Cirurgia"', 3))).toBeUndefined();
  });
});

describe("diagnostics", () => {
  it("reports a misspelt fact at its exact range with the Portuguese message", () => {
    const text = SMALL.replace('idoso and servico == "Cirurgia"', 'idoso and servco == "Cirurgia"');
    const [d, ...rest] = diagnostics(analyze(text));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: "error", code: "check/unknown-fact" });
    expect(d?.message).toBe(
      'nome desconhecido "servco": não é fato, constante, valor, tabela nem coleção deste conjunto de regras. Você quis dizer "servico"?',
    );
    expect(slice(text, d?.range)).toBe("servco");
    const line = createLineIndex(text).toPosition(d?.range.start ?? 0).line;
    expect(line).toBe(text.split("\n").findIndex((l) => l.includes("servco")) + 1);
  });

  it("reports a value outside a fact's enum in reclame-designacao at its line", () => {
    const text = RECLAME.replace('canalOrigem == "telefone"', 'canalOrigem == "telefon"');
    const [d, ...rest] = diagnostics(analyze(text));
    expect(rest).toEqual([]);
    expect(d?.code).toBe("check/not-in-enum");
    expect(d?.message).toContain('"telefon" não é um valor aceito aqui. Você quis dizer "telefone"?');
    expect(slice(text, d?.range)).toBe('"telefon"');
    expect(createLineIndex(text).toPosition(d?.range.start ?? 0).line).toBe(
      RECLAME.split("\n").findIndex((l) => l.includes('canalOrigem == "telefone"')) + 1,
    );
  });

  it("reports a syntax error where the expression breaks, and no compiled rule set", () => {
    const text = SMALL.replace("idoso and servico", "idoso and and servico");
    const a = analyze(text);
    expect(a.compiled).toBeUndefined();
    const d = diagnostics(a).find((x) => x.code === "dsl/syntax");
    expect(slice(text, d?.range)).toBe("and");
    expect(d?.range.start).toBe(offsetOf(text, "and and", 4));
  });
});

describe("definition", () => {
  const a = analyze(SMALL);
  const r = analyze(RECLAME);
  const key = (source: string, name: string) => ({
    start: offsetOf(source, `  ${name}:`, 2),
    end: offsetOf(source, `  ${name}:`, 2 + name.length),
  });

  it("goes from a name to its declaration", () => {
    expect(definition(a, offsetOf(SMALL, 'servico == "Cirurgia"', 2))).toEqual(key(SMALL, "servico"));
    expect(definition(a, offsetOf(SMALL, ">= LIMITE_IDADE", 4))).toEqual(key(SMALL, "LIMITE_IDADE"));
    expect(definition(a, offsetOf(SMALL, "idoso and", 1))).toEqual(key(SMALL, "idoso"));
    expect(definition(a, offsetOf(SMALL, "= aviso", 3))).toEqual(key(SMALL, "aviso"));
    expect(definition(a, offsetOf(SMALL, "- prioridade =", 3))).toEqual(key(SMALL, "prioridade"));
    expect(definition(a, offsetOf(SMALL, "cliente.idade", 10))).toEqual(key(SMALL, "idade"));
  });

  it("goes to tables, their columns and local variables", () => {
    expect(slice(SMALL, definition(a, offsetOf(SMALL, "prazos.dias", 1)))).toBe("prazos");
    expect(definition(a, offsetOf(SMALL, "prazos.dias", 8))).toEqual({
      start: offsetOf(SMALL, "outputs: [dias]", 10),
      end: offsetOf(SMALL, "outputs: [dias]", 14),
    });
    const col = definition(r, offsetOf(RECLAME, "r.servico)", 3));
    expect(col?.start).toBe(offsetOf(RECLAME, "servico]"));
    const local = definition(r, offsetOf(RECLAME, "r.servico)", 0));
    expect(local?.start).toBe(offsetOf(RECLAME, "for r in rows", 4));
    expect(definition(r, offsetOf(RECLAME, "addBusinessDays(", 2))).toBeUndefined();
  });
});

describe("document symbols", () => {
  it("lists the sections and what each declares", () => {
    const symbols = documentSymbols(analyze(SMALL));
    expect(symbols.map((s) => s.name)).toEqual([
      "ruleset",
      "description",
      "facts",
      "constants",
      "values",
      "templates",
      "outputs",
      "tables",
      "rules",
    ]);
    const facts = symbols.find((s) => s.name === "facts");
    expect(facts?.children.map((c) => [c.name, c.kind])).toEqual([
      ["cliente", "fact"],
      ["servico", "fact"],
      ["entradaEm", "fact"],
    ]);
    expect(slice(SMALL, facts?.children[1]?.selectionRange)).toBe("servico");
    const table = symbols.find((s) => s.name === "tables")?.children[0];
    expect(table?.name).toBe("prazos");
    expect(table?.children.map((c) => c.name)).toEqual(["linha 1", "linha 2"]);
    expect(slice(SMALL, table?.children[1]?.range)).toBe("{ servico: Exame, dias: 5 }");
    const rule = symbols.find((s) => s.name === "rules")?.children[0];
    expect(rule).toMatchObject({ name: "prioridade alta", kind: "rule" });
    expect(slice(SMALL, rule?.selectionRange)).toBe("prioridade alta");
  });

  it("lists the transitions of a rule set with a state machine", () => {
    const symbols = documentSymbols(analyze(read("../../rules/protocolo-status.yaml")));
    const transitions = symbols.find((s) => s.name === "transitions");
    expect(transitions?.children.length).toBeGreaterThan(0);
    expect(transitions?.children[0]?.name).toMatch(/^.+ → .+$/);
  });
});

describe("semantic tokens", () => {
  it("classifies the tokens of a small expression", () => {
    const tokens = semanticTokens(analyze(SMALL));
    const start = offsetOf(SMALL, 'idoso and servico == "Cirurgia"');
    const end = start + 'idoso and servico == "Cirurgia"'.length;
    const inWhen = tokens.filter((t) => t.start >= start && t.start < end);
    expect(inWhen.map((t) => [SMALL.slice(t.start, t.start + t.length), t.type])).toEqual([
      ["idoso", "value"],
      ["and", "keyword"],
      ["servico", "fact"],
      ["==", "operator"],
      ['"Cirurgia"', "string"],
    ]);
  });

  it("classifies names in actions, members, template holes and functions, sorted", () => {
    const tokens = semanticTokens(analyze(SMALL));
    const typed = (text: string, nth = 0) => tokens.find((t) => t.start === offsetOf(SMALL, text, 0, nth))?.type;
    expect(typed("prioridade = ", 0)).toBe("output");
    expect(typed("prazos.dias")).toBe("table");
    expect(typed("dias\n      - mensagem")).toBe("column");
    expect(typed("LIMITE_IDADE} anos")).toBe("constant");
    expect(typed("cliente.idade")).toBe("fact");
    const r = semanticTokens(analyze(RECLAME));
    const fn = r.find((t) => t.start === offsetOf(RECLAME, "addBusinessDays(toDate"));
    expect(fn).toEqual({ start: offsetOf(RECLAME, "addBusinessDays(toDate"), length: 15, type: "function" });
    expect([...r].sort((x, y) => x.start - y.start)).toEqual(r);
    expect(r.every((t) => !RECLAME.slice(t.start, t.start + t.length).includes("\n"))).toBe(true);
  });
});

describe("format document", () => {
  it("formats the expressions and keeps the rest", () => {
    const text = SMALL.replace('idoso and servico == "Cirurgia"', 'idoso   and servico=="Cirurgia"');
    const result = formatDocument(text);
    expect(result.diagnostics).toEqual([]);
    expect(result.text).toBe(SMALL);
  });

  it("refuses a draft with a syntax error, with the reason", () => {
    const result = formatDocument(SMALL.replace("idoso and servico", "idoso and and servico"));
    expect(result.text).toBeUndefined();
    expect(result.diagnostics[0]?.code).toBe("dsl/syntax");
  });
});

describe("robustness on the shipped rule sets", () => {
  const names = ["reclame-designacao", "reclame-duplicidade", "portal-solicitacoes", "protocolo-status", "retencao"];

  it("answers at every position without throwing, with ranges inside the text", () => {
    for (const name of names) {
      const source = read(`../../rules/${name}.yaml`);
      const a = analyze(source);
      expect(diagnostics(a), name).toEqual([]);
      const inside = (r: { start: number; end: number }, at: number): void => {
        expect(r.start, `${name}@${at}`).toBeGreaterThanOrEqual(0);
        expect(r.end, `${name}@${at}`).toBeGreaterThanOrEqual(r.start);
        expect(r.end, `${name}@${at}`).toBeLessThanOrEqual(source.length);
      };
      for (let at = 0; at <= source.length; at += 5) {
        for (const c of completions(a, at)) {
          inside(c.range, at);
          expect(c.range.end, `${name}@${at}`).toBe(at);
        }
        const h = hover(a, at);
        if (h) {
          inside(h.range, at);
          expect(h.range.start <= at && at <= h.range.end, `${name}@${at}`).toBe(true);
        }
        const d = definition(a, at);
        if (d) inside(d, at);
      }
      const tokens = semanticTokens(a);
      for (const [i, t] of tokens.entries()) {
        inside({ start: t.start, end: t.start + t.length }, t.start);
        expect(t.length).toBeGreaterThan(0);
        if (i > 0)
          expect(t.start, name).toBeGreaterThanOrEqual((tokens[i - 1]?.start ?? 0) + (tokens[i - 1]?.length ?? 0));
      }
    }
  }, 60_000);

  it("keeps answering while a rule set is typed from the start (every prefix is a draft)", () => {
    const source = RECLAME;
    let previous: Analysis | undefined = analyze(source);
    for (let cut = 0; cut <= source.length; cut += Math.ceil(source.length / 25)) {
      const draft = source.slice(0, cut);
      const a: Analysis = analyze(draft, previous);
      previous = a;
      expect(() => {
        completions(a, cut);
        hover(a, Math.max(0, cut - 2));
        definition(a, Math.max(0, cut - 2));
        documentSymbols(a);
        semanticTokens(a);
        formatDocument(draft);
      }).not.toThrow();
    }
  }, 60_000);
});

describe("the lenient path", () => {
  it("reads expression keys and named values, not descriptions or declarations", () => {
    const good = analyze(SMALL);
    const broken = (text: string) => `${text}\n  - [nao: fecha\n`;
    const at = (find: string, replace: string) => {
      const e = edit(SMALL, find, replace);
      const a = analyze(broken(e.text), good);
      expect(a.model).toBeUndefined();
      return completions(a, e.offset).map((c) => c.label);
    };
    expect(at("idoso: cliente.idade", "idoso: cliente.‸idade")).toEqual(["nome", "idade", "plano"]);
    expect(at("description: Serviço pedido.", "description: Serviço ‸pedido.")).toEqual([]);
    expect(at("enum: [Consulta, Exame, Cirurgia]", "enum: [Consulta, ‸Exame, Cirurgia]")).toEqual([]);
  });
});

describe("analysis findings in the editor", () => {
  it("carry the other place they are about (Monaco's related information)", () => {
    const text = `ruleset: analise
description: Duas regras de mesma prioridade.
facts:
  tipo: { type: string, enum: [A, B], required: true }
outputs:
  destino: { type: string, nullable: true }
rules:
  - name: primeira
    then: destino = "GIPES"
  - name: segunda
    when: tipo == "A"
    then: destino = "CEPES"
`;
    const conflict = diagnostics(analyze(text)).find((d) => d.code === "rule/conflicting-writes");
    expect(conflict?.severity).toBe("warning");
    expect(conflict?.related).toEqual([
      {
        message: '"primeira" escreve "GIPES"',
        range: { start: text.indexOf('"GIPES"'), end: text.indexOf('"GIPES"') + 7 },
      },
    ]);
  });
});

describe("hit policies and DMN labels", () => {
  const DMN = `ruleset: rotulos
description: Nomes DMN como rótulos.
facts:
  idade: { type: integer, required: true, label: "Applicant Age" }
  risco: { type: string, enum: [Alto, Baixo], required: true }
outputs:
  status: { type: string, nullable: true, label: "Approval Status" }
  total: { type: number, nullable: true }
tables:
  - name: aprovacao
    label: "Approval Decision"
    hitPolicy: priority
    inputs: [idade, risco]
    outputs: [status]
    labels: { idade: "Applicant Age", status: "Approval Status" }
    outputValues: { status: [Declined, Approved] }
    onNoMatch: null
    rows:
      - [">= 18", Baixo, Approved]
      - [-, -, Declined]
  - name: pontos
    hitPolicy: collect
    aggregate: sum
    inputs: [risco]
    outputs: [pontos]
    rows:
      - [Alto, 10]
      - [-, 1]
rules:
  - name: usa
    when: idade >= 18
    then:
      - status = aprovacao.status
      - total = pontos.pontos
`;
  const a = analyze(DMN);

  it("a fact and an output with a label show it", () => {
    expect(hover(a, offsetOf(DMN, "idade >= 18", 1))?.markdown).toBe(
      '**idade** — fato (inteiro, obrigatório)\n\nRótulo DMN: "Applicant Age"',
    );
    expect(hover(a, offsetOf(DMN, "- status = ", 3))?.markdown).toBe(
      '**status** — saída (texto, aceita nulo)\n\nRótulo DMN: "Approval Status"',
    );
  });

  it("a table shows its policy (with the aggregate), label, column labels, output values and onNoMatch", () => {
    expect(hover(a, offsetOf(DMN, "aprovacao.status", 1))?.markdown).toBe(
      [
        "**aprovacao** — tabela de decisão (priority, 2 linhas)",
        'Rótulo DMN: "Approval Decision"',
        'Entradas: `idade` ("Applicant Age"), `risco`',
        'Saídas: `status` ("Approval Status")',
        "Valores de saída (prioridade): `status`: `Declined` > `Approved`",
        "Sem linha que case: nulo, de propósito (onNoMatch: null)",
      ].join("\n\n"),
    );
    expect(hover(a, offsetOf(DMN, "pontos.pontos", 1))?.markdown).toMatch(
      /^\*\*pontos\*\* — tabela de decisão \(collect \(sum\), 2 linhas\)/,
    );
    expect(hover(a, offsetOf(DMN, "aprovacao.status", 12))?.markdown).toBe(
      [
        "**status** — coluna de saída da tabela `aprovacao` (texto)",
        'Rótulo DMN: "Approval Status"',
        "Valores de saída (prioridade): `Declined` > `Approved`",
      ].join("\n\n"),
    );
  });

  it("after hitPolicy: every policy; after aggregate: the aggregations", () => {
    expect(labels(DMN, "    hitPolicy: priority", "    hitPolicy: ‸")).toEqual([
      "unique",
      "first",
      "any",
      "priority",
      "ruleOrder",
      "outputOrder",
      "collect",
    ]);
    expect(labels(DMN, "    hitPolicy: priority", "    hitPolicy: pr‸")).toContain("priority");
    expect(labels(DMN, "    aggregate: sum", "    aggregate: ‸")).toEqual(["sum", "min", "max", "count"]);
  });

  it("at a table's key column, the table keys it does not have yet; nowhere else", () => {
    expect(labels(DMN, "    aggregate: sum\n", "    aggregate: sum\n    ‸\n")).toEqual([
      "label",
      "description",
      "when",
      "labels",
      "outputValues",
      "onNoMatch",
      "impossible",
    ]);
    expect(labels(DMN, "    hitPolicy: collect\n    aggregate: sum\n", "    hitPolicy: collect\n    ag‸\n")).toContain(
      "aggregate",
    );
    // Inside a row written as a block map, and in the facts: not table keys.
    const block = DMN.replace("      - [Alto, 10]\n", "      - risco: Alto\n        pontos: 10\n");
    expect(labels(block, "        pontos: 10\n", "        pontos: 10\n        ‸\n")).not.toContain("outputValues");
    expect(labels(DMN, "  risco: { type", "  ‸\n  risco: { type")).not.toContain("outputValues");
  });
});
