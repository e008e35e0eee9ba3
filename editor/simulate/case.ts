/**
 * Saves a simulation as a test case: the facts of the form and what the draft decided (or the
 * error it answered) become one case appended to the rule set's suite text (docs/testing.md), in
 * the suite's own style, with a Portuguese name. Only text is appended (or, for a suite without
 * cases, the `cases:` list is written): every other byte of the suite, comments included, stays.
 * The result is loaded back with the tester's own loader, which must read the same case. The
 * appending itself is the tester's (tester/suite-append.ts, shared with `rules promote`).
 */
import { appendCaseToSuite, uniqueName } from "../../tester/suite-append.js";

/** What a simulation ended with. */
export type SimulationOutcome =
  | { readonly kind: "decision"; readonly decision: Readonly<Record<string, unknown>> }
  /** A decision error (INVALID_FACTS answers HTTP 400) and the JSON pointers it named. */
  | { readonly kind: "error"; readonly code: string; readonly paths: readonly string[] };

export interface NewCase {
  /** The facts the simulation decided (as sent to the engine). */
  readonly facts: Readonly<Record<string, unknown>>;
  readonly outcome: SimulationOutcome;
  /** The case name; by default one made from the facts and the outcome (made unique in the suite). */
  readonly name?: string;
}

export type AppendResult =
  | { readonly ok: true; readonly text: string; readonly name: string }
  | { readonly ok: false; readonly message: string };

/** Appends the case to `suite` (or starts a suite for `ruleset` when there is none). */
export function appendCase(suite: string | undefined, ruleset: string, input: NewCase): AppendResult {
  const { outcome } = input;
  const result = appendCaseToSuite(suite, ruleset, {
    name: input.name ?? caseName(input.facts, outcome, new Set()),
    description: "Salvo a partir do simulador do editor.",
    facts: input.facts,
    ...(outcome.kind === "decision"
      ? { expect: outcome.decision }
      : {
          expectError: {
            code: outcome.code,
            ...(outcome.code === "INVALID_FACTS" ? { status: 400 } : {}),
            ...(outcome.paths.length > 0 ? { paths: outcome.paths } : {}),
          },
        }),
  });
  return result.ok ? { ok: true, text: result.text, name: result.name } : { ok: false, message: result.message };
}

/** A Portuguese case name from the facts' short texts and the outcome, unique among `existing`. */
export function caseName(
  facts: Readonly<Record<string, unknown>>,
  outcome: SimulationOutcome,
  existing: ReadonlySet<string>,
): string {
  const shown = Object.values(facts)
    .filter((v): v is string => typeof v === "string" && v.length > 0 && v.length <= 40 && !v.includes("\n"))
    .slice(0, 3);
  let result: string | undefined;
  if (outcome.kind === "error") result = `erro ${outcome.code}`;
  else {
    const values = Object.entries(outcome.decision);
    const text = values.find(([, v]) => typeof v === "string" && v.length > 0 && v.length <= 40 && !v.includes("\n"));
    const flag = values.find(([, v]) => typeof v === "boolean");
    if (text) result = String(text[1]);
    else if (flag) result = `${flag[0]} ${flag[1] ? "sim" : "não"}`;
  }
  const base = ["Simulação", ...shown].join(" · ") + (result ? ` → ${result}` : "");
  return uniqueName(base, existing);
}
