/**
 * The lean HTTP hot path (issue 10): what the service still does for every request after the
 * per-request costs were cut, checked as behaviour (never as speed):
 * - one log line per request (method, URL, status, duration, request id), not fastify's two;
 *   errors keep their own line with the stack; LOG_LEVEL=debug brings the "incoming" line back;
 * - metrics through label children bound once still count per rule set, version and outcome, and
 *   per method, route and status, and create no series before their first value;
 * - the handler deadlines (one shared queue and timer instead of a timer and an AbortController
 *   per request): expiry in order, nothing expires once its response is done, the AbortSignal of
 *   the routes that read it still says "timeout" or "client_gone".
 */
import { EventEmitter } from "node:events";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildApp, type HandlerDeadline, HandlerDeadlines, newDeadline } from "../../server/app.js";
import { loadConfig } from "../../server/config.js";
import { createMetrics, type Metrics } from "../../server/metrics.js";
import { Registry } from "../../server/registry.js";
import { seedFromDirectory } from "../../server/seed.js";
import { createFileStore } from "../../server/store/file-store.js";
import {
  BROKEN_INVARIANT_SOURCE,
  call,
  closeAfterEach,
  miniSource,
  miniSuite,
  ROOT,
  startApp,
  tempDir,
} from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const keep = closeAfterEach();

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  method?: string;
  url?: string;
  statusCode?: number;
  responseTime?: number;
  remoteAddress?: string;
  err?: { stack?: string };
  [key: string]: unknown;
}

/** An app with `mini` v1 and `defeito` v1 seeded, logging into an array at the given level. */
async function loggingApp(level: string): Promise<{ app: FastifyInstance; lines: LogLine[]; close(): Promise<void> }> {
  const rulesDir = await tempDir("rules-");
  await writeFile(join(rulesDir, "mini.yaml"), miniSource(1));
  await writeFile(join(rulesDir, "mini.test.yaml"), miniSuite(1));
  await writeFile(join(rulesDir, "defeito.yaml"), BROKEN_INVARIANT_SOURCE);
  const config = loadConfig({ DATA_DIR: await tempDir("data-"), RULES_DIR: rulesDir, LOG_LEVEL: level }, ROOT);
  const store = createFileStore(config.dataDir);
  const registry = new Registry(store);
  const lines: LogLine[] = [];
  const stream = { write: (s: string) => lines.push(JSON.parse(s) as LogLine) };
  const app = await buildApp({ config, registry, logger: { level, stream } });
  await store.open();
  const seed = await seedFromDirectory(registry, config.rulesDir);
  expect(seed.seeded.sort()).toEqual(["defeito", "mini"]);
  expect(await registry.loadAll()).toEqual([]);
  return {
    app,
    lines,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

const linesOf = (lines: readonly LogLine[], reqId: string) => lines.filter((l) => l.reqId === reqId);

describe("request logging: one line per request", () => {
  let current: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });

  it("a served request writes exactly one line, with method, url, status, duration and request id", async () => {
    const t = await loggingApp("info");
    current = t;
    const decide = await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 150 } } });
    const versions = await call(t.app, { url: "/v1/rulesets/mini" });
    expect(decide.statusCode).toBe(200);
    expect(versions.statusCode).toBe(200);
    for (const [res, method, url] of [
      [decide, "POST", "/v1/decide/mini"],
      [versions, "GET", "/v1/rulesets/mini"],
    ] as const) {
      const reqId = String(res.headers["x-request-id"]);
      const mine = linesOf(t.lines, reqId);
      expect(mine, `lines of ${method} ${url}`).toHaveLength(1);
      expect(mine[0]).toMatchObject({ level: 30, msg: "request completed", method, url, statusCode: 200, reqId });
      expect(typeof mine[0]?.responseTime).toBe("number");
      expect(mine[0]?.responseTime).toBeGreaterThanOrEqual(0);
      expect(mine[0]).toHaveProperty("remoteAddress");
    }
    expect(t.lines.some((l) => l.msg === "incoming request")).toBe(false);
  });

  it("a refused request keeps its refusal line; a 5xx keeps its error line with the stack", async () => {
    const t = await loggingApp("info");
    current = t;
    const refused = await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: "x" } } });
    expect(refused.statusCode).toBe(400);
    const refusedLines = linesOf(t.lines, String(refused.headers["x-request-id"]));
    expect(refusedLines.map((l) => l.msg)).toEqual(["request refused", "request completed"]);
    expect(refusedLines[0]).toMatchObject({ code: "INVALID_FACTS", status: 400 });
    expect(refusedLines[1]).toMatchObject({ statusCode: 400 });

    const failed = await call(t.app, { url: "/v1/decide/defeito", body: { facts: { valor: 500 } } });
    expect(failed.statusCode).toBe(500);
    const failedLines = linesOf(t.lines, String(failed.headers["x-request-id"]));
    expect(failedLines.map((l) => l.msg)).toEqual(["request failed", "request completed"]);
    expect(failedLines[0]?.level).toBe(50);
    expect(failedLines[0]?.err?.stack).toMatch(/\n\s+at /);
    expect(failedLines[1]).toMatchObject({ statusCode: 500 });
  });

  it("answered probes (/health, /ready, /metrics) write no line at info level, only at debug", async () => {
    const t = await loggingApp("info");
    current = t;
    for (const url of ["/health", "/ready", "/metrics"]) {
      const res = await call(t.app, { url });
      expect(res.statusCode, url).toBe(200);
      expect(linesOf(t.lines, String(res.headers["x-request-id"])), url).toEqual([]);
    }
  });

  it("LOG_LEVEL=debug adds the incoming-request line back (and the probes' lines)", async () => {
    const t = await loggingApp("debug");
    current = t;
    const res = await call(t.app, { url: "/health" });
    const mine = linesOf(t.lines, String(res.headers["x-request-id"]));
    expect(mine.map((l) => l.msg)).toEqual(["incoming request", "request completed"]);
    expect(mine[1]).toMatchObject({ level: 20, url: "/health", statusCode: 200 });
  });
});

/** The value of one series of a prom-client metric (0 when the series does not exist). */
async function seriesValue(
  metric: { get(): Promise<{ values: { value: number; labels: Record<string, string | number> }[] }> },
  labels: Record<string, string>,
  name?: string,
): Promise<number | undefined> {
  const { values } = await metric.get();
  return values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === name &&
      Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x),
  )?.value;
}

describe("metrics through cached label children", () => {
  it("decisions still count per rule set, version and outcome, across a publish, and /metrics shows them", async () => {
    const rulesDir = await tempDir("rules-");
    await writeFile(join(rulesDir, "mini.yaml"), miniSource(1));
    await writeFile(join(rulesDir, "mini.test.yaml"), miniSuite(1));
    await writeFile(join(rulesDir, "defeito.yaml"), BROKEN_INVARIANT_SOURCE);
    const t = keep(await startApp({ rulesDir }));
    const m: Metrics = t.metrics;
    for (let i = 0; i < 3; i++)
      expect((await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: i } } })).statusCode).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: "x" } } })).statusCode).toBe(400);
    expect((await call(t.app, { url: "/v1/decide/defeito", body: { facts: { valor: 500 } } })).statusCode).toBe(500);
    const published = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(2), tests: miniSuite(2) },
    });
    expect(published.statusCode).toBe(201);
    expect((await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } })).statusCode).toBe(200);
    // A batch counts each item.
    const batch = await call(t.app, {
      url: "/v1/decide/mini/batch",
      body: { items: [{ facts: { valor: 1 } }, { facts: { valor: "x" } }] },
    });
    expect(batch.statusCode).toBe(200);

    const decisions = (labels: Record<string, string>) => seriesValue(m.decisions, labels);
    expect(await decisions({ ruleset: "mini", version: "1", outcome: "ok" })).toBe(3);
    expect(await decisions({ ruleset: "mini", version: "1", outcome: "invalid_facts" })).toBe(2);
    expect(await decisions({ ruleset: "mini", version: "2", outcome: "ok" })).toBe(2);
    expect(await decisions({ ruleset: "mini", version: "2", outcome: "invalid_facts" })).toBe(1);
    expect(await decisions({ ruleset: "defeito", version: "1", outcome: "ruleset_defect" })).toBe(1);
    // No series before its first value: bound children are not observations.
    expect(await decisions({ ruleset: "mini", version: "1", outcome: "ruleset_defect" })).toBeUndefined();
    expect(await decisions({ ruleset: "defeito", version: "1", outcome: "ok" })).toBeUndefined();

    const text = (await call(t.app, { url: "/metrics" })).body;
    expect(text).toContain('rules_decisions_total{ruleset="mini",version="1",outcome="ok"} 3');
    expect(text).toContain('rules_decisions_total{ruleset="mini",version="2",outcome="ok"} 2');
    expect(text).toContain('rules_decision_duration_seconds_count{ruleset="mini"} 8');
    expect(text).toContain('rules_decision_duration_seconds_count{ruleset="defeito"} 1');
    expect(text).toContain(
      'rules_http_request_duration_seconds_count{method="POST",route="/v1/decide/:ruleset",status="200"} 4',
    );
    expect(text).toContain(
      'rules_http_request_duration_seconds_count{method="POST",route="/v1/decide/:ruleset",status="400"} 2',
    );
    expect(text).toContain(
      'rules_http_request_duration_seconds_count{method="POST",route="/v1/decide/:ruleset/batch",status="200"} 1',
    );
    expect(text).not.toContain('outcome="ruleset_defect"} 0');
  });

  it("the cached children are the same series as the plain label calls", async () => {
    const m = createMetrics();
    m.decision("r", 3).ok.inc();
    m.decisions.inc({ ruleset: "r", version: "3", outcome: "ok" });
    m.decision("r", 3).invalidFacts.inc();
    expect(m.decision("r", 3)).toBe(m.decision("r", 3));
    expect(await seriesValue(m.decisions, { ruleset: "r", version: "3", outcome: "ok" })).toBe(2);
    expect(await seriesValue(m.decisions, { ruleset: "r", version: "3", outcome: "invalid_facts" })).toBe(1);
    m.httpRequest("GET", "/health", 200).observe(0.001);
    m.httpSeconds.observe({ method: "GET", route: "/health", status: "200" }, 0.002);
    expect(m.httpRequest("GET", "/health", 200)).toBe(m.httpRequest("GET", "/health", 200));
    const count = await seriesValue(
      m.httpSeconds,
      { method: "GET", route: "/health", status: "200" },
      "rules_http_request_duration_seconds_count",
    );
    expect(count).toBe(2);
  });
});

/** A stand-in for a fastify reply: only what HandlerDeadlines reads (raw: destroyed, writableFinished, 'close'). */
function fakeReply(): { reply: FastifyReply; raw: EventEmitter & { destroyed: boolean; writableFinished: boolean } } {
  const raw = Object.assign(new EventEmitter(), { destroyed: false, writableFinished: false });
  return { reply: { raw } as unknown as FastifyReply, raw };
}

describe("handler deadlines: one queue, one timer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function queue(ms: number): { deadlines: HandlerDeadlines; expired: HandlerDeadline[] } {
    const expired: HandlerDeadline[] = [];
    return { deadlines: new HandlerDeadlines(ms, (e) => expired.push(e)), expired };
  }

  it("expires armed deadlines in arming order, each once, and none whose response is done", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { deadlines, expired } = queue(1000);
    const [a, b, c, d] = [
      newDeadline(fakeReply().reply),
      newDeadline(fakeReply().reply),
      newDeadline(fakeReply().reply),
      newDeadline(fakeReply().reply),
    ];
    deadlines.arm(a);
    vi.advanceTimersByTime(300);
    deadlines.arm(b);
    deadlines.arm(c);
    vi.advanceTimersByTime(300);
    deadlines.arm(d);
    deadlines.disarm(b); // answered in time
    deadlines.disarm(b); // idempotent
    vi.advanceTimersByTime(399);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(expired).toEqual([a]);
    vi.advanceTimersByTime(300);
    expect(expired).toEqual([a, c]);
    deadlines.disarm(d);
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual([a, c]);
    // The queue keeps working after it emptied.
    const e = newDeadline(fakeReply().reply);
    deadlines.arm(e);
    vi.advanceTimersByTime(1001);
    expect(expired).toEqual([a, c, e]);
  });

  it("disarming an entry that was never armed changes nothing", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { deadlines, expired } = queue(100);
    const armed = newDeadline(fakeReply().reply);
    deadlines.disarm(newDeadline(fakeReply().reply));
    deadlines.arm(armed);
    deadlines.disarm(newDeadline(fakeReply().reply));
    vi.advanceTimersByTime(200);
    expect(expired).toEqual([armed]);
  });

  it("the AbortSignal is built on demand: client_gone when the client leaves first, not after a finished response", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { deadlines, expired } = queue(1000);

    const gone = fakeReply();
    const left = newDeadline(gone.reply);
    deadlines.arm(left);
    const signal = deadlines.signal(left);
    expect(deadlines.signal(left)).toBe(signal);
    expect(signal.aborted).toBe(false);
    gone.raw.destroyed = true;
    gone.raw.emit("close");
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe("client_gone");
    vi.advanceTimersByTime(2000);
    expect(expired).toEqual([]); // a client that left is not timed out as well

    const done = fakeReply();
    const answered = newDeadline(done.reply);
    const quiet = deadlines.signal(answered);
    done.raw.writableFinished = true;
    done.raw.emit("close");
    expect(quiet.aborted).toBe(false);

    // Read after the client already left: aborted at once.
    const early = fakeReply();
    early.raw.destroyed = true;
    expect(deadlines.signal(newDeadline(early.reply)).reason).toBe("client_gone");
  });
});
