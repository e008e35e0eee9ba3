/**
 * The fuzz targets: what each one feeds (its fast-check arbitrary), what it calls, and how an
 * outcome is classed. Outcome classes:
 *
 * - `ok`: accepted (a value, a compiled rule set, a decision);
 * - `diagnostic`: refused the expected way (diagnostics with a code, `INVALID_FACTS`);
 * - `defect`: a random rule set that compiles and then breaks its own invariant / unique table /
 *   output type while deciding (`RULESET_DEFECT`, the contract's 500 for a rule-set defect);
 *   expected for generated rule sets, counted so that the figure is visible;
 * - `crash`: a throw where a result was due, an `internal/error` diagnostic (the pipeline's guard
 *   turning a throw into a diagnostic is still a crash for us), a diagnostic range outside the
 *   source, or a parse with neither value nor diagnostic;
 * - `unrunnable`: compileSource said ok, but building the runtime, preparing an engine or deciding
 *   facts throws anything other than a DecisionError.
 *
 * Hangs (an input over 1 s, confirmed alone) and unhandled rejections are counted by the runner.
 * Inputs are plain JSON values, so a finding can be saved, re-read and replayed.
 */
import fc from "fast-check";
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import { compileSource } from "../../dsl/compile/pipeline.js";
import type { Diagnostic } from "../../dsl/diagnostics.js";
import { checkRuleSet } from "../../dsl/check/check-ruleset.js";
import { loadRuleSet } from "../../dsl/ruleset/load.js";
import type { RuleSetModel } from "../../dsl/ruleset/model.js";
import { parseUncached } from "../../dsl/syntax/parse.js";
import { loadYaml } from "../../dsl/yaml/load.js";
import { isDecisionError } from "../../engine/errors.js";
import { createRuntime, type Runtime } from "../../engine/runtime.js";
import { factsArb } from "../verify/facts.js";
import {
  exprArb,
  exprRuleSetArb,
  hostileFactsArb,
  type MutatedShipped,
  mutatedShippedArb,
  mutatedSource,
  ruleSetYamlArb,
  SHIPPED,
  yamlDocArb,
} from "./generators.js";

export type OutcomeKind = "ok" | "diagnostic" | "defect" | "crash" | "unrunnable";
export const OUTCOME_KINDS: readonly OutcomeKind[] = ["ok", "diagnostic", "defect", "crash", "unrunnable"];

export interface Outcome {
  readonly kind: OutcomeKind;
  /** For crash / unrunnable: what went wrong (message and first stack frames). */
  readonly detail?: string;
}

export interface Target<I = unknown> {
  readonly name: TargetName;
  /** What the target is for (printed with the split). */
  readonly what: string;
  /** Share of the inputs (weights sum to 1; chosen by cost: cheap targets get more). */
  readonly share: number;
  /** Inputs per chunk in `npm run fuzz` (a chunk takes a few seconds). */
  readonly chunk: number;
  readonly arb: fc.Arbitrary<I>;
  run(input: I): Outcome | Promise<Outcome>;
  /** The text to look at for a finding (a source, an expression, facts as JSON). */
  repro(input: I): string;
}

export type TargetName = "parser" | "yaml" | "checker" | "compiler" | "runtime";
export const TARGET_NAMES: readonly TargetName[] = ["parser", "yaml", "checker", "compiler", "runtime"];

function describeError(e: unknown): string {
  if (e instanceof Error) {
    const frames = (e.stack ?? "").split("\n").slice(1, 6).join("\n");
    return `${e.name}: ${e.message}\n${frames}`;
  }
  return String(e);
}

/** `internal/error` diagnostics (but the "more problems not shown" summary) and ranges outside the text. */
function diagnosticProblem(diagnostics: readonly Diagnostic[], length: number): string | undefined {
  for (const d of diagnostics) {
    if (d.code === "internal/error" && !/problemas não mostrados$/.test(d.message))
      return `internal/error: ${d.message}`;
    const { start, end } = d.range;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= length))
      return `diagnostic ${d.code} with range ${start}..${end} outside 0..${length}: ${d.message}`;
  }
  return undefined;
}

function classify(diagnostics: readonly Diagnostic[], length: number, ok: boolean): Outcome {
  const problem = diagnosticProblem(diagnostics, length);
  if (problem) return { kind: "crash", detail: problem };
  return { kind: ok ? "ok" : "diagnostic" };
}

function guarded<I>(f: (input: I) => Outcome): (input: I) => Outcome {
  return (input) => {
    try {
      return f(input);
    } catch (e) {
      return { kind: "crash", detail: describeError(e) };
    }
  };
}

// ---------------------------------------------------------------------------------------------
// parser

export interface ParserInput {
  readonly rule: "expression" | "action" | "unaryTests";
  readonly text: string;
}

const parserTarget: Target<ParserInput> = {
  name: "parser",
  what: "DSL parser (expressions, actions, table cells): grammar-aware + token mutations",
  share: 0.972,
  chunk: 5000,
  arb: fc.record({
    rule: fc.constantFrom("expression" as const, "expression" as const, "action" as const, "unaryTests" as const),
    text: exprArb,
  }),
  run: guarded(({ rule, text }) => {
    // Uncached: every input reaches the lexer and the parser (the cache is tested on its own).
    const r = parseUncached(rule, { text });
    if (r.value === undefined && r.diagnostics.length === 0)
      return { kind: "crash", detail: "no value and no diagnostic" };
    return classify(r.diagnostics, text.length, r.diagnostics.length === 0 && r.value !== undefined);
  }),
  repro: (i) => `${i.rule}: ${i.text}`,
};

// ---------------------------------------------------------------------------------------------
// Rule-set sources (yaml, checker, compiler)

/** A rule-set source: generated around expressions, a random rule set, or a mutated shipped one. */
export type SourceInput =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "mutated"; readonly shipped: MutatedShipped };

export function sourceOf(input: SourceInput): string {
  return input.kind === "text" ? input.text : mutatedSource(input.shipped);
}

const text = (a: fc.Arbitrary<string>): fc.Arbitrary<SourceInput> => a.map((t) => ({ kind: "text" as const, text: t }));
const mutated: fc.Arbitrary<SourceInput> = mutatedShippedArb.map((m) => ({ kind: "mutated" as const, shipped: m }));

const yamlTarget: Target<SourceInput> = {
  name: "yaml",
  what: "YAML loader: mutated shipped rule sets, small hostile documents (aliases, tags, 1.1, depth)",
  share: 0.006,
  chunk: 100,
  arb: fc.oneof({ weight: 1, arbitrary: mutated }, { weight: 2, arbitrary: text(yamlDocArb) }),
  run: guarded((input) => {
    const source = sourceOf(input);
    const r = loadYaml(source);
    return classify(r.diagnostics, source.length, r.value !== undefined && r.diagnostics.length === 0);
  }),
  repro: sourceOf,
};

const checkerTarget: Target<SourceInput> = {
  name: "checker",
  what: "checker (load + check): rule sets around expressions, random rule sets, mutated shipped ones",
  share: 0.005,
  chunk: 60,
  arb: fc.oneof(
    { weight: 3, arbitrary: text(exprRuleSetArb) },
    { weight: 2, arbitrary: text(ruleSetYamlArb) },
    { weight: 1, arbitrary: mutated },
  ),
  run: guarded((input) => {
    const source = sourceOf(input);
    const loaded = loadRuleSet(source);
    const problem = diagnosticProblem(loaded.diagnostics, source.length);
    if (problem) return { kind: "crash", detail: problem };
    if (!loaded.model) return { kind: "diagnostic" };
    // Unguarded on purpose: the pipeline turns a throw of the checker into a diagnostic.
    const checked = checkRuleSet(loaded.model);
    const all = [...loaded.diagnostics, ...checked.diagnostics];
    return classify(all, source.length, !all.some((d) => d.severity === "error"));
  }),
  repro: sourceOf,
};

export interface CompilerInput {
  readonly source: SourceInput;
  /** Seed of the facts decided once the source compiles. */
  readonly factsSeed: number;
}

/** Facts for a model, deterministic for the seed (mostly valid, some hostile: see factsArb). */
function sampleFacts(model: RuleSetModel, seed: number, n: number): Record<string, unknown>[] {
  return fc.sample(factsArb(model), { seed, numRuns: n });
}

/** Decides each fact set: `defect` if any broke the rule set, else `ok` if any was decided, else `diagnostic` (all refused). */
async function decideAll(runtime: Runtime, facts: readonly unknown[], explain: boolean): Promise<Outcome> {
  let defect = false;
  let decided = false;
  for (const f of facts) {
    try {
      await runtime.decide(f, { explain });
      decided = true;
    } catch (e) {
      if (!isDecisionError(e)) return { kind: "unrunnable", detail: `decide: ${describeError(e)}` };
      if (e.code === "RULESET_DEFECT") defect = true;
    }
  }
  return { kind: defect ? "defect" : decided ? "ok" : "diagnostic" };
}

const compilerTarget: Target<CompilerInput> = {
  name: "compiler",
  what: "compileSource, then the runtime built and 3 fact sets decided (compiled but cannot run)",
  share: 0.005,
  chunk: 50,
  arb: fc.record({
    source: fc.oneof(
      { weight: 4, arbitrary: text(exprRuleSetArb) },
      { weight: 3, arbitrary: text(ruleSetYamlArb) },
      { weight: 1, arbitrary: mutated },
    ),
    factsSeed: fc.integer(),
  }),
  async run({ source: input, factsSeed }) {
    const source = sourceOf(input);
    let compiled: CompiledRuleSet | undefined;
    let model: RuleSetModel | undefined;
    try {
      const r = compileSource(source);
      const c = classify(r.diagnostics, source.length, r.ok);
      if (c.kind === "crash" || !r.ok) return c;
      compiled = r.compiled;
      model = r.model;
    } catch (e) {
      return { kind: "crash", detail: `compileSource: ${describeError(e)}` };
    }
    if (!compiled || !model) return { kind: "crash", detail: "ok without a compiled rule set" };
    let runtime: Runtime;
    try {
      runtime = createRuntime(compiled);
      runtime.prepare();
    } catch (e) {
      return { kind: "unrunnable", detail: `createRuntime: ${describeError(e)}` };
    }
    let facts: unknown[];
    try {
      facts = sampleFacts(model, factsSeed, 3);
    } catch {
      facts = [{}];
    }
    return decideAll(runtime, facts, (factsSeed & 1) === 1);
  },
  repro: (i) => sourceOf(i.source),
};

// ---------------------------------------------------------------------------------------------
// runtime

interface Pooled {
  readonly label: string;
  readonly model: RuleSetModel;
  readonly runtime: Runtime;
}

let pool: Pooled[] | undefined;

/** Random rule sets (this many are sampled; those that compile join the shipped ones). */
const RANDOM_POOL_SAMPLE = 24;

/** The shipped rule sets and some random ones, compiled once per thread. */
export function runtimePool(): Pooled[] {
  if (pool) return pool;
  const out: Pooled[] = [];
  for (const s of SHIPPED) {
    const r = compileSource(s.source);
    if (!r.ok || !r.compiled || !r.model) throw new Error(`shipped rule set ${s.name} does not compile`);
    out.push({ label: s.name, model: r.model, runtime: createRuntime(r.compiled) });
  }
  const sources = fc.sample(ruleSetYamlArb, { seed: 12, numRuns: RANDOM_POOL_SAMPLE });
  for (const [i, source] of sources.entries()) {
    const r = compileSource(source);
    if (r.ok && r.compiled && r.model)
      out.push({ label: `aleatorio-${i}`, model: r.model, runtime: createRuntime(r.compiled) });
  }
  pool = out;
  return out;
}

export interface RuntimeInput {
  /** Index into runtimePool() (modulo its size). */
  readonly set: number;
  readonly facts: unknown;
  readonly explain: boolean;
}

const runtimeInputArb: fc.Arbitrary<RuntimeInput> = fc
  .tuple(fc.nat(), fc.boolean(), fc.nat(7))
  .chain(([set, explain, roll]) => {
    const p = runtimePool();
    const entry = p[set % p.length] as Pooled;
    const facts = roll === 0 ? hostileFactsArb : factsArb(entry.model);
    return facts.map((f) => ({ set, facts: f, explain: explain && roll % 2 === 0 }));
  });

const runtimeTarget: Target<RuntimeInput> = {
  name: "runtime",
  what: "decide: generated facts (valid, near misses, hostile JSON) on the shipped and random compiled rule sets",
  share: 0.012,
  chunk: 500,
  arb: runtimeInputArb,
  async run({ set, facts, explain }) {
    const p = runtimePool();
    const entry = p[set % p.length] as Pooled;
    try {
      return await decideAll(entry.runtime, [facts], explain);
    } catch (e) {
      return { kind: "crash", detail: describeError(e) };
    }
  },
  repro: (i) => {
    const p = runtimePool();
    return `${(p[i.set % p.length] as Pooled).label}\n${JSON.stringify(i.facts)}`;
  },
};

export const TARGETS: Readonly<Record<TargetName, Target>> = {
  parser: parserTarget as Target,
  yaml: yamlTarget as Target,
  checker: checkerTarget as Target,
  compiler: compilerTarget as Target,
  runtime: runtimeTarget as Target,
};
