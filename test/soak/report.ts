/**
 * The soak's final summary: one Markdown table with a column per mode run (the lead copies it into
 * the README's Reliability section), the samples of errors and incoherent decisions, and the
 * verdict of each run (what fails it: errors, incoherent decisions, memory growth).
 */
import type { SoakResult } from "./run.js";
import { MEMORY_MAX_GROWTH_RATIO, MEMORY_MIN_GROWTH_MIB, type Growth, type MemoryVerdict } from "./stats.js";

/** Why a run failed (empty when it passed). */
export function failures(r: SoakResult): string[] {
  const out: string[] = [];
  if (r.errors > 0) out.push(`${r.errors} erro(s)`);
  if (r.incoherent > 0) out.push(`${r.incoherent} decisão(ões) incoerente(s)`);
  for (const m of r.memory)
    if (m.verdict.judged && m.verdict.failed)
      out.push(`memória da réplica ${m.replica} cresceu (${growthText(m.verdict)})`);
  return out;
}

function ms(v: number): string {
  return Number.isFinite(v) ? (v < 10 ? v.toFixed(1) : v.toFixed(0)) : "-";
}

function g(x: Growth): string {
  const sign = x.growthMiB >= 0 ? "+" : "";
  return `${x.middleMiB.toFixed(0)}→${x.lastMiB.toFixed(0)} MiB (${sign}${x.growthMiB.toFixed(1)} MiB, ${sign}${x.growthPct.toFixed(1)}%)`;
}

function growthText(v: MemoryVerdict): string {
  return v.judged ? `RSS ${g(v.rss)}, heap ${g(v.heap)}` : v.reason;
}

function lat(s: { p50: number; p99: number; max: number }): string {
  return `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`;
}

/** The Markdown summary table, one column per run. */
export function summaryTable(runs: readonly SoakResult[]): string {
  const rows: [string, (r: SoakResult) => string][] = [
    ["service processes", (r) => (r.replicas === 1 ? "1 (file store)" : `${r.replicas} (one PostgreSQL)`)],
    ["duration (s)", (r) => r.seconds.toFixed(0)],
    ["seed", (r) => String(r.seed)],
    ["requests/s (decide + batch)", (r) => r.requestsPerSecond.toFixed(0)],
    ["decisions/s (batch items included)", (r) => r.decisionsPerSecond.toFixed(0)],
    ["decide requests", (r) => r.decide.count.toLocaleString("en-US")],
    ["decide p50 / p99 / max (ms)", (r) => lat(r.decide)],
    ["batches (items)", (r) => `${r.batch.count.toLocaleString("en-US")} (${r.batch.items.toLocaleString("en-US")})`],
    ["batch p50 / p99 / max (ms)", (r) => lat(r.batch)],
    ["expected 4xx (suites' bad facts)", (r) => r.expectedErrors.toLocaleString("en-US")],
    ["publishes / roll backs", (r) => `${r.publishes} / ${r.rollbacks}`],
    ["versions seen by decisions (published / rolled back)", (r) => `${r.seenPublished} / ${r.seenRolledBack}`],
    ["marker decisions checked", (r) => r.markerDecisions.toLocaleString("en-US")],
    [
      "served an older version after an ack, within the allowed lag (max lag)",
      (r) => `${r.lagged} (${ms(r.maxLagMs)} ms)`,
    ],
    ["errors (target 0)", (r) => String(r.errors)],
    ["incoherent decisions (target 0)", (r) => String(r.incoherent)],
    ...[0, 1].map(
      (i) =>
        [
          `memory, replica ${i} (middle → last third)`,
          (r: SoakResult) => {
            const m = r.memory[i];
            return m ? growthText(m.verdict) : "";
          },
        ] as [string, (r: SoakResult) => string],
    ),
    ["verdict", (r) => (failures(r).length ? `FAIL: ${failures(r).join("; ")}` : "pass")],
  ];
  const used = rows.filter(([, f]) => runs.some((r) => f(r) !== ""));
  const header = ["", ...runs.map((r) => r.mode)];
  const body = used.map(([name, f]) => [name, ...runs.map(f)]);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? ":--" : "--:"))), ...body.map(line)].join("\n");
}

/** The whole final report: table, samples, thresholds. */
export function finalReport(runs: readonly SoakResult[]): string {
  const parts = ["", "## Soak summary", "", summaryTable(runs), ""];
  parts.push(
    `Memory: RSS by the median, heap by the minimum of each third; the run fails when the last third exceeds the middle third by more than max(${MEMORY_MIN_GROWTH_MIB} MiB, ${MEMORY_MAX_GROWTH_RATIO * 100}%).`,
  );
  for (const r of runs)
    for (const m of r.memory) {
      // Memory over time: about one sample a minute (every sample of a short run).
      const step = Math.max(1, Math.round(m.samples.length / Math.max(1, Math.round(r.seconds / 60))));
      const picked = m.samples.filter((_, i) => i % step === 0 || i === m.samples.length - 1);
      const mib = (b: number) => (b / 1024 / 1024).toFixed(0);
      parts.push(
        "",
        `${r.mode}, replica ${m.replica}, memory over time (s: RSS/heap MiB):`,
        `  ${picked.map((x) => `${x.t.toFixed(0)}: ${mib(x.rss)}/${mib(x.heap)}`).join(", ")}`,
      );
    }
  for (const r of runs) {
    if (r.errorSamples.length) parts.push("", `${r.mode}: first errors`, ...r.errorSamples.map((s) => `  - ${s}`));
    if (r.incoherentSamples.length)
      parts.push("", `${r.mode}: first incoherent decisions`, ...r.incoherentSamples.map((s) => `  - ${s}`));
  }
  return parts.join("\n");
}
