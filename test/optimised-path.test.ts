/**
 * The optimised path decides exactly as the straightforward one. Optimised: indexed tables
 * (engine/table-index.ts, one engine rule per table) and rules that cannot fire set aside before
 * the run (engine/rule-filter.ts). Straightforward: every table row its own json-rules-engine rule
 * (compile option `indexTables: false`) and every rule run as compiled (`optimised: false`). For each shipped
 * rule set, fast-check mutates the facts of its suite's cases (texts, numbers, booleans replaced by
 * values of the table cells, of the fact enums, of other cases, or null) and both paths must give
 * the same decision, the same `fired`/`firedRefs`, or the same error. Synthetic rule sets cover
 * what the shipped ones do not (ranges, `not`, dates, list columns, `first` and `collect`, a `when`
 * guard, a computed column; every other hit policy — `any` with its defect, `priority`, `ruleOrder`,
 * `outputOrder`, `collect` sum/min/max/count, `onNoMatch` outputs; rule conditions under
 * `not`/`any`, on lists, against other facts, `stop`).
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { compileSource } from "../dsl/compile/pipeline.js";
import { createFactValidator, toRuntimeFacts } from "../engine/facts.js";
import { candidateKey, optimisedRuleFilter } from "../engine/rule-filter.js";
import { createRuntime, type Runtime } from "../engine/runtime.js";
import { loadSuite } from "../tester/suite.js";
import { describeDiagnostics, readRuleSet, RULES_DIR, ruleSetNames } from "./helpers/rulesets.js";

function compileBoth(source: string): { indexed: CompiledRuleSet; plain: CompiledRuleSet } {
  const indexed = compileSource(source);
  const plain = compileSource(source, { indexTables: false });
  if (!indexed.compiled || !plain.compiled)
    throw new Error(describeDiagnostics(source, indexed.diagnostics).join("\n"));
  return { indexed: indexed.compiled, plain: plain.compiled };
}

/** The outcome of a decision, comparable across the two paths. */
async function outcome(runtime: Runtime, facts: unknown): Promise<unknown> {
  try {
    const r = await runtime.decide(facts);
    return { decision: r.decision, fired: r.fired, firedRefs: r.firedRefs, unchosenRefs: r.unchosenRefs };
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string; details?: unknown };
    return { error: err.name, code: err.code, message: err.message, details: err.details };
  }
}

/** Every scalar in a JSON value (table cells, enums, facts). */
function scalars(v: unknown, out: Set<unknown>): void {
  if (Array.isArray(v)) for (const x of v) scalars(x, out);
  else if (v && typeof v === "object") for (const x of Object.values(v)) scalars(x, out);
  else if (v !== undefined) out.add(v);
}

/** Paths of the scalar leaves of a facts document. */
function leaves(v: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(v)) for (const [i, x] of v.entries()) leaves(x, [...path, i], out);
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) leaves(x, [...path, k], out);
  else if (path.length > 0) out.push(path);
  return out;
}

function setPath(target: unknown, path: readonly (string | number)[], value: unknown): void {
  let cur = target as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1] as string | number] = value;
}

/** Replacement values for a leaf holding `current`: values of its type from the pool, near numbers, or null. */
function replacement(current: unknown, pool: readonly unknown[]): fc.Arbitrary<unknown> {
  const same = pool.filter((x) => typeof x === typeof current);
  const options: fc.Arbitrary<unknown>[] = [fc.constant(null)];
  if (same.length > 0) options.push(fc.constantFrom(...same));
  if (typeof current === "number") {
    const numbers = same as number[];
    options.push(fc.integer({ min: -5, max: 60 }), fc.constantFrom(...numbers.flatMap((n) => [n - 0.5, n + 0.5])));
  }
  if (typeof current === "boolean") options.push(fc.boolean());
  return fc.oneof(...options);
}

/** Random facts: a case's facts with some scalar leaves replaced (see `replacement`). */
function mutatedFacts(cases: readonly unknown[], pool: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.constantFrom(...cases).chain((base) => {
    const paths = leaves(base);
    if (paths.length === 0) return fc.constant(base);
    const valueAt = (path: readonly (string | number)[]): unknown =>
      path.reduce<unknown>((cur, k) => (cur as Record<string | number, unknown>)[k], base);
    const change = fc
      .constantFrom(...paths)
      .chain((path) => replacement(valueAt(path), pool).map((value) => [path, value] as const));
    return fc.array(change, { maxLength: 6 }).map((changes) => {
      const facts = structuredClone(base);
      for (const [path, value] of changes) setPath(facts, path, value);
      return facts;
    });
  });
}

/** How many of these facts have rules set aside by the optimised path's filter (undefined: invalid facts). */
function setAside(compiled: CompiledRuleSet): (facts: unknown) => boolean | undefined {
  const filter = optimisedRuleFilter(compiled);
  const validate = createFactValidator(compiled);
  return (facts) => {
    let json: Record<string, unknown>;
    try {
      json = validate(facts);
    } catch {
      return undefined;
    }
    return candidateKey(filter, toRuntimeFacts(compiled, json)) !== undefined;
  };
}

interface Expectations {
  /** Table rows fire for some facts (the rule set has indexed tables). */
  readonly rows?: boolean;
  /** Rules are set aside for some facts. */
  readonly filtered?: boolean;
}

async function assertSameDecisions(
  source: string,
  cases: readonly unknown[],
  runs: number,
  generated?: fc.Arbitrary<unknown>,
  expectations: Expectations = { rows: true, filtered: true },
): Promise<void> {
  const { indexed, plain } = compileBoth(source);
  if (expectations.rows) {
    expect(Object.values(indexed.tables).some((t) => t.index)).toBe(true);
    expect(Object.values(plain.tables).some((t) => t.index)).toBe(false);
  }
  const fast = createRuntime(indexed);
  const slow = createRuntime(plain, { optimised: false });
  const filtered = setAside(indexed);
  const poolSet = new Set<unknown>();
  scalars(
    Object.values(indexed.tables).map((t) => t.index?.cells),
    poolSet,
  );
  scalars(indexed.factSchema, poolSet);
  scalars(cases, poolSet);
  const pool = [...poolSet].filter((x) => typeof x !== "object");
  let decided = 0;
  let rowsFired = 0;
  let withRulesSetAside = 0;
  await fc.assert(
    fc.asyncProperty(generated ?? mutatedFacts(cases, pool), async (facts) => {
      const expected = (await outcome(slow, facts)) as { firedRefs?: string[] };
      expect(await outcome(fast, facts)).toEqual(expected);
      if (expected.firedRefs) decided++;
      if (expected.firedRefs?.some((r) => r.startsWith("t:"))) rowsFired++;
      if (filtered(facts)) withRulesSetAside++;
    }),
    { numRuns: runs },
  );
  // The random facts are mostly valid, table rows do fire, and the filter does set rules aside
  // (the comparison is not vacuous).
  expect(decided).toBeGreaterThan(runs / 10);
  if (expectations.rows) expect(rowsFired).toBeGreaterThan(runs / 40);
  if (expectations.filtered) expect(withRulesSetAside).toBeGreaterThan(runs / 20);
}

const SYNTHETIC = `
ruleset: indice-sintetico
description: Tabelas com todos os testes de célula.
facts:
  canal: { type: string, enum: [A, B, C] }
  valor: { type: number }
  dia: { type: date }
  marcas: { type: list, items: { type: string } }
  ativo: { type: boolean }
outputs:
  primeira: { type: string, nullable: true }
  todas: { type: list, items: { type: string } }
tables:
  - name: primeiraFaixa
    hitPolicy: first
    onNoMatch: null
    when: ativo == true
    inputs: [canal, valor, dia, valor * 2]
    outputs: [rotulo]
    rows:
      - [A, "[0..10]", -, -, a1]
      - [A, "(10..20)", "< 2024-06-01", -, a2]
      - ['not("A")', ">= 20", -, -, n1]
      - [[B, C], -, ">= 2024-06-01", "> 30", bc]
      - [-, '!= 5', -, -, resto]
      - [C, 5, -, -, c5]
  - name: todasMarcas
    hitPolicy: collect
    inputs: [marcas, canal]
    outputs: [rotulo]
    rows:
      - [x, -, mx]
      - [[y, z], A, myz]
      - [-, B, mb]
      - ['not("x")', -, nx]
rules:
  - name: copiar
    then:
      - primeira = primeiraFaixa.rotulo
      - todas = for m in todasMarcas return m.rotulo
`;

/**
 * One table per hit policy beyond first/unique/collect, over the same facts, all indexed. What the
 * checker refuses when it sees it (two `any` rows overlapping with different literal outputs, a
 * literal outside `outputValues`) comes from cells it cannot read (`= peso`, `= "outro " + canal`),
 * so the run-time paths stay: `qualquer` rows 3 and 4 disagree when peso is not 2 (the defect),
 * `prioridade` row 4's value is outside the list (it ranks last).
 */
const POLICIES_SYNTHETIC = `
ruleset: politicas-sintetico
description: Uma tabela por política de acerto.
facts:
  canal: { type: string, enum: [A, B, C] }
  valor: { type: number }
  peso: { type: any }
outputs:
  saidas: { type: any, nullable: true }
tables:
  - name: qualquer
    hitPolicy: any
    inputs: [canal, valor]
    outputs: [rotulo, nivel]
    onNoMatch: { rotulo: nenhum, nivel: "= valor" }
    rows:
      - [A, "[0..10]", baixo, 1]
      - [[A, B], "<= 10", baixo, 1]
      - [-, "> 10", alto, 2]
      - [B, "(10..20)", alto, "= peso"]
  - name: prioridade
    hitPolicy: priority
    onNoMatch: null
    outputValues: { rotulo: [urgente, normal], nivel: [3, 2, 1] }
    inputs: [canal, valor]
    outputs: [rotulo, nivel]
    rows:
      - [-, ">= 0", normal, 1]
      - [A, "> 10", urgente, 1]
      - [[A, C], "[5..20]", normal, 3]
      - ['not("B")', "< 30", '= "outro " + canal', 2]
      - [-, "> 25", urgente, 2]
  - name: emOrdem
    hitPolicy: ruleOrder
    inputs: [canal, valor]
    outputs: [rotulo]
    rows:
      - [-, "> 0", positivo]
      - [A, -, canalA]
      - [[B, C], "<= 15", pequeno]
  - name: porSaida
    hitPolicy: outputOrder
    outputValues: { rotulo: [c, b, a, vazio] }
    inputs: [canal, valor]
    outputs: [rotulo, linha]
    onNoMatch: { rotulo: vazio }
    rows:
      - [-, "> 0", a, 1]
      - [A, -, b, 2]
      - [-, ">= 10", c, 3]
      - [[A, B], "< 20", a, 4]
      - [C, -, b, 5]
  - name: soma
    hitPolicy: collect
    aggregate: sum
    inputs: [canal, valor]
    outputs: [total, extra]
    rows:
      - [-, ">= 0", 1, "= peso"]
      - [A, "> 5", 10, null]
      - [[B, C], "< 20", 100, "= peso"]
  - name: maior
    hitPolicy: collect
    aggregate: max
    inputs: [canal, valor]
    outputs: [valorMax, pesoMax]
    rows:
      - [-, ">= 0", "= valor", "= peso"]
      - [A, -, 7, 2]
      - [B, "> 10", "= valor * 2", null]
  - name: menor
    hitPolicy: collect
    aggregate: min
    onNoMatch: { valorMin: -1 }
    inputs: [canal, valor]
    outputs: [valorMin]
    rows:
      - [-, ">= 0", "= valor"]
      - [[A, C], "> 5", 5]
  - name: quantos
    hitPolicy: collect
    aggregate: count
    inputs: [canal, valor]
    outputs: [n]
    rows:
      - [-, ">= 0", x]
      - [A, -, y]
      - [-, "> 10", z]
rules:
  - name: copiar
    then:
      - saidas = [qualquer, prioridade, emOrdem, porSaida, soma, maior, menor, quantos, porSaida.rotulo, prioridade.rotulo]
`;

const SYNTHETIC_CASES = [
  { canal: "A", valor: 5, dia: "2024-01-01", marcas: ["x", "y"], ativo: true },
  { canal: "B", valor: 40, dia: "2024-07-01", marcas: ["z"], ativo: true },
  { canal: "C", valor: 5, dia: "2024-05-31", marcas: [], ativo: false },
  { canal: "A", valor: 15, dia: "2024-05-31", marcas: ["w"], ativo: true },
  { canal: "C", valor: 20, marcas: ["x"], ativo: true },
];

describe("the optimised path decides as the straightforward one", () => {
  for (const name of ruleSetNames().filter((n) => !n.endsWith(".test"))) {
    const source = readRuleSet(name);
    const { indexed } = compileBoth(source);
    const rows = Object.values(indexed.tables).some((t) => t.index);
    const filtered = optimisedRuleFilter(indexed).useful;
    it(`${name}: random facts from its suite decide identically`, async () => {
      const suite = loadSuite(readFileSync(`${RULES_DIR}/${name}.test.yaml`, "utf8")).suite;
      const cases = suite?.cases.map((c) => c.facts) ?? [];
      expect(cases.length).toBeGreaterThan(0);
      await assertSameDecisions(source, cases, 200, undefined, { rows, filtered });
    }, 120_000);
  }

  it("synthetic: ranges, not, dates, lists, first, collect, a guard and a computed column", async () => {
    const facts = fc.record(
      {
        canal: fc.constantFrom("A", "B", "C"),
        valor: fc.oneof(
          fc.constantFrom(0, 5, 10, 15, 20, 30, 40, -0.5, 4.5, 5.5, 9.5, 10.5, 15.5, 19.5, 20.5),
          fc.integer({ min: -5, max: 50 }),
        ),
        dia: fc.constantFrom("2024-01-01", "2024-05-31", "2024-06-01", "2024-06-02"),
        marcas: fc.subarray(["x", "y", "z", "w"]),
        ativo: fc.boolean(),
      },
      { requiredKeys: ["canal", "valor", "ativo"] },
    );
    await assertSameDecisions(SYNTHETIC, SYNTHETIC_CASES, 500, facts);
  }, 120_000);

  it("synthetic: any (and its defect), priority, ruleOrder, outputOrder, aggregates, onNoMatch outputs", async () => {
    const facts = fc.record(
      {
        canal: fc.constantFrom("A", "B", "C"),
        valor: fc.oneof(fc.constantFrom(0, 5, 10, 15, 20, 30, 4.5, 10.5, 19.5), fc.integer({ min: -5, max: 40 })),
        peso: fc.oneof(fc.integer({ min: -3, max: 9 }), fc.constantFrom("x", true)),
      },
      { requiredKeys: ["canal"] },
    );
    const cases = [
      { canal: "A", valor: 5, peso: 1 },
      { canal: "B", valor: 15, peso: 2 },
      { canal: "C", valor: 30 },
      { canal: "A", valor: 12, peso: 3 },
    ];
    await assertSameDecisions(POLICIES_SYNTHETIC, cases, 400, facts, { rows: true, filtered: false });
  }, 120_000);

  it("synthetic: the index finds rows as the row rules do on the suite-like facts", async () => {
    const { indexed, plain } = compileBoth(SYNTHETIC);
    const fast = createRuntime(indexed);
    const slow = createRuntime(plain);
    for (const facts of SYNTHETIC_CASES) expect(await outcome(fast, facts)).toEqual(await outcome(slow, facts));
    // The indexed path reports the matched rows as fired, like the row rules.
    const r = await fast.decide(SYNTHETIC_CASES[0]);
    expect(r.firedRefs).toContain("t:primeiraFaixa:0");
    expect(r.firedRefs).toContain("t:todasMarcas:0");
  });

  it("a table with a computed cell keeps the row rules (no index)", () => {
    const source = SYNTHETIC.replace("[C, 5, -, -, c5]", '[C, "= valor + 1", -, -, c5]');
    const compiled = compileSource(source).compiled;
    expect(compiled?.tables.primeiraFaixa?.index).toBeUndefined();
    expect(compiled?.tables.todasMarcas?.index).toBeDefined();
  });

  it("synthetic rules: conditions under not/any, on lists, against other facts, nulls, dates, stop", async () => {
    const facts = fc.record(
      {
        canal: fc.constantFrom("A", "B", "C", "SAD-1", "X"),
        valor: fc.oneof(fc.constantFrom(0, 5, 10, 10.5, 100), fc.integer({ min: -5, max: 120 })),
        limite: fc.constantFrom(5, 10, 50),
        dia: fc.constantFrom("2024-01-01", "2024-05-31", "2024-06-01"),
        marcas: fc.subarray(["x", "y", "z"]),
        contato: fc.record({ canal: fc.constantFrom("fone", "email"), dias: fc.integer({ min: 0, max: 3 }) }),
        contatos: fc.array(fc.record({ canal: fc.constantFrom("fone", "email") }), { maxLength: 3 }),
        ativo: fc.boolean(),
      },
      { requiredKeys: ["ativo"] },
    );
    await assertSameDecisions(RULES_SYNTHETIC, [], 500, facts, { rows: false, filtered: true });
  }, 120_000);
});

/** Rule conditions of every shape the rule filter reads (or must leave alone). */
const RULES_SYNTHETIC = `
ruleset: filtro-sintetico
description: Regras com condições de todas as formas.
facts:
  canal: { type: string }
  valor: { type: number }
  limite: { type: number, default: 10 }
  dia: { type: date }
  marcas: { type: list, items: { type: string } }
  contato:
    type: object
    fields:
      canal: { type: string }
      dias: { type: integer }
  contatos:
    type: list
    items:
      type: object
      fields:
        canal: { type: string }
  ativo: { type: boolean }
outputs:
  marcas: { type: list, items: { type: string } }
  nivel: { type: string, nullable: true }
rules:
  - name: igual
    when: canal == "A" and ativo == true
    then: marcas += "igual"
  - name: diferente
    when: canal != "A" and not (valor > 10)
    then: marcas += "diferente"
  - name: nenhum dos dois
    when: not (canal == "B" or canal == "C")
    then: marcas += "nenhum"
  - name: um dos dois
    when: canal == "B" or valor >= 100
    then: marcas += "um dos dois"
  - name: contra outro fato
    when: valor > limite and canal in ["A", "B"]
    then: marcas += "acima do limite"
  - name: nulo
    when: valor is null and canal is not null
    then: marcas += "sem valor"
  - name: datas
    when: dia >= 2024-06-01 and dia != 2024-06-02
    then: marcas += "junho"
  - name: listas
    when: marcas contains "x" and contatos.canal contains "fone"
    then: marcas += "x e fone"
  - name: objeto
    when: contato.canal == "email" and contato.dias < 2
    then: nivel = "email recente"
  - name: prefixo
    when: canal starts with "SAD"
    then: nivel = "sad"
  - name: lê a decisão
    when: decision.nivel == "sad" and ativo == true
    then: marcas += "depois de sad"
  - name: para
    when: ativo == false and canal == "X"
    then: nivel = "parou"
    stop: true
  - name: depois de parar
    when: canal == "X"
    then: marcas += "não para"
`;
