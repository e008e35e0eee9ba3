/**
 * Facts of the language defined once (issue 8): the reserved names derive from the lexer's keyword
 * tokens, the duration syntax is one definition shared by the lexer, the checker and the engine, and
 * texts have one order (dsl/values.ts `compareTexts`).
 */
import { describe, expect, it } from "vitest";
import { RESERVED_NAMES } from "../dsl/ruleset/load.js";
import { DurationLiteral, expressionLexer, keywordNames, keywordTokens } from "../dsl/syntax/tokens.js";
import { compareTexts, compareValues, isDurationText, parseDuration } from "../dsl/values.js";

describe("one source for each fact", () => {
  it("every keyword the lexer knows is a reserved name, spelled as the lexer reads it", () => {
    expect(keywordNames).toHaveLength(keywordTokens.length);
    for (const word of keywordNames) {
      expect(RESERVED_NAMES.has(word), word).toBe(true);
      const lexed = expressionLexer.tokenize(word);
      expect(
        lexed.tokens.map((t) => t.image),
        word,
      ).toEqual([word]);
      expect(keywordTokens).toContain(lexed.tokens[0]?.tokenType);
    }
    for (const name of ["decision", "item", "rows", "__proto__", "constructor", "prototype"])
      expect(RESERVED_NAMES.has(name)).toBe(true);
    expect(RESERVED_NAMES.size).toBe(keywordNames.length + 6);
  });

  it("the lexer's duration literal and the fact/default check accept the same texts", () => {
    for (const text of ["2h", "10d", "30min", "45s", "1h30min", "1d2h3min4s", "007d", "2h2h"]) {
      expect(isDurationText(text), text).toBe(true);
      const lexed = expressionLexer.tokenize(text);
      expect(
        lexed.tokens.map((t) => [t.tokenType, t.image]),
        text,
      ).toEqual([[DurationLiteral, text]]);
    }
    for (const text of ["", "2", "h", "2x", "1.5h", "2 h", "2H", "2mins", "-2h", "2h "])
      expect(isDurationText(text), text).toBe(false);
    expect(parseDuration("1d2h3min4s")).toMatchObject({ days: 1, millis: 2 * 3_600_000 + 3 * 60_000 + 4000 });
  });

  it("texts have one order: digits-only by numeric value and first, otherwise code point; 0 only for identical texts", () => {
    const sorted = ["007", "7", "9", "10", "0011", "100", "-5", "A", "a", "á", "～", "😀"];
    for (let i = 0; i < sorted.length; i++) {
      for (let j = 0; j < sorted.length; j++) {
        const a = sorted[i] as string;
        const b = sorted[j] as string;
        expect(Math.sign(compareTexts(a, b)), `${a} vs ${b}`).toBe(Math.sign(i - j));
        expect(compareValues(a, b)).toBe(compareTexts(a, b));
      }
    }
  });
});
