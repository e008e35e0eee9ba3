/**
 * Output checks: a decision that breaks its declared outputs (a null in an output that is not
 * `nullable`, a value outside its type or `enum`) is a defect of the rule set, reported as a
 * RULESET_DEFECT that says which output, where it is declared and, for a null, what left it null
 * (the last rule that set it and the table it read that had no row: a single-hit table — `unique`,
 * `first`, `any`, `priority` — or an aggregating `collect`, whose result is a record).
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { policyLabel } from "./actions.js";
import { DecisionError, type ErrorDetail } from "./errors.js";
import type { RunContext } from "./run-context.js";

/**
 * The RULESET_DEFECT of a decision that breaks its declared outputs (a null in an output that is
 * not `nullable`, a value outside its type or `enum`): one detail per output, naming the output
 * and where it is declared and, when the last rule that set it read a table whose result is a record
 * (single hit, or `collect` with `aggregate`) that had no row for these facts, that table and where
 * it is written. Never the decision itself.
 */
export function outputDefect(
  compiled: CompiledRuleSet,
  run: RunContext,
  decision: Record<string, unknown>,
  issues: readonly { readonly path: string; readonly message: string }[],
  tablesRead: ReadonlyMap<number, ReadonlyMap<string, readonly string[]>>,
): DecisionError {
  const byOutput = new Map<string, { path: string; message: string }[]>();
  for (const issue of issues) {
    const output = decodePointerSegment(issue.path.split("/")[1] ?? "");
    const list = byOutput.get(output) ?? [];
    list.push(issue);
    byOutput.set(output, list);
  }
  const details: ErrorDetail[] = [];
  for (const [output, list] of byOutput) {
    const at = compiled.sourceMap[`o:${output}`];
    const where = { ruleset: compiled.name, output, ...(at ? { line: at.line, column: at.column } : {}) };
    if (decision[output] === null) {
      const behind = nullBehind(compiled, run, output, tablesRead);
      if (behind.table !== undefined) {
        const t = compiled.sourceMap[`tb:${behind.table}`];
        const table = compiled.tables[behind.table];
        const policy = table ? policyLabel(table) : "unique";
        details.push({
          ...where,
          table: behind.table,
          ...(t ? { line: t.line, column: t.column } : {}),
          message: `a tabela "${behind.table}" (política ${policy}) não tem linha para estes fatos e a saída "${output}" não aceita nulo`,
        });
        // Where the output is declared without accepting null (the other place a fix can go).
        details.push({ ...where, message: `a saída "${output}" está declarada aqui sem aceitar nulo` });
      } else if (behind.rule !== undefined) {
        details.push({
          ...where,
          message: `a regra "${behind.rule}" deu nulo à saída "${output}", que não aceita nulo`,
        });
      } else {
        details.push({ ...where, message: `nenhuma regra deu valor à saída "${output}", que não aceita nulo` });
      }
      continue;
    }
    const first = list[0] as { path: string; message: string };
    details.push({
      ...where,
      message: `a saída "${first.path.slice(1).split("/").map(decodePointerSegment).join(".")}" recebeu um valor fora do declarado: ${first.message}`,
    });
  }
  const first = details[0] as ErrorDetail;
  const message =
    byOutput.size === 1
      ? `a decisão não segue as saídas declaradas: ${first.message}`
      : `a decisão não segue as saídas declaradas (${byOutput.size} saídas): ${first.message}`;
  return new DecisionError("RULESET_DEFECT", message, details);
}

/**
 * What left an output null: the last rule that fired and assigned it and, when that assignment
 * read a record-shaped table (single hit, aggregate) with no row hit for these facts, that table.
 */
function nullBehind(
  compiled: CompiledRuleSet,
  run: RunContext,
  output: string,
  tablesRead: ReadonlyMap<number, ReadonlyMap<string, readonly string[]>>,
): { rule?: string; table?: string } {
  for (let i = run.firedRefs.length - 1; i >= 0; i--) {
    const handler = compiled.handlers[run.firedRefs[i] as string];
    if (handler?.kind !== "rule") continue;
    const read = tablesRead.get(handler.rule)?.get(output);
    if (read === undefined) continue;
    const table = read.find((t) => !run.tableHits.has(t));
    return { rule: compiled.rulesMeta[handler.rule]?.name ?? "", ...(table !== undefined ? { table } : {}) };
  }
  return {};
}

/** Decodes one JSON Pointer segment (`~1` is `/`, `~0` is `~`). */
function decodePointerSegment(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}
