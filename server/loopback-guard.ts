/**
 * The guard of the open mode (no tokens configured; the service then listens on loopback only,
 * see config.ts). Listening on 127.0.0.1 keeps other machines out, but not the web pages the
 * analyst's own browser opens: they can send requests to http://127.0.0.1:3000 too. Two attacks:
 *
 * - DNS rebinding: a page of attacker.example re-points its name at 127.0.0.1 and then reads and
 *   writes the service as "its own" origin. The browser still sends `Host: attacker.example`, so
 *   every request whose Host is not a loopback name or address (localhost, 127.x.x.x, [::1], any
 *   port) is refused: 403 FORBIDDEN_HOST.
 * - Cross-site requests: a page posts to the service (a form, a `no-cors` fetch). The browser does
 *   not let it read the answer, but the request would act. A state-changing request (POST, PUT,
 *   PATCH, DELETE) must carry `Content-Type: application/json` (which no form can send and a
 *   cross-site fetch cannot send without a CORS preflight, which this service never approves):
 *   415 UNSUPPORTED_MEDIA_TYPE; and when it has an `Origin` header (browsers send one on every
 *   cross-site POST), that origin must be the service's own, `http://<Host>`: 403
 *   FORBIDDEN_ORIGIN. Requests without Origin (the CRM, curl, the CLI) are not browsers' and pass.
 *
 * With tokens configured these checks are off: the service may then be reached under any name,
 * and a page cannot make the browser attach a bearer token (no cookies are used), so the token is
 * the guard. See docs/hazards.md ("Loopback service, open mode").
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Config } from "./config.js";
import { isLoopback } from "./config.js";
import { ApiError } from "./errors.js";

/** Methods that change something (the API's state-changing routes are all POST today). */
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The host name of a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower case; undefined when malformed. */
export function hostName(host: string): string | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(host);
  return m?.[1]?.toLowerCase();
}

// The last Host header seen and its verdict: a service is called under one or two names, so the
// two regular expressions run once per name instead of once per request.
let lastHost: string | undefined;
let lastHostIsLoopback = false;

/** True when a Host header names the loopback interface (localhost, 127.x.x.x or [::1], any port). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  if (host === lastHost) return lastHostIsLoopback;
  const name = hostName(host.trim());
  const verdict = name !== undefined && isLoopback(name);
  lastHost = host;
  lastHostIsLoopback = verdict;
  return verdict;
}

/** True when a Content-Type header is JSON (`application/json`, parameters such as charset allowed). */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === "application/json") return true;
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** The refusal of a request in the open mode, or undefined when it may go on. */
export function openModeRefusal(request: Pick<FastifyRequest, "method" | "headers" | "is404">): ApiError | undefined {
  const host = request.headers.host;
  if (!isLoopbackHost(host)) {
    return new ApiError(
      403,
      "FORBIDDEN_HOST",
      "sem tokens configurados, o serviço só atende pelo endereço local (localhost, 127.0.0.1 ou [::1]): o cabeçalho Host desta requisição é outro",
    );
  }
  if (!STATE_CHANGING.has(request.method) || request.is404) return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host!.trim().toLowerCase()}`) {
    return new ApiError(
      403,
      "FORBIDDEN_ORIGIN",
      "requisição recusada: sem tokens configurados, só a própria página do serviço pode alterar dados (o cabeçalho Origin é de outro site)",
    );
  }
  if (!isJsonContentType(request.headers["content-type"])) {
    return new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "envie o corpo como application/json");
  }
  return undefined;
}

/** Installs the guard (an onRequest hook, callback style: no promise per request) when the service runs without tokens. */
export function registerLoopbackGuard(app: FastifyInstance, config: Pick<Config, "tokens">): void {
  if (config.tokens.length > 0) return;
  app.addHook("onRequest", (request, _reply, done) => {
    const refusal = openModeRefusal(request);
    if (refusal) done(refusal);
    else done();
  });
}
