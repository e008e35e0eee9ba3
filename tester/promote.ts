/**
 * Promote: a decision the service logged becomes a case of its rule set's suite
 * (`rules promote`, `POST /v1/decisions/:id/promote`, the editor's "Decisões registradas").
 *
 * - `caseFromDecision` turns a logged decision (tester/logged-decision.ts) into a case: the facts as
 *   logged (masked personal values as they are), every output of the logged decision as `expect`
 *   (subset match, so outputs added to the rule set later do not break it), a name and tags to edit
 *   and a description naming the decision id, version and time.
 * - `checkPromoted` runs the case against a compiled rule set the way `rules test` does and says
 *   whether the logged decision reproduces (a case whose masked values the rule set reads will not).
 * - `appendCase` appends the case to the suite text: every byte of the suite (comments, blank lines,
 *   formatting) stays, the case is written in the suite's own style (indent, blank lines between
 *   cases, flow or block facts), facts equal to the suite's `defaults.facts` are left out (`omit`
 *   for defaults the decision did not have), a clashing name gets " (2)"; a suite that does not exist
 *   yet is started. A case that does not reproduce is only written on request (`force`), tagged
 *   `revisar` under a comment saying why.
 * - `promoteDecision` does the three in order (what the CLI and the API call).
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
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { hasErrors } from "../dsl/diagnostics.js";
import { createLineIndex, locateRange } from "../dsl/positions.js";
import { loadYaml } from "../dsl/yaml/load.js";
import type { Difference } from "./diff.js";
import { type LoggedDecision, MASKED_VALUE_PREFIX } from "./logged-decision.js";
import { runSuite } from "./run.js";
import { loadSuite, type TestCase } from "./suite.js";

/** A case made from a logged decision, as plain data (the suite format's fields). */
export interface PromotedCase {
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** The facts as logged (complete: not relative to any suite defaults). */
  readonly facts: Record<string, unknown>;
  readonly expect: Record<string, unknown>;
}

export interface CaseOptions {
  /** The case name; default "Decisão <id curto> · <data e hora>". */
  readonly name?: string;
  /** Tags added to the default `producao`. */
  readonly tags?: readonly string[];
}

/** The tag every promoted case gets. */
export const PROMOTED_TAG = "producao";
/** The tag of a case written although its expectation does not hold (`force`). */
export const REVIEW_TAG = "revisar";
export const MASKED_COMMENT = "# fatos pessoais mascarados: substitua por dados sintéticos";
export const NOT_REPRODUCED_COMMENT =
  "# a decisão registrada não se reproduz com esta versão das regras: revise fatos e expectativa";

/** A refusal a user can act on (message in Portuguese). */
export class PromoteError extends Error {
  constructor(
    message: string,
    readonly code: "SUITE_INVALID" | "RULESET_MISMATCH" | "NOT_REPRODUCED" | "CANNOT_APPEND",
  ) {
    super(message);
    this.name = "PromoteError";
  }
}

/** The short id shown in names: the last 8 characters (the random part of a UUIDv7). */
export function shortId(id: string): string {
  return id.replace(/-/g, "").slice(-8);
}

/** "02/12/2026 10:30" in São Paulo time (the contact centre's clock); the ISO text when unreadable. */
export function formatInstant(at: string): string {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return at;
  const parts = new Intl.DateTimeFormat("pt-BR", {
    timeZone: "America/Sao_Paulo",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(t));
  const p = (type: string) => parts.find((x) => x.type === type)?.value ?? "";
  return `${p("day")}/${p("month")}/${p("year")} ${p("hour")}:${p("minute")}`;
}

/** The case of a logged decision (nothing decided, nothing read from a suite). */
export function caseFromDecision(record: LoggedDecision, options: CaseOptions = {}): PromotedCase {
  const name = options.name?.trim() || `Decisão ${shortId(record.id)} · ${formatInstant(record.at)}`;
  const tags = [PROMOTED_TAG];
  for (const t of options.tags ?? []) {
    const tag = t.trim();
    if (tag !== "" && !tags.includes(tag)) tags.push(tag);
  }
  return {
    name,
    description: `Decisão registrada ${record.id} (versão ${record.version} de ${record.ruleset}, ${record.at}).`,
    tags,
    facts: structuredClone(record.facts),
    expect: structuredClone(record.decision),
  };
}

/** Whether a value (anywhere inside) is a masked personal value. */
export function hasMaskedValues(value: unknown): boolean {
  if (typeof value === "string") return value.startsWith(MASKED_VALUE_PREFIX);
  if (Array.isArray(value)) return value.some(hasMaskedValues);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasMaskedValues);
  return false;
}

export interface PromotedCheck {
  /** Deciding the case's facts gives every output of the expectation. */
  readonly reproduced: boolean;
  /** What differs (expected = logged, actual = now), empty when reproduced. */
  readonly differences: readonly Difference[];
  /** The facts carry masked personal values. */
  readonly masked: boolean;
}

/** Runs the case against the rule set as `rules test` would (subset match). */
export async function checkPromoted(c: PromotedCase, compiled: CompiledRuleSet): Promise<PromotedCheck> {
  const testCase: TestCase = {
    name: c.name,
    tags: c.tags,
    facts: c.facts,
    expect: c.expect,
    match: "subset",
    range: { start: 0, end: 0 },
  };
  const result = await runSuite(compiled, { ruleset: compiled.name, cases: [testCase] });
  const differences = result.cases[0]?.differences ?? [];
  return { reproduced: differences.length === 0, differences, masked: hasMaskedValues(c.facts) };
}

export interface AppendOptions {
  /** Write the case tagged `revisar` under a comment (`MASKED_COMMENT` or `NOT_REPRODUCED_COMMENT`). */
  readonly review?: "masked" | "not-reproduced";
}

export interface Appended {
  /** The whole new suite text. */
  readonly text: string;
  /** The case's name in the suite (with a " (2)" suffix when the name was taken). */
  readonly name: string;
  /** The case as written (its YAML lines, comment included). */
  readonly caseText: string;
}

/** Longest line a case's facts or expectation is written on in flow style (`{ a: b }`). */
const MAX_LINE = 120;
/** Longest flow collection nested inside a block (a list item `{ campo: x, mensagem: y }`). */
const MAX_NESTED_FLOW = 80;

/**
 * Appends the case to the suite text (`null` or blank: a new suite for `ruleset`). Throws a
 * `PromoteError` when the suite cannot be read (with its line), is of another rule set, or the case
 * cannot be appended without changing what the suite means.
 */
export function appendCase(
  suiteSource: string | null,
  c: PromotedCase,
  ruleset: string,
  options: AppendOptions = {},
): Appended {
  const promoted = withReview(c, options);
  const comment = reviewComment(options);
  if (suiteSource === null || suiteSource.trim() === "") {
    const caseText = renderCase(caseObject(promoted, {}), 2, { flowFacts: false, flowExpect: false }, comment);
    return guard(`suite: ${ruleset}\ncases:\n${caseText}`, promoted.name, promoted, caseText);
  }
  const loaded = loadSuite(suiteSource);
  if (!loaded.suite || hasErrors(loaded.diagnostics)) {
    const first = loaded.diagnostics.find((d) => d.severity === "error");
    const at = first ? locateRange(createLineIndex(suiteSource), first.range) : undefined;
    throw new PromoteError(
      `a suíte de testes não pode ser lida${at ? ` (linha ${at.line}, coluna ${at.column})` : ""}: ${first?.message ?? "erro de YAML"}. Corrija-a antes de acrescentar casos`,
      "SUITE_INVALID",
    );
  }
  if (loaded.suite.ruleset !== ruleset)
    throw new PromoteError(
      `a decisão é do conjunto de regras "${ruleset}", mas a suíte é de "${loaded.suite.ruleset}"`,
      "RULESET_MISMATCH",
    );
  const doc = loadYaml(suiteSource).value;
  const top = doc?.contents as Node | null | undefined;
  if (!isMap(top)) throw new PromoteError("a suíte de testes deve ser um mapa", "SUITE_INVALID");
  const casesPair = (top as YAMLMap<unknown, Node | null>).items.find((p) => keyOf(p) === "cases");
  const cases = casesPair?.value;
  const items = isSeq(cases) ? (cases.items as Node[]) : [];
  const existing = new Set(loaded.suite.cases.map((x) => x.name));
  const named = { ...promoted, name: unique(promoted.name, existing) };
  const style = suiteStyle(suiteSource, items);
  const nl = suiteSource.includes("\r\n") ? "\r\n" : "\n";
  const eol = (s: string) => (nl === "\n" ? s : s.replaceAll("\n", nl));
  const caseText = renderCase(caseObject(named, defaultFacts(top)), style.indent, style, comment);
  const body = eol(caseText);

  if (!isSeq(cases) || (cases as YAMLSeq).flow) {
    // loadSuite accepted it, so this is `cases: []`: the first case replaces the empty flow list.
    const [start, end] = (cases as YAMLSeq | undefined)?.range ?? [0, 0];
    if (!isSeq(cases) || items.length > 0)
      throw new PromoteError(
        "a lista de casos está escrita entre colchetes: escreva-a em blocos para acrescentar casos",
        "CANNOT_APPEND",
      );
    const replaced = `${suiteSource.slice(0, start).trimEnd()}${nl}${body}${suiteSource.slice(end).replace(/^[ \t]*\r?\n?/, "")}`;
    return guard(replaced, named.name, named, caseText);
  }
  const separator = style.blankLines ? nl : "";
  if (casesPair && top.items[top.items.length - 1] === casesPair) {
    // The cases end the file: what follows the last case (blank lines, comments) stays before the new one.
    const base = ensureNewline(suiteSource, nl);
    const endsBlank = /\r?\n[ \t]*\r?\n$/.test(base);
    return guard(`${base}${endsBlank ? "" : separator}${body}`, named.name, named, caseText);
  }
  // Another key follows the cases: insert after the last case's line.
  const last = items[items.length - 1] as Node;
  let at = last.range?.[2] ?? suiteSource.length;
  if (at > 0 && suiteSource[at - 1] !== "\n") {
    const lineEnd = suiteSource.indexOf("\n", at);
    at = lineEnd < 0 ? suiteSource.length : lineEnd + 1;
  }
  const before = ensureNewline(suiteSource.slice(0, at), nl);
  return guard(`${before}${separator}${body}${suiteSource.slice(at)}`, named.name, named, caseText);
}

export interface PromoteOptions extends CaseOptions {
  /** The suite text (`null`: none yet). */
  readonly suite: string | null;
  /** The rule set to check the case against; without it the case is written unchecked. */
  readonly compiled?: CompiledRuleSet;
  /** Write a case that does not reproduce (tagged `revisar`). */
  readonly force?: boolean;
}

export interface PromoteResult extends Appended {
  readonly case: PromotedCase;
  /** Undefined when no rule set was given to check against. */
  readonly check?: PromotedCheck;
}

/**
 * The logged decision appended to the suite as a case. A case that does not reproduce against
 * `compiled` is refused (`PromoteError` NOT_REPRODUCED, naming the differences) unless `force`.
 */
export async function promoteDecision(record: LoggedDecision, options: PromoteOptions): Promise<PromoteResult> {
  const c = caseFromDecision(record, options);
  const check = options.compiled ? await checkPromoted(c, options.compiled) : undefined;
  let review: AppendOptions["review"];
  if (check && !check.reproduced) {
    if (!options.force) throw new PromoteError(notReproducedMessage(check), "NOT_REPRODUCED");
    review = check.masked ? "masked" : "not-reproduced";
  }
  const appended = appendCase(options.suite, c, record.ruleset, review ? { review } : {});
  return { ...appended, case: c, ...(check ? { check } : {}) };
}

/** Why a case does not reproduce, in Portuguese, with the first differences. */
export function notReproducedMessage(check: PromotedCheck): string {
  const shown = check.differences
    .slice(0, 3)
    .map((d) => `${d.path || "(decisão)"}: registrado ${JSON.stringify(d.expected)}, agora ${JSON.stringify(d.actual)}`)
    .join("; ");
  const more = check.differences.length > 3 ? ` (e mais ${check.differences.length - 3})` : "";
  const why = check.masked
    ? "os fatos pessoais estão mascarados e as regras os leem"
    : "as regras decidem diferente hoje";
  return `a decisão registrada não se reproduz (${why}): ${shown}${more}. Use --force (ou force) para gravar o caso com a etiqueta ${REVIEW_TAG} e revisá-lo`;
}

function withReview(c: PromotedCase, options: AppendOptions): PromotedCase {
  if (!options.review || c.tags.includes(REVIEW_TAG)) return c;
  return { ...c, tags: [...c.tags, REVIEW_TAG] };
}

function reviewComment(options: AppendOptions): string | undefined {
  if (options.review === "masked") return MASKED_COMMENT;
  if (options.review === "not-reproduced") return NOT_REPRODUCED_COMMENT;
  return undefined;
}

function unique(base: string, existing: ReadonlySet<string>): string {
  if (!existing.has(base)) return base;
  let n = 2;
  while (existing.has(`${base} (${n})`)) n++;
  return `${base} (${n})`;
}

/** The case as the suite writes it: facts relative to the suite's defaults (`omit` for defaults it lacks). */
function caseObject(c: PromotedCase, defaults: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.facts))
    if (!Object.hasOwn(defaults, k) || !sameJson(defaults[k], v)) facts[k] = v;
  const omit = Object.keys(defaults).filter((k) => !Object.hasOwn(c.facts, k));
  return {
    name: c.name,
    description: c.description,
    tags: [...c.tags],
    facts,
    ...(omit.length > 0 ? { omit } : {}),
    expect: c.expect,
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
function guard(text: string, name: string, c: PromotedCase, caseText: string): Appended {
  const loaded = loadSuite(text);
  const found = loaded.suite?.cases.find((x) => x.name === name);
  const sameFacts = found !== undefined && sameJson(found.facts, c.facts);
  const sameExpect = found?.expect !== undefined && sameJson(found.expect, c.expect);
  if (!found || hasErrors(loaded.diagnostics) || !sameFacts || !sameExpect)
    throw new PromoteError("não foi possível escrever o caso na suíte sem mudar o seu sentido", "CANNOT_APPEND");
  return { text, name, caseText };
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
