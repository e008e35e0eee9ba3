/**
 * `personal: true` on facts (LGPD): the compiler lists the personal fact paths (what the decision
 * log masks); the marker is refused outside `facts`, must be a boolean, and the formatter keeps it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource, diagnose } from "../dsl/compile/pipeline.js";
import { formatRuleSet } from "../dsl/format/format.js";
import { locateDiagnostics } from "../dsl/positions.js";

const RULES = join(import.meta.dirname, "..", "rules");

const SOURCE = `ruleset: pessoais
facts:
  cpf: { type: string, personal: true }
  idade: { type: integer }
  contato:
    type: object
    fields:
      email: { type: string, personal: true }
      canal: { type: string }
  dependentes:
    type: list
    items:
      type: object
      fields:
        nome: { type: string, personal: true }
        idade: { type: integer }
  telefones: { type: list, items: string, personal: true }
  apelidos:
    type: object
    values: { type: object, fields: { nome: { type: string, personal: true } } }
outputs:
  ok: { type: boolean, default: false }
rules:
  - name: maior
    when: idade >= 18
    then: ok = true
`;

describe("personal facts", () => {
  it("lists every personal path: plain, nested, in list items and map values", () => {
    const result = compileSource(SOURCE);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.compiled?.personalFacts).toEqual([
      "cpf",
      "contato.email",
      "dependentes.*.nome",
      "telefones",
      "apelidos.*.nome",
    ]);
  });

  it("marks the shipped personal facts (CPF, CNPJ, CRO, names, phones, e-mails)", () => {
    const personal = (name: string) =>
      compileSource(readFileSync(join(RULES, `${name}.yaml`), "utf8")).compiled?.personalFacts;
    expect(personal("retencao")).toEqual(["colaborador", "cro", "nomeDentista", "cnpj", "cpf"]);
    expect(personal("portal-solicitacoes")).toEqual([
      "beneficiario",
      "telefone",
      "email",
      "contatosCadastrados.telefones",
      "contatosCadastrados.emails",
    ]);
    expect(personal("protocolo-status")).toEqual(["protocolo.campos"]);
    expect(personal("reclame-designacao")).toEqual([]);
  });

  it("refuses personal outside facts, at the key", () => {
    const source = SOURCE.replace(
      "ok: { type: boolean, default: false }",
      "ok: { type: boolean, default: false, personal: true }",
    );
    const errors = locateDiagnostics(source, diagnose(source).diagnostics).filter((d) => d.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "ruleset/structure", line: 22 });
    expect(errors[0]!.message).toContain('"personal" só vale em facts');
    expect(source.split("\n")[21]!.slice(errors[0]!.column - 1)).toMatch(/^personal/);
  });

  it("refuses a personal marker that is not a boolean", () => {
    const source = SOURCE.replace("cpf: { type: string, personal: true }", "cpf: { type: string, personal: sim }");
    const errors = diagnose(source).diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.message).join("\n")).toContain("facts.cpf.personal");
  });

  it("is kept by the formatter", () => {
    const formatted = formatRuleSet(SOURCE);
    expect(formatted.diagnostics?.filter((d) => d.severity === "error") ?? []).toEqual([]);
    expect(formatted.text?.match(/personal: true/g)).toHaveLength(5);
  });
});
