/**
 * Decision tables ⇄ spreadsheet rows (`rules table export/import`), independent of the file format
 * (the CLI reads and writes xlsx and csv and hands plain cell texts to these functions).
 *
 * Export: a table as a header (input columns, then output columns, in the table's order; with the
 * hit policy, `aggregate`, the table's and columns' labels for the notes) and one row of cell texts
 * per table row, each text as the grid shows it (`-`, `>= 18`, `[1..5]`, a YAML
 * list), so the analyst edits the same notation the YAML uses.
 *
 * Import: the sheet's columns are mapped by header name (an unknown, repeated or missing column is
 * an error), fully empty rows are skipped, an empty input cell is `-` (any) and an empty output cell
 * is `null`. The sheet's rows are aligned with the table's (longest common subsequence of identical
 * rows, texts compared trimmed and in NFC) and only the difference is written, through the grid edits
 * of `edit.ts`: an unchanged row keeps its bytes (quoting, style, description, comments), a changed
 * row changes only its changed cells, rows are added in the style of their neighbours and removed
 * with their own lines; everything outside the table stays byte for byte. The result is then checked
 * and compiled and every error inside the table is reported on its sheet cell (row and column),
 * those elsewhere with their offsets in the resulting text.
 *
 * Pure: no DOM, no Node modules.
 */
import { compileSource, diagnose } from "../compile/pipeline.js";
import { type Diagnostic, didYouMean, hasErrors, type Range } from "../diagnostics.js";
import type { Aggregation, HitPolicy } from "../ruleset/model.js";
import { addRows, type CellChange, deleteRows, setCells } from "./edit.js";
import { type GridTable, locateTables } from "./model.js";

/** Most data rows a sheet may bring (the service's default MAX_TABLE_ROWS). */
export const MAX_SHEET_ROWS = 10_000;
/** Most columns a sheet's header may have. */
export const MAX_SHEET_COLUMNS = 200;
/** Above this many old × new rows, rows are aligned by position instead of by content. */
const MAX_ALIGNMENT_CELLS = 4_000_000;

export interface SheetColumn {
  readonly name: string;
  readonly input: boolean;
  /** The input expression as written when it differs from the name (`cliente.tipo`). */
  readonly label?: string;
  /** The column's label (`labels:`, e.g. a DMN name), for the header cell's note; the header keeps the name. */
  readonly title?: string;
}

/** A table as a sheet: the header's columns and one row of cell texts per table row. */
export interface TableSheet {
  readonly table: string;
  readonly description?: string;
  readonly hitPolicy: HitPolicy;
  /** `collect` only: the aggregation (`sum`, `min`, `max`, `count`). */
  readonly aggregate?: Aggregation;
  /** The table's `label` (a DMN decision's name). */
  readonly label?: string;
  readonly columns: readonly SheetColumn[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * A sheet cell converted to text; a date cell of the spreadsheet as its ISO text (`2026-04-03`,
 * `2026-04-03T08:30:00`), written `= 2026-04-03` in an input column (a plain date there would be a
 * text); or why the cell could not be read (a formula, an error value...).
 */
export type SheetValue = string | { readonly date: string } | { readonly error: string };

export interface SheetRow {
  /** The row's number in the sheet (1 = the header row). */
  readonly line: number;
  /** Cells by sheet column (0 = column A). */
  readonly cells: readonly SheetValue[];
}

export interface SheetData {
  readonly header: SheetRow;
  /** The data rows, in sheet order. */
  readonly rows: readonly SheetRow[];
}

/** A problem of an import, placed on the sheet when it can be. */
export interface SheetProblem {
  readonly severity: "error" | "warning";
  readonly message: string;
  /** The sheet row (1-based) the problem is on. */
  readonly line?: number;
  /** The sheet column (0 = A) the problem is on. */
  readonly column?: number;
  /** The table column's name at `column`. */
  readonly columnName?: string;
  /** A problem outside the table: its range in the resulting rule-set text. */
  readonly range?: Range;
  readonly code?: string;
}

export interface ImportSummary {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly unchanged: number;
  /** Sheet rows (1-based) of the added and changed rows. */
  readonly changedLines: readonly number[];
  /** Table rows (1-based, as before the import) that were removed. */
  readonly removedRows: readonly number[];
}

export type ImportResult =
  | {
      readonly ok: true;
      /** The new rule-set text (the same string when nothing changed). */
      readonly text: string;
      readonly summary: ImportSummary;
      /** Warnings of the checker about the table's rows and cells. */
      readonly warnings: readonly SheetProblem[];
    }
  | {
      readonly ok: false;
      readonly problems: readonly SheetProblem[];
      /** The resulting text the problems' `range`s point into (when the rows were written). */
      readonly text?: string;
    };

/** `A`, `B`, ..., `Z`, `AA`... for a 0-based column index. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** The names of the decision tables of a rule-set source (empty when its YAML has errors). */
export function tableNames(source: string): string[] {
  return locateTables(source).tables.map((t) => t.table.name);
}

/** A table of `source` as a sheet, or a message in Portuguese saying why not. */
export function tableToSheet(source: string, name: string): TableSheet | { readonly error: string } {
  const found = findTable(source, name);
  if (typeof found === "string") return { error: found };
  const grid = found;
  return {
    table: grid.name,
    ...(grid.description !== undefined ? { description: grid.description } : {}),
    hitPolicy: grid.hitPolicy,
    ...(grid.aggregate ? { aggregate: grid.aggregate } : {}),
    ...(grid.label !== undefined ? { label: grid.label } : {}),
    columns: [
      ...grid.inputs.map((c) => ({
        name: c.name,
        input: true,
        ...(c.label !== undefined ? { label: c.label } : {}),
        ...(c.title !== undefined ? { title: c.title } : {}),
      })),
      ...grid.outputs.map((c) => ({
        name: c.name,
        input: false,
        ...(c.title !== undefined ? { title: c.title } : {}),
      })),
    ],
    rows: grid.rows.map((r) => r.cells.map((c) => c.text)),
  };
}

/** Replaces the rows of table `name` in `source` with the sheet's rows (see the module comment). */
export function sheetToTable(source: string, name: string, sheet: SheetData): ImportResult {
  const found = findTable(source, name);
  if (typeof found === "string") return { ok: false, problems: [error(found)] };
  const grid = found;
  const columns = [...grid.inputs.map((c) => c.name), ...grid.outputs.map((c) => c.name)];
  const inputCount = grid.inputs.length;

  // Header → table columns.
  const mapped = mapHeader(sheet.header, columns);
  if (!Array.isArray(mapped)) return { ok: false, problems: mapped.problems };
  const sheetColumnOf = mapped; // table column index → sheet column index
  const problems: SheetProblem[] = [];
  const dataRows = sheet.rows.filter((r) => r.cells.some((c) => typeof c !== "string" || c.trim() !== ""));
  if (dataRows.length > MAX_SHEET_ROWS)
    return {
      ok: false,
      problems: [
        error(
          `a planilha tem ${dataRows.length} linhas preenchidas e o limite é ${MAX_SHEET_ROWS} (MAX_TABLE_ROWS do serviço)`,
        ),
      ],
    };
  const known = new Set(sheetColumnOf);
  const incoming: string[][] = [];
  for (const row of dataRows) {
    row.cells.forEach((c, i) => {
      if (known.has(i)) return;
      const text = typeof c === "string" ? c.trim() : "";
      if (text !== "" || typeof c !== "string")
        problems.push({
          severity: "error",
          line: row.line,
          column: i,
          message: "célula preenchida numa coluna sem nome no cabeçalho (linha 1)",
        });
    });
    incoming.push(
      sheetColumnOf.map((sc, ci) => {
        const value = row.cells[sc] ?? "";
        if (typeof value !== "string" && "date" in value) return ci < inputCount ? `= ${value.date}` : value.date;
        if (typeof value !== "string") {
          problems.push({
            severity: "error",
            line: row.line,
            column: sc,
            columnName: columns[ci] as string,
            message: value.error,
          });
          return "";
        }
        const text = value.normalize("NFC").trim();
        return text === "" && ci < inputCount ? "-" : text;
      }),
    );
  }
  if (problems.length > 0) return { ok: false, problems };

  // Align the sheet's rows with the table's and write the difference.
  const current = grid.rows.map((r) => r.cells.map((c) => c.text.normalize("NFC").trim()));
  const pairs = align(current, incoming);
  const ops = operations(current, incoming, pairs);
  let text = source;
  let added = 0;
  let removed = 0;
  let changed = 0;
  let same = 0;
  const changedLines: number[] = [];
  const removedRows: number[] = [];
  const lineOf = (j: number) => dataRows[j]?.line ?? 0;
  // Changed cells first, in one edit (they move no row), then the rows added and removed,
  // bottom-up, so that the old indices of the rows above stay valid.
  const cellChanges: (CellChange & { line: number; sheetColumn: number })[] = [];
  for (const op of ops) {
    if (op.kind !== "change") continue;
    const before = current[op.old] ?? [];
    const after = incoming[op.new] ?? [];
    // Rows aligned by position (a very long table) may be equal.
    if (before.every((t, i) => t === after[i])) {
      same++;
      continue;
    }
    for (const [ci, column] of columns.entries())
      if (before[ci] !== after[ci])
        cellChanges.push({
          row: op.old,
          column,
          text: after[ci] ?? "",
          line: lineOf(op.new),
          sheetColumn: sheetColumnOf[ci] as number,
        });
    changed++;
    changedLines.push(lineOf(op.new));
  }
  if (cellChanges.length > 0) {
    const batch = setCells(text, grid.index, cellChanges);
    if (batch.ok) text = batch.text;
    else {
      // Cell by cell, to say which cells cannot be written (or to write them one at a time when
      // only the batch was refused).
      for (const change of cellChanges) {
        const result = setCells(text, grid.index, [change]);
        if (result.ok) text = result.text;
        else
          problems.push({
            severity: "error",
            line: change.line,
            column: change.sheetColumn,
            columnName: change.column,
            message: result.message,
          });
      }
      if (problems.length > 0) return { ok: false, problems };
    }
  }
  // Removed rows in one edit (old positions), then the added ones, a run of consecutive rows in one
  // edit, bottom-up, at their old position less the removed rows above it.
  const deletes = ops.flatMap((op) => (op.kind === "delete" ? [op.old] : [])).sort((a, b) => a - b);
  if (deletes.length > 0) {
    const result = deleteRows(text, grid.index, deletes);
    if (!result.ok) return { ok: false, problems: [error(`ao remover linhas da tabela: ${result.message}`)] };
    text = result.text;
    removed = deletes.length;
    removedRows.push(...deletes.map((d) => d + 1));
  }
  const groups: { at: number; news: number[] }[] = [];
  for (const op of ops) {
    if (op.kind !== "insert") continue;
    const last = groups[groups.length - 1];
    if (last && op.at === last.at + last.news.length && op.new === (last.news[last.news.length - 1] as number) + 1)
      last.news.push(op.new);
    else groups.push({ at: op.at, news: [op.new] });
  }
  for (const group of groups.sort((a, b) => b.at - a.at)) {
    const above = deletes.filter((d) => d < group.at).length;
    const rows = group.news.map((j) => {
      const cells: Record<string, string> = {};
      columns.forEach((c, i) => {
        cells[c] = incoming[j]?.[i] ?? "";
      });
      return cells;
    });
    const result = addRows(text, grid.index, group.at - above, rows);
    if (!result.ok)
      return {
        ok: false,
        problems: [{ severity: "error", line: lineOf(group.news[0] as number), message: result.message }],
      };
    text = result.text;
    added += rows.length;
    changedLines.push(...group.news.map(lineOf));
  }
  if (problems.length > 0) return { ok: false, problems };

  const summary: ImportSummary = {
    added,
    removed,
    changed,
    unchanged: pairs.length + same,
    changedLines: changedLines.sort((a, b) => a - b),
    removedRows: removedRows.sort((a, b) => a - b),
  };
  // Check and compile the result; place what is wrong on the sheet.
  const placed = place(text, grid.name, diagnosticsOf(text), dataRows, sheetColumnOf, columns);
  const errors = placed.filter((p) => p.severity === "error");
  if (errors.length > 0) return { ok: false, problems: errors, text };
  // Warnings elsewhere in the file are not the import's business.
  return { ok: true, text, summary, warnings: placed.filter((p) => p.severity === "warning" && p.range === undefined) };
}

function findTable(source: string, name: string): GridTable | string {
  const located = locateTables(source);
  if (located.yamlErrors) return "o YAML do conjunto de regras tem erros: corrija-o antes (rules check)";
  const names = located.tables.map((t) => t.table.name);
  const found = located.tables.find((t) => t.table.name === name);
  if (found) return found.table;
  if (names.length === 0) return "o conjunto de regras não tem tabelas de decisão";
  return `não há a tabela "${name}" neste conjunto de regras.${didYouMean(name, names)} Tabelas: ${names.join(", ")}`;
}

function error(message: string): SheetProblem {
  return { severity: "error", message };
}

/** Table column index → sheet column index, or the header's problems. */
function mapHeader(header: SheetRow, columns: readonly string[]): number[] | { problems: SheetProblem[] } {
  const problems: SheetProblem[] = [];
  if (header.cells.length > MAX_SHEET_COLUMNS)
    return { problems: [error(`a planilha tem ${header.cells.length} colunas e o limite é ${MAX_SHEET_COLUMNS}`)] };
  const at = new Map<string, number>();
  header.cells.forEach((cell, i) => {
    if (typeof cell !== "string") {
      const message = "error" in cell ? cell.error : "o cabeçalho (linha 1) deve ter os nomes das colunas, não datas";
      problems.push({ severity: "error", line: header.line, column: i, message });
      return;
    }
    const name = cell.normalize("NFC").trim();
    if (name === "") return;
    if (!columns.includes(name)) {
      problems.push({
        severity: "error",
        line: header.line,
        column: i,
        message: `coluna desconhecida "${name}".${didYouMean(name, columns)} Colunas da tabela: ${columns.join(", ")}`,
      });
      return;
    }
    const first = at.get(name);
    if (first !== undefined) {
      problems.push({
        severity: "error",
        line: header.line,
        column: i,
        columnName: name,
        message: `a coluna "${name}" aparece duas vezes no cabeçalho (também na coluna ${columnLetter(first)})`,
      });
      return;
    }
    at.set(name, i);
  });
  const missing = columns.filter((c) => !at.has(c));
  if (missing.length > 0)
    problems.push({
      severity: "error",
      line: header.line,
      message: `${missing.length === 1 ? "falta a coluna" : "faltam as colunas"} ${missing.map((c) => `"${c}"`).join(", ")} no cabeçalho (linha 1); a tabela tem as colunas ${columns.join(", ")}`,
    });
  if (problems.length > 0) return { problems };
  return columns.map((c) => at.get(c) as number);
}

// ---------------------------------------------------------------- alignment

/** Pairs [old, new] of identical rows, in order (a longest common subsequence). */
function align(current: readonly (readonly string[])[], incoming: readonly (readonly string[])[]): [number, number][] {
  const a = current.map((r) => r.join("\u0000"));
  const b = incoming.map((r) => r.join("\u0000"));
  const n = a.length;
  const m = b.length;
  // Common head and tail first (the usual edit touches a few rows in the middle).
  let head = 0;
  while (head < n && head < m && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < n - head && tail < m - head && a[n - 1 - tail] === b[m - 1 - tail]) tail++;
  const pairs: [number, number][] = [];
  for (let i = 0; i < head; i++) pairs.push([i, i]);
  const an = n - head - tail;
  const bm = m - head - tail;
  if (an > 0 && bm > 0) {
    if (an * bm <= MAX_ALIGNMENT_CELLS) {
      // lengths[i][j]: LCS of a[head+i..] and b[head+j..].
      const width = bm + 1;
      const lengths = new Uint32Array((an + 1) * width);
      for (let i = an - 1; i >= 0; i--)
        for (let j = bm - 1; j >= 0; j--)
          lengths[i * width + j] =
            a[head + i] === b[head + j]
              ? (lengths[(i + 1) * width + j + 1] as number) + 1
              : Math.max(lengths[(i + 1) * width + j] as number, lengths[i * width + j + 1] as number);
      let i = 0;
      let j = 0;
      while (i < an && j < bm) {
        if (a[head + i] === b[head + j]) {
          pairs.push([head + i, head + j]);
          i++;
          j++;
        } else if ((lengths[(i + 1) * width + j] as number) >= (lengths[i * width + j + 1] as number)) i++;
        else j++;
      }
    }
  }
  for (let k = tail; k > 0; k--) pairs.push([n - k, m - k]);
  return pairs;
}

type Operation =
  | { readonly kind: "change"; readonly old: number; readonly new: number }
  | { readonly kind: "delete"; readonly old: number }
  | { readonly kind: "insert"; readonly at: number; readonly new: number };

/**
 * The edits that turn the old rows into the new ones, bottom-up: in each gap between aligned rows,
 * old and new rows are paired in order (changes), then the extra old rows are deleted or the extra
 * new rows inserted.
 */
function operations(
  current: readonly (readonly string[])[],
  incoming: readonly (readonly string[])[],
  pairs: readonly [number, number][],
): Operation[] {
  const ops: Operation[] = [];
  const bounds: [number, number][] = [...pairs, [current.length, incoming.length]];
  let prevOld = 0;
  let prevNew = 0;
  const gaps: { old: [number, number]; new: [number, number] }[] = [];
  for (const [o, nw] of bounds) {
    if (o > prevOld || nw > prevNew) gaps.push({ old: [prevOld, o], new: [prevNew, nw] });
    prevOld = o + 1;
    prevNew = nw + 1;
  }
  for (const gap of gaps.reverse()) {
    const [oa, ob] = gap.old;
    const [na, nb] = gap.new;
    const common = Math.min(ob - oa, nb - na);
    // Extra new rows are inserted after the changed ones (ascending: each lands below the last).
    const inserts: Operation[] = [];
    for (let k = common; k < nb - na; k++) inserts.push({ kind: "insert", at: oa + k, new: na + k });
    // Extra old rows are deleted from the bottom.
    const deletes: Operation[] = [];
    for (let k = ob - oa - 1; k >= common; k--) deletes.push({ kind: "delete", old: oa + k });
    const changes: Operation[] = [];
    for (let k = common - 1; k >= 0; k--) changes.push({ kind: "change", old: oa + k, new: na + k });
    ops.push(...inserts, ...deletes, ...changes);
  }
  return ops;
}

// ---------------------------------------------------------------- diagnostics on the sheet

/** Every diagnostic of the checker and, when it finds no error, of the compiler. */
function diagnosticsOf(text: string): readonly Diagnostic[] {
  const checked = diagnose(text);
  if (hasErrors(checked.diagnostics)) return checked.diagnostics;
  const compiled = compileSource(text);
  return compiled.ok ? checked.diagnostics : [...checked.diagnostics, ...compiled.diagnostics];
}

function place(
  text: string,
  table: string,
  diagnostics: readonly Diagnostic[],
  dataRows: readonly SheetRow[],
  sheetColumnOf: readonly number[],
  columns: readonly string[],
): SheetProblem[] {
  const grid = locateTables(text).tables.find((t) => t.table.name === table)?.table;
  const out: SheetProblem[] = [];
  const seen = new Set<string>();
  for (const d of diagnostics) {
    if (d.severity === "info") continue;
    const severity = d.severity === "error" ? "error" : "warning";
    const inside = (r: Range) => d.range.start >= r.start && d.range.end <= r.end;
    const rowIndex = grid ? grid.rows.findIndex((r) => inside(r.range)) : -1;
    const row = rowIndex >= 0 ? grid?.rows[rowIndex] : undefined;
    let problem: SheetProblem;
    if (row) {
      const line = dataRows[rowIndex]?.line;
      // The smallest cell holding the diagnostic (a missing input cell has the row's range).
      let best = -1;
      row.cells.forEach((c, i) => {
        if (!inside(c.range) || (c.range.start === row.range.start && c.range.end === row.range.end)) return;
        const cur = row.cells[best]?.range;
        if (best < 0 || (cur && c.range.end - c.range.start < cur.end - cur.start)) best = i;
      });
      problem = {
        severity,
        code: d.code,
        message: d.message,
        ...(line !== undefined ? { line } : {}),
        ...(best >= 0 ? { column: sheetColumnOf[best] as number, columnName: columns[best] as string } : {}),
      };
    } else if (grid && inside(grid.range)) {
      problem = { severity, code: d.code, message: `tabela ${table}: ${d.message}` };
    } else {
      problem = { severity, code: d.code, message: d.message, range: d.range };
    }
    const key = `${problem.line}|${problem.column}|${problem.message}|${problem.range?.start}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}
