/**
 * Authoring endpoints: read rule sets and their versions, validate and test drafts, publish, roll
 * back, read the audit log and the timeline of vigência (as-of.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { DateTime } from "luxon";
import { sharedAuthoringRunner } from "../authoring/pool.js";
import { scheduledAt, timeline, inForceAt } from "../as-of.js";
import { ApiError, notFound } from "../errors.js";
import { publish, refusalOf, runJob, suiteOf, type Authoring } from "../publish.js";
import { draftAndSuite } from "./draft.js";
import {
  diagnosticSchema,
  errorResponses as errors,
  nameParam,
  suiteResultSchema,
  versionMeta,
  versionParam,
} from "../schemas.js";
import type { StoredVersion } from "../store/types.js";

function author(request: FastifyRequest): string {
  return request.principal?.name ?? "local";
}

export async function rulesetRoutes(app: FastifyInstance): Promise<void> {
  const { registry, metrics, config } = app;
  // One budget for all authoring routes together (validate, test, publish, roll back): a single
  // limiter (one store) shared by the four routes.
  const authoringLimit = app.rateLimit({ max: config.authoringRateLimit, timeWindow: "1 minute" });
  const authoring = { roles: ["author", "publisher"] as const };
  const publishing = { roles: ["publisher"] as const };
  const sourceField = { type: "string", maxLength: config.sourceLimit } as const;
  // Compiling, checking and suite runs happen in worker threads (AUTHORING_WORKERS), never on the
  // event loop that serves decisions; a job is cut at HANDLER_TIMEOUT_MS.
  const jobs: Authoring = {
    runner: sharedAuthoringRunner(config.authoringWorkers),
    limits: { maxRules: config.maxRules, maxTableRows: config.maxTableRows },
    timeoutMs: config.handlerTimeout,
  };

  function state(name: string) {
    const s = registry.store.get(name);
    if (!s) throw notFound(`conjunto de regras desconhecido: ${name}`);
    return s;
  }

  async function version(name: string, v: string): Promise<StoredVersion> {
    state(name);
    const stored = await registry.store.getVersion(name, Number(v));
    if (!stored) throw notFound(`versão ${v} de ${name} não existe`);
    return stored;
  }

  app.get(
    "/v1/rulesets",
    {
      schema: {
        summary: "Lista os conjuntos de regras",
        tags: ["conjuntos de regras"],
        response: {
          200: {
            type: "array",
            items: {
              type: "object",
              properties: {
                name: { type: "string" },
                version: { type: "integer" },
                description: { type: "string" },
                updatedAt: { type: "string" },
              },
            },
          },
          ...errors,
        },
      },
    },
    async () =>
      // Every stored rule set, the served version of each (an unavailable one — no version builds —
      // is listed with its active version, never left out silently; /ready says why).
      [...registry.store.names()].sort().map((name) => {
        const loaded = registry.get(name);
        const stored = loaded?.stored ?? registry.store.get(name)?.active;
        return {
          name,
          version: stored?.version,
          description: loaded?.compiled.description ?? "",
          updatedAt: stored?.createdAt,
        };
      }),
  );

  app.get<{ Params: { name: string } }>(
    "/v1/rulesets/:name",
    {
      schema: {
        summary: "Um conjunto de regras: versões publicadas, fonte e testes da versão ativa",
        tags: ["conjuntos de regras"],
        errors: { 404: "Conjunto de regras desconhecido (`NOT_FOUND`)." },
        params: nameParam,
        response: {
          200: {
            type: "object",
            properties: {
              name: { type: "string" },
              description: { type: "string" },
              version: { type: "integer" },
              active: { type: "integer", description: "A versão mais recente (a ativa)." },
              inForce: {
                type: ["integer", "null"],
                description: "A versão em vigor agora (null: nenhuma; decide a mais recente).",
              },
              scheduled: {
                type: "array",
                items: { type: "integer" },
                description: "Versões agendadas: vigência começa no futuro.",
              },
              updatedAt: { type: "string" },
              versions: { type: "array", items: versionMeta },
              source: { type: "string" },
              tests: { type: ["string", "null"] },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const s = state(request.params.name);
      const now = registry.now();
      return {
        name: s.name,
        description: registry.get(s.name)?.compiled.description ?? "",
        version: s.active.version,
        active: s.active.version,
        inForce: inForceAt(s.versions, now)?.version ?? null,
        scheduled: scheduledAt(s.versions, now).map((v) => v.version),
        updatedAt: s.active.createdAt,
        versions: s.versions,
        source: s.active.source,
        tests: s.active.tests,
      };
    },
  );

  app.get<{ Params: { name: string } }>(
    "/v1/rulesets/:name/timeline",
    {
      schema: {
        summary: "Linha do tempo da vigência: que versão esteve, está ou estará em vigor, e quando",
        tags: ["conjuntos de regras"],
        description:
          "Os intervalos em ordem. A versão em vigor num instante é a de maior número cuja vigência (de `effectiveFrom` ou da publicação até `effectiveUntil`, ou sem fim) contém o instante. Versões nunca em vigor não aparecem; uma versão pode aparecer de novo quando a vigência de uma posterior termina.",
        errors: { 404: "Conjunto de regras desconhecido (`NOT_FOUND`)." },
        params: nameParam,
        response: {
          200: {
            type: "array",
            items: {
              type: "object",
              required: ["version", "from", "until", "reason", "state"],
              properties: {
                version: { type: "integer" },
                from: { type: "string", description: "Início (instante ISO 8601 em UTC)." },
                until: { type: ["string", "null"], description: "Fim (instante ISO 8601 em UTC); null: sem fim." },
                reason: { type: "string", enum: ["publicação", "reversão", "vigência"] },
                state: { type: "string", enum: ["encerrada", "em vigor", "agendada"] },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => timeline(state(request.params.name).versions, registry.now()),
  );

  app.get<{ Params: { name: string; v: string } }>(
    "/v1/rulesets/:name/versions/:v",
    {
      schema: {
        summary: "A fonte de uma versão",
        tags: ["conjuntos de regras"],
        errors: { 404: "Conjunto de regras ou versão desconhecidos (`NOT_FOUND`)." },
        params: versionParam,
        response: {
          200: {
            type: "object",
            properties: {
              name: { type: "string" },
              ...versionMeta.properties,
              source: { type: "string" },
              tests: { type: ["string", "null"] },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => version(request.params.name, request.params.v),
  );

  app.get<{ Params: { name: string; v: string } }>(
    "/v1/rulesets/:name/versions/:v/compiled",
    {
      schema: {
        summary: "As regras json-rules-engine de uma versão (e os metadados do compilador)",
        tags: ["conjuntos de regras"],
        errors: { 404: "Conjunto de regras ou versão desconhecidos (`NOT_FOUND`)." },
        params: versionParam,
        response: { 200: { type: "object", additionalProperties: true }, ...errors },
      },
    },
    async (request) => {
      state(request.params.name);
      const loaded = await registry.version(request.params.name, Number(request.params.v));
      if (!loaded) throw notFound(`versão ${request.params.v} de ${request.params.name} não existe`);
      return loaded.compiled;
    },
  );

  app.post<{ Params: { name: string }; Body: { source: string } }>(
    "/v1/rulesets/:name/validate",
    {
      config: authoring,
      onRequest: authoringLimit,
      schema: {
        summary: "Valida uma fonte (diagnósticos com linha e coluna)",
        tags: ["edição"],
        errors: {
          429: true,
          503: "A compilação passou de `HANDLER_TIMEOUT_MS` (`AUTHORING_TIMEOUT`), serviço em encerramento ou armazenamento indisponível. Tente de novo.",
        },
        params: nameParam,
        body: {
          type: "object",
          required: ["source"],
          additionalProperties: false,
          properties: { source: sourceField },
        },
        response: {
          200: {
            type: "object",
            properties: { ok: { type: "boolean" }, diagnostics: { type: "array", items: diagnosticSchema } },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      // The same verdict as a publish: compiles, within the limits, and its runtime builds.
      const verdict = await runJob(jobs, {
        name: request.params.name,
        source: request.body.source,
        tests: null,
        wantCompiled: false,
      });
      return { ok: verdict.ok, diagnostics: verdict.diagnostics };
    },
  );

  app.post<{ Params: { name: string }; Body: { source?: string; tests?: string } }>(
    "/v1/rulesets/:name/test",
    {
      config: authoring,
      onRequest: authoringLimit,
      schema: {
        summary: "Roda uma suíte de testes contra uma fonte (padrão: a suíte e a versão ativas)",
        tags: ["edição"],
        errors: {
          404: "Conjunto de regras desconhecido e nenhuma fonte enviada (`NOT_FOUND`).",
          422: "A fonte não compila (`RULESET_INVALID`, `RULESET_TOO_LARGE`; `details`: os diagnósticos) ou a suíte é inválida (`INVALID_TEST_SUITE`) ou falta (`NO_TEST_SUITE`).",
          429: true,
          503: "A compilação passou de `HANDLER_TIMEOUT_MS` (`AUTHORING_TIMEOUT`), serviço em encerramento ou armazenamento indisponível. Tente de novo.",
        },
        params: nameParam,
        body: { type: "object", additionalProperties: false, properties: { source: sourceField, tests: sourceField } },
        response: { 200: suiteResultSchema, ...errors },
      },
    },
    async (request) => {
      const name = request.params.name;
      const { source, tests } = draftAndSuite(registry, name, request.body);
      const verdict = await runJob(jobs, { name, source, tests, wantCompiled: false });
      if (!verdict.ok) throw refusalOf(verdict);
      return suiteOf(verdict);
    },
  );

  app.post<{
    Params: { name: string };
    Body: {
      source: string;
      tests?: string;
      message?: string;
      baseVersion?: number;
      effective?: { from?: string; until?: string };
    };
  }>(
    "/v1/rulesets/:name/versions",
    {
      config: publishing,
      onRequest: authoringLimit,
      schema: {
        summary: "Publica uma nova versão (compila e roda a suíte antes; nada muda se falhar)",
        tags: ["publicação"],
        errors: {
          409: "A versão ativa não é mais `baseVersion`, ou outra publicação ganhou a corrida (`CONFLICT`; `details`: `activeVersion`).",
          400: "Corpo fora do formato (`INVALID_REQUEST`), incluindo vigência inválida (`effective`: data malformada, `until` não posterior a `from`).",
          422: "Nada publicado: a fonte não compila (`RULESET_INVALID`, `RULESET_TOO_LARGE`; `details`: os diagnósticos), a suíte é inválida (`INVALID_TEST_SUITE`) ou casos falharam (`TESTS_FAILED`; `details`: os casos).",
          429: true,
          503: "A compilação passou de `HANDLER_TIMEOUT_MS` (`AUTHORING_TIMEOUT`), serviço em encerramento ou armazenamento indisponível. Tente de novo.",
          507: true,
        },
        params: nameParam,
        body: {
          type: "object",
          required: ["source"],
          additionalProperties: false,
          properties: {
            source: sourceField,
            tests: sourceField,
            message: { type: "string", maxLength: 1000 },
            baseVersion: {
              type: "integer",
              minimum: 1,
              description: "Recusa (409) se a versão ativa não for mais esta.",
            },
            effective: {
              type: "object",
              additionalProperties: false,
              description:
                "Vigência: `from` e `until`, cada um uma data (aaaa-mm-dd, 00:00 no fuso do conjunto) ou data-hora ISO 8601 com fuso. Início no futuro agenda a versão; `until` deve ser depois de `from`.",
              properties: {
                from: { type: "string", maxLength: 64 },
                until: { type: "string", maxLength: 64 },
              },
            },
          },
        },
        response: {
          201: {
            type: "object",
            properties: {
              version: { type: "integer" },
              hash: { type: "string" },
              effectiveFrom: { type: "string" },
              effectiveUntil: { type: "string" },
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const name = request.params.name;
      try {
        const stored = await publish(registry, jobs, {
          name,
          source: request.body.source,
          ...(request.body.tests !== undefined ? { tests: request.body.tests } : {}),
          message: request.body.message ?? "",
          author: author(request),
          requestId: request.id,
          signal: request.deadline,
          ...(request.body.baseVersion !== undefined ? { baseVersion: request.body.baseVersion } : {}),
          ...(request.body.effective !== undefined ? { effective: request.body.effective } : {}),
        });
        metrics.publishes.inc({ ruleset: name, outcome: "published" });
        request.log.info(
          { ruleset: name, version: stored.version, hash: stored.hash, author: stored.author },
          "rule set published",
        );
        return reply.status(201).send({
          version: stored.version,
          hash: stored.hash,
          ...(stored.effectiveFrom !== undefined ? { effectiveFrom: stored.effectiveFrom } : {}),
          ...(stored.effectiveUntil !== undefined ? { effectiveUntil: stored.effectiveUntil } : {}),
        });
      } catch (e) {
        metrics.publishes.inc({
          ruleset: name,
          outcome: e instanceof ApiError && e.statusCode === 409 ? "conflict" : "rejected",
        });
        throw e;
      }
    },
  );

  app.post<{ Params: { name: string }; Body: { version: number; message?: string } }>(
    "/v1/rulesets/:name/rollback",
    {
      config: publishing,
      onRequest: authoringLimit,
      schema: {
        summary: "Volta a uma versão anterior (cria uma nova versão igual a ela)",
        tags: ["publicação"],
        errors: {
          404: "Conjunto de regras ou versão desconhecidos (`NOT_FOUND`).",
          409: "Outra publicação ganhou a corrida (`CONFLICT`; `details`: `activeVersion`).",
          422: "A versão antiga não passa mais na compilação ou na sua suíte (`RULESET_INVALID`, `TESTS_FAILED`): nada muda.",
          429: true,
          503: "A compilação passou de `HANDLER_TIMEOUT_MS` (`AUTHORING_TIMEOUT`), serviço em encerramento ou armazenamento indisponível. Tente de novo.",
          507: true,
        },
        params: nameParam,
        body: {
          type: "object",
          required: ["version"],
          additionalProperties: false,
          properties: { version: { type: "integer", minimum: 1 }, message: { type: "string", maxLength: 1000 } },
        },
        response: {
          201: {
            type: "object",
            properties: { version: { type: "integer" }, hash: { type: "string" }, rolledBackFrom: { type: "integer" } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const name = request.params.name;
      const old = await version(name, String(request.body.version));
      const stored = await publish(registry, jobs, {
        name,
        source: old.source,
        tests: old.tests,
        message: request.body.message ?? `volta para a versão ${old.version}`,
        author: author(request),
        requestId: request.id,
        signal: request.deadline,
        action: "rollback",
        rolledBackFrom: old.version,
      });
      metrics.publishes.inc({ ruleset: name, outcome: "rolled_back" });
      request.log.info({ ruleset: name, version: stored.version, rolledBackFrom: old.version }, "rule set rolled back");
      return reply.status(201).send({ version: stored.version, hash: stored.hash, rolledBackFrom: old.version });
    },
  );

  app.get<{ Querystring: { ruleset?: string; since?: string } }>(
    "/v1/audit",
    {
      config: { roles: ["author", "publisher"] },
      schema: {
        summary: "Registro de auditoria de publicações, reversões e publicações recusadas",
        tags: ["publicação"],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            ruleset: { ...nameParam.properties.name, description: "Só as linhas deste conjunto de regras." },
            since: {
              type: "string",
              maxLength: 64,
              description: "Só as linhas a partir deste instante (ISO 8601; sem fuso: America/Sao_Paulo).",
            },
          },
        },
        response: {
          200: {
            type: "array",
            items: {
              type: "object",
              properties: {
                at: { type: "string" },
                action: { type: "string" },
                ruleset: { type: "string" },
                version: { type: "integer" },
                author: { type: "string" },
                message: { type: "string" },
                hash: { type: "string" },
                requestId: { type: "string" },
                attempted: {
                  type: "string",
                  description: "publish-refused: o que foi recusado (publish, rollback, seed).",
                },
                status: { type: "integer", description: "publish-refused: o status HTTP da recusa." },
                code: { type: "string", description: "publish-refused: o código do erro." },
                reason: { type: "string", description: "publish-refused: a mensagem do erro." },
                problems: {
                  type: "array",
                  description:
                    "publish-refused: os primeiros problemas (código e posição dos diagnósticos, casos que falharam), sem o texto da fonte.",
                  items: {
                    type: "object",
                    properties: {
                      code: { type: "string" },
                      line: { type: "integer" },
                      column: { type: "integer" },
                      case: { type: "string" },
                      file: { type: "string" },
                      activeVersion: { type: "integer" },
                    },
                  },
                },
                activeVersion: { type: "integer" },
                baseVersion: { type: "integer" },
                rolledBackFrom: { type: "integer" },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { ruleset, since } = request.query;
      let sinceMs: number | undefined;
      if (since !== undefined) {
        const parsed = DateTime.fromISO(since, { zone: "America/Sao_Paulo", setZone: true });
        if (!parsed.isValid) {
          throw new ApiError(400, "INVALID_REQUEST", "a requisição não segue o formato esperado", [
            {
              path: "?/since",
              message: "deve ser uma data ou data-hora ISO 8601 (aaaa-mm-dd ou aaaa-mm-ddThh:mm[:ss][fuso])",
            },
          ]);
        }
        sinceMs = parsed.toMillis();
      }
      return registry.store.audit({
        ...(ruleset !== undefined ? { ruleset } : {}),
        ...(sinceMs !== undefined ? { since: sinceMs } : {}),
      });
    },
  );
}
