/**
 * The fact boundary over HTTP: a repeated `numero` and numbers JSON cannot carry exactly (1e400,
 * integers beyond 2^53) are 400 INVALID_FACTS in the contract's envelope, pointing at the place;
 * an NFD service from the CRM is designated. Raw JSON text is sent as written, so JSON.parse
 * itself turns 1e400 into Infinity. Synthetic data only.
 */
import { describe, expect, it, vi } from "vitest";
import {
  call,
  closeAfterEach,
  expectError,
  json,
  miniSource,
  miniSuite,
  reclameFacts,
  startApp,
  startSeeded,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const keep = closeAfterEach();

/** POSTs a JSON text exactly as written. */
function postRaw(t: TestApp, url: string, text: string) {
  return t.app.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: text });
}

/** "Autorização Prévia " with decomposed accents and a trailing space, as a CRM may send it. */
const AP_NFD_TEXT = "Autorizac\u0327a\u0303o Pre\u0301via ";

const item = (numero: string, servico = "Reembolso") => ({
  numero,
  clienteId: "BEN-000001",
  servico,
  tipoEntrada: "RECLAME",
  registradoEm: "2026-04-01T09:00:00",
});

describe("400 INVALID_FACTS at the boundary", () => {
  it("a repeated numero names both positions", async () => {
    const t = keep(await startSeeded(["reclame-duplicidade"]));
    const res = await call(t.app, {
      url: "/v1/decide/reclame-duplicidade",
      body: { facts: { reclames: [item("2026000001"), item("2026000002"), item("2026000003"), item("2026000002")] } },
    });
    const err = expectError(res, 400, "INVALID_FACTS");
    expect(err.details).toHaveLength(1);
    expect(err.details[0].path).toBe("/reclames/3/numero");
    expect(err.details[0].message).toContain("/reclames/1/numero");
  });

  it("1e400 and 9007199254740993 in the JSON text are refused with a pointer, not decided", async () => {
    const t = keep(await startApp());
    const pub = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(1), tests: miniSuite(1), message: "primeira" },
    });
    expect(pub.statusCode, pub.body).toBe(201);
    const inf = expectError(await postRaw(t, "/v1/decide/mini", '{"facts": {"valor": 1e400}}'), 400, "INVALID_FACTS");
    expect(inf.details.map((d) => d.path)).toEqual(["/valor"]);
    expect(inf.details[0].message).toMatch(/infinito/);
    const big = expectError(
      await postRaw(t, "/v1/decide/mini", '{"facts": {"valor": 9007199254740993}}'),
      400,
      "INVALID_FACTS",
    );
    expect(big.details.map((d) => d.path)).toEqual(["/valor"]);
    expect(big.details[0].message).toMatch(/9007199254740991/);
    const ok = await postRaw(t, "/v1/decide/mini", '{"facts": {"valor": 9007199254740991}}');
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

describe("texts from the CRM", () => {
  it("an NFD service with a trailing space is designated by the table", async () => {
    const t = keep(await startSeeded(["reclame-designacao"]));
    const res = await postRaw(
      t,
      "/v1/decide/reclame-designacao",
      `{"facts": ${JSON.stringify(reclameFacts({ servico: AP_NFD_TEXT }))}}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res).decision).toMatchObject({ acao: "DESIGNAR", designacao: "GIPES" });
  });
});
