/**
 * Hostile input over HTTP: the checklist of docs/reliability.md ("Hostile input"). One describe
 * per bad-input class of the contract and of docs/hazards.md; each case asserts the expected 4xx
 * and error code in the contract's envelope (or the diagnostic's code and position), and that the
 * service still answers a normal decision afterwards. Where a class is covered in depth elsewhere,
 * the deeper test is named in a comment; this file keeps one HTTP-level case per class.
 * Synthetic data only.
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  call,
  closeAfterEach,
  expectError,
  json,
  miniSource,
  newTokens,
  sleep,
  startApp,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const sockets: Socket[] = [];
const keep = closeAfterEach({
  beforeClose: () => {
    for (const s of sockets.splice(0)) s.destroy();
  },
});

const HOSTIL = `ruleset: hostil
description: Conjunto para entradas hostis.
facts:
  valor: { type: integer, required: true }
  canal: { type: string, enum: [telefone, chat] }
  texto: { type: string }
  dados: { type: any }
outputs:
  faixa: { type: string, nullable: true }
  casa: { type: boolean, nullable: true }
rules:
  - name: faixa alta
    when: valor >= 100
    then: faixa = "ALTA"
  - name: expressão regular
    when: texto is not null
    then: casa = texto matches "^(a+)+$"
`;

/** An app with `hostil` v1 published (plus the given env). */
async function hostile(env: Record<string, string> = {}): Promise<TestApp> {
  const t = keep(await startApp({ env }));
  const res = await call(t.app, { url: "/v1/rulesets/hostil/versions", body: { source: HOSTIL } });
  expect(res.statusCode, res.body).toBe(201);
  return t;
}

/** A normal decision still works: the service is alive and unharmed. */
async function stillDeciding(t: TestApp): Promise<void> {
  const res = await call(t.app, { url: "/v1/decide/hostil", body: { facts: { valor: 150 } } });
  expect(res.statusCode, res.body).toBe(200);
  expect(json(res).decision).toEqual({ faixa: "ALTA", casa: null });
}

/** POST with a raw payload and content type (no JSON encoding by the helper). */
function raw(t: TestApp, url: string, payload: string, contentType = "application/json") {
  return t.app.inject({ method: "POST", url, headers: { "content-type": contentType }, payload });
}

describe("prototype keys (__proto__, constructor, prototype)", () => {
  // Deeper: test/hazards.test.ts (HAZARD 2, the path resolver ignores these segments),
  // test/hostile-facts.test.ts (facts), engine/facts.ts (null-prototype facts).
  it("in the body, in facts and in batch items → 400, and Object.prototype is untouched", async () => {
    const t = await hostile();
    for (const payload of [
      '{"facts": {"valor": 1}, "__proto__": {"polluted": true}}',
      '{"facts": {"valor": 1, "__proto__": {"polluted": true}}}',
      '{"facts": {"valor": 1}, "constructor": {"prototype": {"polluted": true}}}',
      '{"facts": {"valor": 1, "constructor": {"prototype": {"polluted": true}}}}',
    ]) {
      const res = await raw(t, "/v1/decide/hostil", payload);
      expectError(res, 400, ["INVALID_REQUEST", "INVALID_FACTS", "MALFORMED_JSON"]);
    }
    const batch = await raw(
      t,
      "/v1/decide/hostil/batch",
      '{"items": [{"facts": {"valor": 1}}, {"facts": {"valor": 2, "__proto__": {"polluted": true}}}]}',
    );
    expectError(batch, 400, ["INVALID_REQUEST", "INVALID_FACTS", "MALFORMED_JSON"]);
    // `prototype` is an ordinary unknown fact name: refused as such, pointing at it.
    const proto = await call(t.app, { url: "/v1/decide/hostil", body: { facts: { valor: 1, prototype: {} } } });
    expect(expectError(proto, 400, "INVALID_FACTS").details.map((d: { path: string }) => d.path)).toEqual([
      "/prototype",
    ]);
    // Inside an `any` fact the keys are data, never a prototype: decided normally.
    const inside = await raw(t, "/v1/decide/hostil", '{"facts": {"valor": 1, "dados": {"prototype": {"x": 1}}}}');
    expect(inside.statusCode, inside.body).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    await stillDeciding(t);
  });
});

describe("deep JSON", () => {
  // Deeper: test/hostile-facts.test.ts (deep facts), test/facts-boundary.test.ts.
  it("10,000 levels of arrays and of objects: 400 INVALID_FACTS in a typed fact and in an `any` fact, 400 INVALID_REQUEST beside facts; never a 5xx", async () => {
    const t = await hostile();
    const deepArray = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const deepObject = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    for (const deep of [deepArray, deepObject]) {
      for (const where of ["texto", "dados"]) {
        const res = await raw(t, "/v1/decide/hostil", `{"facts": {"valor": 1, "${where}": ${deep}}}`);
        // Typed: the wrong type; `any`: nested deeper than the facts' depth limit.
        const e = expectError(res, 400, "INVALID_FACTS");
        expect(e.details[0]?.path?.startsWith(`/${where}`), JSON.stringify(e.details[0])).toBe(true);
      }
    }
    const body = await raw(t, "/v1/decide/hostil", `{"facts": {"valor": 1}, "x": ${deepObject}}`);
    expectError(body, 400, "INVALID_REQUEST");
    await stillDeciding(t);
  });
});

describe("huge bodies and batches", () => {
  // Deeper: test/server/limits.test.ts (body and batch limits on every route).
  it("a body over BODY_LIMIT → 413 PAYLOAD_TOO_LARGE; a batch over BATCH_LIMIT → 400 BATCH_TOO_LARGE", async () => {
    const t = await hostile({ BODY_LIMIT: "4096", BATCH_LIMIT: "10" });
    const big = await raw(t, "/v1/decide/hostil", JSON.stringify({ facts: { valor: 1, texto: "a".repeat(5000) } }));
    expectError(big, 413, "PAYLOAD_TOO_LARGE");
    const items = Array.from({ length: 11 }, (_, i) => ({ facts: { valor: i } }));
    expectError(await call(t.app, { url: "/v1/decide/hostil/batch", body: { items } }), 400, "BATCH_TOO_LARGE");
    const ten = await call(t.app, { url: "/v1/decide/hostil/batch", body: { items: items.slice(0, 10) } });
    expect(ten.statusCode).toBe(200);
    await stillDeciding(t);
  });
});

describe("wrong types and nulls (nothing coerced)", () => {
  // Deeper: test/hostile-facts.test.ts, test/server/facts-boundary.test.ts, test/facts-boundary.test.ts.
  it("each fact of the wrong type or null where not allowed → 400 INVALID_FACTS naming it", async () => {
    const t = await hostile();
    const cases: [Record<string, unknown>, string][] = [
      [{ valor: "100" }, "/valor"],
      [{ valor: null }, "/valor"],
      [{ valor: true }, "/valor"],
      [{ valor: [7] }, "/valor"],
      [{ valor: 1.5 }, "/valor"],
      [{ valor: 2 ** 53 }, "/valor"],
      [{}, "/valor"],
      [{ valor: 1, canal: "Telefone " }, "/canal"],
      [{ valor: 1, canal: 1 }, "/canal"],
      [{ valor: 1, texto: 5 }, "/texto"],
      [{ valor: 1, texto: {} }, "/texto"],
      [{ valor: 1, valorr: 1 }, "/valorr"],
    ];
    for (const [facts, path] of cases) {
      const res = await call(t.app, { url: "/v1/decide/hostil", body: { facts } });
      const err = expectError(res, 400, "INVALID_FACTS");
      expect(
        err.details.map((d: { path: string }) => d.path),
        JSON.stringify(facts),
      ).toContain(path);
    }
    // An optional fact may be null: it is null in the expressions.
    const optional = await call(t.app, { url: "/v1/decide/hostil", body: { facts: { valor: 1, canal: null } } });
    expect(optional.statusCode).toBe(200);
    await stillDeciding(t);
  });

  it("request fields of the wrong type or null → 400 INVALID_REQUEST (decide, batch, validate, publish, roll back)", async () => {
    const t = await hostile();
    const cases: [string, unknown][] = [
      ["/v1/decide/hostil", { facts: null }],
      ["/v1/decide/hostil", { facts: [] }],
      ["/v1/decide/hostil", { facts: "valor=1" }],
      ["/v1/decide/hostil", { facts: { valor: 1 }, explain: "sim" }],
      ["/v1/decide/hostil", { fatos: { valor: 1 } }],
      ["/v1/decide/hostil/batch", { items: null }],
      ["/v1/decide/hostil/batch", { items: {} }],
      ["/v1/decide/hostil/batch", { items: [null] }],
      ["/v1/rulesets/hostil/validate", { source: null }],
      ["/v1/rulesets/hostil/validate", { source: 1 }],
      ["/v1/rulesets/hostil/versions", { source: ["ruleset: hostil"] }],
      ["/v1/rulesets/hostil/versions", { source: HOSTIL, baseVersion: "1" }],
      ["/v1/rulesets/hostil/rollback", { version: "1" }],
      ["/v1/rulesets/hostil/rollback", { version: null }],
    ];
    for (const [url, body] of cases) {
      const res = await call(t.app, { url, body });
      expect(res.statusCode, `${url} ${JSON.stringify(body)}: ${res.body.slice(0, 300)}`).toBe(400);
      expectError(res, 400, "INVALID_REQUEST");
    }
    // Nothing was published or rolled back by any of them.
    expect(json(await call(t.app, { url: "/v1/rulesets/hostil" })).version).toBe(1);
    await stillDeciding(t);
  });
});

describe("non-object bodies", () => {
  // Deeper: test/server/envelope.test.ts (every route's envelope), test/server/api.test.ts.
  it("array, string, number, null, invalid JSON, empty body → 400; text/plain and form → 415", async () => {
    const t = await hostile();
    for (const [payload, code] of [
      ["[1, 2]", "INVALID_REQUEST"],
      ['"facts"', "INVALID_REQUEST"],
      ["42", "INVALID_REQUEST"],
      ["null", "INVALID_REQUEST"],
      ["true", "INVALID_REQUEST"],
      ['{"facts": {"valor": 1}', "MALFORMED_JSON"],
      ["{'facts': {}}", "MALFORMED_JSON"],
      ["", "MALFORMED_JSON"],
    ] as const) {
      for (const url of ["/v1/decide/hostil", "/v1/decide/hostil/batch", "/v1/rulesets/hostil/validate"]) {
        const res = await raw(t, url, payload);
        expect(res.statusCode, `${url} ${JSON.stringify(payload)}: ${res.body.slice(0, 200)}`).toBe(400);
        expectError(res, 400, code);
      }
    }
    expectError(
      await raw(t, "/v1/decide/hostil", '{"facts": {"valor": 1}}', "text/plain"),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectError(
      await raw(t, "/v1/decide/hostil", "facts=valor", "application/x-www-form-urlencoded"),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    await stillDeciding(t);
  });
});

describe("YAML alias bombs and `%YAML 1.1` headers", () => {
  // Deeper: test/hazards.test.ts (HAZARDS 5 and 6), dsl/yaml/load.test.ts.
  const BOMB = `ruleset: bomba
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: [*h, *h, *h, *h, *h, *h, *h, *h, *h]
`;
  const YAML11 = `%YAML 1.1\n---\n${miniSource(1, "antigo")}`;

  it("validate → 200 ok:false with yaml/unsupported diagnostics at the anchor / directive; publish → 422; nothing stored", async () => {
    const t = await hostile();
    for (const [name, source, line] of [
      ["bomba", BOMB, 2],
      ["antigo", YAML11, 1],
    ] as const) {
      const v = await call(t.app, { url: `/v1/rulesets/${name}/validate`, body: { source } });
      expect(v.statusCode).toBe(200);
      const body = json(v);
      expect(body.ok).toBe(false);
      expect(body.diagnostics.length).toBeGreaterThan(0);
      const first = body.diagnostics[0];
      expect(first.code).toMatch(/^yaml\//);
      expect(first.line).toBe(line);
      const p = await call(t.app, { url: `/v1/rulesets/${name}/versions`, body: { source } });
      expectError(p, 422, "RULESET_INVALID");
      expectError(await call(t.app, { url: `/v1/rulesets/${name}` }), 404, "NOT_FOUND");
    }
    const list = json(await call(t.app, { url: "/v1/rulesets" })) as { name: string }[];
    expect(list.map((r) => r.name)).toEqual(["hostil"]);
    await stillDeciding(t);
  });
});

describe("deep DSL nesting and unknown characters", () => {
  // Deeper: test/hazards.test.ts (HAZARDS 7 and 8), test/parser.test.ts.
  it("1,000 nested parentheses → dsl/too-deep at the 65th; `valor + # 2` → dsl/lexer at the `#`; neither compiles", async () => {
    const t = await hostile();
    const deep = miniSource(1, "fundo").replace(
      "when: valor >= 100",
      `when: ${"(".repeat(1000)}valor${")".repeat(1000)} >= 100`,
    );
    const v = json(await call(t.app, { url: "/v1/rulesets/fundo/validate", body: { source: deep } }));
    expect(v.ok).toBe(false);
    const tooDeep = v.diagnostics.find((d: { code: string }) => d.code === "dsl/too-deep");
    expect(tooDeep).toMatchObject({ line: 11, column: 11 + 64 });

    const lexer = miniSource(1, "lexico").replace("when: valor >= 100", 'when: "valor + # 2 >= 100"');
    const w = json(await call(t.app, { url: "/v1/rulesets/lexico/validate", body: { source: lexer } }));
    expect(w.ok).toBe(false);
    expect(w.diagnostics.find((d: { code: string }) => d.code === "dsl/lexer")).toMatchObject({ line: 11, column: 20 });
    for (const [name, source] of [
      ["fundo", deep],
      ["lexico", lexer],
    ] as const)
      expectError(
        await call(t.app, { url: `/v1/rulesets/${name}/versions`, body: { source } }),
        422,
        "RULESET_INVALID",
      );
    await stillDeciding(t);
  });
});

describe("catastrophic regexes", () => {
  // Deeper: test/hazards.test.ts (HAZARD 9), dsl/library/regex.test.ts.
  it('`texto matches "^(a+)+$"` on 100,000 "a" + "!" answers (false), and on 100,000 "a" (true)', async () => {
    const t = await hostile();
    const evil = await call(t.app, {
      url: "/v1/decide/hostil",
      body: { facts: { valor: 1, texto: `${"a".repeat(100_000)}!` } },
    });
    expect(evil.statusCode).toBe(200);
    expect(json(evil).decision.casa).toBe(false);
    const good = await call(t.app, {
      url: "/v1/decide/hostil",
      body: { facts: { valor: 1, texto: "a".repeat(100_000) } },
    });
    expect(json(good).decision.casa).toBe(true);
    await stillDeciding(t);
  });
});

describe("slow bodies (slow loris)", () => {
  // Deeper: test/server/listen.test.ts (partial headers, partial body, trickling) and
  // test/server/timeouts.test.ts (a slow handler is not a slow client).
  it("a body trickled byte by byte is cut at REQUEST_TIMEOUT_MS (408 or closed) while another client is served", async () => {
    const t = await hostile({ REQUEST_TIMEOUT_MS: "1500" });
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = t.app.server.address() as AddressInfo;
    const socket = connect(port, "127.0.0.1");
    sockets.push(socket);
    let received = "";
    socket.on("data", (d) => {
      received += d.toString();
    });
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("error", () => undefined);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(
      "POST /v1/decide/hostil HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    );
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    // Another client is served while the slow one trickles.
    const other = await fetch(`http://127.0.0.1:${port}/v1/decide/hostil`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ facts: { valor: 150 } }),
    });
    expect(other.status).toBe(200);
    for (let i = 0; i < 200 && !isClosed; i++) {
      socket.write(" ");
      await sleep(100);
    }
    expect(isClosed, "the slow client still holds its socket after 20 s").toBe(true);
    if (received) expect(received).toMatch(/^HTTP\/1\.1 408/);
    await stillDeciding(t);
  });
});

describe("path traversal in names and versions", () => {
  // Deeper: test/server/ruleset-name.test.ts (one name pattern everywhere), the file store tests.
  it("`..`, `%2e%2e`, encoded slashes, absolute paths, NUL and very long names → 400/404/414; nothing outside DATA_DIR touched", async () => {
    const t = await hostile();
    const outside = join(dirname(t.dataDir), `canary-${Date.now()}.txt`);
    await writeFile(outside, "canário");
    const before = await stat(outside);
    const listing = async () => (await readdir(t.dataDir, { recursive: true })).sort();
    const dataBefore = await listing();
    const names = [
      "..",
      "%2e%2e",
      "%2E%2E%2F%2E%2E%2Fetc",
      "..%2f..%2fetc%2fpasswd",
      "..%5c..%5cwindows",
      "%2Fetc%2Fpasswd",
      "hostil%00",
      "hostil%00.yaml",
      "a".repeat(65),
      "a".repeat(5000),
      "HOSTIL",
      "hostil.yaml",
    ];
    for (const name of names) {
      for (const c of [
        { url: `/v1/rulesets/${name}` },
        { url: `/v1/rulesets/${name}/versions/1` },
        { url: `/v1/decide/${name}`, body: { facts: { valor: 1 } } },
        { url: `/v1/rulesets/${name}/versions`, body: { source: miniSource(1, "x") } },
        { url: `/v1/rulesets/${name}/rollback`, body: { version: 1 } },
      ]) {
        const res = await call(t.app, c);
        expect([400, 404, 414], `${c.url}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
        expectError(res, res.statusCode, ["INVALID_REQUEST", "NOT_FOUND", "URI_TOO_LONG"]);
      }
    }
    for (const v of [
      "..",
      "%2e%2e",
      "..%2f..%2f1",
      "-1",
      "0",
      "1e3",
      "1.5",
      "%00",
      "9".repeat(40),
      "%2Fetc%2Fpasswd",
    ]) {
      for (const url of [`/v1/rulesets/hostil/versions/${v}`, `/v1/rulesets/hostil/versions/${v}/compiled`]) {
        const res = await call(t.app, { url });
        expect([400, 404], `${url}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
        expectError(res, res.statusCode, ["INVALID_REQUEST", "NOT_FOUND"]);
      }
    }
    // The canary outside DATA_DIR is untouched and DATA_DIR holds exactly what it held.
    expect(await readFile(outside, "utf8")).toBe("canário");
    expect((await stat(outside)).mtimeMs).toBe(before.mtimeMs);
    expect(await listing()).toEqual(dataBefore);
    await stillDeciding(t);
  });
});

describe("wrong and missing tokens", () => {
  // Deeper: test/server/auth.test.ts (every route, roles matrix, auth before body parsing, and
  // "tokens are compared against every configured hash (constant time, no early exit)").
  it("with TOKENS: none, wrong, malformed → 401 UNAUTHORIZED; a decide token on publish → 403 FORBIDDEN", async () => {
    const tokens = newTokens();
    const t = keep(await startApp({ env: { TOKENS: tokens.env } }));
    const pub = await call(t.app, {
      url: "/v1/rulesets/hostil/versions",
      body: { source: HOSTIL },
      token: tokens.publisher,
    });
    expect(pub.statusCode).toBe(201);
    const facts = { facts: { valor: 150 } };
    expectError(await call(t.app, { url: "/v1/decide/hostil", body: facts }), 401, "UNAUTHORIZED");
    expectError(
      await call(t.app, { url: "/v1/decide/hostil", body: facts, token: "x".repeat(32) }),
      401,
      "UNAUTHORIZED",
    );
    expectError(
      await call(t.app, { url: "/v1/decide/hostil", body: facts, token: `${tokens.decide}x` }),
      401,
      "UNAUTHORIZED",
    );
    for (const header of [
      "Basic abc",
      "Bearer",
      "Bearer  ",
      `bearer${tokens.decide}`,
      `Bearer ${tokens.decide} extra`,
    ]) {
      const res = await call(t.app, { url: "/v1/decide/hostil", body: facts, headers: { authorization: header } });
      expectError(res, 401, "UNAUTHORIZED");
    }
    expectError(
      await call(t.app, { url: "/v1/rulesets/hostil/versions", body: { source: HOSTIL }, token: tokens.decide }),
      403,
      "FORBIDDEN",
    );
    const ok = await call(t.app, { url: "/v1/decide/hostil", body: facts, token: tokens.decide });
    expect(ok.statusCode).toBe(200);
    expect(json(ok).decision.faixa).toBe("ALTA");
  });
});
