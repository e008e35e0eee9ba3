/**
 * Where the things a decision fired are written, from their names (the `fired` list of a decision
 * or of a test case's actual result): rules by name, table rows (`tabela · linha 3`), validations
 * (`validação campo`) and allowed transitions (`transição A → B`), as the compiler names them
 * (dsl/compile/emit/). Read from the loaded model, so it needs no compilation. Pure.
 */
import type { Range } from "../../dsl/diagnostics.js";
import type { RuleSetModel } from "../../dsl/ruleset/model.js";

/** The source ranges of the named fired items (a name no item has is skipped). */
export function firedRanges(model: RuleSetModel, names: readonly string[]): Range[] {
  const byName = new Map<string, Range[]>();
  const add = (name: string, range: Range) => {
    const list = byName.get(name);
    if (list) list.push(range);
    else byName.set(name, [range]);
  };
  for (const r of model.rules) add(r.name, r.range);
  for (const t of model.tables) for (const [i, row] of t.rows.entries()) add(`${t.name} · linha ${i + 1}`, row.range);
  for (const v of model.validations?.items ?? []) add(`validação ${v.field}`, v.range);
  for (const a of model.transitions?.allow ?? []) add(`transição ${a.from} → ${a.to}`, a.range);
  return [...new Set(names)].flatMap((n) => byName.get(n) ?? []);
}
