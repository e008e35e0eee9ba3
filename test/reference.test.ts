/**
 * Differential testing in CI (the short slice of `npm run verify`: 500 fact sets per shipped rule
 * set, 160 random rule sets × 10 fact sets): the engine, as the service runs it, and the reference
 * interpreter (tester/reference/, over the rule-set model) must agree on generated facts for
 * every shipped rule set and for random small rule sets: the same decision (after a JSON round
 * trip) with the same fired rules in the same order, or both refusing the facts, or both finding a
 * rule-set defect. Fixed seeds: a failure reproduces. The figures are
 * checked for non-vacuity (decisions taken, rules fired, table rows hit, refusals and defects
 * compared too), and a deliberately broken reference must be caught (the test can fail).
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { readRuleSet, ruleSetNames } from "./helpers/rulesets.js";
import { coverableRefs, emptyFigures, emptyRandomFigures, verifyRandom, verifyRuleSet } from "./verify/run.js";

const SEED = 20261101;

/** Readable failure: the shrunk facts and both sides. */
function explain(d: { facts: unknown; comparison: unknown } | undefined): string {
  return d ? JSON.stringify({ facts: d.facts, comparison: d.comparison }, null, 1).slice(0, 4000) : "";
}

describe("reference interpreter vs engine (differential)", () => {
  const shipped = ruleSetNames().filter((n) => !n.endsWith(".test"));
  for (const [i, name] of shipped.entries()) {
    it(`${name}: 500 generated fact sets, identical outcomes`, async () => {
      const r = compileSource(readRuleSet(name));
      if (!r.ok || !r.model || !r.compiled) throw new Error(`${name} does not compile`);
      const figures = emptyFigures();
      const d = await verifyRuleSet(r.model, r.compiled, { runs: 500, seed: SEED + i, figures });
      expect(d, explain(d)).toBeUndefined();
      expect(figures.agreements).toBe(500);
      // Non-vacuity: most fact sets are decided, some are refused, and what the rule set has fires.
      expect(figures.decided).toBeGreaterThan(350);
      expect(figures.refused).toBeGreaterThan(10);
      expect(figures.firings).toBeGreaterThan(350);
      const refs = coverableRefs(r.compiled);
      const covered = refs.filter((ref) => figures.firedRefs.has(ref)).length;
      expect(covered / refs.length).toBeGreaterThanOrEqual(0.75);
    }, 60_000);
  }

  it("300 random rule sets × 10 fact sets: identical outcomes, and substantial", async () => {
    const figures = emptyRandomFigures();
    const d = await verifyRandom({ sets: 300, factsPerSet: 10, seed: SEED, figures });
    console.log(`random: ${JSON.stringify({ ...figures, firedRefs: figures.firedRefs.size })}`);
    expect(d, d ? `${d.source}\n${explain(d)}` : "").toBeUndefined();
    expect(figures.checked).toBeGreaterThan(60);
    expect(figures.agreements).toBe(figures.factSets);
    expect(figures.factSets).toBe(figures.checked * 10);
    expect(figures.decided).toBeGreaterThan(figures.factSets / 3);
    expect(figures.refused).toBeGreaterThan(20);
    expect(figures.defects).toBeGreaterThan(20);
    expect(figures.ruleFirings).toBeGreaterThan(400);
    expect(figures.rowHits).toBeGreaterThan(250);
    expect(figures.firedRefs.size / figures.refsTotal).toBeGreaterThan(0.3);
  }, 60_000);
});

describe("the differential test can fail (a broken reference is caught)", () => {
  for (const flaw of ["reverse-priority", "ignore-stop", "first-row-last"] as const) {
    it(`reference with the flaw "${flaw}" disagrees with the engine`, async () => {
      const d = await verifyRandom({
        sets: 200,
        factsPerSet: 10,
        seed: SEED,
        figures: emptyRandomFigures(),
        reference: { flaw },
      });
      expect(d).toBeDefined();
      expect(d?.comparison.agree).toBe(false);
    }, 60_000);
  }
});
