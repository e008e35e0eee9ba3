/**
 * The "any" cell `-` of decision-table rows, on the CST before composing: finds the rows of every
 * table, rewrites their lone `-` items and values into the plain scalar "-", turns a lone `-`
 * anywhere else inside brackets into one clear error, and moves line breaks so that the rewritten
 * CST is exactly that of a quoted "-". Driven by the CST scan (`cst-scan.ts`).
 */
import type { CST } from "yaml";
import { createError } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import { tokenRange } from "./ranges.js";

/*
 * `-` is the documented "any value" cell of a decision table, but in YAML a lone `-` is the
 * block-sequence indicator: `[Denúncia, -, 10]` and `{servico: -}` are YAML errors (three of them
 * per dash), and `servico: -` in a block mapping is one. Inside the rows of a table
 * (`tables[*].rows[*]`, found on the CST by path), a lone `-` item or value is rewritten, before
 * composing, into the plain scalar "-" at the same offset, i.e. read exactly as if it had been
 * quoted. Anywhere else inside brackets a lone `-` stays an error, but ONE clear error at the dash
 * instead of yaml's cascade. Only a `-` followed by nothing but spaces, a comment or a line break
 * before the next `,`, `]` or `}` is touched; `-1`, `-x` and `- x` are left alone.
 */

/** The CST tokens of the rows (and `impossible` items) of every decision table (`tables[*].rows[*]`). */
export function tableRowTokens(tokens: readonly CST.Token[]): Set<CST.Token> {
  const rows = new Set<CST.Token>();
  for (const doc of tokens) {
    if (doc.type !== "document" || !doc.value) continue;
    const tables = cstMapValue(doc.value, "tables");
    for (const table of cstSeqValues(tables)) {
      // `impossible` combinations are written like rows' input cells.
      for (const key of ["rows", "impossible"]) for (const row of cstSeqValues(cstMapValue(table, key))) rows.add(row);
    }
  }
  return rows;
}

function isFlow(token: CST.Token, open: "[" | "{"): token is CST.FlowCollection {
  return token.type === "flow-collection" && token.start.source === open;
}

function cstKeyName(token: CST.Token | null | undefined): string | undefined {
  if (!token) return undefined;
  if (token.type === "scalar") return token.source;
  if (token.type === "single-quoted-scalar" || token.type === "double-quoted-scalar") return token.source.slice(1, -1);
  return undefined;
}

function cstMapValue(token: CST.Token | null | undefined, key: string): CST.Token | undefined {
  if (!token || !(token.type === "block-map" || isFlow(token, "{"))) return undefined;
  for (const item of token.items) if (cstKeyName(item.key) === key) return item.value ?? undefined;
  return undefined;
}

function cstSeqValues(token: CST.Token | null | undefined): CST.Token[] {
  if (!token || !(token.type === "block-seq" || isFlow(token, "["))) return [];
  return token.items.map((i) => i.value).filter((v): v is CST.Token => v !== undefined && v !== null);
}

type CstItem = CST.FlowCollection["items"][number];

/** A block sequence holding one empty item: what yaml makes of a lone `-`. Returns the dash and what follows it. */
function loneDashSeq(
  token: CST.Token | null | undefined,
): { dash: CST.SourceToken; rest: CST.SourceToken[] } | undefined {
  if (token?.type !== "block-seq" || token.items.length !== 1) return undefined;
  const item = token.items[0] as CstItem;
  if (item.key || (item.sep && item.sep.length > 0)) return undefined;
  if (item.value && !(item.value.type === "scalar" && item.value.source === "")) return undefined;
  const [dash, ...rest] = item.start;
  if (dash?.type !== "seq-item-ind") return undefined;
  if (!rest.every((r) => r.type === "space" || r.type === "comment" || r.type === "newline")) return undefined;
  return { dash, rest };
}

function dashScalar(dash: CST.SourceToken, rest: CST.SourceToken[]): CST.FlowScalar {
  return { type: "scalar", offset: dash.offset, indent: dash.indent, source: "-", end: rest };
}

/**
 * Rewrites the lone `-` items of a flow collection (see above). In a table row they become the
 * cell "-"; elsewhere they also become "-" (so that yaml reports nothing more) plus one error.
 */
export function fixLoneDashes(fc: CST.FlowCollection, isRow: boolean, text: string, diagnostics: Diagnostic[]): void {
  const items = fc.items;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as CstItem;
    let found: { dash: CST.SourceToken; rest: CST.SourceToken[] } | undefined;
    let fixed: CstItem | undefined;
    if (fc.start.source === "[") {
      const asValue = !item.key && !(item.sep && item.sep.length > 0) ? loneDashSeq(item.value) : undefined;
      const asKey =
        item.key &&
        (!item.sep || item.sep.length === 0) &&
        (!item.value || (item.value.type === "scalar" && item.value.source === ""))
          ? loneDashSeq(item.key)
          : undefined;
      found = asValue ?? asKey;
      if (found) fixed = { start: item.start, value: dashScalar(found.dash, found.rest) };
    } else if (item.key && item.sep && item.sep.length > 0) {
      found = loneDashSeq(item.value);
      if (found) {
        fixed = { start: item.start, key: item.key, sep: item.sep, value: dashScalar(found.dash, found.rest) };
        // yaml also invents an empty key right after the dash: drop it.
        const next = items[i + 1];
        if (
          next &&
          next.start.length === 0 &&
          next.key?.type === "scalar" &&
          next.key.source === "" &&
          (!next.sep || next.sep.length === 0) &&
          !next.value
        ) {
          items.splice(i + 1, 1);
        }
      }
    }
    if (!found || !fixed) continue;
    items[i] = fixed;
    if (!isRow) {
      diagnostics.push(
        createError(
          "yaml/syntax",
          'um "-" sozinho dentro de [ ] ou { } não é um valor em YAML: escreva "-" entre aspas (só nas linhas de uma tabela ele vale sem aspas, como "qualquer valor")',
          tokenRange(found.dash, text),
        ),
      );
    }
  }
}

/** In a block-mapping table row, `coluna: -` (an error token for yaml) becomes the cell "-". */
export function fixLoneDashValues(map: CST.BlockMap): CST.FlowScalar[] {
  const fixed: CST.FlowScalar[] = [];
  for (const item of map.items) {
    const v = item.value;
    if (v && v.type === "error" && v.source === "-" && item.key && item.sep && item.sep.length > 0) {
      const scalar: CST.FlowScalar = { type: "scalar", offset: v.offset, indent: map.indent, source: "-", end: [] };
      item.value = scalar;
      fixed.push(scalar);
    }
  }
  return fixed;
}

/**
 * After an error token, yaml puts the line break that ends it at the start of whatever item comes
 * next (possibly an item of an enclosing collection); after a plain scalar it belongs to the
 * scalar's `end`. Moves it there, so that the rewritten `coluna: -` has exactly the CST of
 * `coluna: "-"` (the formatter reads blank lines from the `start` of items).
 */
export function reattachLineBreaks(tokens: readonly CST.Token[], scalars: readonly CST.FlowScalar[]): void {
  const wanted = new Map<number, CST.FlowScalar>(scalars.map((s) => [s.offset + s.source.length, s]));
  const stack: CST.Token[] = [...tokens];
  while (stack.length > 0 && wanted.size > 0) {
    const t = stack.pop() as CST.Token;
    if (t.type !== "document" && t.type !== "block-map" && t.type !== "block-seq" && t.type !== "flow-collection")
      continue;
    if (t.type === "document") {
      if (t.value) stack.push(t.value);
      continue;
    }
    for (const item of t.items) {
      const first = item.start[0];
      const scalar = first && first.type === "newline" ? wanted.get(first.offset) : undefined;
      if (scalar?.end) {
        scalar.end.push(item.start.shift() as CST.SourceToken);
        wanted.delete(first!.offset);
      }
      for (const child of [item.key, item.value])
        if (child && typeof child === "object") stack.push(child as CST.Token);
    }
  }
}
