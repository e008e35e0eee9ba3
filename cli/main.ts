/**
 * The `rules` command line: dispatches to one module per command. Every command is a function of
 * an injectable IO (`CliContext`) returning an exit code, so tests run them in-process; `runCli`
 * binds them to the process (used by `bin/rules.js`, which runs the compiled `dist/cli/main.js`; also
 * runnable directly: `node dist/cli/main.js`, or `node --import tsx cli/main.ts` from the sources).
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { didYouMean } from "../dsl/diagnostics.js";
import { check } from "./check.js";
import { compile } from "./compile.js";
import { decide } from "./decide.js";
import { dmn } from "./dmn.js";
import { fmt } from "./fmt.js";
import { promote } from "./promote.js";
import { publish } from "./publish.js";
import { replayCommand } from "./replay.js";
import { table } from "./table.js";
import { test } from "./test.js";
import { token } from "./token.js";
import { COMMAND_HELP, USAGE, version } from "./help.js";
import { EXIT_OK, EXIT_USAGE, guard, UsageError, type CliContext } from "./io.js";

export type { CliContext, Output } from "./io.js";
export { check, compile, decide, fmt, promote, publish, test, token };

export const COMMANDS: Readonly<Record<string, (ctx: CliContext) => Promise<number>>> = {
  check,
  compile,
  decide,
  fmt,
  test,
  publish: (ctx) => publish(ctx),
  replay: (ctx) => replayCommand(ctx),
  promote: (ctx) => promote(ctx),
  table,
  token,
  dmn,
};

/** Runs `rules <args>`; `ctx.argv` holds the arguments after `rules`. Never throws. */
export function main(ctx: CliContext): Promise<number> {
  return guard(ctx, () => {
    const [first, ...rest] = ctx.argv;
    if (first === undefined) {
      ctx.stderr.write(USAGE);
      return EXIT_USAGE;
    }
    if (first === "--help" || first === "-h") {
      ctx.stdout.write(USAGE);
      return EXIT_OK;
    }
    if (first === "help") {
      const topic = rest[0];
      if (topic === undefined) {
        ctx.stdout.write(USAGE);
        return EXIT_OK;
      }
      const text = COMMAND_HELP[topic];
      if (!text) throw new UsageError(`comando desconhecido "${topic}".${didYouMean(topic, Object.keys(COMMANDS))}`);
      ctx.stdout.write(text);
      return EXIT_OK;
    }
    if (first === "--version" || first === "-v" || first === "-V") {
      ctx.stdout.write(`rules ${version()}\n`);
      return EXIT_OK;
    }
    if (first.startsWith("-"))
      throw new UsageError(`opção desconhecida "${first}" (informe um comando antes das opções)`);
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (!command)
      throw new UsageError(
        `comando desconhecido "${first}".${didYouMean(first, Object.keys(COMMANDS))} Comandos: ${Object.keys(COMMANDS).join(", ")}`,
      );
    return command({ ...ctx, argv: rest });
  });
}

/** Runs the CLI on the process: `processArgv` as in `process.argv` (node, script, args...). */
export async function runCli(processArgv: readonly string[] = process.argv): Promise<number> {
  // `rules compile x | head` closes stdout early: that is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  return main({ argv: processArgv.slice(2), stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await runCli();
