/**
 * The decision log through the API (roles author or publisher): `GET /v1/decisions` lists logged
 * decisions with filters (rule set, version, time range, an output's value, a fired rule) one
 * page at a time (cursor), `GET /v1/decisions/:id` shows one, and `?explain=true` adds its
 * explain trace, reconstructed on demand by deciding the logged (masked) facts again with the
 * stored version that decided. Personal facts are masked in the log, so a decision that read one
 * may not come out the same: the answer says so (`reproduced`, `note`). 503 DECISION_LOG_OFF when
 * the service runs without a log (DECISION_LOG=off).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { DateTime } from "luxon";
import { isDecisionError } from "../../engine/errors.js";
import { DEFAULT_ZONE } from "../../dsl/values.js";
import { isDecisionId } from "../decision-log/ids.js";
import { canonicalJson } from "../decision-log/mask.js";
import { type DecisionLogStorage, type DecisionQuery, type DecisionRecord, MAX_PAGE } from "../decision-log/types.js";
import { ApiError, notFound } from "../errors.js";
import { errorResponses as errors, nameParam, traceSchema } from "../schemas.js";

/** A logged decision as the API answers it (server/decision-log/types.ts `DecisionRecord`). */
export const decisionRecordSchema = {
  type: "object",
  required: ["id", "at", "ruleset", "version", "hash", "source", "facts", "masked", "decision", "fired", "firedRefs"],
  properties: {
    id: { type: "string", description: "O `decisionId` devolvido com a decisão (UUID versão 7)." },
    at: { type: "string", description: "Instante da decisão (ISO 8601, UTC)." },
    ruleset: { type: "string" },
    version: { type: "integer", description: "A versão que decidiu." },
    hash: { type: "string", description: "O hash do conteúdo da versão que decidiu." },
    source: { type: "string", enum: ["decide", "batch"], description: "Decisão avulsa ou item de lote." },
    requestId: { type: "string", description: "O x-request-id da requisição." },
    asOf: { type: "string", description: "O `asOf` pedido, quando houve." },
    versionReason: { type: "string", description: "Por que esta versão decidiu." },
    facts: {
      type: "object",
      additionalProperties: true,
      description:
        "Os fatos recebidos, com os fatos pessoais (`personal: true`) mascarados (`pii:` + hash) ou omitidos (DECISION_LOG_PERSONAL=drop).",
    },
    masked: { type: "array", items: { type: "string" }, description: "Os caminhos de fatos mascarados nesta decisão." },
    decision: { type: "object", additionalProperties: true },
    fired: { type: "array", items: { type: "string" } },
    firedRefs: { type: "array", items: { type: "string" } },
  },
} as const;

const recordWithExplain = {
  ...decisionRecordSchema,
  properties: {
    ...decisionRecordSchema.properties,
    trace: traceSchema,
    reproduced: {
      type: "boolean",
      description: "Com `explain=true`: a decisão reconstruída com os fatos registrados é igual à registrada.",
    },
    reconstructed: {
      type: "object",
      description: "Com `explain=true`, quando não reproduziu: o que a reconstrução decidiu.",
      properties: {
        decision: { type: "object", additionalProperties: true },
        fired: { type: "array", items: { type: "string" } },
      },
    },
    note: { type: "string", description: "Com `explain=true`, quando não reproduziu: por quê." },
  },
} as const;

interface ListQuery {
  ruleset?: string;
  version?: string;
  from?: string;
  to?: string;
  output?: string;
  value?: string;
  fired?: string;
  limit?: string;
  cursor?: string;
  order?: "asc" | "desc";
}

function badQuery(param: string, message: string): ApiError {
  return new ApiError(400, "INVALID_REQUEST", `parâmetro ${param} inválido: ${message}`, [
    { path: `?/${param}`, message },
  ]);
}

/** An instant in the query: ISO 8601 date or date-time; without an offset, in America/Sao_Paulo. */
function instant(param: string, text: string): number {
  const parsed = DateTime.fromISO(text, { zone: DEFAULT_ZONE, setZone: true });
  if (!parsed.isValid)
    throw badQuery(
      param,
      "deve ser uma data ou data-hora ISO 8601 (aaaa-mm-dd ou aaaa-mm-ddThh:mm[:ss][fuso]; sem fuso: America/Sao_Paulo)",
    );
  return parsed.toMillis();
}

function positive(param: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d{1,9}$/.test(text) || !Number.isInteger(n) || n < 1 || n > max)
    throw badQuery(param, `deve ser um inteiro entre 1 e ${max.toLocaleString("pt-BR")}`);
  return n;
}

/** The query's filter for the storage, every value checked (400 naming the parameter otherwise). */
export function decisionQueryOf(q: ListQuery): DecisionQuery {
  const from = q.from !== undefined ? instant("from", q.from) : undefined;
  const to = q.to !== undefined ? instant("to", q.to) : undefined;
  if (from !== undefined && to !== undefined && from >= to) throw badQuery("to", "deve ser posterior a from");
  if ((q.output === undefined) !== (q.value === undefined))
    throw badQuery(
      q.output === undefined ? "output" : "value",
      "output e value vão juntos: a saída e o valor que ela deve ter (value em JSON, ou texto)",
    );
  let output: DecisionQuery["output"];
  if (q.output !== undefined && q.value !== undefined) {
    let value: unknown = q.value;
    try {
      value = JSON.parse(q.value);
    } catch {
      // Not JSON: the text itself (`value=APROVADO` is the text "APROVADO").
    }
    output = { field: q.output, value };
  }
  if (q.cursor !== undefined && !isDecisionId(q.cursor))
    throw badQuery("cursor", "use o `next` devolvido pela página anterior");
  return {
    ...(q.ruleset !== undefined ? { ruleset: q.ruleset } : {}),
    ...(q.version !== undefined ? { version: positive("version", q.version, 999_999_999) } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(output ? { output } : {}),
    ...(q.fired !== undefined ? { fired: q.fired } : {}),
    ...(q.limit !== undefined ? { limit: positive("limit", q.limit, MAX_PAGE) } : {}),
    ...(q.cursor !== undefined ? { cursor: q.cursor.toLowerCase() } : {}),
    ...(q.order !== undefined ? { order: q.order } : {}),
  };
}

/** Whether two decisions are the same (as JSON, whatever the order of the keys). */
function sameDecision(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function maskedNote(record: DecisionRecord): string {
  return record.masked.length > 0
    ? `fatos pessoais mascarados no registro: ${record.masked.join(", ")} (os valores originais não são guardados)`
    : "nenhum fato foi mascarado nesta decisão";
}

export async function decisionRoutes(app: FastifyInstance): Promise<void> {
  const { registry } = app;
  const analysts = { roles: ["author", "publisher"] as const };

  function storageOf(): DecisionLogStorage {
    const log = app.decisionLog;
    if (!log)
      throw new ApiError(
        503,
        "DECISION_LOG_OFF",
        "o registro de decisões está desligado neste serviço (DECISION_LOG=off): não há decisões registradas para consultar",
      );
    return log.storage;
  }

  /** A storage call; its failure is a 503 (the decisions themselves go on). */
  async function reading<T>(request: FastifyRequest, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof ApiError) throw e;
      request.log.error({ err: e }, "decision log: reading failed");
      throw new ApiError(
        503,
        "DECISION_LOG_UNAVAILABLE",
        "o registro de decisões não respondeu; tente de novo em instantes (as decisões continuam)",
      );
    }
  }

  app.get<{ Querystring: ListQuery }>(
    "/v1/decisions",
    {
      config: analysts,
      schema: {
        summary: "Decisões registradas, com filtros, uma página por vez",
        tags: ["decisões"],
        description:
          "Lista as decisões registradas (mais recentes primeiro, ou `order=asc`). Filtros: conjunto de regras, versão, intervalo de tempo (`from` inclusivo, `to` exclusivo), o valor de uma saída (`output` + `value`) e uma regra ou linha de tabela que disparou (`fired`). Os fatos pessoais vêm mascarados. Siga `next` (em `cursor`) para a página seguinte; sem `next`, acabou.",
        errors: {
          400: "Parâmetro inválido (`INVALID_REQUEST`; `details` diz qual).",
          503: "Registro de decisões desligado (`DECISION_LOG_OFF`) ou sem resposta (`DECISION_LOG_UNAVAILABLE`).",
        },
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            ruleset: { ...nameParam.properties.name, description: "Só as decisões deste conjunto de regras." },
            version: { type: "string", maxLength: 12, description: "Só as decisões desta versão." },
            from: {
              type: "string",
              maxLength: 64,
              description: "A partir deste instante, inclusive (ISO 8601; sem fuso: America/Sao_Paulo).",
            },
            to: { type: "string", maxLength: 64, description: "Até este instante, exclusive (ISO 8601)." },
            output: {
              type: "string",
              minLength: 1,
              maxLength: 200,
              description: "Uma saída da decisão (com `value`).",
            },
            value: {
              type: "string",
              maxLength: 1000,
              description: 'O valor da saída: JSON (`"APROVADO"`, `true`, `null`, `3`) ou, se não for JSON, o texto.',
            },
            fired: { type: "string", minLength: 1, maxLength: 500, description: "Uma regra ou linha que disparou." },
            limit: {
              type: "string",
              maxLength: 12,
              description: `Tamanho da página (padrão 100, máximo ${MAX_PAGE}).`,
            },
            cursor: { type: "string", maxLength: 64, description: "O `next` da página anterior." },
            order: { type: "string", enum: ["asc", "desc"], description: "desc (padrão): mais recentes primeiro." },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["items"],
            properties: {
              items: { type: "array", items: decisionRecordSchema },
              next: { type: "string", description: "Cursor da próxima página; ausente na última." },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const storage = storageOf();
      const query = decisionQueryOf(request.query);
      return reading(request, () => storage.query(query));
    },
  );

  app.get<{ Params: { id: string }; Querystring: { explain?: "true" | "false" } }>(
    "/v1/decisions/:id",
    {
      config: analysts,
      schema: {
        summary: "Uma decisão registrada; com explain=true, a explicação reconstruída",
        tags: ["decisões"],
        description:
          "A decisão registrada com este `decisionId`. Com `explain=true`, decide de novo os fatos registrados com a versão que decidiu e devolve a explicação (`trace`) e `reproduced`: se a reconstrução deu a mesma decisão. Fatos pessoais mascarados não têm os valores originais: uma decisão que os leu (uma validação de CPF, por exemplo) pode não se reproduzir, e `note` diz quais fatos estavam mascarados.",
        errors: {
          400: "Identificador que não é um `decisionId` (`INVALID_REQUEST`).",
          404: "Nenhuma decisão registrada com este id (`NOT_FOUND`): nunca existiu ou já saiu pela retenção.",
          503: "Registro de decisões desligado (`DECISION_LOG_OFF`) ou sem resposta (`DECISION_LOG_UNAVAILABLE`); versão que decidiu inutilizável (`RULESET_UNAVAILABLE`).",
        },
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", maxLength: 64, description: "O `decisionId`." } },
        },
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            explain: { type: "string", enum: ["true", "false"], description: "true: reconstrói a explicação." },
          },
        },
        response: { 200: recordWithExplain, ...errors },
      },
    },
    async (request) => {
      const storage = storageOf();
      const { id } = request.params;
      if (!isDecisionId(id))
        throw new ApiError(400, "INVALID_REQUEST", `${JSON.stringify(id)} não é um identificador de decisão`, [
          { path: "/id", message: "esperado o decisionId devolvido pela decisão (UUID versão 7)" },
        ]);
      const record = await reading(request, () => storage.get(id.toLowerCase()));
      if (!record) throw notFound(`nenhuma decisão registrada com o id ${id} (nunca existiu ou já saiu pela retenção)`);
      if (request.query.explain !== "true") return record;

      const loaded = await registry.version(record.ruleset, record.version);
      if (!loaded)
        return {
          ...record,
          reproduced: false,
          note: `a versão ${record.version} de ${record.ruleset}, que tomou esta decisão, não existe mais no armazenamento: não há como reconstruir a explicação`,
        };
      const otherText =
        loaded.stored.hash !== record.hash
          ? `; atenção: o conteúdo da versão ${record.version} guardado hoje (hash ${loaded.stored.hash.slice(0, 12)}) não é o que decidiu (hash ${record.hash.slice(0, 12)})`
          : "";
      try {
        const result = await loaded.runtime.decide(record.facts, { explain: true });
        const reproduced = sameDecision(result.decision, record.decision);
        return {
          ...record,
          trace: result.trace,
          reproduced,
          ...(reproduced ? {} : { reconstructed: { decision: result.decision, fired: result.fired } }),
          ...(reproduced && otherText === ""
            ? {}
            : {
                note: reproduced
                  ? `a decisão reconstruída é igual à registrada${otherText}`
                  : `a decisão reconstruída difere da registrada: ${maskedNote(record)}${otherText}`,
              }),
        };
      } catch (e) {
        if (!isDecisionError(e)) throw e;
        return {
          ...record,
          reproduced: false,
          note: `não foi possível decidir de novo os fatos registrados (${e.message}): ${maskedNote(record)}${otherText}`,
        };
      }
    },
  );
}
