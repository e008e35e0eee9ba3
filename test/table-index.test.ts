/**
 * Indexed tables (engine/table-index.ts) decide exactly as the straightforward path, where every
 * table row is its own json-rules-engine rule (compile option `indexTables: false`): for each
 * shipped rule set, fast-check mutates the facts of its suite's cases (texts, numbers, booleans
 * replaced by values of the table cells, of the fact enums, of other cases, or null) and both
 * paths must give the same decision, the same `fired`/`firedRefs`, or the same error. A synthetic
 * rule set covers the cell tests the shipped ones do not (ranges, `not`, dates, list columns,
 * `first` and `collect`, a `when` guard, a column computed by an expression).
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { compileSource } from "../dsl/compile/pipeline.js";
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
    return { decision: r.decision, fired: r.fired, firedRefs: r.firedRefs };
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

async function assertSameDecisions(
  source: string,
  cases: readonly unknown[],
  runs: number,
  generated?: fc.Arbitrary<unknown>,
): Promise<void> {
  const { indexed, plain } = compileBoth(source);
  expect(Object.values(indexed.tables).some((t) => t.index)).toBe(true);
  expect(Object.values(plain.tables).some((t) => t.index)).toBe(false);
  const fast = createRuntime(indexed);
  const slow = createRuntime(plain);
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
  await fc.assert(
    fc.asyncProperty(generated ?? mutatedFacts(cases, pool), async (facts) => {
      const expected = (await outcome(slow, facts)) as { firedRefs?: string[] };
      expect(await outcome(fast, facts)).toEqual(expected);
      if (expected.firedRefs) decided++;
      if (expected.firedRefs?.some((r) => r.startsWith("t:"))) rowsFired++;
    }),
    { numRuns: runs },
  );
  // The random facts are mostly valid, and table rows do fire (the comparison is not vacuous).
  expect(decided).toBeGreaterThan(runs / 10);
  expect(rowsFired).toBeGreaterThan(runs / 40);
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

const SYNTHETIC_CASES = [
  { canal: "A", valor: 5, dia: "2024-01-01", marcas: ["x", "y"], ativo: true },
  { canal: "B", valor: 40, dia: "2024-07-01", marcas: ["z"], ativo: true },
  { canal: "C", valor: 5, dia: "2024-05-31", marcas: [], ativo: false },
  { canal: "A", valor: 15, dia: "2024-05-31", marcas: ["w"], ativo: true },
  { canal: "C", valor: 20, marcas: ["x"], ativo: true },
];

describe("indexed tables decide as one rule per row", () => {
  for (const name of ruleSetNames().filter((n) => !n.endsWith(".test"))) {
    const source = readRuleSet(name);
    const { indexed } = compileBoth(source);
    if (!Object.values(indexed.tables).some((t) => t.index)) continue;
    it(`${name}: random facts from its suite decide identically`, async () => {
      const suite = loadSuite(readFileSync(`${RULES_DIR}/${name}.test.yaml`, "utf8")).suite;
      const cases = suite?.cases.map((c) => c.facts) ?? [];
      expect(cases.length).toBeGreaterThan(0);
      await assertSameDecisions(source, cases, 200);
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
});
