/**
 * `GET /v1/me`: who the caller is and which roles the token carries, so that the editor shows only
 * what the token allows (a `decide` token cannot publish). Any valid token may ask; without tokens
 * configured (open mode, loopback only) the caller may do everything.
 */
import type { FastifyInstance } from "fastify";
import { ROLES } from "../auth.js";
import { errorResponses as errors } from "../schemas.js";

export async function meRoutes(app: FastifyInstance): Promise<void> {
  const open = app.config.tokens.length === 0;
  app.get(
    "/v1/me",
    {
      schema: {
        summary: "Quem está chamando e os papéis do token",
        description:
          "Os papéis do token (`decide`, `author`, `publisher`). Sem tokens configurados (modo aberto, só loopback), todos os papéis e `open: true`.",
        tags: ["conjuntos de regras"],
        response: {
          200: {
            type: "object",
            required: ["name", "roles", "open"],
            properties: {
              name: { type: "string" },
              roles: { type: "array", items: { type: "string", enum: [...ROLES] } },
              open: { type: "boolean" },
            },
          },
          ...errors,
        },
      },
    },
    async (request) =>
      open || !request.principal
        ? { name: "local", roles: [...ROLES], open: true }
        : { name: request.principal.name, roles: [...request.principal.roles], open: false },
  );
}
