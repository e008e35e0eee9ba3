/**
 * POST /v1/decisions/:id/promote: a logged decision (memory decision log) as a case appended to the
 * active version's suite (or the draft suite sent), checked against the active version; 404 for an
 * unknown id, 503 DECISION_LOG_OFF without a decision log, roles author/publisher.
 */
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app.js";
import { loadConfig } from "../../server/config.js";
import { createMemoryDecisionStorage } from "../../server/decision-log/memory-storage.js";
import type { DecisionLogStorage } from "../../server/decision-log/types.js";
import { Registry } from "../../server/registry.js";
import { seedFromDirectory } from "../../server/seed.js";
import { createFileStore } from "../../server/store/file-store.js";
import { runSuite } from "../../tester/run.js";
import { loadSuite } from "../../tester/suite.js";
import { loggedDecision } from "../helpers/decision-records.js";
import { RECLAME_FACTS } from "../promote-fixtures.js";
import { call, expectError, json, newTokens, ROOT, rulesDirWith, tempDir } from "./helpers.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const tokens = newTokens();

async function start(storage: DecisionLogStorage | undefined) {
  const rulesDir = await rulesDirWith(["reclame-designacao", "retencao"]);
  const config = loadConfig({ DATA_DIR: await tempDir("data-"), RULES_DIR: rulesDir, TOKENS: tokens.env }, ROOT);
  const store = createFileStore(config.dataDir);
  const registry = new Registry(store);
  const app = await buildApp({
    config,
    registry,
    logger: false,
    ...(storage ? { decisionLog: { storage } } : {}),
  });
  await store.open();
  await seedFromDirectory(registry, config.rulesDir);
  expect(await registry.loadAll()).toEqual([]);
  closers.push(async () => {
    await app.close();
    await store.close();
  });
  return { app, registry };
}

interface Promoted {
  ruleset: string;
  version: number;
  name: string;
  case: string;
  suite: string;
  reproduced: boolean;
  masked: boolean;
  differences: { path: string }[];
}

describe("POST /v1/decisions/:id/promote", () => {
  it("answers the case and the active suite with it appended; the suite passes", async () => {
    const storage = createMemoryDecisionStorage();
    const { app, registry } = await start(storage);
    const active = registry.get("reclame-designacao");
    if (!active) throw new Error("not loaded");
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS, { compiled: active.compiled });
    await storage.append([record]);

    const res = await call(app, {
      url: `/v1/decisions/${record.id}/promote`,
      body: { name: "Reembolso de produção", tags: ["regressao"] },
      token: tokens.author,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = json<Promoted>(res);
    expect(body).toMatchObject({
      ruleset: "reclame-designacao",
      version: 1,
      name: "Reembolso de produção",
      reproduced: true,
    });
    expect(body.case).toMatch(/^ {2}- name: Reembolso de produção\n/);
    expect(body.case).toContain("tags: [producao, regressao]");
    const activeSuite = active.stored.tests ?? "";
    expect(body.suite.startsWith(activeSuite)).toBe(true);
    const loaded = loadSuite(body.suite);
    if (!loaded.suite) throw new Error("suite does not load");
    const run = await runSuite(active.compiled, loaded.suite);
    expect(run.failed).toBe(0);
    expect(run.cases.some((c) => c.name === "Reembolso de produção" && c.passed)).toBe(true);

    // The editor sends its draft suite: the case goes there, de-duplicated.
    const draft = body.suite;
    const again = json<Promoted>(
      await call(app, {
        url: `/v1/decisions/${record.id}/promote`,
        body: { name: "Reembolso de produção", tests: draft },
        token: tokens.publisher,
      }),
    );
    expect(again.name).toBe("Reembolso de produção (2)");
    expect(again.suite.startsWith(draft)).toBe(true);
  });

  it("a masked decision the rules read comes back not reproduced, tagged revisar under the comment", async () => {
    const storage = createMemoryDecisionStorage();
    const { app, registry } = await start(storage);
    const compiled = registry.get("retencao")?.compiled;
    const record = await loggedDecision(
      "retencao",
      {
        colaborador: "Marcos Tavares Ilha",
        operadora: "ODONTOEXEMPLO",
        uf: "SP",
        cpf: "27182818205",
        tipoPessoa: "F",
        demandadoPor: "Operadora",
      },
      compiled ? { compiled } : {},
    );
    await storage.append([record]);
    const body = json<Promoted>(
      await call(app, { url: `/v1/decisions/${record.id}/promote`, body: {}, token: tokens.author }),
    );
    expect(body).toMatchObject({ reproduced: false, masked: true });
    expect(body.differences.length).toBeGreaterThan(0);
    expect(body.case.split("\n")[0]).toBe("  # fatos pessoais mascarados: substitua por dados sintéticos");
    expect(body.case).toContain("tags: [producao, revisar]");
  });

  it("404 for an unknown id, 403 for the decide role, 400 for a bad body", async () => {
    const { app } = await start(createMemoryDecisionStorage());
    const missing = await call(app, {
      url: "/v1/decisions/0193a1c2-7f00-7abc-9def-0123456789ab/promote",
      body: {},
      token: tokens.author,
    });
    expect(expectError(missing, 404, "NOT_FOUND").message).toContain("decisão desconhecida");
    expectError(await call(app, { url: "/v1/decisions/x/promote", body: {}, token: tokens.decide }), 403);
    expectError(await call(app, { url: "/v1/decisions/x/promote", body: { tags: "a" }, token: tokens.author }), 400);
  });

  it("503 DECISION_LOG_OFF without a decision log", async () => {
    const { app } = await start(undefined);
    const res = await call(app, { url: "/v1/decisions/x/promote", body: {}, token: tokens.author });
    expect(expectError(res, 503, "DECISION_LOG_OFF").message).toContain("registro de decisões está desligado");
  });
});
