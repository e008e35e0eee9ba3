import { describe, expect, it } from "vitest";
import {
  InvalidPatternError,
  MAX_PATTERN_LENGTH,
  PATTERN_CACHE_SIZE,
  checkPattern,
  matches,
  patternCacheSize,
} from "./regex.js";

describe("checkPattern", () => {
  it("accepts valid RE2 patterns", () => {
    expect(checkPattern("^\\d{3}\\.\\d{3}$")).toBeUndefined();
    expect(checkPattern("(?i)reembolso|ressarcimento")).toBeUndefined();
    expect(checkPattern("[A-Z]{2}-\\d+")).toBeUndefined();
    expect(checkPattern("")).toBeUndefined();
  });

  it("explains invalid patterns in Portuguese", () => {
    const msg = checkPattern("(abc");
    expect(msg).toMatch(/^expressão regular inválida: /);
    expect(msg).toContain("parêntese");
    expect(checkPattern("abc)")).toMatch(/^expressão regular inválida: /);
    expect(checkPattern("[z-a]")).toContain("intervalo inválido");
    expect(checkPattern("a**")).toContain("repetição aninhada");
  });

  it("rejects what RE2 does not support (backreferences, lookaround)", () => {
    expect(checkPattern("(a)\\1")).toMatch(/^expressão regular inválida: /);
    expect(checkPattern("a(?=b)")).toMatch(/^expressão regular inválida: /);
    expect(checkPattern("(?<=a)b")).toMatch(/^expressão regular inválida: /);
  });

  it("rejects patterns longer than 1000 characters", () => {
    expect(checkPattern("a".repeat(MAX_PATTERN_LENGTH))).toBeUndefined();
    expect(checkPattern("a".repeat(MAX_PATTERN_LENGTH + 1))).toMatch(/longa demais/);
  });
});

describe("matches", () => {
  it("finds the pattern anywhere in the text, like RegExp.test", () => {
    expect(matches("protocolo 2026-000123", "\\d{4}-\\d+")).toBe(true);
    expect(matches("abc", "b")).toBe(true);
    expect(matches("abc", "^b")).toBe(false);
    expect(matches("abc", "c$")).toBe(true);
    expect(matches("abc", "^abc$")).toBe(true);
    expect(matches("", "")).toBe(true);
    expect(matches("abc", "x")).toBe(false);
  });

  it("handles accented text and case-insensitive flags", () => {
    expect(matches("Solicitação de reembolso", "ção")).toBe(true);
    expect(matches("Solicitação", "^Solicita.ão$")).toBe(true);
    expect(matches("REEMBOLSO", "(?i)reembolso")).toBe(true);
    expect(matches("REEMBOLSO", "reembolso")).toBe(false);
  });

  it("runs `^(a+)+$` against 100,000 a's and a b without catastrophic backtracking", () => {
    const text = `${"a".repeat(100_000)}b`;
    expect(matches(text, "^(a+)+$")).toBe(false);
    expect(matches(`${"a".repeat(100_000)}`, "^(a+)+$")).toBe(true);
  });

  it("throws InvalidPatternError (with the Portuguese message) for an invalid pattern", () => {
    expect(() => matches("x", "(x")).toThrow(InvalidPatternError);
    expect(() => matches("x", "(x")).toThrow(/^expressão regular inválida/);
  });

  it("keeps the cache bounded", () => {
    for (let i = 0; i < PATTERN_CACHE_SIZE * 2; i++) expect(matches(`n${i}`, `^n${i}$`)).toBe(true);
    expect(patternCacheSize()).toBe(PATTERN_CACHE_SIZE);
    // Still correct after evictions.
    expect(matches("n0", "^n0$")).toBe(true);
    expect(matches("n1", "^n0$")).toBe(false);
  });
});
