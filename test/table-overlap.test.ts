/**
 * The overlap check of `unique` tables (dsl/check/tables.ts) finds candidate pairs through a hash
 * on one column instead of testing every pair: on random small tables it must find exactly the
 * pairs, in the same order, that the straightforward all-pairs test finds; and `diagnose` reports
 * them as before (one table/overlap per pair, at the later row).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { overlappingRowPairs, type OverlapCell } from "../dsl/check/tables.js";
import { diagnose } from "../dsl/compile/pipeline.js";

/** The straightforward version: every pair i < j, in order. */
function allPairs(sets: readonly (readonly OverlapCell[])[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      const a = sets[i] as readonly OverlapCell[];
      const b = sets[j] as readonly OverlapCell[];
      const overlap = a.every((ca, k) => {
        const cb = b[k];
        if (ca === undefined || cb === undefined) return false;
        if (ca === "any" || cb === "any") return true;
        return ca.some((x) => cb.some((y) => x === y));
      });
      if (overlap) pairs.push([i, j]);
    }
  }
  return pairs;
}

const value = fc.constantFrom<string | number | boolean | null>("a", "b", "c", 1, 2, 0, -0, "1", true, false, null);
const cell: fc.Arbitrary<OverlapCell> = fc.oneof(
  { weight: 2, arbitrary: fc.constant("any" as const) },
  { weight: 6, arbitrary: fc.array(value, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const table = fc
  .integer({ min: 0, max: 4 })
  .chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 14 }));

describe("unique tables: overlapping rows", () => {
  it("finds the same pairs, in the same order, as testing every pair", () => {
    fc.assert(
      fc.property(table, (sets) => {
        expect(overlappingRowPairs(sets)).toEqual(allPairs(sets));
      }),
      { numRuns: 3000 },
    );
  });

  it("reports each pair through diagnose as before", () => {
    const literal = fc.constantFrom("A", "B", "C", "-", "1", '"[0..5]"', "null");
    const rows = fc.array(fc.tuple(literal, literal), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(rows, (rs) => {
        const source = [
          "ruleset: t",
          "facts:",
          "  a: { type: string, nullable: true }",
          "  b: { type: string, nullable: true }",
          "outputs:",
          "  out: { type: string, nullable: true }",
          "tables:",
          "  - name: t",
          "    hitPolicy: unique",
          "    inputs: [a, b]",
          "    outputs: [out]",
          "    rows:",
          ...rs.map(([x, y], i) => `      - [${x === "-" ? '"-"' : x}, ${y === "-" ? '"-"' : y}, R${i}]`),
          "rules:",
          "  - name: r",
          "    then: out = t.out",
          "",
        ].join("\n");
        const cellOf = (x: string): OverlapCell =>
          x === "-" ? "any" : x === "null" ? [null] : x.startsWith('"') ? undefined : [x];
        const expected = allPairs(rs.map(([x, y]) => [cellOf(x), cellOf(y)])).map(
          ([i, j]) =>
            `as linhas ${i + 1} e ${j + 1} da tabela "t" (política unique) valem para as mesmas entradas: use hitPolicy first ou torne-as exclusivas`,
        );
        const found = diagnose(source)
          .diagnostics.filter((d) => d.code === "table/overlap")
          .map((d) => d.message);
        expect(found.sort()).toEqual(expected.sort());
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
