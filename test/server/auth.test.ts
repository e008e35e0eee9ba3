/**
 * Authentication and roles (CONTRACT "Starting the service", HAZARDS 13) and the configuration
 * checks around them (loadConfig: loopback-only without tokens, token files in JSON and line form,
 * bad entries named). Tokens are random; only their SHA-256 is configured.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as crypto from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { hashToken } from "../../server/auth.js";
import { ConfigError, loadConfig } from "../../server/config.js";
import {
  call,
  closeAfterEach,
  expectError,
  json,
  miniSource,
  miniSuite,
  newTokens,
  startApp,
  tempDir,
  type TestApp,
  type Tokens,
} from "./helpers.js";

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

vi.setConfig({ testTimeout: 20_000, hookTimeout: 30_000 });

const keep = closeAfterEach();
let tokens: Tokens;

beforeEach(() => {
  tokens = newTokens();
});

/** An app with tokens configured and the mini rule set published (v1, with suite) by the admin. */
async function secured(env: Record<string, string> = {}): Promise<TestApp> {
  const t = keep(await startApp({ env: { TOKENS: tokens.env, ...env } }));
  const res = await call(t.app, {
    url: "/v1/rulesets/mini/versions",
    token: tokens.all,
    body: { source: miniSource(1), tests: miniSuite(1) },
  });
  expect(res.statusCode, res.body).toBe(201);
  return t;
}

type Who = "none" | "decide" | "author" | "publisher" | "all";

interface Route {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly body?: unknown;
  /** Roles that may call it ("any": every valid token). */
  readonly allowed: "any" | readonly Who[];
}

const ROUTES: readonly Route[] = [
  { method: "GET", url: "/ready", allowed: "any" },
  { method: "GET", url: "/metrics", allowed: "any" },
  // GET / and /assets/* (the editor) are public: see editor-static.test.ts.
  { method: "GET", url: "/docs/json", allowed: "any" },
  { method: "GET", url: "/v1/rulesets", allowed: "any" },
  { method: "GET", url: "/v1/rulesets/mini", allowed: "any" },
  { method: "GET", url: "/v1/rulesets/mini/versions/1", allowed: "any" },
  { method: "GET", url: "/v1/rulesets/mini/versions/1/compiled", allowed: "any" },
  { method: "POST", url: "/v1/decide/mini", body: { facts: { valor: 1 } }, allowed: ["decide", "all"] },
  {
    method: "POST",
    url: "/v1/decide/mini/batch",
    body: { items: [{ facts: { valor: 1 } }] },
    allowed: ["decide", "all"],
  },
  {
    method: "POST",
    url: "/v1/rulesets/mini/validate",
    body: { source: miniSource(1) },
    allowed: ["author", "publisher", "all"],
  },
  { method: "POST", url: "/v1/rulesets/mini/test", body: {}, allowed: ["author", "publisher", "all"] },
  { method: "POST", url: "/v1/rulesets/mini/versions", body: { source: miniSource(1) }, allowed: ["publisher", "all"] },
  { method: "POST", url: "/v1/rulesets/mini/rollback", body: { version: 1 }, allowed: ["publisher", "all"] },
  { method: "GET", url: "/v1/audit", allowed: ["author", "publisher", "all"] },
];

function tokenOf(who: Who): string | undefined {
  return who === "none" ? undefined : tokens[who];
}

describe("with tokens configured", () => {
  it("/health needs no token", async () => {
    const t = await secured();
    const res = await call(t.app, { url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: "ok" });
  });

  it("every other route is 401 UNAUTHORIZED without a token, with a wrong token, or with a malformed Authorization header", async () => {
    const t = await secured();
    const bad: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${tokens.all}x` },
      { authorization: "Bearer " },
      { authorization: "Bearer" },
      { authorization: `Basic ${Buffer.from(`admin:${tokens.all}`).toString("base64")}` },
      { authorization: tokens.all },
      { authorization: `Bearer ${tokens.all} extra` },
      { authorization: `Bearer ${hashToken(tokens.all)}` }, // the configured hash is not a token
      { authorization: `Bearer ${"x".repeat(5000)}` },
    ];
    // The API docs (/docs, /docs/json...) are public: see openapi.test.ts.
    for (const route of [
      ...ROUTES.filter((r) => !r.url.startsWith("/docs")),
      { method: "GET", url: "/v1/nada", allowed: "any" } as Route,
    ]) {
      for (const headers of bad) {
        const res = await call(t.app, {
          method: route.method,
          url: route.url,
          headers,
          ...(route.body !== undefined ? { body: route.body } : {}),
        });
        const err = expectError(res, 401, "UNAUTHORIZED");
        expect(res.body).not.toContain(tokens.all);
        expect(err.message).toMatch(/Bearer/);
      }
    }
  });

  it("authentication happens before the body is read: an unauthenticated malformed or oversized body is still a 401", async () => {
    const t = await secured();
    const malformed = await t.app.inject({
      method: "POST",
      url: "/v1/decide/mini",
      payload: "{bad",
      headers: { "content-type": "application/json" },
    });
    expectError(malformed, 401, "UNAUTHORIZED");
    const plain = await t.app.inject({
      method: "POST",
      url: "/v1/rulesets/mini/versions",
      payload: "x",
      headers: { "content-type": "text/plain" },
    });
    expectError(plain, 401, "UNAUTHORIZED");
  });

  it("roles matrix: each route answers 403 FORBIDDEN to tokens without a fitting role and serves those with one", async () => {
    const t = await secured();
    const whos: Who[] = ["decide", "author", "publisher", "all"];
    const table: string[] = [];
    for (const route of ROUTES) {
      for (const who of whos) {
        const allowed = route.allowed === "any" || route.allowed.includes(who);
        const res = await call(t.app, {
          method: route.method,
          url: route.url,
          token: tokenOf(who),
          ...(route.body !== undefined ? { body: route.body } : {}),
        });
        table.push(`${route.method} ${route.url} as ${who}: ${res.statusCode}`);
        if (allowed) {
          expect(res.statusCode, `${route.method} ${route.url} as ${who}: ${res.body.slice(0, 300)}`).toBeLessThan(300);
        } else {
          const err = expectError(res, 403, "FORBIDDEN");
          expect(err.message.length).toBeGreaterThan(0);
        }
      }
    }
    expect(table.length).toBe(ROUTES.length * whos.length);
  });

  it("the specific refusals of the contract: decide token on publish, author token on publish, publisher on decide, decide on validate/test", async () => {
    const t = await secured();
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", token: tokens.decide, body: { source: miniSource(1) } }),
      403,
      "FORBIDDEN",
    );
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", token: tokens.author, body: { source: miniSource(1) } }),
      403,
      "FORBIDDEN",
    );
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/rollback", token: tokens.author, body: { version: 1 } }),
      403,
      "FORBIDDEN",
    );
    expectError(
      await call(t.app, { url: "/v1/decide/mini", token: tokens.publisher, body: { facts: { valor: 1 } } }),
      403,
      "FORBIDDEN",
    );
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/validate", token: tokens.decide, body: { source: miniSource(1) } }),
      403,
      "FORBIDDEN",
    );
    expectError(await call(t.app, { url: "/v1/rulesets/mini/test", token: tokens.decide, body: {} }), 403, "FORBIDDEN");
    // ...and nothing was published by the refused calls.
    expect(json(await call(t.app, { url: "/v1/rulesets/mini", token: tokens.decide })).versions).toHaveLength(1);
    // The allowed ones.
    expect(
      (await call(t.app, { url: "/v1/decide/mini", token: tokens.decide, body: { facts: { valor: 1 } } })).statusCode,
    ).toBe(200);
    expect(
      (await call(t.app, { url: "/v1/rulesets/mini/validate", token: tokens.author, body: { source: miniSource(1) } }))
        .statusCode,
    ).toBe(200);
    expect((await call(t.app, { url: "/v1/rulesets/mini/test", token: tokens.publisher, body: {} })).statusCode).toBe(
      200,
    );
    expect(
      (
        await call(t.app, {
          url: "/v1/rulesets/mini/versions",
          token: tokens.publisher,
          body: { source: miniSource(1) },
        })
      ).statusCode,
    ).toBe(201);
  });

  it("the token's name is the author of publishes and roll backs (versions and audit)", async () => {
    const t = await secured();
    expect(
      (
        await call(t.app, {
          url: "/v1/rulesets/mini/versions",
          token: tokens.publisher,
          body: { source: miniSource(1), message: "por paulo" },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await call(t.app, { url: "/v1/rulesets/mini/rollback", token: tokens.publisher, body: { version: 1 } }))
        .statusCode,
    ).toBe(201);
    const body = json(await call(t.app, { url: "/v1/rulesets/mini", token: tokens.author }));
    expect(body.versions.map((v: any) => v.author)).toEqual(["admin", "paulo", "paulo"]);
    const audit = json(await call(t.app, { url: "/v1/audit", token: tokens.author }));
    expect(audit.map((a: any) => [a.action, a.version, a.author])).toEqual([
      ["publish", 1, "admin"],
      ["publish", 2, "paulo"],
      ["rollback", 3, "paulo"],
    ]);
  });

  it("tokens are compared against every configured hash (constant time, no early exit)", async () => {
    const t = await secured();
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    // The first configured token (crm) matches at once; the comparison still visits all 4 entries.
    expect(
      (await call(t.app, { url: "/v1/decide/mini", token: tokens.decide, body: { facts: { valor: 1 } } })).statusCode,
    ).toBe(200);
    expect(spy.mock.calls.length).toBe(4);
    spy.mockClear();
    expectError(await call(t.app, { url: "/v1/rulesets", token: "nao-configurado" }), 401, "UNAUTHORIZED");
    expect(spy.mock.calls.length).toBe(4);
    for (const [a, b] of spy.mock.calls) expect((a as Buffer).length).toBe((b as Buffer).length);
  });
});

describe("without tokens", () => {
  it("every route is open (loopback only) and publishes are authored by 'local'", async () => {
    const t = keep(await startApp());
    expect(t.config.tokens).toEqual([]);
    expect(t.config.host).toBe("127.0.0.1");
    expect((await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1) } })).statusCode).toBe(
      201,
    );
    expect((await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } })).statusCode).toBe(200);
    expect(json(await call(t.app, { url: "/v1/audit" }))[0].author).toBe("local");
  });
});

describe("loadConfig", () => {
  const dataEnv = { DATA_DIR: "/tmp/nao-usado" };

  it("refuses a non-loopback HOST with no tokens, with a clear ConfigError; accepts it with tokens", () => {
    for (const host of ["0.0.0.0", "::", "192.168.10.20", "10.0.0.5"]) {
      let error: unknown;
      try {
        loadConfig({ ...dataEnv, HOST: host });
      } catch (e) {
        error = e;
      }
      expect(error, host).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`HOST=${host}`);
      expect((error as Error).message).toMatch(/TOKENS/);
      const ok = loadConfig({ ...dataEnv, HOST: host, TOKENS: tokens.env });
      expect(ok.host).toBe(host);
      expect(ok.tokens.map((x) => x.name)).toEqual(["crm", "ana", "paulo", "admin"]);
    }
    for (const host of ["127.0.0.1", "localhost", "::1"])
      expect(loadConfig({ ...dataEnv, HOST: host }).host).toBe(host);
  });

  it('a HOST name that merely starts with "127." is not proof of loopback: refused without tokens', () => {
    expect(() => loadConfig({ ...dataEnv, HOST: "127.example.com" })).toThrow(ConfigError);
  });

  it("reads TOKENS_FILE in JSON form", async () => {
    const dir = await tempDir("tokens-");
    const file = join(dir, "tokens.json");
    await writeFile(
      file,
      JSON.stringify([
        { name: "crm", roles: ["decide"], sha256: hashToken(tokens.decide) },
        { name: "paulo", roles: ["publisher", "author"], sha256: hashToken(tokens.publisher) },
      ]),
    );
    const config = loadConfig({ ...dataEnv, TOKENS_FILE: "tokens.json" }, dir);
    expect(config.tokens).toEqual([
      { name: "crm", roles: ["decide"], sha256: hashToken(tokens.decide) },
      { name: "paulo", roles: ["publisher", "author"], sha256: hashToken(tokens.publisher) },
    ]);
    // And the app honours it.
    const t = keep(await startApp({ env: { TOKENS_FILE: file } }));
    expect(
      (
        await call(t.app, {
          url: "/v1/rulesets/mini/versions",
          token: tokens.publisher,
          body: { source: miniSource(1) },
        })
      ).statusCode,
    ).toBe(201);
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", token: tokens.decide, body: { source: miniSource(1) } }),
      403,
      "FORBIDDEN",
    );
    expect(
      (await call(t.app, { url: "/v1/decide/mini", token: tokens.decide, body: { facts: { valor: 1 } } })).statusCode,
    ).toBe(200);
  });

  it("reads TOKENS_FILE in line form (comments, blank lines, `;`) and merges TOKENS", async () => {
    const dir = await tempDir("tokens-");
    await writeFile(
      join(dir, "tokens.txt"),
      `# tokens da central\n\ncrm:decide:${hashToken(tokens.decide)}\n  ana:author:${hashToken(tokens.author)}  \n# fim\n`,
    );
    const config = loadConfig(
      { ...dataEnv, TOKENS_FILE: "tokens.txt", TOKENS: `paulo:publisher:${hashToken(tokens.publisher)}` },
      dir,
    );
    expect(config.tokens.map((x) => [x.name, x.roles])).toEqual([
      ["crm", ["decide"]],
      ["ana", ["author"]],
      ["paulo", ["publisher"]],
    ]);
    const multi = loadConfig({ ...dataEnv, TOKENS: `a:decide,author:${hashToken("a")};b:publisher:${hashToken("b")}` });
    expect(multi.tokens.map((x) => [x.name, x.roles])).toEqual([
      ["a", ["decide", "author"]],
      ["b", ["publisher"]],
    ]);
  });

  /** The error loadConfig throws for an env (undefined when it does not throw). */
  function configError(env: Record<string, string>, cwd?: string): Error | undefined {
    try {
      loadConfig({ ...dataEnv, ...env }, cwd);
      return undefined;
    } catch (e) {
      return e as Error;
    }
  }

  const h = hashToken("qualquer");
  const BAD_TOKENS: readonly [string, RegExp][] = [
    [`crm:decide:${h};ana:admin:${h}`, /token 2.*ana.*admin/],
    [`crm:decide:${h};ana:author:1234`, /token 2.*ana.*sha256/],
    [`crm:decide:${h.toUpperCase().slice(0, 10)}`, /token 1.*crm.*sha256/],
    [`crm::${h}`, /token 1.*crm/],
    [`nome com espaço:decide:${h}`, /token 1.*nome/],
    [
      `[{"name": "crm", "roles": ["decide"], "sha256": "${h}"}, {"name": "x", "roles": "decide", "sha256": "${h}"}]`,
      /token 2.*x/,
    ],
    [`[{"name": "crm", "roles": ["decide"]`, /JSON/],
  ];

  it("an invalid token entry is refused with a message naming the variable and the entry", () => {
    for (const [value, pattern] of BAD_TOKENS) {
      const e = configError({ TOKENS: value });
      expect(e, value).toBeInstanceOf(Error);
      expect(e!.message, value).toMatch(/TOKENS/);
      expect(e!.message, value).toMatch(pattern);
    }
  });

  it("an invalid token entry is a ConfigError (like every other bad setting)", () => {
    for (const [value] of BAD_TOKENS) {
      const e = configError({ TOKENS: value });
      expect(e, value).toBeInstanceOf(ConfigError);
    }
  });

  it("an unreadable TOKENS_FILE is a ConfigError naming the file; other bad settings name their variable", async () => {
    const dir = await tempDir("tokens-");
    const missing = configError({ TOKENS_FILE: "nao-existe.txt" }, dir);
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing!.message).toMatch(/TOKENS_FILE/);
    expect(missing!.message).toContain(join(dir, "nao-existe.txt"));
    for (const [key, value] of [
      ["PORT", "70000"],
      ["PORT", "abc"],
      ["BODY_LIMIT", "10"],
      ["REQUEST_TIMEOUT_MS", "0"],
      ["AUTHORING_RATE_LIMIT", "0"],
      ["BATCH_LIMIT", "1.5"],
      ["LOG_LEVEL", "verbose"],
    ] as const) {
      const e = configError({ [key]: value });
      expect(e, `${key}=${value}`).toBeInstanceOf(ConfigError);
      expect(e!.message).toContain(key);
    }
  });
});
