/** Reading, checking and compiling one rule file for the commands. */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { compileSource, diagnose, MAX_SOURCE_LENGTH } from "../dsl/compile/pipeline.js";
import { createError, hasErrors, type Diagnostic } from "../dsl/diagnostics.js";
import { count, formatDiagnostics, plural, readTextFile, type CliContext, type Tally } from "./io.js";

/** Every diagnostic of a source (load and check in one pass), as `rules check` reports them. */
export function diagnoseSource(source: string): readonly Diagnostic[] {
  try {
    // diagnose() has no size limit; compileSource() reports an oversized file.
    if (source.length > MAX_SOURCE_LENGTH) return compileSource(source).diagnostics;
    const result = diagnose(source);
    // diagnose() swallows a crash of the checker (no `check` in its result): never report "no problems" then.
    if (result.model && !result.check) {
      return [
        ...result.diagnostics,
        createError(
          "internal/error",
          "erro interno na verificação de nomes e tipos: o arquivo não pôde ser verificado por completo",
          result.model.nameRange,
        ),
      ];
    }
    return result.diagnostics;
  } catch (e) {
    return [internalError(e)];
  }
}

function internalError(e: unknown): Diagnostic {
  return createError("internal/error", `erro interno: ${e instanceof Error ? e.message : String(e)}`, {
    start: 0,
    end: 0,
  });
}

/** The summary line of a run: `2 erros e 1 aviso em 3 arquivos`. */
export function summary(tally: Tally, files: number): string {
  if (tally.errors === 0 && tally.warnings === 0)
    return `Nenhum problema em ${plural(files, "arquivo", "arquivos")}.\n`;
  return `${plural(tally.errors, "erro", "erros")} e ${plural(tally.warnings, "aviso", "avisos")} em ${plural(files, "arquivo", "arquivos")}.\n`;
}

/**
 * Reads and compiles a rule file. On errors prints every diagnostic (like `rules check`) and a
 * summary on stderr and returns undefined; warnings of a successful compilation go to stderr too.
 */
export function compileFile(ctx: CliContext, file: string): CompiledRuleSet | undefined {
  const source = readTextFile(ctx, file);
  let compiled: CompiledRuleSet | undefined;
  let diagnostics: readonly Diagnostic[];
  try {
    const result = compileSource(source);
    compiled = result.ok ? result.compiled : undefined;
    diagnostics = result.diagnostics;
  } catch (e) {
    compiled = undefined;
    diagnostics = [internalError(e)];
  }
  if (!compiled) {
    // Compilation stops at the first failing stage; report everything, as `check` does.
    const all = diagnoseSource(source);
    if (hasErrors(all)) diagnostics = all;
    if (!hasErrors(diagnostics))
      diagnostics = [
        ...diagnostics,
        createError("internal/error", "o arquivo não pôde ser compilado", { start: 0, end: 0 }),
      ];
  }
  if (diagnostics.length > 0) {
    ctx.stderr.write(formatDiagnostics(file, source, diagnostics));
    const tally: Tally = { errors: 0, warnings: 0 };
    count(tally, diagnostics);
    if (!compiled) ctx.stderr.write(summary(tally, 1));
  }
  return compiled;
}
