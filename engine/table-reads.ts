/**
 * Table-read metadata for output checks: which record-shaped tables (single hit: `unique`, `first`,
 * `any`, `priority`; or `collect` with `aggregate`) each rule's assignment to
 * an output reads directly, so that a null output can be traced to the table that had no row.
 * The compiler computes it (`CompiledRule.tablesRead`, dsl/compile/emit/rules.ts); this indexes it
 * by rule for the output check.
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";

/**
 * For each rule (by index) and output it assigns: the record-shaped tables its action reads
 * directly (`tabela.coluna` in the assigned expression). That is what "the value came from a
 * table" means for a RULESET_DEFECT: the last rule that fired and set the output read the table.
 * Rules that assign no output as a whole have no entry.
 */
export function tablesReadByActions(
  compiled: CompiledRuleSet,
): ReadonlyMap<number, ReadonlyMap<string, readonly string[]>> {
  const out = new Map<number, ReadonlyMap<string, readonly string[]>>();
  for (const [i, rule] of compiled.rulesMeta.entries()) {
    const byOutput = new Map(Object.entries(rule.tablesRead));
    if (byOutput.size > 0) out.set(i, byOutput);
  }
  return out;
}
