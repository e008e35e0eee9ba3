/**
 * Document symbols (the outline): the top-level sections and, inside them, the facts, constants,
 * values, templates, outputs, collections, tables (with their rows), validations, transitions,
 * rules and invariants, each with the range of its whole entry and of its name. Read from the YAML
 * document, so the outline follows the file even while some entries have mistakes.
 */
import { isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import type { Range } from "../../dsl/diagnostics.js";
import { keyRange, rangeOf } from "../../dsl/yaml/load.js";
import { type Analysis, yamlOf } from "./analysis.js";

export type SymbolKind =
  | "section"
  | "fact"
  | "constant"
  | "value"
  | "template"
  | "output"
  | "collection"
  | "table"
  | "row"
  | "validation"
  | "transition"
  | "rule"
  | "invariant";

export interface DocumentSymbol {
  readonly name: string;
  readonly kind: SymbolKind;
  /** The whole entry. */
  readonly range: Range;
  /** Its name. */
  readonly selectionRange: Range;
  readonly children: readonly DocumentSymbol[];
}

const MAP_SECTIONS: Readonly<Record<string, SymbolKind>> = {
  facts: "fact",
  constants: "constant",
  values: "value",
  templates: "template",
  outputs: "output",
  collections: "collection",
};

const NAMED_LIST_SECTIONS: Readonly<Record<string, SymbolKind>> = {
  tables: "table",
  rules: "rule",
  invariants: "invariant",
};

type AnyPair = Pair<unknown, unknown>;

function keyText(p: AnyPair): string {
  return isScalar(p.key) ? String(p.key.value) : "";
}

function get(node: unknown, key: string): AnyPair | undefined {
  if (!isMap(node)) return undefined;
  return (node.items as AnyPair[]).find((p) => keyText(p) === key);
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null ? String(node.value) : undefined;
}

function mapEntries(node: unknown, kind: SymbolKind): DocumentSymbol[] {
  if (!isMap(node)) return [];
  return (node.items as AnyPair[]).map((p) => ({
    name: keyText(p),
    kind,
    range: rangeOf(p),
    selectionRange: keyRange(p),
    children: [],
  }));
}

function listItems(node: unknown): Node[] {
  return isSeq(node) ? (node.items as Node[]) : [];
}

function namedItems(node: unknown, kind: SymbolKind, what: string): DocumentSymbol[] {
  return listItems(node).map((item, i) => {
    const namePair = get(item, "name");
    const name = scalarText(namePair?.value) ?? `${what} ${i + 1}`;
    const children =
      kind === "table"
        ? listItems(get(item, "rows")?.value).map((row, r) => ({
            name: `linha ${r + 1}`,
            kind: "row" as const,
            range: rangeOf(row),
            selectionRange: rangeOf(row),
            children: [],
          }))
        : [];
    const range = rangeOf(item);
    return {
      name,
      kind,
      range,
      selectionRange: namePair?.value ? rangeOf(namePair.value as Node) : range,
      children,
    };
  });
}

function sectionChildren(key: string, value: unknown): DocumentSymbol[] {
  const mapKind = MAP_SECTIONS[key];
  if (mapKind) return mapEntries(value, mapKind);
  const listKind = NAMED_LIST_SECTIONS[key];
  if (listKind)
    return namedItems(value, listKind, listKind === "table" ? "tabela" : listKind === "rule" ? "regra" : "invariante");
  if (key === "transitions")
    return listItems(get(value, "allow")?.value).map((item) => {
      const range = rangeOf(item);
      return {
        name: `${scalarText(get(item, "from")?.value) ?? "?"} → ${scalarText(get(item, "to")?.value) ?? "?"}`,
        kind: "transition",
        range,
        selectionRange: range,
        children: [],
      };
    });
  if (key === "validations")
    return listItems(get(value, "rules")?.value).map((item, i) => {
      const field = get(item, "field");
      const range = rangeOf(item);
      return {
        name: scalarText(field?.value) ?? `validação ${i + 1}`,
        kind: "validation",
        range,
        selectionRange: field?.value ? rangeOf(field.value as Node) : range,
        children: [],
      };
    });
  return [];
}

/** The outline of the draft (empty while its YAML cannot be read). */
export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const doc = yamlOf(a).doc;
  const root = doc?.contents;
  if (!isMap(root)) return [];
  return (root.items as AnyPair[]).map((p) => {
    const key = keyText(p);
    return {
      name: key,
      kind: "section",
      range: rangeOf(p),
      selectionRange: keyRange(p),
      children: sectionChildren(key, p.value),
    };
  });
}
