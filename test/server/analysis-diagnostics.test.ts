/**
 * The analyses' findings reach the analysts through the service as they do through `rules check`:
 * `validate` answers a same-priority conflict as a warning (the rule set is still valid) with the
 * example input in the message and, in `related`, where the other rule writes its value.
 */
import { describe, expect, it, vi } from "vitest";
import { call, closeAfterEach, json, startApp } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const keep = closeAfterEach();

const SOURCE = `ruleset: analise
description: Duas regras de mesma prioridade.
facts:
  servico: { type: string, required: true }
  tipo: { type: string, enum: [A, B], required: true }
outputs:
  destino: { type: string, nullable: true }
rules:
  - name: primeira
    when: servico == "X"
    then: destino = "GIPES"
  - name: segunda
    when: tipo == "A"
    then: destino = "CEPES"
`;

interface Wire {
  severity: string;
  code: string;
  message: string;
  line: number;
  column: number;
  related?: { message: string; line: number; column: number }[];
}

describe("analysis findings over HTTP", () => {
  it("validate: a warning with the example input and the other rule in related; still ok", async () => {
    const { app } = keep(await startApp());
    const res = await call(app, { url: "/v1/rulesets/analise/validate", body: { source: SOURCE } });
    expect(res.statusCode, res.body).toBe(200);
    const body = json<{ ok: boolean; diagnostics: Wire[] }>(res);
    expect(body.ok).toBe(true);
    const conflict = body.diagnostics.find((d) => d.code === "rule/conflicting-writes");
    expect(conflict).toMatchObject({ severity: "warning", line: 14, column: 21 });
    expect(conflict?.message).toContain('por exemplo com servico = "X", tipo = "A"');
    expect(conflict?.related).toEqual([
      expect.objectContaining({ message: '"primeira" escreve "GIPES"', line: 11, column: 21 }),
    ]);
  });
});
