/**
 * The service as a real process (`node --import tsx server/main.ts`), issue 7 items 11 and 13:
 *
 * - graceful shutdown: with 50 decides (and a publish) in flight, SIGTERM lets every one of them
 *   finish with a complete HTTP response (none reset), each keep-alive connection is closed after
 *   its response, a publish is committed and answered (or neither), the process exits 0 and
 *   frees DATA_DIR/.lock;
 * - draining, in process: a request arriving while the app closes gets 503 SHUTTING_DOWN;
 * - one process per data folder: a second process on the same DATA_DIR is refused at start
 *   (exit code 1, a message naming the owner's pid and the folder).
 *
 * "In flight" is made deterministic with `Expect: 100-continue`: the server answers 100 Continue
 * once it has taken the request (routed it), and the test sends the bodies only after SIGTERM.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { startService as startProcess, type StartedService } from "../helpers/service-process.js";
import { call, holdNextDecision, miniSource, miniSuite, removeTempDirs, startApp, tempDir } from "./helpers.js";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await removeTempDirs();
});
afterAll(() => removeTempDirs(true));

async function rulesDirWithMini(): Promise<string> {
  const dir = await tempDir("rules-");
  await writeFile(join(dir, "mini.yaml"), miniSource(1));
  await writeFile(join(dir, "mini.test.yaml"), miniSuite(1));
  return dir;
}

/** Starts main.ts on the folders; resolves once it listens. */
function startService(dataDir: string, rulesDir: string, env: Record<string, string> = {}): StartedService {
  return startProcess({ dataDir, rulesDir, env, track: (c) => children.push(c) });
}

interface Outcome {
  readonly status?: number | undefined;
  readonly headers?: http.IncomingHttpHeaders;
  readonly body?: string;
  readonly error?: string;
}

/**
 * A POST with `Expect: 100-continue`: `taken` resolves when the server has the request (100
 * Continue); `send()` then writes the body; `done` resolves with the complete response or the error.
 */
function heldRequest(
  port: number,
  path: string,
  body: unknown,
  agent: http.Agent,
): { taken: Promise<void>; send(): void; done: Promise<Outcome> } {
  const payload = JSON.stringify(body);
  let signalTaken!: () => void;
  const taken = new Promise<void>((resolve) => (signalTaken = resolve));
  const req = http.request({
    host: "127.0.0.1",
    port,
    path,
    method: "POST",
    agent,
    headers: {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(payload),
      expect: "100-continue",
    },
  });
  const done = new Promise<Outcome>((resolve) => {
    req.on("continue", () => signalTaken());
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
      res.on("error", (e) =>
        resolve({ status: res.statusCode, error: `${(e as NodeJS.ErrnoException).code ?? ""} ${e.message}` }),
      );
    });
    req.on("error", (e) => resolve({ error: `${(e as NodeJS.ErrnoException).code ?? ""} ${e.message}` }));
  });
  req.flushHeaders();
  return { taken, send: () => req.end(payload), done };
}

describe("graceful shutdown (SIGTERM) of a real service process", () => {
  it("50 decides and a publish in flight all get complete responses (none reset), keep-alive connections close after them, the process exits 0", async () => {
    const dataDir = await tempDir("data-");
    const { service } = startService(dataDir, await rulesDirWithMini(), { SHUTDOWN_GRACE_MS: "60000" });
    const s = await service;
    expect(s.port).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, ".lock"))).toBe(true);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    // Warm the connections up with a first round (keep-alive), as a CRM would.
    const warm = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`http://127.0.0.1:${s.port}/v1/decide/mini`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ facts: { valor: i } }),
        }),
      ),
    );
    for (const r of warm) expect(r.status).toBe(200);

    const decides = Array.from({ length: 50 }, (_, i) =>
      heldRequest(s.port, "/v1/decide/mini", { facts: { valor: i } }, agent),
    );
    const publish = heldRequest(
      s.port,
      "/v1/rulesets/mini/versions",
      { source: miniSource(2), tests: miniSuite(2), message: "durante o encerramento" },
      agent,
    );
    const all = [...decides, publish];
    await Promise.all(all.map((r) => r.taken));

    s.child.kill("SIGTERM");
    await s.waitForLine(/shutting down/);
    for (const r of all) r.send();
    const outcomes = await Promise.all(all.map((r) => r.done));
    const exitCode = await s.exited;
    agent.destroy();

    const problems = outcomes.filter((o) => o.error !== undefined || o.status === undefined);
    expect(problems, "requests that got no complete response (reset / closed early)").toEqual([]);
    for (const o of outcomes.slice(0, 50)) {
      expect([200, 503]).toContain(o.status);
      const body = JSON.parse(o.body ?? "") as { decision?: { marca: number }; error?: { code: string } };
      if (o.status === 200) expect(body.decision?.marca).toBe(1);
      else expect(body.error?.code).toBe("SHUTTING_DOWN");
      // The connection is not kept alive past a response given while shutting down.
      expect(o.headers?.connection).toBe("close");
    }
    // Requests taken before SIGTERM are finished, not refused.
    expect(outcomes.slice(0, 50).filter((o) => o.status === 200)).toHaveLength(50);

    // The publish: committed and answered, or not committed.
    const p = outcomes[50]!;
    const committed = existsSync(join(dataDir, "rulesets", "mini", "v000002.json"));
    if (p.status === 201) expect(committed).toBe(true);
    else expect(committed).toBe(false);
    expect(p.status).toBe(201);

    expect(exitCode).toBe(0);
    expect(s.lines.some((l) => /"msg":"stopped"/.test(l) && /"forced":false/.test(l))).toBe(true);
    expect(existsSync(join(dataDir, ".lock")), "the lock is released on the way out").toBe(false);
  });
});

describe("one process per data folder", () => {
  it("a second service on the same DATA_DIR is refused at start (exit 1, message naming the owner's pid and the folder); the first keeps serving", async () => {
    const dataDir = await tempDir("data-");
    const rulesDir = await rulesDirWithMini();
    const first = await startService(dataDir, rulesDir).service;

    const second = startService(dataDir, rulesDir);
    second.service.catch(() => undefined); // it never listens
    const code = await second.exited;
    expect(code).toBe(1);
    const message = second.stderr();
    expect(message).toContain(String(first.child.pid));
    expect(message).toContain(dataDir);
    expect(message).toMatch(/já está em uso pelo processo/);

    const res = await fetch(`http://127.0.0.1:${first.port}/v1/decide/mini`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ facts: { valor: 1 } }),
    });
    expect(res.status).toBe(200);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    // Once the first has stopped, a new process may use the folder.
    const third = await startService(dataDir, rulesDir).service;
    third.child.kill("SIGTERM");
    expect(await third.exited).toBe(0);
  });

  it("a lock left by a process that died (kill -9) is taken over at the next start, with a log line", async () => {
    const dataDir = await tempDir("data-");
    const rulesDir = await rulesDirWithMini();
    const first = await startService(dataDir, rulesDir).service;
    first.child.kill("SIGKILL");
    await first.exited;
    expect(existsSync(join(dataDir, ".lock"))).toBe(true);

    const next = await startService(dataDir, rulesDir).service;
    expect(next.lines.some((l) => /stale lock of process \d+/.test(l))).toBe(true);
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
  });
});

describe("draining (in process)", () => {
  it("a request that arrives while the app closes gets a 503 SHUTTING_DOWN envelope and connection: close; the one in flight finishes with 200", async () => {
    const t = await startApp();
    try {
      expect(
        (await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1) } })).statusCode,
      ).toBe(201);
      await t.app.listen({ port: 0, host: "127.0.0.1" });
      const port = (t.app.server.address() as AddressInfo).port;
      const gate = holdNextDecision();
      try {
        const inFlight = fetch(`http://127.0.0.1:${port}/v1/decide/mini`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ facts: { valor: 1 } }),
        });
        await gate.started;

        // A client that has begun a request (its connection is not idle, so closing keeps it)...
        const socket = net.connect(port, "127.0.0.1");
        let answer = "";
        socket.on("data", (d) => (answer += d.toString("utf8")));
        const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
        await new Promise<void>((resolve) => socket.write("GET /health HTTP/1.1\r\nHost: x\r\n", () => resolve()));

        const closing = t.app.close();
        // ...finishes it once the app is shutting down.
        await new Promise((resolve) => setTimeout(resolve, 100));
        socket.write("\r\n");
        await ended;
        expect(answer).toMatch(/^HTTP\/1\.1 503 /);
        expect(answer.toLowerCase()).toContain("connection: close");
        const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as {
          error: { code: string; requestId: string };
        };
        expect(body.error.code).toBe("SHUTTING_DOWN");
        expect(body.error.requestId.length).toBeGreaterThan(0);

        gate.release();
        const res = await inFlight;
        expect(res.status).toBe(200);
        expect(res.headers.get("connection")).toBe("close");
        expect(((await res.json()) as { decision: { marca: number } }).decision.marca).toBe(1);
        await closing;
      } finally {
        gate.release();
        gate.restore();
      }
    } finally {
      await t.close();
    }
  });
});
