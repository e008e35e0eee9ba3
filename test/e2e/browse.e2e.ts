/**
 * The first screens: the editor page loads on loopback without console errors, lists the shipped
 * rule sets, and opens one in Monaco with its source, its tabs and no problems.
 */
import { describe, expect, it } from "vitest";
import {
  byTestId,
  editorText,
  expectNoErrors,
  markers,
  OPEN_URL,
  openEditor,
  openRuleSet,
  recordTiming,
  SHIPPED,
  screenshot,
  session,
} from "./helpers.js";

describe("browse", () => {
  it("the page loads without console errors and lists the five shipped rule sets", async () => {
    const s = await session();
    try {
      const started = Date.now();
      await openEditor(s.page);
      recordTiming(
        "first load of the editor until the rule-set list shows (cold browser context)",
        Date.now() - started,
      );
      const items = byTestId(s.page, "ruleset-item");
      await expect.poll(() => items.count()).toBeGreaterThanOrEqual(SHIPPED.length);
      const names = await items.evaluateAll((els) => els.map((e) => e.getAttribute("data-name")));
      expect(names).toEqual(expect.arrayContaining([...SHIPPED]));
      expect(await byTestId(s.page, "new-ruleset").count()).toBeGreaterThan(0);
      await screenshot(s.page, "01-conjuntos-de-regras");
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });

  it("opens a rule set: its source in the editor, the tabs, no errors", async () => {
    const s = await session();
    try {
      await openEditor(s.page);
      await openRuleSet(s.page, "reclame-designacao");
      expect(await editorText(s.page)).toContain("tables:\n  - name: designacaoPorServico");
      for (const tab of ["editor", "grid", "simulate", "tests", "publish", "history"])
        await byTestId(s.page, `tab-${tab}`).waitFor();
      await byTestId(s.page, "problems").waitFor({ state: "attached" });
      expect((await markers(s.page)).filter((m) => m.severity === 8)).toEqual([]);
      await screenshot(s.page, "02-editor");
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });

  it("when the service cannot be reached, a readable message instead of a blank page", async () => {
    const s = await session();
    try {
      // The page loads; every API call then fails as if the network were down.
      await s.context.route("**/v1/**", (route) => route.abort("connectionrefused"));
      await s.page.goto(`${OPEN_URL}/`);
      const banner = byTestId(s.page, "error-banner").first();
      await banner.waitFor();
      expect(await banner.textContent()).toMatch(/servi[çc]o|conex|rede/i);
      await screenshot(s.page, "13-servico-fora");
      expectNoErrors(s.errors, [/^console: Failed to load resource: net::ERR_CONNECTION_REFUSED/]);
    } finally {
      await s.close();
    }
  });
});
