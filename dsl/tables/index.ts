/**
 * Decision tables as grids (issue 9): read every table of a rule-set source as a grid, turn grid
 * edits (set a cell, add, delete, move a row) into a new source text that changes only the
 * edited rows, and place diagnostics on rows. Pure functions over the source text: no DOM, no
 * Monaco, no Node modules (they run in the browser and in vitest). Offsets are UTF-16 offsets
 * into the source, as everywhere in `dsl/`. Used by the editor's grid panel (editor/grid/) and by
 * `rules table export/import` (spreadsheets, `sheet.ts`).
 */
import type { Diagnostic } from "../diagnostics.js";
import type { GridTable } from "./model.js";

export { addRow, type CellChange, deleteRow, type EditResult, moveRow, setCell, setCells } from "./edit.js";
export { type GridCell, type GridInput, type GridOutput, type GridRow, type GridTable, readTables } from "./model.js";

/**
 * The diagnostics of each row of `table`, by row index: those whose range lies within the row
 * (a row with none has no entry). Diagnostics about the table as a whole are left out.
 */
export function rowDiagnostics(table: GridTable, diagnostics: readonly Diagnostic[]): Map<number, Diagnostic[]> {
  const byRow = new Map<number, Diagnostic[]>();
  for (const d of diagnostics) {
    const row = table.rows.find(
      (r) =>
        d.range.start >= r.range.start &&
        d.range.end <= r.range.end &&
        (d.range.start < r.range.end || d.range.start === r.range.start),
    );
    if (!row) continue;
    const list = byRow.get(row.index);
    if (list) list.push(d);
    else byRow.set(row.index, [d]);
  }
  return byRow;
}
