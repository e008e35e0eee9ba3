/**
 * `POST /v1/decisions/:id/promote` (author, publisher): a logged decision as a case of its rule
 * set's suite (tester/promote.ts). Reads the record from the decision log's storage
 * (`app.decisionLog`), checks the case against the active version and answers the case's YAML and
 * the suite with it appended: the active version's suite, or the `tests` sent (the editor's draft
 * suite). The service writes nothing: the analyst publishes the suite. A case that does not
 * reproduce is still answered (`reproduced: false`, tagged `revisar` under a comment, with the
 * differences), for the analyst to review.
 */
import type { FastifyInstance } from "fastify";
import { PromoteError, promoteDecision } from "../../tester/promote.js";
import { ApiError, notFound } from "../errors.js";
import { errorResponses as errors } from "../schemas.js";

export async function promoteRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app;
  app.post<{ Params: { id: string }; Body: { name?: string; tags?: string[]; tests?: string } | undefined }>(
    "/v1/decisions/:id/promote",
    {
      config: { roles: ["author", "publisher"] as const },
      schema: {
        summary: "Transforma uma decisão registrada em caso de teste da suíte do conjunto de regras",
        description:
          "Monta o caso (fatos registrados, com os dados pessoais mascarados; todas as saídas da decisão como `expect`; etiqueta `producao`), roda-o contra a versão ativa e o acrescenta ao fim da suíte (a da versão ativa, ou `tests` enviado), sem mudar nenhuma outra linha. Nada é gravado: publique a suíte para guardá-la. Um caso que não reproduz a decisão volta com `reproduced: false`, a etiqueta `revisar` e um comentário.",
        tags: ["edição"],
        errors: {
          404: "Decisão desconhecida, ou o seu conjunto de regras não existe mais (`NOT_FOUND`).",
          422: "A suíte não pode ser lida ou é de outro conjunto de regras (`INVALID_TEST_SUITE`).",
          503: "O registro de decisões está desligado (`DECISION_LOG_OFF`) ou indisponível.",
        },
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9-]+$" } },
        },
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            name: { type: "string", minLength: 1, maxLength: 200 },
            tags: {
              type: "array",
              maxItems: 20,
              items: { type: "string", minLength: 1, maxLength: 60, pattern: "^[^\\s,\\[\\]{}#]+$" },
            },
            tests: { type: "string", maxLength: config.sourceLimit },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              ruleset: { type: "string" },
              version: { type: "integer" },
              name: { type: "string" },
              case: { type: "string" },
              suite: { type: "string" },
              reproduced: { type: "boolean" },
              masked: { type: "boolean" },
              differences: {
                type: "array",
                items: {
                  type: "object",
                  properties: { path: { type: "string" }, expected: {}, actual: {}, message: { type: "string" } },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const log = app.decisionLog;
      if (!log)
        throw new ApiError(
          503,
          "DECISION_LOG_OFF",
          "o registro de decisões está desligado neste serviço (DECISION_LOG=off): não há decisões para transformar em caso de teste",
        );
      const id = request.params.id;
      const record = await log.storage.get(id);
      if (!record) throw notFound(`decisão desconhecida: ${id}`);
      const active = app.registry.get(record.ruleset);
      if (!active) throw notFound(`o conjunto de regras ${record.ruleset} da decisão ${id} não existe mais`);
      const body = request.body ?? {};
      try {
        const result = await promoteDecision(record, {
          suite: body.tests ?? active.stored.tests,
          compiled: active.compiled,
          force: true,
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.tags !== undefined ? { tags: body.tags } : {}),
        });
        return {
          ruleset: record.ruleset,
          version: active.stored.version,
          name: result.name,
          case: result.caseText,
          suite: result.text,
          reproduced: result.check?.reproduced ?? false,
          masked: result.check?.masked ?? false,
          differences: result.check?.differences ?? [],
        };
      } catch (e) {
        if (e instanceof PromoteError) throw new ApiError(422, "INVALID_TEST_SUITE", e.message);
        throw e;
      }
    },
  );
}
