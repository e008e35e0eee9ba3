/**
 * One analysis of a rule-set draft, read by every language service (diagnostics, completion,
 * hover, definition, symbols, semantic tokens): the source loaded, checked and, when it has no
 * errors, compiled, once per version of the text.
 *
 * Drafts with errors (the analyst is typing): the loader returns as much of the model as it could
 * read, and the checker still runs on it, so a broken expression or a missing key costs only that
 * part. When the YAML itself cannot be read (no model at all) or the checker crashed, the caller
 * passes the previous analysis and this one keeps its last good one in `lastGood`: completion and
 * hover then take the names and types (facts, constants, tables, functions...) from it, and read
 * the expression being typed from the current line of text (see `context.ts`). Ranges are only
 * ever taken from the current analysis (a stale model's positions would point to the wrong place),
 * so definition and symbols answer nothing until the YAML reads again.
 *
 * Plain functions over `dsl/`: no Monaco, no DOM, no Node module (runs in a web worker and in
 * vitest).
 */
import { isScalar, visit, type Scalar } from "yaml";
import type { CheckResult } from "../../dsl/check/check-ruleset.js";
import { checkRuleSet } from "../../dsl/check/check-ruleset.js";
import type { CompiledRuleSet } from "../../dsl/compile/compiled.js";
import { emit } from "../../dsl/compile/emit.js";
import { compileSource, MAX_DIAGNOSTICS, MAX_SOURCE_LENGTH } from "../../dsl/compile/pipeline.js";
import { createError, hasErrors, sortDiagnostics, type Diagnostic, type Range } from "../../dsl/diagnostics.js";
import { loadRuleSet, type ExpressionSite } from "../../dsl/ruleset/load.js";
import type { RuleSetModel } from "../../dsl/ruleset/model.js";
import { loadYaml, rangeOf, scalarValueOffsets } from "../../dsl/yaml/load.js";

export type { Range } from "../../dsl/diagnostics.js";

/** The result of `analyze`: what every other service reads. */
export interface Analysis {
  readonly source: string;
  /** The model of this draft; undefined when its YAML cannot be read. */
  readonly model: RuleSetModel | undefined;
  /** The checker's result on this draft's model (names, types, scope). */
  readonly check: CheckResult | undefined;
  /** The compiled rule set, when the draft has no errors. */
  readonly compiled: CompiledRuleSet | undefined;
  /** Every scalar the loader read as language text (expressions, actions, cells, templates). */
  readonly sites: readonly ExpressionSite[];
  /** Load and check diagnostics, sorted, at most `MAX_DIAGNOSTICS` (plus a summary). */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * The last analysis with a model and a check, when this one lacks either: names and types for
   * completion and hover while the draft cannot be read. Undefined when this one is complete.
   */
  readonly lastGood: Analysis | undefined;
}

/** Where names and types come from: this analysis, or its last good one. */
export interface Knowledge {
  readonly model: RuleSetModel;
  readonly check: CheckResult;
  /** The source the model was read from (for texts shown in hovers). */
  readonly source: string;
  /** True when the model is the current draft's (its ranges are valid in the current text). */
  readonly current: boolean;
}

function limit(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const sorted = sortDiagnostics(diagnostics);
  if (sorted.length <= MAX_DIAGNOSTICS) return sorted;
  const last = sorted[MAX_DIAGNOSTICS - 1] as Diagnostic;
  return [
    ...sorted.slice(0, MAX_DIAGNOSTICS),
    createError("internal/error", `mais ${sorted.length - MAX_DIAGNOSTICS} problemas não mostrados`, last.range),
  ];
}

function internal(what: string, e: unknown, range: Range): Diagnostic {
  return createError("internal/error", `erro interno ${what}: ${e instanceof Error ? e.message : String(e)}`, range);
}

/**
 * Loads, checks and (when there are no errors) compiles a draft. Never throws. `previous` is the
 * analysis of an earlier version of the same draft: its last good model serves completion and
 * hover while this version cannot be read.
 */
export function analyze(source: string, previous?: Analysis): Analysis {
  const fallback = previous ? (isComplete(previous) ? previous : previous.lastGood) : undefined;
  if (source.length > MAX_SOURCE_LENGTH) {
    return {
      source,
      model: undefined,
      check: undefined,
      compiled: undefined,
      sites: [],
      diagnostics: compileSource(source).diagnostics,
      lastGood: fallback,
    };
  }
  const loaded = loadRuleSet(source);
  const model = loaded.model;
  const extra: Diagnostic[] = [];
  let check: CheckResult | undefined;
  if (model) {
    try {
      check = checkRuleSet(model);
    } catch (e) {
      extra.push(internal("na verificação", e, model.nameRange));
    }
  }
  const all = [...loaded.diagnostics, ...(check?.diagnostics ?? []), ...extra];
  let compiled: CompiledRuleSet | undefined;
  if (model && check && !hasErrors(all)) {
    try {
      compiled = emit({ model, source, scope: check.scope, types: check.types });
    } catch (e) {
      all.push(internal("na compilação", e, model.nameRange));
    }
  }
  const analysis: Analysis = {
    source,
    model,
    check,
    compiled,
    sites: loaded.expressionSites,
    diagnostics: limit(all),
    lastGood: undefined,
  };
  return model && check ? analysis : { ...analysis, lastGood: fallback };
}

function isComplete(a: Analysis): boolean {
  return a.model !== undefined && a.check !== undefined;
}

/** The names and types to use for `a`: its own, or its last good analysis's. */
export function knowledge(a: Analysis): Knowledge | undefined {
  if (a.model && a.check) return { model: a.model, check: a.check, source: a.source, current: true };
  const g = a.lastGood;
  if (g?.model && g.check) return { model: g.model, check: g.check, source: g.source, current: false };
  return undefined;
}

// ------------------------------------------------------------------ scalars of the YAML document

interface Scalars {
  /** String scalars by the start of their range. */
  readonly byStart: ReadonlyMap<number, Scalar>;
  /** The top-level mapping's pairs (document symbols). */
  readonly doc: ReturnType<typeof loadYaml>["value"];
}

const SCALARS = new WeakMap<Analysis, Scalars>();

/** The YAML document of the draft and its string scalars, parsed once per analysis on demand. */
export function yamlOf(a: Analysis): Scalars {
  const cached = SCALARS.get(a);
  if (cached) return cached;
  const byStart = new Map<number, Scalar>();
  let doc: Scalars["doc"];
  if (a.model) {
    doc = loadYaml(a.source).value;
    if (doc)
      visit(doc, {
        Scalar(_, node) {
          if (typeof node.value === "string") byStart.set(rangeOf(node).start, node);
        },
      });
  }
  const result: Scalars = { byStart, doc };
  SCALARS.set(a, result);
  return result;
}

/** The text of a site's scalar and the source offset of each of its characters (length + 1). */
export interface SiteText {
  readonly site: ExpressionSite;
  readonly text: string;
  readonly offsets: readonly number[];
}

const SITE_TEXTS = new WeakMap<Analysis, Map<ExpressionSite, SiteText | null>>();

/** The scalar text of an expression site, with offsets (undefined when not found). */
export function siteText(a: Analysis, site: ExpressionSite): SiteText | undefined {
  let cache = SITE_TEXTS.get(a);
  if (!cache) {
    cache = new Map();
    SITE_TEXTS.set(a, cache);
  }
  const hit = cache.get(site);
  if (hit !== undefined) return hit ?? undefined;
  const node = yamlOf(a).byStart.get(site.range.start);
  const result: SiteText | null =
    node && isScalar(node) ? { site, text: String(node.value), offsets: scalarValueOffsets(node, a.source) } : null;
  cache.set(site, result);
  return result ?? undefined;
}

/** The expression site whose scalar contains `offset` (ends inclusive: a cursor after the last character). */
export function siteAt(a: Analysis, offset: number): ExpressionSite | undefined {
  let best: ExpressionSite | undefined;
  for (const s of a.sites) {
    if (s.range.start <= offset && offset <= s.range.end) {
      if (!best || s.range.end - s.range.start < best.range.end - best.range.start) best = s;
    }
  }
  return best;
}
