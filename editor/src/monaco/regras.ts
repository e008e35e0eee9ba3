/**
 * The `regras` language in Monaco: a Monarch tokenizer for the YAML structure that switches into an
 * expression state after the keys that hold expressions (`when:`, `then:`, `expr:`, `check:`...) and
 * in `- saida = ...` action items, a theme, and thin providers over the worker's language services
 * (completion, hover, definition, document symbols, formatting, semantic tokens). Offsets from the
 * worker are UTF-16 offsets into the source; `model.getPositionAt/getOffsetAt` convert them.
 */
import type { Range as SourceRange } from "../../../dsl/diagnostics.js";
import type { WorkerClient } from "../worker/client.js";
import type { CompletionKind, EditorDiagnostic, EditorSymbol, SemanticTokenType } from "../worker/language-api.js";
import type { Monaco } from "./setup.js";
import type * as MonacoApi from "monaco-editor/editor";

export const LANGUAGE_ID = "regras";
export const THEME_ID = "regras-claro";
export const MARKER_OWNER = "regras";

/** Keys whose scalar is an expression, an action or a requirement. */
const EXPRESSION_KEYS = [
  "when",
  "then",
  "expr",
  "check",
  "if",
  "unless",
  "requires",
  "require",
  "formula",
  "condition",
  "guard",
  "value",
];

const KEYWORDS = [
  "and",
  "or",
  "not",
  "in",
  "is",
  "null",
  "true",
  "false",
  "if",
  "then",
  "else",
  "for",
  "where",
  "return",
  "some",
  "every",
  "decision",
];

export const SEMANTIC_TYPES: readonly SemanticTokenType[] = [
  "fact",
  "output",
  "constant",
  "value",
  "table",
  "column",
  "function",
  "keyword",
  "operator",
  "string",
  "number",
  "variable",
  "template",
];

const NAME = /[A-Za-zÀ-ÖØ-öø-ÿ_][\wÀ-ÖØ-öø-ÿ]*/;

export function monarch(): MonacoApi.languages.IMonarchLanguage {
  const exprKeys = EXPRESSION_KEYS.join("|");
  return {
    defaultToken: "",
    keywords: KEYWORDS,
    tokenizer: {
      root: [
        [/^\s*#.*$/, "comment"],
        [/\s#.*$/, "comment"],
        [
          new RegExp(`^(\\s*)((?:-\\s+)?)(${exprKeys})(\\s*)(:)(?=\\s|$)`),
          ["white", "delimiter", "key.expr", "white", { token: "delimiter", next: "@expression" }],
        ],
        [
          new RegExp(`^(\\s*-\\s+)(?=${NAME.source}(\\.${NAME.source})*\\s*=[^=])`),
          { token: "delimiter", next: "@expression" },
        ],
        [new RegExp(`${NAME.source}[\\w\\-À-ÿ]*(?=\\s*:(\\s|$))`), "key"],
        [/"([^"\\]|\\.)*"/, "string"],
        [/'([^']|'')*'/, "string"],
        [/-?\d+(\.\d+)?(?=\s*([,}\]#]|$))/, "number"],
        [/[{}[\],:|>-]/, "delimiter"],
      ],
      expression: [
        [/$/, "", "@pop"],
        [/\s#.*$/, "comment"],
        [/[|>][-+]?\s*$/, "delimiter"],
        [/"([^"\\]|\\.)*"/, "string"],
        [/'([^']|'')*'/, "string"],
        [/\d+(\.\d+)?[a-zA-Z]*/, "number"],
        [NAME, { cases: { "@keywords": "keyword", "@default": "identifier" } }],
        [/==|!=|<=|>=|[<>=+\-*/%]/, "operator"],
        [/[()[\]{},.]/, "delimiter"],
      ],
    },
  };
}

const COMPLETION_KINDS = (m: Monaco): Record<CompletionKind, MonacoApi.languages.CompletionItemKind> => ({
  fact: m.languages.CompletionItemKind.Variable,
  field: m.languages.CompletionItemKind.Field,
  enum: m.languages.CompletionItemKind.EnumMember,
  constant: m.languages.CompletionItemKind.Constant,
  value: m.languages.CompletionItemKind.Value,
  table: m.languages.CompletionItemKind.Struct,
  column: m.languages.CompletionItemKind.Property,
  function: m.languages.CompletionItemKind.Function,
  keyword: m.languages.CompletionItemKind.Keyword,
  template: m.languages.CompletionItemKind.Text,
  collection: m.languages.CompletionItemKind.Module,
});

function symbolKind(m: Monaco, kind: string): MonacoApi.languages.SymbolKind {
  const k = m.languages.SymbolKind;
  switch (kind) {
    case "section":
      return k.Namespace;
    case "fact":
      return k.Variable;
    case "output":
      return k.Property;
    case "constant":
      return k.Constant;
    case "value":
      return k.Field;
    case "table":
      return k.Struct;
    case "row":
      return k.EnumMember;
    case "rule":
      return k.Function;
    case "transition":
      return k.Event;
    case "template":
      return k.String;
    case "collection":
      return k.Array;
    default:
      return k.Object;
  }
}

/** A dsl range as a Monaco range of `model` (an empty range covers one character, so it shows). */
export function toMonacoRange(m: Monaco, model: MonacoApi.editor.ITextModel, range: SourceRange): MonacoApi.Range {
  const start = model.getPositionAt(range.start);
  const end = model.getPositionAt(Math.max(range.end, range.start));
  return new m.Range(start.lineNumber, start.column, end.lineNumber, end.column);
}

/** Sets the draft's diagnostics as markers (squiggles), with the Portuguese message and the code. */
export function setMarkers(m: Monaco, model: MonacoApi.editor.ITextModel, diagnostics: readonly EditorDiagnostic[]) {
  const severity = {
    error: m.MarkerSeverity.Error,
    warning: m.MarkerSeverity.Warning,
    info: m.MarkerSeverity.Info,
  } as const;
  const markers = diagnostics.map((d): MonacoApi.editor.IMarkerData => {
    let end = d.range.end;
    if (end <= d.range.start) end = Math.min(d.range.start + 1, model.getValueLength());
    const r = toMonacoRange(m, model, { start: d.range.start, end });
    return {
      severity: severity[d.severity],
      message: d.message,
      code: d.code,
      source: "regras",
      startLineNumber: r.startLineNumber,
      startColumn: r.startColumn,
      endLineNumber: r.endLineNumber,
      endColumn: r.endColumn === r.startColumn && r.startLineNumber === r.endLineNumber ? r.endColumn + 1 : r.endColumn,
      ...(d.related?.length
        ? {
            relatedInformation: d.related.map((x) => ({
              resource: model.uri,
              message: x.message,
              ...toMonacoRange(m, model, x.range),
            })),
          }
        : {}),
    };
  });
  m.editor.setModelMarkers(model, MARKER_OWNER, markers);
}

function toDocumentSymbol(
  m: Monaco,
  model: MonacoApi.editor.ITextModel,
  s: EditorSymbol,
): MonacoApi.languages.DocumentSymbol {
  return {
    name: s.name,
    detail: "",
    kind: symbolKind(m, s.kind),
    tags: [],
    range: toMonacoRange(m, model, s.range),
    selectionRange: toMonacoRange(m, model, s.selectionRange),
    children: s.children.map((c) => toDocumentSymbol(m, model, c)),
  };
}

/** Registers the language, its theme and the providers (once per page). */
export function registerRegras(m: Monaco, worker: WorkerClient): void {
  m.languages.register({ id: LANGUAGE_ID, extensions: [".yaml", ".yml"], aliases: ["Regras", "regras"] });
  m.languages.setMonarchTokensProvider(LANGUAGE_ID, monarch());
  m.languages.setLanguageConfiguration(LANGUAGE_ID, {
    comments: { lineComment: "#" },
    brackets: [
      ["{", "}"],
      ["[", "]"],
      ["(", ")"],
    ],
    // No auto-closed quote: an enum completion after `servico == "` inserts the closing quote itself.
    autoClosingPairs: [
      { open: "{", close: "}" },
      { open: "[", close: "]" },
      { open: "(", close: ")" },
    ],
    indentationRules: { increaseIndentPattern: /:\s*$/, decreaseIndentPattern: /^\s*$/ },
    wordPattern: /[A-Za-zÀ-ÖØ-öø-ÿ_][\wÀ-ÖØ-öø-ÿ]*/,
  });
  m.editor.defineTheme(THEME_ID, {
    base: "vs",
    inherit: true,
    colors: {},
    rules: [
      { token: "comment", foreground: "6a737d", fontStyle: "italic" },
      { token: "key", foreground: "0451a5" },
      { token: "key.expr", foreground: "795e26", fontStyle: "bold" },
      { token: "string", foreground: "a31515" },
      { token: "number", foreground: "098658" },
      { token: "keyword", foreground: "0000ff", fontStyle: "bold" },
      { token: "operator", foreground: "af00db" },
      { token: "identifier", foreground: "001080" },
      { token: "fact", foreground: "001080", fontStyle: "bold" },
      { token: "output", foreground: "c2185b", fontStyle: "bold" },
      { token: "constant", foreground: "0070c1" },
      { token: "value", foreground: "267f99" },
      { token: "table", foreground: "267f99", fontStyle: "bold" },
      { token: "column", foreground: "267f99" },
      { token: "function", foreground: "795e26" },
      { token: "variable", foreground: "001080", fontStyle: "italic" },
      { token: "template", foreground: "8b008b" },
    ],
  });

  const kinds = COMPLETION_KINDS(m);
  m.languages.registerCompletionItemProvider(LANGUAGE_ID, {
    triggerCharacters: [".", '"', "[", " ", "("],
    async provideCompletionItems(model, position) {
      const items = await worker.request("completions", {
        source: model.getValue(),
        offset: model.getOffsetAt(position),
      });
      return {
        suggestions: items.map((c) => ({
          label: c.label,
          kind: kinds[c.kind],
          ...(c.detail !== undefined ? { detail: c.detail } : {}),
          ...(c.documentation !== undefined ? { documentation: { value: c.documentation } } : {}),
          insertText: c.insertText,
          range: toMonacoRange(m, model, c.range),
        })),
      };
    },
  });
  m.languages.registerHoverProvider(LANGUAGE_ID, {
    async provideHover(model, position) {
      const h = await worker.request("hover", { source: model.getValue(), offset: model.getOffsetAt(position) });
      return h ? { contents: [{ value: h.markdown }], range: toMonacoRange(m, model, h.range) } : null;
    },
  });
  m.languages.registerDefinitionProvider(LANGUAGE_ID, {
    async provideDefinition(model, position) {
      const r = await worker.request("definition", { source: model.getValue(), offset: model.getOffsetAt(position) });
      return r ? { uri: model.uri, range: toMonacoRange(m, model, r) } : null;
    },
  });
  m.languages.registerDocumentSymbolProvider(LANGUAGE_ID, {
    displayName: "Regras",
    async provideDocumentSymbols(model) {
      const symbols = await worker.request("symbols", { source: model.getValue() });
      return symbols.map((s) => toDocumentSymbol(m, model, s));
    },
  });
  m.languages.registerDocumentFormattingEditProvider(LANGUAGE_ID, {
    displayName: "Regras",
    async provideDocumentFormattingEdits(model) {
      const result = await worker.request("format", { source: model.getValue() });
      if (result.text === undefined || result.text === model.getValue()) return [];
      return [{ range: model.getFullModelRange(), text: result.text }];
    },
  });
  const legend = { tokenTypes: [...SEMANTIC_TYPES], tokenModifiers: [] };
  m.languages.registerDocumentSemanticTokensProvider(LANGUAGE_ID, {
    getLegend: () => legend,
    async provideDocumentSemanticTokens(model) {
      const source = model.getValue();
      const tokens = await worker.request("semanticTokens", { source });
      if (model.getValue() !== source) return null;
      return { data: encodeSemanticTokens(model, tokens) };
    },
    releaseDocumentSemanticTokens() {},
  });
}

/** LSP-style relative encoding (line delta, start delta, length, type, modifiers), one line per token. */
export function encodeSemanticTokens(
  model: Pick<MonacoApi.editor.ITextModel, "getPositionAt">,
  tokens: readonly { start: number; length: number; type: SemanticTokenType }[],
): Uint32Array {
  const data: number[] = [];
  let lastLine = 0;
  let lastChar = 0;
  for (const t of [...tokens].sort((a, b) => a.start - b.start)) {
    const start = model.getPositionAt(t.start);
    const end = model.getPositionAt(t.start + t.length);
    const line = start.lineNumber - 1;
    const char = start.column - 1;
    const length = end.lineNumber === start.lineNumber ? end.column - start.column : 0;
    const type = SEMANTIC_TYPES.indexOf(t.type);
    if (type < 0 || length <= 0 || line < lastLine || (line === lastLine && char < lastChar)) continue;
    data.push(line - lastLine, line === lastLine ? char - lastChar : char, length, type, 0);
    lastLine = line;
    lastChar = char;
  }
  return new Uint32Array(data);
}
