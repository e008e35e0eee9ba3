/**
 * DMN → rule sets (dsl/dmn/import.ts): the TCK's compliance-level-2 decision tables import with no
 * error and their YAML compiles; decisions outside the subset are reported by name and reason;
 * names, types, enums, defaults and descriptions land where docs/dmn.md says; hostile XML is
 * refused with one diagnostic. (Deciding the imported tables is the engine's and the TCK runner's
 * job; here the YAML must load and compile with no error.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { importDmn } from "../dsl/dmn/import.js";
import type { DmnImportResult } from "../dsl/dmn/types.js";

const TCK = fileURLToPath(new URL("./fixtures/dmn-tck/compliance-level-2", import.meta.url));
const TABLE_CASES = readdirSync(TCK)
  .filter((c) => !/^000[389]-/.test(c))
  .sort();
const OUTSIDE = ["0003-input-data-string-allowed-values", "0008-LX-arithmetic", "0009-invocation-arithmetic"];

function tck(name: string): DmnImportResult {
  return importDmn(readFileSync(join(TCK, name, `${name}.dmn`)), { fileName: `${name}.dmn` });
}

function errorsOf(r: DmnImportResult) {
  return r.diagnostics.filter((d) => d.severity === "error");
}

const NS = "https://www.omg.org/spec/DMN/20230324/MODEL/";

/** A small DMN 1.5 file around some decisions and input data. */
function dmn(body: string, ns = NS): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="${ns}" id="d" name="t" namespace="urn:t">\n${body}\n</definitions>\n`;
}

function table(
  name: string,
  inputs: [string, string][],
  rules: string[][],
  opts: { hit?: string; outputs?: string; extra?: string } = {},
): string {
  const ins = inputs
    .map(
      ([expr, typeRef]) =>
        `<input><inputExpression typeRef="${typeRef}"><text>${expr}</text></inputExpression></input>`,
    )
    .join("");
  const rs = rules
    .map(
      (cells) =>
        `<rule>${cells
          .slice(0, inputs.length)
          .map((c) => `<inputEntry><text>${c}</text></inputEntry>`)
          .join("")}${cells
          .slice(inputs.length)
          .map((c) => `<outputEntry><text>${c}</text></outputEntry>`)
          .join("")}</rule>`,
    )
    .join("\n");
  return `<decision id="${name.replace(/\W/g, "_")}" name="${name}">${opts.extra ?? ""}
<decisionTable hitPolicy="${opts.hit ?? "UNIQUE"}">${ins}${opts.outputs ?? '<output typeRef="string"/>'}
${rs}
</decisionTable></decision>`;
}

describe("the TCK's decision tables", () => {
  for (const name of TABLE_CASES)
    it(`${name} imports with no error and compiles`, () => {
      const r = tck(name);
      expect(errorsOf(r)).toEqual([]);
      expect(r.dmnVersion).toBe("1.5");
      expect(r.ruleSets).toHaveLength(1);
      const rs = r.ruleSets[0];
      expect(rs?.yaml).toContain(`Importado de ${name}.dmn: decisão "${rs?.decision}" (DMN 1.5).`);
      const compiled = compileSource(rs?.yaml ?? "");
      expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(compiled.ok).toBe(true);
      // Deterministic: the same file gives the same bytes.
      expect(tck(name).ruleSets[0]?.yaml).toBe(rs?.yaml);
    });

  it("0004 (UNIQUE, one unnamed output) becomes this rule set", () => {
    expect(tck("0004-simpletable-U").ruleSets[0]?.yaml).toBe(`ruleset: approval-status
description: 'Importado de 0004-simpletable-U.dmn: decisão "Approval Status" (DMN 1.5).'
facts:
  Age:
    type: number
  RiskCategory:
    type: string
    enum: [High, Low, Medium]
  isAffordable:
    type: boolean
outputs:
  approvalStatus:
    type: string
    enum: [Approved, Declined]
    label: Approval Status
    nullable: true
tables:
  - name: approvalStatus
    label: Approval Status
    hitPolicy: unique
    onNoMatch: null
    inputs: [Age, RiskCategory, isAffordable]
    outputs: [approvalStatus]
    outputValues:
      approvalStatus: [Approved, Declined]
    rows:
      - [">= 18", [Medium, Low], true, Approved]
      - [< 18, [Medium, Low], true, Declined]
      - ["-", High, true, Declined]
      - ["-", "-", false, Declined]
rules:
  - name: Approval Status
    then: approvalStatus = approvalStatus.approvalStatus
`);
  });

  it("maps every hit policy, aggregation and output shape", () => {
    const model = (name: string) => compileSource(tck(name).ruleSets[0]?.yaml ?? "").model;
    const policies = Object.fromEntries(
      TABLE_CASES.map((c) => {
        const t = model(c)?.tables[0];
        return [c.slice(0, 4), `${t?.hitPolicy}${t?.aggregate ? `/${t.aggregate}` : ""}`];
      }),
    );
    expect(policies).toEqual({
      "0004": "unique",
      "0005": "any",
      "0006": "priority",
      "0007": "priority",
      "0010": "unique",
      "0108": "first",
      "0109": "ruleOrder",
      "0110": "outputOrder",
      "0111": "first",
      "0112": "ruleOrder",
      "0113": "outputOrder",
      "0114": "collect/min",
      "0115": "collect/sum",
      "0116": "collect/count",
      "0117": "any",
      "0118": "priority",
      "0119": "collect",
    });
    // Multi-output, single hit: an object with the columns as fields, labels kept.
    const p = model("0118-multi-priority-hitpolicy");
    const out = p?.outputs.get("approvalStatus");
    expect(out?.label).toBe("Approval Status");
    expect(out?.decl.type).toBe("object");
    expect(out?.decl.fields?.get("approvedDeclined")?.label).toBe("Approved/Declined");
    expect(out?.decl.fields?.get("approvedDeclined")?.decl.enum).toEqual(["Approved", "Declined"]);
    expect(p?.tables[0]?.labels?.get("approvedDeclined")).toBe("Approved/Declined");
    expect(p?.tables[0]?.outputValues?.get("approvedDeclined")?.values).toEqual(["Approved", "Declined"]);
    // List policies: a list; one unnamed column under a list policy is "valor".
    const r = model("0112-ruleOrder-hitpolicy-singleinoutcol");
    expect(r?.outputs.get("Approval")?.decl).toMatchObject({ type: "list", items: { type: "string" } });
    expect(r?.tables[0]?.outputs.map((o) => o.name)).toEqual(["valor"]);
    expect(r?.rules[0]?.then[0]?.target).toEqual(["Approval"]);
    const multi = model("0119-multi-collect-hitpolicy");
    expect(multi?.outputs.get("approvalStatus")?.decl).toMatchObject({ type: "list", items: { type: "object" } });
    // Aggregations: a number; count an integer.
    expect(model("0115-sum-collect-hitpolicy")?.outputs.get("Salary")?.decl.type).toBe("number");
    expect(model("0116-count-collect-hitpolicy")?.outputs.get("Salary")?.decl.type).toBe("integer");
    // Default output entries → onNoMatch with those outputs.
    const u = tck("0010-multi-output-U").ruleSets[0]?.yaml;
    expect(u).toContain("onNoMatch: { Status: Declined, Rate: Standard }");
  });

  for (const name of OUTSIDE)
    it(`${name} is reported, naming the decision and why, with no rule set`, () => {
      const r = tck(name);
      expect(r.ruleSets).toEqual([]);
      const errors = errorsOf(r);
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) {
        expect(e.element).toMatch(/^decisão "/);
        expect(e.line).toBeGreaterThan(0);
      }
    });

  it("says what each outside case is", () => {
    expect(errorsOf(tck("0003-input-data-string-allowed-values"))[0]?.message).toBe(
      'a decisão "Employment Status Statement" é uma expressão literal, não uma tabela de decisão: só tabelas de decisão são importadas',
    );
    expect(errorsOf(tck("0008-LX-arithmetic"))[0]?.message).toMatch(/"payment" é uma expressão literal/);
    const bkm = tck("0009-invocation-arithmetic");
    expect(errorsOf(bkm).map((e) => e.message)).toContain(
      'a decisão "MonthlyPayment" invoca o modelo de conhecimento "PMT": invocações não são importadas',
    );
    expect(bkm.diagnostics.find((d) => d.severity === "warning")?.element).toBe('modelo de conhecimento "PMT"');
  });
});

describe("cells and decisions outside the subset", () => {
  it("reports each cell by decision › regra › entrada with its line; the rest of the file still imports", () => {
    const text = dmn(
      `${table(
        "Risk",
        [["Age", "number"]],
        [
          [">= 18", '"ok"'],
          ["Age + 1", '"no"'],
          ["abs(Age)", '"no"'],
        ],
      )}
${table("Other", [["Age", "number"]], [["-", '"ok"']])}
<inputData id="i" name="Age"><variable name="Age" typeRef="number"/></inputData>`,
    );
    const r = importDmn(text, { fileName: "risk.dmn" });
    expect(r.ruleSets.map((s) => s.decision)).toEqual(["Other"]);
    const errors = errorsOf(r);
    expect(errors.map((e) => e.element)).toEqual([
      'decisão "Risk" › tabela › regra 2 › entrada 1 (Age)',
      'decisão "Risk" › tabela › regra 3 › entrada 1 (Age)',
    ]);
    expect(errors[0]?.message).toMatch(/Age \+ 1.*um nome \(Age\)/);
    expect(errors[1]?.message).toMatch(/chamada de função \(abs/);
    const lines = text.split("\n");
    expect(errors[0]?.line).toBe(lines.findIndex((l) => l.includes("Age + 1")) + 1);
    expect(errors[1]?.line).toBe(lines.findIndex((l) => l.includes("abs(Age)")) + 1);
  });

  it("refuses output entries that are not literals", () => {
    const r = importDmn(dmn(table("Calc", [["x", "number"]], [["-", "x * 2"]])));
    expect(r.ruleSets).toEqual([]);
    expect(errorsOf(r)[0]?.element).toBe('decisão "Calc" › tabela › regra 1 › saída 1 (Calc)');
  });

  it("refuses decision chains, input expressions that are not names, and boxed logic", () => {
    const chain = table("Second", [["First", "string"]], [["-", '"x"']], {
      extra: '<informationRequirement><requiredDecision href="#First"/></informationRequirement>',
    });
    const computed = table("Computed", [["Age * 12", "number"]], [["-", '"x"']]);
    const context = '<decision id="ctx" name="Boxed"><context/></decision>';
    const first = table("First", [["Age", "number"]], [["-", '"x"']]);
    const r = importDmn(dmn(`${first}\n${chain}\n${computed}\n${context}`));
    expect(r.ruleSets.map((s) => s.decision)).toEqual(["First"]);
    const messages = errorsOf(r).map((e) => `${e.element}: ${e.message}`);
    expect(messages).toEqual([
      'decisão "Second": a decisão "Second" depende da decisão "First" (uma cadeia de decisões): só decisões que leem apenas dados de entrada são importadas',
      'decisão "Computed" › tabela › entrada 1 (Age * 12): a expressão de entrada "Age * 12" não é um nome nem um caminho (a.b): expressões FEEL nas entradas não são traduzidas',
      'decisão "Boxed": a decisão "Boxed" é um contexto (boxed context), não uma tabela de decisão: só tabelas de decisão são importadas',
    ]);
  });
});

describe("names, types and descriptions", () => {
  const file = dmn(`
<itemDefinition name="tApplicant">
  <itemComponent name="Monthly Income"><typeRef>number</typeRef></itemComponent>
  <itemComponent name="Employment Status"><typeRef>string</typeRef>
    <allowedValues><text>"EMPLOYED","UNEMPLOYED"</text></allowedValues></itemComponent>
</itemDefinition>
<itemDefinition name="tLevel"><typeRef>string</typeRef><allowedValues><text>"A","B"</text></allowedValues></itemDefinition>
<decision id="d1" name="Credit Level">
  <description>Nível de crédito do solicitante.</description>
  <variable name="Credit Level" typeRef="tLevel"/>
  <decisionTable hitPolicy="FIRST">
    <description>Tabela de exemplo.</description>
    <input label="Renda"><inputExpression typeRef="number"><text>Applicant.Monthly Income</text></inputExpression></input>
    <input><inputExpression typeRef="string"><text>Applicant.Employment Status</text></inputExpression></input>
    <input><inputExpression typeRef="date"><text>Start Date</text></inputExpression></input>
    <input><inputExpression typeRef="string"><text>not</text></inputExpression></input>
    <output><defaultOutputEntry><text>"B"</text></defaultOutputEntry></output>
    <rule><description>Renda alta e empregado.</description>
      <inputEntry><text>&gt;= 5000</text></inputEntry><inputEntry><text>"EMPLOYED"</text></inputEntry>
      <inputEntry><text>&lt; date("2020-01-01")</text></inputEntry><inputEntry><text>-</text></inputEntry>
      <outputEntry><text>"A"</text></outputEntry></rule>
    <rule><inputEntry><text>-</text></inputEntry><inputEntry><text>-</text></inputEntry>
      <inputEntry><text>-</text></inputEntry><inputEntry><text>"x"</text></inputEntry><outputEntry><text>"B"</text></outputEntry></rule>
  </decisionTable>
</decision>
<inputData id="i1" name="Applicant"><description>Quem pede.</description><variable name="Applicant" typeRef="tApplicant"/></inputData>`);

  it("maps names to identifiers with labels, structures to objects, allowed values to enums", () => {
    const r = importDmn(file, { fileName: "credito.dmn" });
    expect(errorsOf(r)).toEqual([]);
    const rs = r.ruleSets[0];
    expect(rs).toMatchObject({ name: "credit-level", decision: "Credit Level", table: "creditLevel" });
    const model = compileSource(rs?.yaml ?? "").model;
    const applicant = model?.facts.get("Applicant");
    expect(applicant?.description).toBe("Quem pede.");
    expect(applicant?.required).toBe(false);
    expect(applicant?.decl.fields?.get("monthlyIncome")).toMatchObject({
      label: "Monthly Income",
      decl: { type: "number" },
    });
    expect(applicant?.decl.fields?.get("employmentStatus")?.decl.enum).toEqual(["EMPLOYED", "UNEMPLOYED"]);
    expect(model?.facts.get("startDate")).toMatchObject({ label: "Start Date", decl: { type: "date" } });
    expect(model?.facts.get("not_")).toMatchObject({ label: "not", decl: { type: "string" } });
    const t = model?.tables[0];
    expect(t?.label).toBe("Credit Level");
    expect(t?.description).toBe("Tabela de exemplo.");
    expect(t?.inputs.map((c) => c.name)).toEqual(["monthlyIncome", "employmentStatus", "startDate", "not_"]);
    // Column labels: the input's own label, else the DMN name of what it reads when it changed.
    expect(t?.labels ? [...t.labels] : []).toEqual([
      ["monthlyIncome", "Renda"],
      ["employmentStatus", "Employment Status"],
      ["startDate", "Start Date"],
      ["not_", "not"],
    ]);
    expect(t?.rows[0]?.description).toBe("Renda alta e empregado.");
    expect(t?.onNoMatch).toBeTruthy();
    const out = model?.outputs.get("creditLevel");
    expect(out).toMatchObject({
      label: "Credit Level",
      description: "Nível de crédito do solicitante.",
      nullable: true,
    });
    expect(out?.decl.enum).toEqual(["A", "B"]);
    expect(rs?.yaml).toContain("inputs: [Applicant.monthlyIncome, Applicant.employmentStatus, startDate, not_]");
    expect(rs?.yaml).toContain("startDate: < 2020-01-01");
    expect(compileSource(rs?.yaml ?? "").ok).toBe(true);
  });

  it("reads older DMN versions by their namespace", () => {
    const versions: [string, string][] = [
      ["http://www.omg.org/spec/DMN/20151101/dmn.xsd", "1.1"],
      ["http://www.omg.org/spec/DMN/20180521/MODEL/", "1.2"],
      ["https://www.omg.org/spec/DMN/20191111/MODEL/", "1.3"],
      ["https://www.omg.org/spec/DMN/20211108/MODEL/", "1.4"],
    ];
    for (const [ns, version] of versions) {
      const r = importDmn(dmn(table("V", [["x", "feel:number"]], [[">= 1", '"a"']]), ns), { fileName: "v.dmn" });
      expect(r.dmnVersion).toBe(version);
      expect(errorsOf(r)).toEqual([]);
      expect(r.ruleSets[0]?.yaml).toContain(`(DMN ${version})`);
    }
  });

  it("reads a Camunda-style file: no input data, Camunda type names, named output", () => {
    const camunda = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dish" name="Dish" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="decision" name="Dish">
    <decisionTable id="decisionTable">
      <input id="input1" label="Season">
        <inputExpression id="e1" typeRef="string"><text>season</text></inputExpression>
      </input>
      <input id="input2" label="How many guests">
        <inputExpression id="e2" typeRef="integer"><text>guestCount</text></inputExpression>
      </input>
      <output id="output1" label="Dish" name="desiredDish" typeRef="string" />
      <rule id="r1">
        <inputEntry id="a"><text>"Fall"</text></inputEntry>
        <inputEntry id="b"><text>&lt;= 8</text></inputEntry>
        <outputEntry id="c"><text>"Spareribs"</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="d"><text>"Winter","Spring"</text></inputEntry>
        <inputEntry id="e"><text>[5..8]</text></inputEntry>
        <outputEntry id="f"><text>"Stew"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>`;
    const r = importDmn(camunda, { fileName: "dish.dmn" });
    expect(r.diagnostics).toEqual([]);
    expect(r.dmnVersion).toBe("1.3");
    const m = compileSource(r.ruleSets[0]?.yaml ?? "").model;
    expect(m?.facts.get("season")?.decl.type).toBe("string");
    expect(m?.facts.get("guestCount")?.decl.type).toBe("integer");
    expect(m?.tables[0]?.labels ? [...m.tables[0].labels] : []).toEqual([
      ["season", "Season"],
      ["guestCount", "How many guests"],
    ]);
    expect(m?.tables[0]?.outputs.map((o) => o.name)).toEqual(["desiredDish"]);
    expect(m?.outputs.get("Dish")?.decl.type).toBe("string");
  });

  it("gives clashing names 2, 3... and distinct rule-set names", () => {
    const r = importDmn(
      dmn(`${table("Approval Status", [["approvalStatus", "string"]], [["-", "1"]], { outputs: '<output typeRef="number"/>' })}
${table("approval status", [["x", "number"]], [["-", "2"]], { outputs: '<output typeRef="number"/>' })}`),
    );
    expect(errorsOf(r)).toEqual([]);
    // The fact keeps its identifier; the table, in the same namespace, gets 2.
    expect(r.ruleSets.map((s) => [s.name, s.table])).toEqual([
      ["approval-status", "approvalStatus2"],
      ["approval-status-2", "approvalStatus"],
    ]);
  });
});

describe("hostile files", () => {
  const one = (r: DmnImportResult) => {
    expect(r.ruleSets).toEqual([]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]?.severity).toBe("error");
    return r.diagnostics[0];
  };

  it("refuses a DOCTYPE with entities (billion laughs) without expanding anything", () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<definitions xmlns="${NS}"><decision name="&lol3;"/></definitions>`;
    const d = one(importDmn(laughs, { fileName: "lol.dmn" }));
    expect(d?.message).toMatch(/DOCTYPE/);
    expect(d?.line).toBeGreaterThan(1);
    expect(d?.element).toBe("lol.dmn");
  });

  it("refuses an external entity", () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<definitions xmlns="${NS}"><decision name="&xxe;"/></definitions>`;
    expect(one(importDmn(xxe))?.message).toMatch(/DOCTYPE/);
  });

  it("refuses a file over 10 MB before parsing it", () => {
    const big = dmn(`<!-- ${"x".repeat(11 * 1024 * 1024)} -->`);
    expect(one(importDmn(big))?.message).toMatch(/acima do limite/);
  });

  it("refuses elements nested 100 deep", () => {
    const deep = dmn(`${"<extensionElements>".repeat(100)}${"</extensionElements>".repeat(100)}`);
    const d = one(importDmn(deep));
    expect(d?.message).toMatch(/aninhados/);
    expect(d?.line).toBeGreaterThan(0);
  });

  it("reports malformed XML with its position", () => {
    const d = one(importDmn(`<definitions xmlns="${NS}">\n  <decision name="x">\n</definitions>`));
    expect(d?.message).toMatch(/XML malformado/);
    expect(d?.line).toBe(3);
  });

  it("reads a huge entry in linear time and refuses a rule set larger than the limit", () => {
    const huge = Array.from({ length: 400_000 }, () => "1").join(",");
    const r = importDmn(dmn(table("Huge", [["x", "number"]], [[huge, '"a"']])), { fileName: "huge.dmn" });
    expect(r.ruleSets).toEqual([]);
    expect(errorsOf(r).map((e) => [e.element, e.message])).toEqual([
      [
        'decisão "Huge"',
        "o conjunto de regras gerado passaria de 1000000 caracteres, o limite de um conjunto de regras: divida a tabela",
      ],
    ]);
  }, 120_000);

  it("refuses a root that is not a DMN model", () => {
    const d = one(importDmn('<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0"/>'));
    expect(d?.message).toMatch(/não é um modelo DMN: a raiz é <project>/);
    const wrongNs = one(importDmn("<definitions/>"));
    expect(wrongNs?.message).toMatch(/não é um modelo DMN/);
  });
});
