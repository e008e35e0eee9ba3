/**
 * Runtime behaviour users notice: the explain trace (every engine rule, matched true/false/null,
 * the values each condition saw, and positions that point at the right YAML line), `stop`, hit
 * policy defects at run time, determinism, isolation between decisions, and the compiled output
 * being plain JSON that loads into json-rules-engine with our operators.
 */
import { Engine } from "json-rules-engine";
import { describe, expect, it } from "vitest";
import { DECISION_FACT, EXPR_FACT, TABLE_FACT, type CompiledRuleSet, type Condition } from "../dsl/compile/compiled.js";
import type { UnaryTest } from "../dsl/syntax/ast.js";
import { DecisionError } from "../engine/errors.js";
import { operatorDefinitions, pathResolver } from "../engine/operators.js";
import { createEngine, createRuntime, type TraceEntry } from "../engine/runtime.js";
import { compileOk, lineOf, readRuleSet, reclameFacts, rejectionOf } from "./helpers/rulesets.js";
import { injectSlowFacts } from "./helpers/slow-facts.js";

const SOURCE = readRuleSet("reclame-designacao");
const COMPILED = compileOk(SOURCE);
const runtime = createRuntime(COMPILED);

/** The text of the source from a 1-based line/column to the end of that line. */
function at(source: string, line: number, column: number): string {
  return lineOf(source, line).slice(column - 1);
}

function leaves(c: Condition): Extract<Condition, { fact: string }>[] {
  if ("all" in c) return c.all.flatMap(leaves);
  if ("any" in c) return c.any.flatMap(leaves);
  if ("not" in c) return leaves(c.not);
  return [c];
}

/** Literal value of a `== "texto"` table cell. */
function cellText(test: UnaryTest | undefined): string | undefined {
  if (test?.kind !== "compare" || test.value.kind !== "literal" || test.value.literal.type !== "string")
    return undefined;
  return test.value.literal.value;
}

/** Paths of everything in `value` that is not plain JSON (class instances, undefined, functions, non-finite numbers). */
function nonJson(value: unknown, path = ""): string[] {
  if (value === null || typeof value === "string" || typeof value === "boolean") return [];
  if (typeof value === "number") return Number.isFinite(value) ? [] : [`${path}: ${value}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonJson(v, `${path}/${i}`));
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null)
      return [`${path}: instance of ${(value as object).constructor?.name}`];
    return Object.keys(value).flatMap((k) => nonJson((value as Record<string, unknown>)[k], `${path}/${k}`));
  }
  return [`${path}: ${typeof value}`];
}

describe("explain trace", () => {
  const facts = reclameFacts({ tipoCliente: "Credenciado", servico: "Reembolso", gipesVinculacao: "GIPES Centro" });

  it("lists every engine rule, in evaluation order, with matched true/false/null", async () => {
    const d = await runtime.decide(facts, { explain: true });
    const trace = d.trace as readonly TraceEntry[];
    expect(trace.map((t) => t.name)).toEqual(COMPILED.rules.map((r) => r.name));
    expect(trace.filter((t) => t.kind === "row")).toHaveLength(COMPILED.tables.designacaoPorServico?.rows.length ?? -1);
    expect(trace.filter((t) => t.kind === "rule")).toHaveLength(COMPILED.rulesMeta.length);
    for (const t of trace) expect([true, false, null]).toContain(t.matched);
    expect(d.decision.acao).toBe("RECLASSIFICAR");
    expect(trace.filter((t) => t.matched === true).map((t) => t.name)).toEqual([...d.fired]);
    expect(d.fired).toEqual(["tipo de entrada informado", "reclassificar demanda de competência das GIPES"]);
    // Every table row was evaluated (and failed): none matched Credenciado + Reembolso.
    expect(trace.filter((t) => t.kind === "row").every((t) => t.matched === false)).toBe(true);
    // The stop of "reclassificar" leaves only the rules after it unevaluated.
    expect(trace.filter((t) => t.matched === null).map((t) => t.name)).toEqual([
      "tipo de atendimento diferente de Reclamação",
      "revisar o serviço",
    ]);
  });

  it("rule entries point at the `name:` line of the rule in the YAML file", async () => {
    const trace = (await runtime.decide(facts, { explain: true })).trace as readonly TraceEntry[];
    for (const t of trace.filter((x) => x.kind === "rule")) {
      expect(at(SOURCE, t.line, t.column), t.name).toBe(`name: ${t.name}`);
    }
  });

  it("table-row entries point at their own row (flow and block rows alike)", async () => {
    const trace = (await runtime.decide(facts, { explain: true })).trace as readonly TraceEntry[];
    const rows = COMPILED.tables.designacaoPorServico?.rows ?? [];
    const rowEntries = trace.filter((x) => x.kind === "row");
    rowEntries.forEach((t, k) => {
      expect(t.name).toBe(`designacaoPorServico · linha ${k + 1}`);
      expect(at(SOURCE, t.line, t.column).replace(/^\{ /, "")).toMatch(/^tipoAtendimento: Reclamação/);
      const servico = cellText(rows[k]?.inputs[2]);
      expect(servico).toBeDefined();
      const rowText = [0, 1, 2, 3].map((i) => lineOf(SOURCE, t.line + i)).join("\n");
      expect(rowText, t.name).toContain(`servico: ${servico}`);
    });
    // Distinct rows, distinct lines.
    expect(new Set(rowEntries.map((t) => t.line)).size).toBe(rowEntries.length);
  });

  it("conditions carry their text, the fact values seen, and a position whose source text is that condition", async () => {
    const d = await runtime.decide(facts, { explain: true });
    const trace = d.trace as readonly TraceEntry[];
    let checked = 0;
    for (const t of trace.filter((x) => x.matched !== null)) {
      for (const c of t.conditions) {
        expect(c.line, c.text).toBeGreaterThan(0);
        const written = t.kind === "row" ? c.text.slice(c.text.indexOf(": ") + 2) : c.text;
        expect(
          at(SOURCE, c.line as number, c.column as number).startsWith(written),
          `${t.name}: ${c.text} @${c.line}:${c.column}`,
        ).toBe(true);
        expect([true, false, null]).toContain(c.result);
        // Cells and comparisons on plain facts show the value the fact had.
        for (const name of ["tipoAtendimento", "tipoCliente", "servico"] as const) {
          if (c.text.startsWith(`${name}: `) || c.text.startsWith(`${name} ==`) || c.text.startsWith(`${name} in`)) {
            expect(c.factValue, c.text).toBe(facts[name]);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(3 * 15);
    const reclass = trace.find((t) => t.name === "reclassificar demanda de competência das GIPES");
    expect(reclass?.conditions.map((c) => [c.text, c.factValue, c.result])).toEqual([
      ['tipoEntrada == "RECLAME"', "RECLAME", true],
      ['tipoAtendimento == "Reclamação"', "Reclamação", true],
      ['tipoCliente == "Credenciado"', "Credenciado", true],
      ["reclassificavel", true, true],
    ]);
    const row1 = trace.find((t) => t.name === "designacaoPorServico · linha 1");
    expect(row1?.conditions.map((c) => [c.text, c.factValue, c.value, c.result])).toEqual([
      ["tipoAtendimento: Reclamação", "Reclamação", "Reclamação", true],
      ["tipoCliente: Beneficiário", "Credenciado", "Beneficiário", false],
      ["servico: Autorização Prévia", "Reembolso", "Autorização Prévia", false],
    ]);
  });

  it("`stop` leaves every later rule `matched: null` with a note, and none of them fire", async () => {
    const d = await runtime.decide(reclameFacts({ protocoloValidado: false }), { explain: true });
    expect(d.decision.acao).toBe("ABRIR_FALE_CONOSCO");
    const trace = d.trace as readonly TraceEntry[];
    const stopAt = trace.findIndex((t) => t.name === "protocolo não validado pelo Reclame");
    expect(stopAt).toBeGreaterThan(0);
    expect(trace[stopAt]?.matched).toBe(true);
    const before = trace.slice(0, stopAt);
    const after = trace.slice(stopAt + 1);
    expect(after.map((t) => t.name)).toEqual([
      "registrado durante o atendimento",
      "designar pela tabela",
      "reclassificar demanda de competência das GIPES",
      "tipo de atendimento diferente de Reclamação",
      "revisar o serviço",
    ]);
    for (const t of before) expect(t.matched, t.name).not.toBeNull();
    for (const t of after) {
      expect(t.matched, t.name).toBeNull();
      expect(t.note, t.name).toMatch(/stop/);
      expect(t.conditions).toEqual([]);
      expect(d.fired).not.toContain(t.name);
    }
    expect(d.decision.prazoDesignacao).toBeNull();
  });
});

describe("hit policy `unique` violated at run time", () => {
  const SRC = `ruleset: unica-em-tempo-de-execucao
facts:
  idade: { type: integer, required: true }
outputs:
  faixa: { type: string, nullable: true }
tables:
  - name: faixas
    hitPolicy: unique
    inputs: [idade]
    outputs: [faixa]
    rows:
      - ["not(round(5, 0))", A]
      - [<= 20, B]
rules:
  - name: copiar
    then: faixa = faixas.faixa
`;

  it("is a DecisionError RULESET_DEFECT naming both rows with their positions (with and without explain)", async () => {
    for (const explain of [false, true]) {
      const rt = createRuntime(compileOk(SRC));
      expect((await rt.decide({ idade: 30 })).decision.faixa).toBe("A");
      expect((await rt.decide({ idade: 5 })).decision.faixa).toBe("B");
      const e = await rejectionOf(rt.decide({ idade: 15 }, { explain }));
      expect(e).toBeInstanceOf(DecisionError);
      const err = e as DecisionError;
      expect(err.code).toBe("RULESET_DEFECT");
      expect(err.message).toMatch(/faixas/);
      expect(err.message).toMatch(/linhas 1 e 2/);
      expect(err.details).toHaveLength(2);
      expect(lineOf(SRC, err.details[0]?.line ?? 0)).toContain('["not(round(5, 0))", A]');
      expect(lineOf(SRC, err.details[1]?.line ?? 0)).toContain("[<= 20, B]");
    }
  });

  it("is reported every time the same facts are decided again on the same runtime (never a truncated 'success')", async () => {
    const rt = createRuntime(compileOk(SRC));
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        const d = await rt.decide({ idade: 15 }, { explain: true });
        outcomes.push(`resolved ${JSON.stringify(d.decision)} fired=${JSON.stringify(d.fired)}`);
      } catch (e) {
        outcomes.push(e instanceof DecisionError ? e.code : `other: ${String(e)}`);
      }
    }
    expect(outcomes).toEqual(Array(4).fill("RULESET_DEFECT"));
    // …and a valid decision right after a defect is complete.
    await rejectionOf(rt.decide({ idade: 15 }));
    const after = await rt.decide({ idade: 30 }, { explain: true });
    expect(after.decision.faixa).toBe("A");
    expect(after.fired).toEqual(["faixas · linha 1", "copiar"]);
    expect(after.trace?.map((t) => t.matched)).toEqual([true, false, true]);
  });
});

describe("determinism", () => {
  const cases = [
    reclameFacts(),
    reclameFacts({ tipoCliente: "Credenciado", servico: "Autorização Prévia", gipesVinculacao: "GIPES Norte" }),
    reclameFacts({ tipoCliente: "Credenciado", servico: "Reembolso", gipesVinculacao: "GIPES Centro" }),
    reclameFacts({ registradoDuranteAtendimento: true }),
    reclameFacts({ servico: "Insatisfação de atendimento, nos Canais do Saúde CAIXA", canalOrigem: "telefone" }),
    reclameFacts({ servico: "Algo fora da tabela" }),
  ];

  it("the same facts twice give deep-equal results (decision, fired and trace)", async () => {
    for (const facts of cases) {
      const a = await runtime.decide(facts, { explain: true });
      const b = await runtime.decide(facts, { explain: true });
      expect(b).toEqual(a);
      const { trace: _trace, ...withoutTrace } = a;
      expect(await runtime.decide(facts)).toEqual(withoutTrace);
      expect(await runtime.decide(facts)).toEqual(await runtime.decide(facts));
    }
  });

  it("recompiling and a fresh runtime give the same compiled output and decisions; fact key order does not matter", async () => {
    const again = compileOk(SOURCE);
    expect(again).toEqual(COMPILED);
    const fresh = createRuntime(again);
    for (const facts of cases) {
      const reversed = Object.fromEntries(Object.entries(facts).reverse());
      const a = await runtime.decide(facts, { explain: true });
      expect(await fresh.decide(reversed, { explain: true })).toEqual(a);
    }
  });
});

describe("decisions share no state", () => {
  const SRC = `ruleset: isolamento
facts:
  n: { type: integer, required: true }
  anexar: { type: boolean, default: false }
  nome: { type: string, required: true }
outputs:
  marcas: { type: list, items: string }
  email: { type: object, nullable: true, fields: { assunto: string, para: string } }
  total: { type: integer, default: 0 }
rules:
  - name: anexar
    priority: 3
    when: anexar and n >= 0
    then:
      - marcas += "anexo " + nome
      - marcas += nome
      - email.assunto = "Assunto " + nome
  - name: sempre
    priority: 2
    then:
      - marcas += "sempre"
      - total = length(decision.marcas)
  - name: endereço
    priority: 1
    when: decision.email is not null
    then: email.para = nome
`;
  const compiled = compileOk(SRC);

  function expected(n: number, anexar: boolean, nome: string) {
    const marcas = anexar && n >= 0 ? [`anexo ${nome}`, nome, "sempre"] : ["sempre"];
    return { marcas, email: anexar ? { assunto: `Assunto ${nome}`, para: nome } : null, total: marcas.length };
  }

  it("a list appended (and an object filled) in one run does not leak into the next", async () => {
    const rt = createRuntime(compiled);
    const a = await rt.decide({ n: 1, anexar: true, nome: "Ana" });
    expect(a.decision).toEqual(expected(1, true, "Ana"));
    // Mutating a returned decision must not reach the runtime either.
    (a.decision.marcas as string[]).push("intrusa");
    (a.decision.email as Record<string, unknown>).assunto = "alterado";
    for (let i = 0; i < 3; i++) {
      const b = await rt.decide({ n: 2, nome: "Bia" });
      expect(b.decision).toEqual(expected(2, false, "Bia"));
    }
    expect((await rt.decide({ n: 3, anexar: true, nome: "Caio" })).decision).toEqual(expected(3, true, "Caio"));
    expect(compiled.outputs.marcas?.default).toEqual([]);
    expect(compiled.outputs.email?.default).toBeNull();
  });

  it("100 concurrent decisions with different facts each get exactly their own result", async () => {
    const rt = createRuntime(compiled);
    const slow = injectSlowFacts(["$expr", "$decision"], 2);
    try {
      const inputs = Array.from({ length: 100 }, (_, i) => ({ n: i, anexar: i % 3 === 0, nome: `pessoa-${i}` }));
      const results = await Promise.all(inputs.map((f) => rt.decide(f)));
      results.forEach((r, i) => {
        const f = inputs[i] as (typeof inputs)[number];
        expect(r.decision, `#${i}`).toEqual(expected(f.n, f.anexar, f.nome));
        expect(r.fired).toEqual(f.anexar ? ["anexar", "sempre", "endereço"] : ["sempre"]);
      });
      expect(slow.stats().maxInFlight).toBeGreaterThan(1);
    } finally {
      slow.restore();
    }
  });
});

describe("the compiled output is plain JSON and loads into json-rules-engine with our operators", () => {
  const RICH = `ruleset: completo-sintetico
description: Conjunto sintético que usa todas as seções.
timezone: America/Sao_Paulo
facts:
  idade: { type: integer, required: true }
  plano: { type: string, enum: [Básico, Master], default: Básico }
  entradaEm: { type: date-time, required: true }
  itens:
    type: list
    items:
      type: object
      fields:
        chave: string
        data: date
        valor: number
  acoesRetencao: { type: list, items: string }
  justificativaOutros: string
  status: { type: string, required: true }
  para: { type: string, required: true }
  setorPendencia: string
  pendenciasAbertas: { type: integer, default: 0 }
  prazoExtra: duration
constants:
  LIMITE: 18
  PRAZO: = 2h
  CATEGORIAS: [A, B]
  INICIO: = 2026-01-01
values:
  prazoFinal: entradaEm + PRAZO
  total: sum(for i in itens return i.valor)
templates:
  saudacao:
    params: [nome]
    text: "Olá, {nome}! Prazo: {prazoFinal}."
  resumo: "Total {total} em {length(itens)} itens"
collections:
  grupos:
    from: itens
    key: [item.chave]
    order: [item.data]
outputs:
  categoria: { type: string, nullable: true }
  faixas: { type: list, items: { type: object, fields: { faixa: string } } }
  marcas: { type: list, items: string }
  mensagem: { type: string, nullable: true }
  duplicados: { type: integer, default: 0 }
  violacoes: { type: list, items: { type: object, fields: { campo: string, mensagem: string } } }
  permitido: { type: boolean, nullable: true }
  motivos: { type: list, items: string }
  camposFaltando: { type: list, items: string }
tables:
  - name: categoriaPorPlano
    hitPolicy: first
    onNoMatch: null
    inputs: [plano, idade]
    outputs: [categoria]
    rows:
      - [Master, <= 17, B]
      - [Master, "-", A]
      - [Básico, "-", C]
  - name: faixaEtaria
    hitPolicy: collect
    inputs: [idade]
    outputs: [faixa]
    rows:
      - [<= 17, jovem]
      - [<= 64, adulto]
      - [not(0), qualquer]
validations:
  into: violacoes
  record: { field: campo, message: mensagem }
  rules:
    - field: justificativaOutros
      when: acoesRetencao contains "Outros"
      require: not isBlank(justificativaOutros)
      message: Justificativa obrigatória quando a ação é "Outros".
transitions:
  from: status
  to: para
  states: [Em atendimento, Pendente, Concluído, Abandonado]
  initial: Em atendimento
  terminal: [Concluído, Abandonado]
  outputs: { allowed: permitido, reasons: motivos, missing: camposFaltando }
  allow:
    - from: Em atendimento
      to: Pendente
      requires: [setorPendencia]
    - from: Pendente
      to: Concluído
      guards:
        - require: pendenciasAbertas == 0
          reason: Há pendências abertas.
    - from: Em atendimento
      to: Concluído
    - from: Pendente
      to: Abandonado
rules:
  - name: categoria da tabela
    priority: 50
    when: categoriaPorPlano.categoria is not null
    then: categoria = categoriaPorPlano.categoria
  - name: faixas coletadas
    priority: 40
    then: faixas = faixaEtaria
  - name: maior de idade
    priority: 30
    when: idade >= LIMITE and entradaEm >= INICIO and (prazoExtra is null or prazoExtra > 1h)
    then: marcas += "maior"
  - name: categoria conhecida
    priority: 30
    when: decision.categoria in CATEGORIAS
    then: marcas += "categoria " + decision.categoria
  - name: mensagem
    priority: 20
    then: mensagem = saudacao("Cliente") + " " + resumo
  - name: duplicados
    priority: 10
    then: duplicados = count(for g in grupos where not g.isFirst return g)
invariants:
  - name: categoria válida
    check: decision.categoria is null or decision.categoria in ["A", "B", "C"]
`;
  const richFacts = [
    {
      idade: 16,
      plano: "Master",
      entradaEm: "2026-04-03T10:00",
      itens: [
        { chave: "x", data: "2026-01-02", valor: 2 },
        { chave: "x", data: "2026-01-01", valor: 3 },
      ],
      acoesRetencao: ["Outros"],
      status: "Em atendimento",
      para: "Pendente",
    },
    {
      idade: 30,
      entradaEm: "2026-04-03T10:00:00-03:00",
      status: "Pendente",
      para: "Concluído",
      pendenciasAbertas: 2,
      prazoExtra: "3h",
    },
    {
      idade: 70,
      plano: "Master",
      entradaEm: "2025-12-31T23:00",
      itens: [],
      status: "Concluído",
      para: "Pendente",
      justificativaOutros: "ok",
      acoesRetencao: ["Outros"],
    },
  ];
  const sets: [string, CompiledRuleSet, Record<string, unknown>[]][] = [
    [
      "reclame-designacao",
      COMPILED,
      [
        reclameFacts(),
        reclameFacts({ tipoCliente: "Credenciado", servico: "Reembolso" }),
        reclameFacts({ protocoloValidado: false }),
      ],
    ],
    ["completo-sintetico", compileOk(RICH), richFacts],
  ];

  for (const [name, compiled, factsList] of sets) {
    it(`${name}: JSON.parse(JSON.stringify(compiled)) deep-equals compiled, with nothing but JSON inside`, () => {
      expect(nonJson(compiled)).toEqual([]);
      expect(JSON.parse(JSON.stringify(compiled))).toStrictEqual(compiled);
    });

    it(`${name}: its rules load into a fresh Engine, every operator and computed fact is ours, and the JSON round trip decides the same`, async () => {
      const roundTrip = JSON.parse(JSON.stringify(compiled)) as CompiledRuleSet;
      // A bare engine accepts the rules as they are (json-rules-engine validates their shape).
      const bare = new Engine(
        roundTrip.rules.map((r) => structuredClone(r)) as unknown as ConstructorParameters<typeof Engine>[0],
        { pathResolver, allowUndefinedFacts: false },
      );
      for (const [op, fn] of operatorDefinitions(roundTrip.zone)) bare.addOperator(op, fn);
      // Rule names are distinct, so each one is in the engine exactly when removeRule (public API) finds it.
      const names = roundTrip.rules.map((r) => r.name);
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(bare.removeRule(n), n).toBe(true);
      // createEngine loads every rule and registers every operator and computed fact the rules reference.
      const engine = createEngine(roundTrip);
      const registered = new Set(operatorDefinitions(roundTrip.zone).map(([op]) => op));
      const used = roundTrip.rules.flatMap((r) => leaves(r.conditions));
      expect(used.length).toBeGreaterThan(0);
      for (const c of used) {
        expect(registered.has(c.operator), c.operator).toBe(true);
        if (c.fact.startsWith("$")) {
          expect([EXPR_FACT, DECISION_FACT, TABLE_FACT], c.fact).toContain(c.fact);
          expect(engine.getFact(c.fact), c.fact).toBeDefined();
        } else {
          expect(Object.keys(roundTrip.factShapes), c.fact).toContain(c.fact);
        }
      }
      for (const n of names) expect(engine.removeRule(n), n).toBe(true);
      // The round-tripped rule set decides exactly like the original.
      const original = createRuntime(compiled);
      const copy = createRuntime(roundTrip);
      for (const facts of factsList) {
        expect(await copy.decide(facts, { explain: true })).toEqual(await original.decide(facts, { explain: true }));
      }
    });
  }

  it("completo-sintetico decides as written (tables first/collect, validations, transitions, collections, templates)", async () => {
    const rt = createRuntime(compileOk(RICH));
    const d = await rt.decide(richFacts[0]);
    expect(d.decision).toEqual({
      categoria: "B",
      faixas: [{ faixa: "jovem" }, { faixa: "adulto" }, { faixa: "qualquer" }],
      marcas: ["categoria B"],
      mensagem: "Olá, Cliente! Prazo: 03/04/2026 12:00. Total 5 em 2 itens",
      duplicados: 1,
      violacoes: [{ campo: "justificativaOutros", mensagem: 'Justificativa obrigatória quando a ação é "Outros".' }],
      permitido: false,
      motivos: [],
      camposFaltando: ["setorPendencia"],
    });
    const e = await rt.decide(richFacts[1]);
    expect(e.decision).toMatchObject({
      categoria: "C",
      marcas: ["maior"],
      permitido: false,
      motivos: ["Há pendências abertas."],
      camposFaltando: [],
    });
  });
});
