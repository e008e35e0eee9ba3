/**
 * Mutation score (issue 11, "Mutation score for QA"; tester/mutate.ts, `rules test --mutate`):
 * the operators produce the expected mutants on a small fixture (text before and after); a suite
 * that pins the behaviour kills every valid one; a weak suite leaves named survivors whose
 * suggested cases, appended to the suite, kill them; invalid and equivalent mutants are counted
 * apart from the score; the CLI prints text and JSON and honours --min-score; and the shipped
 * suites kill at least 95% of their rule sets' valid mutants. Synthetic data only.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { test as testCommand } from "../cli/test.js";
import { compileSource } from "../dsl/compile/pipeline.js";
import {
  applyMutant,
  generateMutants,
  type Mutant,
  mutateSuite,
  mutationReport,
  mutationScore,
  prepareSubject,
  runMutant,
} from "../tester/mutate.js";
import { loadSuite, type TestSuite } from "../tester/suite.js";

const SOURCE = `ruleset: mini-mutantes
description: Conjunto pequeno para os mutantes.
facts:
  tipo: { type: string, enum: [A, B, C], required: true }
  valor: { type: integer, required: true }
outputs:
  faixa: { type: string, enum: [BAIXA, ALTA], nullable: true }
  grupo: { type: string, nullable: true }
  alerta: { type: boolean, default: false }
tables:
  - name: grupoPorTipo
    hitPolicy: unique
    onNoMatch: null
    inputs: [tipo]
    outputs: [grupo]
    rows:
      - { tipo: A, grupo: G1 }
      - { tipo: B, grupo: G2 }
      - { tipo: C, grupo: G3 }
rules:
  - name: faixa alta
    priority: 20
    when: valor >= 100
    then:
      - faixa = "ALTA"
      - alerta = true
    stop: true
  - name: faixa baixa
    priority: 10
    when: valor >= 10
    then: faixa = "BAIXA"
    stop: true
  - name: grupo
    priority: 30
    then: grupo = grupoPorTipo.grupo
`;

const STRONG = `suite: mini-mutantes
cases:
  - name: alta no limite
    facts: { tipo: A, valor: 100 }
    expect: { faixa: ALTA, alerta: true, grupo: G1 }
  - name: baixa logo abaixo do limite
    facts: { tipo: B, valor: 99 }
    expect: { faixa: BAIXA, alerta: false, grupo: G2 }
  - name: baixa no limite
    facts: { tipo: C, valor: 10 }
    expect: { faixa: BAIXA, grupo: G3 }
  - name: sem faixa
    facts: { tipo: A, valor: 9 }
    expect: { faixa: null, grupo: G1 }
`;

const WEAK = `suite: mini-mutantes
cases:
  - name: alta
    facts: { tipo: A, valor: 150 }
    expect: { faixa: ALTA }
`;

function suiteOf(text: string): TestSuite {
  const { suite, diagnostics } = loadSuite(text);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return suite as TestSuite;
}

function find(mutants: readonly Mutant[], description: string): Mutant {
  const m = mutants.find((x) => x.description === description);
  expect(m, `mutante "${description}" em ${mutants.map((x) => x.description).join(" | ")}`).toBeDefined();
  return m as Mutant;
}

describe("generateMutants", () => {
  const { mutants, total } = generateMutants(SOURCE);

  it("produces each operator's mutants, in a deterministic order", () => {
    expect(total).toBe(mutants.length);
    expect(mutants.map((m) => `${m.operator}: ${m.description}`)).toEqual([
      "table-output: linha 1 da tabela grupoPorTipo: grupo G1 → G2",
      "drop-row: linha 1 da tabela grupoPorTipo removida",
      "table-output: linha 2 da tabela grupoPorTipo: grupo G2 → G3",
      "drop-row: linha 2 da tabela grupoPorTipo removida",
      "table-output: linha 3 da tabela grupoPorTipo: grupo G3 → G1",
      "drop-row: linha 3 da tabela grupoPorTipo removida",
      'negate: regra "faixa alta": condição negada (not (valor >= 100))',
      'comparison: regra "faixa alta" (when): >= → > em valor >= 100',
      'constant: regra "faixa alta" (when): 100 → 99',
      'constant: regra "faixa alta" (when): 100 → 101',
      'remove-action: regra "faixa alta": ação removida: faixa = "ALTA"',
      'remove-action: regra "faixa alta": ação removida: alerta = true',
      'negate: regra "faixa baixa": condição negada (not (valor >= 10))',
      'comparison: regra "faixa baixa" (when): >= → > em valor >= 10',
      'constant: regra "faixa baixa" (when): 10 → 9',
      'constant: regra "faixa baixa" (when): 10 → 11',
      'priority-swap: prioridades trocadas: regra "grupo" (30) ↔ regra "faixa alta" (20)',
      'priority-swap: prioridades trocadas: regra "faixa alta" (20) ↔ regra "faixa baixa" (10)',
    ]);
    expect(generateMutants(SOURCE).mutants).toEqual(mutants);
    expect(mutants.map((m) => m.id)).toEqual(mutants.map((_, i) => i + 1));
  });

  it("each mutant is the original text with one slice replaced", () => {
    const text = (d: string) => applyMutant(SOURCE, find(mutants, d));
    expect(text("linha 1 da tabela grupoPorTipo: grupo G1 → G2")).toContain("- { tipo: A, grupo: G2 }\n");
    expect(text("linha 2 da tabela grupoPorTipo removida")).not.toContain("tipo: B");
    expect(text("linha 2 da tabela grupoPorTipo removida")).toContain(
      "      - { tipo: A, grupo: G1 }\n      - { tipo: C, grupo: G3 }\n",
    );
    expect(text('regra "faixa alta": condição negada (not (valor >= 100))')).toContain("when: not (valor >= 100)\n");
    expect(text('regra "faixa alta" (when): >= → > em valor >= 100')).toContain("when: valor > 100\n");
    expect(text('regra "faixa baixa" (when): 10 → 9')).toContain("when: valor >= 9\n");
    expect(text('regra "faixa alta": ação removida: alerta = true')).toContain(
      '    then:\n      - faixa = "ALTA"\n    stop: true\n',
    );
    const swapped = text('prioridades trocadas: regra "faixa alta" (20) ↔ regra "faixa baixa" (10)');
    expect(swapped).toContain("name: faixa alta\n    priority: 10\n");
    expect(swapped).toContain("name: faixa baixa\n    priority: 20\n");
    // Every slice replaced is the one the range names; the rest is untouched.
    for (const m of mutants) {
      const out = applyMutant(SOURCE, m);
      expect(out.slice(0, m.range.start)).toBe(SOURCE.slice(0, m.range.start));
      expect(out.slice(m.range.start + m.replacement.length)).toBe(SOURCE.slice(m.range.end));
    }
  });

  it("shifts dates, date-times and durations by one unit, and respects --max-mutants", () => {
    const dated = SOURCE.replace("when: valor >= 10\n", "when: valor >= 10 and dataRef >= 2026-04-01\n").replace(
      "  valor: { type: integer, required: true }\n",
      "  valor: { type: integer, required: true }\n  dataRef: { type: date }\n",
    );
    const descriptions = generateMutants(dated).mutants.map((m) => m.description);
    expect(descriptions).toContain('regra "faixa baixa" (when): 2026-04-01 → 2026-03-31');
    expect(descriptions).toContain('regra "faixa baixa" (when): 2026-04-01 → 2026-04-02');
    expect(descriptions).toContain('regra "faixa baixa" (when): and → or entre valor >= 10 e dataRef >= 2026-04-01');
    const capped = generateMutants(SOURCE, { maxMutants: 5 });
    expect(capped.mutants).toHaveLength(5);
    expect(capped.total).toBe(mutants.length);
    expect(generateMutants("ruleset: [")).toEqual({ mutants: [], total: 0 });
  });
});

describe("runMutant and the score", () => {
  it("a suite that pins the behaviour kills every mutant", async () => {
    const report = await mutateSuite(SOURCE, suiteOf(STRONG), STRONG);
    expect(report).toBeDefined();
    const survivors = report?.mutants.filter((m) => m.status === "survived").map((m) => m.description);
    expect(survivors).toEqual([]);
    expect(report?.score).toBe(100);
    expect(report?.killed).toBe(report?.mutants.length);
    for (const m of report?.mutants ?? []) expect(m.killedBy, m.description).toBeTypeOf("string");
  });

  it("a weak suite leaves named survivors, and each suggested case, appended to it, kills its mutant", async () => {
    const report = await mutateSuite(SOURCE, suiteOf(WEAK), WEAK);
    const survivors = report?.mutants.filter((m) => m.status === "survived") ?? [];
    const names = survivors.map((m) => m.description);
    expect(names).toContain('regra "faixa baixa" (when): 10 → 11');
    expect(names).toContain("linha 2 da tabela grupoPorTipo: grupo G2 → G3");
    expect(names).toContain('regra "faixa alta" (when): >= → > em valor >= 100');
    expect(report?.score).toBe(mutationScore(report?.killed ?? 0, report?.survived ?? 0));
    expect(report?.score).toBeLessThan(100);
    const atLimit = survivors.find((m) => m.description === 'regra "faixa alta" (when): >= → > em valor >= 100');
    expect(atLimit?.suggestedCase?.facts).toMatchObject({ valor: 100 });
    expect(atLimit?.suggestedCase?.expect).toMatchObject({ faixa: "ALTA" });
    expect(atLimit?.line).toBe(23);
    expect(atLimit?.column).toBe(17);
    for (const m of survivors) {
      expect(m.suggestedCase, m.description).toBeDefined();
      const extended = `${WEAK}${m.suggestedCase?.yaml}`;
      const subject = await prepareSubject(SOURCE, suiteOf(extended), extended);
      expect(subject?.failing, "the suggested case passes against the original").toEqual([]);
      const outcome = await runMutant(subject as NonNullable<typeof subject>, m);
      expect(outcome.status, `${m.description}\n${m.suggestedCase?.yaml}`).toBe("killed");
      expect(outcome.killedBy).toBe(m.suggestedCase?.name);
    }
  });

  it("score: killed / (killed + survivors), one decimal rounded down, 100 with no valid mutant", () => {
    expect(mutationScore(9, 1)).toBe(90);
    expect(mutationScore(2, 1)).toBe(66.6);
    expect(mutationScore(0, 3)).toBe(0);
    expect(mutationScore(0, 0)).toBe(100);
  });

  it("mutants that do not compile or compile to the original are counted apart, never as killed", async () => {
    const subject = await prepareSubject(SOURCE, suiteOf(WEAK), WEAK);
    if (!subject) throw new Error("fixture must compile");
    const at = SOURCE.indexOf(">= 100");
    const broken: Mutant = {
      id: 1,
      operator: "comparison",
      range: { start: at, end: at + 2 },
      replacement: "=>",
      description: "quebrado",
      hints: [],
    };
    const number = SOURCE.indexOf("100");
    const same: Mutant = { ...broken, id: 2, range: { start: number, end: number + 3 }, replacement: "100.0" };
    expect(compileSource(applyMutant(SOURCE, same)).ok).toBe(true);
    const killed: Mutant = { ...broken, id: 3, range: { start: number, end: number + 3 }, replacement: "200" };
    const outcomes = [
      await runMutant(subject, broken),
      await runMutant(subject, same),
      await runMutant(subject, killed),
    ];
    expect(outcomes.map((o) => o.status)).toEqual(["invalid", "equivalent", "killed"]);
    const report = mutationReport("mini-mutantes", SOURCE, { mutants: [broken, same, killed], total: 3 }, outcomes);
    expect(report).toMatchObject({ killed: 1, survived: 0, invalid: 1, equivalent: 1, score: 100 });
  });

  it("swapping the priorities of two rules that never hold together is equivalent", () => {
    const exclusive = SOURCE.replace("when: valor >= 100", 'when: tipo == "A"').replace(
      "when: valor >= 10",
      'when: tipo == "B" and valor >= 10',
    );
    const swap = generateMutants(exclusive).mutants.find((m) =>
      m.description.startsWith('prioridades trocadas: regra "faixa alta" (20)'),
    );
    expect(swap?.equivalent).toContain('tipo == "A" × tipo == "B"');
  });

  it("a case failing against the original never kills: it is left out and listed", async () => {
    const failing = `${STRONG}  - name: caso errado\n    facts: { tipo: A, valor: 1 }\n    expect: { faixa: ALTA }\n`;
    const subject = await prepareSubject(SOURCE, suiteOf(failing), failing);
    expect(subject?.failing).toEqual(["caso errado"]);
    expect(subject?.suite.cases.map((c) => c.name)).not.toContain("caso errado");
  });
});

describe("rules test --mutate", () => {
  const dir = mkdtempSync(join(tmpdir(), "mutate-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "mini-mutantes.yaml"), SOURCE);

  async function run(suite: string, ...args: string[]) {
    writeFileSync(join(dir, "mini-mutantes.test.yaml"), suite);
    let stdout = "";
    let stderr = "";
    const code = await testCommand({
      argv: ["--mutate", "mini-mutantes.test.yaml", ...args],
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      cwd: dir,
    });
    return { code, stdout, stderr };
  }

  it("text report: score, survivors with file:line:col, what changed and the suggested case; progress on stderr", async () => {
    const r = await run(WEAK, "--workers", "0");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mini-mutantes \(mini-mutantes\.yaml\): [\d.]+% dos mutantes mortos — \d+ de 18 mortos/);
    expect(r.stdout).toContain(
      'sobrevivente mini-mutantes.yaml:23:17: regra "faixa alta" (when): >= → > em valor >= 100\n    nenhum teste pegaria esta mudança.\n    Caso sugerido',
    );
    expect(r.stdout).toContain("      tags: [mutante]");
    expect(r.stderr).toContain("mini-mutantes.yaml: 18 mutantes\n");
    expect(r.stderr).toContain("mutante 18/18\n");
  });

  it("--json for tools, and --min-score fails below the minimum (exit 1)", async () => {
    const weak = await run(WEAK, "--workers", "0", "--json", "--min-score", "99");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(
      /erro: a pontuação de mutantes de mini-mutantes \(mini-mutantes\.yaml\) é [\d.]+%, abaixo do mínimo de 99%/,
    );
    const parsed = JSON.parse(weak.stdout) as { ruleset: string; score: number; mutants: { status: string }[] }[];
    expect(parsed).toHaveLength(1);
    expect(parsed[0]?.ruleset).toBe("mini-mutantes");
    expect(parsed[0]?.mutants).toHaveLength(18);
    expect(parsed[0]?.score).toBeLessThan(99);
    const strong = await run(STRONG, "--workers", "0", "--min-score", "100");
    expect(strong.code).toBe(0);
    expect(strong.stdout).toContain("100% dos mutantes mortos — 18 de 18 mortos, 0 sobreviventes");
  });

  it("runs the mutants in worker threads and gives the same report", async () => {
    const inline = await run(WEAK, "--workers", "0", "--json");
    const threaded = await run(WEAK, "--workers", "2", "--json");
    expect(threaded.code).toBe(0);
    expect(JSON.parse(threaded.stdout)).toEqual(JSON.parse(inline.stdout));
  }, 300_000);

  it("usage errors and a suite that fails against its own rule set", async () => {
    expect((await run(WEAK, "--workers", "x")).code).toBe(2);
    expect((await run(WEAK, "--min-score", "120")).code).toBe(2);
    const mixed = await run(WEAK, "--watch");
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("erro: --watch não vale com --mutate");
    let stderr = "";
    const alone = await testCommand({
      argv: ["mini-mutantes.test.yaml", "--workers", "2"],
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      cwd: dir,
    });
    expect(alone).toBe(2);
    expect(stderr).toContain("erro: --workers só vale com --mutate");
    const failing = `${STRONG}  - name: caso errado\n    facts: { tipo: A, valor: 1 }\n    expect: { faixa: ALTA }\n`;
    const r = await run(failing, "--workers", "0");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("erro: 1 caso(s) de mini-mutantes.test.yaml falham contra mini-mutantes.yaml");
  });
});

describe("the shipped suites kill at least 95% of their rule sets' valid mutants", () => {
  const rulesDir = join(import.meta.dirname, "..", "rules");
  const names = readdirSync(rulesDir)
    .filter((f) => f.endsWith(".test.yaml"))
    .map((f) => f.slice(0, -".test.yaml".length))
    .sort();
  // One test per rule set, a generous timeout: on a loaded 2-core CI the largest takes tens of seconds.
  for (const name of names) {
    it(name, async () => {
      const source = readFileSync(join(rulesDir, `${name}.yaml`), "utf8");
      const suiteSource = readFileSync(join(rulesDir, `${name}.test.yaml`), "utf8");
      const report = await mutateSuite(source, suiteOf(suiteSource), suiteSource);
      const survivors = report?.mutants.filter((m) => m.status === "survived").map((m) => m.description);
      expect(report?.killed, `survivors: ${survivors?.join(" | ")}`).toBeGreaterThan(0);
      expect(report?.score, `survivors: ${survivors?.join(" | ")}`).toBeGreaterThanOrEqual(95);
    }, 600_000);
  }
});
