/**
 * "Testar a suíte com mutantes" in the tests panel (issue 11, mutation score for QA), on
 * reclame-duplicidade with a deliberately weak suite draft (its first case only): the button sends
 * the draft to the service, shows "rodando mutantes…" with the button disabled while the service
 * works (the request is held until the page has shown it, so this does not depend on speed), then
 * the score and the survivors; a click on a survivor moves the editor's cursor to its line, where
 * a warning of owner "mutantes" sits; editing the draft clears those warnings (an undo brings them
 * back). Stubbed answers: the suggested case copied to the clipboard, 503 and 429 in Portuguese. A suite that
 * already fails is refused with a pt-BR message; a decide-only token sees the button disabled.
 */
import type { Page, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  AUTH_URL,
  byTestId,
  editorText,
  expectNoErrors,
  OPEN_URL,
  screenshot,
  session,
  TOKENS,
  waitForSource,
} from "./helpers.js";

const NAME = "reclame-duplicidade";
/** The service runs the suite once per mutant: generous under load. */
const MUTANTS_TIMEOUT = 180_000;

/** The suite draft in the page (the shipped suite until changed). */
function suiteOf(page: Page): Promise<string> {
  return page.evaluate(() => (window as any).__regras.session.current().suite as string);
}

function setSuite(page: Page, text: string): Promise<void> {
  return page.evaluate((t) => (window as any).__regras.session.setSuite(t), text);
}

/** The suite with only its first case (its header and defaults kept). */
function firstCaseOnly(suite: string): string {
  const lines = suite.split("\n");
  const starts = lines.flatMap((l, i) => (/^ {2}- name:/.test(l) ? [i] : []));
  expect(starts.length).toBeGreaterThan(1);
  return `${lines.slice(0, starts[1]).join("\n").trimEnd()}\n`;
}

interface MutantMarker {
  readonly line: number;
  readonly severity: number;
  readonly message: string;
}

function mutantMarkers(page: Page): Promise<MutantMarker[]> {
  return page.evaluate(() => {
    const r = (window as any).__regras;
    const model = r.editor().getModel();
    return r.monaco.editor
      .getModelMarkers({ resource: model.uri, owner: "mutantes" })
      .map((m: any) => ({ line: m.startLineNumber, severity: m.severity, message: m.message }));
  });
}

describe("mutants in the tests panel", () => {
  it("measures a weak suite draft: progress, score, survivors linked to the editor and marked there", async () => {
    const s = await session();
    try {
      await s.page.goto(`${OPEN_URL}/#/${NAME}`);
      await waitForSource(s.page, NAME);
      const weak = firstCaseOnly(await suiteOf(s.page));
      await setSuite(s.page, weak);
      await byTestId(s.page, "tab-tests").click();
      await expect
        .poll(() => byTestId(s.page, "tests-summary").getAttribute("data-status"), { timeout: 30_000 })
        .toBe("pass");

      // Hold the service's answer until the page shows that it is working.
      let release: (() => void) | undefined;
      const sent: unknown[] = [];
      await s.page.route("**/v1/rulesets/*/mutants", async (route: Route) => {
        sent.push(route.request().postDataJSON());
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        await route.continue();
      });
      const button = byTestId(s.page, "mutants-run");
      expect(await button.textContent()).toBe("Testar a suíte com mutantes");
      await button.click();
      await byTestId(s.page, "mutants-status").waitFor();
      expect(await byTestId(s.page, "mutants-status").textContent()).toContain("rodando mutantes…");
      expect(await button.isDisabled()).toBe(true);
      await expect.poll(() => release !== undefined).toBe(true);
      // The draft's texts, the ones the test run used.
      expect(sent).toEqual([{ source: await editorText(s.page), tests: weak }]);
      release?.();

      const score = byTestId(s.page, "mutants-score");
      await score.waitFor({ timeout: MUTANTS_TIMEOUT });
      expect(await score.textContent()).toMatch(/^a suíte pegou \d+ de \d+ mudanças? \(\d+(,\d)?%\)/);
      expect(Number(await score.getAttribute("data-score"))).toBeLessThan(100);
      expect(await button.isDisabled()).toBe(false);
      const survivors = byTestId(s.page, "mutant-survivor");
      expect(await survivors.count()).toBeGreaterThan(0);
      const first = survivors.first();
      expect(await first.textContent()).toContain("nenhum teste pegaria esta mudança");
      const line = Number(await first.getAttribute("data-line"));
      expect(line).toBeGreaterThan(0);
      await first.scrollIntoViewIfNeeded();
      await screenshot(s.page, "14-mutantes");

      // A warning of its own owner at the survivor's line.
      const marks = await mutantMarkers(s.page);
      expect(marks.length).toBe(await survivors.count());
      expect(marks).toContainEqual(
        expect.objectContaining({
          line,
          severity: 4,
          message: expect.stringMatching(/^nenhum teste pegaria esta mudança: /),
        }),
      );

      // A click on the survivor moves the editor's cursor to its position.
      await first.locator("button.case-name").click();
      await expect
        .poll(() => s.page.evaluate(() => (window as any).__regras.editor().getSelection().startLineNumber))
        .toBe(line);

      // Editing the draft: the positions no longer hold, the warnings go.
      await s.page.evaluate(() => {
        const editor = (window as any).__regras.editor();
        editor.executeEdits("e2e", [
          { range: { startLineNumber: 1, startColumn: 1, endLineNumber: 1, endColumn: 1 }, text: "# e2e\n" },
        ]);
      });
      await expect.poll(() => mutantMarkers(s.page)).toEqual([]);
      expect(await score.textContent()).toContain("mudou depois desta medição");
      // Undone: the measured text again, the warnings come back.
      await s.page.evaluate(() => (window as any).__regras.editor().trigger("e2e", "undo", null));
      await expect.poll(async () => (await mutantMarkers(s.page)).length).toBe(marks.length);
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });

  it("a suite that already fails is refused with a message in Portuguese", async () => {
    const s = await session();
    try {
      await s.page.goto(`${OPEN_URL}/#/${NAME}`);
      await waitForSource(s.page, NAME);
      const weak = firstCaseOnly(await suiteOf(s.page));
      // The first case's first result now expects RECLAME where the rule set says INTERNO.
      const broken = weak.replace("tipoEntrada: INTERNO", "tipoEntrada: RECLAME");
      expect(broken).not.toBe(weak);
      await setSuite(s.page, broken);
      await byTestId(s.page, "tab-tests").click();
      await expect
        .poll(() => byTestId(s.page, "tests-summary").getAttribute("data-status"), { timeout: 30_000 })
        .toBe("fail");
      await byTestId(s.page, "mutants-run").click();
      const error = byTestId(s.page, "mutants-error");
      await error.waitFor({ timeout: MUTANTS_TIMEOUT });
      expect(await error.textContent()).toMatch(/^A suíte já falha contra o rascunho \(Duplicidade · /);
      expect(await byTestId(s.page, "mutants-score").count()).toBe(0);
      // The refusal is a 422 the page logs; nothing else.
      expectNoErrors(s.errors, [/status of 422/]);
    } finally {
      await s.close();
    }
  });

  it("copies a suggested case; a time limit and a rate limit read in Portuguese (answers stubbed)", async () => {
    const s = await session();
    try {
      await s.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: OPEN_URL });
      await s.page.goto(`${OPEN_URL}/#/${NAME}`);
      await waitForSource(s.page, NAME);
      const source = await editorText(s.page);
      const at = source.indexOf("uniqueBy");
      const line = source.slice(0, at).split("\n").length;
      const yaml = "  - name: 'mutante 1 · uniqueBy'\n    tags: [mutante]\n    expect: { resultados: [] }\n";
      const answers = [
        {
          status: 200,
          body: {
            ruleset: NAME,
            score: 75,
            total: 4,
            killed: 3,
            survived: 1,
            invalid: 0,
            equivalent: 0,
            capped: 0,
            survivors: [
              {
                id: 1,
                operator: "constant",
                range: { start: at, end: at + "uniqueBy".length },
                line,
                column: 7,
                description: "uniqueBy removido",
                message: "nenhum teste pegaria esta mudança: uniqueBy removido",
                suggestedCase: { name: "mutante 1 · uniqueBy", facts: {}, expect: {}, yaml },
              },
            ],
          },
        },
        { status: 503, body: { error: { code: "AUTHORING_TIMEOUT", message: "tempo esgotado" } } },
        { status: 429, body: { error: { code: "RATE_LIMITED", message: "limite" } } },
      ];
      await s.page.route("**/v1/rulesets/*/mutants", (route: Route) => {
        const next = answers.shift() ?? { status: 500, body: {} };
        return route.fulfill({ status: next.status, contentType: "application/json", body: JSON.stringify(next.body) });
      });
      await byTestId(s.page, "tab-tests").click();
      const button = byTestId(s.page, "mutants-run");
      await button.click();
      await expect
        .poll(() => byTestId(s.page, "mutants-score").textContent())
        .toBe("a suíte pegou 3 de 4 mudanças (75%)");
      expect(await byTestId(s.page, "mutant-case").textContent()).toBe(yaml);
      expect(await mutantMarkers(s.page)).toEqual([
        { line, severity: 4, message: "nenhum teste pegaria esta mudança: uniqueBy removido" },
      ]);
      await byTestId(s.page, "mutant-copy").click();
      await expect.poll(() => s.page.evaluate(() => navigator.clipboard.readText())).toBe(yaml);

      await button.click();
      await expect
        .poll(() => byTestId(s.page, "mutants-error").textContent())
        .toMatch(/^Os mutantes passaram do tempo que o serviço dá a uma verificação/);
      // A new run clears the previous warnings.
      expect(await mutantMarkers(s.page)).toEqual([]);
      await button.click();
      await expect
        .poll(() => byTestId(s.page, "mutants-error").textContent())
        .toBe("Muitas verificações seguidas no serviço: aguarde um minuto e rode os mutantes de novo.");
      expectNoErrors(s.errors, [/status of (503|429)/]);
    } finally {
      await s.close();
    }
  });

  it("a decide-only token sees the button disabled, with the reason", async () => {
    const s = await session();
    try {
      await s.page.goto(`${AUTH_URL}/`);
      const input = byTestId(s.page, "token-input");
      await input.waitFor();
      await input.fill(TOKENS.decide);
      await byTestId(s.page, "sign-in").click();
      await byTestId(s.page, "ruleset-list").waitFor();
      // The service with tokens is seeded with retencao only.
      await s.page.locator('[data-testid="ruleset-item"][data-name="retencao"] button').first().click();
      await waitForSource(s.page, "retencao");
      await byTestId(s.page, "tab-tests").click();
      const button = byTestId(s.page, "mutants-run");
      await button.waitFor();
      expect(await button.isDisabled()).toBe(true);
      expect(await byTestId(s.page, "mutants-reason").textContent()).toContain("papel author ou publisher");
      expectNoErrors(s.errors, [
        /^console: Failed to load resource: the server responded with a status of 4\d\d .*\/v1\//,
      ]);
    } finally {
      await s.close();
    }
  });
});
