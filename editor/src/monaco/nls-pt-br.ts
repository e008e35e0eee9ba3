/**
 * Brazilian Portuguese for the Monaco texts the analyst meets most (context menu, find box,
 * suggestions, hovers, read-only message). Monaco 0.57 looks its texts up by number in
 * `globalThis._VSCODE_NLS_MESSAGES` and falls back to English for any number it does not find; its
 * own pt-br table is empty, so this sets a sparse one. The numbers belong to monaco-editor 0.57.0
 * exactly (pinned in package.json); nls-pt-br.test.ts checks each number still carries the English
 * text it translates, so an upgrade that moves them fails the test instead of showing wrong text.
 * Imported before Monaco (first import of setup.ts).
 */

/** [message number, English text in Monaco 0.57.0, Portuguese]. */
export const MESSAGES: readonly (readonly [number, string, string])[] = [
  [1019, "Find", "Localizar"],
  [1020, "Find", "Localizar"],
  [1002, "Find", "Localizar"],
  [1021, "Previous Match", "Ocorrência anterior"],
  [1022, "Next Match", "Próxima ocorrência"],
  [1023, "Find in Selection", "Localizar na seleção"],
  [1024, "Close", "Fechar"],
  [1025, "Replace", "Substituir"],
  [1026, "Replace", "Substituir"],
  [1027, "Replace", "Substituir"],
  [1028, "Replace All", "Substituir tudo"],
  [1029, "Toggle Replace", "Alternar substituição"],
  [1031, "{0} of {1}", "{0} de {1}"],
  [1032, "No results", "Nenhum resultado"],
  [2, "Match Case", "Diferenciar maiúsculas e minúsculas"],
  [3, "Match Whole Word", "Palavra inteira"],
  [4, "Use Regular Expression", "Usar expressão regular"],
  [6, "Preserve Case", "Preservar maiúsculas e minúsculas"],
  [1123, "Go to Definition", "Ir para a definição"],
  [1125, "Peek Definition", "Espiar a definição"],
  [1096, "Peek", "Espiar"],
  [1132, "Go to References", "Ir para as referências"],
  [1374, "Change All Occurrences", "Alterar todas as ocorrências"],
  [1072, "Format Document", "Formatar documento"],
  [1073, "Format Selection", "Formatar seleção"],
  [865, "Cut", "Recortar"],
  [866, "Cut", "Recortar"],
  [867, "Cut", "Recortar"],
  [869, "Copy", "Copiar"],
  [870, "Copy", "Copiar"],
  [871, "Copy", "Copiar"],
  [873, "Paste", "Colar"],
  [874, "Paste", "Colar"],
  [875, "Paste", "Colar"],
  [840, "Command Palette", "Paleta de comandos"],
  [842, "Go to Symbol...", "Ir para o símbolo..."],
  [837, "Go to Line/Column...", "Ir para a linha/coluna..."],
  [1137, "Loading...", "Carregando..."],
  [1190, "Loading...", "Carregando..."],
  [1555, "Loading...", "Carregando..."],
  [1556, "No suggestions.", "Nenhuma sugestão."],
  [1541, "Show Less", "Mostrar menos"],
  [1542, "Show More", "Mostrar mais"],
  [1195, "View Problem", "Ver o problema"],
  [1196, "No quick fixes available", "Nenhuma correção rápida disponível"],
  [1198, "No quick fixes available", "Nenhuma correção rápida disponível"],
  [1199, "Quick Fix...", "Correção rápida..."],
  [1448, "Cannot edit in read-only editor", "Não é possível editar: somente leitura"],
  [140, "{0} hidden lines", "{0} linhas ocultas"],
  [146, "{0} hidden lines", "{0} linhas ocultas"],
  [145, "Show {0} hidden lines", "Mostrar {0} linhas ocultas"],
];

const table: (string | null)[] =
  (globalThis as { _VSCODE_NLS_MESSAGES?: (string | null)[] })._VSCODE_NLS_MESSAGES ?? [];
for (const [index, , text] of MESSAGES) table[index] = text;
(globalThis as { _VSCODE_NLS_MESSAGES?: (string | null)[] })._VSCODE_NLS_MESSAGES = table;
(globalThis as { _VSCODE_NLS_LANGUAGE?: string })._VSCODE_NLS_LANGUAGE = "pt-br";
