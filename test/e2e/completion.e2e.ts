/**
 * Completion: typing `tipoCliente == "` in an expression offers the fact's enum values; accepting
 * one writes it (with its closing quote) and leaves no error.
 */
import { describe, expect, it } from "vitest";
import {
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

const NAME = "reclame-designacao";
const LINE_TEXT = "    when: not protocoloValidado";

describe("completion", () => {
  it('completion offers the enum values after tipoCliente == " and accepting one writes it', async () => {
    const s = await session();
    try {
      await s.page.goto(`${OPEN_URL}/#/${NAME}`);
      await waitForSource(s.page, NAME);
      const line = (await editorText(s.page)).split("\n").indexOf(LINE_TEXT) + 1;
      expect(line).toBeGreaterThan(0);
      await moveCursor(s.page, line, LINE_TEXT.length + 1);
      await s.page.keyboard.type(' and tipoCliente == "');
      const widget = s.page.locator(".suggest-widget.visible");
      // The quote may trigger the suggestions; otherwise ask for them.
      if (!(await widget.isVisible())) {
        await s.page.waitForTimeout(500);
        if (!(await widget.isVisible())) await s.page.keyboard.press("Control+Space");
      }
      await widget.waitFor();
      const rows = widget.locator(".monaco-list-row");
      await expect.poll(async () => (await rows.allInnerTexts()).join("\n")).toMatch(/Credenciado/);
      expect((await rows.allInnerTexts()).join("\n")).toMatch(/Beneficiário/);
      await screenshot(s.page, "04-completar");
      await s.page.keyboard.type("Cre");
      await expect.poll(async () => (await rows.allInnerTexts())[0] ?? "").toMatch(/Credenciado/);
      await s.page.keyboard.press("Enter");
      const text = (await editorText(s.page)).split("\n")[line - 1]!;
      expect(text).toBe(`${LINE_TEXT} and tipoCliente == "Credenciado"`);
      await eventually(
        () => markers(s.page),
        (ms) => ms.every((m) => m.severity !== 8),
      );
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });
});
