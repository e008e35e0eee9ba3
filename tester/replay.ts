/**
 * Replay (blast radius): what a draft of a rule set would do to decisions really taken. Each
 * logged decision's facts are decided again with the draft and every output compared with the
 * logged one (as canonical JSON; an output only one side has is a change to or from "absent").
 * Changes are grouped by (output, from value, to value), most frequent first, with a few samples
 * naming the rules and table rows responsible (fired on one side only, or fired on both but
 * written differently in the draft than in the version that logged the decision) and where the
 * draft writes them. Facts the draft refuses (a new required fact...) and decisions that hit a
 * defect of the draft are counted apart, one group per message.
 *
 * Personal facts are masked in the log (`pii:` + hash) or dropped: a decision that read one (a
 * CPF check digit) cannot be taken again from the log. With a `baseline` (the runtime of the
 * version that logged each record) every record is first decided with its own version; one that
 * does not come out as logged is "not reproducible" and left out of the comparison, with the
 * reason in the summary. Without a baseline, every record is compared as it is.
 *
 * Generic (no domain words) and browser-safe like the rest of tester/: the CLI (cli/replay.ts),
 * the service (server/routes/replay.ts) and the editor show the same report.
 */
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { isDecisionError } from "../engine/errors.js";
import type { DecisionResult, Runtime } from "../engine/runtime.js";
import type { LoggedDecision } from "./logged-decision.js";

export interface ReplayOptions {
  /** The draft's runtime (what would decide after publishing). */
  readonly draft: Runtime;
  /** The logged decisions of the draft's rule set, oldest first preferably. */
  readonly records: AsyncIterable<LoggedDecision> | Iterable<LoggedDecision>;
  /**
   * The runtime of a published version (the one that logged a record), or undefined when it is
   * not known. Given: each record is first decided with its own version (reproducibility check)
   * and rows whose definition changed are named among the responsible.
   */
  readonly baseline?: (version: number) => Promise<Runtime | undefined>;
  /** Samples kept per group (default 5). */
  readonly samplesPerGroup?: number;
  /**
   * Awaited at most every CHECKPOINT_MS of replay: a service lets other requests in there (and
   * throws to abandon the replay past its deadline; the error propagates).
   */
  readonly checkpoint?: () => Promise<void>;
}

/** A value on one side of a change: absent (the output does not exist there) or a JSON value. */
export interface ReplayValue {
  readonly absent?: true;
  readonly value?: unknown;
}

/**
 * A rule or table row behind a change: it fired with the draft and not in the logged decision
 * ("draft"), in the logged decision and not with the draft ("logged"), or on both under the same
 * id but written differently in the draft ("changed"; known only with a baseline, which also
 * matches rows renumbered by an insertion or removal by their definition).
 */
export interface ResponsibleRef {
  /** Stable id (`r:0`, `t:tabela:3`...). */
  readonly ref: string;
  /** Its name (`tabela · linha 4`, the rule's name). */
  readonly name: string;
  readonly side: "draft" | "logged" | "changed";
  /** How the draft labels it (`tabela designacao, linha 4`), when the draft has it. */
  readonly label?: string;
  /**
   * Where the draft writes it (1-based), when the draft has it: for a "logged" one, where the draft
   * still writes the same rule or row (absent when the draft removed it or, without a baseline,
   * when its name there differs).
   */
  readonly line?: number;
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

export interface ReplaySample {
  readonly id: string;
  readonly at: string;
  /** The logged decision. */
  readonly before: Record<string, unknown>;
  /** The draft's decision. */
  readonly after: Record<string, unknown>;
  /** What fired with the draft. */
  readonly fired: readonly string[];
  /** What fired when the decision was logged. */
  readonly firedBefore: readonly string[];
  readonly responsible: readonly ResponsibleRef[];
}

/** Decisions whose `output` would go from `from` to `to`. */
export interface ReplayGroup {
  readonly output: string;
  readonly from: ReplayValue;
  readonly to: ReplayValue;
  readonly count: number;
  readonly samples: readonly ReplaySample[];
  /** The Portuguese summary line of the group. */
  readonly line: string;
}

/** Records left out of the comparison for one reason (one group per message). */
export interface ReplayProblemGroup {
  readonly kind: "invalidForDraft" | "defect" | "notReproducible";
  readonly message: string;
  readonly count: number;
  /** Up to `samplesPerGroup` records: id and instant. */
  readonly samples: readonly { readonly id: string; readonly at: string }[];
}

export interface ReplayReport {
  /** The draft's rule-set name. */
  readonly ruleset: string;
  /** Records read. total = unchanged + changed + notReproducible + invalidForDraft + defects. */
  readonly total: number;
  readonly unchanged: number;
  /** Records with at least one output changed. */
  readonly changed: number;
  /** Records the version that logged them does not decide the same way again (masked facts...). */
  readonly notReproducible: number;
  /** Records whose facts the draft refuses (INVALID_FACTS). */
  readonly invalidForDraft: number;
  /** Records on which the draft hits a defect (RULESET_DEFECT). */
  readonly defects: number;
  /** Records whose version was not available for the reproducibility check (compared anyway). */
  readonly unverified: number;
  /** Changes, most frequent first. */
  readonly groups: readonly ReplayGroup[];
  readonly problems: readonly ReplayProblemGroup[];
  /** Portuguese summary lines. */
  readonly lines: readonly string[];
}

/** Longest stretch of replay between two `checkpoint` calls. */
const CHECKPOINT_MS = 10;
const DEFAULT_SAMPLES = 5;

/** JSON text with object keys sorted: equal values compare equal whatever the storage did to key order. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

/** Portuguese thousands: 1.204. */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

/** A value as a summary line shows it: texts bare, null as "nulo", long ones cut. */
export function formatValue(v: ReplayValue): string {
  if (v.absent) return "(ausente)";
  const value = v.value;
  const text = value === null ? "nulo" : typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function decisions(n: number): string {
  return n === 1 ? "1 decisão" : `${formatCount(n)} decisões`;
}

/** The summary line of a change group. */
export function changeLine(count: number, output: string, from: ReplayValue, to: ReplayValue): string {
  const one = count === 1;
  if (from.absent) return `${decisions(count)} ${one ? "passaria" : "passariam"} a ter ${output} = ${formatValue(to)}`;
  if (to.absent)
    return `${decisions(count)} ${one ? "deixaria" : "deixariam"} de ter ${output} (era ${formatValue(from)})`;
  return `${decisions(count)} ${one ? "mudaria" : "mudariam"} ${output} de ${formatValue(from)} para ${formatValue(to)}`;
}

function problemLine(p: ReplayProblemGroup): string {
  const one = p.count === 1;
  switch (p.kind) {
    case "invalidForDraft":
      return `${decisions(p.count)} ${one ? "seria recusada" : "seriam recusadas"} pelo rascunho (fatos inválidos): ${p.message}`;
    case "defect":
      return `${decisions(p.count)} ${one ? "daria" : "dariam"} defeito no rascunho: ${p.message}`;
    case "notReproducible":
      return `${decisions(p.count)} não ${one ? "pôde ser reproduzida" : "puderam ser reproduzidas"} e ${one ? "ficou" : "ficaram"} fora da comparação: ${p.message}`;
  }
}

/** Strips what moves when something else is edited (condition ids, ranges): the definition alone. */
function definitionOf(compiled: CompiledRuleSet, ref: string): string | undefined {
  const handler = compiled.handlers[ref];
  if (!handler) return undefined;
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === "range" || k === "ref") continue;
      if (k === "name" && typeof x === "string" && /^c\d+$/.test(x)) continue;
      out[k] = strip(x);
    }
    return out;
  };
  const engineRule = compiled.rules.find((r) => r.event.params.ref === ref);
  const conditions = engineRule ? strip(engineRule.conditions) : null;
  if (handler.kind === "row") {
    const table = compiled.tables[handler.table];
    return canonicalJson({ outputs: table?.outputs, row: strip(table?.rows[handler.row]), conditions });
  }
  if (handler.kind === "rule") return canonicalJson({ rule: strip(compiled.rulesMeta[handler.rule]), conditions });
  return canonicalJson({ handler, conditions });
}

interface Accumulator {
  count: number;
  samples: ReplaySample[];
  output: string;
  from: ReplayValue;
  to: ReplayValue;
}

interface ProblemAccumulator {
  kind: ReplayProblemGroup["kind"];
  message: string;
  count: number;
  samples: { id: string; at: string }[];
}

/** The message a refused or defective decision is grouped by. */
function errorMessage(e: unknown): string {
  if (isDecisionError(e)) {
    const first = e.details[0];
    if (first) {
      const more = e.details.length > 1 ? ` (e mais ${e.details.length - 1})` : "";
      // JSON pointer (`/contatos/0/data`) shown as a path (`contatos.0.data`).
      const path = first.path?.replace(/^\//, "").replace(/\//g, ".");
      return `${path ? `${path}: ` : ""}${first.message}${more}`;
    }
    return e.message;
  }
  return `erro interno: ${e instanceof Error ? e.message : String(e)}`;
}

/** Decides every logged record again with the draft and reports what would change. */
export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  const { draft } = options;
  const compiled = draft.compiled;
  const samplesPerGroup = Math.max(0, Math.floor(options.samplesPerGroup ?? DEFAULT_SAMPLES));
  const names = new Map(compiled.rules.map((r) => [r.event.params.ref, r.name] as const));
  const groups = new Map<string, Accumulator>();
  const problems = new Map<string, ProblemAccumulator>();
  const baselines = new Map<number, Promise<Runtime | undefined>>();
  const definitions = new WeakMap<CompiledRuleSet, Map<string, string | undefined>>();
  const cachedDefinition = (c: CompiledRuleSet, ref: string): string | undefined => {
    let m = definitions.get(c);
    if (!m) {
      m = new Map();
      definitions.set(c, m);
    }
    if (!m.has(ref)) m.set(ref, definitionOf(c, ref));
    return m.get(ref);
  };
  /** The draft's refs by definition (first one wins), built on first use. */
  let draftByDefinition: Map<string, string> | undefined;
  const draftRefOf = (def: string): string | undefined => {
    if (!draftByDefinition) {
      draftByDefinition = new Map();
      for (const ref of Object.keys(compiled.handlers)) {
        const d = cachedDefinition(compiled, ref);
        if (d !== undefined && !draftByDefinition.has(d)) draftByDefinition.set(d, ref);
      }
    }
    return draftByDefinition.get(def);
  };
  let total = 0;
  let unchanged = 0;
  let changed = 0;
  let notReproducible = 0;
  let invalidForDraft = 0;
  let defects = 0;
  let unverified = 0;
  let slice = performance.now();

  const problem = (kind: ProblemAccumulator["kind"], message: string, record: LoggedDecision) => {
    const key = `${kind}\u0000${message}`;
    let p = problems.get(key);
    if (!p) {
      p = { kind, message, count: 0, samples: [] };
      problems.set(key, p);
    }
    p.count++;
    if (p.samples.length < samplesPerGroup) p.samples.push({ id: record.id, at: record.at });
  };

  const baselineOf = (version: number): Promise<Runtime | undefined> => {
    let b = baselines.get(version);
    if (!b) {
      b = options.baseline ? options.baseline(version).catch(() => undefined) : Promise.resolve(undefined);
      baselines.set(version, b);
    }
    return b;
  };

  for await (const record of options.records) {
    if (options.checkpoint && performance.now() - slice > CHECKPOINT_MS) {
      await options.checkpoint();
      slice = performance.now();
    }
    total++;
    let base: Runtime | undefined;
    if (options.baseline) {
      base = await baselineOf(record.version);
      if (!base) unverified++;
      else {
        let reproduced: DecisionResult | undefined;
        try {
          reproduced = await base.decide(record.facts);
        } catch {
          reproduced = undefined;
        }
        if (!reproduced || canonicalJson(reproduced.decision) !== canonicalJson(record.decision)) {
          notReproducible++;
          const why =
            record.masked.length > 0
              ? `a versão ${record.version} não chega à decisão registrada com os dados pessoais mascarados (${record.masked.join(", ")})`
              : `a versão ${record.version} não chega de novo à decisão registrada`;
          problem("notReproducible", why, record);
          continue;
        }
      }
    }
    let result: DecisionResult;
    try {
      result = await draft.decide(record.facts);
    } catch (e) {
      if (isDecisionError(e) && e.code === "INVALID_FACTS") {
        invalidForDraft++;
        problem("invalidForDraft", errorMessage(e), record);
      } else {
        defects++;
        problem("defect", errorMessage(e), record);
      }
      continue;
    }
    const before = record.decision;
    const after = result.decision;
    const outputs = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    const diffs: { output: string; from: ReplayValue; to: ReplayValue }[] = [];
    for (const output of outputs) {
      const had = Object.hasOwn(before, output);
      const has = Object.hasOwn(after, output);
      if (had && has && canonicalJson(before[output]) === canonicalJson(after[output])) continue;
      diffs.push({
        output,
        from: had ? { value: before[output] } : { absent: true },
        to: has ? { value: after[output] } : { absent: true },
      });
    }
    if (diffs.length === 0) {
      unchanged++;
      continue;
    }
    changed++;
    let sample: ReplaySample | undefined;
    for (const d of diffs) {
      const key = `${d.output}\u0000${canonicalJson(d.from)}\u0000${canonicalJson(d.to)}`;
      let g = groups.get(key);
      if (!g) {
        g = { count: 0, samples: [], ...d };
        groups.set(key, g);
      }
      g.count++;
      if (g.samples.length < samplesPerGroup) {
        sample ??= {
          id: record.id,
          at: record.at,
          before,
          after,
          fired: result.fired,
          firedBefore: record.fired,
          responsible: responsibleOf(record, result, base?.compiled),
        };
        g.samples.push(sample);
      }
    }
  }

  /**
   * The rules and rows behind a changed decision. With the version that logged it (`base`), what
   * fired is matched by definition (a row renumbered because another was removed is the same
   * row): a draft ref with no logged counterpart fired "only with the draft" ("changed" when the
   * same ref fired in the log but is written differently), a logged one with no counterpart
   * "only in the log". Without it, refs are compared by id.
   */
  function responsibleOf(
    record: LoggedDecision,
    result: DecisionResult,
    base: CompiledRuleSet | undefined,
  ): ResponsibleRef[] {
    const loggedName = new Map(record.firedRefs.map((ref, i) => [ref, record.fired[i] ?? ref] as const));
    const at = (ref: string) => {
      const loc = compiled.sourceMap[ref];
      return loc
        ? { label: loc.label, line: loc.line, column: loc.column, endLine: loc.endLine, endColumn: loc.endColumn }
        : {};
    };
    const out: ResponsibleRef[] = [];
    if (!base) {
      const mine = new Set(result.firedRefs);
      const theirs = new Set(record.firedRefs);
      for (const ref of result.firedRefs)
        if (!theirs.has(ref)) out.push({ ref, name: names.get(ref) ?? ref, side: "draft", ...at(ref) });
      for (const ref of record.firedRefs) {
        if (mine.has(ref)) continue;
        const name = loggedName.get(ref) ?? ref;
        // Without the logged version, the draft's position is only trusted for the same name.
        out.push({ ref, name, side: "logged", ...(names.get(ref) === name ? at(ref) : {}) });
      }
      return out;
    }
    // Logged refs by definition, as a multiset.
    const unmatched = new Map<string, string[]>();
    for (const ref of record.firedRefs) {
      const def = cachedDefinition(base, ref) ?? `?${ref}`;
      const list = unmatched.get(def) ?? [];
      list.push(ref);
      unmatched.set(def, list);
    }
    const draftOnly: string[] = [];
    for (const ref of result.firedRefs) {
      const list = unmatched.get(cachedDefinition(compiled, ref) ?? `!${ref}`);
      if (list && list.length > 0) list.shift();
      else draftOnly.push(ref);
    }
    const loggedOnly = new Set([...unmatched.values()].flat());
    for (const ref of draftOnly) {
      const side = loggedOnly.delete(ref) ? "changed" : "draft";
      out.push({ ref, name: names.get(ref) ?? ref, side, ...at(ref) });
    }
    for (const ref of record.firedRefs) {
      if (!loggedOnly.has(ref)) continue;
      // Where the draft still writes that rule or row (same definition, maybe renumbered), if it does.
      const def = cachedDefinition(base, ref);
      const same = def === undefined ? undefined : draftRefOf(def);
      out.push({ ref, name: loggedName.get(ref) ?? ref, side: "logged", ...(same ? at(same) : {}) });
    }
    return out;
  }

  const order = (a: { count: number }, b: { count: number }) => b.count - a.count;
  const changeGroups: ReplayGroup[] = [...groups.values()]
    .sort(
      (a, b) =>
        order(a, b) ||
        (a.output < b.output ? -1 : a.output > b.output ? 1 : 0) ||
        canonicalJson(a.from).localeCompare(canonicalJson(b.from)) ||
        canonicalJson(a.to).localeCompare(canonicalJson(b.to)),
    )
    .map((g) => ({ ...g, line: changeLine(g.count, g.output, g.from, g.to) }));
  const problemGroups: ReplayProblemGroup[] = [...problems.values()].sort(order);

  const lines: string[] = [];
  if (total === 0) lines.push("nenhuma decisão registrada para reexecutar");
  else {
    lines.push(`${formatCount(unchanged)} de ${decisions(total)} não ${unchanged === 1 ? "mudaria" : "mudariam"}`);
    if (changed > 0)
      lines.push(`${decisions(changed)} ${changed === 1 ? "mudaria" : "mudariam"} em pelo menos uma saída:`);
    for (const g of changeGroups) lines.push(g.line);
    for (const p of problemGroups) lines.push(problemLine(p));
    if (unverified > 0)
      lines.push(
        `${decisions(unverified)} de versões não encontradas ${unverified === 1 ? "foi comparada" : "foram comparadas"} sem conferir se a versão as reproduz`,
      );
  }

  return {
    ruleset: compiled.name,
    total,
    unchanged,
    changed,
    notReproducible,
    invalidForDraft,
    defects,
    unverified,
    groups: changeGroups,
    problems: problemGroups,
    lines,
  };
}
