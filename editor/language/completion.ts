/**
 * Completion. Inside an expression: after `caminho.` the fields of a fact or output, the columns
 * of a table (or of a `rows(tabela)` row); inside a text literal compared with a name
 * (`servico == "`, `!=`, `in [`, an action `acao = "`, a table cell's unary tests) the allowed values
 * of that name's enum, or, for a text without an enum, the values the decision tables already test
 * it against; elsewhere every name in scope (facts, constants, values, tables, templates,
 * collections, locals), the functions of the catalog with their signature and documentation, and
 * the keywords; before an action's `=`, the outputs. In a plain table cell (`tipoCliente: Be`), the
 * values of the column. After a table's `hitPolicy:` or `aggregate:`, the policies (every DMN
 * policy) or the aggregations; at the key column of a table, the table keys it does not have yet
 * (`aggregate`, `outputValues`, `labels`, `label`, `onNoMatch`...). At the start of a top-level line, the section keys not yet written.
 */
import type { Range } from "../../dsl/diagnostics.js";
import { isScalar, type Scalar, visit } from "yaml";
import type { TableColumn } from "../../dsl/ruleset/model.js";
import type { Expr, UnaryTest } from "../../dsl/syntax/ast.js";
import {
  Assign,
  Comma,
  Dot,
  Equal,
  In,
  keywordNames,
  LBracket,
  Not,
  NotEqual,
  PlusAssign,
  RBracket,
} from "../../dsl/syntax/tokens.js";
import type { Type } from "../../dsl/types.js";
import { rangeOf } from "../../dsl/yaml/load.js";
import { type Analysis, knowledge, siteAt, yamlOf } from "./analysis.js";
import {
  type Env,
  envFor,
  fieldsOf,
  isActionTarget,
  lex,
  pathBefore,
  resolveName,
  resolvePath,
  type Segment,
  segmentAt,
  type Target,
  targetType,
  type Token,
} from "./context.js";
import { callSignature, detail, documentation, enumOf, FUNCTION_LIST, functionDoc } from "./describe.js";

export type CompletionKind =
  | "fact"
  | "field"
  | "enum"
  | "constant"
  | "value"
  | "table"
  | "column"
  | "function"
  | "keyword"
  | "template"
  | "collection";

export interface CompletionItem {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly documentation?: string;
  readonly insertText: string;
  /** The source range the item replaces. */
  readonly range: Range;
}

/** The completion items at `offset` of the analysed draft. */
export function completions(a: Analysis, offset: number): CompletionItem[] {
  const lineStart = a.source.lastIndexOf("\n", offset - 1) + 1;
  const policyKey = /^\s+(?:-\s+)?(hitPolicy|aggregate):\s*([A-Za-z]*)$/.exec(a.source.slice(lineStart, offset));
  if (policyKey) return policyCompletions(policyKey[1] as string, offset - (policyKey[2] as string).length, offset);
  const tableKeys = tableKeyCompletions(a.source, lineStart, offset);
  if (tableKeys) return tableKeys;
  if (/^[a-z]*$/.test(a.source.slice(lineStart, offset)) && !(a.model && siteAt(a, offset)))
    return sectionCompletions(a, offset);
  const segment = segmentAt(a, offset);
  if (segment) return expressionCompletions(a, segment, offset);
  return cellCompletions(a, offset) ?? [];
}

function kindOf(t: Target): CompletionKind {
  switch (t.kind) {
    case "fact":
    case "constant":
    case "value":
    case "template":
    case "table":
    case "column":
    case "collection":
    case "function":
      return t.kind;
    case "field":
    case "output":
      return "field";
    case "rows":
      return "function";
    case "local":
      return "value";
    case "decision":
      return "keyword";
    default: {
      const never: never = t;
      return never;
    }
  }
}

function item(env: Env, t: Target, range: Range, insertText = t.name): CompletionItem {
  const doc = documentation(t, env.k);
  return {
    label: t.name,
    kind: kindOf(t),
    detail: detail(t),
    ...(doc ? { documentation: doc } : {}),
    insertText,
    range,
  };
}

/** The open text literal at the end of `prefix`: its quote and index, if any. */
function openString(prefix: string): { quote: string; at: number } | undefined {
  let open: { quote: string; at: number } | undefined;
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix[i] as string;
    if (open) {
      if (ch === "\\") i++;
      else if (ch === open.quote) open = undefined;
    } else if (ch === '"' || ch === "'") open = { quote: ch, at: i };
    else if (ch === "/" && prefix[i + 1] === "/") return undefined;
  }
  return open;
}

function expressionCompletions(a: Analysis, segment: Segment, offset: number): CompletionItem[] {
  const prefix = segment.text.slice(0, segment.cursor);
  const env = envFor(a, segment, lex(segment.text));
  const str = openString(prefix);
  if (str) {
    if (!env) return [];
    const tokens = lex(prefix.slice(0, str.at));
    const range = { start: Math.min(segment.at(str.at + 1), offset), end: offset };
    const closing = segment.text[segment.cursor] === str.quote ? "" : str.quote;
    return stringCandidates(a, env, segment, tokens).map((c) => ({
      label: c.value,
      kind: "enum",
      detail: c.detail,
      insertText: escapeString(c.value, str.quote) + closing,
      range,
    }));
  }
  const partial = /[\p{L}_][\p{L}\p{N}_]*$/u.exec(prefix)?.[0] ?? "";
  const before = prefix.slice(0, prefix.length - partial.length);
  if (/[\p{N}]$/u.test(before)) return [];
  const tokens = lex(before);
  // (A cursor in a folded scalar's indentation maps to the next character: never past the cursor.)
  const range = { start: Math.min(segment.at(segment.cursor - partial.length), offset), end: offset };
  const keywords = keywordNames.map(
    (k): CompletionItem => ({ label: k, kind: "keyword", detail: "palavra-chave", insertText: k, range }),
  );
  if (!env) return keywords;
  const last = tokens[tokens.length - 1];
  const inTarget = segment.kind === "action" && isActionTarget(tokens, tokens.length);
  if (last?.type === Dot) {
    const path = pathBefore(tokens, tokens.length - 1);
    return memberCompletions(env, inTarget ? ["decision", ...path] : path, range);
  }
  if (inTarget) return memberCompletions(env, ["decision"], range);
  // Right after `==`, `!=`, `in [`, `,` or an action's `=`: the allowed values, quoted, first.
  const quoted =
    partial === ""
      ? stringCandidates(a, env, segment, tokens).map(
          (c): CompletionItem => ({
            label: `"${c.value}"`,
            kind: "enum",
            detail: c.detail,
            insertText: `"${escapeString(c.value, '"')}"`,
            range,
          }),
        )
      : [];
  return [...quoted, ...nameCompletions(env, range), ...keywords];
}

function memberCompletions(env: Env, path: readonly string[], range: Range): CompletionItem[] {
  if (path.length === 0) return [];
  const owner = resolvePath(env, path)[path.length - 1];
  if (!owner) return [];
  let names: string[];
  if (owner.kind === "table") names = owner.decl.outputs.map((c) => c.name);
  else if (owner.kind === "local" && owner.local.table)
    names = [...owner.local.table.inputs, ...owner.local.table.outputs].map((c) => c.name);
  else names = Object.keys(fieldsOf(targetType(owner)) ?? {});
  const out: CompletionItem[] = [];
  for (const name of new Set(names)) {
    const t = resolvePath(env, [...path, name])[path.length];
    if (t) out.push(item(env, t, range));
  }
  return out;
}

function nameCompletions(env: Env, range: Range): CompletionItem[] {
  const out: CompletionItem[] = [];
  const { model } = env.k;
  const seen = new Set<string>();
  const add = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const t = resolveName(env, name);
    if (t) out.push(item(env, t, range));
  };
  for (const name of env.locals.keys()) add(name);
  for (const name of model.facts.keys()) add(name);
  for (const name of model.constants.keys()) add(name);
  for (const name of model.values.keys()) add(name);
  for (const t of model.tables) add(t.name);
  for (const name of model.templates.keys()) add(name);
  for (const name of model.collections.keys()) add(name);
  add("decision");
  out.push({
    label: "rows",
    kind: "function",
    detail: "rows(tabela)",
    documentation: "As linhas de uma tabela de decisão como dados: cada linha é um objeto com as colunas.",
    insertText: "rows(",
    range,
  });
  for (const spec of FUNCTION_LIST)
    out.push({
      label: spec.name,
      kind: "function",
      detail: callSignature(spec),
      documentation: functionDoc(spec),
      insertText: `${spec.name}(`,
      range,
    });
  return out;
}

// ------------------------------------------------------------------ values inside a text literal

interface Candidate {
  readonly value: string;
  readonly detail: string;
}

function escapeString(value: string, quote: string): string {
  return value.replace(/\\/g, "\\\\").replace(quote === '"' ? /"/g : /'/g, `\\${quote}`);
}

/** The names of a path expression (`a.b.c`), or undefined for any other expression. */
function exprPath(e: Expr | undefined): string[] | undefined {
  if (!e) return undefined;
  if (e.kind === "name") return [e.name];
  if (e.kind === "member") {
    const head = exprPath(e.object);
    return head ? [...head, e.property] : undefined;
  }
  return undefined;
}

function literalStrings(test: UnaryTest, out: Set<string>): void {
  if (test.kind === "compare" && test.value.kind === "literal" && test.value.literal.type === "string")
    out.add(test.value.literal.value);
  else if (test.kind === "oneOf") for (const t of test.tests) literalStrings(t, out);
}

/** Texts the decision tables test an input column against, for every column reading `path`. */
function tableValues(env: Env, path: readonly string[]): Candidate[] {
  const key = path.join(".");
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const t of env.k.model.tables)
    t.inputs.forEach((col, i) => {
      if (exprPath(col.expr)?.join(".") !== key) return;
      const values = new Set<string>();
      for (const row of t.rows) {
        const test = row.inputs[i];
        if (test) literalStrings(test, values);
      }
      for (const value of values)
        if (!seen.has(value)) {
          seen.add(value);
          out.push({ value, detail: `valor usado na tabela ${t.name}` });
        }
    });
  return out;
}

function valuesOfType(type: Type | undefined, label: string): Candidate[] | undefined {
  const values = enumOf(type);
  return values?.length ? values.map((value) => ({ value, detail: label })) : undefined;
}

function valuesOfPath(env: Env, path: readonly string[]): Candidate[] {
  if (path.length === 0) return [];
  const t = resolvePath(env, path)[path.length - 1];
  return valuesOfType(t ? targetType(t) : undefined, `valor permitido de ${path.join(".")}`) ?? tableValues(env, path);
}

/** The table input column of the cell (a unary-tests scalar) starting at `scalarStart`. */
function cellColumn(
  a: Analysis,
  env: Env,
  scalarStart: number,
): { type: Type | undefined; path: string[] | undefined } | undefined {
  if (!env.k.current) return undefined;
  const table = env.k.model.tables.find((t) => t.range.start <= scalarStart && scalarStart <= t.range.end);
  if (!table) return undefined;
  const doc = yamlOf(a).doc;
  if (!doc) return undefined;
  let column: TableColumn | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.value) && rangeOf(pair.value).start === scalarStart && isScalar(pair.key)) {
        column = table.inputs.find((c) => c.name === String((pair.key as Scalar).value));
        return visit.BREAK;
      }
      return undefined;
    },
    Seq(_, seq) {
      const index = seq.items.findIndex((n) => isScalar(n) && rangeOf(n).start === scalarStart);
      if (index >= 0) {
        column = table.inputs[index];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (!column) return undefined;
  return { type: column.expr ? env.k.check.types.get(column.expr) : undefined, path: exprPath(column.expr) };
}

function stringCandidates(a: Analysis, env: Env, segment: Segment, tokens: readonly Token[]): Candidate[] {
  const i = tokens.length - 1;
  const last = tokens[i];
  if (segment.kind === "unaryTests") {
    const col = cellColumn(a, env, segment.scalar.start);
    if (!col) return [];
    return (
      valuesOfType(col.type, `valor permitido de ${col.path?.join(".") ?? "coluna"}`) ??
      (col.path ? tableValues(env, col.path) : [])
    );
  }
  if (!last) return [];
  if (last.type === Equal || last.type === NotEqual) return valuesOfPath(env, pathBefore(tokens, i));
  if ((last.type === Assign || last.type === PlusAssign) && segment.kind === "action") {
    const path = ["decision", ...pathBefore(tokens, i)];
    const t = resolvePath(env, path)[path.length - 1];
    return valuesOfType(t ? targetType(t) : undefined, `valor permitido de ${path.slice(1).join(".")}`) ?? [];
  }
  if (last.type === LBracket || last.type === Comma) {
    // `nome in [..., "` / `nome not in [..., "`: find the unmatched `[`.
    let depth = 0;
    for (let j = i; j >= 0; j--) {
      const t = tokens[j] as Token;
      if (t.type === RBracket) depth++;
      if (t.type === LBracket) {
        if (depth === 0) {
          if (tokens[j - 1]?.type !== In) return [];
          const end = tokens[j - 2]?.type === Not ? j - 2 : j - 1;
          return valuesOfPath(env, pathBefore(tokens, end));
        }
        depth--;
      }
    }
  }
  return [];
}

// ------------------------------------------------------------------ plain YAML positions

/** Values of a table column while its plain cell is typed (`tipoCliente: Be`). */
function cellCompletions(a: Analysis, offset: number): CompletionItem[] | undefined {
  const k = knowledge(a);
  if (!k?.current) return undefined;
  const table = k.model.tables.find(
    (t) => t.rows.length > 0 && (t.rows[0]?.range.start ?? 0) <= offset + 1 && offset <= t.range.end + 1,
  );
  if (!table) return undefined;
  const lineStart = a.source.lastIndexOf("\n", offset - 1) + 1;
  const line = a.source.slice(lineStart, offset);
  const m = /([\p{L}_][\p{L}\p{N}_]*)\s*:\s*([^,{}[\]"']*)$/u.exec(line);
  if (!m) return undefined;
  const key = m[1] as string;
  const partial = m[2] as string;
  const env: Env = { k, locals: new Map() };
  const range = { start: offset - partial.length, end: offset };
  const flow = line.slice(0, m.index).includes("{");
  let candidates: Candidate[] = [];
  const input = table.inputs.find((c) => c.name === key);
  if (input) {
    const type = input.expr ? k.check.types.get(input.expr) : undefined;
    const path = exprPath(input.expr);
    candidates = valuesOfType(type, `valor permitido de ${key}`) ?? (path ? tableValues(env, path) : []);
  } else if (table.outputs.some((c) => c.name === key)) {
    candidates = valuesOfType(typeOfOutput(env, key), `valor permitido da saída ${key}`) ?? [];
  } else return undefined;
  return candidates.map((c) => ({
    label: c.value,
    kind: "enum",
    detail: c.detail,
    insertText: yamlScalar(c.value, flow),
    range,
  }));
}

function typeOfOutput(env: Env, name: string): Type | undefined {
  const t = resolvePath(env, ["decision", name])[1];
  return t ? targetType(t) : undefined;
}

/** A text as a YAML scalar in a table row: plain when it reads back as the same text. */
function yamlScalar(value: string, flow: boolean): string {
  const special = flow ? /[,:{}[\]#]|^[\s"'&*!|>%@`?-]|\s$|^$/ : /:\s|\s#|^[\s"'&*!|>%@`?{[-]|\s$|^$/;
  const ambiguous = /^(?:true|false|null|~|[-+]?\d[\d._]*(?:e[-+]?\d+)?|\.inf|\.nan)$/i.test(value);
  return special.test(value) || ambiguous ? JSON.stringify(value) : value;
}

/** A table's `hitPolicy` (every DMN policy) or `aggregate` (with `collect`), with what each does. */
const POLICY_VALUES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  hitPolicy: [
    ["unique", "no máximo uma linha casa (duas: defeito)"],
    ["first", "vale a primeira linha que casa"],
    ["any", "as linhas que casam dão a mesma saída"],
    ["priority", "vale a linha cuja saída vem primeiro em outputValues"],
    ["ruleOrder", "lista das linhas que casam, na ordem das linhas"],
    ["outputOrder", "lista das linhas que casam, na ordem de outputValues"],
    ["collect", "lista das linhas que casam (ou aggregate)"],
  ],
  aggregate: [
    ["sum", "soma de cada saída (collect)"],
    ["min", "menor valor de cada saída (collect)"],
    ["max", "maior valor de cada saída (collect)"],
    ["count", "quantas linhas casam (collect)"],
  ],
};

function policyCompletions(key: string, start: number, offset: number): CompletionItem[] {
  return (POLICY_VALUES[key] ?? []).map(([value, what]) => ({
    label: value,
    kind: "keyword",
    detail: `${key}: ${what}`,
    insertText: value,
    range: { start, end: offset },
  }));
}

/** The keys of a decision table, in the order the docs write them. */
const TABLE_KEYS: readonly (readonly [string, string])[] = [
  ["name", "nome da tabela"],
  ["label", "rótulo (o nome DMN, quando não é identificador)"],
  ["description", "descrição"],
  ["hitPolicy", "política de acerto (unique, first, any, priority, ruleOrder, outputOrder, collect)"],
  ["aggregate", "agregação do collect (sum, min, max, count)"],
  ["when", "condição para a tabela valer"],
  ["inputs", "colunas de entrada (expressões)"],
  ["outputs", "colunas de saída"],
  ["labels", "rótulos das colunas (coluna: rótulo)"],
  ["outputValues", "valores de cada saída, do mais prioritário ao menos"],
  ["onNoMatch", "sem linha que case: null ou as saídas"],
  ["impossible", "combinações de entradas que nunca acontecem"],
  ["rows", "linhas"],
];

/**
 * At the start of a key of a table item (`tables:` → `- name: ...` → the cursor at the item's key
 * column), the table keys the item does not have yet. Read from the text, so that it works while
 * the key being typed leaves the YAML unreadable.
 */
function tableKeyCompletions(source: string, lineStart: number, offset: number): CompletionItem[] | undefined {
  const typed = /^( +)([A-Za-z]*)$/.exec(source.slice(lineStart, offset));
  if (!typed) return undefined;
  const indent = (typed[1] as string).length;
  const lines = source.slice(0, lineStart).split("\n");
  lines.pop(); // the empty text after the last newline
  const indentOf = (l: string): number => l.length - l.trimStart().length;
  const meaningful = (l: string): boolean => l.trim() !== "" && !l.trimStart().startsWith("#");
  // The item's first line (`- name: x`, whose key column is the cursor's), and the keys seen on the way.
  const present = new Set<string>();
  let i = lines.length - 1;
  for (; i >= 0; i--) {
    const l = lines[i] as string;
    if (!meaningful(l)) continue;
    const dash = /^( *)-( +)([A-Za-z]+):/.exec(l);
    if (dash && (dash[1] as string).length + 1 + (dash[2] as string).length === indent) {
      present.add(dash[3] as string);
      break;
    }
    if (indentOf(l) < indent) return undefined;
    const key = /^ *([A-Za-z]+):/.exec(l);
    if (key && indentOf(l) === indent) present.add(key[1] as string);
  }
  if (i < 0) return undefined;
  // The item must be directly under the top-level `tables:`.
  for (let j = i - 1; j >= 0; j--) {
    const l = lines[j] as string;
    if (!meaningful(l) || indentOf(l) >= indentOf(lines[i] as string)) continue;
    if (!/^tables:\s*(#.*)?$/.test(l)) return undefined;
    break;
  }
  // And the keys after the cursor's line, in the same item.
  const after = source.slice(offset).split("\n").slice(1);
  for (const l of after) {
    if (!meaningful(l)) continue;
    if (indentOf(l) < indent) break;
    const key = /^ *([A-Za-z]+):/.exec(l);
    if (key && indentOf(l) === indent) present.add(key[1] as string);
  }
  const range = { start: offset - (typed[2] as string).length, end: offset };
  return TABLE_KEYS.filter(([key]) => !present.has(key)).map(([key, what]) => ({
    label: key,
    kind: "keyword",
    detail: `tabela: ${what}`,
    insertText: `${key}: `,
    range,
  }));
}

/** Top-level keys of a rule-set file, in the canonical order (as read by `dsl/ruleset/load.ts`). */
const SECTION_KEYS: readonly (readonly [string, string])[] = [
  ["ruleset", "nome do conjunto de regras"],
  ["description", "descrição"],
  ["timezone", "fuso horário (IANA)"],
  ["facts", "fatos de entrada"],
  ["constants", "constantes"],
  ["values", "valores calculados"],
  ["templates", "modelos de texto"],
  ["outputs", "saídas da decisão"],
  ["collections", "coleções"],
  ["tables", "tabelas de decisão"],
  ["validations", "validações"],
  ["transitions", "transições de estado"],
  ["rules", "regras"],
  ["invariants", "invariantes"],
];

function sectionCompletions(a: Analysis, offset: number): CompletionItem[] {
  const lineStart = a.source.lastIndexOf("\n", offset - 1) + 1;
  const present = new Set([...a.source.matchAll(/^([a-z]+):/gm)].map((m) => m[1]));
  const range = { start: lineStart, end: offset };
  return SECTION_KEYS.filter(([key]) => !present.has(key)).map(([key, what]) => ({
    label: key,
    kind: "keyword",
    detail: `seção: ${what}`,
    insertText: `${key}:`,
    range,
  }));
}
