/** Usage texts of the CLI (Portuguese: analysts and QA read them) and the version. */
import { readFileSync } from "node:fs";

export const USAGE = `rules — verifica, compila, formata e executa conjuntos de regras (arquivos YAML)

Uso:
  rules check <arquivo...>                         verifica os arquivos e lista todos os problemas
  rules compile <arquivo> [--rules-only]           imprime o conjunto de regras compilado (JSON)
  rules decide <arquivo> --facts <json|@arquivo> [--explain]
                                                   decide com os fatos informados e imprime a decisão
  rules fmt <arquivo...> [--check | --write]       formata os arquivos no padrão canônico

Opções gerais:
  -h, --help        mostra esta ajuda (ou a de um comando: rules <comando> --help)
  -v, --version     mostra a versão

Códigos de saída: 0 = sucesso; 1 = problemas nos arquivos ou nos fatos; 2 = uso incorreto.
`;

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  check: `Uso: rules check <arquivo...>

Verifica cada arquivo de regras (YAML, expressões, nomes e tipos) e imprime todos os problemas
de uma vez, um por linha, no formato lido por editores e pela integração contínua:

  arquivo:linha:coluna: gravidade código mensagem

Ao final, um resumo em stderr. Sai com 1 se houver algum erro; só avisos saem com 0.

Exemplo:
  rules check rules/reclame-designacao.yaml
`,
  compile: `Uso: rules compile <arquivo> [--rules-only]

Compila o arquivo e imprime em stdout o JSON compilado (regras do json-rules-engine e
metadados). Com erros, imprime os problemas (como rules check) em stderr e sai com 1.

Opções:
  --rules-only      imprime só a lista de regras do json-rules-engine
  -h, --help        mostra esta ajuda
`,
  decide: `Uso: rules decide <arquivo> --facts <json|@arquivo> [--explain]

Compila o arquivo, decide com os fatos informados e imprime {"decision": ..., "fired": [...]}
em JSON. Fatos inválidos: cada problema sai em stderr como "caminho: mensagem", com saída 1.

Opções:
  --facts <json>      os fatos em JSON, por exemplo --facts '{"idade": 30}'
  --facts @<arquivo>  lê os fatos de um arquivo JSON, por exemplo --facts @fatos.json
  --explain           inclui o rastro (trace) de cada regra avaliada
  -h, --help          mostra esta ajuda
`,
  fmt: `Uso: rules fmt <arquivo...> [--check | --write]

Formata os arquivos no padrão canônico: YAML com 2 espaços, comentários preservados e cada
expressão reescrita na forma canônica (um espaço em volta dos operadores, só os parênteses
necessários, textos entre aspas duplas). Células de tabela, constantes, modelos de texto e
descrições ficam exatamente como estão. Um arquivo com erro de sintaxe nunca é alterado.

Sem opções, imprime o resultado em stdout.

Opções:
  --write       regrava os arquivos formatados no lugar
  --check       não altera nada; lista os arquivos que não estão formatados e sai com 1
  -h, --help    mostra esta ajuda
`,
};

/** The package version (from package.json). */
export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "desconhecida";
  } catch {
    return "desconhecida";
  }
}
