/// <reference types="node" />
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { handlers } from "./handlers.js";

const rules = (file: string) => readFileSync(join(process.cwd(), "rules", file), "utf8");
const source = rules("reclame-designacao.yaml");
const suite = rules("reclame-designacao.test.yaml");

describe("worker handlers", () => {
  it("analyze: a mistake is reported at its exact range, in Portuguese", async () => {
    const broken = source.replace('when: tipoEntrada != "RECLAME"', 'when: tipoEntrada != "RECLAME" and xyzzy');
    const { diagnostics } = await handlers.analyze({ source: broken });
    const at = broken.indexOf("xyzzy");
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ code: "check/unknown-fact", range: { start: at, end: at + 5 }, severity: "error" }),
    );
    expect((await handlers.analyze({ source })).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("completions, hover, symbols, semantic tokens and format answer plain data", async () => {
    const offset = source.indexOf('when: tipoEntrada != "RECLAME"') + 'when: tipoEntrada != "'.length;
    const items = await handlers.completions({ source, offset });
    expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(["RECLAME", "INTERNO"]));
    const hover = await handlers.hover({ source, offset: source.indexOf("when: tipoEntrada") + 8 });
    expect(hover?.markdown).toContain("tipoEntrada");
    expect((await handlers.symbols({ source })).length).toBeGreaterThan(3);
    expect((await handlers.semanticTokens({ source })).length).toBeGreaterThan(10);
    expect((await handlers.format({ source })).text).toBeDefined();
  });

  it("decide: the decision, what fired, the trace and where each rule is written", async () => {
    const result = await handlers.decide({
      source,
      facts: {
        tipoAtendimento: "Reclamação",
        tipoCliente: "Beneficiário",
        servico: "Reembolso",
        entradaEm: "2026-03-02T10:00:00-03:00",
      },
    });
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(result.decision.acao).toBe("DESIGNAR");
    expect(result.decision.designacao).toBe("GIPES");
    expect(result.trace.length).toBeGreaterThan(0);
    const rule = result.firedRefs.find((r) => r.startsWith("r:"));
    const range = result.refRanges[rule!]!;
    expect(source.slice(range.start, range.end)).toContain("name:");
    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // plain data
  });

  it("decide: invalid facts and a draft that does not compile are answers, not exceptions", async () => {
    const invalid = await handlers.decide({ source, facts: { tipoCliente: "Ninguém" } });
    expect(invalid).toMatchObject({ ok: false, kind: "decision", code: "INVALID_FACTS" });
    const broken = await handlers.decide({ source: source.replace("ruleset:", "rulesett:"), facts: {} });
    expect(broken).toMatchObject({ ok: false, kind: "compile" });
  });

  it("test: the shipped suite passes against its rule set; no suite and a broken suite are said so", async () => {
    const run = await handlers.test({ source, suite });
    if (!run.ok) throw new Error(JSON.stringify(run));
    expect(run.failed).toBe(0);
    expect(run.passed).toBeGreaterThan(50);
    expect(run.percent).toBe(100);
    expect(await handlers.test({ source, suite: undefined })).toMatchObject({ ok: false, where: "none" });
    expect(await handlers.test({ source, suite: "cases: [" })).toMatchObject({ ok: false, where: "suite" });
  });
});
