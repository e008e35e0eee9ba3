/**
 * The parse cache of dsl/syntax/parse.ts (clean parses by rule and text, ranges relative to the
 * text, mapped through each new span) must give what parsing afresh gives: generated texts (valid
 * and broken expressions, actions and cell tests) at generated spans (a base offset, or per-character
 * offsets with gaps and repeats as YAML escapes and folding make, sometimes going back), each parsed
 * several times so that most parses are cache hits, compared with `parseUncached`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAction, parseExpression, parseUncached, parseUnaryTests, type SourceSpan } from "../dsl/syntax/parse.js";

const word = fc.constantFrom(
  "a",
  "idade",
  "t.out",
  "x.y.z",
  "1",
  "2.5",
  '"A"',
  "'b'",
  "true",
  "null",
  "2026-01-01",
  "P1D",
  "and",
  "or",
  "not",
  "in",
  "is",
  "==",
  "!=",
  ">=",
  "<",
  "+",
  "-",
  "*",
  "(",
  ")",
  "[",
  "]",
  "..",
  ",",
  "{",
  "}",
  ":",
  "=",
  "+=",
  "if",
  "then",
  "else",
  "for",
  "return",
  "contains",
  "starts with",
  "soma(",
  "99999999999999999999",
  "@",
);
const text = fc.array(word, { minLength: 1, maxLength: 9 }).map((ws) => ws.join(" "));
/** Common shapes, so that the cache is hit with clean parses. */
const clean = fc.constantFrom(
  "[0..99]",
  "(1..5]",
  ">= 18",
  '"a", "b"',
  'not("x")',
  "a + 1 > b",
  "x.y in [1, 2]",
  "if a then b else c",
  "for x in xs return x * 2",
  "saida = a + 1",
  "lista += { k: 1, v: a.b }",
  "soma(a, b) - -1",
  "a is not null",
);
const rule = fc.constantFrom("expression" as const, "action" as const, "unaryTests" as const);

function spanOf(t: string, kind: number, base: number, steps: readonly number[]): SourceSpan {
  if (kind === 0) return { text: t, base };
  const offsets: number[] = [];
  let at = base;
  for (let i = 0; i <= t.length; i++) {
    offsets.push(at);
    const step = steps[i % steps.length] ?? 1;
    at = kind === 2 && i % 7 === 3 ? Math.max(0, at - 2) : at + step;
  }
  return { text: t, offsets };
}

const span = fc
  .tuple(
    fc.oneof(text, clean),
    fc.integer({ min: 0, max: 2 }),
    fc.nat(5000),
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
  )
  .map(([t, kind, base, steps]) => spanOf(t, kind, base, steps));

const PARSERS = { expression: parseExpression, action: parseAction, unaryTests: parseUnaryTests };

describe("parse cache", () => {
  it("gives what a fresh parse gives, hit or miss, at any span", () => {
    fc.assert(
      fc.property(rule, fc.array(span, { minLength: 1, maxLength: 4 }), (r, spans) => {
        for (const s of spans) {
          const viaCache = PARSERS[r](s);
          expect(viaCache).toEqual(parseUncached(r, s));
          // The same text elsewhere (a hit when the first parse was clean).
          const moved: SourceSpan = { text: s.text, base: 17 };
          expect(PARSERS[r](moved)).toEqual(parseUncached(r, moved));
        }
      }),
      { numRuns: 800 },
    );
  }, 120_000);

  it("hands out a fresh AST on every hit (the checker keys types by node)", () => {
    const a = parseUnaryTests({ text: "[0..99]", base: 10 });
    const b = parseUnaryTests({ text: "[0..99]", base: 10 });
    expect(a.value).toEqual(b.value);
    expect(a.value).not.toBe(b.value);
    expect(a.value?.range).toEqual({ start: 10, end: 17 });
  });
});
