/**
 * GET /v1/me: the caller's roles, which the editor uses to hide what the token does not allow.
 */
import { describe, expect, it, vi } from "vitest";
import { call, closeAfterEach, expectError, json, newTokens, startApp } from "./helpers.js";

vi.setConfig({ testTimeout: 20_000, hookTimeout: 30_000 });

const keep = closeAfterEach();

describe("GET /v1/me", () => {
  it("with tokens: the token's name and roles; 401 without a valid token", async () => {
    const tokens = newTokens();
    const t = keep(await startApp({ env: { TOKENS: tokens.env } }));
    const expected = {
      decide: { name: "crm", roles: ["decide"], open: false },
      author: { name: "ana", roles: ["author"], open: false },
      publisher: { name: "paulo", roles: ["publisher"], open: false },
      all: { name: "admin", roles: ["decide", "author", "publisher"], open: false },
    } as const;
    for (const [who, body] of Object.entries(expected)) {
      const res = await call(t.app, { url: "/v1/me", token: tokens[who as keyof typeof expected] });
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res)).toEqual(body);
    }
    expectError(await call(t.app, { url: "/v1/me" }), 401, "UNAUTHORIZED");
    expectError(await call(t.app, { url: "/v1/me", token: `${tokens.all}x` }), 401, "UNAUTHORIZED");
  });

  it("without tokens (open mode, loopback): every role", async () => {
    const t = keep(await startApp());
    const res = await call(t.app, { url: "/v1/me" });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toEqual({ name: "local", roles: ["decide", "author", "publisher"], open: true });
  });
});
