/**
 * `rules promote <decisionId> --from <arquivo|URL> [--name N] [--tag T ...] [--suite F] [--force]`:
 * a decision the service logged becomes a case of its rule set's suite (tester/promote.ts). The
 * record comes from the service (`GET /v1/decisions/:id`, token from --token or RULES_TOKEN) or
 * from a file of records (JSON Lines, a JSON list, one record or a page `{ items }`). The suite
 * defaults to `rules/<conjunto>.test.yaml` (from the working folder); the case is checked against
 * the rule set beside it when there is one, and the suite is rewritten through a temporary file
 * and a rename, so it is never half-written.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { LoggedDecision } from "../tester/logged-decision.js";
import { PromoteError, promoteDecision } from "../tester/promote.js";
import { COMMAND_HELP } from "./help.js";
import {
  EXIT_OK,
  guard,
  InputError,
  parseCommandLine,
  readTextFile,
  resolvePath,
  UsageError,
  type CliContext,
} from "./io.js";
import { compileFile } from "./rule-file.js";
import { ruleFileOfSuite } from "./suite-file.js";

export function promote(ctx: CliContext, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return guard(ctx, async () => {
    const { tags, rest } = takeTags(ctx.argv);
    const { values, positionals } = parseCommandLine("promote", rest, {
      from: { type: "string" },
      name: { type: "string" },
      suite: { type: "string" },
      token: { type: "string" },
      force: { type: "boolean" },
    });
    if (values.help) {
      ctx.stdout.write(COMMAND_HELP.promote ?? "");
      return EXIT_OK;
    }
    const id = positionals[0];
    if (!id || positionals.length > 1) throw new UsageError("informe exatamente um id de decisão", "promote");
    const from = values.from as string | undefined;
    if (!from)
      throw new UsageError(
        "falta --from: o arquivo de decisões registradas (JSON Lines ou JSON) ou o endereço do serviço",
        "promote",
      );
    const record = /^https?:\/\//i.test(from)
      ? await fromService(from, id, (values.token as string | undefined) ?? env.RULES_TOKEN)
      : fromFile(ctx, from, id);

    const suiteFile = (values.suite as string | undefined) ?? join("rules", `${record.ruleset}.test.yaml`);
    if (!suiteFile.endsWith(".test.yaml"))
      throw new UsageError(`--suite deve ser um arquivo .test.yaml: ${suiteFile}`, "promote");
    const suitePath = resolvePath(ctx, suiteFile);
    const suite = existsSync(suitePath) ? readTextFile(ctx, suiteFile) : null;
    const rulesFile = ruleFileOfSuite(suiteFile);
    let compiled: Awaited<ReturnType<typeof compileFile>>;
    if (existsSync(resolvePath(ctx, rulesFile))) {
      compiled = compileFile(ctx, rulesFile);
      if (!compiled) throw new InputError(`${rulesFile} tem erros: o caso não pode ser conferido`);
      if (compiled.name !== record.ruleset)
        throw new InputError(
          `a decisão é do conjunto de regras "${record.ruleset}", mas ${rulesFile} é "${compiled.name}"`,
        );
    }
    if (!existsSync(dirname(suitePath)))
      throw new InputError(
        `a pasta de ${suiteFile} não existe: rode o comando na pasta do projeto (com rules/) ou informe a suíte com --suite`,
      );

    let result: Awaited<ReturnType<typeof promoteDecision>>;
    try {
      result = await promoteDecision(record, {
        suite,
        ...(compiled ? { compiled } : {}),
        ...(values.name !== undefined ? { name: values.name as string } : {}),
        tags,
        force: values.force === true,
      });
    } catch (e) {
      if (e instanceof PromoteError) throw new InputError(`${suiteFile}: ${e.message}`);
      throw e;
    }
    writeAtomically(suitePath, result.text);
    if (!compiled)
      ctx.stderr.write(`aviso: não há ${rulesFile}: o caso foi gravado sem conferir se reproduz a decisão\n`);
    const how =
      result.check === undefined
        ? "não conferido"
        : result.check.reproduced
          ? "reproduz a decisão registrada"
          : "NÃO reproduz a decisão registrada: etiqueta revisar";
    ctx.stdout.write(
      `${suite === null ? "criada a suíte" : "acrescentado a"} ${suiteFile}: caso "${result.name}" (${how})\n\n${result.caseText}`,
    );
    return EXIT_OK;
  });
}

/** `--tag T` / `--tag=T` (repeatable, or `a,b`) taken out of the arguments. */
function takeTags(argv: readonly string[]): { tags: string[]; rest: string[] } {
  const tags: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    let value: string | undefined;
    if (a === "--tag") {
      value = argv[i + 1];
      if (value === undefined || value.startsWith("-"))
        throw new UsageError("a opção --tag precisa de um valor", "promote");
      i++;
    } else if (a.startsWith("--tag=")) value = a.slice("--tag=".length);
    else {
      rest.push(a);
      continue;
    }
    for (const t of value.split(",")) if (t.trim() !== "") tags.push(t.trim());
  }
  return { tags, rest };
}

function isRecord(v: unknown): v is LoggedDecision {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.id === "string" &&
    typeof r.ruleset === "string" &&
    typeof r.version === "number" &&
    typeof r.at === "string" &&
    typeof r.facts === "object" &&
    r.facts !== null &&
    typeof r.decision === "object" &&
    r.decision !== null
  );
}

/** Reads records from a file: JSON Lines, a JSON list, one record or a page `{ items }`. */
function fromFile(ctx: CliContext, file: string, id: string): LoggedDecision {
  const text = readTextFile(ctx, file);
  let records: unknown[];
  const trimmed = text.trim();
  try {
    const whole = JSON.parse(trimmed) as unknown;
    records = Array.isArray(whole)
      ? whole
      : Array.isArray((whole as { items?: unknown }).items)
        ? (whole as { items: unknown[] }).items
        : [whole];
  } catch {
    records = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] as string).trim();
      if (line === "") continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        throw new InputError(`${file}:${i + 1}: não é JSON (esperava uma decisão registrada por linha)`);
      }
    }
  }
  const found = records.find((r) => (r as { id?: unknown } | null)?.id === id);
  if (found === undefined) throw new InputError(`decisão desconhecida: nenhuma decisão com o id ${id} em ${file}`);
  if (!isRecord(found))
    throw new InputError(`a decisão ${id} em ${file} não tem id, ruleset, version, at, facts e decision`);
  return found;
}

/** `GET /v1/decisions/:id` of the service (the record at the top or under `record`). */
async function fromService(server: string, id: string, token: string | undefined): Promise<LoggedDecision> {
  let base: URL;
  try {
    base = new URL(server);
  } catch {
    throw new UsageError(`--from não é uma URL: ${server}`, "promote");
  }
  const url = new URL(`/v1/decisions/${encodeURIComponent(id)}`, base);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    const cause = (e as Error).cause;
    throw new InputError(
      `não foi possível falar com ${base.origin}: ${cause instanceof Error ? cause.message : (e as Error).message}`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.status === 404) throw new InputError(`decisão desconhecida: ${id} (o serviço respondeu 404)`);
  if (!response.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new InputError(`erro ${response.status} ${err?.code ?? ""}: ${err?.message ?? text.slice(0, 300)}`);
  }
  const record = isRecord(body) ? body : (body as { record?: unknown } | undefined)?.record;
  if (!isRecord(record)) throw new InputError(`a resposta de ${url.pathname} não é uma decisão registrada`);
  return record;
}

/** Writes through a temporary file beside the target and a rename (never a half-written suite). */
function writeAtomically(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text, "utf8");
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new InputError(`não foi possível gravar ${path}: ${(e as Error).message}`);
  }
}
