/**
 * The decision log end to end, through the real routes (issue 13): the CRM decides over HTTP, the
 * service logs each decision; an auditor finds them by the table row that fired; `rules replay`
 * reads them from the service (GET /v1/decisions with cursors, the version that logged them) and
 * reports the blast radius of a draft; `rules promote` turns one into a case of the local suite,
 * which `rules test` then runs green. Synthetic data only.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runRules } from "./helpers/cli.js";
import { readRuleSet, reclameFacts, RULES_DIR } from "./helpers/rulesets.js";
import { call, json, removeTempDirs, startApp, type TestApp } from "./server/helpers.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const NAME = "reclame-designacao";
const ROW = "servico: Reembolso, designacao: GIPES }";
let t: TestApp;
let url: string;
let dir: string;
const ids: string[] = [];

beforeAll(async () => {
  t = await startApp({ seedShipped: [NAME], decisionLog: true });
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const servicos = ["Reembolso", "Autorização Prévia", "Reembolso", "Reembolso", "Autorização Prévia", "Reembolso"];
  for (const [i, servico] of servicos.entries()) {
    const res = await call(t.app, {
      url: `/v1/decide/${NAME}`,
      body: { facts: reclameFacts({ numero: `70000${i}`, servico }) },
    });
    expect(res.statusCode).toBe(200);
    ids.push(json(res).decisionId);
  }
  await t.decisionLog!.flush();
  dir = mkdtempSync(join(tmpdir(), "decision-log-flow-"));
  cpSync(join(RULES_DIR, `${NAME}.yaml`), join(dir, `${NAME}.yaml`));
  cpSync(join(RULES_DIR, `${NAME}.test.yaml`), join(dir, `${NAME}.test.yaml`));
  writeFileSync(join(dir, "rascunho.yaml"), readRuleSet(NAME).replace(ROW, "servico: Reembolso, designacao: CEPES }"));
});

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await removeTempDirs();
});

describe("decision log, replay and promote through the service", () => {
  it("finds the decisions a table row took, newest first, by the name listed in `fired`", async () => {
    const res = await call(t.app, {
      method: "GET",
      url: `/v1/decisions?ruleset=${NAME}&fired=${encodeURIComponent("designacaoPorServico · linha 9")}`,
    });
    expect(res.statusCode).toBe(200);
    const items = json(res).items as { id: string; decision: { designacao: string } }[];
    expect(items.map((r) => r.id)).toEqual([ids[5], ids[3], ids[2], ids[0]]);
    expect(new Set(items.map((r) => r.decision.designacao))).toEqual(new Set(["GIPES"]));
  });

  it("rules replay --from <service> counts exactly the Reembolso decisions as changed, naming the row", async () => {
    const r = await runRules(["replay", "rascunho.yaml", "--from", url, "--json"], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ total: 6, changed: 4, unchanged: 2, notReproducible: 0, unverified: 0 });
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({ output: "designacao", from: { value: "GIPES" }, to: { value: "CEPES" } });
    expect(report.lines).toContain("4 decisões mudariam designacao de GIPES para CEPES");
  });

  it("rules promote <id> --from <service> appends a case that rules test runs green, keeping the suite's text", async () => {
    const suitePath = join(dir, `${NAME}.test.yaml`);
    const before = readFileSync(suitePath, "utf8");
    const r = await runRules(
      ["promote", ids[1]!, "--from", url, "--suite", `${NAME}.test.yaml`, "--name", "Produção · Autorização Prévia"],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(suitePath, "utf8");
    expect(after.startsWith(before.trimEnd())).toBe(true);
    expect(after).toContain("Produção · Autorização Prévia");
    const run = await runRules(["test", suitePath, "--case", "Produção · Autorização Prévia"], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });
});
