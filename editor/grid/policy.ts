/**
 * How the grid panel shows a table's header: the hit policy as the analyst reads it (every DMN
 * policy; `collect (sum)` and the like when the table aggregates) and the columns by their label
 * (`labels:`, e.g. a DMN name) when they have one, with the name in the tooltip. Pure (no DOM).
 */
import { assertNever } from "../../dsl/exhaustive.js";
import type { Aggregation, HitPolicy } from "../../dsl/ruleset/model.js";
import type { GridTable } from "../../dsl/tables/index.js";

/** The hit policy as the analyst reads it. */
export function hitPolicyText(policy: HitPolicy): string {
  switch (policy) {
    case "unique":
      return "unique: no máximo uma linha casa";
    case "first":
      return "first: vale a primeira linha que casa";
    case "any":
      return "any: as linhas que casam dão a mesma saída";
    case "priority":
      return "priority: vale a linha cuja saída vem primeiro em outputValues";
    case "ruleOrder":
      return "ruleOrder: a lista das linhas que casam, na ordem das linhas";
    case "outputOrder":
      return "outputOrder: a lista das linhas que casam, na ordem de outputValues";
    case "collect":
      return "collect: valem todas as linhas que casam";
    default:
      return assertNever(policy, "hit policy");
  }
}

/** What `aggregate` makes of a `collect` table's matching rows. */
function aggregateText(aggregate: Aggregation): string {
  switch (aggregate) {
    case "sum":
      return "a soma de cada saída nas linhas que casam";
    case "min":
      return "o menor valor de cada saída nas linhas que casam";
    case "max":
      return "o maior valor de cada saída nas linhas que casam";
    case "count":
      return "quantas linhas casam";
    default:
      return assertNever(aggregate, "aggregation");
  }
}

/** The badge of a table's policy: `collect (sum): ...` when it aggregates. */
export function policyBadge(t: Pick<GridTable, "hitPolicy" | "aggregate">): string {
  return t.aggregate ? `collect (${t.aggregate}): ${aggregateText(t.aggregate)}` : hitPolicyText(t.hitPolicy);
}

/**
 * A column as the grid shows it: its label (`labels:`, e.g. a DMN name) when it has one, else its
 * name; the tooltip gives the name (and the input expression when it differs).
 */
export function gridColumns(
  t: Pick<GridTable, "inputs" | "outputs">,
): { name: string; shown: string; title: string; kind: "input" | "output" }[] {
  const tip = (name: string, title: string | undefined, expr: string | undefined): string =>
    title !== undefined ? `${name}${expr !== undefined ? ` (${expr})` : ""}` : (expr ?? name);
  return [
    ...t.inputs.map((c) => ({
      name: c.name,
      shown: c.title ?? c.name,
      title: tip(c.name, c.title, c.label),
      kind: "input" as const,
    })),
    ...t.outputs.map((c) => ({
      name: c.name,
      shown: c.title ?? c.name,
      title: tip(c.name, c.title, undefined),
      kind: "output" as const,
    })),
  ];
}
