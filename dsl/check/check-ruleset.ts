/**
 * Checks of a whole rule set: names (duplicates, reserved words, cycles between computed values),
 * every expression typed in its scope, `then` actions against the declared outputs, decision
 * tables (cell types, enum values, hit-policy overlaps), transitions (unknown and unreachable
 * states), validations, how values flow into the decision (`flow.ts`), what rule conditions allow (rules
 * that never fire, same-priority rules writing different values: `rule-analysis.ts`), and invariants (a literal output that breaks one is reported where it is
 * written). Each check reports on the exact node; a check that throws becomes an internal
 * diagnostic instead of a crash.
 *
 * This module only orchestrates: one checker per construct (`dsl/check/<construct>.ts`), all
 * sharing a `CheckContext` (`context.ts`), run in the order of `CHECKERS`. The order is part of the
 * behaviour: it is the order of the diagnostics and of the lazy typing of top-level names.
 */
import type { Diagnostic } from "../diagnostics.js";
import type { RuleSetModel } from "../ruleset/model.js";
import type { Expr } from "../syntax/ast.js";
import type { Type } from "../types.js";
import { checkCollections } from "./collections.js";
import { CheckContext } from "./context.js";
import { checkCycles } from "./cycles.js";
import { checkFieldDefaults } from "./facts.js";
import { checkFlow } from "./flow.js";
import { checkInvariants } from "./invariants.js";
import { checkRuleConditions } from "./rule-analysis.js";
import { checkRules } from "./rules.js";
import { declareNames, typeSymbol } from "./symbols.js";
import { checkTables } from "./tables.js";
import { checkTemplates } from "./templates.js";
import { checkTransitions } from "./transitions.js";
import type { Scope } from "./typing.js";
import { checkValidations } from "./validations.js";
import { checkConstantsAndValues } from "./values.js";

export { collectionEntryType } from "./collections.js";

export interface CheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Type of every checked expression node (read by the compiler). */
  readonly types: WeakMap<Expr, Type>;
  /** The scope of top-level names (read by the editor's completion). */
  readonly scope: Scope;
  /** Type of the decision (outputs). */
  readonly decisionType: Type;
}

/** The construct checkers, in the order they run (after the top-level names are declared). */
const CHECKERS: readonly ((ctx: CheckContext) => void)[] = [
  checkCycles,
  checkFieldDefaults,
  checkConstantsAndValues,
  checkTemplates,
  checkCollections,
  checkTables,
  checkValidations,
  checkTransitions,
  checkRules,
  checkInvariants,
  checkFlow,
  checkRuleConditions,
];

export function checkRuleSet(model: RuleSetModel): CheckResult {
  const ctx = new CheckContext(model, typeSymbol);
  declareNames(ctx);
  for (const check of CHECKERS) check(ctx);
  const diagnostics = [...ctx.tc.diagnostics, ...ctx.diagnostics];
  return { diagnostics: dedupe(diagnostics), types: ctx.tc.types, scope: ctx.scope, decisionType: ctx.decisionType };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}|${d.range.start}|${d.range.end}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
