/**
 * Saves a simulation as a test case: the facts of the form and what the draft decided (or the
 * error it answered) become one case appended to the rule set's suite text (docs/testing.md), in
 * the suite's own style, with a Portuguese name. Only text is appended (or, for a suite without
 * cases, the `cases:` list is written): every other byte of the suite, comments included, stays.
 * The result is loaded back with the tester's own loader, which must read the same case.
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
import { hasErrors } from "../../dsl/diagnostics.js";
import { loadYaml } from "../../dsl/yaml/load.js";
import { loadSuite } from "../../tester/suite.js";

/** What a simulation ended with. */
export type SimulationOutcome =
  | { readonly kind: "decision"; readonly decision: Readonly<Record<string, unknown>> }
  /** A decision error (INVALID_FACTS answers HTTP 400) and the JSON pointers it named. */
  | { readonly kind: "error"; readonly code: string; readonly paths: readonly string[] };

export interface NewCase {
  /** The facts the simulation decided (as sent to the engine). */
  readonly facts: Readonly<Record<string, unknown>>;
  readonly outcome: SimulationOutcome;
  /** The case name; by default one made from the facts and the outcome (made unique in the suite). */
  readonly name?: string;
}

export type AppendResult =
  | { readonly ok: true; readonly text: string; readonly name: string }
  | { readonly ok: false; readonly message: string };

/** Longest line a case's facts or expectation is written on in flow style (`{ a: b }`). */
const MAX_LINE = 120;
/** Longest flow collection nested inside a block (a list item `{ campo: x, mensagem: y }`). */
const MAX_NESTED_FLOW = 80;

/** Appends the case to `suite` (or starts a suite for `ruleset` when there is none). */
export function appendCase(suite: string | undefined, ruleset: string, input: NewCase): AppendResult {
  if (suite === undefined || suite.trim() === "") {
    const name = input.name ?? caseName(input.facts, input.outcome, new Set());
    const body = renderCase(caseObject(name, input, {}), 2, { flowFacts: false, flowExpect: false });
    return guard(`suite: ${ruleset}\ncases:\n${body}`, name, input);
  }
  const yaml = loadYaml(suite);
  const doc = yaml.value;
  if (!doc || hasErrors(yaml.diagnostics))
    return { ok: false, message: "a suíte de testes tem erros de YAML: corrija-a antes de salvar o caso" };
  const top = doc.contents as Node | null;
  if (!isMap(top))
    return { ok: false, message: "a suíte de testes deve ser um mapa com suite, description, defaults e cases" };
  const defaults = defaultFacts(top);
  const casesPair = (top as YAMLMap<unknown, Node | null>).items.find((p) => keyOf(p) === "cases");
  const cases = casesPair?.value;
  const items = isSeq(cases) ? (cases.items as Node[]) : [];
  const existing = new Set(
    items.flatMap((n) => (isMap(n) && typeof n.get("name") === "string" ? [n.get("name") as string] : [])),
  );
  let name = input.name ?? caseName(input.facts, input.outcome, existing);
  if (input.name !== undefined && existing.has(name)) name = unique(name, existing);
  const style = suiteStyle(suite, items);
  const body = renderCase(caseObject(name, input, defaults), style.indent, style);
  const nl = suite.includes("\r\n") ? "\r\n" : "\n";
  const text = (s: string) => (nl === "\n" ? s : s.replaceAll("\n", nl));

  if (!casesPair || cases === null || cases === undefined || (isScalar(cases) && cases.value === null)) {
    // No list yet (`cases:` missing or empty): write the key (or its value) at the end.
    if (casesPair && !isLastPair(top, casesPair))
      return { ok: false, message: 'escreva a lista "cases:" no fim da suíte para salvar casos nela' };
    const head = casesPair ? "" : `cases:${nl}`;
    const base = casesPair ? withoutEmptyValue(suite, casesPair) : suite;
    return guard(`${ensureNewline(base, nl)}${head}${text(body)}`, name, input);
  }
  if (!isSeq(cases)) return { ok: false, message: '"cases" deve ser a lista de casos da suíte' };
  if ((cases as YAMLSeq).flow) {
    if (items.length > 0)
      return {
        ok: false,
        message: "a lista de casos está escrita entre colchetes: escreva-a em blocos para salvar casos",
      };
    // `cases: []`: the first case replaces the empty flow list.
    const [start, end] = (cases as YAMLSeq).range ?? [0, 0];
    const replaced = `${suite.slice(0, start).trimEnd()}${nl}${text(body)}${suite.slice(end).replace(/^[ \t]*\r?\n?/, "")}`;
    return guard(replaced, name, input);
  }
  const separator = style.blankLines ? nl : "";
  if (isLastPair(top, casesPair)) return guard(`${suite.trimEnd()}${nl}${separator}${text(body)}`, name, input);
  // Another key follows the cases: insert after the last case's line.
  const last = items[items.length - 1] as Node;
  let at = last.range?.[2] ?? suite.length;
  if (at > 0 && suite[at - 1] !== "\n") {
    const eol = suite.indexOf("\n", at);
    at = eol < 0 ? suite.length : eol + 1;
  }
  const before = ensureNewline(suite.slice(0, at), nl);
  return guard(`${before}${separator}${text(body)}${suite.slice(at)}`, name, input);
}

/** A Portuguese case name from the facts' short texts and the outcome, unique among `existing`. */
export function caseName(
  facts: Readonly<Record<string, unknown>>,
  outcome: SimulationOutcome,
  existing: ReadonlySet<string>,
): string {
  const shown = Object.values(facts)
    .filter((v): v is string => typeof v === "string" && v.length > 0 && v.length <= 40 && !v.includes("\n"))
    .slice(0, 3);
  let result: string | undefined;
  if (outcome.kind === "error") result = `erro ${outcome.code}`;
  else {
    const values = Object.entries(outcome.decision);
    const text = values.find(([, v]) => typeof v === "string" && v.length > 0 && v.length <= 40 && !v.includes("\n"));
    const flag = values.find(([, v]) => typeof v === "boolean");
    if (text) result = String(text[1]);
    else if (flag) result = `${flag[0]} ${flag[1] ? "sim" : "não"}`;
  }
  const base = ["Simulação", ...shown].join(" · ") + (result ? ` → ${result}` : "");
  return unique(base, existing);
}

function unique(base: string, existing: ReadonlySet<string>): string {
  if (!existing.has(base)) return base;
  let n = 2;
  while (existing.has(`${base} (${n})`)) n++;
  return `${base} (${n})`;
}

/** The case as plain data: facts relative to the suite's defaults (`omit` for defaults it lacks). */
function caseObject(
  name: string,
  input: NewCase,
  defaults: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input.facts))
    if (!Object.hasOwn(defaults, k) || !sameJson(defaults[k], v)) facts[k] = v;
  const omit = Object.keys(defaults).filter((k) => !Object.hasOwn(input.facts, k));
  const out: Record<string, unknown> = {
    name,
    description: "Salvo a partir do simulador do editor.",
    facts,
  };
  if (omit.length > 0) out.omit = omit;
  if (input.outcome.kind === "decision") out.expect = { ...input.outcome.decision };
  else
    out.expectError = {
      code: input.outcome.code,
      ...(input.outcome.code === "INVALID_FACTS" ? { status: 400 } : {}),
      ...(input.outcome.paths.length > 0 ? { paths: [...input.outcome.paths] } : {}),
    };
  return out;
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

/** The case as YAML lines: a one-item block sequence whose `-` is at column `indent`. */
function renderCase(
  value: Record<string, unknown>,
  indent: number,
  style: { readonly flowFacts: boolean; readonly flowExpect: boolean },
): string {
  const doc = new Document([value], { version: "1.2" });
  const item = (doc.contents as YAMLSeq).items[0] as YAMLMap;
  const fieldIndent = indent + 2;
  // Collections written in flow style are rendered by `flow` (the suites' `[a, b]` and
  // `{ a: b }`) and stand in the document as placeholders until the text is rendered.
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
      key === "expectError" ||
      (key === "facts" && style.flowFacts) ||
      (key === "expect" && style.flowExpect);
    if (node.items.length === 0 || (wantsFlow && fieldIndent + key.length + 2 + flow(json).length <= MAX_LINE))
      pair.value = asFlow(json);
    else nestFlow(node);
  }
  const pad = " ".repeat(indent);
  return doc
    .toString({ lineWidth: 0 })
    .replace(new RegExp(`${PLACEHOLDER}(\\d+)__`, "g"), (_, i: string) => flows[Number(i)] ?? "")
    .split("\n")
    .map((line) => (line === "" ? line : pad + line))
    .join("\n");
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
function guard(text: string, name: string, input: NewCase): AppendResult {
  const loaded = loadSuite(text);
  const c = loaded.suite?.cases.find((x) => x.name === name);
  const expected =
    input.outcome.kind === "decision"
      ? c?.expect !== undefined && sameJson(c.expect, input.outcome.decision)
      : c?.expectError?.code === input.outcome.code;
  if (!c || hasErrors(loaded.diagnostics) || !expected || !sameJson(sorted(c.facts), sorted(input.facts)))
    return { ok: false, message: "não foi possível escrever o caso na suíte sem mudar o seu sentido" };
  return { ok: true, text, name };
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

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}
