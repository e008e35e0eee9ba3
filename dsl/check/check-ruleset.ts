/**
 * Checks of a whole rule set: names (duplicates, reserved words, cycles between computed values),
 * every expression typed in its scope, `then` actions against the declared outputs, decision
 * tables (cell types, enum values, hit-policy overlaps), transitions (unknown and unreachable
 * states), validations, and invariants (a literal output that breaks one is reported where it is
 * written). Each check reports on the exact node; a check that throws becomes an internal
 * diagnostic instead of a crash.
 */
import { createError, createWarning, didYouMean, type Diagnostic, type Range } from "../diagnostics.js";
import { evaluate, type EvalEnv } from "../evaluate.js";
import type { Action, Expr, UnaryTest } from "../syntax/ast.js";
import { walkExpr } from "../syntax/ast.js";
import { assignable, T, type Type, typeName, unify } from "../types.js";
import { createRecord, isDurationText, parseDate, parseDateTime, type Value } from "../values.js";
import { typeOfDecl, type FieldDecl, type RuleSetModel, type TableDecl, type TemplateDecl } from "../ruleset/model.js";
import { kindLabel, localScope, type Scope, type SymbolInfo, TypeChecker } from "./typing.js";

export interface CheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Type of every checked expression node (read by the compiler). */
  readonly types: WeakMap<Expr, Type>;
  /** The scope of top-level names (read by the editor's completion). */
  readonly scope: Scope;
  /** Type of the decision (outputs). */
  readonly decisionType: Type;
}

/** Type of an element of a collection's result. */
export function collectionEntryType(item: Type): Type {
  return T.object({
    item,
    index: T.integer,
    included: T.boolean,
    first: item,
    isFirst: T.boolean,
    rank: T.integer,
    size: T.integer,
  });
}

export function checkRuleSet(model: RuleSetModel): CheckResult {
  const tc = new TypeChecker();
  const extra: Diagnostic[] = [];
  const err = (code: Diagnostic["code"], message: string, range: Range) =>
    extra.push(createError(code, message, range));

  // ------------------------------------------------------------ top-level names
  const declared = new Map<string, { kind: SymbolInfo["kind"]; range: Range }>();
  const declare = (name: string, kind: SymbolInfo["kind"], range: Range) => {
    const prev = declared.get(name);
    if (prev) {
      extra.push(
        createError(
          "ruleset/duplicate-name",
          `o nome "${name}" já foi usado para ${kindLabel(prev.kind)}; cada nome deve ser único no conjunto de regras`,
          range,
          [{ message: "primeira declaração", range: prev.range }],
        ),
      );
      return false;
    }
    declared.set(name, { kind, range });
    return true;
  };
  for (const f of model.facts.values()) declare(f.name, "fact", f.nameRange);
  for (const c of model.constants.values()) declare(c.name, "constant", c.nameRange);
  for (const v of model.values.values()) declare(v.name, "value", v.nameRange);
  for (const t of model.templates.values()) declare(t.name, "template", t.nameRange);
  for (const t of model.tables) declare(t.name, "table", t.nameRange);
  for (const c of model.collections.values()) declare(c.name, "collection", c.nameRange);

  const decisionFields: Record<string, Type> = Object.create(null);
  for (const o of model.outputs.values()) decisionFields[o.name] = typeOfDecl(o.decl);
  const decisionType = T.object(decisionFields);

  // Lazily typed symbols, so that values may refer to tables, collections and each other in any order.
  const cache = new Map<string, SymbolInfo>();
  const inProgress = new Set<string>();
  let globalScope: Scope;
  const resolve = (name: string): SymbolInfo | undefined => {
    const hit = cache.get(name);
    if (hit) return hit;
    if (name === "decision") return { kind: "decision", name, type: decisionType };
    const d = declared.get(name);
    if (!d) return undefined;
    // A cycle (reported by checkCycles) must not recurse forever here.
    if (inProgress.has(name)) return { kind: d.kind, name, type: T.any };
    inProgress.add(name);
    let info: SymbolInfo;
    try {
      info = computeSymbol(name, d.kind);
    } finally {
      inProgress.delete(name);
    }
    cache.set(name, info);
    return info;
  };
  globalScope = {
    lookup: resolve,
    *names() {
      yield* declared.keys();
      yield "decision";
    },
  };
  const constantScope: Scope = {
    lookup: (name) => (declared.get(name)?.kind === "constant" ? resolve(name) : undefined),
    *names() {
      for (const [k, v] of declared) if (v.kind === "constant") yield k;
    },
  };

  function computeSymbol(name: string, kind: SymbolInfo["kind"]): SymbolInfo {
    switch (kind) {
      case "fact": {
        const f = model.facts.get(name) as FieldDecl;
        return { kind, name, type: typeOfDecl(f.decl), range: f.nameRange };
      }
      case "constant": {
        const c = model.constants.get(name);
        const text = c?.expr.kind === "literal" && c.expr.literal.type === "string" ? c.expr.literal.value : undefined;
        return {
          kind,
          name,
          type: c ? tc.infer(c.expr, constantScope) : T.any,
          ...(text !== undefined ? { text } : {}),
        };
      }
      case "value": {
        const v = model.values.get(name);
        return { kind, name, type: v ? tc.infer(v.expr, globalScope) : T.any };
      }
      case "template": {
        const t = model.templates.get(name);
        return { kind, name, type: T.string, params: t?.params.map((p) => p.name) ?? [] };
      }
      case "table": {
        const t = model.tables.find((x) => x.name === name) as TableDecl;
        return { kind, name, type: tableType(t), rowType: rowType(t) };
      }
      case "collection": {
        const c = model.collections.get(name);
        if (!c) return { kind, name, type: T.any };
        const from = tc.infer(c.from, globalScope);
        return { kind, name, type: T.list(collectionEntryType(from.kind === "list" ? from.of : T.any)) };
      }
      default:
        return { kind, name, type: T.any };
    }
  }

  function tableType(t: TableDecl): Type {
    const fields: Record<string, Type> = Object.create(null);
    t.outputs.forEach((col, i) => {
      let ty: Type = T.null;
      for (const row of t.rows) {
        const cell = row.outputs[i];
        if (cell) ty = unify(ty, tc.infer(cell, globalScope));
      }
      fields[col.name] = ty.kind === "null" ? T.any : ty;
    });
    const record = T.object(fields);
    return t.hitPolicy === "collect" ? T.list(record) : record;
  }

  function rowType(t: TableDecl): Type {
    const fields: Record<string, Type> = Object.create(null);
    for (const c of t.inputs) fields[c.name] = c.expr ? tc.infer(c.expr, globalScope) : T.any;
    const out = tableType(t);
    const outFields = out.kind === "list" ? out.of : out;
    if (outFields.kind === "object" && outFields.fields) Object.assign(fields, outFields.fields);
    return T.object(fields);
  }

  const guarded = (what: string, range: Range, f: () => void) => {
    try {
      f();
    } catch (e) {
      err("internal/error", `erro interno ao verificar ${what}: ${e instanceof Error ? e.message : String(e)}`, range);
    }
  };

  checkCycles(model, extra);

  // ------------------------------------------------------------ facts and outputs
  for (const f of [...model.facts.values(), ...model.outputs.values()]) {
    guarded(f.name, f.nameRange, () => checkDefault(f, err));
  }
  for (const name of declared.keys()) resolve(name);

  // ------------------------------------------------------------ templates
  for (const t of model.templates.values()) {
    guarded(t.name, t.nameRange, () => checkTemplate(t, globalScope));
  }
  function checkTemplate(t: TemplateDecl, scope: Scope): void {
    const locals: Record<string, Type> = {};
    for (const p of t.params) locals[p.name] = T.any;
    const inner = t.params.length ? localScope(scope, locals) : scope;
    for (const part of t.parts) if (part.kind === "expr") tc.infer(part.expr, inner);
  }

  // ------------------------------------------------------------ collections
  for (const c of model.collections.values()) {
    guarded(c.name, c.nameRange, () => {
      const from = tc.infer(c.from, globalScope);
      if (from.kind !== "list" && from.kind !== "any")
        err("check/type-mismatch", `"from" da coleção deve ser uma lista, mas é ${typeName(from)}`, c.from.range);
      const itemScope = localScope(globalScope, { item: from.kind === "list" ? from.of : T.any });
      if (c.where) tc.expect(c.where, itemScope, T.boolean, `"where" da coleção ${c.name}`);
      for (const k of c.key) tc.infer(k, itemScope);
      for (const o of c.order) {
        const t = tc.infer(o, itemScope);
        if (t.kind === "boolean" || t.kind === "list" || t.kind === "object")
          err("check/type-mismatch", `não é possível ordenar por ${typeName(t)}`, o.range);
      }
    });
  }

  // ------------------------------------------------------------ tables
  const tableNames = new Set<string>();
  for (const t of model.tables) {
    guarded(`a tabela ${t.name}`, t.nameRange, () => {
      tableNames.add(t.name);
      if (t.when) tc.expect(t.when, globalScope, T.boolean, `"when" da tabela ${t.name}`);
      const columnTypes = t.inputs.map((c) => (c.expr ? tc.infer(c.expr, globalScope) : T.any));
      for (const row of t.rows) {
        for (const [i, test] of row.inputs.entries()) tc.unaryTest(test, columnTypes[i] ?? T.any, globalScope);
        for (const o of row.outputs) tc.infer(o, globalScope);
        // An output column named like a decision output must fit its type and enum.
        row.outputs.forEach((o, i) => {
          const col = t.outputs[i];
          const target = col ? decisionFields[col.name] : undefined;
          if (target && Object.hasOwn(decisionFields, col?.name ?? "")) {
            const ot = tc.types.get(o) ?? T.any;
            if (!assignable(ot, target))
              err(
                "check/type-mismatch",
                `a saída "${col?.name}" deve ser ${typeName(target)}, mas é ${typeName(ot)}`,
                o.range,
              );
            else tc.checkEnumLiteral(target, o);
          }
        });
      }
      if (t.hitPolicy === "unique") checkOverlaps(t, extra);
    });
  }

  // ------------------------------------------------------------ validations
  const requireOutput = (name: string, range: Range, expected: Type, what: string) => {
    const o = model.outputs.get(name);
    if (!o) {
      err(
        "check/unknown-output",
        `${what} usa a saída "${name}", que não está declarada em outputs.${didYouMean(name, model.outputs.keys())}`,
        range,
      );
      return;
    }
    const t = typeOfDecl(o.decl);
    if (!assignable(expected, t))
      err(
        "check/type-mismatch",
        `a saída "${name}" deve ser ${typeName(expected)} para ${what}, mas está declarada como ${typeName(t)}`,
        range,
      );
  };
  if (model.validations) {
    const v = model.validations;
    requireOutput(v.into, v.intoRange, T.list(T.any), "validations.into");
    for (const item of v.items) {
      guarded("a validação", item.range, () => {
        if (item.when) tc.expect(item.when, globalScope, T.boolean, `"when" da validação de ${item.field}`);
        tc.expect(item.require, globalScope, T.boolean, `"require" da validação de ${item.field}`);
        checkTemplate(item.message, globalScope);
      });
    }
  }

  // ------------------------------------------------------------ transitions
  if (model.transitions) {
    const tr = model.transitions;
    guarded("transitions", tr.range, () => {
      const fromType = tc.expect(tr.from, globalScope, T.string, "transitions.from");
      tc.expect(tr.to, globalScope, T.string, "transitions.to");
      requireOutput(tr.outputs.allowed, tr.outputRanges.allowed, T.boolean, "transitions.outputs.allowed");
      requireOutput(tr.outputs.reasons, tr.outputRanges.reasons, T.list(T.string), "transitions.outputs.reasons");
      requireOutput(tr.outputs.missing, tr.outputRanges.missing, T.list(T.string), "transitions.outputs.missing");
      const states = new Map<string, Range>();
      for (const s of tr.states) {
        if (states.has(s.name)) err("ruleset/duplicate-name", `estado "${s.name}" repetido`, s.nameRange);
        states.set(s.name, s.nameRange);
      }
      const enumValues = fromType.kind === "string" ? fromType.enum : undefined;
      const known = (name: string, range: Range) => {
        if (!states.has(name)) {
          err(
            "transition/unknown-state",
            `estado desconhecido "${name}".${didYouMean(name, states.keys())} Estados: ${[...states.keys()].join(", ")}`,
            range,
          );
          return false;
        }
        return true;
      };
      if (enumValues)
        for (const s of tr.states)
          if (!enumValues.includes(s.name))
            err(
              "check/not-in-enum",
              `o estado "${s.name}" não é um valor aceito do fato de origem.${didYouMean(s.name, enumValues)}`,
              s.nameRange,
            );
      known(tr.initial.name, tr.initial.nameRange);
      const terminal = new Set(tr.terminal.map((t) => t.name));
      for (const t of tr.terminal) known(t.name, t.nameRange);
      const edges = new Map<string, Set<string>>();
      const seenPairs = new Set<string>();
      for (const a of tr.allow) {
        const okFrom = known(a.from, a.fromRange);
        const okTo = known(a.to, a.toRange);
        if (okFrom && terminal.has(a.from))
          err(
            "transition/unknown-state",
            `"${a.from}" é um estado terminal: não pode haver transição saindo dele`,
            a.fromRange,
          );
        const pair = `${a.from}\u0000${a.to}`;
        if (seenPairs.has(pair))
          err("ruleset/duplicate-name", `a transição de "${a.from}" para "${a.to}" está repetida`, a.range);
        seenPairs.add(pair);
        if (okFrom && okTo) {
          const set = edges.get(a.from) ?? new Set<string>();
          set.add(a.to);
          edges.set(a.from, set);
        }
        for (const r of a.requires) tc.infer(r.expr, globalScope);
        for (const g of a.guards) {
          tc.expect(g.require, globalScope, T.boolean, "a condição da transição");
          checkTemplate(g.reason, globalScope);
        }
      }
      for (const g of tr.guards) {
        tc.expect(g.require, globalScope, T.boolean, "a condição geral de transição");
        checkTemplate(g.reason, globalScope);
      }
      for (const t of Object.values(tr.refusals)) checkTemplate(t, globalScope);
      // Reachability from the initial state.
      const reached = new Set<string>([tr.initial.name]);
      const queue = [tr.initial.name];
      while (queue.length) {
        const s = queue.shift() as string;
        for (const n of edges.get(s) ?? []) {
          if (!reached.has(n)) {
            reached.add(n);
            queue.push(n);
          }
        }
      }
      for (const [s, range] of states) {
        if (!reached.has(s))
          err(
            "transition/unreachable",
            `o estado "${s}" não pode ser alcançado a partir de "${tr.initial.name}" por nenhuma transição permitida`,
            range,
          );
      }
    });
  }

  // ------------------------------------------------------------ rules
  const ruleNames = new Map<string, Range>();
  for (const r of model.rules) {
    guarded(`a regra ${r.name}`, r.nameRange, () => {
      const prev = ruleNames.get(r.name);
      if (prev)
        extra.push(
          createError("ruleset/duplicate-name", `já existe uma regra chamada "${r.name}"`, r.nameRange, [
            { message: "primeira regra com este nome", range: prev },
          ]),
        );
      else ruleNames.set(r.name, r.nameRange);
      if (r.when) tc.expect(r.when, globalScope, T.boolean, `"when" da regra "${r.name}"`);
      for (const a of r.then) checkAction(a, r.when);
    });
  }

  function checkAction(a: Action, when?: Expr): void {
    const [head, ...rest] = a.target;
    const assigned = head !== undefined && rest.length === 0 ? model.outputs.get(head) : undefined;
    if (assigned) tc.markBareWords(a.value, typeOfDecl(assigned.decl), globalScope);
    const valueType = tc.infer(a.value, globalScope);
    if (!head) return;
    const out = model.outputs.get(head);
    if (!out) {
      const isInput = model.facts.has(head);
      const hint = isInput
        ? ` "${head}" é um fato de entrada; fatos não podem ser alterados. Declare uma saída em outputs.`
        : didYouMean(head, model.outputs.keys());
      err(
        isInput ? "check/assign-input" : "check/unknown-output",
        `saída desconhecida "${head}".${hint}`,
        a.targetRange,
      );
      return;
    }
    let target = typeOfDecl(out.decl);
    for (const field of rest) target = tc.memberType(target, field, a.targetRange);
    if (a.kind === "append") {
      if (target.kind !== "list") {
        err(
          "check/type-mismatch",
          `'+=' acrescenta a uma lista, mas "${a.target.join(".")}" é ${typeName(target)}`,
          a.targetRange,
        );
        return;
      }
      if (!assignable(valueType, target.of))
        err(
          "check/type-mismatch",
          `"${a.target.join(".")}" é ${typeName(target)}, mas o valor acrescentado é ${typeName(valueType)}`,
          a.value.range,
        );
      else tc.checkEnumLiteral(target.of, a.value);
      return;
    }
    if (!assignable(valueType, target))
      err(
        "check/type-mismatch",
        `"${a.target.join(".")}" é ${typeName(target)}, mas recebe ${typeName(valueType)}`,
        a.value.range,
      );
    else {
      tc.checkEnumLiteral(target, a.value);
      if (valueType.kind === "null" && !out.nullable)
        err("check/type-mismatch", `"${head}" não aceita nulo (declare nullable: true)`, a.value.range);
      else if (!out.nullable && rest.length === 0) checkTableGap(model, a.value, head, when, extra);
    }
  }

  // ------------------------------------------------------------ invariants
  for (const inv of model.invariants) {
    guarded(`o invariante ${inv.name}`, inv.nameRange, () => {
      const before = tc.diagnostics.length;
      tc.enumChecks = false;
      try {
        tc.expect(inv.check, globalScope, T.boolean, `o invariante "${inv.name}"`);
      } finally {
        tc.enumChecks = true;
      }
      // A mistyped invariant is reported once, as such; its literal check would only add noise.
      if (tc.diagnostics.length === before)
        checkInvariantAgainstLiterals(model, inv.check, inv.name, globalScope, extra);
    });
  }

  const diagnostics = [...tc.diagnostics, ...extra];
  return { diagnostics: dedupe(diagnostics), types: tc.types, scope: globalScope, decisionType };
}

/**
 * Constants, computed values and templates may refer to each other, but never in a circle (a
 * template calling itself included): evaluation would never end. Each name on a cycle is reported.
 */
function checkCycles(model: RuleSetModel, out: Diagnostic[]): void {
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
      out.push(
        createError(
          "check/cycle",
          `"${name}" depende de si mesmo (referência circular entre constantes, valores e modelos de texto)`,
          d.range,
        ),
      );
  }
}

function checkDefault(f: FieldDecl, err: (code: Diagnostic["code"], message: string, range: Range) => void): void {
  if (f.default === undefined) return;
  const d = f.default;
  const t = f.decl.type;
  const ok =
    d === null
      ? f.nullable
      : t === "string"
        ? typeof d === "string" && (!f.decl.enum || f.decl.enum.includes(d))
        : t === "number"
          ? typeof d === "number"
          : t === "integer"
            ? Number.isInteger(d)
            : t === "boolean"
              ? typeof d === "boolean"
              : t === "list"
                ? Array.isArray(d)
                : t === "date"
                  ? typeof d === "string" && parseDate(d) !== undefined
                  : t === "date-time"
                    ? typeof d === "string" && parseDateTime(d) !== undefined
                    : t === "duration"
                      ? typeof d === "string" && isDurationText(d)
                      : true;
  if (!ok) {
    const hint = t === "string" && f.decl.enum && typeof d === "string" ? didYouMean(d, f.decl.enum) : "";
    err(
      f.decl.enum ? "check/not-in-enum" : "check/type-mismatch",
      `o valor padrão de "${f.name}" não é ${f.decl.enum ? "um dos valores aceitos" : `do tipo ${f.decl.type}`}.${hint}`,
      f.range,
    );
  }
}

/**
 * `saida = tabela.coluna` into an output that does not accept null, from a `unique`/`first` table
 * that may have no row for the facts (the decision would then be a RULESET_DEFECT): a warning,
 * unless the rule's `when` reads the table (it guards the null) or the rows cover every input —
 * a row with `-` in every input, or a single input column over a fact that cannot be null whose
 * `enum` values (or `true` and `false`) all have a literal row.
 */
function checkTableGap(
  model: RuleSetModel,
  value: Expr,
  output: string,
  when: Expr | undefined,
  out: Diagnostic[],
): void {
  if (value.kind !== "member" || value.object.kind !== "name") return;
  const tableName = value.object.name;
  const t = model.tables.find((x) => x.name === tableName);
  if (!t || t.hitPolicy === "collect" || tableCoversEveryInput(model, t)) return;
  let guarded = false;
  if (when) {
    walkExpr(when, (e) => {
      if (e.kind === "name" && e.name === tableName) guarded = true;
    });
  }
  if (guarded) return;
  out.push(
    createWarning(
      "table/gap",
      `a tabela "${tableName}" (política ${t.hitPolicy}) pode não ter linha para os fatos, e então "${output}" ficaria nulo, mas não aceita nulo (a decisão seria um defeito): acrescente uma linha com "-" nas entradas, teste "${tableName}.${value.property} is not null" no when ou use coalesce`,
      value.range,
    ),
  );
}

function tableCoversEveryInput(model: RuleSetModel, t: TableDecl): boolean {
  if (t.when) return false;
  if (t.rows.some((r) => r.inputs.every((u) => u.kind === "any"))) return true;
  const column = t.inputs.length === 1 ? t.inputs[0]?.expr : undefined;
  const fact = column?.kind === "name" ? model.facts.get(column.name) : undefined;
  if (!fact || fact.nullable) return false;
  const needed: readonly unknown[] | undefined =
    fact.decl.type === "boolean" ? [true, false] : fact.decl.type === "string" ? fact.decl.enum : undefined;
  if (!needed) return false;
  const covered = new Set<unknown>();
  const add = (u: UnaryTest): void => {
    if (
      u.kind === "compare" &&
      u.operator === "==" &&
      u.value.kind === "literal" &&
      (u.value.literal.type === "string" || u.value.literal.type === "boolean")
    )
      covered.add(u.value.literal.value);
    else if (u.kind === "oneOf") u.tests.forEach(add);
  };
  for (const r of t.rows) if (r.inputs[0]) add(r.inputs[0]);
  return needed.every((v) => covered.has(v));
}

/** For `unique` tables: two rows whose input cells are all literal-or-any and can match the same input. */
function checkOverlaps(t: TableDecl, out: Diagnostic[]): void {
  const literalSet = (u: UnaryTest): Value[] | "any" | undefined => {
    if (u.kind === "any") return "any";
    if (
      u.kind === "compare" &&
      u.operator === "==" &&
      u.value.kind === "literal" &&
      u.value.literal.type !== "date" &&
      u.value.literal.type !== "datetime" &&
      u.value.literal.type !== "duration"
    ) {
      return [u.value.literal.type === "null" ? null : u.value.literal.value];
    }
    if (u.kind === "oneOf") {
      const parts = u.tests.map(literalSet);
      if (parts.some((p) => p === undefined)) return undefined;
      if (parts.includes("any")) return "any";
      return (parts as Value[][]).flat();
    }
    return undefined;
  };
  const sets = t.rows.map((r) => r.inputs.map(literalSet));
  for (let i = 0; i < t.rows.length; i++) {
    for (let j = i + 1; j < t.rows.length; j++) {
      const a = sets[i] as (Value[] | "any" | undefined)[];
      const b = sets[j] as (Value[] | "any" | undefined)[];
      const overlap = a.every((ca, k) => {
        const cb = b[k];
        if (ca === undefined || cb === undefined) return false;
        if (ca === "any" || cb === "any") return true;
        return ca.some((x) => cb.some((y) => x === y));
      });
      if (overlap) {
        const row = t.rows[j];
        const first = t.rows[i];
        if (row && first) {
          out.push(
            createError(
              "table/overlap",
              `as linhas ${i + 1} e ${j + 1} da tabela "${t.name}" (política unique) valem para as mesmas entradas: use hitPolicy first ou torne-as exclusivas`,
              row.range,
              [{ message: `linha ${i + 1}`, range: first.range }],
            ),
          );
        }
      }
    }
  }
}

/**
 * An invariant that reads one output (`decision.x`) and constants only is evaluated against every
 * literal the rule set can put into that output (table output cells of the same name and `x = …`
 * actions); a literal that breaks it is reported where it is written.
 */
function checkInvariantAgainstLiterals(
  model: RuleSetModel,
  check: Expr,
  name: string,
  scope: Scope,
  out: Diagnostic[],
): void {
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
    if (ok !== true) out.push(createError("table/invariant", `este valor quebra o invariante "${name}"`, cand.range));
  }
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}|${d.range.start}|${d.range.end}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
