/**
 * Every route of docs/contract.md through fastify `inject`: status codes, response shapes and
 * the error envelope. Each test builds its own app on a fresh temp DATA_DIR and closes it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  BROKEN_INVARIANT_SOURCE,
  SHIPPED_RULES,
  call,
  closeAfterEach,
  expectError,
  expectNoStack,
  json,
  miniSource,
  miniSuite,
  reclameFacts,
  startApp,
  startSeeded,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 20_000, hookTimeout: 30_000 });

const RECLAME = "reclame-designacao";
const reclameSource = readFileSync(join(SHIPPED_RULES, `${RECLAME}.yaml`), "utf8");
const reclameSuite = readFileSync(join(SHIPPED_RULES, `${RECLAME}.test.yaml`), "utf8");

const keep = closeAfterEach();
async function seeded(): Promise<TestApp> {
  return keep(await startSeeded([RECLAME]));
}
async function empty(options: Parameters<typeof startApp>[0] = {}): Promise<TestApp> {
  return keep(await startApp(options));
}
/** An empty app with the mini rule set published as v1 (with its suite). */
async function withMini(): Promise<TestApp> {
  const t = await empty();
  const res = await call(t.app, {
    url: "/v1/rulesets/mini/versions",
    body: { source: miniSource(1), tests: miniSuite(1), message: "primeira" },
  });
  expect(res.statusCode, res.body).toBe(201);
  return t;
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`not found: ${needle}`);
  const before = text.slice(0, i).split("\n");
  return { line: before.length, column: (before[before.length - 1] as string).length + 1 };
}

describe("service routes", () => {
  it("GET /health answers 200 with a request id, echoing a well-formed incoming x-request-id", async () => {
    const { app } = await empty();
    const res = await call(app, { url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: "ok" });
    expect(res.headers["x-request-id"]).toMatch(/^[\w.:-]{1,64}$/);

    const echoed = await call(app, { url: "/health", headers: { "x-request-id": "crm-req-42" } });
    expect(echoed.headers["x-request-id"]).toBe("crm-req-42");
    // A hostile id (spaces, CR/LF attempts, too long) is replaced, never reflected.
    const hostile = await call(app, { url: "/v1/nada", headers: { "x-request-id": "a b<script>" } });
    expect(hostile.headers["x-request-id"]).not.toBe("a b<script>");
    expectError(hostile, 404, "NOT_FOUND");
    const long = await call(app, { url: "/health", headers: { "x-request-id": "x".repeat(65) } });
    expect(long.headers["x-request-id"]).not.toBe("x".repeat(65));
  });

  it("GET /ready is 200 once the rule sets are loaded, listing them", async () => {
    const { app } = await seeded();
    const res = await call(app, { url: "/ready" });
    expect(res.statusCode).toBe(200);
    expect(json(res).rulesets).toContain(RECLAME);
  });

  it("decisions are 503 NOT_READY before the registry is loaded, 200 after", async () => {
    const t = await startSeeded([RECLAME], { load: false });
    keep(t);
    expect(t.registry.ready).toBe(false);
    expectError(await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } }), 503, "NOT_READY");
    expectError(await call(t.app, { url: `/v1/decide/${RECLAME}/batch`, body: { items: [] } }), 503, "NOT_READY");
    await t.registry.loadAll();
    expect((await call(t.app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } })).statusCode).toBe(200);
  });

  it("GET /ready is 503 with the full error envelope (requestId included) before the registry is loaded", async () => {
    const t = await startSeeded([RECLAME], { load: false });
    keep(t);
    const res = await call(t.app, { url: "/ready" });
    expect(res.statusCode).toBe(503);
    expect(json(res).error.code).toBe("NOT_READY");
    expectError(res, 503, "NOT_READY"); // also checks error.requestId === x-request-id
    await t.registry.loadAll();
    expect((await call(t.app, { url: "/ready" })).statusCode).toBe(200);
  });

  it("GET /metrics exposes decisions (ruleset, version, outcome), decision latency and publishes after traffic", async () => {
    const { app } = await seeded();
    for (let i = 0; i < 3; i++)
      expect((await call(app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } })).statusCode).toBe(200);
    expect(
      (
        await call(app, {
          url: `/v1/decide/${RECLAME}`,
          body: { facts: reclameFacts({ tipoCliente: "Beneficiario" }) },
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (await call(app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1), tests: miniSuite(1) } }))
        .statusCode,
    ).toBe(201);
    expect(
      (await call(app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(2), tests: miniSuite(1) } }))
        .statusCode,
    ).toBe(422);
    expect(
      (await call(app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1), baseVersion: 7 } }))
        .statusCode,
    ).toBe(409);
    expect((await call(app, { url: "/v1/rulesets/mini/rollback", body: { version: 1 } })).statusCode).toBe(201);

    const res = await call(app, { url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers["content-type"])).toMatch(/^text\/plain/);
    const text = res.body;
    const sample = (name: string, labels: Record<string, string>): number | undefined => {
      for (const line of text.split("\n")) {
        if (!line.startsWith(`${name}{`)) continue;
        const inner = line.slice(name.length + 1, line.indexOf("}"));
        const got = Object.fromEntries([...inner.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (
          Object.entries(labels).every(([k, v]) => got[k] === v) &&
          Object.keys(got).length === Object.keys(labels).length
        ) {
          return Number(line.slice(line.lastIndexOf(" ") + 1));
        }
      }
      return undefined;
    };
    expect(text).toMatch(/# TYPE rules_decisions_total counter/);
    expect(sample("rules_decisions_total", { ruleset: RECLAME, version: "1", outcome: "ok" })).toBe(3);
    expect(sample("rules_decisions_total", { ruleset: RECLAME, version: "1", outcome: "invalid_facts" })).toBe(1);
    expect(text).toMatch(/# TYPE rules_decision_duration_seconds histogram/);
    expect(sample("rules_decision_duration_seconds_count", { ruleset: RECLAME })).toBe(4);
    expect(text).toMatch(/rules_decision_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} 4/);
    expect(text).toMatch(/# TYPE rules_publishes_total counter/);
    expect(sample("rules_publishes_total", { ruleset: "mini", outcome: "published" })).toBe(1);
    expect(sample("rules_publishes_total", { ruleset: "mini", outcome: "rejected" })).toBe(1);
    expect(sample("rules_publishes_total", { ruleset: "mini", outcome: "conflict" })).toBe(1);
    expect(sample("rules_publishes_total", { ruleset: "mini", outcome: "rolled_back" })).toBe(1);
    // HTTP latency by route pattern (never the raw URL) and status.
    expect(text).toMatch(/# TYPE rules_http_request_duration_seconds histogram/);
    expect(
      sample("rules_http_request_duration_seconds_count", {
        method: "POST",
        route: "/v1/decide/:ruleset",
        status: "200",
      }),
    ).toBe(3);
    expect(
      sample("rules_http_request_duration_seconds_count", {
        method: "POST",
        route: "/v1/decide/:ruleset",
        status: "400",
      }),
    ).toBe(1);
    expect(
      sample("rules_http_request_duration_seconds_count", {
        method: "POST",
        route: "/v1/rulesets/:name/versions",
        status: "409",
      }),
    ).toBe(1);
  });

  it("GET /docs serves the OpenAPI UI and /docs/json lists every /v1 route with its method", async () => {
    const { app } = await empty();
    const ui = await call(app, { url: "/docs" });
    // Either the UI page itself or a redirect to it.
    if (ui.statusCode >= 300 && ui.statusCode < 400) {
      const followed = await call(app, {
        url: String(ui.headers.location).startsWith("/")
          ? String(ui.headers.location)
          : `/docs/${String(ui.headers.location).replace(/^\.\//, "")}`,
      });
      expect(followed.statusCode).toBe(200);
      expect(followed.body).toMatch(/swagger-ui/i);
    } else {
      expect(ui.statusCode).toBe(200);
      expect(String(ui.headers["content-type"])).toMatch(/text\/html/);
      expect(ui.body).toMatch(/swagger-ui/i);
    }

    const res = await call(app, { url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    const doc = json(res);
    expect(doc.openapi).toMatch(/^3\./);
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ["get", "post", "put", "delete", "patch"].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        "GET /health",
        "POST /v1/decide/{ruleset}",
        "POST /v1/decide/{ruleset}/batch",
        "POST /v1/decide/{ruleset}/why-not",
        "GET /v1/rulesets",
        "GET /v1/rulesets/{name}",
        "GET /v1/rulesets/{name}/timeline",
        "GET /v1/rulesets/{name}/versions/{v}",
        "GET /v1/rulesets/{name}/versions/{v}/compiled",
        "POST /v1/rulesets/{name}/validate",
        "POST /v1/rulesets/{name}/test",
        "POST /v1/rulesets/{name}/mutants",
        "POST /v1/rulesets/{name}/versions",
        "POST /v1/rulesets/{name}/rollback",
        "GET /v1/audit",
        "GET /v1/me",
        "GET /v1/decisions",
        "GET /v1/decisions/{id}",
        "POST /v1/decisions/{id}/promote",
        "POST /v1/rulesets/{name}/replay",
      ].sort(),
    );
    // Error responses are documented with the shared envelope (each status: see openapi.test.ts).
    const decide = doc.paths["/v1/decide/{ruleset}"].post;
    expect(Object.keys(decide.responses)).toEqual(expect.arrayContaining(["200", "400", "404"]));
    const errorRef = decide.responses["400"]?.content?.["application/json"]?.schema?.$ref as string | undefined;
    const errorSchema = errorRef
      ? doc.components.schemas[errorRef.split("/").pop() as string]
      : decide.responses["400"]?.content?.["application/json"]?.schema;
    expect(Object.keys(errorSchema.properties.error.properties).sort()).toEqual([
      "code",
      "details",
      "message",
      "requestId",
    ]);
  });

  it("GET / without an editor build is an HTML page linking to /docs (the editor itself: editor-static.test.ts)", async () => {
    const { app } = await empty({ env: { EDITOR_DIR: join(SHIPPED_RULES, "no-editor-build") } });
    const res = await call(app, { url: "/" });
    expect(res.statusCode).toBe(503);
    expect(String(res.headers["content-type"])).toMatch(/text\/html/);
    expect(res.body).toMatch(/href="\/docs"/);
  });

  it("an unknown route is a 404 envelope (GET and POST)", async () => {
    const { app } = await empty();
    expectError(await call(app, { url: "/v1/nada" }), 404, "NOT_FOUND");
    expectError(await call(app, { url: "/v1/nada", body: { a: 1 } }), 404, "NOT_FOUND");
    expectError(await call(app, { url: "/v1/decide", body: { facts: {} } }), 404, "NOT_FOUND");
  });
});

describe("POST /v1/decide/{ruleset}", () => {
  it("decides: 200 with decisionId, ruleset, version, decision and fired (no trace without explain)", async () => {
    const { app } = await seeded();
    const res = await call(app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts() } });
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body).toEqual({
      decisionId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      ruleset: RECLAME,
      version: 1,
      versionReason: "versão em vigor agora",
      decision: {
        acao: "DESIGNAR",
        designacao: "GIPES",
        gipes: null,
        tipoEntrada: "RECLAME",
        prazoDesignacao: "2026-04-06T12:00:00.000-03:00",
        anexarGravacao: false,
        historico: null,
        email: null,
        servicosValidos: null,
        servicosSugeridos: null,
        tipoAtendimentoSugerido: null,
      },
      fired: expect.arrayContaining(["designar pela tabela"]),
    });
    expect(body.trace).toBeUndefined();
  });

  it("business outcomes are 200 decisions (not validated → ABRIR_FALE_CONOSCO; Credenciado Reembolso → RECLASSIFICAR with e-mail)", async () => {
    const { app } = await seeded();
    const notValidated = json(
      await call(app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts({ protocoloValidado: false }) } }),
    );
    expect(notValidated.decision.acao).toBe("ABRIR_FALE_CONOSCO");
    const res = await call(app, {
      url: `/v1/decide/${RECLAME}`,
      body: {
        facts: reclameFacts({ tipoCliente: "Credenciado", servico: "Reembolso", gipesVinculacao: "GIPES Teste" }),
      },
    });
    expect(res.statusCode).toBe(200);
    const d = json(res).decision;
    expect(d).toMatchObject({
      acao: "RECLASSIFICAR",
      tipoEntrada: "INTERNO",
      designacao: "GIPES",
      gipes: "GIPES Teste",
    });
    expect(d.email).toMatchObject({ template: "reclassificacao-reclame", prazoRespostaDiasUteis: 10 });
  });

  it("explain: true adds a trace with matched flags, fact values and source line/column in the rule-set file", async () => {
    const { app } = await seeded();
    const res = await call(app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts(), explain: true } });
    expect(res.statusCode).toBe(200);
    const trace = json(res).trace as any[];
    expect(Array.isArray(trace)).toBe(true);
    for (const t of trace) {
      expect(typeof t.name).toBe("string");
      expect(Number.isInteger(t.line) && t.line >= 1).toBe(true);
      expect(Number.isInteger(t.column) && t.column >= 1).toBe(true);
    }
    const rule = trace.find((t) => t.name === "designar pela tabela");
    expect(rule).toBeDefined();
    expect(rule.matched).toBe(true);
    const at = positionOf(reclameSource, "- name: designar pela tabela");
    expect(rule.line).toBe(at.line);
    expect([at.column, at.column + 2]).toContain(rule.column); // the "-" or the "name" key
    expect(rule.conditions.length).toBeGreaterThan(0);
    const cond = rule.conditions[0];
    expect(cond.line).toBe(positionOf(reclameSource, "designacaoPorServico.designacao is not null").line);
    expect(cond).toHaveProperty("factValue");
    expect(cond.result).toBe(true);
    // A table row that did not match, with the fact value it saw.
    const row1 = trace.find((t) => t.name === "designacaoPorServico · linha 1");
    expect(row1.matched).toBe(false);
    expect(JSON.stringify(row1.conditions)).toContain("Reembolso");
    // Rules after a stop are reported as not evaluated, not as failed.
    const after = trace.find((t) => t.name === "revisar o serviço");
    expect(after.matched === null || after.matched === false).toBe(true);
  });

  it("?version=N pins a published version; unknown version and unknown rule set are 404; a bad version is 400", async () => {
    const { app } = await seeded();
    const pinned = await call(app, { url: `/v1/decide/${RECLAME}?version=1`, body: { facts: reclameFacts() } });
    expect(pinned.statusCode).toBe(200);
    expect(json(pinned).version).toBe(1);
    expectError(
      await call(app, { url: `/v1/decide/${RECLAME}?version=2`, body: { facts: reclameFacts() } }),
      404,
      "NOT_FOUND",
    );
    expectError(await call(app, { url: "/v1/decide/nao-existe", body: { facts: reclameFacts() } }), 404, "NOT_FOUND");
    expectError(
      await call(app, { url: "/v1/decide/nao-existe?version=1", body: { facts: reclameFacts() } }),
      404,
      "NOT_FOUND",
    );
    for (const v of ["0", "abc", "-1", "1.5"]) {
      const res = await call(app, { url: `/v1/decide/${RECLAME}?version=${v}`, body: { facts: reclameFacts() } });
      expect(res.statusCode, `version=${v}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `version=${v}`).toBeLessThan(500);
      expectError(res, res.statusCode);
    }
  });

  it("400 INVALID_FACTS names each bad fact with a JSON pointer: wrong enum, wrong type, missing, unknown", async () => {
    const { app } = await seeded();
    const facts = reclameFacts({ tipoCliente: "Beneficiario", servico: 42, ammount: 1, "a/b": true });
    delete facts.entradaEm;
    const err = expectError(await call(app, { url: `/v1/decide/${RECLAME}`, body: { facts } }), 400, "INVALID_FACTS");
    const paths = err.details.map((d) => d.path).sort();
    expect(paths).toEqual(["/a~1b", "/ammount", "/entradaEm", "/servico", "/tipoCliente"].sort());
    for (const d of err.details) expect(typeof d.message).toBe("string");
  });

  it('does not coerce: "100" is not an integer, "true" is not a boolean, 1.5 is not an integer', async () => {
    const { app } = await withMini();
    const ok = await call(app, { url: "/v1/decide/mini", body: { facts: { valor: 100 } } });
    expect(json(ok).decision).toEqual({ marca: 1, faixa: "ALTA" });
    for (const valor of ["100", 1.5, true, [100], {}]) {
      const err = expectError(
        await call(app, { url: "/v1/decide/mini", body: { facts: { valor } } }),
        400,
        "INVALID_FACTS",
      );
      expect(err.details.map((d) => d.path)).toEqual(["/valor"]);
    }
    const t = await call(app, { url: `/v1/decide/mini`, body: { facts: { valor: 1, canal: "CHAT" } } });
    expect(expectError(t, 400, "INVALID_FACTS").details.map((d) => d.path)).toEqual(["/canal"]);
  });

  it("null for a required fact is refused; null for an optional fact is accepted", async () => {
    const { app } = await seeded();
    const err = expectError(
      await call(app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts({ tipoAtendimento: null }) } }),
      400,
      "INVALID_FACTS",
    );
    expect(err.details.map((d) => d.path)).toEqual(["/tipoAtendimento"]);
    const err2 = expectError(
      await call(app, { url: `/v1/decide/${RECLAME}`, body: { facts: reclameFacts({ protocoloValidado: "true" }) } }),
      400,
      "INVALID_FACTS",
    );
    expect(err2.details.map((d) => d.path)).toEqual(["/protocoloValidado"]);
    const ok = await call(app, {
      url: `/v1/decide/${RECLAME}`,
      body: { facts: reclameFacts({ canalOrigem: null, numero: null }) },
    });
    expect(ok.statusCode).toBe(200);
  });

  it("fact names that shadow Object.prototype members are unknown facts (400), never a 500", async () => {
    const { app } = await seeded();
    for (const key of ["constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"]) {
      const res = await call(app, { url: `/v1/decide/${RECLAME}`, body: { facts: { ...reclameFacts(), [key]: "x" } } });
      const err = expectError(res, 400, "INVALID_FACTS");
      expect(err.details.map((d) => d.path)).toEqual([`/${key}`]);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("the request body itself is strict: facts must be an object, explain a boolean, no extra fields", async () => {
    const { app } = await seeded();
    for (const body of [
      {},
      { facts: "x" },
      { facts: [] },
      { facts: null },
      { facts: reclameFacts(), explain: "true" },
      { facts: reclameFacts(), extra: 1 },
    ]) {
      const res = await call(app, { url: `/v1/decide/${RECLAME}`, body });
      expectError(res, 400);
    }
  });

  it("a rule-set defect at run time (broken invariant) is a 500 envelope with no internals", async () => {
    const { app, dataDir } = await empty();
    expect(
      (await call(app, { url: "/v1/rulesets/defeito/versions", body: { source: BROKEN_INVARIANT_SOURCE } })).statusCode,
    ).toBe(201);
    expect(json(await call(app, { url: "/v1/decide/defeito", body: { facts: { valor: 5 } } })).decision).toEqual({
      total: 5,
    });
    const res = await call(app, { url: "/v1/decide/defeito", body: { facts: { valor: 500 } } });
    const err = expectError(res, 500);
    expect(err.code).toMatch(/RULESET_DEFECT|INTERNAL_ERROR/);
    expect(res.body).not.toContain(dataDir);
  });
});

describe("POST /v1/decide/{ruleset}/batch", () => {
  it("returns one result per item in input order; a bad item gets its own error and does not fail the others", async () => {
    const { app } = await seeded();
    const items = [
      { facts: reclameFacts({ numero: "1" }) },
      { facts: reclameFacts({ numero: "2", protocoloValidado: false }) },
      { facts: reclameFacts({ numero: "3", tipoCliente: "Beneficiario" }) },
      { facts: reclameFacts({ numero: "4", registradoDuranteAtendimento: true }) },
      { facts: reclameFacts({ numero: "5", servico: "Serviço inexistente" }) },
    ];
    const res = await call(app, { url: `/v1/decide/${RECLAME}/batch`, body: { items } });
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body.ruleset).toBe(RECLAME);
    expect(body.version).toBe(1);
    expect(body.results).toHaveLength(5);
    expect(body.results.map((r: any) => r.decision?.acao ?? r.error?.code)).toEqual([
      "DESIGNAR",
      "ABRIR_FALE_CONOSCO",
      "INVALID_FACTS",
      "ADIAR_REVISAO",
      "REVISAR_SERVICO",
    ]);
    expect(body.results[2].error.details.map((d: any) => d.path)).toEqual(["/tipoCliente"]);
    expect(body.results[2].decision).toBeUndefined();
    expect(body.results[4].decision.servicosValidos).toContain("Reembolso");
  });

  it("an empty batch is fine; unknown rule set is 404; 1001 items are refused with 400 BATCH_TOO_LARGE", async () => {
    const { app } = await withMini();
    expect(json(await call(app, { url: "/v1/decide/mini/batch", body: { items: [] } })).results).toEqual([]);
    expectError(
      await call(app, { url: "/v1/decide/nao-existe/batch", body: { items: [{ facts: { valor: 1 } }] } }),
      404,
      "NOT_FOUND",
    );
    const thousand = Array.from({ length: 1000 }, (_, i) => ({ facts: { valor: i } }));
    const ok = await call(app, { url: "/v1/decide/mini/batch", body: { items: thousand } });
    expect(ok.statusCode).toBe(200);
    expect(json(ok).results).toHaveLength(1000);
    expect(json(ok).results[150].decision).toEqual({ marca: 1, faixa: "ALTA" });
    const err = expectError(
      await call(app, { url: "/v1/decide/mini/batch", body: { items: [...thousand, { facts: { valor: 1 } }] } }),
      400,
      "BATCH_TOO_LARGE",
    );
    expect(err.message).toMatch(/1000/);
  });

  it("?version=N pins the batch too", async () => {
    const { app } = await withMini();
    expect(
      (await call(app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(2), tests: miniSuite(2) } }))
        .statusCode,
    ).toBe(201);
    const res = json(
      await call(app, { url: "/v1/decide/mini/batch?version=1", body: { items: [{ facts: { valor: 1 } }] } }),
    );
    expect(res.version).toBe(1);
    expect(res.results[0].decision.marca).toBe(1);
    expect(
      json(await call(app, { url: "/v1/decide/mini/batch", body: { items: [{ facts: { valor: 1 } }] } })).results[0]
        .decision.marca,
    ).toBe(2);
    expectError(await call(app, { url: "/v1/decide/mini/batch?version=3", body: { items: [] } }), 404, "NOT_FOUND");
  });
});

describe("reading rule sets", () => {
  it("GET /v1/rulesets lists {name, version, description, updatedAt}", async () => {
    const { app } = await seeded();
    expect((await call(app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1) } })).statusCode).toBe(
      201,
    );
    const list = json(await call(app, { url: "/v1/rulesets" }));
    expect(list.map((r: any) => r.name)).toEqual(["mini", RECLAME]);
    for (const r of list) {
      expect(r.version).toBe(1);
      expect(typeof r.description).toBe("string");
      expect(new Date(r.updatedAt).toISOString()).toBe(r.updatedAt);
    }
    expect(list[0].description).toBe("Conjunto mínimo de teste (marca 1).");
  });

  it("GET /v1/rulesets/{name} gives versions, the active source and its suite text; 404 unknown; 400 bad name", async () => {
    const { app } = await seeded();
    const body = json(await call(app, { url: `/v1/rulesets/${RECLAME}` }));
    expect(body.name).toBe(RECLAME);
    expect(body.version).toBe(1);
    expect(body.source).toBe(reclameSource);
    expect(body.tests).toBe(reclameSuite);
    expect(body.versions).toHaveLength(1);
    expect(body.versions[0]).toMatchObject({ version: 1, author: "seed" });
    expect(body.versions[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expectError(await call(app, { url: "/v1/rulesets/nao-existe" }), 404, "NOT_FOUND");
    expectError(await call(app, { url: "/v1/rulesets/Nome_Ruim" }), 400);
  });

  it("GET .../versions/{v} gives the source; .../compiled the json-rules-engine rules; unknown version 404", async () => {
    const { app } = await seeded();
    const v1 = json(await call(app, { url: `/v1/rulesets/${RECLAME}/versions/1` }));
    expect(v1).toMatchObject({ version: 1, source: reclameSource, tests: reclameSuite });
    const compiled = await call(app, { url: `/v1/rulesets/${RECLAME}/versions/1/compiled` });
    expect(compiled.statusCode).toBe(200);
    const c = json(compiled);
    expect(Array.isArray(c.rules)).toBe(true);
    expect(c.rules.length).toBeGreaterThan(10);
    for (const r of c.rules) {
      expect(r.conditions).toBeTypeOf("object");
      expect(r.event).toBeTypeOf("object");
    }
    expect(c.rules.map((r: any) => r.name)).toContain("designar pela tabela");
    expectError(await call(app, { url: `/v1/rulesets/${RECLAME}/versions/2` }), 404, "NOT_FOUND");
    expectError(await call(app, { url: `/v1/rulesets/${RECLAME}/versions/2/compiled` }), 404, "NOT_FOUND");
    expectError(await call(app, { url: "/v1/rulesets/nao-existe/versions/1" }), 404, "NOT_FOUND");
    expectError(await call(app, { url: "/v1/rulesets/nao-existe/versions/1/compiled" }), 404, "NOT_FOUND");
    expectError(await call(app, { url: `/v1/rulesets/${RECLAME}/versions/0` }), 400);
  });
});

describe("POST /v1/rulesets/{name}/validate", () => {
  it("a good source is ok with no error diagnostics (also for a name that does not exist yet)", async () => {
    const { app } = await seeded();
    const res = json(await call(app, { url: `/v1/rulesets/${RECLAME}/validate`, body: { source: reclameSource } }));
    expect(res.ok).toBe(true);
    expect(res.diagnostics.filter((d: any) => d.severity === "error")).toEqual([]);
    const fresh = json(await call(app, { url: "/v1/rulesets/novo/validate", body: { source: miniSource(1, "novo") } }));
    expect(fresh).toEqual({ ok: true, diagnostics: [] });
  });

  it("diagnostics carry code, severity, message and 1-based line/column/endLine/endColumn into the source", async () => {
    const { app } = await empty();
    const source = miniSource(1).replace("when: valor >= 100", "when: valorr >= 100");
    const res = json(await call(app, { url: "/v1/rulesets/mini/validate", body: { source } }));
    expect(res.ok).toBe(false);
    const d = res.diagnostics.find((x: any) => x.severity === "error");
    expect(d).toMatchObject({ severity: "error", code: "check/unknown-fact" });
    const at = positionOf(source, "valorr");
    expect({ line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn }).toEqual({
      line: at.line,
      column: at.column,
      endLine: at.line,
      endColumn: at.column + "valorr".length,
    });
    expect(d.message).toMatch(/valorr/);
  });

  it("YAML syntax errors are diagnostics too (200, ok false), with a line", async () => {
    const { app } = await empty();
    const source = `${miniSource(1)}  - name: quebrada\n    when: [\n`;
    const res = await call(app, { url: "/v1/rulesets/mini/validate", body: { source } });
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body.ok).toBe(false);
    expect(body.diagnostics.length).toBeGreaterThan(0);
    for (const d of body.diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.column).toBeGreaterThanOrEqual(1);
      expect(d.endLine).toBeGreaterThanOrEqual(d.line);
    }
  });

  it("a source whose `ruleset:` name differs from the URL is not ok (ruleset/invalid-name on the name)", async () => {
    const { app } = await seeded();
    const source = miniSource(1, "outro-nome");
    const body = json(await call(app, { url: `/v1/rulesets/${RECLAME}/validate`, body: { source } }));
    expect(body.ok).toBe(false);
    const d = body.diagnostics.find((x: any) => x.code === "ruleset/invalid-name");
    expect(d).toBeDefined();
    const at = positionOf(source, "outro-nome");
    expect([d.line, d.column]).toEqual([at.line, at.column]);
  });
});

describe("POST /v1/rulesets/{name}/test", () => {
  it("with no body fields runs the rule set's own suite on the active version: counts, cases, coverage", async () => {
    const { app } = await seeded();
    const res = await call(app, { url: `/v1/rulesets/${RECLAME}/test`, body: {} });
    expect(res.statusCode).toBe(200);
    const r = json(res);
    expect(r.failed).toBe(0);
    expect(r.passed).toBeGreaterThan(20);
    expect(r.cases).toHaveLength(r.passed);
    expect(r.coverage).toBeTypeOf("object");
    expect(r.coverage.rules.total).toBeGreaterThan(0);
  });

  it("a given source with the default suite: failing cases show their differences", async () => {
    const { app } = await seeded();
    // Change the table: Beneficiário + Reembolso goes to CEPES instead of GIPES.
    const changed = reclameSource.replace(
      "{ tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Reembolso, designacao: GIPES }",
      "{ tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Reembolso, designacao: CEPES }",
    );
    expect(changed).not.toBe(reclameSource);
    const r = json(await call(app, { url: `/v1/rulesets/${RECLAME}/test`, body: { source: changed } }));
    expect(r.failed).toBeGreaterThan(0);
    const failing = r.cases.filter((c: any) => !c.passed);
    expect(failing.length).toBe(r.failed);
    const diff = failing.flatMap((c: any) => c.differences).find((d: any) => d.path === "designacao");
    expect(diff).toMatchObject({ expected: "GIPES", actual: "CEPES" });
    expect(failing[0].line).toBeGreaterThanOrEqual(1);
    // Nothing was published.
    expect(json(await call(app, { url: `/v1/rulesets/${RECLAME}` })).version).toBe(1);
  });

  it("given tests run against the active version; given source + tests work for a name not published yet", async () => {
    const { app } = await withMini();
    const r = json(await call(app, { url: "/v1/rulesets/mini/test", body: { tests: miniSuite(7) } }));
    expect(r).toMatchObject({ passed: 0, failed: 2 });
    expect(r.cases[0].differences).toEqual([expect.objectContaining({ path: "marca", expected: 7, actual: 1 })]);
    expect(r.coverage).toBeTypeOf("object");
    const fresh = json(
      await call(app, {
        url: "/v1/rulesets/novo/test",
        body: { source: miniSource(3, "novo"), tests: miniSuite(3, "novo") },
      }),
    );
    expect(fresh).toMatchObject({ passed: 2, failed: 0 });
  });

  it("errors: unknown rule set 404; bad suite 422; source that does not compile 422 with diagnostics; no suite 422", async () => {
    const { app } = await withMini();
    expectError(await call(app, { url: "/v1/rulesets/nao-existe/test", body: {} }), 404, "NOT_FOUND");
    expectError(await call(app, { url: "/v1/rulesets/mini/test", body: { tests: "suite: mini\ncases: 3\n" } }), 422);
    expectError(await call(app, { url: "/v1/rulesets/mini/test", body: { tests: miniSuite(1, "outro") } }), 422);
    const bad = expectError(
      await call(app, {
        url: "/v1/rulesets/mini/test",
        body: { source: miniSource(1).replace("valor >= 100", "valor >=") },
      }),
      422,
      "RULESET_INVALID",
    );
    expect(bad.details.length).toBeGreaterThan(0);
    expect(bad.details[0]).toHaveProperty("line");
    expectError(
      await call(app, { url: "/v1/rulesets/sem-suite/test", body: { source: miniSource(1, "sem-suite") } }),
      422,
    );
  });
});

describe("GET /v1/audit", () => {
  it("records who, when, version, message and hash for every seed, publish and rollback", async () => {
    const { app } = await seeded();
    expect(
      (
        await call(app, {
          url: "/v1/rulesets/mini/versions",
          body: { source: miniSource(1), message: "primeira versão" },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await call(app, {
          url: "/v1/rulesets/mini/versions",
          body: { source: miniSource(2), message: "segunda versão" },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await call(app, { url: "/v1/rulesets/mini/rollback", body: { version: 1, message: "volta" } })).statusCode,
    ).toBe(201);
    const res = await call(app, { url: "/v1/audit" });
    expect(res.statusCode).toBe(200);
    const audit = json(res) as any[];
    expect(audit.map((a) => [a.action, a.ruleset, a.version, a.author, a.message])).toEqual([
      ["seed", RECLAME, 1, "seed", `semeado de ${RECLAME}.yaml`],
      ["publish", "mini", 1, "local", "primeira versão"],
      ["publish", "mini", 2, "local", "segunda versão"],
      ["rollback", "mini", 3, "local", "volta"],
    ]);
    for (const a of audit) {
      expect(new Date(a.at).toISOString()).toBe(a.at);
      const v = json(await call(app, { url: `/v1/rulesets/${a.ruleset}/versions/${a.version}` }));
      expect(a.hash).toBe(v.hash);
    }
    expectNoStack(res.body);
  });
});
