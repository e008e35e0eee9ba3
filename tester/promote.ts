/**
 * Promote: a decision the service logged becomes a case of its rule set's suite
 * (`rules promote`, `POST /v1/decisions/:id/promote`, the editor's "Decisões registradas").
 *
 * - `caseFromDecision` turns a logged decision (tester/logged-decision.ts) into a case: the facts as
 *   logged (masked personal values as they are), every output of the logged decision as `expect`
 *   (subset match, so outputs added to the rule set later do not break it), a name and tags to edit
 *   and a description naming the decision id, version and time.
 * - `checkPromoted` runs the case against a compiled rule set the way `rules test` does and says
 *   whether the logged decision reproduces (a case whose masked values the rule set reads will not).
 * - `appendCase` appends the case to the suite text (tester/suite-append.ts, shared with the editor's
 *   simulator): every byte of the suite (comments, blank lines,
 *   formatting) stays, the case is written in the suite's own style (indent, blank lines between
 *   cases, flow or block facts), facts equal to the suite's `defaults.facts` are left out (`omit`
 *   for defaults the decision did not have), a clashing name gets " (2)"; a suite that does not exist
 *   yet is started. A case that does not reproduce is only written on request (`force`), tagged
 *   `revisar` under a comment saying why.
 * - `promoteDecision` does the three in order (what the CLI and the API call).
 *
 * Browser-safe like the rest of tester/ (no Node-only imports).
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { hasErrors } from "../dsl/diagnostics.js";
import { createLineIndex, locateRange } from "../dsl/positions.js";
import { formatInstant, shortDecisionId } from "./decision-labels.js";
import type { Difference } from "./diff.js";
import { type LoggedDecision, MASKED_VALUE_PREFIX } from "./logged-decision.js";
import { runSuite } from "./run.js";
import { appendCaseToSuite } from "./suite-append.js";
import { loadSuite, type TestCase } from "./suite.js";

export { formatInstant } from "./decision-labels.js";

/** A case made from a logged decision, as plain data (the suite format's fields). */
export interface PromotedCase {
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** The facts as logged (complete: not relative to any suite defaults). */
  readonly facts: Record<string, unknown>;
  readonly expect: Record<string, unknown>;
}

export interface CaseOptions {
  /** The case name; default "Decisão <id curto> · <data e hora>". */
  readonly name?: string;
  /** Tags added to the default `producao`. */
  readonly tags?: readonly string[];
}

/** The tag every promoted case gets. */
export const PROMOTED_TAG = "producao";
/** The tag of a case written although its expectation does not hold (`force`). */
export const REVIEW_TAG = "revisar";
export const MASKED_COMMENT = "# fatos pessoais mascarados: substitua por dados sintéticos";
export const NOT_REPRODUCED_COMMENT =
  "# a decisão registrada não se reproduz com esta versão das regras: revise fatos e expectativa";

/** A refusal a user can act on (message in Portuguese). */
export class PromoteError extends Error {
  constructor(
    message: string,
    readonly code: "SUITE_INVALID" | "RULESET_MISMATCH" | "NOT_REPRODUCED" | "CANNOT_APPEND",
  ) {
    super(message);
    this.name = "PromoteError";
  }
}

/** The short id shown in names: the last 8 characters (the random part of a UUIDv7). */
export const shortId = shortDecisionId;

/** The case of a logged decision (nothing decided, nothing read from a suite). */
export function caseFromDecision(record: LoggedDecision, options: CaseOptions = {}): PromotedCase {
  const name = options.name?.trim() || `Decisão ${shortId(record.id)} · ${formatInstant(record.at)}`;
  const tags = [PROMOTED_TAG];
  for (const t of options.tags ?? []) {
    const tag = t.trim();
    if (tag !== "" && !tags.includes(tag)) tags.push(tag);
  }
  return {
    name,
    description: `Decisão registrada ${record.id} (versão ${record.version} de ${record.ruleset}, ${record.at}).`,
    tags,
    facts: structuredClone(record.facts),
    expect: structuredClone(record.decision),
  };
}

/** Whether a value (anywhere inside) is a masked personal value. */
export function hasMaskedValues(value: unknown): boolean {
  if (typeof value === "string") return value.startsWith(MASKED_VALUE_PREFIX);
  if (Array.isArray(value)) return value.some(hasMaskedValues);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasMaskedValues);
  return false;
}

export interface PromotedCheck {
  /** Deciding the case's facts gives every output of the expectation. */
  readonly reproduced: boolean;
  /** What differs (expected = logged, actual = now), empty when reproduced. */
  readonly differences: readonly Difference[];
  /** The facts carry masked personal values. */
  readonly masked: boolean;
}

/** Runs the case against the rule set as `rules test` would (subset match). */
export async function checkPromoted(c: PromotedCase, compiled: CompiledRuleSet): Promise<PromotedCheck> {
  const testCase: TestCase = {
    name: c.name,
    tags: c.tags,
    facts: c.facts,
    expect: c.expect,
    match: "subset",
    range: { start: 0, end: 0 },
  };
  const result = await runSuite(compiled, { ruleset: compiled.name, cases: [testCase] });
  const differences = result.cases[0]?.differences ?? [];
  return { reproduced: differences.length === 0, differences, masked: hasMaskedValues(c.facts) };
}

export interface AppendOptions {
  /** Write the case tagged `revisar` under a comment (`MASKED_COMMENT` or `NOT_REPRODUCED_COMMENT`). */
  readonly review?: "masked" | "not-reproduced";
}

export interface Appended {
  /** The whole new suite text. */
  readonly text: string;
  /** The case's name in the suite (with a " (2)" suffix when the name was taken). */
  readonly name: string;
  /** The case as written (its YAML lines, comment included). */
  readonly caseText: string;
}

/**
 * Appends the case to the suite text (`null` or blank: a new suite for `ruleset`) with
 * tester/suite-append.ts. Throws a `PromoteError` when the suite cannot be read (with its line), is
 * of another rule set, or the case cannot be appended without changing what the suite means.
 */
export function appendCase(
  suiteSource: string | null,
  c: PromotedCase,
  ruleset: string,
  options: AppendOptions = {},
): Appended {
  const promoted = withReview(c, options);
  const comment = reviewComment(options);
  if (suiteSource !== null && suiteSource.trim() !== "") {
    const loaded = loadSuite(suiteSource);
    if (!loaded.suite || hasErrors(loaded.diagnostics)) {
      const first = loaded.diagnostics.find((d) => d.severity === "error");
      const at = first ? locateRange(createLineIndex(suiteSource), first.range) : undefined;
      throw new PromoteError(
        `a suíte de testes não pode ser lida${at ? ` (linha ${at.line}, coluna ${at.column})` : ""}: ${first?.message ?? "erro de YAML"}. Corrija-a antes de acrescentar casos`,
        "SUITE_INVALID",
      );
    }
    if (loaded.suite.ruleset !== ruleset)
      throw new PromoteError(
        `a decisão é do conjunto de regras "${ruleset}", mas a suíte é de "${loaded.suite.ruleset}"`,
        "RULESET_MISMATCH",
      );
  }
  const result = appendCaseToSuite(suiteSource, ruleset, promoted, comment ? { comment } : {});
  if (!result.ok) throw new PromoteError(result.message, result.code);
  return { text: result.text, name: result.name, caseText: result.caseText };
}

export interface PromoteOptions extends CaseOptions {
  /** The suite text (`null`: none yet). */
  readonly suite: string | null;
  /** The rule set to check the case against; without it the case is written unchecked. */
  readonly compiled?: CompiledRuleSet;
  /** Write a case that does not reproduce (tagged `revisar`). */
  readonly force?: boolean;
}

export interface PromoteResult extends Appended {
  readonly case: PromotedCase;
  /** Undefined when no rule set was given to check against. */
  readonly check?: PromotedCheck;
}

/**
 * The logged decision appended to the suite as a case. A case that does not reproduce against
 * `compiled` is refused (`PromoteError` NOT_REPRODUCED, naming the differences) unless `force`.
 */
export async function promoteDecision(record: LoggedDecision, options: PromoteOptions): Promise<PromoteResult> {
  const c = caseFromDecision(record, options);
  const check = options.compiled ? await checkPromoted(c, options.compiled) : undefined;
  let review: AppendOptions["review"];
  if (check && !check.reproduced) {
    if (!options.force) throw new PromoteError(notReproducedMessage(check), "NOT_REPRODUCED");
    review = check.masked ? "masked" : "not-reproduced";
  }
  const appended = appendCase(options.suite, c, record.ruleset, review ? { review } : {});
  return { ...appended, case: c, ...(check ? { check } : {}) };
}

/** Why a case does not reproduce, in Portuguese, with the first differences. */
export function notReproducedMessage(check: PromotedCheck): string {
  const shown = check.differences
    .slice(0, 3)
    .map((d) => `${d.path || "(decisão)"}: registrado ${JSON.stringify(d.expected)}, agora ${JSON.stringify(d.actual)}`)
    .join("; ");
  const more = check.differences.length > 3 ? ` (e mais ${check.differences.length - 3})` : "";
  const why = check.masked
    ? "os fatos pessoais estão mascarados e as regras os leem"
    : "as regras decidem diferente hoje";
  return `a decisão registrada não se reproduz (${why}): ${shown}${more}. Use --force (ou force) para gravar o caso com a etiqueta ${REVIEW_TAG} e revisá-lo`;
}

function withReview(c: PromotedCase, options: AppendOptions): PromotedCase {
  if (!options.review || c.tags.includes(REVIEW_TAG)) return c;
  return { ...c, tags: [...c.tags, REVIEW_TAG] };
}

function reviewComment(options: AppendOptions): string | undefined {
  if (options.review === "masked") return MASKED_COMMENT;
  if (options.review === "not-reproduced") return NOT_REPRODUCED_COMMENT;
  return undefined;
}
