/**
 * `rules decide <file> --facts <json|@file> [--explain] [--why-not saida=valor[,...]] [--json]`:
 * one decision, as JSON on stdout; with `--why-not`, why the decision does not give the wanted
 * outcome (engine/why-not.ts): the candidate rules and table rows with what blocked each one, and
 * the smallest change of facts that gives it, as text for analysts (pt-BR) or `--json` for tools.
 */
import { createLineIndex } from "../dsl/positions.js";
import { isDecisionError } from "../engine/errors.js";
import { createRuntime } from "../engine/runtime.js";
import { candidateLabel, isWhyNotError, parseWanted, showValue, whyNot, type WhyNotResult } from "../engine/why-not.js";
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
      "why-not": { type: "string" },
      json: { type: "boolean" },
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
    const wantedArg = values["why-not"];
    if (wantedArg === undefined && values.json === true)
      throw new UsageError("--json vale só com --why-not (a decisão já sai em JSON)", "decide");
    try {
      if (typeof wantedArg === "string") {
        let want: Record<string, unknown>;
        try {
          want = parseWanted(compiled, wantedArg);
        } catch (e) {
          if (isWhyNotError(e)) throw new UsageError(`--why-not: ${e.message}`, "decide");
          throw e;
        }
        const result = await whyNot(runtime, facts, want);
        ctx.stdout.write(values.json === true ? `${JSON.stringify(result, null, 2)}\n` : whyNotText(result, file));
        return EXIT_OK;
      }
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

function decisions(n: number): string {
  return `${n} ${n === 1 ? "decisão" : "decisões"}`;
}

/** A value as the decision shows it. */
function shown(v: unknown): string {
  return v === null || v === undefined ? "null" : showValue(v);
}

/** The why-not answer as text for analysts (pt-BR), positions as `file:line:column`. */
export function whyNotText(r: WhyNotResult, file: string): string {
  const wanted = Object.entries(r.wanted)
    .map(([k, v]) => `${k} = ${shown(v)}`)
    .join(" e ");
  const got = Object.keys(r.wanted)
    .map((k) => `${k} = ${shown(r.decision[k])}`)
    .join(" e ");
  if (r.already) return `A decisão já dá ${wanted}.\n`;
  const lines = [`Por que não ${wanted}? A decisão dá ${got}.`, ""];
  if (r.candidates.length === 0) lines.push("Nenhuma regra ou linha de tabela pode dar esse valor.");
  else lines.push("Candidatas (o que poderia dar esse valor) e o que impediu cada uma:");
  for (const c of r.candidates) {
    const what = candidateLabel(c);
    lines.push("", `${what} (${file}:${c.position.line}:${c.position.column})`);
    for (const b of c.blocking) {
      const values = Object.entries(b.values)
        .map(([k, v]) => `${k} = ${shown(v)}`)
        .join(", ");
      const at = b.position ? ` (${file}:${b.position.line}:${b.position.column})` : "";
      const seen =
        b.kind === "condition" ? (values ? ` — falsa com ${values}` : " — falsa") : values ? ` (${values})` : "";
      lines.push(`  ✗ ${b.text}${seen}${at}`);
    }
  }
  if (r.moreCandidates > 0) lines.push("", `... e mais ${r.moreCandidates} candidatas não mostradas.`);
  lines.push("");
  if (r.suggestion) {
    const changes = r.suggestion.changes.map((c) => `${c.fact}: ${shown(c.from)} → ${shown(c.to)}`).join("; ");
    const n = r.suggestion.changes.length;
    lines.push(`Menor mudança (${n} ${n === 1 ? "fato" : "fatos"}): ${changes}`);
    lines.push(
      `  com ela a decisão dá ${wanted} (conferido decidindo de novo; ${decisions(r.search.decisions)} na busca).`,
    );
  } else
    lines.push(
      `Sem sugestão: ${r.message ?? "nenhuma mudança encontrada"} (${decisions(r.search.decisions)} na busca).`,
    );
  return `${lines.join("\n")}\n`;
}
