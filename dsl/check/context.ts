/**
 * The state the construct checkers (`dsl/check/<construct>.ts`) share while one rule set is
 * checked: the model, the type checker, the diagnostics sink with its `err`/`warn` helpers, the
 * type of the decision, and the table of top-level names with their lazily computed types and the
 * scopes built on it. The checkers run in a fixed order (`check-ruleset.ts`); what they report
 * lands in `diagnostics` in that order, after the type checker's own diagnostics.
 */
import { createError, createWarning, type Diagnostic, type Range } from "../diagnostics.js";
import { typeOfDecl, type RuleSetModel } from "../ruleset/model.js";
import { T, type Type } from "../types.js";
import { kindLabel, type Scope, type SymbolInfo, TypeChecker } from "./typing.js";

/** A top-level name as declared: its kind and where it was written first. */
export interface DeclaredName {
  readonly kind: SymbolInfo["kind"];
  readonly range: Range;
}

/** Computes the symbol of a declared top-level name (its type), given its kind (`symbols.ts`). */
export type SymbolTyper = (ctx: CheckContext, name: string, kind: SymbolInfo["kind"]) => SymbolInfo;

export class CheckContext {
  readonly model: RuleSetModel;
  readonly tc = new TypeChecker();
  /** What the construct checkers report, in order (the type checker keeps its own list). */
  readonly diagnostics: Diagnostic[] = [];
  /** Type of each decision output, by name (a null-prototype record). */
  readonly decisionFields: Record<string, Type>;
  /** Type of the decision (outputs). */
  readonly decisionType: Type;
  /** Top-level names in declaration order (`declare`). */
  readonly declared = new Map<string, DeclaredName>();
  /** The scope of top-level names and `decision`. */
  readonly scope: Scope;
  /** The scope of constants only (constants may refer to constants, nothing else). */
  readonly constantScope: Scope;
  private readonly typeSymbol: SymbolTyper;
  // Lazily typed symbols, so that values may refer to tables, collections and each other in any order.
  private readonly cache = new Map<string, SymbolInfo>();
  private readonly inProgress = new Set<string>();

  constructor(model: RuleSetModel, typeSymbol: SymbolTyper) {
    this.model = model;
    this.typeSymbol = typeSymbol;
    const decisionFields: Record<string, Type> = Object.create(null);
    for (const o of model.outputs.values()) decisionFields[o.name] = typeOfDecl(o.decl);
    this.decisionFields = decisionFields;
    this.decisionType = T.object(decisionFields);
    const declared = this.declared;
    this.scope = {
      lookup: (name) => this.resolve(name),
      *names() {
        yield* declared.keys();
        yield "decision";
      },
    };
    this.constantScope = {
      lookup: (name) => (declared.get(name)?.kind === "constant" ? this.resolve(name) : undefined),
      *names() {
        for (const [k, v] of declared) if (v.kind === "constant") yield k;
      },
    };
  }

  /** Reports a diagnostic built by the caller (e.g. one with related locations). */
  report(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
  }

  err(code: Diagnostic["code"], message: string, range: Range): void {
    this.diagnostics.push(createError(code, message, range));
  }

  warn(code: Diagnostic["code"], message: string, range: Range): void {
    this.diagnostics.push(createWarning(code, message, range));
  }

  /** Runs one check; an exception becomes an internal diagnostic on `range` instead of a crash. */
  guarded(what: string, range: Range, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.err(
        "internal/error",
        `erro interno ao verificar ${what}: ${e instanceof Error ? e.message : String(e)}`,
        range,
      );
    }
  }

  /** Declares a top-level name; a name already used (by any kind) is reported and not redeclared. */
  declare(name: string, kind: SymbolInfo["kind"], range: Range): boolean {
    const prev = this.declared.get(name);
    if (prev) {
      this.report(
        createError(
          "ruleset/duplicate-name",
          `o nome "${name}" já foi usado para ${kindLabel(prev.kind)}; cada nome deve ser único no conjunto de regras`,
          range,
          [{ message: "primeira declaração", range: prev.range }],
        ),
      );
      return false;
    }
    this.declared.set(name, { kind, range });
    return true;
  }

  /** The symbol of a top-level name (or `decision`), typed on first use. */
  resolve(name: string): SymbolInfo | undefined {
    const hit = this.cache.get(name);
    if (hit) return hit;
    if (name === "decision") return { kind: "decision", name, type: this.decisionType };
    const d = this.declared.get(name);
    if (!d) return undefined;
    // A cycle (reported by checkCycles) must not recurse forever here.
    if (this.inProgress.has(name)) return { kind: d.kind, name, type: T.any };
    this.inProgress.add(name);
    let info: SymbolInfo;
    try {
      info = this.typeSymbol(this, name, d.kind);
    } finally {
      this.inProgress.delete(name);
    }
    this.cache.set(name, info);
    return info;
  }
}
