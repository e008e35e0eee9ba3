/**
 * What an authoring route works on: the rule-set source and suite sent in the body, or else the
 * version that decides (for a rule set none of whose versions builds: the stored active one) and
 * its suite. Shared by `/test` and `/mutants`, which refuse the same way when either is missing.
 */
import { ApiError, notFound } from "../errors.js";
import type { Registry } from "../registry.js";

export function draftAndSuite(
  registry: Registry,
  name: string,
  body: { readonly source?: string; readonly tests?: string },
): { source: string; tests: string } {
  const active = registry.get(name)?.stored ?? registry.store.get(name)?.active;
  const source = body.source ?? active?.source;
  if (source === undefined) throw notFound(`conjunto de regras desconhecido: ${name}`);
  const tests = body.tests ?? active?.tests;
  if (tests === undefined || tests === null)
    throw new ApiError(422, "NO_TEST_SUITE", `${name} não tem suíte de testes: envie "tests"`);
  return { source, tests };
}
