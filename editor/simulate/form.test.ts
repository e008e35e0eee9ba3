import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../dsl/compile/pipeline.js";
import { loadRuleSet } from "../../dsl/ruleset/load.js";
import { decide, isDecisionError } from "../../engine/index.js";
import { loadSuite } from "../../tester/suite.js";
import { buildForm, factsFromValues, initialValues, valuesFromFacts, type FormField } from "./form.js";

const RULES = join(import.meta.dirname, "../../rules");
const SHIPPED = readdirSync(RULES)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
  .map((f) => f.replace(/\.yaml$/, ""));

function formOf(source: string): FormField[] {
  const model = loadRuleSet(source).model;
  if (!model) throw new Error("rule set did not load");
  return buildForm(model.facts);
}

function shipped(name: string): FormField[] {
  return formOf(readFileSync(join(RULES, `${name}.yaml`), "utf8"));
}

function field(fields: readonly FormField[], path: string): FormField {
  const parts = path.split(".");
  let list = fields;
  let found: FormField | undefined;
  for (const p of parts) {
    found = list.find((f) => f.name === p);
    if (!found) throw new Error(`no field ${path}`);
    const c = found.control;
    list =
      c.kind === "object"
        ? c.fields
        : c.kind === "list" && c.item.control.kind === "object"
          ? c.item.control.fields
          : [];
  }
  return found as FormField;
}

describe("form model of the shipped rule sets", () => {
  it("reclame-designacao: dropdowns for enums, a date-time picker, checkboxes with defaults, required marks", () => {
    const form = shipped("reclame-designacao");
    expect(form.map((f) => f.name)).toEqual([
      "numero",
      "tipoAtendimento",
      "tipoCliente",
      "servico",
      "tipoEntrada",
      "entradaEm",
      "protocoloValidado",
      "registradoDuranteAtendimento",
      "canalOrigem",
      "gipesVinculacao",
    ]);
    expect(field(form, "tipoCliente")).toMatchObject({
      required: true,
      control: { kind: "select", options: ["Beneficiário", "Credenciado"] },
    });
    expect(field(form, "tipoEntrada")).toMatchObject({
      required: false,
      default: "RECLAME",
      control: { kind: "select" },
    });
    expect(field(form, "entradaEm")).toMatchObject({
      required: true,
      description: "Horário de entrada no VCRM.",
      control: { kind: "datetime" },
    });
    expect(field(form, "protocoloValidado")).toMatchObject({ default: true, control: { kind: "checkbox" } });
    expect(field(form, "numero").control).toEqual({ kind: "text" });
    expect(initialValues(form)).toMatchObject({ tipoEntrada: "RECLAME", protocoloValidado: true, servico: "" });
  });

  it("portal-solicitacoes: integers with bounds, nested objects, lists of texts", () => {
    const form = shipped("portal-solicitacoes");
    expect(field(form, "novoDiaVencimento").control).toEqual({
      kind: "number",
      integer: true,
      minimum: 1,
      maximum: 31,
    });
    expect(field(form, "reembolso.valor").control).toEqual({ kind: "number", integer: false });
    expect(field(form, "reembolso.modalidade")).toMatchObject({
      path: "reembolso.modalidade",
      control: { kind: "select", options: ["Deslocamento", "Instrumentação cirúrgica", "Outros"] },
    });
    expect(field(form, "contatosCadastrados.telefones").control).toMatchObject({
      kind: "list",
      item: { path: "contatosCadastrados.telefones[]", control: { kind: "text" } },
    });
    expect(field(form, "aceiteTermos")).toMatchObject({ default: false, control: { kind: "checkbox" } });
  });

  it("retencao: date pickers, lists of objects, lists of enum texts as a multiple choice", () => {
    const form = shipped("retencao");
    expect(field(form, "data").control).toEqual({ kind: "date" });
    expect(field(form, "contatos").control).toMatchObject({
      kind: "list",
      maxItems: 5,
      item: { control: { kind: "object" } },
    });
    expect(field(form, "contatos.data").control).toEqual({ kind: "date" });
    expect(field(form, "acoesRetencao").control).toMatchObject({ kind: "multiselect" });
    expect(field(form, "setorResponsavel").control).toEqual({
      kind: "multiselect",
      options: ["T.I", "Central de atendimento", "Análise Técnica", "Comercial"],
    });
    expect(field(form, "atendeOutrosConvenios")).toMatchObject({ required: false, control: { kind: "checkbox" } });
    expect(field(form, "atendeOutrosConvenios").default).toBeUndefined();
  });

  it("protocolo-status: required objects, non-nullable fields, an object with free keys of any type", () => {
    const form = shipped("protocolo-status");
    expect(field(form, "protocolo")).toMatchObject({ required: true, control: { kind: "object" } });
    expect(field(form, "protocolo.status")).toMatchObject({ required: true, nullable: false });
    expect(field(form, "protocolo.pendenciasAbertas").control).toEqual({ kind: "number", integer: true, minimum: 0 });
    expect(field(form, "protocolo.campos").control).toEqual({
      kind: "map",
      value: { name: "", path: "protocolo.campos.*", required: false, nullable: false, control: { kind: "json" } },
    });
  });

  it("reclame-duplicidade: a required list of objects with a minimum size", () => {
    const form = shipped("reclame-duplicidade");
    expect(field(form, "reclames")).toMatchObject({
      required: true,
      control: { kind: "list", minItems: 1, maxItems: 1000 },
    });
    expect(field(form, "reclames.registradoEm")).toMatchObject({ required: true, control: { kind: "datetime" } });
  });

  it("every declared type has a control (duration, any, object values, lists of any)", () => {
    const form = formOf(`ruleset: tipos
facts:
  prazo: { type: duration }
  extra: { type: any }
  notas: { type: object, values: { type: integer } }
  coisas: { type: list }
outputs:
  ok: { type: boolean }
rules:
  - name: sempre
    then: [ok = true]
`);
    expect(form.map((f) => f.control)).toEqual([
      { kind: "duration" },
      { kind: "json" },
      { kind: "map", value: expect.objectContaining({ control: { kind: "number", integer: true } }) },
      { kind: "list", item: expect.objectContaining({ control: { kind: "json" } }) },
    ]);
  });
});

describe("form values → facts", () => {
  const form = formOf(`ruleset: tipos
facts:
  nome: { type: string, required: true }
  idade: { type: integer }
  valor: { type: number }
  ativo: { type: boolean, default: true }
  aceite: { type: boolean }
  quando: { type: date-time }
  prazo: { type: duration }
  extra: { type: any }
  notas: { type: object, values: { type: integer } }
  endereco:
    type: object
    fields:
      rua: { type: string }
      numero: { type: integer }
  contatos: { type: list, items: { type: object, fields: { tel: { type: string } } } }
  tags: { type: list, items: { type: string, enum: [a, b] } }
outputs:
  ok: { type: boolean }
rules:
  - name: sempre
    then: [ok = true]
`);

  it("leaves out empty optional fields and fields equal to their default", () => {
    expect(factsFromValues(form, initialValues(form))).toEqual({ facts: {}, problems: [] });
  });

  it("reads numbers (decimal comma too), JSON, nested objects, lists and free keys", () => {
    const values = {
      ...initialValues(form),
      nome: "Ana",
      idade: "42",
      valor: "10,5",
      ativo: false,
      aceite: true,
      quando: "2026-04-01T09:15",
      prazo: "2h",
      extra: '{"a": [1, 2]}',
      notas: [
        { key: "x", value: "1", entry: true as const },
        { key: "", value: "2", entry: true as const },
      ],
      endereco: { rua: "Rua A", numero: "" },
      contatos: [{ tel: "" }, { tel: "81 9999-0000" }],
      tags: ["b"],
    };
    expect(factsFromValues(form, values)).toEqual({
      facts: {
        nome: "Ana",
        idade: 42,
        valor: 10.5,
        ativo: false,
        aceite: true,
        quando: "2026-04-01T09:15",
        prazo: "2h",
        extra: { a: [1, 2] },
        notas: { x: 1 },
        endereco: { rua: "Rua A" },
        contatos: [{ tel: "81 9999-0000" }],
        tags: ["b"],
      },
      problems: [],
    });
  });

  it("reports texts that are not numbers (or not integers) and leaves them out", () => {
    const { facts, problems } = factsFromValues(form, {
      ...initialValues(form),
      nome: "Ana",
      idade: "4.5",
      valor: "dez",
    });
    expect(facts).toEqual({ nome: "Ana" });
    expect(problems).toEqual([
      { path: "idade", message: 'idade: "4.5" não é um número inteiro' },
      { path: "valor", message: 'valor: "dez" não é um número' },
    ]);
  });

  it("a plain text in an `any` field stays a text; broken JSON is a problem", () => {
    expect(factsFromValues(form, { ...initialValues(form), extra: "olá" }).facts).toEqual({ extra: "olá" });
    expect(factsFromValues(form, { ...initialValues(form), extra: "[1," }).problems).toEqual([
      { path: "extra", message: "extra: JSON inválido" },
    ]);
  });

  it("every case of every shipped suite, put in the form and read back, decides the same", async () => {
    let checked = 0;
    for (const name of SHIPPED) {
      const source = readFileSync(join(RULES, `${name}.yaml`), "utf8");
      const compiled = compileSource(source).compiled;
      if (!compiled) throw new Error(`${name} does not compile`);
      const fields = formOf(source);
      const suite = loadSuite(readFileSync(join(RULES, `${name}.test.yaml`), "utf8")).suite;
      for (const c of suite?.cases ?? []) {
        if (c.expectError) continue;
        const { facts, problems } = factsFromValues(fields, valuesFromFacts(fields, c.facts));
        expect(problems, `${name}: ${c.name}`).toEqual([]);
        const outcome = async (f: unknown) => {
          try {
            return (await decide(compiled, f)).decision;
          } catch (e) {
            if (isDecisionError(e)) return { error: e.code };
            throw e;
          }
        };
        expect(await outcome(facts), `${name}: ${c.name}`).toEqual(await outcome(c.facts));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  }, 60_000);
});
