/** `rules decide <file> --facts <json|@file> [--explain]`: one decision, as JSON on stdout. */
import { createLineIndex } from "../dsl/positions.js";
import { isDecisionError } from "../engine/errors.js";
import { createRuntime } from "../engine/runtime.js";
import { singleFile } from "./compile.js";
import { COMMAND_HELP } from "./help.js";
import {
  EXIT_FAILURE,
  EXIT_OK,
  guard,
  InputError,
  parseCommandLine,
  readTextFile,
  UsageError,
  type CliContext,
} from "./io.js";
import { findJsonError } from "./json-error.js";
import { compileFile } from "./rule-file.js";

export function decide(ctx: CliContext): Promise<number> {
  return guard(ctx, async () => {
    const { values, positionals } = parseCommandLine("decide", ctx.argv, {
      facts: { type: "string" },
      explain: { type: "boolean" },
    });
    if (values.help) {
      ctx.stdout.write(COMMAND_HELP.decide ?? "");
      return EXIT_OK;
    }
    const file = singleFile(positionals, "decide");
    const factsArg = values.facts;
    if (typeof factsArg !== "string")
      throw new UsageError("falta a opção obrigatória --facts (os fatos em JSON, ou @arquivo.json)", "decide");
    const facts = readFacts(ctx, factsArg);
    const compiled = compileFile(ctx, file);
    if (!compiled) return EXIT_FAILURE;
    const runtime = createRuntime(compiled);
    try {
      const result = await runtime.decide(facts, { explain: values.explain === true });
      const out = { decision: result.decision, fired: result.fired, ...(result.trace ? { trace: result.trace } : {}) };
      ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return EXIT_OK;
    } catch (e) {
      if (!isDecisionError(e)) throw e;
      if (e.code === "INVALID_FACTS") {
        ctx.stderr.write(`fatos inválidos: ${e.message}\n`);
        for (const d of e.details) ctx.stderr.write(`${d.path ? d.path : "(fatos)"}: ${d.message}\n`);
      } else {
        ctx.stderr.write(`defeito no conjunto de regras: ${e.message}\n`);
        // Each detail where it is written in the rule set (file:line:column), as `rules check` prints.
        for (const d of e.details)
          ctx.stderr.write(
            `${d.line !== undefined ? `${file}:${d.line}:${d.column ?? 1}: ` : ""}${d.path ? `${d.path}: ` : ""}${d.message}\n`,
          );
      }
      return EXIT_FAILURE;
    }
  });
}

/** The facts of `--facts`: inline JSON, or `@path` to a JSON file. Bad JSON → InputError with its position. */
function readFacts(ctx: CliContext, arg: string): unknown {
  const fromFile = arg.startsWith("@");
  const where = fromFile ? arg.slice(1) : "";
  if (fromFile && where === "")
    throw new UsageError("informe o arquivo de fatos depois de @, por exemplo --facts @fatos.json", "decide");
  const text = fromFile ? readTextFile(ctx, where) : arg;
  try {
    return JSON.parse(text);
  } catch (e) {
    const found = findJsonError(text);
    if (!found) throw new InputError(`JSON inválido em --facts: ${e instanceof Error ? e.message : String(e)}`);
    const { line, column } = createLineIndex(text).toPosition(found.offset);
    const place = fromFile ? `${where}:${line}:${column}` : `--facts, linha ${line}, coluna ${column}`;
    throw new InputError(`JSON inválido em ${place} (posição ${found.offset}): ${found.message}`);
  }
}
