/**
 * The open mode's guard (server/loopback-guard.ts): without tokens the service answers only
 * requests addressed to a loopback name (DNS rebinding refused, 403 FORBIDDEN_HOST), and a
 * state-changing request needs `Content-Type: application/json` (415) and, when it has an Origin,
 * the service's own (403 FORBIDDEN_ORIGIN). The legitimate requests pass: the editor's own page
 * (same origin) and clients that send no Origin (the CRM). With tokens configured the checks are
 * off (the token is the guard). Both attacks are also played over a real socket.
 */
import type { AddressInfo } from "node:net";
import net from "node:net";
import { describe, expect, it, vi } from "vitest";
import { hostName, isJsonContentType, isLoopbackHost } from "../../server/loopback-guard.js";
import { call, closeAfterEach, expectError, json, miniSource, newTokens, startApp, type TestApp } from "./helpers.js";

vi.setConfig({ testTimeout: 20_000, hookTimeout: 30_000 });

const keep = closeAfterEach();

/** An open (no-token) app with mini v1 published. */
async function open(): Promise<TestApp> {
  const t = keep(await startApp());
  const res = await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1) } });
  expect(res.statusCode, res.body).toBe(201);
  return t;
}

async function activeVersion(t: TestApp): Promise<number> {
  return json(await call(t.app, { url: "/v1/rulesets/mini" })).version as number;
}

const DECIDE = { facts: { valor: 150 } };

describe("Host names", () => {
  it("loopback names and addresses, with any port, are accepted; anything else is not", () => {
    for (const host of [
      "localhost",
      "localhost:3000",
      "LocalHost:3000",
      "127.0.0.1",
      "127.0.0.1:3000",
      "127.1.2.3:65535",
      "[::1]",
      "[::1]:3000",
    ])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      undefined,
      "",
      "attacker.example",
      "attacker.example:3000",
      "localhost.attacker.example",
      "127.0.0.1.nip.io:3000",
      "127.0.0.1:3000@attacker.example",
      "127.0.0.256",
      "0.0.0.0:3000",
      "[::2]:3000",
      "::1",
      "10.0.0.1:3000",
      "localhost:abc",
    ])
      expect(isLoopbackHost(host), String(host)).toBe(false);
    expect(hostName("[::1]:3000")).toBe("[::1]");
    expect(hostName("LOCALHOST:80")).toBe("localhost");
  });

  it("JSON content types", () => {
    expect(isJsonContentType("application/json")).toBe(true);
    expect(isJsonContentType("Application/JSON; charset=utf-8")).toBe(true);
    for (const type of [undefined, "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
      expect(isJsonContentType(type), String(type)).toBe(false);
  });
});

describe("open mode (no tokens): DNS rebinding", () => {
  it("a request whose Host is not a loopback name is 403 FORBIDDEN_HOST, reads and writes alike", async () => {
    const t = await open();
    const evil = { host: "attacker.example:3000" };
    expectError(await call(t.app, { url: "/v1/rulesets", headers: evil }), 403, "FORBIDDEN_HOST");
    expectError(await call(t.app, { url: "/v1/rulesets/mini", headers: evil }), 403, "FORBIDDEN_HOST");
    expectError(await call(t.app, { url: "/v1/decide/mini", body: DECIDE, headers: evil }), 403, "FORBIDDEN_HOST");
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(2) }, headers: evil }),
      403,
      "FORBIDDEN_HOST",
    );
    expectError(await call(t.app, { url: "/", headers: evil }), 403, "FORBIDDEN_HOST");
    expectError(await call(t.app, { url: "/health", headers: evil }), 403, "FORBIDDEN_HOST");
    expectError(
      await call(t.app, { url: "/v1/decide/mini", body: DECIDE, headers: { host: "127.0.0.1.nip.io:3000" } }),
      403,
      "FORBIDDEN_HOST",
    );
    expect(await activeVersion(t)).toBe(1);
  });

  it("loopback Hosts are served: localhost, 127.0.0.1, [::1], any port", async () => {
    const t = await open();
    for (const host of ["localhost:3000", "127.0.0.1:3000", "127.0.0.1", "[::1]:3000"]) {
      const res = await call(t.app, { url: "/v1/decide/mini", body: DECIDE, headers: { host } });
      expect(res.statusCode, `${host}: ${res.body}`).toBe(200);
    }
  });
});

describe("open mode (no tokens): cross-site requests", () => {
  it("a state-changing request from another origin is 403 FORBIDDEN_ORIGIN, and changes nothing", async () => {
    const t = await open();
    for (const origin of [
      "http://attacker.example",
      "null",
      "http://localhost:3000", // another origin than the Host the request went to
      "https://127.0.0.1:3000",
    ]) {
      const headers = { host: "127.0.0.1:3000", origin };
      expectError(
        await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(2) }, headers }),
        403,
        "FORBIDDEN_ORIGIN",
      );
      expectError(
        await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 1 }, headers }),
        403,
        "FORBIDDEN_ORIGIN",
      );
      expectError(await call(t.app, { url: "/v1/decide/mini", body: DECIDE, headers }), 403, "FORBIDDEN_ORIGIN");
    }
    expect(await activeVersion(t)).toBe(1);
  });

  it("a state-changing request that is not JSON (a form, text/plain, no content type) is 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const t = await open();
    const url = "/v1/rulesets/mini/versions";
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]) {
      const res = await t.app.inject({
        method: "POST",
        url,
        headers: { host: "127.0.0.1:3000", "content-type": type },
        payload: "source=x",
      });
      expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    }
    // No body and no content type: refused before the route runs.
    expectError(
      await t.app.inject({ method: "POST", url: "/v1/rulesets/mini/rollback", headers: { host: "127.0.0.1:3000" } }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    // A cross-site form also carries an Origin: the origin is named first.
    const form = await t.app.inject({
      method: "POST",
      url,
      headers: { host: "127.0.0.1:3000", origin: "http://attacker.example", "content-type": "text/plain" },
      payload: "x",
    });
    expectError(form, 403, "FORBIDDEN_ORIGIN");
    expect(await activeVersion(t)).toBe(1);
  });

  it("the editor's own page (same origin) and the CRM (no Origin) are served; reads need no Origin check", async () => {
    const t = await open();
    for (const host of ["127.0.0.1:3000", "localhost:3000", "[::1]:3000"]) {
      const same = await call(t.app, {
        url: "/v1/decide/mini",
        body: DECIDE,
        headers: { host, origin: `http://${host}` },
      });
      expect(same.statusCode, same.body).toBe(200);
    }
    const published = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(2) },
      headers: { host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000" },
    });
    expect(published.statusCode, published.body).toBe(201);
    const crm = await call(t.app, { url: "/v1/decide/mini", body: DECIDE, headers: { host: "127.0.0.1:3000" } });
    expect(crm.statusCode, crm.body).toBe(200);
    expect(json(crm).version).toBe(2);
    const read = await call(t.app, {
      url: "/v1/rulesets",
      headers: { host: "127.0.0.1:3000", origin: "http://attacker.example" },
    });
    expect(read.statusCode).toBe(200);
  });

  it("unknown routes stay 404 whatever the method and content type", async () => {
    const t = await open();
    expectError(await call(t.app, { method: "DELETE", url: "/v1/rulesets/mini" }), 404, "NOT_FOUND");
    expectError(await call(t.app, { method: "PUT", url: "/v1/decide/mini", body: DECIDE }), 404, "NOT_FOUND");
  });
});

describe("over a real socket", () => {
  /** Sends `request` as written and resolves with the whole answer (the socket is closed by the request). */
  function raw(port: number, request: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
      let answer = "";
      socket.on("data", (d) => (answer += d.toString("utf8")));
      socket.on("end", () => resolve(answer));
      socket.on("error", reject);
    });
  }

  it("a rebound name and a cross-site POST are refused; the same-origin POST and the CRM's are served", async () => {
    const t = await open();
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const port = (t.app.server.address() as AddressInfo).port;
    const body = JSON.stringify(DECIDE);
    const post = (host: string, extra = "") =>
      raw(
        port,
        `POST /v1/decide/mini HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${extra}Connection: close\r\n\r\n${body}`,
      );

    const rebound = await raw(
      port,
      `GET /v1/rulesets HTTP/1.1\r\nHost: attacker.example:${port}\r\nConnection: close\r\n\r\n`,
    );
    expect(rebound).toMatch(/^HTTP\/1\.1 403 /);
    expect(rebound).toContain('"code":"FORBIDDEN_HOST"');
    // HTTP/1.0 without a Host header at all: refused too.
    expect(await raw(port, "GET /v1/rulesets HTTP/1.0\r\n\r\n")).toMatch(/^HTTP\/1\.[01] 403 /);

    const crossSite = await post(`127.0.0.1:${port}`, "Origin: http://attacker.example\r\n");
    expect(crossSite).toMatch(/^HTTP\/1\.1 403 /);
    expect(crossSite).toContain('"code":"FORBIDDEN_ORIGIN"');

    expect(await post(`127.0.0.1:${port}`, `Origin: http://127.0.0.1:${port}\r\n`)).toMatch(/^HTTP\/1\.1 200 /);
    expect(await post(`localhost:${port}`)).toMatch(/^HTTP\/1\.1 200 /);
    const res = await fetch(`http://127.0.0.1:${port}/v1/decide/mini`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
  });
});

describe("with tokens configured", () => {
  it("the checks are off (the token is the guard): any Host and Origin with a valid token; none without one", async () => {
    const tokens = newTokens();
    const t = keep(await startApp({ env: { TOKENS: tokens.env } }));
    const headers = { host: "regras.intranet.example:3000", origin: "http://crm.intranet.example" };
    const published = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      token: tokens.all,
      body: { source: miniSource(1) },
      headers,
    });
    expect(published.statusCode, published.body).toBe(201);
    const decided = await call(t.app, { url: "/v1/decide/mini", token: tokens.decide, body: DECIDE, headers });
    expect(decided.statusCode, decided.body).toBe(200);
    expectError(await call(t.app, { url: "/v1/decide/mini", body: DECIDE, headers }), 401, "UNAUTHORIZED");
  });
});
