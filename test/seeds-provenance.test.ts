/**
 * Every shipped rule set (every `rules/*.yaml`, whatever its name) says where each of its rules,
 * tables, validations, transitions, guards, constants, collections and invariants comes from, in a
 * Portuguese description an analyst reads: `[seed NNN …]` (a seed document, with its section) or
 * `[default …]` (our choice, followed by the reason). The rationale is not left in YAML comments.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadRuleSet } from "../dsl/ruleset/load.js";
import type { RuleSetModel } from "../dsl/ruleset/model.js";

const dir = new URL("../rules/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"));

/** `[seed 002, tabela de designação]`, `[seed 000/001, Ação Retenção]`, `[default]`, `[default: …]`. */
const MARKER = /\[(?:seed \d{3}\b[^\]]*|default\b[^\]]*)\]/u;

/** A description that names its source; a [default] also says why (some text besides the marker). */
function provenanceProblem(description: string | undefined): string | undefined {
  if (description === undefined || description.trim() === "") return "sem descrição";
  const marker = MARKER.exec(description);
  if (!marker) return `sem [seed NNN …] nem [default …]: ${JSON.stringify(description)}`;
  if (description.replace(marker[0], "").trim().length < 10)
    return `só a marca, sem o porquê: ${JSON.stringify(description)}`;
  return undefined;
}

/** Every element of a rule set that must carry a provenance, with a readable label. */
function describedElements(model: RuleSetModel, source: string): { what: string; description: string | undefined }[] {
  const lineOf = (offset: number) => source.slice(0, offset).split("\n").length;
  const out: { what: string; description: string | undefined }[] = [];
  for (const c of model.constants.values()) out.push({ what: `constante ${c.name}`, description: c.description });
  for (const c of model.collections.values()) out.push({ what: `coleção ${c.name}`, description: c.description });
  for (const t of model.tables) out.push({ what: `tabela ${t.name}`, description: t.description });
  for (const v of model.validations?.items ?? [])
    out.push({ what: `validação de ${v.field} (linha ${lineOf(v.range.start)})`, description: v.description });
  const tr = model.transitions;
  if (tr) {
    for (const [i, g] of tr.guards.entries()) {
      out.push({ what: `condição geral de transição ${i + 1}`, description: g.description });
    }
    for (const a of tr.allow) {
      out.push({ what: `transição ${a.from} → ${a.to}`, description: a.description });
      for (const [i, g] of a.guards.entries()) {
        out.push({ what: `condição ${i + 1} da transição ${a.from} → ${a.to}`, description: g.description });
      }
    }
  }
  for (const r of model.rules) out.push({ what: `regra "${r.name}"`, description: r.description });
  for (const inv of model.invariants)
    out.push({ what: `invariante "${inv.name}"`, description: inv.description ?? inv.message });
  return out;
}

describe("provenance of the shipped rule sets", () => {
  it("finds the rule sets by listing rules/", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  describe.each(files)("%s", (file) => {
    const source = readFileSync(new URL(file, dir), "utf8");
    const loaded = loadRuleSet(source);

    it("loads", () => {
      expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(loaded.model).toBeDefined();
    });

    it("every rule, table, validation, transition, guard, constant, collection and invariant says [seed …] or [default …]", () => {
      const problems = describedElements(loaded.model!, source)
        .map((e) => ({ what: e.what, problem: provenanceProblem(e.description) }))
        .filter((e) => e.problem !== undefined)
        .map((e) => `${e.what}: ${e.problem}`);
      expect(problems).toEqual([]);
    });

    it("keeps no provenance or rationale markers in YAML comments (they belong in descriptions)", () => {
      const comments = source
        .split("\n")
        .map((line, i) => ({ line: i + 1, text: line }))
        .filter((l) => /^\s*#/.test(l.text) && /\[(?:seed|default)\b/i.test(l.text));
      expect(comments).toEqual([]);
    });
  });
});

describe("the provenance check itself", () => {
  it("accepts a seed section or a default with its reason", () => {
    expect(provenanceProblem("[seed 002, tabela de designação] Designação por serviço.")).toBeUndefined();
    expect(provenanceProblem("[default] Lista vazia porque o seed não nomeia outros serviços.")).toBeUndefined();
  });
  it("refuses a missing description, an unmarked one, a bare [seed] and a reason-less [default]", () => {
    expect(provenanceProblem(undefined)).toBe("sem descrição");
    expect(provenanceProblem("A decisão repete o tipo de entrada.")).toMatch(/^sem \[seed/);
    expect(provenanceProblem("[seed] Texto do histórico.")).toMatch(/^sem \[seed/);
    expect(provenanceProblem("[default]")).toMatch(/^só a marca/);
  });
});
