/**
 * The overlap check of `unique` tables (dsl/check/table-analysis.ts) splits the rows column by
 * column instead of testing every pair: on random small tables of literal cells `diagnose` must
 * report exactly the pairs, in the same order, that the straightforward all-pairs test finds (one
 * table/overlap per pair, at the later row).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diagnose } from "../dsl/compile/pipeline.js";

/** A row's input cells for the brute-force oracle: literal values, any (`-`), or undefined (matches nothing). */
type OverlapCell = readonly (string | null)[] | "any" | undefined;

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

describe("unique tables: overlapping rows", () => {
  it("reports each pair of literal rows through diagnose, as testing every pair does", () => {
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
        // A number (1) or a range on a text column never matches a text: that row overlaps nothing.
        const cellOf = (x: string): OverlapCell =>
          x === "-" ? "any" : x === "null" ? [null] : x.startsWith('"') || x === "1" ? undefined : [x];
        const expected = allPairs(rs.map(([x, y]) => [cellOf(x), cellOf(y)])).map(([i, j]) => `${i + 1} e ${j + 1}`);
        const found = diagnose(source)
          .diagnostics.filter((d) => d.code === "table/overlap")
          .map(
            (d) =>
              /as linhas (\d+ e \d+) da tabela "t" \(política unique\) se aplicam às mesmas entradas/.exec(
                d.message,
              )?.[1],
          );
        expect(found.sort()).toEqual(expected.sort());
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
