/**
 * The fact boundary (engine/facts.ts): texts declared `string` arrive in NFC and trimmed (unless
 * `normalize: false`), numbers are finite and integers safe, lists of objects may be unique by a
 * key (`uniqueBy`), and collections order digit texts by value. Through the engine API, the
 * loader's diagnostics and `rules decide`. Synthetic data only.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../cli/main.js";
import { DecisionError } from "../engine/errors.js";
import { FACT_SCHEMA_ANNOTATIONS } from "../engine/facts.js";
import { createRuntime } from "../engine/runtime.js";
import { compileErrors, compileOk, readRuleSet, reclameFacts, rejectionOf, RULES_DIR } from "./helpers/rulesets.js";

/** "Autorização Prévia" with decomposed accents (c + U+0327, a + U+0303, e + U+0301). */
const AP_NFD = "Autorizac\u0327a\u0303o Pre\u0301via";

const TEXTOS = `ruleset: textos
facts:
  nome: string
  tipo: { type: string, enum: [Beneficiário, Credenciado] }
  bruto: { type: string, normalize: false }
  data: date
  qualquer: any
  lista: { type: list, items: string }
  pessoas:
    type: list
    items:
      type: object
      fields:
        nome: string
        apelido: { type: string, normalize: false }
  campos: { type: object, values: string }
  cru:
    type: object
    normalize: false
    fields:
      a: string
      b: { type: list, items: string }
outputs:
  eco: any
rules:
  - name: eco
    then: eco = [nome, tipo, bruto, qualquer, lista, pessoas, campos, cru]
`;

const NUMEROS = `ruleset: numeros
facts:
  valor: number
  qtd: integer
  livre: any
  itens: { type: list, items: { type: object, fields: { qtd: integer, valor: number } } }
  mapa: { type: object, values: integer }
outputs:
  ok: { type: boolean, default: true }
rules:
  - name: nada
    when: false
    then: ok = false
`;

const UNICOS = `ruleset: unicos
facts:
  itens:
    type: list
    uniqueBy: numero
    items: { type: object, fields: { numero: string, valor: integer } }
  pares:
    type: list
    uniqueBy: [cliente, servico]
    items: { type: object, fields: { cliente: string, servico: string } }
outputs:
  n: { type: integer, nullable: true }
rules:
  - name: conta
    then: n = count(itens)
`;

async function details(p: Promise<unknown>): Promise<{ path?: string; message: string }[]> {
  const e = await rejectionOf(p);
  expect(e, "expected INVALID_FACTS").toBeInstanceOf(DecisionError);
  expect((e as DecisionError).code).toBe("INVALID_FACTS");
  return [...(e as DecisionError).details];
}

describe("texts are NFC and trimmed where facts enter", () => {
  const rt = createRuntime(compileOk(TEXTOS));

  it("normalises declared strings, also inside lists and objects, before the enum is checked", async () => {
    const d = await rt.decide({
      nome: `  ${AP_NFD}\t`,
      tipo: " Beneficia\u0301rio ",
      lista: [` ${AP_NFD} `, "Reembolso\n"],
      pessoas: [{ nome: " Jose\u0301 ", apelido: " Ze\u0301 " }],
      campos: { "Pre\u0301via": ` ${AP_NFD}` },
    });
    const [nome, tipo, , , lista, pessoas, campos] = d.decision.eco as unknown[];
    expect(nome).toBe("Autorização Prévia");
    expect(tipo).toBe("Beneficiário");
    expect(lista).toEqual(["Autorização Prévia", "Reembolso"]);
    // normalize: false on a field keeps its bytes even inside a normalised list.
    expect(pessoas).toEqual([{ nome: "José", apelido: " Ze\u0301 " }]);
    // Values are normalised; keys are names, kept as sent.
    expect(campos).toEqual({ "Pre\u0301via": "Autorização Prévia" });
  });

  it("normalize: false keeps the bytes, and is inherited by what the declaration contains", async () => {
    const d = await rt.decide({ bruto: ` ${AP_NFD} `, cru: { a: ` ${AP_NFD}`, b: [`${AP_NFD} `] } });
    const [, , bruto, , , , , cru] = d.decision.eco as unknown[];
    expect(bruto).toBe(` ${AP_NFD} `);
    expect(cru).toEqual({ a: ` ${AP_NFD}`, b: [`${AP_NFD} `] });
  });

  it("leaves `any` facts and formatted texts (dates) as sent", async () => {
    const d = await rt.decide({ qualquer: [` ${AP_NFD} `] });
    expect((d.decision.eco as unknown[])[3]).toEqual([` ${AP_NFD} `]);
    expect((await details(rt.decide({ data: " 2026-04-01" }))).map((i) => i.path)).toEqual(["/data"]);
  });

  it("an NFD enum value is accepted as its NFC form; a misspelt one is still refused", async () => {
    expect((await details(rt.decide({ tipo: "Beneficiario" }))).map((i) => i.path)).toEqual(["/tipo"]);
  });

  it("the compiled schema carries the annotations only where declared, and ajv (strict) knows them", () => {
    const compiled = compileOk(TEXTOS);
    const props = compiled.factSchema.properties as Record<string, Record<string, unknown>>;
    expect(props.bruto?.["x-normalize"]).toBe(false);
    expect(props.nome && "x-normalize" in props.nome).toBe(false);
    const ajv = new Ajv({ strict: true, validateFormats: false });
    for (const k of FACT_SCHEMA_ANNOTATIONS) ajv.addKeyword(k);
    expect(() => ajv.compile(compiled.factSchema)).not.toThrow();
    expect(() => new Ajv({ strict: true, validateFormats: false }).compile(compiled.factSchema)).toThrow(/x-normalize/);
  });
});

describe("the facts are copied, never changed in the caller's hands", () => {
  const textos = createRuntime(compileOk(TEXTOS));

  it("normalises and fills defaults in its own copy: the caller's object is left as sent", async () => {
    const facts = { nome: "  Maria  ", lista: [" a "], pessoas: [{ nome: " Ana " }] };
    const sent = structuredClone(facts);
    const r = await textos.decide(facts);
    expect((r.decision.eco as unknown[])[0]).toBe("Maria");
    expect(facts).toEqual(sent);
  });

  it("values that are not plain JSON data are judged as before: a Date is not a date text, a function is refused", async () => {
    const date = (await rejectionOf(textos.decide({ data: new Date("2026-01-02T00:00:00Z") }))) as DecisionError;
    expect(date.details).toContainEqual({ path: "/data", message: "deve ser texto ou nulo" });
    const fn = (await rejectionOf(textos.decide({ qualquer: () => 1 }))) as DecisionError;
    expect(fn.message).toBe("os fatos devem ser dados JSON");
  });

  it("an own __proto__ key stays a plain key of the copy (refused as an unknown fact, no prototype set)", async () => {
    const r = (await rejectionOf(
      textos.decide(JSON.parse('{"nome": "a", "__proto__": {"nome": "b"}}')),
    )) as DecisionError;
    expect(r.details).toContainEqual({ path: "/__proto__", message: expect.stringMatching(/campo desconhecido/) });
    expect(({} as { nome?: string }).nome).toBeUndefined();
  });
});

describe("numbers are finite and integers safe", () => {
  const rt = createRuntime(compileOk(NUMEROS));

  it("refuses Infinity (JSON 1e400) and NaN anywhere, with a pointer and a Portuguese message", async () => {
    const issues = await details(rt.decide({ valor: Infinity, livre: { a: [1, -Infinity] }, itens: [{ valor: NaN }] }));
    expect(issues.map((i) => i.path).sort()).toEqual(["/itens/0/valor", "/livre/a/1", "/valor"]);
    for (const i of issues) expect(i.message).toMatch(/infinito/);
    // The boundary message replaces ajv's "deve ser número" for the same place.
    expect(issues.filter((i) => i.path === "/valor")).toHaveLength(1);
  });

  it("refuses integers beyond 2^53 − 1 in integer facts, also nested; the largest safe one passes", async () => {
    const big = 2 ** 53; // what JSON.parse makes of 9007199254740993
    const issues = await details(rt.decide({ qtd: big, itens: [{ qtd: 1 }, { qtd: -big }], mapa: { a: big } }));
    expect(issues.map((i) => i.path).sort()).toEqual(["/itens/1/qtd", "/mapa/a", "/qtd"]);
    for (const i of issues) expect(i.message).toMatch(/9007199254740991/);
    await expect(
      rt.decide({ qtd: Number.MAX_SAFE_INTEGER, itens: [{ qtd: -Number.MAX_SAFE_INTEGER }] }),
    ).resolves.toBeDefined();
    // A `number` may be any finite double (its precision is the caller's choice).
    await expect(rt.decide({ valor: big })).resolves.toBeDefined();
  });

  it("reports boundary problems together with the schema's", async () => {
    const issues = await details(rt.decide({ qtd: Infinity, valor: "1", extra: true }));
    expect(issues.map((i) => i.path).sort()).toEqual(["/extra", "/qtd", "/valor"]);
  });
});

describe("uniqueBy: no two items with the same key", () => {
  const rt = createRuntime(compileOk(UNICOS));

  it("names the repeated place and the first one", async () => {
    const issues = await details(
      rt.decide({ itens: [{ numero: "10" }, { numero: "11" }, { numero: "12" }, { numero: "11" }, { numero: "10" }] }),
    );
    expect(issues.map((i) => i.path)).toEqual(["/itens/3/numero", "/itens/4/numero"]);
    expect(issues[0]?.message).toContain("/itens/1/numero");
    expect(issues[1]?.message).toContain("/itens/0/numero");
  });

  it("compares after normalisation: NFD and NFC, or a trailing space, are the same number", async () => {
    const issues = await details(rt.decide({ itens: [{ numero: "Ocorre\u0302ncia 1" }, { numero: "Ocorrência 1 " }] }));
    expect(issues.map((i) => i.path)).toEqual(["/itens/1/numero"]);
  });

  it("a composite key points at the item; absent or null keys are not duplicates", async () => {
    const issues = await details(
      rt.decide({
        pares: [
          { cliente: "A", servico: "X" },
          { cliente: "A", servico: "Y" },
          { cliente: "A", servico: "X" },
        ],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(["/pares/2"]);
    expect(issues[0]?.message).toContain("/pares/0");
    const ok = await rt.decide({ itens: [{ valor: 1 }, { valor: 2 }, { numero: null }, { numero: null }] });
    expect(ok.decision.n).toBe(4);
  });
});

describe("the loader checks normalize and uniqueBy", () => {
  const base = (facts: string, outputs = "  ok: { type: boolean, default: true }") => `ruleset: opcoes
facts:
${facts}
outputs:
${outputs}
rules:
  - name: r
    then: ok = true
`;

  it.each([
    ["uniqueBy on a list of texts", "  l: { type: list, items: string, uniqueBy: numero }", 3, "uniqueBy"],
    ["uniqueBy on an object", "  o: { type: object, fields: { numero: string }, uniqueBy: numero }", 3, "uniqueBy"],
    [
      "uniqueBy naming an unknown field",
      "  l: { type: list, uniqueBy: nmero, items: { type: object, fields: { numero: string } } }",
      3,
      'Você quis dizer "numero"',
    ],
    [
      "uniqueBy naming a list field",
      "  l: { type: list, uniqueBy: tags, items: { type: object, fields: { tags: { type: list, items: string } } } }",
      3,
      "tags",
    ],
    ["normalize that is not a boolean", "  t: { type: string, normalize: sim }", 3, "normalize"],
  ])("%s", (_name, facts, line, message) => {
    const source = base(facts);
    const { codes, described } = compileErrors(source);
    expect(codes).toContain("ruleset/structure");
    expect(
      described.some((d) => d.startsWith(`ruleset/structure@${line}:`) && d.includes(message)),
      described.join("\n"),
    ).toBe(true);
  });

  it("normalize and uniqueBy are fact options only", () => {
    const source = base(
      "  t: string",
      "  ok: { type: boolean, default: true, normalize: false }\n  l: { type: list, uniqueBy: a, items: { type: object, fields: { a: string } } }",
    );
    const { described } = compileErrors(source);
    expect(
      described.filter((d) => d.startsWith("ruleset/structure@5:") || d.startsWith("ruleset/structure@6:")),
    ).toHaveLength(2);
  });
});

describe("collections order digit texts by value", () => {
  const ORDEM = `ruleset: ordem
facts:
  itens: { type: list, items: { type: object, fields: { numero: string } } }
collections:
  grupos:
    from: itens
    key: ['"todos"']
    order: [item.numero]
outputs:
  ordem: any
rules:
  - name: ordem
    then: ordem = for g in grupos where g.rank > 0 return [g.rank, g.item.numero]
`;
  const rt = createRuntime(compileOk(ORDEM));
  const order = async (numeros: string[]) => {
    const d = await rt.decide({ itens: numeros.map((numero) => ({ numero })) });
    return (d.decision.ordem as [number, string][]).sort((a, b) => a[0] - b[0]).map((r) => r[1]);
  };

  it("numeric value first, whatever the number of digits or leading zeros", async () => {
    expect(await order(["10", "9", "0011", "100"])).toEqual(["9", "10", "0011", "100"]);
    expect(await order(["123456789012345678901234567890", "99999999999999999999"])).toEqual([
      "99999999999999999999",
      "123456789012345678901234567890",
    ]);
  });

  it("equal values by code point; digit-only texts before others; others by code point", async () => {
    expect(await order(["7", "007", "07"])).toEqual(["007", "07", "7"]);
    expect(await order(["OC-2", "#1", "2026100", "2026/100"])).toEqual(["2026100", "#1", "2026/100", "OC-2"]);
    expect(await order(["b", "\u{1F600}", "\uFF21"])).toEqual(["b", "\uFF21", "\u{1F600}"]);
  });
});

describe("the shipped rule sets at the boundary", () => {
  const designacao = createRuntime(compileOk(readRuleSet("reclame-designacao")));

  it("an NFD service, or one with trailing spaces, is designated by the table", async () => {
    for (const servico of [AP_NFD, "Autorização Prévia  ", `\u00A0${AP_NFD}\u00A0`]) {
      const d = await designacao.decide(reclameFacts({ servico }));
      expect(d.decision.acao, JSON.stringify(servico)).toBe("DESIGNAR");
      expect(d.decision.designacao).toBe("GIPES");
    }
  });

  it("an ASCII hyphen for the dash does not match, but the dashed service is suggested first", async () => {
    const d = await designacao.decide(reclameFacts({ servico: "Cadastro - Inclusão/alteração de titular" }));
    expect(d.decision.acao).toBe("REVISAR_SERVICO");
    expect((d.decision.servicosSugeridos as string[])[0]).toBe("Cadastro – Inclusão/alteração de titular");
    expect(d.decision.servicosValidos).toContain("Cadastro – Inclusão/alteração de titular");
  });

  it("a wrong tipoAtendimento has its own outcome, suggesting Reclamação when close", async () => {
    const a = await designacao.decide(reclameFacts({ tipoAtendimento: "Reclamacao" }));
    expect([a.decision.acao, a.decision.tipoAtendimentoSugerido, a.decision.servicosSugeridos]).toEqual([
      "TIPO_ATENDIMENTO_INVALIDO",
      "Reclamação",
      null,
    ]);
    const b = await designacao.decide(reclameFacts({ tipoAtendimento: "Solicitação" }));
    expect([b.decision.acao, b.decision.tipoAtendimentoSugerido]).toEqual(["TIPO_ATENDIMENTO_INVALIDO", null]);
  });

  it("reclame-duplicidade refuses a repeated numero naming both positions", async () => {
    const dup = createRuntime(compileOk(readRuleSet("reclame-duplicidade")));
    const item = (numero: string, servico = "Reembolso") => ({
      numero,
      clienteId: "BEN-1",
      servico,
      tipoEntrada: "RECLAME",
      registradoEm: "2026-04-01T09:00",
    });
    const issues = await details(dup.decide({ reclames: [item("1"), item("2"), item("3"), item("2")] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("/reclames/3/numero");
    expect(issues[0]?.message).toContain("/reclames/1/numero");
    const nfd = await dup.decide({ reclames: [item("1", "Autorização Prévia"), item("2", AP_NFD)] });
    expect((nfd.decision.resultados as { tipoEntrada: string }[]).map((r) => r.tipoEntrada)).toEqual([
      "RECLAME",
      "INTERNO",
    ]);
  });
});

describe("rules decide", () => {
  const dir = mkdtempSync(join(tmpdir(), "facts-boundary-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function rules(args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main({
      argv: args,
      stdout: {
        write: (s: string) => {
          stdout += s;
          return true;
        },
      },
      stderr: {
        write: (s: string) => {
          stderr += s;
          return true;
        },
      },
      cwd: dir,
    });
    return { code, stdout, stderr };
  }

  it("designates an NFD service sent in a facts file", async () => {
    const file = join(dir, "fatos.json");
    writeFileSync(file, JSON.stringify(reclameFacts({ servico: `${AP_NFD} ` })));
    expect(Buffer.from(JSON.stringify(AP_NFD)).includes(Buffer.from("\u0301"))).toBe(true);
    const r = await rules(["decide", join(RULES_DIR, "reclame-designacao.yaml"), "--facts", `@${file}`]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { decision: Record<string, unknown> };
    expect([out.decision.acao, out.decision.designacao]).toEqual(["DESIGNAR", "GIPES"]);
  });

  it("refuses 1e400 written in the facts text", async () => {
    writeFileSync(join(dir, "numeros.yaml"), NUMEROS);
    const r = await rules([
      "decide",
      "numeros.yaml",
      "--facts",
      '{"valor": 1e400, "itens": [{"qtd": 9007199254740993}]}',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\/valor: número fora do intervalo/m);
    expect(r.stderr).toMatch(/^\/itens\/0\/qtd: inteiro grande demais/m);
  });
});
