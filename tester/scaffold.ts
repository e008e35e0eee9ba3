/**
 * `rules test --scaffold`: writes the skeleton of a test suite (the format of `suite.ts`) from a
 * rule set, for QA to complete.
 *
 * - With `transitions`: one case per allowed transition (the from/to states, a value for each
 *   required field, and for each guard either a fact value that makes it hold, where the guard
 *   compares facts with constants, or a `# TODO` naming what must hold); one case per guard that
 *   refuses (and per required field left blank), expecting the refusal and its reason where the
 *   reason is plain text or reads only facts; one case for a pair that is not allowed and one from
 *   a terminal state.
 * - Without: one case per rule (facts that make its `when` hold where it compares facts with
 *   constants; literal values it assigns as the expectation) and one per table row (facts from the
 *   row's literal cells; the row expected in `fired`).
 *
 * Required facts get typed, synthetic placeholder values (the first enum value, the minimum,
 * `false`, an ISO date). Expectations come from the rule set as written, never from running it;
 * each case is then decided once by the engine, and a case whose facts do not (yet) lead to its
 * expectation gets the tag `todo` and a `# TODO` comment with what the decision is now, so that
 * the suite passes as generated only where the expectations hold.
 */
import { stringify } from "yaml";
import { compileSource } from "../dsl/compile/pipeline.js";
import type { Diagnostic } from "../dsl/diagnostics.js";
import {
  candidates,
  conjuncts,
  type FactPath,
  factPathOf,
  holds,
  OTHER_TEXT,
  shapeOf,
} from "../dsl/check/guard-logic.js";
import { printExpr } from "../dsl/format/print-expr.js";
import type { FieldDecl, RuleSetModel, TemplateDecl, TypeDecl } from "../dsl/ruleset/model.js";
import type { Expr, UnaryTest } from "../dsl/syntax/ast.js";
import type { Value } from "../dsl/values.js";
import { isDecisionError } from "../engine/errors.js";
import { decide } from "../engine/index.js";
import { diffValues } from "./diff.js";

export interface ScaffoldCase {
  readonly name: string;
  readonly tags: readonly string[];
  /** Comment lines written above the case's facts (without `#`). */
  readonly notes: readonly string[];
  readonly facts: Record<string, unknown>;
  readonly expect: Record<string, unknown>;
  readonly fired?: readonly string[];
  /** True when the engine's decision for these facts does not (yet) match the expectation. */
  readonly todo: boolean;
}

export type ScaffoldResult =
  | {
      readonly ok: true;
      readonly text: string;
      readonly cases: readonly ScaffoldCase[];
      /** Placeholder facts shared by the cases (`defaults.facts`). */
      readonly defaults: Record<string, unknown>;
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export interface ScaffoldOptions {
  /** The rule file as the user named it, for the header comment. */
  readonly file?: string;
}

type Facts = Record<string, unknown>;

/** A case before its verification. */
interface Draft {
  name: string;
  tags: string[];
  notes: string[];
  facts: Facts;
  expect: Record<string, unknown>;
  fired?: string[];
}

/** Builds the suite skeleton of a rule-set source. */
export async function scaffoldSuite(source: string, options: ScaffoldOptions = {}): Promise<ScaffoldResult> {
  const compiled = compileSource(source);
  if (!compiled.ok || !compiled.compiled || !compiled.model) return { ok: false, diagnostics: compiled.diagnostics };
  const model = compiled.model;
  const defaults = placeholderFacts(model);
  const drafts = model.transitions ? transitionCases(model, defaults) : ruleAndRowCases(model, defaults);
  uniqueNames(drafts);
  const cases: ScaffoldCase[] = [];
  for (const d of drafts) {
    const facts = merged(defaults, d.facts);
    let todo = false;
    const notes = [...d.notes];
    try {
      const result = await decide(compiled.compiled, facts);
      const differences = diffValues(d.expect, result.decision, false);
      const notFired = (d.fired ?? []).filter((f) => !result.fired.includes(f));
      if (differences.length > 0 || notFired.length > 0) {
        todo = true;
        const now = Object.keys(d.expect)
          .map((k) => `${k}: ${shorten(JSON.stringify(result.decision[k] ?? null))}`)
          .join(", ");
        notes.push(
          `TODO: com estes fatos a decisão hoje é { ${now} }${notFired.length ? ` e não dispara ${notFired.map((f) => `"${f}"`).join(", ")}` : ""}: complete os fatos (veja as condições acima) ou confira a regra`,
        );
      }
    } catch (e) {
      if (!isDecisionError(e)) throw e;
      todo = true;
      const details = e.details.map((x) => `${x.path ?? ""} ${x.message}`.trim()).join("; ");
      notes.push(`TODO: estes fatos são recusados (${e.code}): ${details || e.message}`);
    }
    cases.push({
      name: d.name,
      tags: todo ? [...d.tags, "todo"] : d.tags,
      notes,
      facts: d.facts,
      expect: d.expect,
      ...(d.fired ? { fired: d.fired } : {}),
      todo,
    });
  }
  return { ok: true, text: render(model, defaults, cases, options), cases, defaults };
}

// ---------------------------------------------------------------------------------------------
// placeholder facts

/** A typed, synthetic value for a declared type. */
export function placeholder(decl: TypeDecl): unknown {
  switch (decl.type) {
    case "string":
      return decl.enum?.[0] ?? "exemplo";
    case "number":
    case "integer": {
      const n = decl.minimum ?? (decl.maximum !== undefined && decl.maximum < 0 ? decl.maximum : 0);
      return decl.type === "integer" ? Math.ceil(n) : n;
    }
    case "boolean":
      return false;
    case "date":
      return "2026-01-05";
    case "date-time":
      return "2026-01-05T09:00:00-03:00";
    case "duration":
      return "1d";
    case "list":
      return Array.from({ length: decl.minItems ?? 0 }, () => (decl.items ? placeholder(decl.items) : "exemplo"));
    case "object": {
      const out: Facts = {};
      for (const f of decl.fields?.values() ?? []) if (f.required) out[f.name] = placeholder(f.decl);
      return out;
    }
    case "any":
      return "exemplo";
    default:
      return null;
  }
}

/** The required facts of the schema, with placeholder values. */
function placeholderFacts(model: RuleSetModel): Facts {
  const out: Facts = {};
  for (const f of model.facts.values()) if (f.required) out[f.name] = placeholder(f.decl);
  return out;
}

/** `base` with the top-level facts of `over` replacing it (as `defaults` merge in a suite). */
function merged(base: Facts, over: Facts): Facts {
  return { ...base, ...over };
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function readPath(facts: Facts, segments: readonly string[]): unknown {
  let x: unknown = facts;
  for (const s of segments) {
    if (typeof x !== "object" || x === null || Array.isArray(x)) return undefined;
    x = Object.hasOwn(x, s) ? (x as Facts)[s] : undefined;
  }
  return x;
}

/** Sets a path, creating objects on the way (and the required fields of a new object). */
function writePath(model: RuleSetModel, facts: Facts, segments: readonly string[], value: unknown): void {
  let x: Facts = facts;
  let fields: ReadonlyMap<string, FieldDecl> | undefined = model.facts;
  segments.forEach((s, i) => {
    const field: FieldDecl | undefined = fields?.get(s);
    if (i === segments.length - 1) {
      if (value === undefined) delete x[s];
      else x[s] = value;
      return;
    }
    const next = x[s];
    if (typeof next !== "object" || next === null || Array.isArray(next))
      x[s] = field && field.decl.type === "object" ? (placeholder(field.decl) as Facts) : {};
    x = x[s] as Facts;
    fields = field?.decl.fields;
  });
}

// ---------------------------------------------------------------------------------------------
// making conditions hold (or fail) by choosing fact values

/** Paths already chosen for a case (they must keep their value). */
type Chosen = Map<string, { path: FactPath; value: unknown }>;

function current(facts: Facts, path: FactPath): Value {
  const v = readPath(facts, path.segments);
  return (v === undefined ? null : v) as Value;
}

/** A JSON value of a candidate (the `OTHER_TEXT` stand-in becomes a readable text). */
function jsonOf(v: Value): unknown {
  return typeof v === "string" && v.startsWith("\u0000") ? "outro valor" : v;
}

/**
 * Chooses fact values so that `e` holds (`want` true) or fails (`want` false), over facts and
 * already-chosen paths; returns false (and changes nothing) when it cannot tell how.
 */
function choose(model: RuleSetModel, e: Expr, want: boolean, facts: Facts, chosen: Chosen): boolean {
  const shape = shapeOf(e, model);
  if (shape.kind === "constant") return holds(e, undefined, null) === want;
  if (shape.kind === "path") {
    const path = shape.path;
    const fixed = chosen.get(path.key);
    const now = current(facts, path);
    if (holds(e, path, now) === want) {
      if (!fixed) chosen.set(path.key, { path, value: now });
      return true;
    }
    if (fixed) return false;
    for (const v of candidates(path, [e])) {
      if (holds(e, path, v) !== want) continue;
      // Absent optional facts are left out rather than written as null; "some other value" of a
      // type other than text is the type's placeholder.
      const value =
        v === null
          ? undefined
          : v === OTHER_TEXT && path.decl && path.decl.type !== "string" && path.decl.type !== "any"
            ? placeholder(path.decl)
            : jsonOf(v);
      if (v === null && !path.mayBeNull) continue;
      writePath(model, facts, path.segments, value);
      chosen.set(path.key, { path, value: v });
      return true;
    }
    return false;
  }
  if (e.kind === "unary" && e.operator === "not") return choose(model, e.operand, !want, facts, chosen);
  if (e.kind === "logical") {
    // and + want / or + not want: every operand; and + not want / or + want: any one operand.
    const every = (e.operator === "and") === want;
    const snapshot = clone(facts);
    const before = new Map(chosen);
    const restore = () => {
      for (const k of Object.keys(facts)) delete facts[k];
      Object.assign(facts, clone(snapshot));
      chosen.clear();
      for (const [k, v] of before) chosen.set(k, v);
    };
    if (every) {
      for (const o of e.operands)
        if (!choose(model, o, want, facts, chosen)) {
          restore();
          return false;
        }
      return true;
    }
    // Prefer an operand that already has the wanted value (no fact changes), then any.
    const unchanged = JSON.stringify(snapshot);
    for (const o of e.operands) {
      if (choose(model, o, want, facts, chosen) && JSON.stringify(facts) === unchanged) return true;
      restore();
    }
    for (const o of e.operands) {
      if (choose(model, o, want, facts, chosen)) return true;
      restore();
    }
    return false;
  }
  return false;
}

/** A long JSON text cut to a readable length for a comment. */
function shorten(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function printed(e: Expr): string {
  try {
    return printExpr(e);
  } catch {
    return "(condição)";
  }
}

/** The reason of a template when it is plain text or reads only facts (rendered with `facts`). */
function plainText(t: TemplateDecl, model: RuleSetModel, facts: Facts): string | undefined {
  let out = "";
  for (const p of t.parts) {
    if (p.kind === "text") out += p.text;
    else {
      const path = factPathOf(p.expr, model);
      if (!path) return undefined;
      const v = readPath(facts, path.segments);
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out += String(v);
      else if (v === undefined || v === null) out += "";
      else return undefined;
    }
  }
  return out;
}

/** Values chosen for a case, as comment lines. */
function describeChoices(chosen: Chosen, skip: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [key, { value }] of chosen)
    if (!skip.has(key))
      out.push(
        value === null || value === undefined ? `${key} ausente` : `${key} = ${JSON.stringify(jsonOf(value as Value))}`,
      );
  return out;
}

// ---------------------------------------------------------------------------------------------
// state machines

function transitionCases(model: RuleSetModel, defaults: Facts): Draft[] {
  const tr = model.transitions;
  if (!tr) return [];
  const fromPath = factPathOf(tr.from, model);
  const toPath = factPathOf(tr.to, model);
  if (!fromPath || !toPath) return ruleAndRowCases(model, defaults);
  const { allowed, reasons, missing } = tr.outputs;
  const terminal = new Set(tr.terminal.map((t) => t.name));
  const edgeName = (from: string, to: string) => `transição ${from} → ${to}`;
  const fixed = new Set([fromPath.key, toPath.key]);

  /** Facts for the pair from → to, with every general guard made to hold where possible. */
  const start = (from: string, to: string, except?: number) => {
    const facts = clone(defaults);
    const chosen: Chosen = new Map();
    const notes: string[] = [];
    writePath(model, facts, fromPath.segments, from);
    writePath(model, facts, toPath.segments, to);
    chosen.set(fromPath.key, { path: fromPath, value: from });
    chosen.set(toPath.key, { path: toPath, value: to });
    tr.guards.forEach((g, i) => {
      if (i === except) return;
      if (!choose(model, g.require, true, facts, chosen))
        notes.push(`TODO: garanta que ${printed(g.require)} (condição geral ${i + 1})`);
    });
    return { facts, chosen, notes };
  };
  const changed = (facts: Facts): Facts => {
    const out: Facts = {};
    for (const k of Object.keys(facts)) if (JSON.stringify(facts[k]) !== JSON.stringify(defaults[k])) out[k] = facts[k];
    return out;
  };
  const refusal = (t: TemplateDecl, facts: Facts): Record<string, unknown> => {
    const text = plainText(t, model, facts);
    return text === undefined ? { [allowed]: false } : { [allowed]: false, [reasons]: [text] };
  };

  const drafts: Draft[] = [];
  tr.allow.forEach((a) => {
    const { facts, chosen, notes } = start(a.from, a.to);
    for (const r of a.requires) {
      const path = factPathOf(r.expr, model);
      if (path) {
        if (readPath(facts, path.segments) === undefined || readPath(facts, path.segments) === "")
          writePath(model, facts, path.segments, path.decl ? placeholder(path.decl) : "exemplo");
        notes.push(`exige ${r.label}: preenchido com um valor de exemplo`);
      } else notes.push(`TODO: preencha ${printed(r.expr)} (exigido pela transição)`);
    }
    a.guards.forEach((g, j) => {
      if (!choose(model, g.require, true, facts, chosen))
        notes.push(`TODO: garanta que ${printed(g.require)} (condição ${j + 1} da transição)`);
    });
    const choices = describeChoices(chosen, fixed);
    drafts.push({
      name: `Permitida · ${a.from} → ${a.to}`,
      tags: ["scaffold", "transicao", "permitida"],
      notes: [...(choices.length ? [`condições: ${choices.join(", ")}`] : []), ...notes],
      facts: changed(facts),
      expect: { [allowed]: true, [reasons]: [], [missing]: [] },
      fired: [edgeName(a.from, a.to)],
    });

    // Each own guard refusing: the others hold, this one fails.
    a.guards.forEach((g, j) => {
      const base = start(a.from, a.to);
      for (const r of a.requires) {
        const path = factPathOf(r.expr, model);
        if (path) writePath(model, base.facts, path.segments, path.decl ? placeholder(path.decl) : "exemplo");
      }
      const todo = [...base.notes];
      a.guards.forEach((h, k) => {
        if (k !== j && !choose(model, h.require, true, base.facts, base.chosen))
          todo.push(`TODO: garanta que ${printed(h.require)} (condição ${k + 1} da transição)`);
      });
      if (!choose(model, g.require, false, base.facts, base.chosen))
        todo.push(`TODO: faça ${printed(g.require)} não valer (condição ${j + 1} da transição)`);
      const choices2 = describeChoices(base.chosen, fixed);
      drafts.push({
        name: `Recusada · ${a.from} → ${a.to} · condição ${j + 1}`,
        tags: ["scaffold", "transicao", "recusada"],
        notes: [
          `a condição ${j + 1} (${printed(g.require)}) não vale`,
          ...(choices2.length ? [`valores: ${choices2.join(", ")}`] : []),
          ...todo,
        ],
        facts: changed(base.facts),
        expect: refusal(g.reason, base.facts),
      });
    });

    // Each required field left blank.
    a.requires.forEach((r, j) => {
      const path = factPathOf(r.expr, model);
      if (!path) return;
      const base = start(a.from, a.to);
      a.requires.forEach((q, k) => {
        const p = factPathOf(q.expr, model);
        if (p && k !== j) writePath(model, base.facts, p.segments, p.decl ? placeholder(p.decl) : "exemplo");
      });
      writePath(model, base.facts, path.segments, undefined);
      const todo = [...base.notes];
      a.guards.forEach((h, k) => {
        if (!choose(model, h.require, true, base.facts, base.chosen))
          todo.push(`TODO: garanta que ${printed(h.require)} (condição ${k + 1} da transição)`);
      });
      drafts.push({
        name: `Recusada · ${a.from} → ${a.to} · sem ${r.label}`,
        tags: ["scaffold", "transicao", "recusada"],
        notes: [`${r.label} não foi informado`, ...todo],
        facts: changed(base.facts),
        expect: { [allowed]: false, [missing]: [r.label] },
      });
    });
  });

  // Each general guard refusing, on the first allowed transition where it can fail.
  tr.guards.forEach((g, i) => {
    for (const a of tr.allow) {
      if (terminal.has(a.from)) continue;
      const base = start(a.from, a.to, i);
      if (!choose(model, g.require, false, base.facts, base.chosen)) continue;
      const choices = describeChoices(base.chosen, fixed);
      drafts.push({
        name: `Recusada · condição geral ${i + 1} · ${a.from} → ${a.to}`,
        tags: ["scaffold", "transicao", "recusada"],
        notes: [
          `a condição geral ${i + 1} (${printed(g.require)}) não vale`,
          ...(choices.length ? [`valores: ${choices.join(", ")}`] : []),
          ...base.notes,
        ],
        facts: changed(base.facts),
        expect: refusal(g.reason, base.facts),
      });
      return;
    }
    drafts.push({
      name: `Recusada · condição geral ${i + 1}`,
      tags: ["scaffold", "transicao", "recusada"],
      notes: [`TODO: escolha uma transição e fatos em que ${printed(g.require)} não vale`],
      facts: {},
      expect: refusal(g.reason, defaults),
    });
  });

  // A pair that is not allowed, and a request from a terminal state.
  const pairs = new Set(tr.allow.map((a) => `${a.from}\u0000${a.to}`));
  const nonTerminal = tr.states.map((s) => s.name).filter((s) => !terminal.has(s));
  const notAllowed = nonTerminal
    .flatMap((from) => tr.states.map((s) => [from, s.name] as const))
    .find(([from, to]) => from !== to && !pairs.has(`${from}\u0000${to}`));
  if (notAllowed) {
    const [from, to] = notAllowed;
    const base = start(from, to);
    drafts.push({
      name: `Não permitida · ${from} → ${to}`,
      tags: ["scaffold", "transicao", "recusada"],
      notes: [`${from} → ${to} não está em allow`, ...base.notes],
      facts: changed(base.facts),
      expect: refusal(tr.refusals.notAllowed, base.facts),
    });
  }
  const end = tr.terminal[0]?.name;
  if (end !== undefined) {
    const to = tr.states.find((s) => s.name !== end)?.name ?? end;
    const base = start(end, to);
    drafts.push({
      name: `Estado terminal · ${end} → ${to}`,
      tags: ["scaffold", "transicao", "recusada"],
      notes: [`${end} é um estado terminal`, ...base.notes],
      facts: changed(base.facts),
      expect: refusal(tr.refusals.terminal, base.facts),
    });
  }
  return drafts;
}

// ---------------------------------------------------------------------------------------------
// rules and table rows

function ruleAndRowCases(model: RuleSetModel, defaults: Facts): Draft[] {
  const drafts: Draft[] = [];
  const changed = (facts: Facts): Facts => {
    const out: Facts = {};
    for (const k of Object.keys(facts)) if (JSON.stringify(facts[k]) !== JSON.stringify(defaults[k])) out[k] = facts[k];
    return out;
  };
  for (const rule of model.rules) {
    const facts = clone(defaults);
    const chosen: Chosen = new Map();
    const notes: string[] = [];
    if (rule.when)
      for (const c of conjuncts(rule.when))
        if (!choose(model, c, true, facts, chosen)) notes.push(`TODO: garanta que ${printed(c)}`);
    const expect: Record<string, unknown> = {};
    for (const a of rule.then) {
      const head = a.target[0];
      if (a.kind !== "assign" || a.target.length !== 1 || head === undefined) continue;
      const v = literalJson(a.value);
      if (v !== undefined) expect[head] = v;
      else notes.push(`TODO: o valor esperado de ${head} (${printed(a.value)})`);
    }
    const choices = describeChoices(chosen, new Set());
    drafts.push({
      name: `Regra · ${rule.name}`,
      tags: ["scaffold", "regra"],
      notes: [...(choices.length ? [`condições: ${choices.join(", ")}`] : []), ...notes],
      facts: changed(facts),
      expect,
      fired: [rule.name],
    });
  }
  for (const table of model.tables) {
    table.rows.forEach((row, r) => {
      const facts = clone(defaults);
      const chosen: Chosen = new Map();
      const notes: string[] = [];
      if (table.when && !choose(model, table.when, true, facts, chosen))
        notes.push(`TODO: garanta que ${printed(table.when)} (when da tabela)`);
      row.inputs.forEach((cell, c) => {
        const column = table.inputs[c];
        const path = column?.expr ? factPathOf(column.expr, model) : undefined;
        if (cell.kind === "any") return;
        const value = cellValue(cell);
        if (path && value !== undefined && !chosen.has(path.key)) {
          // A list column matches a row whose cell accepts one of its items.
          writePath(model, facts, path.segments, path.decl?.type === "list" ? [value] : value);
          chosen.set(path.key, { path, value: value as Value });
        } else notes.push(`TODO: ${column?.name ?? `coluna ${c + 1}`} deve satisfazer a célula da linha ${r + 1}`);
      });
      const name = `${table.name} · linha ${r + 1}`;
      drafts.push({
        name: `Tabela ${name}`,
        tags: ["scaffold", "tabela"],
        notes,
        facts: changed(facts),
        expect: {},
        fired: [name],
      });
    });
  }
  return drafts;
}

/** A literal (or a list of literals) as JSON, or undefined. */
function literalJson(e: Expr): unknown {
  if (e.kind === "literal") {
    const l = e.literal;
    return l.type === "null" ? null : l.value;
  }
  if (e.kind === "unary" && e.operator === "-" && e.operand.kind === "literal" && e.operand.literal.type === "number")
    return -e.operand.literal.value;
  if (e.kind === "list") {
    const items = e.items.map(literalJson);
    return items.every((i) => i !== undefined) ? items : undefined;
  }
  return undefined;
}

/** A value a table cell accepts, when the cell is a literal test. */
function cellValue(t: UnaryTest): unknown {
  switch (t.kind) {
    case "any":
      return undefined;
    case "compare": {
      const v = literalJson(t.value);
      if (typeof v !== "number") return t.operator === "==" ? v : undefined;
      switch (t.operator) {
        case "==":
        case ">=":
        case "<=":
          return v;
        case ">":
          return v + 1;
        case "<":
          return v - 1;
        default:
          return undefined;
      }
    }
    case "range": {
      const low = literalJson(t.low);
      const high = literalJson(t.high);
      if (typeof low !== "number" || typeof high !== "number") return t.lowInclusive ? low : undefined;
      if (t.lowInclusive) return low;
      if (t.highInclusive) return high;
      return (low + high) / 2;
    }
    case "oneOf":
      for (const x of t.tests) {
        const v = cellValue(x);
        if (v !== undefined) return v;
      }
      return undefined;
    case "not":
      return undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// output

/** Case names must be unique in a suite: a repeated one gets " (2)", " (3)"... */
function uniqueNames(drafts: Draft[]): void {
  const seen = new Map<string, number>();
  for (const d of drafts) {
    const n = (seen.get(d.name) ?? 0) + 1;
    seen.set(d.name, n);
    if (n > 1) d.name = `${d.name} (${n})`;
  }
}

function yamlBlock(value: unknown, indent: string): string {
  return stringify(value, { indent: 2, lineWidth: 0 })
    .trimEnd()
    .split("\n")
    .map((l) => `${indent}${l}`)
    .join("\n");
}

function yamlFlow(value: unknown): string {
  return stringify(value, { collectionStyle: "flow", flowCollectionPadding: false, lineWidth: 0 }).trim();
}

function render(
  model: RuleSetModel,
  defaults: Facts,
  cases: readonly ScaffoldCase[],
  options: ScaffoldOptions,
): string {
  const todo = cases.filter((c) => c.todo).length;
  const lines: string[] = [
    `# Esqueleto gerado por \`rules test --scaffold\`${options.file ? ` a partir de ${options.file}` : ""}.`,
    "# Os fatos são sintéticos (valores de exemplo do tipo de cada fato). As expectativas vêm do",
    "# conjunto de regras como está escrito; os casos marcados com a etiqueta todo ainda não chegam a",
    "# elas com estes fatos: complete-os onde diz TODO. Renomeie os casos e descreva-os.",
    `# ${cases.length} casos, ${todo} com TODO.`,
    `suite: ${yamlFlow(model.name)}`,
    `description: ${yamlFlow(`Esqueleto da suíte de ${model.name} (gerado; complete os TODO).`)}`,
  ];
  if (Object.keys(defaults).length > 0) {
    lines.push("defaults:", "  facts:", "    # Fatos obrigatórios com valores de exemplo.");
    lines.push(yamlBlock(defaults, "    "));
  }
  lines.push("cases:");
  for (const c of cases) {
    lines.push(`  - name: ${yamlFlow(c.name)}`);
    lines.push(`    tags: ${yamlFlow(c.tags)}`);
    for (const n of c.notes) lines.push(`    # ${n.replace(/\r?\n/g, " ")}`);
    if (Object.keys(c.facts).length > 0) {
      lines.push("    facts:");
      lines.push(yamlBlock(c.facts, "      "));
    }
    lines.push(`    expect: ${yamlFlow(c.expect)}`);
    if (c.fired) lines.push(`    fired: ${yamlFlow(c.fired)}`);
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
