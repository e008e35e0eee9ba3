/**
 * Every rule set in rules/ compiles without any diagnostic, and its compiled form is plain JSON. The
 * tests iterate over what is in rules/: adding a rule set adds its cases, it does not break the list.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { formatRuleSet } from "../dsl/format/format.js";
import { locateDiagnostics } from "../dsl/positions.js";

const dir = new URL("../rules/", import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
  .sort();
const SHIPPED = [
  "portal-solicitacoes.yaml",
  "protocolo-status.yaml",
  "reclame-designacao.yaml",
  "reclame-duplicidade.yaml",
  "retencao.yaml",
];

describe("shipped rule sets", () => {
  it("include the five shipped ones (others may be added)", () => {
    expect(files).toEqual(expect.arrayContaining(SHIPPED));
  });
  it.each(files)("%s compiles cleanly, named after its file", (file) => {
    const source = readFileSync(new URL(file, dir), "utf8");
    const result = compileSource(source);
    expect(locateDiagnostics(source, result.diagnostics)).toEqual([]);
    expect(result.compiled?.name).toBe(file.replace(/\.yaml$/, ""));
    expect(JSON.parse(JSON.stringify(result.compiled))).toEqual(result.compiled);
  });
  it.each(files)("%s is in canonical format (`rules fmt --check` passes)", (file) => {
    const source = readFileSync(new URL(file, dir), "utf8");
    expect(formatRuleSet(source).text).toBe(source);
  });
});
