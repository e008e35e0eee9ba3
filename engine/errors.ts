/**
 * Errors of a decision. `INVALID_FACTS` is the caller's mistake (HTTP 400); `RULESET_DEFECT` is a
 * defect of the rule set found at run time (a `unique` table with two hits, an `any` table whose
 * matching rows give different outputs, a `collect` aggregate over values it cannot sum or order,
 * a broken invariant, an output left null or outside its declared type)
 * and is reported as such, never as a crash.
 */
export type DecisionErrorCode = "INVALID_FACTS" | "RULESET_DEFECT";

export interface ErrorDetail {
  readonly path?: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /**
   * RULESET_DEFECT: the rule set, and the invariant broken, the table (`unique`, `any`, aggregate;
   * with the row, 1-based) at fault, or the output whose value breaks its declaration (with the
   * single-hit or aggregating table that had no row for the facts, when the value came from one).
   */
  readonly ruleset?: string;
  readonly invariant?: string;
  readonly output?: string;
  readonly table?: string;
  readonly row?: number;
}

export class DecisionError extends Error {
  constructor(
    readonly code: DecisionErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
    this.name = "DecisionError";
  }
}

export function isDecisionError(e: unknown): e is DecisionError {
  return e instanceof DecisionError;
}
