/**
 * FEEL simple unary tests ⇄ our table cells (dsl/dmn/feel.ts), unit by unit in both directions,
 * and the DMN name ⇄ identifier mapping (dsl/dmn/names.ts). The cells produced are loaded back
 * through the real loader, so "means the same" is checked against what the engine will read.
 */
import { describe, expect, it } from "vitest";
import { exprToFeel, feelToCell, parseLiteral, parseValueList, unaryTestToFeel } from "../dsl/dmn/feel.js";
import { distinctRuleSetName, identifierFor, NameAllocator, ruleSetNameFor } from "../dsl/dmn/names.js";
import { loadRuleSet } from "../dsl/ruleset/load.js";
import { stripRanges, type UnaryTest } from "../dsl/syntax/ast.js";
import { stringify } from "yaml";

function cell(text: string): unknown {
  const r = feelToCell(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function refusal(text: string): string {
  const r = feelToCell(text);
  if (r.ok) throw new Error(`"${text}" was translated to ${JSON.stringify(r.value)}`);
  return r.message;
}

/** Loads a one-column table whose only row has `c` as its input cell; returns the cell's test. */
function loadedCell(c: unknown, type = "number"): UnaryTest {
  const yaml = stringify({
    ruleset: "t",
    description: "t",
    facts: { x: { type } },
    outputs: { y: { type: "string" } },
    tables: [{ name: "t", hitPolicy: "first", inputs: ["x"], outputs: ["y"], rows: [[c, "ok"]] }],
  });
  const loaded = loadRuleSet(yaml);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  expect(errors).toEqual([]);
  return loaded.model?.tables[0]?.rows[0]?.inputs[0] as UnaryTest;
}

describe("FEEL input entries → our cells", () => {
  it("translates every form of the subset", () => {
    expect(cell("-")).toBe("-");
    expect(cell("")).toBe("-");
    expect(cell('"Medium"')).toBe("Medium");
    expect(cell('"Medium","Low"')).toEqual(["Medium", "Low"]);
    expect(cell(">=18")).toBe(">= 18");
    expect(cell("< 18")).toBe("< 18");
    expect(cell("[18..65)")).toBe("[18..65)");
    expect(cell("[18..65[")).toBe("[18..65)");
    expect(cell("]0..1]")).toBe("(0..1]");
    expect(cell("(0..1)")).toBe("(0..1)");
    expect(cell('not("High")')).toBe('not("High")');
    expect(cell('not("High", "Low")')).toBe('not("High", "Low")');
    expect(cell("not(>= 18, [1..5])")).toBe("not(>= 18, [1..5])");
    expect(cell("null")).toBeNull();
    expect(cell("true")).toBe(true);
    expect(cell("false")).toBe(false);
    expect(cell("12.5")).toBe(12.5);
    expect(cell("-3")).toBe(-3);
    expect(cell(">= -3")).toBe(">= -3");
    expect(cell('date("2026-04-03")')).toBe("= 2026-04-03");
    expect(cell('>= date("2026-04-03")')).toBe(">= 2026-04-03");
    expect(cell('date and time("2026-04-03T08:30:00")')).toBe("= 2026-04-03T08:30:00");
    expect(cell('@"2026-04-03"')).toBe("= 2026-04-03");
    expect(cell('duration("P1DT2H30M")')).toBe("= 1d2h30min");
    expect(cell('<= duration("PT2H")')).toBe("<= 2h");
    expect(cell('">= 18", 5')).toEqual(['= ">= 18"', 5]);
  });

  it('reads FEEL string escapes and writes texts that look like tests as = "texto"', () => {
    expect(cell('"say \\"hi\\""')).toBe('say "hi"');
    expect(cell('"a\\\\b"')).toBe("a\\b");
    expect(cell('"\\u00e9t\\u00e9"')).toBe("été");
    expect(cell('"line\\nbreak"')).toBe("line\nbreak");
    expect(cell('"-"')).toBe('= "-"');
    expect(cell('""')).toBe('= ""');
    expect(cell('"(texto)"')).toBe('= "(texto)"');
    expect(cell('"not me"')).toBe('= "not me"');
  });

  it("the cells load back as the tests they stand for", () => {
    const range = loadedCell(cell("]0..1]"));
    expect(range).toMatchObject({ kind: "range", lowInclusive: false, highInclusive: true });
    expect(loadedCell(cell(">=18"))).toMatchObject({ kind: "compare", operator: ">=" });
    const list = loadedCell(cell('"Medium","Low"'), "string");
    expect(list.kind).toBe("oneOf");
    const dash = loadedCell(cell('"-"'), "string");
    expect(stripRanges(dash)).toMatchObject({ kind: "compare", operator: "==", value: { literal: { value: "-" } } });
    const empty = loadedCell(cell('""'), "string");
    expect(stripRanges(empty)).toMatchObject({ kind: "compare", value: { literal: { type: "string", value: "" } } });
    const negated = loadedCell(cell('not("High","Low")'), "string");
    expect(negated.kind).toBe("not");
  });

  it("refuses what is outside the subset, saying why", () => {
    expect(refusal("Age + 1")).toMatch(/um nome \(Age\)/);
    expect(refusal(">= Age")).toMatch(/nome \(Age\)/);
    expect(refusal("18 + 1")).toMatch(/uma conta/);
    expect(refusal("abs(-3)")).toMatch(/chamada de função \(abs/);
    expect(refusal("? > 3")).toMatch(/\?/);
    expect(refusal('"a" or "b"')).toMatch(/"or"/);
    expect(refusal('time("10:00:00")')).toMatch(/time/);
    expect(refusal('duration("P1Y")')).toMatch(/anos e meses/);
    expect(refusal('date and time("2026-04-03T08:30:00@Europe/Paris")')).toMatch(/fusos/);
    expect(refusal('"open')).toMatch(/aspa/);
    expect(refusal("= 5")).toMatch(/operador =/);
    expect(refusal("9007199254740993")).toMatch(/2\^53/);
    expect(refusal('"a", -')).toMatch(/"-"/);
    expect(refusal('"x\\q"')).toMatch(/escape/);
  });

  it("output entries are literals only", () => {
    expect(parseLiteral('"Approved"')).toEqual({ ok: true, value: { kind: "string", value: "Approved" } });
    expect(parseLiteral("98.83")).toEqual({ ok: true, value: { kind: "number", value: 98.83 } });
    expect(parseLiteral("")).toEqual({ ok: true, value: { kind: "null" } });
    const bad = parseLiteral("Age * 2");
    expect(bad.ok).toBe(false);
    expect(parseLiteral(">= 3").ok).toBe(false);
  });

  it("value lists (inputValues, outputValues, allowedValues)", () => {
    const r = parseValueList('"High", "Low", "Medium"');
    expect(r.ok && r.value.map((v) => (v as { value: string }).value)).toEqual(["High", "Low", "Medium"]);
    expect(parseValueList("[0..100]").ok).toBe(false);
  });
});

describe("our cells → FEEL", () => {
  const cases: [unknown, string, string?][] = [
    ["-", "-"],
    ["Medium", '"Medium"', "string"],
    [["Medium", "Low"], '"Medium","Low"', "string"],
    [">= 18", ">=18"],
    ["< 18", "<18"],
    ["[18..65)", "[18..65)"],
    ["(0..1]", "(0..1]"],
    ['not("High")', 'not("High")', "string"],
    ['!= "High"', 'not("High")', "string"],
    ['not("a", "b")', 'not("a","b")', "string"],
    [null, "null"],
    [true, "true", "boolean"],
    [-3, "-3"],
    [">= -3", ">=-3"],
    ["= 2026-04-03", 'date("2026-04-03")', "date"],
    ["= 2026-04-03T08:30:00", 'date and time("2026-04-03T08:30:00")', "date-time"],
    ["<= 1d2h30min", '<=duration("P1DT2H30M")', "duration"],
    ['say "hi"', '"say \\"hi\\""', "string"],
    ['= "-"', '"-"', "string"],
  ];
  for (const [ours, feel, type] of cases)
    it(`${JSON.stringify(ours)} → ${feel}`, () => {
      const test = loadedCell(ours, type ?? "number");
      expect(unaryTestToFeel(test)).toEqual({ ok: true, value: feel });
      // And back: FEEL → our cell → the same test.
      const again = loadedCell(cell(feel), type ?? "number");
      if (test.kind === "compare" && test.operator === "!=")
        expect(stripRanges(again)).toEqual({ kind: "not", test: { ...stripRanges(test), operator: "==" } });
      else expect(stripRanges(again)).toEqual(stripRanges(test));
    });

  it("refuses cells that read other values, call functions or compute", () => {
    const name = unaryTestToFeel(loadedCell(">= outro"));
    expect(name.ok).toBe(false);
    expect(!name.ok && name.message).toMatch(/lê outro valor/);
    const call = unaryTestToFeel(loadedCell("= abs(-3)"));
    expect(!call.ok && call.message).toMatch(/chama uma função \(abs\)/);
    const computed = unaryTestToFeel(loadedCell("= 1 + 2"));
    expect(!computed.ok && computed.message).toMatch(/expressão calculada/);
  });

  it("output literals", () => {
    const e = (loadedCell("= 12.5") as { value: Parameters<typeof exprToFeel>[0] }).value;
    expect(exprToFeel(e)).toEqual({ ok: true, value: "12.5" });
    const big = (loadedCell("= 1e21") as { value: Parameters<typeof exprToFeel>[0] }).value;
    expect(exprToFeel(big)).toEqual({ ok: true, value: "1000000000000000000000" });
  });
});

describe("DMN names → identifiers", () => {
  it("keeps identifiers and maps the rest to lowerCamelCase of letter/digit runs", () => {
    expect(identifierFor("Age")).toBe("Age");
    expect(identifierFor("isAffordable")).toBe("isAffordable");
    expect(identifierFor("Approval Status")).toBe("approvalStatus");
    expect(identifierFor("Approved/Declined")).toBe("approvedDeclined");
    expect(identifierFor("2nd try")).toBe("_2ndTry");
    expect(identifierFor("Situação do Cliente")).toBe("situaçãoDoCliente");
    expect(identifierFor("not")).toBe("not_");
    expect(identifierFor("decision")).toBe("decision_");
    expect(identifierFor("in range")).toBe("inRange");
    expect(identifierFor("???")).toBe("nome");
  });

  it("numbers clashes 2, 3... and prefers a kept identifier when it is free", () => {
    const names = new NameAllocator();
    expect(names.allocate("Approval Status")).toBe("approvalStatus");
    expect(names.allocate("approval status")).toBe("approvalStatus2");
    expect(names.allocate("Approval-Status")).toBe("approvalStatus3");
    expect(names.allocate("Whatever", "kept")).toBe("kept");
    // The preferred identifier is taken: the DMN name's own identifier is used.
    expect(names.allocate("Kept", "kept")).toBe("Kept");
    expect(names.allocate("kept", "kept")).toBe("kept2");
  });

  it("rule-set names are lower case with dashes, distinct in one file", () => {
    expect(ruleSetNameFor("Approval Status")).toBe("approval-status");
    expect(ruleSetNameFor("Situação do Cliente")).toBe("situacao-do-cliente");
    expect(ruleSetNameFor("???")).toBe("decisao");
    const taken = new Set<string>();
    expect(distinctRuleSetName("approval", taken)).toBe("approval");
    expect(distinctRuleSetName("approval", taken)).toBe("approval-2");
  });
});
