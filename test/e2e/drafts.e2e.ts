/**
 * Never lose work: an unpublished edit is autosaved in the browser; reloading the page (the
 * browser asks first) brings the draft back, marked as not published, and the list shows it.
 */
import { describe, expect, it } from "vitest";
import {
  byTestId,
  editorText,
  expectNoErrors,
  OPEN_URL,
  openEditor,
  screenshot,
  session,
  setEditorText,
  waitForSource,
} from "./helpers.js";

const NAME = "reclame-duplicidade";
const MARK = "# rascunho do teste de ponta a ponta: não publicado\n";

describe("drafts", () => {
  it("an unsaved draft survives a reload", async () => {
    const s = await session();
    try {
      await s.page.goto(`${OPEN_URL}/#/${NAME}`);
      await waitForSource(s.page, NAME);
      const original = await editorText(s.page);
      await setEditorText(s.page, MARK + original);
      const status = byTestId(s.page, "draft-status");
      await expect.poll(() => status.getAttribute("data-state")).toBe("saved");

      // Leaving with unpublished changes asks first; the test accepts.
      const dialogs: string[] = [];
      s.page.on("dialog", (d) => {
        dialogs.push(d.type());
        void d.accept();
      });
      await s.page.reload();
      await waitForSource(s.page, NAME);
      await expect.poll(() => editorText(s.page)).toBe(MARK + original);
      expect(await status.getAttribute("data-state")).not.toBe("clean");
      expect(await status.textContent()).toMatch(/não publicad/i);
      await screenshot(s.page, "10-rascunho-recuperado");

      // The list marks the rule set as having a draft.
      await openEditor(s.page);
      const item = s.page.locator(`[data-testid="ruleset-item"][data-name="${NAME}"]`);
      await expect.poll(() => item.textContent()).toMatch(/rascunho/i);
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });
});
