/**
 * `rules dmn import|export|test`: decision tables to and from DMN files, and test files in the DMN
 * TCK format run against a rule set.
 *
 * - `import <arquivo.dmn> [--out pasta] [--force] [--json]`: each decision table of the file becomes
 *   a rule set (`dsl/dmn/import.ts`), written to `<pasta>/<nome>.yaml`; no file is overwritten
 *   without `--force` (checked for every file before anything is written); each file is written
 *   through a temporary file and a rename.
 * - `export <regras.yaml> [--table nome] [--out arquivo.dmn] [--force] [--json]`: the rule set's
 *   decision tables as a DMN 1.5 file (`dsl/dmn/export.ts`), by default `<regras>.dmn` beside it.
 * - `test <regras.yaml> <testCases.xml> [--junit arquivo] [--json]`: the cases of a TCK test file
 *   (`tester/dmn-tck.ts`), reported like `rules test`.
 *
 * DMN and TCK files are untrusted: they are bounded in bytes before being read (the XML reader,
 * `dsl/dmn/xml.ts`, also bounds depth and element count and never expands entities). Diagnostics
 * are printed one per line as `arquivo:linha:coluna: erro: <elemento>: <mensagem>`.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { exportDmn } from "../dsl/dmn/export.js";
import { importDmn } from "../dsl/dmn/import.js";
import type { DmnDiagnostic } from "../dsl/dmn/types.js";
import { XML_LIMITS, XmlError } from "../dsl/dmn/xml.js";
import { loadRuleSet } from "../dsl/ruleset/load.js";
import { parseTckTestFile, runTck, TckFormatError, type TckTestFile } from "../tester/dmn-tck.js";
import { failureLines, junitReport, textReport } from "../tester/report.js";
import { COMMAND_HELP } from "./help.js";
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  guard,
  InputError,
  parseCommandLine,
  plural,
  readFileBytes,
  readTextFile,
  resolvePath,
  UsageError,
  writeFileAtomically,
  type CliContext,
} from "./io.js";
import { compileFile } from "./rule-file.js";

/** A rule-set name as the importer gives it (also keeps file names inside the chosen folder). */
const RULESET_FILE_NAME = /^[a-z0-9][a-z0-9-]*$/;

export function dmn(ctx: CliContext): Promise<number> {
  return guard(ctx, async () => {
    const [sub, ...rest] = ctx.argv;
    if (sub === undefined || sub === "--help" || sub === "-h") {
      (sub === undefined ? ctx.stderr : ctx.stdout).write(COMMAND_HELP.dmn ?? "");
      return sub === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (sub === "import") return importCommand({ ...ctx, argv: rest });
    if (sub === "export") return exportCommand({ ...ctx, argv: rest });
    if (sub === "test") return testCommand({ ...ctx, argv: rest });
    throw new UsageError(
      `subcomando desconhecido "${sub}" (use: rules dmn import, rules dmn export ou rules dmn test)`,
      "dmn",
    );
  });
}

// ---------------------------------------------------------------- shared

const SEVERITY: Record<DmnDiagnostic["severity"], string> = { error: "erro", warning: "aviso", info: "info" };

/** `arquivo:linha:coluna: erro: <elemento>: <mensagem>` (no position when the diagnostic has none). */
export function formatDmnDiagnostic(file: string, d: DmnDiagnostic): string {
  const at = d.line !== undefined ? `${file}:${d.line}:${d.column ?? 1}` : file;
  const message = d.message.replace(/\s*(?:\r\n|\r|\n)\s*/g, " ");
  // A diagnostic about the whole file names the file as its element: said once, not twice.
  const element = d.element && d.element !== basename(file) && d.element !== file ? `${d.element}: ` : "";
  return `${at}: ${SEVERITY[d.severity]}: ${element}${message}\n`;
}

/** An XML reading error (or a TCK format error) as a diagnostic line (no element: it is about the file). */
function xmlProblem(file: string, e: XmlError | TckFormatError): string {
  return formatDmnDiagnostic(file, { ...xmlDiagnostic(e), element: "" });
}

/** An XML reading error (or a TCK format error) as a diagnostic about the whole file. */
function xmlDiagnostic(e: XmlError | TckFormatError): DmnDiagnostic {
  return {
    severity: "error",
    element: "arquivo",
    message: e.message.replace(/^linha \d+, coluna \d+: /, ""),
    ...(e.line !== undefined ? { line: e.line, column: e.column ?? 1 } : {}),
  };
}

/** The output of `--json`: indented, one document. */
function writeJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The bytes of an XML file given by the user, refused before reading when larger than the XML limit. */
function readXmlFile(ctx: CliContext, file: string, what: string): Uint8Array {
  return readFileBytes(
    ctx,
    file,
    { notADirectory: what },
    {
      maxBytes: XML_LIMITS.maxBytes,
      message: (name, size) =>
        `${name} tem ${size} bytes, acima do limite de ${XML_LIMITS.maxBytes} bytes (10 MB) para um arquivo importado`,
    },
  );
}

function nonEmpty(value: string | boolean | undefined, option: string, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`${option} precisa ${what}`, "dmn");
  return value;
}

// ---------------------------------------------------------------- import

async function importCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandLine("dmn", ctx.argv, {
    out: { type: "string", short: "o" },
    force: { type: "boolean" },
    json: { type: "boolean" },
  });
  if (values.help) {
    ctx.stdout.write(COMMAND_HELP.dmn ?? "");
    return EXIT_OK;
  }
  const [file, extra] = positionals;
  if (file === undefined) throw new UsageError("informe o arquivo DMN: rules dmn import <arquivo.dmn>", "dmn");
  if (extra !== undefined) throw new UsageError(`argumento inesperado "${extra}"`, "dmn");
  const outDir = nonEmpty(values.out, "--out", "da pasta onde gravar os conjuntos de regras") ?? ".";
  const json = values.json === true;
  const outPath = resolvePath(ctx, outDir);
  if (existsSync(outPath) && !statSync(outPath).isDirectory())
    throw new InputError(`${outDir} não é uma pasta (--out recebe a pasta onde gravar os arquivos .yaml)`);
  const bytes = readXmlFile(ctx, file, "um arquivo DMN");

  let result: ReturnType<typeof importDmn>;
  try {
    result = importDmn(bytes, { fileName: basename(file) });
  } catch (e) {
    if (!(e instanceof XmlError)) throw e;
    if (json) writeJson(ctx, { ruleSets: [], diagnostics: [xmlDiagnostic(e)] });
    else ctx.stderr.write(xmlProblem(file, e));
    return EXIT_FAILURE;
  }

  // Every target decided and checked before anything is written.
  const targets = result.ruleSets.map((r) => {
    if (!RULESET_FILE_NAME.test(r.name))
      throw new InputError(`o nome de conjunto de regras "${r.name}" não serve de nome de arquivo`);
    const shown = outDir === "." ? `${r.name}.yaml` : join(outDir, `${r.name}.yaml`);
    return { ruleSet: r, path: join(outPath, `${r.name}.yaml`), shown };
  });
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.path)) throw new InputError(`duas decisões dariam o mesmo arquivo ${t.shown}; nada foi gravado`);
    seen.add(t.path);
  }
  if (!values.force) {
    const existing = targets.filter((t) => existsSync(t.path)).map((t) => t.shown);
    if (existing.length > 0)
      throw new InputError(
        `${existing.join(", ")} já ${existing.length === 1 ? "existe" : "existem"}; nada foi gravado (use --force para substituir ou --out para outra pasta)`,
      );
  }
  if (targets.length > 0) mkdirSync(outPath, { recursive: true });
  for (const t of targets) writeFileAtomically(t.path, t.ruleSet.yaml, t.shown);

  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (json) {
    writeJson(ctx, {
      ...(result.dmnVersion !== undefined ? { dmnVersion: result.dmnVersion } : {}),
      ruleSets: targets.map((t) => ({
        name: t.ruleSet.name,
        decision: t.ruleSet.decision,
        table: t.ruleSet.table,
        file: t.shown,
      })),
      diagnostics: result.diagnostics,
    });
  } else {
    for (const d of result.diagnostics) ctx.stdout.write(formatDmnDiagnostic(file, d));
    for (const t of targets)
      ctx.stderr.write(`gravado: ${t.shown} (decisão "${t.ruleSet.decision}", tabela ${t.ruleSet.table})\n`);
    ctx.stderr.write(
      targets.length === 0
        ? `nenhuma tabela de decisão importada de ${file}${errors ? ` (${plural(errors, "erro", "erros")})` : ""}\n`
        : `${plural(targets.length, "conjunto de regras importado", "conjuntos de regras importados")} de ${file}${errors ? `; ${plural(errors, "erro", "erros")}` : ""}\n`,
    );
  }
  return targets.length === 0 || errors > 0 ? EXIT_FAILURE : EXIT_OK;
}

// ---------------------------------------------------------------- export

/** `regras.yaml` → `regras.dmn`, beside it. */
function defaultDmnPath(file: string): string {
  return /\.ya?ml$/i.test(file) ? file.replace(/\.ya?ml$/i, ".dmn") : `${file}.dmn`;
}

async function exportCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandLine("dmn", ctx.argv, {
    table: { type: "string" },
    out: { type: "string", short: "o" },
    force: { type: "boolean" },
    json: { type: "boolean" },
  });
  if (values.help) {
    ctx.stdout.write(COMMAND_HELP.dmn ?? "");
    return EXIT_OK;
  }
  const [file, extra] = positionals;
  if (file === undefined)
    throw new UsageError("informe o arquivo de regras: rules dmn export <regras.yaml> [--table nome]", "dmn");
  if (extra !== undefined) throw new UsageError(`argumento inesperado "${extra}"`, "dmn");
  const table = nonEmpty(values.table, "--table", "do nome de uma tabela");
  const target = nonEmpty(values.out, "--out", "do nome do arquivo .dmn a gravar") ?? defaultDmnPath(file);
  const json = values.json === true;
  const path = resolvePath(ctx, target);
  const source = readTextFile(ctx, file);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new InputError(`${target} é uma pasta; informe o arquivo .dmn em --out`);
    if (!values.force)
      throw new InputError(`${target} já existe; use --force para substituí-lo ou --out para outro arquivo`);
  }
  const result = exportDmn(source, { fileName: basename(file), ...(table !== undefined ? { table } : {}) });
  if (result.xml !== undefined) writeFileAtomically(path, result.xml, target);
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (json) {
    writeJson(ctx, {
      ...(result.xml !== undefined ? { file: target } : {}),
      exported: result.exported,
      diagnostics: result.diagnostics,
    });
  } else {
    for (const d of result.diagnostics) ctx.stdout.write(formatDmnDiagnostic(file, d));
    ctx.stderr.write(
      result.xml !== undefined
        ? `gravado: ${target} (${plural(result.exported.length, "tabela", "tabelas")}: ${result.exported.join(", ")})${errors ? `; ${plural(errors, "erro", "erros")}` : ""}\n`
        : `nenhuma tabela exportada de ${file}${errors ? ` (${plural(errors, "erro", "erros")})` : ""}\n`,
    );
  }
  return result.xml === undefined || errors > 0 ? EXIT_FAILURE : EXIT_OK;
}

// ---------------------------------------------------------------- test

async function testCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandLine("dmn", ctx.argv, {
    junit: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) {
    ctx.stdout.write(COMMAND_HELP.dmn ?? "");
    return EXIT_OK;
  }
  const [rulesFile, testFile, extra] = positionals;
  if (rulesFile === undefined || testFile === undefined)
    throw new UsageError(
      "informe o conjunto de regras e o arquivo de testes: rules dmn test <regras.yaml> <testCases.xml>",
      "dmn",
    );
  if (extra !== undefined) throw new UsageError(`argumento inesperado "${extra}"`, "dmn");
  const junit = nonEmpty(values.junit, "--junit", "do nome do arquivo JUnit a gravar");
  const json = values.json === true;

  // The test file first: a broken file is reported without compiling anything.
  const bytes = readXmlFile(ctx, testFile, "um arquivo de testes do DMN TCK");
  let tck: TckTestFile;
  try {
    tck = parseTckTestFile(bytes);
  } catch (e) {
    if (!(e instanceof XmlError) && !(e instanceof TckFormatError)) throw e;
    ctx.stderr.write(xmlProblem(testFile, e));
    return EXIT_FAILURE;
  }
  if (tck.cases.length === 0) throw new InputError(`${testFile} não tem nenhum caso de teste (<testCase>)`);
  if (junit !== undefined && existsSync(resolvePath(ctx, junit)) && statSync(resolvePath(ctx, junit)).isDirectory())
    throw new InputError(`${junit} é uma pasta; informe o arquivo JUnit em --junit`);

  const compiled = compileFile(ctx, rulesFile);
  if (!compiled) return EXIT_FAILURE;
  const model = loadRuleSet(readTextFile(ctx, rulesFile)).model;
  if (!model) throw new InputError(`${rulesFile} não pôde ser lido de novo`);
  const result = await runTck(compiled, model, tck);
  const reported = [{ file: testFile, result, rulesFile }];

  if (json) {
    writeJson(ctx, {
      ruleset: result.ruleset,
      rulesFile,
      testFile,
      ...(tck.modelName !== undefined ? { modelName: tck.modelName } : {}),
      passed: result.passed,
      failed: result.failed,
      cases: result.cases.map((k, i) => ({
        id: tck.cases[i]?.id,
        name: k.name,
        passed: k.passed,
        line: k.line,
        column: k.column,
        failures: failureLines(k),
      })),
      coverage: result.coverage.percent,
    });
  } else {
    const text = textReport(reported, { color: false });
    ctx.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }
  if (junit !== undefined) {
    const junitPath = resolvePath(ctx, junit);
    mkdirSync(dirname(junitPath), { recursive: true });
    writeFileAtomically(junitPath, junitReport(reported), junit);
    ctx.stderr.write(`JUnit gravado: ${junit}\n`);
  }
  return result.failed === 0 ? EXIT_OK : EXIT_FAILURE;
}
