/**
 * Emits the compiled rule set from a checked model. Every table row, validation, transition check
 * and rule becomes one json-rules-engine rule with its own strictly decreasing priority, so that
 * evaluation order is defined by us (json-rules-engine runs equal priorities in parallel and
 * returns their events in resolution order). Simple comparisons become native conditions on facts
 * (with a safe path); anything richer becomes a condition on the `$expr` computed fact.
 */
import type { Range } from "../diagnostics.js";
import { createLineIndex, locateRange, type LineIndex } from "../positions.js";
import { stripRanges, type Expr, type UnaryTest } from "../syntax/ast.js";
import type { FieldDecl, RuleSetModel, TemplateDecl, TypeDecl } from "../ruleset/model.js";
import type { Scope } from "../check/typing.js";
import type { Type } from "../types.js";
import {
  COMPILED_FORMAT,
  DECISION_FACT,
  EXPR_FACT,
  IS_BLANK_OPERATOR,
  IS_NULL_OPERATOR,
  OPERATOR_NAMES,
  TABLE_FACT,
  type CompiledRuleSet,
  type CompiledTemplate,
  type Condition,
  type EngineRule,
  type Handler,
  type Shape,
} from "./compiled.js";

export interface EmitInput {
  readonly model: RuleSetModel;
  readonly source: string;
  readonly scope: Scope;
  readonly types: WeakMap<Expr, Type>;
}

export function emit({ model, source, scope, types }: EmitInput): CompiledRuleSet {
  const index: LineIndex = createLineIndex(source);
  const sourceMap: Record<string, CompiledRuleSet["sourceMap"][string]> = {};
  const expressions: Record<string, Expr> = {};
  const handlers: Record<string, Handler> = {};
  const pending: { name: string; ref: string; conditions: Condition }[] = [];
  let conditionCount = 0;
  let exprCount = 0;

  const locate = (id: string, range: Range, label: string, withText = false) => {
    sourceMap[id] = {
      ...locateRange(index, range),
      label,
      ...(withText ? { text: source.slice(range.start, range.end) } : {}),
    };
  };

  const exprRef = (e: Expr): { fact: string; params: { id: string } } => {
    const id = `e${++exprCount}`;
    expressions[id] = stripRanges(e);
    return { fact: EXPR_FACT, params: { id } };
  };

  /** A fact reference for a plain path (`protocolo.campos.x`, `decision.y`, `tabela.col`), or undefined. */
  const factPath = (e: Expr): { fact: string; path?: string; params?: Record<string, unknown> } | undefined => {
    const segments: string[] = [];
    let cur = e;
    while (cur.kind === "member") {
      segments.unshift(cur.property);
      cur = cur.object;
    }
    if (cur.kind !== "name") return undefined;
    const root = cur.name;
    const sym = scope.lookup(root);
    const path = segments.length ? segments.join(".") : undefined;
    if (sym?.kind === "fact") return { fact: root, ...(path ? { path } : {}) };
    if (root === "decision" && segments.length) return { fact: DECISION_FACT, path: segments.join(".") };
    if (sym?.kind === "table") return { fact: TABLE_FACT, params: { table: root }, ...(path ? { path } : {}) };
    return undefined;
  };

  /** A literal (or constant) as JSON for a condition value, or undefined when not constant. */
  const constantJson = (e: Expr): { value: unknown } | undefined => {
    if (e.kind === "literal") {
      const l = e.literal;
      if (l.type === "null") return { value: null };
      if (l.type === "date") return { value: { $date: l.value } };
      if (l.type === "datetime") return { value: { $datetime: l.value } };
      if (l.type === "duration") return { value: { $duration: l.value } };
      return { value: l.value };
    }
    if (e.kind === "list") {
      const items = e.items.map(constantJson);
      if (items.every((i) => i !== undefined)) return { value: items.map((i) => i?.value) };
      return undefined;
    }
    if (e.kind === "name" && scope.lookup(e.name)?.kind === "constant") {
      const c = model.constants.get(e.name);
      return c ? constantJson(c.expr) : undefined;
    }
    return undefined;
  };

  /** A leaf condition with its source-map entry; `column` prefixes a table cell's text in traces ("coluna: célula"). */
  const leaf = (e: Expr, base: Omit<Extract<Condition, { fact: string }>, "name">, column?: string): Condition => {
    const name = `c${++conditionCount}`;
    locate(name, e.range, "condição", true);
    if (column !== undefined) {
      const entry = sourceMap[name];
      if (entry) sourceMap[name] = { ...entry, text: `${column}: ${entry.text ?? ""}` };
    }
    return { name, ...base };
  };

  const condition = (e: Expr, column?: string): Condition => {
    switch (e.kind) {
      case "logical":
        return e.operator === "and"
          ? { all: e.operands.map((o) => condition(o, column)) }
          : { any: e.operands.map((o) => condition(o, column)) };
      case "unary":
        if (e.operator === "not") return { not: condition(e.operand, column) };
        break;
      case "literal":
        if (e.literal.type === "boolean" && e.literal.value === true) return { all: [] };
        break;
      case "isNull": {
        const p = factPath(e.operand);
        if (p) return leaf(e, { ...p, operator: IS_NULL_OPERATOR, value: !e.negated }, column);
        break;
      }
      case "binary": {
        const op = OPERATOR_NAMES[e.operator];
        if (!op) break;
        const left = factPath(e.left) ?? exprRef(e.left);
        const right = constantJson(e.right) ?? { value: factPath(e.right) ?? exprRef(e.right) };
        return leaf(e, { ...left, operator: op, value: right.value }, column);
      }
      case "member":
      case "name": {
        const p = factPath(e);
        if (p) return leaf(e, { ...p, operator: OPERATOR_NAMES["=="] as string, value: true }, column);
        break;
      }
      default:
        break;
    }
    return leaf(e, { ...exprRef(e), operator: OPERATOR_NAMES["=="] as string, value: true }, column);
  };

  const add = (name: string, ref: string, conditions: Condition, handler: Handler, range: Range, label: string) => {
    pending.push({ name, ref, conditions });
    handlers[ref] = handler;
    locate(ref, range, label);
  };
  const andAll = (...cs: (Condition | undefined)[]): Condition => {
    const list = cs.filter((c): c is Condition => c !== undefined);
    return list.length === 1 ? (list[0] as Condition) : { all: list };
  };

  // Tables: one engine rule per row; cells become conditions on the input column.
  const tableRecord: Record<string, CompiledRuleSet["tables"][string]> = {};
  for (const t of model.tables) {
    locate(`tb:${t.name}`, t.nameRange, `tabela ${t.name}`);
    const guard = t.when ? condition(t.when) : undefined;
    t.rows.forEach((row, r) => {
      const cells = row.inputs.map((test, i) => {
        const column = t.inputs[i]?.expr;
        if (!column || test.kind === "any") return undefined;
        return cellCondition(test, column, t.inputs[i]?.name ?? "");
      });
      add(
        `${t.name} · linha ${r + 1}`,
        `t:${t.name}:${r}`,
        andAll(guard, ...cells) ?? { all: [] },
        { kind: "row", table: t.name, row: r },
        row.range,
        `tabela ${t.name}, linha ${r + 1}`,
      );
    });
    const compiled = {
      hitPolicy: t.hitPolicy,
      inputs: t.inputs.map((c) =>
        stripRanges(c.expr ?? ({ kind: "literal", literal: { type: "null" }, range: t.range } as Expr)),
      ),
      inputNames: t.inputs.map((c) => c.name),
      outputs: t.outputs.map((c) => c.name),
      rows: t.rows.map((r) => ({ inputs: stripRanges(r.inputs), outputs: stripRanges(r.outputs) })),
    };
    tableRecord[t.name] = compiled;
  }

  /** A table cell as a condition: native when the column is a fact path and the cell literal. */
  function cellCondition(test: UnaryTest, column: Expr, label: string): Condition {
    switch (test.kind) {
      case "any":
        return { all: [] };
      case "compare": {
        // On a list column, an equality cell means "the list contains this value".
        const listColumn = types.get(column)?.kind === "list" && types.get(test.value)?.kind !== "list";
        const operator = listColumn && test.operator === "==" ? "contains" : test.operator;
        const synthetic: Expr = { kind: "binary", operator, left: column, right: test.value, range: test.range };
        return condition(synthetic, label);
      }
      case "range": {
        const lo: Expr = {
          kind: "binary",
          operator: test.lowInclusive ? ">=" : ">",
          left: column,
          right: test.low,
          range: test.range,
        };
        const hi: Expr = {
          kind: "binary",
          operator: test.highInclusive ? "<=" : "<",
          left: column,
          right: test.high,
          range: test.range,
        };
        return { all: [condition(lo, label), condition(hi, label)] };
      }
      case "oneOf": {
        // All plain equalities with constants: one `in` condition.
        const values = test.tests.map((x) =>
          x.kind === "compare" && x.operator === "==" ? constantJson(x.value) : undefined,
        );
        if (types.get(column)?.kind !== "list" && values.every((v) => v !== undefined)) {
          const synthetic: Expr = {
            kind: "binary",
            operator: "in",
            left: column,
            right: { kind: "list", items: test.tests.map((x) => (x as { value: Expr }).value), range: test.range },
            range: test.range,
          };
          return condition(synthetic, label);
        }
        return { any: test.tests.map((x) => cellCondition(x, column, label)) };
      }
      case "not":
        return { not: cellCondition(test.test, column, label) };
    }
  }

  // Validations: fire when applicable and the requirement does not hold.
  if (model.validations) {
    model.validations.items.forEach((v, i) => {
      const conds = andAll(v.when ? condition(v.when) : undefined, { not: condition(v.require) });
      add(
        `validação ${v.field}`,
        `v:${i}`,
        conds,
        { kind: "validation", index: i },
        v.range,
        `validação de ${v.field}`,
      );
    });
  }

  // Transitions.
  if (model.transitions) {
    const tr = model.transitions;
    const states = tr.states.map((s) => s.name);
    const terminal = tr.terminal.map((s) => s.name);
    const is = (side: Expr, op: string, value: unknown): Condition => {
      const synthetic: Expr = {
        kind: "binary",
        operator: op as "==",
        left: side,
        right: jsonLiteral(value, side.range),
        range: side.range,
      };
      return condition(synthetic);
    };
    const edge = (from: string, to: string) => andAll(is(tr.from, "==", from), is(tr.to, "==", to));
    add(
      "transição: estado desconhecido",
      "x:unknown",
      { any: [is(tr.from, "not in", states), is(tr.to, "not in", states)] },
      { kind: "refuse", reason: template(tr.refusals.unknownState) },
      tr.range,
      "estados da transição",
    );
    add(
      "transição: estado terminal",
      "x:terminal",
      is(tr.from, "in", terminal),
      { kind: "refuse", reason: template(tr.refusals.terminal) },
      tr.range,
      "estados terminais",
    );
    const nonTerminal = states.filter((s) => !terminal.includes(s));
    add(
      "transição: não permitida",
      "x:notAllowed",
      andAll(is(tr.from, "in", nonTerminal), is(tr.to, "in", states), {
        not: { any: tr.allow.map((a) => edge(a.from, a.to)) },
      }),
      { kind: "refuse", reason: template(tr.refusals.notAllowed) },
      tr.range,
      "transições permitidas",
    );
    tr.guards.forEach((g, i) => {
      add(
        `transição: condição geral ${i + 1}`,
        `x:guard:${i}`,
        { not: condition(g.require) },
        { kind: "refuse", reason: template(g.reason) },
        g.range,
        "condição geral de transição",
      );
    });
    tr.allow.forEach((a, i) => {
      add(
        `transição ${a.from} → ${a.to}`,
        `x:${i}`,
        edge(a.from, a.to),
        { kind: "edge", from: a.from, to: a.to },
        a.range,
        `transição ${a.from} → ${a.to}`,
      );
      a.requires.forEach((req, j) => {
        const p = factPath(req.expr);
        const blank = p
          ? leaf(req.expr, { ...p, operator: IS_BLANK_OPERATOR, value: true })
          : leaf(req.expr, { ...exprRef(req.expr), operator: IS_BLANK_OPERATOR, value: true });
        add(
          `transição ${a.from} → ${a.to}: exige ${req.label}`,
          `x:${i}:req:${j}`,
          andAll(edge(a.from, a.to), blank),
          { kind: "missing", label: req.label },
          req.expr.range,
          `campo exigido ${req.label}`,
        );
      });
      a.guards.forEach((g, j) => {
        add(
          `transição ${a.from} → ${a.to}: condição ${j + 1}`,
          `x:${i}:guard:${j}`,
          andAll(edge(a.from, a.to), { not: condition(g.require) }),
          { kind: "refuse", reason: template(g.reason) },
          g.range,
          `condição da transição ${a.from} → ${a.to}`,
        );
      });
    });
    add(
      "transição: resultado",
      "x:result",
      { all: [] },
      { kind: "transitionResult" },
      tr.range,
      "resultado da transição",
    );
  }

  // Rules, by priority (higher first), then in the order written.
  const ordered = model.rules.map((r, i) => ({ r, i })).sort((a, b) => b.r.priority - a.r.priority || a.i - b.i);
  const rulesMeta = model.rules.map((r) => ({ name: r.name, actions: stripRanges(r.then), stop: r.stop }));
  for (const { r, i } of ordered) {
    add(
      r.name,
      `r:${i}`,
      r.when ? condition(r.when) : { all: [] },
      { kind: "rule", rule: i },
      r.range,
      `regra "${r.name}"`,
    );
  }

  const rules: EngineRule[] = pending.map((p, i) => ({
    name: p.name,
    priority: pending.length - i,
    conditions:
      "all" in p.conditions || "any" in p.conditions || "not" in p.conditions ? p.conditions : { all: [p.conditions] },
    event: { type: "dsl", params: { ref: p.ref } },
  }));

  const outputs: Record<string, { default: unknown; shape: Shape }> = {};
  for (const o of model.outputs.values()) {
    outputs[o.name] = { default: o.default !== undefined ? o.default : defaultFor(o), shape: shapeOf(o.decl) };
    locate(`o:${o.name}`, o.nameRange, `saída ${o.name}`);
  }
  const factShapes: Record<string, Shape> = {};
  for (const f of model.facts.values()) factShapes[f.name] = shapeOf(f.decl);

  const record = <T, U>(m: ReadonlyMap<string, T>, f: (v: T) => U): Record<string, U> => {
    const out: Record<string, U> = {};
    for (const [k, v] of m) out[k] = f(v);
    return out;
  };

  return {
    format: COMPILED_FORMAT,
    name: model.name,
    description: model.description,
    zone: model.zone,
    factSchema: objectSchema(model.facts, true),
    factShapes,
    decisionSchema: objectSchema(model.outputs, false),
    outputs,
    constants: record(model.constants, (c) => stripRanges(c.expr)),
    values: record(model.values, (v) => stripRanges(v.expr)),
    templates: record(model.templates, template),
    collections: record(model.collections, (c) => ({
      from: stripRanges(c.from),
      ...(c.where ? { where: stripRanges(c.where) } : {}),
      key: stripRanges(c.key),
      order: stripRanges(c.order),
    })),
    tables: tableRecord,
    rulesMeta,
    ...(model.validations
      ? {
          validations: {
            into: model.validations.into,
            fieldKey: model.validations.fieldKey,
            messageKey: model.validations.messageKey,
            items: model.validations.items.map((v) => ({ field: v.field, message: template(v.message) })),
          },
        }
      : {}),
    ...(model.transitions
      ? {
          transitions: {
            ...model.transitions.outputs,
            ...(model.transitions.refusals.missingFields
              ? { missingFields: template(model.transitions.refusals.missingFields) }
              : {}),
          },
        }
      : {}),
    invariants: model.invariants.map((inv, i) => {
      locate(`i:${i}`, inv.range, `invariante ${inv.name}`);
      return { name: inv.name, check: stripRanges(inv.check), ...(inv.message ? { message: inv.message } : {}) };
    }),
    expressions,
    rules,
    handlers,
    sourceMap,
  };
}

function template(t: TemplateDecl): CompiledTemplate {
  return {
    params: t.params.map((p) => p.name),
    parts: t.parts.map((p) => (p.kind === "text" ? { text: p.text } : { expr: stripRanges(p.expr) })),
  };
}

function jsonLiteral(value: unknown, range: Range): Expr {
  if (Array.isArray(value)) return { kind: "list", items: value.map((v) => jsonLiteral(v, range)), range };
  if (typeof value === "string") return { kind: "literal", literal: { type: "string", value }, range };
  if (typeof value === "number") return { kind: "literal", literal: { type: "number", value }, range };
  if (typeof value === "boolean") return { kind: "literal", literal: { type: "boolean", value }, range };
  return { kind: "literal", literal: { type: "null" }, range };
}

function defaultFor(o: FieldDecl): unknown {
  if (o.decl.type === "list") return [];
  return null;
}

export function shapeOf(decl: TypeDecl): Shape {
  switch (decl.type) {
    case "date":
      return { t: "date" };
    case "date-time":
      return { t: "datetime" };
    case "duration":
      return { t: "duration" };
    case "list":
      return { t: "list", items: decl.items ? shapeOf(decl.items) : { t: "plain" } };
    case "object": {
      const fields: Record<string, Shape> = {};
      if (decl.fields) for (const [k, f] of decl.fields) fields[k] = shapeOf(f.decl);
      return {
        t: "object",
        ...(decl.fields ? { fields } : {}),
        ...(decl.values ? { values: shapeOf(decl.values) } : {}),
      };
    }
    default:
      return { t: "plain" };
  }
}

/** JSON Schema of a type declaration (no coercion needed: the engine compiles it with coerceTypes false). */
export function schemaOf(decl: TypeDecl, nullable: boolean, description?: string): Record<string, unknown> {
  let s: Record<string, unknown>;
  switch (decl.type) {
    case "string":
      s = { type: "string", ...(decl.enum ? { enum: [...decl.enum] } : {}) };
      break;
    case "number":
    case "integer":
      s = {
        type: decl.type,
        ...(decl.minimum !== undefined ? { minimum: decl.minimum } : {}),
        ...(decl.maximum !== undefined ? { maximum: decl.maximum } : {}),
      };
      break;
    case "boolean":
      s = { type: "boolean" };
      break;
    case "date":
      s = { type: "string", format: "date" };
      break;
    case "date-time":
      s = { type: "string", format: "rules-date-time" };
      break;
    case "duration":
      s = { type: "string", format: "rules-duration" };
      break;
    case "list":
      s = {
        type: "array",
        ...(decl.items ? { items: schemaOf(decl.items, false) } : {}),
        ...(decl.minItems !== undefined ? { minItems: decl.minItems } : {}),
        ...(decl.maxItems !== undefined ? { maxItems: decl.maxItems } : {}),
      };
      break;
    case "object":
      if (decl.fields) s = objectSchema(decl.fields, true);
      else s = { type: "object", ...(decl.values ? { additionalProperties: schemaOf(decl.values, true) } : {}) };
      break;
    case "any":
      s = {};
      break;
  }
  if (nullable && typeof s.type === "string") {
    s = { ...s, type: [s.type, "null"] };
    if (Array.isArray(s.enum)) s = { ...s, enum: [...(s.enum as unknown[]), null] };
  }
  // Fact-boundary annotations (engine/facts.ts FACT_SCHEMA_ANNOTATIONS).
  if (decl.normalize !== undefined) s = { ...s, "x-normalize": decl.normalize };
  if (decl.uniqueBy) s = { ...s, "x-uniqueBy": [...decl.uniqueBy] };
  return description ? { ...s, description } : s;
}

function objectSchema(fields: ReadonlyMap<string, FieldDecl>, withDefaults: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const f of fields.values()) {
    const s = schemaOf(f.decl, f.nullable, f.description);
    properties[f.name] = withDefaults && f.default !== undefined ? { ...s, default: f.default } : s;
    if (f.required) required.push(f.name);
  }
  return { type: "object", properties, ...(required.length ? { required } : {}), additionalProperties: false };
}
