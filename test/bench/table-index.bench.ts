/**
 * Benchmark (figures, not assertions) of indexed tables against the row-per-rule path:
 * `node --import tsx test/bench/table-index.bench.ts`.
 *
 * For the reclame-designacao rule set (its 15-row designation table plus its rules, facts of its
 * suite) and for synthetic rule sets with one `unique` table of N rows (two text inputs hashed, one
 * range input) and a rule copying its output: compile time and mean wall time per sequential
 * decision, with `indexTables: false` (every row a json-rules-engine rule, as before) and with the
 * index. Synthetic facts only; figures vary with the CPU and the load.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSource } from "../../dsl/compile/pipeline.js";
import { createRuntime } from "../../engine/runtime.js";
import { loadSuite } from "../../tester/suite.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function syntheticTable(rows: number): string {
  const lines = [
    "ruleset: bench-tabela",
    "description: Tabela sintética.",
    "facts:",
    "  a: { type: string, required: true }",
    "  b: { type: string, required: true }",
    "  x: { type: number, required: true }",
    "outputs:",
    "  r: { type: string, nullable: true }",
    "tables:",
    "  - name: t",
    "    hitPolicy: unique",
    "    onNoMatch: null",
    "    inputs: [a, b, x]",
    "    outputs: [saida]",
    "    rows:",
  ];
  for (let i = 0; i < rows; i++) lines.push(`      - [a${i % 150}, b${Math.floor(i / 150)}, "[0..100]", s${i}]`);
  lines.push("rules:", "  - name: copiar", "    then: r = t.saida", "");
  return lines.join("\n");
}

function syntheticFacts(rows: number, n: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const r = (i * 7919) % rows;
    out.push({ a: `a${r % 150}`, b: `b${Math.floor(r / 150)}`, x: (i * 37) % 200 });
  }
  return out;
}

async function measure(
  source: string,
  facts: readonly unknown[],
  indexTables: boolean,
  decisions: number,
): Promise<{ compileMs: number; perDecisionUs: number }> {
  const t0 = performance.now();
  const r = compileSource(source, { indexTables });
  const compileMs = performance.now() - t0;
  if (!r.compiled) throw new Error("did not compile");
  const runtime = createRuntime(r.compiled);
  runtime.prepare();
  // Warm-up.
  for (let i = 0; i < Math.min(decisions, 50); i++) await runtime.decide(facts[i % facts.length]);
  const t1 = performance.now();
  for (let i = 0; i < decisions; i++) await runtime.decide(facts[i % facts.length]);
  return { compileMs, perDecisionUs: ((performance.now() - t1) * 1000) / decisions };
}

const designacao = readFileSync(join(ROOT, "rules", "reclame-designacao.yaml"), "utf8");
const suite = loadSuite(readFileSync(join(ROOT, "rules", "reclame-designacao.test.yaml"), "utf8")).suite;
const designacaoFacts = (suite?.cases ?? []).filter((c) => !c.expectError).map((c) => c.facts);

const workloads: { name: string; source: string; facts: readonly unknown[]; slow: number; fast: number }[] = [
  {
    name: "reclame-designacao (15-row table + rules)",
    source: designacao,
    facts: designacaoFacts,
    slow: 2000,
    fast: 5000,
  },
  ...[15, 150, 1500, 15000].map((rows) => ({
    name: `synthetic table, ${rows} rows`,
    source: syntheticTable(rows),
    facts: syntheticFacts(rows, 200),
    slow: rows >= 15000 ? 5 : rows >= 1500 ? 30 : 2000,
    fast: 5000,
  })),
];

console.log(
  "| workload | compile ms (rows) | compile ms (index) | µs/decision (rows) | µs/decision (index) | speed-up |",
);
console.log("|:--|--:|--:|--:|--:|--:|");
for (const w of workloads) {
  // Decisions that fail (a `unique` defect, invalid facts) are not part of these workloads.
  const before = await measure(w.source, w.facts, false, w.slow);
  const after = await measure(w.source, w.facts, true, w.fast);
  console.log(
    `| ${w.name} | ${before.compileMs.toFixed(0)} | ${after.compileMs.toFixed(0)} | ${before.perDecisionUs.toFixed(1)} | ${after.perDecisionUs.toFixed(1)} | ${(before.perDecisionUs / after.perDecisionUs).toFixed(1)}× |`,
  );
}
