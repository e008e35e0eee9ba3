/**
 * Mutation testing of a rule set's suite ("quanto a suíte pega"): small, valid changes of the YAML
 * text (mutants) — swap a table output, flip a comparison, shift a constant, drop a table row,
 * negate a condition or guard, swap two priorities, remove an action — each at a known Range of
 * the source, so a mutant is the original text with one replaced slice. `runMutant` compiles a
 * mutant and runs the suite against it: a case that fails kills it. A mutant that does not compile
 * (or check), or compiles to exactly what the original compiles to, is counted apart as
 * "inválido/equivalente", never as killed. For a survivor, `suggestCase` searches facts that reach
 * the mutated spot (the suite's own facts, with the row's cells or the condition's literals put in)
 * and returns the first for which the original and the mutant decide differently, with the
 * original's decision as the expectation: a case QA can paste into the suite, which kills it.
 *
 * Browser-safe (no Node imports): the CLI runs it in worker threads (cli/mutate-worker.ts), the
 * service in its authoring workers, the editor may run it in its web worker. Deterministic: the
 * same source and suite give the same mutants, in the same order, with the same outcomes.
 */
import { Document, isSeq, parse as parseYaml } from "yaml";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { compileSource } from "../dsl/compile/pipeline.js";
import type { Range } from "../dsl/diagnostics.js";
import { assertNever } from "../dsl/exhaustive.js";
import { createLineIndex } from "../dsl/positions.js";
import type { RuleSetModel, TableDecl } from "../dsl/ruleset/model.js";
import { type Expr, type UnaryTest, walkExpr } from "../dsl/syntax/ast.js";
import { isDecisionError } from "../engine/errors.js";
import { runtimeOf } from "../engine/index.js";
import { runSuite } from "./run.js";
import type { TestSuite } from "./suite.js";

export type MutationOperator =
  | "table-output"
  | "comparison"
  | "constant"
  | "drop-row"
  | "negate"
  | "priority-swap"
  | "remove-action";

/** A value to put into the facts to reach a mutated spot: a fact path and a value. */
export interface FactHint {
  readonly path: readonly string[];
  readonly value: unknown;
}

export interface Mutant {
  /** 1-based, in generation order. */
  readonly id: number;
  readonly operator: MutationOperator;
  /** The slice of the original source that the mutant replaces. */
  readonly range: Range;
  readonly replacement: string;
  /** What changed, in the analysts' terms (pt-BR). */
  readonly description: string;
  /** Facts that reach the mutated spot, tried together and one by one by `suggestCase`. */
  readonly hints: readonly FactHint[];
  /** Why the mutant is known to decide like the original without running it (then counted apart). */
  readonly equivalent?: string;
}

export interface GenerateOptions {
  /** Most mutants kept (the first ones in generation order); default DEFAULT_MAX_MUTANTS. */
  readonly maxMutants?: number;
}

/** Enough for every shipped rule set (the largest has about 250 mutants). */
export const DEFAULT_MAX_MUTANTS = 1000;

export interface GeneratedMutants {
  readonly mutants: readonly Mutant[];
  /** Mutants generated before the cap (more than `mutants.length` when the cap cut some). */
  readonly total: number;
}

/** The mutant's source: the original with one slice replaced. */
export function applyMutant(source: string, mutant: Pick<Mutant, "range" | "replacement">): string {
  return source.slice(0, mutant.range.start) + mutant.replacement + source.slice(mutant.range.end);
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

const FLIPPED: Readonly<Record<string, string>> = {
  "==": "!=",
  "!=": "==",
  "<": "<=",
  "<=": "<",
  ">": ">=",
  ">=": ">",
  and: "or",
  or: "and",
};

type Draft = Omit<Mutant, "id">;

/** Generates the mutants of a rule-set source (none when it does not load). */
export function generateMutants(source: string, options: GenerateOptions = {}): GeneratedMutants {
  const result = compileSource(source, { stopAfter: "load" });
  const model = result.model;
  if (!model || !result.ok) return { mutants: [], total: 0 };
  const drafts = new MutantGenerator(source, model).all();
  // One mutant per replaced slice and text (two operators may land on the same change).
  const seen = new Set<string>();
  const unique = drafts.filter((d) => {
    const key = `${d.range.start}:${d.range.end}:${d.replacement}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const max = options.maxMutants ?? DEFAULT_MAX_MUTANTS;
  return { mutants: unique.slice(0, Math.max(0, max)).map((d, i) => ({ id: i + 1, ...d })), total: unique.length };
}

class MutantGenerator {
  private readonly out: Draft[] = [];

  constructor(
    private readonly source: string,
    private readonly model: RuleSetModel,
  ) {}

  private text(r: Range): string {
    return this.source.slice(r.start, r.end);
  }

  private add(d: Draft): void {
    if (d.range.start < 0 || d.range.end > this.source.length || d.range.start > d.range.end) return;
    if (this.text(d.range) === d.replacement) return;
    this.out.push(d);
  }

  all(): Draft[] {
    const m = this.model;
    for (const [name, c] of m.constants) this.expression(c.expr, `constante ${name}`);
    for (const [name, v] of m.values) this.expression(v.expr, `valor ${name}`);
    for (const [name, c] of m.collections) if (c.where) this.expression(c.where, `coleção ${name} (where)`);
    for (const t of m.tables) this.table(t);
    if (m.validations) {
      for (const v of m.validations.items) {
        const where = `validação de ${v.field}`;
        if (v.when) {
          this.negate(v.when, `${where} (when)`);
          this.expression(v.when, `${where} (when)`);
        }
        this.negate(v.require, `${where} (require)`);
        this.expression(v.require, `${where} (require)`);
      }
    }
    if (m.transitions) {
      for (const g of m.transitions.guards) {
        this.negate(g.require, "guarda geral das transições");
        this.expression(g.require, "guarda geral das transições");
      }
      for (const t of m.transitions.allow) {
        const where = `transição ${t.from} → ${t.to}`;
        for (const r of t.requires) this.expression(r.expr, `${where} (requires)`);
        for (const g of t.guards) {
          this.negate(g.require, `guarda da ${where}`);
          this.expression(g.require, `guarda da ${where}`);
        }
      }
    }
    for (const r of m.rules) {
      const where = `regra "${r.name}"`;
      if (r.when) {
        this.negate(r.when, where);
        this.expression(r.when, `${where} (when)`);
      }
      for (const a of r.then) this.expression(a.value, `${where} (${a.target.join(".")})`);
      if (r.then.length > 1) {
        for (const a of r.then) {
          const range = this.wholeLines(a.range, /^\s*-?\s*$/);
          if (range)
            this.add({
              operator: "remove-action",
              range,
              replacement: "",
              description: `${where}: ação removida: ${this.text(a.range)}`,
              hints: this.hintsOf(r.when),
            });
        }
      }
    }
    this.priorities();
    return this.out;
  }

  /** The lines spanning `r` (with their line break), when the text before it on its first line matches `before` and nothing but spaces or a comment follows it. */
  private wholeLines(r: Range, before: RegExp): Range | undefined {
    const start = this.source.lastIndexOf("\n", r.start - 1) + 1;
    if (!before.test(this.source.slice(start, r.start))) return undefined;
    let end = this.source.indexOf("\n", r.end);
    if (end < 0) end = this.source.length;
    if (!/^\s*(?:#.*)?$/.test(this.source.slice(r.end, end))) return undefined;
    return { start, end: Math.min(this.source.length, end + 1) };
  }

  private negate(e: Expr, where: string): void {
    this.add({
      operator: "negate",
      range: e.range,
      replacement: `not (${this.text(e.range)})`,
      description: `${where}: condição negada (not (${oneLine(this.text(e.range))}))`,
      hints: this.hintsOf(e),
    });
  }

  /** The values that reach every table row and every rule's condition, without repeats, in source order. */
  allHints(): FactHint[] {
    const all: FactHint[] = [];
    for (const t of this.model.tables) for (const row of t.rows) all.push(...this.rowHints(t, row.inputs));
    for (const r of this.model.rules) all.push(...this.hintsOf(r.when));
    const seen = new Set<string>();
    return all.filter((h) => {
      const key = JSON.stringify([h.path, h.value === undefined ? "(sem valor)" : h.value]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** Comparison flips and constant shifts inside an expression. */
  private expression(root: Expr, where: string): void {
    const hints = this.hintsOf(root);
    walkExpr(root, (e) => {
      switch (e.kind) {
        case "binary": {
          const flipped = FLIPPED[e.operator];
          if (!flipped) break;
          const range = this.operatorRange(e.left.range.end, e.right.range.start, e.operator);
          if (range)
            this.add({
              operator: "comparison",
              range,
              replacement: flipped,
              description: `${where}: ${e.operator} → ${flipped} em ${oneLine(this.text(e.range))}`,
              hints,
            });
          break;
        }
        case "logical": {
          const flipped = FLIPPED[e.operator] as string;
          for (let i = 0; i + 1 < e.operands.length; i++) {
            const left = e.operands[i] as Expr;
            const right = e.operands[i + 1] as Expr;
            const range = this.operatorRange(left.range.end, right.range.start, e.operator);
            if (range)
              this.add({
                operator: "comparison",
                range,
                replacement: flipped,
                description: `${where}: ${e.operator} → ${flipped} entre ${oneLine(this.text(left.range))} e ${oneLine(this.text(right.range))}`,
                hints,
              });
          }
          break;
        }
        case "literal":
          for (const shifted of shiftLiteral(e.literal, this.text(e.range)))
            this.add({
              operator: "constant",
              range: e.range,
              replacement: shifted,
              description: `${where}: ${this.text(e.range)} → ${shifted}`,
              hints,
            });
          break;
        default:
          break;
      }
    });
  }

  /** Where `operator` is written between two offsets (only spaces, parentheses and comments around it). */
  private operatorRange(from: number, to: number, operator: string): Range | undefined {
    const between = this.source.slice(from, to);
    const pattern = /^[\s()]*$/;
    const at = between.indexOf(operator);
    if (at < 0) return undefined;
    if (!pattern.test(between.slice(0, at)) || !pattern.test(between.slice(at + operator.length))) return undefined;
    return { start: from + at, end: from + at + operator.length };
  }

  private table(t: TableDecl): void {
    const where = `tabela ${t.name}`;
    if (t.when) {
      this.negate(t.when, `${where} (when)`);
      this.expression(t.when, `${where} (when)`);
    }
    // The values each output column takes, with the text of the first cell that writes each one.
    const domains = t.outputs.map((col, i) => {
      const values = new Map<string, string>();
      for (const row of t.rows) {
        const cell = row.outputs[i];
        if (cell?.kind === "literal" && cell.literal.type !== "null") {
          const key = JSON.stringify(literalValue(cell.literal));
          if (!values.has(key)) values.set(key, this.text(cell.range));
        }
      }
      const decl = this.model.outputs.get(col.name)?.decl;
      for (const v of decl?.enum ?? []) {
        const key = JSON.stringify(v);
        if (!values.has(key)) values.set(key, JSON.stringify(v));
      }
      return values;
    });
    for (const row of t.rows) {
      const label = `linha ${row.index + 1} da tabela ${t.name}`;
      const hints = this.rowHints(t, row.inputs);
      row.inputs.forEach((cell, i) => {
        this.cell(cell, `${label}, ${t.inputs[i]?.name ?? "entrada"}`, hints);
      });
      row.outputs.forEach((cell, i) => {
        const col = t.outputs[i]?.name ?? "saída";
        if (cell.kind !== "literal") return;
        const lit = cell.literal;
        const written = this.text(cell.range);
        let next: string | undefined;
        if (lit.type === "boolean") next = String(!lit.value);
        else if (lit.type !== "null") {
          const keys = [...(domains[i]?.keys() ?? [])];
          const at = keys.indexOf(JSON.stringify(literalValue(lit)));
          const other = keys.length > 1 ? keys[(at + 1) % keys.length] : undefined;
          next = other !== undefined ? domains[i]?.get(other) : undefined;
        }
        if (next !== undefined)
          this.add({
            operator: "table-output",
            range: cell.range,
            replacement: next,
            description: `${label}: ${col} ${written} → ${next}`,
            hints,
          });
      });
      const range = this.wholeLines(row.range, /^\s*-\s*$/);
      if (range)
        this.add({
          operator: "drop-row",
          range,
          replacement: "",
          description: `${label} removida`,
          hints,
        });
    }
  }

  /** Comparison flips and constant shifts inside one input cell. */
  private cell(test: UnaryTest, where: string, hints: readonly FactHint[]): void {
    switch (test.kind) {
      case "any":
        return;
      case "compare": {
        const written = this.text(test.range);
        const flipped = FLIPPED[test.operator];
        // Only an operator written in the cell (a bare value is an implicit ==).
        if (flipped && written.trimStart().startsWith(test.operator)) {
          const at = test.range.start + written.indexOf(test.operator);
          this.add({
            operator: "comparison",
            range: { start: at, end: at + test.operator.length },
            replacement: flipped,
            description: `${where}: ${test.operator} → ${flipped} em ${oneLine(written)}`,
            hints,
          });
        }
        this.literalIn(test.value, where, hints);
        return;
      }
      case "range":
        this.literalIn(test.low, where, hints);
        this.literalIn(test.high, where, hints);
        return;
      case "oneOf":
        for (const t of test.tests) this.cell(t, where, hints);
        return;
      case "not":
        this.cell(test.test, where, hints);
        return;
      default:
        assertNever(test, "unary test");
    }
  }

  private literalIn(e: Expr, where: string, hints: readonly FactHint[]): void {
    if (e.kind !== "literal") return;
    const written = this.text(e.range);
    // A cell's text as YAML wrote it (a plain `10` or a quoted date) is shifted only when it is the literal itself.
    for (const shifted of shiftLiteral(e.literal, written))
      this.add({
        operator: "constant",
        range: e.range,
        replacement: shifted,
        description: `${where}: ${written} → ${shifted}`,
        hints,
      });
  }

  /** Swaps the priorities of rules of adjacent priority levels (the first rule of each level). */
  private priorities(): void {
    const written = this.model.rules
      .map((r) => {
        const text = this.text(r.range);
        const match = /(^|[\s{,])priority:[ \t]*(-?\d+)/.exec(text);
        if (!match) return undefined;
        const start = r.range.start + match.index + match[0].length - (match[2] as string).length;
        return { rule: r, range: { start, end: start + (match[2] as string).length } };
      })
      .filter((x) => x !== undefined);
    const levels = [...new Set(written.map((w) => w.rule.priority))].sort((a, b) => b - a);
    for (let i = 0; i + 1 < levels.length; i++) {
      const a = written.find((w) => w.rule.priority === levels[i]);
      const b = written.find((w) => w.rule.priority === levels[i + 1]);
      if (!a || !b) continue;
      const [first, second] = a.range.start < b.range.start ? [a, b] : [b, a];
      const middle = this.source.slice(first.range.end, second.range.start);
      // Alone on their levels and never both true: at most one of them fires, in either order.
      const alone = (p: number) => this.model.rules.filter((r) => r.priority === p).length === 1;
      const clash =
        alone(a.rule.priority) && alone(b.rule.priority) ? this.contradiction(a.rule.when, b.rule.when) : undefined;
      this.add({
        ...(clash ? { equivalent: `as duas regras nunca valem juntas (${clash})` } : {}),
        operator: "priority-swap",
        range: { start: first.range.start, end: second.range.end },
        replacement: `${second.rule.priority}${middle}${first.rule.priority}`,
        description: `prioridades trocadas: regra "${a.rule.name}" (${a.rule.priority}) ↔ regra "${b.rule.name}" (${b.rule.priority})`,
        hints: [...this.hintsOf(a.rule.when), ...this.hintsOf(b.rule.when)],
      });
    }
  }

  /**
   * A pair of top-level conditions (joined by `and`) of two `when`s that no input satisfies together
   * (`x == "A"` and `x != "A"` or `x == "B"`, `p` and `not p`, `x is null` and `x == "A"`), as text.
   */
  private contradiction(a: Expr | undefined, b: Expr | undefined): string | undefined {
    if (!a || !b) return undefined;
    const atomsA = this.atoms(a);
    const atomsB = this.atoms(b);
    for (const x of atomsA)
      for (const y of atomsB) {
        if (x.path !== y.path) continue;
        const clash =
          (x.op === "==" && y.op === "==" && x.value !== y.value) ||
          (x.op === "==" && y.op === "!=" && x.value === y.value) ||
          (x.op === "!=" && y.op === "==" && x.value === y.value);
        if (clash) return `${oneLine(this.text(x.expr.range))} × ${oneLine(this.text(y.expr.range))}`;
      }
    return undefined;
  }

  /** The top-level `and` conditions of a `when` that compare one fact with one constant (null included), as keys. */
  private atoms(root: Expr): { path: string; op: "==" | "!="; value: string; expr: Expr }[] {
    const parts = root.kind === "logical" && root.operator === "and" ? root.operands : [root];
    const out: { path: string; op: "==" | "!="; value: string; expr: Expr }[] = [];
    for (const e of parts) {
      const direct = this.factPath(e);
      if (direct) out.push({ path: direct.join("."), op: "==", value: "true", expr: e });
      else if (e.kind === "unary" && e.operator === "not") {
        const path = this.factPath(e.operand);
        if (path) out.push({ path: path.join("."), op: "==", value: "false", expr: e });
      } else if (e.kind === "isNull") {
        const path = this.factPath(e.operand);
        if (path) out.push({ path: path.join("."), op: e.negated ? "!=" : "==", value: "null", expr: e });
      } else if (e.kind === "binary" && (e.operator === "==" || e.operator === "!=")) {
        const path = this.factPath(e.left) ?? this.factPath(e.right);
        const value = this.factPath(e.left) ? this.constantValue(e.right) : this.constantValue(e.left);
        if (path && value)
          out.push({ path: path.join("."), op: e.operator, value: JSON.stringify(value.value), expr: e });
      }
    }
    return out;
  }

  // --- hints: facts that reach a spot ---------------------------------------------------------

  /** The fact path an expression reads (`servico`, `protocolo.status`), if it is one. */
  private factPath(e: Expr): string[] | undefined {
    if (e.kind === "name") return this.model.facts.has(e.name) ? [e.name] : undefined;
    if (e.kind === "member") {
      const inner = this.factPath(e.object);
      return inner ? [...inner, e.property] : undefined;
    }
    return undefined;
  }

  /** The value of a literal or a constant's name. */
  private constantValue(e: Expr): { value: unknown } | undefined {
    if (e.kind === "literal") return { value: literalValue(e.literal) };
    if (e.kind === "name" && !this.model.facts.has(e.name)) {
      const c = this.model.constants.get(e.name);
      if (c) return { value: c.value };
    }
    if (e.kind === "list") {
      const items = e.items.map((i) => this.constantValue(i));
      if (items.every((i) => i !== undefined)) return { value: items.map((i) => i?.value) };
    }
    return undefined;
  }

  private hintsOf(root: Expr | undefined): FactHint[] {
    if (!root) return [];
    const out: FactHint[] = [];
    walkExpr(root, (e) => {
      if (e.kind === "binary") {
        for (const [side, other] of [
          [e.left, e.right],
          [e.right, e.left],
        ] as const) {
          const path = this.factPath(side);
          const value = this.constantValue(other);
          if (!path || !value) continue;
          if (e.operator === "in" || e.operator === "not in") {
            if (Array.isArray(value.value) && value.value.length > 0) out.push({ path, value: value.value[0] });
          } else if (e.operator === "contains" && side === e.left) out.push({ path, value: [value.value] });
          else out.push(...nearby(path, value.value));
        }
      } else if (e.kind === "unary" && e.operator === "not") {
        const path = this.factPath(e.operand);
        if (path) out.push({ path, value: false });
      } else if (e.kind === "logical") {
        for (const o of e.operands) {
          const path = this.factPath(o);
          if (path) out.push({ path, value: true });
        }
      } else if (e.kind === "call" && e.callee === "isBlank" && e.args.length === 1) {
        const path = this.factPath(e.args[0] as Expr);
        if (path) out.push({ path, value: undefined });
      } else if (e.kind === "isNull") {
        const path = this.factPath(e.operand);
        if (path) out.push({ path, value: null });
      }
    });
    const path = this.factPath(root);
    if (path) out.push({ path, value: true }, { path, value: false });
    return out;
  }

  private rowHints(t: TableDecl, cells: readonly UnaryTest[]): FactHint[] {
    const out: FactHint[] = [];
    cells.forEach((cell, i) => {
      const column = t.inputs[i];
      const path = column?.expr ? this.factPath(column.expr) : undefined;
      if (!path) return;
      const value = cellValue(cell, (e) => this.constantValue(e));
      if (value) out.push({ path, value: value.value });
    });
    return out;
  }
}

/** A value that satisfies a cell (the first alternative; a range's low end), if one is written. */
function cellValue(
  cell: UnaryTest,
  constant: (e: Expr) => { value: unknown } | undefined,
): { value: unknown } | undefined {
  switch (cell.kind) {
    case "any":
    case "not":
      return undefined;
    case "compare":
      return cell.operator === "==" ? constant(cell.value) : undefined;
    case "range":
      return constant(cell.low);
    case "oneOf": {
      for (const t of cell.tests) {
        const v = cellValue(t, constant);
        if (v) return v;
      }
      return undefined;
    }
    default:
      return assertNever(cell, "unary test");
  }
}

/** The value and its neighbours (numbers ±1, dates ±1 day) as hints for one path. */
function nearby(path: readonly string[], value: unknown): FactHint[] {
  const out: FactHint[] = [{ path, value }];
  if (typeof value === "number") out.push({ path, value: value - 1 }, { path, value: value + 1 });
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value))
    out.push({ path, value: shiftDate(value, -1) }, { path, value: shiftDate(value, 1) });
  return out;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}…` : flat;
}

function literalValue(lit: Extract<Expr, { kind: "literal" }>["literal"]): unknown {
  return lit.type === "null" ? null : lit.value;
}

/** The texts a literal shifts to: numbers ±1, dates and date-times ±1 of their last unit, durations ±1 of their first unit. */
function shiftLiteral(lit: Extract<Expr, { kind: "literal" }>["literal"], written: string): string[] {
  switch (lit.type) {
    case "number": {
      // Only a number written as itself (not 1e3, not inside quotes).
      if (!/^\d+(?:\.\d+)?$/.test(written)) return [];
      const decimals = written.includes(".") ? (written.split(".")[1] as string).length : 0;
      const down = lit.value - 1;
      return [...(down >= 0 ? [down.toFixed(decimals)] : []), (lit.value + 1).toFixed(decimals)];
    }
    case "date":
      return written === lit.value ? [shiftDate(lit.value, -1), shiftDate(lit.value, 1)] : [];
    case "datetime": {
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(.*)$/.exec(written);
      if (!m) return [];
      const [, y, mo, d, h, mi, s, rest] = m;
      const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
      const unit = s !== undefined ? 1000 : 60_000;
      const fmt = (t: number) => {
        const iso = new Date(t).toISOString();
        return `${iso.slice(0, s !== undefined ? 19 : 16)}${s !== undefined ? (rest ?? "").replace(/^\.\d+/, "") : (rest ?? "")}`;
      };
      return [fmt(base - unit), fmt(base + unit)];
    }
    case "duration": {
      const m = /^(\d+)(.*)$/.exec(written);
      if (!m) return [];
      const n = Number(m[1]);
      return [...(n > 1 ? [`${n - 1}${m[2]}`] : []), `${n + 1}${m[2]}`];
    }
    case "string":
    case "boolean":
    case "null":
      return [];
    default:
      return assertNever(lit, "literal type");
  }
}

function shiftDate(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

export type MutantStatus = "killed" | "survived" | "invalid" | "equivalent";

export interface SuggestedCase {
  readonly name: string;
  /** Facts of the suite's `defaults` the case leaves out. */
  readonly omit?: readonly string[];
  readonly facts: Record<string, unknown>;
  readonly expect?: Record<string, unknown>;
  readonly expectError?: { readonly code: string };
  /** The case in the suite format (docs/testing.md), ready to paste under `cases:`. */
  readonly yaml: string;
}

export interface MutantOutcome {
  readonly id: number;
  readonly status: MutantStatus;
  /** The first case (in suite order) that failed against the mutant. */
  readonly killedBy?: string;
  /** Survivors: a case that tells the mutant from the original, when one was found. */
  readonly suggestedCase?: SuggestedCase;
}

/** What is computed once per rule set and shared by all its mutants. */
export interface MutationSubject {
  readonly source: string;
  readonly compiled: CompiledRuleSet;
  readonly suite: TestSuite;
  /** The suite's `defaults.facts` (left out of suggested cases' facts). */
  readonly defaults: Record<string, unknown>;
  /** The compiled rule set without positions, to recognise equivalent mutants. */
  readonly fingerprint: string;
  /** Every value that reaches some spot of the rule set (for survivors whose own spot gives none that work). */
  readonly hints: readonly FactHint[];
}

/**
 * Prepares a rule set and its (loaded) suite for mutation; undefined when the source does not
 * compile. Only the cases that pass against the original count (a failing case would "kill" every
 * mutant): the others are listed in `failing`.
 */
export async function prepareSubject(
  source: string,
  suite: TestSuite,
  suiteSource?: string,
): Promise<(MutationSubject & { readonly failing: readonly string[] }) | undefined> {
  const result = compileSource(source);
  if (!result.ok || !result.compiled) return undefined;
  let defaults: Record<string, unknown> = {};
  if (suiteSource !== undefined) {
    try {
      const parsed = parseYaml(suiteSource) as { defaults?: { facts?: unknown } } | null;
      const facts = parsed?.defaults?.facts;
      if (facts && typeof facts === "object" && !Array.isArray(facts)) defaults = facts as Record<string, unknown>;
    } catch {
      defaults = {};
    }
  }
  const baseline = await runSuite(result.compiled, suite);
  const failing = baseline.cases.filter((c) => !c.passed).map((c) => c.name);
  const passing = suite.cases.filter((c) => !failing.includes(c.name));
  return {
    source,
    compiled: result.compiled,
    suite: { ...suite, cases: passing },
    defaults,
    fingerprint: fingerprint(result.compiled),
    hints: result.model ? new MutantGenerator(source, result.model).allHints() : [],
    failing,
  };
}

function fingerprint(compiled: CompiledRuleSet): string {
  return JSON.stringify({ ...compiled, sourceMap: undefined });
}

/** Compiles one mutant and runs the suite against it (stopping at the first failing case). */
export async function runMutant(subject: MutationSubject, mutant: Mutant): Promise<MutantOutcome> {
  if (mutant.equivalent) return { id: mutant.id, status: "equivalent" };
  const source = applyMutant(subject.source, mutant);
  let compiled: CompiledRuleSet | undefined;
  try {
    const result = compileSource(source);
    compiled = result.ok ? result.compiled : undefined;
    if (compiled && fingerprint(compiled) === subject.fingerprint) return { id: mutant.id, status: "equivalent" };
    // The runtime must build too (the fact validator and the engine), as a publish requires.
    if (compiled) runtimeOf(compiled).prepare();
  } catch {
    compiled = undefined;
  }
  if (!compiled) return { id: mutant.id, status: "invalid" };
  for (const c of subject.suite.cases) {
    let passed: boolean;
    try {
      const result = await runSuite(compiled, { ...subject.suite, cases: [c] });
      passed = result.failed === 0;
    } catch {
      passed = false;
    }
    if (!passed) return { id: mutant.id, status: "killed", killedBy: c.name };
  }
  const suggestedCase = await suggestCase(subject, compiled, mutant);
  return { id: mutant.id, status: "survived", ...(suggestedCase ? { suggestedCase } : {}) };
}

/** Most fact sets tried per survivor. */
const MAX_CANDIDATES = 1500;
/** Suite fact sets combined with the rule set's other values. */
const FARTHER_BASES = 12;

type Outcome = { decision: Record<string, unknown> } | { error: string };

async function outcomeOf(compiled: CompiledRuleSet, facts: unknown): Promise<Outcome | undefined> {
  try {
    const r = await runtimeOf(compiled).decide(facts);
    return { decision: r.decision };
  } catch (e) {
    if (isDecisionError(e)) return { error: e.code };
    return undefined;
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at: Record<string, unknown> = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = at[key];
    if (!next || typeof next !== "object" || Array.isArray(next)) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  if (value === undefined) delete at[last];
  else at[last] = value;
}

function withHints(base: Record<string, unknown>, hints: readonly FactHint[]): Record<string, unknown> {
  const facts = structuredClone(base);
  for (const h of hints) setPath(facts, h.path, structuredClone(h.value));
  return facts;
}

/** Fact sets to try, most specific first: every hint at once, then each alone, then the suite's facts as they are. */
function* candidates(subject: MutationSubject, mutant: Mutant): Generator<Record<string, unknown>> {
  const bases = subject.suite.cases.filter((c) => !c.expectError).map((c) => c.facts);
  if (bases.length === 0) bases.push({ ...subject.defaults });
  const seen = new Set<string>();
  const fresh = (f: Record<string, unknown>) => {
    const key = JSON.stringify(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const groups: (readonly FactHint[])[] = [];
  if (mutant.hints.length > 0) groups.push(mutant.hints);
  if (mutant.hints.length > 1) for (const h of mutant.hints) groups.push([h]);
  groups.push([]);
  for (const g of groups)
    for (const base of bases) {
      const facts = withHints(base, g);
      if (fresh(facts)) yield facts;
    }
  // Farther: the values written anywhere in the rule set (table cells, conditions), one at a time,
  // over the first suite facts, each value tried on every base before the next value.
  for (const h of subject.hints)
    for (const base of bases.slice(0, FARTHER_BASES)) {
      const facts = withHints(base, [h]);
      if (fresh(facts)) yield facts;
    }
}

/** A case that the original rule set passes and the mutant fails, searched near the mutated spot. */
export async function suggestCase(
  subject: MutationSubject,
  mutantCompiled: CompiledRuleSet,
  mutant: Mutant,
): Promise<SuggestedCase | undefined> {
  let tried = 0;
  for (const facts of candidates(subject, mutant)) {
    if (++tried > MAX_CANDIDATES) break;
    const original = await outcomeOf(subject.compiled, facts);
    const changed = await outcomeOf(mutantCompiled, facts);
    if (!original || !changed || JSON.stringify(original) === JSON.stringify(changed)) continue;
    const name = `mutante ${mutant.id} · ${oneLine(mutant.description)}`;
    const kept = await minimise(subject, mutantCompiled, facts, original);
    const shown = withoutDefaults(kept.facts, subject.defaults);
    const omit = Object.keys(subject.defaults).filter((k) => !Object.hasOwn(kept.facts, k));
    return caseOf(name, shown, omit, kept.original, kept.changed);
  }
  return undefined;
}

function caseOf(
  name: string,
  shown: Record<string, unknown>,
  omit: readonly string[],
  original: Outcome,
  changed: Outcome,
): SuggestedCase {
  const omitted = omit.length > 0 ? { omit } : {};
  if ("error" in original) {
    const expectError = { code: original.error };
    return {
      name,
      ...omitted,
      facts: shown,
      expectError,
      yaml: caseYaml({ name, ...omitted, facts: shown, expectError }),
    };
  }
  // The fields the mutant gets wrong (all of them when the mutant refuses the facts).
  const expect: Record<string, unknown> = {};
  const other = "decision" in changed ? changed.decision : undefined;
  for (const [k, v] of Object.entries(original.decision)) {
    if (!other || JSON.stringify(other[k]) !== JSON.stringify(v)) expect[k] = v;
  }
  return { name, ...omitted, facts: shown, expect, yaml: caseYaml({ name, ...omitted, facts: shown, expect }) };
}

/**
 * Leaves out, one at a time, the top-level facts the difference does not need (a suggested case
 * should show what matters; facts equal to the suite's defaults stay, they do not show): a fact stays when without it both decide alike, or the original
 * refuses the facts while it did not before.
 */
async function minimise(
  subject: MutationSubject,
  mutantCompiled: CompiledRuleSet,
  facts: Record<string, unknown>,
  original: Outcome,
): Promise<{ facts: Record<string, unknown>; original: Outcome; changed: Outcome }> {
  let current = facts;
  let currentOriginal = original;
  let currentChanged = (await outcomeOf(mutantCompiled, facts)) as Outcome;
  for (const key of Object.keys(facts)) {
    // A fact as the suite's defaults give it does not show in the case: keeping it is shorter than omitting it.
    if (Object.hasOwn(subject.defaults, key) && JSON.stringify(subject.defaults[key]) === JSON.stringify(facts[key]))
      continue;
    const fewer = { ...current };
    delete fewer[key];
    const o = await outcomeOf(subject.compiled, fewer);
    const c = await outcomeOf(mutantCompiled, fewer);
    if (!o || !c || JSON.stringify(o) === JSON.stringify(c)) continue;
    if ("error" in o && !("error" in original)) continue;
    current = fewer;
    currentOriginal = o;
    currentChanged = c;
  }
  return { facts: current, original: currentOriginal, changed: currentChanged };
}

function withoutDefaults(facts: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(facts))
    if (!Object.hasOwn(defaults, k) || JSON.stringify(defaults[k]) !== JSON.stringify(v)) out[k] = v;
  return out;
}

function caseYaml(c: {
  name: string;
  omit?: readonly string[];
  facts: Record<string, unknown>;
  expect?: unknown;
  expectError?: unknown;
}): string {
  const { name, omit, facts, ...expected } = c;
  const doc = new Document([{ name, tags: ["mutante"], ...(omit ? { omit } : {}), facts, ...expected }]);
  for (const key of ["tags", "omit"]) {
    const seq = doc.getIn([0, key], true);
    if (isSeq(seq)) seq.flow = true;
  }
  const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  return text
    .split("\n")
    .map((l) => (l ? `  ${l}` : l))
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

export interface MutantReport extends Mutant, MutantOutcome {
  /** 1-based position of the replaced slice in the source. */
  readonly line: number;
  readonly column: number;
}

export interface MutationReport {
  readonly ruleset: string;
  /** Killed / (killed + survived), 0–100 with one decimal (100 when there is no valid mutant). */
  readonly score: number;
  readonly total: number;
  readonly killed: number;
  readonly survived: number;
  /** Mutants that do not compile or compile to the original: not counted in the score. */
  readonly invalid: number;
  readonly equivalent: number;
  /** Mutants left out by the cap. */
  readonly capped: number;
  readonly mutants: readonly MutantReport[];
}

/** Killed / (killed + survived) in percent, one decimal, rounded down (100 with no valid mutant). */
export function mutationScore(killed: number, survived: number): number {
  const valid = killed + survived;
  return valid === 0 ? 100 : Math.floor((killed / valid) * 1000) / 10;
}

/** Puts outcomes (in any order) together with their mutants into the report. */
export function mutationReport(
  ruleset: string,
  source: string,
  generated: GeneratedMutants,
  outcomes: readonly MutantOutcome[],
): MutationReport {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const index = createLineIndex(source);
  const mutants = generated.mutants.map((m): MutantReport => {
    const o = byId.get(m.id) ?? { id: m.id, status: "invalid" as const };
    const pos = index.toPosition(m.range.start);
    return { ...m, ...o, line: pos.line, column: pos.column };
  });
  const count = (s: MutantStatus) => mutants.filter((m) => m.status === s).length;
  const killed = count("killed");
  const survived = count("survived");
  return {
    ruleset,
    score: mutationScore(killed, survived),
    total: mutants.length,
    killed,
    survived,
    invalid: count("invalid"),
    equivalent: count("equivalent"),
    capped: generated.total - generated.mutants.length,
    mutants,
  };
}

/** Generates, runs (one after another, on this thread) and reports: for the service's worker and the editor. */
export async function mutateSuite(
  source: string,
  suite: TestSuite,
  suiteSource: string,
  options: GenerateOptions = {},
): Promise<MutationReport | undefined> {
  const subject = await prepareSubject(source, suite, suiteSource);
  if (!subject) return undefined;
  const generated = generateMutants(source, options);
  const outcomes: MutantOutcome[] = [];
  for (const m of generated.mutants) outcomes.push(await runMutant(subject, m));
  return mutationReport(subject.compiled.name, source, generated, outcomes);
}
