/** `rules compile <file> [--rules-only]`: the compiled rule set as JSON on stdout. */
import { COMMAND_HELP } from "./help.js";
import { EXIT_FAILURE, EXIT_OK, guard, parseCommandLine, UsageError, type CliContext } from "./io.js";
import { compileFile } from "./rule-file.js";

export function compile(ctx: CliContext): Promise<number> {
  return guard(ctx, () => {
    const { values, positionals } = parseCommandLine("compile", ctx.argv, { "rules-only": { type: "boolean" } });
    if (values.help) {
      ctx.stdout.write(COMMAND_HELP.compile ?? "");
      return EXIT_OK;
    }
    const file = singleFile(positionals, "compile");
    const compiled = compileFile(ctx, file);
    if (!compiled) return EXIT_FAILURE;
    ctx.stdout.write(`${JSON.stringify(values["rules-only"] ? compiled.rules : compiled, null, 2)}\n`);
    return EXIT_OK;
  });
}

/** The one rule file of a command that takes exactly one. */
export function singleFile(positionals: readonly string[], command: string): string {
  if (positionals.length === 0) throw new UsageError("falta o arquivo de regras", command);
  if (positionals.length > 1)
    throw new UsageError(
      `este comando aceita um só arquivo, mas recebeu ${positionals.length}: ${positionals.join(" ")}`,
      command,
    );
  return positionals[0] as string;
}
