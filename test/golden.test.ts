/**
 * Golden compiled output: every `test/golden/<nome>.yaml` must compile to exactly
 * `test/golden/<nome>.compiled.json` (`JSON.stringify(compileSource(src).compiled, null, 2)`).
 *
 *   To accept an intended change of the compiled form, regenerate the files and review the diff:
 *     UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
 *   With UPDATE_GOLDEN=1 the .json files are rewritten instead of compared.
 *
 * The compiled form is "inspectable and runnable": the JSON read back from the file runs on a
 * plain json-rules-engine `new Engine()` once our operators and computed facts are registered (the
 * ones `createEngine` from engine/runtime.ts registers) and each run passes the per-run context
 * (`$run`) those facts read; our runtime decides from it too.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine, type RuleProperties } from "json-rules-engine";
import { describe, expect, it } from "vitest";
import { compileSource } from "../dsl/compile/pipeline.js";
import {
  DECISION_FACT,
  EXPR_FACT,
  RUN_FACT,
  TABLE_FACT,
  type CompiledRuleSet,
  type Condition,
} from "../dsl/compile/compiled.js";
import { evaluate, type EvalEnv } from "../dsl/evaluate.js";
import type { Expr } from "../dsl/syntax/ast.js";
import type { Value } from "../dsl/values.js";
import { createFactValidator, toRuntimeFacts } from "../engine/facts.js";
import { operatorDefinitions, pathResolver } from "../engine/operators.js";
import { createEngine, createRuntime } from "../engine/runtime.js";

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

interface Sample {
  readonly facts: Record<string, unknown>;
  /** Subset of the decision our runtime returns. */
  readonly decision: Record<string, unknown>;
  /** Names of the rules our runtime reports as fired (stop and hit policies applied). */
  readonly fired?: readonly string[];
  /** Names of the json-rules-engine rules whose conditions hold on a plain engine (no stop: every rule is evaluated). */
  readonly plainMatches?: readonly string[];
  /** Names that must (not) be among the plain engine's matches. */
  readonly plainIncludes?: readonly string[];
  readonly plainExcludes?: readonly string[];
}

const GOLDEN: Record<string, readonly Sample[]> = {
  tabela: [
    {
      facts: { tipoCliente: "Credenciado", servico: "Glosa" },
      decision: { designacao: "GIPES" },
      fired: ["designacaoPorServico · linha 3", "designar pela tabela"],
      plainMatches: ["designacaoPorServico · linha 3", "designar pela tabela"],
    },
    {
      facts: { tipoCliente: "Beneficiário", servico: "Falta de atendimento, nos Canais do Saúde CAIXA" },
      decision: { designacao: "2_NIVEL_CAIXA" },
      plainMatches: ["designacaoPorServico · linha 4", "designar pela tabela"],
    },
    {
      facts: { tipoCliente: "Beneficiário", servico: "Glosa" },
      decision: { designacao: null },
      fired: ["designar pela tabela"],
      plainMatches: ["designar pela tabela"],
    },
  ],
  "regras-stop": [
    {
      facts: { numero: "1", protocoloValidado: false, registradoDuranteAtendimento: true },
      decision: {
        acao: "ABRIR_FALE_CONOSCO",
        mensagens: ["Oriente o cliente a abrir o Fale Conosco."],
        anexarGravacao: false,
        email: null,
      },
      fired: ["protocolo não validado"],
      plainMatches: ["protocolo não validado", "registrado durante o atendimento", "designar"],
    },
    {
      facts: { numero: "7", canalOrigem: "telefone", protocoloValidado: true, registradoDuranteAtendimento: false },
      decision: { acao: "DESIGNAR", anexarGravacao: true, mensagens: [], email: { assunto: "Ocorrência 7" } },
      fired: ["anexar gravação", "designar"],
      plainMatches: ["anexar gravação", "designar"],
    },
  ],
  transicao: [
    {
      facts: { protocolo: { status: "Em atendimento" }, transicao: { para: "Pendente", setorPendencia: "GIPES" } },
      decision: { permitido: true, motivos: [], camposFaltando: [] },
      plainIncludes: ["transição: resultado"],
      plainExcludes: [
        "transição: não permitida",
        "transição: estado terminal",
        "transição: estado desconhecido",
        "transição: condição geral 1",
      ],
    },
    {
      facts: { protocolo: { status: "Em atendimento" }, transicao: { para: "Pendente" } },
      decision: { permitido: false, motivos: [], camposFaltando: ["setorPendencia"] },
      plainExcludes: ["transição: não permitida"],
    },
    {
      facts: { protocolo: { status: "Em atendimento" }, transicao: { para: "Concluído", ator: "OPERACAO" } },
      decision: {
        permitido: false,
        motivos: [
          "Transição de Em atendimento para Concluído não permitida.",
          "A operação não conclui este protocolo.",
        ],
        camposFaltando: [],
      },
      plainIncludes: ["transição: não permitida", "transição: condição geral 1", "transição: resultado"],
    },
    {
      facts: { protocolo: { status: "Concluído" }, transicao: { para: "Pendente" } },
      decision: { permitido: false, motivos: ["o estado atual é terminal"] },
      plainIncludes: ["transição: estado terminal"],
      plainExcludes: ["transição: não permitida"],
    },
  ],
  expressao: [
    {
      facts: {
        valor: 600,
        quantidade: 2,
        cpf: "529.982.247-25",
        itens: ["a", "b", "a"],
        abertura: "2023-08-23",
        fechamento: "2023-10-06",
      },
      decision: { faixa: "ALTA", marcas: ["itens repetidos", "cpf válido", "fora do prazo", "prioritário"] },
      fired: ["total acima do limite", "muitos itens", "cpf válido", "fora do prazo", "prioridade"],
      plainMatches: ["total acima do limite", "muitos itens", "cpf válido", "fora do prazo", "prioridade"],
    },
    {
      facts: { valor: 100, urgente: true, itens: ["a", "b", "c"] },
      decision: { faixa: "BAIXA", marcas: ["cpf inválido", "prioritário"] },
      fired: ["valor abaixo da metade do limite", "cpf ausente ou inválido", "prioridade"],
      plainMatches: ["valor abaixo da metade do limite", "cpf ausente ou inválido", "prioridade"],
    },
    {
      facts: { valor: 700, cpf: "111.111.111-11", abertura: "2026-01-01", fechamento: "2026-01-10" },
      decision: { faixa: null, marcas: ["cpf inválido", "prioritário"] },
      fired: ["cpf ausente ou inválido", "prioridade"],
      plainMatches: ["cpf ausente ou inválido", "prioridade"],
    },
  ],
};

/** Every leaf condition of a rule (operator and fact), iteratively. */
function leaves(c: Condition): Extract<Condition, { fact: string }>[] {
  const out: Extract<Condition, { fact: string }>[] = [];
  const stack: Condition[] = [c];
  while (stack.length) {
    const cur = stack.pop() as Condition;
    if ("all" in cur) stack.push(...cur.all);
    else if ("any" in cur) stack.push(...cur.any);
    else if ("not" in cur) stack.push(cur.not);
    else out.push(cur);
  }
  return out;
}

/** A plain json-rules-engine engine with the JSON rules, our operators and the computed facts createEngine registers. */
function plainEngine(compiled: CompiledRuleSet): Engine {
  const engine = new Engine(compiled.rules as unknown as RuleProperties[], {
    allowUndefinedFacts: false,
    pathResolver,
    replaceFactsInEventParams: false,
  });
  for (const [name, fn] of operatorDefinitions(compiled.zone)) engine.addOperator(name, fn);
  const ours = createEngine(compiled);
  for (const id of [EXPR_FACT, DECISION_FACT, TABLE_FACT]) engine.addFact(ours.getFact(id));
  return engine;
}

/**
 * The per-run context the computed facts read (the `$run` fact; createRuntime passes its own): here
 * only what `$expr` conditions on facts and constants need. No action runs on the plain engine, so
 * there is no decision or table result to offer.
 */
function plainRun(compiled: CompiledRuleSet, facts: Record<string, Value>): { env: EvalEnv } {
  const env: EvalEnv = {
    zone: compiled.zone,
    lookup: (name) =>
      Object.hasOwn(facts, name)
        ? facts[name]
        : Object.hasOwn(compiled.constants, name)
          ? evaluate(compiled.constants[name] as Expr, env)
          : undefined,
  };
  return { env };
}

for (const [name, samples] of Object.entries(GOLDEN)) {
  describe(`golden ${name}`, () => {
    const yamlPath = join(GOLDEN_DIR, `${name}.yaml`);
    const jsonPath = join(GOLDEN_DIR, `${name}.compiled.json`);
    const source = readFileSync(yamlPath, "utf8");
    const result = compileSource(source);

    it("compiles without errors", () => {
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(result.ok).toBe(true);
    });

    it(`compiles to ${name}.compiled.json`, () => {
      const actual = `${JSON.stringify(result.compiled, null, 2)}\n`;
      if (UPDATE) {
        writeFileSync(jsonPath, actual);
        return;
      }
      expect(existsSync(jsonPath), `missing ${jsonPath}: run UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts`).toBe(
        true,
      );
      expect(actual).toBe(readFileSync(jsonPath, "utf8"));
    });

    it("compiles deterministically", () => {
      expect(JSON.stringify(compileSource(source).compiled)).toBe(JSON.stringify(result.compiled));
    });

    it("is plain JSON whose conditions use only our operators and known facts", () => {
      const fromJson = JSON.parse(readFileSync(jsonPath, "utf8")) as CompiledRuleSet;
      const operators = new Set(operatorDefinitions(fromJson.zone).map(([n]) => n));
      const facts = new Set([...Object.keys(fromJson.factShapes), EXPR_FACT, DECISION_FACT, TABLE_FACT]);
      const priorities = fromJson.rules.map((r) => r.priority);
      expect(new Set(priorities).size, "priorities are distinct").toBe(priorities.length);
      expect(
        [...priorities].sort((a, b) => b - a),
        "rules are listed in evaluation order",
      ).toEqual(priorities);
      for (const rule of fromJson.rules) {
        expect(fromJson.handlers[rule.event.params.ref], `handler of ${rule.name}`).toBeDefined();
        expect(fromJson.sourceMap[rule.event.params.ref], `source location of ${rule.name}`).toBeDefined();
        for (const leaf of leaves(rule.conditions)) {
          expect(operators.has(leaf.operator), `${rule.name}: operator ${leaf.operator}`).toBe(true);
          expect(facts.has(leaf.fact), `${rule.name}: fact ${leaf.fact}`).toBe(true);
        }
      }
    });

    samples.forEach((sample, i) => {
      it(`runs sample ${i + 1} from the JSON on a plain new Engine() and through the runtime`, async () => {
        const fromJson = JSON.parse(readFileSync(jsonPath, "utf8")) as CompiledRuleSet;

        const runtime = createRuntime(fromJson);
        const out = await runtime.decide(sample.facts);
        expect(out.decision).toMatchObject(sample.decision);
        if (sample.fired) expect(out.fired).toEqual(sample.fired);

        const engine = plainEngine(fromJson);
        const facts = toRuntimeFacts(fromJson, createFactValidator(fromJson)(sample.facts));
        const run = await engine.run({ ...facts, [RUN_FACT]: plainRun(fromJson, facts) });
        const matched = run.results.map((r) => r.name as string);
        if (sample.plainMatches) expect(matched).toEqual(sample.plainMatches);
        for (const n of sample.plainIncludes ?? []) expect(matched).toContain(n);
        for (const n of sample.plainExcludes ?? []) expect(matched).not.toContain(n);
        for (const e of run.events) expect(fromJson.handlers[(e.params as { ref: string }).ref]).toBeDefined();
      });
    });
  });
}

it("the expressao golden puts computed expressions ($expr) on the left and on the right of conditions", () => {
  const fromJson = JSON.parse(readFileSync(join(GOLDEN_DIR, "expressao.compiled.json"), "utf8")) as CompiledRuleSet;
  const all = fromJson.rules.flatMap((r) => leaves(r.conditions));
  expect(all.every((l) => l.fact === EXPR_FACT || (l.value as { fact?: string } | null)?.fact === EXPR_FACT)).toBe(
    true,
  );
  expect(all.some((l) => (l.value as { fact?: string } | null)?.fact === EXPR_FACT)).toBe(true);
  for (const l of all)
    if (l.fact === EXPR_FACT) expect(fromJson.expressions[String(l.params?.id)], l.name).toBeDefined();
});
