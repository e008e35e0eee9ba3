/**
 * The one test file with a real listening server (127.0.0.1, port 0): the API over the wire with
 * `fetch`, and slow clients (HAZARDS 10) cut within the configured REQUEST_TIMEOUT_MS, checked
 * with raw `net` sockets.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import {
  closeAfterEach,
  expectNoStack,
  miniSource,
  miniSuite,
  newTokens,
  startApp,
  type TestApp,
  type Tokens,
} from "./helpers.js";

vi.setConfig({ testTimeout: 20_000, hookTimeout: 30_000 });

const REQUEST_TIMEOUT_MS = 500;
/** How late after REQUEST_TIMEOUT_MS a slow client may still hold its socket. */
const GRACE_MS = 1_500;

const sockets: net.Socket[] = [];
const keep = closeAfterEach({
  beforeClose: () => {
    for (const s of sockets.splice(0)) s.destroy();
  },
});

async function listening(tokens?: Tokens): Promise<{ t: TestApp; base: string; port: number }> {
  const env: Record<string, string> = { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), PORT: "0" };
  if (tokens) env.TOKENS = tokens.env;
  const t = await startApp({ env });
  keep(t);
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  const port = (t.app.server.address() as AddressInfo).port;
  return { t, base: `http://127.0.0.1:${port}`, port };
}

interface SlowOutcome {
  /** ms after the last write of the request prefix when the server answered or closed; undefined: still open at the deadline. */
  readonly endedAfter: number | undefined;
  readonly response: string;
}

/**
 * Opens a raw socket, writes `prefix` (headers and maybe part of a body), then optionally keeps
 * trickling one byte every `trickleMs`, and waits until the server answers or closes, or `deadlineMs`.
 */
function slowClient(port: number, prefix: string, deadlineMs: number, trickleMs?: number): Promise<SlowOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    sockets.push(socket);
    let response = "";
    let started = 0;
    let done = false;
    let trickle: NodeJS.Timeout | undefined;
    const finish = (endedAfter: number | undefined) => {
      if (done) return;
      done = true;
      if (trickle) clearInterval(trickle);
      clearTimeout(deadline);
      socket.destroy();
      resolve({ endedAfter, response });
    };
    const deadline = setTimeout(() => finish(undefined), deadlineMs);
    socket.on("connect", () => {
      socket.write(prefix, () => {
        started = Date.now();
        if (trickleMs !== undefined) {
          trickle = setInterval(() => {
            if (!socket.destroyed && socket.writable) socket.write(" ");
          }, trickleMs);
        }
      });
    });
    socket.on("data", (d) => {
      response += d.toString("utf8");
      // A complete status line is an answer.
      if (/^HTTP\/1\.1 \d{3}/.test(response)) finish(Date.now() - started);
    });
    socket.on("error", () => finish(Date.now() - started));
    socket.on("close", () => finish(Date.now() - started));
  });
}

const partialBody = (path: string) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"facts": {"valor": `;

describe("over a real socket", () => {
  it("serves the API with fetch: health, bearer auth, decide, publish, error envelope with x-request-id", async () => {
    const tokens = newTokens();
    const { base } = await listening(tokens);

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    const denied = await fetch(`${base}/v1/rulesets`);
    expect(denied.status).toBe(401);
    const deniedBody = await denied.json();
    expect(deniedBody.error.code).toBe("UNAUTHORIZED");
    expect(deniedBody.error.requestId).toBe(denied.headers.get("x-request-id"));

    const headers = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
    const published = await fetch(`${base}/v1/rulesets/mini/versions`, {
      method: "POST",
      headers: headers(tokens.publisher),
      body: JSON.stringify({ source: miniSource(1), tests: miniSuite(1), message: "pela rede" }),
    });
    expect(published.status).toBe(201);
    expect((await published.json()).version).toBe(1);

    const decided = await fetch(`${base}/v1/decide/mini`, {
      method: "POST",
      headers: { ...headers(tokens.decide), "x-request-id": "crm-123" },
      body: JSON.stringify({ facts: { valor: 150 } }),
    });
    expect(decided.status).toBe(200);
    expect(decided.headers.get("x-request-id")).toBe("crm-123");
    expect(await decided.json()).toEqual({
      decisionId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      ruleset: "mini",
      version: 1,
      versionReason: "versão em vigor agora",
      decision: { marca: 1, faixa: "ALTA" },
      fired: ["faixa alta", "marcar versão"],
    });

    const bad = await fetch(`${base}/v1/decide/mini`, {
      method: "POST",
      headers: headers(tokens.decide),
      body: '{"facts": ',
    });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expectNoStack(text);
    const err = JSON.parse(text).error;
    expect(err.code).toBe("MALFORMED_JSON");
    expect(err.requestId).toBe(bad.headers.get("x-request-id"));

    const plain = await fetch(`${base}/v1/decide/mini`, {
      method: "POST",
      headers: { ...headers(tokens.decide), "content-type": "text/plain" },
      body: "valor=1",
    });
    expect(plain.status).toBe(415);

    const missing = await fetch(`${base}/v1/nada`, { headers: headers(tokens.all) });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("NOT_FOUND");

    const docs = await fetch(`${base}/docs/json`, { headers: headers(tokens.decide) });
    expect(docs.status).toBe(200);
    expect(Object.keys((await docs.json()).paths)).toContain("/v1/decide/{ruleset}");
  });

  it("a client that sends headers and part of a body, then stalls, is cut within REQUEST_TIMEOUT_MS", async () => {
    const { port } = await listening();
    const outcome = await slowClient(port, partialBody("/v1/decide/mini"), REQUEST_TIMEOUT_MS + GRACE_MS + 2_000);
    expect(outcome.endedAfter, "the server must close or answer the stalled request").toBeDefined();
    expect(outcome.endedAfter!).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + GRACE_MS);
    if (outcome.response) expect(outcome.response).toMatch(/^HTTP\/1\.1 (408|5\d\d)/);
  });

  it("a client that sends only part of its headers, then stalls, is cut within REQUEST_TIMEOUT_MS", async () => {
    const { port } = await listening();
    const outcome = await slowClient(
      port,
      "POST /v1/decide/mini HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty",
      REQUEST_TIMEOUT_MS + GRACE_MS + 2_000,
    );
    expect(outcome.endedAfter).toBeDefined();
    expect(outcome.endedAfter!).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + GRACE_MS);
  });

  it("a client that keeps trickling its body one byte at a time (slow loris) is still cut within REQUEST_TIMEOUT_MS", async () => {
    const { port } = await listening();
    const outcome = await slowClient(port, partialBody("/v1/decide/mini"), REQUEST_TIMEOUT_MS + GRACE_MS + 1_000, 100);
    expect(
      outcome.endedAfter,
      `still open ${REQUEST_TIMEOUT_MS + GRACE_MS + 1_000} ms after the request began (REQUEST_TIMEOUT_MS=${REQUEST_TIMEOUT_MS})`,
    ).toBeDefined();
    expect(outcome.endedAfter!).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + GRACE_MS);
    if (outcome.response) expect(outcome.response).toMatch(/^HTTP\/1\.1 (408|5\d\d)/);
  });

  it("well-behaved requests on the same server are unaffected by a stalled client", async () => {
    const { base, port } = await listening();
    const stalled = slowClient(port, partialBody("/v1/decide/mini"), REQUEST_TIMEOUT_MS + GRACE_MS + 2_000);
    for (let i = 0; i < 5; i++) expect((await fetch(`${base}/health`)).status).toBe(200);
    await stalled;
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
