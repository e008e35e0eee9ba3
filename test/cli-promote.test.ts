/**
 * `rules promote`: a logged decision (from a JSON Lines file or the service's GET /v1/decisions/:id)
 * appended to the suite beside the rule set, written whole, the suite then passing `rules test`;
 * clear errors for an unknown id, an unreadable suite and a decision of another rule set.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliContext, main } from "../cli/main.js";
import { COMMAND_HELP } from "../cli/help.js";
import { promote } from "../cli/promote.js";
import { loggedDecision } from "./helpers/decision-records.js";
import { RECLAME_FACTS, RULES } from "./promote-fixtures.js";

const SLOW = 120_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function io(cwd: string): CliContext & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    argv: [],
    cwd,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    out: () => out,
    err: () => err,
  };
}

async function run(cwd: string, ...argv: string[]) {
  const ctx = io(cwd);
  const code = await main({ ...ctx, argv });
  return { code, out: ctx.out(), err: ctx.err() };
}

/** A project folder with rules/<name>.yaml and its suite. */
function workspace(...names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "rules-promote-"));
  dirs.push(dir);
  mkdirSync(join(dir, "rules"));
  for (const n of names)
    for (const f of [`${n}.yaml`, `${n}.test.yaml`]) copyFileSync(join(RULES, f), join(dir, "rules", f));
  return dir;
}

describe("rules promote", { timeout: SLOW }, () => {
  it("appends a decision from a JSON Lines file; the suite keeps its lines and passes rules test", async () => {
    const dir = workspace("reclame-designacao");
    const other = await loggedDecision("reclame-designacao", { ...RECLAME_FACTS, servico: "Autorização Prévia" });
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    writeFileSync(join(dir, "decisoes.jsonl"), `${JSON.stringify(other)}\n${JSON.stringify(record)}\n`);
    const suitePath = join(dir, "rules", "reclame-designacao.test.yaml");
    const before = readFileSync(suitePath, "utf8");

    const r = await run(dir, "promote", record.id, "--from", "decisoes.jsonl", "--tag", "regressao", "--tag=reembolso");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /acrescentado a rules\/reclame-designacao\.test\.yaml: caso "Decisão [0-9a-f]{8} · 01\/04\/2026 09:15" \(reproduz a decisão registrada\)/,
    );
    const after = readFileSync(suitePath, "utf8");
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toContain("tags: [producao, regressao, reembolso]");
    expect(readdirSync(join(dir, "rules")).sort()).toEqual(["reclame-designacao.test.yaml", "reclame-designacao.yaml"]);

    const t = await run(dir, "test", "rules/reclame-designacao.test.yaml", "--tag", "producao");
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/1 passed, 0 failed/);

    // The same decision again: a unique name.
    const again = await run(dir, "promote", record.id, "--from", "decisoes.jsonl");
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/caso "Decisão [0-9a-f]{8} · 01\/04\/2026 09:15 \(2\)"/);
    expect((await run(dir, "test", "rules/reclame-designacao.test.yaml")).code).toBe(0);
  });

  it("reads the record from the service, with the token", async () => {
    const dir = workspace("reclame-designacao");
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    const seen: string[] = [];
    const server: Server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization ?? ""}`);
      if (req.url === `/v1/decisions/${record.id}`) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(record));
      } else
        res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { code: "NOT_FOUND", message: "decisão desconhecida" } }));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const ctx = io(dir);
      const code = await promote(
        { ...ctx, argv: [record.id, "--from", url, "--name", "Reembolso de produção"] },
        { RULES_TOKEN: "tok-123" },
      );
      expect(ctx.err()).toBe("");
      expect(code).toBe(0);
      expect(seen).toEqual([`/v1/decisions/${record.id} Bearer tok-123`]);
      expect(readFileSync(join(dir, "rules", "reclame-designacao.test.yaml"), "utf8")).toContain(
        "- name: Reembolso de produção",
      );
      const missing = await run(dir, "promote", "0000-nao-existe", "--from", url);
      expect(missing.code).toBe(1);
      expect(missing.err).toContain("decisão desconhecida: 0000-nao-existe");
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  it("refuses an unknown id, an unreadable suite (with its line) and a decision of another rule set", async () => {
    const dir = workspace("reclame-designacao", "retencao");
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    writeFileSync(join(dir, "d.json"), JSON.stringify({ items: [record] }));
    const unknown = await run(dir, "promote", "nao-existe", "--from", "d.json");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("decisão desconhecida: nenhuma decisão com o id nao-existe em d.json");

    const suitePath = join(dir, "rules", "reclame-designacao.test.yaml");
    const broken = `${readFileSync(suitePath, "utf8")}  - name: quebrado\n    facts: { a: [1 }\n`;
    writeFileSync(suitePath, broken);
    const bad = await run(dir, "promote", record.id, "--from", "d.json");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(
      /rules\/reclame-designacao\.test\.yaml: a suíte de testes não pode ser lida \(linha \d+, coluna \d+\)/,
    );
    expect(readFileSync(suitePath, "utf8")).toBe(broken);

    const wrong = await run(dir, "promote", record.id, "--from", "d.json", "--suite", "rules/retencao.test.yaml");
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(
      'a decisão é do conjunto de regras "reclame-designacao", mas rules/retencao.yaml é "retencao"',
    );

    const help = await run(dir, "promote", "--help");
    expect(help).toEqual({ code: 0, out: COMMAND_HELP.promote, err: "" });
    const usage = await run(dir, "promote", record.id);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("falta --from");
  });

  it("a masked decision that does not reproduce is refused, and written tagged revisar with --force", async () => {
    const dir = workspace("retencao");
    const record = await loggedDecision("retencao", {
      colaborador: "Marcos Tavares Ilha",
      operadora: "ODONTOEXEMPLO",
      uf: "SP",
      cpf: "27182818205",
      tipoPessoa: "F",
      demandadoPor: "Operadora",
    });
    writeFileSync(join(dir, "d.jsonl"), `${JSON.stringify(record)}\n`);
    const suitePath = join(dir, "rules", "retencao.test.yaml");
    const before = readFileSync(suitePath, "utf8");
    const refused = await run(dir, "promote", record.id, "--from", "d.jsonl");
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/não se reproduz \(os fatos pessoais estão mascarados e as regras os leem\)/);
    expect(readFileSync(suitePath, "utf8")).toBe(before);

    const forced = await run(dir, "promote", record.id, "--from", "d.jsonl", "--force");
    expect(forced.code).toBe(0);
    expect(forced.out).toContain("NÃO reproduz a decisão registrada: etiqueta revisar");
    const added = readFileSync(suitePath, "utf8").slice(before.length);
    expect(added).toContain("# fatos pessoais mascarados: substitua por dados sintéticos");
    expect(added).toContain("tags: [producao, revisar]");
    // The suite still loads; the new case fails until someone replaces the masked values.
    const t = await run(dir, "test", "rules/retencao.test.yaml", "--tag", "revisar");
    expect(t.code).toBe(1);
    expect(t.out).toMatch(/0 passed, 1 failed/);
  });

  it("starts the suite when the rule set has none", async () => {
    const dir = workspace();
    copyFileSync(join(RULES, "reclame-designacao.yaml"), join(dir, "rules", "reclame-designacao.yaml"));
    const record = await loggedDecision("reclame-designacao", RECLAME_FACTS);
    writeFileSync(join(dir, "d.jsonl"), JSON.stringify(record));
    const r = await run(dir, "promote", record.id, "--from", "d.jsonl");
    expect(r.code).toBe(0);
    expect(r.out).toContain("criada a suíte rules/reclame-designacao.test.yaml");
    expect(readFileSync(join(dir, "rules", "reclame-designacao.test.yaml"), "utf8")).toMatch(
      /^suite: reclame-designacao\ncases:\n/,
    );
    expect((await run(dir, "test", "rules/reclame-designacao.test.yaml")).code).toBe(0);
  });
});
