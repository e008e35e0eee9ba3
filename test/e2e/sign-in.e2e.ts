/**
 * Sign-in on a service with tokens configured: the editor asks for a token before anything else;
 * a wrong one is refused with a message; a decide-only token reads the rule sets but cannot publish
 * or roll back (the reason is shown); a publisher token may publish. The token is kept for the
 * browser session only (sessionStorage, never localStorage).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  AUTH_URL,
  byTestId,
  editorText,
  expectNoErrors,
  screenshot,
  session,
  setEditorText,
  TOKENS,
  waitForSource,
} from "./helpers.js";

const NAME = "retencao";

/**
 * Refused API calls are expected console noise here (the first call before the token, the probes
 * of what the token may do); script errors are not.
 */
const REFUSED_CALLS = [/^console: Failed to load resource: the server responded with a status of 4\d\d .*\/v1\//];

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${AUTH_URL}/`);
  const input = byTestId(page, "token-input");
  await input.waitFor();
  await input.fill(token);
  await byTestId(page, "sign-in").click();
}

describe("sign-in", () => {
  it("asks for a token and refuses a wrong one", async () => {
    const s = await session();
    try {
      await s.page.goto(`${AUTH_URL}/`);
      await byTestId(s.page, "token-input").waitFor();
      expect(await byTestId(s.page, "ruleset-list").count()).toBe(0);
      await screenshot(s.page, "11-entrar");
      await signIn(s.page, `${TOKENS.decide}x`);
      await s.page.getByRole("alert").filter({ hasText: /token/i }).first().waitFor();
      await byTestId(s.page, "token-input").waitFor();
      expect(await byTestId(s.page, "ruleset-list").count()).toBe(0);
    } finally {
      await s.close();
    }
  });

  it("a decide-only token reads the rule sets but cannot publish or roll back", async () => {
    const s = await session();
    try {
      await signIn(s.page, TOKENS.decide);
      await byTestId(s.page, "ruleset-list").waitFor();
      await s.page.locator(`[data-testid="ruleset-item"][data-name="${NAME}"] button`).first().click();
      await waitForSource(s.page, NAME);
      const original = await editorText(s.page);
      await setEditorText(s.page, `# alteração que este token não pode publicar\n${original}`);

      await byTestId(s.page, "tab-publish").click();
      const button = byTestId(s.page, "publish-button");
      if ((await button.count()) > 0) expect(await button.isDisabled()).toBe(true);
      await expect.poll(() => byTestId(s.page, "publish-reason").textContent()).toMatch(/token|papel|permiss/i);
      await screenshot(s.page, "12-token-sem-publicar");

      await byTestId(s.page, "tab-history").click();
      await s.page.locator('[data-testid="version-item"][data-version="1"]').waitFor();
      for (const b of await byTestId(s.page, "rollback-button").all()) expect(await b.isDisabled()).toBe(true);

      // The token lives in sessionStorage only.
      const stored = await s.page.evaluate(() => ({
        local: JSON.stringify({ ...localStorage }),
        session: JSON.stringify({ ...sessionStorage }),
      }));
      expect(stored.local).not.toContain(TOKENS.decide);
      expect(stored.session).toContain(TOKENS.decide);
      expectNoErrors(s.errors, REFUSED_CALLS);
    } finally {
      await s.close();
    }
  });

  it("a publisher token may publish a changed draft", async () => {
    const s = await session();
    try {
      await signIn(s.page, TOKENS.publisher);
      await byTestId(s.page, "ruleset-list").waitFor();
      await s.page.locator(`[data-testid="ruleset-item"][data-name="${NAME}"] button`).first().click();
      await waitForSource(s.page, NAME);
      const original = await editorText(s.page);
      await setEditorText(s.page, `# alteração publicável\n${original}`);
      await byTestId(s.page, "tab-publish").click();
      await expect.poll(() => byTestId(s.page, "publish-button").isEnabled(), { timeout: 30_000 }).toBe(true);
      expectNoErrors(s.errors, REFUSED_CALLS);
    } finally {
      await s.close();
    }
  });
});
