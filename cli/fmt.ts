/**
 * `rules fmt <file...> [--check | --write]`: canonical formatting (`dsl/format/format.ts`).
 * A file with syntax errors is reported and never written; `--write` writes through a temporary
 * file in the same directory and a rename, so a file is never left half-written.
 */
import { formatRuleSet } from "../dsl/format/format.js";
import { COMMAND_HELP } from "./help.js";
import {
  count,
  EXIT_FAILURE,
  EXIT_OK,
  formatDiagnostics,
  guard,
  InputError,
  parseCommandLine,
  plural,
  readTextFile,
  resolvePath,
  UsageError,
  writeFileAtomically,
  type CliContext,
  type Tally,
} from "./io.js";
import { summary } from "./rule-file.js";

export function fmt(ctx: CliContext): Promise<number> {
  return guard(ctx, () => {
    const { values, positionals } = parseCommandLine("fmt", ctx.argv, {
      check: { type: "boolean" },
      write: { type: "boolean" },
    });
    if (values.help) {
      ctx.stdout.write(COMMAND_HELP.fmt ?? "");
      return EXIT_OK;
    }
    if (positionals.length === 0) throw new UsageError("falta o arquivo de regras a formatar", "fmt");
    if (values.check && values.write) throw new UsageError("use --check ou --write, não os dois juntos", "fmt");
    const mode = values.write ? "write" : values.check ? "check" : "print";

    let failed = false;
    const tally: Tally = { errors: 0, warnings: 0 };
    const unformatted: string[] = [];
    let written = 0;
    for (const file of positionals) {
      let source: string;
      try {
        source = readTextFile(ctx, file);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        ctx.stderr.write(`erro: ${e.message}\n`);
        failed = true;
        continue;
      }
      const result = formatRuleSet(source);
      if (result.text === undefined) {
        ctx.stderr.write(formatDiagnostics(file, source, result.diagnostics));
        ctx.stderr.write(`${file}: não formatado (corrija os erros de sintaxe acima; o arquivo não foi alterado)\n`);
        count(tally, result.diagnostics);
        failed = true;
        continue;
      }
      const text = result.text;
      if (mode === "print") {
        ctx.stdout.write(text);
      } else if (mode === "check") {
        if (text !== source) {
          unformatted.push(file);
          ctx.stdout.write(`${file}\n`);
        }
      } else if (text !== source) {
        writeFileAtomically(resolvePath(ctx, file), text);
        ctx.stderr.write(`formatado: ${file}\n`);
        written++;
      }
    }
    if (tally.errors > 0) ctx.stderr.write(summary(tally, positionals.length));
    if (mode === "check") {
      if (unformatted.length > 0) {
        ctx.stderr.write(
          `${plural(unformatted.length, "arquivo não está formatado", "arquivos não estão formatados")} (use: rules fmt --write <arquivo...>)\n`,
        );
        failed = true;
      } else if (!failed) {
        ctx.stderr.write(
          `${positionals.length === 1 ? "O arquivo está formatado" : "Todos os arquivos estão formatados"}.\n`,
        );
      }
    }
    if (mode === "write") ctx.stderr.write(`${plural(written, "arquivo reescrito", "arquivos reescritos")}.\n`);
    return failed ? EXIT_FAILURE : EXIT_OK;
  });
}
