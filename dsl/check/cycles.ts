/**
 * Constants, computed values and templates may refer to each other, but never in a circle (a
 * template calling itself included): evaluation would never end. Each name on a cycle is reported.
 */
import type { Range } from "../diagnostics.js";
import type { Expr } from "../syntax/ast.js";
import { walkExpr } from "../syntax/ast.js";
import type { CheckContext } from "./context.js";

export function checkCycles(ctx: CheckContext): void {
  const { model } = ctx;
  const deps = new Map<string, { range: Range; uses: Set<string> }>();
  const collect = (exprs: readonly Expr[], params: readonly string[] = []) => {
    const uses = new Set<string>();
    for (const root of exprs) {
      walkExpr(root, (e) => {
        if (e.kind === "name" && !params.includes(e.name)) uses.add(e.name);
        if (e.kind === "call") uses.add(e.callee);
      });
    }
    return uses;
  };
  for (const c of model.constants.values()) deps.set(c.name, { range: c.nameRange, uses: collect([c.expr]) });
  for (const v of model.values.values()) deps.set(v.name, { range: v.nameRange, uses: collect([v.expr]) });
  for (const t of model.templates.values()) {
    const exprs = t.parts.flatMap((p) => (p.kind === "expr" ? [p.expr] : []));
    deps.set(t.name, {
      range: t.nameRange,
      uses: collect(
        exprs,
        t.params.map((p) => p.name),
      ),
    });
  }
  const state = new Map<string, "visiting" | "done">();
  const onCycle = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string) => {
    state.set(name, "visiting");
    stack.push(name);
    for (const next of deps.get(name)?.uses ?? []) {
      if (!deps.has(next)) continue;
      if (state.get(next) === "visiting") for (const n of stack.slice(stack.indexOf(next))) onCycle.add(n);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const name of deps.keys()) if (!state.has(name)) visit(name);
  for (const name of onCycle) {
    const d = deps.get(name);
    if (d)
      ctx.err(
        "check/cycle",
        `"${name}" depende de si mesmo (referência circular entre constantes, valores e modelos de texto)`,
        d.range,
      );
  }
}
