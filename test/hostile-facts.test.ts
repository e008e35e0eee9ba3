/**
 * Hostile facts: prototype-pollution keys, absurd nesting, wrong types everywhere, huge strings,
 * and a property over random JSON. A decision either resolves or rejects with a DecisionError
 * INVALID_FACTS naming the field by JSON pointer; nothing else escapes, nothing leaks into
 * Object.prototype, and nothing crashes the process.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { DecisionError } from "../engine/errors.js";
import { MAX_FACT_DEPTH } from "../engine/facts.js";
import { createRuntime, type DecisionResult } from "../engine/runtime.js";
import { compileOk, readRuleSet, RECLAME_ACOES, reclameFacts, rejectionOf } from "./helpers/rulesets.js";

const HOSTIL = `ruleset: hostil
facts:
  numero: number
  inteiro: integer
  flag: boolean
  data: date
  quando: date-time
  prazo: duration
  obj: { type: object, fields: { x: integer, y: string } }
  livre: { type: object, values: { type: any } }
  qualquer: any
  itens: { type: list, items: { type: object, fields: { em: date, valor: number } } }
  texto: string
  tipo: { type: string, enum: [Beneficiário, Credenciado] }
outputs:
  eco: any
  tamanho: { type: integer, nullable: true }
  visto: { type: boolean, default: false }
rules:
  - name: viu algo
    priority: 3
    when: qualquer is not null or livre is not null
    then: visto = true
  - name: eco
    priority: 2
    then: eco = [livre, qualquer, obj, itens]
  - name: tamanho
    priority: 1
    when: texto is not null
    then: tamanho = length(texto)
`;
const hostil = createRuntime(compileOk(HOSTIL));
const reclame = createRuntime(compileOk(readRuleSet("reclame-designacao")));

const POINTER = /^(\/([^~/]|~[01])*)*$/;

function polluted(): unknown[] {
  const probe = {} as Record<string, unknown>;
  return [
    probe.polluted,
    probe.isAdmin,
    (Object.prototype as Record<string, unknown>).polluted,
    ([] as unknown as Record<string, unknown>).polluted,
  ];
}

afterAll(() => {
  expect(polluted()).toEqual([undefined, undefined, undefined, undefined]);
});

/** Rejection that must be INVALID_FACTS; returns its details. */
async function invalid(p: Promise<unknown>): Promise<{ path?: string; message: string }[]> {
  const e = await rejectionOf(p);
  expect(e).toBeInstanceOf(DecisionError);
  expect((e as DecisionError).code).toBe("INVALID_FACTS");
  const details = [...(e as DecisionError).details];
  expect(details.length).toBeGreaterThan(0);
  for (const d of details) expect(d.path ?? "", d.message).toMatch(POINTER);
  return details;
}

/** Every object reachable from `value`: its own keys only, no inherited data (prototype is Object.prototype, Array.prototype or null). */
function foreignPrototypes(value: unknown, path = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  const proto = Object.getPrototypeOf(value) as unknown;
  const bad: string[] = [];
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) bad.push(`${path}: array with foreign prototype`);
    for (const [i, v] of value.entries()) bad.push(...foreignPrototypes(v, `${path}/${i}`));
    return bad;
  }
  if (proto !== Object.prototype && proto !== null) bad.push(`${path}: prototype ${JSON.stringify(proto)}`);
  for (const k of ["polluted", "isAdmin"])
    if ((value as Record<string, unknown>)[k] !== undefined && !Object.hasOwn(value, k))
      bad.push(`${path}: inherits ${k}`);
  for (const k of Object.keys(value))
    bad.push(...foreignPrototypes((value as Record<string, unknown>)[k], `${path}/${k}`));
  return bad;
}

describe("__proto__, constructor and prototype keys", () => {
  it("at top level → INVALID_FACTS (unknown field), Object.prototype untouched", async () => {
    for (const [json, path] of [
      ['{"__proto__": {"polluted": 1}}', "/__proto__"],
      ['{"constructor": {"prototype": {"polluted": 1}}}', "/constructor"],
      ['{"prototype": {"polluted": 1}}', "/prototype"],
      ['{"texto": "a", "__proto__": {"polluted": 1, "isAdmin": true}}', "/__proto__"],
    ] as const) {
      const facts = JSON.parse(json) as unknown;
      expect(Object.hasOwn(facts as object, path.slice(1))).toBe(true);
      const details = await invalid(hostil.decide(facts));
      expect(details).toContainEqual({ path, message: expect.stringMatching(/campo desconhecido/) });
      await invalid(reclame.decide(JSON.parse(json.replace("{", `{"tipoAtendimento": "Reclamação", `))));
      expect(polluted()).toEqual([undefined, undefined, undefined, undefined]);
    }
  });

  it("nested in a closed object or a list item → INVALID_FACTS at the nested pointer", async () => {
    expect(await invalid(hostil.decide(JSON.parse('{"obj": {"x": 1, "__proto__": {"polluted": 1}}}')))).toContainEqual({
      path: "/obj/__proto__",
      message: expect.stringMatching(/campo desconhecido/),
    });
    expect(
      await invalid(hostil.decide(JSON.parse('{"obj": {"constructor": {"prototype": {"polluted": 1}}}}'))),
    ).toContainEqual({ path: "/obj/constructor", message: expect.stringMatching(/campo desconhecido/) });
    expect(
      await invalid(hostil.decide(JSON.parse('{"itens": [{"valor": 1}, {"__proto__": {"polluted": 1}}]}'))),
    ).toContainEqual({ path: "/itens/1/__proto__", message: expect.stringMatching(/campo desconhecido/) });
    expect(polluted()).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("nested in free-form facts (object with free keys, any) → accepted as plain data or rejected, never pollution", async () => {
    for (const json of [
      '{"livre": {"constructor": {"prototype": {"polluted": 1}}}}',
      '{"qualquer": {"constructor": {"prototype": {"polluted": 1}}, "prototype": {"polluted": 1}}}',
      '{"qualquer": [{"constructor": {"prototype": {"isAdmin": true}}}]}',
    ]) {
      const outcome = await hostil.decide(JSON.parse(json), { explain: true }).catch((e: unknown) => e);
      if (outcome instanceof DecisionError) expect(outcome.code).toBe("INVALID_FACTS");
      else expect(foreignPrototypes(outcome), json).toEqual([]);
      expect(polluted()).toEqual([undefined, undefined, undefined, undefined]);
    }
  });

  it("an own `__proto__` key inside free-form facts never becomes the prototype of a decision or trace object", async () => {
    const facts = JSON.parse(
      '{"livre": {"__proto__": {"polluted": 1}}, "qualquer": {"__proto__": {"isAdmin": true}, "a": [{"__proto__": {"polluted": 2}}]}}',
    ) as unknown;
    const outcome = await hostil.decide(facts, { explain: true }).catch((e: unknown) => e);
    if (outcome instanceof DecisionError) {
      expect(outcome.code).toBe("INVALID_FACTS");
    } else {
      const d = outcome as DecisionResult;
      const eco = d.decision.eco as Record<string, unknown>[];
      expect(eco[0]?.polluted).toBeUndefined();
      expect(eco[1]?.isAdmin).toBeUndefined();
      expect(foreignPrototypes(d)).toEqual([]);
    }
    expect(polluted()).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe("deep nesting", () => {
  function nestedObject(depth: number): unknown {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = { a: v };
    return v;
  }
  function nestedList(depth: number): unknown {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  }

  it("10,000 levels in an `any`, a free-keys object, a closed object or a list → INVALID_FACTS with a clear message, no stack overflow", async () => {
    for (const [facts, prefix] of [
      [{ qualquer: nestedObject(10_000) }, "/qualquer/a/a/a"],
      [{ qualquer: nestedList(10_000) }, "/qualquer/0/0/0"],
      [{ livre: nestedObject(10_000) }, "/livre/a/a/a"],
      [{ obj: nestedObject(10_000) }, "/obj/a/a"],
      [{ itens: nestedList(10_000) }, "/itens/0/0/0"],
      [{ texto: "x", qualquer: { b: [nestedObject(10_000)] } }, "/qualquer/b/0/a"],
    ] as const) {
      const e = await rejectionOf(hostil.decide(facts));
      expect(e).toBeInstanceOf(DecisionError);
      const err = e as DecisionError;
      expect(err.code).toBe("INVALID_FACTS");
      expect(err.message).toMatch(/aninhados demais/);
      expect(err.details[0]?.message).toContain(String(MAX_FACT_DEPTH));
      expect(err.details[0]?.path?.startsWith(prefix), err.details[0]?.path).toBe(true);
      expect(err.details[0]?.path).toMatch(POINTER);
    }
    await invalid(reclame.decide({ ...reclameFacts(), extra: nestedObject(10_000) }));
  });

  it("nesting within the limit is accepted and echoed back intact", async () => {
    const ok = nestedObject(MAX_FACT_DEPTH - 2);
    const d = await hostil.decide({ qualquer: ok });
    expect((d.decision.eco as unknown[])[1]).toEqual(ok);
  });
});

describe("wrong types everywhere → INVALID_FACTS with JSON pointers (nothing coerced)", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["number as text", { numero: "100" }, ["/numero"]],
    ["number as numeric string with exponent", { numero: "1e3" }, ["/numero"]],
    ["integer with a fraction", { inteiro: 1.5 }, ["/inteiro"]],
    ["integer as text", { inteiro: "1" }, ["/inteiro"]],
    ['"true" for a boolean', { flag: "true" }, ["/flag"]],
    ["1 for a boolean", { flag: 1 }, ["/flag"]],
    ["number for a date", { data: 20260403 }, ["/data"]],
    ["impossible date 2026-02-30", { data: "2026-02-30" }, ["/data"]],
    ["Brazilian date format", { data: "03/04/2026" }, ["/data"]],
    ["date-time for a date", { data: "2026-04-03T10:00" }, ["/data"]],
    ["epoch millis for a date-time", { quando: 1775221200000 }, ["/quando"]],
    ["date-time without a date", { quando: "10:00" }, ["/quando"]],
    ["date-time without a date (T form)", { quando: "T10:00:00" }, ["/quando"]],
    ["impossible date-time", { quando: "2026-02-30T10:00" }, ["/quando"]],
    ["date-time with hour 25", { quando: "2026-04-03T25:00" }, ["/quando"]],
    ["date for a date-time", { quando: "2026-04-03" }, ["/quando"]],
    ["number for a duration", { prazo: 2 }, ["/prazo"]],
    ["prose for a duration", { prazo: "2 horas" }, ["/prazo"]],
    ["text inside a closed object", { obj: { x: "1" } }, ["/obj/x"]],
    ["list for an object", { obj: [] }, ["/obj"]],
    [
      "bad items in a list",
      {
        itens: [
          { em: "2026-04-03", valor: 1 },
          { em: "2026-13-01", valor: "2" },
        ],
      },
      ["/itens/1/em", "/itens/1/valor"],
    ],
    ["object for a list", { itens: {} }, ["/itens"]],
    ["number for a text", { texto: 5 }, ["/texto"]],
    ["value outside the enum", { tipo: "credenciado" }, ["/tipo"]],
    [
      "NaN and Infinity are not JSON numbers",
      { numero: Number.NaN, inteiro: Number.POSITIVE_INFINITY },
      ["/numero", "/inteiro"],
    ],
    ["unknown fact with a JSON-pointer-escaped name", { "a/b~c": 1 }, ["/a~1b~0c"]],
    [
      "everything at once",
      {
        numero: "1",
        inteiro: "2",
        flag: "false",
        data: 1,
        quando: "amanhã",
        prazo: true,
        obj: { x: 1.5, z: 1 },
        texto: [],
        tipo: null,
        extra: 1,
      },
      ["/numero", "/inteiro", "/flag", "/data", "/quando", "/prazo", "/obj/x", "/obj/z", "/texto", "/extra"],
    ],
  ];

  for (const [label, facts, paths] of cases) {
    it(label, async () => {
      const details = await invalid(hostil.decide(facts));
      expect(details.map((d) => d.path)).toEqual(expect.arrayContaining(paths));
    });
  }

  it("the enum hint suggests the right spelling; a missing required fact is named", async () => {
    const details = await invalid(reclame.decide(reclameFacts({ tipoCliente: "credenciado" })));
    expect(details).toContainEqual({ path: "/tipoCliente", message: expect.stringContaining("Credenciado") });
    const { entradaEm: _omit, ...missing } = reclameFacts();
    expect(await invalid(reclame.decide(missing))).toContainEqual({
      path: "/entradaEm",
      message: expect.stringMatching(/obrigatório/),
    });
    expect(await invalid(reclame.decide(reclameFacts({ servicoo: "Reembolso" })))).toContainEqual({
      path: "/servicoo",
      message: expect.stringMatching(/servico/),
    });
  });
});

describe("huge values", () => {
  const MB = 1 << 20;

  it("1 MB strings are decided (or rejected) without crashing", async () => {
    const timings: string[] = [];
    const time = async <T>(label: string, p: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await p();
      } finally {
        timings.push(`${label}: ${(performance.now() - t0).toFixed(0)} ms`);
      }
    };
    const big = await time("1 MB text fact", () => hostil.decide({ texto: "x".repeat(MB) }));
    expect(big.decision.tamanho).toBe(MB);
    const servico = await time("1 MB servico", () => reclame.decide(reclameFacts({ servico: "S".repeat(MB) })));
    expect(servico.decision.acao).toBe("REVISAR_SERVICO");
    const numero = await time("1 MB numero in e-mail", () =>
      reclame.decide(reclameFacts({ numero: "9".repeat(MB), tipoCliente: "Credenciado", servico: "Reembolso" })),
    );
    expect(((numero.decision.email as Record<string, string>).assunto ?? "").length).toBeGreaterThan(MB);
    await time("1 MB enum value", () => invalid(reclame.decide(reclameFacts({ tipoCliente: "C".repeat(MB) }))));
    await time("1 MB date-time", () =>
      invalid(reclame.decide(reclameFacts({ entradaEm: `2026-04-03T10:00${"0".repeat(MB)}` }))),
    );
    const keyDetails = await time("1 MB unknown key", () =>
      invalid(reclame.decide({ ...reclameFacts(), ["k".repeat(MB)]: 1 })),
    );
    expect(keyDetails[0]?.path?.length).toBe(MB + 1);
    await time("1 MB misspelt key", () =>
      invalid(reclame.decide({ ...reclameFacts(), [`servic${"o".repeat(MB)}`]: 1 })),
    );
    await time("100,000 small unknown keys", () =>
      invalid(
        reclame.decide({
          ...reclameFacts(),
          ...Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])),
        }),
      ),
    );
    await time("list of 100,000 items", () =>
      hostil.decide({ itens: Array.from({ length: 100_000 }, (_, i) => ({ valor: i })) }),
    );
    console.log(`hostile facts timings:\n  ${timings.join("\n  ")}`);
  }, 60_000);
});

describe("property: random JSON facts never produce anything but a decision or INVALID_FACTS", () => {
  const table = reclame.compiled.tables.designacaoPorServico?.rows ?? [];
  const servicos = [
    ...new Set(
      table.map((r) =>
        r.inputs[2]?.kind === "compare" &&
        r.inputs[2].value.kind === "literal" &&
        r.inputs[2].value.literal.type === "string"
          ? r.inputs[2].value.literal.value
          : "Reembolso",
      ),
    ),
    "Glosa",
    "Credenciamento",
    "Pagamento de produção",
  ];
  const json = fc.jsonValue({ maxDepth: 4 });
  const dateTime = fc
    .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
    .chain((d) =>
      fc.constantFrom(
        d.toISOString(),
        d.toISOString().slice(0, 16),
        d.toISOString().slice(0, 19),
        `${d.toISOString().slice(0, 19)}-03:00`,
      ),
    );
  const either = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: json });
  const nearlyValid = fc.record(
    {
      numero: either(fc.string()),
      tipoAtendimento: either(fc.constantFrom("Reclamação", "Elogio")),
      tipoCliente: either(fc.constantFrom("Beneficiário", "Credenciado")),
      servico: either(fc.constantFrom(...servicos)),
      tipoEntrada: either(fc.constantFrom("RECLAME", "INTERNO")),
      entradaEm: either(dateTime),
      protocoloValidado: either(fc.boolean()),
      registradoDuranteAtendimento: either(fc.boolean()),
      canalOrigem: either(fc.constantFrom("telefone", "chat", "site", "email", "whatsapp")),
      gipesVinculacao: either(fc.string()),
    },
    { requiredKeys: ["tipoAtendimento", "tipoCliente", "servico", "entradaEm"] },
  );
  const withExtras = fc
    .tuple(nearlyValid, fc.dictionary(fc.string(), json, { maxKeys: 2 }))
    .map(([a, b]) => ({ ...b, ...a }));
  const anything = fc.oneof(
    json,
    { weight: 3, arbitrary: nearlyValid },
    withExtras,
    fc
      .anything({ maxDepth: 3 })
      .filter((x) => {
        try {
          return JSON.stringify(x) !== undefined;
        } catch {
          return false;
        }
      })
      .map((x) => JSON.parse(JSON.stringify(x)) as unknown),
  );

  it("decide(reclame-designacao) resolves with one of the five `acao` values or rejects with INVALID_FACTS", async () => {
    let resolved = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(anything, async (facts) => {
        try {
          const d = await reclame.decide(facts);
          expect(RECLAME_ACOES).toContain(d.decision.acao);
          resolved++;
        } catch (e) {
          if (!(e instanceof DecisionError) || e.code !== "INVALID_FACTS") throw e;
          rejected++;
        }
      }),
      { numRuns: 1500 },
    );
    console.log(`property: ${resolved} decisions, ${rejected} INVALID_FACTS`);
    expect(polluted()).toEqual([undefined, undefined, undefined, undefined]);
    // Both branches were exercised.
    expect(resolved).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  }, 60_000);
});

describe("the boundary: non-finite numbers and unsafe integers anywhere, texts from the CRM in any form", () => {
  /** Puts `bad` in one slot of `value` (chosen by `k`) and returns the result and the slot's pointer. */
  function plant(value: unknown, k: number, bad: number): { value: unknown; path: string } {
    const slots: { parent: Record<string, unknown> | unknown[]; key: string | number; path: string }[] = [];
    const walk = (v: unknown, path: string) => {
      if (Array.isArray(v))
        for (const [i, x] of v.entries()) {
          slots.push({ parent: v, key: i, path: `${path}/${i}` });
          walk(x, `${path}/${i}`);
        }
      else if (typeof v === "object" && v !== null) {
        for (const key of Object.keys(v)) {
          const p = `${path}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
          slots.push({ parent: v as Record<string, unknown>, key, path: p });
          walk((v as Record<string, unknown>)[key], p);
        }
      }
    };
    walk(value, "");
    if (slots.length === 0) return { value: bad, path: "" };
    const slot = slots[k % slots.length] as (typeof slots)[number];
    if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = bad;
    else
      Object.defineProperty(slot.parent, slot.key, {
        value: bad,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return { value, path: slot.path };
  }

  it("Infinity, -Infinity or NaN anywhere in an `any` fact is INVALID_FACTS at its pointer", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 3 }),
        fc.nat(),
        fc.constantFrom(Infinity, -Infinity, NaN),
        async (json, k, bad) => {
          const { value, path } = plant(structuredClone(json), k, bad);
          const details = await invalid(hostil.decide({ qualquer: value }));
          expect(details.map((d) => d.path)).toContain(`/qualquer${path}`);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it("integers beyond 2^53 − 1 are refused where an integer is declared, at any depth", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(2 ** 53, -(2 ** 53), 1e20, -1e300), fc.nat({ max: 2 }), async (big, where) => {
        const facts = [{ inteiro: big }, { obj: { x: big } }, { livre: { a: big }, inteiro: 1 }][where] as Record<
          string,
          unknown
        >;
        if (where === 2) {
          // `any` has no integer declaration: a large finite number passes through.
          await expect(hostil.decide(facts)).resolves.toBeDefined();
          return;
        }
        const details = await invalid(hostil.decide(facts));
        expect(details.map((d) => d.path)).toEqual([where === 0 ? "/inteiro" : "/obj/x"]);
      }),
      { numRuns: 50 },
    );
  }, 60_000);

  it("decomposed accents and padding on the text facts never change the decision", async () => {
    const pad = fc.constantFrom("", " ", "  ", "\t", "\u00A0", " \n");
    const padded = (s: string, l: string, r: string) => `${l}${s.normalize("NFD")}${r}`;
    const table = reclame.compiled.tables.designacaoPorServico?.rows ?? [];
    const servicos = [
      ...new Set(
        table.map((r) =>
          r.inputs[2]?.kind === "compare" &&
          r.inputs[2].value.kind === "literal" &&
          r.inputs[2].value.literal.type === "string"
            ? r.inputs[2].value.literal.value
            : "Reembolso",
        ),
      ),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          numero: fc.constantFrom("2026000101", "Nº 7", "OC–12"),
          tipoAtendimento: fc.constantFrom("Reclamação", "Solicitação", "Reclamacao"),
          tipoCliente: fc.constantFrom("Beneficiário", "Credenciado"),
          servico: fc.constantFrom(...servicos, "Cadastro - Falta de Cartão Saúde CAIXA", "Elogio"),
          tipoEntrada: fc.constantFrom("RECLAME", "INTERNO"),
          gipesVinculacao: fc.constantFrom("GIPES São João", "GIPES Ceará"),
          canalOrigem: fc.constantFrom("telefone", "chat"),
        }),
        fc.array(pad, { minLength: 14, maxLength: 14 }),
        async (texts, pads) => {
          const clean = { ...texts, entradaEm: "2026-04-01T09:15:00" };
          const messy: Record<string, unknown> = { entradaEm: clean.entradaEm };
          for (const [i, [k, v]] of Object.entries(texts).entries()) {
            messy[k] = padded(v, pads[2 * i] as string, pads[2 * i + 1] as string);
          }
          const a = await reclame.decide(clean);
          const b = await reclame.decide(messy);
          expect(b.decision).toEqual(a.decision);
          expect(b.fired).toEqual(a.fired);
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);
});
