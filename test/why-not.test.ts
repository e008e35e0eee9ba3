/**
 * "Por que não?" (engine/why-not.ts, `rules decide --why-not`): the candidate rules and table rows
 * for a wanted outcome, what blocked each one (false conditions with the values they saw, a `stop`
 * of a rule evaluated earlier, a rule executed later that overwrote the output, an earlier row of a
 * `first` table), and the smallest change of facts, proved by deciding again.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import { createRuntime } from "../engine/runtime.js";
import { candidateLabel, checkWanted, parseWanted, whyNot, WhyNotError, type WhyNotResult } from "../engine/why-not.js";
import { runRules } from "./helpers/cli.js";
import { loadSuite } from "../tester/suite.js";
import { compileOk, readRuleSet, reclameFacts, ROOT, ruleSetNames } from "./helpers/rulesets.js";

const SLOW = 60_000;
const RECLAME = join(ROOT, "rules/reclame-designacao.yaml");
const reclame = compileOk(readFileSync(RECLAME, "utf8"));
const runtime = createRuntime(reclame);

/** A purpose-built rule set: a `first` table, a rule a later one overwrites, a guard with `or`. */
const FAIXAS = `ruleset: por-que-nao
facts:
  idade: { type: integer, required: true }
  plano: { type: string, enum: [Básico, Master], required: true }
  vip: { type: boolean, default: false }
  adesao: { type: date, nullable: true }
outputs:
  faixa: { type: string, enum: [JOVEM, ADULTO, SENIOR], nullable: true }
  desconto: { type: number, default: 0 }
  brinde: { type: boolean, default: false }
tables:
  - name: faixas
    hitPolicy: first
    inputs: [idade]
    outputs: [faixa]
    rows:
      - [<= 17, JOVEM]
      - ["< 65", ADULTO]
      - [">= 60", SENIOR]
rules:
  - name: faixa pela tabela
    priority: 50
    then: faixa = faixas.faixa
  - name: desconto master
    priority: 40
    when: plano == "Master" and idade >= 60
    then: desconto = 10
  - name: desconto vip
    priority: 30
    when: vip
    then: desconto = 5
  - name: brinde de adesão antiga
    priority: 20
    when: adesao is not null and adesao < 2020-01-01
    then: brinde = true
`;
const faixas = compileOk(FAIXAS);
const faixasRuntime = createRuntime(faixas);

/** The decision the suggestion promises, decided again from scratch. */
async function redecide(rt: typeof runtime, facts: Record<string, unknown>, r: WhyNotResult) {
  expect(r.suggestion).not.toBeNull();
  const changed = { ...facts };
  for (const c of r.suggestion?.changes ?? []) changed[c.fact] = c.to;
  return (await rt.decide(changed)).decision;
}

describe("why not (engine)", () => {
  it("Beneficiário + Reembolso, why not CEPES: the CEPES row with its blocking cell, and a change that gives CEPES", async () => {
    const facts = reclameFacts();
    const r = await whyNot(runtime, facts, { designacao: "CEPES" });
    expect(r.already).toBe(false);
    expect(r.decision.designacao).toBe("GIPES");
    // The only CEPES row of the table (row 6), blocked by its `servico` cell; the other cells hold.
    expect(r.candidates).toEqual([
      {
        kind: "row",
        name: "designacaoPorServico · linha 6",
        table: "designacaoPorServico",
        row: 6,
        position: { line: 202, column: 9 },
        blocking: [
          {
            kind: "condition",
            text: "servico: Financeiro – Parcelas não descontadas",
            position: { line: 202, column: 76 },
            values: { servico: "Reembolso" },
          },
        ],
      },
    ]);
    expect(r.suggestion?.changes).toEqual([
      { fact: "servico", from: "Reembolso", to: "Financeiro – Parcelas não descontadas" },
    ]);
    expect(r.suggestion?.decision.designacao).toBe("CEPES");
    expect((await redecide(runtime, facts, r)).designacao).toBe("CEPES");
    expect(r.search.decisions).toBeLessThanOrEqual(r.search.limit);
  });

  it("Credenciado + Reembolso, why not CEPES: two cells and the copying rule block it; a change of two facts", async () => {
    const facts = reclameFacts({ tipoCliente: "Credenciado" });
    const r = await whyNot(runtime, facts, { designacao: "CEPES" });
    expect(r.candidates.map((c) => [c.kind, c.name, c.blocking.map((b) => b.text)])).toEqual([
      [
        "row",
        "designacaoPorServico · linha 6",
        ["tipoCliente: Beneficiário", "servico: Financeiro – Parcelas não descontadas"],
      ],
      ["rule", "designar pela tabela", ["designacaoPorServico.designacao is not null"]],
    ]);
    expect(r.candidates[1]?.blocking[0]?.values).toEqual({ "designacaoPorServico.designacao": null });
    expect(r.suggestion?.changes).toEqual([
      { fact: "tipoCliente", from: "Credenciado", to: "Beneficiário" },
      { fact: "servico", from: "Reembolso", to: "Financeiro – Parcelas não descontadas" },
    ]);
    expect((await redecide(runtime, facts, r)).designacao).toBe("CEPES");
  });

  it("a wanted value the decision already gives: already, nothing else computed", async () => {
    const r = await whyNot(runtime, reclameFacts(), { designacao: "GIPES", acao: "DESIGNAR" });
    expect(r).toMatchObject({ already: true, candidates: [], suggestion: null, search: { decisions: 0 } });
  });

  it("an impossible wanted value: a clear error naming the output and its values", async () => {
    await expect(whyNot(runtime, reclameFacts(), { designacao: "VECTOR" })).rejects.toThrow(
      '"VECTOR" não é um valor de designacao: os valores são GIPES, CEPES, 2_NIVEL_CAIXA (ou null)',
    );
    await expect(whyNot(runtime, reclameFacts(), { designacaoo: "CEPES" })).rejects.toThrow(
      /a saída designacaoo não existe em reclame-designacao; saídas: acao, designacao/u,
    );
    expect(() => checkWanted(reclame, { acao: null })).toThrow("acao não pode ser null (a saída não é nullable)");
    expect(() => checkWanted(reclame, {})).toThrow(WhyNotError);
    expect(() => checkWanted(reclame, ["designacao"])).toThrow(WhyNotError);
  });

  it("parses campo=valor pairs typed by the output (a comma inside a value stays in it)", () => {
    expect(parseWanted(reclame, "designacao=CEPES, acao=DESIGNAR")).toEqual({ designacao: "CEPES", acao: "DESIGNAR" });
    expect(parseWanted(reclame, "designacao=null,anexarGravacao=true")).toEqual({
      designacao: null,
      anexarGravacao: true,
    });
    expect(parseWanted(faixas, "desconto=10")).toEqual({ desconto: 10 });
    expect(parseWanted(reclame, "gipes=GIPES Sul, Norte")).toEqual({ gipes: "GIPES Sul, Norte" });
    expect(() => parseWanted(reclame, "designacao")).toThrow(/não está no formato saida=valor/u);
    expect(() => parseWanted(reclame, "anexarGravacao=sim")).toThrow(/"sim" não é um valor de anexarGravacao/u);
  });

  it("a rule blocked by a higher-priority stop: the stopping rule named, and the change that lets it run", async () => {
    const facts = reclameFacts({ protocoloValidado: false });
    const r = await whyNot(runtime, facts, { acao: "DESIGNAR" });
    expect(r.decision.acao).toBe("ABRIR_FALE_CONOSCO");
    expect(r.candidates).toHaveLength(1);
    const [candidate] = r.candidates;
    expect(candidate).toMatchObject({ kind: "rule", name: "designar pela tabela", position: { line: 265, column: 5 } });
    // Its own conditions hold (evaluated against the run): only the stop is in the way.
    expect(candidate?.blocking).toEqual([
      {
        kind: "stop",
        text: 'a regra "protocolo não validado pelo Reclame", avaliada antes, encerrou a avaliação (stop): esta regra não chegou a ser avaliada',
        position: { line: 249, column: 5 },
        values: {},
      },
    ]);
    expect(r.suggestion?.changes).toEqual([{ fact: "protocoloValidado", from: false, to: true }]);
    expect((await redecide(runtime, facts, r)).acao).toBe("DESIGNAR");
  });

  it("a rule overwritten by a rule executed later is named with the final value", async () => {
    const facts = reclameFacts({ tipoCliente: "Credenciado" });
    const r = await whyNot(runtime, facts, { tipoEntrada: "RECLAME" });
    expect(r.decision.tipoEntrada).toBe("INTERNO");
    expect(r.candidates).toEqual([
      {
        kind: "rule",
        name: "tipo de entrada informado",
        position: { line: 223, column: 5 },
        blocking: [
          {
            kind: "overwrite",
            text: 'a regra "reclassificar demanda de competência das GIPES", executada depois, sobrescreve tipoEntrada',
            position: { line: 279, column: 5 },
            values: { tipoEntrada: "INTERNO" },
          },
        ],
      },
    ]);
    expect((await redecide(runtime, facts, r)).tipoEntrada).toBe("RECLAME");
  });

  it("wanting an output's default: the output is the candidate and the rules that wrote it are in the way", async () => {
    const facts = reclameFacts();
    const r = await whyNot(runtime, facts, { designacao: null });
    expect(r.candidates).toEqual([
      {
        kind: "default",
        name: "designacao (valor padrão null)",
        position: { line: 145, column: 3 },
        blocking: [
          {
            kind: "overwrite",
            text: 'a regra "designar pela tabela" se aplicou e escreve designacao',
            position: { line: 265, column: 5 },
            values: { tipoEntrada: "RECLAME", "designacaoPorServico.designacao": "GIPES" },
          },
        ],
      },
    ]);
    expect(candidateLabel(r.candidates[0]!)).toBe("saída designacao (valor padrão null)");
    expect((await redecide(runtime, facts, r)).designacao).toBeNull();
  });

  it("when only the decision or constants stand in the way, it says no fact can be changed", async () => {
    const rt = createRuntime(
      compileOk(`ruleset: sem-fatos
description: Só a decisão impede.
facts:
  n: { type: integer }
outputs:
  o: { type: string, nullable: true }
  p: { type: string, default: X }
rules:
  - name: depende da decisão
    when: decision.p == "Y"
    then: o = "A"
`),
    );
    const r = await whyNot(rt, { n: 1 }, { o: "A" });
    expect(r.candidates[0]?.blocking[0]).toMatchObject({ kind: "condition", text: 'decision.p == "Y"' });
    expect(r.suggestion).toBeNull();
    expect(r.message).toBe(
      'não há fato a mudar: o que impede o = "A" não lê nenhum fato (só constantes, a decisão ou linhas sem condição)',
    );
  });

  it("a first table: the earlier row that won is named; numbers and dates around the compared constants are tried", async () => {
    const facts = { idade: 62, plano: "Básico" };
    const senior = await whyNot(faixasRuntime, facts, { faixa: "SENIOR" });
    expect(senior.decision.faixa).toBe("ADULTO");
    expect(senior.candidates).toEqual([
      {
        kind: "row",
        name: "faixas · linha 3",
        table: "faixas",
        row: 3,
        position: { line: 19, column: 9 },
        blocking: [
          {
            kind: "first",
            text: "a linha 2 da tabela faixas, anterior, já foi escolhida (política first)",
            position: { line: 18, column: 9 },
            values: {},
          },
        ],
      },
    ]);
    // Row 2 (`< 65`) takes 62 first: the number just past its bound gives SENIOR.
    expect(senior.suggestion?.changes).toEqual([{ fact: "idade", from: 62, to: 65 }]);
    expect(senior.suggestion?.decision.faixa).toBe("SENIOR");

    const young = await whyNot(faixasRuntime, facts, { faixa: "JOVEM" });
    expect(young.candidates[0]?.blocking).toEqual([
      { kind: "condition", text: "idade: <= 17", position: { line: 17, column: 10 }, values: { idade: 62 } },
    ]);
    expect(young.suggestion?.changes).toEqual([{ fact: "idade", from: 62, to: 17 }]);

    // `plano == "Master" and idade >= 60`: only the false conjunct is listed.
    const master = await whyNot(faixasRuntime, { idade: 70, plano: "Básico" }, { desconto: 10 });
    expect(master.candidates).toMatchObject([
      { kind: "rule", name: "desconto master", blocking: [{ text: 'plano == "Master"', values: { plano: "Básico" } }] },
    ]);
    expect(master.suggestion?.changes).toEqual([{ fact: "plano", from: "Básico", to: "Master" }]);

    // The master discount is overwritten by the VIP rule executed after it.
    const vip = await whyNot(faixasRuntime, { idade: 70, plano: "Master", vip: true }, { desconto: 10 });
    expect(vip.candidates[0]?.blocking[0]).toMatchObject({
      kind: "overwrite",
      text: 'a regra "desconto vip", executada depois, sobrescreve desconto',
      values: { desconto: 5 },
    });
    expect(vip.suggestion?.changes).toEqual([{ fact: "vip", from: true, to: false }]);

    // Dates: the day before the compared date is tried.
    const brinde = await whyNot(faixasRuntime, { idade: 30, plano: "Básico", adesao: "2021-05-01" }, { brinde: true });
    expect(brinde.candidates[0]?.blocking.map((b) => [b.text, b.values])).toEqual([
      ["adesao < 2020-01-01", { adesao: "2021-05-01" }],
    ]);
    expect(brinde.suggestion?.changes).toEqual([{ fact: "adesao", from: "2021-05-01", to: "2019-12-31" }]);
  });

  it("list facts and decision.x: a list with the compared constant is tried, and what fills decision.x is varied", async () => {
    const listas = createRuntime(
      compileOk(`ruleset: listas
facts:
  motivos: { type: list, items: { type: string, enum: [Valores, Mudança, Ameaça] }, required: true }
  valor: { type: number, required: true }
constants:
  MOTIVOS_GRAVES: [Ameaça]
outputs:
  grave: { type: boolean, default: false }
  alerta: { type: boolean, default: false }
rules:
  - name: motivo grave
    priority: 20
    when: intersects(motivos, MOTIVOS_GRAVES)
    then: grave = true
  - name: alerta
    priority: 10
    when: decision.grave and valor > 1000
    then: alerta = true
`),
    );
    const facts = { motivos: ["Valores"], valor: 10 };
    const grave = await whyNot(listas, facts, { grave: true });
    expect(grave.candidates[0]?.blocking).toEqual([
      {
        kind: "condition",
        text: "intersects(motivos, MOTIVOS_GRAVES)",
        position: { line: 13, column: 11 },
        values: { motivos: ["Valores"], MOTIVOS_GRAVES: ["Ameaça"] },
      },
    ]);
    expect(grave.suggestion?.changes).toEqual([{ fact: "motivos", from: ["Valores"], to: ["Ameaça"] }]);
    // `decision.grave` is false: the facts of "motivo grave" are varied too; with `valor`, two facts.
    const alerta = await whyNot(listas, facts, { alerta: true });
    expect(alerta.candidates[0]?.blocking.map((b) => [b.text, b.values])).toEqual([
      ["decision.grave", { "decision.grave": false }],
      ["valor > 1000", { valor: 10 }],
    ]);
    expect(alerta.suggestion?.changes).toEqual([
      { fact: "motivos", from: ["Valores"], to: ["Ameaça"] },
      { fact: "valor", from: 10, to: 1001 },
    ]);
    expect((await redecide(listas, facts, alerta)).alerta).toBe(true);
  });

  it("the search stops at its bound and says so", async () => {
    const facts = reclameFacts({ tipoCliente: "Credenciado" });
    const r = await whyNot(runtime, facts, { designacao: "CEPES" }, { limit: 3 });
    expect(r.suggestion).toBeNull();
    expect(r.search).toEqual({ decisions: 3, limit: 3, stoppedAtLimit: true });
    expect(r.message).toBe(
      'a busca parou depois de 3 decisões sem achar uma mudança de até 2 fatos que produza designacao = "CEPES"',
    );
  });

  it("nothing within two facts: says so, after trying every single change and pair", async () => {
    const facts = reclameFacts({ tipoCliente: "Credenciado", protocoloValidado: false });
    const r = await whyNot(runtime, facts, { designacao: "CEPES", acao: "DESIGNAR" });
    expect(r.suggestion).toBeNull();
    expect(r.search.stoppedAtLimit).toBe(false);
    expect(r.search.decisions).toBeGreaterThan(0);
    expect(r.message).toBe('nenhuma mudança de até 2 fatos produz designacao = "CEPES" e acao = "DESIGNAR"');
    // The stop and the table cells are all listed.
    expect(r.candidates.flatMap((c) => c.blocking.map((b) => b.kind))).toEqual([
      "condition",
      "condition",
      "condition",
      "stop",
    ]);
  });

  it("is deterministic: the same question twice gives the same answer", async () => {
    const facts = reclameFacts({ tipoCliente: "Credenciado" });
    expect(await whyNot(runtime, facts, { designacao: "CEPES" })).toEqual(
      await whyNot(runtime, facts, { designacao: "CEPES" }),
    );
  });

  it("invalid facts reject as a decision does", async () => {
    await expect(whyNot(runtime, { tipoCliente: "Beneficiário" }, { designacao: "CEPES" })).rejects.toMatchObject({
      code: "INVALID_FACTS",
    });
  });
});

describe("why not on every shipped rule set", () => {
  it("for the first cases of each suite and every value of each enum or boolean output: a suggestion always gives the value, nothing throws", async () => {
    let asked = 0;
    let suggested = 0;
    for (const name of ruleSetNames().filter((n) => !n.endsWith(".test"))) {
      const compiled = compileOk(readRuleSet(name));
      const rt = createRuntime(compiled);
      const suite = loadSuite(readFileSync(join(ROOT, "rules", `${name}.test.yaml`), "utf8")).suite;
      const outputs = Object.entries(
        (compiled.decisionSchema as { properties: Record<string, { type?: string | string[]; enum?: unknown[] }> })
          .properties,
      );
      for (const c of (suite?.cases ?? []).filter((x) => !x.expectError).slice(0, 3)) {
        for (const [output, schema] of outputs) {
          const types = [schema.type ?? []].flat();
          const values = schema.enum ?? (types.includes("boolean") ? [true, false] : []);
          for (const value of values) {
            asked++;
            const r = await whyNot(rt, c.facts, { [output]: value });
            if (!r.suggestion) continue;
            suggested++;
            expect((await redecide(rt, c.facts, r))[output] ?? null, `${name} · ${c.name} · ${output}`).toEqual(value);
          }
        }
      }
    }
    expect(asked).toBeGreaterThan(80);
    expect(suggested).toBeGreaterThan(20);
  }, 120_000);
});

describe("rules decide --why-not", { timeout: SLOW }, () => {
  const dir = mkdtempSync(join(tmpdir(), "why-not-"));
  writeFileSync(join(dir, "fatos.json"), JSON.stringify(reclameFacts()));
  writeFileSync(join(dir, "reclame.yaml"), readFileSync(RECLAME, "utf8"));

  it("prints the candidates, the blocking conditions with values and positions, and the smallest change (pt-BR)", async () => {
    const r = await runRules(
      ["decide", "reclame.yaml", "--facts", "@fatos.json", "--why-not", "designacao=CEPES"],
      dir,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Por que não designacao = "CEPES"? A decisão dá designacao = "GIPES".',
        "",
        "Candidatas (o que poderia dar esse valor) e o que impediu cada uma:",
        "",
        "tabela designacaoPorServico, linha 6 (reclame.yaml:202:9)",
        '  ✗ servico: Financeiro – Parcelas não descontadas — falsa com servico = "Reembolso" (reclame.yaml:202:76)',
        "",
        'Menor mudança (1 fato): servico: "Reembolso" → "Financeiro – Parcelas não descontadas"',
        '  com ela a decisão dá designacao = "CEPES" (conferido decidindo de novo; 1 decisão na busca).',
        "",
      ].join("\n"),
    );
  });

  it("--json prints the answer for tools", async () => {
    const r = await runRules(
      ["decide", "reclame.yaml", "--facts", "@fatos.json", "--why-not", "designacao=CEPES", "--json"],
      dir,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as WhyNotResult;
    expect(out.wanted).toEqual({ designacao: "CEPES" });
    expect(out.already).toBe(false);
    expect(out.candidates[0]).toMatchObject({ kind: "row", table: "designacaoPorServico", row: 6 });
    expect(out.suggestion?.changes).toEqual([
      { fact: "servico", from: "Reembolso", to: "Financeiro – Parcelas não descontadas" },
    ]);
  });

  it("already given, and an impossible value (exit 2 with the values)", async () => {
    const already = await runRules(
      ["decide", "reclame.yaml", "--facts", "@fatos.json", "--why-not", "designacao=GIPES"],
      dir,
    );
    expect(already).toMatchObject({ code: 0, stdout: 'A decisão já dá designacao = "GIPES".\n' });
    const bad = await runRules(
      ["decide", "reclame.yaml", "--facts", "@fatos.json", "--why-not", "designacao=VECTOR"],
      dir,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--why-not: "VECTOR" não é um valor de designacao: os valores são GIPES, CEPES, 2_NIVEL_CAIXA (ou null)',
    );
    const jsonAlone = await runRules(["decide", "reclame.yaml", "--facts", "@fatos.json", "--json"], dir);
    expect(jsonAlone.code).toBe(2);
    expect(jsonAlone.stderr).toContain("--json vale só com --why-not");
  });

  it("the help documents --why-not", async () => {
    const r = await runRules(["decide", "--help"], dir);
    expect(r.stdout).toContain("--why-not s=v,...");
    expect(r.stdout).toContain(
      "rules decide rules/reclame-designacao.yaml --facts @fatos.json --why-not designacao=CEPES",
    );
  });
});

// Keeps the compile import honest: the purpose-built rule set has no diagnostics at all.
it("the purpose-built rule set compiles without diagnostics", () => {
  expect(compileSource(FAIXAS).diagnostics).toEqual([]);
});
