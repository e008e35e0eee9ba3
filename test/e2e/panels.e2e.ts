/**
 * The panels of an open rule set (reclame-designacao): a cell changed in the table grid rewrites
 * exactly that row of the YAML; a simulation shows the decision and highlights what decided, in the
 * editor and in the grid, and one click saves it as a test case that passes; the draft's suite runs
 * in the browser, every case passing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { byTestId, editorText, expectNoErrors, OPEN_URL, screenshot, session, waitForSource } from "./helpers.js";

const NAME = "reclame-designacao";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CASES = (parse(readFileSync(join(ROOT, `rules/${NAME}.test.yaml`), "utf8")) as { cases: unknown[] }).cases.length;
const TABLE = "designacaoPorServico";
/** Row 5 (0-based) of the table and row 8, as written in the rule set. */
const FINANCEIRO =
  "      - { tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Financeiro – Parcelas não descontadas, designacao: CEPES }";
const REEMBOLSO =
  "      - { tipoAtendimento: Reclamação, tipoCliente: Beneficiário, servico: Reembolso, designacao: GIPES }";

async function open(page: Page): Promise<string> {
  await page.goto(`${OPEN_URL}/#/${NAME}`);
  await waitForSource(page, NAME);
  return editorText(page);
}

function cell(page: Page, row: number, col: string) {
  return page.locator(
    `[data-testid="grid-table"][data-table="${TABLE}"] [data-testid="grid-cell"][data-row="${row}"][data-col="${col}"]`,
  );
}

/** 1-based lines of the editor's decorations of class `className`. */
function decoratedLines(page: Page, className: string): Promise<number[]> {
  return page.evaluate((c) => {
    const model = (window as any).__regras.editor().getModel();
    const lines = new Set<number>();
    for (const d of model.getAllDecorations()) {
      if (d.options.className === c || d.options.inlineClassName === c)
        for (let l = d.range.startLineNumber; l <= d.range.endLineNumber; l++) lines.add(l);
    }
    return [...lines].sort((a, b) => a - b);
  }, className);
}

describe("panels", () => {
  it("changing a cell in the grid rewrites that row of the YAML and nothing else", async () => {
    const s = await session();
    try {
      const original = await open(s.page);
      expect(original).toContain(FINANCEIRO);
      await byTestId(s.page, "tab-grid").click();
      const target = cell(s.page, 5, "designacao");
      await target.waitFor();
      expect(await target.inputValue()).toBe("CEPES");
      await target.fill("GIPES");
      await target.press("Enter");
      await expect
        .poll(() => editorText(s.page))
        .toBe(original.replace(FINANCEIRO, FINANCEIRO.replace("designacao: CEPES", "designacao: GIPES")));
      expect(await cell(s.page, 5, "designacao").inputValue()).toBe("GIPES");
      await screenshot(s.page, "05-tabela");
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });

  it("a simulation shows the decision, highlights the table row that decided (editor and grid) and is saved as a passing test case", async () => {
    const s = await session();
    try {
      const source = await open(s.page);
      await byTestId(s.page, "tab-simulate").click();
      await s.page.locator("#fact-tipoAtendimento").fill("Reclamação");
      await s.page.locator("#fact-tipoCliente").selectOption("Beneficiário");
      await s.page.locator("#fact-servico").fill("Reembolso");
      await s.page.locator("#fact-entradaEm").fill("2026-03-02T09:30:00");
      await byTestId(s.page, "simulate-run").click();
      const result = byTestId(s.page, "simulate-result");
      await expect.poll(() => result.getAttribute("data-ok")).toBe("true");
      const text = (await result.textContent()) ?? "";
      expect(text).toContain("DESIGNAR");
      expect(text).toContain("GIPES");
      expect(text).toContain("designar pela tabela");

      // The editor highlights the row of the table that decided (and the rule).
      const rowLine = source.split("\n").indexOf(REEMBOLSO) + 1;
      const ruleLine = source.split("\n").indexOf("  - name: designar pela tabela") + 1;
      expect(rowLine).toBeGreaterThan(0);
      const lines = await decoratedLines(s.page, "hl-decided");
      expect(lines).toContain(rowLine);
      expect(lines).toContain(ruleLine);
      // For the screenshot: the decided row in view, and the result.
      await s.page.evaluate((l) => (window as any).__regras.editor().revealLineInCenter(l), rowLine);
      await result.scrollIntoViewIfNeeded();
      await screenshot(s.page, "06-simular");

      // The grid marks that row as the one that decided, and only that one.
      await byTestId(s.page, "tab-grid").click();
      await cell(s.page, 8, "designacao").waitFor();
      expect(await cell(s.page, 8, "servico").getAttribute("class")).toMatch(/\bdecided\b/);
      const decidedRows = await s.page
        .locator(`[data-testid="grid-table"][data-table="${TABLE}"] [data-testid="grid-cell"].decided`)
        .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute("data-row")))]);
      expect(decidedRows).toEqual(["8"]);
      await screenshot(s.page, "06-tabela-decidiu");

      // One click saves the simulation as a test case of the draft's suite, and it passes.
      await byTestId(s.page, "tab-simulate").click();
      await byTestId(s.page, "save-as-case").click();
      await byTestId(s.page, "tab-tests").click();
      await byTestId(s.page, "tests-run").click();
      const summary = byTestId(s.page, "tests-summary");
      await expect.poll(() => byTestId(s.page, "test-case").count(), { timeout: 30_000 }).toBe(CASES + 1);
      expect(await summary.getAttribute("data-status")).toBe("pass");
      expect(await s.page.locator('[data-testid="test-case"][data-status="fail"]').count()).toBe(0);
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });

  it("runs the draft's suite: every case passes", async () => {
    const s = await session();
    try {
      await open(s.page);
      await byTestId(s.page, "tab-tests").click();
      await byTestId(s.page, "tests-run").click();
      const summary = byTestId(s.page, "tests-summary");
      await expect.poll(() => summary.getAttribute("data-status"), { timeout: 30_000 }).toBe("pass");
      expect(await byTestId(s.page, "test-case").count()).toBe(CASES);
      expect(await s.page.locator('[data-testid="test-case"][data-status="fail"]').count()).toBe(0);
      expect(await summary.textContent()).toContain(String(CASES));
      await screenshot(s.page, "07-testes");
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });
});
