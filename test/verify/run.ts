/**
 * The differential runs shared by `npm run verify` (scripts/verify.ts) and the CI test
 * (test/reference.test.ts): fact sets generated for one compiled rule set and decided by both the
 * engine and the reference interpreter (`compare.ts`), with the figures (agreements,
 * disagreements, refusals and defects, what fired) and, on a disagreement, fast-check's shrunk
 * counterexample.
 */
import fc from "fast-check";
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import { compileSource } from "../../dsl/compile/pipeline.js";
import type { RuleSetModel } from "../../dsl/ruleset/model.js";
import type { ReferenceOptions } from "../../tester/reference/interpreter.js";
import { type Comparison, compare } from "./compare.js";
import { factsArb } from "./facts.js";
import { ruleSetArb } from "./rulesets.js";

export interface Figures {
  factSets: number;
  agreements: number;
  disagreements: number;
  /** Fact sets both sides decided / refused / found a defect in. */
  decided: number;
  refused: number;
  defects: number;
  /** Rules, table rows, validations and transition checks that fired at least once. */
  readonly firedRefs: Set<string>;
  /** How many of those the rule sets have. */
  refsTotal: number;
  /** Firings over all fact sets (rules, rows, validations, transitions). */
  firings: number;
  ruleFirings: number;
  rowHits: number;
}

export function emptyFigures(): Figures {
  return {
    factSets: 0,
    agreements: 0,
    disagreements: 0,
    decided: 0,
    refused: 0,
    defects: 0,
    firedRefs: new Set(),
    refsTotal: 0,
    firings: 0,
    ruleFirings: 0,
    rowHits: 0,
  };
}

/** The refs of a compiled rule set that count for coverage (rules, rows, validations, transitions). */
export function coverableRefs(compiled: CompiledRuleSet): string[] {
  return compiled.rules.map((r) => r.event.params.ref).filter((ref) => /^(r|t|v|x):/.test(ref));
}

export interface Disagreement {
  readonly facts: unknown;
  /** The engine decided as for `explain: true`. */
  readonly explain?: boolean;
  readonly comparison: Comparison;
  readonly seed: number;
  readonly path?: string;
}

function tally(figures: Figures, c: Comparison, prefix: string): void {
  figures.factSets++;
  if (c.agree) figures.agreements++;
  else figures.disagreements++;
  const e = c.engine;
  if (e.kind === "decision") {
    figures.decided++;
    for (const ref of e.firedRefs) {
      figures.firedRefs.add(prefix + ref);
      figures.firings++;
      if (ref.startsWith("r:")) figures.ruleFirings++;
      if (ref.startsWith("t:")) figures.rowHits++;
    }
  } else if (e.kind === "refused") figures.refused++;
  else if (e.kind === "defect") figures.defects++;
}

/**
 * Decides `runs` generated fact sets with both sides; returns the first disagreement (facts shrunk
 * by fast-check) or undefined. Figures are added to `figures` (counted before shrinking stops).
 */
export async function verifyRuleSet(
  model: RuleSetModel,
  compiled: CompiledRuleSet,
  options: {
    runs: number;
    seed: number;
    figures: Figures;
    prefix?: string;
    reference?: ReferenceOptions;
    onProgress?: (done: number) => void;
  },
): Promise<Disagreement | undefined> {
  const { figures } = options;
  const prefix = options.prefix ?? "";
  let failing: Comparison | undefined;
  let done = 0;
  let shrinking = false;
  const result = await fc.check(
    fc.asyncProperty(factsArb(model), fc.nat(3), async (facts, roll) => {
      // One fact set in four is decided as for `explain: true` (the straightforward engine).
      const c = await compare(model, compiled, facts, { ...options.reference, explain: roll === 0 });
      if (!shrinking) {
        tally(figures, c, prefix);
        done++;
        if (options.onProgress && done % 25_000 === 0 && done < options.runs) options.onProgress(done);
      }
      if (!c.agree) {
        shrinking = true;
        failing = c;
      }
      return c.agree;
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: false },
  );
  if (!result.failed) return undefined;
  const facts = result.counterexample?.[0];
  const explain = result.counterexample?.[1] === 0;
  // The comparison of the shrunk facts (the last failing one fast-check tried may be a bigger one).
  const comparison =
    facts !== undefined ? await compare(model, compiled, facts, { ...options.reference, explain }) : failing;
  return {
    facts,
    explain,
    comparison: comparison as Comparison,
    seed: options.seed,
    ...(result.counterexamplePath ? { path: result.counterexamplePath } : {}),
  };
}

export interface RandomFigures extends Figures {
  /** Rule sets generated, and how many of them checked (the others are skipped). */
  generated: number;
  checked: number;
}

export interface RandomDisagreement extends Disagreement {
  readonly source: string;
}

/**
 * Generates `sets` random rule sets (seeded), keeps those that check without errors and verifies
 * each on `factsPerSet` fact sets; stops at the first disagreement.
 */
export async function verifyRandom(options: {
  sets: number;
  factsPerSet: number;
  seed: number;
  figures: RandomFigures;
  reference?: ReferenceOptions;
  onProgress?: (done: number) => void;
}): Promise<RandomDisagreement | undefined> {
  const sources = fc.sample(ruleSetArb, { numRuns: options.sets, seed: options.seed });
  for (const [i, source] of sources.entries()) {
    options.figures.generated++;
    if (options.onProgress && i > 0 && i % 250 === 0) options.onProgress(i);
    const r = compileSource(source);
    if (!r.ok || !r.model || !r.compiled) continue;
    options.figures.checked++;
    options.figures.refsTotal += coverableRefs(r.compiled).length;
    const d = await verifyRuleSet(r.model, r.compiled, {
      runs: options.factsPerSet,
      seed: options.seed + i,
      figures: options.figures,
      prefix: `${i}/`,
      ...(options.reference ? { reference: options.reference } : {}),
    });
    if (d) return { ...d, source };
  }
  return undefined;
}

export function emptyRandomFigures(): RandomFigures {
  return { ...emptyFigures(), generated: 0, checked: 0 };
}
