/**
 * The panels (table grid, simulator, tests) from `./panels/*.tsx`, found at build time. A panel
 * not built yet shows a placeholder, so the shell works while they are being written.
 */
import type { JSX } from "preact";
import type { AppContext } from "./app-context.js";

export type Panel = (props: { ctx: AppContext }) => JSX.Element;

const modules = import.meta.glob<Record<string, unknown>>("./panels/*.tsx", { eager: true });

export function findPanel(file: "grid" | "simulate" | "tests", exportName: string): Panel | undefined {
  const found = modules[`./panels/${file}.tsx`]?.[exportName];
  return typeof found === "function" ? (found as Panel) : undefined;
}
