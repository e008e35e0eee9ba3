/** Liveness, readiness and metrics (the root page is the editor: routes/editor.ts). */
import type { FastifyInstance } from "fastify";
import { ApiError } from "../errors.js";

/** The liveness answer, one object for every request (serialised by the route's response schema). */
const ALIVE = Object.freeze({ status: "ok" as const });

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    "/health",
    {
      config: { public: true },
      schema: {
        summary: "O processo está no ar (sem token)",
        tags: ["operação"],
        response: {
          200: { type: "object", required: ["status"], properties: { status: { type: "string", enum: ["ok"] } } },
        },
      },
    },
    // Synchronous: no promise per probe.
    () => ALIVE,
  );

  // 200 once every rule set is loaded: `degraded` lists those served from an older version because
  // their active one no longer builds; 503 RULESET_UNAVAILABLE when a rule set has no version that builds.
  // `store` is the store's state: with PostgreSQL down it is "degraded" and so is `status`, but the
  // answer stays 200 — the replica still decides with the versions in memory, so a load balancer
  // must keep sending it decisions (authoring answers 503 STORE_UNREACHABLE meanwhile).
  app.get("/ready", { schema: { hide: true } }, async () => {
    if (!app.registry.ready) throw new ApiError(503, "NOT_READY", "carregando os conjuntos de regras");
    const degraded = app.registry.degraded();
    const unavailable = degraded.filter((d) => d.servedVersion === null);
    if (unavailable.length > 0) {
      throw new ApiError(
        503,
        "RULESET_UNAVAILABLE",
        `nenhuma versão de ${unavailable.map((d) => d.ruleset).join(", ")} pode ser usada: publique uma versão corrigida`,
        degraded,
      );
    }
    const store = app.registry.store.status();
    return {
      status: degraded.length > 0 || store.state !== "ok" ? "degraded" : "ready",
      rulesets: app.registry.names(),
      degraded,
      store,
    };
  });

  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    reply.header("content-type", app.metrics.registry.contentType);
    return app.metrics.registry.metrics();
  });
}
