/**
 * The grid view of a rule set's decision tables: reads every table of a rule-set source as
 * columns (inputs, then outputs) and rows of cell texts, with the exact source range of each
 * table, row and cell, its hit policy (every DMN policy, and `aggregate` with `collect`), and the
 * labels it declares (`label`, `labels`: DMN names shown instead of the identifiers). The YAML nodes are kept (`locateTables`) so that `edit.ts` can rewrite
 * one row without touching any other byte of the file.
 *
 * A cell text is what the analyst sees and types in the grid: `-` for "any" (also for an input
 * column a map row leaves out), a unary test (`>= 18`, `"A", "B"`), a literal (`Reembolso`, `10`,
 * `true`, `null`), a YAML list (`[a, b]`) or a formula (`= entradaEm + 2h`). Quotes that YAML
 * needs are not part of the text (`">= 18"` reads `>= 18`).
 *
 * Pure: no DOM, no Node modules (runs in the browser and in vitest).
 */
import { isMap, isScalar, isSeq, type Node, type Pair, Scalar, type YAMLMap, type YAMLSeq } from "yaml";
import { AGGREGATIONS, type Aggregation, HIT_POLICIES, type HitPolicy } from "../ruleset/model.js";
import type { Range } from "../diagnostics.js";
import { parseExpression } from "../syntax/parse.js";
import { loadYaml, rangeOf } from "../yaml/load.js";

export interface GridInput {
  /** The column name (the last name of the input's path, as the loader names it). */
  readonly name: string;
  /** The input expression as written, when it differs from the name (`cliente.tipo`). */
  readonly label?: string;
  /** The column's label from the table's `labels` (e.g. a DMN name, `"Applicant Age"`). */
  readonly title?: string;
  readonly range: Range;
}

export interface GridOutput {
  readonly name: string;
  /** The column's label from the table's `labels` (e.g. a DMN name, `"Approval Status"`). */
  readonly title?: string;
  readonly range: Range;
}

export interface GridCell {
  readonly column: string;
  readonly text: string;
  /** The cell's value in the source; the row's range for an input a map row leaves out. */
  readonly range: Range;
}

export interface GridRow {
  /** Position in the table's `rows` (0-based), as the loader counts rows. */
  readonly index: number;
  readonly range: Range;
  /** One cell per column, inputs first, in column order. */
  readonly cells: readonly GridCell[];
  readonly description?: string;
}

export interface GridTable {
  /** Position in the rule set's `tables` (0-based). */
  readonly index: number;
  readonly name: string;
  readonly description?: string;
  readonly hitPolicy: HitPolicy;
  /** `collect` only: how the matching rows' outputs are aggregated. */
  readonly aggregate?: Aggregation;
  /** The table's `label` (the DMN decision's name when it is not an identifier). */
  readonly label?: string;
  readonly inputs: readonly GridInput[];
  readonly outputs: readonly GridOutput[];
  readonly rows: readonly GridRow[];
  readonly range: Range;
}

/** A table with the YAML nodes it was read from (for the editing functions). */
export interface LocatedTable {
  readonly table: GridTable;
  readonly node: YAMLMap;
  /** The `rows` sequence (undefined when the table has no `rows` key or it is not a list). */
  readonly rowsNode: YAMLSeq | undefined;
  /** The `rows` pair, when present. */
  readonly rowsPair: Pair | undefined;
  readonly rowNodes: readonly Node[];
}

export interface LocatedTables {
  readonly tables: readonly LocatedTable[];
  /** The YAML could not be read (the grid cannot be shown nor edited). */
  readonly yamlErrors: boolean;
}

/** Every decision table of a rule-set source (empty when the YAML itself has errors). */
export function readTables(source: string): GridTable[] {
  return locateTables(source).tables.map((t) => t.table);
}

/** The tables with their YAML nodes. */
export function locateTables(source: string): LocatedTables {
  const yaml = loadYaml(source);
  const doc = yaml.value;
  if (!doc || yaml.diagnostics.some((d) => d.severity === "error")) return { tables: [], yamlErrors: true };
  const root = doc.contents;
  if (!isMap(root)) return { tables: [], yamlErrors: false };
  const tablesNode = mapValue(root, "tables");
  if (!isSeq(tablesNode)) return { tables: [], yamlErrors: false };
  const tables: LocatedTable[] = [];
  (tablesNode.items as unknown[]).forEach((node, index) => {
    if (isMap(node)) tables.push(readTable(node, index, source));
  });
  return { tables, yamlErrors: false };
}

function readTable(node: YAMLMap, index: number, source: string): LocatedTable {
  const name = scalarText(mapValue(node, "name")) ?? "";
  const description = scalarText(mapValue(node, "description"));
  const hit = scalarText(mapValue(node, "hitPolicy"));
  // As the loader reads them: an unknown policy is reported there (and read as `unique` here).
  const hitPolicy: HitPolicy = HIT_POLICIES.includes(hit as HitPolicy) ? (hit as HitPolicy) : "unique";
  const agg = scalarText(mapValue(node, "aggregate"));
  const aggregate =
    hitPolicy === "collect" && AGGREGATIONS.includes(agg as Aggregation) ? (agg as Aggregation) : undefined;
  const label = scalarText(mapValue(node, "label"));
  const titles = columnTitles(mapValue(node, "labels"));
  const titled = <C extends { readonly name: string }>(c: C): C => {
    const title = titles.get(c.name);
    return title !== undefined ? { ...c, title } : c;
  };
  const inputs = listOrOne(mapValue(node, "inputs")).map((n, i) => titled(inputColumn(n, i, source)));
  const outputs = listOrOne(mapValue(node, "outputs")).map((n) =>
    titled<GridOutput>({ name: scalarText(n) ?? "", range: rangeOf(n) }),
  );
  const rowsPair = (node.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === "rows");
  const rowsValue = rowsPair?.value;
  const rowsNode = isSeq(rowsValue) ? (rowsValue as YAMLSeq) : undefined;
  const rowNodes = rowsNode ? (rowsNode.items as Node[]) : [];
  const columns = [...inputs.map((c) => c.name), ...outputs.map((c) => c.name)];
  const rows = rowNodes.map((r, i) => readRow(r, i, columns, inputs.length, source));
  const table: GridTable = {
    index,
    name,
    ...(description !== undefined ? { description } : {}),
    hitPolicy,
    ...(aggregate ? { aggregate } : {}),
    ...(label ? { label } : {}),
    inputs,
    outputs,
    rows,
    range: rangeOf(node),
  };
  return { table, node, rowsNode, rowsPair, rowNodes };
}

/** `labels: { coluna: rótulo }` as a map (empty when absent or not a map of texts). */
function columnTitles(node: Node | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!node || !isMap(node)) return out;
  for (const p of node.items as Pair[]) {
    const key = isScalar(p.key) ? String(p.key.value) : undefined;
    const text = scalarText((p.value as Node | null) ?? undefined);
    if (key !== undefined && text !== undefined && text !== "") out.set(key, text);
  }
  return out;
}

/** An input column named as the loader names it: the last name of its path, or `entradaN`. */
function inputColumn(node: Node, i: number, source: string): GridInput {
  const range = rangeOf(node);
  const written = source.slice(range.start, range.end);
  let name = `entrada${i + 1}`;
  if (isScalar(node) && typeof node.value === "string" && node.value.trim() !== "") {
    const expr = parseExpression({ text: node.value }).value;
    if (expr?.kind === "name") name = expr.name;
    else if (expr?.kind === "member") name = expr.property;
  }
  return { name, ...(written !== name ? { label: written } : {}), range };
}

function readRow(node: Node, index: number, columns: readonly string[], inputCount: number, source: string): GridRow {
  const range = rangeOf(node);
  const cells: GridCell[] = [];
  let description: string | undefined;
  if (isSeq(node)) {
    columns.forEach((column, i) => {
      const item = (node.items as (Node | null)[])[i];
      cells.push(cellOf(column, item ?? undefined, range, source));
    });
  } else if (isMap(node)) {
    description = scalarText(mapValue(node, "description"));
    columns.forEach((column, i) => {
      const pair = findPair(node, column);
      if (!pair) {
        cells.push({ column, text: i < inputCount ? "-" : "", range });
        return;
      }
      cells.push(cellOf(column, (pair.value as Node | null) ?? null, range, source));
    });
  } else {
    for (const column of columns) cells.push({ column, text: "", range });
  }
  return { index, range, cells, ...(description !== undefined ? { description } : {}) };
}

function cellOf(column: string, node: Node | null | undefined, rowRange: Range, source: string): GridCell {
  if (node === undefined) return { column, text: "", range: rowRange };
  if (node === null) return { column, text: "null", range: { start: rowRange.end, end: rowRange.end } };
  return { column, text: cellText(node, source), range: rangeOf(node) };
}

/** The grid text of a cell's YAML node. */
export function cellText(node: Node, source: string): string {
  const range = rangeOf(node);
  if (isScalar(node)) {
    if (node.value === null && range.start === range.end) return "null";
    if (typeof node.value === "string") return node.value;
    // Numbers, booleans and null as written (`1.50`, `~`).
    if (node.type === Scalar.PLAIN) return source.slice(range.start, range.end);
    return String(node.value);
  }
  // A block list of plain values reads as the flow list the analyst would type: `[A, B]`.
  if (isSeq(node) && !node.flow) {
    const items = (node.items as unknown[]).map((i) =>
      isScalar(i) && i.type === Scalar.PLAIN && i.value !== null ? cellText(i, source) : undefined,
    );
    if (items.every((t): t is string => t !== undefined && !/[,[\]{}#"']|^-$/.test(t))) return `[${items.join(", ")}]`;
  }
  return source.slice(range.start, range.end);
}

export function mapValue(map: YAMLMap, key: string): Node | undefined {
  const pair = findPair(map, key);
  return (pair?.value as Node | null | undefined) ?? undefined;
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((p) => isScalar(p.key) && String(p.key.value) === key);
}

function listOrOne(node: Node | undefined): Node[] {
  if (!node) return [];
  return isSeq(node) ? (node.items as Node[]) : [node];
}

function scalarText(node: Node | undefined): string | undefined {
  if (!node || !isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
}
