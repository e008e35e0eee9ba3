/**
 * The shape of one entry in the function catalog. The catalog (`catalog.ts`) is the single
 * declarative list read by the type checker, the runtime evaluator, the editor's completion and
 * hover, and the generated docs.
 */
import type { Type } from "../types.js";
import type { Value } from "../values.js";

/** A parameter type: a concrete type, or a set of accepted kinds. */
export type ParamType = Type | { readonly oneOf: readonly Type[] };

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly optional?: boolean;
}

/** What the evaluator passes to every function. */
export interface CallContext {
  /** IANA zone used to read dates without an offset. */
  readonly zone: string;
}

export interface FunctionSpec {
  /** DSL spelling (camelCase, English or Portuguese as documented). */
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /** When true, the last parameter repeats (e.g. `coalesce(a, b, c)`). */
  readonly variadic?: boolean;
  /** Result type, possibly depending on the (checked) argument types. */
  readonly returns: Type | ((args: readonly Type[]) => Type);
  /** One-line documentation in Brazilian Portuguese, shown in the editor. */
  readonly doc: string;
  /** An example call and its result, shown in the editor and checked by a test. */
  readonly example: { readonly call: string; readonly result: string };
  /**
   * The implementation. Must be total: for null or out-of-domain arguments it returns null
   * (null propagates) instead of throwing, so a missing optional fact never crashes a decision.
   */
  readonly impl: (args: readonly Value[], ctx: CallContext) => Value;
}
