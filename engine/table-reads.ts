/**
 * Table-read metadata for output checks: which `unique`/`first` tables each rule's assignment to
 * an output reads directly, so that a null output can be traced to the table that had no row.
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";

/**
 * For each rule (by index) and output it assigns: the `unique`/`first` tables its action reads
 * directly (`tabela.coluna` in the assigned expression). That is what "the value came from a
 * table" means for a RULESET_DEFECT: the last rule that fired and set the output read the table.
 */
export function tablesReadByActions(
  compiled: CompiledRuleSet,
): ReadonlyMap<number, ReadonlyMap<string, readonly string[]>> {
  const single = new Set(
    Object.entries(compiled.tables)
      .filter(([, t]) => t.hitPolicy !== "collect")
      .map(([name]) => name),
  );
  const out = new Map<number, Map<string, string[]>>();
  compiled.rulesMeta.forEach((rule, i) => {
    for (const a of rule.actions) {
      const output = a.target[0];
      if (a.kind !== "assign" || a.target.length !== 1 || output === undefined) continue;
      const read: string[] = [];
      collectTableReads(a.value, single, read);
      const byOutput = out.get(i) ?? new Map<string, string[]>();
      // A later action on the same output replaces what an earlier one set.
      byOutput.set(output, [...new Set(read)]);
      out.set(i, byOutput);
    }
  });
  return out;
}

/** Names of `tables` read as `tabela.coluna` anywhere in an expression. */
function collectTableReads(node: unknown, tables: ReadonlySet<string>, into: string[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collectTableReads(n, tables, into);
    return;
  }
  if (!node || typeof node !== "object") return;
  const o = node as { kind?: unknown; object?: { kind?: unknown; name?: unknown } };
  if (
    o.kind === "member" &&
    o.object?.kind === "name" &&
    typeof o.object.name === "string" &&
    tables.has(o.object.name)
  )
    into.push(o.object.name);
  for (const v of Object.values(node)) if (v && typeof v === "object") collectTableReads(v, tables, into);
}
