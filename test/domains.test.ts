/**
 * Unit tests of dsl/check/domains.ts: domains from the schema and from types, set algebra over
 * discrete and ordered domains, what comparisons and table cells admit, partitions into atoms and
 * examples written as the YAML writes them.
 */
import { describe, expect, it } from "vitest";
import {
  atomIndexes,
  comparisonSet,
  complement,
  constantEvaluator,
  contains,
  type Domain,
  domainOfExpr,
  domainOfFact,
  domainOfType,
  EMPTY,
  exampleOf,
  fullSet,
  intersect,
  isEmpty,
  partition,
  subsetOf,
  testSet,
  union,
  type ValueSet,
} from "../dsl/check/domains.js";
import { loadRuleSet } from "../dsl/ruleset/load.js";
import type { RuleSetModel } from "../dsl/ruleset/model.js";
import type { UnaryTest } from "../dsl/syntax/ast.js";
import { parseUnaryTests } from "../dsl/syntax/parse.js";
import { T } from "../dsl/types.js";
import { DateValue } from "../dsl/values.js";

const SOURCE = `
ruleset: dominios
description: Domínios para a análise.
facts:
  tipoCliente: { type: string, enum: [Beneficiário, Credenciado], required: true }
  servico: { type: string, required: true }
  idade: { type: integer, minimum: 0, maximum: 130 }
  valor: { type: number, required: true }
  urgente: { type: boolean, default: false }
  nascimento: { type: date, required: true }
  reembolso:
    type: object
    fields:
      modalidade: { type: string, enum: [Deslocamento, Outros], required: true }
constants:
  MAIORIDADE: { value: 18 }
  LIMITE: { value: "= MAIORIDADE + 2" }
outputs:
  r: { type: string, nullable: true }
`;

function model(): RuleSetModel {
  const m = loadRuleSet(SOURCE).model;
  if (!m) throw new Error("fixture did not load");
  return m;
}

function cell(text: string): UnaryTest {
  const r = parseUnaryTests({ text });
  if (!r.value) throw new Error(`bad cell ${text}`);
  return r.value;
}

const integer: Domain = { kind: "integer", nullable: false, zone: "America/Sao_Paulo" };
const text: Domain = { kind: "text", nullable: true, zone: "America/Sao_Paulo" };
const lt = (d: Domain, v: number): ValueSet => comparisonSet(d, "<", v) as ValueSet;
const gt = (d: Domain, v: number): ValueSet => comparisonSet(d, ">", v) as ValueSet;

describe("domains from the schema", () => {
  it("reads enums, open texts, bounds, nullability and nested fields", () => {
    const m = model();
    expect(domainOfFact(m, ["tipoCliente"])).toMatchObject({
      kind: "enum",
      values: ["Beneficiário", "Credenciado"],
      nullable: false,
    });
    expect(domainOfFact(m, ["servico"])).toMatchObject({ kind: "text", nullable: false });
    expect(domainOfFact(m, ["idade"])).toMatchObject({ kind: "integer", min: 0, max: 130, nullable: true });
    // A default fills the value: never absent.
    expect(domainOfFact(m, ["urgente"])).toMatchObject({ kind: "boolean", nullable: false });
    // The object is optional, so its required field may still be absent.
    expect(domainOfFact(m, ["reembolso", "modalidade"])).toMatchObject({ kind: "enum", nullable: true });
    expect(domainOfFact(m, ["reembolso"])).toBeUndefined();
    expect(domainOfFact(m, ["naoExiste"])).toBeUndefined();
  });

  it("falls back to the inferred type for computed expressions", () => {
    const m = model();
    const computed = {
      kind: "binary",
      operator: ">",
      left: { kind: "name", name: "valor" },
      right: { kind: "literal", literal: { type: "number", value: 1 } },
    } as never;
    expect(domainOfExpr(m, computed, T.boolean)).toMatchObject({ kind: "boolean", nullable: false });
    expect(domainOfType(T.list(T.string), false, "UTC")).toBeUndefined();
  });
});

describe("set algebra", () => {
  it("intervals over integers have step 1", () => {
    const below = lt(integer, 18);
    const above = gt(integer, 18);
    const both = union(integer, below, above);
    expect(isEmpty(integer, both)).toBe(false);
    const rest = complement(integer, both);
    expect(exampleOf(integer, rest)).toBe("18");
    expect(isEmpty(integer, intersect(integer, gt(integer, 17), lt(integer, 18)))).toBe(true);
    const real: Domain = { ...integer, kind: "number" };
    expect(isEmpty(real, intersect(real, gt(real, 17), lt(real, 18)))).toBe(false);
    expect(exampleOf(real, intersect(real, gt(real, 17), lt(real, 18)))).toBe("17.5");
  });

  it("honours schema bounds", () => {
    const bounded: Domain = { ...integer, min: 0, max: 130 };
    expect(subsetOf(bounded, fullSet(bounded), comparisonSet(bounded, ">=", 0) as ValueSet)).toBe(true);
    expect(subsetOf(integer, fullSet(integer), comparisonSet(integer, ">=", 0) as ValueSet)).toBe(false);
  });

  it("texts are finite or co-finite, null is its own value", () => {
    const a = comparisonSet(text, "==", "A") as ValueSet;
    const notA = comparisonSet(text, "!=", "A") as ValueSet;
    expect(notA.null).toBe(true); // null != "A"
    expect(isEmpty(text, intersect(text, a, notA))).toBe(true);
    expect(subsetOf(text, fullSet(text), union(text, a, notA))).toBe(true);
    expect(exampleOf(text, complement(text, a), new Set(["X"]))).toBe('outro valor (p.ex. "X2")');
    expect(exampleOf(text, { ...EMPTY, null: true })).toBe("ausente");
    expect(comparisonSet(text, "<", "B")).toBeUndefined();
    expect(comparisonSet(text, "<", null)).toEqual(EMPTY);
  });

  it("enums and booleans are exhausted by their values", () => {
    const e: Domain = { kind: "enum", values: ["A", "B"], nullable: false, zone: "UTC" };
    const ab = union(e, comparisonSet(e, "==", "A") as ValueSet, comparisonSet(e, "==", "B") as ValueSet);
    expect(subsetOf(e, fullSet(e), ab)).toBe(true);
    const b: Domain = { kind: "boolean", nullable: false, zone: "UTC" };
    expect(exampleOf(b, complement(b, comparisonSet(b, "==", true) as ValueSet))).toBe("false");
  });
});

describe("what cells admit", () => {
  const m = model();
  const constantOf = constantEvaluator(m);
  it("ranges, lists, not and constants", () => {
    const age = domainOfFact(m, ["idade"]) as Domain;
    const s = testSet(age, cell("[18..LIMITE)"), constantOf) as ValueSet;
    expect(contains(age, s, 18)).toBe(true);
    expect(contains(age, s, 19)).toBe(true);
    expect(contains(age, s, 20)).toBe(false);
    const n = testSet(age, cell("not(< MAIORIDADE)"), constantOf) as ValueSet;
    expect(contains(age, n, null)).toBe(true); // not(...) is true on an absent value
    expect(contains(age, n, 17)).toBe(false);
    const list = testSet(age, cell("1, 2, > 100"), constantOf) as ValueSet;
    expect([1, 2, 3, 101].map((p) => contains(age, list, p))).toEqual([true, true, false, true]);
  });

  it("a cell that reads a fact is unknown", () => {
    const age = domainOfFact(m, ["idade"]) as Domain;
    expect(testSet(age, cell("> valor"), constantOf)).toBeUndefined();
    expect(testSet(age, cell("> round(1, 0)"), constantOf)).toBeUndefined();
  });

  it("dates compare by day", () => {
    const d = domainOfFact(m, ["nascimento"]) as Domain;
    const s = testSet(d, cell("< 2024-03-01"), constantOf) as ValueSet;
    expect(contains(d, s, new DateValue(2024, 2, 29).epochDay())).toBe(true);
    expect(exampleOf(d, complement(d, s))).toBe("2024-03-01");
  });
});

describe("partitions", () => {
  it("split the line at every bound, null first", () => {
    const d: Domain = { ...integer, nullable: true };
    const sets = [lt(d, 18), comparisonSet(d, ">=", 18) as ValueSet, comparisonSet(d, "==", 30) as ValueSet];
    const atoms = partition(d, sets);
    expect(atoms.map((a) => a.example)).toEqual(["ausente", "17", "18", "30", "31"]);
    expect(atomIndexes(d, atoms, sets[1] as ValueSet)).toEqual([2, 3, 4]);
  });

  it("texts: the values mentioned, then any other", () => {
    const d: Domain = { ...text, nullable: false };
    const atoms = partition(d, [
      comparisonSet(d, "==", "Reembolso") as ValueSet,
      comparisonSet(d, "!=", "X") as ValueSet,
    ]);
    expect(atoms.map((a) => a.example)).toEqual(['"Reembolso"', '"X"', 'outro valor (p.ex. "X2")']);
  });
});
