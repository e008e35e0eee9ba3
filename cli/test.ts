/**
 * `rules test [arquivo...] [--reporter text|junit] [--tag a,b] [--case nome] [--min-coverage pct] [--watch]`:
 * runs rule test suites (QA's `rules/<name>.test.yaml`) with a readable report, a diff for every
 * failing case and the coverage of rules, table rows and transitions. Without files, runs every
 * `rules/*.test.yaml`. Each suite is first checked against its rule set (fact and output names, enum
 * values). `--watch` runs again whenever a rule set or suite file is saved.
 *
 * `rules test --scaffold <arquivo> [--out F [--force]]` prints (or writes) the skeleton of a suite
 * for a rule set instead (`tester/scaffold.ts`); `--out` never overwrites a file without `--force`.
 */
import { existsSync, readdirSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { hasErrors } from "../dsl/diagnostics.js";
import { closest, similarityKey } from "../dsl/library/similarity.js";
import { checkSuite } from "../tester/check.js";
import { runSuite } from "../tester/run.js";
import { scaffoldSuite } from "../tester/scaffold.js";
import { junitReport, textReport, type ReportedSuite } from "../tester/report.js";
import { loadSuite } from "../tester/suite.js";
import { COMMAND_HELP } from "./help.js";
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  formatDiagnostics,
  guard,
  InputError,
  parseCommandLine,
  readTextFile,
  resolvePath,
  UsageError,
  type CliContext,
} from "./io.js";
import { mutateOptions, runMutation } from "./mutate.js";
import { compileFile } from "./rule-file.js";
import { ruleFileOfSuite } from "./suite-file.js";

/** `--mutate` and its options (cli/mutate.ts). */
const MUTATE_OPTIONS = {
  mutate: { type: "boolean" },
  workers: { type: "string" },
  "max-mutants": { type: "string" },
  "min-score": { type: "string" },
  json: { type: "boolean" },
} as const;

/** The suite file of a path given by the user: a `.test.yaml`, or a rule set whose suite sits beside it. */
function suitePath(path: string): string {
  if (path.endsWith(".test.yaml")) return path;
  if (path.endsWith(".yaml")) return path.replace(/\.yaml$/, ".test.yaml");
  throw new UsageError(`informe arquivos .test.yaml (ou .yaml de regras): ${path}`, "test");
}

interface TestRun {
  readonly reporter: "text" | "junit";
  readonly tags: readonly string[];
  /** `--case`: only the case with exactly this name. */
  readonly caseName?: string;
  /** `--min-coverage`: a suite below this percentage fails. */
  readonly minCoverage?: number;
  /** Suite files named on the command line; empty: every `rules/*.test.yaml`. */
  readonly named: readonly string[];
}

export interface TestOptions {
  /** Ends `--watch` (the command then returns). Without it, watching lasts until the process ends. */
  readonly signal?: AbortSignal;
  /** Quiet period after the last change before running again, in milliseconds. */
  readonly debounceMs?: number;
}

export function test(ctx: CliContext, options: TestOptions = {}): Promise<number> {
  return guard(ctx, async () => {
    const { values, positionals } = parseCommandLine("test", ctx.argv, {
      reporter: { type: "string" },
      tag: { type: "string" },
      case: { type: "string" },
      "min-coverage": { type: "string" },
      watch: { type: "boolean" },
      scaffold: { type: "boolean" },
      out: { type: "string" },
      force: { type: "boolean" },
      ...MUTATE_OPTIONS,
    });
    if (values.help) {
      ctx.stdout.write(COMMAND_HELP.test ?? "");
      return EXIT_OK;
    }
    if (values.scaffold) return scaffold(ctx, positionals, values.out as string | undefined, values.force === true);
    if (values.out !== undefined || values.force)
      throw new UsageError("--out e --force são opções de --scaffold", "test");
    const mutate = mutateOptions(values);
    if (mutate) return runMutation(ctx, { files: suiteFiles(ctx, { named: positionals.map(suitePath) }), ...mutate });
    const reporter = (values.reporter as string | undefined) ?? "text";
    if (reporter !== "text" && reporter !== "junit")
      throw new UsageError(`--reporter deve ser text ou junit (recebido: ${reporter})`, "test");
    const tags =
      typeof values.tag === "string"
        ? values.tag
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean)
        : [];
    const caseName = values.case as string | undefined;
    if (caseName !== undefined && caseName.trim() === "")
      throw new UsageError("--case precisa do nome exato de um caso", "test");
    const min = values["min-coverage"] as string | undefined;
    let minCoverage: number | undefined;
    if (min !== undefined) {
      minCoverage = /^\d+(?:[.,]\d+)?%?$/.test(min) ? Number(min.replace(",", ".").replace("%", "")) : NaN;
      if (!(minCoverage >= 0 && minCoverage <= 100))
        throw new UsageError(`--min-coverage deve ser uma porcentagem de 0 a 100 (recebido: ${min})`, "test");
    }
    const run: TestRun = {
      reporter,
      tags,
      named: positionals.map(suitePath),
      ...(caseName !== undefined ? { caseName } : {}),
      ...(minCoverage !== undefined ? { minCoverage } : {}),
    };
    if (!values.watch) return runOnce(ctx, run);
    return watchAndRun(ctx, run, options);
  });
}

/**
 * `--scaffold`: the suite skeleton of one rule set (named directly or by its suite's path), on
 * stdout or in `--out` (an existing file only with `--force`).
 */
async function scaffold(
  ctx: CliContext,
  positionals: readonly string[],
  out: string | undefined,
  force: boolean,
): Promise<number> {
  if (positionals.length !== 1)
    throw new UsageError("--scaffold gera o esqueleto de um conjunto de regras por vez: informe um arquivo", "test");
  const given = positionals[0] as string;
  if (!given.endsWith(".yaml"))
    throw new UsageError(`informe um arquivo .yaml de regras (ou a sua .test.yaml): ${given}`, "test");
  const rulesFile = given.endsWith(".test.yaml") ? ruleFileOfSuite(given) : given;
  if (out !== undefined && out.trim() === "")
    throw new UsageError("--out precisa do nome do arquivo a escrever", "test");
  if (out !== undefined && existsSync(resolvePath(ctx, out)) && !force)
    throw new InputError(`${out} já existe: escolha outro nome ou use --force para sobrescrevê-lo`);
  const source = readTextFile(ctx, rulesFile);
  const result = await scaffoldSuite(source, { file: rulesFile });
  if (!result.ok) {
    ctx.stderr.write(formatDiagnostics(rulesFile, source, result.diagnostics));
    ctx.stderr.write(`erro: ${rulesFile} tem erros; corrija-os antes de gerar o esqueleto da suíte\n`);
    return EXIT_FAILURE;
  }
  const todo = result.cases.filter((c) => c.todo).length;
  const counts = `${result.cases.length} ${result.cases.length === 1 ? "caso" : "casos"}, ${todo} com TODO`;
  if (out === undefined) {
    ctx.stdout.write(result.text);
    ctx.stderr.write(`esqueleto de ${rulesFile}: ${counts}\n`);
    return EXIT_OK;
  }
  try {
    writeFileSync(resolvePath(ctx, out), result.text, { encoding: "utf8", flag: force ? "w" : "wx" });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "EEXIST")
      throw new InputError(`${out} já existe: escolha outro nome ou use --force para sobrescrevê-lo`);
    throw new InputError(`não foi possível escrever ${out}: ${e instanceof Error ? e.message : String(e)}`);
  }
  ctx.stderr.write(`escrito ${out}: ${counts}\n`);
  return EXIT_OK;
}

/** The suite files of a run: those named, or every `rules/*.test.yaml`. */
function suiteFiles(ctx: CliContext, run: Pick<TestRun, "named">): string[] {
  if (run.named.length > 0) return [...run.named];
  const dir = resolvePath(ctx, "rules");
  if (!existsSync(dir)) throw new InputError("nenhum arquivo informado e não há pasta rules/ aqui");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".test.yaml"))
    .sort()
    .map((f) => relative(ctx.cwd, join(dir, f)) || f);
  if (files.length === 0) throw new InputError("nenhuma suíte de testes (*.test.yaml) em rules/");
  return files;
}

/** One run over the suites: report on stdout, problems on stderr, the exit code. */
async function runOnce(ctx: CliContext, run: TestRun): Promise<number> {
  const files = suiteFiles(ctx, run);
  const reported: ReportedSuite[] = [];
  const caseNames = new Set<string>();
  let broken = 0;
  for (const file of files) {
    let suiteSource: string;
    try {
      suiteSource = readTextFile(ctx, file);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      ctx.stderr.write(`erro: ${e.message}\n`);
      broken++;
      continue;
    }
    const loaded = loadSuite(suiteSource);
    if (!loaded.suite || hasErrors(loaded.diagnostics)) {
      ctx.stderr.write(formatDiagnostics(file, suiteSource, loaded.diagnostics));
      broken++;
      continue;
    }
    const rulesFile = ruleFileOfSuite(file);
    let compiled: ReturnType<typeof compileFile> | undefined;
    try {
      compiled = compileFile(ctx, rulesFile);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      ctx.stderr.write(`erro: ${e.message} (o conjunto de regras da suíte ${file})\n`);
      broken++;
      continue;
    }
    if (!compiled) {
      broken++;
      continue;
    }
    if (loaded.suite.ruleset !== compiled.name) {
      ctx.stderr.write(`erro: ${file} testa "${loaded.suite.ruleset}", mas ${rulesFile} é "${compiled.name}"\n`);
      broken++;
      continue;
    }
    // Names and values compared with the rule set: the cases still run, the suite counts as broken.
    const checked = checkSuite(suiteSource, compiled);
    if (checked.length > 0) {
      ctx.stderr.write(formatDiagnostics(file, suiteSource, checked));
      if (hasErrors(checked)) broken++;
    }
    for (const c of loaded.suite.cases) caseNames.add(c.name);
    if (run.caseName !== undefined && !loaded.suite.cases.some((c) => c.name === run.caseName)) continue;
    const result = await runSuite(compiled, loaded.suite, {
      suiteSource,
      ...(run.tags.length ? { tags: run.tags } : {}),
      ...(run.caseName !== undefined ? { caseName: run.caseName } : {}),
    });
    reported.push({ file, result });
  }
  if (run.caseName !== undefined && reported.length === 0 && caseNames.size > 0) {
    const where = files.length === 1 ? `em ${files[0]}` : `nas suítes (${files.join(", ")})`;
    ctx.stderr.write(
      `erro: nenhum caso chamado "${run.caseName}" ${where}.${similarCases(run.caseName, [...caseNames])}\n`,
    );
    ctx.stderr.write("O nome em --case deve ser exatamente o name do caso (entre aspas se tiver espaços).\n");
    return EXIT_USAGE;
  }
  const out = run.reporter === "junit" ? junitReport(reported) : textReport(reported, { color: false });
  ctx.stdout.write(out.endsWith("\n") ? out : `${out}\n`);
  let belowMinimum = 0;
  if (run.minCoverage !== undefined) {
    for (const { file, result } of reported) {
      if (result.coverage.percent >= run.minCoverage) continue;
      belowMinimum++;
      ctx.stderr.write(
        `erro: a cobertura de ${result.ruleset} (${file}) é ${result.coverage.percent}%, abaixo do mínimo de ${run.minCoverage}% (--min-coverage)\n`,
      );
    }
  }
  const failed = reported.some((r) => r.result.failed > 0);
  return failed || broken > 0 || belowMinimum > 0 ? EXIT_FAILURE : EXIT_OK;
}

/**
 * `--watch`: runs, then watches the folders of the suites and their rule sets and runs again (the
 * screen cleared on a terminal) once saving has been quiet for `debounceMs`. Folders, not files,
 * are watched, so an editor that saves by renaming a new file over the old one is seen too.
 */
async function watchAndRun(ctx: CliContext, run: TestRun, options: TestOptions): Promise<number> {
  const debounceMs = options.debounceMs ?? 150;
  const interactive = (ctx.stdout as { isTTY?: boolean }).isTTY === true;
  let last = await guard(ctx, () => runOnce(ctx, run));
  const watched = new Set<string>();
  const dirs = new Set<string>();
  if (run.named.length > 0) {
    for (const file of run.named) {
      for (const f of [file, ruleFileOfSuite(file)]) {
        const full = resolvePath(ctx, f);
        watched.add(full);
        dirs.add(dirname(full));
      }
    }
  } else dirs.add(resolvePath(ctx, "rules"));
  const relevant = (dir: string, name: string | null): boolean => {
    if (name === null) return true;
    return run.named.length > 0 ? watched.has(join(dir, basename(name))) : name.endsWith(".yaml");
  };
  const waiting = () => ctx.stderr.write(`aguardando alterações (${plural(dirs.size)})… Ctrl+C para sair\n`);

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let pending = false;
  const again = async (): Promise<void> => {
    if (running) {
      pending = true;
      return;
    }
    running = true;
    do {
      pending = false;
      if (interactive) ctx.stdout.write("\u001b[2J\u001b[3J\u001b[H");
      ctx.stdout.write(`— rules test: nova execução às ${new Date().toTimeString().slice(0, 8)} —\n`);
      last = await guard(ctx, () => runOnce(ctx, run));
    } while (pending);
    running = false;
    waiting();
  };
  const changed = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void again(), debounceMs);
  };

  const watchers: FSWatcher[] = [];
  for (const dir of dirs) {
    try {
      const w = watch(dir, (_event, name) => {
        if (relevant(dir, name === null ? null : String(name))) changed();
      });
      w.on("error", (e) => ctx.stderr.write(`erro: não foi possível acompanhar ${dir}: ${e.message}\n`));
      watchers.push(w);
    } catch (e) {
      ctx.stderr.write(`erro: não foi possível acompanhar ${dir}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  if (watchers.length === 0) return EXIT_FAILURE;
  waiting();
  await new Promise<void>((resolveWait) => {
    if (options.signal?.aborted) resolveWait();
    options.signal?.addEventListener("abort", () => resolveWait(), { once: true });
  });
  if (timer) clearTimeout(timer);
  for (const w of watchers) w.close();
  return last;
}

/**
 * Suggestions for a `--case` name no case has: the names that contain what was typed, then the
 * nearest ones (ignoring case, accents and dash kind), at most three.
 */
function similarCases(typed: string, names: readonly string[]): string {
  const key = similarityKey(typed);
  const containing = key ? names.filter((n) => similarityKey(n).includes(key)) : [];
  const found = [...new Set([...containing, ...closest(typed, names, 3)])].slice(0, 3);
  if (found.length === 0) return "";
  if (found.length === 1) return ` Você quis dizer "${found[0]}"?`;
  return ` Casos parecidos: ${found.map((n) => `"${n}"`).join(", ")}.`;
}

function plural(n: number): string {
  return n === 1 ? "1 pasta" : `${n} pastas`;
}
