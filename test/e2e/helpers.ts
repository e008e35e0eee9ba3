/**
 * Helpers of the browser tests: the shared chromium (started by global-setup.ts), one fresh browser
 * context per test (fresh localStorage and sessionStorage), the page's console errors, the editor's
 * test hooks (`window.__regras` and the `data-testid`s listed in the editor's README), screenshots
 * for a reviewer and direct calls to the service's API.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, expect, inject } from "vitest";

export const OPEN_URL = inject("openUrl");
export const AUTH_URL = inject("authUrl");
export const TOKENS = inject("tokens");

/** The rule sets shipped in rules/ (seeded into each fresh data folder). */
export const SHIPPED = [
  "portal-solicitacoes",
  "protocolo-status",
  "reclame-designacao",
  "reclame-duplicidade",
  "retencao",
] as const;

let shared: Promise<Browser> | undefined;

/** The shared chromium, connected once per test file. */
export function browser(): Promise<Browser> {
  shared ??= chromium.connect(inject("wsEndpoint"));
  return shared;
}

afterAll(async () => {
  if (shared) await (await shared).close();
  shared = undefined;
});

export interface Session {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught exceptions of the page so far. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** A fresh browser context (1280×720, pt-BR) with one page whose console errors are collected. */
export async function session(): Promise<Session> {
  const context = await (await browser()).newContext({ viewport: { width: 1280, height: 720 }, locale: "pt-BR" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return { context, page, errors, close: () => context.close() };
}

/** A locator for a `data-testid`. */
export function byTestId(page: Page | Locator, id: string): Locator {
  return page.locator(`[data-testid="${id}"]`);
}

/** Opens the editor at `base` and waits for the rule-set list. */
export async function openEditor(page: Page, base = OPEN_URL): Promise<void> {
  await page.goto(`${base}/`);
  await byTestId(page, "ruleset-list").waitFor();
}

/** Opens rule set `name` from the list and waits until the Monaco editor shows its source. */
export async function openRuleSet(page: Page, name: string): Promise<void> {
  const item = byTestId(page, "ruleset-list").locator(`[data-testid="ruleset-item"][data-name="${name}"]`).first();
  const button = item.locator("button, a").first();
  await ((await button.count()) > 0 ? button : item).click();
  await waitForSource(page, name);
}

/** Waits until the editor shows rule set `name` (its `ruleset:` line). */
export async function waitForSource(page: Page, name: string): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const value: string | undefined = (window as any).__regras?.editor()?.getModel()?.getValue();
      return value !== undefined && new RegExp(`^ruleset:\\s*${n}\\s*$`, "m").test(value);
    },
    name,
    { timeout: 20_000 },
  );
}

/** The text of the editor's model. */
export function editorText(page: Page): Promise<string> {
  return page.evaluate(() => (window as any).__regras.editor().getModel().getValue() as string);
}

/** Replaces the whole text of the editor's model (as an edit, so the draft and the checks see it). */
export async function setEditorText(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const editor = (window as any).__regras.editor();
    const model = editor.getModel();
    editor.executeEdits("e2e", [{ range: model.getFullModelRange(), text: t }]);
  }, text);
}

/** Puts the cursor at 1-based `line`/`column` and focuses the editor. */
export async function moveCursor(page: Page, line: number, column: number): Promise<void> {
  await page.evaluate(
    ([l, c]) => {
      const editor = (window as any).__regras.editor();
      editor.setPosition({ lineNumber: l, column: c });
      editor.revealLineInCenter(l);
      editor.focus();
    },
    [line, column] as const,
  );
}

export interface Marker {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly message: string;
  readonly code: string;
  /** Monaco's MarkerSeverity: 8 error, 4 warning, 2 info, 1 hint. */
  readonly severity: number;
}

/** The markers on the editor's model (every owner). */
export function markers(page: Page): Promise<Marker[]> {
  return page.evaluate(() => {
    const r = (window as any).__regras;
    const model = r.editor().getModel();
    return r.monaco.editor.getModelMarkers({ resource: model.uri }).map((m: any) => ({
      line: m.startLineNumber,
      column: m.startColumn,
      endLine: m.endLineNumber,
      endColumn: m.endColumn,
      message: m.message,
      code: typeof m.code === "object" && m.code !== null ? String(m.code.value) : String(m.code ?? ""),
      severity: m.severity,
    }));
  });
}

/** Polls `read` until `accept` holds (markers are debounced, panels asynchronous). */
export async function eventually<T>(read: () => Promise<T>, accept: (v: T) => boolean, timeout = 15_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let last = await read();
  while (!accept(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeout} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

/** Saves a full-page screenshot under test-output/e2e/ for a reviewer. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(inject("screenshots"), `${name}.png`) });
}

/** Appends a measured figure to test-output/e2e/timings.txt (reported, not asserted: the machine may be busy). */
export function recordTiming(what: string, ms: number): void {
  appendFileSync(join(inject("screenshots"), "timings.txt"), `${what}: ${Math.round(ms)} ms\n`);
}

/** No console errors or page errors except those matching `allowed`. */
export function expectNoErrors(errors: readonly string[], allowed: readonly RegExp[] = []): void {
  expect(errors.filter((e) => !allowed.some((a) => a.test(e)))).toEqual([]);
}

/** A direct call to the service (Node's fetch, not the browser). */
export async function api(
  base: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}
