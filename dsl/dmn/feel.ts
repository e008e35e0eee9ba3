/**
 * FEEL simple unary tests ⇄ our table cells (docs/dmn.md, "Células").
 *
 * DMN decision tables write their input entries as FEEL unary tests. We translate the subset that
 * means the same thing in our cells: `-`, literals (texts with FEEL escapes, numbers, true/false,
 * null, `date("…")`, `date and time("…")`, `duration("…")` and the `@"…"` forms), lists of
 * alternatives (`"Medium","Low"`), comparisons (`>=18`), intervals (`[18..65)`, `]0..1]`) and
 * `not(...)`. Anything else (names of other values, arithmetic, function calls, `?`) is refused
 * with a reason, never approximated. Output entries are literals only.
 *
 * The other direction turns a loaded cell (`UnaryTest`, output `Expr`) into FEEL text, refusing
 * cells that read other values, call functions or compute (`= expr`).
 *
 * This is a tokenizer and parser for the small FEEL text inside `<text>` elements; the XML
 * around it is read by xml.ts only.
 */
import { printExpr, quoteString } from "../format/print-expr.js";
import type { Expr, LiteralValue, UnaryTest } from "../syntax/ast.js";
import { isDurationText } from "../values.js";

/** A literal of the AST tagged by `kind` instead of `type`. */
type Retagged<T> = T extends { readonly type: infer K } ? { readonly kind: K } & Omit<T, "type"> : never;

/**
 * A FEEL literal value: one of our literal values (the AST's `LiteralValue`, same kinds and value
 * forms; a duration in our syntax, `1d2h30min`, read from an ISO 8601 days-and-time duration).
 */
export type FeelValue = Retagged<LiteralValue>;

export type FeelPositive =
  | { readonly kind: "value"; readonly value: FeelValue }
  | { readonly kind: "compare"; readonly op: "<" | "<=" | ">" | ">="; readonly value: FeelValue }
  | {
      readonly kind: "range";
      readonly low: FeelValue;
      readonly high: FeelValue;
      readonly lowInclusive: boolean;
      readonly highInclusive: boolean;
    };

export type FeelTests =
  | { readonly kind: "any" }
  | { readonly kind: "tests"; readonly tests: readonly FeelPositive[] }
  | { readonly kind: "not"; readonly tests: readonly FeelPositive[] };

export type FeelResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** A table cell as it is written in the YAML (a scalar, or a list of alternatives). */
export type Cell = string | number | boolean | null | readonly Cell[];

const ok = <T>(value: T): FeelResult<T> => ({ ok: true, value });
const fail = <T>(message: string): FeelResult<T> => ({ ok: false, message });

// ---------------------------------------------------------------------------------------------
// FEEL text → tests

type Token =
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "num"; readonly v: string }
  | { readonly t: "word"; readonly v: string }
  | { readonly t: "p"; readonly v: string };

class Refused extends Error {}

const PUNCT = ["..", "<=", ">=", "!=", "<", ">", "=", "(", ")", "[", "]", ",", "-", "+", "*", "/", "?", "@", "."];

// Sticky: matched where the tokenizer stands, without copying the rest of the text (linear time).
const NUMBER_AT = /\d+(?:\.\d+)?|\.\d+/y;
const WORD_AT = /[\p{L}_][\p{L}\p{N}_']*/uy;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/u.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let v = "";
      for (;;) {
        if (j >= text.length) throw new Refused("um texto sem a aspa que o fecha");
        const d = text.charAt(j);
        if (d === '"') break;
        if (d === "\\") {
          const e = text.charAt(j + 1);
          const simple: Record<string, string> = { '"': '"', "'": "'", "\\": "\\", n: "\n", r: "\r", t: "\t" };
          if (e in simple) {
            v += simple[e];
            j += 2;
          } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
            v += String.fromCharCode(Number.parseInt(text.slice(j + 2, j + 6), 16));
            j += 6;
          } else if (e === "U" && /^[0-9a-fA-F]{6}$/.test(text.slice(j + 2, j + 8))) {
            const code = Number.parseInt(text.slice(j + 2, j + 8), 16);
            if (code > 0x10ffff) throw new Refused(`o escape \\U${text.slice(j + 2, j + 8)} não é um caractere`);
            v += String.fromCodePoint(code);
            j += 8;
          } else throw new Refused(`o escape \\${e} não existe em textos FEEL`);
          continue;
        }
        v += d;
        j++;
      }
      out.push({ t: "str", v });
      i = j + 1;
      continue;
    }
    NUMBER_AT.lastIndex = i;
    const num = NUMBER_AT.exec(text);
    if (num && !(c === "." && text.charAt(i + 1) === ".")) {
      out.push({ t: "num", v: num[0] });
      i += num[0].length;
      continue;
    }
    WORD_AT.lastIndex = i;
    const word = WORD_AT.exec(text);
    if (word) {
      out.push({ t: "word", v: word[0] });
      i += word[0].length;
      continue;
    }
    const p = PUNCT.find((s) => text.startsWith(s, i));
    if (!p) throw new Refused(`o caractere "${c}"`);
    out.push({ t: "p", v: p });
    i += p.length;
  }
  return out;
}

class FeelParser {
  private i = 0;
  constructor(private readonly toks: readonly Token[]) {}

  private peek(k = 0): Token | undefined {
    return this.toks[this.i + k];
  }
  private isP(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.t === "p" && t.v === v;
  }
  private isWord(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.t === "word" && t.v === v;
  }
  private expectP(v: string): void {
    if (!this.isP(v)) throw new Refused(this.unexpected(`"${v}"`));
    this.i++;
  }
  private unexpected(wanted: string): string {
    const t = this.peek();
    if (!t) return `faltou ${wanted} no fim`;
    return `esperava ${wanted} e encontrou "${t.v}"`;
  }
  atEnd(): boolean {
    return this.i >= this.toks.length;
  }

  tests(): FeelTests {
    if (this.toks.length === 1 && this.isP("-")) return { kind: "any" };
    if (this.isWord("not") && this.isP("(", 1)) {
      this.i += 2;
      const tests = this.positives();
      this.expectP(")");
      this.end();
      return { kind: "not", tests };
    }
    const tests = this.positives();
    this.end();
    return { kind: "tests", tests };
  }

  end(): void {
    if (this.atEnd()) return;
    const t = this.peek() as Token;
    if (t.t === "p" && ["+", "-", "*", "/"].includes(t.v))
      throw new Refused(`uma conta (${t.v}): expressões FEEL completas não são traduzidas`);
    if (t.t === "word" && ["and", "or"].includes(t.v))
      throw new Refused(`"${t.v}": expressões FEEL completas não são traduzidas`);
    throw new Refused(this.unexpected('"," ou o fim do teste'));
  }

  positives(): FeelPositive[] {
    const out = [this.positive()];
    while (this.isP(",")) {
      this.i++;
      out.push(this.positive());
    }
    return out;
  }

  positive(): FeelPositive {
    const t = this.peek();
    if (t?.t === "p" && ["<", "<=", ">", ">="].includes(t.v)) {
      this.i++;
      const value = this.endpoint();
      if (value.kind === "null" || value.kind === "boolean")
        throw new Refused(`uma comparação ${t.v} com ${value.kind === "null" ? "null" : "um booleano"}`);
      return { kind: "compare", op: t.v as "<" | "<=" | ">" | ">=", value };
    }
    if (t?.t === "p" && (t.v === "=" || t.v === "!="))
      throw new Refused(`o operador ${t.v} (não faz parte dos testes unários simples; use o valor ou not(...))`);
    if (t?.t === "p" && (t.v === "[" || t.v === "]" || t.v === "(")) {
      this.i++;
      const low = this.endpoint();
      this.expectP("..");
      const high = this.endpoint();
      const close = this.peek();
      if (!(close?.t === "p" && (close.v === "]" || close.v === ")" || close.v === "[")))
        throw new Refused(this.unexpected('"]", ")" ou "["'));
      this.i++;
      for (const v of [low, high])
        if (v.kind === "null" || v.kind === "boolean")
          throw new Refused("um intervalo com null ou booleanos nas pontas");
      return { kind: "range", low, high, lowInclusive: t.v === "[", highInclusive: close.v === "]" };
    }
    return { kind: "value", value: this.endpoint() };
  }

  endpoint(): FeelValue {
    const t = this.peek();
    if (!t) throw new Refused("faltou um valor no fim");
    if (t.t === "p" && t.v === "-") {
      const n = this.peek(1);
      if (n?.t === "num") {
        this.i += 2;
        return { kind: "number", value: numberOf(`-${n.v}`) };
      }
      throw new Refused('um "-" que não é o "qualquer valor" sozinho nem o sinal de um número');
    }
    if (t.t === "num") {
      this.i++;
      return { kind: "number", value: numberOf(t.v) };
    }
    if (t.t === "str") {
      this.i++;
      return { kind: "string", value: t.v };
    }
    if (t.t === "p" && t.v === "@") {
      const s = this.peek(1);
      if (s?.t !== "str") throw new Refused('um "@" que não vem antes de um texto');
      this.i += 2;
      return atLiteral(s.v);
    }
    if (t.t === "word") {
      if (t.v === "true" || t.v === "false") {
        this.i++;
        return { kind: "boolean", value: t.v === "true" };
      }
      if (t.v === "null") {
        this.i++;
        return { kind: "null" };
      }
      if (this.isWord("date") && this.isWord("and", 1) && this.isWord("time", 2) && this.isP("(", 3)) {
        this.i += 3;
        return dateTimeOf(this.stringArgument("date and time"));
      }
      if ((t.v === "date" || t.v === "duration") && this.isP("(", 1)) {
        this.i++;
        const s = this.stringArgument(t.v);
        return t.v === "date" ? dateOf(s) : durationOf(s);
      }
      if (t.v === "time" && this.isP("(", 1)) throw new Refused("horas sem data (time): o tipo time não é traduzido");
      if (this.isP("(", 1)) throw new Refused(`uma chamada de função (${t.v}(...))`);
      throw new Refused(`um nome (${t.v}): testes que leem outros valores não são traduzidos`);
    }
    if (t.t === "p" && t.v === "?") throw new Refused("o valor de entrada ? (testes que usam ? são expressões FEEL)");
    throw new Refused(this.unexpected("um valor"));
  }

  private stringArgument(fn: string): string {
    this.expectP("(");
    const s = this.peek();
    if (s?.t !== "str") throw new Refused(`${fn}(...) só é traduzido com um texto literal entre os parênteses`);
    this.i++;
    this.expectP(")");
    return s.v;
  }
}

function numberOf(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Refused(`o número ${text} não cabe num número de ponto flutuante`);
  if (Number.isInteger(n) && !Number.isSafeInteger(n))
    throw new Refused(`o número ${text} passa de 2^53 − 1 e não seria lido exatamente`);
  return n;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?$/;
const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

function dateOf(s: string): FeelValue {
  if (!DATE.test(s)) throw new Refused(`date("${s}") não é uma data aaaa-mm-dd`);
  return { kind: "date", value: s };
}

function dateTimeOf(s: string): FeelValue {
  if (!DATE_TIME.test(s))
    throw new Refused(
      `date and time("${s}") não é uma data-hora aaaa-mm-ddThh:mm[:ss][Z|±hh:mm] (fusos por nome não são traduzidos)`,
    );
  return { kind: "datetime", value: s };
}

function durationOf(s: string): FeelValue {
  const m = ISO_DURATION.exec(s);
  if (!m || s === "P" || s.endsWith("T"))
    throw new Refused(
      `duration("${s}") não é uma duração em dias, horas, minutos e segundos inteiros (PnDTnHnMnS; anos e meses não são traduzidos)`,
    );
  const [, d, h, min, sec] = m;
  const parts = [d && `${Number(d)}d`, h && `${Number(h)}h`, min && `${Number(min)}min`, sec && `${Number(sec)}s`]
    .filter((p) => p && !/^0\D/.test(p))
    .join("");
  return { kind: "duration", value: parts || "0s" };
}

function atLiteral(s: string): FeelValue {
  if (DATE.test(s)) return dateOf(s);
  if (s.includes("T") && !s.startsWith("P")) return dateTimeOf(s);
  if (s.startsWith("P")) return durationOf(s);
  throw new Refused(`@"${s}" (só datas, data-horas e durações em dias e horas são traduzidas)`);
}

function refusal(text: string, e: unknown): string {
  const reason = e instanceof Refused ? e.message : String(e);
  return `o teste FEEL ${JSON.stringify(text.trim())} está fora do subconjunto traduzido: ${reason}`;
}

/** Parses an input entry (FEEL simple unary tests). */
export function parseUnaryTests(text: string): FeelResult<FeelTests> {
  try {
    const toks = tokenize(text);
    if (toks.length === 0) return ok({ kind: "any" });
    return ok(new FeelParser(toks).tests());
  } catch (e) {
    return fail(refusal(text, e));
  }
}

/** Parses an output entry or a default output entry: one literal (empty text = null). */
export function parseLiteral(text: string): FeelResult<FeelValue> {
  try {
    const toks = tokenize(text);
    if (toks.length === 0) return ok({ kind: "null" });
    const p = new FeelParser(toks);
    const v = p.endpoint();
    p.end();
    return ok(v);
  } catch (e) {
    const reason = e instanceof Refused ? e.message : String(e);
    return fail(`a saída FEEL ${JSON.stringify(text.trim())} não é um valor literal: ${reason}`);
  }
}

/** Parses `inputValues`/`outputValues`/`allowedValues`: a list of plain values ("a", "b", 1, 2). */
export function parseValueList(text: string): FeelResult<FeelValue[]> {
  const r = parseUnaryTests(text);
  if (!r.ok) return r;
  if (r.value.kind !== "tests" || r.value.tests.some((t) => t.kind !== "value"))
    return fail(`a lista de valores ${JSON.stringify(text.trim())} não é uma lista de valores literais`);
  return ok(r.value.tests.map((t) => (t as { value: FeelValue }).value));
}

// ---------------------------------------------------------------------------------------------
// FEEL tests → our cells

/** The AST's literal for a FEEL value, and back. */
function literalOf(v: FeelValue): LiteralValue {
  const { kind, ...rest } = v;
  return { type: kind, ...rest } as LiteralValue;
}

function feelValueOf(l: LiteralValue): FeelValue {
  const { type, ...rest } = l;
  return { kind: type, ...rest } as FeelValue;
}

/** A value as our language writes it in an expression or a test (`"a"`, `18`, `2026-04-03`, `2h`). */
export function ourLiteral(v: FeelValue): string {
  return printExpr({ kind: "literal", literal: literalOf(v), range: { start: 0, end: 0 } });
}

const LOOKS_LIKE_TEST = /^(?:[<>=![\]("']|not\b)/u;

/** A text cell written bare when the loader reads it back as that same text, else `= "texto"`. */
function textCell(s: string): string {
  const trimmed = s.trim();
  if (trimmed === "" || trimmed === "-" || LOOKS_LIKE_TEST.test(trimmed)) return `= ${quoteString(s)}`;
  return s;
}

/** A value as a whole cell (input cells compare with it; output cells are it). */
export function valueCell(v: FeelValue): Cell {
  switch (v.kind) {
    case "string":
      return textCell(v.value);
    case "number":
    case "boolean":
      return v.value;
    case "null":
      return null;
    default:
      return `= ${ourLiteral(v)}`;
  }
}

/** An output value as an output cell (a text starting with `=` would be read as an expression). */
export function outputCell(v: FeelValue): Cell {
  if (v.kind === "string") return /^\s*=/.test(v.value) ? `= ${quoteString(v.value)}` : v.value;
  return valueCell(v);
}

function positiveText(t: FeelPositive): string {
  switch (t.kind) {
    case "value":
      return ourLiteral(t.value);
    case "compare":
      return `${t.op} ${ourLiteral(t.value)}`;
    case "range":
      return `${t.lowInclusive ? "[" : "("}${ourLiteral(t.low)}..${ourLiteral(t.high)}${t.highInclusive ? "]" : ")"}`;
  }
}

function positiveCell(t: FeelPositive): Cell {
  return t.kind === "value" ? valueCell(t.value) : positiveText(t);
}

/** FEEL tests as one of our input cells: `-`, a value, a YAML list, or a test text (`>= 18`). */
export function testsToCell(t: FeelTests): Cell {
  switch (t.kind) {
    case "any":
      return "-";
    case "not":
      return `not(${t.tests.map(positiveText).join(", ")})`;
    case "tests":
      return t.tests.length === 1 ? positiveCell(t.tests[0] as FeelPositive) : t.tests.map(positiveCell);
  }
}

/** The FEEL input entry text → our cell, or why it cannot be translated. */
export function feelToCell(text: string): FeelResult<Cell> {
  const r = parseUnaryTests(text);
  return r.ok ? ok(testsToCell(r.value)) : r;
}

// ---------------------------------------------------------------------------------------------
// Our cells → FEEL

/** A FEEL string literal (`"` and `\` escaped, control characters as \uXXXX). */
export function feelString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A FEEL number literal (FEEL has no exponent notation). */
export function feelNumber(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  if (Number.isInteger(n)) return BigInt(n).toString();
  return n.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
}

/** Our duration (`1d2h30min`) → ISO 8601 (`P1DT2H30M`). */
export function isoDuration(ours: string): string {
  let d = 0;
  let h = 0;
  let m = 0;
  let s = 0;
  for (const part of ours.matchAll(/(\d+)(d|h|min|s)/g)) {
    const n = Number(part[1]);
    if (part[2] === "d") d += n;
    else if (part[2] === "h") h += n;
    else if (part[2] === "min") m += n;
    else s += n;
  }
  const time = `${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s ? `${s}S` : ""}`;
  const out = `P${d ? `${d}D` : ""}${time ? `T${time}` : ""}`;
  return out === "P" ? "PT0S" : out;
}

/** A FEEL literal for a value of ours. */
export function feelLiteral(v: FeelValue): string {
  switch (v.kind) {
    case "string":
      return feelString(v.value);
    case "number":
      return feelNumber(v.value);
    case "boolean":
      return String(v.value);
    case "null":
      return "null";
    case "date":
      return `date(${feelString(v.value)})`;
    case "datetime":
      return `date and time(${feelString(v.value)})`;
    case "duration":
      return `duration(${feelString(isoDuration(v.value))})`;
  }
}

/** The plain value of a literal expression of ours (a number's minus sign included), or why not. */
export function exprValue(e: Expr): FeelResult<FeelValue> {
  if (e.kind === "literal") {
    const l = e.literal;
    return l.type === "duration" && !isDurationText(l.value) ? fail("duração inválida") : ok(feelValueOf(l));
  }
  if (e.kind === "unary" && e.operator === "-" && e.operand.kind === "literal" && e.operand.literal.type === "number")
    return ok({ kind: "number", value: -e.operand.literal.value });
  if (e.kind === "name" || e.kind === "member" || e.kind === "index")
    return fail("a célula lê outro valor (um nome), o que o DMN não diz num teste unário simples");
  if (e.kind === "call") return fail(`a célula chama uma função (${e.callee})`);
  return fail("a célula é uma expressão calculada (= expr)");
}

/** A literal output cell of ours → FEEL, or why not. */
export function exprToFeel(e: Expr): FeelResult<string> {
  const v = exprValue(e);
  return v.ok ? ok(feelLiteral(v.value)) : v;
}

function positiveToFeel(t: UnaryTest): FeelResult<string> {
  switch (t.kind) {
    case "compare": {
      const v = exprValue(t.value);
      if (!v.ok) return v;
      if (t.operator === "==") return ok(feelLiteral(v.value));
      if (t.operator === "!=") return fail("um != dentro de uma lista ou de not(...)");
      return ok(`${t.operator}${feelLiteral(v.value)}`);
    }
    case "range": {
      const lo = exprValue(t.low);
      if (!lo.ok) return lo;
      const hi = exprValue(t.high);
      if (!hi.ok) return hi;
      return ok(
        `${t.lowInclusive ? "[" : "("}${feelLiteral(lo.value)}..${feelLiteral(hi.value)}${t.highInclusive ? "]" : ")"}`,
      );
    }
    case "oneOf": {
      const parts: string[] = [];
      for (const inner of t.tests) {
        const r = positiveToFeel(inner);
        if (!r.ok) return r;
        parts.push(r.value);
      }
      return ok(parts.join(","));
    }
    case "any":
      return fail('um "-" dentro de uma lista');
    case "not":
      return fail("um not(...) dentro de outro teste");
  }
}

/** One of our input cells → FEEL simple unary tests, or why not. */
export function unaryTestToFeel(t: UnaryTest): FeelResult<string> {
  if (t.kind === "any") return ok("-");
  if (t.kind === "not") {
    const inner = positiveToFeel(t.test);
    return inner.ok ? ok(`not(${inner.value})`) : inner;
  }
  if (t.kind === "compare" && t.operator === "!=") {
    const v = exprValue(t.value);
    return v.ok ? ok(`not(${feelLiteral(v.value)})`) : v;
  }
  return positiveToFeel(t);
}
