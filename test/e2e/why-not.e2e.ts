/**
 * "Por que não…?" in the simulator (reclame-designacao): after a simulation, asking why not
 * designacao = CEPES lists the CEPES row of the table with its blocking cell and the value it saw,
 * suggests the change of `servico` that gives CEPES, and a click on the cell shows it in the editor.
 */
import { describe, expect, it } from "vitest";
import { byTestId, editorText, expectNoErrors, OPEN_URL, screenshot, session, waitForSource } from "./helpers.js";

const NAME = "reclame-designacao";

describe("why not? in the simulator", () => {
  it("lists the blocking cell of the CEPES row, suggests the change, and reveals the cell in the editor", async () => {
    const s = await session();
    try {
      await s.page.goto(`${OPEN_URL}/#/${NAME}`);
      await waitForSource(s.page, NAME);
      const source = await editorText(s.page);
      await byTestId(s.page, "tab-simulate").click();
      await s.page.locator("#fact-tipoAtendimento").fill("Reclamação");
      await s.page.locator("#fact-tipoCliente").selectOption("Beneficiário");
      await s.page.locator("#fact-servico").fill("Reembolso");
      await s.page.locator("#fact-entradaEm").fill("2026-03-02T09:30:00");
      await byTestId(s.page, "simulate-run").click();
      const result = byTestId(s.page, "simulate-result");
      await expect.poll(() => result.getAttribute("data-ok")).toBe("true");

      await byTestId(s.page, "why-not-output").selectOption("designacao");
      // The declared values are offered: GIPES, CEPES, 2_NIVEL_CAIXA and null.
      const offered = await byTestId(s.page, "why-not-value")
        .locator("option")
        .evaluateAll((els) => els.map((e) => e.textContent));
      expect(offered).toEqual(["GIPES", "CEPES", "2_NIVEL_CAIXA", "null (vazio)"]);
      await byTestId(s.page, "why-not-value").selectOption({ label: "CEPES" });
      await byTestId(s.page, "why-not-run").click();
      const answer = byTestId(s.page, "why-not-answer");
      await answer.waitFor();
      const text = (await answer.textContent()) ?? "";
      expect(text).toContain("Por que não designacao = CEPES? A decisão dá designacao = GIPES.");
      expect(text).toContain("tabela designacaoPorServico, linha 6");
      expect(text).toContain("servico: Financeiro – Parcelas não descontadas — falsa com servico = Reembolso");
      expect(await byTestId(s.page, "why-not-suggestion").textContent()).toContain(
        'servico: "Reembolso" → "Financeiro – Parcelas não descontadas"',
      );
      await answer.scrollIntoViewIfNeeded();
      await screenshot(s.page, "08-por-que-nao");

      // A click on the blocking cell selects it in the editor.
      await answer.getByRole("button", { name: "servico: Financeiro – Parcelas não descontadas" }).click();
      const selected = await s.page.evaluate(() => {
        const editor = (window as any).__regras.editor();
        return editor.getModel().getValueInRange(editor.getSelection());
      });
      expect(selected).toBe("Financeiro – Parcelas não descontadas");
      expect(source).toContain(selected);
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });
});
