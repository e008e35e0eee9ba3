/**
 * "Por que não?": for a decision and a wanted outcome (`faixa = SENIOR`), the rules and table
 * rows that could have produced it (candidates), the conditions that kept each one from matching
 * (with the values the conditions saw), what else stood in the way (a rule evaluated earlier that
 * stopped the evaluation, a rule executed later that overwrote the output, an earlier row of a
 * `first` table, a row of a `priority` table whose outputs rank first), and the smallest change of facts that produces the wanted outcome, found by
 * re-deciding with the real runtime (single changes first, then pairs, within a bound).
 *
 * Candidates:
 * - a rule whose actions assign the wanted output a value that can be the wanted one (a literal
 *   equal to it, or an expression that is not provably different);
 * - a table row whose output cell gives the wanted value, when a rule copies that table column
 *   into the output (`saida = tabela.coluna`); the copying rule is listed too when it is blocked.
 *
 * The conditions are those of the straightforward engine (every row its own rule, as explain
 * traces run): a rule's top-level conjuncts (`a and b and c`), a row's guard and cells column by
 * column. A rule json-rules-engine evaluated is reported with the values it saw then; a rule it
 * never reached (a `stop` came first) is evaluated here against the final state of the run.
 *
 * The search for the smallest change varies the facts the blocking conditions read (directly or
 * through values, constants and table columns), in fact declaration order, over: the constants
 * those conditions compare them with (±1 for numbers, the next and previous day for dates), enum
 * values, true/false, and null for optional facts (at most MAX_VALUES_PER_FACT each); single
 * changes first, then pairs, at most WHY_NOT_DECISION_LIMIT re-decisions. Deterministic: the same
 * question gives the same answer.
 *
 * No Node-only imports: the editor's worker runs this code too.
 */
import type { RuleResult } from "json-rules-engine";
import {
  DECISION_FACT,
  EXPR_FACT,
  TABLE_FACT,
  type CompiledRuleSet,
  type Condition,
  type Handler,
} from "../dsl/compile/compiled.js";
import { evaluate, literalValue } from "../dsl/evaluate.js";
import { assertNever } from "../dsl/exhaustive.js";
import { isSingleHit } from "../dsl/ruleset/model.js";
import { walkExpr, type Expr, type UnaryTest } from "../dsl/syntax/ast.js";
import { toJson, type Value } from "../dsl/values.js";
import { isDecisionError } from "./errors.js";
import { createFactValidator, toRuntimeFacts } from "./facts.js";
import { decodeValue, operatorDefinitions, pathResolver } from "./operators.js";
import { createEngine, EnginePool, RunAlmanac } from "./pool.js";
import { RunContext } from "./run-context.js";
import type { Runtime } from "./runtime.js";

/** Most re-decisions the search for the smallest change makes (single changes, then pairs). */
export const WHY_NOT_DECISION_LIMIT = 2000;
/** Most candidate values tried per fact. */
const MAX_VALUES_PER_FACT = 40;
/** Most candidates listed (the count of the rest is given). */
export const MAX_CANDIDATES = 50;

/** A wanted outcome that cannot be asked for (unknown output, value of the wrong type or outside the enum). */
export class WhyNotError extends Error {
  readonly code = "INVALID_WANT";
  constructor(message: string) {
    super(message);
    this.name = "WhyNotError";
  }
}

export function isWhyNotError(e: unknown): e is WhyNotError {
  return e instanceof WhyNotError;
}

export interface WhyNotPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * What kept a candidate from giving the wanted value: a condition that is false (`condition`), a
 * rule evaluated earlier that stopped the evaluation (`stop`), a rule executed later that
 * overwrote the output (`overwrite`), an earlier row of a `first` table that won (`first`), a
 * row of a `priority` table with higher-priority outputs that matched too (`priority`), or the
 * rule's expression that gave another value (`value`).
 */
export interface WhyNotBlock {
  readonly kind: "condition" | "stop" | "overwrite" | "first" | "priority" | "value";
  /** The condition as written (a table cell as `coluna: célula`), or the sentence for the other kinds. */
  readonly text: string;
  readonly position?: WhyNotPosition;
  /** What the condition read, by name as written (`idade`, `decision.grupo`, `tabela.coluna`). */
  readonly values: Readonly<Record<string, unknown>>;
}

export interface WhyNotCandidate {
  /** A rule, a table row, or the output's declared default (when the default is what is wanted). */
  readonly kind: "rule" | "row" | "default";
  /** The rule's name, `tabela · linha N` for a row, `saida (valor padrão ...)` for a default. */
  readonly name: string;
  readonly table?: string;
  /** 1-based row number. */
  readonly row?: number;
  readonly position: WhyNotPosition;
  readonly blocking: readonly WhyNotBlock[];
}

export interface WhyNotChange {
  readonly fact: string;
  readonly from: unknown;
  readonly to: unknown;
}

export interface WhyNotSuggestion {
  readonly changes: readonly WhyNotChange[];
  readonly decision: Record<string, unknown>;
}

export interface WhyNotResult {
  readonly decision: Record<string, unknown>;
  readonly fired: readonly string[];
  readonly wanted: Readonly<Record<string, unknown>>;
  /** The decision already gives every wanted value (nothing else is computed). */
  readonly already: boolean;
  readonly candidates: readonly WhyNotCandidate[];
  /** Candidates not listed (beyond MAX_CANDIDATES). */
  readonly moreCandidates: number;
  /** The change of fewest facts that produces the wanted outcome (ties: first in fact order), or null. */
  readonly suggestion: WhyNotSuggestion | null;
  /** The search: re-decisions made, the bound, and whether it stopped at the bound. */
  readonly search: { readonly decisions: number; readonly limit: number; readonly stoppedAtLimit: boolean };
  /** Why there is no suggestion, in Portuguese (absent when there is one or when `already`). */
  readonly message?: string;
}

export interface WhyNotOptions {
  /** Re-decisions allowed to the search (default WHY_NOT_DECISION_LIMIT). */
  readonly limit?: number;
  /**
   * Awaited between re-decisions, at most every CHECKPOINT_MS of search: a service lets other
   * requests in there (and throws to abandon the search past its deadline).
   */
  readonly checkpoint?: () => Promise<void>;
}

/** Longest stretch of search between two `checkpoint` calls. */
const CHECKPOINT_MS = 10;

/** How a candidate is named to analysts: `tabela X, linha N`, `regra "nome"`, `saída x (valor padrão ...)`. */
export function candidateLabel(c: WhyNotCandidate): string {
  switch (c.kind) {
    case "row":
      return `tabela ${c.table}, linha ${c.row}`;
    case "rule":
      return `regra "${c.name}"`;
    case "default":
      return `saída ${c.name}`;
    default:
      return assertNever(c.kind, "why-not candidate kind");
  }
}

// ---------------------------------------------------------------------------------------------
// The wanted outcome: parsing (`campo=valor,campo=valor`) and checking against the outputs.

interface OutputSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
}

function outputSchemas(compiled: CompiledRuleSet): Readonly<Record<string, OutputSchema>> {
  return ((compiled.decisionSchema as { properties?: Record<string, OutputSchema> }).properties ?? {}) as Readonly<
    Record<string, OutputSchema>
  >;
}

function typesOf(s: OutputSchema): readonly string[] {
  return s.type === undefined ? [] : typeof s.type === "string" ? [s.type] : s.type;
}

/** A value as an analyst writes it: texts in quotes, the rest as JSON. */
export function showValue(v: unknown): string {
  return typeof v === "string" ? `"${v}"` : JSON.stringify(v);
}

/**
 * Parses `campo=valor` pairs separated by commas (a comma inside a value is kept: a pair starts
 * only where a `nome=` follows the comma). Values are typed by the output's declared type: text,
 * number, boolean, or `null`. Throws WhyNotError on anything that cannot be asked for.
 */
export function parseWanted(compiled: CompiledRuleSet, text: string): Record<string, unknown> {
  const schemas = outputSchemas(compiled);
  const want: Record<string, unknown> = {};
  const parts = text.split(/,(?=\s*[\p{L}_][\p{L}\p{N}_]*\s*=)/u);
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new WhyNotError(`"${part.trim()}" não está no formato saida=valor (por exemplo faixa=SENIOR)`);
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    const schema = schemas[name];
    if (!schema) throw new WhyNotError(unknownOutput(compiled, name));
    want[name] = typedValue(name, schema, raw);
  }
  checkWanted(compiled, want);
  return want;
}

function typedValue(name: string, schema: OutputSchema, raw: string): unknown {
  const types = typesOf(schema);
  if (raw === "null") return null;
  const unquoted = /^"(.*)"$/s.exec(raw)?.[1];
  if (unquoted !== undefined) return unquoted;
  if (types.includes("boolean") && (raw === "true" || raw === "false")) return raw === "true";
  if ((types.includes("number") || types.includes("integer")) && raw !== "" && Number.isFinite(Number(raw)))
    return Number(raw);
  if (types.includes("string")) return raw;
  throw new WhyNotError(`${name}: "${raw}" não é um valor de ${name} (tipo ${types.join(" ou ")})`);
}

function unknownOutput(compiled: CompiledRuleSet, name: string): string {
  return `a saída ${name} não existe em ${compiled.name}; saídas: ${Object.keys(outputSchemas(compiled)).join(", ")}`;
}

/** Checks a wanted outcome (`{ saida: valor }`) against the declared outputs; throws WhyNotError. */
export function checkWanted(compiled: CompiledRuleSet, want: unknown): asserts want is Record<string, unknown> {
  if (typeof want !== "object" || want === null || Array.isArray(want))
    throw new WhyNotError(
      'o resultado desejado deve ser um objeto { saida: valor }, por exemplo { "faixa": "SENIOR" }',
    );
  const schemas = outputSchemas(compiled);
  const entries = Object.entries(want);
  if (entries.length === 0) throw new WhyNotError("informe ao menos uma saída desejada, por exemplo faixa=SENIOR");
  for (const [name, value] of entries) {
    const schema = schemas[name];
    if (!schema || !Object.hasOwn(schemas, name)) throw new WhyNotError(unknownOutput(compiled, name));
    const types = typesOf(schema);
    const kind =
      value === null
        ? "null"
        : typeof value === "string"
          ? "string"
          : typeof value === "boolean"
            ? "boolean"
            : typeof value === "number"
              ? Number.isInteger(value)
                ? "integer"
                : "number"
              : Array.isArray(value)
                ? "array"
                : "object";
    const fits = types.length === 0 || types.includes(kind) || (kind === "integer" && types.includes("number"));
    if (!fits)
      throw new WhyNotError(
        value === null
          ? `${name} não pode ser null (a saída não é nullable)`
          : `${showValue(value)} não é um valor de ${name} (tipo ${types.filter((t) => t !== "null").join(" ou ")})`,
      );
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
      throw new WhyNotError(
        `${showValue(value)} não é um valor de ${name}: os valores são ${schema.enum
          .filter((e) => e !== null)
          .map(String)
          .join(", ")}${schema.enum.includes(null) ? " (ou null)" : ""}`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Per compiled rule set: the straightforward engine (leaf names kept) and the fact validator.

interface Prepared {
  readonly pool: EnginePool;
  readonly validate: (facts: unknown) => Record<string, unknown>;
  readonly names: ReadonlyMap<string, string>;
  readonly operators: ReadonlyMap<string, (a: unknown, b: unknown) => boolean>;
  readonly factsRead: Map<string, ReadonlySet<string>>;
  readonly literalsRead: Map<string, readonly unknown[]>;
}

const prepared = new WeakMap<CompiledRuleSet, Prepared>();

function prepare(compiled: CompiledRuleSet): Prepared {
  let p = prepared.get(compiled);
  if (!p) {
    p = {
      pool: new EnginePool(() => createEngine(compiled), 4),
      // The runtime was built from these schemas (decide ran first): the meta-schema check is done.
      validate: createFactValidator(compiled, true),
      names: new Map(compiled.rules.map((r) => [r.event.params.ref, r.name] as const)),
      operators: new Map(operatorDefinitions(compiled.zone)),
      factsRead: new Map(),
      literalsRead: new Map(),
    };
    prepared.set(compiled, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Which names an expression reads, and which facts (through values, constants, tables...).

type Leaf = Extract<Condition, { fact: string }>;

/** The maximal `a.b.c` chains rooted at a top-level name an expression reads (locals of `for` left out), as text. */
function readsOf(e: Expr): { text: string; expr: Expr }[] {
  const locals = new Set<string>();
  walkExpr(e, (x) => {
    if (x.kind === "for") locals.add(x.variable);
  });
  const out = new Map<string, Expr>();
  const visit = (x: Expr): void => {
    const chain = memberChain(x);
    if (chain && !locals.has(chain[0] as string)) {
      out.set(chain.join("."), x);
      return;
    }
    switch (x.kind) {
      case "member":
        visit(x.object);
        return;
      case "index":
        visit(x.object);
        visit(x.index);
        return;
      case "call":
        for (const a of x.args) visit(a);
        return;
      case "unary":
      case "isNull":
        visit(x.operand);
        return;
      case "binary":
        visit(x.left);
        visit(x.right);
        return;
      case "logical":
        for (const o of x.operands) visit(o);
        return;
      case "between":
        visit(x.operand);
        visit(x.low);
        visit(x.high);
        return;
      case "if":
        visit(x.test);
        visit(x.then);
        visit(x.else);
        return;
      case "list":
        for (const i of x.items) visit(i);
        return;
      case "record":
        for (const f of x.fields) visit(f.value);
        return;
      case "for":
        visit(x.source);
        if (x.filter) visit(x.filter);
        visit(x.body);
        return;
      case "literal":
      case "name":
      case "error":
        return;
      default:
        assertNever(x, "expression kind");
    }
  };
  visit(e);
  return [...out].map(([text, expr]) => ({ text, expr }));
}

function memberChain(x: Expr): string[] | undefined {
  const parts: string[] = [];
  let cur = x;
  while (cur.kind === "member") {
    parts.unshift(cur.property);
    cur = cur.object;
  }
  if (cur.kind !== "name") return undefined;
  return [cur.name, ...parts];
}

/** The declared facts a top-level name depends on (itself for a fact; through values, constants, templates, collections, tables). */
function factsOfName(
  compiled: CompiledRuleSet,
  p: Prepared,
  name: string,
  seen = new Set<string>(),
): ReadonlySet<string> {
  const cached = p.factsRead.get(name);
  if (cached) return cached;
  const out = new Set<string>();
  if (seen.has(name)) return out;
  // Only a top-level answer is complete (a nested one may stop at a name already being walked).
  const top = seen.size === 0;
  seen.add(name);
  const addExpr = (e: Expr): void => {
    walkExpr(e, (x) => {
      if (x.kind === "name") for (const f of factsOfName(compiled, p, x.name, seen)) out.add(f);
      if (x.kind === "call" && x.callee in compiled.templates)
        for (const f of factsOfName(compiled, p, x.callee, seen)) out.add(f);
    });
  };
  if (Object.hasOwn(compiled.factShapes, name)) out.add(name);
  else if (Object.hasOwn(compiled.values, name)) addExpr(compiled.values[name] as Expr);
  else if (Object.hasOwn(compiled.constants, name)) addExpr(compiled.constants[name] as Expr);
  else if (Object.hasOwn(compiled.templates, name)) {
    for (const part of compiled.templates[name]?.parts ?? []) if ("expr" in part) addExpr(part.expr);
  } else if (Object.hasOwn(compiled.collections, name)) {
    const c = compiled.collections[name];
    if (c) for (const e of [c.from, ...(c.where ? [c.where] : []), ...c.key, ...c.order]) addExpr(e);
  } else if (Object.hasOwn(compiled.tables, name)) {
    for (const e of compiled.tables[name]?.inputs ?? []) addExpr(e);
  }
  if (top) p.factsRead.set(name, out);
  return out;
}

/** The facts an expression depends on, in fact declaration order. */
function factsOfExpr(compiled: CompiledRuleSet, p: Prepared, e: Expr): Set<string> {
  const out = new Set<string>();
  walkExpr(e, (x) => {
    if (x.kind === "name") for (const f of factsOfName(compiled, p, x.name)) out.add(f);
  });
  return out;
}

/** The literals (texts, numbers, booleans, dates) an expression compares with, through values and constants. */
function literalsOfExpr(compiled: CompiledRuleSet, e: Expr, out: unknown[], seen = new Set<string>()): void {
  walkExpr(e, (x) => {
    if (out.length >= 200) return;
    if (x.kind === "literal" && x.literal.type !== "null" && x.literal.type !== "duration")
      out.push(toJson(literalValue(x, compiled.zone)));
    if (x.kind === "name" && !seen.has(x.name)) {
      seen.add(x.name);
      const def = compiled.values[x.name] ?? compiled.constants[x.name];
      if (def && (Object.hasOwn(compiled.values, x.name) || Object.hasOwn(compiled.constants, x.name)))
        literalsOfExpr(compiled, def, out, seen);
      const table = Object.hasOwn(compiled.tables, x.name) ? compiled.tables[x.name] : undefined;
      if (table)
        for (const row of table.rows)
          for (const cell of row.inputs) if (out.length < 200) literalsOfTest(compiled, cell, out);
    }
  });
}

function literalsOfTest(compiled: CompiledRuleSet, t: UnaryTest, out: unknown[]): void {
  switch (t.kind) {
    case "any":
      return;
    case "compare":
      literalsOfExpr(compiled, t.value, out);
      return;
    case "range":
      literalsOfExpr(compiled, t.low, out);
      literalsOfExpr(compiled, t.high, out);
      return;
    case "oneOf":
      for (const x of t.tests) literalsOfTest(compiled, x, out);
      return;
    case "not":
      literalsOfTest(compiled, t.test, out);
      return;
    default:
      assertNever(t, "table cell test");
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluating conditions: json-rules-engine's results where it evaluated them, ours elsewhere.

interface LeafResult {
  readonly result: boolean;
  readonly factValue: unknown;
}

/** Leaf results by condition name, from a json-rules-engine rule result. */
function collectResults(c: unknown, out: Map<string, LeafResult>): void {
  if (!c || typeof c !== "object") return;
  const o = c as Record<string, unknown>;
  for (const key of ["all", "any"])
    if (Array.isArray(o[key])) for (const x of o[key] as unknown[]) collectResults(x, out);
  if (o.not) collectResults(o.not, out);
  if (typeof o.name === "string" && typeof o.operator === "string" && typeof o.result === "boolean")
    out.set(o.name, { result: o.result, factValue: o.factResult ?? null });
}

class Evaluator {
  constructor(
    private readonly compiled: CompiledRuleSet,
    private readonly p: Prepared,
    private readonly run: RunContext,
    private readonly results: ReadonlyMap<string, LeafResult>,
  ) {}

  /** The value a leaf's fact side reads, resolved as the engine does. */
  side(fact: string, path: string | undefined, params: Readonly<Record<string, unknown>> | undefined): unknown {
    const run = this.run;
    let value: unknown;
    if (fact === EXPR_FACT) {
      const expr = this.compiled.expressions[String(params?.id)];
      value = expr ? evaluate(expr, run.env) : null;
    } else if (fact === DECISION_FACT) value = run.decision;
    else if (fact === TABLE_FACT) value = run.tableValue(String(params?.table));
    else value = Object.hasOwn(run.facts, fact) ? run.facts[fact] : null;
    return path && value !== null && typeof value === "object" ? pathResolver(value, path) : value;
  }

  leaf(c: Leaf): LeafResult {
    const known = c.name ? this.results.get(c.name) : undefined;
    if (known) return known;
    const factValue = this.side(c.fact, c.path, c.params);
    const v = c.value as Record<string, unknown> | null;
    const compared =
      v && typeof v === "object" && !Array.isArray(v) && typeof v.fact === "string"
        ? this.side(v.fact, v.path as string | undefined, v.params as Record<string, unknown> | undefined)
        : decodeValue(c.value, this.compiled.zone);
    const op = this.p.operators.get(c.operator);
    let result = false;
    try {
      result = op ? op(factValue, compared) : false;
    } catch {
      result = false;
    }
    return { result, factValue };
  }

  holds(c: Condition): boolean {
    if ("all" in c) return c.all.every((x) => this.holds(x));
    if ("any" in c) return c.any.some((x) => this.holds(x));
    if ("not" in c) return !this.holds(c.not);
    return this.leaf(c).result;
  }

  /** What a condition read, by name as written, with the values (JSON). */
  values(c: Condition, out: Record<string, unknown>): void {
    if ("all" in c) for (const x of c.all) this.values(x, out);
    else if ("any" in c) for (const x of c.any) this.values(x, out);
    else if ("not" in c) this.values(c.not, out);
    else {
      const label = this.label(c.fact, c.path, c.params);
      if (label !== undefined) out[label] = jsonOf(this.leaf(c).factValue);
      else {
        const expr = this.compiled.expressions[String(c.params?.id)];
        if (expr)
          for (const r of readsOf(expr)) {
            try {
              out[r.text] = jsonOf(evaluate(r.expr, this.run.env));
            } catch {
              // A name the run cannot evaluate on its own (a local): left out.
            }
          }
      }
      const v = c.value as Record<string, unknown> | null;
      if (v && typeof v === "object" && !Array.isArray(v) && typeof v.fact === "string") {
        const other = this.label(v.fact, v.path as string | undefined, v.params as Record<string, unknown> | undefined);
        if (other !== undefined)
          out[other] = jsonOf(
            this.side(v.fact, v.path as string | undefined, v.params as Record<string, unknown> | undefined),
          );
      }
    }
  }

  private label(
    fact: string,
    path: string | undefined,
    params: Readonly<Record<string, unknown>> | undefined,
  ): string | undefined {
    const suffix = path ? `.${path}` : "";
    if (fact === EXPR_FACT) return undefined;
    if (fact === DECISION_FACT) return `decision${suffix}`;
    if (fact === TABLE_FACT) return `${String(params?.table)}${suffix}`;
    return `${fact}${suffix}`;
  }
}

function jsonOf(v: unknown): unknown {
  return toJson(v as Value);
}

/** The facts a condition reads (in fact declaration order is applied by the caller). */
function factsOfCondition(compiled: CompiledRuleSet, p: Prepared, c: Condition, out: Set<string>): void {
  if ("all" in c) for (const x of c.all) factsOfCondition(compiled, p, x, out);
  else if ("any" in c) for (const x of c.any) factsOfCondition(compiled, p, x, out);
  else if ("not" in c) factsOfCondition(compiled, p, c.not, out);
  else {
    for (const side of [c, c.value as Record<string, unknown> | null]) {
      if (!side || typeof side !== "object" || Array.isArray(side) || typeof side.fact !== "string") continue;
      const fact = side.fact as string;
      const params = side.params as Record<string, unknown> | undefined;
      if (fact === EXPR_FACT) {
        const expr = compiled.expressions[String(params?.id)];
        if (expr) for (const f of factsOfExpr(compiled, p, expr)) out.add(f);
      } else if (fact === TABLE_FACT) {
        for (const f of factsOfName(compiled, p, String(params?.table))) out.add(f);
      } else if (fact !== DECISION_FACT && Object.hasOwn(compiled.factShapes, fact)) out.add(fact);
    }
  }
}

/** Constants a condition compares facts with (for the search), by fact. */
function comparedLiterals(compiled: CompiledRuleSet, p: Prepared, c: Condition, out: Map<string, unknown[]>): void {
  if ("all" in c) for (const x of c.all) comparedLiterals(compiled, p, x, out);
  else if ("any" in c) for (const x of c.any) comparedLiterals(compiled, p, x, out);
  else if ("not" in c) comparedLiterals(compiled, p, c.not, out);
  else {
    const add = (fact: string, values: readonly unknown[]) => {
      const list = out.get(fact) ?? [];
      list.push(...values);
      out.set(fact, list);
    };
    if (c.fact === EXPR_FACT) {
      const expr = compiled.expressions[String(c.params?.id)];
      if (!expr) return;
      const byFact = literalsByFact(compiled, p, expr);
      for (const [f, values] of byFact) add(f, values);
      // A fact read in a way the comparisons above do not see (through a loop variable, a
      // function of one argument): every constant of the expression is tried for it.
      const unattributed = [...factsOfExpr(compiled, p, expr)].filter((f) => !byFact.get(f)?.length);
      if (unattributed.length > 0) {
        const found: unknown[] = [];
        literalsOfExpr(compiled, expr, found);
        for (const f of unattributed) add(f, found);
      }
    } else if (Object.hasOwn(compiled.factShapes, c.fact) && !c.path) {
      const v = c.value;
      if (v && typeof v === "object" && !Array.isArray(v) && "fact" in v) return;
      const decoded = jsonOf(decodeValue(v, compiled.zone));
      if (Array.isArray(decoded) && c.operator !== "dsl.contains") add(c.fact, decoded);
      else add(c.fact, [decoded]);
    } else if (c.fact === TABLE_FACT) {
      for (const [f, values] of tableLiterals(compiled, p, String(c.params?.table))) add(f, values);
    }
  }
}

/** Each input column's cell constants, for the facts the column's expression reads. */
function tableLiterals(compiled: CompiledRuleSet, p: Prepared, name: string): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const table = Object.hasOwn(compiled.tables, name) ? compiled.tables[name] : undefined;
  if (!table) return out;
  for (const [i, column] of table.inputs.entries()) {
    const found: unknown[] = [];
    for (const row of table.rows) {
      const cell = row.inputs[i];
      if (cell && found.length < 200) literalsOfTest(compiled, cell, found);
    }
    for (const f of factsOfExpr(compiled, p, column)) out.set(f, [...(out.get(f) ?? []), ...found]);
  }
  return out;
}

/**
 * The constants an expression compares each fact with: in `a op b`, the facts `a` reads get the
 * constants of `b` (through values and constants, and the cells of tables it reads) and the other
 * way round; a name of a computed value is looked into.
 */
function literalsByFact(
  compiled: CompiledRuleSet,
  p: Prepared,
  e: Expr,
  out = new Map<string, unknown[]>(),
  seen = new Set<string>(),
): Map<string, unknown[]> {
  const add = (facts: Iterable<string>, values: readonly unknown[]) => {
    for (const f of facts) out.set(f, [...(out.get(f) ?? []), ...values]);
  };
  walkExpr(e, (x) => {
    if (x.kind === "binary" || x.kind === "between" || (x.kind === "call" && x.args.length > 1)) {
      const sides = x.kind === "binary" ? [x.left, x.right] : x.kind === "call" ? x.args : [x.operand, x.low, x.high];
      for (const [i, side] of sides.entries()) {
        const found: unknown[] = [];
        for (const [j, other] of sides.entries()) if (j !== i) literalsOfExpr(compiled, other, found);
        add(factsOfExpr(compiled, p, side), found);
      }
    } else if (x.kind === "name" && !seen.has(x.name) && Object.hasOwn(compiled.values, x.name)) {
      seen.add(x.name);
      literalsByFact(compiled, p, compiled.values[x.name] as Expr, out, seen);
    }
  });
  return out;
}

/** The outputs a condition reads as `decision.x` (natively or inside an expression). */
function decisionReads(compiled: CompiledRuleSet, c: Condition): Set<string> {
  const out = new Set<string>();
  const visit = (x: Condition): void => {
    if ("all" in x) for (const y of x.all) visit(y);
    else if ("any" in x) for (const y of x.any) visit(y);
    else if ("not" in x) visit(x.not);
    else if (x.fact === DECISION_FACT && x.path) out.add(x.path.split(".")[0] as string);
    else if (x.fact === EXPR_FACT) {
      const expr = compiled.expressions[String(x.params?.id)];
      if (expr)
        walkExpr(expr, (e) => {
          if (e.kind === "member" && e.object.kind === "name" && e.object.name === "decision") out.add(e.property);
        });
    }
  };
  visit(c);
  return out;
}

/** What fills an output: rules that assign it (with the assigned expressions), validations, transitions. */
function writersOf(compiled: CompiledRuleSet, output: string): { ref: string; values: Expr[] }[] {
  const out: { ref: string; values: Expr[] }[] = [];
  const transitions = compiled.transitions;
  const byTransitions =
    transitions !== undefined && [transitions.allowed, transitions.reasons, transitions.missing].includes(output);
  for (const [ref, h] of Object.entries(compiled.handlers)) {
    if (h.kind === "rule") {
      const values = (compiled.rulesMeta[h.rule]?.actions ?? [])
        .filter((a) => a.target[0] === output)
        .map((a) => a.value);
      if (values.length > 0) out.push({ ref, values });
    } else if (h.kind === "validation") {
      if (compiled.validations?.into === output) out.push({ ref, values: [] });
    } else if (byTransitions) out.push({ ref, values: [] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Candidates.

type Could = "yes" | "maybe" | "no";

/** Whether an expression can give `want` (table copies give the rows that can, by table). */
function couldGive(compiled: CompiledRuleSet, e: Expr, want: unknown, rows: Map<string, number[]>, depth = 0): Could {
  if (depth > 8) return "maybe";
  switch (e.kind) {
    case "literal":
      return JSON.stringify(toJson(literalValue(e, compiled.zone))) === JSON.stringify(want) ? "yes" : "no";
    case "if": {
      const a = couldGive(compiled, e.then, want, rows, depth + 1);
      const b = couldGive(compiled, e.else, want, rows, depth + 1);
      return a === "yes" || b === "yes" ? "yes" : a === "maybe" || b === "maybe" ? "maybe" : "no";
    }
    case "name":
      if (Object.hasOwn(compiled.constants, e.name))
        return couldGive(compiled, compiled.constants[e.name] as Expr, want, rows, depth + 1);
      return "maybe";
    case "member": {
      if (e.object.kind !== "name" || !Object.hasOwn(compiled.tables, e.object.name)) return "maybe";
      const table = compiled.tables[e.object.name];
      const column = table?.outputs.indexOf(e.property) ?? -1;
      // Lists (ruleOrder, outputOrder, collect) and aggregates are not one row's outputs.
      if (!table || !isSingleHit(table.hitPolicy) || column < 0) return "maybe";
      const found: number[] = [];
      for (const [i, row] of table.rows.entries()) {
        const cell = row.outputs[column];
        if (cell && couldGive(compiled, cell, want, rows, depth + 1) !== "no") found.push(i);
      }
      if (found.length > 0) rows.set(e.object.name, [...new Set([...(rows.get(e.object.name) ?? []), ...found])]);
      return found.length > 0 ? "yes" : "no";
    }
    case "binary":
    case "logical":
    case "unary":
    case "isNull":
    case "between":
      // Booleans, numbers or texts computed: a literal of another kind is provably different.
      return typeof want === "object" && want !== null ? "no" : "maybe";
    case "index":
    case "call":
    case "list":
    case "record":
    case "for":
    case "error":
      return "maybe";
    default:
      return assertNever(e, "expression kind");
  }
}

interface Conjunct {
  readonly conditions: Condition[];
  readonly text: string;
  readonly position?: WhyNotPosition;
}

/**
 * The top-level conjuncts of a rule's or row's condition (nested `all`s flattened; leaves written
 * at one place, as a range cell's two bounds, kept together).
 */
function conjuncts(compiled: CompiledRuleSet, c: Condition): Conjunct[] {
  const flat: Condition[] = [];
  const flatten = (x: Condition): void => {
    if ("all" in x) for (const y of x.all) flatten(y);
    else flat.push(x);
  };
  flatten(c);
  const out: Conjunct[] = [];
  for (const x of flat) {
    const text = conditionText(compiled, x);
    const at = firstLeaf(x);
    const loc = at?.name ? compiled.sourceMap[at.name] : undefined;
    const position = loc ? { line: loc.line, column: loc.column } : undefined;
    const last = out[out.length - 1];
    if (
      last &&
      last.text === text &&
      last.position?.line === position?.line &&
      last.position?.column === position?.column
    ) {
      last.conditions.push(x);
      continue;
    }
    out.push({ conditions: [x], text, ...(position ? { position } : {}) });
  }
  return out;
}

function firstLeaf(c: Condition): Leaf | undefined {
  if ("all" in c) return c.all.map(firstLeaf).find((x) => x !== undefined);
  if ("any" in c) return c.any.map(firstLeaf).find((x) => x !== undefined);
  if ("not" in c) return firstLeaf(c.not);
  return c;
}

/** A condition's text as written (leaves from the source map; `or`/`not` put back around them). */
function conditionText(compiled: CompiledRuleSet, c: Condition): string {
  if ("all" in c) {
    const texts = [...new Set(c.all.map((x) => conditionText(compiled, x)))];
    return texts.length === 1 ? (texts[0] as string) : `(${texts.join(" and ")})`;
  }
  if ("any" in c) {
    const texts = [...new Set(c.any.map((x) => conditionText(compiled, x)))];
    return texts.length === 1 ? (texts[0] as string) : `(${texts.join(" or ")})`;
  }
  if ("not" in c) return `not ${conditionText(compiled, c.not)}`;
  return (c.name ? compiled.sourceMap[c.name]?.text : undefined) ?? c.fact;
}

interface Analysis {
  readonly candidates: WhyNotCandidate[];
  readonly more: number;
  /** Facts whose change might help, in fact declaration order. */
  readonly facts: string[];
  /** Constants the blocking conditions compare each fact with. */
  readonly literals: Map<string, unknown[]>;
  /** The facts as validated (defaults applied, texts normalised): what the conditions saw. */
  readonly json: Record<string, unknown>;
}

function positionOf(compiled: CompiledRuleSet, ref: string): WhyNotPosition {
  const loc = compiled.sourceMap[ref];
  return { line: loc?.line ?? 0, column: loc?.column ?? 0 };
}

async function analyse(
  compiled: CompiledRuleSet,
  p: Prepared,
  rawFacts: unknown,
  want: Readonly<Record<string, unknown>>,
): Promise<Analysis> {
  const json = p.validate(rawFacts);
  const run = new RunContext(compiled, toRuntimeFacts(compiled, json), p.names);
  const engine = p.pool.acquire();
  const out = await engine.run({}, { almanac: new RunAlmanac(run) });
  p.pool.release(engine);
  const evaluated = new Map<string, RuleResult>();
  for (const r of [...out.results, ...out.failureResults])
    evaluated.set(String((r.event?.params as { ref?: string } | undefined)?.ref), r);
  // Leaf results by condition name, gathered per engine rule when its conditions are looked at
  // (a large table has thousands of rows, few of them candidates).
  const leafResults = new Map<string, LeafResult>();
  const gathered = new Set<string>();
  const gather = (ref: string): void => {
    const r = evaluated.get(ref);
    if (!r || gathered.has(ref)) return;
    gathered.add(ref);
    collectResults((r as unknown as { conditions: unknown }).conditions, leafResults);
  };
  const ev = new Evaluator(compiled, p, run, leafResults);
  const engineRule = new Map(compiled.rules.map((r) => [r.event.params.ref, r] as const));
  const firedOrder = new Map(run.firedRefs.map((ref, i) => [ref, i] as const));
  // The rule that stopped the evaluation: the last rule that fired with `stop`.
  const stopper = [...run.firedRefs].reverse().find((ref) => {
    const h = compiled.handlers[ref];
    return h?.kind === "rule" && compiled.rulesMeta[h.rule]?.stop === true;
  });

  const vary = new Set<string>();
  const literals = new Map<string, unknown[]>();
  const followed = new Set<string>();
  const noteFacts = (c: Condition): void => {
    factsOfCondition(compiled, p, c, vary);
    comparedLiterals(compiled, p, c, literals);
    // A condition on `decision.x` changes with what fills x: the facts those rules (validations,
    // transitions) read are varied too.
    for (const x of decisionReads(compiled, c)) follow(x);
  };
  /** Notes the facts (and what they are compared with) an assigned expression reads. */
  const noteExpr = (e: Expr): void => {
    for (const f of factsOfExpr(compiled, p, e)) vary.add(f);
    for (const [f, values] of literalsByFact(compiled, p, e)) literals.set(f, [...(literals.get(f) ?? []), ...values]);
    walkExpr(e, (m) => {
      if (m.kind === "member" && m.object.kind === "name" && m.object.name === "decision") follow(m.property);
    });
  };
  /** Notes what fills the output `x` (its writers' conditions and assigned expressions), once. */
  function follow(x: string): void {
    if (followed.has(x)) return;
    followed.add(x);
    for (const w of writersOf(compiled, x)) {
      const rule = engineRule.get(w.ref);
      if (rule) noteFacts(rule.conditions);
      for (const e of w.values) noteExpr(e);
    }
  }

  /** The false conjuncts of an engine rule, with what they read. */
  const blockingConditions = (ref: string): WhyNotBlock[] => {
    const rule = engineRule.get(ref);
    if (!rule) return [];
    gather(ref);
    const blocks: WhyNotBlock[] = [];
    for (const k of conjuncts(compiled, rule.conditions)) {
      if (k.conditions.every((c) => ev.holds(c))) continue;
      const values: Record<string, unknown> = {};
      for (const c of k.conditions) {
        ev.values(c, values);
        noteFacts(c);
      }
      blocks.push({ kind: "condition", text: k.text, ...(k.position ? { position: k.position } : {}), values });
    }
    return blocks;
  };

  /** Rules that assign `output` as a whole (their index in rulesMeta). */
  const writers = (output: string): Set<number> =>
    new Set(
      compiled.rulesMeta.flatMap((r, i) =>
        r.actions.some((a) => a.target.length >= 1 && a.target[0] === output) ? [i] : [],
      ),
    );

  const ruleBlocks = (ref: string, rule: number, output: string, viaTable: boolean): WhyNotBlock[] => {
    const blocks = blockingConditions(ref);
    if (!evaluated.has(ref) && stopper !== undefined) {
      const h = compiled.handlers[stopper] as Extract<Handler, { kind: "rule" }>;
      const name = compiled.rulesMeta[h.rule]?.name ?? stopper;
      const stopRule = engineRule.get(stopper);
      if (stopRule) noteFacts(stopRule.conditions);
      blocks.push({
        kind: "stop",
        text: `a regra "${name}", avaliada antes, encerrou a avaliação (stop): esta regra não chegou a ser avaliada`,
        position: positionOf(compiled, stopper),
        values: {},
      });
    }
    const at = firedOrder.get(ref);
    if (at !== undefined) {
      const ws = writers(output);
      const later = run.firedRefs.slice(at + 1).filter((r) => {
        const h = compiled.handlers[r];
        return h?.kind === "rule" && ws.has(h.rule);
      });
      for (const r of later) {
        const h = compiled.handlers[r] as Extract<Handler, { kind: "rule" }>;
        const later = engineRule.get(r);
        if (later) noteFacts(later.conditions);
        blocks.push({
          kind: "overwrite",
          text: `a regra "${compiled.rulesMeta[h.rule]?.name ?? r}", executada depois, sobrescreve ${output}`,
          position: positionOf(compiled, r),
          values: { [output]: jsonOf(run.decision[output] ?? null) },
        });
      }
      if (later.length === 0 && blocks.length === 0 && !viaTable) {
        // It fired, nothing overwrote it: its expression gave another value.
        const meta = compiled.rulesMeta[rule];
        const action = [...(meta?.actions ?? [])].reverse().find((a) => a.target[0] === output);
        if (action) {
          noteExpr(action.value);
          const values: Record<string, unknown> = {};
          for (const r of readsOf(action.value)) {
            try {
              values[r.text] = jsonOf(evaluate(r.expr, run.env));
            } catch {
              // a local: left out
            }
          }
          blocks.push({
            kind: "value",
            text: `a regra se aplicou, mas ${action.target.join(".")} deu ${showValue(jsonOf(run.decision[output] ?? null))}`,
            position: positionOf(compiled, ref),
            values,
          });
        }
      }
    }
    return blocks;
  };

  const candidates: WhyNotCandidate[] = [];
  const seen = new Set<string>();
  for (const [output, value] of Object.entries(want)) {
    if (JSON.stringify(jsonOf(run.decision[output] ?? null)) === JSON.stringify(value)) continue;
    const rows = new Map<string, number[]>();
    const ruleCould = new Map<number, { could: Could; viaTable: boolean }>();
    for (const [i, meta] of compiled.rulesMeta.entries()) {
      const action = [...meta.actions].reverse().find((a) => a.target.length === 1 && a.target[0] === output);
      if (action?.kind !== "assign") continue;
      const before = rows.size;
      const tableRows = new Map<string, number[]>();
      const could = couldGive(compiled, action.value, value, tableRows);
      for (const [t, list] of tableRows) rows.set(t, [...new Set([...(rows.get(t) ?? []), ...list])]);
      if (could !== "no") ruleCould.set(i, { could, viaTable: tableRows.size > 0 || rows.size > before });
    }
    // In evaluation order: rows (tables come first) and rules as the engine runs them.
    for (const engineRuleEntry of compiled.rules) {
      const ref = engineRuleEntry.event.params.ref;
      const h = compiled.handlers[ref];
      if (!h || seen.has(ref)) continue;
      if (h.kind === "row") {
        if (!rows.get(h.table)?.includes(h.row)) continue;
        const blocks = blockingConditions(ref);
        const chosen = run.lostRows.has(ref) ? run.chosenRows.get(h.table) : undefined;
        if (chosen !== undefined) {
          const winner = engineRule.get(`t:${h.table}:${chosen}`);
          if (winner) noteFacts(winner.conditions);
          blocks.push({
            kind: "priority",
            text: `a linha ${chosen + 1} da tabela ${h.table} também se aplica e tem saídas de maior prioridade (política priority)`,
            position: positionOf(compiled, `t:${h.table}:${chosen}`),
            values: {},
          });
        }
        if (run.ignoredRows.has(ref)) {
          const won = run.tableHits.get(h.table)?.[0];
          const winner = engineRule.get(`t:${h.table}:${won ?? 0}`);
          if (winner) noteFacts(winner.conditions);
          blocks.push({
            kind: "first",
            text: `a linha ${(won ?? 0) + 1} da tabela ${h.table}, anterior, já foi escolhida (política first)`,
            position: positionOf(compiled, `t:${h.table}:${won ?? 0}`),
            values: {},
          });
        }
        // A row that matched and won is not what blocks: the rule that copies it is listed then.
        if (blocks.length === 0) continue;
        seen.add(ref);
        candidates.push({
          kind: "row",
          name: engineRuleEntry.name,
          table: h.table,
          row: h.row + 1,
          position: positionOf(compiled, ref),
          blocking: blocks,
        });
      } else if (h.kind === "rule") {
        const c = ruleCould.get(h.rule);
        if (!c) continue;
        const blocks = ruleBlocks(ref, h.rule, output, c.viaTable);
        // Not blocked (a rule that copies a table column and applied): the rows are the candidates.
        if (blocks.length === 0) continue;
        seen.add(ref);
        candidates.push({
          kind: "rule",
          name: compiled.rulesMeta[h.rule]?.name ?? engineRuleEntry.name,
          position: positionOf(compiled, ref),
          blocking: blocks,
        });
      }
    }
    // Wanting an output's default: the output as declared is a candidate, and the rules that
    // wrote it (they applied) are in the way.
    if (JSON.stringify(compiled.outputs[output]?.default ?? null) === JSON.stringify(value)) {
      const ws = writers(output);
      const blocks: WhyNotBlock[] = [];
      for (const ref of run.firedRefs) {
        const h = compiled.handlers[ref];
        const rule = engineRule.get(ref);
        if (h?.kind !== "rule" || !ws.has(h.rule) || !rule) continue;
        noteFacts(rule.conditions);
        const values: Record<string, unknown> = {};
        for (const k of conjuncts(compiled, rule.conditions)) for (const c of k.conditions) ev.values(c, values);
        blocks.push({
          kind: "overwrite",
          text: `a regra "${compiled.rulesMeta[h.rule]?.name ?? ref}" se aplicou e escreve ${output}`,
          position: positionOf(compiled, ref),
          values,
        });
      }
      if (blocks.length > 0)
        candidates.push({
          kind: "default",
          name: `${output} (valor padrão ${showValue(value)})`,
          position: positionOf(compiled, `o:${output}`),
          blocking: blocks,
        });
    }
  }
  const order = Object.keys(compiled.factShapes);
  const facts = order.filter((f) => vary.has(f));
  return {
    candidates: candidates.slice(0, MAX_CANDIDATES),
    more: Math.max(0, candidates.length - MAX_CANDIDATES),
    facts,
    literals,
    json,
  };
}

// ---------------------------------------------------------------------------------------------
// The search for the smallest change.

interface FactSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly items?: FactSchema;
}

function nextDay(text: string, delta: number): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + delta));
  return d.toISOString().slice(0, 10);
}

/** The values tried for a fact, in order: compared constants (and their neighbours), enum values, booleans, null. */
function candidateValues(
  schema: FactSchema | undefined,
  required: boolean,
  literals: readonly unknown[],
  current: unknown,
): unknown[] {
  const types = schema?.type === undefined ? [] : typeof schema.type === "string" ? [schema.type] : schema.type;
  const fits = (v: unknown): boolean => {
    if (v === null) return !required && (types.length === 0 || types.includes("null"));
    if (schema?.enum) return schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v));
    if (typeof v === "string") {
      if (!types.includes("string")) return false;
      if (schema?.format === "date") return /^\d{4}-\d{2}-\d{2}$/.test(v);
      if (schema?.format?.includes("date-time")) return /T/.test(v);
      return true;
    }
    if (typeof v === "number") return types.includes("number") || (types.includes("integer") && Number.isInteger(v));
    if (typeof v === "boolean") return types.includes("boolean");
    if (Array.isArray(v)) return types.includes("array");
    return false;
  };
  const out: unknown[] = [];
  const keys = new Set<string>([JSON.stringify(current)]);
  const push = (v: unknown): void => {
    if (out.length >= MAX_VALUES_PER_FACT || !fits(v)) return;
    const k = JSON.stringify(v);
    if (keys.has(k)) return;
    keys.add(k);
    out.push(v);
  };
  for (const v of literals) {
    push(v);
    if (typeof v === "number") {
      push(v + 1);
      push(v - 1);
    } else if (typeof v === "string" && schema?.format === "date") {
      push(nextDay(v, 1));
      push(nextDay(v, -1));
    }
  }
  for (const v of schema?.enum ?? []) push(v);
  if (types.includes("array")) {
    // A list fact: the empty list, and a list of one of the constants (or of the items' values).
    push([]);
    for (const v of [...literals, ...(schema?.items?.enum ?? [])]) if (v !== null && typeof v !== "object") push([v]);
  }
  if (types.includes("boolean")) {
    push(true);
    push(false);
  }
  push(null);
  return out;
}

/** A note for outputs that validations or transitions fill (not analysed as candidates). */
function byOtherWriters(compiled: CompiledRuleSet, want: Readonly<Record<string, unknown>>): string {
  const t = compiled.transitions;
  const others = Object.keys(want).filter(
    (o) => compiled.validations?.into === o || (t !== undefined && [t.allowed, t.reasons, t.missing].includes(o)),
  );
  return others.length > 0
    ? ` (${others.join(", ")} também é preenchida pelas validações ou transições, que esta análise não percorre)`
    : "";
}

function matches(decision: Record<string, unknown>, want: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(want).every(([k, v]) => JSON.stringify(decision[k] ?? null) === JSON.stringify(v));
}

/** Explains why the decision of `facts` does not give `want`, and finds the smallest change that does. */
export async function whyNot(
  runtime: Runtime,
  facts: unknown,
  want: Readonly<Record<string, unknown>>,
  options: WhyNotOptions = {},
): Promise<WhyNotResult> {
  const compiled = runtime.compiled;
  checkWanted(compiled, want);
  const limit = options.limit ?? WHY_NOT_DECISION_LIMIT;
  // The real decision first: invalid facts and rule-set defects reject here, as in decide.
  const result = await runtime.decide(facts);
  const base = { decision: result.decision, fired: result.fired, wanted: want };
  if (matches(result.decision, want))
    return {
      ...base,
      already: true,
      candidates: [],
      moreCandidates: 0,
      suggestion: null,
      search: { decisions: 0, limit, stoppedAtLimit: false },
    };
  const p = prepare(compiled);
  const analysis = await analyse(compiled, p, facts, want);
  const json = analysis.json;
  const raw = facts as Record<string, unknown>;
  const schema = (compiled.factSchema as { properties?: Record<string, FactSchema>; required?: string[] }) ?? {};
  const required = new Set(schema.required ?? []);
  const options_ = analysis.facts.map((fact) => ({
    fact,
    from: json[fact] ?? null,
    values: candidateValues(
      schema.properties?.[fact],
      required.has(fact),
      analysis.literals.get(fact) ?? [],
      json[fact] ?? null,
    ),
  }));
  let decisions = 0;
  let stoppedAtLimit = false;
  let slice = performance.now();
  const attempt = async (changes: WhyNotChange[]): Promise<WhyNotSuggestion | undefined> => {
    if (decisions >= limit) {
      stoppedAtLimit = true;
      return undefined;
    }
    if (options.checkpoint && performance.now() - slice > CHECKPOINT_MS) {
      await options.checkpoint();
      slice = performance.now();
    }
    decisions++;
    const changed: Record<string, unknown> = { ...raw };
    for (const c of changes) changed[c.fact] = c.to;
    try {
      const r = await runtime.decide(changed);
      return matches(r.decision, want) ? { changes, decision: r.decision } : undefined;
    } catch (e) {
      if (isDecisionError(e)) return undefined;
      throw e;
    }
  };
  // Single changes in fact order, then pairs: the first found has the fewest changed facts.
  const find = async (): Promise<WhyNotSuggestion | undefined> => {
    for (const o of options_)
      for (const to of o.values) {
        const found = await attempt([{ fact: o.fact, from: o.from, to }]);
        if (found || stoppedAtLimit) return found;
      }
    for (const [i, a] of options_.entries())
      for (const b of options_.slice(i + 1))
        for (const x of a.values)
          for (const y of b.values) {
            const found = await attempt([
              { fact: a.fact, from: a.from, to: x },
              { fact: b.fact, from: b.from, to: y },
            ]);
            if (found || stoppedAtLimit) return found;
          }
    return undefined;
  };
  const suggestion = await find();
  const wantedText = Object.entries(want)
    .map(([k, v]) => `${k} = ${showValue(v)}`)
    .join(" e ");
  return {
    ...base,
    already: false,
    candidates: analysis.candidates,
    moreCandidates: analysis.more,
    suggestion: suggestion ?? null,
    search: { decisions, limit, stoppedAtLimit },
    ...(suggestion
      ? {}
      : {
          message: stoppedAtLimit
            ? `a busca parou depois de ${limit} decisões sem achar uma mudança de até 2 fatos que produza ${wantedText}`
            : analysis.candidates.length === 0 && analysis.facts.length === 0
              ? `nenhuma regra, linha de tabela ou valor padrão pode dar ${wantedText}${byOtherWriters(compiled, want)}`
              : analysis.facts.length === 0
                ? `não há fato a mudar: o que impede ${wantedText} não lê nenhum fato (só constantes, a decisão ou linhas sem condição)`
                : `nenhuma mudança de até 2 fatos produz ${wantedText}`,
        }),
  };
}
