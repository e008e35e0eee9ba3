/**
 * Over HTTP (issue 7, item 15): a decision that breaks its declared outputs — an output declared
 * without accepting null left null because a `unique` table had no row for the facts — is a 500
 * RULESET_DEFECT whose details name the rule set, the version, the output and the table with
 * their positions in the rule-set file; never a 200 with a silent `null`, never the decision. In a
 * batch, that item gets the error and the others decide.
 */
import { describe, expect, it, vi } from "vitest";
import { call, closeAfterEach, expectError, json, startApp } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const keep = closeAfterEach();

const SOURCE = `ruleset: grupos
description: Grupo pela tabela.
facts:
  tipo: { type: string, required: true }
outputs:
  grupo: { type: string, enum: [A, B], nullable: false }
tables:
  - name: porTipo
    onNoMatch: null
    inputs: [tipo]
    outputs: [grupo]
    rows:
      - { tipo: x, grupo: A }
      - { tipo: z, grupo: B }
rules:
  - name: agrupa
    then: grupo = porTipo.grupo
`;

function position(needle: string, token: string): { line: number; column: number } {
  const lines = SOURCE.split("\n");
  const i = lines.findIndex((l) => l.includes(needle));
  return { line: i + 1, column: (lines[i] ?? "").indexOf(token) + 1 };
}

const EXPECTED_DETAILS = [
  {
    ruleset: "grupos",
    version: 1,
    output: "grupo",
    table: "porTipo",
    ...position("- name: porTipo", "porTipo"),
    message: 'a tabela "porTipo" (política unique) não tem linha para estes fatos e a saída "grupo" não aceita nulo',
  },
  {
    ruleset: "grupos",
    version: 1,
    output: "grupo",
    ...position("  grupo: {", "grupo"),
    message: expect.stringContaining('"grupo"'),
  },
];

describe("a non-nullable output left null by a unique table with no row for the facts", () => {
  it("single decision: 500 RULESET_DEFECT with ruleset, version, output, table, line and column; no decision in the body", async () => {
    const t = keep(await startApp());
    const published = await call(t.app, { url: "/v1/rulesets/grupos/versions", body: { source: SOURCE } });
    expect(published.statusCode, published.body).toBe(201);
    expect(json(await call(t.app, { url: "/v1/decide/grupos", body: { facts: { tipo: "x" } } })).decision).toEqual({
      grupo: "A",
    });

    for (const explain of [false, true]) {
      const res = await call(t.app, { url: "/v1/decide/grupos", body: { facts: { tipo: "tipo-sem-linha" }, explain } });
      const err = expectError(res, 500, "RULESET_DEFECT");
      expect(err.message).toContain(
        'a tabela "porTipo" (política unique) não tem linha para estes fatos e a saída "grupo" não aceita nulo',
      );
      expect(err.details).toEqual(EXPECTED_DETAILS);
      expect(res.body).not.toContain("tipo-sem-linha");
      expect(res.body).not.toContain('"decision"');
    }
  });

  it("batch: that item gets the RULESET_DEFECT error, the others decide", async () => {
    const t = keep(await startApp());
    expect((await call(t.app, { url: "/v1/rulesets/grupos/versions", body: { source: SOURCE } })).statusCode).toBe(201);
    const res = await call(t.app, {
      url: "/v1/decide/grupos/batch",
      body: { items: [{ facts: { tipo: "x" } }, { facts: { tipo: "y" } }, { facts: { tipo: "z" } }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const batch = json(res);
    expect(batch.results).toHaveLength(3);
    expect(batch.results[0]).toMatchObject({ decision: { grupo: "A" } });
    expect(batch.results[0].error).toBeUndefined();
    expect(batch.results[1].decision).toBeUndefined();
    expect(batch.results[1].error).toMatchObject({ code: "RULESET_DEFECT" });
    expect(batch.results[1].error.details).toEqual(EXPECTED_DETAILS);
    expect(batch.results[2]).toMatchObject({ decision: { grupo: "B" } });
  });
});
