/**
 * The fast path of dsl/yaml/flow-rows.ts (table rows `- [a, b, "c"]` masked and their tokens built
 * directly) must give exactly yaml's CST for the original text: generated documents mix qualifying
 * rows with near misses (any cells, trailing comments, odd spacing, escapes), rows inside block
 * and quoted scalars, plain-scalar continuations, comments and blank lines, at several indents.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Parser } from "yaml";
import { compileSource, diagnose } from "../dsl/compile/pipeline.js";
import { parseCst } from "../dsl/yaml/flow-rows.js";

const yamlCst = (text: string) => JSON.stringify(Array.from(new Parser().parse(text)));
const fastCst = (text: string) => JSON.stringify(parseCst(text, 1));

const plain = fc.constantFrom(
  "A0",
  "B12",
  "Reembolso",
  "Autorização Prévia",
  "x_y",
  "1",
  "2.5",
  "-3",
  "1e3",
  "0x1F",
  "true",
  "null",
  "2026-01-01",
  "a - b",
  "a -b",
  "(x)",
  "a/b+c",
  "ação",
  "Ü",
  "x.",
);
const quoted = fc.constantFrom(
  '"[0..99]"',
  '">= 18"',
  '"a, b"',
  "'x'",
  "'[1..2]'",
  '""',
  "''",
  '"not(\\"a\\")"',
  '"-"',
);
const nearMiss = fc.constantFrom(
  "-",
  " A",
  "A ",
  "A  B",
  "a: b",
  "#x",
  "a #b",
  "[a]",
  "{a: 1}",
  "~",
  "?",
  "&a",
  "*a",
  "!t",
  "`",
);
const item = fc.oneof(
  { weight: 6, arbitrary: plain },
  { weight: 3, arbitrary: quoted },
  { weight: 1, arbitrary: nearMiss },
);
const separator = fc.oneof(
  { weight: 12, arbitrary: fc.constant(", ") },
  { weight: 1, arbitrary: fc.constantFrom(",", " , ", ",  ") },
);
const flowSeq = fc
  .tuple(fc.array(item, { minLength: 1, maxLength: 5 }), fc.array(separator, { minLength: 4, maxLength: 4 }))
  .map(([items, seps]) => `[${items.map((x, i) => (i === 0 ? x : `${seps[i - 1]}${x}`)).join("")}]`);
const rowEnd = fc.oneof(
  { weight: 10, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.constantFrom(" ", "  # c", ": x", " ]") },
);
const row = (indent: number) => fc.tuple(flowSeq, rowEnd).map(([s, e]) => `${" ".repeat(indent)}- ${s}${e}`);

/** A block of lines at `indent`: a key with a rows block, a scalar that looks like rows, or filler. */
const block = (indent: number): fc.Arbitrary<string[]> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(
          fc.constantFrom(0, 2),
          fc.array(row(0), { minLength: 1, maxLength: 6 }),
          fc.array(fc.integer({ min: 0, max: 9 })),
        )
        .map(([extra, rows, gaps]) => {
          const at = " ".repeat(indent + extra);
          const lines = [`${" ".repeat(indent)}rows:`];
          rows.forEach((r, i) => {
            if (gaps[i] === 0) lines.push("");
            if (gaps[i] === 1) lines.push(`${at}# comentário`);
            if (gaps[i] === 2) lines.push(`${at}  # mais fundo`);
            lines.push(`${at}${r}`);
          });
          return lines;
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(row(indent + 2), { minLength: 1, maxLength: 3 })
        .map((rows) => [`${" ".repeat(indent)}d: |`, ...rows]),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(row(indent + 2), { minLength: 1, maxLength: 3 })
        .map((rows) => [`${" ".repeat(indent)}d: "a`, ...rows, `${" ".repeat(indent + 2)}b"`]),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(row(indent + 2), { minLength: 1, maxLength: 3 })
        .map((rows) => [`${" ".repeat(indent)}d: texto`, ...rows]),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(`${" ".repeat(indent)}k: v`, `${" ".repeat(indent)}f: { a: [1, 2] }`, "")
        .map((l) => [l]),
    },
  );

const document = fc
  .tuple(fc.array(block(0), { minLength: 1, maxLength: 4 }), fc.array(block(4), { maxLength: 3 }), fc.boolean())
  .map(([top, nested, finalNewline]) => {
    const lines = top.flat();
    if (nested.length > 0) lines.push("tables:", "  - name: t", ...nested.flat());
    return lines.join("\n") + (finalNewline ? "\n" : "");
  });

describe("table rows: the fast CST path", () => {
  it("gives yaml's CST on generated documents", () => {
    fc.assert(
      fc.property(document, (text) => {
        expect(fastCst(text)).toBe(yamlCst(text));
      }),
      { numRuns: 500 },
    );
  }, 120_000);

  it("gives yaml's CST on a synthetic table and its edge cases", () => {
    const rows = Array.from({ length: 200 }, (_, i) => `      - [A${i % 7}, B${i % 3}, "[${i}..${i + 9}]", R${i}]`);
    const text = ["tables:", "  - name: t", "    rows:", ...rows, "rules: []", ""].join("\n");
    expect(fastCst(text)).toBe(yamlCst(text));
    expect(fastCst(text.slice(0, -1))).toBe(yamlCst(text.slice(0, -1)));
    expect(fastCst(text.replace(/\n/g, "\r\n"))).toBe(yamlCst(text.replace(/\n/g, "\r\n")));
    expect(fastCst(`\uFEFF${text}`)).toBe(yamlCst(`\uFEFF${text}`));
  });

  it("compiles a large table as before (diagnostics included)", () => {
    const rows = Array.from({ length: 150 }, (_, i) => `      - [A${i % 7}, B${i % 3}, ${i % 5}, R${i}]`);
    const source = [
      "ruleset: t",
      "facts:",
      "  a: { type: string, required: true }",
      "  b: { type: string, required: true }",
      "  n: { type: number, required: true }",
      "outputs:",
      "  out: { type: string, nullable: true }",
      "tables:",
      "  - name: t",
      "    hitPolicy: unique",
      "    inputs: [a, b, n]",
      "    outputs: [out]",
      "    rows:",
      ...rows,
      "rules:",
      "  - name: r",
      "    then: out = t.out",
      "",
    ].join("\n");
    const d = diagnose(source).diagnostics;
    expect(d.some((x) => x.code === "table/overlap")).toBe(true);
    // collect: under first, the repeated rows would never be chosen (table/shadowed-row errors).
    const first = compileSource(
      source
        .replace("hitPolicy: unique", "hitPolicy: collect")
        .replace("then: out = t.out", 'then: out = join(t.out, ",")'),
    );
    expect(first.ok).toBe(true);
    expect(first.compiled?.tables.t?.rows).toHaveLength(150);
  });
});
