/**
 * A rule set imported from a DMN file, as an analyst meets it: the TCK's
 * 0118-multi-priority-hitpolicy decision (hit policy P, two outputs, names with a `/` and a space)
 * is imported with `importDmn`, published through the API like any new rule set, and opened in the
 * editor: no error diagnostics, the hover shows the DMN labels kept from the file, and the grid
 * shows the policy badge and the columns by their DMN label with the identifier in the tooltip.
 * The CRM's decision with the TCK test file's first case gives the TCK's expected output (two rows
 * match: the priority list picks "Approved"), and the simulator decides another TCK case.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { importDmn } from "../../dsl/dmn/import.js";
import { parseTckTestFile, plainOf, type TckTestCase } from "../../tester/dmn-tck.js";
import {
  api,
  byTestId,
  editorText,
  eventually,
  expectNoErrors,
  markers,
  moveCursor,
  OPEN_URL,
  screenshot,
  session,
  waitForSource,
} from "./helpers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CASE = "0118-multi-priority-hitpolicy";
const DIR = join(ROOT, "test/fixtures/dmn-tck/compliance-level-2", CASE);
const imported = importDmn(readFileSync(join(DIR, `${CASE}.dmn`)), { fileName: `${CASE}.dmn` });
const tck = parseTckTestFile(readFileSync(join(DIR, `${CASE}-test-01.xml`)));
/** The one rule set of the file (asserted in the first test). */
const RULESET = imported.ruleSets[0]!;
const NAME = RULESET.name;
const TABLE = RULESET.table;

interface Field {
  readonly label?: string;
  readonly fields?: Record<string, Field>;
}
/** The imported rule set's facts and outputs, for mapping the TCK's names (labels) onto ours. */
const declared = parse(RULESET.yaml) as { facts: Record<string, Field>; outputs: Record<string, Field> };

/** Our name of a fact, output or field whose label or name is the DMN name `dmn`. */
function nameOf(decls: Record<string, Field>, dmn: string): string {
  const found = Object.entries(decls).find(([name, d]) => d.label === dmn || name === dmn);
  if (!found) throw new Error(`nothing named or labelled "${dmn}" in ${Object.keys(decls).join(", ")}`);
  return found[0];
}

/** A TCK case's inputs as the facts of a decision. */
function factsOf(c: TckTestCase): Record<string, unknown> {
  return Object.fromEntries(c.inputs.map((i) => [nameOf(declared.facts, i.name), plainOf(i.value)]));
}

/** A TCK case's expected result node as our output: its name and its record (fields by our names). */
function expectedOf(c: TckTestCase): { output: string; value: Record<string, unknown> } {
  const result = c.results[0]!;
  const output = nameOf(declared.outputs, result.name);
  const fields = declared.outputs[output]!.fields ?? {};
  const expected = plainOf(result.expected) as Record<string, unknown>;
  return {
    output,
    value: Object.fromEntries(Object.entries(expected).map(([k, v]) => [nameOf(fields, k), v])),
  };
}

/** The 1-based line and column of the first occurrence of `needle` on a line that contains `line`. */
function positionIn(source: string, line: string, needle: string): { line: number; column: number } {
  const lines = source.split("\n");
  const i = lines.findIndex((l) => l.includes(line));
  if (i < 0) throw new Error(`line not found: ${line}`);
  return { line: i + 1, column: lines[i]!.indexOf(needle, lines[i]!.indexOf(line)) + 1 };
}

/** Shows Monaco's hover at `line`/`column` (as resting the mouse there would) and returns its text. */
async function hoverText(page: Page, line: number, column: number, expected: string): Promise<string> {
  await moveCursor(page, line, column);
  await page.evaluate(() => (window as any).__regras.editor().trigger("e2e", "editor.action.showHover", {}));
  const hover = page.locator(".monaco-hover:not(.hidden)");
  return eventually(
    async () => ((await hover.count()) > 0 ? ((await hover.first().textContent()) ?? "") : ""),
    (t) => t.includes(expected),
    20_000,
  );
}

/** Opens the published rule set in the editor and waits for its first analysis. */
async function open(page: Page): Promise<void> {
  await page.goto(`${OPEN_URL}/#/${NAME}`);
  await waitForSource(page, NAME);
  await page.waitForFunction(() => (window as any).__regras.session.lastAnalysis !== undefined, undefined, {
    timeout: 30_000,
  });
}

describe("a rule set imported from DMN", () => {
  beforeAll(async () => {
    const res = await api(OPEN_URL, "POST", `/v1/rulesets/${NAME}/versions`, {
      source: RULESET.yaml,
      message: `Importado de ${CASE}.dmn`,
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json.version).toBe(1);
  });

  it("opens in the editor with the DMN labels (hover and grid), no errors, and decides the TCK's first case as expected", async () => {
    expect(imported.diagnostics).toEqual([]);
    expect(imported.ruleSets.map((r) => [r.name, r.decision, r.table])).toEqual([
      ["approval-status", "Approval Status", "approvalStatus"],
    ]);

    const s = await session();
    try {
      await open(s.page);
      const source = await editorText(s.page);
      expect(source).toBe(RULESET.yaml);
      // The analysis is in: no diagnostic of error severity (Monaco's 8), none in the problems list.
      expect((await markers(s.page)).filter((m) => m.severity === 8)).toEqual([]);
      expect(await s.page.locator('[data-testid="problem"].problem-error').count()).toBe(0);

      // Hovering the table's name and its output column shows the names the DMN file gave them.
      const table = positionIn(source, `- name: ${TABLE}`, TABLE);
      const tableHover = await hoverText(s.page, table.line, table.column + 1, 'Rótulo DMN: "Approval Status"');
      expect(tableHover).toContain("priority");
      const column = positionIn(source, "outputs: [approvedDeclined", "approvedDeclined");
      const columnHover = await hoverText(s.page, column.line, column.column + 1, 'Rótulo DMN: "Approved/Declined"');
      expect(columnHover).toContain("Approved > Declined");
      await screenshot(s.page, "dmn-01-hover");

      // The grid: the policy badge, the table and the column titled by their DMN label, the name in the tooltip.
      await byTestId(s.page, "tab-grid").click();
      const grid = s.page.locator(`[data-testid="grid-table"][data-table="${TABLE}"]`);
      await grid.waitFor();
      const section = s.page.locator("section.grid-table-section", { has: grid });
      expect(await section.locator(".badge.hit-policy").textContent()).toMatch(/^priority: /);
      const caption = section.locator(`h3 span[title="${TABLE}"]`);
      expect(await caption.textContent()).toBe("Approval Status");
      const header = grid.locator('thead th[title="approvedDeclined"]');
      expect(await header.count()).toBe(1);
      expect(await header.textContent()).toMatch(/^Approved\/Declined/);
      expect(await header.getAttribute("class")).toContain("col-output");
      // Rate has no label: its name is its title.
      expect(await grid.locator("thead th.col-output").allTextContents()).toEqual([
        "Approved/Declinedsaída",
        "Ratesaída",
      ]);
      expect(await grid.locator('[data-testid="grid-cell"]').count()).toBe(3 * 5);
      await screenshot(s.page, "dmn-02-tabela");
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }

    // The CRM decides the TCK's first case: rows 2 and 3 match; "Approved" comes first in outputValues.
    const first = tck.cases[0]!;
    const expected = expectedOf(first);
    expect(expected.value).toEqual({ approvedDeclined: "Approved", Rate: "Standard" });
    const res = await api(OPEN_URL, "POST", `/v1/decide/${NAME}`, { facts: factsOf(first) });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.version).toBe(1);
    expect(res.json.decision[expected.output]).toEqual(expected.value);
  });

  it("the simulator decides a TCK case with the draft and shows the TCK's expected outputs", async () => {
    const second = tck.cases[1]!;
    const facts = factsOf(second);
    expect(facts).toEqual({ Age: 19, RiskCategory: "Low", isAffordable: true });
    const expected = expectedOf(second);
    expect(expected.value).toEqual({ approvedDeclined: "Approved", Rate: "Basic" });

    const s = await session();
    try {
      await open(s.page);
      await byTestId(s.page, "tab-simulate").click();
      await s.page.locator("#fact-Age").fill(String(facts.Age));
      await s.page.locator("#fact-RiskCategory").selectOption(String(facts.RiskCategory));
      await s.page.locator("#fact-isAffordable").check();
      await byTestId(s.page, "simulate-run").click();
      const result = byTestId(s.page, "simulate-result");
      await expect.poll(() => result.getAttribute("data-ok"), { timeout: 30_000 }).toBe("true");
      // The decision table shows the output as a record: the TCK's expected components.
      const row = result.locator("table.decision tr", { has: s.page.locator(`th:text-is("${expected.output}")`) });
      expect(JSON.parse((await row.locator("td code").textContent()) ?? "")).toEqual(expected.value);
      // The explanation says how the row was chosen.
      expect(await result.textContent()).toContain("(política priority)");
      await result.scrollIntoViewIfNeeded();
      await screenshot(s.page, "dmn-03-simular");
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });
});
