/**
 * What `rules check` says about a decision table per hit policy (dsl/check/tables.ts,
 * dsl/check/table-analysis.ts, dsl/check/invariants.ts): `priority`/`outputOrder` need
 * `outputValues`; output cells (rows and `onNoMatch`) must be among their column's `outputValues`
 * and fit a decision output of the same name; `aggregate` needs numbers (`sum`) or values that
 * compare (`min`/`max`); gaps for every single-hit policy, none for list policies or with
 * `onNoMatch`; overlaps of `any` rows only when their outputs differ; `priority` rows that rows
 * with higher-priority outputs always take; the rule-level gap warning and invariants over every
 * single-hit policy. Codes, severities, lines and the words of the messages are asserted.
 */
import { describe, expect, it } from "vitest";
import { compileSource, diagnose } from "../dsl/compile/pipeline.js";
import { createLineIndex } from "../dsl/positions.js";

interface Finding {
  readonly code: string;
  readonly severity: string;
  readonly line: number;
  readonly message: string;
}

const CODES = /^(table\/|check\/type-mismatch|check\/not-in-enum)/;

/** The table and type findings of a source, with 1-based lines. */
function findings(source: string): Finding[] {
  const index = createLineIndex(source);
  return diagnose(source)
    .diagnostics.filter((d) => CODES.test(d.code))
    .map((d) => ({
      code: d.code,
      severity: d.severity,
      line: index.toPosition(d.range.start).line,
      message: d.message,
    }));
}

/** 1-based line of the `nth` (0-based) line containing `needle`. */
function lineOf(source: string, needle: string, nth = 0): number {
  const lines = source.split("\n");
  let seen = -1;
  for (let i = 0; i < lines.length; i++) if ((lines[i] as string).includes(needle) && ++seen === nth) return i + 1;
  throw new Error(`not found: ${needle}`);
}

/** A rule set with the facts `idade` and `plano`, free outputs, one table and the given rules. */
function ruleSet(
  table: string[],
  rules: string[] = ["  - name: nada", "    then: nota = 1"],
  outputs: string[] = [],
): string {
  return [
    "ruleset: politicas",
    "description: Tabelas por política de acerto.",
    "facts:",
    "  idade: { type: integer, required: true, minimum: 0, maximum: 120 }",
    "  plano: { type: string, enum: [Ouro, Prata, Bronze], required: true }",
    "outputs:",
    "  nota: { type: integer, nullable: true }",
    ...outputs.map((o) => `  ${o}`),
    "tables:",
    ...table.map((l) => `  ${l}`),
    "rules:",
    ...rules,
    "",
  ].join("\n");
}

describe("what each policy needs", () => {
  it("priority and outputOrder without outputValues are an error at hitPolicy; with them, none", () => {
    for (const policy of ["priority", "outputOrder"]) {
      const src = ruleSet([
        "- name: t",
        `  hitPolicy: ${policy}`,
        "  inputs: [plano]",
        "  outputs: [nivel]",
        "  rows:",
        "    - [Ouro, Alta]",
        "    - [-, Baixa]",
      ]);
      expect(findings(src), policy).toEqual([
        {
          code: "table/shape",
          severity: "error",
          line: lineOf(src, "hitPolicy:"),
          message: expect.stringMatching(
            new RegExp(`^a tabela "t" tem hitPolicy: ${policy}, .*nenhuma saída declara outputValues`),
          ),
        },
      ]);
      expect(compileSource(src).ok).toBe(false);
      const fixed = src.replace(
        "  outputs: [nivel]\n",
        "  outputs: [nivel]\n    outputValues: { nivel: [Alta, Baixa] }\n",
      );
      expect(findings(fixed), policy).toEqual([]);
    }
  });

  it("a literal output cell outside its column's outputValues is an error at the cell, onNoMatch's too", () => {
    for (const policy of ["unique", "first", "any", "priority", "ruleOrder", "outputOrder", "collect"]) {
      const src = ruleSet([
        "- name: t",
        `  hitPolicy: ${policy}`,
        "  inputs: [plano]",
        "  outputs: [nivel, peso]",
        "  outputValues: { nivel: [Alta, Media, Baixa] }",
        "  onNoMatch: { nivel: Nenhuma, peso: 0 }",
        "  rows:",
        "    - [Ouro, Alta, 1]",
        "    - [Prata, Media, 2]",
        "    - [Bronze, Minima, 3]",
        "    - [Bronze, null, 3]",
      ]);
      const shape = findings(src).filter((f) => f.code === "table/shape");
      expect(shape, policy).toEqual([
        {
          code: "table/shape",
          severity: "error",
          line: lineOf(src, "onNoMatch:"),
          message: expect.stringMatching(/^o valor "Nenhuma" não está em outputValues da saída "nivel"/),
        },
        {
          code: "table/shape",
          severity: "error",
          line: lineOf(src, "[Bronze, Minima"),
          message:
            'o valor "Minima" não está em outputValues da saída "nivel" da tabela "t" ("Alta", "Media", "Baixa"): use um deles ou acrescente-o à lista',
        },
      ]);
    }
  });

  it("onNoMatch cells are typed against a decision output of the same name, like row cells", () => {
    const src = ruleSet(
      [
        "- name: t",
        "  hitPolicy: first",
        "  inputs: [plano]",
        "  outputs: [grupo]",
        "  onNoMatch: { grupo: 7 }",
        "  rows:",
        "    - [Ouro, A]",
      ],
      ["  - name: copia", "    then: grupo = t.grupo"],
      ["grupo: { type: string, enum: [A, B] }"],
    );
    expect(findings(src)).toEqual([
      {
        code: "check/type-mismatch",
        severity: "error",
        line: lineOf(src, "onNoMatch:"),
        message: 'a saída "grupo" deve ser texto, mas é inteiro',
      },
    ]);
    expect(findings(src.replace("grupo: 7", "grupo: C"))).toEqual([
      expect.objectContaining({ code: "check/not-in-enum", line: lineOf(src, "onNoMatch:") }),
    ]);
  });

  it("an onNoMatch cell of a column no decision output names must fit the rows' type for it", () => {
    const src = ruleSet([
      "- name: t",
      "  hitPolicy: unique",
      "  inputs: [plano]",
      "  outputs: [nivel, peso]",
      "  onNoMatch: { nivel: 7, peso: 0 }",
      "  rows:",
      "    - [Ouro, Alta, 1.5]",
    ]);
    expect(findings(src)).toEqual([
      {
        code: "check/type-mismatch",
        severity: "error",
        line: lineOf(src, "onNoMatch:"),
        message: 'a saída "nivel" de onNoMatch é inteiro, mas as linhas da tabela "t" dão texto nessa coluna',
      },
    ]);
    expect(findings(src.replace("nivel: 7", "nivel: Nenhum"))).toEqual([]);
    expect(findings(src.replace("nivel: 7", 'nivel: = upper("x")'))).toEqual([]);
  });

  it("aggregate: sum needs numbers; min and max need values of one kind that compare; count's onNoMatch an integer", () => {
    const table = (aggregate: string, cells: string[], noMatch?: string): string[] => [
      "- name: t",
      "  hitPolicy: collect",
      `  aggregate: ${aggregate}`,
      "  inputs: [plano]",
      "  outputs: [v]",
      ...(noMatch ? [`  onNoMatch: { v: ${noMatch} }`] : []),
      "  rows:",
      ...cells.map((c, i) => `    - [${["Ouro", "Prata", "Bronze"][i % 3]}, ${c}]`),
    ];
    const sum = ruleSet(table("sum", ["1", "2.5", "dez", "null"]));
    expect(findings(sum)).toEqual([
      {
        code: "table/shape",
        severity: "error",
        line: lineOf(sum, "dez"),
        message:
          'aggregate: sum soma a saída "v" da tabela "t", mas este valor é texto: use números (ou outra agregação)',
      },
    ]);
    expect(findings(ruleSet(table("sum", ["1", "= 2 * 3", "null"], "0")))).toEqual([]);

    const mixed = ruleSet(table("max", ["1", "2", "dois"]));
    expect(findings(mixed)).toEqual([
      {
        code: "table/shape",
        severity: "error",
        line: lineOf(mixed, "dois"),
        message:
          'aggregate: max compara os valores da saída "v" da tabela "t": as linhas anteriores dão inteiro, este valor é texto (valores de tipos diferentes não se comparam)',
      },
    ]);
    const booleans = ruleSet(table("min", ["true", "false"]));
    expect(findings(booleans).map((f) => [f.code, f.line, f.message.split(",")[0]])).toEqual([
      ["table/shape", lineOf(booleans, "true]"), 'aggregate: min compara os valores da saída "v" da tabela "t"'],
      ["table/shape", lineOf(booleans, "false]"), 'aggregate: min compara os valores da saída "v" da tabela "t"'],
    ]);
    expect(findings(booleans)[0]?.message).toMatch(/booleano não tem ordem/);
    expect(findings(ruleSet(table("min", ["B", "A"])))).toEqual([]);
    expect(findings(ruleSet(table("max", ["1", "2.5"])))).toEqual([]);

    expect(findings(ruleSet(table("count", ["A", "true"], "0")))).toEqual([]);
    const count = ruleSet(table("count", ["A"], "nenhum"));
    expect(findings(count)).toEqual([
      expect.objectContaining({
        code: "table/shape",
        line: lineOf(count, "onNoMatch:"),
        message: expect.stringMatching(/^com aggregate: count, o resultado da saída "v" é um número de linhas/),
      }),
    ]);
  });
});

describe("analyses per policy", () => {
  const gapTable = (policy: string): string[] => [
    "- name: t",
    `  hitPolicy: ${policy}`,
    "  inputs: [plano]",
    "  outputs: [nivel]",
    "  outputValues: { nivel: [Alta, Baixa] }",
    "  rows:",
    "    - [Ouro, Alta]",
    "    - [Prata, Baixa]",
  ];

  it("a gap is an error for every single-hit policy and nothing for list policies", () => {
    for (const policy of ["unique", "first", "any", "priority"]) {
      const src = ruleSet(gapTable(policy));
      expect(findings(src), policy).toEqual([
        {
          code: "table/gap",
          severity: "error",
          line: lineOf(src, "- name: t"),
          message: expect.stringMatching(
            new RegExp(`^plano = Bronze: nenhuma linha da tabela "t" \\(política ${policy}\\) se aplica`),
          ),
        },
      ]);
    }
    for (const policy of ["ruleOrder", "outputOrder", "collect"])
      expect(findings(ruleSet(gapTable(policy))), policy).toEqual([]);
  });

  it("onNoMatch with outputs (or null) closes the gap", () => {
    for (const policy of ["unique", "first", "any", "priority"]) {
      for (const noMatch of ["null", "{ nivel: Baixa }"]) {
        const src = ruleSet(gapTable(policy)).replace(
          "  outputs: [nivel]\n",
          `  outputs: [nivel]\n    onNoMatch: ${noMatch}\n`,
        );
        expect(findings(src), `${policy} ${noMatch}`).toEqual([]);
      }
    }
  });

  const overlapping = (policy: string, second: string): string[] => [
    "- name: t",
    `  hitPolicy: ${policy}`,
    "  inputs: [idade, plano]",
    "  outputs: [nivel, peso]",
    "  outputValues: { nivel: [Alta, Baixa] }",
    "  rows:",
    "    - { idade: '>= 60', plano: -, nivel: Alta, peso: 2 }",
    `    - { idade: '>= 18', plano: Ouro, ${second} }`,
    "    - { idade: -, plano: -, nivel: Baixa, peso: 1 }",
  ];

  it("any: overlapping rows with equal outputs are fine; different literal outputs are an error naming both rows", () => {
    // Rows 1 and 2 agree; row 3 overlaps both and differs: two errors, at row 3, row 1 related.
    const src = ruleSet(overlapping("any", "nivel: Alta, peso: 2"));
    const found = findings(src);
    expect(found.map((f) => [f.code, f.severity, f.line])).toEqual([
      ["table/overlap", "error", lineOf(src, "nivel: Baixa")],
      ["table/overlap", "error", lineOf(src, "nivel: Baixa")],
    ]);
    expect(found[0]?.message).toBe(
      'idade = 60: as linhas 1 e 3 da tabela "t" (política any) se aplicam às mesmas entradas com saídas diferentes (nivel: "Alta" e "Baixa"), o que seria um defeito da decisão; dê-lhes as mesmas saídas, torne-as exclusivas ou use outra política (first, priority)',
    );
    expect(found[1]?.message).toMatch(/^idade = 18, plano = Ouro: as linhas 2 e 3 .*\(nivel: "Alta" e "Baixa"\)/);

    // The difference may be in any output column.
    const peso = findings(ruleSet(overlapping("any", "nivel: Alta, peso: 3")));
    expect(peso.map((f) => f.message.match(/\(peso: \d e \d\)|\(nivel: [^)]*\)/)?.[0])).toEqual([
      "(peso: 2 e 3)",
      '(nivel: "Alta" e "Baixa")',
      '(nivel: "Alta" e "Baixa")',
    ]);
  });

  it("any: a computed output is never reported (it may be equal)", () => {
    const src = ruleSet([
      "- name: t",
      "  hitPolicy: any",
      "  inputs: [plano]",
      "  outputs: [nivel]",
      "  rows:",
      '    - [Ouro, = upper("alta")]',
      "    - [-, ALTA]",
    ]);
    expect(findings(src)).toEqual([]);
  });

  it("unique: every overlap is an error, equal outputs or not", () => {
    const src = ruleSet(overlapping("unique", "nivel: Alta, peso: 2"));
    expect(findings(src).map((f) => [f.code, f.line])).toEqual([
      ["table/overlap", lineOf(src, "plano: Ouro")],
      ["table/overlap", lineOf(src, "nivel: Baixa")],
      ["table/overlap", lineOf(src, "nivel: Baixa")],
    ]);
  });

  it("list policies report no overlap and no gap, only rows that never apply", () => {
    for (const policy of ["ruleOrder", "outputOrder", "collect"]) {
      const src = ruleSet([
        ...overlapping(policy, "nivel: Alta, peso: 2"),
        "    - { idade: '> 130', plano: -, nivel: Baixa, peso: 0 }",
      ]);
      expect(findings(src), policy).toEqual([
        {
          code: "table/shadowed-row",
          severity: "warning",
          line: lineOf(src, "'> 130'"),
          message: 'a linha 4 da tabela "t" nunca se aplica: nenhum valor possível de idade satisfaz a célula',
        },
      ]);
    }
  });

  it("priority: a row that rows with higher-priority outputs always take is a warning naming them", () => {
    const src = ruleSet([
      "- name: t",
      "  hitPolicy: priority",
      "  inputs: [idade, plano]",
      "  outputs: [nivel]",
      "  outputValues: { nivel: [Alta, Media, Baixa] }",
      "  rows:",
      "    - { idade: '>= 18', plano: Ouro, nivel: Baixa }",
      "    - { idade: '>= 18', plano: -, nivel: Media }",
      "    - { idade: -, plano: -, nivel: Baixa }",
      "    - { idade: '< 18', plano: Ouro, nivel: Alta }",
    ]);
    expect(findings(src)).toEqual([
      {
        code: "table/shadowed-row",
        severity: "warning",
        line: lineOf(src, "plano: Ouro, nivel: Baixa"),
        message:
          'a linha 1 da tabela "t" (política priority) nunca é escolhida: a linha 2 tem saídas de maior prioridade (outputValues) e se aplica a todas as entradas dela (p.ex. idade = 18, plano = Ouro); restrinja-as, mude as saídas ou apague a linha',
      },
    ]);
    // Row 3 is not reported: it is the only row for idade < 18 with plano Prata or Bronze. Ties
    // go to the earlier row: a later row with the same outputs and the same inputs never wins.
    const tie = src.replace(
      "    - { idade: '< 18', plano: Ouro, nivel: Alta }",
      "    - { idade: '>= 18', plano: -, nivel: Media }",
    );
    expect(findings(tie).map((f) => [f.line, f.message.split(":")[0]])).toEqual([
      [lineOf(tie, "plano: Ouro, nivel: Baixa"), 'a linha 1 da tabela "t" (política priority) nunca é escolhida'],
      [lineOf(tie, "plano: -, nivel: Media", 1), 'a linha 4 da tabela "t" (política priority) nunca é escolhida'],
    ]);
  });

  it("priority: a row whose ranked output is computed takes no part (no false finding)", () => {
    const src = ruleSet([
      "- name: t",
      "  hitPolicy: priority",
      "  inputs: [plano]",
      "  outputs: [nivel]",
      "  outputValues: { nivel: [Alta, Baixa] }",
      "  rows:",
      '    - [Ouro, = upper("baixa")]',
      "    - [-, Baixa]",
    ]);
    expect(findings(src)).toEqual([]);
  });

  it("a table's label is shown with its name in the findings", () => {
    const src = ruleSet(["- name: t", '  label: "Nível do Plano"', ...gapTable("any").slice(1)]);
    expect(findings(src)[0]?.message).toMatch(/nenhuma linha da tabela "t" \("Nível do Plano"\) \(política any\)/);
  });
});

describe("rule-level checks over every single-hit policy", () => {
  const table = (policy: string, extra: string[] = []): string[] => [
    "- name: t",
    `  hitPolicy: ${policy}`,
    "  inputs: [plano]",
    "  outputs: [nivel]",
    "  outputValues: { nivel: [Alta, Baixa] }",
    "  onNoMatch: null",
    ...extra,
    "  rows:",
    "    - [Ouro, Alta]",
    "    - [Prata, Baixa]",
  ];
  const copy = ["  - name: copia", "    then: nivel = t.nivel"];

  it("a table that may have no row feeding an output that refuses null is a warning at the read", () => {
    for (const policy of ["unique", "first", "any", "priority"]) {
      const src = ruleSet(table(policy), copy, ["nivel: { type: string, nullable: false }"]);
      const gap = diagnose(src).diagnostics.filter((d) => d.code === "table/gap");
      expect(
        gap.map((d) => [d.severity, createLineIndex(src).toPosition(d.range.start).line]),
        policy,
      ).toEqual([["warning", lineOf(src, "then: nivel = t.nivel")]]);
      expect(gap[0]?.message).toMatch(new RegExp(`^a tabela "t" \\(política ${policy}\\) pode não ter linha`));
    }
  });

  it("onNoMatch with a value for the column removes that warning", () => {
    const src = ruleSet(
      table("priority").filter((l) => !l.includes("onNoMatch")),
      copy,
      ["nivel: { type: string, nullable: false }"],
    ).replace("  outputs: [nivel]\n", "  outputs: [nivel]\n    onNoMatch: { nivel: Baixa }\n");
    expect(diagnose(src).diagnostics.filter((d) => d.code.startsWith("table/"))).toEqual([]);
  });

  it("an invariant is proved against onNoMatch cells and any/priority tables' cells", () => {
    const src = ruleSet(
      table("any")
        .filter((l) => !l.includes("onNoMatch"))
        .map((l) => (l.includes("outputValues") ? "  onNoMatch: { nivel: Proibido }" : l)),
      copy,
      ["nivel: { type: string, nullable: true }"],
    )
      .replace("rules:\n", "rules:\n  - name: marca\n    then: nota = 2\n")
      .concat('invariants:\n  - name: nunca proibido\n    check: decision.nivel != "Proibido"\n');
    const found = findings(src).filter((f) => f.code === "table/invariant");
    expect(found).toEqual([
      {
        code: "table/invariant",
        severity: "error",
        line: lineOf(src, "onNoMatch:"),
        message: 'este valor quebra o invariante "nunca proibido" (onNoMatch da tabela "t")',
      },
    ]);
  });
});

describe("labels in the checker's messages", () => {
  it("a labelled column and output are named with their labels", () => {
    const src = ruleSet(
      [
        "- name: t",
        '  label: "Nível do Plano"',
        "  hitPolicy: priority",
        "  inputs: [plano]",
        "  outputs: [nivel]",
        '  labels: { plano: "Plan Type", nivel: "Plan Level" }',
        "  outputValues: { nivel: [Alta, Baixa, Outra] }",
        "  rows:",
        "    - [Ouro, Alta]",
        "    - [Prata, Baixa]",
      ],
      ["  - name: copia", "    then: nivel = t.nivel"],
      ['nivel: { type: string, nullable: false, label: "Plan Level" }'],
    );
    const messages = diagnose(src)
      .diagnostics.filter((d) => d.code === "table/gap")
      .map((d) => d.message);
    expect(messages).toEqual([
      expect.stringMatching(
        /^plano \("Plan Type"\) = Bronze: nenhuma linha da tabela "t" \("Nível do Plano"\) \(política priority\)/,
      ),
      expect.stringMatching(
        /^a tabela "t" \("Nível do Plano"\) \(política priority\) pode não ter linha para os fatos, e então "nivel" \("Plan Level"\) ficaria nulo/,
      ),
    ]);
  });
});

describe("a column named like an output, per policy", () => {
  it("a list policy's advice does not suggest `saida = tabela.coluna` (a list); an aggregate's does", () => {
    const table = (policy: string, extra: string[] = []): string[] => [
      "- name: t",
      `  hitPolicy: ${policy}`,
      ...extra,
      "  inputs: [plano]",
      "  outputs: [pontos]",
      "  rows:",
      "    - [Ouro, 1]",
    ];
    const advice = (src: string): string[] =>
      diagnose(src)
        .diagnostics.filter((d) => d.code === "flow/table-output-name")
        .map((d) => d.message.split("próprio resultado. ")[1] ?? "");
    const outputs = ["pontos: { type: number, nullable: true }"];
    for (const policy of ["ruleOrder", "outputOrder", "collect"])
      expect(advice(ruleSet(table(policy), undefined, outputs)), policy).toEqual([
        `O resultado dela é uma lista de linhas (política ${policy}): leia-a numa regra ou dê outro nome à coluna`,
      ]);
    for (const [policy, extra] of [
      ["priority", ["  outputValues: { pontos: [1] }"]],
      ["collect", ["  aggregate: sum"]],
    ] as const)
      expect(advice(ruleSet(table(policy, [...extra]), undefined, outputs)), policy).toEqual([
        'Escreva numa regra "pontos = t.pontos"',
      ]);
  });
});
