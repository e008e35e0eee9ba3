/**
 * Hooks the panels share: re-render on every change the shell reports (draft, diagnostics, open
 * rule set) and read the open rule set through the AppContext only.
 */
import { useEffect, useState } from "preact/hooks";
import type { AppContext, OpenRuleSet } from "../app-context.js";

/** The open rule set, re-read after every change of the draft, its diagnostics or the rule set. */
export function useDraft(ctx: AppContext): OpenRuleSet | undefined {
  const [, setTick] = useState(0);
  useEffect(() => ctx.onChange(() => setTick((t) => t + 1)), [ctx]);
  return ctx.current();
}

/** A JSON value on one line, as the rule files write it (texts without quotes; null, true, [a, b]). */
export function showValue(value: unknown): string {
  if (value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
