/**
 * Fixed cases of the differential test (test/reference.test.ts, `npm run verify`): each
 * disagreement found between the engine and the reference interpreter, reduced to a minimal rule
 * set and facts, with the outcome docs/language.md says is right; and the semantics the generators
 * aim at (normalisation, DST, priorities and `stop`, hit policies, defects, refusals), pinned so
 * that both sides keep agreeing on the documented answer.
 *
 * Disagreements found so far (see tester/README.md):
 * 1. A table column over a list fact, the list absent, a cell `= null`: the REFERENCE was wrong
 *    (it compared the absent list with null and found the row matching); the docs say a one-value
 *    cell on a list column means "the list contains this value", and an absent list contains
 *    nothing, so the row does not match (the engine's answer). Fixed in the reference.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { compare, type Side } from "./verify/compare.js";

const HEADER = `ruleset: caso
description: Caso fixo do teste diferencial.
`;

/** Decides `facts` with both sides; they must agree; returns the engine's side. */
async function both(body: string, facts: unknown): Promise<Side> {
  const r = compileSource(HEADER + body);
  if (!r.ok || !r.model || !r.compiled) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  const c = await compare(r.model, r.compiled, facts);
  expect(c.agree, JSON.stringify(c, null, 1)).toBe(true);
  return c.engine;
}

function decisionOf(side: Side): unknown {
  if (side.kind !== "decision") throw new Error(`esperava uma decisão, veio ${JSON.stringify(side)}`);
  return side.decision;
}

describe("disagreements found by the differential test (fixed)", () => {
  const listColumn = `facts:
  l: { type: list, items: string }
outputs:
  o: { type: string }
tables:
  - name: T
    inputs: [l]
    outputs: [r]
    rows:
      - ["= null", A]
      - ['not("x")', B]
rules:
  - name: r
    then: o = T.r
`;
  it("1. list column, list absent, cell `= null`: no match (an absent list contains nothing)", async () => {
    for (const facts of [{}, { l: null }, { l: [] }]) {
      const side = await both(listColumn, facts);
      expect(decisionOf(side)).toEqual({ o: "B" });
      expect(side.kind === "decision" && side.firedRefs).toEqual(["t:T:1", "r:0"]);
    }
    expect(decisionOf(await both(listColumn, { l: ["x"] }))).toEqual({ o: null });
  });
});

describe("documented semantics both sides must keep", () => {
  it("enum texts arrive in NFC without end spaces and match the table; normalize: false keeps bytes", async () => {
    const body = `facts:
  s: { type: string, enum: [Ação, Outro] }
  t: { type: string, normalize: false }
outputs:
  o: { type: string }
  p: { type: string }
tables:
  - name: T
    inputs: [s]
    outputs: [r]
    onNoMatch: null
    rows:
      - [Ação, achou]
rules:
  - name: r
    then:
      - o = T.r
      - p = t
`;
    const nfd = "Ação".normalize("NFD");
    expect(decisionOf(await both(body, { s: ` ${nfd} `, t: ` ${nfd}` }))).toEqual({ o: "achou", p: ` ${nfd}` });
    expect((await both(body, { s: "ação" })).kind).toBe("refused");
  });

  it("a local time skipped by São Paulo's DST moves forward; a DST-less zone reads it as written", async () => {
    const body = (zone: string) => `timezone: ${zone}
facts:
  dt: { type: date-time, required: true }
outputs:
  o: { type: string }
rules:
  - name: depois da 1h
    when: dt >= 2018-11-04T01:00:00-02:00
    then: o = "depois"
`;
    expect(decisionOf(await both(body("America/Sao_Paulo"), { dt: "2018-11-04T00:30" }))).toEqual({ o: "depois" });
    expect(decisionOf(await both(body("UTC"), { dt: "2018-11-04T00:30" }))).toEqual({ o: null });
  });

  it("priority (higher first), equal priorities in the order written, stop ends the rules", async () => {
    const body = `facts:
  n: { type: integer, required: true }
outputs:
  k: { type: list, items: string }
rules:
  - name: baixa
    priority: 1
    then: k += "baixa"
  - name: alta 1
    priority: 5
    then: k += "alta 1"
  - name: alta 2
    priority: 5
    when: n > 0
    then: k += "alta 2"
    stop: true
  - name: última
    then: k += "última"
`;
    expect(decisionOf(await both(body, { n: 1 }))).toEqual({ k: ["alta 1", "alta 2"] });
    expect(decisionOf(await both(body, { n: 0 }))).toEqual({ k: ["alta 1", "baixa", "última"] });
  });

  it("hit policies: first takes the first row, collect lists every row, unique with two rows at run time is a defect", async () => {
    const body = (policy: string) => `facts:
  n: { type: integer, required: true }
  t: { type: string }
outputs:
  o: { type: any }
tables:
  - name: T
    hitPolicy: ${policy}
    inputs: [n, t]
    outputs: [r]
    rows:
      - ["= 1", "= upper(t)", X]
      - ["-", "= lower(t)", Y]
rules:
  - name: r
    then: o = T.r
`;
    expect(decisionOf(await both(body("first"), { n: 1, t: "a" }))).toEqual({ o: "Y" });
    expect(decisionOf(await both(body("collect"), { n: 1, t: "A" }))).toEqual({ o: ["X"] });
    expect((await both(body("unique"), { n: 1, t: "é" })).kind).toBe("decision");
    // "1" upper and lower are both "1": both rows match.
    expect((await both(body("unique"), { n: 1, t: "1" })).kind).toBe("defect");
    expect(decisionOf(await both(body("collect"), { n: 1, t: "1" }))).toEqual({ o: ["X", "Y"] });
  });

  it("any, priority, ruleOrder, outputOrder and aggregates over the same matching rows", async () => {
    // The outputs come from facts (`= ra`; row 2's `= rb`, `= kb`): written as literals, the
    // checker would refuse the `any` rows that overlap with different outputs (table/overlap) and
    // texts summed (table/shape) before either side runs; read from facts, only the run time sees
    // them (and the reference interpreter).
    const body = (policy: string) => `facts:
  n: { type: integer, required: true }
  ra: { type: any }
  rb: { type: any }
  kb: { type: integer }
outputs:
  o: { type: any }
tables:
  - name: T
    hitPolicy: ${policy}
    outputValues: { r: [B, A] }
    onNoMatch: null
    inputs: [n]
    outputs: [r, k]
    rows:
      - ["> 0", "= ra", 1]
      - ["> 1", "= rb", "= kb"]
      - ["> 2", "= ra", 1]
rules:
  - name: r
    then: o = T
`;
    const facts = (n: number) => ({ n, ra: "A", rb: "B", kb: 2 });
    expect(decisionOf(await both(body("any"), facts(1)))).toEqual({ o: { r: "A", k: 1 } });
    expect((await both(body("any"), facts(2))).kind).toBe("defect");
    expect(decisionOf(await both(body("priority"), facts(3)))).toEqual({ o: { r: "B", k: 2 } });
    expect(decisionOf(await both(body("priority"), { n: 3, ra: "A", rb: "C", kb: 2 }))).toEqual({
      o: { r: "A", k: 1 },
    });
    expect(decisionOf(await both(body("ruleOrder"), facts(3)))).toEqual({
      o: [
        { r: "A", k: 1 },
        { r: "B", k: 2 },
        { r: "A", k: 1 },
      ],
    });
    expect(decisionOf(await both(body("outputOrder"), facts(3)))).toEqual({
      o: [
        { r: "B", k: 2 },
        { r: "A", k: 1 },
        { r: "A", k: 1 },
      ],
    });
    const agg = (a: string) => body("collect").replace("    outputValues: { r: [B, A] }\n", `    aggregate: ${a}\n`);
    expect(decisionOf(await both(agg("count"), facts(0)))).toEqual({ o: { r: 0, k: 0 } });
    expect(decisionOf(await both(agg("max"), facts(3)))).toEqual({ o: { r: "B", k: 2 } });
    expect((await both(agg("sum"), facts(1))).kind).toBe("defect");
    expect(decisionOf(await both(agg("sum"), { n: 3, ra: 10, rb: 5, kb: 2 }))).toEqual({ o: { r: 25, k: 4 } });
  });

  it("onNoMatch outputs are evaluated when the table is read (a rule's assignment before that read is seen)", async () => {
    const body = `facts:
  n: { type: integer, required: true }
outputs:
  x: { type: string }
  o: { type: any }
tables:
  - name: T
    hitPolicy: first
    onNoMatch: { r: "= decision.x" }
    inputs: [n]
    outputs: [r]
    rows:
      - ["> 0", linha]
rules:
  - name: antes
    priority: 1
    then: x = "escrito antes"
  - name: lê
    then: o = T.r
`;
    expect(decisionOf(await both(body, { n: 0 }))).toEqual({ x: "escrito antes", o: "escrito antes" });
    expect(decisionOf(await both(body, { n: 1 }))).toEqual({ x: "escrito antes", o: "linha" });
  });

  it("an output left null though nullable: false, and a broken invariant, are defects", async () => {
    const body = `facts:
  n: { type: integer }
  t: { type: string }
outputs:
  o: { type: string, nullable: false, default: "ok" }
rules:
  - name: copia t
    when: n == 0
    then: o = t
invariants:
  - name: n não é 13
    check: n is null or n != 13
`;
    expect(decisionOf(await both(body, {}))).toEqual({ o: "ok" });
    expect(decisionOf(await both(body, { n: 0, t: "x" }))).toEqual({ o: "x" });
    expect((await both(body, { n: 0 })).kind).toBe("defect");
    expect((await both(body, { n: 13 })).kind).toBe("defect");
  });

  it("facts refused: unknown fact, unsafe integer, repeated uniqueBy key, null where not nullable", async () => {
    const body = `facts:
  n: { type: integer }
  itens:
    type: list
    uniqueBy: id
    items: { type: object, fields: { id: string } }
  s: { type: string, nullable: false }
outputs:
  o: { type: integer }
rules:
  - name: r
    then: o = count(itens)
`;
    expect(decisionOf(await both(body, { itens: [{ id: "1" }, { id: " 2" }, {}] }))).toEqual({ o: 3 });
    for (const facts of [
      { nn: 1 },
      { n: 9007199254740992 },
      { itens: [{ id: "1" }, { id: " 1 " }] },
      { s: null },
      { n: 1.5 },
    ])
      expect((await both(body, facts)).kind, JSON.stringify(facts)).toBe("refused");
  });
});
