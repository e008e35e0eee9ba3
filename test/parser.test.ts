/**
 * Direct tests of the expression parser entry points (`parseExpression`, `parseAction`,
 * `parseUnaryTests`): AST shapes, ranges (plain, with a base, and through a `SourceSpan` offsets
 * map as the YAML loader builds them), recovery, keywords versus identifiers and the nesting and
 * length limits.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic, Range } from "../dsl/diagnostics.js";
import type { Action, Expr, UnaryTest } from "../dsl/syntax/ast.js";
import {
  MAX_NESTING,
  MAX_TOKENS,
  parseAction,
  parseExpression,
  parseUnaryTests,
  type ParseResult,
  type SourceSpan,
} from "../dsl/syntax/parse.js";

// ---------------------------------------------------------------------------------------------
// helpers

/** A compact, range-free rendering of an expression, to assert shapes and precedence. */
function show(e: Expr | undefined): string {
  if (!e) return "<nada>";
  switch (e.kind) {
    case "literal": {
      const l = e.literal;
      switch (l.type) {
        case "string":
          return JSON.stringify(l.value);
        case "number":
        case "boolean":
          return String(l.value);
        case "null":
          return "null";
        case "date":
          return `@${l.value}`;
        case "datetime":
          return `@${l.value}`;
        case "duration":
          return `~${l.value}`;
      }
      return "?";
    }
    case "name":
      return e.name;
    case "member":
      return `${show(e.object)}.${e.property}`;
    case "index":
      return `${show(e.object)}[${show(e.index)}]`;
    case "call":
      return `${e.callee}(${e.args.map(show).join(", ")})`;
    case "unary":
      return `(${e.operator} ${show(e.operand)})`;
    case "binary":
      return `(${e.operator} ${show(e.left)} ${show(e.right)})`;
    case "logical":
      return `(${e.operator} ${e.operands.map(show).join(" ")})`;
    case "isNull":
      return `(${e.negated ? "is-not-null" : "is-null"} ${show(e.operand)})`;
    case "between":
      return `(between ${show(e.operand)} ${show(e.low)} ${show(e.high)})`;
    case "if":
      return `(if ${show(e.test)} ${show(e.then)} ${show(e.else)})`;
    case "list":
      return `[${e.items.map(show).join(", ")}]`;
    case "record":
      return `{${e.fields.map((f) => `${JSON.stringify(f.key)}: ${show(f.value)}`).join(", ")}}`;
    case "for":
      return `(for ${e.variable} ${show(e.source)}${e.filter ? ` where ${show(e.filter)}` : ""} ${show(e.body)})`;
    case "error":
      return "<erro>";
  }
}

function showTest(u: UnaryTest | undefined): string {
  if (!u) return "<nada>";
  switch (u.kind) {
    case "any":
      return "-";
    case "compare":
      return `${u.operator} ${show(u.value)}`;
    case "range":
      return `${u.lowInclusive ? "[" : "("}${show(u.low)}..${show(u.high)}${u.highInclusive ? "]" : ")"}`;
    case "oneOf":
      return `oneOf(${u.tests.map(showTest).join(" | ")})`;
    case "not":
      return `not(${showTest(u.test)})`;
  }
}

/** A parse that must succeed cleanly. */
function clean<T>(r: ParseResult<T>): T {
  expect(r.diagnostics).toEqual([]);
  expect(r.recovered).toBe(false);
  expect(r.value).toBeDefined();
  return r.value as T;
}

const expr = (text: string) => clean(parseExpression({ text }));
const codesAt = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.code}@${d.range.start}-${d.range.end}`);
const cover = (text: string, r: Range) => text.slice(r.start, r.end);

// ---------------------------------------------------------------------------------------------

describe("parseExpression: literals", () => {
  it.each([
    ['"texto"', '"texto"'],
    ["'texto'", '"texto"'],
    ['"Cadastro – Inclusão"', '"Cadastro – Inclusão"'],
    ['"nº 1º"', '"nº 1º"'],
    ['"a\\"b\\\\c\\u00e7\\n"', JSON.stringify('a"b\\cç\n')],
    ["'d\\'água'", JSON.stringify("d'água")],
    ["10", "10"],
    ["2.5", "2.5"],
    ["1e3", "1000"],
    ["-5", "-5"],
    ["true", "true"],
    ["false", "false"],
    ["null", "null"],
    ["2026-04-03", "@2026-04-03"],
    ["2026-04-03T10:00", "@2026-04-03T10:00"],
    ["2026-04-03T10:00:00-03:00", "@2026-04-03T10:00:00-03:00"],
    ["2026-04-03T13:00:00.123Z", "@2026-04-03T13:00:00.123Z"],
    ["2h", "~2h"],
    ["10d", "~10d"],
    ["30min", "~30min"],
    ["1h30min", "~1h30min"],
    ["[]", "[]"],
    ['[1, "a", null]', '[1, "a", null]'],
    ['{campo: 1, "outro campo": [2]}', '{"campo": 1, "outro campo": [2]}'],
    ["{}", "{}"],
  ])("%s", (text, want) => {
    expect(show(expr(text))).toBe(want);
  });

  it("folds a minus sign into a number literal and keeps the sign in its range", () => {
    const e = expr("- 5");
    expect(e).toMatchObject({ kind: "literal", literal: { type: "number", value: -5 }, range: { start: 0, end: 3 } });
  });
});

describe("parseExpression: operators and precedence", () => {
  it.each([
    ["1 + 2 * 3", "(+ 1 (* 2 3))"],
    ["(1 + 2) * 3", "(* (+ 1 2) 3)"],
    ["10 - 4 - 3", "(- (- 10 4) 3)"],
    ["8 / 4 % 3", "(% (/ 8 4) 3)"],
    ["-x * 2", "(* (- x) 2)"],
    ['"a" + "b"', '(+ "a" "b")'],
    ["entradaEm + 2h", "(+ entradaEm ~2h)"],
    ["data - 10d", "(- data ~10d)"],
    ["a or b and c", "(or a (and b c))"],
    ["a and b and c", "(and a b c)"],
    ["a or b or c", "(or a b c)"],
    ["not a and b", "(and (not a) b)"],
    ["not (a and b)", "(not (and a b))"],
    ["not not a", "(not (not a))"],
    ["not a == b", "(not (== a b))"],
    ["a + 1 > b * 2", "(> (+ a 1) (* b 2))"],
    ["x == 1 or x != 2", "(or (== x 1) (!= x 2))"],
    ["x < 1 and x <= 2 and x > 3 and x >= 4", "(and (< x 1) (<= x 2) (> x 3) (>= x 4))"],
    ['x in ["a", "b"]', '(in x ["a", "b"])'],
    ["x not in LISTA", "(not in x LISTA)"],
    ['lista contains "a"', '(contains lista "a")'],
    ['texto starts with "SAD"', '(starts with texto "SAD")'],
    ['cpf matches "^[0-9]{11}$"', '(matches cpf "^[0-9]{11}$")'],
    ["x is null", "(is-null x)"],
    ["x is not null", "(is-not-null x)"],
    ["a.b + 1 is null", "(is-null (+ a.b 1))"],
    ["protocolo.campos.tipoManifestacao", "protocolo.campos.tipoManifestacao"],
    ["lista[0]", "lista[0]"],
    ["a.b[0].c", "a.b[0].c"],
    ["a[b[1]][2]", "a[b[1]][2]"],
    ["lista[length(lista) - 1]", "lista[(- length(lista) 1)]"],
    ["decision.designacao", "decision.designacao"],
    ["f()", "f()"],
    ["coalesce(a, g(b, 1), null)", "coalesce(a, g(b, 1), null)"],
    ["historico(numero).x", "historico(numero).x"],
    ["{a: 1}.a", '{"a": 1}.a'],
    ['if a then "x" else "y"', '(if a "x" "y")'],
    ["if a then 1 else if b then 2 else 3", "(if a 1 (if b 2 3))"],
    ["(if a then 1 else 2) * 2", "(* (if a 1 2) 2)"],
    ["for r in lista return r.nome", "(for r lista r.nome)"],
    ["for r in rows(t) where r.x > 1 return r.y", "(for r rows(t) where (> r.x 1) r.y)"],
    ["for x in [1, 2] return for y in [3] return x + y", "(for x [1, 2] (for y [3] (+ x y)))"],
    ["sum(for i in itens return i.valor) > 10", "(> sum((for i itens i.valor)) 10)"],
    ["idade >= 18 // comentário", "(>= idade 18)"],
  ])("%s", (text, want) => {
    expect(show(expr(text))).toBe(want);
  });
});

describe("parseExpression: keywords and identifiers", () => {
  it.each([
    "notas",
    "inicio",
    "ordem",
    "isento",
    "andamento",
    "returnado",
    "forma",
    "thenx",
    "elsewhere",
    "matchesX",
    "starts_at",
    "withdraw",
    "nullo",
    "trueValue",
    "falsey",
    "notável",
    "ação",
    "não",
    "in1",
    "not1",
    "_x",
  ])("%s is an identifier", (word) => {
    expect(expr(word)).toMatchObject({ kind: "name", name: word, range: { start: 0, end: word.length } });
  });

  it("keywords split only at a word boundary", () => {
    expect(show(expr("notas > 1 and not inicio or ordem in itens"))).toBe(
      "(or (and (> notas 1) (not inicio)) (in ordem itens))",
    );
    expect(show(expr("ordem is not null"))).toBe("(is-not-null ordem)");
    expect(show(expr("for inicio in ordem where notas return inicio"))).toBe("(for inicio ordem where notas inicio)");
  });

  it("keywords are case sensitive", () => {
    expect(show(expr("NOT"))).toBe("NOT");
    expect(show(expr("True"))).toBe("True");
  });
});

describe("parseExpression: ranges", () => {
  it("gives each node the range of its text", () => {
    const text = 'idade >= 18 and plano == "Master"';
    const e = expr(text);
    expect(e.kind).toBe("logical");
    if (e.kind !== "logical") return;
    expect(cover(text, e.range)).toBe(text);
    const [left, right] = e.operands as [Expr, Expr];
    expect(cover(text, left.range)).toBe("idade >= 18");
    expect(cover(text, right.range)).toBe('plano == "Master"');
    if (right.kind !== "binary") throw new Error("binary expected");
    expect(cover(text, right.left.range)).toBe("plano");
    expect(cover(text, right.right.range)).toBe('"Master"');
  });

  it("covers parentheses, calls, members, indexes and keywords' operands", () => {
    const text = "(a + b) * coalesce(x, 1) + lista[0].nome";
    const e = expr(text);
    if (e.kind !== "binary") throw new Error("binary expected");
    expect(cover(text, e.range)).toBe(text);
    if (e.left.kind !== "binary") throw new Error("binary expected");
    expect(cover(text, e.left.left.range)).toBe("(a + b)");
    expect(cover(text, e.left.right.range)).toBe("coalesce(x, 1)");
    if (e.left.right.kind !== "call") throw new Error("call expected");
    expect(cover(text, e.left.right.calleeRange)).toBe("coalesce");
    expect(cover(text, e.right.range)).toBe("lista[0].nome");
    if (e.right.kind !== "member") throw new Error("member expected");
    expect(cover(text, e.right.propertyRange)).toBe("nome");
  });

  it("covers if, for and is-null expressions from their first to their last token", () => {
    for (const text of [
      "if a then 1 else 2",
      "for r in l where r.x return r.y",
      "x is not null",
      "x is null",
      "not x",
      "[1, 2]",
      "{a: 1}",
    ]) {
      expect(cover(text, expr(text).range)).toBe(text);
    }
  });

  it("shifts every range by the base when no offsets map is given", () => {
    const r = parseExpression({ text: "idade >= 18", base: 100 });
    const e = clean(r);
    expect(e.range).toEqual({ start: 100, end: 111 });
    if (e.kind !== "binary") throw new Error("binary expected");
    expect(e.left.range).toEqual({ start: 100, end: 105 });
    expect(e.right.range).toEqual({ start: 109, end: 111 });
  });

  it("maps ranges through an offsets map (a double-quoted YAML scalar with escapes)", () => {
    // In the file (at offset 100):  "a == \"x\""   → the value is:  a == "x"
    const span: SourceSpan = { text: 'a == "x"', offsets: [100, 101, 102, 103, 104, 105, 107, 108, 110] };
    const e = clean(parseExpression(span));
    expect(e.range).toEqual({ start: 100, end: 110 });
    if (e.kind !== "binary") throw new Error("binary expected");
    expect(e.left.range).toEqual({ start: 100, end: 101 });
    expect(e.right.range).toEqual({ start: 105, end: 110 });
  });

  it("maps ranges through an offsets map across lines (a block scalar)", () => {
    // "a ==\nb + 1" where the second line starts 8 characters later in the file (indentation).
    const span: SourceSpan = { text: "a ==\nb + 1", offsets: [200, 201, 202, 203, 204, 212, 213, 214, 215, 216, 217] };
    const e = clean(parseExpression(span));
    if (e.kind !== "binary") throw new Error("binary expected");
    expect(e.right.range).toEqual({ start: 212, end: 217 });
  });
});

describe("parseExpression: errors and recovery", () => {
  it("reports a missing operand at the end of the expression", () => {
    const r = parseExpression({ text: "idade >= 18 and" });
    expect(codesAt(r.diagnostics)).toEqual(["dsl/syntax@15-15"]);
    expect(r.recovered).toBe(true);
  });

  it("reports through the base and through the offsets map", () => {
    expect(codesAt(parseExpression({ text: "idade >=", base: 40 }).diagnostics)).toEqual(["dsl/syntax@48-48"]);
    const span: SourceSpan = { text: "a ==\nb +", offsets: [200, 201, 202, 203, 204, 212, 213, 214, 215] };
    expect(codesAt(parseExpression(span).diagnostics)).toEqual(["dsl/syntax@215-215"]);
    const tok: SourceSpan = { text: "a > > b", offsets: [10, 11, 12, 13, 20, 21, 22, 23] };
    expect(codesAt(parseExpression(tok).diagnostics)).toEqual(["dsl/syntax@20-21"]);
  });

  it("reports an unexpected token with its range", () => {
    const r = parseExpression({ text: "a b c" });
    expect(codesAt(r.diagnostics)).toEqual(["dsl/syntax@2-3"]);
    expect(r.diagnostics[0]?.message).toContain("'b'");
  });

  it("recovers and reports several syntax errors in one pass", () => {
    const r = parseExpression({ text: "(a > ) and (b < )" });
    expect(codesAt(r.diagnostics)).toEqual(["dsl/syntax@5-6", "dsl/syntax@16-17"]);
    expect(r.recovered).toBe(true);
    expect(r.value?.kind).toBe("logical");
    const list = parseExpression({ text: "[1 2, 3 4]" });
    expect(codesAt(list.diagnostics)).toEqual(["dsl/syntax@3-4", "dsl/syntax@8-9"]);
    expect(list.recovered).toBe(true);
  });

  it("marks a clean parse as not recovered", () => {
    const r = parseExpression({ text: "a + 1" });
    expect(r.recovered).toBe(false);
  });

  it("reports a lexer error (the text is not silently read as 1 + 2)", () => {
    const r = parseExpression({ text: "1 + # 2" });
    expect(codesAt(r.diagnostics)).toEqual(["dsl/lexer@4-5"]);
    expect(r.diagnostics[0]?.message).toContain("#");
    expect(r.recovered).toBe(true);
  });

  it("maps a lexer error through the offsets map", () => {
    const r = parseExpression({ text: "a @ b", base: 50 });
    expect(codesAt(r.diagnostics)).toContain("dsl/lexer@52-53");
  });

  it("never throws on garbage", () => {
    for (const text of [
      "",
      " ",
      ")",
      "(((",
      "]]",
      "{",
      "}",
      ",",
      "..",
      "if",
      "for",
      "not",
      "a.",
      "a[",
      "f(,)",
      '"aberto',
      "'",
      "=",
      "+=",
      "1 +",
      "is not",
      "{a:}",
      "{: 1}",
      "[,]",
      "1..2",
    ]) {
      const r = parseExpression({ text });
      expect(r.recovered, text).toBe(true);
      expect(r.diagnostics.length, text).toBeGreaterThan(0);
    }
  });

  it("names the missing keyword in the message", () => {
    const r = parseExpression({ text: "if a then b c" });
    expect(r.diagnostics.map((d) => d.message).join(" | ")).toContain("'else'");
    const f = parseExpression({ text: "for x lista return x" });
    expect(f.diagnostics.map((d) => d.message).join(" | ")).toContain("'in'");
  });
});

describe("parseExpression: suggestions for habits from Portuguese and spreadsheets", () => {
  it.each([
    [
      "idade = 18",
      "dsl/syntax@6-7",
      'não esperava \'=\' aqui: a expressão já terminou. Para comparar, use "==" ("=" só atribui valores em "then")',
    ],
    [
      "idade > 18 e ativo",
      "dsl/syntax@11-12",
      'não esperava \'e\' aqui: a expressão já terminou. Para "e" lógico, use "and"',
    ],
    [
      "idade > 18 ou ativo",
      "dsl/syntax@11-13",
      'não esperava \'ou\' aqui: a expressão já terminou. Para "ou" lógico, use "or"',
    ],
    ["(a E b)", "dsl/syntax@3-4", "esperava ')', mas encontrou 'E'. Para \"e\" lógico, use \"and\""],
    // The error of `não ativo` comes at `ativo`; the suggestion points at `não`.
    ["não ativo", "dsl/syntax@0-3", "não esperava 'ativo' aqui: a expressão já terminou. Para negar, use \"not\""],
    ["nao ativo", "dsl/syntax@0-3", "não esperava 'ativo' aqui: a expressão já terminou. Para negar, use \"not\""],
  ])("%s", (text, where, message) => {
    const r = parseExpression({ text });
    expect(codesAt(r.diagnostics)).toEqual([where]);
    expect(r.diagnostics[0]?.message).toBe(message);
  });

  it("suggests nothing for other unexpected names, nor for e/ou used as names where they fit", () => {
    const r = parseExpression({ text: "a b" });
    expect(r.diagnostics[0]?.message).toBe("não esperava 'b' aqui: a expressão já terminou");
    expect(clean(parseExpression({ text: "e == ou" })).kind).toBe("binary");
    expect(clean(parseAction({ text: 'acao = "X"' })).kind).toBe("assign");
    expect(parseAction({ text: "acao = )" }).diagnostics.map((d) => d.message)).toEqual([
      "esperava um valor, mas encontrou ')'",
    ]);
  });
});

describe("parseExpression: numbers JavaScript cannot hold", () => {
  it.each([
    ["x > 1e400", "ruleset/unsafe-number@4-9", "infinito"],
    ["x == 9007199254740993", "ruleset/unsafe-number@5-21", "seria lido como 9007199254740992"],
    ["-9007199254740993 < x", "ruleset/unsafe-number@1-17", "passa do limite de precisão"],
  ])("%s", (text, where, message) => {
    const r = parseExpression({ text });
    expect(codesAt(r.diagnostics)).toEqual([where]);
    expect(r.diagnostics[0]?.message).toContain(message);
  });

  it("accepts the largest safe integer and large finite decimals", () => {
    expect(show(expr("x == 9007199254740991"))).toBe("(== x 9007199254740991)");
    // 2^53 is read exactly as written; only digits that would change are refused.
    expect(show(expr("x == 9007199254740992"))).toBe("(== x 9007199254740992)");
    expect(show(expr("x < 1.5e300"))).toBe("(< x 1.5e+300)");
  });
});

describe("parseExpression: limits", () => {
  it("exports the documented limits", () => {
    expect(MAX_NESTING).toBe(64);
    expect(MAX_TOKENS).toBe(4000);
  });

  it("accepts 64 nested parentheses", () => {
    const e = expr(`${"(".repeat(64)}1${")".repeat(64)}`);
    expect(show(e)).toBe("1");
  });

  it("reports 1000 nested parentheses as dsl/too-deep at the 65th, without a RangeError", () => {
    const text = `${"(".repeat(1000)}1${")".repeat(1000)}`;
    let r: ParseResult<Expr> | undefined;
    expect(() => (r = parseExpression({ text }))).not.toThrow();
    expect(codesAt(r!.diagnostics)).toEqual(["dsl/too-deep@64-65"]);
    expect(r!.recovered).toBe(true);
  });

  it.each([
    ["brackets", "[".repeat(1000) + "]".repeat(1000)],
    ["braces", `${"{a: ".repeat(1000)}1${"}".repeat(1000)}`],
    ["calls", `${"f(".repeat(1000)}1${")".repeat(1000)}`],
    ["not", `${"not ".repeat(1000)}x`],
    ["minus", `${"-".repeat(1000)}1`],
    ["mixed", `${"(not -[".repeat(300)}1${"])".repeat(300)}`],
  ])("reports deep %s as dsl/too-deep", (_label, text) => {
    let r: ParseResult<Expr> | undefined;
    expect(() => (r = parseExpression({ text }))).not.toThrow();
    expect(r!.diagnostics.map((d) => d.code)).toEqual(["dsl/too-deep"]);
  });

  it.each([
    ["if", `${"if a then ".repeat(790)}1${" else 2".repeat(790)}`],
    ["for", `${"for x in l return ".repeat(790)}x`],
    ["else if", `${"if a then 1 else ".repeat(790)}2`],
  ])("parses deep %s chains (bounded by the symbol limit) without a RangeError", (_label, text) => {
    let r: ParseResult<Expr> | undefined;
    expect(() => (r = parseExpression({ text }))).not.toThrow();
    for (const d of r!.diagnostics) expect(d.code).toBe("dsl/too-deep");
  });

  it("reports more than 4000 symbols as dsl/too-deep over the whole expression", () => {
    const text = Array(2001).fill("1").join(" + ");
    const r = parseExpression({ text, base: 7 });
    expect(codesAt(r.diagnostics)).toEqual([`dsl/too-deep@7-${7 + text.length}`]);
  });

  it("accepts long flat expressions within 256 chained operations", () => {
    expect(expr(Array(200).fill("1").join(" + ")).kind).toBe("binary");
    expect(expr(`a${".b".repeat(200)}`).kind).toBe("member");
    expect(expr(Array(200).fill("x").join(" and ")).kind).toBe("logical");
  });

  it.each([
    ["sum", Array(1999).fill("1").join(" + ")],
    ["members", `a${".b".repeat(1500)}`],
    ["indexes", `a${"[0]".repeat(1000)}`],
  ])("reports more than 256 chained operations (%s) as dsl/too-deep, without a RangeError", (_label, text) => {
    let r: ParseResult<Expr> | undefined;
    expect(() => (r = parseExpression({ text }))).not.toThrow();
    expect(r!.diagnostics.map((d) => d.code)).toEqual(["dsl/too-deep"]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("parseAction", () => {
  const action = (text: string) => clean(parseAction({ text }));
  const showAction = (a: Action) => `${a.target.join(".")} ${a.kind === "append" ? "+=" : "="} ${show(a.value)}`;

  it.each([
    ['acao = "DESIGNAR"', 'acao = "DESIGNAR"'],
    ["email.assunto = assuntoEmail", "email.assunto = assuntoEmail"],
    ["a.b.c = 1 + 2", "a.b.c = (+ 1 2)"],
    ['mensagens += "Oriente o cliente."', 'mensagens += "Oriente o cliente."'],
    ["gipes = if x then y else null", "gipes = (if x y null)"],
    ["notas = inicio", "notas = inicio"],
    ["prazo = entradaEm + 2h", "prazo = (+ entradaEm ~2h)"],
  ])("%s", (text, want) => {
    expect(showAction(action(text))).toBe(want);
  });

  it("gives the target and the value their ranges", () => {
    const text = 'email.assunto = "Reclame"';
    const a = action(text);
    expect(cover(text, a.targetRange)).toBe("email.assunto");
    expect(cover(text, a.value.range)).toBe('"Reclame"');
    expect(cover(text, a.range)).toBe(text);
    const shifted = clean(parseAction({ text, base: 30 }));
    expect(shifted.targetRange).toEqual({ start: 30, end: 43 });
  });

  it.each([
    ["acao == 1", ["dsl/syntax@5-7"]],
    ["= 1", ["dsl/syntax@0-1"]],
    ["acao = 1 2", ["dsl/syntax@9-10"]],
    ["mensagens += ", ["dsl/syntax@13-13"]],
    ["acao", ["dsl/syntax@4-4"]],
  ])("reports %s", (text, want) => {
    const r = parseAction({ text });
    expect(codesAt(r.diagnostics)).toEqual(want);
    expect(r.recovered).toBe(true);
  });

  it("maps action errors through an offsets map", () => {
    const span: SourceSpan = { text: "acao == 1", offsets: [50, 51, 52, 53, 54, 60, 61, 62, 63, 64] };
    expect(codesAt(parseAction(span).diagnostics)).toEqual(["dsl/syntax@60-62"]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("parseUnaryTests", () => {
  const tests = (text: string) => clean(parseUnaryTests({ text }));

  it.each([
    [">= 18", ">= 18"],
    ["<18", "< 18"],
    ["< 2026-01-01", "< @2026-01-01"],
    ['!= "X"', '!= "X"'],
    ["== 3", "== 3"],
    ["= PRAZO", "== PRAZO"],
    ["= entradaEm + 2h", "== (+ entradaEm ~2h)"],
    ["18", "== 18"],
    ['"Reembolso"', '== "Reembolso"'],
    ['"a", "b"', 'oneOf(== "a" | == "b")'],
    ["[1..5]", "[1..5]"],
    ["(0..10]", "(0..10]"],
    ["]0..10[", "(0..10)"],
    ["(0..10)", "(0..10)"],
    ["[-5..-1]", "[-5..-1]"],
    ["[2026-01-01..2026-12-31]", "[@2026-01-01..@2026-12-31]"],
    ["[MINIMO..MAXIMO)", "[MINIMO..MAXIMO)"],
    ['not("a", "b")', 'not(oneOf(== "a" | == "b"))'],
    ["not(< 10, > 20)", "not(oneOf(< 10 | > 20))"],
    ["not([1..5])", "not([1..5])"],
    ['< 10, "x", [20..30]', 'oneOf(< 10 | == "x" | [20..30])'],
  ])("%s", (text, want) => {
    expect(showTest(tests(text))).toBe(want);
  });

  it("gives tests and bounds their ranges", () => {
    const text = "(0..10]";
    const t = tests(text);
    if (t.kind !== "range") throw new Error("range expected");
    expect(cover(text, t.range)).toBe(text);
    expect(cover(text, t.low.range)).toBe("0");
    expect(cover(text, t.high.range)).toBe("10");
    const n = clean(parseUnaryTests({ text: 'not("a", "b")', base: 20 }));
    expect(n.range).toEqual({ start: 20, end: 33 });
  });

  it.each([
    [">=", ["dsl/syntax@2-2"]],
    ["[1..", ["dsl/syntax@4-4"]],
    ["1..5", ["dsl/syntax@1-3"]],
    ['"a", ', ["dsl/syntax@5-5"]],
    ["not(", ["dsl/syntax@4-4"]],
  ])("reports %s", (text, want) => {
    const r = parseUnaryTests({ text });
    expect(codesAt(r.diagnostics)).toEqual(want);
    expect(r.recovered).toBe(true);
  });

  it("reports too-deep cells instead of crashing", () => {
    const r = parseUnaryTests({ text: `not(${"(".repeat(500)}1${")".repeat(500)})` });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["dsl/too-deep"]);
  });
});
