/**
 * What rule conditions allow (dsl/check/rule-analysis.ts) and invariants proved over what the rule
 * set writes (dsl/check/invariants.ts), as `rules check` reports them: a rule that never fires, two
 * rules of one priority that write different values for one input (with that input, which really
 * makes both fire), an invariant broken by a table row copied into an output, by a default, or by
 * the values one rule writes together. And what is not reported: conditions the analysis cannot
 * read, exclusive conditions, `stop`, different priorities, and the shipped rule sets.
 */
import { describe, expect, it } from "vitest";
import { compileSource, diagnose } from "../dsl/compile/pipeline.js";
import { decide } from "../engine/index.js";
import { compileOk, describeDiagnostics, readRuleSet, ruleSetNames } from "./helpers/rulesets.js";

function findings(source: string, prefix: string): string[] {
  return describeDiagnostics(source, diagnose(source).diagnostics).filter((d) => d.startsWith(prefix));
}

const HEAD = `ruleset: analise
description: Condições que nunca valem e escritas em conflito.
facts:
  tipoCliente: { type: string, enum: [Beneficiário, Credenciado], required: true }
  servico: { type: string, required: true }
  idade: { type: integer, minimum: 0, maximum: 130 }
  urgente: { type: boolean, default: false }
  entrada: { type: date }
  extras: { type: list, items: string }
outputs:
  designacao: { type: string, nullable: true }
  prioridade: { type: integer, default: 0 }
`;

describe("rules that never fire", () => {
  it("reports a contradiction on one fact, with the tests that contradict each other", () => {
    const source = `${HEAD}rules:
  - name: impossível
    when: tipoCliente == "Credenciado" and urgente and tipoCliente == "Beneficiário"
    then: designacao = "GIPES"
  - name: faixa vazia
    when: idade > 60 and idade < 18
    then: prioridade = 2
  - name: fora do esquema
    when: idade > 130 or idade < 0
    then: prioridade = 3
`;
    const found = findings(source, "rule/never-fires");
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(
      /^rule\/never-fires@15:11 a regra "impossível" nunca se aplica: tipoCliente == "Credenciado" e tipoCliente == "Beneficiário" não valem ao mesmo tempo/,
    );
    expect(found[1]).toMatch(/^rule\/never-fires@18:11 a regra "faixa vazia" nunca se aplica: idade > 60 e idade < 18/);
    expect(found[2]).toMatch(/a regra "fora do esquema" nunca se aplica: nenhuma das 2 alternativas pode valer/);
    // Warnings: the rule set still compiles.
    expect(compileSource(source).ok).toBe(true);
  });

  it("says nothing when some input satisfies the condition, or when it reads what the analysis cannot", () => {
    const source = `${HEAD}rules:
  - name: borda
    when: idade >= 60 and idade <= 60
    then: prioridade = 1
  - name: negação
    when: not (tipoCliente == "Credenciado") and tipoCliente != "Credenciado"
    then: prioridade = 2
  - name: data presente
    when: entrada is not null and entrada < 2024-01-01
    then: prioridade = 3
  - name: outro fato
    when: idade > 60 and count(extras) > 0 and idade < 61
    then: prioridade = 4
  - name: lê uma função
    when: upper(servico) == "X" and upper(servico) == "Y"
    then: prioridade = 5
  - name: ausente
    when: idade is null
    then: prioridade = 6
`;
    expect(findings(source, "rule/never-fires")).toEqual([
      // idade > 60 and idade < 61 has no integer between: this one is real.
      expect.stringMatching(/^rule\/never-fires@24:11 a regra "outro fato"/),
    ]);
  });
});

describe("same-priority rules writing different values", () => {
  it("reports the pair with an input that makes both apply, and that input really fires both", async () => {
    const source = `${HEAD}rules:
  - name: reembolso é GIPES
    priority: 5
    when: servico == "Reembolso"
    then: designacao = "GIPES"
  - name: credenciado é CEPES
    priority: 5
    when: tipoCliente == "Credenciado" and idade >= 18
    then: designacao = "CEPES"
`;
    const found = describeDiagnostics(source, diagnose(source).diagnostics).filter((d) =>
      d.startsWith("rule/conflicting-writes"),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^rule\/conflicting-writes@21:24 as regras "reembolso é GIPES" e "credenciado é CEPES" têm a mesma prioridade \(5\) e escrevem valores diferentes em "designacao" \("GIPES" e "CEPES"\) para a mesma entrada, por exemplo com servico = "Reembolso", tipoCliente = "Credenciado", idade = 18; vale o de "credenciado é CEPES"/,
    );
    const d = diagnose(source).diagnostics.find((x) => x.code === "rule/conflicting-writes");
    expect(d?.related?.[0]?.message).toBe('"reembolso é GIPES" escreve "GIPES"');
    const result = await decide(compileOk(source), { servico: "Reembolso", tipoCliente: "Credenciado", idade: 18 });
    expect(result.fired).toEqual(["reembolso é GIPES", "credenciado é CEPES"]);
    expect(result.decision.designacao).toBe("CEPES");
  });

  it("says nothing for exclusive conditions, a stop, different priorities, equal values or unreadable conditions", () => {
    const source = `${HEAD}rules:
  - name: exclusiva A
    when: tipoCliente == "Credenciado"
    then: designacao = "GIPES"
  - name: exclusiva B
    when: tipoCliente == "Beneficiário"
    then: designacao = "CEPES"
  - name: para
    priority: 3
    stop: true
    then: designacao = "GIPES"
  - name: depois de parar
    priority: 3
    then: designacao = "CEPES"
  - name: mais alta
    priority: 9
    then: designacao = "X"
  - name: igual 1
    priority: 7
    then: designacao = "Y"
  - name: igual 2
    priority: 7
    when: urgente
    then: designacao = "Y"
  - name: ilegível 1
    priority: 4
    when: upper(servico) == "A"
    then: designacao = "A"
  - name: ilegível 2
    priority: 4
    when: upper(servico) == "B"
    then: designacao = "B"
`;
    expect(findings(source, "rule/conflicting-writes")).toEqual([]);
  });
});

describe("invariants proved over what the rule set writes", () => {
  const TABLE = `ruleset: inv
description: Invariantes.
facts:
  tipo: { type: string, enum: [A, B], required: true }
outputs:
  acao: { type: string, nullable: true }
  destino: { type: string, nullable: true, default: AUDITORIA }
tables:
  - name: porTipo
    hitPolicy: unique
    inputs: [tipo]
    outputs: [quem, oque]
    rows:
      - [A, GIPES, DESIGNAR]
      - [B, VECTOR, ARQUIVAR]
rules:
  - name: copiar
    then:
      - destino = porTipo.quem
      - acao = porTipo.oque
invariants:
  - name: nunca VECTOR
    check: decision.destino not in ["VECTOR", "AUDITORIA"]
  - name: arquivar só com GIPES
    check: decision.acao != "ARQUIVAR" or decision.destino == "GIPES"
`;

  it("reports a default, a table cell copied under another name, and a row whose cells break it together", () => {
    const found = findings(TABLE, "table/invariant");
    expect(found).toEqual([
      'table/invariant@7:12 o default de "destino" quebra o invariante "nunca VECTOR"',
      'table/invariant@15:13 este valor quebra o invariante "nunca VECTOR" (linha 2 da tabela "porTipo", copiada pela regra "copiar")',
      'table/invariant@15:21 a regra "copiar" escreve acao = "ARQUIVAR", destino = "VECTOR" (linha 2 da tabela "porTipo"), o que quebra o invariante "arquivar só com GIPES"',
    ]);
    expect(compileSource(TABLE).ok).toBe(false);
  });

  it("proves the same invariants once the rows and the default respect them", () => {
    const fixed = TABLE.replace("default: AUDITORIA", "default: GIPES").replace(
      "[B, VECTOR, ARQUIVAR]",
      "[B, GIPES, ARQUIVAR]",
    );
    expect(findings(fixed, "table/invariant")).toEqual([]);
  });
});

describe("a comparison that is always false", () => {
  it("'==' between a date and a date-time is an error with the fix; toDate(...) and the order are fine", () => {
    const source = `ruleset: datas
description: Data e data-hora.
facts:
  entrada: { type: date, required: true }
  quando: { type: date-time, required: true }
outputs:
  prioridade: { type: integer, default: 0 }
rules:
  - name: mesmo dia
    when: quando == entrada or toDate(quando) == entrada or quando >= entrada
    then: prioridade = 1
`;
    const found = findings(source, "check/type-mismatch");
    expect(found).toEqual([
      expect.stringMatching(
        /^check\/type-mismatch@10:11 '==' entre uma data e uma data-hora nunca é verdadeiro: .*Compare toDate\(\.\.\.\) da data-hora com a data/,
      ),
    ]);
    expect(compileSource(source.replace("quando == entrada or ", "")).ok).toBe(true);
  });
});

describe("validations whose records the output cannot hold", () => {
  const source = (record: string) => `ruleset: validacoes
description: Registros de violação.
facts:
  nome: { type: string }
outputs:
  erros:
    type: list
    items: { type: object, fields: { campo: string, mensagem: string } }
validations:
  into: erros
${record}  rules:
    - field: nome
      require: nome is not null
      message: Informe o nome.
`;

  it("is an error at into, naming the keys and the declared fields (every violation would be a defect)", () => {
    expect(findings(source(""), "check/type-mismatch")).toEqual([
      expect.stringMatching(
        /^check\/type-mismatch@10:9 cada violação vira \{ field: \.\.\., message: \.\.\. \}, mas os itens de "erros" declaram os campos campo, mensagem: toda decisão com uma violação seria um defeito/,
      ),
    ]);
  });

  it("is fine once record names the declared fields, and the decision carries the violation", async () => {
    const fixed = source("  record: { field: campo, message: mensagem }\n");
    expect(findings(fixed, "check/")).toEqual([]);
    const result = await decide(compileOk(fixed), {});
    expect(result.decision.erros).toEqual([{ campo: "nome", mensagem: "Informe o nome." }]);
  });
});

describe("the shipped rule sets", () => {
  it.each(ruleSetNames().filter((n) => !n.endsWith(".test")))("%s has no rule-condition findings", (name) => {
    const source = readRuleSet(name);
    expect(findings(source, "rule/")).toEqual([]);
  });
});
