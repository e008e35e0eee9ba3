/**
 * Loads the language services (`editor/language/index.ts`) into the worker. Until that module
 * exists the worker still works: diagnostics come straight from the compiler and the other
 * services answer nothing.
 */
import type { LanguageModule } from "./language-api.js";

export function loadLanguage(): LanguageModule | undefined {
  const found = import.meta.glob<LanguageModule>("../../language/index.ts", { eager: true });
  return Object.values(found)[0];
}
