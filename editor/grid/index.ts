/**
 * Decision tables as grids for the editor's grid panel: the pure implementation lives in
 * `dsl/tables/` (shared with `rules table export/import`, which turn the same grids into
 * spreadsheets); this module re-exports what the panel uses.
 */
export {
  addRow,
  deleteRow,
  type EditResult,
  type GridCell,
  type GridInput,
  type GridOutput,
  type GridRow,
  type GridTable,
  moveRow,
  readTables,
  rowDiagnostics,
  setCell,
} from "../../dsl/tables/index.js";
export { gridColumns, hitPolicyText, policyBadge } from "./policy.js";
