/**
 * Publishing from the editor and rolling back: a changed draft of protocolo-status is published
 * with a message (the suite passes in the browser first), the CRM's next `POST /v1/decide/...`
 * answers with the new version, the history lists it with its message, and rolling back to
 * version 1 makes a version 3 with the original source, which the next decision uses.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  api,
  byTestId,
  editorText,
  expectNoErrors,
  OPEN_URL,
  screenshot,
  session,
  setEditorText,
  waitForSource,
} from "./helpers.js";

const NAME = "protocolo-status";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Facts of a valid decision: the suite's defaults. */
const FACTS = (parse(readFileSync(join(ROOT, `rules/${NAME}.test.yaml`), "utf8")) as { defaults: { facts: unknown } })
  .defaults.facts;
const BEFORE = "  Decide se um protocolo pode passar";
const AFTER = "  Decide (revisado no editor) se um protocolo pode passar";
const MESSAGE = "Descrição revisada pelo teste de ponta a ponta";

async function decidedVersion(): Promise<number> {
  const res = await api(OPEN_URL, "POST", `/v1/decide/${NAME}`, { facts: FACTS });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.version as number;
}

describe("publish and roll back", () => {
  it("publishes a draft: the next decision answers with the new version; rolling back makes the old source active again", async () => {
    expect(await decidedVersion()).toBe(1);
    const s = await session();
    try {
      await s.page.goto(`${OPEN_URL}/#/${NAME}`);
      await waitForSource(s.page, NAME);
      const original = await editorText(s.page);
      expect(original).toContain(BEFORE);
      await setEditorText(s.page, original.replace(BEFORE, AFTER));

      await byTestId(s.page, "tab-publish").click();
      const button = byTestId(s.page, "publish-button");
      await button.waitFor();
      // Enabled once the draft's suite has passed in the browser.
      await expect.poll(() => button.isEnabled(), { timeout: 30_000 }).toBe(true);
      await byTestId(s.page, "publish-message").fill(MESSAGE);
      await screenshot(s.page, "08-publicar");
      await button.click();

      await expect.poll(() => decidedVersion(), { timeout: 20_000 }).toBe(2);
      const detail = await api(OPEN_URL, "GET", `/v1/rulesets/${NAME}`);
      expect(detail.json.version).toBe(2);
      expect(detail.json.source).toContain(AFTER);
      // The draft is now the active version: nothing left to publish.
      await expect.poll(() => byTestId(s.page, "draft-status").getAttribute("data-state")).toBe("clean");

      await byTestId(s.page, "tab-history").click();
      const v2 = s.page.locator('[data-testid="version-item"][data-version="2"]');
      await v2.waitFor();
      expect(await v2.textContent()).toContain(MESSAGE);
      await screenshot(s.page, "09-historico");

      await s.page.locator('[data-testid="version-item"][data-version="1"] [data-testid="rollback-button"]').click();
      await expect.poll(() => decidedVersion(), { timeout: 20_000 }).toBe(3);
      const after = await api(OPEN_URL, "GET", `/v1/rulesets/${NAME}`);
      expect(after.json.version).toBe(3);
      expect(after.json.source).toBe(original);
      await s.page.locator('[data-testid="version-item"][data-version="3"]').waitFor();
      // The history shows each version's state over the vigência timeline: the roll back is in force.
      await expect
        .poll(() => s.page.locator('[data-testid="version-item"][data-version="3"]').getAttribute("data-state"))
        .toBe("em vigor");
      expect(
        await s.page
          .locator('[data-testid="version-item"][data-version="2"] [data-testid="version-state"]')
          .textContent(),
      ).toBe("encerrada");
      await byTestId(s.page, "timeline").waitFor();
      // The editor shows the active source again.
      await expect.poll(() => editorText(s.page)).toBe(original);
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });
});
