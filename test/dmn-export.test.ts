/**
 * Rule set → DMN 1.5 (dsl/dmn/export.ts): round trips (TCK import → export → import gives the same
 * YAML byte for byte; the designation table of reclame-designacao exports and imports back equal),
 * what a DMN tool needs (namespace, input data, requirements, DMNDI shapes), what only we read
 * (extension elements: `impossible`, `when`, original identifiers), and tables outside the subset
 * reported by table › linha › coluna with no file written for them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { exportDmn } from "../dsl/dmn/export.js";
import { importDmn } from "../dsl/dmn/import.js";
import { childNamed, childrenNamed, parseXml, type XmlElement } from "../dsl/dmn/xml.js";
import { printExpr, printUnaryTests } from "../dsl/format/print-expr.js";
import type { RuleSetModel, TableDecl } from "../dsl/ruleset/model.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TCK = join(ROOT, "test/fixtures/dmn-tck/compliance-level-2");
const TABLE_CASES = readdirSync(TCK)
  .filter((c) => !/^000[389]-/.test(c))
  .sort();
const DMN15 = "https://www.omg.org/spec/DMN/20230324/MODEL/";

function model(yaml: string): RuleSetModel {
  const r = compileSource(yaml, { stopAfter: "check" });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.model as RuleSetModel;
}

/** Every element named `local` under `el`, in document order. */
function all(el: XmlElement, local: string, out: XmlElement[] = []): XmlElement[] {
  if (el.local === local) out.push(el);
  for (const c of el.children) all(c, local, out);
  return out;
}

/** Everything about a table that must survive a round trip, as texts. */
function tableText(t: TableDecl) {
  return {
    name: t.name,
    label: t.label,
    description: t.description,
    hitPolicy: t.hitPolicy,
    aggregate: t.aggregate,
    inputs: t.inputs.map((c) => `${c.name}: ${c.expr ? printExpr(c.expr) : ""}`),
    outputs: t.outputs.map((c) => c.name),
    labels: t.labels ? [...t.labels] : undefined,
    outputValues: t.outputValues ? [...t.outputValues].map(([k, v]) => [k, v.values]) : undefined,
    onNoMatch:
      t.onNoMatch === undefined
        ? "absent"
        : t.onNoMatch === null
          ? null
          : t.onNoMatch.outputs.map((o) => (o ? printExpr(o) : null)),
    when: t.when ? printExpr(t.when) : undefined,
    rows: t.rows.map((r) => ({
      inputs: r.inputs.map((c) => printUnaryTests(c)),
      outputs: r.outputs.map((o) => printExpr(o)),
      description: r.description,
    })),
    impossible: t.impossible.map((i) => ({
      inputs: i.inputs.map((c) => printUnaryTests(c)),
      description: i.description,
    })),
  };
}

describe("round trips", () => {
  for (const name of TABLE_CASES)
    it(`${name}: import → export → import gives the same YAML`, () => {
      const first = importDmn(readFileSync(join(TCK, name, `${name}.dmn`)), { fileName: `${name}.dmn` });
      const yaml = first.ruleSets[0]?.yaml as string;
      const exported = exportDmn(yaml, { fileName: "importado.yaml" });
      expect(exported.diagnostics).toEqual([]);
      expect(exported.exported).toHaveLength(1);
      const again = importDmn(exported.xml as string, { fileName: `${name}.dmn` });
      expect(again.diagnostics).toEqual([]);
      expect(again.ruleSets[0]?.yaml).toBe(yaml);
      // Deterministic: no timestamps, ids from positions and names.
      expect(exportDmn(yaml, { fileName: "importado.yaml" }).xml).toBe(exported.xml);
    });

  it("the designation table of reclame-designacao exports and imports back equal", () => {
    const source = readFileSync(join(ROOT, "rules/reclame-designacao.yaml"), "utf8");
    const original = model(source);
    const exported = exportDmn(source, { table: "designacaoPorServico", fileName: "reclame-designacao.yaml" });
    expect(exported.diagnostics).toEqual([]);
    expect(exported.exported).toEqual(["designacaoPorServico"]);
    const back = importDmn(exported.xml as string, { fileName: "designacao.dmn" });
    expect(back.diagnostics).toEqual([]);
    expect(back.ruleSets).toHaveLength(1);
    const imported = model(back.ruleSets[0]?.yaml as string);
    const before = original.tables.find((t) => t.name === "designacaoPorServico") as TableDecl;
    const after = imported.tables[0] as TableDecl;
    expect(tableText(after)).toEqual(tableText(before));
    expect(after.rows).toHaveLength(15);
    // The facts it reads: same types and enums.
    for (const fact of ["tipoAtendimento", "tipoCliente", "servico"]) {
      const a = original.facts.get(fact)?.decl;
      const b = imported.facts.get(fact)?.decl;
      expect({ fact, type: b?.type, enum: b?.enum }).toEqual({ fact, type: a?.type, enum: a?.enum });
    }
    // The output it feeds keeps its name, type and enum.
    expect(imported.outputs.get("designacao")?.decl).toMatchObject({
      type: "string",
      enum: ["GIPES", "CEPES", "2_NIVEL_CAIXA"],
    });
  });

  it("keeps impossible combinations, when, labels and descriptions through our extension elements", () => {
    const source = `ruleset: exemplo
description: Exemplo.
facts:
  idade: number
  ativo: boolean
  renda:
    type: number
    label: Monthly Income
  canal: { type: string, enum: [telefone, chat, "site <novo> & \\"antigo\\""] }
outputs:
  faixa: { type: string, enum: [A, B, C] }
tables:
  - name: faixaPorIdade
    label: Faixa por idade
    description: "Faixas <por> idade & canal."
    hitPolicy: first
    when: ativo and idade >= 0
    onNoMatch: { faixa: C }
    inputs: [idade, canal, renda]
    outputs: [faixa]
    labels: { idade: Idade do cliente }
    outputValues: { faixa: [A, B, C] }
    impossible:
      - [< 0, "-", "-"]
      - { canal: chat, description: Chat não atende menores. }
    rows:
      - ["[18..65)", [telefone, chat], ">= 1000", A]
      - idade: "(0..18)"
        canal: not("site <novo> & \\"antigo\\"")
        renda: "-"
        faixa: B
        description: Menor de idade, fora do site.
      - ["-", "-", "-", C]
rules:
  - name: faixa
    then: faixa = faixaPorIdade.faixa
`;
    const original = model(source);
    const exported = exportDmn(source, { fileName: "exemplo.yaml" });
    expect(exported.diagnostics.map((d) => [d.severity, d.element, d.message])).toEqual([
      [
        "warning",
        "tabela faixaPorIdade › when",
        'a condição "when: ativo and idade >= 0" da tabela vai só numa extensão nossa: uma ferramenta DMN não a aplica (a tabela valeria sempre)',
      ],
    ]);
    const xml = exported.xml as string;
    const root = parseXml(xml);
    expect(root.uri).toBe(DMN15);
    // What a DMN tool reads.
    const decision = childNamed(root, "decision") as XmlElement;
    expect(decision.attrs.name).toBe("Faixa por idade");
    const table = childNamed(decision, "decisionTable") as XmlElement;
    expect(table.attrs.hitPolicy).toBe("FIRST");
    expect(childrenNamed(table, "input").map((i) => childNamed(i, "inputExpression")?.children[0]?.text)).toEqual([
      "idade",
      "canal",
      "Monthly Income",
    ]);
    expect(childrenNamed(table, "input")[0]?.attrs.label).toBe("Idade do cliente");
    const entries = all(table, "inputEntry").map((e) => childNamed(e, "text")?.text);
    expect(entries.slice(0, 3)).toEqual(["[18..65)", '"telefone","chat"', ">=1000"]);
    expect(entries[4]).toBe('not("site <novo> & \\"antigo\\"")');
    expect(childNamed(table, "description")?.text).toBe("Faixas <por> idade & canal.");
    // Facts read by `when` are required too (the round trip declares them again).
    expect(childrenNamed(root, "inputData").map((i) => i.attrs.name)).toEqual([
      "idade",
      "canal",
      "Monthly Income",
      "ativo",
    ]);
    expect(childrenNamed(decision, "informationRequirement")).toHaveLength(4);
    const shapes = all(root, "DMNShape").map((s) => s.attrs.dmnElementRef);
    expect(shapes).toEqual(["decision_1", "inputData_1", "inputData_2", "inputData_3", "inputData_4"]);
    expect(all(root, "DMNEdge")).toHaveLength(4);
    // Back: the same table, with its impossible combinations and when.
    const back = importDmn(xml, { fileName: "exemplo.dmn" });
    expect(back.diagnostics).toEqual([]);
    const imported = model(back.ruleSets[0]?.yaml as string);
    expect(tableText(imported.tables[0] as TableDecl)).toEqual(tableText(original.tables[0] as TableDecl));
    expect(imported.facts.get("renda")?.label).toBe("Monthly Income");
    expect(imported.facts.get("ativo")?.decl.type).toBe("boolean");
    expect(imported.facts.get("canal")?.decl.enum).toEqual(original.facts.get("canal")?.decl.enum);
    // And again: stable.
    const twice = importDmn(exportDmn(back.ruleSets[0]?.yaml as string).xml as string, { fileName: "exemplo.dmn" });
    expect(twice.ruleSets[0]?.yaml).toBe(back.ruleSets[0]?.yaml);
  });
});

describe("what cannot be exported", () => {
  const base = (tables: string) => `ruleset: t
description: t.
facts:
  idade: number
  nomes: { type: list, items: string }
constants:
  LIMITE: { value: 18 }
outputs:
  r: string
tables:
${tables}
`;

  it("reports a cell that reads another value, calls a function or computes, by table › linha › coluna", () => {
    const source = base(`  - name: ok
    hitPolicy: first
    onNoMatch: null
    inputs: [idade]
    outputs: [r]
    rows:
      - [">= 18", A]
  - name: ruim
    hitPolicy: first
    onNoMatch: null
    inputs: [idade]
    outputs: [r]
    rows:
      - [">= LIMITE", A]
      - ["= length(\\"abc\\")", B]
      - ["-", = "x" + "y"]`);
    const r = exportDmn(source, { fileName: "t.yaml" });
    expect(r.exported).toEqual(["ok"]);
    expect(r.diagnostics.map((d) => [d.element, d.line])).toEqual([
      ["tabela ruim › linha 1 › coluna idade", 24],
      ["tabela ruim › linha 2 › coluna idade", 25],
      ["tabela ruim › linha 3 › coluna r", 26],
    ]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "a célula lê outro valor (um nome), o que o DMN não diz num teste unário simples",
      "a célula chama uma função (length)",
      "a célula é uma expressão calculada (= expr)",
    ]);
    const root = parseXml(r.xml as string);
    expect(childrenNamed(root, "decision").map((d) => d.attrs.name)).toEqual(["ok"]);
  });

  it("reports computed columns, columns that are not facts and list columns; no file when nothing is left", () => {
    const source = base(`  - name: calculada
    inputs: [idade * 2]
    outputs: [r]
    rows:
      - ["-", A]
  - name: constante
    inputs: [LIMITE]
    outputs: [r]
    rows:
      - ["-", A]
  - name: lista
    inputs: [nomes]
    outputs: [r]
    rows:
      - [Ana, A]`);
    const r = exportDmn(source);
    expect(r.xml).toBeUndefined();
    expect(r.exported).toEqual([]);
    expect(r.diagnostics.map((d) => d.element)).toEqual([
      "tabela calculada › coluna entrada1",
      "tabela constante › coluna LIMITE",
      "tabela lista › coluna nomes",
    ]);
    expect(r.diagnostics[0]?.message).toMatch(/^a coluna é uma coluna calculada/);
    expect(r.diagnostics[1]?.message).toMatch(/^a coluna lê uma constante \(LIMITE\)/);
    expect(r.diagnostics[2]?.message).toMatch(/^a coluna é uma lista .*"a lista contém"/);
  });

  it("refuses a rule set with errors and an unknown table", () => {
    const broken = exportDmn("ruleset: x\ndescription: x\noutputs: { a: strng }\n", { fileName: "x.yaml" });
    expect(broken.xml).toBeUndefined();
    expect(broken.diagnostics[0]).toMatchObject({ severity: "error", element: "x.yaml", line: 3 });
    expect(broken.diagnostics[0]?.message).toMatch(
      /^o conjunto de regras tem erros e não é exportado: tipo desconhecido/,
    );
    const source = readFileSync(join(ROOT, "rules/reclame-designacao.yaml"), "utf8");
    const unknown = exportDmn(source, { table: "naoExiste" });
    expect(unknown.xml).toBeUndefined();
    expect(unknown.diagnostics[0]?.message).toBe(
      'o conjunto de regras não tem a tabela "naoExiste" (tabelas: designacaoPorServico)',
    );
  });
});
