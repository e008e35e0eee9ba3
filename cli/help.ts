/** Usage texts of the CLI (Portuguese: analysts and QA read them) and the version. */
import { packageVersion } from "../common/package-root.js";

export const USAGE = `rules — verifica, compila, formata e executa conjuntos de regras (arquivos YAML)

Uso:
  rules check <arquivo...>                         verifica os arquivos e lista todos os problemas
  rules compile <arquivo> [--rules-only]           imprime o conjunto de regras compilado (JSON)
  rules decide <arquivo> --facts <json|@arquivo> [--explain] [--why-not saida=valor [--json]]
                                                   decide com os fatos informados e imprime a decisão
  rules fmt <arquivo...> [--check | --write]       formata os arquivos no padrão canônico
  rules test [arquivo...] [--reporter junit] [--tag a,b] [--case nome] [--min-coverage pct] [--watch]
                                                   roda as suítes de testes (*.test.yaml) com cobertura
  rules test --scaffold <arquivo> [--out F [--force]]
                                                   gera o esqueleto de uma suíte de testes
  rules test --mutate [arquivo...] [--workers N] [--max-mutants N] [--min-score pct] [--json]
                                                   mede quanto a suíte pega: roda-a contra mutantes das regras
  rules publish <arquivo> --server URL [--token T] [--message M] [--base-version N]
                [--vigencia-de D] [--vigencia-ate D]
                                                   publica no serviço (compila e roda a suíte antes)
  rules replay <rascunho> --from <arquivo|URL> [--baseline F] [--limit N] [--samples N] [--json]
                                                   o que o rascunho faria com decisões reais registradas
  rules promote <id> --from <arquivo|URL> [--name N] [--tag T ...] [--suite F] [--force]
                                                   transforma uma decisão registrada em caso de teste
  rules token --name N --roles decide,author,publisher
                                                   cria um token de acesso e a linha de configuração
  rules table export|import <arquivo> <tabela> ...  tabela de decisão para planilha (xlsx, csv) e de volta
  rules dmn import|export|test ...                 tabelas de decisão de e para DMN; testes do DMN TCK

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

Uma suíte de testes (<nome>.test.yaml) é conferida com o conjunto de regras <nome>.yaml ao lado:
nomes de fatos (em facts, defaults e omit) e de saídas (em expect) que não existem, com sugestão,
e valores fora da lista de valores permitidos.

Ao final, um resumo em stderr. Sai com 1 se houver algum erro; só avisos saem com 0.

Exemplos:
  rules check rules/reclame-designacao.yaml
  rules check rules/reclame-designacao.test.yaml
`,
  compile: `Uso: rules compile <arquivo> [--rules-only]

Compila o arquivo e imprime em stdout o JSON compilado (regras do json-rules-engine e
metadados). Com erros, imprime os problemas (como rules check) em stderr e sai com 1.

Opções:
  --rules-only      imprime só a lista de regras do json-rules-engine
  -h, --help        mostra esta ajuda
`,
  decide: `Uso: rules decide <arquivo> --facts <json|@arquivo> [--explain] [--why-not saida=valor [--json]]

Compila o arquivo, decide com os fatos informados e imprime {"decision": ..., "fired": [...]}
em JSON. Fatos inválidos: cada problema sai em stderr como "caminho: mensagem", com saída 1.

Com --why-not, responde "por que não?": as regras e linhas de tabela que poderiam dar o valor
desejado, cada condição que as impediu (com os valores dos fatos e a posição no arquivo), uma
regra avaliada antes que encerrou a avaliação (stop) ou executada depois que sobrescreveu a
saída, e a menor mudança de fatos (até 2 fatos, até 2.000 decisões) que dá o valor desejado.

Opções:
  --facts <json>      os fatos em JSON, por exemplo --facts '{"idade": 30}'
  --facts @<arquivo>  lê os fatos de um arquivo JSON, por exemplo --facts @fatos.json
  --explain           inclui o rastro (trace) de cada regra avaliada
  --why-not s=v,...   o resultado desejado: saida=valor, vários separados por vírgula; o valor
                      segue o tipo da saída (texto, número, true/false ou null)
  --json              com --why-not, a resposta em JSON (para ferramentas)
  -h, --help          mostra esta ajuda

Exemplo:
  rules decide rules/reclame-designacao.yaml --facts @fatos.json --why-not designacao=CEPES
`,
  test: `Uso: rules test [arquivo...] [--reporter text|junit] [--tag a,b] [--case nome] [--min-coverage pct] [--watch]
       rules test --scaffold <arquivo> [--out F [--force]]

Roda as suítes de testes (arquivos <nome>.test.yaml ao lado de cada conjunto de regras; veja
docs/testing.md). Sem arquivos, roda todas as suítes de rules/. Antes de rodar, confere a suíte
com o conjunto de regras: fatos e saídas com nome errado e valores fora da lista são apontados
com linha e coluna na suíte. Para cada caso mostra ✓ ou ✗; para cada falha, a diferença entre o
esperado e o obtido; no fim, a cobertura: as regras, linhas de tabela e transições que nenhum
caso exercitou, com suas posições.

Opções:
  --reporter junit     imprime JUnit XML (para sistemas de integração contínua)
  --tag a,b            roda só os casos com alguma dessas etiquetas
  --case "nome"        roda só o caso com exatamente esse nome
  --min-coverage pct   falha se a cobertura de alguma suíte ficar abaixo de pct (0 a 100)
  --watch              roda de novo a cada vez que um arquivo de regras ou de suíte é salvo
                       (Ctrl+C para sair)
  -h, --help           mostra esta ajuda

Gerar o esqueleto de uma suíte:
  --scaffold           em vez de rodar, imprime o esqueleto de uma suíte para o conjunto de regras
                       informado (o .yaml de regras ou a sua .test.yaml): com transições, um caso
                       por transição permitida, um por condição que recusa, um por campo exigido
                       em branco, um par não permitido e um estado terminal; sem transições, um
                       caso por regra e por linha de tabela. Fatos obrigatórios recebem valores
                       de exemplo; o que o comando não sabe preencher vira um comentário # TODO e
                       o caso ganha a etiqueta todo. Veja docs/testing.md.
  --out F              escreve o esqueleto no arquivo F em vez de imprimir
  --force              com --out, sobrescreve F se ele já existir (sem --force, recusa)

Mutantes (quanto a suíte pega; veja docs/testing.md):
  --mutate             faz pequenas mudanças nas regras (troca a saída de uma linha de tabela,
                       inverte uma comparação, muda uma constante ou data em 1, remove uma linha,
                       nega uma condição, troca duas prioridades, remove uma ação) e roda a suíte
                       contra cada uma; lista as que nenhum caso pegou, com a posição e um caso
                       sugerido
  --workers N          quantas threads rodam os mutantes (padrão 2; 0 = nenhuma)
  --max-mutants N      no máximo N mutantes por conjunto de regras (padrão 1000)
  --min-score pct      falha se a pontuação (mortos / válidos) de alguma suíte ficar abaixo de pct
  --json               imprime o relatório dos mutantes em JSON (para ferramentas)

Exemplos:
  rules test rules/reclame-designacao.test.yaml --case "Beneficiário · Reembolso → GIPES"
  rules test --min-coverage 100
  rules test rules/retencao.test.yaml --watch
  rules test --scaffold rules/protocolo-status.yaml --out rules/protocolo-status-novo.test.yaml
  rules test --mutate rules/reclame-designacao.test.yaml --min-score 95

Sai com 1 se algum caso falhar, alguma suíte tiver problemas ou a cobertura ficar abaixo do
mínimo; com 2 se a linha de comando estiver errada (inclusive um --case que não existe).
`,
  publish: `Uso: rules publish <arquivo> --server URL [--token T] [--message M] [--base-version N]
                     [--vigencia-de D] [--vigencia-ate D]

Publica um arquivo de regras no serviço de decisões (regras como código, em CI/CD). O arquivo é
verificado aqui primeiro; o serviço compila de novo e roda a suíte de testes (o <arquivo>.test.yaml
ao lado, enviado junto quando existe) e recusa a publicação se algo falhar.

Opções:
  --server URL          endereço do serviço (ou a variável RULES_SERVER)
  --token T             token com o papel publisher (ou a variável RULES_TOKEN); um token
                        antigo que comece com "-" vai como --token=T
  --message M           mensagem da versão (vai para o registro de auditoria)
  --base-version N      recusa (409) se a versão ativa não for mais N
  --vigencia-de D       a versão vale a partir de D: uma data (aaaa-mm-dd, 00:00 no fuso do
                        conjunto de regras) ou uma data-hora com fuso (2026-03-01T09:00:00-03:00);
                        no futuro, a versão fica agendada e a anterior vale até lá
  --vigencia-ate D      a versão deixa de valer em D (mesmo formato; depois do início);
                        a versão anterior volta a valer
  -h, --help            mostra esta ajuda
`,
  replay: `Uso: rules replay <rascunho.yaml> --from <arquivo|URL> [--token T] [--ruleset N]
       [--since ISO] [--until ISO] [--limit N] [--samples N] [--baseline arquivo.yaml] [--json]

Replay (antes de publicar): decide de novo, com o rascunho, as decisões registradas do conjunto de
regras e mostra quantas mudariam e como, agrupadas por saída ("37 decisões mudariam designacao de
X para Y"), com exemplos (id e data de cada decisão) e as regras e linhas de tabela responsáveis
(arquivo:linha:coluna no rascunho). Decisões cujos fatos o rascunho recusa (um fato novo
obrigatório) ou que dão defeito são contadas à parte. Veja docs/testing.md.

Dados pessoais ficam mascarados no registro: uma decisão que leu um deles (um CPF conferido pelos
dígitos) não pode ser refeita. Com a versão que registrou cada decisão (da API, ou --baseline),
cada uma é refeita primeiro com ela; as que não saem iguais ficam fora da comparação.

Opções:
  --from F|URL          um arquivo de decisões registradas (JSON Lines, lista JSON ou uma página
                        salva da API {"items": [...]}) ou o endereço do serviço (lê GET /v1/decisions,
                        das mais antigas para as mais novas)
  --token T             token para o serviço (ou a variável RULES_TOKEN)
  --ruleset N           o conjunto de regras das decisões (padrão: o nome do rascunho)
  --since ISO           só decisões a partir desta data (inclusive)
  --until ISO           só decisões antes desta data
  --limit N             no máximo N decisões (padrão 10000)
  --samples N           exemplos por grupo (padrão 3)
  --baseline F          com --from arquivo: a versão publicada que registrou as decisões (.yaml)
  --json                imprime o relatório em JSON (para ferramentas)
  -h, --help            mostra esta ajuda

Sai com 0 mesmo quando há mudanças (o replay informa, não reprova); com 1 se o rascunho não
compila ou a fonte não pode ser lida.

Exemplos:
  rules replay rules/reclame-designacao.yaml --from http://127.0.0.1:3000 --since 2026-03-01
  rules replay rascunho.yaml --from decisoes.jsonl --baseline rules/reclame-designacao.yaml
`,
  promote: `Uso: rules promote <id> --from <arquivo|URL> [--name N] [--tag T ...] [--suite F] [--force]

Transforma uma decisão registrada pelo serviço em um caso da suíte de testes do conjunto de
regras: os fatos como foram registrados (dados pessoais mascarados), todas as saídas da decisão
como expectativa, o nome e as etiquetas informados. O caso é acrescentado ao fim da lista cases:
sem mudar nenhuma outra linha da suíte (comentários e formatação ficam); fatos iguais aos de
defaults.facts não são repetidos. A suíte é regravada de uma vez (arquivo temporário + troca).

Antes de gravar, o caso roda contra o conjunto de regras ao lado da suíte. Se a decisão não se
reproduz (por exemplo, as regras leem um dado pessoal mascarado), o caso é recusado; com --force
ele é gravado com a etiqueta revisar e um comentário dizendo o que revisar.

Opções:
  --from F|URL      arquivo com as decisões registradas (JSON Lines ou JSON) ou o endereço do
                    serviço (lê GET /v1/decisions/<id>)
  --token T         token de acesso ao serviço (ou a variável RULES_TOKEN)
  --name N          nome do caso (padrão: "Decisão <id curto> · <data e hora>")
  --tag T           etiqueta a acrescentar a producao (repita a opção ou separe por vírgulas)
  --suite F         a suíte (padrão: rules/<conjunto>.test.yaml a partir da pasta atual)
  --force           grava mesmo que a decisão não se reproduza (etiqueta revisar)
  -h, --help        mostra esta ajuda

Exemplos:
  rules promote 0193a1c2-7f00-7abc-9def-0123456789ab --from decisoes.jsonl --tag regressao
  rules promote 0193a1c2-7f00-7abc-9def-0123456789ab --from http://127.0.0.1:3000 --name "Reembolso de produção"

Sai com 1 se a decisão não existir, a suíte não puder ser lida, a decisão for de outro conjunto de
regras ou não se reproduzir (sem --force).
`,
  token: `Uso: rules token --name N --roles decide,author,publisher

Cria um token de acesso aleatório e mostra a linha name:papéis:sha256 para TOKENS ou TOKENS_FILE.
O serviço guarda só o hash: anote o token na hora. O token nunca começa com "-" nem "_", então
pode ser passado como --token "$T".
`,
  fmt: `Uso: rules fmt <arquivo...> [--check | --write]

Formata os arquivos no padrão canônico: YAML com 2 espaços, comentários preservados e cada
expressão reescrita na forma canônica (um espaço em volta dos operadores, só os parênteses
necessários, textos entre aspas duplas); uma expressão escrita em várias linhas num bloco (|)
mantém o seu leiaute. Células de tabela, constantes, modelos de texto e
descrições ficam exatamente como estão. Um arquivo com erro de sintaxe nunca é alterado.

Sem opções, imprime o resultado em stdout.

Opções:
  --write       regrava os arquivos formatados no lugar
  --check       não altera nada; lista os arquivos que não estão formatados e sai com 1
  -h, --help    mostra esta ajuda
`,
  table: `Uso: rules table export <regras.yaml> <tabela> (--xlsx | --csv) [--out arquivo] [--force]
     rules table import <regras.yaml> <tabela> <planilha.xlsx|.csv> [--sheet aba] [--dry-run]

export: escreve a tabela numa planilha: a linha 1 tem os nomes das colunas (entradas, depois
saídas) e cada linha seguinte é uma linha da tabela, cada célula com o texto escrito no YAML
(-, >= 18, [1..5], "texto", [a, b], = expressão). Sem --out, grava <tabela>.xlsx ou <tabela>.csv
no diretório atual; nunca substitui um arquivo existente sem --force. O CSV sai em UTF-8 com BOM,
separado por ";" (como o Excel em português abre com dois cliques).

import: lê a planilha (a aba com o nome da tabela, ou a única; escolha outra com --sheet), casa as
colunas pelo nome do cabeçalho e troca as linhas da tabela pelas da planilha. Só as linhas que
mudaram são reescritas; comentários, outras tabelas e o resto do arquivo ficam byte a byte. Célula
de entrada vazia = - (qualquer valor); célula de saída vazia = null; linhas vazias são ignoradas.
O resultado é verificado e compilado; cada problema sai na sua célula:

  planilha.xlsx: aba "tabela", linha 5, coluna C (servico): mensagem

e nada é gravado (saída 1). Sem erros, o arquivo é regravado (arquivo temporário e renomeação).

Opções:
  --xlsx, --csv   formato da planilha exportada (ou pela extensão de --out)
  --out, -o F     arquivo da planilha exportada
  --force         substitui a planilha exportada se já existir
  --sheet aba     aba da planilha .xlsx a importar
  --dry-run       só mostra o resumo (linhas alteradas, adicionadas, removidas); não grava
  -h, --help      mostra esta ajuda
`,
  dmn: `Uso: rules dmn import <arquivo.dmn> [--out pasta] [--force] [--json]
     rules dmn export <regras.yaml> [--table nome] [--out arquivo.dmn] [--force] [--json]
     rules dmn test <regras.yaml> <testCases.xml> [--junit arquivo] [--json]

import: cada tabela de decisão do arquivo DMN (1.3 a 1.5) vira um conjunto de regras, gravado em
<pasta>/<nome>.yaml (sem --out, no diretório atual). Nenhum arquivo é substituído sem --force: se
algum já existe, nada é gravado. O que fica fora do subconjunto aceito (expressões FEEL completas,
contextos, várias decisões encadeadas) é apontado, nunca descartado em silêncio:

  arquivo.dmn:linha:coluna: erro: <elemento>: mensagem

Sai com 1 quando nenhuma tabela foi importada ou quando houve algum erro (as tabelas importadas
são gravadas mesmo assim).

export: escreve as tabelas de decisão do conjunto de regras (ou só a de --table) num arquivo
DMN 1.5 que uma ferramenta DMN abre; sem --out, <regras>.dmn ao lado do arquivo de regras. Células
fora do subconjunto são apontadas com a linha e a coluna do YAML; sai com 1 quando há erros.

test: roda os casos de um arquivo de testes no formato do DMN TCK (<testCases>, valores com
xsi:type) contra o conjunto de regras e mostra o relatório como rules test: cada caso passou ou
falhou, com o esperado e o obtido, e a cobertura. Cada inputNode é o fato cujo nome ou label é o
nome do nó; cada resultNode, a saída. Sai com 0 quando todos os casos passam e 1 nos demais casos.

Os arquivos DMN e de testes têm no máximo 10 MB; DOCTYPE e entidades não são aceitos.

Opções:
  --out, -o       import: pasta dos conjuntos de regras; export: arquivo .dmn
  --force         substitui arquivos existentes
  --table nome    export: só esta tabela
  --junit F       test: grava também o relatório JUnit XML em F (substitui F)
  --json          o resultado em JSON (para ferramentas)
  -h, --help      mostra esta ajuda

Exemplos:
  rules dmn import aprovacao.dmn --out rules/
  rules dmn export rules/reclame-designacao.yaml --table designacaoPorServico
  rules dmn test rules/aprovacao.yaml aprovacao-test-01.xml --junit tck.xml
`,
};

/** The package version (from package.json, found from the sources and from dist/ alike). */
export function version(): string {
  return packageVersion(import.meta.url) ?? "desconhecida";
}
