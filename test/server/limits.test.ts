/**
 * Limits: authoring rate limit (429 envelope, per caller, decisions unaffected), batch size, body
 * size, handler timeout, and a big batch not starving the other callers.
 */
import { describe, expect, it, vi } from "vitest";
import {
  call,
  closeAfterEachHolding,
  expectError,
  json,
  miniSource,
  miniSuite,
  newTokens,
  slowSource,
  startApp,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 20_000, hookTimeout: 30_000 });

const { keep, hold } = closeAfterEachHolding();

async function appWith(env: Record<string, string>): Promise<TestApp> {
  return keep(await startApp({ env }));
}

describe("authoring rate limit", () => {
  it("AUTHORING_RATE_LIMIT=4: after a publish and 3 validates, the next authoring request is 429 RATE_LIMITED (envelope); decisions are not limited", async () => {
    const t = await appWith({ AUTHORING_RATE_LIMIT: "4" });
    expect((await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1) } })).statusCode).toBe(
      201,
    );
    for (let i = 0; i < 3; i++)
      expect(
        (await call(t.app, { url: "/v1/rulesets/mini/validate", body: { source: miniSource(1) } })).statusCode,
      ).toBe(200);
    const res = await call(t.app, { url: "/v1/rulesets/mini/validate", body: { source: miniSource(1) } });
    const err = expectError(res, 429, "RATE_LIMITED");
    expect(err.message.length).toBeGreaterThan(0);
    expect(res.headers["retry-after"]).toBeDefined();

    // One budget for all authoring: publishing is refused too, and publishes nothing.
    const before = json(await call(t.app, { url: "/v1/rulesets/mini" })).version;
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(4) } }),
      429,
      "RATE_LIMITED",
    );
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).version).toBe(before);

    // Decisions and reads are never rate limited by the authoring budget.
    for (let i = 0; i < 20; i++)
      expect((await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: i } } })).statusCode).toBe(200);
    expect((await call(t.app, { url: "/v1/rulesets/mini" })).statusCode).toBe(200);
  });

  it("the budget is per caller (token name): one analyst hitting the limit does not block another", async () => {
    const tokens = newTokens();
    const t = await appWith({ AUTHORING_RATE_LIMIT: "3", TOKENS: tokens.env });
    for (let i = 0; i < 3; i++)
      expect(
        (
          await call(t.app, {
            url: "/v1/rulesets/mini/validate",
            token: tokens.author,
            body: { source: miniSource(1) },
          })
        ).statusCode,
      ).toBe(200);
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/validate", token: tokens.author, body: { source: miniSource(1) } }),
      429,
      "RATE_LIMITED",
    );
    expect(
      (
        await call(t.app, {
          url: "/v1/rulesets/mini/validate",
          token: tokens.publisher,
          body: { source: miniSource(1) },
        })
      ).statusCode,
    ).toBe(200);
    // The budget is shared by every authoring route: the same analyst cannot switch to another one.
    expectError(
      await call(t.app, {
        url: "/v1/rulesets/mini/test",
        token: tokens.author,
        body: { source: miniSource(1), tests: miniSuite(1) },
      }),
      429,
      "RATE_LIMITED",
    );
  });

  it("the budget covers authoring as a whole (validate, test, publish, roll back per minute per client), not each route apart", async () => {
    // server/config.ts: "Authoring requests (validate, test, publish, roll back) per minute per client."
    const t = await appWith({ AUTHORING_RATE_LIMIT: "3" });
    expect(
      (await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1), tests: miniSuite(1) } }))
        .statusCode,
    ).toBe(201);
    expect((await call(t.app, { url: "/v1/rulesets/mini/validate", body: { source: miniSource(1) } })).statusCode).toBe(
      200,
    );
    expect((await call(t.app, { url: "/v1/rulesets/mini/test", body: {} })).statusCode).toBe(200);
    // Three authoring requests made: the fourth, whatever its route, is over the budget.
    expectError(await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 1 } }), 429, "RATE_LIMITED");
  });
});

describe("batch, body and time limits", () => {
  it("BATCH_LIMIT=5: 5 items are decided, 6 are 400 BATCH_TOO_LARGE", async () => {
    const t = await appWith({ BATCH_LIMIT: "5" });
    expect((await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1) } })).statusCode).toBe(
      201,
    );
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ facts: { valor: i } }));
    expect(json(await call(t.app, { url: "/v1/decide/mini/batch", body: { items: items(5) } })).results).toHaveLength(
      5,
    );
    const err = expectError(
      await call(t.app, { url: "/v1/decide/mini/batch", body: { items: items(6) } }),
      400,
      "BATCH_TOO_LARGE",
    );
    expect(err.message).toMatch(/5/);
  });

  it("BODY_LIMIT=2048: a body just under it is accepted, one over it is 413 PAYLOAD_TOO_LARGE on every POST route", async () => {
    const t = await appWith({ BODY_LIMIT: "2048" });
    const under = { source: `${miniSource(1)}#${"x".repeat(2048 - 40 - miniSource(1).length)}\n` };
    expect(JSON.stringify(under).length).toBeLessThan(2048);
    expect((await call(t.app, { url: "/v1/rulesets/mini/versions", body: under })).statusCode).toBe(201);
    const pad = "x".repeat(2100);
    for (const [url, body] of [
      ["/v1/decide/mini", { facts: { valor: 1, canal: pad } }],
      ["/v1/decide/mini/batch", { items: [{ facts: { valor: 1, canal: pad } }] }],
      ["/v1/rulesets/mini/validate", { source: pad }],
      ["/v1/rulesets/mini/test", { tests: pad }],
      ["/v1/rulesets/mini/versions", { source: pad }],
      ["/v1/rulesets/mini/rollback", { version: 1, message: pad }],
    ] as const) {
      expectError(await call(t.app, { url, body }), 413, "PAYLOAD_TOO_LARGE");
    }
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).version).toBe(1);
  });

  it("HANDLER_TIMEOUT_MS: a decision that takes too long is answered with a clean 5xx envelope, not left hanging", async () => {
    // Published with a generous budget; the tiny one applies to the decision only (a publish on a
    // loaded machine may itself take longer than 200 ms).
    const publisher = await appWith({});
    expect(
      (await call(publisher.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1) } })).statusCode,
    ).toBe(201);
    await publisher.close();
    const t = keep(await startApp({ env: { HANDLER_TIMEOUT_MS: "200" }, dataDir: publisher.dataDir }));
    const gate = hold();
    const started = Date.now();
    const res = await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } });
    const elapsed = Date.now() - started;
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    const err = expectError(res, res.statusCode);
    expect(err.code).toMatch(/TIMEOUT/);
    expect(elapsed).toBeLessThan(5_000);
    gate.release();
  });

  it("a 1000-item batch does not starve other callers: the event loop keeps turning while it is decided", async () => {
    const t = await appWith({});
    expect(
      (await call(t.app, { url: "/v1/rulesets/lento/versions", body: { source: slowSource(1) } })).statusCode,
    ).toBe(201);
    const items = Array.from({ length: 1000 }, (_, i) => ({ facts: { valor: i % 60 } }));
    // Outcome and order only (no millisecond budgets: the machine may be loaded): a timer keeps
    // firing while the batch is decided, and a liveness probe sent after the batch answers first.
    let ticks = 0;
    let batchDone = false;
    const ticker = setInterval(() => {
      if (!batchDone) ticks++;
    }, 1);
    const order: string[] = [];
    const batch = call(t.app, { url: "/v1/decide/lento/batch", body: { items } }).then((r) => {
      batchDone = true;
      order.push("batch");
      return r;
    });
    // A liveness probe sent while the batch is being decided.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const health = call(t.app, { url: "/health" }).then((r) => {
      order.push("health");
      return r;
    });
    const [b, h] = await Promise.all([batch, health]);
    clearInterval(ticker);
    expect(b.statusCode).toBe(200);
    expect(h.statusCode).toBe(200);
    expect(json(b).results).toHaveLength(1000);
    expect(ticks, "timers must keep firing while the batch is decided").toBeGreaterThanOrEqual(3);
    expect(order, "/health must be answered before the 1000-item batch").toEqual(["health", "batch"]);
  });
});
