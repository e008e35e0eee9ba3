/**
 * What every command shares: the injectable IO (so tests run commands in-process), exit codes,
 * user-facing errors, option parsing with `util.parseArgs` (messages in Portuguese), reading the
 * files users give (bounded in bytes when asked), writing files safely (a temporary file and a
 * rename) and printing diagnostics in the `file:line:column: severity code message` form that
 * editors and CI parse.
 */
import { chmodSync, readFileSync, renameSync, rmSync, type Stats, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { didYouMean, type Diagnostic } from "../dsl/diagnostics.js";
import { createLineIndex, locateRange } from "../dsl/positions.js";

/** Anything with `write` (process.stdout, a test buffer). */
export interface Output {
  write(chunk: string): unknown;
}

/** The IO of one command run. `argv` holds the arguments after the command name. */
export interface CliContext {
  readonly argv: readonly string[];
  readonly stdout: Output;
  readonly stderr: Output;
  /** Directory that relative paths are resolved against. */
  readonly cwd: string;
}

export const EXIT_OK = 0;
/** Problems in the input: diagnostics, unreadable files, invalid facts. */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong. */
export const EXIT_USAGE = 2;

/** A mistake in the command line (exit 2). */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Command whose help the message should point to. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** A problem with an input file or value (exit 1). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
}

export interface ParsedCommandLine {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/**
 * Parses a command's arguments strictly (`--help`/`-h` always accepted). Unknown options,
 * missing option values and the like become UsageErrors in Portuguese.
 */
export function parseCommandLine(
  command: string,
  argv: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
): ParsedCommandLine {
  const config: ParseArgsConfig = {
    args: [...argv],
    options: { ...options, help: { type: "boolean", short: "h" } },
    strict: true,
    allowPositionals: true,
  };
  try {
    const { values, positionals } = parseArgs(config);
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    throw new UsageError(translateParseError(e, argv, Object.keys(options)), command);
  }
}

function translateParseError(e: unknown, argv: readonly string[], known: readonly string[]): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const option = quoted ?? argv.find((a) => a.startsWith("-")) ?? "";
    const name = option.replace(/^-+/, "").split("=")[0] ?? "";
    const hint = didYouMean(name, [...known, "help"]).replace(/"([^"]+)"\?$/, '"--$1"?');
    return `opção desconhecida "${option}".${hint}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const option = /(--[\w-]+)/.exec(message)?.[1] ?? quoted ?? "";
    if (/argument missing/.test(message)) return `a opção ${option} precisa de um valor`;
    if (/ambiguous/.test(message))
      return `a opção ${option} precisa de um valor (para um valor que começa com "-", escreva ${option}=valor)`;
    return `a opção ${option} não aceita valor`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `argumento inesperado "${quoted ?? ""}"`;
  return `linha de comando inválida: ${message}`;
}

/** Absolute path of a user-given path. */
export function resolvePath(ctx: CliContext, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

/** How the messages of `readFileBytes` name the file being read (each followed by the file's name). */
export interface FileWording {
  /** `arquivo não encontrado` */
  readonly notFound: string;
  /** `sem permissão para ler o arquivo`; when undefined, a refused read is reported as `unreadable`. */
  readonly denied?: string | undefined;
  /** `não foi possível ler o arquivo` (the system's reason follows). */
  readonly unreadable: string;
  /** Follows `<file> é um diretório, não`: `um arquivo DMN`. */
  readonly notADirectory: string;
}

const FILE_WORDING: FileWording = {
  notFound: "arquivo não encontrado",
  denied: "sem permissão para ler o arquivo",
  unreadable: "não foi possível ler o arquivo",
  notADirectory: "um arquivo (informe o arquivo .yaml)",
};

/** A bound on the bytes of a file, checked before the file is read. */
export interface SizeLimit {
  readonly maxBytes: number;
  /** The message when the file is larger (its name and size given). */
  readonly message: (file: string, size: number) => string;
}

/**
 * The bytes of a file given by the user; InputError (in Portuguese, worded by `wording`) when it is
 * missing, a directory, unreadable or larger than `limit` (checked before reading anything).
 */
export function readFileBytes(
  ctx: CliContext,
  file: string,
  wording: Partial<FileWording> = {},
  limit?: SizeLimit,
): Buffer {
  const words = { ...FILE_WORDING, ...wording };
  const path = resolvePath(ctx, file);
  const failure = (e: unknown): InputError => {
    const code = (e as { code?: unknown }).code;
    if (words.denied !== undefined && (code === "EACCES" || code === "EPERM"))
      return new InputError(`${words.denied}: ${file}`);
    return new InputError(`${words.unreadable} ${file}: ${e instanceof Error ? e.message : String(e)}`);
  };
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new InputError(`${words.notFound}: ${file}`);
    throw failure(e);
  }
  if (stat.isDirectory()) throw new InputError(`${file} é um diretório, não ${words.notADirectory}`);
  if (limit !== undefined && stat.size > limit.maxBytes) throw new InputError(limit.message(file, stat.size));
  try {
    return readFileSync(path);
  } catch (e) {
    throw failure(e);
  }
}

/** Reads a UTF-8 text file given by the user; InputError (in Portuguese) when it cannot. */
export function readTextFile(ctx: CliContext, path: string): string {
  const text = readFileBytes(ctx, path).toString("utf8");
  // A byte-order mark is not part of the rule set.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Writes `data` to `path` through a temporary file in the same folder and a rename, so that the file
 * is never left half-written; a file replaced keeps its permissions. `shown` names the file in the
 * error (the path itself by default).
 */
export function writeFileAtomically(path: string, data: string | Uint8Array, shown: string = path): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let mode: number | undefined;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch {
    // A new file.
  }
  try {
    writeFileSync(temp, data, { flag: "wx", mode: mode ?? 0o644 });
    // The mode given when creating is narrowed by the umask; a replaced file keeps exactly its own.
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new InputError(`não foi possível gravar ${shown}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Messages are printed on one line (editors and CI read one diagnostic per line). */
function oneLine(text: string): string {
  return text.replace(/\s*(?:\r\n|\r|\n)\s*/g, " ");
}

/**
 * Diagnostics of one file as lines `file:line:column: severity code message`; related
 * information follows, indented, as `  file:line:column: nota: message`.
 */
export function formatDiagnostics(file: string, source: string, diagnostics: readonly Diagnostic[]): string {
  const index = createLineIndex(source);
  let out = "";
  for (const d of diagnostics) {
    const at = locateRange(index, d.range);
    out += `${file}:${at.line}:${at.column}: ${d.severity} ${d.code} ${oneLine(d.message)}\n`;
    for (const r of d.related ?? []) {
      const rat = locateRange(index, r.range);
      out += `  ${file}:${rat.line}:${rat.column}: nota: ${oneLine(r.message)}\n`;
    }
  }
  return out;
}

export interface Tally {
  errors: number;
  warnings: number;
}

/** Adds the diagnostics' errors and warnings to a tally. */
export function count(tally: Tally, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    if (d.severity === "error") tally.errors++;
    else if (d.severity === "warning") tally.warnings++;
  }
}

/** Portuguese count with plural: `1 erro`, `2 erros`. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Runs a command body, turning UsageError / InputError into messages and exit codes (never a stack trace). */
export async function guard(ctx: CliContext, body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.stderr.write(`erro: ${e.message}\n`);
      ctx.stderr.write(e.command ? `Veja: rules ${e.command} --help\n` : "Veja: rules --help\n");
      return EXIT_USAGE;
    }
    if (e instanceof InputError) {
      ctx.stderr.write(`erro: ${e.message}\n`);
      return EXIT_FAILURE;
    }
    ctx.stderr.write(`erro interno: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILURE;
  }
}
