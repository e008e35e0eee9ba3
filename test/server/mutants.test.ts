/**
 * `POST /v1/rulesets/:name/mutants` (issue 11, mutation score for the editor): the suite runs
 * against the rule set's mutants in the authoring worker pool; the answer has the score and each
 * survivor with its range, line and column, what changed and a suggested case ("nenhum teste
 * pegaria esta mudança"); source and tests default to the active version's; author role; the same
 * refusals as `/test`, a suite failing against its own source refused, and the job bounded by
 * HANDLER_TIMEOUT_MS. Synthetic data only.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  call,
  closeAfterEach,
  expectError,
  json,
  miniSource,
  miniSuite,
  newTokens,
  removeTempDirs,
  startApp,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const keep = closeAfterEach();
afterAll(() => removeTempDirs(true));

async function withMini(env: Record<string, string> = {}): Promise<TestApp> {
  const t = keep(await startApp({ env }));
  const res = await call(t.app, {
    url: "/v1/rulesets/mini/versions",
    body: { source: miniSource(1), tests: miniSuite(1), message: "primeira" },
    ...(env.TOKENS ? { token: tokensInUse?.publisher } : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  return t;
}

let tokensInUse: ReturnType<typeof newTokens> | undefined;

describe("POST /v1/rulesets/:name/mutants", () => {
  it("scores the active suite against the active source's mutants; survivors carry position and a suggested case", async () => {
    const { app } = await withMini();
    const res = await call(app, { url: "/v1/rulesets/mini/mutants", body: {} });
    expect(res.statusCode, res.body).toBe(200);
    const r = json(res);
    // faixa alta negated and marca 1 → 0 / 2 are killed; >= → >, 100 → 99 and 100 → 101 survive (no case at the limit).
    expect(r).toMatchObject({
      ruleset: "mini",
      total: 6,
      killed: 3,
      survived: 3,
      invalid: 0,
      equivalent: 0,
      score: 50,
    });
    const flip = r.survivors.find((s: any) => s.operator === "comparison");
    const source = miniSource(1);
    expect(source.slice(flip.range.start, flip.range.end)).toBe(">=");
    expect(flip).toMatchObject({
      line: 11,
      column: 17,
      description: 'regra "faixa alta" (when): >= → > em valor >= 100',
      message: 'nenhum teste pegaria esta mudança: regra "faixa alta" (when): >= → > em valor >= 100',
      replacement: ">",
    });
    expect(flip.suggestedCase.facts).toMatchObject({ valor: 100 });
    expect(flip.suggestedCase.expect).toEqual({ faixa: "ALTA" });
    expect(flip.suggestedCase.yaml).toContain("  - name:");
  });

  it("a draft source and suite; the suggested cases, added to the suite, take the score to 100%", async () => {
    const { app } = await withMini();
    const first = json(
      await call(app, { url: "/v1/rulesets/mini/mutants", body: { source: miniSource(2), tests: miniSuite(2) } }),
    );
    expect(first.score).toBe(50);
    const tests = `${miniSuite(2)}${first.survivors.map((s: any) => s.suggestedCase.yaml).join("")}`;
    const second = json(await call(app, { url: "/v1/rulesets/mini/mutants", body: { source: miniSource(2), tests } }));
    expect(second).toMatchObject({ score: 100, survived: 0, survivors: [] });
    // Nothing was published.
    expect(json(await call(app, { url: "/v1/rulesets/mini" })).version).toBe(1);
  });

  it("refusals: unknown rule set 404, no suite 422, bad source 422, suite failing against its own source 422", async () => {
    const { app } = await withMini();
    expectError(await call(app, { url: "/v1/rulesets/nao-existe/mutants", body: {} }), 404, "NOT_FOUND");
    expectError(
      await call(app, { url: "/v1/rulesets/novo/mutants", body: { source: miniSource(1, "novo") } }),
      422,
      "NO_TEST_SUITE",
    );
    expectError(
      await call(app, {
        url: "/v1/rulesets/mini/mutants",
        body: { source: miniSource(1).replace("valor >= 100", "valor >=") },
      }),
      422,
      "RULESET_INVALID",
    );
    expectError(await call(app, { url: "/v1/rulesets/mini/mutants", body: { tests: "suite: mini\ncases: 3\n" } }), 422);
    const failing = expectError(
      await call(app, { url: "/v1/rulesets/mini/mutants", body: { tests: miniSuite(7) } }),
      422,
      "TESTS_FAILED",
    );
    expect(failing.details.map((d: any) => d.case)).toEqual(["marca da versão", "faixa alta"]);
    expectError(await call(app, { url: "/v1/rulesets/mini/mutants", body: { extra: 1 } }), 400);
  });

  it("author role: a decide token is refused (403), an author token accepted", async () => {
    tokensInUse = newTokens();
    const { app } = await withMini({ TOKENS: tokensInUse.env });
    expectError(await call(app, { url: "/v1/rulesets/mini/mutants", body: {} }), 401);
    expectError(await call(app, { url: "/v1/rulesets/mini/mutants", body: {}, token: tokensInUse.decide }), 403);
    const ok = await call(app, { url: "/v1/rulesets/mini/mutants", body: {}, token: tokensInUse.author });
    expect(ok.statusCode, ok.body).toBe(200);
    tokensInUse = undefined;
  });

  it("bounded like the other authoring jobs: past HANDLER_TIMEOUT_MS the worker is stopped and the answer is 503", async () => {
    const { app } = keep(await startApp({ env: { HANDLER_TIMEOUT_MS: "100" } }));
    // Many rules: each mutant compiles and runs the suite; together far beyond 100 ms.
    const rules = Array.from(
      { length: 60 },
      (_, i) => `  - name: regra ${i}\n    when: valor >= ${i + 200}\n    then: faixa = "R${i}"\n`,
    ).join("");
    const res = await call(app, {
      url: "/v1/rulesets/mini/mutants",
      body: { source: miniSource(1, "mini", rules), tests: miniSuite(1) },
    });
    expectError(res, 503, ["AUTHORING_TIMEOUT", "HANDLER_TIMEOUT"]);
  });
});
