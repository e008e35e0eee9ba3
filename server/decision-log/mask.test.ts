/** Masking of personal facts (mask.ts): keyed hashes or dropped, leaf by leaf, input untouched. */
import { describe, expect, it } from "vitest";
import { MASK_PREFIX } from "./types.js";
import { maskFacts, maskValue } from "./mask.js";

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);
const MASK = new RegExp(`^${MASK_PREFIX}[0-9a-f]{32}$`);

describe("maskFacts", () => {
  const facts = {
    cpf: "314.159.265-90",
    idade: 42,
    telefone: "(21) 99999-0001",
    contatos: { telefones: ["(21) 99999-0001", "(21) 3333-0002", "", "   "], canal: "chat" },
    dependentes: [
      { nome: "Ana Sintética", idade: 9 },
      { nome: null, idade: 7 },
    ],
    mapa: { a: { nome: "Bia Fictícia" }, b: { nome: "" } },
    vazio: "",
    nulo: null,
  };
  const paths = [
    "cpf",
    "telefone",
    "contatos.telefones",
    "dependentes.*.nome",
    "mapa.*.nome",
    "vazio",
    "nulo",
    "ausente",
  ];

  it("hash: every non-blank personal leaf becomes pii: + 32 hex; equal values give equal masks; the rest is kept", () => {
    const before = structuredClone(facts);
    const { facts: out, masked } = maskFacts(facts, paths, KEY, "hash");
    expect(facts).toEqual(before); // never mutated
    expect(out.cpf).toMatch(MASK);
    expect(out.idade).toBe(42);
    const contatos = out.contatos as { telefones: string[]; canal: string };
    expect(contatos.canal).toBe("chat");
    expect(contatos.telefones[0]).toMatch(MASK);
    expect(contatos.telefones[2]).toBe("");
    // Spaces only: nothing personal, kept (an `isBlank` rule decides the record as it did).
    expect(contatos.telefones[3]).toBe("   ");
    // The phone and the same phone in the list: same mask (so `lista contains valor` still holds).
    expect(out.telefone).toBe(contatos.telefones[0]);
    expect(contatos.telefones[1]).not.toBe(contatos.telefones[0]);
    const deps = out.dependentes as { nome: unknown; idade: number }[];
    expect(deps[0]!.nome).toMatch(MASK);
    expect(deps[0]!.idade).toBe(9);
    expect(deps[1]!.nome).toBeNull();
    expect((out.mapa as Record<string, { nome: string }>).a!.nome).toMatch(MASK);
    expect((out.mapa as Record<string, { nome: string }>).b!.nome).toBe("");
    expect(out.vazio).toBe("");
    expect(out.nulo).toBeNull();
    expect("ausente" in out).toBe(false);
    expect(masked).toEqual(["cpf", "telefone", "contatos.telefones", "dependentes.*.nome", "mapa.*.nome"]);
    expect(JSON.stringify(out)).not.toMatch(/314\.159|99999|3333|Ana Sint|Bia Fict/);
  });

  it("the mask depends on the key and on the value's JSON (the text 42 and the number 42 differ)", () => {
    expect(maskValue("314.159.265-90", KEY)).toBe(maskValue("314.159.265-90", KEY));
    expect(maskValue("314.159.265-90", KEY)).not.toBe(maskValue("314.159.265-90", OTHER_KEY));
    expect(maskValue(42, KEY)).not.toBe(maskValue("42", KEY));
    expect(maskFacts({ n: 42 }, ["n"], KEY, "hash").facts.n).toBe(maskValue(42, KEY));
  });

  it("a personal object or list is masked leaf by leaf", () => {
    const { facts: out, masked } = maskFacts(
      { endereco: { rua: "Rua Exemplo", numero: 10, complemento: null }, outro: 1 },
      ["endereco"],
      KEY,
      "hash",
    );
    const e = out.endereco as Record<string, unknown>;
    expect(e.rua).toMatch(MASK);
    expect(e.numero).toMatch(MASK);
    expect(e.complemento).toBeNull();
    expect(out.outro).toBe(1);
    expect(masked).toEqual(["endereco"]);
  });

  it("drop: the personal keys are removed, blanks kept, nothing else changes", () => {
    const before = structuredClone(facts);
    const { facts: out, masked } = maskFacts(facts, paths, KEY, "drop");
    expect(facts).toEqual(before);
    expect(out).toEqual({
      idade: 42,
      contatos: { canal: "chat" },
      dependentes: [{ idade: 9 }, { nome: null, idade: 7 }],
      mapa: { a: {}, b: { nome: "" } },
      vazio: "",
      nulo: null,
    });
    expect(masked).toEqual(["cpf", "telefone", "contatos.telefones", "dependentes.*.nome", "mapa.*.nome"]);
  });

  it("no personal value present: the same object back, nothing listed", () => {
    const plain = { idade: 3, cpf: "" };
    const { facts: out, masked } = maskFacts(plain, ["cpf", "x.y", "lista.*.nome"], KEY, "hash");
    expect(out).toBe(plain);
    expect(masked).toEqual([]);
  });
});
