/**
 * `rules test [arquivo...] [--reporter text|junit] [--tag a,b]`: runs rule test suites (QA's
 * `rules/<name>.test.yaml`) with a readable report, a diff for every failing case and the coverage
 * of rules, table rows and transitions. Without files, runs every `rules/*.test.yaml`.
 */
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { loadSuite } from "../tester/suite.js";
import { runSuite } from "../tester/run.js";
import { junitReport, textReport, type ReportedSuite } from "../tester/report.js";
import { COMMAND_HELP } from "./help.js";
import { EXIT_FAILURE, EXIT_OK, formatDiagnostics, guard, InputError, parseCommandLine, readTextFile, resolvePath, UsageError, type CliContext } from "./io.js";
import { compileFile } from "./rule-file.js";

/** The suite file of a path given by the user: a `.test.yaml`, or a rule set whose suite sits beside it. */
function suitePath(path: string): string {
  if (path.endsWith(".test.yaml")) return path;
  if (path.endsWith(".yaml")) return path.replace(/\.yaml$/, ".test.yaml");
  throw new UsageError(`informe arquivos .test.yaml (ou .yaml de regras): ${path}`, "test");
}

export function test(ctx: CliContext): Promise<number> {
  return guard(ctx, async () => {
    const { values, positionals } = parseCommandLine("test", ctx.argv, { reporter: { type: "string" }, tag: { type: "string" } });
    if (values.help) {
      ctx.stdout.write(COMMAND_HELP.test ?? "");
      return EXIT_OK;
    }
    const reporter = (values.reporter as string | undefined) ?? "text";
    if (reporter !== "text" && reporter !== "junit") throw new UsageError(`--reporter deve ser text ou junit (recebido: ${reporter})`, "test");
    const tags = typeof values.tag === "string" ? values.tag.split(",").map((t) => t.trim()).filter(Boolean) : [];
    let files = positionals.map(suitePath);
    if (files.length === 0) {
      const dir = resolvePath(ctx, "rules");
      if (!existsSync(dir)) throw new InputError("nenhum arquivo informado e não há pasta rules/ aqui");
      files = readdirSync(dir)
        .filter((f) => f.endsWith(".test.yaml"))
        .sort()
        .map((f) => relative(ctx.cwd, join(dir, f)) || f);
      if (files.length === 0) throw new InputError("nenhuma suíte de testes (*.test.yaml) em rules/");
    }
    const reported: ReportedSuite[] = [];
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
      if (!loaded.suite || loaded.diagnostics.some((d) => d.severity === "error")) {
        ctx.stderr.write(formatDiagnostics(file, suiteSource, loaded.diagnostics));
        broken++;
        continue;
      }
      const rulesFile = join(dirname(file), basename(file).replace(/\.test\.yaml$/, ".yaml"));
      let compiled;
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
      const result = await runSuite(compiled, loaded.suite, { suiteSource, ...(tags.length ? { tags } : {}) });
      reported.push({ file, result });
    }
    const out = reporter === "junit" ? junitReport(reported) : textReport(reported, { color: false });
    ctx.stdout.write(out.endsWith("\n") ? out : `${out}\n`);
    const failed = reported.some((r) => r.result.failed > 0);
    return failed || broken > 0 ? EXIT_FAILURE : EXIT_OK;
  });
}
