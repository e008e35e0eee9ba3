/**
 * The `rules` command line run in-process through `main` with captured output, shared by the CLI
 * tests and the seed-case tests (fast: no child process).
 */
import { main } from "../../cli/main.js";

/** A stand-in for a CliContext's stdout / stderr that keeps everything written to it in `text`. */
export function capture() {
  let text = "";
  return {
    write(chunk: string) {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
  };
}

/** Runs `rules <args>` in-process in `cwd`: the exit code and what it wrote to stdout and stderr. */
export async function runRules(args: string[], cwd: string) {
  const stdout = capture();
  const stderr = capture();
  const code = await main({ argv: args, stdout, stderr, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
