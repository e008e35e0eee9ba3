/**
 * The decision service as a fastify application (a plugin tree; only `main.ts` listens).
 * Configured against the stack's hazards: timeouts set, JSON objects only (no text/plain), no
 * coercion or silent stripping by the request validator, prototype poisoning refused, one error
 * envelope, a request id in every log line and error.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import rateLimit from "@fastify/rate-limit";
import { authenticate, type Principal, type Role } from "./auth.js";
import type { Config } from "./config.js";
import { ApiError, clientErrorOf, errorSchema, handlerTimeout, rawErrorResponse, toApiError } from "./errors.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { registerLoopbackGuard } from "./loopback-guard.js";
import { registerApiDocs } from "./openapi.js";
import type { Registry } from "./registry.js";
import { decideRoutes } from "./routes/decide.js";
import { editorRoutes } from "./routes/editor.js";
import { healthRoutes } from "./routes/health.js";
import { meRoutes } from "./routes/me.js";
import { rulesetRoutes } from "./routes/rulesets.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Roles allowed on the route (any one of them); absent: any authenticated caller. */
    roles?: readonly Role[];
    /** The route needs no token at all (/health, the API docs under /docs, the editor at / and /assets/). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
    /**
     * Aborted when the request runs out of time (HANDLER_TIMEOUT_MS; reason "timeout": a 503
     * HANDLER_TIMEOUT has been answered) or its client goes away (reason "client_gone"). Long
     * handlers (a batch) check it and stop working.
     */
    deadline: AbortSignal;
  }
}

export interface AppOptions {
  readonly config: Config;
  readonly registry: Registry;
  /** Pino options or false (tests). */
  readonly logger?: boolean | Record<string, unknown>;
  readonly metrics?: Metrics;
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * The socket idle timeout: longer than anything a request may legitimately spend in silence
 * (receiving it, then handling it), plus a margin for a busy event loop.
 */
export function socketIdleTimeout(config: Pick<Config, "requestTimeout" | "handlerTimeout">): number {
  return config.requestTimeout + config.handlerTimeout + 5_000;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, registry } = options;
  const metrics = options.metrics ?? createMetrics();
  let transportLog: FastifyBaseLogger | undefined;
  const app = Fastify({
    // Node checks request timeouts only every 30 s by default: a client trickling one byte at a
    // time would hold its socket that long whatever requestTimeout says.
    // With a server factory fastify leaves the server's timeouts to us: set them all here.
    // Three different clocks:
    //   - requestTimeout / headersTimeout: receiving the request (slow clients are cut, 408);
    //   - handlerTimeout (our onRequest hook below): handling it (503 HANDLER_TIMEOUT, a batch
    //     stops deciding). Not fastify's own handlerTimeout: over a real socket fastify aborts
    //     request.signal and clears its timer as soon as the body has been read (Node emits the
    //     request's 'close' then), so it never fires for a POST;
    //   - the socket idle timeout: a connection with no traffic at all. While a handler works
    //     the socket is silent, so this one must outlast the handler timeout, or a slow handler
    //     loses its connection with no response while its work goes on.
    serverFactory: (handler) => {
      const server = createServer(
        {
          requestTimeout: config.requestTimeout,
          headersTimeout: config.requestTimeout,
          keepAliveTimeout: 5_000,
          connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.requestTimeout / 2))),
        },
        handler,
      );
      server.setTimeout(socketIdleTimeout(config));
      return server;
    },
    // Errors Node's HTTP parser finds before there is a request (malformed request, headers or
    // URL too large, request timeout) get the envelope too.
    clientErrorHandler: (err, socket) => {
      const e = err as NodeJS.ErrnoException & { rawPacket?: unknown };
      if (e.code === "ECONNRESET" || socket.destroyed) return;
      const api = clientErrorOf(e);
      transportLog?.info(
        { code: api.code, status: api.statusCode, cause: e.code },
        "request refused by the HTTP parser",
      );
      const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (socket.writable && !pending?.headersSent) socket.end(rawErrorResponse(api));
      else socket.destroy();
    },
    // Router errors (bad percent-encoding, a path parameter too long) bypass the error handler.
    frameworkErrors: (err, request, rawReply) => {
      const api = toApiError(err);
      request.log.info({ code: api.code, status: api.statusCode }, "request refused");
      void (rawReply as FastifyReply)
        .status(api.statusCode)
        .header("x-request-id", request.id)
        .send({ error: { code: api.code, message: api.message, details: api.details, requestId: request.id } });
    },
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    connectionTimeout: socketIdleTimeout(config),
    requestTimeout: config.requestTimeout,
    keepAliveTimeout: 5_000,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    // Requests arriving while the service shuts down get our own 503 envelope (hook below).
    return503OnClosing: false,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers["x-request-id"];
      return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    ajv: {
      // The request validator must never coerce ("100" → 100, null → 0) nor drop unknown fields.
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        useDefaults: false,
        allErrors: true,
        strict: false,
      },
    },
  });

  transportLog = app.log;

  // JSON objects only: text/plain bodies are refused (415) instead of reaching handlers as strings.
  app.removeContentTypeParser("text/plain");

  app.addSchema(errorSchema);

  // Graceful shutdown (app.close(), see main.ts): requests already in flight finish; new ones are
  // answered 503 SHUTTING_DOWN; every response from then on closes its keep-alive connection.
  let draining = false;
  app.addHook("preClose", async () => {
    draining = true;
  });

  // The handler deadline: created with the request, armed once the body has been received (the
  // time to receive it is REQUEST_TIMEOUT_MS's business), disarmed when the response is done.
  app.decorateRequest("deadline", null as unknown as AbortSignal);
  type Deadline = { readonly controller: AbortController; timer?: NodeJS.Timeout; closed: boolean };
  const deadlines = new WeakMap<FastifyRequest, Deadline>();
  app.addHook("onRequest", async (request: FastifyRequest, reply) => {
    reply.header("x-request-id", request.id);
    const entry: Deadline = { controller: new AbortController(), closed: false };
    deadlines.set(request, entry);
    request.deadline = entry.controller.signal;
    reply.raw.once("close", () => {
      entry.closed = true;
      clearTimeout(entry.timer);
      if (!reply.raw.writableFinished && !entry.controller.signal.aborted) entry.controller.abort("client_gone");
    });
    if (draining)
      throw new ApiError(503, "SHUTTING_DOWN", "o serviço está sendo encerrado; tente de novo em instantes");
  });

  app.addHook("preValidation", async (request: FastifyRequest, reply) => {
    const entry = deadlines.get(request);
    if (!entry || entry.closed || entry.timer) return;
    entry.timer = setTimeout(() => {
      entry.controller.abort("timeout");
      if (reply.sent || reply.raw.headersSent) return;
      request.log.warn({ handlerTimeoutMs: config.handlerTimeout }, "request ran out of time (HANDLER_TIMEOUT_MS)");
      void reply.send(handlerTimeout());
    }, config.handlerTimeout);
    entry.timer.unref();
  });

  app.addHook("onSend", async (_request, reply) => {
    if (draining) reply.header("connection", "close");
  });

  // The open mode's guard (no tokens: loopback-only, checked at start): loopback Host only, JSON
  // and the service's own Origin on state-changing requests (DNS rebinding, cross-site requests;
  // see loopback-guard.ts). After the shutdown check, before everything else.
  registerLoopbackGuard(app, config);

  // Authentication and roles. With no tokens configured the service is loopback-only (checked at
  // start) and open; otherwise every route but the public ones (/health, /docs and its assets,
  // the editor's page and files) needs a bearer token with a fitting role.
  app.addHook("onRequest", async (request: FastifyRequest) => {
    const routeConfig = request.routeOptions.config;
    if (config.tokens.length === 0 || routeConfig?.public) return;
    const principal = authenticate(config.tokens, request.headers.authorization);
    if (!principal) throw new ApiError(401, "UNAUTHORIZED", "informe um token válido em Authorization: Bearer <token>");
    request.principal = principal;
    const roles = routeConfig?.roles;
    if (roles && !roles.some((r) => principal.roles.includes(r))) {
      throw new ApiError(403, "FORBIDDEN", `este token não tem o papel necessário (${roles.join(" ou ")})`);
    }
  });

  app.addHook("onResponse", async (request, reply) => {
    // The route pattern, never the raw URL: label values stay few.
    const route = request.routeOptions.url ?? "(sem rota)";
    metrics.httpSeconds.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((err, request, reply) => {
    const api = toApiError(err);
    if (api.statusCode >= 500) request.log.error({ err }, "request failed");
    else request.log.info({ code: api.code, status: api.statusCode }, "request refused");
    reply
      .status(api.statusCode)
      .send({ error: { code: api.code, message: api.message, details: api.details, requestId: request.id } });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: {
        code: "NOT_FOUND",
        message: `rota inexistente: ${request.method} ${request.url.split("?")[0]}`,
        details: [],
        requestId: request.id,
      },
    });
  });

  await app.register(rateLimit, { global: false, keyGenerator: (req) => req.principal?.name ?? req.ip });

  // OpenAPI at /docs/json and Swagger UI at /docs (public; see openapi.ts): before the routes.
  await registerApiDocs(app, { config, registry });

  app.decorate("registry", registry);
  app.decorate("metrics", metrics);
  app.decorate("config", config);

  await app.register(healthRoutes);
  await app.register(decideRoutes);
  await app.register(rulesetRoutes);
  await app.register(meRoutes);
  await app.register(editorRoutes);

  return app;
}

declare module "fastify" {
  interface FastifyInstance {
    registry: Registry;
    metrics: Metrics;
    config: Config;
  }
}
