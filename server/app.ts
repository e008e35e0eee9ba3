/**
 * The decision service as a fastify application (a plugin tree; only `main.ts` listens).
 * Configured against the stack's hazards: timeouts set, JSON objects only (no text/plain), no
 * coercion or silent stripping by the request validator, prototype poisoning refused, one error
 * envelope, a request id in every log line and error.
 *
 * The per-request path is kept lean (issue 10): callback-style hooks, one shared queue and timer
 * for the handler deadlines (HandlerDeadlines), one log line per request (OneLinePerRequest),
 * metrics through label children bound once (metrics.ts), responses serialised from each route's
 * `schema.response`.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import rateLimit from "@fastify/rate-limit";
import { authenticate, type Principal, type Role } from "./auth.js";
import type { Config } from "./config.js";
import type { DecisionLogReader } from "./decision-log/types.js";
import { ApiError, clientErrorOf, errorSchema, handlerTimeout, rawErrorResponse, toApiError } from "./errors.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { registerLoopbackGuard } from "./loopback-guard.js";
import { registerApiDocs } from "./openapi.js";
import type { Registry } from "./registry.js";
import { decideRoutes } from "./routes/decide.js";
import { decisionRoutes } from "./routes/decisions.js";
import { editorRoutes } from "./routes/editor.js";
import { healthRoutes } from "./routes/health.js";
import { meRoutes } from "./routes/me.js";
import { mutantRoutes } from "./routes/mutants.js";
import { replayRoutes } from "./routes/replay.js";
import { promoteRoutes } from "./routes/promote.js";
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
     * handlers (a batch, authoring) check it and stop working. Built on first read: requests
     * that never read it (a single decision, /health) cost no AbortController.
     */
    readonly deadline: AbortSignal;
    /** The request's handler deadline (app.ts). */
    [kDeadline]: HandlerDeadline | null;
  }
}

export interface AppOptions {
  readonly config: Config;
  readonly registry: Registry;
  /** Pino options or false (tests). */
  readonly logger?: boolean | Record<string, unknown>;
  readonly metrics?: Metrics;
  /** The decision log (server/decision-log/); absent: decisions are not logged. */
  readonly decisionLog?: DecisionLogReader;
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

const kDeadline: unique symbol = Symbol("handler deadline");

/** One request's handler deadline (HANDLER_TIMEOUT_MS). */
export interface HandlerDeadline {
  readonly reply: FastifyReply;
  /** performance.now() at which it expires; 0 until armed. */
  at: number;
  /** Built when the handler reads `request.deadline`. */
  controller: AbortController | undefined;
  /** Neighbours in the queue of armed deadlines (HandlerDeadlines). */
  prev: HandlerDeadline | undefined;
  next: HandlerDeadline | undefined;
}

/** A request's deadline record, not armed yet. */
export function newDeadline(reply: FastifyReply): HandlerDeadline {
  return { reply, at: 0, controller: undefined, prev: undefined, next: undefined };
}

/**
 * The handler deadlines of the requests in flight: one queue and at most one pending timer for the
 * whole app, instead of a timer, an AbortController and a 'close' listener per request (which cost
 * more than a whole /health request's handling). Every deadline has the same duration and is
 * armed in order, so the queue (a doubly linked list: arming and disarming are O(1), no hashing)
 * is in deadline order: the timer always points at its first entry, and an entry leaves it when
 * its response is done (onResponse), when its client leaves (only watched for requests whose
 * handler read the signal), or when it expires. A request whose client left unwatched stays
 * queued until its deadline, which then finds the response closed and does nothing.
 */
export class HandlerDeadlines {
  private first: HandlerDeadline | undefined;
  private last: HandlerDeadline | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly expire: (entry: HandlerDeadline) => void,
  ) {}

  /** Starts the clock of a request (once its body has been received). */
  arm(entry: HandlerDeadline): void {
    entry.at = performance.now() + this.ms;
    entry.prev = this.last;
    entry.next = undefined;
    if (this.last) this.last.next = entry;
    else this.first = entry;
    this.last = entry;
    if (!this.timer) this.schedule(this.ms);
  }

  /** The response is done (or the client left): the deadline no longer matters. Idempotent. */
  disarm(entry: HandlerDeadline): void {
    if (entry.prev) entry.prev.next = entry.next;
    else if (this.first === entry) this.first = entry.next;
    else return; // not in the queue
    if (entry.next) entry.next.prev = entry.prev;
    else this.last = entry.prev;
    entry.prev = entry.next = undefined;
  }

  /** The request's AbortSignal: aborted "timeout" at expiry, "client_gone" when the client leaves first. */
  signal(entry: HandlerDeadline): AbortSignal {
    if (entry.controller) return entry.controller.signal;
    const controller = new AbortController();
    entry.controller = controller;
    const res = entry.reply.raw;
    const gone = () => {
      this.disarm(entry);
      if (!res.writableFinished && !controller.signal.aborted) controller.abort("client_gone");
    };
    if (res.destroyed) gone();
    else res.once("close", gone);
    return controller.signal;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(this.sweep, Math.max(1, Math.ceil(delayMs)));
    this.timer.unref();
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (let entry = this.first; entry; entry = this.first) {
      // Timers may fire a fraction of a millisecond before the rounded delay.
      if (entry.at > now + 1) {
        this.schedule(entry.at - now);
        return;
      }
      this.disarm(entry);
      this.expire(entry);
    }
  };
}

/** Routes called by probes (load balancers, orchestrators, Prometheus): their successes log at debug level. */
const PROBE_ROUTES: ReadonlySet<string> = new Set(["/health", "/ready", "/metrics"]);

/**
 * One log line per request (fastify's default is two: "incoming request" and "request
 * completed"), written when the response is done: `reqId`, `method`, `url`, `statusCode`,
 * `responseTime` (ms) and `remoteAddress`, flat (no serializer to run); at error level with `err`
 * (stack included) when the response itself failed. LOG_LEVEL=debug adds the "incoming request"
 * line back. Errors answered by the error handler also get their own line there (with the stack
 * for a 5xx), as do requests cut at HANDLER_TIMEOUT_MS. Answered probes (`PROBE_ROUTES`, which a
 * load balancer or Prometheus calls every few seconds) are logged at debug level only.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, "incoming request");
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
      remoteAddress: request.ip,
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else if (reply.statusCode < 400 && PROBE_ROUTES.has(request.routeOptions.url ?? ""))
      reply.log.debug(line, "request completed");
    else reply.log.info(line, "request completed");
  }
}

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
    //   - handlerTimeout (HandlerDeadlines, armed in preValidation): handling it (503 HANDLER_TIMEOUT, a batch
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
    logController: new OneLinePerRequest(),
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

  // The handler deadline (HANDLER_TIMEOUT_MS): one record per request, armed once the body has
  // been received (the time to receive it is REQUEST_TIMEOUT_MS's business), disarmed when the
  // response is done. One shared queue and at most one pending timer for the whole app (see
  // HandlerDeadlines); the request's AbortSignal (`request.deadline`) is only built for the routes
  // that read it (a batch, the authoring routes).
  const deadlines = new HandlerDeadlines(config.handlerTimeout, (entry) => {
    const { reply } = entry;
    // Closed (answered, or the client went away): nothing left to cut.
    if (reply.raw.destroyed) return;
    entry.controller?.abort("timeout");
    if (reply.sent || reply.raw.headersSent) return;
    reply.log.warn({ handlerTimeoutMs: config.handlerTimeout }, "request ran out of time (HANDLER_TIMEOUT_MS)");
    void reply.send(handlerTimeout());
  });
  app.decorateRequest(kDeadline, null);
  app.decorateRequest("deadline", {
    getter(this: FastifyRequest): AbortSignal {
      const entry = this[kDeadline];
      return entry ? deadlines.signal(entry) : new AbortController().signal;
    },
  });
  app.decorateRequest("principal", undefined);

  // Hooks in callback style (no promise, no extra microtask per hook and request).
  app.addHook("onRequest", (request: FastifyRequest, reply, done) => {
    reply.header("x-request-id", request.id);
    request[kDeadline] = newDeadline(reply);
    if (draining)
      done(new ApiError(503, "SHUTTING_DOWN", "o serviço está sendo encerrado; tente de novo em instantes"));
    else done();
  });

  app.addHook("preValidation", (request: FastifyRequest, reply, done) => {
    const entry = request[kDeadline];
    if (entry && entry.at === 0 && !reply.raw.destroyed) deadlines.arm(entry);
    done();
  });

  app.addHook("onSend", (_request, reply, payload, done) => {
    if (draining) reply.header("connection", "close");
    done(null, payload);
  });

  // The open mode's guard (no tokens: loopback-only, checked at start): loopback Host only, JSON
  // and the service's own Origin on state-changing requests (DNS rebinding, cross-site requests;
  // see loopback-guard.ts). After the shutdown check, before everything else.
  registerLoopbackGuard(app, config);

  // Authentication and roles. With no tokens configured the service is loopback-only (checked at
  // start) and open (no hook at all); otherwise every route but the public ones (/health, /docs
  // and its assets, the editor's page and files) needs a bearer token with a fitting role.
  if (config.tokens.length > 0) {
    app.addHook("onRequest", (request: FastifyRequest, _reply, done) => {
      const routeConfig = request.routeOptions.config;
      if (routeConfig?.public) return done();
      const principal = authenticate(config.tokens, request.headers.authorization);
      if (!principal)
        return done(new ApiError(401, "UNAUTHORIZED", "informe um token válido em Authorization: Bearer <token>"));
      request.principal = principal;
      const roles = routeConfig?.roles;
      if (roles && !roles.some((r) => principal.roles.includes(r))) {
        return done(new ApiError(403, "FORBIDDEN", `este token não tem o papel necessário (${roles.join(" ou ")})`));
      }
      done();
    });
  }

  app.addHook("onResponse", (request: FastifyRequest, reply, done) => {
    const entry = request[kDeadline];
    if (entry) deadlines.disarm(entry);
    // The route pattern, never the raw URL: label values stay few.
    metrics
      .httpRequest(request.method, request.routeOptions.url ?? "(sem rota)", reply.statusCode)
      .observe(reply.elapsedTime / 1000);
    done();
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
  metrics.watchStore(() => registry.store.status());
  app.decorate("config", config);
  // The decision log (server/decision-log/): undefined when off (DECISION_LOG=off, or not given).
  app.decorate("decisionLog", options.decisionLog);

  await app.register(healthRoutes);
  await app.register(decideRoutes);
  await app.register(decisionRoutes);
  await app.register(rulesetRoutes);
  await app.register(mutantRoutes);
  await app.register(replayRoutes);
  await app.register(promoteRoutes);
  await app.register(meRoutes);
  await app.register(editorRoutes);

  return app;
}

declare module "fastify" {
  interface FastifyInstance {
    registry: Registry;
    metrics: Metrics;
    config: Config;
    decisionLog: DecisionLogReader | undefined;
  }
}
