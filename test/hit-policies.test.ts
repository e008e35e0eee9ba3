/**
 * Every hit policy at run time, as an analyst sees it: for each policy a small table whose rows
 * overlap (facts where no row, one row, two and three rows match), the decision's outputs, the
 * rows that fired (refs, and the YAML line of each row as the explain trace and the error details
 * give it), the RULESET_DEFECT of `unique` and `any` (code, message, both rows and their lines),
 * aggregations (sum/min/max/count and their defects), `onNoMatch` outputs per shape, the output
 * check that traces a null to the table, why-not and coverage for `priority`'s losing rows.
 *
 * Every decision is taken three ways that must agree exactly — the indexed path (one engine rule
 * per table, engine/table-index.ts), the row rules (`indexTables: false`, `optimised: false`) and
 * the explain path — and the reference interpreter (tester/reference/) must decide the same (or
 * find a defect too). The random rule sets of the differential test (test/verify/rulesets.ts) have
 * tables of every policy: engine and reference agree on them, and rows of each new policy fire.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import type { RuleSetModel } from "../dsl/ruleset/model.js";
import { DecisionError } from "../engine/errors.js";
import { createRuntime, type TraceEntry } from "../engine/runtime.js";
import { whyNot } from "../engine/why-not.js";
import { referenceDecide } from "../tester/reference/interpreter.js";
import { runSuite } from "../tester/run.js";
import { loadSuite } from "../tester/suite.js";
import fc from "fast-check";
import { describeDiagnostics, lineOf } from "./helpers/rulesets.js";
import { emptyFigures, verifyRuleSet } from "./verify/run.js";
import { ruleSetArb } from "./verify/rulesets.js";

const ROWS = ['      - ["> 0", Verde, 1]', '      - ["> 5", Vermelho, 2]', '      - ["> 3", Amarelo, 3]'];

/** A rule set with one table `t` (inputs [n], outputs [cor, peso]) copied whole into `o` and by column into `cores`. */
function source(policy: string, extra: readonly string[] = [], rows: readonly string[] = ROWS): string {
  return [
    "ruleset: politicas",
    "description: Uma tabela por política de acerto.",
    "facts:",
    "  n: { type: integer }",
    "  extra: { type: any }",
    "outputs:",
    "  o: { type: any, nullable: true }",
    "  cores: { type: any, nullable: true }",
    "tables:",
    "  - name: t",
    `    hitPolicy: ${policy}`,
    ...extra.map((l) => `    ${l}`),
    "    inputs: [n]",
    "    outputs: [cor, peso]",
    "    rows:",
    ...rows,
    "rules:",
    "  - name: copia",
    "    then:",
    "      - o = t",
    "      - cores = t.cor",
    "",
  ].join("\n");
}

/** The 1-based line of the source that holds `text` (exactly one). */
function lineWith(src: string, text: string): number {
  const lines = src.split("\n");
  const found = lines.flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  expect(found, `"${text}" once in the source`).toHaveLength(1);
  return found[0] as number;
}

type Outcome =
  | {
      decision: Record<string, unknown>;
      fired: readonly string[];
      firedRefs: readonly string[];
      unchosenRefs?: readonly string[];
    }
  | { code: string; message: string; details: unknown };

interface Decided {
  readonly outcome: Outcome;
  readonly trace: readonly TraceEntry[];
}

function compileTwice(src: string) {
  const indexed = compileSource(src);
  const plain = compileSource(src, { indexTables: false });
  if (!indexed.ok || !indexed.compiled || !indexed.model || !plain.compiled)
    throw new Error(describeDiagnostics(src, indexed.diagnostics).join("\n"));
  return { indexed: indexed.compiled, plain: plain.compiled, model: indexed.model as RuleSetModel };
}

async function outcomeOf(
  p: Promise<{
    decision: Record<string, unknown>;
    fired: readonly string[];
    firedRefs: readonly string[];
    unchosenRefs?: readonly string[];
  }>,
): Promise<Outcome> {
  try {
    const r = await p;
    return {
      decision: r.decision,
      fired: r.fired,
      firedRefs: r.firedRefs,
      ...(r.unchosenRefs ? { unchosenRefs: r.unchosenRefs } : {}),
    };
  } catch (e) {
    if (!(e instanceof DecisionError)) throw e;
    return { code: e.code, message: e.message, details: e.details };
  }
}

/**
 * Decides `facts` on the indexed path, the row rules and the explain path (identical outcomes
 * required) and with the reference interpreter (same decision and fired rows, or a defect too).
 */
async function decide(src: string, facts: Record<string, unknown>): Promise<Decided> {
  const { indexed, plain, model } = compileTwice(src);
  expect(indexed.tables.t?.index, "the table runs indexed").toBeDefined();
  const fast = await outcomeOf(createRuntime(indexed).decide(facts));
  const slow = await outcomeOf(createRuntime(plain, { optimised: false }).decide(facts));
  expect(slow).toEqual(fast);
  let trace: readonly TraceEntry[] = [];
  const explained = await outcomeOf(
    createRuntime(indexed)
      .decide(facts, { explain: true })
      .then((r) => {
        trace = r.trace ?? [];
        return r;
      }),
  );
  expect(explained).toEqual(fast);
  const ref = referenceDecide(model, facts);
  if ("code" in fast) expect(ref.kind).toBe("defect");
  else {
    expect(ref.kind).toBe("decision");
    if (ref.kind === "decision") {
      expect(JSON.parse(JSON.stringify(ref.decision))).toEqual(fast.decision);
      expect(ref.firedRefs).toEqual(fast.firedRefs);
      expect(ref.fired).toEqual(fast.fired);
    }
  }
  return { outcome: fast, trace };
}

function decisionOf(d: Decided): Record<string, unknown> {
  if ("code" in d.outcome) throw new Error(`esperava uma decisão, veio ${d.outcome.message}`);
  return d.outcome.decision;
}

function refsOf(d: Decided): readonly string[] {
  if ("code" in d.outcome) throw new Error(`esperava uma decisão, veio ${d.outcome.message}`);
  return d.outcome.firedRefs;
}

function defectOf(d: Decided): { code: string; message: string; details: { row?: number; line?: number }[] } {
  if (!("code" in d.outcome)) throw new Error(`esperava um defeito, veio ${JSON.stringify(d.outcome.decision)}`);
  return d.outcome as { code: string; message: string; details: { row?: number; line?: number }[] };
}

/** The trace entry of row `row` (1-based) of table t. */
function rowEntry(d: Decided, row: number): TraceEntry {
  const e = d.trace.find((x) => x.name === `t · linha ${row}`);
  if (!e) throw new Error(`sem a linha ${row} no trace`);
  return e;
}

const rec = (cor: unknown, peso: unknown) => ({ cor, peso });

/** `impossible` keeps the analysis from refusing the overlaps the defect cases need (the runtime still sees them). */
const OVERLAPS_ALLOWED = ["onNoMatch: null", "impossible:", '  - ["> 3"]'];

describe("unique", () => {
  const src = source("unique", OVERLAPS_ALLOWED);

  it("no row: null; one row: its outputs, the row fired at its line", async () => {
    const none = await decide(src, { n: -1 });
    expect(decisionOf(none)).toEqual({ o: null, cores: null });
    expect(refsOf(none)).toEqual(["r:0"]);
    const one = await decide(src, { n: 1 });
    expect(decisionOf(one)).toEqual({ o: rec("Verde", 1), cores: "Verde" });
    expect(refsOf(one)).toEqual(["t:t:0", "r:0"]);
    expect(lineOf(src, rowEntry(one, 1).line)).toContain('["> 0", Verde, 1]');
    expect(rowEntry(one, 1).matched).toBe(true);
  });

  it("two rows: RULESET_DEFECT naming rows 1 and 3 with their lines", async () => {
    const d = defectOf(await decide(src, { n: 4 }));
    expect(d.code).toBe("RULESET_DEFECT");
    expect(d.message).toBe(
      'a tabela "t" (política unique) tem mais de uma linha válida para estes fatos: linhas 1 e 3',
    );
    expect(d.details.map((x) => x.row)).toEqual([1, 3]);
    expect(d.details.map((x) => x.line)).toEqual([lineWith(src, '"> 0", Verde'), lineWith(src, '"> 3", Amarelo')]);
  });
});

describe("first", () => {
  const src = source("first", ["onNoMatch: null"], [ROWS[1] as string, ROWS[2] as string, ROWS[0] as string]);

  it("the first matching row in row order; later matches are ignored (not fired) and the trace says so", async () => {
    expect(decisionOf(await decide(src, { n: -1 }))).toEqual({ o: null, cores: null });
    const one = await decide(src, { n: 1 });
    expect(decisionOf(one)).toEqual({ o: rec("Verde", 1), cores: "Verde" });
    expect(refsOf(one)).toEqual(["t:t:2", "r:0"]);
    const three = await decide(src, { n: 6 });
    expect(decisionOf(three)).toEqual({ o: rec("Vermelho", 2), cores: "Vermelho" });
    expect(refsOf(three)).toEqual(["t:t:0", "r:0"]);
    expect(rowEntry(three, 2).note).toMatch(/ignorada.*política first/);
    expect(rowEntry(three, 3).note).toMatch(/ignorada.*política first/);
    expect(lineOf(src, rowEntry(three, 3).line)).toContain('["> 0", Verde, 1]');
  });
});

describe("any", () => {
  const rows = ['      - ["> 0", Verde, 1]', '      - ["> 5", Vermelho, 2]', '      - ["> 3", Verde, 1]'];
  const src = source("any", OVERLAPS_ALLOWED, rows);

  it("no row: null; rows with equal outputs: that record, every matching row fired", async () => {
    expect(decisionOf(await decide(src, { n: -1 }))).toEqual({ o: null, cores: null });
    const one = await decide(src, { n: 1 });
    expect(decisionOf(one)).toEqual({ o: rec("Verde", 1), cores: "Verde" });
    expect(refsOf(one)).toEqual(["t:t:0", "r:0"]);
    const two = await decide(src, { n: 4 });
    expect(decisionOf(two)).toEqual({ o: rec("Verde", 1), cores: "Verde" });
    expect(refsOf(two)).toEqual(["t:t:0", "t:t:2", "r:0"]);
    expect(rowEntry(two, 3).matched).toBe(true);
    expect(lineOf(src, rowEntry(two, 3).line)).toContain('["> 3", Verde, 1]');
  });

  it("rows with different outputs: RULESET_DEFECT naming rows 1 and 2 with their lines", async () => {
    const d = defectOf(await decide(src, { n: 6 }));
    expect(d.code).toBe("RULESET_DEFECT");
    expect(d.message).toBe(
      'a tabela "t" (política any) tem linhas válidas com saídas diferentes para estes fatos: linhas 1 e 2',
    );
    expect(d.details).toEqual([
      expect.objectContaining({ ruleset: "politicas", table: "t", row: 1, line: lineWith(src, '"> 0", Verde') }),
      expect.objectContaining({ ruleset: "politicas", table: "t", row: 2, line: lineWith(src, '"> 5", Vermelho') }),
    ]);
  });

  it("one output differing is enough (valueEquals per output column)", async () => {
    const other = source("any", OVERLAPS_ALLOWED, [rows[0] as string, rows[1] as string, '      - ["> 3", Verde, 7]']);
    const d = defectOf(await decide(other, { n: 4 }));
    expect(d.message).toMatch(/linhas 1 e 3$/);
    expect(d.details.map((x) => x.line)).toEqual([lineWith(other, '"> 0", Verde'), lineWith(other, '"> 3", Verde, 7')]);
  });
});

describe("priority", () => {
  const src = source("priority", ["onNoMatch: null", "outputValues: { cor: [Vermelho, Amarelo, Verde] }"]);

  it("the row whose outputs come first in outputValues; all matching rows fire, the losers are reported", async () => {
    expect(decisionOf(await decide(src, { n: -1 }))).toEqual({ o: null, cores: null });
    const one = await decide(src, { n: 1 });
    expect(decisionOf(one)).toEqual({ o: rec("Verde", 1), cores: "Verde" });
    expect(one.outcome).not.toHaveProperty("unchosenRefs");
    const two = await decide(src, { n: 4 });
    expect(decisionOf(two)).toEqual({ o: rec("Amarelo", 3), cores: "Amarelo" });
    expect(refsOf(two)).toEqual(["t:t:0", "t:t:2", "r:0"]);
    expect(two.outcome).toMatchObject({ unchosenRefs: ["t:t:0"] });
    const three = await decide(src, { n: 6 });
    expect(decisionOf(three)).toEqual({ o: rec("Vermelho", 2), cores: "Vermelho" });
    expect(three.outcome).toMatchObject({ unchosenRefs: ["t:t:0", "t:t:2"] });
  });

  it("the explain trace says which row was chosen and that the others matched but lost", async () => {
    const d = await decide(src, { n: 4 });
    expect(rowEntry(d, 3).note).toBe(
      "escolhida: as saídas de maior prioridade entre as linhas válidas (política priority)",
    );
    expect(rowEntry(d, 1).matched).toBe(true);
    expect(rowEntry(d, 1).note).toBe(
      "não escolhida: a linha 3 da tabela também se aplica e tem saídas de maior prioridade (política priority)",
    );
    expect(rowEntry(d, 2).matched).toBe(false);
    expect(rowEntry(d, 2).note).toBeUndefined();
    expect(lineOf(src, rowEntry(d, 3).line)).toContain('["> 3", Amarelo, 3]');
  });

  it("ties go to the earlier row; a value not in the list ranks after every listed one; later columns break ties", async () => {
    // A literal outside outputValues is a checker error (table/shape): the value not in the list
    // comes from a fact (`= extra`), which the analysis cannot read, so only the runtime ranks it.
    const ties = source(
      "priority",
      ["onNoMatch: null", "outputValues: { cor: [Vermelho, Verde] }"],
      ['      - ["> 0", "= extra", 1]', '      - ["> 3", Verde, 2]', '      - ["> 3", Verde, 3]'],
    );
    expect(decisionOf(await decide(ties, { n: 1, extra: "Azul" }))).toEqual({ o: rec("Azul", 1), cores: "Azul" });
    expect(decisionOf(await decide(ties, { n: 4, extra: "Azul" }))).toEqual({ o: rec("Verde", 2), cores: "Verde" });
    // A listed value from the fact ranks by the list: Vermelho beats the Verde rows.
    expect(decisionOf(await decide(ties, { n: 4, extra: "Vermelho" }))).toEqual({
      o: rec("Vermelho", 1),
      cores: "Vermelho",
    });
    const both = ties.replace(
      "outputValues: { cor: [Vermelho, Verde] }",
      "outputValues: { cor: [Vermelho, Verde], peso: [3, 2, 1] }",
    );
    expect(decisionOf(await decide(both, { n: 4, extra: "Azul" }))).toEqual({ o: rec("Verde", 3), cores: "Verde" });
  });

  it("why-not: a losing row is blocked by the row that won, at its position", async () => {
    const copy = src
      .replace("  cores: { type: any, nullable: true }", "  cor: { type: string, nullable: true }")
      .replace("      - cores = t.cor", "      - cor = t.cor");
    const { indexed } = compileTwice(copy);
    const r = await whyNot(createRuntime(indexed), { n: 4 }, { cor: "Verde" });
    const row = r.candidates.find((c) => c.kind === "row" && c.row === 1);
    expect(row?.blocking).toEqual([
      {
        kind: "priority",
        text: "a linha 3 da tabela t também se aplica e tem saídas de maior prioridade (política priority)",
        position: { line: lineWith(copy, '"> 3", Amarelo'), column: expect.any(Number) },
        values: {},
      },
    ]);
    expect(r.suggestion?.changes).toEqual([{ fact: "n", from: 4, to: 3 }]);
  });

  it("coverage: a row that only ever lost is not covered (as first's later rows), the winner is", async () => {
    const { indexed } = compileTwice(src);
    const suite = loadSuite(
      "suite: politicas\ndescription: Um caso.\ncases:\n  - name: quatro\n    facts: { n: 4 }\n    expect: { cores: Amarelo }\n",
    ).suite;
    if (!suite) throw new Error("suite did not load");
    const result = await runSuite(indexed, suite);
    expect(result.passed).toBe(1);
    expect(result.coverage.rows.missing.map((m) => m.ref)).toEqual(["t:t:0", "t:t:1"]);
    expect(result.coverage.rows.missing.map((m) => m.line)).toEqual([
      lineWith(src, '"> 0", Verde'),
      lineWith(src, '"> 5", Vermelho'),
    ]);
  });
});

describe("ruleOrder, outputOrder, collect: lists", () => {
  const values = "outputValues: { cor: [Vermelho, Amarelo, Verde] }";

  it("ruleOrder and collect: every matching row's record in row order; none: an empty list", async () => {
    for (const policy of ["ruleOrder", "collect"]) {
      const src = source(policy, policy === "ruleOrder" ? [values] : []);
      expect(decisionOf(await decide(src, { n: -1 }))).toEqual({ o: [], cores: [] });
      expect(decisionOf(await decide(src, { n: 1 }))).toEqual({ o: [rec("Verde", 1)], cores: ["Verde"] });
      const three = await decide(src, { n: 6 });
      expect(decisionOf(three)).toEqual({
        o: [rec("Verde", 1), rec("Vermelho", 2), rec("Amarelo", 3)],
        cores: ["Verde", "Vermelho", "Amarelo"],
      });
      expect(refsOf(three)).toEqual(["t:t:0", "t:t:1", "t:t:2", "r:0"]);
    }
  });

  it("outputOrder: sorted by outputValues, ties in row order (stable)", async () => {
    const src = source("outputOrder", [values], [...ROWS, '      - ["> 4", Verde, 4]']);
    expect(decisionOf(await decide(src, { n: -1 }))).toEqual({ o: [], cores: [] });
    const two = await decide(src, { n: 4 });
    expect(decisionOf(two)).toEqual({ o: [rec("Amarelo", 3), rec("Verde", 1)], cores: ["Amarelo", "Verde"] });
    const all = await decide(src, { n: 6 });
    expect(decisionOf(all)).toEqual({
      o: [rec("Vermelho", 2), rec("Amarelo", 3), rec("Verde", 1), rec("Verde", 4)],
      cores: ["Vermelho", "Amarelo", "Verde", "Verde"],
    });
    expect(refsOf(all)).toEqual(["t:t:0", "t:t:1", "t:t:2", "t:t:3", "r:0"]);
    expect(all.outcome).not.toHaveProperty("unchosenRefs");
  });
});

describe("collect with aggregate", () => {
  // Numeric outputs; row 2 leaves `peso` null (nulls are left out).
  const rows = ['      - ["> 0", 10, 1]', '      - ["> 5", 30, null]', '      - ["> 3", 20, 5]'];
  const agg = (a: string) => source("collect", [`aggregate: ${a}`], rows);

  it("sum, min, max over the matching rows, nulls left out; count counts rows", async () => {
    const cases: [string, number, unknown][] = [
      ["sum", -1, rec(null, null)],
      ["sum", 1, rec(10, 1)],
      ["sum", 4, rec(30, 6)],
      ["sum", 6, rec(60, 6)],
      ["min", -1, rec(null, null)],
      ["min", 6, rec(10, 1)],
      ["max", 4, rec(20, 5)],
      ["max", 6, rec(30, 5)],
      ["count", -1, rec(0, 0)],
      ["count", 4, rec(2, 2)],
      ["count", 6, rec(3, 3)],
    ];
    for (const [a, n, want] of cases) {
      const d = await decide(agg(a), { n });
      expect(decisionOf(d), `${a} n=${n}`).toEqual({ o: want, cores: (want as { cor: unknown }).cor });
    }
    const only2 = await decide(agg("sum"), { n: 6 });
    expect(refsOf(only2)).toEqual(["t:t:0", "t:t:1", "t:t:2", "r:0"]);
  });

  it("a null peso in every matching row gives null, not 0", async () => {
    const src = source("collect", ["aggregate: sum"], ['      - ["> 0", 10, null]']);
    expect(decisionOf(await decide(src, { n: 1 }))).toEqual({ o: rec(10, null), cores: 10 });
  });

  it("a non-number summed, or values min/max cannot order: RULESET_DEFECT naming the row, its line and the column", async () => {
    const src = source("collect", ["aggregate: sum"], ['      - ["> 0", 10, 1]', '      - ["> 3", "= extra", 2]']);
    expect(decisionOf(await decide(src, { n: 4, extra: 5 }))).toEqual({ o: rec(15, 3), cores: 15 });
    const d = defectOf(await decide(src, { n: 4, extra: "dez" }));
    expect(d.code).toBe("RULESET_DEFECT");
    expect(d.message).toBe('a linha 2 da tabela "t" (política collect sum) dá a "cor" um valor que não é número: dez');
    expect(d.details).toEqual([expect.objectContaining({ table: "t", row: 2, line: lineWith(src, '"= extra"') })]);
    const max = src.replace("aggregate: sum", "aggregate: max");
    expect(decisionOf(await decide(max, { n: 4, extra: 5 }))).toEqual({ o: rec(10, 2), cores: 10 });
    const m = defectOf(await decide(max, { n: 4, extra: "dez" }));
    expect(m.message).toMatch(
      /^a linha 2 da tabela "t" \(política collect max\) dá a "cor" um valor que não se compara/,
    );
    expect(m.details.map((x) => x.line)).toEqual([lineWith(max, '"= extra"')]);
  });
});

describe("onNoMatch outputs", () => {
  const noMatch = 'onNoMatch: { cor: nenhuma, peso: "= n * 10" }';

  it("single hit: the record (cells evaluated like row outputs); a row that matches replaces it", async () => {
    for (const policy of ["first", "unique", "any", "priority"]) {
      const extra = [noMatch, ...(policy === "priority" ? ["outputValues: { cor: [Verde, nenhuma] }"] : [])];
      const src = source(policy, extra, [ROWS[0] as string]);
      expect(decisionOf(await decide(src, { n: -1 })), policy).toEqual({ o: rec("nenhuma", -10), cores: "nenhuma" });
      expect(decisionOf(await decide(src, { n: 2 })), policy).toEqual({ o: rec("Verde", 1), cores: "Verde" });
    }
  });

  it("lists: a list with that one record; aggregate: the record is the result", async () => {
    for (const policy of ["ruleOrder", "outputOrder", "collect"]) {
      const extra = [
        noMatch,
        ...(policy === "outputOrder" ? ["outputValues: { cor: [Verde, Vermelho, Amarelo, nenhuma] }"] : []),
      ];
      const src = source(policy, extra);
      expect(decisionOf(await decide(src, { n: -2 })), policy).toEqual({
        o: [rec("nenhuma", -20)],
        cores: ["nenhuma"],
      });
      expect(decisionOf(await decide(src, { n: 1 })), policy).toEqual({ o: [rec("Verde", 1)], cores: ["Verde"] });
    }
    const count = source("collect", ["aggregate: count", "onNoMatch: { peso: 99 }"]);
    expect(decisionOf(await decide(count, { n: -2 }))).toEqual({ o: rec(null, 99), cores: null });
    expect(decisionOf(await decide(count, { n: 4 }))).toEqual({ o: rec(2, 2), cores: 2 });
  });

  it("a table whose `when` is false gives its onNoMatch outputs too", async () => {
    const src = source("first", ["when: n != 7", noMatch], [ROWS[0] as string]);
    expect(decisionOf(await decide(src, { n: 7 }))).toEqual({ o: rec("nenhuma", 70), cores: "nenhuma" });
  });
});

describe("a null output that came from a table", () => {
  it("names the table and its policy for every single-hit policy and aggregates", async () => {
    for (const [policy, extra] of [
      ["any", []],
      ["priority", ["outputValues: { cor: [Verde] }"]],
      ["collect", ["aggregate: max"]],
    ] as const) {
      const src = source(policy, ["onNoMatch: null", ...extra], [ROWS[0] as string])
        .replace(
          "  cores: { type: any, nullable: true }",
          `  cores: { type: ${policy === "collect" ? "integer" : "string"}, nullable: false }`,
        )
        .replace("cores = t.cor", policy === "collect" ? "cores = t.peso" : "cores = t.cor");
      const { indexed } = compileTwice(src);
      for (const rt of [createRuntime(indexed), createRuntime(indexed, { optimised: false })]) {
        const e = await rt.decide({ n: -1 }).then(
          () => undefined,
          (x: unknown) => x,
        );
        expect(e).toBeInstanceOf(DecisionError);
        const err = e as DecisionError;
        expect(err.code).toBe("RULESET_DEFECT");
        const label = policy === "collect" ? "collect max" : policy;
        expect(err.details[0]).toMatchObject({
          table: "t",
          line: lineWith(src, "- name: t"),
          message: `a tabela "t" (política ${label}) não tem linha para estes fatos e a saída "cores" não aceita nulo`,
        });
      }
    }
  });
});

describe("random rule sets with every policy (differential, engine vs reference)", () => {
  it("agree, and rows of tables of each new policy fire", async () => {
    const sources = fc.sample(ruleSetArb, { numRuns: 160, seed: 20261202 });
    const hits = new Map<string, number>();
    let checked = 0;
    for (const [i, src] of sources.entries()) {
      const r = compileSource(src);
      if (!r.ok || !r.model || !r.compiled) continue;
      const policies = Object.entries(r.compiled.tables).map(
        ([name, t]) => [name, t.aggregate ? `collect ${t.aggregate}` : t.hitPolicy] as const,
      );
      if (!policies.some(([, p]) => !["unique", "first", "collect"].includes(p))) continue;
      checked++;
      const figures = emptyFigures();
      const d = await verifyRuleSet(r.model, r.compiled, { runs: 10, seed: 20261202 + i, figures });
      expect(d, d ? `${src}\n${JSON.stringify(d, null, 1).slice(0, 3000)}` : "").toBeUndefined();
      for (const ref of figures.firedRefs) {
        const table = /^t:([^:]+):/.exec(ref)?.[1];
        const policy = policies.find(([name]) => name === table)?.[1];
        if (policy) hits.set(policy, (hits.get(policy) ?? 0) + 1);
      }
    }
    console.log(
      `random sets with a new policy checked: ${checked} of ${sources.length}; rows fired by policy: ${JSON.stringify(Object.fromEntries(hits))}`,
    );
    expect(checked).toBeGreaterThan(30);
    for (const policy of [
      "any",
      "priority",
      "ruleOrder",
      "outputOrder",
      "collect sum",
      "collect min",
      "collect max",
      "collect count",
    ])
      expect(hits.get(policy) ?? 0, `rows of ${policy} tables fired`).toBeGreaterThan(2);
  }, 120_000);
});
