/**
 * "Compiles" implies "builds": a rule set that compiles without errors always gets its runtime
 * (the ajv fact validator in strict mode and the engine) built, and decides. Fact schemas that
 * ajv would refuse, or numbers JavaScript cannot hold, are diagnostics at their node instead of
 * a failure when the rule set is published. Also: warnings for useless bounds, and the
 * preposition helper of the messages. Synthetic data only.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { de, em, withPreposition } from "../dsl/diagnostics.js";
import { compileSource, diagnose } from "../dsl/compile/pipeline.js";
import { formatRuleSet } from "../dsl/format/format.js";
import { locateDiagnostics } from "../dsl/positions.js";
import { isDecisionError } from "../engine/errors.js";
import { createRuntime } from "../engine/runtime.js";
import { loadSuite } from "../tester/suite.js";

function located(source: string) {
  return locateDiagnostics(source, diagnose(source).diagnostics);
}

describe("fact schemas the runtime's validator would refuse", () => {
  // Numbers as an analyst may write them in YAML, including the ones JavaScript cannot hold.
  const NUMBERS = [".nan", ".inf", "-.inf", "1e400", "9007199254740993", "0", "-1", "1.5", "3", "10", "1e20", "-0"];
  const ENUM_ITEMS = ["J", "F", "é", '"e\\u0301"', "1", '"1"', "null", "'-'", "{ a: b }", "[x]", "ç"];
  const number = fc.constantFrom(...NUMBERS);
  const option = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

  const declaration = fc.oneof(
    fc.record({
      type: fc.constantFrom("integer", "number"),
      minimum: option(number),
      maximum: option(number),
      default: option(number),
    }),
    fc.record({
      type: fc.constant("string"),
      enum: option(fc.array(fc.constantFrom(...ENUM_ITEMS), { maxLength: 4 })),
    }),
    fc.record({
      type: fc.constant("list"),
      items: fc.constantFrom(
        "string",
        "{ type: integer, maximum: 1e400 }",
        "{ type: string, enum: [a, a] }",
        "{ type: number, minimum: 1 }",
      ),
      minItems: option(number),
      maxItems: option(number),
      default: option(fc.constantFrom("[]", "[1]", "[1, 2, 3]")),
    }),
  );

  function sourceOf(decls: readonly Record<string, unknown>[]): string {
    const facts = decls.map((d, i) => {
      const parts = Object.entries(d)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(", ")}]` : String(v)}`);
      return `  f${i}: { ${parts.join(", ")} }`;
    });
    return `ruleset: esquema-gerado\nfacts:\n${facts.join("\n")}\noutputs:\n  ok: { type: boolean, nullable: true }\nrules:\n  - name: sempre\n    then: ok = true\n`;
  }

  it("a generated rule set that compiles builds its runtime and accepts the empty facts; one that does not has errors inside the file", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(declaration, { minLength: 1, maxLength: 3 }), async (decls) => {
        const source = sourceOf(decls);
        const result = compileSource(source);
        if (!result.ok) {
          const errors = result.diagnostics.filter((d) => d.severity === "error");
          expect(errors.length).toBeGreaterThan(0);
          for (const d of errors) {
            expect(d.range.start).toBeGreaterThan(0);
            expect(d.range.end).toBeLessThanOrEqual(source.length);
          }
          return;
        }
        // No fact is required: the defaults (the only values the caller did not send) must pass.
        const runtime = createRuntime(result.compiled!);
        let refused: unknown;
        const decision = await runtime.decide({}).catch((e: unknown) => {
          refused = e;
          return undefined;
        });
        expect(
          refused === undefined
            ? undefined
            : isDecisionError(refused)
              ? `${refused.code} ${JSON.stringify(refused.details)}`
              : String(refused),
          source,
        ).toBeUndefined();
        expect(decision?.decision).toMatchObject({ ok: true });
      }),
      { numRuns: 150, seed: 7 },
    );
  }, 120_000);

  it("minimum above maximum and minItems above maxItems are warnings at the upper bound; the rule set still compiles and builds", () => {
    const source = [
      "ruleset: limites-inuteis",
      "facts:",
      "  faixa: { type: number, minimum: 10, maximum: 1 }",
      "  lista: { type: list, items: string, minItems: 3, maxItems: 2 }",
      "outputs:",
      "  ok: { type: boolean, nullable: true }",
      "",
    ].join("\n");
    // (The output nothing fills is a flow/unset-output warning of its own, not the subject here.)
    const warnings = located(source).filter((d) => d.severity === "warning" && d.code === "ruleset/invalid-schema");
    expect(warnings.map((d) => `${d.code} @ ${d.line}:${d.column}`)).toEqual([
      "ruleset/invalid-schema @ 3:39",
      "ruleset/invalid-schema @ 4:52",
    ]);
    expect(warnings[0]?.message).toContain("nenhum valor pode ser aceito");
    const result = compileSource(source);
    expect(result.ok).toBe(true);
    expect(() => createRuntime(result.compiled!)).not.toThrow();
  });

  it("a fact enum text that normalization would change never matches: a warning at the item (not with normalize: false, not in outputs)", () => {
    const source = [
      "ruleset: enum-normalizado",
      "facts:",
      '  tipo: { type: string, enum: ["Reclamação ", "e\\u0301", Elogio] }',
      '  cru: { type: string, normalize: false, enum: ["Reclamação ", "e\\u0301"] }',
      "outputs:",
      '  saida: { type: string, nullable: true, enum: ["Reclamação ", "e\\u0301"] }',
      "",
    ].join("\n");
    const warnings = located(source).filter((d) => d.severity === "warning" && d.code === "ruleset/invalid-schema");
    expect(warnings.map((d) => `${d.code} @ ${d.line}:${d.column}`)).toEqual([
      "ruleset/invalid-schema @ 3:32",
      "ruleset/invalid-schema @ 3:47",
    ]);
    expect(warnings[0]?.message).toBe(
      'o valor "Reclamação " do enum nunca será aceito: os textos dos fatos chegam normalizados (NFC, sem espaços nas pontas); escreva "Reclamação" (ou declare normalize: false)',
    );
    expect(compileSource(source).ok).toBe(true);
  });

  it("a default outside its bounds is an error at the default (every request without the fact would be refused)", () => {
    const source = [
      "ruleset: padrao-fora",
      "facts:",
      "  idade: { type: integer, minimum: 18, default: 10 }",
      "  lista: { type: list, items: string, maxItems: 1, default: [a, b] }",
      "outputs:",
      "  ok: { type: boolean, nullable: true }",
      "",
    ].join("\n");
    const errors = located(source).filter((d) => d.severity === "error");
    expect(errors.map((d) => `${d.code} @ ${d.line}:${d.column}`)).toEqual([
      "ruleset/invalid-schema @ 3:49",
      "ruleset/invalid-schema @ 4:61",
    ]);
    expect(errors[0]?.message).toBe(
      "o valor padrão 10, abaixo de minimum (18): todo pedido sem este fato seria recusado",
    );
  });

  it("the three cases of the issue: the repeated enum item, the .nan scalar, the 1e400 scalar", () => {
    const source = [
      "ruleset: tres-casos",
      "facts:",
      "  sexo: { type: string, enum: [J, F, J] }",
      "  idade: { type: integer, minimum: .nan }",
      "  valor: { type: number, maximum: 1e400 }",
      "outputs:",
      "  ok: { type: boolean, nullable: true }",
      "",
    ].join("\n");
    const errors = located(source).filter((d) => d.severity === "error");
    expect(errors.map((d) => `${d.code} @ ${d.line}:${d.column}-${d.endColumn}`)).toEqual([
      "ruleset/invalid-schema @ 3:38-39",
      "ruleset/unsafe-number @ 4:36-40",
      "ruleset/unsafe-number @ 5:35-40",
    ]);
    expect(compileSource(source).ok).toBe(false);
  });
});

describe('the any cell "-" without quotes', () => {
  const source = `ruleset: traco
facts:
  motivo: { type: string, required: true }
  canal: { type: string, required: true }
outputs:
  prazo: { type: integer, nullable: true }
tables:
  - name: t
    hitPolicy: first
    inputs: [motivo, canal]
    outputs: [prazo]
    rows:
      - [Denúncia, -, 10]
      - { motivo: -, canal: x, prazo: 5 }
      - motivo: x
        prazo: 1
        canal: -
      - motivo: -
        prazo: 2
        canal: -
rules:
  - name: copia
    then: prazo = t.prazo
`;

  it("compiles, decides, and rules fmt leaves such rows as they are (no blank lines after a block-mapping '-')", async () => {
    const result = compileSource(source);
    expect(result.diagnostics).toEqual([]);
    const runtime = createRuntime(result.compiled!);
    expect((await runtime.decide({ motivo: "Denúncia", canal: "chat" })).decision).toEqual({ prazo: 10 });
    expect((await runtime.decide({ motivo: "Outro", canal: "x" })).decision).toEqual({ prazo: 5 });
    expect((await runtime.decide({ motivo: "x", canal: "y" })).decision).toEqual({ prazo: 1 });
    expect((await runtime.decide({ motivo: "y", canal: "y" })).decision).toEqual({ prazo: 2 });
    const formatted = formatRuleSet(source);
    expect(formatted.diagnostics).toEqual([]);
    expect(formatted.text).toBe(source);
  });
});

describe("Portuguese prepositions in test-suite messages", () => {
  it('an unknown key of a case is reported "no caso", one of the suite "na suíte"', () => {
    const { diagnostics } = loadSuite("suite: x\ncasos: []\ncases:\n  - name: a\n    facts: {}\n    expct: {}\n");
    const messages = diagnostics.filter((d) => d.code === "ruleset/unknown-key").map((d) => d.message);
    expect(messages.some((m) => m.startsWith('chave desconhecida "casos" na suíte.'))).toBe(true);
    expect(messages.some((m) => m.startsWith('chave desconhecida "expct" no caso.'))).toBe(true);
  });
});

describe("Portuguese prepositions joined to phrases", () => {
  it("contract with a leading definite article and leave other phrases alone", () => {
    expect(em("a regra x")).toBe("na regra x");
    expect(em("o invariante y")).toBe("no invariante y");
    expect(de("a tabela t")).toBe("da tabela t");
    expect(de("os fatos")).toBe("dos fatos");
    expect(em(`a linha 1 ${de("a tabela t")}`)).toBe("na linha 1 da tabela t");
    expect(withPreposition("por", "a regra")).toBe("pela regra");
    expect(withPreposition("a", "a regra")).toBe("à regra");
    expect(em("facts.idade")).toBe("em facts.idade");
    expect(de("abacaxi")).toBe("de abacaxi");
    expect(em("as")).toBe("em as");
  });
});

describe("more problems than are shown", () => {
  // 60 rules of one priority writing different values into one output: ~1,800 conflicting-writes
  // warnings, far more than are listed.
  const rules = Array.from(
    { length: 60 },
    (_, i) => `  - name: regra ${i}\n    when: valor >= ${i + 200}\n    then: faixa = "R${i}"\n`,
  ).join("");
  const source = `ruleset: muitos-avisos
facts:
  valor: { type: number, required: true }
outputs:
  faixa: { type: string }
rules:
${rules}`;

  it("hidden warnings are summed up as a warning: the rule set still compiles", () => {
    const result = compileSource(source);
    expect(result.ok).toBe(true);
    const last = result.diagnostics[result.diagnostics.length - 1]!;
    expect(last.message).toMatch(/^mais \d+ problemas não mostrados$/);
    expect(last.severity).toBe("warning");
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(diagnose(source).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("hidden errors keep the summary an error", () => {
    const broken = Array.from(
      { length: 210 },
      (_, i) => `  - name: quebrada ${i}\n    when: valor >=\n    then: faixa = "X"\n`,
    );
    const result = compileSource(source.replace(rules, broken.join("")));
    expect(result.ok).toBe(false);
    const last = result.diagnostics[result.diagnostics.length - 1]!;
    expect(last.message).toMatch(/^mais \d+ problemas não mostrados$/);
    expect(last.severity).toBe("error");
  });
});
