/**
 * How values flow into the decision (dsl/check/flow.ts), as `rules check` reports it: an output
 * nothing fills, a table column named like an output that nothing copies, a rule that reads
 * `decision.x` before the rules that set it run. Warnings with the exact position; the rule set
 * still compiles. And what is not reported: the same rule sets written correctly, and the shipped
 * rule sets.
 */
import { describe, expect, it } from "vitest";
import { compileSource, diagnose } from "../dsl/compile/pipeline.js";
import { describeDiagnostics, readRuleSet, ruleSetNames } from "./helpers/rulesets.js";

/** `code@line:column message` of the flow/* findings of a source. */
function flow(source: string): string[] {
  return describeDiagnostics(source, diagnose(source).diagnostics).filter((d) => d.startsWith("flow/"));
}

const MISTAKES = `ruleset: fluxo
description: Enganos de fluxo que compilam.
facts:
  tipo: { type: string, enum: [A, B] }
outputs:
  designacao: { type: string, nullable: true }
  nivel: { type: string, nullable: true }
  esquecida: { type: string, nullable: true }
  marcada: { type: boolean, default: false }
tables:
  - name: porTipo
    hitPolicy: first
    inputs: [tipo]
    outputs: [designacao]
    rows:
      - [A, GIPES]
      - [-, CEPES]
rules:
  - name: nivel alto
    priority: 10
    when: decision.nivel == "ALTO"
    then: marcada = true
  - name: definir nivel
    priority: 5
    then: nivel = "ALTO"
`;

describe("flow warnings", () => {
  it("reports each mistake where it is written, and the rule set still compiles", () => {
    const found = flow(MISTAKES);
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(/^flow\/unset-output@6:3 a saída "designacao" nunca é preenchida/);
    expect(found[1]).toMatch(/^flow\/unset-output@8:3 a saída "esquecida" nunca é preenchida/);
    expect(found[2]).toMatch(
      /^flow\/table-output-name@14:15 a coluna "designacao" da tabela "porTipo" tem o nome de uma saída.*"designacao = porTipo.designacao"/,
    );
    expect(found[3]).toMatch(
      /^flow\/read-before-set@21:11 a regra "nivel alto" \(prioridade 10\) lê decision.nivel, mas "nivel" só é preenchida depois, por "definir nivel" \(prioridade 5\)/,
    );
    expect(diagnose(MISTAKES).diagnostics.every((d) => d.severity === "warning")).toBe(true);
    expect(compileSource(MISTAKES).ok).toBe(true);
  });

  it("says nothing once the rule set is written as meant", () => {
    const fixed = MISTAKES.replace("  esquecida: { type: string, nullable: true }\n", "")
      .replace("    priority: 10\n    when: decision.nivel", "    priority: 1\n    when: decision.nivel")
      .concat("  - name: copiar a designação\n    then: designacao = porTipo.designacao\n");
    expect(diagnose(fixed).diagnostics).toEqual([]);
  });

  it("a value set earlier in the same priority, by the rule itself, by a default or by validations counts as set", () => {
    const source = `ruleset: fluxo-ok
description: Leituras depois de preencher.
facts:
  valor: { type: number }
outputs:
  faixa: { type: string, nullable: true }
  total: { type: number, default: 0 }
  dobro: { type: number, nullable: true }
  erros: { type: list, items: { type: object, fields: { campo: string, mensagem: string } } }
  contagem: { type: integer, nullable: true }
validations:
  into: erros
  items:
    - field: valor
      require: valor is not null
      message: informe o valor
rules:
  - name: faixa
    then: faixa = if valor > 10 then "ALTA" else "BAIXA"
  - name: usa a faixa na mesma prioridade, depois
    when: decision.faixa == "ALTA"
    then: dobro = valor * 2
  - name: usa o total com default
    priority: 5
    when: decision.total == 0
    then: contagem = count(decision.erros)
`;
    expect(flow(source)).toEqual([]);
  });

  it("a rule reading, in its when or in an earlier action, what only it sets is read-before-set; a later action is not", () => {
    const source = `ruleset: fluxo-proprio
description: A regra lê o que ela mesma preenche.
outputs:
  nivel: { type: string, nullable: true }
  copia: { type: string, nullable: true }
  antes: { type: string, nullable: true }
rules:
  - name: se vazio
    when: decision.nivel is null
    then:
      - antes = decision.nivel
      - nivel = "X"
      - copia = decision.nivel
`;
    const found = flow(source);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(
      /^flow\/read-before-set@9:11 a regra "se vazio" lê decision.nivel antes de ela mesma preencher "nivel"/,
    );
    expect(found[1]).toMatch(/^flow\/read-before-set@11:17 /);
  });

  it("the shipped rule sets have no flow findings", () => {
    for (const name of ruleSetNames().filter((n) => !n.endsWith(".test")))
      expect(flow(readRuleSet(name)), name).toEqual([]);
  });
});
