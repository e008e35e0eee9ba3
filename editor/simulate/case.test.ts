import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../dsl/compile/pipeline.js";
import { decide, isDecisionError } from "../../engine/index.js";
import { checkSuite } from "../../tester/check.js";
import { runSuite } from "../../tester/run.js";
import { loadSuite } from "../../tester/suite.js";
import { appendCase, caseName, type SimulationOutcome } from "./case.js";

const RULES = join(import.meta.dirname, "../../rules");
const SHIPPED = readdirSync(RULES)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
  .map((f) => f.replace(/\.yaml$/, ""));

const read = (f: string) => readFileSync(join(RULES, f), "utf8");

async function simulate(source: string, facts: Record<string, unknown>): Promise<SimulationOutcome> {
  const compiled = compileSource(source).compiled;
  if (!compiled) throw new Error("does not compile");
  try {
    return { kind: "decision", decision: (await decide(compiled, facts)).decision };
  } catch (e) {
    if (!isDecisionError(e)) throw e;
    return { kind: "error", code: e.code, paths: e.details.flatMap((d) => (d.path !== undefined ? [d.path] : [])) };
  }
}

/** The comment lines of a text, in order. */
function comments(text: string): string[] {
  return text.split("\n").filter((l) => l.trim().startsWith("#"));
}

// Compiling and running the shipped rule sets takes a few seconds on a loaded machine.
describe("saving a simulation as a test case", () => {
  for (const name of SHIPPED) {
    it(`${name}: appends a case that the tester reads, checks and passes; the rest of the suite is unchanged`, async () => {
      const source = read(`${name}.yaml`);
      const suiteText = read(`${name}.test.yaml`);
      const compiled = compileSource(source).compiled;
      if (!compiled) throw new Error("does not compile");
      const before = loadSuite(suiteText).suite;
      // A case of the suite with a decision, and one with an error, simulated again and saved.
      for (const pick of [before?.cases.find((c) => c.expect), before?.cases.find((c) => c.expectError)]) {
        if (!pick) continue;
        const outcome = await simulate(source, pick.facts);
        const result = appendCase(suiteText, name, { facts: pick.facts, outcome });
        if (!result.ok) throw new Error(result.message);
        expect(result.text.startsWith(suiteText.trimEnd())).toBe(true);
        expect(comments(result.text)).toEqual(comments(suiteText));
        const after = loadSuite(result.text).suite;
        expect(after?.cases.length).toBe((before?.cases.length ?? 0) + 1);
        const saved = after?.cases.find((c) => c.name === result.name);
        expect(saved?.facts).toEqual(pick.facts);
        expect(checkSuite(result.text, compiled)).toEqual([]);
        const run = await runSuite(compiled, loadSuite(result.text).suite!, { caseName: result.name });
        expect(run.cases.map((c) => [c.name, c.passed, c.differences])).toEqual([[result.name, true, []]]);
      }
    }, 60_000);
  }

  it("writes facts relative to the suite's defaults (omit for a default the simulation lacks)", async () => {
    const source = read("reclame-designacao.yaml");
    const suiteText = read("reclame-designacao.test.yaml");
    const facts = {
      tipoAtendimento: "Reclamação",
      tipoCliente: "Beneficiário",
      servico: "Reembolso",
      entradaEm: "2026-04-01T09:15",
    };
    const result = appendCase(suiteText, "reclame-designacao", { facts, outcome: await simulate(source, facts) });
    if (!result.ok) throw new Error(result.message);
    const added = result.text.slice(suiteText.length);
    expect(added).toBe(`
  - name: Simulação · Reclamação · Beneficiário · Reembolso → DESIGNAR
    description: Salvo a partir do simulador do editor.
    facts:
      tipoCliente: Beneficiário
      servico: Reembolso
      entradaEm: 2026-04-01T09:15
    omit: [numero]
    expect:
      acao: DESIGNAR
      designacao: GIPES
      gipes: null
      tipoEntrada: RECLAME
      prazoDesignacao: 2026-04-01T11:15:00.000-03:00
      anexarGravacao: false
      historico: null
      email: null
      servicosValidos: null
      servicosSugeridos: null
      tipoAtendimentoSugerido: null
`);
  });

  it("follows a suite that writes facts in flow style and quotes what YAML would read otherwise", () => {
    const suite = `# cabeçalho
suite: x
cases:
  - name: a
    facts: { n: 1 }
    expect: { ok: true }
  - name: b # comentário na linha
    facts: { n: 2 }
    expect: { ok: false }
`;
    const facts = {
      texto: "Sim",
      numero: "123",
      nulo: "null",
      doisPontos: "a: b",
      cerquilha: "#x",
      data: "2026-04-01",
    };
    const result = appendCase(suite, "x", {
      facts,
      outcome: { kind: "decision", decision: { ok: true, lista: [{ a: 1 }] } },
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.text).toBe(`${suite}  - name: Simulação · Sim · 123 · null → ok sim
    description: Salvo a partir do simulador do editor.
    facts: { texto: Sim, numero: "123", nulo: "null", doisPontos: "a: b", cerquilha: "#x", data: 2026-04-01 }
    expect: { ok: true, lista: [{ a: 1 }] }
`);
    expect(loadSuite(result.text).suite?.cases[2]?.facts).toEqual(facts);
    const odd = { hifen: "- y", linhas: "a\nb", lista: ["x, y", "[z]"] };
    const more = appendCase(suite, "x", { facts: odd, outcome: { kind: "decision", decision: { ok: true } } });
    expect(more.ok && more.text.slice(suite.length).split("\n")[2]).toBe(
      '    facts: { hifen: "- y", linhas: "a\\nb", lista: ["x, y", "[z]"] }',
    );
    expect(more.ok && loadSuite(more.text).suite?.cases[2]?.facts).toEqual(odd);
  });

  it("inserts after the last case when another key follows the list, keeping the comments between", () => {
    const suite = `cases:
    - name: a
      facts: {}
      expect: { ok: true }
    # fim dos casos

description: depois
suite: x
`;
    const result = appendCase(suite, "x", {
      facts: {},
      outcome: { kind: "error", code: "INVALID_FACTS", paths: ["/n"] },
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.text).toBe(`cases:
    - name: a
      facts: {}
      expect: { ok: true }

    - name: Simulação → erro INVALID_FACTS
      description: Salvo a partir do simulador do editor.
      facts: {}
      expectError: { code: INVALID_FACTS, status: 400, paths: [/n] }
    # fim dos casos

description: depois
suite: x
`);
  });

  it("starts a suite when there is none, and fills an empty list", () => {
    const outcome: SimulationOutcome = { kind: "decision", decision: { ok: true } };
    const fresh = appendCase(undefined, "meu-conjunto", { facts: { a: "x" }, outcome });
    expect(fresh).toEqual({
      ok: true,
      name: "Simulação · x → ok sim",
      text: `suite: meu-conjunto
cases:
  - name: Simulação · x → ok sim
    description: Salvo a partir do simulador do editor.
    facts:
      a: x
    expect:
      ok: true
`,
    });
    const empty = appendCase("suite: s # nome\ncases: []\n", "s", { facts: {}, outcome });
    expect(empty.ok && empty.text).toBe(
      "suite: s # nome\ncases:\n  - name: Simulação → ok sim\n    description: Salvo a partir do simulador do editor.\n    facts: {}\n    expect:\n      ok: true\n",
    );
    const none = appendCase("suite: s\n", "s", { facts: {}, outcome });
    expect(none.ok && loadSuite(none.text).suite?.cases.length).toBe(1);
  });

  it("names cases uniquely and refuses a suite it cannot read", () => {
    expect(caseName({ a: "x" }, { kind: "decision", decision: { r: "Y" } }, new Set(["Simulação · x → Y"]))).toBe(
      "Simulação · x → Y (2)",
    );
    const suite = "suite: s\ncases:\n  - name: Simulação → ok sim\n    facts: {}\n    expect: { ok: true }\n";
    const again = appendCase(suite, "s", { facts: {}, outcome: { kind: "decision", decision: { ok: true } } });
    expect(again.ok && again.name).toBe("Simulação → ok sim (2)");
    expect(appendCase("suite: [", "s", { facts: {}, outcome: { kind: "decision", decision: {} } })).toEqual({
      ok: false,
      message: "a suíte de testes tem erros de YAML: corrija-a antes de salvar o caso",
    });
  });
});
