/** The starting text of a new rule set and of its test suite (small, valid, in the house style). */

/** Names the service accepts: lower-case letters, digits and `-`, at most 64. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function ruleSetTemplate(name: string): string {
  return `# ${name}: descreva aqui para que serve este conjunto de regras.
ruleset: ${name}
description: Descreva o que este conjunto de regras decide.

facts:
  tipoCliente:
    type: string
    enum: [Beneficiário, Credenciado]
    required: true
    description: Quem abriu a ocorrência.

outputs:
  acao:
    type: string
    enum: [ATENDER, ENCAMINHAR]
    nullable: false

rules:
  - name: encaminhar credenciado
    when: tipoCliente == "Credenciado"
    then: acao = "ENCAMINHAR"

  - name: atender beneficiário
    when: tipoCliente == "Beneficiário"
    then: acao = "ATENDER"
`;
}

export function suiteTemplate(name: string): string {
  return `suite: ${name}
description: Casos de teste de ${name}.

cases:
  - name: credenciado é encaminhado
    facts:
      tipoCliente: Credenciado
    expect:
      acao: ENCAMINHAR

  - name: beneficiário é atendido
    facts:
      tipoCliente: Beneficiário
    expect:
      acao: ATENDER
`;
}
