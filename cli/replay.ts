/**
 * `rules replay <rascunho.yaml> --from <arquivo|URL> [...]`: the blast radius of a draft before it
 * is published. Compiles the draft (diagnostics like `rules check` and exit 1 when it does not),
 * reads the logged decisions of its rule set (cli/decision-source.ts: a file or the service's
 * API), decides them again with the draft (tester/replay.ts) and prints what would change, grouped,
 * with sample ids and the rules and table rows responsible as `arquivo:linha:coluna`. The baseline
 * (the version that logged each decision, to leave out decisions that read a masked personal fact)
 * comes from the API (`GET /v1/rulesets/:name/versions/:v`) when `--from` is the service, or from
 * `--baseline <arquivo.yaml>`. `--json` prints the report as JSON. Exit 0 whatever changes: a
 * replay that finds changes is not a failure.
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { compileSource } from "../dsl/compile/pipeline.js";
import { runtimeOf } from "../engine/index.js";
import type { Runtime } from "../engine/runtime.js";
import { formatCount, type ReplayReport, replay, type ResponsibleRef } from "../tester/replay.js";
import {
  DEFAULT_SOURCE_LIMIT,
  getJson,
  isServiceUrl,
  openDecisionSource,
  type SourceWindow,
} from "./decision-source.js";
import { COMMAND_HELP } from "./help.js";
import { type CliContext, EXIT_FAILURE, EXIT_OK, guard, parseCommandLine, UsageError } from "./io.js";
import { compileFile } from "./rule-file.js";

const DEFAULT_SAMPLES = 3;

function positiveInt(value: string | undefined, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${option} deve ser um número inteiro${min > 0 ? " positivo" : " (0 ou mais)"}`, "replay");
  return Number(value);
}

function isoInstant(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new UsageError(
      `${option} não é uma data ISO 8601 (por exemplo 2026-03-01 ou 2026-03-01T10:00:00Z)`,
      "replay",
    );
  return ms;
}

function side(r: ResponsibleRef): string {
  switch (r.side) {
    case "draft":
      return "dispara só no rascunho";
    case "logged":
      return "disparou só na decisão registrada";
    case "changed":
      return "dispara nas duas, alterada no rascunho";
  }
}

/** The report as text: the summary lines, each group's line followed by its samples and the rows responsible. */
export function formatReport(report: ReplayReport, file: string, window: SourceWindow): string {
  let out = `Replay de ${report.ruleset} com ${file}: ${formatCount(report.total)} ${report.total === 1 ? "decisão registrada" : "decisões registradas"}`;
  if (window.oldest && window.newest) out += ` (de ${window.oldest} a ${window.newest})`;
  out += "\n";
  if (window.truncated) out += "(limite atingido: há mais decisões na fonte; aumente --limit para ler mais)\n";
  out += "\n";
  const groups = [...report.groups];
  const problems = [...report.problems];
  for (const line of report.lines) {
    const g = groups.find((x) => x.line === line);
    if (g) {
      groups.splice(groups.indexOf(g), 1);
      out += `\n${line}\n`;
      for (const s of g.samples) {
        out += `  ${s.id}  ${s.at}\n`;
        for (const r of s.responsible) {
          const where = r.line !== undefined ? `${file}:${r.line}:${r.column}: ` : "";
          out += `    ${where}${r.label ?? r.name} (${side(r)})\n`;
        }
      }
      continue;
    }
    const p = problems.find((x) => line.endsWith(`: ${x.message}`));
    if (p) {
      problems.splice(problems.indexOf(p), 1);
      out += `\n${line}\n`;
      for (const s of p.samples) out += `  ${s.id}  ${s.at}\n`;
      continue;
    }
    out += `${line}\n`;
  }
  return out;
}

/** Compiles a published version's source; undefined when it does not compile (no baseline then). */
function compileQuiet(source: string): CompiledRuleSet | undefined {
  try {
    const r = compileSource(source);
    return r.ok ? r.compiled : undefined;
  } catch {
    return undefined;
  }
}

export function replayCommand(ctx: CliContext, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return guard(ctx, async () => {
    const { values, positionals } = parseCommandLine("replay", ctx.argv, {
      from: { type: "string" },
      token: { type: "string" },
      ruleset: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      limit: { type: "string" },
      samples: { type: "string" },
      baseline: { type: "string" },
      json: { type: "boolean" },
    });
    if (values.help) {
      ctx.stdout.write(COMMAND_HELP.replay ?? "");
      return EXIT_OK;
    }
    const file = positionals[0];
    if (!file || positionals.length > 1)
      throw new UsageError("informe exatamente um arquivo de regras (o rascunho)", "replay");
    const from = values.from as string | undefined;
    if (!from)
      throw new UsageError(
        "falta --from: um arquivo de decisões registradas (JSON Lines, lista JSON ou página da API) ou o endereço do serviço",
        "replay",
      );
    const limit = positiveInt(values.limit as string | undefined, "--limit", 1) ?? DEFAULT_SOURCE_LIMIT;
    const samples = positiveInt(values.samples as string | undefined, "--samples", 0) ?? DEFAULT_SAMPLES;
    const since = isoInstant(values.since as string | undefined, "--since");
    const until = isoInstant(values.until as string | undefined, "--until");
    const token = (values.token as string | undefined) ?? env.RULES_TOKEN;
    const fromService = isServiceUrl(from);
    const baselineFile = values.baseline as string | undefined;
    if (baselineFile !== undefined && fromService)
      throw new UsageError("--baseline é para uma fonte em arquivo; com o serviço, a versão vem da API", "replay");

    const compiled = compileFile(ctx, file);
    if (!compiled) return EXIT_FAILURE;
    const ruleset = (values.ruleset as string | undefined) ?? compiled.name;

    let baseline: ((version: number) => Promise<Runtime | undefined>) | undefined;
    if (baselineFile !== undefined) {
      const base = compileFile(ctx, baselineFile);
      if (!base) return EXIT_FAILURE;
      const runtime = runtimeOf(base);
      baseline = async () => runtime;
    } else if (fromService) {
      const service = new URL(from);
      baseline = async (version) => {
        const url = new URL(`/v1/rulesets/${encodeURIComponent(ruleset)}/versions/${version}`, service);
        const stored = (await getJson(url, token)) as { source?: unknown };
        if (typeof stored.source !== "string") return undefined;
        const c = compileQuiet(stored.source);
        return c ? runtimeOf(c) : undefined;
      };
    }

    const window: SourceWindow = { read: 0, truncated: false };
    const records = openDecisionSource(
      ctx,
      from,
      {
        ruleset,
        limit,
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(token ? { token } : {}),
        progress: (n) => ctx.stderr.write(`${formatCount(n)} decisões lidas...\n`),
      },
      window,
    );
    const report = await replay({
      draft: runtimeOf(compiled),
      records,
      ...(baseline ? { baseline } : {}),
      samplesPerGroup: samples,
    });
    if (report.total === 0 && window.read === 0 && !fromService)
      ctx.stderr.write(`nenhuma decisão de ${ruleset} em ${from}\n`);
    if (values.json) {
      ctx.stdout.write(
        `${JSON.stringify({ ...report, replayed: { source: from, limit, oldest: window.oldest, newest: window.newest, truncated: window.truncated } }, null, 2)}\n`,
      );
      return EXIT_OK;
    }
    ctx.stdout.write(formatReport(report, file, window));
    if (!baseline)
      ctx.stdout.write(
        "\nSem --baseline: decisões que leram um dado pessoal mascarado podem aparecer como mudanças.\n",
      );
    return EXIT_OK;
  });
}
