/**
 * Timeouts on a real listening server (issue 7, item 12). Three clocks, each doing its own job:
 * REQUEST_TIMEOUT_MS cuts slow clients (listen.test.ts), HANDLER_TIMEOUT_MS ends a slow handler
 * with a 503 HANDLER_TIMEOUT envelope, and the socket idle timeout never cuts a connection whose
 * handler is still working (it used to equal REQUEST_TIMEOUT_MS: a slow handler lost its
 * connection with no response while its work went on). A batch stops deciding at the deadline.
 *
 * Handlers are made slow deterministically by holding a decision inside the engine
 * (holdNextDecision); assertions are on outcomes (status, codes, counters), not on durations.
 */
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  closeAfterEachHolding,
  expectNoStack,
  miniSource,
  miniSuite,
  sleep,
  startApp,
  tempDir,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const { keep, hold } = closeAfterEachHolding();

/** A listening app with `mini` v1 (seeded at start: a publish is itself subject to the tiny timeouts). */
async function listening(env: Record<string, string>): Promise<{ t: TestApp; base: string }> {
  const rulesDir = await tempDir("rules-");
  await writeFile(join(rulesDir, "mini.yaml"), miniSource(1));
  await writeFile(join(rulesDir, "mini.test.yaml"), miniSuite(1));
  const t = await startApp({ env, rulesDir });
  keep(t);
  expect(t.seed?.seeded).toEqual(["mini"]);
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  return { t, base: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}` };
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function counterTotal(
  counter: { get(): Promise<{ values: { value: number; labels: Record<string, string | number> }[] }> },
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await counter.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x))
    .reduce((sum, v) => sum + v.value, 0);
}

describe("a slow handler is not a slow client", () => {
  it("a decision that takes longer than REQUEST_TIMEOUT_MS (but less than HANDLER_TIMEOUT_MS) still gets its 200 on the same connection", async () => {
    // Long enough for a small request to arrive whole on a loaded machine (a 200 ms budget was cut
    // with a 408 before the handler ran when 2 cores carried a load of 16).
    const REQUEST_TIMEOUT_MS = 1500;
    const { base } = await listening({ REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), HANDLER_TIMEOUT_MS: "20000" });
    const gate = hold();
    const pending = post(`${base}/v1/decide/mini`, { facts: { valor: 150 } }).then(
      (r) => r,
      (e: unknown) => e as Error,
    );
    await gate.started;
    // The handler is now busy and the socket silent: well past REQUEST_TIMEOUT_MS (and the checks
    // that enforce it), the connection must still be there.
    await sleep(REQUEST_TIMEOUT_MS * 4);
    gate.release();
    const res = await pending;
    expect(res, "the connection was cut while the handler worked").toBeInstanceOf(Response);
    const r = res as Response;
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ruleset: "mini", version: 1, decision: { marca: 1, faixa: "ALTA" } });
  });

  it("a decision that outlasts HANDLER_TIMEOUT_MS ends with a complete 503 HANDLER_TIMEOUT envelope over the wire (not a reset)", async () => {
    const { base } = await listening({ REQUEST_TIMEOUT_MS: "1000", HANDLER_TIMEOUT_MS: "3000" });
    const gate = hold();
    const res = await post(`${base}/v1/decide/mini`, { facts: { valor: 1 } });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await res.text();
    expectNoStack(text);
    const body = JSON.parse(text) as {
      error: { code: string; message: string; details: unknown[]; requestId: string };
    };
    expect(Object.keys(body)).toEqual(["error"]);
    expect(body.error.code).toBe("HANDLER_TIMEOUT");
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(body.error.details).toEqual([]);
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
    gate.release();
    // The service is fine afterwards.
    expect((await post(`${base}/v1/decide/mini`, { facts: { valor: 1 } })).status).toBe(200);
  });
});

describe("a batch stops deciding at HANDLER_TIMEOUT_MS", () => {
  it("answers 503 HANDLER_TIMEOUT and decides none of the items after the deadline", async () => {
    const { t, base } = await listening({ REQUEST_TIMEOUT_MS: "1000", HANDLER_TIMEOUT_MS: "3000" });
    const ITEMS = 60;
    const gate = hold(); // the first item is held past the deadline
    const res = await post(`${base}/v1/decide/mini/batch`, {
      items: Array.from({ length: ITEMS }, (_, i) => ({ facts: { valor: i } })),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("HANDLER_TIMEOUT");

    // The held item finishes; the loop must then see the deadline and stop.
    gate.release();
    await vi.waitFor(
      async () =>
        expect(
          await counterTotal(t.metrics.batchItemsAbandoned, { ruleset: "mini", reason: "timeout" }),
        ).toBeGreaterThan(0),
      { timeout: 10_000, interval: 20 },
    );
    const decided = await counterTotal(t.metrics.decisions, { ruleset: "mini" });
    const abandoned = await counterTotal(t.metrics.batchItemsAbandoned, { ruleset: "mini" });
    expect(decided, "only the item in progress at the deadline was decided").toBe(1);
    expect(abandoned).toBe(ITEMS - 1);
    // Nothing more is decided later either.
    await sleep(200);
    expect(await counterTotal(t.metrics.decisions, { ruleset: "mini" })).toBe(1);
  });

  it("a batch that fits in HANDLER_TIMEOUT_MS decides every item (the deadline check costs nothing)", async () => {
    const { t, base } = await listening({ HANDLER_TIMEOUT_MS: "20000" });
    const res = await post(`${base}/v1/decide/mini/batch`, {
      items: Array.from({ length: 200 }, (_, i) => ({ facts: { valor: i } })),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: unknown[] }).results).toHaveLength(200);
    expect(await counterTotal(t.metrics.decisions, { ruleset: "mini" })).toBe(200);
    expect(await counterTotal(t.metrics.batchItemsAbandoned)).toBe(0);
  });
});
