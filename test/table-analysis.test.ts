/**
 * The semantic analysis of decision tables (dsl/check/table-analysis.ts over dsl/check/domains.ts):
 * gaps of `unique`/`first` tables (errors unless `onNoMatch: null`; none inside `impossible`
 * combinations or outside the table's `when`), overlaps of `unique` tables through ranges, lists,
 * `not(...)` and `-`, `first` rows that never win, rows no input satisfies, cells the analysis
 * cannot evaluate (no false finding), the step budget, the shipped rule sets, determinism, and the
 * new keys through the loader, the formatter and the compiler. Positions and example inputs are
 * asserted.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../dsl/diagnostics.js";
import { compileSource, diagnose } from "../dsl/compile/pipeline.js";
import { formatRuleSet } from "../dsl/format/format.js";
import { createLineIndex } from "../dsl/positions.js";
import { createRuntime } from "../engine/runtime.js";

const TABLE_CODES = new Set(["table/gap", "table/overlap", "table/shadowed-row", "table/analysis-limit"]);

interface Finding {
  readonly code: string;
  readonly severity: string;
  readonly line: number;
  readonly message: string;
  readonly related: readonly number[];
}

/** The table findings of a source, with 1-based lines (related: their lines). */
function findings(source: string): Finding[] {
  const index = createLineIndex(source);
  return diagnose(source)
    .diagnostics.filter((d: Diagnostic) => TABLE_CODES.has(d.code))
    .map((d) => ({
      code: d.code,
      severity: d.severity,
      line: index.toPosition(d.range.start).line,
      message: d.message,
      related: (d.related ?? []).map((r) => index.toPosition(r.range.start).line),
    }));
}

/** 1-based line of the first line containing `needle`. */
function lineOf(source: string, needle: string): number {
  const i = source.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`not found: ${needle}`);
  return i + 1;
}

/** A rule set with one table (and a rule copying its output), facts and table lines given. */
function ruleSet(facts: string[], table: string[]): string {
  return [
    "ruleset: analise",
    "description: Tabela para a análise.",
    "facts:",
    ...facts.map((f) => `  ${f}`),
    "outputs:",
    "  r: { type: string, nullable: true }",
    "tables:",
    ...table.map((l) => `  ${l}`),
    "rules:",
    "  - name: copia",
    "    then: r = t.r",
    "",
  ].join("\n");
}

const DESIGNACAO_FACTS = [
  "tipoCliente: { type: string, enum: [Beneficiário, Credenciado], required: true }",
  "servico: { type: string, enum: [Reembolso, Autorização Prévia], required: true }",
];
const DESIGNACAO_ROWS = [
  "  rows:",
  "    - { tipoCliente: Beneficiário, servico: Reembolso, r: GIPES }",
  "    - { tipoCliente: Beneficiário, servico: Autorização Prévia, r: GIPES }",
  "    - { tipoCliente: Credenciado, servico: Autorização Prévia, r: GIPES }",
];

describe("gaps", () => {
  const gap = ruleSet(DESIGNACAO_FACTS, [
    "- name: t",
    "  hitPolicy: unique",
    "  inputs: [tipoCliente, servico]",
    "  outputs: [r]",
    ...DESIGNACAO_ROWS,
  ]);

  it("a unique table with an input no row covers is an error at the table's name, with the input", () => {
    expect(findings(gap)).toEqual([
      {
        code: "table/gap",
        severity: "error",
        line: lineOf(gap, "- name: t"),
        message: expect.stringMatching(
          /^tipoCliente = Credenciado, servico = Reembolso: nenhuma linha da tabela "t" \(política unique\) se aplica/,
        ),
        related: [],
      },
    ]);
    expect(compileSource(gap).ok).toBe(false);
  });

  it("onNoMatch: null declares the gap intended: no error, and no row still decides null", async () => {
    const declared = gap.replace("  hitPolicy: unique\n", "  hitPolicy: unique\n    onNoMatch: null\n");
    expect(findings(declared)).toEqual([]);
    const compiled = compileSource(declared);
    expect(compiled.ok).toBe(true);
    const runtime = createRuntime(compiled.compiled as NonNullable<typeof compiled.compiled>);
    expect((await runtime.decide({ tipoCliente: "Credenciado", servico: "Reembolso" })).decision.r).toBeNull();
    expect((await runtime.decide({ tipoCliente: "Credenciado", servico: "Autorização Prévia" })).decision.r).toBe(
      "GIPES",
    );
  });

  it("impossible combinations (map or list form) are not gaps", () => {
    for (const item of ["{ tipoCliente: Credenciado, servico: Reembolso }", "[Credenciado, Reembolso]"]) {
      const src = gap.replace("  outputs: [r]\n", `  outputs: [r]\n    impossible:\n      - ${item}\n`);
      expect(findings(src), item).toEqual([]);
    }
    // An impossible combination that covers only part of the gap leaves the rest reported.
    const part = gap
      .replace("enum: [Reembolso, Autorização Prévia]", "enum: [Reembolso, Autorização Prévia, Glosa]")
      .replace(
        "  outputs: [r]\n",
        "  outputs: [r]\n    impossible:\n      - { tipoCliente: Credenciado, servico: Reembolso }\n",
      );
    expect(findings(part).map((f) => f.message.split(":")[0])).toEqual([
      "tipoCliente = Beneficiário, servico = Glosa",
      "tipoCliente = Credenciado, servico = Glosa",
    ]);
  });

  it("a first table: a catch-all row at the end closes the gap; collect tables have none", () => {
    const first = gap.replace("hitPolicy: unique", "hitPolicy: first");
    expect(findings(first).map((f) => f.code)).toEqual(["table/gap"]);
    const closed = first.replace(
      "    - { tipoCliente: Credenciado, servico: Autorização Prévia, r: GIPES }\n",
      "    - { tipoCliente: Credenciado, servico: Autorização Prévia, r: GIPES }\n      - { tipoCliente: -, servico: -, r: CEPES }\n",
    );
    expect(findings(closed)).toEqual([]);
    const collect = gap
      .replace("hitPolicy: unique", "hitPolicy: collect")
      .replace("then: r = t.r", 'then: r = join(t.r, ",")');
    expect(findings(collect)).toEqual([]);
  });

  it("numbers: rows < 18 and > 18 leave idade = 18 (and an absent idade)", () => {
    const src = ruleSet(
      ["idade: { type: integer }"],
      ["- name: t", "  inputs: [idade]", "  outputs: [r]", "  rows:", '    - ["< 18", menor]', '    - ["> 18", maior]'],
    );
    expect(findings(src).map((f) => f.message.split(":")[0])).toEqual(["idade = ausente", "idade = 18"]);
    const required = src.replace("idade: { type: integer }", "idade: { type: integer, required: true }");
    expect(findings(required).map((f) => f.message.split(":")[0])).toEqual(["idade = 18"]);
    // Schema bounds: nothing below the minimum to cover.
    const bounded = required
      .replace("required: true }", "required: true, minimum: 0 }")
      .replace('["< 18", menor]', '["[0..18]", menor]');
    expect(findings(bounded)).toEqual([]);
  });

  it("numbers with decimals and dates: the boundaries first", () => {
    const valor = ruleSet(
      ["valor: { type: number, required: true }"],
      [
        "- name: t",
        "  inputs: [valor]",
        "  outputs: [r]",
        "  rows:",
        '    - ["< 10", a]',
        '    - ["(10..20]", b]',
        '    - ["> 20.5", c]',
      ],
    );
    expect(findings(valor).map((f) => f.message.split(":")[0])).toEqual(["valor = 10", "valor = 20.5"]);
    const dia = ruleSet(
      ["dia: { type: date, required: true }"],
      [
        "- name: t",
        "  inputs: [dia]",
        "  outputs: [r]",
        "  rows:",
        '    - ["< 2024-03-01", antes]',
        '    - ["> 2024-03-01", depois]',
      ],
    );
    expect(findings(dia).map((f) => f.message.split(":")[0])).toEqual(["dia = 2024-03-01"]);
  });

  it("enums and booleans: every value covered is no gap; the missing value is named", () => {
    const bools = ruleSet(
      ["urgente: { type: boolean, required: true }", "plano: { type: string, enum: [A, B, C], required: true }"],
      [
        "- name: t",
        "  inputs: [urgente, plano]",
        "  outputs: [r]",
        "  rows:",
        "    - [true, -, x]",
        "    - [false, [A, B], y]",
        "    - [false, C, z]",
      ],
    );
    expect(findings(bools)).toEqual([]);
    const missing = bools.replace("      - [false, C, z]\n", "");
    expect(findings(missing).map((f) => f.message.split(":")[0])).toEqual(["urgente = false, plano = C"]);
  });

  it("open texts: any other value, with a value no cell uses", () => {
    const src = ruleSet(
      ["servico: { type: string, required: true }"],
      ["- name: t", "  inputs: [servico]", "  outputs: [r]", "  rows:", "    - [X, a]", "    - [Reembolso, b]"],
    );
    expect(findings(src).map((f) => f.message.split(":")[0])).toEqual(['servico = outro valor (p.ex. "X2")']);
  });

  it("the table's when restricts the domain where it can be read", () => {
    const src = ruleSet(
      ["tipo: { type: string, required: true }", "idade: { type: integer, required: true }"],
      [
        "- name: t",
        '  when: tipo == "Reclamação" and idade >= 18',
        "  inputs: [tipo, idade]",
        "  outputs: [r]",
        "  rows:",
        '    - [Reclamação, ">= 65", idoso]',
        '    - [Reclamação, "[18..65)", adulto]',
      ],
    );
    expect(findings(src)).toEqual([]);
    // A row outside the when never applies.
    const outside = src.replace("  rows:\n", '  rows:\n      - [Reclamação, "< 18", menor]\n');
    expect(findings(outside)).toEqual([
      expect.objectContaining({
        code: "table/shadowed-row",
        severity: "warning",
        line: lineOf(outside, "menor"),
        message: expect.stringContaining('a linha 1 da tabela "t" nunca se aplica'),
      }),
    ]);
  });
});

describe("overlaps (unique)", () => {
  it("through ranges and '-', at the later row, with the input and the other row", () => {
    const src = ruleSet(
      ["idade: { type: integer, required: true }", "plano: { type: string, enum: [A, B], required: true }"],
      [
        "- name: t",
        "  onNoMatch: null",
        "  inputs: [idade, plano]",
        "  outputs: [r]",
        "  rows:",
        '    - ["[0..17]", -, menor]',
        '    - ["> 60", A, idosoA]',
        '    - [">= 15", B, b]',
        '    - ["not(< 61)", -, idoso]',
      ],
    );
    expect(findings(src)).toEqual([
      {
        code: "table/overlap",
        severity: "error",
        line: lineOf(src, ">= 15"),
        message:
          'idade = 15, plano = B: as linhas 1 e 3 da tabela "t" (política unique) se aplicam às mesmas entradas; torne-as exclusivas ou use hitPolicy first',
        related: [lineOf(src, "[0..17]")],
      },
      expect.objectContaining({
        line: lineOf(src, "not(< 61)"),
        message: expect.stringMatching(/^idade = 61, plano = A: as linhas 2 e 4 /),
      }),
      expect.objectContaining({
        line: lineOf(src, "not(< 61)"),
        message: expect.stringMatching(/^idade = 61, plano = B: as linhas 3 e 4 /),
      }),
    ]);
  });

  it("rows that differ somewhere do not overlap, nor do rows inside an impossible combination", () => {
    const src = ruleSet(
      ["idade: { type: integer, required: true }", "plano: { type: string, enum: [A, B], required: true }"],
      [
        "- name: t",
        "  onNoMatch: null",
        "  inputs: [idade, plano]",
        "  outputs: [r]",
        "  rows:",
        '    - ["< 18", -, menor]',
        '    - [">= 18", A, a]',
        '    - ["[10..20]", B, b]',
      ],
    );
    expect(findings(src).map((f) => f.message.split(":")[0])).toEqual(["idade = 10, plano = B"]);
    const impossible = src.replace("  outputs: [r]\n", '  outputs: [r]\n    impossible:\n      - ["< 18", B]\n');
    expect(findings(impossible)).toEqual([]);
  });
});

describe("first: rows that never win", () => {
  it("a catch-all row first shadows every later row, naming row 1", () => {
    const src = ruleSet(
      ["idade: { type: integer, required: true }"],
      [
        "- name: t",
        "  hitPolicy: first",
        "  inputs: [idade]",
        "  outputs: [r]",
        "  rows:",
        "    - [-, qualquer]",
        '    - ["< 18", menor]',
        '    - [">= 18", maior]',
      ],
    );
    const row1 = lineOf(src, "[-, qualquer]");
    expect(findings(src)).toEqual([
      {
        code: "table/shadowed-row",
        severity: "error",
        line: lineOf(src, "menor"),
        message:
          'a linha 2 da tabela "t" (política first) nunca é escolhida: a linha 1 vem antes e se aplica a todas as entradas dela (p.ex. idade = 17); mova-a para cima, restrinja as anteriores ou apague-a',
        related: [row1],
      },
      expect.objectContaining({
        code: "table/shadowed-row",
        severity: "error",
        line: lineOf(src, "maior"),
        related: [row1],
      }),
    ]);
    // Moved to the end, it is still never chosen: rows 1 and 2 cover every idade. Removed: clean.
    const moved = src.replace("      - [-, qualquer]\n", "").replace("maior]\n", "maior]\n      - [-, qualquer]\n");
    expect(findings(moved).map((f) => [f.line, f.message.split(":")[1]?.trim()])).toEqual([
      [
        lineOf(moved, "qualquer"),
        "as linhas 1 e 2 vêm antes e se aplicam a todas as entradas dela (p.ex. qualquer entrada); mova-a para cima, restrinja as anteriores ou apague-a",
      ],
    ]);
    expect(findings(src.replace("      - [-, qualquer]\n", ""))).toEqual([]);
  });

  it("a row covered by several earlier rows together names them all", () => {
    const src = ruleSet(
      ["idade: { type: integer, required: true }"],
      [
        "- name: t",
        "  hitPolicy: first",
        "  inputs: [idade]",
        "  outputs: [r]",
        "  rows:",
        '    - ["< 18", menor]',
        '    - [">= 18", maior]',
        '    - ["[10..30]", meio]',
        "    - [-, resto]",
      ],
    );
    const f = findings(src);
    expect(f.map((x) => [x.line, x.message.split(":")[0]])).toEqual([
      [lineOf(src, "meio"), 'a linha 3 da tabela "t" (política first) nunca é escolhida'],
      [lineOf(src, "resto"), 'a linha 4 da tabela "t" (política first) nunca é escolhida'],
    ]);
    expect(f[0]?.message).toContain("as linhas 1 e 2 vêm antes");
    expect(f[0]?.related).toEqual([lineOf(src, "menor"), lineOf(src, "maior")]);
  });
});

describe("cells the analysis cannot evaluate", () => {
  it("give neither false gaps nor false overlaps nor false shadows", () => {
    const facts = ["idade: { type: integer, required: true }", "limite: { type: integer, required: true }"];
    const unique = ruleSet(facts, [
      "- name: t",
      "  inputs: [idade]",
      "  outputs: [r]",
      "  rows:",
      '    - ["< limite", menor]',
      '    - [">= 18", maior]',
    ]);
    // "< limite" may match anything below 18: no gap; it may not match 20: no overlap.
    expect(findings(unique)).toEqual([]);
    const first = unique
      .replace("  inputs: [idade]", "  hitPolicy: first\n    inputs: [idade]")
      .replace('["< limite", menor]', '["< limite", menor]\n      - ["< 18", jovem]');
    expect(findings(first)).toEqual([]);
  });

  it("a column the domains do not describe (a list) is read only through '-'", () => {
    const src = ruleSet(
      ["marcas: { type: list, items: string }", "urgente: { type: boolean, required: true }"],
      [
        "- name: t",
        "  inputs: [marcas, urgente]",
        "  outputs: [r]",
        "  rows:",
        "    - [x, true, a]",
        "    - [-, false, b]",
      ],
    );
    expect(findings(src)).toEqual([]);
  });

  it("constants are known values", () => {
    const src = ruleSet(
      ["idade: { type: integer, required: true }"],
      [
        "- name: t",
        "  inputs: [idade]",
        "  outputs: [r]",
        "  rows:",
        '    - ["< MAIORIDADE", menor]',
        '    - ["> MAIORIDADE", maior]',
      ],
    ).replace("outputs:\n", "constants:\n  MAIORIDADE: { value: 18 }\noutputs:\n");
    expect(findings(src).map((f) => f.message.split(":")[0])).toEqual(["idade = 18"]);
  });
});

describe("bounded and deterministic", () => {
  it("a pathological table stops with an info naming the steps", () => {
    const rows = Array.from({ length: 40 }, (_, i) => `    - [-, -, R${i}]`);
    const src = ruleSet(
      ["a: { type: string, required: true }", "b: { type: string, required: true }"],
      ["- name: t", "  inputs: [a, b]", "  outputs: [r]", "  rows:", ...rows],
    );
    const f = findings(src);
    const limit = f.filter((x) => x.code === "table/analysis-limit");
    expect(limit).toEqual([
      expect.objectContaining({
        severity: "info",
        line: lineOf(src, "- name: t"),
        message: expect.stringMatching(/^análise da tabela "t" .*interrompida após [\d.]+ passos/),
      }),
    ]);
    // What it found before stopping is kept, and the rule set still compiles (an info).
    expect(f.filter((x) => x.code === "table/overlap").length).toBeGreaterThan(50);
  });

  it("the same table gives the same findings, in the same order", () => {
    const src = ruleSet(
      ["idade: { type: integer }", "plano: { type: string }"],
      [
        "- name: t",
        "  inputs: [idade, plano]",
        "  outputs: [r]",
        "  rows:",
        '    - ["< 18", -, a]',
        '    - [">= 10", [X, Y], b]',
        '    - ["[5..50]", not("Y"), c]',
      ],
    );
    const once = diagnose(src).diagnostics;
    expect(once.length).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) expect(diagnose(src).diagnostics).toEqual(once);
  });

  it("the shipped rule sets have no table finding (the designation table declares onNoMatch: null)", () => {
    const dir = new URL("../rules/", import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))) {
      const source = readFileSync(new URL(file, dir), "utf8");
      expect(findings(source), file).toEqual([]);
    }
    const reclame = readFileSync(new URL("reclame-designacao.yaml", dir), "utf8");
    const without = reclame.replace(/\n {4}onNoMatch: null\n/, "\n");
    expect(findings(without).map((f) => f.message.split(":")[0])).toEqual([
      'tipoAtendimento = "Reclamação", tipoCliente = Beneficiário, servico = "Cadastro – Falta de Cartão Saúde CAIXA"',
      'tipoAtendimento = "Reclamação", tipoCliente = Beneficiário, servico = outro valor (p.ex. "X")',
      'tipoAtendimento = "Reclamação", tipoCliente = Credenciado, servico = "Cadastro – Inclusão/alteração de titular"',
    ]);
  });
});

describe("the new keys: loader, formatter, compiler", () => {
  const base = ruleSet(
    ["idade: { type: integer, required: true }", "plano: { type: string, enum: [A, B], required: true }"],
    [
      "- name: t",
      "  onNoMatch: null",
      "  inputs: [idade, plano]",
      "  outputs: [r]",
      "  impossible:",
      '    - { idade: "< 0", plano: B }   # idade negativa só vem de erro de digitação',
      '    - ["> 130", -]',
      "  rows:",
      '    - ["[0..17]", -, menor]',
    ],
  );

  it("load without diagnostics and compile to the same rules as without them", () => {
    expect(diagnose(base).diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const plain = base.replace("    onNoMatch: null\n", "").replace(/ {4}impossible:\n.*\n.*\n/, "");
    const a = compileSource(base).compiled;
    const b = compileSource(plain.replace("- name: t", "- name: t\n    onNoMatch: null")).compiled;
    expect(JSON.stringify(a?.rules)).toBe(JSON.stringify(b?.rules));
    expect(a?.tables).toEqual(b?.tables);
  });

  it("report an unknown column, a wrong shape, a mistyped cell and an onNoMatch other than null", () => {
    const bad = base
      .replace('{ idade: "< 0", plano: B }', '{ idade: "< 0", plan: B }')
      .replace('["> 130", -]', '["> 130"]')
      .replace("onNoMatch: null", "onNoMatch: vazio");
    const d = diagnose(bad).diagnostics.filter((x) => x.severity === "error");
    // Without onNoMatch: null (refused), the table's gap is an error again.
    expect(d.map((x) => x.code).sort()).toEqual([
      "ruleset/structure",
      "ruleset/unknown-key",
      "table/gap",
      "table/shape",
    ]);
    const typed = base.replace("plano: B }", "plano: C }");
    expect(diagnose(typed).diagnostics.map((x) => x.code)).toContain("check/not-in-enum");
  });

  it("rules fmt keeps them (comments included) and is idempotent", () => {
    const once = formatRuleSet(base.replace("  impossible:", "  impossible:  ")).text as string;
    expect(once).toContain("    onNoMatch: null\n");
    expect(once).toContain('      - { idade: "< 0", plano: B } # idade negativa só vem de erro de digitação\n');
    expect(formatRuleSet(once).text).toBe(once);
  });
});
