/**
 * Semantic analysis of one decision table over the domains the fact schema declares
 * (`domains.ts`), per hit policy: gaps (inputs no row covers; every single-hit policy — `unique`,
 * `first`, `any`, `priority` — unless the table has `onNoMatch`), overlaps (two rows that match one
 * input, through literals, lists, ranges, `not(...)` and `-`: every such pair of a `unique` table;
 * of an `any` table, only pairs whose literal outputs differ) and rows that never apply (a `first`
 * row every input of which an earlier row takes; a `priority` row every input of which rows with
 * higher-priority outputs take — a warning; under every policy, a row no input of the domain
 * satisfies). List policies (`ruleOrder`, `outputOrder`, `collect`) get only the last. Every
 * finding names an example input in the table's own terms (column = value, as the YAML writes it).
 *
 * How: each input column's domain is split into atoms (the pieces between every bound its cells,
 * the table's `when` and its `impossible` combinations mention), so every cell is a set of atoms.
 * A search then fixes one column after another, keeping the rows still possible; atoms that no
 * row names specifically (only `-` rows reach them) are explored once. Gaps: a point where no row
 * is left. Overlaps: a full point where two rows are left. `first`: the first row left wins where
 * it covers the rest of the columns; rows that never win are shadowed (`priority`: the same search
 * over the rows sorted by their outputs' priority). `impossible` combinations
 * are rows that block: nothing is reported inside them. A cell the analysis cannot evaluate (it
 * reads a fact or calls a function) may match when looking for gaps (no false gap) and does not
 * match when looking for overlaps and shadows (the row takes no part: no false finding).
 *
 * The work is bounded (`STEP_BUDGET` rows visited per table): beyond it the table's analysis stops
 * with an `info` (`table/analysis-limit`). Findings come in a fixed order (gaps, then overlaps by
 * row pair, then rows that never apply, by row), so the same table gives the same diagnostics.
 */
import type { Diagnostic, RelatedInformation } from "../diagnostics.js";
import { isSingleHit, type TableDecl } from "../ruleset/model.js";
import { stripRanges, type Expr, type UnaryTest } from "../syntax/ast.js";
import type { Type } from "../types.js";
import {
  type Atom,
  atomIndexes,
  comparisonSet,
  complement,
  type ComparisonOperator,
  type ConstantOf,
  type Domain,
  domainOfExpr,
  fullSet,
  intersect,
  nullSet,
  partition,
  testSet,
  union,
  type ValueSet,
} from "./domains.js";
import type { CheckContext } from "./context.js";

/** Rows visited (summed over every step of every search) before a table's analysis stops. */
export const STEP_BUDGET = 3_000_000;
/** Gaps reported per table (the last one says when there are more). */
const MAX_GAPS = 3;
/** Overlapping pairs reported per table. */
const MAX_OVERLAPS = 100;

/** A column as the analysis sees it: its atoms (within the table's `when`) and how to write them. */
interface Column {
  readonly name: string;
  readonly domain: Domain | undefined;
  readonly atoms: readonly Atom[];
}

/** A row (or impossible combination) as sets of atom indexes per column; null = every atom. */
interface ARow {
  /** Order in the search (rows first, then impossible combinations). */
  readonly pos: number;
  /** The table row's index, or -1 for an impossible combination. */
  readonly row: number;
  readonly cells: readonly (readonly number[] | null)[];
  /** The first column from which every cell is null (every atom). */
  readonly allFrom: number;
}

class BudgetExceeded extends Error {}

/**
 * Per column, the sets of the cells of the common shapes, computed once: large tables repeat the
 * same cells (keys are the literal values themselves, not texts built per cell).
 */
class CellCache {
  /** `== literal` (texts, numbers, booleans), by literal type. */
  private readonly equal = new Map<string, Map<unknown, ValueSet | undefined>>();
  /** Ranges of number literals: by inclusivity, low and high. */
  private readonly ranges = new Map<string, Map<number, Map<number, ValueSet | undefined>>>();
  /** Every set computed (each once), for the column's partition. */
  readonly distinct = new Set<ValueSet>();

  constructor(
    private readonly domain: Domain,
    private readonly constantOf: ConstantOf,
  ) {}

  get(u: UnaryTest): ValueSet | undefined {
    if (u.kind === "compare" && u.operator === "==" && u.value.kind === "literal" && u.value.literal.type !== "null") {
      const l = u.value.literal;
      let byValue = this.equal.get(l.type);
      if (!byValue) {
        byValue = new Map();
        this.equal.set(l.type, byValue);
      }
      const hit = byValue.get(l.value);
      if (hit !== undefined || byValue.has(l.value)) return hit;
      const set = this.compute(u);
      byValue.set(l.value, set);
      return set;
    }
    if (
      u.kind === "range" &&
      u.low.kind === "literal" &&
      u.low.literal.type === "number" &&
      u.high.kind === "literal" &&
      u.high.literal.type === "number"
    ) {
      const flags = `${u.lowInclusive}${u.highInclusive}`;
      let byLow = this.ranges.get(flags);
      if (!byLow) {
        byLow = new Map();
        this.ranges.set(flags, byLow);
      }
      let byHigh = byLow.get(u.low.literal.value);
      if (!byHigh) {
        byHigh = new Map();
        byLow.set(u.low.literal.value, byHigh);
      }
      const hit = byHigh.get(u.high.literal.value);
      if (hit !== undefined || byHigh.has(u.high.literal.value)) return hit;
      const set = this.compute(u);
      byHigh.set(u.high.literal.value, set);
      return set;
    }
    return this.compute(u);
  }

  private compute(u: UnaryTest): ValueSet | undefined {
    const set = testSet(this.domain, u, this.constantOf);
    if (set) this.distinct.add(set);
    return set;
  }
}

/** The sets a row's cells admit (undefined: unknown, or a column the analysis cannot read). */
function cellSets(inputs: readonly UnaryTest[], caches: readonly (CellCache | undefined)[]): (ValueSet | undefined)[] {
  const out: (ValueSet | undefined)[] = [];
  for (let k = 0; k < inputs.length; k++) out.push(caches[k]?.get(inputs[k] as UnaryTest));
  return out;
}

/** Whether a row has a cell the analysis cannot evaluate. */
function hasUnknown(inputs: readonly UnaryTest[], sets: readonly (ValueSet | undefined)[]): boolean {
  for (let k = 0; k < inputs.length; k++) if (sets[k] === undefined && inputs[k]?.kind !== "any") return true;
  return false;
}

/** A row for the search: each cell as atom indexes (null: every atom, or unknown). */
function searchRow(
  pos: number,
  row: number,
  inputs: readonly UnaryTest[],
  sets: readonly (ValueSet | undefined)[],
  columns: readonly Column[],
  caches: readonly Map<ValueSet, readonly number[] | null>[],
): ARow {
  const cells: (readonly number[] | null)[] = [];
  for (let k = 0; k < columns.length; k++) {
    const col = columns[k] as Column;
    const set = sets[k];
    if (inputs[k]?.kind === "any" || !col.domain || !set) {
      cells.push(null);
      continue;
    }
    const cache = caches[k] as Map<ValueSet, readonly number[] | null>;
    let c = cache.get(set);
    if (c === undefined) {
      const idx = atomIndexes(col.domain, col.atoms, set);
      c = idx.length === col.atoms.length ? null : idx;
      cache.set(set, c);
    }
    cells.push(c);
  }
  let allFrom = cells.length;
  while (allFrom > 0 && cells[allFrom - 1] === null) allFrom--;
  return { pos, row, cells, allFrom };
}

export function analyseTable(
  ctx: CheckContext,
  t: TableDecl,
  columnTypes: readonly Type[],
  constantOf: ConstantOf,
): void {
  if (t.inputs.length === 0) return;
  const { model } = ctx;
  const domains = t.inputs.map((c, i) => (c.expr ? domainOfExpr(model, c.expr, columnTypes[i]) : undefined));
  const restrictions = whenRestrictions(t, domains, constantOf);
  const setCaches = domains.map((d) => (d ? new CellCache(d, constantOf) : undefined));
  const rowSets: (ValueSet | undefined)[][] = [];
  for (const r of t.rows) rowSets.push(cellSets(r.inputs, setCaches));
  const impossibleSets: (ValueSet | undefined)[][] = [];
  for (const r of t.impossible) impossibleSets.push(cellSets(r.inputs, setCaches));
  // A column with a label (`labels:`) is named with it: `idade ("Applicant Age") = 17`.
  const shownName = (name: string): string => {
    const label = t.labels?.get(name);
    return label ? `${name} ("${label}")` : name;
  };
  const columns: Column[] = [];
  for (const [k, c] of t.inputs.entries()) {
    const d = domains[k];
    if (!d) {
      columns.push({ name: shownName(c.name), domain: undefined, atoms: [OPAQUE_ATOM] });
      continue;
    }
    const distinct = new Set<ValueSet>(setCaches[k]?.distinct);
    const restriction = restrictions[k];
    if (restriction) distinct.add(restriction);
    let atoms = partition(d, [...distinct]);
    if (restriction) atoms = atoms.filter((a) => atomIndexes(d, [a], restriction).length > 0);
    columns.push({ name: shownName(c.name), domain: d, atoms });
  }
  const atomCaches = t.inputs.map(() => new Map<ValueSet, readonly number[] | null>());
  const blockers: ARow[] = [];
  for (const [i, r] of t.impossible.entries())
    blockers.push(searchRow(t.rows.length + i, -1, r.inputs, impossibleSets[i] ?? [], columns, atomCaches));
  const loose: ARow[] = [];
  for (const [i, r] of t.rows.entries()) loose.push(searchRow(i, i, r.inputs, rowSets[i] ?? [], columns, atomCaches));
  // The rows without an unknown cell (for overlaps and shadows; most tables have no unknown cell).
  const strict: (ARow | undefined)[] = [];
  for (const [i, r] of t.rows.entries()) strict.push(hasUnknown(r.inputs, rowSets[i] ?? []) ? undefined : loose[i]);
  const search = new Search(columns);
  const findings: Diagnostic[] = [];
  const policy = `(política ${t.hitPolicy})`;
  const title = t.label ? `"${t.name}" ("${t.label}")` : `"${t.name}"`;
  // Each search stops at the budget: what it found is kept (gaps and overlaps found are real);
  // rows that never win are only reported from a complete search.
  const run = (): void => {
    // Rows no input satisfies (a cell with no atom left), under every policy.
    const never = new Set<number>();
    strict.forEach((r, i) => {
      const k = r ? r.cells.findIndex((c) => c !== null && c.length === 0) : -1;
      const row = t.rows[i];
      if (k < 0 || !row) return;
      never.add(i);
      findings.push(
        warning(
          "table/shadowed-row",
          `a linha ${i + 1} da tabela ${title} nunca se aplica: nenhum valor possível de ${columns[k]?.name} satisfaz a célula${t.when ? " (dentro do when da tabela)" : ""}`,
          row.range,
        ),
      );
    });
    if (isSingleHit(t.hitPolicy) && t.onNoMatch === undefined) {
      const gaps = search.gaps([...loose, ...blockers]);
      gaps.found.forEach((g, n) => {
        const more =
          n === gaps.found.length - 1 && gaps.more ? " (há outras lacunas: corrija esta e verifique de novo)" : "";
        findings.push(
          error(
            "table/gap",
            `${describe(columns, g)}: nenhuma linha da tabela ${title} ${policy} se aplica (o resultado da tabela seria nulo)${more}. Acrescente a linha que falta (ou uma linha com "-" em todas as entradas no fim), declare a combinação em impossible ou, se nenhum resultado for o esperado, onNoMatch: null (ou onNoMatch com as saídas)`,
            t.nameRange,
          ),
        );
      });
      if (search.stopped) return;
    }
    const known = strict.filter((r): r is ARow => r !== undefined && !never.has(r.row));
    if (t.hitPolicy === "unique") {
      const pairs = search.overlaps([...known, ...blockers]);
      for (const [i, j, witness] of pairs) {
        const row = t.rows[j];
        const first = t.rows[i];
        if (!row || !first) continue;
        findings.push(
          error(
            "table/overlap",
            `${describeRows(columns, witness, [known.find((r) => r.row === i), known.find((r) => r.row === j)])}: as linhas ${i + 1} e ${j + 1} da tabela ${title} ${policy} se aplicam às mesmas entradas; torne-as exclusivas ou use hitPolicy first`,
            row.range,
            [{ message: `linha ${i + 1}`, range: first.range }],
          ),
        );
      }
      if (search.stopped) return;
    }
    if (t.hitPolicy === "any") {
      // Overlapping rows are allowed when they give the same outputs; only pairs whose literal
      // outputs differ are reported (a computed output may well be equal: never reported).
      const differing = (i: number, j: number): number => {
        const a = t.rows[i]?.outputs ?? [];
        const b = t.rows[j]?.outputs ?? [];
        return t.outputs.findIndex((_, k) => {
          const x = plainLiteral(a[k]);
          const y = plainLiteral(b[k]);
          return x !== NOT_PLAIN && y !== NOT_PLAIN && x !== y;
        });
      };
      const pairs = search.overlaps([...known, ...blockers], (i, j) => differing(i, j) >= 0);
      for (const [i, j, witness] of pairs) {
        const row = t.rows[j];
        const first = t.rows[i];
        const k = differing(i, j);
        if (!row || !first) continue;
        const column = t.outputs[k]?.name ?? "";
        const shown = (o: Expr | undefined): string => JSON.stringify(plainLiteral(o));
        findings.push(
          error(
            "table/overlap",
            `${describeRows(columns, witness, [known.find((r) => r.row === i), known.find((r) => r.row === j)])}: as linhas ${i + 1} e ${j + 1} da tabela ${title} ${policy} se aplicam às mesmas entradas com saídas diferentes (${column}: ${shown(first.outputs[k])} e ${shown(row.outputs[k])}), o que seria um defeito da decisão; dê-lhes as mesmas saídas, torne-as exclusivas ou use outra política (first, priority)`,
            row.range,
            [{ message: `linha ${i + 1}`, range: first.range }],
          ),
        );
      }
      if (search.stopped) return;
    }
    /**
     * Reports a row that never wins (a `table/shadowed-row` finding): a warning when no row beats
     * it (only combinations declared impossible reach it), else the finding of `severity` naming
     * the rows that do (`beaten(shown, several)`) and what to do (`advice`).
     */
    const neverChosen = (
      r: ARow,
      beaters: readonly ARow[],
      severity: "error" | "warning",
      beaten: (shown: string, several: boolean) => string,
      advice: string,
    ): void => {
      const row = t.rows[r.row];
      if (!row) return;
      const example = describeRows(columns, exampleOfRow(r), [r]);
      if (beaters.length === 0) {
        findings.push(
          warning(
            "table/shadowed-row",
            `a linha ${r.row + 1} da tabela ${title} ${policy} só se aplica a combinações declaradas impossíveis (p.ex. ${example})`,
            row.range,
          ),
        );
        return;
      }
      const names = beaters.map((e) => e.row + 1).sort((x, y) => x - y);
      const shown = names.length > 3 ? `${names.slice(0, 3).join(", ")} e outras` : joinAnd(names);
      const related: RelatedInformation[] = beaters.slice(0, 10).map((e) => ({
        message: `linha ${e.row + 1}`,
        range: (t.rows[e.row] as { range: Diagnostic["range"] }).range,
      }));
      findings.push({
        code: "table/shadowed-row",
        severity,
        message: `a linha ${r.row + 1} da tabela ${title} ${policy} nunca é escolhida: ${beaten(shown, names.length > 1)} a todas as entradas dela (p.ex. ${example}); ${advice}`,
        range: row.range,
        related,
      });
    };
    if (t.hitPolicy === "first") {
      const winners = search.winners([...known, ...blockers]);
      if (search.stopped) return;
      for (const r of known) {
        if (winners.has(r.row)) continue;
        neverChosen(
          r,
          known.filter((e) => e.row < r.row && intersects(e, r)),
          "error",
          (shown, several) =>
            several ? `as linhas ${shown} vêm antes e se aplicam` : `a linha ${shown} vem antes e se aplica`,
          "mova-a para cima, restrinja as anteriores ou apague-a",
        );
      }
    }
    if (t.hitPolicy === "priority") {
      // Rows in the order they win (outputs by outputValues, then row order); rows whose ranked
      // outputs are computed take no part (their rank is unknown: no false finding).
      const ranked = priorityOrder(t, known);
      if (!ranked) return;
      const winners = search.winners([...ranked, ...blockers]);
      if (search.stopped) return;
      const rank = new Map(ranked.map((r) => [r.row, r.pos]));
      for (const r of ranked) {
        if (winners.has(r.row)) continue;
        neverChosen(
          r,
          ranked.filter((e) => e.pos < (rank.get(r.row) ?? 0) && intersects(e, r)),
          "warning",
          (shown, several) =>
            several
              ? `as linhas ${shown} têm saídas de maior prioridade (outputValues) e se aplicam`
              : `a linha ${shown} tem saídas de maior prioridade (outputValues) e se aplica`,
          "restrinja-as, mude as saídas ou apague a linha",
        );
      }
    }
  };
  run();
  if (search.stopped)
    findings.push({
      code: "table/analysis-limit",
      severity: "info",
      message: `análise da tabela ${title} (lacunas, sobreposições, linhas encobertas) interrompida após ${search.steps.toLocaleString("pt-BR")} passos: a tabela é grande ou combinada demais para ser analisada por inteiro`,
      range: t.nameRange,
    });
  for (const f of findings) ctx.report(f);
}

const OPAQUE_ATOM: Atom = {
  set: { null: true, values: [], cofinite: true, intervals: [] },
  point: null,
  example: "qualquer valor",
};

function error(
  code: Diagnostic["code"],
  message: string,
  range: Diagnostic["range"],
  related?: RelatedInformation[],
): Diagnostic {
  return related ? { code, severity: "error", message, range, related } : { code, severity: "error", message, range };
}

function warning(code: Diagnostic["code"], message: string, range: Diagnostic["range"]): Diagnostic {
  return { code, severity: "warning", message, range };
}

function joinAnd(items: readonly (string | number)[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} e ${items[items.length - 1]}`;
}

/** `coluna = valor, ...` for a point fixed on the first columns (opaque columns left out). */
function describe(columns: readonly Column[], point: readonly number[]): string {
  const parts: string[] = [];
  point.forEach((a, k) => {
    const col = columns[k];
    if (col?.domain) parts.push(`${col.name} = ${col.atoms[a]?.example ?? "?"}`);
  });
  return parts.length > 0 ? parts.join(", ") : "para qualquer entrada";
}

/** `describe` restricted to the columns where one of the rows does not have `-`. */
function describeRows(
  columns: readonly Column[],
  point: readonly number[],
  rows: readonly (ARow | undefined)[],
): string {
  const parts: string[] = [];
  point.forEach((a, k) => {
    const col = columns[k];
    if (col?.domain && rows.some((r) => r && r.cells[k] !== null))
      parts.push(`${col.name} = ${col.atoms[a]?.example ?? "?"}`);
  });
  return parts.length > 0 ? parts.join(", ") : "qualquer entrada";
}

/** A point of a row: the first atom of each cell. */
function exampleOfRow(r: ARow): number[] {
  return r.cells.map((c) => (c === null ? 0 : (c[0] ?? 0)));
}

function intersects(a: ARow, b: ARow): boolean {
  return a.cells.every((ca, k) => {
    const cb = b.cells[k];
    if (ca === null || cb === null || cb === undefined) return true;
    return ca.some((x) => cb.includes(x));
  });
}

/** One branch of the search: an atom of the column and the rows still possible there. */
interface Branch {
  readonly atom: number;
  readonly rows: readonly ARow[];
  /** Other atoms the same rows reach (atoms only `-` rows reach: a few, for the gaps' examples). */
  readonly also?: readonly number[];
}

/** The searches over one table's rows, sharing the step count. */
class Search {
  steps = 0;
  constructor(private readonly columns: readonly Column[]) {}

  /** The atoms of column `k` and the rows possible in each; atoms only `-` rows reach come once. */
  private split(k: number, rows: readonly ARow[]): Branch[] {
    this.steps += rows.length + 1;
    if (this.steps > STEP_BUDGET) throw new BudgetExceeded();
    const all: ARow[] = [];
    const buckets = new Map<number, ARow[]>();
    for (const r of rows) {
      const c = r.cells[k];
      if (c === null || c === undefined) all.push(r);
      else
        for (const a of c) {
          const b = buckets.get(a);
          if (b) b.push(r);
          else buckets.set(a, [r]);
        }
    }
    const branches: Branch[] = [];
    for (const [atom, bucket] of buckets) {
      this.steps += bucket.length;
      branches.push({ atom, rows: all.length === 0 ? bucket : merge(all, bucket) });
    }
    const count = this.columns[k]?.atoms.length ?? 0;
    let rest = 0;
    while (rest < count && buckets.has(rest)) rest++;
    if (rest < count) {
      const also: number[] = [];
      for (let a = rest + 1; a < count && also.length < MAX_GAPS; a++) if (!buckets.has(a)) also.push(a);
      branches.push({ atom: rest, rows: all, also });
    }
    return branches.sort((a, b) => a.atom - b.atom);
  }

  /** Points (fixed on a prefix of the columns) that no row and no impossible combination covers. */
  gaps(rows: readonly ARow[]): { found: number[][]; more: boolean } {
    const found: number[][] = [];
    let more = false;
    const gap = (point: number[]): void => {
      if (found.length < MAX_GAPS) found.push(point);
      else more = true;
    };
    const walk = (k: number, rs: readonly ARow[], prefix: number[]): void => {
      if (more) return;
      if (rs.length === 0) {
        gap([...prefix]);
        return;
      }
      if (rs.some((r) => r.allFrom <= k)) return;
      for (const b of this.split(k, rs)) {
        prefix.push(b.atom);
        walk(k + 1, b.rows, prefix);
        prefix.pop();
        // The other atoms only '-' rows reach: no row there either, each its own gap.
        if (b.rows.length === 0) for (const a of b.also ?? []) gap([...prefix, a]);
        if (more) return;
      }
    };
    this.guard(() => walk(0, rows, []));
    return { found, more };
  }

  /** True once a search went past the budget (its results so far are kept). */
  stopped = false;

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      this.stopped = true;
    }
  }

  /** Pairs of table rows (i < j) that match one point outside the impossible combinations, with that point. */
  overlaps(rows: readonly ARow[], keep?: (i: number, j: number) => boolean): [number, number, number[]][] {
    const width = this.columns.length;
    const pairs = new Map<number, [number, number, number[]]>();
    const n = rows.length + 1;
    const walk = (k: number, rs: readonly ARow[], prefix: number[]): void => {
      let real = 0;
      let blocked = false;
      let anyBlocker = false;
      let allDone = true;
      for (const r of rs) {
        if (r.row < 0) {
          anyBlocker = true;
          if (r.allFrom <= k) blocked = true;
        } else {
          real++;
          if (r.allFrom > k) allDone = false;
        }
      }
      if (real < 2 || blocked) return;
      if (k === width || (allDone && !anyBlocker)) {
        const point = [...prefix];
        while (point.length < width) point.push(0);
        const reals = rs.filter((r) => r.row >= 0);
        for (let a = 0; a < reals.length; a++)
          for (let b = a + 1; b < reals.length; b++) {
            const i = (reals[a] as ARow).row;
            const j = (reals[b] as ARow).row;
            const key = Math.min(i, j) * n + Math.max(i, j);
            this.steps++;
            if (!pairs.has(key) && (!keep || keep(Math.min(i, j), Math.max(i, j)))) {
              if (pairs.size >= MAX_OVERLAPS) throw new BudgetExceeded();
              pairs.set(key, [Math.min(i, j), Math.max(i, j), point]);
            }
          }
        return;
      }
      for (const b of this.split(k, rs)) {
        prefix.push(b.atom);
        walk(k + 1, b.rows, prefix);
        prefix.pop();
      }
    };
    this.guard(() => walk(0, rows, []));
    return [...pairs.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  }

  /**
   * The rows that are the first match (in search order: row order for `first`, priority order
   * for `priority`) of some point outside the impossible combinations.
   */
  winners(rows: readonly ARow[]): Set<number> {
    const width = this.columns.length;
    const won = new Set<number>();
    const walk = (k: number, rs: readonly ARow[]): void => {
      let first: ARow | undefined;
      let anyBlocker = false;
      let fresh = false;
      for (const r of rs) {
        if (r.row < 0) {
          if (r.allFrom <= k) return;
          anyBlocker = true;
        } else {
          if (!first) first = r;
          if (!won.has(r.row)) fresh = true;
        }
      }
      if (!first || !fresh) return;
      // Alone here (its cells are never empty), or matching the whole rest: it wins here.
      if (k === width || ((first.allFrom <= k || rs.length === 1) && !anyBlocker)) {
        won.add(first.row);
        return;
      }
      for (const b of this.split(k, rs)) walk(k + 1, b.rows);
    };
    this.guard(() => walk(0, rows));
    return won;
  }
}

/** A cell's plain literal value (texts, numbers, booleans, null), or `NOT_PLAIN`. */
const NOT_PLAIN = Symbol("not plain");
function plainLiteral(e: Expr | undefined): unknown {
  if (e?.kind !== "literal") return NOT_PLAIN;
  return e.literal.type === "null" ? null : e.literal.value;
}

/**
 * `priority`: the rows in the order they win (DMN: the outputs compared column by column, in the
 * table's order, over the columns with `outputValues`; a value not in the list ranks after every
 * listed one; ties keep row order), renumbered in that order for the search; undefined when no
 * column declares values. Rows with a computed cell in a ranked column are left out.
 */
function priorityOrder(t: TableDecl, rows: readonly ARow[]): ARow[] | undefined {
  const ranked = t.outputs
    .map((c, k) => ({ k, values: t.outputValues?.get(c.name)?.values }))
    .filter((c): c is { k: number; values: readonly unknown[] } => c.values !== undefined);
  if (ranked.length === 0) return undefined;
  const keys = new Map<number, number[]>();
  for (const r of rows) {
    const outputs = t.rows[r.row]?.outputs ?? [];
    const key: number[] = [];
    for (const { k, values } of ranked) {
      const v = plainLiteral(outputs[k]);
      if (v === NOT_PLAIN) break;
      const at = values.indexOf(v);
      key.push(at < 0 ? values.length : at);
    }
    if (key.length === ranked.length) keys.set(r.row, key);
  }
  const compare = (a: ARow, b: ARow): number => {
    const ka = keys.get(a.row) as number[];
    const kb = keys.get(b.row) as number[];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as number) - (kb[i] as number);
    return a.row - b.row;
  };
  return rows
    .filter((r) => keys.has(r.row))
    .sort(compare)
    .map((r, pos) => ({ ...r, pos }));
}

/** Two lists of rows in search order, merged in that order. */
function merge(a: readonly ARow[], b: readonly ARow[]): ARow[] {
  const out: ARow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as ARow;
    const y = b[j] as ARow;
    if (x.pos <= y.pos) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++] as ARow);
  while (j < b.length) out.push(b[j++] as ARow);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The table's `when` as a restriction of its columns
// ---------------------------------------------------------------------------------------------

const FLIPPED: Record<ComparisonOperator, ComparisonOperator> = {
  "==": "==",
  "!=": "!=",
  "<": ">",
  "<=": ">=",
  ">": "<",
  ">=": "<=",
};

/**
 * The values each input column may take where the table's `when` holds, from the conjuncts of
 * the `when` this analysis understands (a comparison of an input column with a constant, `in` a
 * constant list, `is null`, `between`, the column alone or negated when it is a boolean); other
 * conjuncts are ignored (they only make the analysed domain larger).
 */
function whenRestrictions(
  t: TableDecl,
  domains: readonly (Domain | undefined)[],
  constantOf: ConstantOf,
): (ValueSet | undefined)[] {
  const out: (ValueSet | undefined)[] = t.inputs.map(() => undefined);
  if (!t.when) return out;
  const keys = t.inputs.map((c) => (c.expr ? JSON.stringify(stripRanges(c.expr)) : undefined));
  const columnOf = (e: Expr): number => {
    const key = JSON.stringify(stripRanges(e));
    return keys.indexOf(key);
  };
  const restrict = (k: number, set: ValueSet | undefined): void => {
    const d = domains[k];
    if (k < 0 || !d || !set) return;
    const prev = out[k];
    out[k] = prev ? intersect(d, prev, set) : set;
  };
  const conjuncts: Expr[] = [];
  const flatten = (e: Expr): void => {
    if (e.kind === "logical" && e.operator === "and") e.operands.forEach(flatten);
    else conjuncts.push(e);
  };
  flatten(t.when);
  for (const c of conjuncts) {
    const set = (k: number): ValueSet | undefined => {
      const d = domains[k];
      if (k < 0 || !d) return undefined;
      switch (c.kind) {
        case "binary": {
          const op = c.operator;
          if (op === "in") {
            const items = constantOf(c.right);
            if (!Array.isArray(items)) return undefined;
            let s: ValueSet | undefined = { null: false, values: [], cofinite: false, intervals: [] };
            for (const v of items) {
              const one = comparisonSet(d, "==", v);
              s = one && s ? union(d, s, one) : undefined;
            }
            return s;
          }
          if (!(op in FLIPPED)) return undefined;
          const left = columnOf(c.left) === k;
          const v = constantOf(left ? c.right : c.left);
          if (v === undefined) return undefined;
          return comparisonSet(d, left ? (op as ComparisonOperator) : FLIPPED[op as ComparisonOperator], v);
        }
        case "isNull":
          return c.negated ? complement(d, nullSet()) : nullSet();
        case "between": {
          const lo = constantOf(c.low);
          const hi = constantOf(c.high);
          if (lo === undefined || hi === undefined) return undefined;
          const a = comparisonSet(d, ">=", lo);
          const b = comparisonSet(d, "<=", hi);
          return a && b ? intersect(d, a, b) : undefined;
        }
        case "unary":
          return c.operator === "not" && d.kind === "boolean"
            ? complement(d, comparisonSet(d, "==", true) ?? fullSet(d))
            : undefined;
        default:
          return d.kind === "boolean" ? comparisonSet(d, "==", true) : undefined;
      }
    };
    const k = columnOf(conjunctOperand(c, columnOf));
    restrict(k, set(k));
  }
  return out;
}

/** The expression a `when` conjunct tests: the column side of a comparison, the operand of the others. */
function conjunctOperand(c: Expr, columnOf: (e: Expr) => number): Expr {
  switch (c.kind) {
    case "binary":
      return c.operator === "in" || columnOf(c.left) >= 0 ? c.left : c.right;
    case "isNull":
    case "between":
    case "unary":
      return c.operand;
    default:
      return c;
  }
}
