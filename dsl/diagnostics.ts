/**
 * The one diagnostic type of the rule language. Every stage (YAML loading, lexing, parsing,
 * checking, compiling) reports problems as values of this type; the CLI, the server, the editor
 * and the tests all consume it. Codes are stable identifiers for tools; messages are Brazilian
 * Portuguese because business analysts read them.
 *
 * Ranges are offsets into the YAML source (UTF-16 code units, end exclusive). Conversion to
 * 1-based line/column happens in one place only: `positions.ts`.
 */

export type Severity = "error" | "warning" | "info";

/** Half-open offset range `[start, end)` into the rule-set source text. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/** Stable diagnostic codes, grouped by the stage that reports them. */
export const DIAGNOSTIC_CODES = [
  // YAML layer
  "yaml/syntax",
  "yaml/too-deep",
  "yaml/duplicate-key",
  "yaml/unsupported",
  // expression language
  "dsl/lexer",
  "dsl/syntax",
  "dsl/too-deep",
  "dsl/regex",
  // rule-set structure
  "ruleset/structure",
  "ruleset/unknown-key",
  "ruleset/missing-key",
  "ruleset/duplicate-name",
  "ruleset/invalid-name",
  "ruleset/unsafe-number",
  "ruleset/invalid-schema",
  // name resolution and typing
  "check/unknown-fact",
  "check/unknown-function",
  "check/unknown-output",
  "check/type-mismatch",
  "check/not-in-enum",
  "check/arity",
  "check/assign-input",
  "check/cycle",
  // tables, transitions, invariants
  "table/shape",
  "table/overlap",
  "table/gap",
  "table/shadowed-row",
  "table/analysis-limit",
  "table/invariant",
  "transition/unknown-state",
  "transition/unreachable",
  "transition/terminal-exit",
  "transition/ambiguous",
  "transition/dead-transition",
  "transition/dead-end",
  "transition/self-loop",
  "invariant/violated",
  // how values flow into the decision (warnings)
  "flow/unset-output",
  "flow/table-output-name",
  "flow/read-before-set",
  // what rule conditions allow (warnings)
  "rule/never-fires",
  "rule/conflicting-writes",
  // checked by the decision service before it accepts a rule set (limits, runtime build)
  "ruleset/too-many-rules",
  "ruleset/too-many-table-rows",
  "ruleset/runtime-build-failed",
  // internal
  "internal/error",
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export interface RelatedInformation {
  readonly message: string;
  readonly range: Range;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  readonly related?: readonly RelatedInformation[];
}

/** Creates an error diagnostic. */
export function createError(
  code: DiagnosticCode,
  message: string,
  range: Range,
  related?: RelatedInformation[],
): Diagnostic {
  return related ? { code, severity: "error", message, range, related } : { code, severity: "error", message, range };
}

/** Creates a warning diagnostic. */
export function createWarning(code: DiagnosticCode, message: string, range: Range): Diagnostic {
  return { code, severity: "warning", message, range };
}

/** True when any diagnostic is an error (warnings do not block compilation). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Result of a stage: a value (possibly partial) plus what went wrong. Stages never throw for user mistakes. */
export interface StageResult<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}

/** Sorts diagnostics by position, then code, so that output is deterministic. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.range.start - b.range.start || a.range.end - b.range.end || a.code.localeCompare(b.code),
  );
}

/** Shifts a range by a base offset (used when a sub-parser works on a slice of the file). */
export function shiftRange(range: Range, by: number): Range {
  return { start: range.start + by, end: range.end + by };
}

/**
 * Levenshtein distance, used for "você quis dizer ...?" suggestions. Bounded work: callers pass
 * short identifiers and enum values.
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[n] ?? 0;
}

/** The closest candidate to `word`, if it is close enough to be a plausible typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  // Suggestions are for typos in names: long texts get none (and cost nothing).
  if (word.length > 64) return undefined;
  const w = word.normalize("NFC").toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c.length > 64) continue;
    const d = editDistance(w, c.normalize("NFC").toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/**
 * Why a number written in a rule set (`source` as written, `value` as read) cannot be used, or
 * undefined when it can: NaN, ±Infinity (`.inf`, `1e400`) and integers written with digits that
 * JavaScript cannot hold beyond ±(2^53 − 1), so that the number read is not the one written
 * (`9007199254740993` is read as ...992). An integer that is read back exactly as written
 * (`9007199254740992`, `10000000000000000000`) and finite decimals (approximations by nature,
 * `1.5e300`) are fine.
 */
export function unsafeNumberProblem(source: string, value: number): string | undefined {
  const written = source.trim();
  if (Number.isNaN(value)) return `"${written}" não é um número (NaN): escreva um número finito`;
  if (!Number.isFinite(value))
    return `o número "${written}" é infinito (ou grande demais, acima de ~1,8e308): escreva um número finito`;
  if (Number.isSafeInteger(value) || !/^[-+]?(?:\d+|0x[0-9a-fA-F]+|0o[0-7]+)$/.test(written)) return undefined;
  const negative = written.startsWith("-");
  const digits = written.replace(/^[-+]/, "");
  const exact = BigInt(digits) * (negative ? -1n : 1n);
  // Decimal digits that print back as written are what the author sees everywhere (JSON, traces).
  const decimal = /^\d+$/.test(digits) ? `${negative ? "-" : ""}${digits.replace(/^0+(?=\d)/, "")}` : undefined;
  if (exact === BigInt(value) || (decimal !== undefined && decimal === String(value))) return undefined;
  const read = /e/.test(String(value)) ? BigInt(value).toString() : String(value);
  return `o inteiro ${written} passa do limite de precisão (${Number.MAX_SAFE_INTEGER}, 2^53 − 1) e seria lido como ${read}: use um número menor ou um texto`;
}

const CONTRACTIONS: Record<Preposition, Record<string, string>> = {
  em: { o: "no", a: "na", os: "nos", as: "nas" },
  de: { o: "do", a: "da", os: "dos", as: "das" },
  por: { o: "pelo", a: "pela", os: "pelos", as: "pelas" },
  a: { o: "ao", a: "à", os: "aos", as: "às" },
};

export type Preposition = "em" | "de" | "por" | "a";

/**
 * Joins a Portuguese preposition to a phrase, contracting it with a leading definite article as
 * the language requires: `("em", "a regra x")` → "na regra x", `("de", "a tabela t")` → "da tabela
 * t"; a phrase without an article keeps the preposition (`("em", "facts.idade")` → "em
 * facts.idade"). Messages are built from phrases like "a regra x", so every "em "/"de " joined to
 * a phrase goes through here.
 */
export function withPreposition(preposition: Preposition, phrase: string): string {
  const m = /^(os|as|o|a) (.*)$/su.exec(phrase);
  const contracted = m ? CONTRACTIONS[preposition][m[1] as string] : undefined;
  return m && contracted ? `${contracted} ${m[2] as string}` : `${preposition} ${phrase}`;
}

/** `em` + phrase, contracted ("na regra", "no invariante"). */
export function em(phrase: string): string {
  return withPreposition("em", phrase);
}

/** `de` + phrase, contracted ("da tabela", "do caso"). */
export function de(phrase: string): string {
  return withPreposition("de", phrase);
}

/** Formats the suggestion suffix of a message: ` Você quis dizer "x"?` or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  return s === undefined ? "" : ` Você quis dizer "${s}"?`;
}
