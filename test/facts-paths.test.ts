/**
 * The fact boundary (engine/facts.ts) builds JSON pointers only when it reports an issue: these
 * properties check that the pointers are still exactly the ones of the straightforward walk (a
 * copy of it is the reference here): the first place too deep, in the same order, and the
 * boundary issues (infinite numbers, unsafe integers) with `~` and `/` escaped.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecisionError } from "../engine/errors.js";
import { createFactValidator, MAX_FACT_DEPTH } from "../engine/facts.js";
import { compileOk } from "./helpers/rulesets.js";

const SOURCE = `ruleset: caminhos
facts:
  qualquer: any
  livre: { type: object, values: { type: any } }
  itens: { type: list, items: { type: object, fields: { valor: number, qtd: integer } } }
outputs:
  visto: { type: boolean, default: false }
rules:
  - name: viu
    when: qualquer is not null
    then: visto = true
`;
const validate = createFactValidator(compileOk(SOURCE));

function escapeKey(k: string): string {
  return k.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The walk engine/facts.ts used before (a stack of pending children), kept as the reference. */
function referenceTooDeep(root: unknown): string | undefined {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: root, depth: 0, path: "" }];
  while (stack.length) {
    const { v, depth, path } = stack.pop() as { v: unknown; depth: number; path: string };
    if (typeof v !== "object" || v === null) continue;
    if (depth > MAX_FACT_DEPTH) return path;
    for (const k of Object.keys(v))
      stack.push({ v: (v as Record<string, unknown>)[k], depth: depth + 1, path: `${path}/${escapeKey(k)}` });
  }
  return undefined;
}

function rejection(facts: unknown): DecisionError | undefined {
  try {
    validate(facts);
    return undefined;
  } catch (e) {
    if (e instanceof DecisionError) return e;
    throw e;
  }
}

const keyArb = fc.constantFrom("a", "b", "x/y", "t~1", "~", "/", "0", "__proto__");

/** Trees of objects and lists, some branches deeper than the limit. */
function treeArb(depth: number): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(fc.integer(), fc.constant(null), fc.string({ maxLength: 2 }));
  if (depth === 0) return leaf;
  const child = treeArb(depth - 1);
  return fc.oneof(
    { weight: 1, arbitrary: leaf },
    {
      weight: 3,
      arbitrary: fc.array(fc.tuple(keyArb, child), { maxLength: 3 }).map((entries) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true });
        return o;
      }),
    },
    { weight: 1, arbitrary: fc.array(child, { maxLength: 2 }) },
  );
}

/** A chain `depth` levels deep through the given keys, then a tree. */
const deepArb = fc
  .tuple(fc.array(keyArb, { minLength: MAX_FACT_DEPTH - 4, maxLength: MAX_FACT_DEPTH + 4 }), treeArb(6))
  .map(([keys, tail]) => keys.reduceRight<unknown>((inner, k) => ({ [k]: inner, z: [inner] }), tail));

describe("JSON pointers of the fact boundary", () => {
  it("the place too deep is the one the stack-based walk finds first", () => {
    fc.assert(
      fc.property(deepArb, deepArb, (a, b) => {
        const facts = { qualquer: a, livre: { p: b } };
        const want = referenceTooDeep(facts);
        const e = rejection(facts);
        if (want === undefined) {
          expect(e?.message ?? "").not.toMatch(/aninhados demais/);
        } else {
          expect(e?.message).toMatch(/aninhados demais/);
          expect(e?.details).toEqual([{ path: want, message: `aninhamento acima de ${MAX_FACT_DEPTH} níveis` }]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("boundary issues name their place with ~ and / escaped", () => {
    const badArb = fc.constantFrom(Number.POSITIVE_INFINITY, Number.NaN, 2 ** 60, 1.5, 7);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(keyArb, badArb), { maxLength: 4 }),
        fc.array(fc.tuple(badArb, badArb), { maxLength: 4 }),
        (free, items) => {
          const livre: Record<string, unknown> = {};
          for (const [k, v] of free) Object.defineProperty(livre, k, { value: v, enumerable: true, writable: true });
          const facts = { livre, itens: items.map(([valor, qtd]) => ({ valor, qtd })) };
          const expected = new Set<string>();
          for (const k of Object.keys(livre)) if (!Number.isFinite(livre[k])) expected.add(`/livre/${escapeKey(k)}`);
          items.forEach(([valor, qtd], i) => {
            if (!Number.isFinite(valor)) expected.add(`/itens/${i}/valor`);
            if (!Number.isFinite(qtd) || (Number.isInteger(qtd) && !Number.isSafeInteger(qtd)))
              expected.add(`/itens/${i}/qtd`);
          });
          const e = rejection(facts);
          const boundary = (e?.details ?? []).filter((d) =>
            /intervalo representável|inteiro grande demais/.test(d.message),
          );
          expect(new Set(boundary.map((d) => d.path))).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
