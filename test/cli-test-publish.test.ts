/**
 * `rules test` (QA's suites: report, diffs, coverage, JUnit), `rules publish` against a real
 * listening service, and `rules token`.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliContext } from "../cli/main.js";
import { publish } from "../cli/publish.js";
import { buildApp } from "../server/app.js";
import { hashToken, newToken } from "../server/auth.js";
import { loadConfig } from "../server/config.js";
import { Registry } from "../server/registry.js";
import { createFileStore } from "../server/store/file-store.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The machine is shared and loaded: commands that compile and run whole suites get a generous budget. */
const SLOW = 120_000;

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

/** A work folder with a copy of reclame-designacao and its suite. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "rules-cli-"));
  for (const f of ["reclame-designacao.yaml", "reclame-designacao.test.yaml"])
    copyFileSync(join(ROOT, "rules", f), join(dir, f));
  return dir;
}

describe("rules test", { timeout: SLOW }, () => {
  it("runs the shipped suites from the project folder and reports 100% coverage", async () => {
    const r = await run(ROOT, "test");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\d+ passed, 0 failed/);
    expect(r.out).toContain("cobertura 100%");
    expect(r.out).toContain("✓ ");
  });

  it("a deliberately broken rule set makes the named cases fail with readable diffs", async () => {
    const dir = workspace();
    const file = join(dir, "reclame-designacao.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "servico: Reembolso, designacao: GIPES",
        "servico: Reembolso, designacao: CEPES",
      ),
    );
    const r = await run(dir, "test", "reclame-designacao.test.yaml");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ .*Reembolso.*reclame-designacao\.test\.yaml:\d+:\d+/);
    expect(r.out).toContain("designacao: valor diferente");
    expect(r.out).toContain('esperado: "GIPES"');
    expect(r.out).toContain('obtido:   "CEPES"');
    expect(r.out).toMatch(/\d+ passed, [1-9]\d* failed/);
  });

  it("lists what no case exercised, with its position in the rule set", async () => {
    const dir = workspace();
    copyFileSync(join(dir, "reclame-designacao.yaml"), join(dir, "so-um.yaml"));
    writeFileSync(
      join(dir, "so-um.test.yaml"),
      `suite: reclame-designacao
cases:
  - name: um caso só
    facts: { tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Reembolso, entradaEm: 2026-04-01T09:15 }
    expect: { acao: DESIGNAR }
`,
    );
    const r = await run(dir, "test", "so-um.test.yaml");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/não exercitado: protocolo não validado pelo Reclame {2}so-um\.yaml:\d+:\d+/);
    expect(r.out).toMatch(/não exercitado: designacaoPorServico · linha 1 {2}so-um\.yaml:\d+:\d+/);
    expect(r.out).not.toContain("cobertura 100%");
  });

  it("--reporter junit prints JUnit XML with a failure element per failing case", async () => {
    const dir = workspace();
    const file = join(dir, "reclame-designacao.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "servico: Reembolso, designacao: GIPES",
        "servico: Reembolso, designacao: CEPES",
      ),
    );
    const r = await run(dir, "test", "--reporter", "junit", "reclame-designacao.test.yaml");
    expect(r.code).toBe(1);
    expect(r.out.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(r.out).toMatch(/<testsuite name="reclame-designacao" [^>]*failures="[1-9]\d*"/);
    expect(r.out).toMatch(/<testcase [^>]*name="[^"]*Reembolso[^"]*"[^>]*>\s*<failure/);
  });

  it("--tag runs only the tagged cases", async () => {
    const all = await run(ROOT, "test", "rules/reclame-designacao.test.yaml");
    const some = await run(ROOT, "test", "--tag", "gravacao", "rules/reclame-designacao.test.yaml");
    const count = (s: string) => Number(/(\d+) passed/.exec(s)?.[1]);
    expect(count(some.out)).toBeGreaterThan(0);
    expect(count(some.out)).toBeLessThan(count(all.out));
  });

  it("a suite with a structural mistake is reported with its position and fails", async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, "reclame-designacao.test.yaml"),
      "suite: reclame-designacao\ncases:\n  - name: sem expect\n    facts: {}\n",
    );
    const r = await run(dir, "test", "reclame-designacao.test.yaml");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/reclame-designacao\.test\.yaml:3:\d+: error ruleset\/structure .*expect/);
  });

  it("clear errors for a missing file and a bad reporter", async () => {
    expect((await run(ROOT, "test", "nao-existe.test.yaml")).err).toContain(
      "arquivo não encontrado: nao-existe.test.yaml",
    );
    const bad = await run(ROOT, "test", "--reporter", "xml");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--reporter deve ser text ou junit");
  });
});

describe("rules publish (against a real listening service)", { timeout: SLOW }, () => {
  let app: FastifyInstance;
  let url: string;
  const publisher = "token-de-publicacao-sintetico";
  const reader = "token-de-decisao-sintetico";
  /** A token made by hand (or by an older `rules token`) that starts with "-". */
  const dashed = "-token-de-publicacao-com-hifen";

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "rules-publish-"));
    const config = loadConfig(
      {
        DATA_DIR: dataDir,
        TOKENS: `ci:publisher:${hashToken(publisher)};crm:decide:${hashToken(reader)};ci2:publisher:${hashToken(dashed)}`,
        LOG_LEVEL: "silent",
      },
      ROOT,
    );
    const store = createFileStore(config.dataDir);
    await store.open();
    const registry = new Registry(store);
    registry.loadAll();
    app = await buildApp({ config, registry, logger: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  }, SLOW);
  afterAll(async () => {
    await app.close();
  });

  async function pub(cwd: string, ...argv: string[]) {
    const ctx = io(cwd);
    const code = await publish({ ...ctx, argv }, {});
    return { code, out: ctx.out(), err: ctx.err() };
  }

  it("publishes a file with its suite, then a second version", async () => {
    const dir = workspace();
    const first = await pub(
      dir,
      "reclame-designacao.yaml",
      "--server",
      url,
      "--token",
      publisher,
      "--message",
      "primeira",
    );
    expect(first.err).toBe("");
    expect(first.out).toBe("publicado reclame-designacao versão 1 (com a suíte reclame-designacao.test.yaml)\n");
    const second = await pub(dir, "reclame-designacao.yaml", "--server", url, "--token", publisher);
    expect(second.out).toContain("versão 2");
    const res = await fetch(`${url}/v1/decide/reclame-designacao`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${reader}` },
      body: JSON.stringify({
        facts: {
          tipoAtendimento: "Reclamação",
          tipoCliente: "Beneficiário",
          servico: "Reembolso",
          entradaEm: "2026-04-01T09:15",
        },
      }),
    });
    expect(((await res.json()) as { version: number }).version).toBe(2);
  });

  it("is refused with the failing cases when the suite fails, and nothing changes", async () => {
    const dir = workspace();
    const file = join(dir, "reclame-designacao.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "servico: Reembolso, designacao: GIPES",
        "servico: Reembolso, designacao: CEPES",
      ),
    );
    const r = await pub(dir, "reclame-designacao.yaml", "--server", url, "--token", publisher);
    expect(r.code).toBe(1);
    expect(r.err).toContain("erro 422 TESTS_FAILED");
    expect(r.err).toMatch(/reclame-designacao\.test\.yaml:\d+:\d+: caso ".*Reembolso.*" falhou/);
    expect(r.err).toContain('designacao: valor diferente; esperado "GIPES", obtido "CEPES"');
    const state = await fetch(`${url}/v1/rulesets/reclame-designacao`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(((await state.json()) as { version: number }).version).toBe(2);
  });

  it("--token=VALUE passes a token that starts with '-'; --token VALUE explains how", async () => {
    const dir = workspace();
    const ok = await pub(dir, "reclame-designacao.yaml", `--server=${url}`, `--token=${dashed}`);
    expect(ok.err).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^publicado reclame-designacao versão \d+/);
    const spaced = await pub(dir, "reclame-designacao.yaml", "--server", url, "--token", dashed);
    expect(spaced.code).toBe(2);
    expect(spaced.err).toContain("--token=valor");
  });

  it("a file that does not compile never leaves the machine", async () => {
    const dir = workspace();
    const file = join(dir, "reclame-designacao.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("when: not protocoloValidado", "when: not protocoloValidad"),
    );
    const r = await pub(dir, "reclame-designacao.yaml", "--server", url, "--token", publisher);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/reclame-designacao\.yaml:\d+:\d+: error check\/unknown-fact/);
  });

  it("a wrong or missing token, a stale base version and an unreachable server are clear errors", async () => {
    const dir = workspace();
    expect((await pub(dir, "reclame-designacao.yaml", "--server", url, "--token", reader)).err).toContain(
      "erro 403 FORBIDDEN",
    );
    expect((await pub(dir, "reclame-designacao.yaml", "--server", url)).err).toContain("erro 401 UNAUTHORIZED");
    expect(
      (await pub(dir, "reclame-designacao.yaml", "--server", url, "--token", publisher, "--base-version", "1")).err,
    ).toContain("erro 409 CONFLICT");
    const down = await pub(dir, "reclame-designacao.yaml", "--server", "http://127.0.0.1:9", "--token", publisher);
    expect(down.code).toBe(1);
    expect(down.err).toContain("não foi possível falar com http://127.0.0.1:9");
    expect((await pub(dir, "reclame-designacao.yaml")).code).toBe(2);
  });
});

describe("rules token", { timeout: SLOW }, () => {
  it("never generates a token that starts with '-' or '_' (1,000 tokens), so `--token \"$T\"` always works", () => {
    const tokens = Array.from({ length: 1000 }, () => newToken("crm", ["decide"]).token);
    expect(tokens.filter((t) => t.startsWith("-") || t.startsWith("_"))).toEqual([]);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{42}$/);
    expect(new Set(tokens).size).toBe(1000);
  });

  it("a printed token works as the value of --token in the next command", async () => {
    for (let i = 0; i < 50; i++) {
      const r = await run(ROOT, "token", "--name", "crm", "--roles", "decide");
      const token = /token \(guarde-o agora; ele não é armazenado\): (\S+)/.exec(r.out)?.[1] ?? "";
      expect(token).toMatch(/^[A-Za-z0-9]/);
      // parsed as the option's value, not as an unknown option
      const help = await run(ROOT, "publish", "--token", token, "--help");
      expect(help.code).toBe(0);
    }
  });

  it("prints a new token and the configuration line holding only its hash", async () => {
    const r = await run(ROOT, "token", "--name", "crm", "--roles", "decide");
    expect(r.code).toBe(0);
    const token = /token \(guarde-o agora; ele não é armazenado\): (\S+)/.exec(r.out)?.[1] ?? "";
    expect(token.length).toBeGreaterThanOrEqual(40);
    expect(r.out).toContain(`linha para TOKENS ou TOKENS_FILE: crm:decide:${hashToken(token)}`);
    expect(r.out.split(token).length).toBe(2);
    expect((await run(ROOT, "token", "--name", "crm", "--roles", "admin")).err).toContain('papel desconhecido "admin"');
  });
});
