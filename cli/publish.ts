/**
 * `rules publish <arquivo> --server URL [--token T] [--message M] [--base-version N]
 * [--vigencia-de D] [--vigencia-ate D]`: publishes a rule-set file from a git checkout (rules as
 * code in CI/CD) with the same checks as the API: the service compiles it and runs its test suite
 * (`<arquivo>.test.yaml` beside it is sent along when present) and refuses it if either fails. The
 * token may also come from RULES_TOKEN. The vigência flags become the body's `effective` (a date,
 * 00:00 in the rule set's zone, or a date-time with offset; a start in the future schedules the
 * version); the service reads and checks them.
 */
import { existsSync } from "node:fs";
import { COMMAND_HELP } from "./help.js";
import {
  EXIT_FAILURE,
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

/** The form of a vigência flag (the service reads it in the rule set's zone and checks it). */
const WHEN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: unknown[]; requestId?: string };
}

export function publish(ctx: CliContext, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return guard(ctx, async () => {
    const { values, positionals } = parseCommandLine("publish", ctx.argv, {
      server: { type: "string" },
      token: { type: "string" },
      message: { type: "string" },
      "base-version": { type: "string" },
      "vigencia-de": { type: "string" },
      "vigencia-ate": { type: "string" },
    });
    if (values.help) {
      ctx.stdout.write(COMMAND_HELP.publish ?? "");
      return EXIT_OK;
    }
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError("informe exatamente um arquivo de regras", "publish");
    const server = (values.server as string | undefined) ?? env.RULES_SERVER;
    if (!server)
      throw new UsageError(
        "falta --server (ou a variável RULES_SERVER), por exemplo --server http://127.0.0.1:3000",
        "publish",
      );
    let base: URL;
    try {
      base = new URL(server);
    } catch {
      throw new UsageError(`--server não é uma URL: ${server}`, "publish");
    }
    const baseVersion = values["base-version"] as string | undefined;
    if (baseVersion !== undefined && !/^[1-9]\d*$/.test(baseVersion))
      throw new UsageError("--base-version deve ser um número de versão", "publish");
    const token = (values.token as string | undefined) ?? env.RULES_TOKEN;
    const effectiveFrom = values["vigencia-de"] as string | undefined;
    const effectiveUntil = values["vigencia-ate"] as string | undefined;
    for (const [flag, text] of [
      ["--vigencia-de", effectiveFrom],
      ["--vigencia-ate", effectiveUntil],
    ] as const) {
      if (text !== undefined && !WHEN.test(text))
        throw new UsageError(
          `${flag} deve ser uma data (aaaa-mm-dd) ou uma data-hora com fuso (aaaa-mm-ddThh:mm[:ss]±hh:mm ou Z): ${text}`,
          "publish",
        );
    }

    // Same checks locally first: a file that does not compile never leaves the machine.
    const compiled = compileFile(ctx, file);
    if (!compiled) return EXIT_FAILURE;
    const source = readTextFile(ctx, file);
    const testsFile = file.replace(/\.yaml$/, ".test.yaml");
    const tests =
      testsFile !== file && existsSync(resolvePath(ctx, testsFile)) ? readTextFile(ctx, testsFile) : undefined;

    const body = {
      source,
      ...(tests !== undefined ? { tests } : {}),
      ...(values.message ? { message: values.message as string } : {}),
      ...(baseVersion ? { baseVersion: Number(baseVersion) } : {}),
      ...(effectiveFrom !== undefined || effectiveUntil !== undefined
        ? {
            effective: {
              ...(effectiveFrom !== undefined ? { from: effectiveFrom } : {}),
              ...(effectiveUntil !== undefined ? { until: effectiveUntil } : {}),
            },
          }
        : {}),
    };
    const url = new URL(`/v1/rulesets/${encodeURIComponent(compiled.name)}/versions`, base);
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      throw new InputError(
        `não foi possível falar com ${base.origin}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.status === 201) {
      const {
        version: v,
        effectiveFrom: from,
        effectiveUntil: until,
      } = json as {
        version?: number;
        effectiveFrom?: string;
        effectiveUntil?: string;
      };
      const vigencia =
        from !== undefined || until !== undefined
          ? `; vigência ${from !== undefined ? `de ${from}` : "desde agora"}${until !== undefined ? ` até ${until}` : ", sem fim"}`
          : "";
      ctx.stdout.write(
        `publicado ${compiled.name} versão ${v}${tests !== undefined ? ` (com a suíte ${testsFile})` : ""}${vigencia}\n`,
      );
      return EXIT_OK;
    }
    const err = (json as ApiErrorBody | undefined)?.error;
    ctx.stderr.write(`erro ${response.status} ${err?.code ?? ""}: ${err?.message ?? text.slice(0, 500)}\n`);
    if (err?.code === "RULESET_INVALID" && Array.isArray(err.details)) {
      for (const d of err.details as {
        line: number;
        column: number;
        severity: string;
        code: string;
        message: string;
      }[]) {
        ctx.stderr.write(`${file}:${d.line}:${d.column}: ${d.severity} ${d.code} ${d.message}\n`);
      }
    } else if (err?.code === "TESTS_FAILED" && Array.isArray(err.details)) {
      for (const c of err.details as {
        case: string;
        line: number;
        column: number;
        differences: { path: string; message: string; expected: unknown; actual: unknown }[];
      }[]) {
        ctx.stderr.write(`${testsFile}:${c.line}:${c.column}: caso "${c.case}" falhou\n`);
        for (const d of c.differences)
          ctx.stderr.write(
            `    ${d.path || "(decisão)"}: ${d.message}; esperado ${JSON.stringify(d.expected)}, obtido ${JSON.stringify(d.actual)}\n`,
          );
      }
    } else if (err?.code === "INVALID_TEST_SUITE" && Array.isArray(err.details)) {
      for (const d of err.details as {
        line: number;
        column: number;
        severity: string;
        code: string;
        message: string;
      }[])
        ctx.stderr.write(`${testsFile}:${d.line}:${d.column}: ${d.severity} ${d.code} ${d.message}\n`);
    }
    if (err?.requestId) ctx.stderr.write(`requestId: ${err.requestId}\n`);
    return EXIT_FAILURE;
  });
}
