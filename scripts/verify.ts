/**
 * `npm run verify`: differential testing of the engine against the reference interpreter
 * (tester/reference/). For each shipped rule set (rules/*.yaml), VERIFY_RUNS generated fact sets
 * (default 100,000); then VERIFY_RANDOM random rule sets (default 2,000) × VERIFY_RANDOM_FACTS fact
 * sets each (default 50). Prints per rule set: fact sets, agreements, disagreements, how many were
 * decided / refused / defects, fired-rule coverage and time; exits 1 on any disagreement, printing
 * the seed (VERIFY_SEED reproduces a run), the rule set and fast-check's shrunk counterexample.
 * VERIFY_ONLY=<name>,aleatorios limits the run (e.g. to split it over processes); VERIFY_FLAW runs a
 * deliberately broken reference, to see a failing run.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSource } from "../dsl/compile/pipeline.js";
import type { Disagreement, Figures } from "../test/verify/run.js";
import { coverableRefs, emptyFigures, emptyRandomFigures, verifyRandom, verifyRuleSet } from "../test/verify/run.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const int = (name: string, fallback: number): number => {
  const v = process.env[name];
  const n = v === undefined || v === "" ? fallback : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`${name} deve ser um inteiro >= 0 (recebido "${v}")`);
    process.exit(2);
  }
  return n;
};
const runs = int("VERIFY_RUNS", 100_000);
const randomSets = int("VERIFY_RANDOM", 2_000);
const randomFacts = int("VERIFY_RANDOM_FACTS", 50);
const seed = int("VERIFY_SEED", Date.now() % 2_147_483_647);
/** VERIFY_FLAW=reverse-priority|ignore-stop|first-row-last: a deliberately broken reference (shows a failing run). */
const flawName = process.env.VERIFY_FLAW;
const FLAWS = ["reverse-priority", "ignore-stop", "first-row-last"] as const;
const flaw = FLAWS.find((f) => f === flawName);
if (flawName && !flaw) {
  console.error(`VERIFY_FLAW deve ser um de ${FLAWS.join(", ")}`);
  process.exit(2);
}
const reference = flaw ? { flaw } : {};
/** VERIFY_ONLY=retencao,aleatorios: only these shipped rule sets (by name) and/or the random ones. */
const only = process.env.VERIFY_ONLY ? new Set(process.env.VERIFY_ONLY.split(",").map((x) => x.trim())) : undefined;

function percent(part: number, whole: number): string {
  return whole === 0 ? "—" : `${((part / whole) * 100).toFixed(1)}%`;
}

function line(name: string, f: Figures, covered: number, total: number, ms: number): string {
  return (
    `${name.padEnd(24)} fact sets ${String(f.factSets).padStart(7)}  agree ${String(f.agreements).padStart(7)}  ` +
    `disagree ${f.disagreements}  (decided ${f.decided}, refused ${f.refused}, defects ${f.defects})  ` +
    `fired ${covered}/${total} (${percent(covered, total)}), rule firings ${f.ruleFirings}, row hits ${f.rowHits}  ` +
    `${(ms / 1000).toFixed(1)} s`
  );
}

function report(where: string, d: Disagreement, source?: string): void {
  console.error(
    `\nDISCORDÂNCIA em ${where} (VERIFY_SEED=${seed}; fast-check seed ${d.seed}${d.path ? `, path ${d.path}` : ""})`,
  );
  if (source) console.error(`--- conjunto de regras ---\n${source}--- fim ---`);
  console.error(`fatos (reduzidos): ${JSON.stringify(d.facts)}${d.explain ? " (motor com explain: true)" : ""}`);
  console.error(`motor:      ${JSON.stringify(d.comparison.engine)}`);
  console.error(`referência: ${JSON.stringify(d.comparison.reference)}`);
}

console.log(
  `verify: ${flaw ? `REFERÊNCIA COM DEFEITO PROPOSITAL (${flaw}); ` : ""}${runs} fact sets per shipped rule set, ${randomSets} random rule sets × ${randomFacts} fact sets; VERIFY_SEED=${seed}`,
);
let failed = false;
const rulesDir = join(root, "rules");
const files = readdirSync(rulesDir)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
  .sort();
for (const [i, file] of runs > 0 ? files.entries() : []) {
  // The seed of each rule set depends on its place among all of them, not on VERIFY_ONLY.
  if (only && !only.has(file.slice(0, -".yaml".length))) continue;
  const r = compileSource(readFileSync(join(rulesDir, file), "utf8"));
  if (!r.ok || !r.model || !r.compiled) {
    console.error(`${file}: não compila`);
    failed = true;
    continue;
  }
  const figures = emptyFigures();
  const refs = coverableRefs(r.compiled);
  const started = performance.now();
  const d = await verifyRuleSet(r.model, r.compiled, {
    runs,
    seed: seed + i,
    figures,
    reference,
    onProgress: (done) => console.log(`  ${r.model?.name}: ${done}/${runs}…`),
  });
  console.log(
    line(
      r.model.name,
      figures,
      refs.filter((x) => figures.firedRefs.has(x)).length,
      refs.length,
      performance.now() - started,
    ),
  );
  if (d) {
    report(file, d);
    failed = true;
  }
}

if (randomSets > 0 && (!only || only.has("aleatorios"))) {
  const figures = emptyRandomFigures();
  const started = performance.now();
  const d = await verifyRandom({
    sets: randomSets,
    factsPerSet: randomFacts,
    seed,
    figures,
    reference,
    onProgress: (done) => console.log(`  aleatórios: ${done}/${randomSets} conjuntos…`),
  });
  console.log(
    line(
      `aleatórios (${figures.checked}/${figures.generated})`,
      figures,
      figures.firedRefs.size,
      figures.refsTotal,
      performance.now() - started,
    ),
  );
  if (d) {
    report("um conjunto de regras aleatório", d, d.source);
    failed = true;
  }
}
console.log(failed ? "verify: há discordâncias (acima)" : "verify: 0 discordâncias");
process.exit(failed ? 1 : 0);
