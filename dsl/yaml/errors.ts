/**
 * yaml's errors and warnings → Portuguese, analyst-oriented diagnostics (step 4 of `load.ts`):
 * the wording of each yaml error code (`translateYamlError`), complaints about anchors, aliases and
 * tags that the CST scan already reported, and the indentation mistakes that yaml reports far
 * from the line that is wrong (a misaligned list item, a key indented deeper than its siblings)
 * with the cascades they cause on the same line.
 */
import type { YAMLError } from "yaml";
import { createError } from "../diagnostics.js";
import type { Diagnostic, DiagnosticCode } from "../diagnostics.js";
import { clampRange } from "./ranges.js";

/** yaml complaints that are mere consequences of anchors, aliases or tags, which we report ourselves. */
const PROP_CODES = new Set<string>([
  "ALIAS_PROPS",
  "BAD_ALIAS",
  "MULTIPLE_ANCHORS",
  "MULTIPLE_TAGS",
  "TAG_RESOLVE_FAILED",
  "BAD_COLLECTION_TYPE",
  "BAD_PROP_ORDER",
]);

/** Pushes the Portuguese diagnostic for one yaml error or warning (none for what is reported elsewhere). */
export function pushYamlError(out: Diagnostic[], error: YAMLError, text: string, hasProps: boolean): void {
  // Duplicate keys are found (with the key name and the first occurrence) by checkKeys.
  if (error.code === "DUPLICATE_KEY") return;
  if (hasProps && (PROP_CODES.has(error.code) || /^Tags and anchors/.test(error.message))) return;
  const [start, end] = Array.isArray(error.pos) ? error.pos : [0, 0];
  const { code, message } = translateYamlError(error.code, error.message);
  // Warnings are errors too: the dialect is strict on purpose.
  out.push(createError(code, message, clampRange(start, end, text)));
}

const MISALIGNED_ITEM =
  'indentação incorreta: este item de lista ("- ") tem um recuo diferente dos itens acima dele; alinhe os "-" na mesma coluna';

/**
 * A list item indented less than the items above it (`- a` then ` - b` one column to the left)
 * becomes, for yaml, a block sequence used as a key: reported as such, plus a multi-line key, a
 * missing ":" and a composite key, all on that line. It is one indentation error at the "-".
 */
export function misalignedItem(error: YAMLError, text: string): Diagnostic | undefined {
  if (error.code !== "BLOCK_AS_IMPLICIT_KEY" || /Nested mappings/.test(error.message)) return undefined;
  let at = error.pos[0];
  while (at < text.length && (text[at] === " " || text[at] === "\t")) at++;
  if (text[at] !== "-") return undefined;
  return createError("yaml/syntax", MISALIGNED_ITEM, clampRange(at, at + 1, text));
}

/** Drops the diagnostics that start on the line of a misaligned list item, from its "-" on (consequences). */
export function withoutSameLineCascades(diagnostics: readonly Diagnostic[], text: string): Diagnostic[] {
  const items = diagnostics.filter((d) => d.message === MISALIGNED_ITEM);
  if (items.length === 0) return [...diagnostics];
  const lineEnd = (offset: number) => {
    const n = text.indexOf("\n", offset);
    const r = text.indexOf("\r", offset);
    const ends = [n, r].filter((x) => x >= 0);
    return ends.length ? Math.min(...ends) : text.length;
  };
  const spans = items.map((d) => ({ from: d.range.start, to: lineEnd(d.range.start) }));
  return diagnostics.filter(
    (d) => items.includes(d) || !spans.some((s) => d.range.start >= s.from && d.range.start <= s.to),
  );
}

export interface IssueIndex {
  /** Issues by start offset. */
  readonly byStart: ReadonlyMap<number, readonly YAMLError[]>;
  /** Start offsets of indentation and missing-character issues, ascending. */
  readonly indentStarts: readonly number[];
}

/** Indexes a document's yaml errors and warnings for `misIndentedKey`. */
export function indexIssues(issues: readonly YAMLError[]): IssueIndex {
  const byStart = new Map<number, YAMLError[]>();
  const indentStarts: number[] = [];
  for (const e of issues) {
    const list = byStart.get(e.pos[0]);
    if (list) list.push(e);
    else byStart.set(e.pos[0], [e]);
    if (e.code === "BAD_INDENT" || e.code === "MISSING_CHAR") indentStarts.push(e.pos[0]);
  }
  indentStarts.sort((a, b) => a - b);
  return { byStart, indentStarts };
}

/** True when some value of the ascending `sorted` lies in `[low, high]`. */
function anyBetween(sorted: readonly number[], low: number, high: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < low) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && (sorted[lo] as number) <= high;
}

/**
 * A key indented deeper than its siblings (`name: x` then `   when: true` with extra spaces) is
 * read by yaml as the continuation of the previous value, which then "becomes" a key spanning two
 * lines: yaml reports a nested mapping and a multi-line key, both at the start of the PREVIOUS
 * value. Those two become one diagnostic on the line that is wrong (the one with the extra
 * indentation), at its key. When another indentation error was already reported on the line
 * where the pseudo-key starts, both are mere consequences of it and are dropped.
 */
export function misIndentedKey(
  error: YAMLError,
  index: IssueIndex,
  text: string,
): Diagnostic | "consequence" | undefined {
  const nested = (e: YAMLError) => e.code === "BLOCK_AS_IMPLICIT_KEY" && /Nested mappings/.test(e.message);
  const multiline = (e: YAMLError) => e.code === "MULTILINE_IMPLICIT_KEY";
  if (!nested(error) && !multiline(error)) return undefined;
  const start = error.pos[0];
  const pair = (index.byStart.get(start) ?? []).filter((e) => nested(e) || multiline(e));
  const key = pair.find(multiline);
  if (!pair.some(nested) || !key) return undefined;
  const end = Math.min(key.pos[1], text.length);
  if (!/[\r\n]/.test(text.slice(start, end))) return undefined;
  const lineOf = (offset: number) =>
    Math.max(text.lastIndexOf("\n", offset - 1), text.lastIndexOf("\r", offset - 1)) + 1;
  const startLine = lineOf(start);
  // The pair itself is never BAD_INDENT/MISSING_CHAR, so any hit is another, earlier error.
  if (anyBetween(index.indentStarts, startLine, start) || error !== key) return "consequence";
  const lineStart = lineOf(end);
  let first = lineStart;
  while (first < end && (text[first] === " " || text[first] === "\t")) first++;
  const word = text.slice(first, end).trim();
  const shown = word.length > 40 ? `${word.slice(0, 40)}…` : word;
  return createError(
    "yaml/syntax",
    `indentação incorreta: a chave "${shown}" tem mais recuo que as chaves acima dela; alinhe-a com elas (se esta linha continua o texto da linha anterior e tem ":", escreva esse texto entre aspas)`,
    clampRange(first, Math.max(first + 1, end), text),
  );
}

/** Portuguese, analyst-oriented wording of yaml's errors. */
function translateYamlError(yamlCode: string, english: string): { code: DiagnosticCode; message: string } {
  const syntax = (message: string) => ({ code: "yaml/syntax" as const, message });
  switch (yamlCode) {
    case "TAB_AS_INDENT":
      return syntax("use espaços, e não tabulações (TAB), para indentar");
    case "BAD_INDENT": {
      if (/mapping items must start at the same column/.test(english))
        return syntax("indentação incorreta: todas as chaves deste bloco devem começar na mesma coluna");
      if (/sequence items must start at the same column/.test(english))
        return syntax('indentação incorreta: todos os itens da lista ("- ") devem começar na mesma coluna');
      if (/Block scalar lines must not be less indented/.test(english))
        return syntax(
          "indentação incorreta: as linhas de um texto em bloco (| ou >) não podem ter menos recuo que a primeira linha",
        );
      if (/Block scalar values in collections must be indented/.test(english))
        return syntax("indentação incorreta: o texto em bloco (| ou >) precisa de mais recuo que a sua chave");
      const close = /end with an? ([\]}])/.exec(english);
      if (close)
        return syntax(
          `a lista ou mapa entre colchetes/chaves precisa ter recuo suficiente e terminar com "${close[1]}"`,
        );
      return syntax("indentação incorreta");
    }
    case "MISSING_CHAR": {
      if (/Missing closing "quote/.test(english)) return syntax('faltam as aspas duplas (") de fechamento');
      if (/Missing closing 'quote/.test(english)) return syntax("falta o apóstrofo (') de fechamento");
      if (/Implicit map keys need to be followed by map values/.test(english))
        return syntax('falta ":" depois da chave');
      if (/Sequence item without - indicator/.test(english))
        return syntax('indentação incorreta ou item de lista sem "-": confira o recuo desta linha');
      if (/Missing , or : between/.test(english)) return syntax('falta uma vírgula (ou ":") entre os itens');
      if (/Missing , between/.test(english)) return syntax("falta uma vírgula entre os itens");
      if (/Missing space after :/.test(english)) return syntax('falta um espaço depois de ":"');
      if (/Comments must be separated/.test(english)) return syntax('o comentário ("#") precisa de um espaço antes');
      if (/directives-end/.test(english)) return syntax('falta a linha "---" depois da diretiva');
      const close = /end with an? ([\]}])/.exec(english) ?? /Expected .*?([\]}])/.exec(english);
      if (close) return syntax(`falta fechar com "${close[1]}"`);
      return syntax("falta um caractere esperado neste ponto");
    }
    case "BAD_DQ_ESCAPE": {
      const raw = /Invalid escape sequence (.*)$/s.exec(english)?.[1];
      return syntax(
        `sequência de escape inválida${raw ? ` "${raw}"` : ""} dentro de aspas duplas (para uma barra invertida, escreva "\\\\")`,
      );
    }
    case "BAD_SCALAR_START":
      return syntax("este valor não pode começar com este caractere sem aspas: coloque o valor entre aspas");
    case "MULTILINE_IMPLICIT_KEY":
      return syntax('a chave precisa estar numa única linha (confira se faltou ":" ou se a indentação está correta)');
    case "BLOCK_AS_IMPLICIT_KEY":
      if (/Nested mappings/.test(english))
        return syntax(
          'não é possível abrir um mapa na mesma linha de outra chave: quebre a linha e indente (ou use aspas se o ":" faz parte do texto)',
        );
      return syntax("uma lista em bloco não pode ser usada como chave");
    case "BLOCK_IN_FLOW":
      return syntax("listas e mapas em bloco não são permitidos dentro de [ ] ou { }");
    case "KEY_OVER_1024_CHARS":
      return syntax("a chave é longa demais (mais de 1024 caracteres)");
    case "MULTIPLE_DOCS":
      return syntax("o arquivo tem mais de um documento YAML; um conjunto de regras deve ser um único documento");
    case "BAD_DIRECTIVE":
      return { code: "yaml/unsupported", message: "diretiva inválida ou não suportada" };
    case "ALIAS_PROPS":
    case "BAD_ALIAS":
    case "MULTIPLE_ANCHORS":
    case "MULTIPLE_TAGS":
    case "TAG_RESOLVE_FAILED":
    case "BAD_COLLECTION_TYPE":
    case "BAD_PROP_ORDER":
    case "NON_STRING_KEY":
      return { code: "yaml/unsupported", message: "recurso do YAML não suportado nos arquivos de regras" };
    case "RESOURCE_EXHAUSTION":
      return { code: "yaml/too-deep", message: "o arquivo é complexo demais para ser lido" };
    default:
      if (/Unexpected , in/.test(english)) return syntax("vírgula fora de lugar");
      if (/Block scalar header includes extra characters/.test(english))
        return syntax('cabeçalho inválido de texto em bloco: depois de "|" ou ">" só podem vir "-", "+" ou um dígito');
      return syntax("trecho inesperado neste ponto (confira a indentação, os dois-pontos e as aspas)");
  }
}
