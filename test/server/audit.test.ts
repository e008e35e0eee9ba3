/**
 * The audit log (issue 7, item 21): refused publishes and roll backs are recorded (action
 * `publish-refused`: who, the error code and message, positions — never the source text), and
 * `/v1/audit` filters by `?ruleset=` and `?since=` (ISO 8601; bad values are a 400).
 */
import { describe, expect, it, vi } from "vitest";
import {
  call,
  closeAfterEach,
  expectError,
  json,
  miniSource,
  miniSuite,
  newTokens,
  startApp,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const keep = closeAfterEach();

interface Line {
  readonly at: string;
  readonly action: string;
  readonly ruleset: string;
  readonly version?: number;
  readonly author: string;
  readonly message: string;
  readonly code?: string;
  readonly reason?: string;
  readonly status?: number;
  readonly attempted?: string;
  readonly problems?: { code?: string; line?: number; column?: number; case?: string }[];
  readonly requestId?: string;
  readonly activeVersion?: number;
  readonly rolledBackFrom?: number;
}

describe("refused publishes are in the audit log", () => {
  it("who and why (code, message, positions, failing cases), with the request id — never the source or suite text", async () => {
    const tokens = newTokens();
    const t = keep(await startApp({ env: { TOKENS: tokens.env } }));
    const publish = (body: Record<string, unknown>) =>
      call(t.app, { url: "/v1/rulesets/mini/versions", body, token: tokens.publisher });
    expect((await publish({ source: miniSource(1), tests: miniSuite(1), message: "primeira" })).statusCode).toBe(201);

    const broken = miniSource(2).replace("when: valor >= 100", "when: valor >= ");
    const invalid = await publish({ source: broken, message: "quebrada" });
    const invalidErr = expectError(invalid, 422, "RULESET_INVALID");
    const failing = await publish({ source: miniSource(2), tests: miniSuite(3), message: "suíte errada" });
    expectError(failing, 422, "TESTS_FAILED");
    const stale = await publish({ source: miniSource(2), tests: miniSuite(2), baseVersion: 7, message: "atrasada" });
    expectError(stale, 409, "CONFLICT");

    const log = json<Line[]>(await call(t.app, { url: "/v1/audit", token: tokens.author }));
    expect(log.map((l) => [l.action, l.version ?? null, l.code ?? null])).toEqual([
      ["publish", 1, null],
      ["publish-refused", null, "RULESET_INVALID"],
      ["publish-refused", null, "TESTS_FAILED"],
      ["publish-refused", null, "CONFLICT"],
    ]);
    const [, inv, tf, conflict] = log as [Line, Line, Line, Line];
    expect(inv).toMatchObject({
      ruleset: "mini",
      author: "paulo",
      message: "quebrada",
      attempted: "publish",
      status: 422,
      reason: invalidErr.message,
      activeVersion: 1,
      requestId: invalid.headers["x-request-id"],
    });
    expect(inv.problems?.[0]).toEqual({
      code: invalidErr.details[0].code,
      line: invalidErr.details[0].line,
      column: invalidErr.details[0].column,
    });
    expect(tf).toMatchObject({ status: 422, requestId: failing.headers["x-request-id"] });
    expect(tf.problems?.map((p) => p.case)).toEqual(["marca da versão", "faixa alta"]);
    expect(conflict).toMatchObject({
      status: 409,
      baseVersion: 7,
      activeVersion: 1,
      requestId: stale.headers["x-request-id"],
    });
    // No source or suite text in the log.
    const text = JSON.stringify(log);
    expect(text).not.toContain("Conjunto mínimo");
    expect(text).not.toContain("valor >=");
    expect(text).not.toContain("expect:");
  });

  it("a refused roll back (the old version is now over MAX_RULES) is recorded as attempted rollback, with the version it came from", async () => {
    let t = keep(await startApp());
    const dataDir = t.dataDir;
    const extra = '  - name: nunca\n    when: valor < 0\n    then: faixa = "NEGATIVA"\n';
    expect(
      (await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1, "mini", extra) } }))
        .statusCode,
    ).toBe(201);
    expect((await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(2) } })).statusCode).toBe(
      201,
    );
    await t.close();
    t = keep(await startApp({ dataDir, env: { MAX_RULES: "2" } }));
    const refused = await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 1 } });
    expectError(refused, 422, "RULESET_TOO_LARGE");
    // A roll back to a version that does not exist is a 404 before any check: not a refused publish.
    expectError(await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 9 } }), 404, "NOT_FOUND");
    const log = json<Line[]>(await call(t.app, { url: "/v1/audit?ruleset=mini" }));
    expect(log.map((l) => [l.action, l.attempted ?? null, l.code ?? null])).toEqual([
      ["publish", null, null],
      ["publish", null, null],
      ["publish-refused", "rollback", "RULESET_TOO_LARGE"],
    ]);
    expect(log[2]).toMatchObject({
      rolledBackFrom: 1,
      activeVersion: 2,
      author: "local",
      requestId: refused.headers["x-request-id"],
      problems: [{ code: "ruleset/too-many-rules" }],
    });
  });

  it("refusal lines survive a restart and do not disturb the store's recovery", async () => {
    let t = keep(await startApp());
    const dataDir = t.dataDir;
    expect((await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1) } })).statusCode).toBe(
      201,
    );
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(2, "outro") } }),
      422,
      "RULESET_INVALID",
    );
    await t.close();
    t = keep(await startApp({ dataDir }));
    expect(t.problems).toEqual([]);
    const log = json<Line[]>(await call(t.app, { url: "/v1/audit" }));
    expect(log.map((l) => l.action)).toEqual(["publish", "publish-refused"]);
    expect(log[1]?.problems?.map((p) => p.code)).toContain("ruleset/invalid-name");
  });
});

describe("filters", () => {
  async function threeRuleSets(): Promise<{ t: TestApp; log: Line[] }> {
    const t = keep(await startApp());
    for (const [name, marca] of [
      ["mini", 1],
      ["outro", 2],
      ["mini", 3],
    ] as const) {
      expect(
        (await call(t.app, { url: `/v1/rulesets/${name}/versions`, body: { source: miniSource(marca, name) } }))
          .statusCode,
      ).toBe(201);
    }
    const log = json<Line[]>(await call(t.app, { url: "/v1/audit" }));
    expect(log.map((l) => [l.ruleset, l.version])).toEqual([
      ["mini", 1],
      ["outro", 1],
      ["mini", 2],
    ]);
    return { t, log };
  }

  it("?ruleset= keeps one rule set's lines; an unknown one gives []", async () => {
    const { t } = await threeRuleSets();
    expect(json<Line[]>(await call(t.app, { url: "/v1/audit?ruleset=mini" })).map((l) => l.version)).toEqual([1, 2]);
    expect(json<Line[]>(await call(t.app, { url: "/v1/audit?ruleset=outro" })).map((l) => l.ruleset)).toEqual([
      "outro",
    ]);
    expect(json(await call(t.app, { url: "/v1/audit?ruleset=nenhum" }))).toEqual([]);
  });

  it("?since= keeps the lines at or after the instant (with offset, Z, or São Paulo time without offset); combines with ?ruleset=", async () => {
    const { t, log } = await threeRuleSets();
    const second = log[1] as Line;
    const since = encodeURIComponent(second.at);
    const expected = log.filter((l) => Date.parse(l.at) >= Date.parse(second.at));
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(json(await call(t.app, { url: `/v1/audit?since=${since}` }))).toEqual(expected);
    // The same instant written in São Paulo time without an offset (UTC−3).
    const local = new Date(Date.parse(second.at) - 3 * 3600_000).toISOString().replace("Z", "");
    expect(json(await call(t.app, { url: `/v1/audit?since=${encodeURIComponent(local)}` }))).toEqual(expected);
    expect(
      json<Line[]>(await call(t.app, { url: `/v1/audit?since=${since}&ruleset=outro` })).map((l) => l.ruleset),
    ).toEqual(["outro"]);
    expect(json(await call(t.app, { url: "/v1/audit?since=2999-01-01T00:00:00Z" }))).toEqual([]);
    expect(json(await call(t.app, { url: "/v1/audit?since=2000-01-01" }))).toEqual(log);
  });

  it("bad filter values are a 400 naming the parameter", async () => {
    const { t } = await threeRuleSets();
    for (const q of ["since=ontem", "since=2026-13-01", "since=2026-02-30T10:00", "since="]) {
      const err = expectError(await call(t.app, { url: `/v1/audit?${q}` }), 400, "INVALID_REQUEST");
      expect(err.details).toEqual([expect.objectContaining({ path: "?/since" })]);
    }
    const bad = expectError(await call(t.app, { url: "/v1/audit?ruleset=Nome_Invalido" }), 400, "INVALID_REQUEST");
    expect(bad.details[0].path).toBe("?/ruleset");
    expectError(await call(t.app, { url: "/v1/audit?desde=2026-01-01" }), 400, "INVALID_REQUEST");
  });
});
