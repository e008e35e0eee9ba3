/**
 * Decide endpoints for the CRM. Facts are validated by the rule set's own schema (compiled once
 * per version); business outcomes are 200 decisions, bad facts a 400 naming each field.
 * `/why-not` answers "por que não?" for a wanted outcome (engine/why-not.ts): the candidate rules
 * and rows with what blocked each one, and the smallest change of facts that gives it.
 * Every decision (single, and each batch item that decided) gets a `decisionId` and, when the
 * decision log is on, is handed to it (server/decision-log/writer.ts: queued, never waited for).
 * Which version decides (`target`): `?version=N` when given, else the version in force at the
 * body's `asOf` (a date or a date-time with offset), else the one in force now (as-of.ts); the
 * answer says why (`versionReason`).
 */
import type { FastifyInstance } from "fastify";
import { isDecisionError } from "../../engine/errors.js";
import type { DecisionResult } from "../../engine/runtime.js";
import { isWhyNotError, whyNot } from "../../engine/why-not.js";
import { newDecisionId } from "../decision-log/ids.js";
import type { DecisionEntry } from "../decision-log/types.js";
import { ApiError, handlerTimeout, notFound } from "../errors.js";
import { isWhen, parseWhen, reasonText, WHEN_FORMAT } from "../as-of.js";
import type { LoadedVersion } from "../registry.js";
import { decisionResponse, rulesetParam, versionQuery } from "../schemas.js";

const position = {
  type: "object",
  required: ["line", "column"],
  properties: { line: { type: "integer" }, column: { type: "integer" } },
} as const;

/** The answer of `/why-not` (engine/why-not.ts `WhyNotResult`, with the rule set and version). */
const whyNotResponse = {
  type: "object",
  required: ["ruleset", "version", "decision", "fired", "wanted", "already", "candidates", "suggestion", "search"],
  properties: {
    ruleset: { type: "string" },
    version: { type: "integer" },
    decision: { type: "object", additionalProperties: true },
    fired: { type: "array", items: { type: "string" } },
    wanted: { type: "object", additionalProperties: true },
    already: { type: "boolean", description: "A decisão já dá o resultado desejado (nada mais é calculado)." },
    candidates: {
      type: "array",
      description: "Regras e linhas de tabela que poderiam dar o resultado desejado, na ordem de avaliação.",
      items: {
        type: "object",
        required: ["kind", "name", "position", "blocking"],
        properties: {
          kind: { type: "string", enum: ["rule", "row", "default"] },
          name: { type: "string" },
          table: { type: "string" },
          row: { type: "integer", description: "Linha da tabela (a partir de 1)." },
          position,
          blocking: {
            type: "array",
            items: {
              type: "object",
              required: ["kind", "text", "values"],
              properties: {
                kind: { type: "string", enum: ["condition", "stop", "overwrite", "first", "priority", "value"] },
                text: { type: "string", description: "A condição como escrita (célula: `coluna: célula`) ou a frase." },
                position,
                values: { type: "object", additionalProperties: true, description: "O que a condição leu." },
              },
            },
          },
        },
      },
    },
    moreCandidates: { type: "integer" },
    suggestion: {
      type: ["object", "null"],
      required: ["changes", "decision"],
      properties: {
        changes: {
          type: "array",
          items: {
            type: "object",
            required: ["fact", "from", "to"],
            properties: { fact: { type: "string" }, from: {}, to: {} },
          },
        },
        decision: { type: "object", additionalProperties: true },
      },
    },
    search: {
      type: "object",
      required: ["decisions", "limit", "stoppedAtLimit"],
      properties: {
        decisions: { type: "integer" },
        limit: { type: "integer" },
        stoppedAtLimit: { type: "boolean" },
      },
    },
    message: { type: "string" },
  },
} as const;

/** The `asOf` of the decide bodies (checked and read in the rule set's zone by `target`). */
const asOf = {
  type: "string",
  maxLength: 64,
  description:
    "Decide com a versão em vigor neste instante: data (aaaa-mm-dd, 00:00 no fuso do conjunto) ou data-hora ISO 8601 com fuso. Sem ele, a versão em vigor agora.",
} as const;

/** Longest stretch a batch keeps the event loop before letting other requests in. */
const BATCH_SLICE_MS = 10;

export async function decideRoutes(app: FastifyInstance): Promise<void> {
  const { registry, metrics, config } = app;

  /**
   * The version that decides, why (`versionReason`) and, with `asOf`, the instant it was asked for
   * (UTC ISO): what a decision record keeps of the choice.
   */
  interface Target {
    readonly loaded: LoadedVersion;
    readonly versionReason: string;
    readonly asOf?: string;
  }

  async function target(name: string, version: string | undefined, asOf?: string): Promise<Target> {
    if (!registry.ready) throw new ApiError(503, "NOT_READY", "o serviço ainda está carregando os conjuntos de regras");
    if (asOf !== undefined && version !== undefined)
      throw new ApiError(400, "INVALID_REQUEST", "use ?version=N ou asOf, não os dois", [
        { path: "/asOf", message: "não combina com ?version=N" },
      ]);
    let at: number | undefined;
    if (asOf !== undefined) {
      at = isWhen(asOf) ? parseWhen(asOf, registry.zoneOf(name)) : undefined;
      if (at === undefined)
        throw new ApiError(400, "INVALID_REQUEST", `asOf inválido: ${WHEN_FORMAT}`, [
          { path: "/asOf", message: WHEN_FORMAT },
        ]);
    }
    const chosen =
      version === undefined
        ? await registry.inForce(name, at)
        : await registry.version(name, Number(version)).then((loaded) =>
            loaded
              ? {
                  loaded,
                  reason: reasonText("explicit", { version: Number(version), zone: loaded.compiled.zone }),
                }
              : undefined,
          );
    if (!chosen) {
      const down = registry.unavailable(name);
      if (down)
        throw new ApiError(
          503,
          "RULESET_UNAVAILABLE",
          `nenhuma versão publicada de ${name} pode ser usada (a ativa, ${down.activeVersion}, e as anteriores não compilam ou não montam mais): publique uma versão corrigida`,
          [down],
        );
      if (!registry.get(name)) throw notFound(`conjunto de regras desconhecido: ${name}`);
      throw notFound(`versão ${version} de ${name} não existe`);
    }
    return {
      loaded: chosen.loaded,
      versionReason: chosen.reason,
      ...(at !== undefined ? { asOf: new Date(at).toISOString() } : {}),
    };
  }

  async function decideOne(loaded: LoadedVersion, facts: unknown, explain: boolean): Promise<DecisionResult> {
    // The version's series, bound once (metrics.ts): no labels object per decision.
    const series = metrics.decision(loaded.stored.name, loaded.stored.version);
    const started = performance.now();
    try {
      const result = await loaded.runtime.decide(facts, { explain });
      series.ok.inc();
      return result;
    } catch (e) {
      if (isDecisionError(e)) (e.code === "INVALID_FACTS" ? series.invalidFacts : series.rulesetDefect).inc();
      throw e;
    } finally {
      series.seconds.observe((performance.now() - started) / 1000);
    }
  }

  // The decision log (undefined when off): `record` only queues, it never throws nor waits.
  const log = app.decisionLog;

  /** A new decision id; the decision is recorded under it when the log is on. */
  function logDecision(
    loaded: LoadedVersion,
    facts: unknown,
    result: DecisionResult,
    source: DecisionEntry["source"],
    requestId: string,
    extra?: Pick<DecisionEntry, "asOf" | "versionReason">,
  ): string {
    const id = newDecisionId();
    log?.record?.({
      id,
      ruleset: loaded.stored.name,
      version: loaded.stored.version,
      hash: loaded.stored.hash,
      personalFacts: loaded.compiled.personalFacts,
      source,
      requestId,
      ...extra,
      facts,
      decision: result.decision,
      fired: result.fired,
      firedRefs: result.firedRefs,
    });
    return id;
  }

  function asApiError(e: unknown, loaded: LoadedVersion): ApiError {
    if (isDecisionError(e)) {
      if (e.code === "INVALID_FACTS") return new ApiError(400, "INVALID_FACTS", e.message, e.details);
      // A defect of the rule set (not of the request): which rule set, which version, what broke, where.
      const where = { ruleset: loaded.stored.name, version: loaded.stored.version };
      return new ApiError(
        500,
        "RULESET_DEFECT",
        e.message,
        e.details.length > 0 ? e.details.map((d) => ({ ...d, ...where })) : [where],
      );
    }
    throw e;
  }

  app.post<{
    Params: { ruleset: string };
    Querystring: { version?: string };
    Body: { facts: unknown; explain?: boolean; asOf?: string };
  }>(
    "/v1/decide/:ruleset",
    {
      config: { roles: ["decide"] },
      schema: {
        summary: "Toma uma decisão",
        tags: ["decisões"],
        errors: {
          400: "JSON malformado (`MALFORMED_JSON`), corpo fora do formato (`INVALID_REQUEST`) ou fatos que não seguem o esquema do conjunto de regras (`INVALID_FACTS`; `details`: `{path, message}` por campo, `path` um JSON pointer em `facts`).",
          404: "Conjunto de regras ou versão (`?version=N`) desconhecidos (`NOT_FOUND`).",
          500: "Defeito do conjunto de regras ao decidir (`RULESET_DEFECT`; `details` diz o conjunto, a versão e onde) ou erro interno (`INTERNAL_ERROR`).",
          503: "Serviço ainda carregando os conjuntos de regras (`NOT_READY`), nenhuma versão utilizável do conjunto (`RULESET_UNAVAILABLE`), serviço em encerramento ou requisição acima de `HANDLER_TIMEOUT_MS`. Tente de novo.",
        },
        params: rulesetParam,
        querystring: versionQuery,
        body: {
          type: "object",
          required: ["facts"],
          additionalProperties: false,
          properties: {
            facts: { type: "object", description: "Fatos, conforme o esquema do conjunto de regras." },
            explain: { type: "boolean" },
            asOf,
          },
        },
        response: { 200: decisionResponse, "4xx": { $ref: "ApiError#" }, "5xx": { $ref: "ApiError#" } },
      },
    },
    async (request) => {
      const {
        loaded,
        versionReason,
        asOf: asOfInstant,
      } = await target(request.params.ruleset, request.query.version, request.body.asOf);
      const why = { versionReason, ...(asOfInstant !== undefined ? { asOf: asOfInstant } : {}) };
      try {
        const explain = request.body.explain === true;
        const result = await decideOne(loaded, request.body.facts, explain);
        return {
          decisionId: logDecision(loaded, request.body.facts, result, "decide", request.id, why),
          ruleset: loaded.stored.name,
          version: loaded.stored.version,
          versionReason,
          decision: result.decision,
          fired: result.fired,
          ...(explain ? { trace: result.trace } : {}),
        };
      } catch (e) {
        throw asApiError(e, loaded);
      }
    },
  );

  app.post<{
    Params: { ruleset: string };
    Querystring: { version?: string };
    Body: { facts: unknown; want: Record<string, unknown> };
  }>(
    "/v1/decide/:ruleset/why-not",
    {
      config: { roles: ["decide"] },
      schema: {
        summary: "Por que não? O que impediu um resultado desejado e a menor mudança de fatos que o dá",
        tags: ["decisões"],
        description:
          'Decide os fatos e, se a decisão não dá o resultado desejado (`want`, por exemplo `{"saida": "valor"}`), lista as regras e linhas de tabela que poderiam dá-lo, cada condição que as impediu (com os valores lidos e a posição no arquivo), uma regra que encerrou a avaliação antes (stop) ou sobrescreveu a saída depois, e a menor mudança de fatos (até 2 fatos, até 2.000 decisões) que dá o resultado, conferida decidindo de novo.',
        errors: {
          400: "JSON malformado (`MALFORMED_JSON`), corpo fora do formato (`INVALID_REQUEST`), fatos fora do esquema (`INVALID_FACTS`) ou resultado desejado impossível (`INVALID_WANT`: saída que não existe, valor de outro tipo ou fora da lista de valores).",
          404: "Conjunto de regras ou versão (`?version=N`) desconhecidos (`NOT_FOUND`).",
          500: "Defeito do conjunto de regras ao decidir (`RULESET_DEFECT`) ou erro interno (`INTERNAL_ERROR`).",
          503: "Serviço ainda carregando (`NOT_READY`), nenhuma versão utilizável (`RULESET_UNAVAILABLE`), serviço em encerramento ou busca acima de `HANDLER_TIMEOUT_MS`. Tente de novo.",
        },
        params: rulesetParam,
        querystring: versionQuery,
        body: {
          type: "object",
          required: ["facts", "want"],
          additionalProperties: false,
          properties: {
            facts: { type: "object", description: "Fatos, conforme o esquema do conjunto de regras." },
            want: {
              type: "object",
              minProperties: 1,
              description: "O resultado desejado: saída → valor (texto, número, booleano ou null).",
            },
          },
        },
        response: { 200: whyNotResponse, "4xx": { $ref: "ApiError#" }, "5xx": { $ref: "ApiError#" } },
      },
    },
    async (request) => {
      const { loaded } = await target(request.params.ruleset, request.query.version);
      const signal = request.deadline;
      try {
        const result = await whyNot(loaded.runtime, request.body.facts, request.body.want, {
          // The search re-decides up to 2,000 times: other requests get a turn every few
          // milliseconds, and the search stops at the request's deadline.
          checkpoint: async () => {
            await new Promise((resolve) => setImmediate(resolve));
            if (signal.aborted) throw handlerTimeout();
          },
        });
        return { ruleset: loaded.stored.name, version: loaded.stored.version, ...result };
      } catch (e) {
        if (isWhyNotError(e)) throw new ApiError(400, e.code, e.message);
        if (e instanceof ApiError) throw e;
        throw asApiError(e, loaded);
      }
    },
  );

  app.post<{
    Params: { ruleset: string };
    Querystring: { version?: string };
    Body: { items: { facts: unknown }[]; asOf?: string };
  }>(
    "/v1/decide/:ruleset/batch",
    {
      config: { roles: ["decide"] },
      schema: {
        summary: "Toma várias decisões (um item ruim não derruba os outros)",
        tags: ["decisões"],
        errors: {
          400: "JSON malformado (`MALFORMED_JSON`), corpo fora do formato (`INVALID_REQUEST`) ou itens demais (`BATCH_TOO_LARGE`, limite `BATCH_LIMIT`). Fatos ruins de um item não são erro HTTP: vêm no `error` daquele item.",
          404: "Conjunto de regras ou versão (`?version=N`) desconhecidos (`NOT_FOUND`).",
          503: "Serviço ainda carregando os conjuntos de regras (`NOT_READY`), nenhuma versão utilizável do conjunto (`RULESET_UNAVAILABLE`), serviço em encerramento ou requisição acima de `HANDLER_TIMEOUT_MS`. Tente de novo.",
        },
        params: rulesetParam,
        querystring: versionQuery,
        body: {
          type: "object",
          required: ["items"],
          additionalProperties: false,
          properties: {
            items: {
              type: "array",
              maxItems: config.batchLimit,
              items: {
                type: "object",
                required: ["facts"],
                additionalProperties: false,
                properties: { facts: { type: "object" } },
              },
            },
            asOf,
          },
        },
        response: {
          200: {
            type: "object",
            required: ["ruleset", "version", "results"],
            properties: {
              ruleset: { type: "string" },
              version: { type: "integer" },
              versionReason: { type: "string" },
              results: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    decisionId: {
                      type: "string",
                      description:
                        "Identificador da decisão (UUID versão 7, ordenável por tempo): com o registro de decisões ligado, `GET /v1/decisions/{id}` a mostra. Só nos itens que decidiram.",
                    },
                    decision: { type: "object", additionalProperties: true },
                    fired: { type: "array", items: { type: "string" } },
                    error: {
                      type: "object",
                      properties: {
                        code: { type: "string" },
                        message: { type: "string" },
                        details: { type: "array", items: {} },
                      },
                    },
                  },
                },
              },
            },
          },
          "4xx": { $ref: "ApiError#" },
          "5xx": { $ref: "ApiError#" },
        },
      },
    },
    async (request) => {
      const {
        loaded,
        versionReason,
        asOf: asOfInstant,
      } = await target(request.params.ruleset, request.query.version, request.body.asOf);
      const why = { versionReason, ...(asOfInstant !== undefined ? { asOf: asOfInstant } : {}) };
      const results = [];
      // Decisions never wait on I/O, so a long batch would hold the event loop: give other
      // requests a turn every few milliseconds.
      // The request's deadline aborts at HANDLER_TIMEOUT_MS (503 HANDLER_TIMEOUT has then been
      // answered) or when the client goes away: the batch stops deciding right there.
      const signal = request.deadline;
      const items = request.body.items;
      let slice = performance.now();
      for (let i = 0; i < items.length; i++) {
        if (performance.now() - slice > BATCH_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
        if (signal.aborted) {
          const timedOut = signal.reason === "timeout";
          metrics.batchItemsAbandoned.inc(
            { ruleset: loaded.stored.name, reason: timedOut ? "timeout" : "client_gone" },
            items.length - i,
          );
          request.log.warn(
            { decided: i, abandoned: items.length - i },
            timedOut ? "batch stopped at HANDLER_TIMEOUT_MS" : "batch stopped: the client went away",
          );
          throw handlerTimeout();
        }
        try {
          const r = await decideOne(loaded, items[i]!.facts, false);
          const decisionId = logDecision(loaded, items[i]!.facts, r, "batch", request.id, why);
          results.push({ decisionId, decision: r.decision, fired: r.fired });
        } catch (e) {
          const api = asApiError(e, loaded);
          results.push({ error: { code: api.code, message: api.message, details: api.details } });
        }
      }
      return { ruleset: loaded.stored.name, version: loaded.stored.version, versionReason, results };
    },
  );
}
