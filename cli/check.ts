/** `rules check <file...>`: every diagnostic of every file, one per line, and a summary. */
import { COMMAND_HELP } from "./help.js";
import {
  count,
  EXIT_FAILURE,
  EXIT_OK,
  formatDiagnostics,
  guard,
  InputError,
  parseCommandLine,
  readTextFile,
  UsageError,
  type CliContext,
  type Tally,
} from "./io.js";
import type { Diagnostic } from "../dsl/diagnostics.js";
import { diagnoseSource, summary } from "./rule-file.js";
import { diagnoseSuite } from "./suite-file.js";

/** `diagnoseWith` is injectable for tests (defaults to the compiler's `diagnose`). */
export function check(
  ctx: CliContext,
  diagnoseWith: (source: string) => readonly Diagnostic[] = diagnoseSource,
): Promise<number> {
  return guard(ctx, () => {
    const { values, positionals } = parseCommandLine("check", ctx.argv, {});
    if (values.help) {
      ctx.stdout.write(COMMAND_HELP.check ?? "");
      return EXIT_OK;
    }
    if (positionals.length === 0) throw new UsageError("falta o arquivo de regras a verificar", "check");
    const tally: Tally = { errors: 0, warnings: 0 };
    for (const file of positionals) {
      let source: string;
      try {
        source = readTextFile(ctx, file);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        ctx.stderr.write(`erro: ${e.message}\n`);
        tally.errors++;
        continue;
      }
      // A test suite beside the rule sets (`rules check rules/*.yaml`) is checked as a suite.
      // Its names and values are compared with the rule set beside it (x.test.yaml → x.yaml).
      const diagnostics = file.endsWith(".test.yaml")
        ? diagnoseSuite(ctx, file, source).diagnostics
        : diagnoseWith(source);
      ctx.stdout.write(formatDiagnostics(file, source, diagnostics));
      count(tally, diagnostics);
    }
    ctx.stderr.write(summary(tally, positionals.length));
    return tally.errors > 0 ? EXIT_FAILURE : EXIT_OK;
  });
}
