/**
 * Invariants: each `check` is a condition (typed without enum checks, since an invariant may name
 * values that must never appear). A well-typed invariant that reads outputs (`decision.x`) and
 * constants only is then proved, where the rule set writes literals, against every value it can put
 * into those outputs: table output cells, onNoMatch's included (of a column named like the output,
 * or copied into it by a rule `x = tabela.coluna` from a single-hit table), `x = literal` actions and the output's `default`. When it reads several
 * outputs, each rule that writes all of them is tried with the values it writes together (the cells
 * of one row when they come from one table). A value that breaks the invariant is an error where it
 * is written. What cannot be proved here (computed values, facts) is still guarded at run time: the
 * runtime checks every invariant on every decision.
 */
import { evaluate, type EvalEnv } from "../evaluate.js";
import { isSingleHit, type RuleDecl, type TableDecl } from "../ruleset/model.js";
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

/** A literal value some part of the rule set can write into an output, and where it comes from. */
interface Candidate {
  readonly expr: Expr;
  /** For table cells: the table and the 0-based row (`NO_MATCH`: the table's onNoMatch cell). */
  readonly table?: TableDecl;
  readonly row?: number;
  /** The rule that copies a table column into the output, when the column is named otherwise. */
  readonly via?: RuleDecl;
}

/** The "row" of an onNoMatch cell (the table's result when no row matches). */
const NO_MATCH = -1;

/** Combinations tried per rule for an invariant over several outputs (beyond it, run time guards it). */
const MAX_COMBINATIONS = 2_000;

function checkInvariantAgainstLiterals(ctx: CheckContext, check: Expr, name: string): void {
  const { model, scope } = ctx;
  const outputs = new Set<string>();
  let pure = true;
  walkExpr(check, (e) => {
    if (e.kind === "member" && e.object.kind === "name" && e.object.name === "decision") outputs.add(e.property);
    if (e.kind === "name" && e.name !== "decision" && scope.lookup(e.name)?.kind !== "constant") pure = false;
  });
  if (!pure || outputs.size === 0) return;
  const constants = new Map<string, Value>();
  const env = (values: ReadonlyMap<string, Value>): EvalEnv => ({
    zone: model.zone,
    lookup: (n) => {
      if (n === "decision") return createRecord([...values]);
      const c = model.constants.get(n);
      if (!c) return undefined;
      if (!constants.has(n)) constants.set(n, evaluate(c.expr, env(new Map())));
      return constants.get(n);
    },
  });
  const holds = (values: ReadonlyMap<string, Value>): boolean | undefined => {
    try {
      return evaluate(check, env(values)) === true;
    } catch {
      return undefined;
    }
  };
  const literal = (e: Expr): Value | undefined => {
    if (e.kind !== "literal") return undefined;
    try {
      return evaluate(e, env(new Map()));
    } catch {
      return undefined;
    }
  };
  const where = (c: Candidate): string =>
    c.table && c.row !== undefined
      ? ` (${c.row === NO_MATCH ? "onNoMatch" : `linha ${c.row + 1}`} da tabela "${c.table.name}"${c.via ? `, copiada pela regra "${c.via.name}"` : ""})`
      : "";

  if (outputs.size === 1) {
    const [output] = [...outputs] as [string];
    const candidates = [...tableCandidates(model.tables, output), ...ruleCandidates(model.rules, model.tables, output)];
    const decl = model.outputs.get(output);
    for (const cand of candidates) {
      const value = literal(cand.expr);
      if (value === undefined) continue;
      if (holds(new Map([[output, value]])) === false)
        ctx.err("table/invariant", `este valor quebra o invariante "${name}"${where(cand)}`, cand.expr.range);
    }
    const plain = decl && ["string", "number", "integer", "boolean"].includes(decl.decl.type);
    if (decl && plain && decl.default !== undefined && decl.default !== null) {
      const value = decl.default as Value;
      if (holds(new Map([[output, value]])) === false)
        ctx.err("table/invariant", `o default de "${output}" quebra o invariante "${name}"`, decl.range);
    }
    return;
  }

  // Several outputs: each rule that writes all of them, with the values it writes together.
  for (const rule of model.rules) {
    const perOutput = new Map<string, Candidate[]>();
    for (const o of outputs) {
      const cands = ruleCandidates([rule], model.tables, o);
      if (cands.length > 0) perOutput.set(o, cands);
    }
    if (perOutput.size !== outputs.size) continue;
    for (const combo of combinations(perOutput)) {
      const values = new Map<string, Value>();
      let known = true;
      for (const [o, c] of combo) {
        const v = literal(c.expr);
        if (v === undefined) known = false;
        else values.set(o, v);
      }
      if (!known || holds(values) !== false) continue;
      const [, first] = [...combo][0] as [string, Candidate];
      const text = [...values].map(([o, v]) => `${o} = ${JSON.stringify(v)}`).join(", ");
      ctx.err(
        "table/invariant",
        `a regra "${rule.name}" escreve ${text}${where({ expr: first.expr, ...(first.table ? { table: first.table } : {}), ...(first.row !== undefined ? { row: first.row } : {}) })}, o que quebra o invariante "${name}"`,
        first.expr.range,
      );
      break;
    }
  }
}

/** Output cells of table columns named like the output. */
function tableCandidates(tables: readonly TableDecl[], output: string): Candidate[] {
  const out: Candidate[] = [];
  for (const t of tables) {
    const col = t.outputs.findIndex((c) => c.name === output);
    if (col < 0) continue;
    for (const r of t.rows) {
      const cell = r.outputs[col];
      if (cell) out.push({ expr: cell, table: t, row: r.index });
    }
    const fallback = t.onNoMatch?.outputs[col];
    if (fallback) out.push({ expr: fallback, table: t, row: NO_MATCH });
  }
  return out;
}

/** What the rules write into the output: `x = literal`, and the cells of `x = tabela.coluna`. */
function ruleCandidates(rules: readonly RuleDecl[], tables: readonly TableDecl[], output: string): Candidate[] {
  const out: Candidate[] = [];
  for (const rule of rules)
    for (const a of rule.then) {
      if (a.kind !== "assign" || a.target.length !== 1 || a.target[0] !== output) continue;
      const v = a.value;
      if (v.kind === "member" && v.object.kind === "name") {
        const tableName = v.object.name;
        const t = tables.find((x) => x.name === tableName && isSingleHit(x.hitPolicy));
        const col = t ? t.outputs.findIndex((c) => c.name === v.property) : -1;
        if (t && col >= 0) {
          const via = v.property !== output ? { via: rule } : {};
          for (const r of t.rows) {
            const cell = r.outputs[col];
            if (cell) out.push({ expr: cell, table: t, row: r.index, ...via });
          }
          const fallback = t.onNoMatch?.outputs[col];
          if (fallback) out.push({ expr: fallback, table: t, row: NO_MATCH, ...via });
          continue;
        }
      }
      out.push({ expr: v });
    }
  return out;
}

/**
 * The combinations of one candidate per output; candidates from the same table are taken from the
 * same row (a rule copying two columns of one table writes one row's cells together). Bounded.
 */
function* combinations(perOutput: ReadonlyMap<string, Candidate[]>): Generator<Map<string, Candidate>> {
  const entries = [...perOutput];
  let produced = 0;
  const walk = function* (i: number, acc: Map<string, Candidate>): Generator<Map<string, Candidate>> {
    if (produced >= MAX_COMBINATIONS) return;
    if (i === entries.length) {
      produced++;
      yield new Map(acc);
      return;
    }
    const [output, cands] = entries[i] as [string, Candidate[]];
    for (const c of cands) {
      const clash = [...acc.values()].some(
        (other) => other.table !== undefined && other.table === c.table && other.row !== c.row,
      );
      if (clash) continue;
      acc.set(output, c);
      yield* walk(i + 1, acc);
      acc.delete(output);
    }
  };
  yield* walk(0, new Map());
}
