// Benchmark (not a test) of the editor's language services on the largest shipped rule set:
// `analyze` + `diagnostics` per keystroke must stay well under 150 ms. Run it with
//   node --import tsx editor/language/benchmark.mjs [runs]
// It prints min / median / p90 / max wall-clock milliseconds after a warm-up, and the median CPU
// time of the process (which a busy machine inflates much less than wall-clock time).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyze, completions, diagnostics, documentSymbols, hover, semanticTokens } from "./index.ts";

const rules = join(dirname(fileURLToPath(import.meta.url)), "../../rules");
const files = readdirSync(rules)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
  .map((f) => ({ f, size: statSync(join(rules, f)).size }))
  .sort((a, b) => b.size - a.size);
const largest = files[0];
if (!largest) throw new Error("no rule set in rules/");
const source = readFileSync(join(rules, largest.f), "utf8");
const runs = Number(process.argv[2] ?? 50);

function measure(label, f) {
  for (let i = 0; i < 10; i++) f();
  const times = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const q = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(1);
  console.log(
    `${label.padEnd(28)} wall min ${q(times, 0)}  median ${q(times, 0.5)}  p90 ${q(times, 0.9)}  max ${q(times, 1)}` +
      `  | cpu median ${q(cpu, 0.5)}  (ms, ${runs} runs)`,
  );
}

console.log(`${largest.f}: ${source.length} characters, ${source.split("\n").length} lines`);
measure("analyze + diagnostics", () => diagnostics(analyze(source)));
const a = analyze(source);
const middle = source.indexOf("when:", source.length / 2) + 6;
measure("completions (one position)", () => completions(analyze(source), middle));
measure("hover (one position)", () => hover(a, middle));
measure("semantic tokens", () => semanticTokens(analyze(source)));
measure("document symbols", () => documentSymbols(analyze(source)));
