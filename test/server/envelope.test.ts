/**
 * One error envelope everywhere (issue 7, item 15): `{"error": {code, message, details,
 * requestId}}` also for the errors Node's HTTP server answers before fastify sees a request
 * (malformed request 400, request timeout 408, URL too long 414, headers too large 431) and for
 * router errors (bad percent-encoding 400, a path parameter too long 414) — checked over raw
 * sockets on a real listening server — and a rule-set defect found while deciding is a 500
 * RULESET_DEFECT whose details name the rule set, the version and the broken invariant or the
 * `unique` table, with its position in the rule-set file.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { call, closeAfterEach, expectError, json, startApp } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const sockets: net.Socket[] = [];
const keep = closeAfterEach({
  beforeClose: () => {
    for (const s of sockets.splice(0)) s.destroy();
  },
});

const REQUEST_TIMEOUT_MS = 300;

async function listening(): Promise<number> {
  const t = keep(await startApp({ env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } }));
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  return (t.app.server.address() as AddressInfo).port;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Writes `request` on a fresh socket and reads the whole response (the server closes or Content-Length says it is complete). */
function raw(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    sockets.push(socket);
    let data = Buffer.alloc(0);
    let settled = false;
    const parse = (): RawResponse | undefined => {
      const text = data.toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return undefined;
      const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const body = text.slice(end + 4);
      const length = Number(headers["content-length"]);
      if (Number.isFinite(length) && Buffer.byteLength(body) < length) return undefined;
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? "")?.[1]), headers, body };
    };
    const finish = () => {
      if (settled) return;
      const r = parse();
      if (!r) return;
      settled = true;
      socket.destroy();
      resolve(r);
    };
    socket.on("data", (d) => {
      data = Buffer.concat([data, d]);
      finish();
    });
    socket.on("close", () => {
      finish();
      if (!settled)
        reject(
          new Error(
            `connection closed without a complete response: ${JSON.stringify(data.toString("utf8").slice(0, 300))}`,
          ),
        );
    });
    socket.on("error", () => undefined);
    socket.write(request);
  });
}

/** The contract's envelope with the expected status and code, and the request id in body and header. */
function expectEnvelope(res: RawResponse, status: number, code: string): void {
  expect(res.status, res.body.slice(0, 300)).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as {
    error: { code: string; message: string; details: unknown[]; requestId: string };
  };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.details).toEqual([]);
  expect(body.error.requestId).toMatch(/^[\w.:-]{1,64}$/);
  expect(res.headers["x-request-id"]).toBe(body.error.requestId);
  expect(res.body).not.toMatch(/statusCode|Client Error|Bad Request/);
}

describe("transport-level errors speak the envelope", () => {
  it("a request the HTTP parser cannot read: 400 MALFORMED_REQUEST", async () => {
    const port = await listening();
    expectEnvelope(await raw(port, "ISTO NAO E HTTP\r\n\r\n"), 400, "MALFORMED_REQUEST");
    expectEnvelope(
      await raw(port, "POST /v1/decide/mini HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
      400,
      "MALFORMED_REQUEST",
    );
  });

  it("headers larger than the server accepts: 431 HEADERS_TOO_LARGE", async () => {
    const port = await listening();
    expectEnvelope(
      await raw(port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Grande: ${"a".repeat(20_000)}\r\n\r\n`),
      431,
      "HEADERS_TOO_LARGE",
    );
  });

  it("a URL longer than the server accepts: 414 URI_TOO_LONG", async () => {
    const port = await listening();
    expectEnvelope(
      await raw(port, `GET /v1/rulesets?x=${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
      414,
      "URI_TOO_LONG",
    );
  });

  it("a request whose headers do not arrive within REQUEST_TIMEOUT_MS: 408 REQUEST_TIMEOUT", async () => {
    const port = await listening();
    expectEnvelope(await raw(port, "POST /v1/decide/mini HTTP/1.1\r\nHost: x\r\nContent-Ty"), 408, "REQUEST_TIMEOUT");
  });

  it("router errors: a path parameter too long is 414 URI_TOO_LONG, a bad percent-encoding 400 BAD_URL", async () => {
    const port = await listening();
    expectEnvelope(
      await raw(port, `GET /v1/rulesets/${"a".repeat(150)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      414,
      "URI_TOO_LONG",
    );
    expectEnvelope(
      await raw(port, "GET /v1/rulesets/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      400,
      "BAD_URL",
    );
  });
});

const DEFECTS = `ruleset: defeito
description: Defeitos de propósito (invariante e tabela unique).
facts:
  valor: { type: integer, required: true }
outputs:
  total: { type: integer }
  faixa: { type: string, nullable: true }
tables:
  - name: faixas
    hitPolicy: unique
    onNoMatch: null
    inputs: [valor]
    outputs: [faixa]
    rows:
      - [">= round(10, 0)", "MEDIA"]
      - [60, "ALTA"]
rules:
  - name: copiar
    then: total = valor
  - name: faixa
    then: faixa = faixas.faixa
invariants:
  - name: total pequeno
    check: decision.total < 100
    message: o total deve ficar abaixo de 100
`;

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("a rule-set defect found while deciding", () => {
  it("a broken invariant: 500 RULESET_DEFECT naming rule set, version, invariant and its position; no decision in the body", async () => {
    const t = keep(await startApp());
    const published = await call(t.app, { url: "/v1/rulesets/defeito/versions", body: { source: DEFECTS } });
    expect(published.statusCode, published.body).toBe(201);
    expect(json(await call(t.app, { url: "/v1/decide/defeito", body: { facts: { valor: 5 } } })).decision).toEqual({
      total: 5,
      faixa: null,
    });

    const res = await call(t.app, { url: "/v1/decide/defeito", body: { facts: { valor: 40 + 60 * 1 + 23 } } });
    const err = expectError(res, 500, "RULESET_DEFECT");
    expect(err.message).toMatch(/total pequeno/);
    expect(err.details).toEqual([
      {
        ruleset: "defeito",
        version: 1,
        invariant: "total pequeno",
        message: "o total deve ficar abaixo de 100",
        line: lineOf(DEFECTS, "- name: total pequeno"),
        column: expect.any(Number),
      },
    ]);
    // Not a stringified decision (it would carry the facts).
    expect(res.body).not.toContain("123");
    expect(res.body).not.toContain('\\"total\\"');
  });

  it("a `unique` table with two rows for the input: 500 RULESET_DEFECT naming the table and both rows with their positions; in a batch, that item's error", async () => {
    const t = keep(await startApp());
    expect((await call(t.app, { url: "/v1/rulesets/defeito/versions", body: { source: DEFECTS } })).statusCode).toBe(
      201,
    );
    const err = expectError(
      await call(t.app, { url: "/v1/decide/defeito", body: { facts: { valor: 60 } } }),
      500,
      "RULESET_DEFECT",
    );
    expect(err.message).toMatch(/faixas/);
    const rowLine = (cell: string) => lineOf(DEFECTS, cell);
    expect(err.details).toEqual([
      {
        ruleset: "defeito",
        version: 1,
        table: "faixas",
        row: 1,
        message: "linha 1",
        line: rowLine('[">= round(10, 0)", "MEDIA"]'),
        column: expect.any(Number),
      },
      {
        ruleset: "defeito",
        version: 1,
        table: "faixas",
        row: 2,
        message: "linha 2",
        line: rowLine('[60, "ALTA"]'),
        column: expect.any(Number),
      },
    ]);

    const batch = json(
      await call(t.app, {
        url: "/v1/decide/defeito/batch",
        body: { items: [{ facts: { valor: 20 } }, { facts: { valor: 60 } }] },
      }),
    );
    expect(batch.results[0]).toMatchObject({ decision: { total: 20, faixa: "MEDIA" } });
    expect(batch.results[1].error).toMatchObject({
      code: "RULESET_DEFECT",
      details: [
        { ruleset: "defeito", version: 1, table: "faixas" },
        { ruleset: "defeito", version: 1, table: "faixas" },
      ],
    });
  });
});
