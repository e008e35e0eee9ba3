/**
 * Appends one case to a suite's text (docs/testing.md), shared by `rules promote` / the promote API
 * (tester/promote.ts) and the editor simulator's "Salvar como caso de teste" (editor/simulate/case.ts).
 *
 * Every byte of the suite (comments, blank lines, formatting, line endings) stays; the case is
 * written in the suite's own style (indent of the `-`, blank lines between cases, flow or block
 * facts and expectation); facts equal to the suite's `defaults.facts` are left out (`omit` for
 * defaults the case does not have); a clashing name gets " (2)". A suite that does not exist yet is
 * started, a suite without a `cases:` list gets one. The new text is loaded back with the tester's
 * loader, which must read the same case under the same name, or nothing is returned.
 *
 * Browser-safe like the rest of tester/ (no Node-only imports).
 */
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  Scalar,
  stringify,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { hasErrors } from "../dsl/diagnostics.js";
import { loadYaml } from "../dsl/yaml/load.js";
import { loadSuite } from "./suite.js";

/** The fields of the case to append (the suite format's fields). */
export interface CaseFields {
  /** The case name; made unique in the suite (" (2)", " (3)"…). */
  readonly name: string;
  readonly description: string;
  readonly tags?: readonly string[];
  /** The complete facts (not relative to the suite's defaults). */
  readonly facts: Readonly<Record<string, unknown>>;
  readonly expect?: Readonly<Record<string, unknown>>;
  readonly expectError?: {
    readonly code: string;
    readonly status?: number;
    readonly paths?: readonly string[];
  };
}

export interface SuiteAppendOptions {
  /** A comment line (`# ...`) written just above the case. */
  readonly comment?: string;
}

export type SuiteAppendResult =
  | {
      readonly ok: true;
      /** The whole new suite text. */
      readonly text: string;
      /** The case's name in the suite (with a " (2)" suffix when the name was taken). */
      readonly name: string;
      /** The case as written (its YAML lines, comment included, "\n" line ends). */
      readonly caseText: string;
    }
  | { readonly ok: false; readonly code: "SUITE_INVALID" | "CANNOT_APPEND"; readonly message: string };

/** Longest line a case's facts or expectation is written on in flow style (`{ a: b }`). */
const MAX_LINE = 120;
/** Longest flow collection nested inside a block (a list item `{ campo: x, mensagem: y }`). */
const MAX_NESTED_FLOW = 80;

/** Appends the case to `suite` (`null`, `undefined` or blank: a new suite for `ruleset`). */
export function appendCaseToSuite(
  suite: string | null | undefined,
  ruleset: string,
  fields: CaseFields,
  options: SuiteAppendOptions = {},
): SuiteAppendResult {
  const { comment } = options;
  if (suite === null || suite === undefined || suite.trim() === "") {
    const caseText = renderCase(caseObject(fields, {}), 2, { flowFacts: false, flowExpect: false }, comment);
    return guard(`suite: ${ruleset}\ncases:\n${caseText}`, fields.name, fields, caseText);
  }
  const yaml = loadYaml(suite);
  const doc = yaml.value;
  if (!doc || hasErrors(yaml.diagnostics))
    return invalid("a suíte de testes tem erros de YAML: corrija-a antes de salvar o caso");
  const top = doc.contents as Node | null;
  if (!isMap(top)) return invalid("a suíte de testes deve ser um mapa com suite, description, defaults e cases");
  const casesPair = (top as YAMLMap<unknown, Node | null>).items.find((p) => keyOf(p) === "cases");
  const cases = casesPair?.value;
  const items = isSeq(cases) ? (cases.items as Node[]) : [];
  const existing = new Set(
    items.flatMap((n) => (isMap(n) && typeof n.get("name") === "string" ? [n.get("name") as string] : [])),
  );
  const named = { ...fields, name: uniqueName(fields.name, existing) };
  const style = suiteStyle(suite, items);
  const caseText = renderCase(caseObject(named, defaultFacts(top)), style.indent, style, comment);
  const nl = suite.includes("\r\n") ? "\r\n" : "\n";
  const body = nl === "\n" ? caseText : caseText.replaceAll("\n", nl);

  if (!casesPair || cases === null || cases === undefined || (isScalar(cases) && cases.value === null)) {
    // No list yet (`cases:` missing or empty): write the key (or its value) at the end.
    if (casesPair && !isLastPair(top, casesPair))
      return cannot('escreva a lista "cases:" no fim da suíte para salvar casos nela');
    const head = casesPair ? "" : `cases:${nl}`;
    const base = casesPair ? withoutEmptyValue(suite, casesPair) : suite;
    return guard(`${ensureNewline(base, nl)}${head}${body}`, named.name, named, caseText);
  }
  if (!isSeq(cases)) return cannot('"cases" deve ser a lista de casos da suíte');
  if ((cases as YAMLSeq).flow) {
    if (items.length > 0)
      return cannot("a lista de casos está escrita entre colchetes: escreva-a em blocos para acrescentar casos");
    // `cases: []`: the first case replaces the empty flow list.
    const [start, end] = (cases as YAMLSeq).range ?? [0, 0];
    const replaced = `${suite.slice(0, start).trimEnd()}${nl}${body}${suite.slice(end).replace(/^[ \t]*\r?\n?/, "")}`;
    return guard(replaced, named.name, named, caseText);
  }
  const separator = style.blankLines ? nl : "";
  if (isLastPair(top, casesPair)) {
    // The cases end the file: what follows the last case (blank lines, comments) stays before the new one.
    const base = ensureNewline(suite, nl);
    const endsBlank = /\r?\n[ \t]*\r?\n$/.test(base);
    return guard(`${base}${endsBlank ? "" : separator}${body}`, named.name, named, caseText);
  }
  // Another key follows the cases: insert after the last case's line.
  const last = items[items.length - 1] as Node;
  let at = last.range?.[2] ?? suite.length;
  if (at > 0 && suite[at - 1] !== "\n") {
    const lineEnd = suite.indexOf("\n", at);
    at = lineEnd < 0 ? suite.length : lineEnd + 1;
  }
  const before = ensureNewline(suite.slice(0, at), nl);
  return guard(`${before}${separator}${body}${suite.slice(at)}`, named.name, named, caseText);
}

/** `base`, or `base (2)`, `base (3)`… whichever is not in `existing`. */
export function uniqueName(base: string, existing: ReadonlySet<string>): string {
  if (!existing.has(base)) return base;
  let n = 2;
  while (existing.has(`${base} (${n})`)) n++;
  return `${base} (${n})`;
}

function invalid(message: string): SuiteAppendResult {
  return { ok: false, code: "SUITE_INVALID", message };
}

function cannot(message: string): SuiteAppendResult {
  return { ok: false, code: "CANNOT_APPEND", message };
}

/** The case as the suite writes it: facts relative to the suite's defaults (`omit` for defaults it lacks). */
function caseObject(c: CaseFields, defaults: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.facts))
    if (!Object.hasOwn(defaults, k) || !sameJson(defaults[k], v)) facts[k] = v;
  const omit = Object.keys(defaults).filter((k) => !Object.hasOwn(c.facts, k));
  return {
    name: c.name,
    description: c.description,
    ...(c.tags ? { tags: [...c.tags] } : {}),
    facts,
    ...(omit.length > 0 ? { omit } : {}),
    ...(c.expect ? { expect: { ...c.expect } } : {}),
    ...(c.expectError
      ? {
          expectError: {
            code: c.expectError.code,
            ...(c.expectError.status !== undefined ? { status: c.expectError.status } : {}),
            ...(c.expectError.paths ? { paths: [...c.expectError.paths] } : {}),
          },
        }
      : {}),
  };
}

interface Style {
  /** Column of the `-` of each case. */
  readonly indent: number;
  /** Whether the cases are separated by blank lines. */
  readonly blankLines: boolean;
  /** Whether most cases write their facts (and their expectation) in flow style. */
  readonly flowFacts: boolean;
  readonly flowExpect: boolean;
}

/** How the suite writes its cases. */
function suiteStyle(source: string, items: readonly Node[]): Style {
  let indent = 2;
  const first = items[0];
  if (first?.range) {
    const lineStart = source.lastIndexOf("\n", first.range[0] - 1) + 1;
    const prefix = source.slice(lineStart, first.range[0]);
    if (/^ *- +$/.test(prefix)) indent = prefix.indexOf("-");
  }
  let blankLines = true;
  if (items.length > 1) {
    // yaml counts the blank lines after a case as part of it: look before the next case's `-`
    // (and the comment lines just above it).
    const between = source.slice(items[0]?.range?.[0] ?? 0, items[1]?.range?.[0] ?? 0);
    blankLines = /\n[ \t]*\r?\n(?:[ \t]*#[^\n]*\n)*[ \t]*-?[ \t]*$/.test(between);
  }
  const flowShare = (key: string) => {
    let flow = 0;
    let block = 0;
    for (const n of items) {
      const v = isMap(n) ? n.get(key, true) : undefined;
      if (isMap(v)) {
        if (v.flow) flow++;
        else block++;
      }
    }
    return flow > block;
  };
  return { indent, blankLines, flowFacts: flowShare("facts"), flowExpect: flowShare("expect") };
}

/** The case as YAML lines (a one-item block sequence whose `-` is at column `indent`), comment first. */
function renderCase(
  value: Record<string, unknown>,
  indent: number,
  style: { readonly flowFacts: boolean; readonly flowExpect: boolean },
  comment?: string,
): string {
  const doc = new Document([value], { version: "1.2" });
  const item = (doc.contents as YAMLSeq).items[0] as YAMLMap;
  const fieldIndent = indent + 2;
  // Collections written in flow style are rendered by `flow` (the suites' `[a, b]` and `{ a: b }`)
  // and stand in the document as placeholders until the text is rendered.
  const flows: string[] = [];
  const asFlow = (json: unknown): Scalar => {
    flows.push(flow(json));
    return new Scalar(`${PLACEHOLDER}${flows.length - 1}__`);
  };
  const nestFlow = (node: YAMLMap | YAMLSeq): void => {
    const children = node.items as (Pair<unknown, unknown> | Node)[];
    children.forEach((child, i) => {
      const v = (isMap(node) ? (child as Pair<unknown, unknown>).value : child) as Node | null;
      if (!isMap(v) && !isSeq(v)) return;
      const json = v.toJSON() as unknown;
      if (v.items.length > 0 && flow(json).length > MAX_NESTED_FLOW) nestFlow(v);
      else if (isMap(node)) (child as Pair<unknown, unknown>).value = asFlow(json);
      else children[i] = asFlow(json);
    });
  };
  for (const pair of item.items) {
    const key = keyOf(pair);
    const node = pair.value as Node | null;
    if (!isMap(node) && !isSeq(node)) continue;
    const json = node.toJSON() as unknown;
    const wantsFlow =
      key === "omit" ||
      key === "tags" ||
      key === "expectError" ||
      (key === "facts" && style.flowFacts) ||
      (key === "expect" && style.flowExpect);
    if (node.items.length === 0 || (wantsFlow && fieldIndent + key.length + 2 + flow(json).length <= MAX_LINE))
      pair.value = asFlow(json);
    else nestFlow(node);
  }
  const pad = " ".repeat(indent);
  const text = doc
    .toString({ lineWidth: 0 })
    .replace(new RegExp(`${PLACEHOLDER}(\\d+)__`, "g"), (_, i: string) => flows[Number(i)] ?? "")
    .split("\n")
    .map((line) => (line === "" ? line : pad + line))
    .join("\n");
  return comment ? `${pad}${comment}\n${text}` : text;
}

/** Marks where a flow collection goes in the rendered case (a plain scalar no value renders as). */
const PLACEHOLDER = "__regras_flow_";

/** A value in flow style as the suites write it: `[a, b]`, `{ a: b, c: [1] }`, `{}`. */
function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${flowScalar(k)}: ${flow(v)}`).join(", ")} }`;
  }
  return flowScalar(value);
}

/** A scalar as yaml writes it inside a flow collection (quoted when `,[]{}#:` or a type would change it). */
function flowScalar(value: unknown): string {
  const text = stringify([value], {
    collectionStyle: "flow",
    flowCollectionPadding: false,
    lineWidth: 0,
    version: "1.2",
  });
  const inner = text.trim().slice(1, -1);
  // A text yaml would fold over several lines: a double-quoted (JSON) string keeps it on one.
  return inner.includes("\n") ? JSON.stringify(value) : inner;
}

/** Loads the new suite with the tester's loader: it must hold the case, as intended, under `name`. */
function guard(text: string, name: string, c: CaseFields, caseText: string): SuiteAppendResult {
  const loaded = loadSuite(text);
  const found = loaded.suite?.cases.find((x) => x.name === name);
  const sameExpect =
    (c.expect === undefined || (found?.expect !== undefined && sameJson(found.expect, c.expect))) &&
    (c.expectError === undefined || found?.expectError?.code === c.expectError.code);
  if (!found || hasErrors(loaded.diagnostics) || !sameExpect || !sameJson(found.facts, c.facts))
    return cannot("não foi possível escrever o caso na suíte sem mudar o seu sentido");
  return { ok: true, text, name, caseText };
}

function defaultFacts(top: YAMLMap): Record<string, unknown> {
  const d = top.get("defaults", true);
  const f = isMap(d) ? d.get("facts", true) : undefined;
  const json = isMap(f) ? (f.toJSON() as unknown) : undefined;
  return typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
}

function keyOf(pair: Pair<unknown, unknown>): string {
  const k = pair.key;
  return isScalar(k) ? String(k.value) : String(k);
}

function isLastPair(top: YAMLMap, pair: Pair<unknown, unknown>): boolean {
  return top.items[top.items.length - 1] === pair;
}

/** The suite without the empty value of `cases:` (`cases: null`, `cases: ~`), ending after the key. */
function withoutEmptyValue(suite: string, pair: Pair<unknown, unknown>): string {
  const value = pair.value as Node | null;
  const [start, end] = value?.range ?? [suite.length, suite.length];
  if (value && end > start) return `${suite.slice(0, start).trimEnd()}${suite.slice(end)}`;
  return suite;
}

function ensureNewline(text: string, nl: string): string {
  return text === "" || text.endsWith("\n") ? text : text + nl;
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** Equal as JSON, whatever the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}
