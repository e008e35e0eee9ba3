/**
 * The decision log in the editor (issue 13), on reclame-designacao with the service's own log
 * (global-setup starts the open service with DECISION_LOG on by default, files under its temp
 * DATA_DIR): decisions taken through the API like the CRM's are listed under "Decisões registradas"
 * in the tests panel, and "Virar caso de teste" appends the newest one to the draft suite with the
 * logged decision as its expectation, which the tests panel runs green; in the publish view,
 * "Simular com decisões reais" on a draft that sends the Beneficiário `Reembolso` row of
 * `designacaoPorServico` to CEPES says how many logged decisions would change from GIPES to CEPES
 * (counted from the log itself, since other test files decide on the same service) and links the
 * responsible row, whose link moves the editor to that row's line.
 *
 * The log flushes in the background: the tests poll `GET /v1/decisions` until the decisions they
 * took are there (no sleeps, no speed assumed).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  api,
  byTestId,
  editorText,
  eventually,
  expectNoErrors,
  OPEN_URL,
  screenshot,
  session,
  setEditorText,
  waitForSource,
} from "./helpers.js";
import { formatInstant, shortDecisionId } from "../../tester/decision-labels.js";

const NAME = "reclame-designacao";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The suite's default facts (número, tipo de atendimento, entrada). */
const DEFAULTS = (
  parse(readFileSync(join(ROOT, `rules/${NAME}.test.yaml`), "utf8")) as { defaults: { facts: Record<string, unknown> } }
).defaults.facts;
/** The table row the replay test changes, as the shipped source writes it. */
const ROW_BEFORE = "tipoCliente: Beneficiário, servico: Reembolso, designacao: GIPES }";
const ROW_AFTER = "tipoCliente: Beneficiário, servico: Reembolso, designacao: CEPES }";

interface LoggedRecord {
  readonly id: string;
  readonly at: string;
  readonly ruleset: string;
  readonly facts: Record<string, unknown>;
  readonly decision: Record<string, unknown>;
}

/** Decides `facts` (over the suite's defaults) through the API, as the CRM does; the decision id. */
async function decide(facts: Record<string, unknown>): Promise<string> {
  const res = await api(OPEN_URL, "POST", `/v1/decide/${NAME}`, { facts: { ...DEFAULTS, ...facts } });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  expect(typeof res.json.decisionId).toBe("string");
  return res.json.decisionId as string;
}

/** Every logged decision of the rule set (all pages, newest first). */
async function logged(): Promise<LoggedRecord[]> {
  const out: LoggedRecord[] = [];
  let cursor: string | undefined;
  do {
    const query = `ruleset=${NAME}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res = await api(OPEN_URL, "GET", `/v1/decisions?${query}`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    out.push(...(res.json.items as LoggedRecord[]));
    cursor = res.json.next as string | undefined;
  } while (cursor);
  return out;
}

/** Waits (generously) until the log holds every one of `ids`; the whole log then. */
function loggedWith(ids: readonly string[]): Promise<LoggedRecord[]> {
  return eventually(logged, (records) => ids.every((id) => records.some((r) => r.id === id)), 30_000);
}

/** The short id the editor shows (the random end of the UUIDv7). */
const shortId = shortDecisionId;
/** "02/12/2026 00:19" in São Paulo time, as the editor lists a decision. */
const shownTime = formatInstant;

/** The suite draft in the page. */
function suiteOf(page: Page): Promise<string> {
  return page.evaluate(() => (window as any).__regras.session.current().suite as string);
}

async function openDesignacao(page: Page): Promise<void> {
  await page.goto(`${OPEN_URL}/#/${NAME}`);
  await waitForSource(page, NAME);
}

describe("the decision log in the editor", () => {
  it("lists the latest logged decisions and turns one into a test case that passes", async () => {
    await decide({ numero: "2026990001", tipoCliente: "Beneficiário", servico: "Autorização Prévia" });
    await decide({
      numero: "2026990002",
      tipoCliente: "Beneficiário",
      servico: "Financeiro – Parcelas não descontadas",
    });
    const newest = await decide({ numero: "2026990003", tipoCliente: "Credenciado", servico: "Autorização Prévia" });
    const record = (await loggedWith([newest])).find((r) => r.id === newest)!;
    expect(record.decision.designacao).toBe("GIPES");

    const s = await session();
    try {
      await openDesignacao(s.page);
      await byTestId(s.page, "tab-tests").click();
      const summary = byTestId(s.page, "tests-summary");
      await expect.poll(() => summary.getAttribute("data-status"), { timeout: 30_000 }).toBe("pass");
      const casesBefore = await byTestId(s.page, "test-case").count();
      expect(casesBefore).toBeGreaterThan(1);

      const section = byTestId(s.page, "decisions");
      await section.getByRole("heading", { name: "Decisões registradas" }).waitFor();
      const load = byTestId(section, "decisions-load");
      expect(await load.textContent()).toBe("Ver as últimas decisões");
      await load.click();

      // The newest decision is listed first, with its short id, its time and its key outputs.
      const rows = byTestId(section, "decision-row");
      await rows.first().waitFor();
      expect(await rows.first().getAttribute("title")).toBe(newest);
      const row = section.locator(`[data-testid="decision-row"][title="${newest}"]`);
      const text = (await row.textContent()) ?? "";
      expect(text).toContain(shortId(newest));
      expect(text).toContain(shownTime(record.at));
      expect(text).toContain("v1");
      expect(text).toContain("designacao: GIPES");
      expect(await load.textContent()).toBe("Atualizar");
      await row.scrollIntoViewIfNeeded();
      await screenshot(s.page, "20-decisoes-registradas");

      await row.getByRole("button", { name: "Virar caso de teste" }).click();

      // The draft suite gains a case named after the decision, expecting what was logged.
      const caseName = `Decisão ${shortId(newest)} · `;
      const suite = await eventually(
        () => suiteOf(s.page),
        (t) => t.includes(caseName),
        30_000,
      );
      const parsed = parse(suite) as {
        defaults?: { facts?: Record<string, unknown> };
        cases: { name: string; facts?: Record<string, unknown>; expect: unknown; tags?: string[] }[];
      };
      const cases = parsed.cases;
      const promoted = cases.filter((c) => c.name.startsWith(caseName));
      expect(promoted).toHaveLength(1);
      expect(promoted[0]!.expect).toEqual(record.decision);
      // Facts equal to the suite's defaults are left to them: together they are the logged facts.
      expect({ ...parsed.defaults?.facts, ...promoted[0]!.facts }).toEqual(record.facts);
      expect(promoted[0]!.tags).toContain("producao");
      expect(promoted[0]!.tags ?? []).not.toContain("revisar");
      expect(await byTestId(section, "decisions-warning").count()).toBe(0);

      // The tests panel runs the suite again: the new case is there and everything passes.
      const item = byTestId(s.page, "test-case").filter({ hasText: caseName });
      await expect.poll(() => item.getAttribute("data-status"), { timeout: 30_000 }).toBe("pass");
      await expect.poll(() => byTestId(s.page, "test-case").count(), { timeout: 30_000 }).toBe(casesBefore + 1);
      await expect.poll(() => summary.getAttribute("data-status"), { timeout: 30_000 }).toBe("pass");
      expect(await summary.textContent()).toContain(`Os ${casesBefore + 1} casos passaram`);
      await item.scrollIntoViewIfNeeded();
      await screenshot(s.page, "21-decisao-virou-caso");
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });

  it("simulates a changed table row against the logged decisions and links the responsible row", async () => {
    const ids = [
      await decide({ numero: "2026990011", tipoCliente: "Beneficiário", servico: "Reembolso" }),
      await decide({ numero: "2026990012", tipoCliente: "Beneficiário", servico: "Reembolso" }),
      await decide({ numero: "2026990013", tipoCliente: "Beneficiário", servico: "Reembolso" }),
      await decide({ numero: "2026990014", tipoCliente: "Beneficiário", servico: "Autorização Prévia" }),
    ];
    const records = await loggedWith(ids);
    // Other test files decide on the same service: the expected count comes from the log itself.
    const reembolso = records.filter(
      (r) =>
        r.facts.tipoAtendimento === "Reclamação" &&
        r.facts.tipoCliente === "Beneficiário" &&
        r.facts.servico === "Reembolso" &&
        r.decision.designacao === "GIPES",
    );
    expect(reembolso.length).toBeGreaterThanOrEqual(3);
    const expectedLine = `${reembolso.length} decisões mudariam designacao de GIPES para CEPES`;

    const s = await session();
    try {
      await openDesignacao(s.page);
      const original = await editorText(s.page);
      expect(original.split(ROW_BEFORE)).toHaveLength(2);
      const draft = original.replace(ROW_BEFORE, ROW_AFTER);
      const rowLine = draft.slice(0, draft.indexOf(ROW_AFTER)).split("\n").length;
      await setEditorText(s.page, draft);

      await byTestId(s.page, "tab-publish").click();
      const button = byTestId(s.page, "replay-button");
      await button.waitFor();
      expect(await button.textContent()).toBe("Simular com decisões reais");
      await button.click();

      const result = byTestId(s.page, "replay-result");
      await result.waitFor({ timeout: 60_000 });
      const lines = await result.locator(".replay-lines > li").allTextContents();
      expect(lines).toContain(expectedLine);
      const unchanged = records.length - reembolso.length;
      expect(lines[0]).toBe(
        `${unchanged} de ${records.length} decisões não ${unchanged === 1 ? "mudaria" : "mudariam"}`,
      );

      // The group of that change names the row as changed in the draft, linked to its line.
      const group = result.locator("details").filter({ has: s.page.locator("summary", { hasText: expectedLine }) });
      expect(await group.count()).toBe(1);
      if ((await group.getAttribute("open")) === null) await group.locator("summary").click();
      const link = group
        .getByRole("button", { name: /tabela designacaoPorServico, linha 9: alterada no rascunho/ })
        .first();
      await link.waitFor();
      expect(await link.textContent()).toBe(
        `linha ${rowLine}: tabela designacaoPorServico, linha 9: alterada no rascunho`,
      );
      await screenshot(s.page, "22-simular-com-decisoes-reais");

      // The link opens the editor on that row.
      await link.click();
      await expect.poll(() => byTestId(s.page, "tab-editor").getAttribute("aria-selected")).toBe("true");
      const selected = await eventually(
        () =>
          s.page.evaluate(() => {
            const sel = (window as any).__regras.editor().getSelection();
            return sel ? (sel.startLineNumber as number) : 0;
          }),
        (l) => l === rowLine,
      );
      expect(selected).toBe(rowLine);
      expect(await editorText(s.page)).toBe(draft);
      await screenshot(s.page, "23-linha-responsavel");
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });
});
