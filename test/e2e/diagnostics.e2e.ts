/**
 * Diagnostics while typing: a mistake typed in the editor gets a marker at its exact range with the
 * same Portuguese message and code as the rule language's checker, and an entry in the problems
 * list that jumps to it; fixing it clears both.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { diagnose } from "../../dsl/compile/pipeline.js";
import { createLineIndex } from "../../dsl/positions.js";
import {
  byTestId,
  editorText,
  eventually,
  expectNoErrors,
  markers,
  moveCursor,
  OPEN_URL,
  recordTiming,
  screenshot,
  session,
  waitForSource,
} from "./helpers.js";

const NAME = "reclame-designacao";
const LINE_TEXT = "    when: not protocoloValidado";

/** The 1-based line of the first line equal to `text`. */
function lineOf(source: string, text: string): number {
  const i = source.split("\n").indexOf(text);
  if (i < 0) throw new Error(`line not found: ${text}`);
  return i + 1;
}

/** Types "x" at the cursor as a keystroke inside the page; resolves with the ms until an error marker is on `line`. */
function typeAndTime(page: Page, line: number): Promise<number> {
  return page.evaluate(
    (l) =>
      new Promise<number>((resolve) => {
        const { monaco, editor } = (window as any).__regras;
        const model = editor().getModel();
        const t0 = performance.now();
        const listener = monaco.editor.onDidChangeMarkers(() => {
          const ms = monaco.editor.getModelMarkers({ resource: model.uri });
          if (ms.some((m: any) => m.severity === 8 && m.startLineNumber === l)) {
            listener.dispose();
            resolve(performance.now() - t0);
          }
        });
        editor().trigger("keyboard", "type", { text: "x" });
      }),
    line,
  );
}

const errorsOf = (ms: Awaited<ReturnType<typeof markers>>) => ms.filter((m) => m.severity === 8);

describe("diagnostics", () => {
  it("a typed mistake is marked at its line with the checker's Portuguese message; fixing it clears it", async () => {
    const s = await session();
    try {
      await s.page.goto(`${OPEN_URL}/#/${NAME}`);
      await waitForSource(s.page, NAME);
      const original = await editorText(s.page);
      const line = lineOf(original, LINE_TEXT);
      await eventually(
        () => markers(s.page),
        (ms) => errorsOf(ms).length === 0,
      );

      // An unknown name: `protocoloValidadox`.
      // Typed as a keystroke inside the page, timing the marker's arrival there.
      await moveCursor(s.page, line, LINE_TEXT.length + 1);
      const latency = await typeAndTime(s.page, line);
      recordTiming(`first keystroke to error marker on ${NAME} (${original.split("\n").length} lines)`, latency);
      const broken = await editorText(s.page);
      expect(broken.split("\n")[line - 1]).toBe(`${LINE_TEXT}x`);
      const expected = diagnose(broken).diagnostics.filter((d) => d.severity === "error");
      expect(expected.length).toBeGreaterThan(0);
      const index = createLineIndex(broken);
      const first = expected[0]!;
      expect(index.toPosition(first.range.start).line).toBe(line);

      const found = await eventually(
        () => markers(s.page),
        (ms) => errorsOf(ms).some((m) => m.line === line),
      );
      const marker = errorsOf(found).find((m) => m.line === line)!;
      expect(marker.message).toContain(first.message);
      expect(marker.code).toBe(first.code);
      expect(marker.column).toBe(index.toPosition(first.range.start).column);
      expect(marker.endColumn).toBe(index.toPosition(first.range.end).column);
      // Portuguese, as the checker writes it (e.g. "nome desconhecido").
      expect(marker.message).toMatch(/[a-zà-ú]/i);
      await s.page.locator(".squiggly-error").first().waitFor();

      // The problems list has it, at that line; clicking it moves the cursor there.
      const problem = byTestId(s.page, "problem").filter({ hasText: first.message }).first();
      await problem.waitFor();
      await moveCursor(s.page, 1, 1);
      await problem.click();
      expect(await s.page.evaluate(() => (window as any).__regras.editor().getPosition().lineNumber as number)).toBe(
        line,
      );
      await screenshot(s.page, "03-diagnostico");

      // Fixed: the marker and the problem go away.
      await moveCursor(s.page, line, LINE_TEXT.length + 2);
      await s.page.keyboard.press("Backspace");
      expect(await editorText(s.page)).toBe(original);
      await eventually(
        () => markers(s.page),
        (ms) => errorsOf(ms).length === 0,
      );
      await expect.poll(() => byTestId(s.page, "problem").filter({ hasText: first.message }).count()).toBe(0);

      // The same keystroke again, the worker warm: the figure an analyst feels while typing.
      await moveCursor(s.page, line, LINE_TEXT.length + 1);
      recordTiming(`keystroke to error marker on ${NAME}, warm`, await typeAndTime(s.page, line));
      await s.page.keyboard.press("Backspace");
      await eventually(
        () => markers(s.page),
        (ms) => errorsOf(ms).length === 0,
      );
      expectNoErrors(s.errors);
    } finally {
      await s.close();
    }
  });
});
