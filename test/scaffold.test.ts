/**
 * `rules test --scaffold` (tester/scaffold.ts, cli/test.ts): the suite skeleton of a rule set. For
 * the shipped state machine: one case per allowed transition (counted from the model), a case per
 * guard that refuses, per required field left blank, a pair not allowed and a terminal state; the
 * text loads as a suite, checks clean against the rule set, and `rules test` runs it (cases whose
 * facts do not yet reach their expectation are tagged `todo`, every other case passes). `--out`
 * never overwrites without `--force`. A rule set without transitions gets a case per rule and per
 * table row.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliContext, main } from "../cli/main.js";
import { compileSource } from "../dsl/compile/pipeline.js";
import { checkSuite } from "../tester/check.js";
import { runSuite } from "../tester/run.js";
import { scaffoldSuite } from "../tester/scaffold.js";
import { loadSuite } from "../tester/suite.js";
import { readRuleSet, ROOT } from "./helpers/rulesets.js";

/** Compiling and running whole suites on a shared, loaded machine: a generous budget. */
const SLOW = 120_000;

async function run(cwd: string, ...argv: string[]) {
  let out = "";
  let err = "";
  const ctx: CliContext = {
    argv,
    cwd,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
  };
  const code = await main(ctx);
  return { code, out, err };
}

/** Scaffolds, loads, checks and runs a suite for a rule-set source. */
async function scaffoldAndRun(source: string) {
  const scaffold = await scaffoldSuite(source);
  if (!scaffold.ok) throw new Error(`did not scaffold: ${JSON.stringify(scaffold.diagnostics)}`);
  const loaded = loadSuite(scaffold.text);
  expect(loaded.diagnostics).toEqual([]);
  const compiled = compileSource(source).compiled;
  if (!compiled || !loaded.suite) throw new Error("no suite or rule set");
  expect(checkSuite(scaffold.text, compiled)).toEqual([]);
  const result = await runSuite(compiled, loaded.suite, { suiteSource: scaffold.text });
  return { scaffold, suite: loaded.suite, result };
}

describe("rules test --scaffold", { timeout: SLOW }, () => {
  it("protocolo-status: one case per allowed transition, refusals, a pair not allowed and a terminal state", async () => {
    const source = readRuleSet("protocolo-status");
    const model = compileSource(source).model;
    const allow = model?.transitions?.allow ?? [];
    expect(allow.length).toBeGreaterThan(0);
    const { scaffold, suite, result } = await scaffoldAndRun(source);
    if (!scaffold.ok) return;

    // One "Permitida" case per edge, each expecting that edge to fire and the transition allowed.
    const allowed = suite.cases.filter((c) => c.tags.includes("permitida"));
    expect(allowed.map((c) => c.name)).toEqual(allow.map((a) => `Permitida · ${a.from} → ${a.to}`));
    for (const [i, c] of allowed.entries()) {
      expect(c.fired).toEqual([`transição ${allow[i]?.from} → ${allow[i]?.to}`]);
      expect(c.expect).toEqual({ permitido: true, motivos: [], camposFaltando: [] });
    }
    // Guards that refuse: one per guard of each edge and per general guard; one per required field.
    const guards = allow.reduce((n, a) => n + a.guards.length, 0) + (model?.transitions?.guards.length ?? 0);
    const requires = allow.reduce((n, a) => n + a.requires.length, 0);
    const refused = suite.cases.filter((c) => c.name.startsWith("Recusada"));
    expect(refused).toHaveLength(guards + requires);
    expect(
      suite.cases.find((c) => c.name === "Recusada · Em atendimento → Pendente · sem setorPendencia")?.expect,
    ).toEqual({ permitido: false, camposFaltando: ["setorPendencia"] });
    // The guard "not protocolo.aberturaConcluida" is a fact-vs-constant test: its refusal is complete.
    const abandono = suite.cases.find((c) => c.name === "Recusada · Em atendimento → Abandonado · condição 1");
    expect(abandono?.expect).toEqual({
      permitido: false,
      motivos: ["Só é abandonado o protocolo cuja abertura não foi concluída."],
    });
    expect(abandono?.facts).toMatchObject({ protocolo: { status: "Em atendimento", aberturaConcluida: true } });
    // A pair that is not allowed, and a terminal state, with their refusal texts rendered.
    expect(suite.cases.find((c) => c.name.startsWith("Não permitida"))?.expect).toEqual({
      permitido: false,
      motivos: ['A transição de "Pendente" para "Abandonado" não é permitida.'],
    });
    expect(suite.cases.find((c) => c.name.startsWith("Estado terminal"))?.expect).toEqual({
      permitido: false,
      motivos: ['O protocolo está "Concluído", um status final.'],
    });
    expect(suite.cases).toHaveLength(allow.length + guards + requires + 2);

    // Required facts get typed placeholders (defaults).
    expect(scaffold.defaults).toEqual({
      protocolo: { status: "Em atendimento", aberturaConcluida: false, pendenciasAbertas: 0 },
      transicao: { para: "Em atendimento", ator: "OPERACAO" },
    });

    // The guard the scaffold cannot satisfy (count(camposFaltandoConclusao) == 0) is a TODO; the
    // cases it blocks are tagged todo, and every case that is not passes as generated.
    expect(scaffold.text).toContain(
      "# TODO: garanta que count(camposFaltandoConclusao) == 0 (condição 2 da transição)",
    );
    const todo = new Set(scaffold.cases.filter((c) => c.todo).map((c) => c.name));
    expect(todo).toEqual(
      new Set([
        "Permitida · Em atendimento → Concluído",
        "Recusada · Em atendimento → Concluído · condição 1",
        "Permitida · Pendente → Concluído",
        "Recusada · Pendente → Concluído · condição 1",
        "Recusada · condição geral 1 · Em atendimento → Concluído",
      ]),
    );
    for (const c of result.cases) expect(c.passed, c.name).toBe(!todo.has(c.name));
    for (const c of suite.cases) expect(c.tags.includes("todo"), c.name).toBe(todo.has(c.name));
    // Every transition is exercised by the skeleton.
    expect(result.coverage.transitions.covered).toBe(result.coverage.transitions.total);
  });

  it("the CLI prints the skeleton, writes it with --out, refuses to overwrite without --force", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rules-scaffold-"));
    copyFileSync(join(ROOT, "rules", "protocolo-status.yaml"), join(dir, "protocolo-status.yaml"));

    const printed = await run(dir, "test", "--scaffold", "protocolo-status.yaml");
    expect(printed.code).toBe(0);
    expect(printed.out).toMatch(/^# Esqueleto gerado por `rules test --scaffold` a partir de protocolo-status\.yaml\./);
    expect(printed.err).toBe("esqueleto de protocolo-status.yaml: 14 casos, 5 com TODO\n");

    // The suite's own path names the same rule set.
    const bySuitePath = await run(dir, "test", "--scaffold", "protocolo-status.test.yaml");
    expect(bySuitePath.out).toBe(printed.out);

    const target = join(dir, "protocolo-status.test.yaml");
    const written = await run(
      dir,
      "test",
      "--scaffold",
      "protocolo-status.yaml",
      "--out",
      "protocolo-status.test.yaml",
    );
    expect(written.code).toBe(0);
    expect(written.err).toBe("escrito protocolo-status.test.yaml: 14 casos, 5 com TODO\n");
    expect(readFileSync(target, "utf8")).toBe(printed.out);

    writeFileSync(target, "# editado pelo QA\n");
    const refused = await run(
      dir,
      "test",
      "--scaffold",
      "protocolo-status.yaml",
      "--out",
      "protocolo-status.test.yaml",
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("protocolo-status.test.yaml já existe: escolha outro nome ou use --force");
    expect(readFileSync(target, "utf8")).toBe("# editado pelo QA\n");

    const forced = await run(
      dir,
      "test",
      "--scaffold",
      "protocolo-status.yaml",
      "--out",
      "protocolo-status.test.yaml",
      "--force",
    );
    expect(forced.code).toBe(0);
    expect(readFileSync(target, "utf8")).toBe(printed.out);

    // `rules check` on the suite finds nothing; `rules test` runs it (the todo cases fail).
    const checked = await run(dir, "check", "protocolo-status.test.yaml");
    expect(checked.code).toBe(0);
    const tested = await run(dir, "test", "protocolo-status.test.yaml");
    expect(tested.out).toContain("9 passed, 5 failed");
    expect(tested.out).toContain("cobertura 100%");
  });

  it("usage errors: no file, --out without --scaffold, a rule set with errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rules-scaffold-"));
    expect((await run(dir, "test", "--scaffold")).code).toBe(2);
    expect((await run(dir, "test", "--out", "x.test.yaml")).code).toBe(2);
    writeFileSync(
      join(dir, "ruim.yaml"),
      "ruleset: ruim\ndescription: x\nrules:\n  - name: r\n    when: idade >\n    then: []\n",
    );
    const broken = await run(dir, "test", "--scaffold", "ruim.yaml", "--out", "ruim.test.yaml");
    expect(broken.code).toBe(1);
    expect(broken.err).toContain("erro: ruim.yaml tem erros; corrija-os antes de gerar o esqueleto da suíte");
    expect(existsSync(join(dir, "ruim.test.yaml"))).toBe(false);
  });

  it("a rule set without transitions: one case per rule and per table row, facts from literal cells", async () => {
    const source = `ruleset: faixas
description: Faixas por idade e plano.
facts:
  idade: { type: integer, required: true, minimum: 0 }
  plano: { type: string, enum: [Básico, Premium], required: true }
  vip: boolean
outputs:
  faixa: { type: string, nullable: true }
  prioridade: { type: string, default: NORMAL }
tables:
  - name: porIdade
    hitPolicy: first
    inputs: [idade, plano]
    outputs: [faixa]
    rows:
      - ["< 18", "-", JOVEM]
      - ["[18..59]", Premium, ADULTO_PREMIUM]
      - [">= 60", "-", SENIOR]
      - ["-", "-", ADULTO]
rules:
  - name: copiar a faixa
    then: faixa = porIdade.faixa
  - name: cliente vip
    when: vip and plano == "Premium"
    then: prioridade = "ALTA"
`;
    const { scaffold, suite, result } = await scaffoldAndRun(source);
    if (!scaffold.ok) return;
    expect(suite.cases.map((c) => c.name)).toEqual([
      "Regra · copiar a faixa",
      "Regra · cliente vip",
      "Tabela porIdade · linha 1",
      "Tabela porIdade · linha 2",
      "Tabela porIdade · linha 3",
      "Tabela porIdade · linha 4",
    ]);
    expect(suite.cases[1]?.facts).toMatchObject({ vip: true, plano: "Premium" });
    expect(suite.cases[1]?.expect).toEqual({ prioridade: "ALTA" });
    expect(suite.cases[3]?.facts).toMatchObject({ idade: 18, plano: "Premium" });
    expect(suite.cases[3]?.fired).toEqual(["porIdade · linha 2"]);
    expect(suite.cases[4]?.facts).toMatchObject({ idade: 60 });
    // Row 4 (all "-") is shadowed by the earlier rows for the placeholder facts (idade 0): todo.
    expect(scaffold.cases.filter((c) => c.todo).map((c) => c.name)).toEqual(["Tabela porIdade · linha 4"]);
    expect(result.cases.filter((c) => !c.passed).map((c) => c.name)).toEqual(["Tabela porIdade · linha 4"]);
  });
});
