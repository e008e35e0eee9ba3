/**
 * Input generators of the fuzzers (fast-check arbitraries), all deterministic for a seed:
 *
 * - `exprArb`: grammar-aware expressions of the rule language (names, every literal kind with
 *   edge values, every operator, `if`, `for`, lists, records, member and index access, calls of
 *   every catalog function with any arity, regexes that backtrack catastrophically elsewhere),
 *   sometimes deeply nested or very long, then sometimes mutated token by token (delete,
 *   duplicate, swap, insert an odd token or character: NUL, emoji, lone surrogates, `#`...).
 * - `exprRuleSetArb`: a fixed rule set with facts of every type whose `values`, `when` and `then`
 *   hold generated expressions (an `any` output takes every well-typed value, so many compile).
 * - `ruleSetYamlArb`: the random rule sets of the differential test (test/verify/rulesets.ts).
 * - `mutationArb` / `applyMutations`: byte-, line- and token-level mutations of a shipped rule set
 *   (rules/*.yaml): flip, insert, delete, duplicate and splice bytes; delete, duplicate, swap and
 *   re-indent lines; delete, duplicate and replace tokens with YAML and DSL trouble makers
 *   (anchors, aliases, merge keys, tags, `%YAML 1.1`, tabs, `1e400`...).
 * - `yamlDocArb`: small YAML-ish documents built from the same trouble makers (for the loader).
 * - `hostileFactsArb`: JSON that is not a fact set of anyone's schema (prototype keys, deep
 *   nesting, wrong types, huge numbers, strings where objects are expected).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { FUNCTIONS } from "../../dsl/library/catalog.js";
import { ruleSetArb } from "../verify/rulesets.js";

export const RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "rules");

/** The shipped rule sets (rules/*.yaml, suites excluded), by file name, sorted. */
export const SHIPPED: readonly { readonly name: string; readonly source: string }[] = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
  .sort()
  .map((f) => ({ name: f.slice(0, -".yaml".length), source: readFileSync(join(RULES_DIR, f), "utf8") }));

// ---------------------------------------------------------------------------------------------
// Expressions

/** Names the expression rule set declares (facts, values, constants), plus some it does not. */
const NAMES = [
  "n",
  "x",
  "s",
  "b",
  "d",
  "dt",
  "du",
  "l",
  "ln",
  "o",
  "o.campo",
  "o.num",
  "itens",
  "LIMITE",
  "dobro",
  "decision.v",
  "decision.ok",
  "decision.lista",
  "naoExiste",
  "ação",
  "_x1",
  "rows",
];

const FUNCTION_NAMES = [...FUNCTIONS.map((f) => f.name), "rows", "funcaoInexistente"];

const STRINGS = [
  '""',
  '"a"',
  '"Autorização Prévia"',
  "'nº 10 – 1º'",
  '"aspas \\"duplas\\""',
  '"\\u00e7\\n\\t"',
  '"😀"',
  '"Autorizac\\u0327a\\u0303o"',
  '"123.456.789-09"',
  '"11.222.333/0001-81"',
  '"^(a+)+$"',
  '"(a|a)*b"',
  '"(a)\\\\1"',
  '"(?<=a)b"',
  '"["',
  '"\\\\"',
  '"dd/MM/yyyy"',
  `"${"a".repeat(40)}"`,
];

const NUMBERS = [
  "0",
  "1",
  "2.5",
  "18",
  "1e3",
  "1e400",
  "9007199254740991",
  "9007199254740993",
  "0.1",
  "1E-7",
  "00",
  "123456789012345678901234567890",
];

const TEMPORALS = [
  "2026-04-03",
  "2026-02-29",
  "2024-02-29",
  "2026-13-01",
  "0000-01-01",
  "9999-12-31",
  "2018-11-04T00:30",
  "2018-02-17T23:30",
  "2026-04-03T10:00:00-03:00",
  "2026-01-01T00:00:00Z",
  "2026-04-03T25:61",
  "2026-04-03T10:00:00.123456789+14:00",
  "2h",
  "10d",
  "30min",
  "1h30min",
  "0d",
  "99999999d",
];

const leafArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom("true", "false", "null") },
  { weight: 2, arbitrary: fc.constantFrom(...TEMPORALS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.integer().map(String) },
);

const BINARY = [
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "and",
  "or",
  "in",
  "not in",
  "contains",
  "starts with",
  "matches",
];

/** A grammar-aware expression (possibly ill-typed: the checker must say so, never throw). */
const { expr: grammarExprArb } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 6, arbitrary: leafArb },
    {
      weight: 4,
      arbitrary: fc.tuple(tie("expr"), fc.constantFrom(...BINARY), tie("expr")).map(([a, op, b]) => `${a} ${op} ${b}`),
    },
    { weight: 1, arbitrary: tie("expr").map((a) => `(${a})`) },
    { weight: 1, arbitrary: tie("expr").map((a) => `not ${a}`) },
    { weight: 1, arbitrary: tie("expr").map((a) => `-${a}`) },
    {
      weight: 1,
      arbitrary: fc.tuple(tie("expr"), fc.boolean()).map(([a, n]) => `${a} is ${n ? "not " : ""}null`),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(tie("expr"), tie("expr"), tie("expr")).map(([c, a, b]) => `if ${c} then ${a} else ${b}`),
    },
    { weight: 1, arbitrary: fc.array(tie("expr"), { maxLength: 4 }).map((xs) => `[${xs.join(", ")}]`) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(fc.constantFrom("a", "campo", '"outro campo"', "__proto__", "constructor"), tie("expr")), {
          maxLength: 3,
        })
        .map((fs) => `{${fs.map(([k, v]) => `${k}: ${v}`).join(", ")}}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("r", "i", "x"), tie("expr"), fc.option(tie("expr")), tie("expr"))
        .map(([v, l, w, r]) => `for ${v} in ${l}${w === null ? "" : ` where ${w}`} return ${r}`),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...FUNCTION_NAMES), fc.array(tie("expr"), { maxLength: 4 }))
        .map(([f, args]) => `${f}(${args.join(", ")})`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(tie("expr"), fc.constantFrom("campo", "num", "length", "__proto__", "constructor", "prototype"))
        .map(([a, p]) => `${a}.${p}`),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(tie("expr"), fc.constantFrom("0", "1", "-1", "99", "n")).map(([a, i]) => `${a}[${i}]`),
    },
  ),
}));

/** Expressions nested or chained past the documented limits (and just under them). */
const deepExprArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom("paren", "not", "minus", "if", "chain", "list", "record"), fc.integer({ min: 1, max: 400 }))
  .map(([kind, n]) => {
    switch (kind) {
      case "paren":
        return `${"(".repeat(n)}n${")".repeat(n)}`;
      case "not":
        return `${"not ".repeat(n)}b`;
      case "minus":
        return `${"-".repeat(n)}n`;
      case "if":
        return `${"if b then ".repeat(n)}1${" else 2".repeat(n)}`;
      case "chain":
        return Array.from({ length: n }, () => "n").join(" + ");
      case "list":
        return `${"[".repeat(n)}1${"]".repeat(n)}`;
      default:
        return `${"{a: ".repeat(n)}1${"}".repeat(n)}`;
    }
  });

/** Odd tokens and characters for token-level mutation. */
const ODD = [
  "#",
  "@",
  "$",
  "`",
  "\\",
  "\u0000",
  "\u0007",
  "\u200b",
  "\ufeff",
  "\ud800",
  "\udc00",
  "😀",
  "\t",
  "\n",
  "\r",
  '"',
  "'",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ".",
  "..",
  ":",
  "=",
  "+=",
  "e",
  "ou",
  "não",
  "//",
  "1e400",
  "9007199254740993",
];

/** Splits text into tokens (runs of word characters, of spaces, or single other characters). */
export function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+|\s+|[^\p{L}\p{N}_\s]/gu) ?? [];
}

export interface TokenEdit {
  readonly op: "delete" | "duplicate" | "swap" | "insert" | "replace";
  /** Position as a fraction of the token count (stable under shrinking of other edits). */
  readonly at: number;
  readonly token: string;
}

const tokenEditArb: fc.Arbitrary<TokenEdit> = fc.record({
  op: fc.constantFrom("delete", "duplicate", "swap", "insert", "replace"),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  token: fc.oneof(fc.constantFrom(...ODD), fc.constantFrom(...BINARY), fc.string({ maxLength: 3, unit: "binary" })),
});

/** Applies token edits in order. */
export function editTokens(text: string, edits: readonly TokenEdit[]): string {
  const tokens = tokenize(text);
  for (const e of edits) {
    const i = Math.min(tokens.length, Math.floor(e.at * (tokens.length + 1)));
    switch (e.op) {
      case "delete":
        tokens.splice(i, 1);
        break;
      case "duplicate":
        if (i < tokens.length) tokens.splice(i, 0, tokens[i] as string);
        break;
      case "swap":
        if (i + 1 < tokens.length) [tokens[i], tokens[i + 1]] = [tokens[i + 1] as string, tokens[i] as string];
        break;
      case "insert":
        tokens.splice(i, 0, e.token);
        break;
      default:
        tokens.splice(i, 1, e.token);
    }
  }
  return tokens.join("");
}

/** A DSL expression text: mostly from the grammar, some too deep, some mutated token by token. */
export const exprArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 20, arbitrary: grammarExprArb },
  { weight: 1, arbitrary: deepExprArb },
  {
    weight: 8,
    arbitrary: fc
      .tuple(grammarExprArb, fc.array(tokenEditArb, { minLength: 1, maxLength: 4 }))
      .map(([e, edits]) => editTokens(e, edits)),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: "binary" }) },
);

// ---------------------------------------------------------------------------------------------
// Rule sets around expressions

/** A rule set with facts of every type; `values`, conditions and actions are generated expressions. */
export function exprRuleSet(e: { value: string; when: string; then: string; cell: string }): string {
  const q = JSON.stringify;
  return `ruleset: fuzz-expr
description: Conjunto gerado pelo fuzzer.
facts:
  n: { type: integer }
  x: { type: number }
  s: { type: string, enum: [Beneficiário, Credenciado] }
  b: { type: boolean, default: false }
  d: { type: date }
  dt: { type: date-time }
  du: { type: duration }
  l: { type: list, items: string }
  ln: { type: list, items: integer }
  o: { type: object, fields: { campo: string, num: integer } }
  itens: { type: list, items: { type: object, fields: { id: string, valor: integer } } }
constants:
  LIMITE: 18
values:
  dobro: ${q(e.value)}
outputs:
  v: { type: any, nullable: true }
  ok: { type: boolean, nullable: true }
  lista: { type: list, items: any }
tables:
  - name: T
    hitPolicy: first
    onNoMatch: null
    inputs: [n]
    outputs: [r]
    rows:
      - [${q(e.cell)}, "= dobro"]
      - [-, 1]
rules:
  - name: condição
    when: ${q(e.when)}
    then: ok = true
  - name: ação
    then:
      - ${q(e.then)}
      - lista += T.r
`;
}

/** Sources of `exprRuleSet` with generated expressions in every slot. */
export const exprRuleSetArb: fc.Arbitrary<string> = fc
  .record({
    value: exprArb,
    when: exprArb,
    then: fc.oneof(
      exprArb.map((e) => `v = ${e}`),
      exprArb.map((e) => `lista += ${e}`),
      exprArb,
    ),
    cell: fc.oneof(
      fc.constantFrom("-", "> 1", "[1..10]", "not(1, 2)", "= null", "1, 2", "(0..LIMITE]", ">= dobro"),
      exprArb,
      exprArb.map((e) => `= ${e}`),
    ),
  })
  .map(exprRuleSet);

/** The random rule sets of the differential test. */
export const ruleSetYamlArb: fc.Arbitrary<string> = ruleSetArb;

// ---------------------------------------------------------------------------------------------
// Mutations of the shipped rule sets

/** YAML and DSL trouble makers for token and line insertions. */
export const YAML_TROUBLE = [
  "&a ",
  "*a",
  "<<: *a",
  "!!str ",
  "!tag ",
  "%YAML 1.1\n---\n",
  "%YAML 1.2\n---\n",
  "%TAG ! tag:x,2000:\n",
  "---\n",
  "...\n",
  "? ",
  ": ",
  "- ",
  "{",
  "}",
  "[",
  "]",
  "|",
  ">-",
  "#",
  "\t",
  "'",
  '"',
  "~",
  "null",
  "NO",
  "yes",
  "1e400",
  "0x1F",
  ".nan",
  "__proto__",
  "constructor",
  "prototype",
  "\u0000",
  "\ufeff",
  "\u2028",
  "😀",
];

export type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "byte-insert" | "byte-replace"; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: "byte-delete" | "byte-duplicate"; readonly at: number; readonly length: number }
  | {
      readonly kind: "splice";
      readonly at: number;
      readonly from: number;
      readonly fromAt: number;
      readonly length: number;
    }
  | { readonly kind: "line-delete" | "line-duplicate" | "line-swap"; readonly at: number }
  | { readonly kind: "line-indent"; readonly at: number; readonly delta: number }
  | { readonly kind: "token-delete" | "token-duplicate"; readonly at: number }
  | { readonly kind: "token-insert" | "token-replace"; readonly at: number; readonly token: string };

const at = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constantFrom("byte-insert" as const, "byte-replace" as const),
    at,
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constantFrom("byte-delete" as const, "byte-duplicate" as const),
    at,
    length: fc.integer({ min: 1, max: 64 }),
  }),
  fc.record({
    kind: fc.constant("splice" as const),
    at,
    from: fc.nat(),
    fromAt: at,
    length: fc.integer({ min: 1, max: 400 }),
  }),
  fc.record({ kind: fc.constantFrom("line-delete" as const, "line-duplicate" as const, "line-swap" as const), at }),
  fc.record({ kind: fc.constant("line-indent" as const), at, delta: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constantFrom("token-delete" as const, "token-duplicate" as const), at }),
  fc.record({
    kind: fc.constantFrom("token-insert" as const, "token-replace" as const),
    at,
    token: fc.oneof(fc.constantFrom(...YAML_TROUBLE), fc.constantFrom(...ODD)),
  }),
);

function index(fraction: number, length: number): number {
  return Math.min(length, Math.floor(fraction * (length + 1)));
}

/** Applies one byte-level mutation to UTF-8 bytes. */
function mutateBytes(buf: Buffer, m: Mutation): Buffer {
  const i = index(m.at, buf.length);
  switch (m.kind) {
    case "flip":
      if (i < buf.length) buf[i] = (buf[i] as number) ^ (1 << m.bit);
      return buf;
    case "byte-insert":
      return Buffer.concat([buf.subarray(0, i), Buffer.from(m.bytes), buf.subarray(i)]);
    case "byte-replace":
      return Buffer.concat([buf.subarray(0, i), Buffer.from(m.bytes), buf.subarray(i + m.bytes.length)]);
    case "byte-delete":
      return Buffer.concat([buf.subarray(0, i), buf.subarray(i + m.length)]);
    case "byte-duplicate":
      return Buffer.concat([buf.subarray(0, i + m.length), buf.subarray(i, i + m.length), buf.subarray(i + m.length)]);
    case "splice": {
      const other = Buffer.from((SHIPPED[m.from % SHIPPED.length] as { source: string }).source, "utf8");
      const j = index(m.fromAt, other.length);
      return Buffer.concat([buf.subarray(0, i), other.subarray(j, j + m.length), buf.subarray(i)]);
    }
    default:
      return buf;
  }
}

/** Applies one line-level mutation. */
function mutateLines(text: string, m: Mutation): string {
  const lines = text.split("\n");
  const i = Math.min(lines.length - 1, Math.floor(m.at * lines.length));
  const line = lines[i] as string;
  switch (m.kind) {
    case "line-delete":
      lines.splice(i, 1);
      break;
    case "line-duplicate":
      lines.splice(i, 0, line);
      break;
    case "line-swap":
      if (i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1] as string, line];
      break;
    case "line-indent":
      lines[i] = m.delta >= 0 ? " ".repeat(m.delta) + line : line.replace(new RegExp(`^ {0,${-m.delta}}`), "");
      break;
    default:
  }
  return lines.join("\n");
}

/** Applies one token-level mutation. */
function mutateTokens(text: string, m: Mutation): string {
  const tokens = tokenize(text);
  const i = Math.min(tokens.length, Math.floor(m.at * (tokens.length + 1)));
  switch (m.kind) {
    case "token-delete":
      tokens.splice(i, 1);
      break;
    case "token-duplicate":
      if (i < tokens.length) tokens.splice(i, 0, tokens[i] as string);
      break;
    case "token-insert":
      tokens.splice(i, 0, m.token);
      break;
    case "token-replace":
      tokens.splice(i, 1, m.token);
      break;
    default:
  }
  return tokens.join("");
}

/** Applies mutations in order to a source (bytes are UTF-8; invalid sequences decode to U+FFFD). */
export function applyMutations(source: string, mutations: readonly Mutation[]): string {
  let text = source;
  for (const m of mutations) {
    if (m.kind.startsWith("line-")) text = mutateLines(text, m);
    else if (m.kind.startsWith("token-")) text = mutateTokens(text, m);
    else text = mutateBytes(Buffer.from(text, "utf8"), m).toString("utf8");
  }
  return text;
}

export interface MutatedShipped {
  /** Index into SHIPPED. */
  readonly file: number;
  readonly mutations: readonly Mutation[];
}

export const mutatedShippedArb: fc.Arbitrary<MutatedShipped> = fc.record({
  file: fc.nat({ max: SHIPPED.length - 1 }),
  mutations: fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
});

export function mutatedSource(m: MutatedShipped): string {
  return applyMutations((SHIPPED[m.file] as { source: string }).source, m.mutations);
}

// ---------------------------------------------------------------------------------------------
// Small YAML documents for the loader

const yamlScalarArb = fc.oneof(
  fc.constantFrom(...YAML_TROUBLE),
  fc.constantFrom("a", "b", "ruleset", "rules", "facts", "when", "then", "1", "-1", "true"),
  fc.string({ maxLength: 6, unit: "binary" }),
);

/** Small documents mixing mappings, sequences, flow collections, anchors, tags and directives. */
export const yamlDocArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(fc.tuple(fc.nat({ max: 6 }), yamlScalarArb, fc.constantFrom(": ", ":", "- ", " ", ""), yamlScalarArb), {
      maxLength: 12,
    })
    .map((lines) => lines.map(([indent, a, sep, b]) => `${" ".repeat(indent)}${a}${sep}${b}`).join("\n")),
  fc.integer({ min: 1, max: 9 }).map(
    (levels) =>
      `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n${Array.from(
        { length: levels },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(",")}]`,
      ).join("\n")}\n`,
  ),
  // Nesting past the depth bound: flow and block collections, and keys indented one more each line.
  fc
    .tuple(fc.constantFrom("[", "{a: ", "- ", "indent"), fc.integer({ min: 1, max: 3000 }))
    .map(([open, n]) =>
      open === "indent"
        ? Array.from({ length: Math.min(n, 300) }, (_, i) => `${" ".repeat(i)}a:\n`).join("")
        : open.repeat(n),
    ),
  // Many keys in one mapping, distinct or repeated (yaml's own duplicate-key check was quadratic).
  fc
    .tuple(fc.integer({ min: 1, max: 3000 }), fc.boolean())
    .map(([n, same]) => `a:\n${Array.from({ length: n }, (_, i) => `  k${same ? 0 : i}: 1\n`).join("")}`),
  fc.string({ maxLength: 200, unit: "binary" }),
);

// ---------------------------------------------------------------------------------------------
// Hostile facts

const protoKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty");

/** JSON values that are not valid facts of any schema (and some that happen to be). */
export const hostileFactsArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(
    fc.oneof(protoKey, fc.constantFrom("n", "valor", "servico", "tipo", "facts")),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  fc.integer({ min: 10, max: 3000 }).map((n) => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = { a: v };
    return v;
  }),
  protoKey.map((k) => JSON.parse(`{"${k}": {"polluted": true}}`) as unknown),
);
