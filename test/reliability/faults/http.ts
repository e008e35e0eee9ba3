/**
 * HTTP for the fault-injection runs: one request per connection (no keep-alive, so a kill or a
 * shutdown never catches a pooled socket), with hooks at the moments a fault is injected at —
 * the request written (`onSent`), the response's head received (`onResponse`) — and an outcome
 * that tells a complete response from a cut one. Optionally `Expect: 100-continue`: `taken`
 * resolves once the server has routed the request (it answered 100 Continue).
 */
import http from "node:http";

export interface Outcome {
  /** Set when a complete response arrived. */
  readonly status?: number;
  readonly body?: string;
  readonly json?: unknown;
  /** Set when the request or the response was cut (reset, refused, closed early). */
  readonly error?: string;
  /** Whether the server took the request (100 Continue seen; only with `expectContinue`). */
  readonly taken: boolean;
  readonly headers?: http.IncomingHttpHeaders;
}

export interface RequestOptions {
  readonly method?: "GET" | "POST";
  readonly body?: unknown;
  readonly onSent?: () => void;
  readonly onResponse?: () => void;
  /** Sends `Expect: 100-continue`; the body goes once the server answers 100 (or when `send()` is called, with `holdBody`). */
  readonly expectContinue?: boolean;
  /** With expectContinue: do not send the body at 100 Continue; wait for `send()`. */
  readonly holdBody?: boolean;
  readonly timeoutMs?: number;
}

export interface PendingRequest {
  readonly done: Promise<Outcome>;
  /** Resolves when the server took the request (100 Continue), with expectContinue. */
  readonly taken: Promise<void>;
  /** Writes the held body (holdBody). */
  send(): void;
}

export function request(baseUrl: string, path: string, options: RequestOptions = {}): PendingRequest {
  const url = new URL(path, baseUrl);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const method = options.method ?? (payload === undefined ? "GET" : "POST");
  const headers: Record<string, string | number> = { connection: "close" };
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = Buffer.byteLength(payload);
    if (options.expectContinue) headers.expect = "100-continue";
  }
  let wasTaken = false;
  let markTaken!: () => void;
  const taken = new Promise<void>((resolve) => (markTaken = resolve));
  const req = http.request({
    host: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    method,
    headers,
    agent: false,
  });
  let bodySent = false;
  const sendBody = () => {
    if (bodySent) return;
    bodySent = true;
    req.end(payload);
  };
  const done = new Promise<Outcome>((resolve) => {
    let settled = false;
    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(o);
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            req.destroy(new Error(`no response within ${options.timeoutMs} ms`));
          }, options.timeoutMs);
    req.on("continue", () => {
      wasTaken = true;
      markTaken();
      if (!options.holdBody) sendBody();
    });
    req.on("finish", () => options.onSent?.());
    req.on("response", (res) => {
      options.onResponse?.();
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        if (!res.complete) {
          finish({ error: `response ${String(res.statusCode)} cut before its end`, taken: wasTaken });
          return;
        }
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        finish({ status: res.statusCode!, body: text, json, taken: wasTaken, headers: res.headers });
      });
      res.on("error", (e) => finish({ error: describe(e), taken: wasTaken }));
      res.on("aborted", () => finish({ error: "response aborted", taken: wasTaken }));
    });
    req.on("error", (e) => finish({ error: describe(e), taken: wasTaken }));
  });
  if (payload === undefined) req.end();
  else if (options.expectContinue) req.flushHeaders();
  else sendBody();
  return { done, taken, send: sendBody };
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return `${err.code ?? ""} ${err.message}`.trim();
}

/** A request's complete response, or a thrown error (for the checks, where a cut is a failure). */
export async function fetchJson<T = unknown>(
  baseUrl: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T | undefined }> {
  const o = await request(baseUrl, path, { ...(body === undefined ? {} : { body }), timeoutMs: 60_000 }).done;
  if (o.status === undefined) throw new Error(`${path}: no complete response (${o.error ?? "?"})`);
  return { status: o.status, json: o.json as T | undefined };
}
