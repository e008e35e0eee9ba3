/**
 * HTTP hygiene (HAZARDS.md 10–12): malformed or non-object JSON, wrong content types, body limit,
 * prototype poisoning, oversized sources, unknown routes; every refusal is a clean 4xx envelope and
 * no response ever carries a stack trace.
 */
import { describe, expect, it, vi } from "vitest";
import {
  call,
  closeAfterEach,
  expectError,
  expectNoStack,
  json,
  miniSource,
  miniSuite,
  reclameFacts,
  startApp,
  startSeeded,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 20_000, hookTimeout: 30_000 });

const RECLAME = "reclame-designacao";
const keep = closeAfterEach();

async function seeded(): Promise<TestApp> {
  return keep(await startSeeded([RECLAME]));
}

/** A raw request (payload exactly as given). */
function raw(t: TestApp, url: string, payload: string | Buffer, contentType: string | undefined = "application/json") {
  return t.app.inject({
    method: "POST",
    url,
    payload,
    headers: contentType === undefined ? {} : { "content-type": contentType },
  });
}

const POST_ROUTES = [
  `/v1/decide/${RECLAME}`,
  `/v1/decide/${RECLAME}/batch`,
  `/v1/rulesets/${RECLAME}/validate`,
  `/v1/rulesets/${RECLAME}/test`,
  `/v1/rulesets/${RECLAME}/versions`,
  `/v1/rulesets/${RECLAME}/rollback`,
];

describe("request bodies", () => {
  it("malformed JSON is 400 MALFORMED_JSON on every POST route", async () => {
    const t = await seeded();
    for (const url of POST_ROUTES) {
      for (const payload of ['{"facts": ', "{facts: 1}", '{"a":1}}', "\u0000"]) {
        expectError(await raw(t, url, payload), 400, "MALFORMED_JSON");
      }
    }
  });

  it("an empty body with a JSON content type is a 400", async () => {
    const t = await seeded();
    expectError(await raw(t, `/v1/decide/${RECLAME}`, ""), 400);
  });

  it("a JSON array, string, number, boolean or null body is refused with 400 on every POST route", async () => {
    const t = await seeded();
    for (const url of POST_ROUTES) {
      for (const payload of ["[]", `[{"facts": {}}]`, '"texto"', "42", "true", "null"]) {
        const res = await raw(t, url, payload);
        expectError(res, 400);
      }
    }
  });

  it("text/plain (and other non-JSON types) are 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const t = await seeded();
    for (const url of POST_ROUTES) {
      expectError(
        await raw(t, url, JSON.stringify({ facts: reclameFacts() }), "text/plain"),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      );
    }
    expectError(
      await raw(t, `/v1/decide/${RECLAME}`, "facts=1", "application/x-www-form-urlencoded"),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectError(await raw(t, `/v1/decide/${RECLAME}`, "<facts/>", "application/xml"), 415, "UNSUPPORTED_MEDIA_TYPE");
    // JSON with a charset parameter is fine.
    const ok = await raw(
      t,
      `/v1/decide/${RECLAME}`,
      JSON.stringify({ facts: reclameFacts() }),
      "application/json; charset=utf-8",
    );
    expect(ok.statusCode).toBe(200);
  });

  it("a body over BODY_LIMIT (default 1 MiB) is 413 PAYLOAD_TOO_LARGE", async () => {
    const t = await seeded();
    const big = JSON.stringify({ facts: { ...reclameFacts(), numero: "9".repeat(1_100_000) } });
    expectError(await raw(t, `/v1/decide/${RECLAME}`, big), 413, "PAYLOAD_TOO_LARGE");
    expectError(
      await raw(t, `/v1/rulesets/${RECLAME}/versions`, JSON.stringify({ source: "x".repeat(1_100_000) })),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });

  it('{"__proto__": ...} and {"constructor": {"prototype": ...}} are refused with 400 and Object.prototype stays untouched', async () => {
    const t = await seeded();
    const bodies = [
      `{"facts": {"numero": "1"}, "__proto__": {"polluted": "yes"}}`,
      `{"facts": {"__proto__": {"polluted": "yes"}, "numero": "1"}}`,
      `{"facts": {"numero": "1"}, "constructor": {"prototype": {"polluted": "yes"}}}`,
      `{"facts": {"constructor": {"prototype": {"polluted": "yes"}}}}`,
      `{"items": [{"facts": {"__proto__": {"polluted": "yes"}}}]}`,
    ];
    for (const url of [`/v1/decide/${RECLAME}`, `/v1/decide/${RECLAME}/batch`, `/v1/rulesets/${RECLAME}/validate`]) {
      for (const b of bodies) {
        // fastify's parser refuses prototype poisoning as invalid JSON (onProtoPoisoning/onConstructorPoisoning: "error").
        expectError(await raw(t, url, b), 400, "MALFORMED_JSON");
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    // The service still decides normally afterwards.
    const ok = await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } });
    expect(ok.statusCode).toBe(200);
    expect(json(ok).decision).not.toHaveProperty("polluted");
  });

  it("a source over SOURCE_LIMIT is a clean 4xx envelope on validate, test and publish (never a 500)", async () => {
    const { app } = keep(await startApp({ env: { SOURCE_LIMIT: "2000" } }));
    expect(
      (await call(app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1), tests: miniSuite(1) } }))
        .statusCode,
    ).toBe(201);
    const huge = `${miniSource(1)}# ${"x".repeat(2100)}\n`;
    for (const [url, body] of [
      ["/v1/rulesets/mini/validate", { source: huge }],
      ["/v1/rulesets/mini/test", { source: huge }],
      ["/v1/rulesets/mini/test", { tests: `${miniSuite(1)}# ${"x".repeat(2100)}\n` }],
      ["/v1/rulesets/mini/versions", { source: huge }],
      ["/v1/rulesets/mini/versions", { source: miniSource(1), tests: `${miniSuite(1)}# ${"x".repeat(2100)}\n` }],
    ] as const) {
      const res = await call(app, { url, body });
      expect(res.statusCode, `${url} ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      const err = expectError(res, res.statusCode);
      expect(JSON.stringify(err.details)).toMatch(/\/source|\/tests/);
    }
    // The default limit (256 KiB) applies without configuration.
    const t2 = await startApp();
    try {
      const res = await call(t2.app, {
        url: "/v1/rulesets/mini/validate",
        body: { source: `${miniSource(1)}# ${"x".repeat(262_200)}\n` },
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expectError(res, res.statusCode);
    } finally {
      await t2.close();
    }
    expect(json(await call(app, { url: "/v1/rulesets/mini" })).version).toBe(1);
  });

  it("facts nested far too deep are a 400, not a crash", async () => {
    const t = await seeded();
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const res = await raw(t, `/v1/decide/${RECLAME}`, `{"facts": {"numero": ${deep}}}`);
    expectError(res, 400);
    const deepObj = `${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`;
    expectError(await raw(t, `/v1/decide/${RECLAME}`, `{"facts": ${deepObj}}`), 400);
    expect((await call(t.app, { url: "/health" })).statusCode).toBe(200);
  });

  it("unknown routes and unknown methods are 404 envelopes", async () => {
    const t = await seeded();
    expectError(await call(t.app, { url: "/v1/desconhecida" }), 404, "NOT_FOUND");
    expectError(await call(t.app, { method: "DELETE", url: `/v1/rulesets/${RECLAME}` }), 404, "NOT_FOUND");
    expectError(
      await call(t.app, { method: "PUT", url: `/v1/decide/${RECLAME}`, body: { facts: {} } }),
      404,
      "NOT_FOUND",
    );
    expectError(await call(t.app, { url: `/v1/decide/${RECLAME}` }), 404, "NOT_FOUND");
  });
});

describe("no stack traces", () => {
  it("no error response of a battery of bad requests carries a stack frame or a file path", async () => {
    const t = await seeded();
    const responses = [
      await raw(t, `/v1/decide/${RECLAME}`, "{bad"),
      await raw(t, `/v1/decide/${RECLAME}`, "[]"),
      await raw(t, `/v1/decide/${RECLAME}`, "x", "text/plain"),
      await raw(t, `/v1/decide/${RECLAME}`, `{"__proto__": {"a": 1}}`),
      await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: { numero: 1 } } }),
      await call(t.app, { url: `/v1/decide/${RECLAME}?version=99`, body: { facts: reclameFacts() } }),
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: "ruleset: mini\nrules: [\n" } }),
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: "%YAML 1.1\n---\nruleset: mini\n" } }),
      await call(t.app, { url: "/v1/rulesets/mini/test", body: { source: miniSource(1), tests: "{{{{" } }),
      await call(t.app, { url: `/v1/rulesets/${RECLAME}/rollback`, body: { version: 42 } }),
      await call(t.app, { url: `/v1/rulesets/${RECLAME}/rollback`, body: { version: "1" } }),
      await call(t.app, { url: "/v1/rulesets/../../etc/passwd" }),
      await call(t.app, { url: "/v1/rulesets/%2e%2e%2fetc" }),
      await call(t.app, { url: "/nada" }),
    ];
    for (const res of responses) {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, res.body).toBeLessThan(500);
      expectNoStack(res.body);
      expectError(res, res.statusCode);
    }
  });

  it("a storage failure (the store cannot write) is a 503 STORAGE_UNAVAILABLE with a generic message: no path, no stack", async () => {
    const t = await seeded();
    const { writeFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    // A regular file where the new rule set's directory should go: the store cannot publish.
    await writeFile(join(t.dataDir, "rulesets", "quebra"), "not a directory\n");
    const res = await call(t.app, { url: "/v1/rulesets/quebra/versions", body: { source: miniSource(1, "quebra") } });
    // An operating-system failure of the store is a storage error (docs/service.md, Errors), not a bug.
    const err = expectError(res, 503, "STORAGE_UNAVAILABLE");
    expect(res.body).not.toContain(t.dataDir);
    expect(res.body).not.toMatch(/ENOTDIR|EEXIST|ENOENT|EACCES/);
    expect(err.message).not.toMatch(/quebra\//);
    // Nothing is served under that name, and the rest keeps working.
    expectError(await call(t.app, { url: "/v1/rulesets/quebra" }), 404, "NOT_FOUND");
    expect((await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } })).statusCode).toBe(200);
  });
});
