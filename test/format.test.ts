/**
 * Canonical formatting: the expression printer (`dsl/format/print-expr.ts`) and the rule-set
 * formatter (`dsl/format/format.ts`). Printing must never change meaning: re-parsing a printed
 * expression gives the same AST (property test), and a formatted rule set compiles to the same
 * rules as the original.
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { parse as parseYaml, Scalar, visit } from "yaml";
import { describe, expect, it } from "vitest";
import { stripRanges, type Action, type BinaryOperator, type Expr } from "../dsl/syntax/ast.js";
import { compileSource } from "../dsl/compile/pipeline.js";
import { formatRuleSet } from "../dsl/format/format.js";
import { isBareName, printAction, printExpr, printUnaryTests, quoteString } from "../dsl/format/print-expr.js";
import { loadRuleSet, type ExpressionSiteKind } from "../dsl/ruleset/load.js";
import { parseAction, parseExpression, parseUnaryTests } from "../dsl/syntax/parse.js";
import { loadYaml, rangeOf } from "../dsl/yaml/load.js";

const reclame = readFileSync(new URL("../rules/reclame-designacao.yaml", import.meta.url), "utf8");

/** Parses without YAML offsets, so ranges are offsets into `text` (what printExpr's `source` expects). */
function parse(text: string): Expr {
  const r = parseExpression({ text });
  expect(r.diagnostics).toEqual([]);
  expect(r.recovered).toBe(false);
  return r.value as Expr;
}

/** Canonical form of an expression text. */
function canon(text: string): string {
  return printExpr(parse(text), { source: text });
}

/** The formatted text (fails the test when formatting is refused). */
function fmt(source: string): string {
  const r = formatRuleSet(source);
  expect(r.diagnostics).toEqual([]);
  expect(r.text).toBeTypeOf("string");
  return r.text as string;
}

/** The compiled rule set without its source map (positions change when formatting). */
function meaning(source: string) {
  const r = compileSource(source);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const { sourceMap: _positions, ...rest } = r.compiled!;
  return rest;
}

describe("printExpr: canonical text", () => {
  it.each([
    ["a+b*c", "a + b * c"],
    ["(a+b)*c", "(a + b) * c"],
    ["a-(b-c)", "a - (b - c)"],
    ["(a-b)-c", "a - b - c"],
    ["a/(b*c)", "a / (b * c)"],
    ["a%b*c", "a % b * c"],
    ["not (a and b)", "not (a and b)"],
    ["not (a == b)", "not (a == b)"],
    ["not  a", "not a"],
    ["not (x is null)", "not (x is null)"],
    ["(not a) == b", "(not a) == b"],
    ["not not a", "not not a"],
    ["a and (b or c)", "a and (b or c)"],
    ["(a and b) or c", "a and b or c"],
    ["(a and b) and c", "(a and b) and c"],
    ["a or (b or c)", "a or (b or c)"],
    ["(a == b) == c", "(a == b) == c"],
    ["a == (b + 1)", "a == b + 1"],
    ["-(a+b)", "-(a + b)"],
    ["-(-x)", "- -x"],
    ["(-a).b", "(-a).b"],
    ["-a.b", "-a.b"],
    ["(-5).x", "(-5).x"],
    ["2 - -5", "2 - -5"],
    ["a*-b", "a * -b"],
    ["'texto'", '"texto"'],
    ["'d\\'água'", '"d\'água"'],
    ['"a\\"b\\\\c"', '"a\\"b\\\\c"'],
    ['"Cadastro – Inclusão"', '"Cadastro – Inclusão"'],
    ["'linha\\nnova\\t'", '"linha\\nnova\\t"'],
    ["x in [\"a\",'b']", 'x in ["a", "b"]'],
    ["x not in LISTA", "x not in LISTA"],
    ['lista contains "a"', 'lista contains "a"'],
    ['t starts with "SAD"', 't starts with "SAD"'],
    ['t matches "^[0-9]{11}$"', 't matches "^[0-9]{11}$"'],
    ["x is null", "x is null"],
    ["x is not null", "x is not null"],
    ["(a + b) is null", "a + b is null"],
    ["(a == b) is null", "(a == b) is null"],
    ['{a:1,"b c":2, "not": 3, ação: 4}', '{a: 1, "b c": 2, "not": 3, ação: 4}'],
    ["[ ]", "[]"],
    ["{ }", "{}"],
    ["[1,[2,3]]", "[1, [2, 3]]"],
    ["if a then b else c", "if a then b else c"],
    ["(if a then b else c) + 1", "(if a then b else c) + 1"],
    ["if a then if b then c else d else e", "if a then if b then c else d else e"],
    ["for x in l where x>1 return x*2", "for x in l where x > 1 return x * 2"],
    ["distinct( for r in rows(t) return r.servico )", "distinct(for r in rows(t) return r.servico)"],
    ["f( a ,b )", "f(a, b)"],
    ["f()", "f()"],
    ["lista[0].x", "lista[0].x"],
    ["(a.b)[c + 1]", "a.b[c + 1]"],
    ["decision.designacao", "decision.designacao"],
    ["2026-04-03 + 10d", "2026-04-03 + 10d"],
    ["2026-04-03T10:00:00-03:00", "2026-04-03T10:00:00-03:00"],
    ["entradaEm + 1h30min", "entradaEm + 1h30min"],
    ["2.50 + 1e3 + 0.1", "2.50 + 1e3 + 0.1"],
    ["- 5", "-5"],
    ["-(5)", "-5"],
    ["true and false or null", "true and false or null"],
  ])("%s → %s", (input, expected) => {
    expect(canon(input)).toBe(expected);
    // Canonical text is a fixed point.
    expect(canon(expected)).toBe(expected);
  });

  it("numbers without the source text print their value", () => {
    const lit = (value: number): Expr => ({
      kind: "literal",
      literal: { type: "number", value },
      range: { start: 0, end: 0 },
    });
    expect(printExpr(lit(2.5))).toBe("2.5");
    expect(printExpr(lit(-0))).toBe("-0");
    expect(printExpr(lit(1e21))).toBe("1e+21");
    expect(printExpr(lit(Infinity))).toBe("1e999");
  });

  it("strings escape quotes, backslashes, control and line-separator characters, and keep Unicode", () => {
    expect(quoteString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteString("\u0001\u2028nº – ç 😀")).toBe('"\\u0001\\u2028nº – ç 😀"');
    expect(isBareName("ação")).toBe(true);
    expect(isBareName("notas")).toBe(true);
    expect(isBareName("not")).toBe(false);
    expect(isBareName("outro campo")).toBe(false);
    expect(isBareName("1a")).toBe(false);
  });

  it("prints actions", () => {
    const a = parseAction({ text: "email.assunto   =  'x'+ y" }).value as Action;
    expect(printAction(a)).toBe('email.assunto = "x" + y');
    const b = parseAction({ text: "mensagens+=lower( 'X' )" }).value as Action;
    expect(printAction(b)).toBe('mensagens += lower("X")');
  });

  it("prints table-cell unary tests", () => {
    const cell = (text: string) => printUnaryTests(parseUnaryTests({ text }).value!, { source: text });
    expect(cell(">=18")).toBe(">= 18");
    expect(cell("'a','b'")).toBe('"a", "b"');
    expect(cell("not( 'a' ,'b')")).toBe('not("a", "b")');
    expect(cell("[1..5]")).toBe("[1..5]");
    expect(cell("(-5..0]")).toBe("(-5..0]");
    expect(cell("= PRAZO")).toBe("PRAZO");
  });

  it("prints `between` (built by code, not by the parser) as its meaning", () => {
    const r = { start: 0, end: 0 };
    const name = (n: string): Expr => ({ kind: "name", name: n, range: r });
    expect(printExpr({ kind: "between", operand: name("x"), low: name("a"), high: name("b"), range: r })).toBe(
      "x >= a and x <= b",
    );
  });

  it("refuses to print recovered (error) nodes", () => {
    expect(() => printExpr({ kind: "error", range: { start: 0, end: 0 } })).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Property: print → parse gives back the same AST
// ---------------------------------------------------------------------------------------------

/** Node without a range (ranges are stripped before comparing). */
type Bare = Record<string, unknown>;

const NAMES = [
  "a",
  "b",
  "idade",
  "plano",
  "ação",
  "x_1",
  "notas",
  "inicio",
  "orcamento",
  "android",
  "isso",
  "format",
  "decision",
  "item",
  "rows",
];
const COMPARISONS: BinaryOperator[] = [
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "in",
  "not in",
  "contains",
  "starts with",
  "matches",
];
const ARITHMETIC: BinaryOperator[] = ["+", "-", "*", "/", "%"];

const name = fc.constantFrom(...NAMES);
const stringValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom(
    "Cadastro – Inclusão",
    "nº",
    "d'água",
    'aspas "duplas"',
    "barra \\ invertida",
    "linha\nnova",
    "tab\there",
    "",
  ),
);
const numberValue = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const literal = fc.oneof(
  stringValue.map((value) => ({ type: "string", value })),
  numberValue.map((value) => ({ type: "number", value })),
  fc.boolean().map((value) => ({ type: "boolean", value })),
  fc.constant({ type: "null" }),
  fc.constantFrom("2026-04-03", "2023-08-23").map((value) => ({ type: "date", value })),
  fc
    .constantFrom("2026-04-03T10:00", "2026-04-03T10:00:00-03:00", "2026-04-03T10:00:00.5Z")
    .map((value) => ({ type: "datetime", value })),
  fc.constantFrom("2h", "10d", "1h30min", "30s", "45min").map((value) => ({ type: "duration", value })),
);
const recordKey = fc.oneof(
  name,
  fc.constantFrom("not", "outro campo", "if", "é", "1a", ""),
  fc.string({ maxLength: 4 }),
);

const { expr } = fc.letrec<{ expr: Bare }>((tie) => {
  const sub = tie("expr");
  return {
    expr: fc.oneof(
      { depthSize: "small", maxDepth: 5 },
      literal.map((l) => ({ kind: "literal", literal: l })),
      name.map((n) => ({ kind: "name", name: n })),
      fc.record({ kind: fc.constant("member"), object: sub, property: name }),
      fc.record({ kind: fc.constant("index"), object: sub, index: sub }),
      fc.record({ kind: fc.constant("call"), callee: name, args: fc.array(sub, { maxLength: 3 }) }),
      fc.record({ kind: fc.constant("unary"), operator: fc.constant("not"), operand: sub }),
      // The parser folds `-<number>` into a negative number literal: generate that normal form.
      fc.record({ kind: fc.constant("unary"), operator: fc.constant("-"), operand: sub }).map((u) => {
        const o = u.operand as { kind: string; literal?: { type: string; value: number } };
        return o.kind === "literal" && o.literal?.type === "number"
          ? { kind: "literal", literal: { type: "number", value: -o.literal.value } }
          : u;
      }),
      fc.record({
        kind: fc.constant("binary"),
        operator: fc.constantFrom(...COMPARISONS, ...ARITHMETIC),
        left: sub,
        right: sub,
      }),
      fc.record({
        kind: fc.constant("logical"),
        operator: fc.constantFrom("and", "or"),
        operands: fc.array(sub, { minLength: 2, maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant("isNull"), negated: fc.boolean(), operand: sub }),
      fc.record({ kind: fc.constant("if"), test: sub, then: sub, else: sub }),
      fc.record({ kind: fc.constant("list"), items: fc.array(sub, { maxLength: 3 }) }),
      fc.record({
        kind: fc.constant("record"),
        fields: fc.array(fc.record({ key: recordKey, value: sub }), { maxLength: 3 }),
      }),
      fc
        .record({
          kind: fc.constant("for"),
          variable: name,
          source: sub,
          filter: fc.option(sub, { nil: undefined }),
          body: sub,
        })
        .map(({ filter, ...rest }) => (filter === undefined ? rest : { ...rest, filter })),
    ),
  };
});

describe("printExpr: property", () => {
  it("print → parse gives the same AST (ranges stripped), on one line, and printing is a fixed point", () => {
    fc.assert(
      fc.property(expr, (e) => {
        const printed = printExpr(e as unknown as Expr);
        expect(printed).not.toMatch(/[\n\r]/);
        const r = parseExpression({ text: printed });
        expect(r.diagnostics).toEqual([]);
        expect(r.recovered).toBe(false);
        expect(stripRanges(r.value)).toEqual(stripRanges(e));
        expect(printExpr(r.value as Expr, { source: printed })).toBe(printed);
      }),
      { numRuns: 600 },
    );
  });

  it("print → parse gives the same action", () => {
    const action = fc.record({
      kind: fc.constantFrom("assign", "append"),
      target: fc.array(name, { minLength: 1, maxLength: 3 }),
      value: expr,
    });
    fc.assert(
      fc.property(action, (a) => {
        const printed = printAction(a as unknown as Action);
        const r = parseAction({ text: printed });
        expect(r.diagnostics).toEqual([]);
        expect(stripRanges(r.value)).toEqual(stripRanges(a));
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// formatRuleSet
// ---------------------------------------------------------------------------------------------

/** Written carelessly on purpose: 4-space indentation, odd spacing, quotes, comments. */
const MESSY = `# Conjunto sintético com todas as seções que têm expressões.
ruleset: completo-sintetico
description: |
    Exemplo sintético – cobre valores, coleções, tabelas,
    validações, transições, regras e invariantes.
facts:
    idade: { type: integer, required: true }   # em anos
    plano: {type: string, enum: [ Básico,Master ], default: Básico}
    itens:
        type: list
        items:
            type: object
            fields: { id: string, valor: number, ativo: boolean }
    protocolo:
        type: object
        fields: { status: string, pendencias: integer }
    transicao:
        type: object
        fields: { para: string, ator: string, setor: string }
    justificativa: string
outputs:
    categoria: { type: string, nullable: true }
    mensagens: { type: list, items: string, default: [] }
    violacoes: { type: list, items: { type: object, fields: { campo: string, mensagem: string } }, default: [] }
    permitido: { type: boolean, nullable: true }
    motivos: { type: list, items: string, default: [] }
    faltando: { type: list, items: string, default: [] }
constants:
    LIMITE:   18
    PRAZO: = 2h+0h
    NOME: "Cadastro – Inclusão"
    LISTA: [ Credenciamento,  Glosa ]
values:
    total: sum(for i in itens where i.ativo==true return i.valor)
    dobro:
        expr: ( idade*2 )+1   # comentário do valor
        description: Dobro da idade – mais um.
templates:
    aviso: |-
        Linha 1 – {idade} anos
          linha 2, indentada: {plano}
    curto: 'Plano {plano} – nº {idade}'
    dobrado: >-
        Um texto dobrado
        em duas linhas – com acento.
collections:
    grupos:
        from: itens
        where: item.valor>0
        key: [ item.id ]
        order: item.valor
tables:
    -   name: faixa
        description: "[seed] Tabela – faixas."
        hitPolicy: first
        when: idade>=0
        inputs: [ idade, plano ]
        outputs: [categoria]
        rows:
            -   idade: (17..200]
                plano: Master
                categoria: A
            - { idade: "-", plano: "-", categoria: "C – outro" }
validations:
    into: violacoes
    record: { field: campo, message: mensagem }
    rules:
        -   field: justificativa
            when: plano=="Master"
            require: not isBlank( justificativa )
            message: Justificativa obrigatória – plano "Master".
transitions:
    from: protocolo . status
    to: transicao.para
    states: [Aberto, Pendente, Concluído]
    initial: Aberto
    terminal: [Concluído]
    outputs: { allowed: permitido, reasons: motivos, missing: faltando }
    guards:
        - require: not (transicao.ator=="X" and transicao.para=="Concluído")
          reason: Ator X não conclui.
    allow:
        -   from: Aberto
            to: Pendente
            requires: [ transicao.setor ]
        -   from: Pendente
            to: Concluído
            guards:
                - require: protocolo.pendencias==0
                  reason: Há pendências.

rules:
    # a regra principal
    -   name: maior
        priority: 10
        when: "idade >= LIMITE and (plano == 'Master' or total > 100)"
        then:
            - 'mensagens += "maior – " + plano'
            - mensagens += if dobro>40 then "dobro alto" else 'dobro baixo'
    -   name: sempre
        then: categoria = coalesce( decision.categoria , "C – outro" )
invariants:
    -   name: categoria válida
        check: decision.categoria in ["A","B","C – outro"] or decision.categoria is null
`;

const MESSY_FORMATTED = `# Conjunto sintético com todas as seções que têm expressões.
ruleset: completo-sintetico
description: |
  Exemplo sintético – cobre valores, coleções, tabelas,
  validações, transições, regras e invariantes.
facts:
  idade: { type: integer, required: true } # em anos
  plano: { type: string, enum: [Básico, Master], default: Básico }
  itens:
    type: list
    items:
      type: object
      fields: { id: string, valor: number, ativo: boolean }
  protocolo:
    type: object
    fields: { status: string, pendencias: integer }
  transicao:
    type: object
    fields: { para: string, ator: string, setor: string }
  justificativa: string
outputs:
  categoria: { type: string, nullable: true }
  mensagens: { type: list, items: string, default: [] }
  violacoes: { type: list, items: { type: object, fields: { campo: string, mensagem: string } }, default: [] }
  permitido: { type: boolean, nullable: true }
  motivos: { type: list, items: string, default: [] }
  faltando: { type: list, items: string, default: [] }
constants:
  LIMITE: 18
  PRAZO: = 2h+0h
  NOME: "Cadastro – Inclusão"
  LISTA: [Credenciamento, Glosa]
values:
  total: sum(for i in itens where i.ativo == true return i.valor)
  dobro:
    expr: idade * 2 + 1 # comentário do valor
    description: Dobro da idade – mais um.
templates:
  aviso: |-
    Linha 1 – {idade} anos
      linha 2, indentada: {plano}
  curto: 'Plano {plano} – nº {idade}'
  dobrado: >-
    Um texto dobrado
    em duas linhas – com acento.
collections:
  grupos:
    from: itens
    where: item.valor > 0
    key: [item.id]
    order: item.valor
tables:
  - name: faixa
    description: "[seed] Tabela – faixas."
    hitPolicy: first
    when: idade >= 0
    inputs: [idade, plano]
    outputs: [categoria]
    rows:
      - idade: (17..200]
        plano: Master
        categoria: A
      - { idade: "-", plano: "-", categoria: "C – outro" }
validations:
  into: violacoes
  record: { field: campo, message: mensagem }
  rules:
    - field: justificativa
      when: plano == "Master"
      require: not isBlank(justificativa)
      message: Justificativa obrigatória – plano "Master".
transitions:
  from: protocolo.status
  to: transicao.para
  states: [Aberto, Pendente, Concluído]
  initial: Aberto
  terminal: [Concluído]
  outputs: { allowed: permitido, reasons: motivos, missing: faltando }
  guards:
    - require: not (transicao.ator == "X" and transicao.para == "Concluído")
      reason: Ator X não conclui.
  allow:
    - from: Aberto
      to: Pendente
      requires: [transicao.setor]
    - from: Pendente
      to: Concluído
      guards:
        - require: protocolo.pendencias == 0
          reason: Há pendências.

rules:
  # a regra principal
  - name: maior
    priority: 10
    when: idade >= LIMITE and (plano == "Master" or total > 100)
    then:
      - mensagens += "maior – " + plano
      - mensagens += if dobro > 40 then "dobro alto" else "dobro baixo"
  - name: sempre
    then: categoria = coalesce(decision.categoria, "C – outro")
invariants:
  - name: categoria válida
    check: decision.categoria in ["A", "B", "C – outro"] or decision.categoria is null
`;

describe("formatRuleSet", () => {
  it("keeps the layout of an expression written over several lines in a block scalar", () => {
    const source = `ruleset: blocos
facts:
  itens: { type: list, items: { type: object, fields: { n: integer } } }
outputs:
  r: { type: list, items: any }
  s: { type: integer, nullable: true }
rules:
  - name: varias linhas
    then: |
      r = for i in itens return {
        n: i.n,
        dobro: i.n*2
      }
  - name: uma linha em bloco
    then: |
      s = count(itens)+1
`;
    const out = formatRuleSet(source).text ?? "";
    expect(out).toContain("      r = for i in itens return {\n        n: i.n,\n        dobro: i.n*2\n      }\n");
    expect(out).toContain("then: s = count(itens) + 1");
    expect(formatRuleSet(out).text).toBe(out);
  });

  it("formats a careless rule set canonically: every expression section, comments kept, 2-space indentation", () => {
    expect(fmt(MESSY)).toBe(MESSY_FORMATTED);
  });

  it("is idempotent", () => {
    expect(fmt(MESSY_FORMATTED)).toBe(MESSY_FORMATTED);
    const once = fmt(reclame);
    expect(fmt(once)).toBe(once);
  });

  it("preserves meaning: the compiled rule set is the same, source map aside", () => {
    expect(meaning(fmt(MESSY))).toEqual(meaning(MESSY));
    const formatted = fmt(reclame);
    const before = meaning(reclame);
    const after = meaning(formatted);
    expect(after.rules).toEqual(before.rules);
    expect(after.expressions).toEqual(before.expressions);
    expect(after.tables).toEqual(before.tables);
    expect(after.handlers).toEqual(before.handlers);
    expect(after).toEqual(before);
  });

  it("keeps table cells, constants, templates and descriptions byte for byte (accents and – included)", () => {
    const out = fmt(reclame);
    // Every line that holds no expression comes out unchanged (up to indentation).
    const EXPRESSION_LINE =
      /^\s*(?:- )?(?:when|then|check|expr|inputs|from|to|where|key|order|require|requires):|^\s*- [\p{L}_][\p{L}\p{N}_.]* \+?= |^\s*[\p{L}_][\p{L}\p{N}_]*: .*[(+]/u;
    const kept = (text: string) =>
      text
        .split("\n")
        .filter((l) => !EXPRESSION_LINE.test(l))
        .map((l) => l.trim());
    expect(kept(out)).toEqual(kept(reclame));
    expect(out).toContain("servico: Cadastro – Inclusão/Renovação/exclusão de beneficiários dependentes");
    expect(out).toContain(
      `text: 'Reclame – demanda reclassificada{if numero is null then "" else " – ocorrência " + numero}'`,
    );
    expect(out).toContain("Informamos que o canal de atendimento ‘Reclame’ foi modernizado");
  });

  it("keeps the values of every scalar that is not an expression", () => {
    const parsedValues = (text: string) => {
      const r = compileSource(text);
      return {
        constants: r.compiled?.constants,
        templates: r.compiled?.templates,
        tables: r.compiled?.tables,
        description: r.compiled?.description,
      };
    };
    expect(parsedValues(fmt(MESSY))).toEqual(parsedValues(MESSY));
  });

  it("keeps expressions with // comments as written", () => {
    const source = `ruleset: comentarios
facts:
  idade: integer
outputs:
  adulto: { type: boolean, nullable: true }
rules:
  - name: r
    when: |-
      idade   >= 18 // maioridade
    then: adulto = true
`;
    const out = fmt(source);
    expect(out).toContain("      idade   >= 18 // maioridade\n");
    expect(out).toContain("then: adulto = true");
  });

  it("rewrites `requires` only when it is a plain name (other forms are labelled by their text)", () => {
    const source = `ruleset: requisitos
facts:
  t: { type: object, fields: { para: string, setor: string, nota: string } }
  p: { type: object, fields: { status: string } }
outputs:
  ok: { type: boolean, nullable: true }
  motivos: { type: list, items: string, default: [] }
  faltando: { type: list, items: string, default: [] }
transitions:
  from: p.status
  to: t.para
  states: [A, B]
  initial: A
  outputs: { allowed: ok, reasons: motivos, missing: faltando }
  allow:
    - from: A
      to: B
      requires: [ t . setor, "coalesce(t.nota,t.setor)" ]
`;
    const out = fmt(source);
    expect(out).toContain('requires: [t.setor, "coalesce(t.nota,t.setor)"]');
    expect(meaning(out)).toEqual(meaning(source));
  });

  it("writes quotes only where YAML needs them", () => {
    const source = `ruleset: aspas
facts:
  plano: string
  lista: { type: list, items: string }
outputs:
  ok: { type: boolean, nullable: true }
rules:
  - name: a
    when: '"Master" in lista'
    then: "ok = {x: 1}.x == 1"
  - name: b
    when: "plano == 'Master' and lista contains \\"a #1\\""
    then: ok = true
`;
    const out = fmt(source);
    expect(out).toContain(`    when: '"Master" in lista'\n    then: "ok = {x: 1}.x == 1"\n`);
    expect(out).toContain(`    when: 'plano == "Master" and lista contains "a #1"'\n`);
    expect(meaning(out)).toEqual(meaning(source));
  });

  it("refuses a source with a YAML syntax error (no text, the diagnostics)", () => {
    const r = formatRuleSet("ruleset: x\nfacts:\n  a: [1, 2\n");
    expect(r.text).toBeUndefined();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => d.code.startsWith("yaml/"))).toBe(true);
  });

  it("refuses a source with an expression syntax error", () => {
    const r = formatRuleSet(
      "ruleset: x\nfacts:\n  idade: integer\noutputs:\n  a: { type: string, nullable: true }\nrules:\n  - name: r\n    when: idade >=\n    then: a = 'x'\n",
    );
    expect(r.text).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["dsl/syntax"]);
  });

  it("formats despite structural or type errors (only syntax blocks it)", () => {
    const source =
      "ruleset: x\nfacts:\n  idade: integer\nrules:\n  - name: r\n    when: idadee>1\n    then: nada = 1\n";
    expect(fmt(source)).toBe(
      "ruleset: x\nfacts:\n  idade: integer\nrules:\n  - name: r\n    when: idadee > 1\n    then: nada = 1\n",
    );
  });

  it("normalises CRLF line breaks and keeps a final newline", () => {
    const source =
      "ruleset: x\r\nfacts:\r\n  idade: integer\r\noutputs:\r\n  a: { type: boolean, nullable: true }\r\nrules:\r\n  - name: r\r\n    when: idade>1\r\n    then: a = true";
    expect(fmt(source)).toBe(
      "ruleset: x\nfacts:\n  idade: integer\noutputs:\n  a: { type: boolean, nullable: true }\nrules:\n  - name: r\n    when: idade > 1\n    then: a = true\n",
    );
  });

  it("formats every rule set of the language corpus: idempotent, never a half-formatted result, same meaning", () => {
    const dir = new URL("./corpus/", import.meta.url);
    let formatted = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      const cases = parseYaml(readFileSync(new URL(file, dir), "utf8")) as { name: string; source?: unknown }[];
      for (const c of cases) {
        if (typeof c.source !== "string") continue;
        const r = formatRuleSet(c.source);
        const label = `${file}: ${c.name}`;
        if (r.text === undefined) {
          // Refused only for syntax errors, with the diagnostics that say why.
          expect(r.diagnostics.length, label).toBeGreaterThan(0);
          expect(
            r.diagnostics.filter((d) => d.code === "internal/error"),
            label,
          ).toEqual([]);
          continue;
        }
        formatted++;
        expect(formatRuleSet(r.text).text, label).toBe(r.text);
        const before = compileSource(c.source);
        const after = compileSource(r.text);
        expect(after.ok, label).toBe(before.ok);
        if (before.ok) {
          const { sourceMap: _a, ...x } = before.compiled!;
          const { sourceMap: _b, ...y } = after.compiled!;
          expect(y, label).toEqual(x);
        } else {
          expect(
            after.diagnostics.map((d) => d.code),
            label,
          ).toEqual(before.diagnostics.map((d) => d.code));
        }
      }
    }
    expect(formatted).toBeGreaterThan(0);
  }, 180_000); // the whole corpus, compiled twice per case: generous on a loaded machine
});

// ---------------------------------------------------------------------------------------------
// The formatter and the loader agree on which scalars are expressions
// ---------------------------------------------------------------------------------------------

/** Odd spacing in every place the loader reads an expression or an action, and in the language texts it keeps. */
const ODD = `ruleset: todos-os-lugares
facts:
  idade: integer
  plano: string
  itens: { type: list, items: { type: object, fields: { id: string, valor: number } } }
  p: { type: object, fields: { status: string } }
  t: { type: object, fields: { para: string, setor: string } }
  justificativa: string
outputs:
  categoria: { type: string, nullable: true }
  ok: { type: boolean, nullable: true }
  mensagens: { type: list, items: string, default: [] }
  violacoes: { type: list, items: { type: object, fields: { campo: string, mensagem: string } }, default: [] }
  motivos: { type: list, items: string, default: [] }
  faltando: { type: list, items: string, default: [] }
constants:
  PRAZO: =  2h+0h
  LISTA: [ "=1+1", x ]
values:
  curto: idade+1
  longo:
    expr: ( idade*2 )
templates:
  aviso: 'Idade {idade+1} – plano {plano}'
collections:
  grupos:
    from: for i in itens return  i
    where: item.valor>0
    key: [ item . id, item.valor*2 ]
    order: "-  item.valor"
  outros:
    from: ( itens )
    key: item.id+""
tables:
  - name: faixa
    when: idade>=0
    inputs: [ idade+0, ( plano ) ]
    outputs: [categoria]
    rows:
      - [">=  18", "-", "=  'A'"]
      - ["-", Master, B]
  - name: outra
    inputs: idade*1
    outputs: categoria
    rows: [["-", C]]
validations:
  into: violacoes
  record: { field: campo, message: mensagem }
  rules:
    - field: justificativa
      when: plano=="Master"
      require: not isBlank( justificativa )
      message: Falta {  plano }.
transitions:
  from: p . status
  to: t .para
  states: [A, B]
  initial: A
  outputs: { allowed: ok, reasons: motivos, missing: faltando }
  guards:
    - require: t.para!="X"
      reason: Não para {t.para}.
  allow:
    - from: A
      to: B
      requires: [ t . setor, "coalesce(t.setor,t.para)" ]
      guards:
        - require: idade>0
          reason: Idade.
    - from: B
      to: A
      requires: t  .  para
rules:
  - name: uma
    when: idade>=18 and (plano=='Master')
    then: categoria = coalesce( categoria , "C" )
  - name: varias
    then:
      - mensagens += "a"+plano
      - ok =not false
invariants:
  - name: valida
    check: decision.categoria in ["A","B","C"] or decision.categoria is null
`;

/** The site kinds the formatter re-prints; the others (cells, `= expr` literals, templates) are kept as written. */
const REPRINTED: ReadonlySet<ExpressionSiteKind> = new Set<ExpressionSiteKind>(["expression", "requirement", "action"]);

/** The scalars of a YAML text in document order, keys included. */
function scalarsOf(text: string): Scalar[] {
  const doc = loadYaml(text).value;
  expect(doc).toBeDefined();
  const out: Scalar[] = [];
  visit(doc!, {
    Scalar(_key, node) {
      out.push(node);
    },
  });
  return out;
}

/**
 * The canonical text of an expression or action, or undefined when the formatter keeps it as
 * written by design: `//` comments, a layout over several lines in a block scalar, a requirement
 * labelled by its text, a text that does not parse cleanly.
 */
function canonicalText(node: Scalar, kind: ExpressionSiteKind): string | undefined {
  const text = String(node.value);
  if (text.includes("//")) return undefined;
  if ((node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) && text.trim().includes("\n"))
    return undefined;
  const r = kind === "action" ? parseAction({ text }) : parseExpression({ text });
  // Not clean (a number JavaScript cannot hold, say): kept as written.
  if (r.value === undefined || r.recovered || r.diagnostics.length > 0) return undefined;
  if (kind === "action") return printAction(r.value as Action, { source: text });
  const e = r.value as Expr;
  if (kind === "requirement" && e.kind !== "name" && e.kind !== "member") return undefined;
  return printExpr(e, { source: text });
}

/**
 * Formats `source` and checks it against the loader's expression sites: every expression and
 * action site comes out canonical (its canonical text in the source), and every other scalar comes
 * out with the value it had. Returns the sites with the source and formatted scalars, for more checks.
 */
function checkAgainstLoader(source: string, label: string) {
  const sites = loadRuleSet(source).expressionSites;
  const formatted = formatRuleSet(source).text;
  if (formatted === undefined) return undefined;
  const before = scalarsOf(source);
  const after = scalarsOf(formatted);
  expect(after.length, label).toBe(before.length);
  const index = new Map(before.map((n, i) => [JSON.stringify(rangeOf(n)), i]));
  const reprinted = new Set<number>();
  const pairs = sites.map((site) => {
    const i = index.get(JSON.stringify(site.range));
    expect(i, `${label}: a site the loader reports is a scalar of the source`).toBeDefined();
    return { kind: site.kind, before: before[i!]!, after: after[i!]!, index: i! };
  });
  for (const { kind, before: b, after: a, index: i } of pairs) {
    if (!REPRINTED.has(kind)) continue;
    reprinted.add(i);
    const canonical = canonicalText(b, kind);
    expect(String(a.value), `${label}: ${kind} ${JSON.stringify(b.value)}`).toBe(canonical ?? b.value);
  }
  before.forEach((b, i) => {
    if (!reprinted.has(i)) expect(after[i]!.value, `${label}: ${JSON.stringify(b.value)}`).toEqual(b.value);
  });
  return pairs;
}

describe("formatRuleSet follows the loader's expression sites", () => {
  it("re-prints every expression and action the loader reads, in every kind of place, and keeps cells, `= expr` literals and templates", () => {
    const pairs = checkAgainstLoader(ODD, "ODD");
    expect(pairs).toBeDefined();
    // The fixture has every kind of site the loader reports, and odd spacing in each of them.
    expect(new Set(pairs!.map((p) => p.kind))).toEqual(
      new Set<ExpressionSiteKind>(["expression", "requirement", "action", "unaryTests", "formula", "template"]),
    );
    for (const { kind, before, after } of pairs!) {
      const label = `${kind} ${JSON.stringify(before.value)}`;
      const requirementLabel = kind === "requirement" && canonicalText(before, kind) === undefined;
      if (REPRINTED.has(kind) && !requirementLabel) expect(after.value, label).not.toBe(before.value);
      else expect(after.value, label).toBe(before.value);
    }
    // Each place of the language is a site: rules' when/then, values, collections' from/where/key/order,
    // tables' when/inputs, validations' when/require, transitions' from/to/requires and guards' require,
    // invariants' check.
    expect(pairs!.filter((p) => REPRINTED.has(p.kind)).length).toBe(27);
  });

  it("agrees with the loader on every shipped rule set, golden file and corpus case", () => {
    const sources: [string, string][] = [];
    const rulesDir = new URL("../rules/", import.meta.url);
    for (const f of readdirSync(rulesDir).filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml")))
      sources.push([f, readFileSync(new URL(f, rulesDir), "utf8")]);
    const goldenDir = new URL("./golden/", import.meta.url);
    for (const f of readdirSync(goldenDir).filter((f) => f.endsWith(".yaml")))
      sources.push([f, readFileSync(new URL(f, goldenDir), "utf8")]);
    const corpusDir = new URL("./corpus/", import.meta.url);
    for (const f of readdirSync(corpusDir).filter((f) => f.endsWith(".yaml"))) {
      const cases = parseYaml(readFileSync(new URL(f, corpusDir), "utf8")) as { name: string; source?: unknown }[];
      for (const c of cases) if (typeof c.source === "string") sources.push([`${f}: ${c.name}`, c.source]);
    }
    sources.push(["MESSY", MESSY]);
    let checked = 0;
    for (const [label, source] of sources) if (checkAgainstLoader(source, label)) checked++;
    expect(checked).toBeGreaterThan(100);
  }, 180_000);
});
