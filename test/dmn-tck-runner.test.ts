/**
 * The DMN TCK test-file runner (tester/dmn-tck.ts): the parser on the vendored TCK files and on small
 * inline ones (every value form, every refusal), and the runner against rule sets written by hand in
 * our language, equivalent to TCK cases whose hit policies exist today (0004 unique, 0108 and 0111
 * first, 0119 collect) — plus deliberately wrong ones, the label mapping, numbers written as decimals,
 * temporal values, decision errors and the JUnit report.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { childrenNamed, parseXml, XmlError } from "../dsl/dmn/xml.js";
import { parseTckTestFile, runTck, TckFormatError, type TckTestFile, type TckValue } from "../tester/dmn-tck.js";
import { junitReport, textReport } from "../tester/report.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TCK = join(ROOT, "test/fixtures/dmn-tck/compliance-level-2");
const RULES = join(ROOT, "test/fixtures/dmn-tck-rules");

function tckFile(name: string): string {
  return readFileSync(join(TCK, name, `${name}-test-01.xml`), "utf8");
}

function handWritten(name: string): string {
  return readFileSync(join(RULES, `${name}.yaml`), "utf8");
}

/** Compiles a rule set (it must compile) and runs a TCK test file against it. */
async function run(yaml: string, xml: string) {
  const compiled = compileSource(yaml);
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (!compiled.compiled || !compiled.model) throw new Error("did not compile");
  return runTck(compiled.compiled, compiled.model, parseTckTestFile(xml));
}

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<testCases xmlns="http://www.omg.org/spec/DMN/20160719/testcase" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`;

/** A TCK test file around some test cases. */
function tck(body: string): string {
  return `${HEAD}\n<modelName>inline.dmn</modelName>\n${body}\n</testCases>\n`;
}

/** The expected value of the first result node of the first case. */
function firstExpected(file: TckTestFile): TckValue {
  const value = file.cases[0]?.results[0]?.expected;
  if (!value) throw new Error("no result node");
  return value;
}

describe("parsing TCK test files", () => {
  it("reads every vendored compliance-level-2 test file: model name, labels, cases and nodes", () => {
    const names = readdirSync(TCK).sort();
    expect(names.length).toBe(20);
    for (const name of names) {
      const file = parseTckTestFile(tckFile(name));
      expect(file.modelName).toBe(`${name}.dmn`);
      expect(file.labels).toContain("Compliance Level 2");
      expect(file.cases.length).toBeGreaterThan(0);
      for (const c of file.cases) {
        expect(c.id).toMatch(/^\d{3}$/);
        expect(c.results.length).toBeGreaterThan(0);
      }
    }
    const u = parseTckTestFile(tckFile("0004-simpletable-U"));
    expect(u.cases.map((c) => c.id)).toEqual(["001", "002", "003"]);
    expect(u.cases[0]?.inputs.map((i) => [i.name, i.value])).toEqual([
      ["Age", { kind: "number", value: 18, text: "18" }],
      ["RiskCategory", { kind: "string", value: "Medium" }],
      ["isAffordable", { kind: "boolean", value: true }],
    ]);
    expect(u.cases[0]?.results[0]).toMatchObject({ name: "Approval Status", type: "decision", errorResult: false });
    expect(u.cases[0]?.line).toBe(13);
  });

  it("reads records, lists of records, lists of values and record inputs from the TCK's files", () => {
    expect(firstExpected(parseTckTestFile(tckFile("0108-first-hitpolicy")))).toEqual({
      kind: "record",
      fields: [
        { name: "Status", value: { kind: "string", value: "Approved" } },
        { name: "Rate", value: { kind: "string", value: "Best" } },
      ],
    });
    const collect = firstExpected(parseTckTestFile(tckFile("0119-multi-collect-hitpolicy")));
    expect(collect.kind === "list" && collect.items.map((i) => i.kind)).toEqual(["record", "record"]);
    expect(firstExpected(parseTckTestFile(tckFile("0112-ruleOrder-hitpolicy-singleinoutcol")))).toEqual({
      kind: "list",
      items: [
        { kind: "string", value: "Best" },
        { kind: "string", value: "Standard" },
      ],
    });
    const invocation = parseTckTestFile(tckFile("0009-invocation-arithmetic"));
    expect(invocation.cases[0]?.inputs[0]?.value).toEqual({
      kind: "record",
      fields: [
        { name: "amount", value: { kind: "number", value: 600000, text: "600000" } },
        { name: "rate", value: { kind: "number", value: 0.0375, text: "0.0375" } },
        { name: "term", value: { kind: "number", value: 360, text: "360" } },
      ],
    });
    const described = parseTckTestFile(tckFile("0003-input-data-string-allowed-values"));
    expect(described.cases[0]?.description).toBe("Testing valid input");
  });

  it("reads every value form by its xsi:type", () => {
    const file = parseTckTestFile(
      tck(`<testCase id="007" name="todos os tipos" type="decision">
  <description>Cada forma de valor.</description>
  <inputNode name="decimal"><value xsi:type="xsd:decimal">1100.00</value></inputNode>
  <inputNode name="double"><value xsi:type="xsd:double">-2.5e3</value></inputNode>
  <inputNode name="float"><value xsi:type="xsd:float">.5</value></inputNode>
  <inputNode name="integer"><value xsi:type="xsd:integer">42</value></inputNode>
  <inputNode name="int"><value xsi:type="xs:int">-7</value></inputNode>
  <inputNode name="long"><value xsi:type="xsd:long">9007199254740991</value></inputNode>
  <inputNode name="short"><value xsi:type="xsd:short"> 3 </value></inputNode>
  <inputNode name="string"><value xsi:type="xsd:string">Aprovado &amp; "pago"</value></inputNode>
  <inputNode name="untyped"><value>sem tipo</value></inputNode>
  <inputNode name="true"><value xsi:type="xsd:boolean">1</value></inputNode>
  <inputNode name="false"><value xsi:type="xsd:boolean">false</value></inputNode>
  <inputNode name="date"><value xsi:type="xsd:date">2026-04-03</value></inputNode>
  <inputNode name="dateTime"><value xsi:type="xsd:dateTime">2026-04-03T10:15:00-03:00</value></inputNode>
  <inputNode name="duration"><value xsi:type="xsd:duration">P1DT2H30M</value></inputNode>
  <inputNode name="years"><value xsi:type="xsd:duration">P1Y2M</value></inputNode>
  <inputNode name="nil"><value xsi:nil="true"/></inputNode>
  <inputNode name="nilNode" xsi:nil="true"/>
  <inputNode name="list"><list><item><value xsi:type="xsd:decimal">1</value></item><item><value xsi:nil="true"/></item><item/></list></inputNode>
  <inputNode name="record"><component name="Nome Completo"><value xsi:type="xsd:string">Ana</value></component><component name="Endereço"><component name="Cidade"><value xsi:type="xsd:string">Recife</value></component></component></inputNode>
  <resultNode name="vazio" type="decision"><expected/></resultNode>
  <resultNode name="erro" errorResult="true"><expected><value xsi:nil="true"/></expected></resultNode>
</testCase>`),
    );
    const c = file.cases[0];
    expect(c).toMatchObject({
      id: "007",
      name: "todos os tipos",
      type: "decision",
      description: "Cada forma de valor.",
    });
    const values = Object.fromEntries(c?.inputs.map((i) => [i.name, i.value]) ?? []);
    expect(values).toEqual({
      decimal: { kind: "number", value: 1100, text: "1100.00" },
      double: { kind: "number", value: -2500, text: "-2.5e3" },
      float: { kind: "number", value: 0.5, text: ".5" },
      integer: { kind: "number", value: 42, text: "42" },
      int: { kind: "number", value: -7, text: "-7" },
      long: { kind: "number", value: 9007199254740991, text: "9007199254740991" },
      short: { kind: "number", value: 3, text: "3" },
      string: { kind: "string", value: 'Aprovado & "pago"' },
      untyped: { kind: "string", value: "sem tipo" },
      true: { kind: "boolean", value: true },
      false: { kind: "boolean", value: false },
      date: { kind: "date", value: "2026-04-03" },
      dateTime: { kind: "dateTime", value: "2026-04-03T10:15:00-03:00" },
      duration: { kind: "duration", text: "P1DT2H30M", value: "1d2h30min" },
      years: { kind: "duration", text: "P1Y2M", value: undefined },
      nil: { kind: "null" },
      nilNode: { kind: "null" },
      list: {
        kind: "list",
        items: [{ kind: "number", value: 1, text: "1" }, { kind: "null" }, { kind: "null" }],
      },
      record: {
        kind: "record",
        fields: [
          { name: "Nome Completo", value: { kind: "string", value: "Ana" } },
          {
            name: "Endereço",
            value: { kind: "record", fields: [{ name: "Cidade", value: { kind: "string", value: "Recife" } }] },
          },
        ],
      },
    });
    expect(c?.results).toMatchObject([
      { name: "vazio", errorResult: false, expected: { kind: "null" } },
      { name: "erro", errorResult: true, expected: { kind: "null" } },
    ]);
  });

  it("refuses an unknown xsi:type, naming the case and the node", () => {
    const xml = tck(`<testCase id="012">
  <inputNode name="Hora"><value xsi:type="xsd:time">10:00:00</value></inputNode>
  <resultNode name="x"><expected><value xsi:type="xsd:string">a</value></expected></resultNode>
</testCase>`);
    expect(() => parseTckTestFile(xml)).toThrow(TckFormatError);
    expect(() => parseTckTestFile(xml)).toThrow(/caso 012, nó de entrada "Hora": xsi:type "time" não é suportado/);
    try {
      parseTckTestFile(xml);
    } catch (e) {
      expect((e as TckFormatError).line).toBe(5);
    }
  });

  it.each([
    ['<value xsi:type="xsd:decimal">1,5</value>', /caso 001, nó de resultado "r": "1,5" não é um número/],
    ['<value xsi:type="xsd:decimal">NaN</value>', /"NaN" não é um número/],
    ['<value xsi:type="xsd:boolean">sim</value>', /"sim" não é um booleano/],
    ['<value xsi:type="xsd:date">2026-02-30</value>', /"2026-02-30" não é uma data/],
    ['<value xsi:type="xsd:dateTime">ontem</value>', /"ontem" não é uma data-hora/],
    ['<value xsi:type="xsd:duration">2 horas</value>', /"2 horas" não é uma duração/],
    ["<foo/>", /elemento inesperado <foo>/],
    ['<value xsi:type="xsd:string">a</value><value xsi:type="xsd:string">b</value>', /mais de um valor/],
    ['<list><value xsi:type="xsd:string">a</value></list>', /elemento inesperado <value> na lista/],
    ['<component><value xsi:type="xsd:string">a</value></component>', /componente: <component> sem o atributo name/],
  ])("refuses a malformed expected value: %s", (inner, message) => {
    const xml = tck(`<testCase id="001"><resultNode name="r"><expected>${inner}</expected></resultNode></testCase>`);
    expect(() => parseTckTestFile(xml)).toThrow(message);
  });

  it("refuses files that are not TCK test files, or not XML", () => {
    expect(() => parseTckTestFile('<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/"/>')).toThrow(
      /não é um arquivo de testes do DMN TCK: o elemento raiz é <definitions>/,
    );
    expect(() => parseTckTestFile("<testCases><testCase id='1'><inputNode/></testCase></testCases>")).toThrow(
      /caso 1, nó de entrada: <inputNode> sem o atributo name/,
    );
    expect(() => parseTckTestFile("isto não é XML")).toThrow(XmlError);
    expect(() => parseTckTestFile(`${HEAD}<testCase id="1">`)).toThrow(XmlError);
    const doctype = `<?xml version="1.0"?><!DOCTYPE testCases [<!ENTITY a "aaaa">]><testCases>&a;</testCases>`;
    expect(() => parseTckTestFile(doctype)).toThrow(/DOCTYPE/);
  });
});

describe("running TCK cases against hand-written rule sets", () => {
  it.each([
    ["0004-simpletable-U", "unique"],
    ["0108-first-hitpolicy", "first, two outputs in a record"],
    ["0111-first-hitpolicy-singleoutputcol", "first, one output"],
    ["0119-multi-collect-hitpolicy", "collect, a list of records"],
  ])("%s (%s): every case passes", async (name) => {
    const result = await run(handWritten(name), tckFile(name));
    expect(result.cases.map((c) => [c.name, c.passed, c.differences])).toEqual([
      ["001", true, []],
      ["002", true, []],
      ["003", true, []],
    ]);
    expect(result).toMatchObject({ passed: 3, failed: 0 });
    expect(result.coverage.rules.covered).toBe(1);
  });

  it("a deliberately wrong rule set fails the case, with expected and got", async () => {
    const wrong = handWritten("0004-simpletable-U").replace(
      '[">= 18", [Medium, Low], true, Approved]',
      '[">= 18", [Medium, Low], true, Declined]',
    );
    expect(wrong).not.toBe(handWritten("0004-simpletable-U"));
    const result = await run(wrong, tckFile("0004-simpletable-U"));
    expect(result).toMatchObject({ passed: 2, failed: 1 });
    const failed = result.cases[0];
    expect(failed).toMatchObject({ name: "001", passed: false, line: 13 });
    expect(failed?.differences).toEqual([
      { path: "Approval Status", expected: "Approved", actual: "Declined", message: "texto diferente" },
    ]);
    const report = textReport([{ file: "0004-test-01.xml", result, rulesFile: "0004.yaml" }]);
    expect(report).toContain("✗ 001  0004-test-01.xml:13:");
    expect(report).toContain(
      'Approval Status: texto diferente\n        esperado: "Approved"\n        obtido:   "Declined"',
    );
    expect(report).toContain("2 passed, 1 failed");
  });

  it("a wrong record field and a wrong list item are named by the file's names", async () => {
    const first = handWritten("0108-first-hitpolicy").replace(
      '[">= 18", Medium, true, Approved, Best]',
      '[">= 18", Medium, true, Approved, Standard]',
    );
    const r1 = await run(first, tckFile("0108-first-hitpolicy"));
    expect(r1.cases[0]?.differences).toEqual([
      { path: "Approval.Rate", expected: "Best", actual: "Standard", message: "texto diferente" },
    ]);
    const collect = handWritten("0119-multi-collect-hitpolicy").replace(
      '["< 18", -, -, Declined, Standard]',
      '["< 18", -, -, Declined, Basic]',
    );
    const r2 = await run(collect, tckFile("0119-multi-collect-hitpolicy"));
    expect(r2.cases[0]?.differences).toEqual([
      { path: "Approval Status[0].Rate", expected: "Standard", actual: "Basic", message: "texto diferente" },
    ]);
    expect(r2.cases[2]?.passed).toBe(false);
  });

  it("maps names through labels: without the label, the case names what matches nothing", async () => {
    // "Approval Status" → output approvalStatus by its label; Age → fact age by its label.
    const labelled = await run(handWritten("0004-simpletable-U"), tckFile("0004-simpletable-U"));
    expect(labelled.passed).toBe(3);
    const unlabelled = handWritten("0004-simpletable-U")
      .replace("enum: [Approved, Declined], label: Approval Status }", "enum: [Approved, Declined] }")
      .replace("age: { type: number, required: true, label: Age }", "age: { type: number, required: true }");
    const result = await run(unlabelled, tckFile("0004-simpletable-U"));
    expect(result.failed).toBe(3);
    expect(result.coverage.rows.covered).toBe(0);
    expect(result.cases[0]?.differences.map((d) => d.message)).toEqual([
      'o nó de entrada "Age" não corresponde a nenhum fato do conjunto de regras (fatos: age, riskCategory (RiskCategory), isAffordable). Você quis dizer "age"?',
      'o nó de resultado "Approval Status" não corresponde a nenhuma saída do conjunto de regras (saídas: approvalStatus). Você quis dizer "approvalStatus"?',
    ]);
    const wrongField = handWritten("0108-first-hitpolicy").replace("label: Rate }", "label: Taxa }");
    const r = await run(wrongField, tckFile("0108-first-hitpolicy"));
    expect(r.cases[0]?.differences).toMatchObject([
      {
        path: "Approval.Rate",
        message:
          'o componente "Rate" não corresponde a nenhum campo da saída (campos: status (Status), rate (Taxa)). Você quis dizer "rate"?',
      },
    ]);
  });

  it("maps record and list inputs onto declared fields by label, nested", async () => {
    const yaml = `ruleset: tck-entradas-compostas
facts:
  loan:
    type: object
    label: Loan
    fields:
      amount: { type: number, label: Loan Amount }
      borrower:
        type: object
        fields:
          fullName: { type: string, label: Full Name }
  scores: { type: list, items: number, label: Scores }
outputs:
  borrowerName: { type: string, nullable: true, label: Borrower Name }
  total: { type: number, nullable: true, label: Total }
rules:
  - name: resumo
    then:
      - borrowerName = loan.borrower.fullName
      - total = sum(scores) + loan.amount
`;
    const xml = tck(`<testCase id="001">
  <inputNode name="Loan">
    <component name="Loan Amount"><value xsi:type="xsd:decimal">1500.50</value></component>
    <component name="borrower"><component name="Full Name"><value xsi:type="xsd:string">Ana Souza</value></component></component>
  </inputNode>
  <inputNode name="Scores"><list><item><value xsi:type="xsd:decimal">1</value></item><item><value xsi:type="xsd:decimal">2</value></item></list></inputNode>
  <resultNode name="Borrower Name"><expected><value xsi:type="xsd:string">Ana Souza</value></expected></resultNode>
  <resultNode name="Total"><expected><value xsi:type="xsd:decimal">1503.50</value></expected></resultNode>
</testCase>
<testCase id="002">
  <inputNode name="Loan"><component name="Valor"><value xsi:type="xsd:decimal">1</value></component></inputNode>
  <resultNode name="Total"><expected/></resultNode>
</testCase>`);
    const result = await run(yaml, xml);
    expect(result.cases[0]).toMatchObject({ passed: true });
    expect(result.cases[1]?.differences.map((d) => d.message)).toEqual([
      'Loan: o componente "Valor" não corresponde a nenhum campo (campos: amount (Loan Amount), borrower).',
    ]);
  });

  it("compares numbers numerically: decimals as the TCK writes them, sums of doubles", async () => {
    const yaml = `ruleset: tck-numeros
facts:
  a: { type: number, required: true }
  b: { type: number, required: true }
outputs:
  total: { type: number, nullable: true }
rules:
  - name: soma
    then: total = a + b
`;
    const cases = (a: string, b: string, expected: string) =>
      `<testCase id="${a}+${b}"><inputNode name="a"><value xsi:type="xsd:decimal">${a}</value></inputNode><inputNode name="b"><value xsi:type="xsd:decimal">${b}</value></inputNode><resultNode name="total"><expected><value xsi:type="xsd:decimal">${expected}</value></expected></resultNode></testCase>`;
    const result = await run(
      yaml,
      tck(
        [
          cases("1000", "100", "1100.00"),
          cases("0.1", "0.2", "0.3"),
          cases("1000", "100.5", "1100.50"),
          cases("1000", "100", "1100.10"),
          cases("1", "1", "3"),
        ].join("\n"),
      ),
    );
    expect(result.cases.map((c) => c.passed)).toEqual([true, true, true, false, false]);
    expect(result.cases[3]?.differences).toEqual([
      { path: "total", expected: 1100.1, actual: 1100, message: "número diferente (no arquivo: 1100.10)" },
    ]);
    expect(result.cases[4]?.differences).toEqual([
      { path: "total", expected: 3, actual: 2, message: "número diferente" },
    ]);
  });

  it("passes dates, date-times and durations in and compares them as values", async () => {
    const yaml = `ruleset: tck-datas
facts:
  inicio: { type: date, required: true }
  entrada: { type: date-time, required: true }
  prazo: { type: duration, required: true }
outputs:
  fim: { type: date, nullable: true }
  limite: { type: date-time, nullable: true }
  dobro: { type: duration, nullable: true }
rules:
  - name: prazos
    then:
      - fim = inicio + 2d
      - limite = entrada + prazo
      - dobro = prazo + prazo
`;
    const xml = tck(`<testCase id="001">
  <inputNode name="inicio"><value xsi:type="xsd:date">2026-04-03</value></inputNode>
  <inputNode name="entrada"><value xsi:type="xsd:dateTime">2026-04-03T10:00:00</value></inputNode>
  <inputNode name="prazo"><value xsi:type="xsd:duration">PT2H30M</value></inputNode>
  <resultNode name="fim"><expected><value xsi:type="xsd:date">2026-04-05</value></expected></resultNode>
  <resultNode name="limite"><expected><value xsi:type="xsd:dateTime">2026-04-03T15:30:00Z</value></expected></resultNode>
  <resultNode name="dobro"><expected><value xsi:type="xsd:duration">PT5H</value></expected></resultNode>
</testCase>
<testCase id="002">
  <inputNode name="inicio"><value xsi:type="xsd:date">2026-04-03</value></inputNode>
  <inputNode name="entrada"><value xsi:type="xsd:dateTime">2026-04-03T10:00:00</value></inputNode>
  <inputNode name="prazo"><value xsi:type="xsd:duration">P1M</value></inputNode>
  <resultNode name="fim"><expected><value xsi:type="xsd:date">2026-04-06</value></expected></resultNode>
</testCase>
<testCase id="003">
  <inputNode name="inicio"><value xsi:type="xsd:date">2026-04-03</value></inputNode>
  <inputNode name="entrada"><value xsi:type="xsd:dateTime">2026-04-03T10:00:00</value></inputNode>
  <inputNode name="prazo"><value xsi:type="xsd:duration">PT1H</value></inputNode>
  <resultNode name="fim"><expected><value xsi:type="xsd:date">2026-04-06</value></expected></resultNode>
  <resultNode name="limite"><expected><value xsi:type="xsd:dateTime">2026-04-03T11:00:00-02:00</value></expected></resultNode>
  <resultNode name="dobro"><expected><value xsi:type="xsd:duration">PT2H1S</value></expected></resultNode>
</testCase>`);
    const result = await run(yaml, xml);
    // São Paulo: 10:00 local is 13:00Z; plus 2h30 is 15:30Z.
    expect(result.cases[0]).toMatchObject({ passed: true, differences: [] });
    expect(result.cases[1]?.differences.map((d) => d.message)).toEqual([
      "prazo: a duração P1M não tem equivalente nas nossas durações (só dias, horas, minutos e segundos inteiros, sem sinal)",
    ]);
    expect(result.cases[2]?.differences.map((d) => [d.path, d.message])).toEqual([
      ["fim", "data diferente"],
      ["limite", "data-hora diferente (outro instante)"],
      ["dobro", "duração diferente"],
    ]);
  });

  describe("decision errors", () => {
    const DEFECT = `ruleset: tck-defeito-unique
facts:
  age: { type: number, required: true, label: Age }
  limit: { type: number, required: true, label: Limit }
outputs:
  status: { type: string, nullable: true, label: Status }
tables:
  - name: statusTable
    hitPolicy: unique
    onNoMatch: null
    inputs: [age]
    outputs: [status]
    rows:
      - [">= limit", Approved]
      - [">= 18", Declined]
rules:
  - name: status
    then: status = statusTable.status
`;
    const inputs = (age: string) =>
      `<inputNode name="Age"><value xsi:type="xsd:decimal">${age}</value></inputNode><inputNode name="Limit"><value xsi:type="xsd:decimal">20</value></inputNode>`;

    it("a unique table's defect fails the case with its message, unless the node expects an error", async () => {
      const result = await run(
        DEFECT,
        tck(`<testCase id="001" name="duas linhas casam">${inputs("30")}<resultNode name="Status"><expected><value xsi:type="xsd:string">Approved</value></expected></resultNode></testCase>
<testCase id="002" name="erro esperado">${inputs("30")}<resultNode name="Status" errorResult="true"><expected><value xsi:nil="true"/></expected></resultNode></testCase>
<testCase id="003" name="erro esperado, mas decidiu">${inputs("19")}<resultNode name="Status" errorResult="true"><expected/></resultNode></testCase>
<testCase id="004" name="nenhuma linha">${inputs("10")}<resultNode name="Status"><expected/></resultNode></testCase>`),
      );
      expect(result.cases.map((c) => [c.name, c.passed])).toEqual([
        ["001 — duas linhas casam", false],
        ["002 — erro esperado", true],
        ["003 — erro esperado, mas decidiu", false],
        ["004 — nenhuma linha", true],
      ]);
      const [defect] = result.cases[0]?.differences ?? [];
      expect(defect?.path).toBe("Status");
      expect(defect?.message).toMatch(
        /^a decisão terminou em erro RULESET_DEFECT: a tabela "statusTable" \(política unique\) tem mais de uma linha válida para estes fatos: linhas 1 e 2/,
      );
      expect(defect?.actual).toMatchObject({ error: { code: "RULESET_DEFECT" } });
      expect(result.cases[2]?.differences.map((d) => d.message)).toEqual([
        'esperava um erro (errorResult="true"), mas a decisão foi tomada',
      ]);
    });

    it("facts the rule set refuses fail the case with the fact named", async () => {
      const result = await run(
        DEFECT,
        tck(
          `<testCase id="001"><inputNode name="Age"><value xsi:type="xsd:string">trinta</value></inputNode><resultNode name="Status"><expected/></resultNode></testCase>`,
        ),
      );
      expect(result.cases[0]?.passed).toBe(false);
      expect(result.cases[0]?.differences[0]?.message).toMatch(/^a decisão terminou em erro INVALID_FACTS: .*\/age/);
    });
  });

  it("a case of another type than decision fails with the reason", async () => {
    const result = await run(
      handWritten("0111-first-hitpolicy-singleoutputcol"),
      tck(
        `<testCase id="001" type="bkm" invocableName="calcular"><inputNode name="age"><value xsi:type="xsd:decimal">19</value></inputNode><resultNode name="Advertisement"><expected><value xsi:type="xsd:string">Cars</value></expected></resultNode></testCase>`,
      ),
    );
    expect(result.cases[0]?.differences.map((d) => d.message)).toEqual([
      'casos do tipo "bkm" (calcular) não são suportados: só decisões (type="decision")',
    ]);
  });

  it("compares a one-column record of ours with the bare value DMN gives", async () => {
    const yaml = `ruleset: tck-uma-coluna
facts:
  age: { type: number, required: true, label: Age }
outputs:
  approval:
    type: list
    label: Approval
    items: { type: object, fields: { rate: { type: string } } }
tables:
  - name: approvalTable
    hitPolicy: collect
    inputs: [age]
    outputs: [rate]
    rows:
      - [">= 18", Best]
      - [">= 12", Standard]
      - ["< 12", Standard]
rules:
  - name: taxas
    then: approval = approvalTable
`;
    const result = await run(yaml, tckFile("0112-ruleOrder-hitpolicy-singleinoutcol"));
    expect(result.cases.map((c) => c.passed)).toEqual([true, true, true]);
  });

  it("writes a well-formed JUnit report with one testcase per TCK case and the failures", async () => {
    const wrong = handWritten("0004-simpletable-U").replace("true, Approved]", "true, Declined]");
    const result = await run(wrong, tckFile("0004-simpletable-U"));
    const xml = junitReport([{ file: "0004-simpletable-U-test-01.xml", result }]);
    const root = parseXml(xml);
    expect(root.local).toBe("testsuites");
    expect(root.attrs).toMatchObject({ tests: "3", failures: "1" });
    const suite = childrenNamed(root, "testsuite")[0];
    const cases = suite ? childrenNamed(suite, "testcase") : [];
    expect(cases.map((c) => [c.attrs.name, c.attrs.line, childrenNamed(c, "failure").length])).toEqual([
      ["001", "13", 1],
      ["002", "29", 0],
      ["003", "45", 0],
    ]);
    const failure = cases[0] ? childrenNamed(cases[0], "failure")[0] : undefined;
    expect(failure?.attrs.message).toBe('decision.Approval Status: esperado "Approved", obtido "Declined"');
  });
});
