/**
 * The CI slice of the fuzzers (`npm run fuzz` runs 10^6 inputs; see docs/reliability.md): a few
 * thousand inputs over every target (parser, yaml, checker, compiler, runtime), in this process,
 * from a printed seed (FUZZ_SEED to replay one). Asserts zero crashes, zero compiled rule sets that
 * cannot run, zero hangs (an input over 1 s is re-run alone twice before it counts) — an unhandled
 * rejection fails the vitest run by itself — and that every target produced both accepted and
 * refused inputs (a generator that only makes garbage tests nothing).
 *
 * Then the findings: every case under test/fuzz/corpus/ (JSON: target, input, the outcome wanted)
 * is replayed through its target, and the fixes get behaviour tests of their own.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { loadYaml } from "../dsl/yaml/load.js";
import { YAML_OPTIONS } from "../dsl/yaml/options.js";
import { locateDiagnostics } from "../dsl/positions.js";
import { confirmSlow, type Finding, runChunk, runOne } from "./fuzz/runner.js";
import { type OutcomeKind, TARGET_NAMES, TARGETS, type TargetName } from "./fuzz/targets.js";

vi.setConfig({ testTimeout: 120_000 });

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Inputs per target in the slice (2,330 in all; the expensive targets get fewer). */
const SLICE: Record<TargetName, number> = { parser: 2000, yaml: 50, checker: 40, compiler: 40, runtime: 200 };

function show(findings: readonly Finding[]): string {
  return findings
    .map((f) => `${f.target} ${f.kind} (seed ${f.seed}): ${f.detail}\n${f.repro.slice(0, 2000)}`)
    .join("\n\n");
}

describe(`fuzz slice (seed ${SEED}; FUZZ_SEED=${SEED} replays it)`, () => {
  console.log(`fuzz slice: seed ${SEED}`);
  for (const name of TARGET_NAMES) {
    it(`${name}: ${SLICE[name]} inputs, no crash, no unrunnable compile, no hang`, async () => {
      const r = await runChunk(name, SEED, SLICE[name]);
      const hangs: Finding[] = [];
      for (const s of r.slow) {
        const f = await confirmSlow(s);
        if (f) hangs.push(f);
      }
      console.log(`fuzz slice ${name}: ${JSON.stringify(r.counts)}`);
      expect(r.findings, show(r.findings)).toEqual([]);
      expect(hangs, show(hangs)).toEqual([]);
      expect(r.ran).toBe(SLICE[name]);
      expect(r.counts.crash + r.counts.unrunnable).toBe(0);
      // Both sides of the grammar are reached: some inputs accepted, some refused.
      expect(r.counts.ok + r.counts.defect).toBeGreaterThan(0);
      expect(r.counts.diagnostic).toBeGreaterThan(0);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Findings

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), "fuzz", "corpus");

interface CorpusCase {
  readonly name: string;
  /** How it was found and what was fixed. */
  readonly finding: string;
  readonly target: TargetName;
  readonly input: unknown;
  readonly want: OutcomeKind;
}

const cases = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(CORPUS, f), "utf8")) as CorpusCase) }));

describe("fuzz findings (test/fuzz/corpus)", () => {
  it("the corpus is not empty and every case names a known target and outcome", () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      expect(TARGET_NAMES, c.file).toContain(c.target);
      expect(["ok", "diagnostic", "defect"], c.file).toContain(c.want);
      expect(c.finding.length, c.file).toBeGreaterThan(0);
    }
  });

  for (const c of cases) {
    it(`${c.file}: ${c.name}`, async () => {
      const { outcome } = await runOne(TARGETS[c.target], c.input);
      expect(outcome, outcome.detail).toEqual({ kind: c.want });
    });
  }

  it("yaml's own duplicate-key check (quadratic) is off; ours reports duplicates among 10,000 keys, once, at the second key", () => {
    expect(YAML_OPTIONS.uniqueKeys).toBe(false);
    const keys = Array.from({ length: 10_000 }, (_, i) => `  k${i}: 1\n`);
    keys.push("  k7: 2\n", "  k1\u0301: 3\n", "  k1\u0301: 4\n");
    const text = `a:\n${keys.join("")}`;
    const r = loadYaml(text);
    expect(r.value).toBeDefined();
    expect(locateDiagnostics(text, r.diagnostics).map((d) => `${d.code}@${d.line}:${d.column}`)).toEqual([
      "yaml/duplicate-key@10002:3",
      "yaml/duplicate-key@10004:3",
    ]);
  });
});
