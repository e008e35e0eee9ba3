/**
 * `rules test --mutate [arquivo...] [--workers N] [--max-mutants N] [--min-score pct] [--json]`:
 * how much the suites catch. For each suite, mutates its rule set (tester/mutate.ts), runs the
 * suite against every mutant in worker threads (2 by default; `--workers 0` runs them on this
 * thread) and reports the score and every surviving mutant with its position, what changed and a
 * suggested case. Progress on stderr ("mutante 37/212"), the report on stdout (text, or JSON with
 * `--json`). Exit 1 when a suite or rule set is broken, or a score is below `--min-score`.
 *
 * Workers start from the compiled module (dist/cli/mutate-worker.js, as `bin/rules.js` runs in
 * production) or, from the TypeScript sources, through mutate-worker-entry.js, which registers tsx.
 */
import { Worker } from "node:worker_threads";
import { hasErrors } from "../dsl/diagnostics.js";
import {
  DEFAULT_MAX_MUTANTS,
  generateMutants,
  type Mutant,
  type MutantOutcome,
  type MutationReport,
  type MutationSubject,
  mutationReport,
  prepareSubject,
  runMutant,
} from "../tester/mutate.js";
import { loadSuite } from "../tester/suite.js";
import { EXIT_FAILURE, EXIT_OK, formatDiagnostics, plural, readTextFile, UsageError, type CliContext } from "./io.js";
import type { MutateJob } from "./mutate-worker.js";
import { compileFile } from "./rule-file.js";
import { ruleFileOfSuite } from "./suite-file.js";

export interface MutateRun {
  /** Suite files (`rules/*.test.yaml` when none was named). */
  readonly files: readonly string[];
  readonly workers: number;
  readonly maxMutants: number;
  readonly minScore?: number;
  readonly json: boolean;
}

export const DEFAULT_WORKERS = 2;

/**
 * The options of `--mutate`, checked (values from parseArgs); undefined without `--mutate`. Options
 * of one mode given in the other are usage errors.
 */
export function mutateOptions(
  values: Record<string, string | boolean | undefined>,
): Omit<MutateRun, "files"> | undefined {
  const mutateOnly = ["workers", "max-mutants", "min-score", "json"].filter((o) => values[o] !== undefined);
  if (!values.mutate) {
    if (mutateOnly.length > 0)
      throw new UsageError(
        `--${mutateOnly[0]} só vale com --mutate (rules test --mutate --${mutateOnly[0]} ...)`,
        "test",
      );
    return undefined;
  }
  const testOnly = ["reporter", "tag", "case", "min-coverage", "watch"].filter((o) => values[o] !== undefined);
  if (testOnly.length > 0)
    throw new UsageError(`--${testOnly[0]} não vale com --mutate: os mutantes rodam a suíte inteira`, "test");
  const integer = (name: string, fallback: number, min: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    if (typeof raw !== "string" || !/^\d+$/.test(raw) || Number(raw) < min)
      throw new UsageError(
        `--${name} deve ser um número inteiro a partir de ${min} (recebido: ${String(raw)})`,
        "test",
      );
    return Number(raw);
  };
  const workers = integer("workers", DEFAULT_WORKERS, 0);
  const maxMutants = integer("max-mutants", DEFAULT_MAX_MUTANTS, 1);
  const min = values["min-score"];
  let minScore: number | undefined;
  if (min !== undefined) {
    minScore =
      typeof min === "string" && /^\d+(?:[.,]\d+)?%?$/.test(min) ? Number(min.replace(",", ".").replace("%", "")) : NaN;
    if (!(minScore >= 0 && minScore <= 100))
      throw new UsageError(`--min-score deve ser uma porcentagem de 0 a 100 (recebido: ${String(min)})`, "test");
  }
  return { workers, maxMutants, json: values.json === true, ...(minScore !== undefined ? { minScore } : {}) };
}

/** Runs jobs on worker threads, one job per worker at a time. */
class MutantWorkers {
  private readonly workers: Worker[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (o: MutantOutcome) => void; reject: (e: Error) => void }>();

  constructor(size: number) {
    const compiled = import.meta.url.endsWith(".js");
    const file = new URL(compiled ? "./mutate-worker.js" : "./mutate-worker-entry.js", import.meta.url);
    for (let i = 0; i < size; i++) {
      const worker = new Worker(file);
      worker.on("message", (reply: { id: number; outcome?: MutantOutcome; error?: string }) => {
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        if (reply.outcome) p.resolve(reply.outcome);
        else p.reject(new Error(reply.error ?? "falha no worker"));
      });
      const died = (why: string) => {
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(new Error(`um worker de mutantes parou: ${why}`));
        }
      };
      worker.on("error", (e) => died(e.message));
      worker.on("exit", (code) => {
        if (code !== 0) died(`código ${code}`);
      });
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  run(worker: number, job: MutateJob): Promise<MutantOutcome> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[worker]?.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Runs every mutant, `workers` at a time (0: on this thread), calling `progress` after each. */
async function runAll(
  source: string,
  suiteSource: string,
  mutants: readonly Mutant[],
  pool: MutantWorkers | undefined,
  subject: MutationSubject,
  progress: (done: number) => void,
): Promise<MutantOutcome[]> {
  const outcomes: MutantOutcome[] = [];
  let done = 0;
  if (!pool) {
    for (const m of mutants) {
      outcomes.push(await runMutant(subject, m));
      progress(++done);
    }
    return outcomes;
  }
  let next = 0;
  const lane = async (worker: number): Promise<void> => {
    while (next < mutants.length) {
      const mutant = mutants[next++] as Mutant;
      outcomes.push(await pool.run(worker, { source, suiteSource, mutant }));
      progress(++done);
    }
  };
  await Promise.all(Array.from({ length: pool.size }, (_, i) => lane(i)));
  return outcomes;
}

/** `rules test --mutate`: the exit code. */
export async function runMutation(ctx: CliContext, run: MutateRun): Promise<number> {
  const reports: { file: string; rulesFile: string; report: MutationReport }[] = [];
  let broken = 0;
  const interactive = (ctx.stderr as { isTTY?: boolean }).isTTY === true;
  let pool: MutantWorkers | undefined;
  try {
    for (const file of run.files) {
      const suiteSource = readTextFile(ctx, file);
      const loaded = loadSuite(suiteSource);
      if (!loaded.suite || hasErrors(loaded.diagnostics)) {
        ctx.stderr.write(formatDiagnostics(file, suiteSource, loaded.diagnostics));
        broken++;
        continue;
      }
      const suite = loaded.suite;
      const rulesFile = ruleFileOfSuite(file);
      const compiled = compileFile(ctx, rulesFile);
      if (!compiled) {
        broken++;
        continue;
      }
      const source = readTextFile(ctx, rulesFile);
      // A case failing against the rule set itself would "kill" every mutant: the suite must pass first.
      const baseline = await prepareSubject(source, suite, suiteSource);
      if (!baseline || baseline.failing.length > 0) {
        ctx.stderr.write(
          `erro: ${baseline?.failing.length ?? "os"} caso(s) de ${file} falham contra ${rulesFile}: rode rules test e corrija-os antes de medir com mutantes\n`,
        );
        broken++;
        continue;
      }
      const generated = generateMutants(source, { maxMutants: run.maxMutants });
      const total = generated.mutants.length;
      ctx.stderr.write(
        `${rulesFile}: ${total} mutantes${generated.total > total ? ` (de ${generated.total}; --max-mutants)` : ""}\n`,
      );
      if (run.workers > 0 && !pool && total > 0) pool = new MutantWorkers(Math.min(run.workers, total));
      const step = Math.max(1, Math.ceil(total / 10));
      const outcomes = await runAll(source, suiteSource, generated.mutants, pool, baseline, (done) => {
        if (interactive) ctx.stderr.write(`\rmutante ${done}/${total}${done === total ? "\n" : ""}`);
        else if (done % step === 0 || done === total) ctx.stderr.write(`mutante ${done}/${total}\n`);
      });
      reports.push({ file, rulesFile, report: mutationReport(compiled.name, source, generated, outcomes) });
    }
  } finally {
    await pool?.close();
  }
  ctx.stdout.write(
    run.json
      ? `${JSON.stringify(
          reports.map(({ file, rulesFile, report }) => ({ file, rulesFile, ...report })),
          null,
          2,
        )}\n`
      : textMutationReport(reports),
  );
  let below = 0;
  if (run.minScore !== undefined) {
    for (const { rulesFile, report } of reports) {
      if (report.score >= run.minScore) continue;
      below++;
      ctx.stderr.write(
        `erro: a pontuação de mutantes de ${report.ruleset} (${rulesFile}) é ${report.score}%, abaixo do mínimo de ${run.minScore}% (--min-score)\n`,
      );
    }
  }
  return broken > 0 || below > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** The text report: per rule set, the score, then each survivor with its position and suggested case. */
export function textMutationReport(reports: readonly { rulesFile: string; report: MutationReport }[]): string {
  const lines: string[] = [];
  for (const { rulesFile, report } of reports) {
    const valid = report.killed + report.survived;
    lines.push(
      `${report.ruleset} (${rulesFile}): ${report.score}% dos mutantes mortos — ${report.killed} de ${valid} mortos, ${plural(report.survived, "sobrevivente", "sobreviventes")}, ${plural(report.invalid + report.equivalent, "inválido/equivalente", "inválidos/equivalentes")}${report.capped > 0 ? `, ${report.capped} não gerados (--max-mutants)` : ""}`,
    );
    for (const m of report.mutants) {
      if (m.status !== "survived") continue;
      lines.push(`  sobrevivente ${rulesFile}:${m.line}:${m.column}: ${m.description}`);
      lines.push("    nenhum teste pegaria esta mudança.");
      if (m.suggestedCase) {
        lines.push("    Caso sugerido (a decisão é a do conjunto de regras original):");
        for (const l of m.suggestedCase.yaml.trimEnd().split("\n")) lines.push(`    ${l}`);
      } else
        lines.push(
          "    Nenhum caso sugerido: os fatos da suíte, com os valores escritos nas regras, decidem igual; a mudança pode não alterar decisão nenhuma (equivalente) ou pede fatos que a suíte ainda não tem.",
        );
    }
    lines.push("");
  }
  return `${lines.join("\n")}`;
}
