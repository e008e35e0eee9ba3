/**
 * Benchmark (figures, not assertions): `npm run bench`.
 *
 * - compile time of every rule set under rules/*.yaml;
 * - decide latency (p50/p95/p99/max) and throughput for reclame-designacao: sequential, 64
 *   decisions in flight, and with the explain trace.
 *
 * Synthetic facts only. Run on an otherwise idle machine; figures vary with the CPU.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSource } from "../../dsl/compile/pipeline.js";
import { createRuntime, type Runtime } from "../../engine/runtime.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RULES = join(ROOT, "rules");
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 20_000);
const CONCURRENCY = 64;
const EXPLAIN_DECISIONS = Math.max(1, Math.floor(DECISIONS / 10));

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

function ms(n: number): string {
  return n < 1 ? n.toFixed(3) : n < 100 ? n.toFixed(2) : n.toFixed(0);
}

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

// ---------------------------------------------------------------------------------------------
// Synthetic facts for reclame-designacao: a mix that reaches every `acao`.
// ---------------------------------------------------------------------------------------------

const SERVICOS_BENEFICIARIO = [
  "Autorização Prévia",
  "Reembolso",
  "Financeiro – Parcelas não descontadas",
  "Insatisfação de atendimento, nos Canais do Saúde CAIXA",
  "Serviço fora da tabela",
];
const SERVICOS_CREDENCIADO = [
  "Autorização Prévia",
  "Glosa",
  "Credenciamento",
  "Problemas de acesso aos sistemas Saúde CAIXA",
  "Outro assunto",
];

function facts(i: number): Record<string, unknown> {
  const credenciado = i % 2 === 1;
  const servicos = credenciado ? SERVICOS_CREDENCIADO : SERVICOS_BENEFICIARIO;
  const day = 1 + (i % 28);
  return {
    numero: String(2026000000 + i),
    tipoAtendimento: "Reclamação",
    tipoCliente: credenciado ? "Credenciado" : "Beneficiário",
    servico: servicos[i % servicos.length],
    entradaEm: `2026-03-${String(day).padStart(2, "0")}T${String(8 + (i % 10)).padStart(2, "0")}:15`,
    ...(i % 17 === 0 ? { protocoloValidado: false } : {}),
    ...(i % 13 === 0 ? { registradoDuranteAtendimento: true } : {}),
    ...(i % 3 === 0 ? { canalOrigem: "telefone" } : {}),
    ...(credenciado ? { gipesVinculacao: `GIPES ${i % 5}` } : {}),
  };
}

// ---------------------------------------------------------------------------------------------

async function timeSequential(runtime: Runtime, n: number, explain: boolean): Promise<{ lat: number[]; wall: number }> {
  const lat: number[] = new Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await runtime.decide(facts(i), { explain });
    lat[i] = performance.now() - s;
  }
  return { lat, wall: performance.now() - t0 };
}

async function timeConcurrent(
  runtime: Runtime,
  n: number,
  concurrency: number,
): Promise<{ lat: number[]; wall: number }> {
  const lat: number[] = new Array(n);
  let next = 0;
  const t0 = performance.now();
  async function worker(): Promise<void> {
    while (next < n) {
      const i = next++;
      const s = performance.now();
      await runtime.decide(facts(i));
      lat[i] = performance.now() - s;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { lat, wall: performance.now() - t0 };
}

function row(label: string, r: { lat: number[]; wall: number }): string[] {
  const sorted = [...r.lat].sort((a, b) => a - b);
  return [
    label,
    String(r.lat.length),
    ms(quantile(sorted, 0.5)),
    ms(quantile(sorted, 0.95)),
    ms(quantile(sorted, 0.99)),
    ms(sorted[sorted.length - 1] ?? Number.NaN),
    ms(r.wall),
    Math.round((r.lat.length / r.wall) * 1000).toLocaleString("en-US"),
  ];
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version} · ${process.platform}/${process.arch} · ${DECISIONS.toLocaleString("en-US")} decisions per run`,
  );

  // Compile times.
  const compileRows: string[][] = [];
  const files = readdirSync(RULES)
    .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
    .sort();
  for (const file of files) {
    const source = readFileSync(join(RULES, file), "utf8");
    const first = performance.now();
    const result = compileSource(source);
    const cold = performance.now() - first;
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s = performance.now();
      compileSource(source);
      runs.push(performance.now() - s);
    }
    runs.sort((a, b) => a - b);
    compileRows.push([
      file,
      result.ok ? "ok" : `${result.diagnostics.length} diagnostics`,
      String(result.compiled?.rules.length ?? "-"),
      ms(cold),
      ms(quantile(runs, 0.5)),
      ms(quantile(runs, 0.95)),
    ]);
  }
  table(
    "Compile (compileSource, 1 cold + 20 warm runs)",
    ["rule set", "result", "engine rules", "cold ms", "p50 ms", "p95 ms"],
    compileRows,
  );

  // Decisions.
  const compiled = compileSource(readFileSync(join(RULES, "reclame-designacao.yaml"), "utf8")).compiled;
  if (!compiled) throw new Error("reclame-designacao did not compile");
  const runtime = createRuntime(compiled);
  const acoes = new Map<string, number>();
  for (let i = 0; i < 1000; i++) {
    const d = await runtime.decide(facts(i));
    const a = String(d.decision.acao);
    acoes.set(a, (acoes.get(a) ?? 0) + 1);
  }
  console.log(`\nwarm-up: 1,000 decisions; acao mix ${[...acoes].map(([a, n]) => `${a} ${n}`).join(", ")}`);

  const rows: string[][] = [];
  rows.push(row("sequential", await timeSequential(runtime, DECISIONS, false)));
  rows.push(row(`${CONCURRENCY} in flight`, await timeConcurrent(runtime, DECISIONS, CONCURRENCY)));
  rows.push(row("sequential + explain", await timeSequential(runtime, EXPLAIN_DECISIONS, true)));
  table(
    `Decide reclame-designacao (${compiled.rules.length} engine rules)`,
    ["mode", "decisions", "p50 ms", "p95 ms", "p99 ms", "max ms", "wall ms", "decisions/s"],
    rows,
  );

  const mem = process.memoryUsage();
  console.log(`\nheap used ${(mem.heapUsed / 2 ** 20).toFixed(1)} MiB · rss ${(mem.rss / 2 ** 20).toFixed(1)} MiB`);
}

await main();
