/**
 * How values flow into the decision, checked over the whole rule set (warnings: the rule set still
 * compiles, but it very likely does not do what its author meant):
 *
 * - `flow/unset-output`: an output that no rule action, validation or transition ever writes and
 *   that has no declared `default` (every decision would carry null or its type's empty value);
 * - `flow/table-output-name`: a table output column named like a decision output, while no rule
 *   action writes that output from the table's column (a table fills only its own result:
 *   `saida = tabela.coluna` copies it into the decision);
 * - `flow/read-before-set`: a rule whose `when` or actions read `decision.x` directly while every
 *   rule that writes `x` runs after it (lower priority, or the same priority written later; or the
 *   rule itself, after the read: its `when`, or a later action), and nothing else (default,
 *   validation, transition) gives `x` a value first.
 *
 * Rules run by priority (higher first), then in the order written (dsl/compile/emit/rules.ts).
 */
import type { Range } from "../diagnostics.js";
import { isSingleHit, type RuleDecl } from "../ruleset/model.js";
import { walkExpr, type Expr } from "../syntax/ast.js";
import type { CheckContext } from "./context.js";

/** The direct reads of `decision.<output>` in an expression, with where each is written. */
function decisionReads(e: Expr | undefined, out: { output: string; range: Range }[]): void {
  if (!e) return;
  walkExpr(e, (x) => {
    if (x.kind === "member" && x.object.kind === "name" && x.object.name === "decision")
      out.push({ output: x.property, range: x.range });
  });
}

/** True when `e` reads the column `column` of table `table` (`tabela.coluna`). */
function readsColumn(e: Expr, table: string, column: string): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.kind === "member" && x.property === column && x.object.kind === "name" && x.object.name === table)
      found = true;
  });
  return found;
}

export function checkFlow(ctx: CheckContext): void {
  const { model } = ctx;
  // Rules in evaluation order, with their place in it.
  const ordered = model.rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.index - b.index);
  const order = new Map<RuleDecl, number>(ordered.map((r, i) => [r.rule, i]));
  const writers = new Map<string, RuleDecl[]>();
  for (const { rule } of ordered)
    for (const a of rule.then) {
      const head = a.target[0];
      if (head === undefined) continue;
      const list = writers.get(head) ?? [];
      if (!list.includes(rule)) list.push(rule);
      writers.set(head, list);
    }
  // Outputs written by something other than rules (validations, transitions) or given a default.
  const otherwise = new Set<string>();
  if (model.validations) otherwise.add(model.validations.into);
  if (model.transitions) {
    const o = model.transitions.outputs;
    otherwise.add(o.allowed).add(o.reasons).add(o.missing);
  }
  for (const [name, out] of model.outputs) if (out.default !== undefined) otherwise.add(name);

  ctx.guarded("o fluxo das saídas", model.nameRange, () => {
    for (const [name, out] of model.outputs) {
      if (writers.has(name) || otherwise.has(name)) continue;
      ctx.warn(
        "flow/unset-output",
        `a saída "${name}" nunca é preenchida: nenhuma regra, validação ou transição a altera e ela não tem default, então toda decisão a traz vazia. Preencha-a numa regra (por exemplo "${name} = ...") ou remova-a`,
        out.nameRange,
      );
    }

    for (const table of model.tables)
      for (const column of table.outputs) {
        if (!model.outputs.has(column.name)) continue;
        const copied = (writers.get(column.name) ?? []).some((r) =>
          r.then.some((a) => a.target[0] === column.name && readsColumn(a.value, table.name, column.name)),
        );
        if (copied) continue;
        // A list policy's result is a list of rows: `tabela.coluna` does not read one value.
        const advice =
          isSingleHit(table.hitPolicy) || table.aggregate
            ? `Escreva numa regra "${column.name} = ${table.name}.${column.name}"`
            : `O resultado dela é uma lista de linhas (política ${table.hitPolicy}): leia-a numa regra ou dê outro nome à coluna`;
        ctx.warn(
          "flow/table-output-name",
          `a coluna "${column.name}" da tabela "${table.name}" tem o nome de uma saída, mas nenhuma regra a copia para a decisão: a tabela preenche só o próprio resultado. ${advice}`,
          column.nameRange,
        );
      }

    for (const { rule } of ordered) {
      const place = order.get(rule) ?? 0;
      // Each read with what is already written when it happens: rules that ran earlier, and for a
      // read in an action, the rule's own earlier actions (its `when` is read before any of them).
      const reads: { output: string; range: Range; before: ReadonlySet<string> }[] = [];
      const collect = (e: Expr | undefined, before: ReadonlySet<string>) => {
        const found: { output: string; range: Range }[] = [];
        decisionReads(e, found);
        for (const f of found) reads.push({ ...f, before });
      };
      collect(rule.when, new Set());
      const written = new Set<string>();
      for (const a of rule.then) {
        collect(a.value, new Set(written));
        if (a.target[0] !== undefined) written.add(a.target[0]);
      }
      for (const read of reads) {
        if (otherwise.has(read.output) || !model.outputs.has(read.output) || read.before.has(read.output)) continue;
        const ws = writers.get(read.output) ?? [];
        // Written by a rule that runs earlier: fine. Written by nothing: flow/unset-output says so.
        if (ws.length === 0 || ws.some((w) => (order.get(w) ?? 0) < place)) continue;
        const others = ws.filter((w) => w !== rule);
        const setters = others.map((w) => `"${w.name}" (prioridade ${w.priority})`).join(", ");
        const message =
          others.length === 0
            ? `a regra "${rule.name}" lê decision.${read.output} antes de ela mesma preencher "${read.output}": aqui ela ainda está vazia. Leia o valor que a regra calcula (não a decisão) ou preencha "${read.output}" numa regra de prioridade maior`
            : `a regra "${rule.name}" (prioridade ${rule.priority}) lê decision.${read.output}, mas "${read.output}" só é preenchida depois, por ${setters}: aqui ela ainda está vazia. Dê a esta regra uma prioridade menor que a de quem preenche "${read.output}"`;
        ctx.warn("flow/read-before-set", message, read.range);
      }
    }
  });
}
