/**
 * `rules replay <rascunho.yaml> --from <arquivo|URL>` (issue 13): logged decisions read from a
 * file (JSON Lines, a JSON array, a saved API page) or from the service (GET /v1/decisions with
 * its cursors, the baseline from GET /v1/rulesets/:name/versions/:v), replayed against a draft;
 * the text report with sample ids and `arquivo:linha:coluna` of the row responsible, `--json`,
 * and the errors (bad JSON with its line, unreadable file, HTTP errors, a draft that does not
 * compile). The service side is a small stand-in speaking the contract of those two routes.
 * Synthetic data only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runtimeOf } from "../engine/index.js";
import { createMemoryDecisionStorage } from "../server/decision-log/memory-storage.js";
import type { DecisionRecord } from "../server/decision-log/types.js";
import { replayCommand } from "../cli/replay.js";
import { capture, runRules } from "./helpers/cli.js";
import { logDecisions } from "./helpers/decision-records.js";
import { compileOk, readRuleSet, reclameFacts } from "./helpers/rulesets.js";

vi.setConfig({ testTimeout: 120_000 });

const RECLAME = readRuleSet("reclame-designacao");
const RETENCAO = readRuleSet("retencao");
const DRAFT = RECLAME.replace("servico: Reembolso, designacao: GIPES }", "servico: Reembolso, designacao: CEPES }");
const ROW_LINE = DRAFT.split("\n").findIndex((l) => l.includes("servico: Reembolso, designacao: CEPES }")) + 1;

let dir: string;
let records: DecisionRecord[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cli-replay-"));
  writeFileSync(join(dir, "rascunho.yaml"), DRAFT);
  writeFileSync(join(dir, "publicada.yaml"), RECLAME);
  const runtime = runtimeOf(compileOk(RECLAME));
  records = await logDecisions(runtime, [
    ...Array.from({ length: 4 }, (_, i) => reclameFacts({ numero: `1${i}`, servico: "Reembolso" })),
    ...Array.from({ length: 3 }, (_, i) => reclameFacts({ numero: `2${i}`, servico: "Autorização Prévia" })),
  ]);
  // A record of another rule set in the same file is skipped.
  const other = await logDecisions(runtimeOf(compileOk(RETENCAO)), [{ uf: "SP" }]);
  writeFileSync(join(dir, "decisoes.jsonl"), `${[...records, ...other].map((r) => JSON.stringify(r)).join("\n")}\n`);
  writeFileSync(join(dir, "decisoes.json"), JSON.stringify(records));
  writeFileSync(join(dir, "pagina.json"), JSON.stringify({ items: records, next: "x" }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `rules replay <args>` in-process with the given environment (RULES_TOKEN) instead of the process's. */
async function replayWithEnv(args: string[], env: NodeJS.ProcessEnv) {
  const stdout = capture();
  const stderr = capture();
  const code = await replayCommand({ argv: args, stdout, stderr, cwd: dir }, env);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe("rules replay from a file", () => {
  it("prints the summary, the group, sample ids and the row responsible as arquivo:linha:coluna", async () => {
    const r = await runRules(
      ["replay", "rascunho.yaml", "--from", "decisoes.jsonl", "--baseline", "publicada.yaml"],
      dir,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Replay de reclame-designacao com rascunho.yaml: 7 decisões registradas (de ${records[0]!.at} a ${records[6]!.at})`,
    );
    expect(r.stdout).toContain("3 de 7 decisões não mudariam\n");
    expect(r.stdout).toContain("\n4 decisões mudariam designacao de GIPES para CEPES\n");
    expect(r.stdout).toContain(`  ${records[0]!.id}  ${records[0]!.at}\n`);
    expect(r.stdout).toContain(
      `    rascunho.yaml:${ROW_LINE}:9: tabela designacaoPorServico, linha 9 (dispara nas duas, alterada no rascunho)\n`,
    );
    // 3 samples by default.
    expect(r.stdout).not.toContain(records[3]!.id);
    expect(r.stdout).not.toContain("Sem --baseline");
  });

  it("reads a JSON array and a saved API page alike; --samples and --limit; --json", async () => {
    const fromArray = await runRules(["replay", "rascunho.yaml", "--from", "decisoes.json", "--json"], dir);
    const fromPage = await runRules(["replay", "rascunho.yaml", "--from", "pagina.json", "--json"], dir);
    expect(fromArray.code).toBe(0);
    const a = JSON.parse(fromArray.stdout);
    const b = JSON.parse(fromPage.stdout);
    expect(a).toMatchObject({ ruleset: "reclame-designacao", total: 7, changed: 4, unchanged: 3 });
    expect(b.groups).toEqual(a.groups);
    expect(a.groups[0].samples).toHaveLength(3);

    const limited = JSON.parse(
      (
        await runRules(
          ["replay", "rascunho.yaml", "--from", "decisoes.json", "--json", "--limit", "2", "--samples", "1"],
          dir,
        )
      ).stdout,
    );
    expect(limited).toMatchObject({ total: 2, changed: 2, replayed: { limit: 2, truncated: true } });
    expect(limited.groups[0].samples).toHaveLength(1);

    const text = await runRules(["replay", "rascunho.yaml", "--from", "decisoes.json", "--limit", "2"], dir);
    expect(text.stdout).toContain("(limite atingido: há mais decisões na fonte; aumente --limit para ler mais)");
    expect(text.stdout).toContain(
      "Sem --baseline: decisões que leram um dado pessoal mascarado podem aparecer como mudanças.",
    );
  });

  it("--since/--until select a window", async () => {
    const r = JSON.parse(
      (
        await runRules(
          [
            "replay",
            "rascunho.yaml",
            "--from",
            "decisoes.jsonl",
            "--json",
            "--since",
            records[2]!.at,
            "--until",
            records[5]!.at,
          ],
          dir,
        )
      ).stdout,
    );
    // records 2, 3 (Reembolso) and 4 (Autorização Prévia).
    expect(r).toMatchObject({ total: 3, changed: 2, unchanged: 1 });
  });

  it("bad JSON names its line; an unreadable file, a bad record and a draft that does not compile exit 1", async () => {
    writeFileSync(join(dir, "ruim.jsonl"), `${JSON.stringify(records[0])}\n{"id": "x",\n`);
    const bad = await runRules(["replay", "rascunho.yaml", "--from", "ruim.jsonl"], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^erro: ruim\.jsonl, linha 2: JSON inválido/);

    const missing = await runRules(["replay", "rascunho.yaml", "--from", "nao-existe.jsonl"], dir);
    expect(missing).toMatchObject({ code: 1, stderr: "erro: arquivo não encontrado: nao-existe.jsonl\n" });

    writeFileSync(join(dir, "sem-fatos.jsonl"), `${JSON.stringify({ ...records[0], facts: undefined })}\n`);
    const noFacts = await runRules(["replay", "rascunho.yaml", "--from", "sem-fatos.jsonl"], dir);
    expect(noFacts.code).toBe(1);
    expect(noFacts.stderr).toBe(
      `erro: sem-fatos.jsonl, linha 1: registro ${records[0]!.id}: "facts" não é um objeto\n`,
    );

    writeFileSync(
      join(dir, "quebrado.yaml"),
      RECLAME.replace('then: acao = "NAO_E_RECLAME"', "then: acao = naoExiste"),
    );
    const broken = await runRules(["replay", "quebrado.yaml", "--from", "decisoes.jsonl"], dir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toMatch(/^quebrado\.yaml:\d+:\d+: error /m);
  });

  it("usage errors exit 2", async () => {
    expect((await runRules(["replay", "rascunho.yaml"], dir)).code).toBe(2);
    expect((await runRules(["replay", "rascunho.yaml", "--from", "x.jsonl", "--limit", "0"], dir)).code).toBe(2);
    expect((await runRules(["replay", "rascunho.yaml", "--from", "x.jsonl", "--since", "ontem"], dir)).code).toBe(2);
    const help = await runRules(["replay", "--help"], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Uso: rules replay/);
  });
});

/** A stand-in for the service: GET /v1/decisions (cursor = last id, pages of `page`) and the version source. */
function standIn(log: DecisionRecord[], token: string, page: number) {
  const storage = createMemoryDecisionStorage();
  const ready = storage.append(log);
  const requests: string[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    await ready;
    requests.push(req.url ?? "");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(401, { error: { code: "UNAUTHORIZED", message: "token ausente ou desconhecido", details: [] } });
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/v1/decisions") {
      const q = url.searchParams;
      const from = q.get("from");
      const to = q.get("to");
      const result = await storage.query({
        ...(q.get("ruleset") ? { ruleset: q.get("ruleset")! } : {}),
        order: q.get("order") === "asc" ? "asc" : "desc",
        limit: Math.min(page, Number(q.get("limit") ?? 100)),
        ...(from ? { from: Date.parse(from) } : {}),
        ...(to ? { to: Date.parse(to) } : {}),
        ...(q.get("cursor") ? { cursor: q.get("cursor")! } : {}),
      });
      return send(200, result);
    }
    if (url.pathname === "/v1/rulesets/reclame-designacao/versions/1")
      return send(200, { name: "reclame-designacao", version: 1, source: RECLAME, tests: null });
    return send(404, { error: { code: "NOT_FOUND", message: "rota desconhecida", details: [] } });
  });
  return {
    requests,
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("rules replay from the service", () => {
  it("follows the cursors, takes the baseline from the API and reports as from a file", async () => {
    const service = standIn(records, "segredo", 3);
    const url = await service.listen();
    try {
      const r = await runRules(["replay", "rascunho.yaml", "--from", url, "--token", "segredo", "--json"], dir);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ total: 7, changed: 4, unchanged: 3, notReproducible: 0, unverified: 0 });
      expect(report.groups[0].samples[0].responsible[0]).toMatchObject({ side: "changed", line: ROW_LINE });
      const pages = service.requests.filter((u) => u.startsWith("/v1/decisions"));
      // 7 records in pages of 3: three pages, the later ones with the cursor of the one before.
      expect(pages).toHaveLength(3);
      expect(pages[0]).toContain("ruleset=reclame-designacao");
      expect(pages[0]).toContain("order=asc");
      expect(pages[1]).toContain(`cursor=${records[2]!.id}`);
      expect(service.requests).toContain("/v1/rulesets/reclame-designacao/versions/1");
    } finally {
      await service.close();
    }
  });

  it("an HTTP error is reported with its status and the API's message (exit 1)", async () => {
    const service = standIn(records, "segredo", 3);
    const url = await service.listen();
    try {
      const r = await runRules(["replay", "rascunho.yaml", "--from", url, "--token", "errado"], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        "erro: o serviço respondeu 401 UNAUTHORIZED em /v1/decisions: token ausente ou desconhecido\n",
      );
    } finally {
      await service.close();
    }
  });

  it("prints progress on stderr every 1,000 records", async () => {
    const runtime = runtimeOf(compileOk(RECLAME));
    const many = await logDecisions(
      runtime,
      Array.from({ length: 2100 }, (_, i) =>
        reclameFacts({ numero: String(i), servico: i % 2 ? "Reembolso" : "Autorização Prévia" }),
      ),
    );
    const service = standIn(many, "segredo", 1000);
    const url = await service.listen();
    try {
      const withEnv = await replayWithEnv(["rascunho.yaml", "--from", url, "--json"], { RULES_TOKEN: "segredo" });
      expect(withEnv.stderr).toBe("1.000 decisões lidas...\n2.000 decisões lidas...\n");
      expect(JSON.parse(withEnv.stdout)).toMatchObject({ total: 2100, changed: 1050 });
    } finally {
      await service.close();
    }
  });
});
