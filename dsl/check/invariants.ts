/**
 * Invariants: each `check` is a condition (typed without enum checks, since an invariant may name
 * values that must never appear); a well-typed invariant over one output and constants is then
 * evaluated against every literal the rule set can write into that output.
 */
import { evaluate, type EvalEnv } from "../evaluate.js";
import type { Expr } from "../syntax/ast.js";
import { walkExpr } from "../syntax/ast.js";
import { T } from "../types.js";
import { createRecord, type Value } from "../values.js";
import type { CheckContext } from "./context.js";

export function checkInvariants(ctx: CheckContext): void {
  const { tc, scope } = ctx;
  for (const inv of ctx.model.invariants) {
    ctx.guarded(`o invariante ${inv.name}`, inv.nameRange, () => {
      const before = tc.diagnostics.length;
      tc.enumChecks = false;
      try {
        tc.expect(inv.check, scope, T.boolean, `o invariante "${inv.name}"`);
      } finally {
        tc.enumChecks = true;
      }
      // A mistyped invariant is reported once, as such; its literal check would only add noise.
      if (tc.diagnostics.length === before) checkInvariantAgainstLiterals(ctx, inv.check, inv.name);
    });
  }
}

/**
 * An invariant that reads one output (`decision.x`) and constants only is evaluated against every
 * literal the rule set can put into that output (table output cells of the same name and `x = …`
 * actions); a literal that breaks it is reported where it is written.
 */
function checkInvariantAgainstLiterals(ctx: CheckContext, check: Expr, name: string): void {
  const { model, scope } = ctx;
  const outputs = new Set<string>();
  let pure = true;
  walkExpr(check, (e) => {
    if (e.kind === "member" && e.object.kind === "name" && e.object.name === "decision") outputs.add(e.property);
    if (e.kind === "name" && e.name !== "decision" && scope.lookup(e.name)?.kind !== "constant") pure = false;
  });
  if (!pure || outputs.size !== 1) return;
  const [output] = [...outputs] as [string];
  const candidates: Expr[] = [];
  for (const t of model.tables) {
    const col = t.outputs.findIndex((c) => c.name === output);
    if (col >= 0) for (const r of t.rows) if (r.outputs[col]) candidates.push(r.outputs[col] as Expr);
  }
  for (const r of model.rules)
    for (const a of r.then)
      if (a.kind === "assign" && a.target.length === 1 && a.target[0] === output) candidates.push(a.value);
  const constants = new Map<string, Value>();
  const env = (value: Value): EvalEnv => ({
    zone: model.zone,
    lookup: (n) => {
      if (n === "decision") return createRecord([[output, value]]);
      const c = model.constants.get(n);
      if (!c) return undefined;
      if (!constants.has(n)) constants.set(n, evaluate(c.expr, env(null)));
      return constants.get(n);
    },
  });
  for (const cand of candidates) {
    if (cand.kind !== "literal") continue;
    let ok: Value;
    try {
      ok = evaluate(check, env(evaluate(cand, env(null))));
    } catch {
      continue;
    }
    if (ok !== true) ctx.err("table/invariant", `este valor quebra o invariante "${name}"`, cand.range);
  }
}
