/**
 * `POST /v1/rulesets/:name/replay` (author, publisher): the blast radius of a draft before it is
 * published. The draft is compiled like `/validate` and `/test` do (authoring worker pool, the
 * service's size limits; 422 with the diagnostics when it does not compile), then the rule set's
 * logged decisions (the decision log, oldest first, optionally within `from`/`to`, at most `limit`)
 * are decided again with it (tester/replay.ts). Each record is first decided with the version that
 * logged it (`registry.version`): one that does not come out as logged (a masked personal fact was
 * read) is counted apart. The replay runs on the main thread, giving other requests a turn every
 * few milliseconds, and stops at the request's deadline (503 HANDLER_TIMEOUT). 503
 * DECISION_LOG_OFF when the service keeps no decision log.
 */
import type { FastifyInstance } from "fastify";
import type { Runtime } from "../../engine/runtime.js";
import type { LoggedDecision } from "../../tester/logged-decision.js";
import { replay } from "../../tester/replay.js";
import { sharedAuthoringRunner } from "../authoring/pool.js";
import { RUNTIME_BUILD_FAILED, runtimeBuildMessage } from "../authoring/limits.js";
import type { DecisionLogStorage } from "../decision-log/types.js";
import { ApiError, handlerTimeout, notFound } from "../errors.js";
import { refusalOf, runJob, type Authoring } from "../publish.js";
import { errorResponses as errors, nameParam } from "../schemas.js";

export const DEFAULT_REPLAY_LIMIT = 10_000;
export const MAX_REPLAY_LIMIT = 100_000;
export const DEFAULT_REPLAY_SAMPLES = 5;
/** Records read from the storage per query (its page cap). */
const PAGE = 1000;

const valueSchema = {
  type: "object",
  description: "`{value}` ou `{absent: true}` (a saída não existe daquele lado).",
  properties: { absent: { type: "boolean" }, value: {} },
} as const;

const responsibleSchema = {
  type: "object",
  required: ["ref", "name", "side"],
  properties: {
    ref: { type: "string" },
    name: { type: "string" },
    side: { type: "string", enum: ["draft", "logged", "changed"] },
    label: { type: "string" },
    line: { type: "integer" },
    column: { type: "integer" },
    endLine: { type: "integer" },
    endColumn: { type: "integer" },
  },
} as const;

const replayResponse = {
  type: "object",
  required: ["ruleset", "total", "unchanged", "changed", "groups", "problems", "lines", "replayed"],
  properties: {
    ruleset: { type: "string" },
    total: { type: "integer" },
    unchanged: { type: "integer" },
    changed: { type: "integer" },
    notReproducible: { type: "integer" },
    invalidForDraft: { type: "integer" },
    defects: { type: "integer" },
    unverified: { type: "integer" },
    groups: {
      type: "array",
      items: {
        type: "object",
        properties: {
          output: { type: "string" },
          from: valueSchema,
          to: valueSchema,
          count: { type: "integer" },
          line: { type: "string" },
          samples: {
            type: "array",
            items: {
              type: "object",
              properties: {
                id: { type: "string" },
                at: { type: "string" },
                before: { type: "object", additionalProperties: true },
                after: { type: "object", additionalProperties: true },
                fired: { type: "array", items: { type: "string" } },
                firedBefore: { type: "array", items: { type: "string" } },
                responsible: { type: "array", items: responsibleSchema },
              },
            },
          },
        },
      },
    },
    problems: {
      type: "array",
      items: {
        type: "object",
        properties: {
          kind: { type: "string", enum: ["invalidForDraft", "defect", "notReproducible"] },
          message: { type: "string" },
          count: { type: "integer" },
          samples: {
            type: "array",
            items: { type: "object", properties: { id: { type: "string" }, at: { type: "string" } } },
          },
        },
      },
    },
    lines: { type: "array", items: { type: "string" } },
    replayed: {
      type: "object",
      description: "A janela reexecutada: o filtro pedido, o limite, a primeira e a última decisão lidas.",
      properties: {
        from: { type: "string" },
        to: { type: "string" },
        limit: { type: "integer" },
        oldest: { type: "string" },
        newest: { type: "string" },
        truncated: { type: "boolean", description: "Há mais decisões na janela além do limite." },
      },
    },
  },
} as const;

/** An ISO 8601 instant of the body as epoch ms; 400 when it is not one. */
function instant(field: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    throw new ApiError(400, "INVALID_REQUEST", `${field} não é uma data ISO 8601: ${text}`, [
      { path: `/${field}`, message: "esperava uma data ISO 8601 (2026-03-01 ou 2026-03-01T10:00:00Z)" },
    ]);
  return ms;
}

/** The rule set's logged decisions, oldest first, `limit` at most; `window` is filled as they are read. */
async function* logged(
  storage: DecisionLogStorage,
  ruleset: string,
  from: number | undefined,
  to: number | undefined,
  limit: number,
  window: { oldest?: string; newest?: string; truncated: boolean },
): AsyncGenerator<LoggedDecision> {
  let cursor: string | undefined;
  let read = 0;
  for (;;) {
    const page = await storage.query({
      ruleset,
      order: "asc",
      limit: Math.min(PAGE, limit - read),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    for (const record of page.items) {
      window.oldest ??= record.at;
      window.newest = record.at;
      read++;
      yield record;
    }
    if (page.next === undefined || page.items.length === 0) return;
    if (read >= limit) {
      window.truncated = true;
      return;
    }
    cursor = page.next;
  }
}

export async function replayRoutes(app: FastifyInstance): Promise<void> {
  const { config, registry } = app;
  const authoringLimit = app.rateLimit({ max: config.authoringRateLimit, timeWindow: "1 minute" });
  const jobs: Authoring = {
    runner: sharedAuthoringRunner(config.authoringWorkers),
    limits: { maxRules: config.maxRules, maxTableRows: config.maxTableRows },
    timeoutMs: config.handlerTimeout,
  };

  app.post<{
    Params: { name: string };
    Body: { source: string; from?: string; to?: string; limit?: number; samples?: number };
  }>(
    "/v1/rulesets/:name/replay",
    {
      config: { roles: ["author", "publisher"] as const },
      onRequest: authoringLimit,
      schema: {
        summary: "Replay: o que um rascunho faria com as decisões reais registradas",
        description:
          "Decide de novo, com o rascunho, as decisões registradas do conjunto de regras (as mais antigas primeiro, na janela `from`/`to`, no máximo `limit`) e conta quantas mudariam e como, agrupadas por saída e valores (de → para), com exemplos e as regras e linhas de tabela responsáveis. Decisões que a própria versão que as registrou não reproduz (um dado pessoal mascarado foi lido) ficam fora da comparação e são contadas à parte.",
        tags: ["edição"],
        errors: {
          400: "`from`/`to` não são datas ISO 8601 (`INVALID_REQUEST`).",
          404: "Conjunto de regras desconhecido (`NOT_FOUND`).",
          422: "O rascunho não compila (`RULESET_INVALID`, `RULESET_TOO_LARGE`; `details`: os diagnósticos).",
          429: true,
          503: "O serviço não guarda o registro de decisões (`DECISION_LOG_OFF`), a compilação passou de `HANDLER_TIMEOUT_MS` (`AUTHORING_TIMEOUT`) ou o replay passou de `HANDLER_TIMEOUT_MS` (`HANDLER_TIMEOUT`).",
        },
        params: nameParam,
        body: {
          type: "object",
          required: ["source"],
          additionalProperties: false,
          properties: {
            source: { type: "string", maxLength: config.sourceLimit },
            from: { type: "string", description: "Início da janela (ISO 8601, inclusive)." },
            to: { type: "string", description: "Fim da janela (ISO 8601, exclusive)." },
            limit: { type: "integer", minimum: 1, maximum: MAX_REPLAY_LIMIT, default: DEFAULT_REPLAY_LIMIT },
            samples: { type: "integer", minimum: 0, maximum: 50, default: DEFAULT_REPLAY_SAMPLES },
          },
        },
        response: { 200: replayResponse, ...errors },
      },
    },
    async (request) => {
      const name = request.params.name;
      const log = app.decisionLog;
      if (!log)
        throw new ApiError(
          503,
          "DECISION_LOG_OFF",
          "o serviço não guarda o registro de decisões (DECISION_LOG=off): não há decisões para reexecutar",
        );
      if (!registry.store.get(name)) throw notFound(`conjunto de regras desconhecido: ${name}`);
      const { source } = request.body;
      const from = instant("from", request.body.from);
      const to = instant("to", request.body.to);
      const limit = request.body.limit ?? DEFAULT_REPLAY_LIMIT;

      const verdict = await runJob(jobs, { name, source, tests: null, wantCompiled: true });
      if (!verdict.ok || !verdict.compiled) throw refusalOf(verdict);
      let draft: Runtime;
      try {
        draft = registry.buildRuntime(verdict.compiled);
      } catch (e) {
        throw new ApiError(422, "RULESET_INVALID", "o conjunto de regras não pode ser montado pelo motor de decisão", [
          { severity: "error", code: RUNTIME_BUILD_FAILED, message: runtimeBuildMessage(e), ...verdict.nameSpan },
        ]);
      }

      const signal = request.deadline;
      const window: { oldest?: string; newest?: string; truncated: boolean } = { truncated: false };
      const report = await replay({
        draft,
        records: logged(log.storage, name, from, to, limit, window),
        baseline: async (v) => (await registry.version(name, v))?.runtime,
        samplesPerGroup: request.body.samples ?? DEFAULT_REPLAY_SAMPLES,
        // Decisions never wait on I/O: other requests get a turn every few milliseconds, and the
        // replay stops at the request's deadline.
        checkpoint: async () => {
          await new Promise((resolve) => setImmediate(resolve));
          if (signal.aborted) throw handlerTimeout();
        },
      });
      if (signal.aborted) throw handlerTimeout();
      return {
        ...report,
        replayed: {
          ...(request.body.from !== undefined ? { from: request.body.from } : {}),
          ...(request.body.to !== undefined ? { to: request.body.to } : {}),
          limit,
          ...window,
        },
      };
    },
  );
}
