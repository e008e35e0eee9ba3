/**
 * The soak's HTTP client: plain node:http over one keep-alive agent per service (as a CRM's
 * connection pool), with the send time of each request (for the coherence check) and its latency.
 * A reset, a timeout or an unreadable body is a rejected promise, counted as an error by the caller.
 *
 * Idle pooled sockets are closed by the client after FREE_SOCKET_MS, well before the service closes
 * them (its keepAliveTimeout is 5 s): otherwise a request sent on a socket the service is closing at
 * that very moment is reset — a race of keep-alive pools, not a fault of the service, that a
 * 10-minute run on a busy machine met once (Node's own margin from the `Keep-Alive: timeout=5` hint
 * is 1 s, less than this machine's event-loop stalls under load).
 */
import http from "node:http";
import type { Socket } from "node:net";

/** How long an idle pooled socket is kept (the service closes idle ones after 5 s). */
export const FREE_SOCKET_MS = 2000;

export interface Reply {
  readonly status: number;
  /** The parsed JSON body (undefined when the body is not JSON). */
  readonly body: unknown;
  readonly text: string;
  /** performance.now() when the request was sent. */
  readonly startedAt: number;
  readonly ms: number;
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    readonly url: string,
    sockets: number,
    private readonly timeoutMs = 30_000,
  ) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
    const keep = this.agent.keepSocketAlive.bind(this.agent);
    this.agent.keepSocketAlive = (socket) => {
      const kept = keep(socket);
      (socket as Socket).setTimeout(FREE_SOCKET_MS);
      return kept;
    };
  }

  request(method: "GET" | "POST", path: string, body?: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const startedAt = performance.now();
      const headers: Record<string, string> = { host: `${this.host}:${this.port}` };
      if (body !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = String(Buffer.byteLength(body));
      }
      const req = http.request(
        { host: this.host, port: this.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, text, startedAt, ms: performance.now() - startedAt });
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`sem resposta em ${this.timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
