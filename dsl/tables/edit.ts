/**
 * Grid edits → new rule-set source text: set a cell, add, delete or move a row of a decision
 * table. Each edit rewrites only the bytes of the row(s) it touches; every other byte of the file
 * (comments on and between rows, blank lines, other rows' flow or block style, quoting) stays
 * identical. Comments between rows stay where they are; a row's own lines (with a comment at the
 * end of them) move or go with it.
 *
 * Every edit is guarded: the result is re-read and must give the intended table (same rows with
 * the same cell texts, the edited ones as typed, texts still texts) with no YAML error and no new
 * structural error of the loader in the edited row; otherwise the edit is refused with a message
 * in Portuguese and the source is left as it was.
 *
 * Pure: no DOM, no Node modules.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, Scalar, visit, type YAMLMap } from "yaml";
import type { Diagnostic, DiagnosticCode, Range } from "../diagnostics.js";
import { assertNever } from "../exhaustive.js";
import { checkRuleSet } from "../check/check-ruleset.js";
import { loadRuleSet } from "../ruleset/load.js";
import type { Type } from "../types.js";
import { loadYaml, rangeOf } from "../yaml/load.js";
import { type CellContext, type EncodedCell, encodeCell, type Quote, UNARY_TEST_START } from "./encode.js";
import { findPair, type GridTable, type LocatedTable, locateTables } from "./model.js";

/** The outcome of a grid edit: the new source and the changed row's range in it, or why not. */
export type EditResult = { ok: true; text: string; range: Range } | { ok: false; message: string };

/** Codes of the loader's structural errors: an edit must not introduce one in its row. */
const STRUCTURAL: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>([
  "yaml/syntax",
  "yaml/duplicate-key",
  "yaml/unsupported",
  "ruleset/structure",
  "ruleset/unknown-key",
  "ruleset/missing-key",
  "ruleset/unsafe-number",
  "table/shape",
]);

interface Opened {
  readonly source: string;
  readonly located: LocatedTable;
  readonly table: GridTable;
  readonly quote: () => Quote;
  readonly nl: string;
}

/** Sets the text of one cell (`column` is an input or output name). */
export function setCell(source: string, table: number, row: number, column: string, text: string): EditResult {
  return setCells(source, table, [{ row, column, text }]);
}

/** One cell to set: its row (0-based), its column's name and the new text. */
export interface CellChange {
  readonly row: number;
  readonly column: string;
  readonly text: string;
}

/**
 * Sets several cells of one table in one edit (one re-read of the result, whatever the number of
 * cells: for a spreadsheet's many changed cells). A cell whose text is the same again keeps its
 * bytes. The range of the result is the first changed row's.
 */
export function setCells(source: string, table: number, changes: readonly CellChange[]): EditResult {
  const opened = open(source, table);
  if (typeof opened === "string") return fail(opened);
  const { located, table: grid } = opened;
  const kinds = lazy(() => textColumns(source, located));
  const edits: Edit[] = [];
  const changed: ChangedCell[] = [];
  const expected = grid.rows.map((r) => r.cells.map((c) => c.text));
  const rows = new Set<number>();
  for (const { row, column, text } of changes) {
    const rowNode = located.rowNodes[row];
    const gridRow = grid.rows[row];
    if (!rowNode || !gridRow) return fail(`a tabela ${grid.name} não tem a linha ${row + 1}`);
    const ci = columnIndex(grid, column);
    if (ci < 0) return fail(`a tabela ${grid.name} não tem a coluna "${column}"`);
    const input = ci < grid.inputs.length;
    // The same text again changes nothing (the cell keeps its quoting).
    if (gridRow.cells[ci]?.text === text.trim()) continue;
    const cell = encodeCell(text, {
      input,
      textColumn: () => kinds()[ci] ?? false,
      context: contextOf(rowNode),
      quote: opened.quote,
    });
    if (isSeq(rowNode)) {
      const item = (rowNode.items as (Node | null)[])[ci];
      if (!item) return fail(`a linha ${row + 1} da tabela ${grid.name} não tem a célula "${column}"`);
      edits.push(replaceValue(source, valueRange(source, item), cell.yaml));
    } else if (isMap(rowNode)) {
      const pair = findPair(rowNode, column);
      if (pair) {
        const edit = replacePairValue(source, pair, cell.yaml);
        if (typeof edit === "string") return fail(edit);
        edits.push(edit);
      } else if (!(input && cell.text === "-")) {
        const edit = insertPair(opened, rowNode, grid, ci, `${column}: ${cell.yaml}`);
        if (typeof edit === "string") return fail(edit);
        edits.push(edit);
      }
    } else return fail(`a linha ${row + 1} da tabela ${grid.name} não é uma lista nem um mapa de células`);
    const expectedRow = expected[row] as string[];
    expectedRow[ci] = cell.text;
    changed.push({ row, column: ci, cell });
    rows.add(row);
  }
  if (rows.size === 0) return { ok: true, text: source, range: grid.rows[changes[0]?.row ?? 0]?.range ?? grid.range };
  // Two new pairs for one map row at the same place would be written in an arbitrary order.
  const starts = edits.filter((e) => e.start === e.end).map((e) => e.start);
  if (new Set(starts).size !== starts.length)
    return changes.reduce<EditResult>((acc, c) => (acc.ok ? setCells(acc.text, table, [c]) : acc), {
      ok: true,
      text: source,
      range: grid.range,
    });
  return guard(
    opened,
    applyEdits(source, edits),
    expected,
    [...rows].sort((a, b) => a - b),
    changed,
  );
}

/**
 * Inserts a row at position `at` (0 = first, rows.length = last) with the given cell texts
 * (inputs default to `-`, outputs to `null`), in the style of its neighbour (the row before it,
 * or the first row): a one-line flow map, a block map, a list...
 */
export function addRow(source: string, table: number, at: number, cells?: Record<string, string>): EditResult {
  return addRows(source, table, at, [cells ?? {}]);
}

/**
 * Inserts several rows at position `at`, in order, in one edit (one re-read of the result): as
 * `addRow` for each, the first at `at`, the next below it.
 */
export function addRows(
  source: string,
  table: number,
  at: number,
  rows: readonly Readonly<Record<string, string>>[],
): EditResult {
  const opened = open(source, table);
  if (typeof opened === "string") return fail(opened);
  const { located, table: grid, nl } = opened;
  const count = grid.rows.length;
  if (!Number.isInteger(at) || at < 0 || at > count)
    return fail(`posição inválida para a nova linha: ${at + 1} (a tabela ${grid.name} tem ${count} linhas)`);
  if (rows.length === 0) return { ok: true, text: source, range: { start: 0, end: 0 } };
  const columns = columnNames(grid);
  for (const cells of rows)
    for (const key of Object.keys(cells))
      if (!columns.includes(key)) return fail(`a tabela ${grid.name} não tem a coluna "${key}"`);
  const neighbour = located.rowNodes[at - 1] ?? located.rowNodes[at];
  if (count === 0 && rows.length > 1) {
    // The first row opens the list; the others follow it.
    const first = addRows(source, table, 0, rows.slice(0, 1));
    return first.ok ? addRows(first.text, table, 1, rows.slice(1)) : first;
  }
  const context: CellContext = neighbour ? contextOf(neighbour) : "flow-map";
  const kinds = lazy(() => textColumns(source, located));
  const encodedRows = rows.map((cells) =>
    columns.map((column, i) =>
      encodeCell(cells[column] ?? "", {
        input: i < grid.inputs.length,
        textColumn: () => kinds()[i] ?? false,
        context,
        quote: opened.quote,
      }),
    ),
  );
  let edit: Edit | string;
  if (located.rowsNode && !located.rowsNode.flow && neighbour) {
    const dashColumn = dashColumnOf(source, neighbour);
    if (dashColumn === undefined) return fail(unsupportedLayout(grid));
    const itemColumn = columnOf(source, rangeOf(neighbour).start);
    const lines = encodedRows.map(
      (encoded) =>
        `${" ".repeat(dashColumn)}- ${formatRow(context, columns, encoded, itemColumn, neighbour, source, nl)}`,
    );
    const next = located.rowNodes[at];
    if (at < count && next) {
      const start = dashLineStart(source, next);
      if (start === undefined) return fail(unsupportedLayout(grid));
      edit = { start, end: start, text: lines.map((line) => `${line}${nl}`).join("") };
    } else {
      const end = lineEnd(source, contentEnd(source, neighbour));
      edit = { start: end, end, text: lines.map((line) => `${nl}${line}`).join("") };
    }
  } else if (count === 0) {
    edit = firstRow(opened, formatRow("flow-map", columns, encodedRows[0] ?? [], 0, undefined, source, nl));
  } else return fail(unsupportedLayout(grid));
  if (typeof edit === "string") return fail(edit);
  const expected = grid.rows.map((r) => r.cells.map((c) => c.text));
  expected.splice(at, 0, ...encodedRows.map((encoded) => encoded.map((c) => c.text)));
  const changed = encodedRows.flatMap((encoded, k) => encoded.map((cell, column) => ({ row: at + k, column, cell })));
  const added = encodedRows.map((_, k) => at + k);
  return guard(opened, applyEdits(source, [edit]), expected, added, changed);
}

/** Deletes one row (its own lines; comments between rows stay). */
export function deleteRow(source: string, table: number, row: number): EditResult {
  return deleteRows(source, table, [row]);
}

/** Deletes several rows (0-based positions, as before the deletion) in one edit. */
export function deleteRows(source: string, table: number, rows: readonly number[]): EditResult {
  const opened = open(source, table);
  if (typeof opened === "string") return fail(opened);
  const { located, table: grid } = opened;
  const unique = [...new Set(rows)].sort((a, b) => a - b);
  if (unique.length === 0) return { ok: true, text: source, range: { start: 0, end: 0 } };
  if (!located.rowsNode || located.rowsNode.flow) return fail(unsupportedLayout(grid));
  const edits: Edit[] = [];
  let first = Number.POSITIVE_INFINITY;
  for (const row of unique) {
    const node = located.rowNodes[row];
    if (!node) return fail(`a tabela ${grid.name} não tem a linha ${row + 1}`);
    const lines = rowLines(source, node);
    if (!lines) return fail(unsupportedLayout(grid));
    const previous = edits[edits.length - 1];
    // Ranges that touch each other would be cut twice: one edit at a time then.
    if (previous && lines.start < previous.end)
      return unique.reverse().reduce<EditResult>((acc, r) => (acc.ok ? deleteRows(acc.text, table, [r]) : acc), {
        ok: true,
        text: source,
        range: { start: 0, end: 0 },
      });
    edits.push({ start: lines.start, end: lines.end, text: "" });
    first = Math.min(first, lines.start);
  }
  if (unique.length === grid.rows.length) {
    // `rows:` with nothing would not be a list: leave an empty one.
    const key = located.rowsPair?.key;
    if (!isScalar(key)) return fail(unsupportedLayout(grid));
    const colon = source.indexOf(":", rangeOf(key).end);
    if (colon < 0) return fail(unsupportedLayout(grid));
    edits.push({ start: colon + 1, end: colon + 1, text: " []" });
  }
  const gone = new Set(unique);
  const expected = grid.rows.map((r) => r.cells.map((c) => c.text)).filter((_, i) => !gone.has(i));
  return guard(opened, applyEdits(source, edits), expected, undefined, [], first);
}

/** Moves a row from position `from` to position `to` (both 0-based, in the table's rows). */
export function moveRow(source: string, table: number, from: number, to: number): EditResult {
  const opened = open(source, table);
  if (typeof opened === "string") return fail(opened);
  const { located, table: grid, nl } = opened;
  const count = grid.rows.length;
  const node = located.rowNodes[from];
  if (!node) return fail(`a tabela ${grid.name} não tem a linha ${from + 1}`);
  if (!Number.isInteger(to) || to < 0 || to >= count)
    return fail(`posição inválida para a linha: ${to + 1} (a tabela ${grid.name} tem ${count} linhas)`);
  if (!located.rowsNode || located.rowsNode.flow) return fail(unsupportedLayout(grid));
  const lines = rowLines(source, node);
  if (!lines) return fail(unsupportedLayout(grid));
  const expected = grid.rows.map((r) => r.cells.map((c) => c.text));
  if (from === to) return { ok: true, text: source, range: grid.rows[from]?.range ?? rangeOf(node) };
  let block = source.slice(lines.start, lines.end);
  if (!block.endsWith("\n")) block += nl;
  const others = located.rowNodes.filter((_, i) => i !== from);
  const next = others[to];
  let insert: Edit;
  if (next) {
    const start = dashLineStart(source, next);
    if (start === undefined) return fail(unsupportedLayout(grid));
    insert = { start, end: start, text: block };
  } else {
    const last = others[others.length - 1] as Node;
    const end = lineEnd(source, contentEnd(source, last));
    insert = { start: end, end, text: `${nl}${block.slice(0, block.length - nl.length)}` };
  }
  const moved = expected.splice(from, 1)[0] as string[];
  expected.splice(to, 0, moved);
  return guard(
    opened,
    applyEdits(source, [{ start: lines.start, end: lines.end, text: "" }, insert]),
    expected,
    to,
    [],
  );
}

// ---------------------------------------------------------------- opening and the guard

function open(source: string, table: number): Opened | string {
  const located = locateTables(source);
  if (located.yamlErrors) return "o YAML tem erros: corrija o texto antes de editar a tabela";
  const found = located.tables[table];
  if (!found) return `não há a tabela ${table + 1} neste conjunto de regras`;
  return {
    source,
    located: found,
    table: found.table,
    quote: lazy(() => fileQuote(source, found)),
    nl: newline(source),
  };
}

interface ChangedCell {
  readonly row: number;
  readonly column: number;
  readonly cell: EncodedCell;
}

function guard(
  opened: Opened,
  text: string,
  expected: readonly (readonly string[])[],
  row: number | readonly number[] | undefined,
  changed: readonly ChangedCell[],
  at = 0,
): EditResult {
  const refused = `a edição foi recusada: o texto resultante não seria lido como a tabela ${opened.table.name} pretendida`;
  const after = locateTables(text);
  if (after.yamlErrors) return fail(`${refused} (o YAML ficaria inválido)`);
  const table = after.tables[opened.table.index];
  if (!table || table.table.name !== opened.table.name) return fail(refused);
  const rows = table.table.rows;
  if (rows.length !== expected.length) return fail(refused);
  for (const [i, cells] of expected.entries()) {
    const got = rows[i]?.cells.map((c) => c.text) ?? [];
    if (got.length !== cells.length || got.some((t, j) => t !== cells[j])) {
      const j = got.findIndex((t, k) => t !== cells[k]);
      const name = j >= 0 ? columnNames(opened.table)[j] : undefined;
      const where = name ? `, coluna ${name}` : "";
      return fail(`${refused} (linha ${i + 1}${where})`);
    }
  }
  for (const c of changed) {
    if (!c.cell.isString) continue;
    const node = cellNode(table, c.row, c.column);
    // A missing input cell is the any cell `-`.
    if (node === undefined && c.cell.text === "-") continue;
    if (!isScalar(node) || typeof node.value !== "string") return fail(refused);
  }
  // The loader must read the edited rows as before: no new structural error in them, rows kept.
  const edited = row === undefined ? [] : typeof row === "number" ? [row] : row;
  if (edited.length > 0) {
    const loaded = loadRuleSet(text);
    const model = loaded.model?.tables.find((t) => t.name === opened.table.name);
    if (!loaded.model) return fail(refused);
    const before = lazy(() => loadRuleSet(opened.source).diagnostics);
    for (const r of edited) {
      const rowRange = rows[r]?.range;
      if (!rowRange) return fail(refused);
      let fresh = structuralIn(loaded.diagnostics, rowRange);
      if (fresh.length > 0) {
        // Only errors the row did not have before count (compared by message: ranges move).
        const had = structuralIn(before(), opened.table.rows[r]?.range).map((d) => d.message);
        fresh = fresh.filter((d) => !had.includes(d.message));
      }
      if (fresh.length > 0) return fail(`a edição foi recusada: ${fresh[0]?.message}`);
      if (model && !model.rows.some((m) => m.index === r)) return fail(refused);
    }
    return { ok: true, text, range: rows[edited[0] as number]?.range ?? table.table.range };
  }
  return { ok: true, text, range: { start: at, end: at } };
}

function structuralIn(diagnostics: readonly Diagnostic[], range: Range | undefined): Diagnostic[] {
  if (!range) return [];
  return diagnostics.filter(
    (d) => d.severity === "error" && STRUCTURAL.has(d.code) && d.range.start >= range.start && d.range.end <= range.end,
  );
}

function cellNode(table: LocatedTable, row: number, column: number): Node | null | undefined {
  const node = table.rowNodes[row];
  if (isSeq(node)) return (node.items as (Node | null)[])[column];
  if (isMap(node)) {
    const name = columnNames(table.table)[column];
    const pair = name === undefined ? undefined : findPair(node, name);
    return pair ? ((pair.value as Node | null) ?? null) : undefined;
  }
  return undefined;
}

function lazy<T>(compute: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: compute() };
    return value.v;
  };
}

function fail(message: string): EditResult {
  return { ok: false, message };
}

function unsupportedLayout(grid: GridTable): string {
  return `as linhas da tabela ${grid.name} não estão escritas uma por item de lista ("- ...") em linhas próprias; edite o YAML diretamente`;
}

// ---------------------------------------------------------------- columns

function columnNames(grid: GridTable): string[] {
  return [...grid.inputs.map((c) => c.name), ...grid.outputs.map((c) => c.name)];
}

function columnIndex(grid: GridTable, column: string): number {
  return columnNames(grid).indexOf(column);
}

/**
 * For each column, whether it holds texts (so `123`, `true` or `null` typed in it are texts): from
 * the checker's type of the input expression or the decision output of the same name, else from
 * the literal cells already in the column.
 */
function textColumns(source: string, located: LocatedTable): boolean[] {
  const grid = located.table;
  const types: (Type | undefined)[] = columnNames(grid).map(() => undefined);
  try {
    const loaded = loadRuleSet(source);
    const model = loaded.model;
    const decl = model?.tables.find((t) => t.name === grid.name && t.range.start === grid.range.start);
    if (model && decl) {
      const checked = checkRuleSet(model);
      decl.inputs.forEach((c, i) => {
        if (c.expr && decl.inputs.length === grid.inputs.length) types[i] = checked.types.get(c.expr);
      });
      const decision = checked.decisionType;
      if (decision.kind === "object" && decision.fields && decl.outputs.length === grid.outputs.length)
        decl.outputs.forEach((c, i) => {
          if (decision.fields && Object.hasOwn(decision.fields, c.name))
            types[grid.inputs.length + i] = decision.fields[c.name];
        });
    }
  } catch {
    // Best effort: fall back to the cells.
  }
  return types.map((type, i) => {
    const kind = type?.kind === "list" ? type.of.kind : type?.kind;
    if (kind === "string" || kind === "date" || kind === "datetime" || kind === "duration") return true;
    if (kind === "number" || kind === "integer" || kind === "boolean") return false;
    return cellsAreTexts(located, i);
  });
}

function cellsAreTexts(located: LocatedTable, column: number): boolean {
  let texts = 0;
  let others = 0;
  for (let row = 0; row < located.rowNodes.length; row++) {
    const node = cellNode(located, row, column);
    if (!isScalar(node) || node.value === null) continue;
    if (typeof node.value === "string") {
      const v = node.value.trim();
      if (v !== "-" && v !== "" && !UNARY_TEST_START.test(v) && !v.startsWith("=")) texts++;
    } else others++;
  }
  return texts > others;
}

// ---------------------------------------------------------------- source positions and edits

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function applyEdits(source: string, edits: readonly Edit[]): string {
  let out = source;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function contextOf(row: Node): CellContext {
  if (isMap(row)) return row.flow ? "flow-map" : "block-map";
  if (isSeq(row)) return row.flow ? "flow-seq" : "block-seq";
  return "flow-map";
}

/** A value's range without the line break(s) a block scalar or block collection ends with. */
function valueRange(source: string, node: Node): Range {
  const r = rangeOf(node);
  return { start: r.start, end: contentEndOf(source, r.start, r.end) };
}

function contentEndOf(source: string, start: number, end: number): number {
  let e = end;
  while (e > start && /[\r\n \t]/.test(source[e - 1] ?? "")) e--;
  return e;
}

function contentEnd(source: string, node: Node): number {
  return valueRange(source, node).end;
}

function replaceValue(source: string, range: Range, text: string): Edit {
  // An empty value right after `key:` needs a space.
  const prefix = range.start === range.end && source[range.start - 1] === ":" ? " " : "";
  return { start: range.start, end: range.end, text: `${prefix}${text}` };
}

function replacePairValue(source: string, pair: Pair, text: string): Edit | string {
  const value = pair.value as Node | null;
  const key = pair.key as Node;
  if (!value) {
    const colon = source.indexOf(":", rangeOf(key).end);
    return { start: colon + 1, end: colon + 1, text: ` ${text}` };
  }
  const range = valueRange(source, value);
  const blockCollection = (isSeq(value) || isMap(value)) && !value.flow;
  if (!blockCollection) return replaceValue(source, range, text);
  // `key:` followed by an indented list: write the new value after the colon.
  const keyEnd = rangeOf(key).end;
  if (/(^|\s)#/mu.test(source.slice(keyEnd, range.end)))
    return "a célula tem comentários dentro do valor; edite o YAML diretamente";
  return { start: keyEnd, end: range.end, text: `: ${text}` };
}

/** Inserts `key: value` into a map row that leaves the column out, next to its column neighbours. */
function insertPair(opened: Opened, row: YAMLMap, grid: GridTable, ci: number, pairText: string): Edit | string {
  const { source, nl } = opened;
  const columns = columnNames(grid);
  const present = (i: number) => {
    const name = columns[i];
    return name === undefined ? undefined : findPair(row, name);
  };
  let before: Pair | undefined;
  for (let i = ci - 1; i >= 0 && !before; i--) before = present(i);
  let after: Pair | undefined;
  for (let i = ci + 1; i < columns.length && !after; i++) after = present(i);
  const first = (row.items as Pair[])[0];
  if (row.flow) {
    if (before) {
      const end = pairEnd(source, before);
      return { start: end, end, text: `, ${pairText}` };
    }
    const next = after ?? first;
    if (next) {
      const start = rangeOf(next.key as Node).start;
      return { start, end: start, text: `${pairText}, ` };
    }
    const open = rangeOf(row).start + 1;
    return { start: open, end: open, text: ` ${pairText} ` };
  }
  const indent = " ".repeat(columnOf(source, rangeOf(row).start));
  if (before) {
    const end = lineEnd(source, pairEnd(source, before));
    return { start: end, end, text: `${nl}${indent}${pairText}` };
  }
  const next = after ?? first;
  if (!next) return "a linha não tem células";
  const start = rangeOf(next.key as Node).start;
  return { start, end: start, text: `${pairText}${nl}${indent}` };
}

function pairEnd(source: string, pair: Pair): number {
  const value = pair.value as Node | null;
  if (value && rangeOf(value).end > rangeOf(value).start) return contentEnd(source, value);
  const colon = source.indexOf(":", rangeOf(pair.key as Node).end);
  return colon + 1;
}

/** The first row of a table without rows: `rows: []`, `rows:` or no `rows` at all. */
function firstRow(opened: Opened, rowText: string): Edit | string {
  const { source, located, nl } = opened;
  const grid = located.table;
  const keyColumn = columnOf(source, rangeOf(located.node).start);
  const indent = " ".repeat(keyColumn + 2);
  const pair = located.rowsPair;
  if (pair) {
    const value = pair.value as Node | null;
    if (value && !(isSeq(value) && value.items.length === 0) && !(isScalar(value) && value.value === null))
      return unsupportedLayout(grid);
    const keyEnd = rangeOf(pair.key as Node).end;
    const colon = source.indexOf(":", keyEnd);
    const end = value ? valueRange(source, value).end : colon + 1;
    if (source.slice(colon + 1, end).includes("#")) return unsupportedLayout(grid);
    return { start: colon + 1, end: Math.max(colon + 1, end), text: `${nl}${indent}- ${rowText}` };
  }
  const lastPair = (located.node.items as Pair[])[located.node.items.length - 1];
  if (!lastPair || located.node.flow) return unsupportedLayout(grid);
  const end = lineEnd(source, pairEnd(source, lastPair));
  const pad = " ".repeat(keyColumn);
  return { start: end, end, text: `${nl}${pad}rows:${nl}${indent}- ${rowText}` };
}

function formatRow(
  context: CellContext,
  columns: readonly string[],
  cells: readonly EncodedCell[],
  itemColumn: number,
  neighbour: Node | undefined,
  source: string,
  nl: string,
): string {
  const indent = " ".repeat(itemColumn);
  switch (context) {
    case "flow-map": {
      const spaced = neighbour ? /^\{\s/.test(source.slice(rangeOf(neighbour).start)) : true;
      const body = columns.map((c, i) => `${c}: ${cells[i]?.yaml}`).join(", ");
      return spaced ? `{ ${body} }` : `{${body}}`;
    }
    case "flow-seq": {
      const spaced = neighbour ? /^\[\s/.test(source.slice(rangeOf(neighbour).start)) : false;
      const body = cells.map((c) => c.yaml).join(", ");
      return spaced ? `[ ${body} ]` : `[${body}]`;
    }
    case "block-map":
      return columns.map((c, i) => `${c}: ${cells[i]?.yaml}`).join(`${nl}${indent}`);
    case "block-seq":
      return cells.map((c) => `- ${c.yaml}`).join(`${nl}${indent}`);
    default:
      return assertNever(context, "cell context");
  }
}

/** Column (UTF-16 units from the line start) of an offset. */
function columnOf(source: string, offset: number): number {
  return offset - lineStart(source, offset);
}

function lineStart(source: string, offset: number): number {
  return source.lastIndexOf("\n", offset - 1) + 1;
}

/** The offset of the line break ending the line of `offset` (before a `\r\n`), or the text's end. */
function lineEnd(source: string, offset: number): number {
  const nl = source.indexOf("\n", offset);
  if (nl < 0) return source.length;
  return source[nl - 1] === "\r" ? nl - 1 : nl;
}

/** The column of the `- ` before a row, when only spaces precede it on its line. */
function dashColumnOf(source: string, row: Node): number | undefined {
  const start = dashLineStart(source, row);
  if (start === undefined) return undefined;
  return source.indexOf("-", start) - start;
}

/** The start of the line holding a row's `-`, when only spaces precede the dash. */
function dashLineStart(source: string, row: Node): number | undefined {
  let i = rangeOf(row).start - 1;
  while (i >= 0 && source[i] === " ") i--;
  if (source[i] !== "-") return undefined;
  const start = lineStart(source, i);
  return /^ *$/.test(source.slice(start, i)) ? start : undefined;
}

/** A row's own lines: from its dash line to the end of its last line, with the line break. */
function rowLines(source: string, row: Node): Range | undefined {
  const start = dashLineStart(source, row);
  if (start === undefined) return undefined;
  const end = lineEnd(source, contentEnd(source, row));
  const after = source.startsWith("\r\n", end) ? end + 2 : source.startsWith("\n", end) ? end + 1 : end;
  if (after === end && start > 0) {
    // Last line of the file without a line break: take the break before the row instead.
    const before = source[start - 2] === "\r" ? start - 2 : start - 1;
    return { start: before, end };
  }
  return { start, end: after };
}

/** The quote the table's rows use most; without quoted rows, the file's; double when none. */
function fileQuote(source: string, table: LocatedTable): Quote {
  const count = (nodes: readonly unknown[]) => {
    const tally = { double: 0, single: 0 };
    for (const node of nodes)
      visit(node as Node, {
        Scalar(_, scalar) {
          if (scalar.type === Scalar.QUOTE_DOUBLE) tally.double++;
          else if (scalar.type === Scalar.QUOTE_SINGLE) tally.single++;
        },
      });
    return tally;
  };
  let tally = count(table.rowNodes);
  if (tally.double + tally.single === 0) {
    const doc = loadYaml(source).value;
    if (doc?.contents) tally = count([doc.contents]);
  }
  return tally.single > tally.double ? "'" : '"';
}

function newline(source: string): string {
  return source.includes("\r\n") ? "\r\n" : "\n";
}
