/**
 * A decision as the service's decision log keeps it, as far as replay (blast radius) and promote
 * (a logged decision becomes a test case) need it. The service's `DecisionRecord`
 * (server/decision-log/types.ts) has this shape and more; the tester sits below the server, so
 * it declares what it reads here.
 */
export interface LoggedDecision {
  readonly id: string;
  /** ISO 8601 instant of the decision. */
  readonly at: string;
  readonly ruleset: string;
  readonly version: number;
  /** The facts as logged: personal facts masked (`pii:` + hex) or dropped. */
  readonly facts: Record<string, unknown>;
  /** The fact paths that were masked (`cpf`, `contatos.emails.*`...). */
  readonly masked: readonly string[];
  readonly decision: Record<string, unknown>;
  /** Names of the rules and table rows that fired, in order. */
  readonly fired: readonly string[];
  /** Stable ids of what fired (`r:0`, `t:tabela:3`...). */
  readonly firedRefs: readonly string[];
}

/** The prefix of a masked value (server/decision-log/types.ts MASK_PREFIX). */
export const MASKED_VALUE_PREFIX = "pii:";
