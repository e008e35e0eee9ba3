/**
 * "A DMN file that a DMN tool can open": every file `exportDmn` writes is valid against the OMG's own
 * DMN 1.5 XML Schema (DMN15.xsd with DMNDI15/DC/DI, vendored from the DMN TCK in
 * test/fixtures/dmn-tck/schemas/), checked with libxml2's validator (xmllint-wasm, a test-only
 * dependency). Exported: the designation table of reclame-designacao, and every TCK decision table
 * after import (every hit policy, aggregations, several outputs, defaults, labels).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { exportDmn } from "../dsl/dmn/export.js";
import { importDmn } from "../dsl/dmn/import.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "dmn-tck");
const SCHEMAS = join(FIXTURES, "schemas");
const schemaFile = (name: string) => ({ fileName: name, contents: readFileSync(join(SCHEMAS, name), "utf8") });

/** The schema's complaints about `xml` (empty when valid). */
async function schemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: "exportado.dmn", contents: xml }],
    schema: [schemaFile("DMN15.xsd")],
    preload: [schemaFile("DMNDI15.xsd"), schemaFile("DC.xsd"), schemaFile("DI.xsd")],
  });
  return result.errors.map((e) => e.rawMessage);
}

function exported(source: string, table?: string): string {
  const result = exportDmn(source, table ? { table } : {});
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (!result.xml) throw new Error("nothing exported");
  return result.xml;
}

describe("exported DMN files are valid DMN 1.5 (the OMG's XML Schema)", () => {
  it("reclame-designacao's designation table", { timeout: 60_000 }, async () => {
    const source = readFileSync(join(import.meta.dirname, "..", "rules", "reclame-designacao.yaml"), "utf8");
    expect(await schemaErrors(exported(source, "designacaoPorServico"))).toEqual([]);
  });

  // 17 validations against a 1,300-line schema in WebAssembly: a generous budget for a loaded machine.
  it("every TCK decision table, imported then exported (all hit policies, aggregations, multi-output, defaults, labels)", {
    timeout: 180_000,
  }, async () => {
    const root = join(FIXTURES, "compliance-level-2");
    let checked = 0;
    for (const dir of readdirSync(root).sort()) {
      const dmn = readdirSync(join(root, dir)).find((n) => n.endsWith(".dmn"));
      if (!dmn) continue;
      for (const ruleSet of importDmn(readFileSync(join(root, dir, dmn))).ruleSets) {
        expect(await schemaErrors(exported(ruleSet.yaml)), dir).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBe(17);
  });

  it("the check is real: a file the schema does not allow is refused", { timeout: 60_000 }, async () => {
    const source = readFileSync(join(import.meta.dirname, "..", "rules", "reclame-designacao.yaml"), "utf8");
    const xml = exported(source, "designacaoPorServico");
    const broken = xml.replace(/hitPolicy="[A-Z ]+"/, 'hitPolicy="SOMETIMES"');
    expect(broken).not.toBe(xml);
    expect((await schemaErrors(broken)).join("\n")).toMatch(/hitPolicy/);
  });
});
