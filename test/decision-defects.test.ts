/**
 * A decision that breaks its declared outputs is a rule-set defect (issue 7, item 15): an output
 * that does not accept null (`nullable: false`, or `required: true` without `nullable`) left null
 * — typically because a `unique`/`first` table had no row for the facts — or a value outside the
 * output's type or `enum` is a RULESET_DEFECT naming the rule set, the output (and the table) with
 * their positions in the rule-set file; never a silent `null`, never the decision itself.
 * Outputs that accept null (the default for outputs) keep `null` as "not decided". The checker
 * warns (`table/gap`) where such a defect can come from a table whose rows do not cover every input.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { createLineIndex } from "../dsl/positions.js";
import { DecisionError } from "../engine/errors.js";
import { createRuntime } from "../engine/runtime.js";
import { compileOk, lineOf, readRuleSet, rejectionOf } from "./helpers/rulesets.js";

/** `grupo` comes from a table; the table has a row for `x` only. */
function source(policy: "unique" | "first", declaration: string): string {
  return `ruleset: grupos
description: Grupo pela tabela.
facts:
  tipo: { type: string, required: true }
outputs:
  grupo: ${declaration}
tables:
  - name: porTipo
    hitPolicy: ${policy}
    onNoMatch: null
    inputs: [tipo]
    outputs: [grupo]
    rows:
      - { tipo: x, grupo: A }
rules:
  - name: agrupa
    then: grupo = porTipo.grupo
`;
}

/** 1-based line of the first line containing `needle`, and the column where `token` starts on it. */
function position(src: string, needle: string, token: string): { line: number; column: number } {
  const line = src.split("\n").findIndex((l) => l.includes(needle)) + 1;
  return { line, column: lineOf(src, line).indexOf(token) + 1 };
}

async function defectOf(promise: Promise<unknown>): Promise<DecisionError> {
  const e = await rejectionOf(promise);
  expect(e).toBeInstanceOf(DecisionError);
  expect((e as DecisionError).code).toBe("RULESET_DEFECT");
  return e as DecisionError;
}

describe("an output that does not accept null, left null by a table with no row for the facts", () => {
  for (const policy of ["unique", "first"] as const) {
    for (const declaration of [
      "{ type: string, enum: [A, B], nullable: false }",
      "{ type: string, enum: [A, B], required: true }",
    ]) {
      it(`${policy} table, output ${declaration}: RULESET_DEFECT naming the table and the output where they are written (with and without explain)`, async () => {
        const src = source(policy, declaration);
        const rt = createRuntime(compileOk(src));
        expect((await rt.decide({ tipo: "x" })).decision).toEqual({ grupo: "A" });
        for (const explain of [false, true]) {
          const err = await defectOf(rt.decide({ tipo: "y" }, { explain }));
          expect(err.message).toContain(
            `a tabela "porTipo" (política ${policy}) não tem linha para estes fatos e a saída "grupo" não aceita nulo`,
          );
          expect(err.details).toEqual([
            {
              ruleset: "grupos",
              output: "grupo",
              table: "porTipo",
              ...position(src, "- name: porTipo", "porTipo"),
              message: expect.stringContaining('"porTipo"'),
            },
            {
              ruleset: "grupos",
              output: "grupo",
              ...position(src, "  grupo: {", "grupo"),
              message: expect.stringContaining('"grupo"'),
            },
          ]);
        }
        // The runtime stays usable: the next decision is complete.
        expect((await rt.decide({ tipo: "x" })).decision).toEqual({ grupo: "A" });
      });
    }
  }

  it("an output that accepts null (the default for outputs) keeps null as 'not decided'", async () => {
    for (const declaration of [
      "{ type: string, enum: [A, B] }",
      "{ type: string, enum: [A, B], nullable: true }",
      "string",
    ]) {
      const rt = createRuntime(compileOk(source("unique", declaration)));
      expect((await rt.decide({ tipo: "y" })).decision, declaration).toEqual({ grupo: null });
    }
  });

  it("a table that has a row for the facts is not blamed: the rule that gave null is", async () => {
    const src = `ruleset: grupos
facts:
  tipo: { type: string, required: true }
  codigo: { type: string }
outputs:
  grupo: { type: string, nullable: false, default: A }
tables:
  - name: porTipo
    onNoMatch: null
    inputs: [tipo]
    outputs: [peso]
    rows:
      - { tipo: x, peso: 1 }
rules:
  - name: copia o código
    when: porTipo.peso == 1
    then: grupo = codigo
`;
    const rt = createRuntime(compileOk(src));
    expect((await rt.decide({ tipo: "x", codigo: "B" })).decision).toEqual({ grupo: "B" });
    expect((await rt.decide({ tipo: "y" })).decision).toEqual({ grupo: "A" });
    const err = await defectOf(rt.decide({ tipo: "x" }));
    expect(err.details).toEqual([
      {
        ruleset: "grupos",
        output: "grupo",
        ...position(src, "  grupo: {", "grupo"),
        message: 'a regra "copia o código" deu nulo à saída "grupo", que não aceita nulo',
      },
    ]);
  });

  it("a required output no rule set: RULESET_DEFECT at the output's declaration", async () => {
    const src = `ruleset: exige
facts:
  idade: { type: integer, required: true }
outputs:
  categoria: { type: string, required: true }
rules:
  - name: adulto
    when: idade >= 18
    then: categoria = "ADULTO"
`;
    const rt = createRuntime(compileOk(src));
    expect((await rt.decide({ idade: 30 })).decision).toEqual({ categoria: "ADULTO" });
    const err = await defectOf(rt.decide({ idade: 10 }));
    expect(err.details).toEqual([
      {
        ruleset: "exige",
        output: "categoria",
        ...position(src, "  categoria:", "categoria"),
        message: 'nenhuma regra deu valor à saída "categoria", que não aceita nulo',
      },
    ]);
  });
});

describe("an output value outside its declaration", () => {
  it("a text outside the output's enum (copied from a fact) is a RULESET_DEFECT that does not echo the value", async () => {
    const src = `ruleset: copia
facts:
  tipo: { type: string, required: true }
outputs:
  grupo: { type: string, enum: [A, B] }
rules:
  - name: copia
    then: grupo = tipo
`;
    const rt = createRuntime(compileOk(src));
    expect((await rt.decide({ tipo: "B" })).decision).toEqual({ grupo: "B" });
    const err = await defectOf(rt.decide({ tipo: "Segredo do cliente" }));
    expect(err.details).toEqual([
      {
        ruleset: "copia",
        output: "grupo",
        ...position(src, "  grupo:", "grupo"),
        message: expect.stringContaining('"A", "B"'),
      },
    ]);
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain("Segredo");
  });

  it("null inside a list output (a path over items without the field) is still the language's 'absent', not a defect", async () => {
    const src = `ruleset: projecao
facts:
  contatos: { type: list, required: true, items: { type: object, fields: { canal: string } } }
outputs:
  canais: { type: list, items: string }
rules:
  - name: projeta
    then: canais = contatos.canal
`;
    const rt = createRuntime(compileOk(src));
    expect((await rt.decide({ contatos: [{ canal: "chat" }, {}] })).decision).toEqual({ canais: ["chat", null] });
  });
});

describe("the shipped reclame-designacao", () => {
  it("declares `acao` without null, as the contract lists it (its last rule sets it whatever the facts)", async () => {
    const compiled = compileOk(readRuleSet("reclame-designacao"));
    const props = compiled.decisionSchema.properties as Record<string, { type?: unknown }>;
    expect(props.acao?.type).toBe("string");
    expect(props.designacao?.type).toEqual(["string", "null"]);
  });
});

describe("static warning table/gap: a non-nullable output assigned from a table that may have no row", () => {
  const gaps = (src: string) => {
    const r = compileSource(src);
    expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
    const index = createLineIndex(src);
    return r.diagnostics
      .filter((d) => d.code === "table/gap")
      .map((d) => ({ severity: d.severity, ...index.toPosition(d.range.start) }));
  };

  it("warns at the assigned value when the rows do not cover every input", () => {
    const src = source("unique", "{ type: string, enum: [A, B], nullable: false }");
    expect(gaps(src)).toEqual([
      { severity: "warning", ...position(src, "then: grupo = porTipo.grupo", "porTipo.grupo") },
    ]);
    expect(gaps(source("first", "{ type: string, enum: [A, B], required: true }"))).toHaveLength(1);
  });

  it("is silent when the output accepts null, a row has '-' in every input, the rows cover the fact's enum, or the rule's when tests the table", () => {
    expect(gaps(source("unique", "{ type: string, enum: [A, B] }"))).toEqual([]);
    const nonNull = source("unique", "{ type: string, enum: [A, B], nullable: false }");
    expect(
      gaps(
        nonNull
          .replace("      - { tipo: x, grupo: A }\n", "      - { tipo: x, grupo: A }\n      - { tipo: -, grupo: B }\n")
          .replace("hitPolicy: unique", "hitPolicy: first"),
      ),
    ).toEqual([]);
    expect(
      gaps(
        nonNull
          .replace("tipo: { type: string, required: true }", "tipo: { type: string, enum: [x, y], required: true }")
          .replace("      - { tipo: x, grupo: A }\n", "      - { tipo: x, grupo: A }\n      - { tipo: y, grupo: B }\n"),
      ),
    ).toEqual([]);
    expect(
      gaps(
        nonNull
          .replace(
            "    then: grupo = porTipo.grupo",
            "    when: porTipo.grupo is not null\n    then: grupo = porTipo.grupo",
          )
          .replace("  grupo: {", "  grupo: { default: A, "),
      ),
    ).toEqual([]);
  });
});
