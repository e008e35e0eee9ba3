/**
 * YAML layer of the rule language: turns the text of a rule-set file into a yaml `Document`
 * whose nodes keep exact source positions, and maps every character of a string scalar back to
 * the offset in the file that produced it (so that an error inside a DSL expression written in a
 * YAML value can point to the exact line:column of the file).
 *
 * Hardening, in order:
 *
 * 1. The text is first turned into a CST with yaml's `Parser` (which drives its `Lexer`). Both are
 *    iterative, so arbitrarily deep input is safe at this stage. The CST is then walked with an
 *    explicit stack (never recursion) to measure the nesting depth of collections; beyond
 *    `MAX_YAML_DEPTH` we report "yaml/too-deep" and never compose, because yaml's composer is
 *    recursive (and yaml 2.9.1 could even abort the process with a V8 OOM on the second deeply
 *    nested document parsed in one process; we pin 2.9.0 AND bound depth).
 * 2. The same walk rejects what analysts do not need and what would make the dialect or the
 *    source positions ambiguous: directives other than `%YAML 1.2` (a `%YAML 1.1` directive
 *    would turn on merge keys and 1.1 booleans such as `NO` → false), explicit tags, anchors and
 *    aliases (an alias makes one node appear at several places of the file, so positions become
 *    ambiguous; repeating the content is always possible), merge keys `<<`, and more than one
 *    document per file.
 * 3. The CST is composed with a pinned, strict option set (YAML 1.2 core schema, no merge keys,
 *    unique keys, no known-tag resolution). Rejected directives are removed from the token
 *    stream before composing, so they cannot change the dialect.
 * 4. Composed maps are checked for duplicate keys (reported at the second key) and non-string
 *    keys. Every yaml error AND warning becomes an error diagnostic in Portuguese.
 *
 * This module must stay free of `node:` imports: it also runs in a browser worker.
 */
import { Composer, Parser, isCollection, isMap, isNode, isPair, isScalar, isSeq } from "yaml";
import type { CST, Document, Node as YamlNode, Pair, ParsedNode, Scalar, YAMLError } from "yaml";
import { createError, sortDiagnostics, unsafeNumberProblem } from "../diagnostics.js";
import type { Diagnostic, DiagnosticCode, Range, StageResult } from "../diagnostics.js";

/** Maximum nesting depth of collections (maps and sequences, block or flow) in a rule-set file. */
export const MAX_YAML_DEPTH = 64;

/**
 * The pinned parse options. `version`/`schema`/`merge` pin the dialect; `resolveKnownTags: false`
 * stops yaml from honouring `!!binary`, `!!set`, `!!timestamp`... even if a tag slipped through;
 * `maxAliasCount` bounds alias expansion should an alias ever reach `toJS` (aliases are rejected
 * anyway); `keepSourceTokens` keeps the CST token on every node (`scalarValueOffsets` needs it).
 * No custom tags are configured.
 */
const YAML_OPTIONS = {
  version: "1.2",
  schema: "core",
  merge: false,
  uniqueKeys: true,
  strict: true,
  prettyErrors: false,
  maxAliasCount: 50,
  resolveKnownTags: false,
  keepSourceTokens: true,
  stringKeys: false,
  intAsBigInt: false,
} as const;

type ParsedDocument = Document.Parsed;

// ---------------------------------------------------------------------------------------------
// loadYaml
// ---------------------------------------------------------------------------------------------

/**
 * Parses the text of a rule-set file. Never throws. `value` is the (first) composed document, or
 * `undefined` when nothing could be composed (empty file, nesting too deep, internal error).
 * When `diagnostics` contains errors the document may be partial: later stages may use it for
 * best-effort reporting only. When there are no errors, every map key is a plain `Scalar` with a
 * string value and no anchors, aliases or tags occur anywhere.
 */
export function loadYaml(text: string): StageResult<ParsedDocument | undefined> {
  try {
    return loadYamlUnsafe(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      value: undefined,
      diagnostics: [createError("internal/error", `erro interno ao ler o YAML: ${detail}`, { start: 0, end: 0 })],
    };
  }
}

function loadYamlUnsafe(text: string): StageResult<ParsedDocument | undefined> {
  if (text.trim() === "") {
    return {
      value: undefined,
      diagnostics: [createError("yaml/syntax", "o arquivo está vazio", { start: 0, end: 0 })],
    };
  }

  const tokens = Array.from(new Parser().parse(text));
  const scan = scanCst(tokens, text);
  if (scan.tooDeep) {
    return { value: undefined, diagnostics: sortDiagnostics([...scan.diagnostics, scan.tooDeep]) };
  }

  const diagnostics: Diagnostic[] = [...scan.diagnostics];
  const composer = new Composer(YAML_OPTIONS);
  const docs = Array.from(composer.compose(scan.tokens, true, text.length));
  for (const doc of docs) {
    const issues = [...doc.errors, ...doc.warnings];
    const index = indexIssues(issues);
    const fromDoc: Diagnostic[] = [];
    for (const e of issues) {
      const indentation = misIndentedKey(e, index, text) ?? misalignedItem(e, text);
      if (indentation === "consequence") continue;
      if (indentation) fromDoc.push(indentation);
      else pushYamlError(fromDoc, e, text, scan.hasProps);
    }
    checkKeys(doc, text, fromDoc);
    diagnostics.push(...withoutSameLineCascades(fromDoc, text));
  }
  const doc = docs[0];
  if (doc === undefined || isEmptyContents(doc)) {
    const range = { start: 0, end: 0 };
    return {
      value: undefined,
      diagnostics: sortDiagnostics([...diagnostics, createError("yaml/syntax", "o arquivo está vazio", range)]),
    };
  }
  return { value: doc, diagnostics: sortDiagnostics(diagnostics) };
}

function isEmptyContents(doc: ParsedDocument): boolean {
  const c = doc.contents;
  if (c === null || c === undefined) return true;
  return isScalar(c) && c.value === null && c.range[0] === c.range[1];
}

// ---------------------------------------------------------------------------------------------
// CST scan: depth, directives, documents, anchors, aliases, tags, merge keys
// ---------------------------------------------------------------------------------------------

interface CstScan {
  /** Tokens to compose (rejected directives removed). */
  readonly tokens: CST.Token[];
  readonly diagnostics: Diagnostic[];
  /** Set when nesting exceeds MAX_YAML_DEPTH: the document must not be composed. */
  readonly tooDeep: Diagnostic | undefined;
  /** True when anchors, aliases or tags were found (yaml's own complaints about them are redundant). */
  readonly hasProps: boolean;
}

function scanCst(tokens: CST.Token[], text: string): CstScan {
  const diagnostics: Diagnostic[] = [];
  const kept: CST.Token[] = [];
  let documents = 0;
  let hasProps = false;
  let tooDeep: Diagnostic | undefined;

  const stack: { token: CST.Token; depth: number }[] = [];
  const rows = tableRowTokens(tokens);
  const dashValues: CST.FlowScalar[] = [];
  for (const token of tokens) {
    if (token.type === "directive") {
      if (/^%YAML[ \t]+1\.2[ \t]*$/.test(token.source)) {
        kept.push(token);
      } else {
        // Dropped from the composer's input so that it cannot switch the dialect.
        const name = token.source.trim();
        const message = /^%YAML\b/.test(name)
          ? `a diretiva "${name}" não é suportada: os arquivos de regras usam YAML 1.2 (remova esta linha)`
          : `a diretiva "${name}" não é suportada (remova esta linha)`;
        diagnostics.push(createError("yaml/unsupported", message, tokenRange(token, text)));
      }
      continue;
    }
    kept.push(token);
    if (token.type === "document") {
      documents++;
      if (documents === 2) {
        const marker = token.start.find((t) => t.type === "doc-start");
        const range = marker
          ? tokenRange(marker, text)
          : { start: token.offset, end: Math.min(token.offset + 1, text.length) };
        diagnostics.push(
          createError(
            "yaml/syntax",
            'o arquivo tem mais de um documento YAML (separados por "---"); um conjunto de regras deve ser um único documento',
            range,
          ),
        );
      }
    }
    if (tooDeep === undefined) stack.push({ token, depth: 0 });

    // Iterative walk of this top-level token; children are pushed in reverse so that they are
    // visited in source order (only relevant for the order of discovery, diagnostics are sorted).
    while (stack.length > 0 && tooDeep === undefined) {
      const { token: t, depth } = stack.pop()!;
      const children: (CST.Token | null | undefined)[] = [];
      let childDepth = depth;
      switch (t.type) {
        case "document":
          children.push(...t.start, t.value, ...(t.end ?? []));
          break;
        case "doc-end":
          children.push(...(t.end ?? []));
          break;
        case "block-map":
        case "block-seq":
        case "flow-collection": {
          childDepth = depth + 1;
          if (childDepth > MAX_YAML_DEPTH) {
            const start = t.type === "flow-collection" ? t.start.offset : t.offset;
            tooDeep = createError(
              "yaml/too-deep",
              `o arquivo está aninhado demais (mais de ${MAX_YAML_DEPTH} níveis)`,
              clampRange(start, start + 1, text),
            );
            break;
          }
          if (t.type === "flow-collection") {
            fixLoneDashes(t, rows.has(t), text, diagnostics);
            children.push(t.start);
          } else if (t.type === "block-map" && rows.has(t)) {
            dashValues.push(...fixLoneDashValues(t));
          }
          for (const item of t.items) {
            children.push(...item.start);
            if (item.key !== undefined && item.key !== null) {
              const key = item.key;
              if (key.type === "scalar" && key.source === "<<") {
                diagnostics.push(
                  createError(
                    "yaml/unsupported",
                    'a chave de mesclagem "<<" não é suportada: escreva as chaves explicitamente',
                    tokenRange(key, text),
                  ),
                );
              }
              children.push(key);
            }
            if (item.sep) children.push(...item.sep);
            children.push(item.value);
          }
          if (t.type === "flow-collection") children.push(...t.end);
          break;
        }
        case "block-scalar":
          children.push(...t.props);
          break;
        case "alias":
          hasProps = true;
          diagnostics.push(
            createError(
              "yaml/unsupported",
              `referências como "${t.source}" não são suportadas: repita o conteúdo no lugar da referência`,
              tokenRange(t, text),
            ),
          );
          children.push(...(t.end ?? []));
          break;
        case "scalar":
        case "single-quoted-scalar":
        case "double-quoted-scalar":
          children.push(...(t.end ?? []));
          break;
        case "anchor":
          hasProps = true;
          diagnostics.push(
            createError(
              "yaml/unsupported",
              `âncoras como "${t.source}" não são suportadas: repita o conteúdo em vez de reutilizá-lo`,
              tokenRange(t, text),
            ),
          );
          break;
        case "tag":
          hasProps = true;
          diagnostics.push(
            createError(
              "yaml/unsupported",
              `a marcação de tipo "${t.source}" não é suportada: remova-a (para um texto, use aspas)`,
              tokenRange(t, text),
            ),
          );
          break;
        default:
          break;
      }
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child) stack.push({ token: child, depth: childDepth });
      }
    }
  }
  if (dashValues.length > 0 && tooDeep === undefined) reattachLineBreaks(kept, dashValues);
  return { tokens: kept, diagnostics, tooDeep, hasProps };
}

// ---------------------------------------------------------------------------------------------
// The "any" cell `-` in table rows
// ---------------------------------------------------------------------------------------------

/*
 * `-` is the documented "any value" cell of a decision table, but in YAML a lone `-` is the
 * block-sequence indicator: `[Denúncia, -, 10]` and `{servico: -}` are YAML errors (three of them
 * per dash), and `servico: -` in a block mapping is one. Inside the rows of a table
 * (`tables[*].rows[*]`, found on the CST by path), a lone `-` item or value is rewritten, before
 * composing, into the plain scalar "-" at the same offset, i.e. read exactly as if it had been
 * quoted. Anywhere else inside brackets a lone `-` stays an error, but ONE clear error at the dash
 * instead of yaml's cascade. Only a `-` followed by nothing but spaces, a comment or a line break
 * before the next `,`, `]` or `}` is touched; `-1`, `-x` and `- x` are left alone.
 */

/** The CST tokens of the rows of every decision table (`tables[*].rows[*]`). */
function tableRowTokens(tokens: readonly CST.Token[]): Set<CST.Token> {
  const rows = new Set<CST.Token>();
  for (const doc of tokens) {
    if (doc.type !== "document" || !doc.value) continue;
    const tables = cstMapValue(doc.value, "tables");
    for (const table of cstSeqValues(tables)) {
      for (const row of cstSeqValues(cstMapValue(table, "rows"))) rows.add(row);
    }
  }
  return rows;
}

function isFlow(token: CST.Token, open: "[" | "{"): token is CST.FlowCollection {
  return token.type === "flow-collection" && token.start.source === open;
}

function cstKeyName(token: CST.Token | null | undefined): string | undefined {
  if (!token) return undefined;
  if (token.type === "scalar") return token.source;
  if (token.type === "single-quoted-scalar" || token.type === "double-quoted-scalar") return token.source.slice(1, -1);
  return undefined;
}

function cstMapValue(token: CST.Token | null | undefined, key: string): CST.Token | undefined {
  if (!token || !(token.type === "block-map" || isFlow(token, "{"))) return undefined;
  for (const item of token.items) if (cstKeyName(item.key) === key) return item.value ?? undefined;
  return undefined;
}

function cstSeqValues(token: CST.Token | null | undefined): CST.Token[] {
  if (!token || !(token.type === "block-seq" || isFlow(token, "["))) return [];
  return token.items.map((i) => i.value).filter((v): v is CST.Token => v !== undefined && v !== null);
}

type CstItem = CST.FlowCollection["items"][number];

/** A block sequence holding one empty item: what yaml makes of a lone `-`. Returns the dash and what follows it. */
function loneDashSeq(
  token: CST.Token | null | undefined,
): { dash: CST.SourceToken; rest: CST.SourceToken[] } | undefined {
  if (token?.type !== "block-seq" || token.items.length !== 1) return undefined;
  const item = token.items[0] as CstItem;
  if (item.key || (item.sep && item.sep.length > 0)) return undefined;
  if (item.value && !(item.value.type === "scalar" && item.value.source === "")) return undefined;
  const [dash, ...rest] = item.start;
  if (dash?.type !== "seq-item-ind") return undefined;
  if (!rest.every((r) => r.type === "space" || r.type === "comment" || r.type === "newline")) return undefined;
  return { dash, rest };
}

function dashScalar(dash: CST.SourceToken, rest: CST.SourceToken[]): CST.FlowScalar {
  return { type: "scalar", offset: dash.offset, indent: dash.indent, source: "-", end: rest };
}

/**
 * Rewrites the lone `-` items of a flow collection (see above). In a table row they become the
 * cell "-"; elsewhere they also become "-" (so that yaml reports nothing more) plus one error.
 */
function fixLoneDashes(fc: CST.FlowCollection, isRow: boolean, text: string, diagnostics: Diagnostic[]): void {
  const items = fc.items;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as CstItem;
    let found: { dash: CST.SourceToken; rest: CST.SourceToken[] } | undefined;
    let fixed: CstItem | undefined;
    if (fc.start.source === "[") {
      const asValue = !item.key && !(item.sep && item.sep.length > 0) ? loneDashSeq(item.value) : undefined;
      const asKey =
        item.key &&
        (!item.sep || item.sep.length === 0) &&
        (!item.value || (item.value.type === "scalar" && item.value.source === ""))
          ? loneDashSeq(item.key)
          : undefined;
      found = asValue ?? asKey;
      if (found) fixed = { start: item.start, value: dashScalar(found.dash, found.rest) };
    } else if (item.key && item.sep && item.sep.length > 0) {
      found = loneDashSeq(item.value);
      if (found) {
        fixed = { start: item.start, key: item.key, sep: item.sep, value: dashScalar(found.dash, found.rest) };
        // yaml also invents an empty key right after the dash: drop it.
        const next = items[i + 1];
        if (
          next &&
          next.start.length === 0 &&
          next.key?.type === "scalar" &&
          next.key.source === "" &&
          (!next.sep || next.sep.length === 0) &&
          !next.value
        ) {
          items.splice(i + 1, 1);
        }
      }
    }
    if (!found || !fixed) continue;
    items[i] = fixed;
    if (!isRow) {
      diagnostics.push(
        createError(
          "yaml/syntax",
          'um "-" sozinho dentro de [ ] ou { } não é um valor em YAML: escreva "-" entre aspas (só nas linhas de uma tabela ele vale sem aspas, como "qualquer valor")',
          tokenRange(found.dash, text),
        ),
      );
    }
  }
}

/** In a block-mapping table row, `coluna: -` (an error token for yaml) becomes the cell "-". */
function fixLoneDashValues(map: CST.BlockMap): CST.FlowScalar[] {
  const fixed: CST.FlowScalar[] = [];
  for (const item of map.items) {
    const v = item.value;
    if (v && v.type === "error" && v.source === "-" && item.key && item.sep && item.sep.length > 0) {
      const scalar: CST.FlowScalar = { type: "scalar", offset: v.offset, indent: map.indent, source: "-", end: [] };
      item.value = scalar;
      fixed.push(scalar);
    }
  }
  return fixed;
}

/**
 * After an error token, yaml puts the line break that ends it at the start of whatever item comes
 * next (possibly an item of an enclosing collection); after a plain scalar it belongs to the
 * scalar's `end`. Moves it there, so that the rewritten `coluna: -` has exactly the CST of
 * `coluna: "-"` (the formatter reads blank lines from the `start` of items).
 */
function reattachLineBreaks(tokens: readonly CST.Token[], scalars: readonly CST.FlowScalar[]): void {
  const wanted = new Map<number, CST.FlowScalar>(scalars.map((s) => [s.offset + s.source.length, s]));
  const stack: CST.Token[] = [...tokens];
  while (stack.length > 0 && wanted.size > 0) {
    const t = stack.pop() as CST.Token;
    if (t.type !== "document" && t.type !== "block-map" && t.type !== "block-seq" && t.type !== "flow-collection")
      continue;
    if (t.type === "document") {
      if (t.value) stack.push(t.value);
      continue;
    }
    for (const item of t.items) {
      const first = item.start[0];
      const scalar = first && first.type === "newline" ? wanted.get(first.offset) : undefined;
      if (scalar?.end) {
        scalar.end.push(item.start.shift() as CST.SourceToken);
        wanted.delete(first!.offset);
      }
      for (const child of [item.key, item.value])
        if (child && typeof child === "object") stack.push(child as CST.Token);
    }
  }
}

function tokenRange(token: { offset: number; source?: unknown }, text: string): Range {
  const length = typeof token.source === "string" ? token.source.length : 1;
  return clampRange(token.offset, token.offset + Math.max(length, 1), text);
}

function clampRange(start: number, end: number, text: string): Range {
  const s = Math.max(0, Math.min(start, text.length));
  const e = Math.max(s, Math.min(end, text.length));
  return { start: s, end: e };
}

// ---------------------------------------------------------------------------------------------
// Composed document checks: duplicate keys and non-string keys
// ---------------------------------------------------------------------------------------------

function checkKeys(doc: ParsedDocument, text: string, diagnostics: Diagnostic[]): void {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Map<string, Pair>();
      for (const pair of node.items) {
        const key: unknown = pair.key;
        if (isScalar(key) && typeof key.value === "string") {
          // NFC: "é" typed as one or two code points looks the same to an analyst.
          const name = key.value.normalize("NFC");
          const first = seen.get(name);
          if (first) {
            diagnostics.push(
              createError("yaml/duplicate-key", `chave duplicada "${key.value}"`, keyRange(pair), [
                { message: `primeira ocorrência de "${key.value}"`, range: keyRange(first) },
              ]),
            );
          } else {
            seen.set(name, pair);
          }
        } else if (isScalar(key)) {
          const range = keyRange(pair);
          const source = text.slice(range.start, range.end);
          const message =
            range.start === range.end || source.trim() === ""
              ? "chave vazia: escreva um nome antes dos dois-pontos"
              : `a chave ${source} não é um texto: se for mesmo um nome, escreva-a entre aspas ("${source.replace(/"/g, '\\"')}")`;
          diagnostics.push(createError("yaml/unsupported", message, range));
        } else if (isCollection(key)) {
          diagnostics.push(
            createError(
              "yaml/unsupported",
              "chaves compostas (uma lista ou um mapa usado como chave) não são suportadas: use um nome simples como chave",
              keyRange(pair),
            ),
          );
        } else if (key === null || key === undefined) {
          diagnostics.push(
            createError("yaml/unsupported", "chave vazia: escreva um nome antes dos dois-pontos", keyRange(pair)),
          );
        }
        // Alias keys were already reported by the CST scan.
        if (pair.value !== null && pair.value !== undefined) stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Numbers that cannot be represented
// ---------------------------------------------------------------------------------------------

/**
 * Numeric scalars of the document that do not survive as a JavaScript number: `.nan`, `.inf`,
 * `-.inf`, `1e400` (Infinity) and integers written beyond 2^53 − 1 (`9007199254740993` silently
 * becomes ...992). Reported at the scalar, code `ruleset/unsafe-number`. Map keys are never
 * numbers here (see checkKeys). Iterative walk.
 */
export function unsafeNumbers(doc: ParsedDocument, text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) if (pair.value !== null && pair.value !== undefined) stack.push(pair.value);
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isScalar(node) && typeof node.value === "number") {
      const range = rangeOf(node);
      const problem = unsafeNumberProblem(text.slice(range.start, range.end), node.value);
      if (problem) out.push(createError("ruleset/unsafe-number", problem, range));
    }
  }
  return sortDiagnostics(out);
}

// ---------------------------------------------------------------------------------------------
// yaml errors → diagnostics
// ---------------------------------------------------------------------------------------------

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

function pushYamlError(out: Diagnostic[], error: YAMLError, text: string, hasProps: boolean): void {
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
function misalignedItem(error: YAMLError, text: string): Diagnostic | undefined {
  if (error.code !== "BLOCK_AS_IMPLICIT_KEY" || /Nested mappings/.test(error.message)) return undefined;
  let at = error.pos[0];
  while (at < text.length && (text[at] === " " || text[at] === "\t")) at++;
  if (text[at] !== "-") return undefined;
  return createError("yaml/syntax", MISALIGNED_ITEM, clampRange(at, at + 1, text));
}

/** Drops the diagnostics that start on the line of a misaligned list item, from its "-" on (consequences). */
function withoutSameLineCascades(diagnostics: readonly Diagnostic[], text: string): Diagnostic[] {
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

interface IssueIndex {
  /** Issues by start offset. */
  readonly byStart: ReadonlyMap<number, readonly YAMLError[]>;
  /** Start offsets of indentation and missing-character issues, ascending. */
  readonly indentStarts: readonly number[];
}

function indexIssues(issues: readonly YAMLError[]): IssueIndex {
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
function misIndentedKey(error: YAMLError, index: IssueIndex, text: string): Diagnostic | "consequence" | undefined {
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

// ---------------------------------------------------------------------------------------------
// Ranges
// ---------------------------------------------------------------------------------------------

type AnyNode = YamlNode | ParsedNode | Pair<unknown, unknown>;

/**
 * Source range of a node's value, without trailing comments or line breaks. For a block
 * collection this ends where its last item ends; for a pair it spans key and value.
 * Nodes without a range (built in code, not parsed) give `{ start: 0, end: 0 }`.
 */
export function rangeOf(node: AnyNode | null | undefined): Range {
  if (node === null || node === undefined) return { start: 0, end: 0 };
  if (isPair(node)) {
    const k = isNode(node.key) ? rangeOf(node.key) : undefined;
    const v = isNode(node.value) && !isEmptyScalar(node.value) ? rangeOf(node.value) : undefined;
    const start = k?.start ?? v?.start ?? 0;
    return { start, end: Math.max(start, v?.end ?? k?.end ?? start) };
  }
  const range = node.range;
  if (!range) return { start: 0, end: 0 };
  const start = range[0];
  let end = range[1];
  // Block collections' ranges run to the start of the next line; walk the last-item chain
  // iteratively (no recursion) to the last node that really has content.
  let cur: unknown = node;
  for (;;) {
    if (isCollection(cur) && !cur.flow && cur.items.length > 0) {
      const last: unknown = cur.items[cur.items.length - 1];
      if (isPair(last)) {
        if (isNode(last.value) && !isEmptyScalar(last.value)) cur = last.value;
        else if (isNode(last.key)) cur = last.key;
        else break;
        continue;
      }
      if (isNode(last)) {
        cur = last;
        continue;
      }
      break;
    }
    if (isNode(cur) && cur !== node && cur.range) end = cur.range[1];
    break;
  }
  return { start, end: Math.max(start, end) };
}

/** Range of a pair's key (a zero-width range at the value for a missing key). */
export function keyRange(pair: Pair<unknown, unknown>): Range {
  if (isNode(pair.key) && pair.key.range) return rangeOf(pair.key);
  if (isNode(pair.value) && pair.value.range) {
    const start = pair.value.range[0];
    return { start, end: start };
  }
  return { start: 0, end: 0 };
}

function isEmptyScalar(node: YamlNode): boolean {
  return isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}

// ---------------------------------------------------------------------------------------------
// scalarValueOffsets
// ---------------------------------------------------------------------------------------------

/**
 * For a string scalar, `map[i]` is the offset in `text` (UTF-16 code units) of the source
 * character that produced `String(node.value)[i]`; `map[value.length]` is the offset just past
 * the last source character of the value (or the start of the content for an empty value).
 *
 * Characters produced by an escape (`\"`, `\u00e9`, `''`) map to the start of the escape; spaces
 * and newlines produced by line folding map to the line break they replace; characters copied
 * verbatim map to themselves. The map is non-decreasing.
 *
 * The mapping replicates, step by step, how yaml 2.9.0 resolves each scalar style (see
 * `compose/resolve-flow-scalar.js` and `compose/resolve-block-scalar.js`) and is verified against
 * the composed value; if it ever disagrees (a yaml change, or `text` is not the parsed text) a
 * coarse map clamped to the scalar's range is returned instead of a wrong exact one.
 * Works best on nodes composed with `keepSourceTokens` (as `loadYaml` does).
 */
export function scalarValueOffsets(node: Scalar, text: string): number[] {
  const expected = String(node.value);
  try {
    for (const token of candidateTokens(node, text)) {
      const mapped = mapToken(token);
      if (mapped && mapped.value === expected) return mapped.map;
    }
  } catch {
    // fall through to the coarse map
  }
  return coarseMap(node, expected, text);
}

interface Mapped {
  readonly value: string;
  /** Length value.length + 1. */
  readonly map: number[];
}

/** Accumulates produced characters with the source offset of each. */
class OffsetBuilder {
  private readonly parts: string[] = [];
  readonly starts: number[] = [];
  /** End offset of the source span of the last produced character. */
  end: number;

  constructor(contentStart: number) {
    this.end = contentStart;
  }

  /** Characters copied verbatim from source offset `at`. */
  copy(s: string, at: number): void {
    if (s.length === 0) return;
    this.parts.push(s);
    for (let k = 0; k < s.length; k++) this.starts.push(at + k);
    this.end = at + s.length;
  }

  /** Characters produced by one source construct spanning `[start, end)`. */
  produce(s: string, start: number, end: number): void {
    if (s.length === 0) return;
    this.parts.push(s);
    for (let k = 0; k < s.length; k++) this.starts.push(start);
    this.end = end;
  }

  /** Like `produce`, with one start per character. */
  produceEach(s: string, starts: readonly number[], end: number): void {
    if (s.length === 0) return;
    this.parts.push(s);
    for (let k = 0; k < s.length; k++) this.starts.push(starts[k] ?? starts[starts.length - 1] ?? end);
    this.end = end;
  }

  get value(): string {
    return this.parts.join("");
  }

  finish(): Mapped {
    return { value: this.value, map: [...this.starts, this.end] };
  }
}

type ScalarToken = CST.FlowScalar | CST.BlockScalar;

function isScalarToken(t: unknown): t is ScalarToken {
  if (typeof t !== "object" || t === null) return false;
  const type = (t as { type?: unknown }).type;
  return (
    type === "scalar" || type === "single-quoted-scalar" || type === "double-quoted-scalar" || type === "block-scalar"
  );
}

/**
 * The CST token of the node, checked against `text`; without one (a document parsed without
 * `keepSourceTokens`), tokens rebuilt from the node's range (for block scalars one per candidate
 * parent indentation, since the indentation is not recorded on the node).
 */
function* candidateTokens(node: Scalar, text: string): Generator<ScalarToken> {
  const src: unknown = node.srcToken;
  if (isScalarToken(src)) {
    if (tokenMatchesText(src, text)) yield src;
    return;
  }
  const range = node.range;
  if (!range) return;
  const [start, valueEnd] = range;
  switch (node.type) {
    case "PLAIN":
      yield { type: "scalar", offset: start, indent: 0, source: text.slice(start, valueEnd) };
      return;
    case "QUOTE_SINGLE":
      yield { type: "single-quoted-scalar", offset: start, indent: 0, source: text.slice(start, valueEnd) };
      return;
    case "QUOTE_DOUBLE":
      yield { type: "double-quoted-scalar", offset: start, indent: 0, source: text.slice(start, valueEnd) };
      return;
    case "BLOCK_LITERAL":
    case "BLOCK_FOLDED": {
      const header = /^[|>][^ \t\r\n#]*/.exec(text.slice(start, valueEnd))?.[0];
      if (!header) return;
      const rest = /^[^\r\n]*(?:\r\n|\r|\n)?/.exec(text.slice(start + header.length, valueEnd))?.[0] ?? "";
      const props: CST.Token[] = [{ type: "block-scalar-header", offset: start, indent: 0, source: header }];
      if (rest) props.push({ type: "space", offset: start + header.length, indent: 0, source: rest });
      const source = text.slice(start + header.length + rest.length, valueEnd);
      for (let indent = -1; indent <= 100; indent++)
        yield { type: "block-scalar", offset: start, indent, props, source };
      return;
    }
    default:
      return;
  }
}

function tokenMatchesText(token: ScalarToken, text: string): boolean {
  if (token.type !== "block-scalar") return text.startsWith(token.source, token.offset);
  let at = token.offset;
  for (const p of token.props) {
    const s = (p as { source?: unknown }).source;
    if (typeof s !== "string") continue;
    if (!text.startsWith(s, at)) return false;
    at += s.length;
  }
  return text.startsWith(token.source, at);
}

function mapToken(token: ScalarToken): Mapped | undefined {
  switch (token.type) {
    case "scalar":
      return foldLinesMapped(token.source, token.offset).finish();
    case "single-quoted-scalar":
      return singleQuotedMapped(token);
    case "double-quoted-scalar":
      return doubleQuotedMapped(token);
    case "block-scalar":
      return blockScalarMapped(token);
    default:
      return undefined;
  }
}

function coarseMap(node: Scalar, value: string, text: string): number[] {
  const range = node.range ?? [0, 0, 0];
  let start = Math.max(0, Math.min(range[0], text.length));
  let end = Math.max(start, Math.min(range[1], text.length));
  if ((node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") && end - start >= 2) {
    start += 1;
    end -= 1;
  }
  const map: number[] = [];
  for (let i = 0; i < value.length; i++) map.push(Math.min(start + i, end));
  map.push(end);
  return map;
}

// Same expressions as yaml's foldLines (with its fallback where lookbehind is unsupported), plus
// the `d` flag for group offsets.
const FOLD_REGEXPS = ((): { first: RegExp; line: RegExp } => {
  try {
    return {
      first: /(.*?)(?<![ \t])[ \t]*\r?\n/dsy,
      line: /[ \t]*(.*?)(?:(?<![ \t])[ \t]*)?\r?\n/dsy,
    };
  } catch {
    return { first: /(.*?)[ \t]*\r?\n/dsy, line: /[ \t]*(.*?)[ \t]*\r?\n/dsy };
  }
})();

/** Offset (relative to the match's string) where the line break that ends `match` starts. */
function breakStartOf(match: RegExpExecArray): number {
  const m = match[0];
  return match.index + m.length - (m.endsWith("\r\n") ? 2 : 1);
}

/** Mirror of yaml's `foldLines(source)` for source starting at offset `base`. */
function foldLinesMapped(source: string, base: number): OffsetBuilder {
  const b = new OffsetBuilder(base);
  const first = new RegExp(FOLD_REGEXPS.first.source, FOLD_REGEXPS.first.flags);
  const line = new RegExp(FOLD_REGEXPS.line.source, FOLD_REGEXPS.line.flags);
  let match = first.exec(source);
  if (!match) {
    b.copy(source, base);
    return b;
  }
  b.copy(match[1] ?? "", base);
  // The pending separator: what the last line break folds into, and where that break is.
  let sep = " ";
  let sepStart = base + breakStartOf(match);
  let sepEnd = base + first.lastIndex;
  let pos = first.lastIndex;
  line.lastIndex = pos;
  for (match = line.exec(source); match; match = line.exec(source)) {
    const brkStart = base + breakStartOf(match);
    const brkEnd = base + line.lastIndex;
    const content = match[1] ?? "";
    if (content === "") {
      if (sep === "\n") b.produce("\n", sepStart, sepEnd);
      else sep = "\n";
    } else {
      b.produce(sep, sepStart, sepEnd);
      b.copy(content, base + (match.indices?.[1]?.[0] ?? 0));
      sep = " ";
    }
    sepStart = brkStart;
    sepEnd = brkEnd;
    pos = line.lastIndex;
  }
  const last = /[ \t]*(.*)/dsy;
  last.lastIndex = pos;
  const lastMatch = last.exec(source);
  b.produce(sep, sepStart, sepEnd);
  if (lastMatch) b.copy(lastMatch[1] ?? "", base + (lastMatch.indices?.[1]?.[0] ?? pos));
  return b;
}

/** Mirror of yaml's `singleQuotedValue`: fold the inner text, then `''` → `'`. */
function singleQuotedMapped(token: CST.FlowScalar): Mapped {
  const inner = token.source.slice(1, -1);
  const folded = foldLinesMapped(inner, token.offset + 1);
  const value = folded.value;
  const starts = folded.starts;
  const b = new OffsetBuilder(token.offset + 1);
  for (let k = 0; k < value.length; k++) {
    const at = starts[k] ?? 0;
    if (value[k] === "'" && value[k + 1] === "'") {
      b.produce("'", at, (starts[k + 1] ?? at) + 1);
      k++;
    } else if (k === value.length - 1) {
      // Keep the original span end for the last character (it may be a folded line break).
      b.produce(value[k] ?? "", at, folded.end);
    } else {
      b.copy(value[k] ?? "", at);
    }
  }
  if (value.length === 0) b.end = folded.end;
  return b.finish();
}

const DQ_ESCAPES = new Map<string, string>([
  ["0", "\0"],
  ["a", "\x07"],
  ["b", "\b"],
  ["e", "\x1b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
  ["v", "\v"],
  ["N", "\u0085"],
  ["_", "\u00a0"],
  ["L", "\u2028"],
  ["P", "\u2029"],
  [" ", " "],
  ['"', '"'],
  ["/", "/"],
  ["\\", "\\"],
  ["\t", "\t"],
]);

/** Mirror of yaml's `doubleQuotedValue` (source includes the quotes). */
function doubleQuotedMapped(token: CST.FlowScalar): Mapped {
  const source = token.source;
  const base = token.offset;
  const b = new OffsetBuilder(base + 1);
  for (let i = 1; i < source.length - 1; ++i) {
    const ch = source[i] ?? "";
    if (ch === "\r" && source[i + 1] === "\n") continue;
    if (ch === "\n") {
      // foldNewline: a single break folds to a space, N breaks to N - 1 newlines.
      const brkStart = source[i - 1] === "\r" ? i - 1 : i;
      let fold = "";
      const foldStarts: number[] = [];
      let offset = i;
      let c = source[offset + 1];
      while (c === " " || c === "\t" || c === "\n" || c === "\r") {
        if (c === "\r" && source[offset + 2] !== "\n") break;
        if (c === "\n") {
          fold += "\n";
          foldStarts.push(base + (source[offset] === "\r" ? offset : offset + 1));
        }
        offset += 1;
        c = source[offset + 1];
      }
      if (fold) b.produceEach(fold, foldStarts, base + offset + 1);
      else b.produce(" ", base + brkStart, base + i + 1);
      i = offset;
    } else if (ch === "\\") {
      const escStart = i;
      let next = source[++i];
      const cc = next === undefined ? undefined : DQ_ESCAPES.get(next);
      if (cc) {
        b.produce(cc, base + escStart, base + i + 1);
      } else if (next === "\n") {
        next = source[i + 1];
        while (next === " " || next === "\t") next = source[++i + 1];
      } else if (next === "\r" && source[i + 1] === "\n") {
        next = source[++i + 1];
        while (next === " " || next === "\t") next = source[++i + 1];
      } else if (next === "x" || next === "u" || next === "U") {
        const length = next === "x" ? 2 : next === "u" ? 4 : 8;
        const hex = source.substr(i + 1, length);
        const ok = hex.length === length && /^[0-9a-fA-F]+$/.test(hex);
        const code = ok ? parseInt(hex, 16) : NaN;
        let produced: string | undefined;
        try {
          produced = String.fromCodePoint(code);
        } catch {
          produced = undefined;
        }
        if (produced !== undefined)
          b.produce(produced, base + escStart, base + Math.min(i + 1 + length, source.length));
        else b.copy(source.substr(i - 1, length + 2), base + i - 1);
        i += length;
      } else {
        b.copy(source.substr(i - 1, 2), base + i - 1);
      }
    } else if (ch === " " || ch === "\t") {
      // Trailing white space before a line break is trimmed.
      const wsStart = i;
      let next = source[i + 1];
      while (next === " " || next === "\t") next = source[++i + 1];
      if (next !== "\n" && !(next === "\r" && source[i + 2] === "\n"))
        b.copy(source.slice(wsStart, i + 1), base + wsStart);
    } else {
      b.copy(ch, base + i);
    }
  }
  return b.finish();
}

/** Mirror of yaml's `resolveBlockScalar`. */
function blockScalarMapped(token: CST.BlockScalar): Mapped | undefined {
  const header = token.props[0];
  if (header?.type !== "block-scalar-header") return undefined;
  const hs = header.source;
  const mode = hs[0];
  let explicitIndent = 0;
  let chomp = "";
  for (let i = 1; i < hs.length; ++i) {
    const ch = hs[i] ?? "";
    if (!chomp && (ch === "-" || ch === "+")) chomp = ch;
    else {
      const n = Number(ch);
      if (!explicitIndent && n) explicitIndent = n;
    }
  }
  let headerLength = 0;
  for (const p of token.props) {
    const s = (p as { source?: unknown }).source;
    if (typeof s === "string") headerLength += s.length;
  }
  const contentBase = token.offset + headerLength;
  const source = token.source ?? "";
  const b = new OffsetBuilder(contentBase);

  // splitLines, with the offset (relative to source) where each line starts.
  const lines: { indent: string; content: string; at: number }[] = [];
  if (source) {
    const split = source.split(/\n( *)/);
    const firstLine = split[0] ?? "";
    const m = /^( *)/.exec(firstLine);
    const firstIndent = m?.[1] ?? "";
    lines.push(
      firstIndent
        ? { indent: firstIndent, content: firstLine.slice(firstIndent.length), at: 0 }
        : { indent: "", content: firstLine, at: 0 },
    );
    for (let i = 1; i < split.length; i += 2) {
      const prev = lines[lines.length - 1]!;
      lines.push({
        indent: split[i] ?? "",
        content: split[i + 1] ?? "",
        at: prev.at + prev.indent.length + prev.content.length + 1,
      });
    }
  }
  const sourceEnd = contentBase + source.length;
  const brkStart = (k: number): number => {
    const l = lines[k];
    if (!l) return sourceEnd;
    const crlf = l.content.endsWith("\r");
    return Math.min(contentBase + l.at + l.indent.length + l.content.length - (crlf ? 1 : 0), sourceEnd);
  };
  const brkEnd = (k: number): number => {
    const l = lines[k];
    if (!l) return sourceEnd;
    return Math.min(contentBase + l.at + l.indent.length + l.content.length + 1, sourceEnd);
  };

  let chompStart = lines.length;
  for (let i = lines.length - 1; i >= 0; --i) {
    const content = lines[i]!.content;
    if (content === "" || content === "\r") chompStart = i;
    else break;
  }
  if (chompStart === 0) {
    if (chomp === "+" && lines.length > 0) {
      const n = Math.max(1, lines.length - 1);
      for (let k = 0; k < n; k++) b.produce("\n", brkStart(k), brkEnd(k));
    }
    return b.finish();
  }

  let trimIndent = token.indent + explicitIndent;
  let contentStart = 0;
  for (let i = 0; i < chompStart; ++i) {
    const { indent, content } = lines[i]!;
    if (content === "" || content === "\r") {
      if (explicitIndent === 0 && indent.length > trimIndent) trimIndent = indent.length;
    } else {
      if (explicitIndent === 0) trimIndent = indent.length;
      contentStart = i;
      break;
    }
  }
  for (let i = lines.length - 1; i >= chompStart; --i) {
    if (lines[i]!.indent.length > trimIndent) chompStart = i + 1;
  }

  const folded = mode === ">";
  let sep = "";
  let sepStart = contentBase;
  let sepEnd = contentBase;
  let prevMoreIndented = false;
  const emitSep = (): void => b.produce(sep, sepStart, sepEnd);

  for (let i = 0; i < contentStart; ++i) {
    const l = lines[i]!;
    b.copy(l.indent.slice(trimIndent), contentBase + l.at + trimIndent);
    b.produce("\n", brkStart(i), brkEnd(i));
  }
  for (let i = contentStart; i < chompStart; ++i) {
    const l = lines[i]!;
    let indent = l.indent;
    let content = l.content;
    const contentAt = contentBase + l.at + l.indent.length;
    if (content.endsWith("\r")) content = content.slice(0, -1);
    if (content && indent.length < trimIndent) indent = "";
    const indentAt = contentBase + l.at + trimIndent;
    if (!folded) {
      emitSep();
      b.copy(indent.slice(trimIndent), indentAt);
      b.copy(content, contentAt);
      sep = "\n";
    } else if (indent.length > trimIndent || content[0] === "\t") {
      if (sep === " ") sep = "\n";
      else if (!prevMoreIndented && sep === "\n") sep = "\n\n";
      emitSep();
      b.copy(indent.slice(trimIndent), indentAt);
      b.copy(content, contentAt);
      sep = "\n";
      prevMoreIndented = true;
    } else if (content === "") {
      if (sep === "\n") emitSep();
      else sep = "\n";
    } else {
      emitSep();
      b.copy(content, contentAt);
      sep = " ";
      prevMoreIndented = false;
    }
    sepStart = brkStart(i);
    sepEnd = brkEnd(i);
  }
  switch (chomp) {
    case "-":
      break;
    case "+": {
      for (let i = chompStart; i < lines.length; ++i) {
        b.produce("\n", brkStart(i - 1), brkEnd(i - 1));
        const l = lines[i]!;
        b.copy(l.indent.slice(trimIndent), contentBase + l.at + trimIndent);
      }
      if (!b.value.endsWith("\n")) b.produce("\n", brkStart(lines.length - 1), brkEnd(lines.length - 1));
      break;
    }
    default:
      b.produce("\n", brkStart(chompStart - 1), brkEnd(chompStart - 1));
  }
  return b.finish();
}
