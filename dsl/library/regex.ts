/**
 * Regular expressions of the rule language (`texto matches "padrão"`). Patterns are written by
 * analysts, so they are NEVER run with JavaScript's backtracking `RegExp` (an expression such as
 * `^(a+)+$` could freeze the engine): they are compiled with `re2js`, a pure-JS port of RE2 that
 * matches in linear time. RE2 syntax has no backreferences and no lookaround.
 *
 * Compiled patterns (and compile errors) are kept in a small LRU cache.
 */
import { RE2JS, RE2JSSyntaxException } from "re2js";

/** Longest accepted pattern, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 1000;
/** Number of compiled patterns kept. */
export const PATTERN_CACHE_SIZE = 256;

/** Thrown by `matches` for a pattern that `checkPattern` rejects; the message is in Portuguese. */
export class InvalidPatternError extends Error {
  constructor(
    message: string,
    readonly pattern: string,
  ) {
    super(message);
    this.name = "InvalidPatternError";
  }
}

/** RE2 parser messages → Portuguese explanations for analysts. */
const SYNTAX_MESSAGES: Readonly<Record<string, string>> = {
  "missing closing )": "falta fechar um parêntese ')'",
  "unexpected )": "há um ')' sem o '(' correspondente",
  "missing closing ]": "falta fechar um colchete ']'",
  "invalid character class range": "intervalo inválido dentro de colchetes",
  "invalid escape sequence": "sequência de escape inválida (referências como \\1 não são suportadas)",
  "invalid named capture": "grupo nomeado inválido (lookbehind '(?<=' e '(?<!' não são suportados)",
  "invalid or unsupported Perl syntax": "sintaxe não suportada (lookahead '(?=' e '(?!' não são suportados)",
  "invalid nested repetition operator": "repetição aninhada inválida (como '**' ou '+*')",
  "invalid repeat count": "contagem de repetição inválida (o máximo é 1000)",
  "missing argument to repetition operator": "operador de repetição sem nada antes para repetir",
  "trailing backslash at end of expression": "barra invertida '\\' solta no final",
  "duplicate capture group name": "nome de grupo repetido",
  "expression nests too deeply": "expressão aninhada demais",
  "expression too large": "expressão grande demais",
};

function describeError(e: unknown): string {
  if (e instanceof RE2JSSyntaxException) {
    const what = SYNTAX_MESSAGES[e.error] ?? e.error;
    return e.input ? `${what}: \`${e.input}\`` : what;
  }
  return e instanceof Error ? e.message : String(e);
}

/** LRU: a Map iterates in insertion order, so re-inserting on use keeps the oldest first. */
const cache = new Map<string, RE2JS | string>();

function compileCached(pattern: string): RE2JS | string {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    // Not cached: a huge key would pin memory.
    return `expressão regular longa demais (${pattern.length} caracteres; o máximo é ${MAX_PATTERN_LENGTH})`;
  }
  let entry: RE2JS | string;
  try {
    entry = RE2JS.compile(pattern);
  } catch (e) {
    entry = `expressão regular inválida: ${describeError(e)}`;
  }
  cache.set(pattern, entry);
  if (cache.size > PATTERN_CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return entry;
}

/**
 * Checks a pattern: undefined when it compiles with RE2 (and is at most MAX_PATTERN_LENGTH long),
 * else a Portuguese message for the analyst, e.g. "expressão regular inválida: falta fechar um
 * parêntese ')': `(a`".
 */
export function checkPattern(pattern: string): string | undefined {
  const entry = compileCached(pattern);
  return typeof entry === "string" ? entry : undefined;
}

/**
 * True when `pattern` is found somewhere in `text` (like `RegExp.prototype.test`; use `^` and `$`
 * to anchor). Linear time in the length of the text. Throws InvalidPatternError (with the message
 * of `checkPattern`) when the pattern is invalid.
 */
export function matches(text: string, pattern: string): boolean {
  const entry = compileCached(pattern);
  if (typeof entry === "string") throw new InvalidPatternError(entry, pattern);
  return entry.test(text);
}

/** Number of compiled patterns currently cached (for tests). */
export function patternCacheSize(): number {
  return cache.size;
}
