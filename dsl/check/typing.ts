/**
 * Name resolution and type inference of expressions. Reports unknown names and functions (with
 * "você quis dizer"), type mismatches, values outside a fact's enum, bad arity and invalid regular
 * expressions, each on the exact node. Records the type of every node for the compiler.
 */
import { createError, didYouMean, type Diagnostic, type Range } from "../diagnostics.js";
import { FUNCTIONS, getFunction } from "../library/catalog.js";
import { checkPattern } from "../library/regex.js";
import type { ParamType } from "../library/spec.js";
import type { Expr, UnaryTest } from "../syntax/ast.js";
import { assignable, comparable, isNumeric, T, type Type, typeName, unify } from "../types.js";
import { parseDate, parseDateTime } from "../values.js";

export type SymbolKind = "fact" | "constant" | "value" | "template" | "table" | "collection" | "decision" | "local";

export interface SymbolInfo {
  readonly kind: SymbolKind;
  readonly name: string;
  /** Type; for templates, the type of the rendered text. Values are typed lazily through `resolve`. */
  readonly type: Type;
  readonly range?: Range;
  /** Template parameters (templates are called like functions). */
  readonly params?: readonly string[];
  /** Constants holding a literal text (checked where used as a regular expression). */
  readonly text?: string;
  /** Tables: the type of one row as returned by `rows(tabela)` (input and output columns). */
  readonly rowType?: Type;
}

/** The language built-in that lists a decision table's rows as data: `rows(tabela)`. */
export const ROWS_BUILTIN = "rows";

export interface Scope {
  lookup(name: string): SymbolInfo | undefined;
  names(): Iterable<string>;
}

export function createScope(symbols: ReadonlyMap<string, SymbolInfo>, parent?: Scope): Scope {
  return {
    lookup: (name) => symbols.get(name) ?? parent?.lookup(name),
    *names() {
      yield* symbols.keys();
      if (parent) yield* parent.names();
    },
  };
}

export function localScope(parent: Scope, locals: Record<string, Type>): Scope {
  const m = new Map<string, SymbolInfo>();
  for (const [name, type] of Object.entries(locals)) m.set(name, { kind: "local", name, type });
  return createScope(m, parent);
}

const KIND_LABEL: Record<SymbolKind, string> = {
  fact: "fato",
  constant: "constante",
  value: "valor",
  template: "modelo de texto",
  table: "tabela",
  collection: "coleção",
  decision: "decisão",
  local: "variável",
};

export function kindLabel(kind: SymbolKind): string {
  return KIND_LABEL[kind];
}

/** Infers types, collecting diagnostics and the type of every node. */
export class TypeChecker {
  readonly diagnostics: Diagnostic[] = [];
  readonly types = new WeakMap<Expr, Type>();
  /** Off while checking invariants: an invariant may name values that must never appear. */
  enumChecks = true;
  /** Unknown names already reported as enum values written without quotes (typed as text). */
  private readonly bareWords = new WeakSet<Expr>();

  private error(code: Diagnostic["code"], message: string, range: Range): void {
    this.diagnostics.push(createError(code, message, range));
  }

  /** Infers `e` and reports when it is not assignable to `expected`. */
  expect(e: Expr, scope: Scope, expected: Type, what: string): Type {
    const t = this.infer(e, scope);
    if (!assignable(t, expected)) {
      this.error("check/type-mismatch", `${what} deve ser ${typeName(expected)}, mas é ${typeName(t)}`, e.range);
    } else this.checkEnumLiteral(expected, e);
    return t;
  }

  infer(e: Expr, scope: Scope): Type {
    const t = this.inferUncached(e, scope);
    this.types.set(e, t);
    return t;
  }

  private inferUncached(e: Expr, scope: Scope): Type {
    switch (e.kind) {
      case "literal":
        switch (e.literal.type) {
          case "string":
            return T.string;
          case "number":
            return Number.isInteger(e.literal.value) ? T.integer : T.number;
          case "boolean":
            return T.boolean;
          case "null":
            return T.null;
          case "date":
            if (!parseDate(e.literal.value))
              this.error("check/type-mismatch", `data inexistente: ${e.literal.value}`, e.range);
            return T.date;
          case "datetime":
            if (!parseDateTime(e.literal.value))
              this.error("check/type-mismatch", `data-hora inexistente: ${e.literal.value}`, e.range);
            return T.datetime;
          case "duration":
            return T.duration;
        }
        return T.any;
      case "name": {
        if (this.bareWords.has(e)) return T.string;
        const s = scope.lookup(e.name);
        if (!s) {
          this.error(
            "check/unknown-fact",
            `nome desconhecido "${e.name}": não é fato, constante, valor, tabela nem coleção deste conjunto de regras.${didYouMean(e.name, scope.names())}`,
            e.range,
          );
          return T.any;
        }
        if (s.kind === "template" && s.params && s.params.length > 0) {
          this.error(
            "check/arity",
            `o modelo "${e.name}" tem parâmetros (${s.params.join(", ")}): chame-o como ${e.name}(...)`,
            e.range,
          );
        }
        return s.type;
      }
      case "member": {
        const objectType = this.infer(e.object, scope);
        return this.memberType(objectType, e.property, e.propertyRange);
      }
      case "index": {
        const objectType = this.infer(e.object, scope);
        const indexType = this.infer(e.index, scope);
        if (objectType.kind === "list") {
          if (!isNumeric(indexType) && indexType.kind !== "any")
            this.error(
              "check/type-mismatch",
              `o índice de uma lista deve ser um inteiro, mas é ${typeName(indexType)}`,
              e.index.range,
            );
          return objectType.of;
        }
        if (objectType.kind === "object" || objectType.kind === "any") return T.any;
        this.error("check/type-mismatch", `não é possível indexar ${typeName(objectType)}`, e.object.range);
        return T.any;
      }
      case "call":
        return this.call(e, scope);
      case "unary": {
        const t = this.infer(e.operand, scope);
        if (e.operator === "not") {
          this.requireBoolean(t, e.operand, "o operando de 'not'");
          return T.boolean;
        }
        if (!isNumeric(t) && t.kind !== "duration" && t.kind !== "any" && t.kind !== "null") {
          this.error(
            "check/type-mismatch",
            `o sinal '-' precisa de um número, mas recebeu ${typeName(t)}`,
            e.operand.range,
          );
        }
        return t;
      }
      case "binary":
        return this.binary(e, scope);
      case "logical":
        for (const o of e.operands) this.requireBoolean(this.infer(o, scope), o, `o operando de '${e.operator}'`);
        return T.boolean;
      case "isNull":
        this.infer(e.operand, scope);
        return T.boolean;
      case "between": {
        const a = this.infer(e.operand, scope);
        for (const b of [e.low, e.high]) this.comparison(a, this.infer(b, scope), b.range, "<=");
        return T.boolean;
      }
      case "if": {
        this.requireBoolean(this.infer(e.test, scope), e.test, "a condição do 'if'");
        return unify(this.infer(e.then, scope), this.infer(e.else, scope));
      }
      case "list": {
        let t: Type = T.null;
        for (const i of e.items) t = unify(t, this.infer(i, scope));
        return T.list(t.kind === "null" ? T.any : t);
      }
      case "record": {
        const fields: Record<string, Type> = Object.create(null);
        const seen = new Set<string>();
        for (const f of e.fields) {
          if (seen.has(f.key)) this.error("ruleset/duplicate-name", `campo "${f.key}" repetido`, f.keyRange);
          seen.add(f.key);
          fields[f.key] = this.infer(f.value, scope);
        }
        return T.object(fields);
      }
      case "for": {
        const source = this.infer(e.source, scope);
        if (source.kind !== "list" && source.kind !== "any" && source.kind !== "null") {
          this.error(
            "check/type-mismatch",
            `'for' percorre uma lista, mas recebeu ${typeName(source)}`,
            e.source.range,
          );
        }
        const item = source.kind === "list" ? source.of : T.any;
        const inner = localScope(scope, { [e.variable]: item });
        if (e.filter) this.requireBoolean(this.infer(e.filter, inner), e.filter, "o filtro 'where'");
        return T.list(this.infer(e.body, inner));
      }
      case "error":
        return T.any;
    }
  }

  memberType(objectType: Type, property: string, range: Range): Type {
    switch (objectType.kind) {
      case "any":
      case "null":
        return T.any;
      case "list":
        return T.list(this.memberType(objectType.of, property, range));
      case "object": {
        if (!objectType.fields) return T.any;
        const t = objectType.fields[property];
        if (t && Object.hasOwn(objectType.fields, property)) return t;
        this.error(
          "check/unknown-fact",
          `campo desconhecido "${property}".${didYouMean(property, Object.keys(objectType.fields))} Campos: ${Object.keys(objectType.fields).join(", ")}`,
          range,
        );
        return T.any;
      }
      default:
        this.error("check/type-mismatch", `${typeName(objectType)} não tem campos (".${property}")`, range);
        return T.any;
    }
  }

  private requireBoolean(t: Type, e: Expr, what: string): void {
    if (t.kind !== "boolean" && t.kind !== "any" && t.kind !== "null") {
      this.error("check/type-mismatch", `${what} deve ser verdadeiro/falso, mas é ${typeName(t)}`, e.range);
    }
  }

  private call(e: Extract<Expr, { kind: "call" }>, scope: Scope): Type {
    if (e.callee === ROWS_BUILTIN && !scope.lookup(ROWS_BUILTIN)) {
      const arg = e.args[0];
      const table = arg?.kind === "name" ? scope.lookup(arg.name) : undefined;
      if (e.args.length !== 1 || !arg || table?.kind !== "table") {
        this.error("check/arity", "rows(...) recebe o nome de uma tabela de decisão deste conjunto de regras", e.range);
        return T.list(T.any);
      }
      this.types.set(arg, table.type);
      return T.list(table.rowType ?? T.any);
    }
    const argTypes = e.args.map((a) => this.infer(a, scope));
    const local = scope.lookup(e.callee);
    if (local?.kind === "template") {
      const params = local.params ?? [];
      if (params.length !== e.args.length) {
        this.error(
          "check/arity",
          `o modelo "${e.callee}" recebe ${params.length} argumento(s) (${params.join(", ")}), mas recebeu ${e.args.length}`,
          e.range,
        );
      }
      return T.string;
    }
    const fn = getFunction(e.callee);
    if (!fn) {
      const candidates = [
        ...FUNCTIONS.map((f) => f.name),
        ...[...scope.names()].filter((n) => scope.lookup(n)?.kind === "template"),
      ];
      this.error(
        "check/unknown-function",
        `função desconhecida "${e.callee}".${didYouMean(e.callee, candidates)}`,
        e.calleeRange,
      );
      return T.any;
    }
    const min = fn.params.filter((p) => !p.optional).length;
    const max = fn.variadic ? Infinity : fn.params.length;
    if (e.args.length < min || e.args.length > max) {
      const expected = fn.variadic
        ? `pelo menos ${min}`
        : min === fn.params.length
          ? String(min)
          : `de ${min} a ${fn.params.length}`;
      this.error(
        "check/arity",
        `${fn.name}(${fn.params.map((p) => p.name).join(", ")}) recebe ${expected} argumento(s), mas recebeu ${e.args.length}`,
        e.range,
      );
    }
    e.args.forEach((arg, i) => {
      const param = fn.params[Math.min(i, fn.params.length - 1)];
      const t = argTypes[i];
      if (!param || !t) return;
      if (!accepts(param.type, t)) {
        this.error(
          "check/type-mismatch",
          `o argumento "${param.name}" de ${fn.name} deve ser ${paramTypeName(param.type)}, mas é ${typeName(t)}`,
          arg.range,
        );
      }
    });
    return typeof fn.returns === "function" ? fn.returns(argTypes) : fn.returns;
  }

  /**
   * `canal == telefone` where `telefone` is no name of the rule set but a value of the enum `canal`
   * is compared with: the analyst forgot the quotes. Reports each such name (alone, or an item of
   * a list literal) once, with the quoted spelling, and has it typed as text.
   */
  markBareWords(candidate: Expr, expected: Type, scope: Scope): void {
    const values =
      expected.kind === "string"
        ? expected.enum
        : expected.kind === "list" && expected.of.kind === "string"
          ? expected.of.enum
          : undefined;
    if (!values) return;
    const nfc = new Set(values.map((v) => v.normalize("NFC")));
    const names = candidate.kind === "list" ? candidate.items : [candidate];
    for (const n of names) {
      if (n.kind !== "name" || this.bareWords.has(n) || scope.lookup(n.name) || !nfc.has(n.name.normalize("NFC")))
        continue;
      this.bareWords.add(n);
      this.error(
        "check/unknown-fact",
        `nome desconhecido "${n.name}": se é um valor de texto, escreva-o entre aspas: "${n.name}"`,
        n.range,
      );
    }
  }

  private binary(e: Extract<Expr, { kind: "binary" }>, scope: Scope): Type {
    // A side that is an unknown name is inferred after the other, to recognise a value without quotes.
    const unknown = (x: Expr) => x.kind === "name" && !scope.lookup(x.name);
    let l: Type;
    let r: Type;
    if (unknown(e.left) && !unknown(e.right)) {
      r = this.infer(e.right, scope);
      this.markBareWords(e.left, r, scope);
      l = this.infer(e.left, scope);
    } else {
      l = this.infer(e.left, scope);
      this.markBareWords(e.right, l, scope);
      r = this.infer(e.right, scope);
    }
    switch (e.operator) {
      case "==":
      case "!=":
      case "<":
      case "<=":
      case ">":
      case ">=":
        this.comparison(l, r, e.range, e.operator);
        this.checkEnumLiteral(l, e.right);
        this.checkEnumLiteral(r, e.left);
        return T.boolean;
      case "in":
      case "not in":
        if (r.kind !== "list" && r.kind !== "any" && r.kind !== "null") {
          this.error(
            "check/type-mismatch",
            `'${e.operator}' precisa de uma lista à direita, mas recebeu ${typeName(r)} (para procurar um trecho num texto use 'contains')`,
            e.right.range,
          );
        } else if (r.kind === "list" && !comparable(l, r.of)) {
          this.error("check/type-mismatch", `não é possível procurar ${typeName(l)} numa ${typeName(r)}`, e.range);
        } else if (e.right.kind === "list") {
          for (const item of e.right.items) this.checkEnumLiteral(l, item);
        }
        return T.boolean;
      case "contains":
        if (l.kind === "list") {
          if (!comparable(l.of, r))
            this.error("check/type-mismatch", `não é possível procurar ${typeName(r)} numa ${typeName(l)}`, e.range);
          this.checkEnumLiteral(l.of, e.right);
        } else if (l.kind === "string") {
          if (r.kind !== "string" && r.kind !== "any" && r.kind !== "null")
            this.error(
              "check/type-mismatch",
              `'contains' num texto precisa de um texto, mas recebeu ${typeName(r)}`,
              e.right.range,
            );
        } else if (l.kind !== "any" && l.kind !== "null") {
          this.error(
            "check/type-mismatch",
            `'contains' precisa de uma lista ou texto à esquerda, mas recebeu ${typeName(l)}`,
            e.left.range,
          );
        }
        return T.boolean;
      case "starts with":
      case "matches":
        for (const [t, side] of [
          [l, e.left],
          [r, e.right],
        ] as const) {
          if (t.kind !== "string" && t.kind !== "any" && t.kind !== "null")
            this.error("check/type-mismatch", `'${e.operator}' compara textos, mas recebeu ${typeName(t)}`, side.range);
        }
        if (e.operator === "matches") {
          const pattern =
            e.right.kind === "literal" && e.right.literal.type === "string"
              ? e.right.literal.value
              : e.right.kind === "name"
                ? scope.lookup(e.right.name)?.text
                : undefined;
          const problem = pattern === undefined ? undefined : checkPattern(pattern);
          if (problem) this.error("dsl/regex", problem, e.right.range);
        }
        return T.boolean;
      case "+":
      case "-":
        return this.additive(e.operator, l, r, e);
      default:
        if (
          (isNumeric(l) || l.kind === "any" || l.kind === "null") &&
          (isNumeric(r) || r.kind === "any" || r.kind === "null")
        ) {
          return e.operator !== "/" && l.kind === "integer" && r.kind === "integer" ? T.integer : T.number;
        }
        this.error(
          "check/type-mismatch",
          `'${e.operator}' precisa de números, mas recebeu ${typeName(l)} e ${typeName(r)}`,
          e.range,
        );
        return T.any;
    }
  }

  private additive(op: "+" | "-", l: Type, r: Type, e: Expr): Type {
    const loose = (t: Type) => t.kind === "any" || t.kind === "null";
    if ((isNumeric(l) || loose(l)) && (isNumeric(r) || loose(r)) && !(loose(l) && loose(r))) {
      return l.kind === "integer" && r.kind === "integer"
        ? T.integer
        : l.kind === "integer" || l.kind === "number"
          ? r.kind === "number"
            ? T.number
            : l
          : r;
    }
    if (loose(l) && loose(r)) return T.any;
    if (op === "+" && l.kind === "string" && (r.kind === "string" || loose(r))) return T.string;
    if (op === "+" && r.kind === "string" && loose(l)) return T.string;
    const temporal = (t: Type) => t.kind === "date" || t.kind === "datetime";
    if (temporal(l) && (r.kind === "duration" || loose(r))) return l.kind === "date" ? this.dateShift(e) : l;
    if (op === "+" && l.kind === "duration" && temporal(r)) return r.kind === "date" ? this.dateShift(e) : r;
    if (l.kind === "duration" && (r.kind === "duration" || loose(r))) return T.duration;
    const hint =
      temporal(l) && temporal(r) ? " (para a diferença entre datas use daysBetween ou businessDaysBetween)" : "";
    this.error(
      "check/type-mismatch",
      `não é possível usar '${op}' com ${typeName(l)} e ${typeName(r)}${hint}`,
      e.range,
    );
    return T.any;
  }

  /**
   * `data ± duração`: a date when the duration is whole days, a date-time when it has a clock
   * part (`2026-04-03 + 2h`); unknown (`any`) when the duration is not a literal.
   */
  private dateShift(e: Expr): Type {
    if (e.kind !== "binary") return T.any;
    const d = [e.left, e.right].find((x) => x.kind === "literal" && x.literal.type === "duration");
    if (d?.kind !== "literal" || d.literal.type !== "duration") return T.any;
    return /^(?:\d+d)+$/.test(d.literal.value) ? T.date : T.datetime;
  }

  private comparison(l: Type, r: Type, range: Range, op: string): void {
    if (!comparable(l, r)) {
      this.error("check/type-mismatch", `não é possível comparar ${typeName(l)} com ${typeName(r)}`, range);
      return;
    }
    if (
      (op === "==" || op === "!=") &&
      ((l.kind === "date" && r.kind === "datetime") || (l.kind === "datetime" && r.kind === "date"))
    ) {
      // Accepted by `comparable` for the order (a date is its first instant), but never equal.
      this.error(
        "check/type-mismatch",
        `'${op}' entre uma data e uma data-hora ${op === "==" ? "nunca é verdadeiro" : "é sempre verdadeiro"}: uma data-hora nunca é igual a uma data. Compare toDate(...) da data-hora com a data, ou use <, <=, >, >=`,
        range,
      );
      return;
    }
    if (op !== "==" && op !== "!=") {
      for (const t of [l, r]) {
        if (t.kind === "boolean" || t.kind === "list" || t.kind === "object") {
          this.error("check/type-mismatch", `'${op}' não se aplica a ${typeName(t)}`, range);
          return;
        }
      }
    }
  }

  /** When `expected` is an enum and `e` is a string literal outside it, report with a suggestion. */
  checkEnumLiteral(expected: Type, e: Expr): void {
    if (!this.enumChecks) return;
    const values =
      expected.kind === "string"
        ? expected.enum
        : expected.kind === "list" && expected.of.kind === "string"
          ? expected.of.enum
          : undefined;
    if (!values) return;
    const literals = e.kind === "literal" ? [e] : e.kind === "list" ? e.items : [];
    for (const lit of literals) {
      if (lit.kind !== "literal" || lit.literal.type !== "string") continue;
      const v = lit.literal.value;
      if (!values.includes(v)) {
        const shown = values.length <= 8 ? ` Valores aceitos: ${values.map((x) => `"${x}"`).join(", ")}.` : "";
        this.error(
          "check/not-in-enum",
          `"${v}" não é um valor aceito aqui.${didYouMean(v, values)}${shown}`,
          lit.range,
        );
      }
    }
  }

  /** Checks a decision-table cell against its column type. */
  unaryTest(test: UnaryTest, column: Type, scope: Scope): void {
    switch (test.kind) {
      case "any":
        return;
      case "compare": {
        this.markBareWords(test.value, column, scope);
        const t = this.infer(test.value, scope);
        // On a list column, an equality cell means "the list contains this value".
        const target = column.kind === "list" && test.operator === "==" && t.kind !== "list" ? column.of : column;
        this.comparison(target, t, test.value.range, test.operator);
        this.checkEnumLiteral(target, test.value);
        return;
      }
      case "range":
        for (const b of [test.low, test.high]) this.comparison(column, this.infer(b, scope), b.range, "<=");
        return;
      case "oneOf":
        for (const t of test.tests) this.unaryTest(t, column, scope);
        return;
      case "not":
        this.unaryTest(test.test, column, scope);
        return;
    }
  }
}

function accepts(param: ParamType, t: Type): boolean {
  if ("oneOf" in param) return param.oneOf.some((p) => assignable(t, p));
  return assignable(t, param);
}

function paramTypeName(param: ParamType): string {
  return "oneOf" in param ? param.oneOf.map(typeName).join(" ou ") : typeName(param);
}
