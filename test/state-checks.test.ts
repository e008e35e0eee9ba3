/**
 * State-machine checks (dsl/check/transitions.ts, with the guard logic of dsl/check/guard-logic.ts)
 * as `rules check` reports them: exits from terminal states, two entries for one request, enum
 * values of the from/to facts that are not states, transitions whose guards can never all hold,
 * states reached only through them, non-terminal dead ends and self loops. Each finding on a
 * small purpose-built machine, with its position and its example in the machine's terms; and the
 * shipped state machine (rules/protocolo-status.yaml), which has none.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ANALYSED_TRANSITIONS } from "../dsl/check/transitions.js";
import { diagnose } from "../dsl/compile/pipeline.js";
import { evaluate } from "../dsl/evaluate.js";
import { DEFAULT_ZONE } from "../dsl/values.js";
import { describeDiagnostics, readRuleSet, ROOT } from "./helpers/rulesets.js";

/** `severity code@line:column message` of the transition findings of a source. */
function findings(source: string): string[] {
  const { diagnostics } = diagnose(source);
  return describeDiagnostics(source, diagnostics)
    .map((d, i) => `${diagnostics[i]?.severity} ${d}`)
    .filter((d) => / transition\//.test(d));
}

/** A machine over `status`/`para` (enums given), with the `allow` block (and more) appended. */
function machine(options: {
  states?: string;
  statusEnum?: string;
  paraEnum?: string;
  terminal?: string;
  extraFacts?: string;
  body: string;
}): string {
  const states = options.states ?? "[Aberto, Pendente, Fechado]";
  return `ruleset: maquina
description: Máquina de teste.
facts:
  status: { type: string, enum: ${options.statusEnum ?? states}, required: true, nullable: false }
  para: { type: string, enum: ${options.paraEnum ?? states}, required: true, nullable: false }
  nivel: { type: integer, minimum: 0 }
  urgente: boolean
${options.extraFacts ?? ""}outputs:
  permitido: { type: boolean, default: false }
  motivos: { type: list, items: string }
  faltando: { type: list, items: string }
transitions:
  from: status
  to: para
  states: ${states}
  initial: Aberto
  terminal: ${options.terminal ?? "[Fechado]"}
  outputs: { allowed: permitido, reasons: motivos, missing: faltando }
${options.body}`;
}

const LINE = {
  statusFact: 4,
  paraFact: 5,
  states: 15,
  allow: 19,
};

/** Checking whole rule sets on a shared, loaded machine: a generous budget (never asserted). */
const SLOW = 120_000;

describe("state-machine checks", { timeout: SLOW }, () => {
  it("a correct machine has no finding", () => {
    const source = machine({
      body: `  allow:
    - from: Aberto
      to: Pendente
    - from: Pendente
      to: Fechado
      guards:
        - require: nivel == 0
          reason: Há pendências.
`,
    });
    expect(findings(source)).toEqual([]);
  });

  it("an exit from a terminal state is an error of its own code, at the from state", () => {
    const source = machine({
      body: `  allow:
    - from: Aberto
      to: Fechado
    - from: Fechado
      to: Aberto
`,
    });
    expect(findings(source)).toEqual(
      [
        `error transition/terminal-exit@22:13 "Fechado" é um estado terminal: não pode haver transição saindo dele ("Fechado" → "Aberto"). Tire a transição ou tire "Fechado" de terminal`,
        // Pendente: reached by nothing.
        `error transition/unreachable@${LINE.states}:20 o estado "Pendente" não pode ser alcançado a partir de "Aberto" por nenhuma transição permitida`,
      ].sort(byPosition),
    );
  });

  it("an initial state declared terminal with an exit says so", () => {
    const source = machine({
      terminal: "[Aberto, Fechado]",
      body: `  allow:
    - from: Aberto
      to: Pendente
    - from: Pendente
      to: Fechado
`,
    });
    const found = findings(source);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^error transition\/terminal-exit@20:13 "Aberto" é um estado terminal: .*\("Aberto" → "Pendente"\)\. "Aberto" é também o estado inicial/,
    );
  });

  it("two entries for the same request are ambiguous (an error pointing at the first entry)", () => {
    const source = machine({
      body: `  allow:
    - from: Aberto
      to: Pendente
    - from: Pendente
      to: Fechado
    - from: Aberto
      to: Pendente
      requires: [nivel]
`,
    });
    const { diagnostics } = diagnose(source);
    const ambiguous = diagnostics.filter((d) => d.code === "transition/ambiguous");
    expect(findings(source)).toEqual([
      `error transition/ambiguous@24:7 a transição "Aberto" → "Pendente" está repetida: para o pedido "Aberto" → "Pendente" as duas entradas valeriam ao mesmo tempo (as condições e os campos exigidos de ambas se somariam). Junte-as numa entrada só`,
    ]);
    expect(ambiguous[0]?.related?.[0]?.message).toBe("primeira entrada");
    expect(source.slice(ambiguous[0]?.related?.[0]?.range.start).startsWith("from: Aberto\n      to: Pendente")).toBe(
      true,
    );
  });

  it("enum values of the from and to facts that are not states are warnings at the fact", () => {
    const source = machine({
      statusEnum: "[Aberto, Pendente, Fechado, Suspenso]",
      paraEnum: "[Aberto, Pendente, Fechado, Cancelado]",
      body: `  allow:
    - from: Aberto
      to: Pendente
    - from: Pendente
      to: Fechado
`,
    });
    expect(findings(source)).toEqual([
      `warning transition/unknown-state@${LINE.statusFact}:3 o valor "Suspenso" do fato status não é um estado: com ele, todo pedido de transição é recusado como estado desconhecido ("Suspenso" → "…"). Declare "Suspenso" em states ou tire-o dos valores do fato`,
      `warning transition/unknown-state@${LINE.paraFact}:3 o valor "Cancelado" do fato para não é um estado: todo pedido de transição para ele é recusado como estado desconhecido ("…" → "Cancelado"). Declare "Cancelado" em states ou tire-o dos valores do fato`,
    ]);
  });

  it("a transition whose guards contradict each other is dead, and the state behind it unreachable", () => {
    const source = machine({
      body: `  allow:
    - from: Aberto
      to: Pendente
      guards:
        - require: nivel == 1
          reason: Nível 1.
        - require: nivel == 2
          reason: Nível 2.
    - from: Aberto
      to: Fechado
`,
    });
    expect(findings(source)).toEqual([
      // Same position: by code.
      `warning transition/dead-end@${LINE.states}:20 o estado "Pendente" não é terminal, mas nenhuma transição sai dele ("Pendente" → "…" não existe): o que chega a "Pendente" fica preso nele para sempre. Declare-o terminal ou permita uma saída`,
      `warning transition/unreachable@${LINE.states}:20 o estado "Pendente" não pode ser alcançado a partir de "Aberto": o caminho até ele passa por uma transição que nunca é permitida ("Aberto" → "Pendente")`,
      `warning transition/dead-transition@23:20 a transição "Aberto" → "Pendente" nunca é permitida: nivel == 1 (condição 1 da transição) e nivel == 2 (condição 2 da transição) não valem juntas para nenhum valor de nivel`,
    ]);
  });

  it("constant-false guards, guards outside the fact's domain, `x` and `not x`, and a target the to fact never takes", () => {
    const source = machine({
      states: "[Aberto, Pendente, Fechado, Arquivado, Suspenso]",
      paraEnum: "[Aberto, Pendente, Fechado, Suspenso]",
      terminal: "[Fechado, Arquivado]",
      body: `  allow:
    - from: Aberto
      to: Pendente
      guards:
        - require: "false"
          reason: Nunca.
    - from: Aberto
      to: Fechado
      guards:
        - require: nivel < 0
          reason: Negativo.
    - from: Aberto
      to: Suspenso
      guards:
        - require: urgente and not urgente
          reason: Nunca.
    - from: Aberto
      to: Arquivado
    - from: Suspenso
      to: Aberto
    - from: Pendente
      to: Aberto
`,
    });
    const found = findings(source).filter((d) => d.includes("dead-transition"));
    expect(found).toEqual([
      `warning transition/dead-transition@23:21 a transição "Aberto" → "Pendente" nunca é permitida: a condição false (condição 1 da transição) nunca vale`,
      `warning transition/dead-transition@28:20 a transição "Aberto" → "Fechado" nunca é permitida: nenhum valor aceito de nivel (mínimo 0) faz valer nivel < 0 (condição 1 da transição)`,
      `warning transition/dead-transition@33:20 a transição "Aberto" → "Suspenso" nunca é permitida: urgente (condição 1 da transição) e not urgente (condição 1 da transição) não valem juntas para nenhum valor de urgente`,
      `warning transition/dead-transition@36:11 a transição "Aberto" → "Arquivado" nunca é permitida: o fato para nunca vale "Arquivado" (o destino da transição): não está entre os seus valores ("Aberto", "Pendente", "Fechado", "Suspenso")`,
    ]);
    // Every way out of Aberto is dead: Aberto is a dead end, everything else unreachable.
    expect(findings(source).filter((d) => d.includes("dead-end"))).toEqual([
      `warning transition/dead-end@${LINE.states}:12 o estado "Aberto" não é terminal, mas as saídas "Aberto" → "Pendente", "Aberto" → "Fechado", "Aberto" → "Suspenso", "Aberto" → "Arquivado" nunca são permitidas: o que chega a "Aberto" fica preso nele para sempre. Declare-o terminal ou permita uma saída`,
    ]);
    expect(
      findings(source)
        .filter((d) => d.includes("unreachable"))
        .map((d) => d.split(" o caminho")[0]),
    ).toEqual([
      `warning transition/unreachable@${LINE.states}:20 o estado "Pendente" não pode ser alcançado a partir de "Aberto":`,
      `warning transition/unreachable@${LINE.states}:30 o estado "Fechado" não pode ser alcançado a partir de "Aberto":`,
      `warning transition/unreachable@${LINE.states}:39 o estado "Arquivado" não pode ser alcançado a partir de "Aberto":`,
      `warning transition/unreachable@${LINE.states}:50 o estado "Suspenso" não pode ser alcançado a partir de "Aberto":`,
    ]);
  });

  it("general guards that can never hold together are reported once, on the general guard", () => {
    const source = machine({
      extraFacts: "  canal: { type: string, enum: [LOJA, SITE] }\n",
      body: `  guards:
    - require: canal in ["LOJA"]
      reason: Só loja.
    - require: canal == "SITE"
      reason: Só site.
  allow:
    - from: Aberto
      to: Pendente
    - from: Pendente
      to: Fechado
`,
    });
    const dead = findings(source).filter((d) => d.includes("dead-transition"));
    expect(dead).toEqual([
      `warning transition/dead-transition@21:16 as condições gerais de transição nunca são satisfeitas: canal in ["LOJA"] (condição geral 1) e canal == "SITE" (condição geral 2) não valem juntas para nenhum valor de canal. Toda transição é recusada`,
    ]);
  });

  it("guards over several facts or calls are never reported as impossible (not analysed)", () => {
    const source = machine({
      extraFacts: "  limite: integer\n  nome: string\n",
      body: `  allow:
    - from: Aberto
      to: Pendente
      guards:
        - require: nivel > limite and nivel < limite
          reason: Entre.
        - require: length(nome) > 3 and length(nome) < 2
          reason: Nome.
    - from: Pendente
      to: Fechado
`,
    });
    expect(findings(source)).toEqual([]);
  });

  it("a state whose only exit loops back to itself is a dead end; the self loop is an info", () => {
    const source = machine({
      body: `  allow:
    - from: Aberto
      to: Pendente
    - from: Pendente
      to: Pendente
    - from: Aberto
      to: Fechado
`,
    });
    expect(findings(source)).toEqual([
      `warning transition/dead-end@${LINE.states}:20 o estado "Pendente" não é terminal, mas a única transição que sai dele volta para ele mesmo ("Pendente" → "Pendente"): o que chega a "Pendente" fica preso nele para sempre. Declare-o terminal ou permita uma saída`,
      `info transition/self-loop@22:7 a transição "Pendente" → "Pendente" leva "Pendente" a ele mesmo: quando permitida, o estado não muda. Confira se é isso mesmo que se quer`,
    ]);
  });

  it("nested from/to facts (objeto.campo) are analysed the same way", () => {
    const source = `ruleset: pedido
description: Pedido.
facts:
  pedido:
    type: object
    required: true
    fields:
      status: { type: string, enum: [Novo, Pago, Enviado], required: true, nullable: false }
      para: { type: string, enum: [Novo, Pago, Enviado], required: true, nullable: false }
outputs:
  permitido: { type: boolean, default: false }
  motivos: { type: list, items: string }
  faltando: { type: list, items: string }
transitions:
  from: pedido.status
  to: pedido.para
  states: [Novo, Pago, Enviado]
  initial: Novo
  terminal: [Enviado]
  outputs: { allowed: permitido, reasons: motivos, missing: faltando }
  allow:
    - from: Novo
      to: Pago
    - from: Pago
      to: Enviado
      guards:
        - require: pedido.para == "Novo"
          reason: Só para Novo.
`;
    const dead = findings(source).filter((d) => d.includes("dead-transition"));
    expect(dead).toEqual([
      `warning transition/dead-transition@27:20 a transição "Pago" → "Enviado" nunca é permitida: pedido.para == "Enviado" (o destino da transição) e pedido.para == "Novo" (condição 1 da transição) não valem juntas para nenhum valor de pedido.para`,
    ]);
  });

  it("is deterministic: the same source gives the same findings in the same order", () => {
    const source = machine({
      body: `  allow:
    - from: Aberto
      to: Pendente
      guards:
        - require: "false"
          reason: Nunca.
    - from: Pendente
      to: Pendente
`,
    });
    expect(findings(source)).toEqual(findings(source));
    expect(findings(source).length).toBeGreaterThan(0);
  });

  it("the shipped state machine (protocolo-status) and the golden one (test/golden/transicao.yaml) have no finding", () => {
    const source = readRuleSet("protocolo-status");
    expect(diagnose(source).diagnostics).toEqual([]);
    const golden = readFileSync(join(ROOT, "test", "golden", "transicao.yaml"), "utf8");
    expect(findings(golden)).toEqual([]);
  });

  it("stops the impossible-transition analysis past its budget, with an info, and still checks the rest", () => {
    const n = MAX_ANALYSED_TRANSITIONS + 1;
    const names = Array.from({ length: n + 1 }, (_, i) => `S${i}`);
    const allow = names
      .slice(0, -1)
      .map((s, i) => `    - { from: ${s}, to: ${names[i + 1]} }`)
      .join("\n");
    const source = `ruleset: cadeia
description: Uma cadeia longa.
facts:
  status: { type: string, required: true }
  para: { type: string, required: true }
outputs:
  permitido: { type: boolean, default: false }
  motivos: { type: list, items: string }
  faltando: { type: list, items: string }
transitions:
  from: status
  to: para
  states: [${names.join(", ")}]
  initial: S0
  terminal: [S${n}]
  outputs: { allowed: permitido, reasons: motivos, missing: faltando }
  allow:
${allow}
`;
    const found = findings(source);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      new RegExp(
        `^info transition/dead-transition@11:3 a análise de transições impossíveis parou depois de ${MAX_ANALYSED_TRANSITIONS} transições \\(de ${n}\\)`,
      ),
    );
  });
});

describe("the impossible-guard analysis agrees with brute force", { timeout: SLOW }, () => {
  // Guards over an optional integer n (minimum 0) and an optional enum s: a transition is dead
  // exactly when no (n, s) in {null, 0..12} × {null, A, B, C} makes every guard hold.
  const atomN = fc.oneof(
    fc
      .tuple(fc.constantFrom("==", "!=", "<", "<=", ">", ">="), fc.integer({ min: 0, max: 10 }))
      .map(([op, c]) => `n ${op} ${c}`),
    fc
      .uniqueArray(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 3 })
      .map((l) => `n in [${l.join(", ")}]`),
    fc.constantFrom("n is null", "n is not null"),
  );
  const atomS = fc.oneof(
    fc.tuple(fc.constantFrom("==", "!="), fc.constantFrom("A", "B", "C")).map(([op, c]) => `s ${op} "${c}"`),
    fc.constantFrom('s in ["A", "B"]', 's not in ["A"]', "s is null", "false", "true"),
  );
  const atom = fc.oneof(atomN, atomS);
  const condition = fc.oneof(
    atom,
    atom.map((a) => `not (${a})`),
    fc.tuple(atomN, atomN).map(([a, b]) => `${a} or ${b}`),
    fc.tuple(atom, atom).map(([a, b]) => `${a} and ${b}`),
  );

  it("reports dead-transition exactly when no fact values satisfy the guards", () => {
    const seen = { dead: 0, live: 0 };
    fc.assert(
      fc.property(fc.array(condition, { minLength: 1, maxLength: 4 }), (guards) => {
        const source = machine({
          extraFacts: "  n: { type: integer, minimum: 0 }\n  s: { type: string, enum: [A, B, C] }\n",
          body: `  allow:
    - from: Aberto
      to: Pendente
      guards:
${guards.map((g) => `        - require: '${g}'\n          reason: R.`).join("\n")}
    - from: Pendente
      to: Fechado
    - from: Aberto
      to: Fechado
`,
        });
        const { diagnostics, model } = diagnose(source);
        expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const exprs = model?.transitions?.allow[0]?.guards.map((g) => g.require) ?? [];
        expect(exprs).toHaveLength(guards.length);
        let possible = false;
        for (const n of [null, ...Array.from({ length: 13 }, (_, i) => i)])
          for (const sv of [null, "A", "B", "C"]) {
            const env = {
              zone: DEFAULT_ZONE,
              lookup: (name: string) => (name === "n" ? n : name === "s" ? sv : undefined),
            };
            if (exprs.every((e) => evaluate(e, env) === true)) possible = true;
          }
        const dead = diagnostics.some((d) => d.code === "transition/dead-transition");
        expect(dead, guards.join(" | ")).toBe(!possible);
        seen[dead ? "dead" : "live"]++;
      }),
      { numRuns: 100, seed: 11 },
    );
    // Both outcomes are exercised.
    expect(seen.dead).toBeGreaterThan(10);
    expect(seen.live).toBeGreaterThan(10);
  });
});

function byPosition(a: string, b: string): number {
  const at = (s: string) => {
    const m = /@(\d+):(\d+)/.exec(s);
    return m ? Number(m[1]) * 1000 + Number(m[2]) : 0;
  };
  return at(a) - at(b);
}
