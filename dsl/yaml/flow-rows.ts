/**
 * yaml's CST for a rule-set file, with a fast path for decision-table rows written one per line as
 * `- [cell, cell, "cell"]`. yaml's `Parser` spends most of its time (generators per lexeme) on such
 * rows: a 15,000-row table is ~15 lexemes a row. Here every line of exactly that simple form has
 * its flow sequence masked by a plain scalar of the same length (`- xxxxxxxx`, four lexemes), the
 * masked text is parsed, and each mask's scalar token is replaced by the flow-collection token yaml
 * builds for the original line, built directly from the line (`flowRowToken`).
 *
 * The result is the CST yaml gives for the original text (test/yaml-flow-rows.test.ts compares the
 * two on generated documents); whatever the fast path does not recognise is left to yaml:
 * - a line qualifies only as `<spaces>- [item, item, ...]` ending the line, items separated by
 *   exactly ", ", each a plain scalar of letters, digits and a few inner characters (`_ .-/()+`
 *   and single spaces), or a quoted scalar without escapes or line breaks;
 * - a mask must come back as a plain scalar at its offset as a block-sequence item's value (a line
 *   inside a block or quoted scalar, or a continuation line of a plain scalar, would not); if any
 *   does not, or the text has CR line breaks or a byte order mark, the original text is parsed.
 */
import { type CST, Parser } from "yaml";

/** A row line: indentation, `- `, the flow sequence up to the end of the line. */
const ROW_LINE = /^( *)- (\[[^\n]*\])$/gmu;
/** One item of a qualifying flow sequence. */
const PLAIN_ITEM = /^[\p{L}\p{N}_](?:[\p{L}\p{N}_.\-/()+]| (?! ))*$/u;
const PLAIN_LAST = /[\p{L}\p{N}_.\-/()+]$/u;
const DOUBLE_ITEM = /^"[^"\\\p{Cc}]*"$/u;
const SINGLE_ITEM = /^'[^'\p{Cc}]*'$/u;
/** Below this many rows the masking is not worth its walk. */
const MIN_ROWS = 64;

interface Row {
  /** Offset of the `[`. */
  readonly offset: number;
  /** The flow sequence's text, `[` to `]`. */
  readonly source: string;
  /** Item texts, in order. */
  readonly items: readonly string[];
}

/**
 * yaml's CST tokens of `text` (what `Array.from(new Parser().parse(text))` gives). `minRows`: the
 * fewest qualifying rows for the fast path (tests lower it).
 */
export function parseCst(text: string, minRows = MIN_ROWS): CST.Token[] {
  const rows = text.includes("\r") || text.startsWith("\uFEFF") ? [] : rowLines(text);
  if (rows.length === 0 || rows.length < minRows) return Array.from(new Parser().parse(text));
  const masked = maskRows(text, rows);
  const tokens = Array.from(new Parser().parse(masked));
  const byOffset = new Map<number, Row>();
  for (const r of rows) byOffset.set(r.offset, r);
  const replaced = replaceMasks(tokens, byOffset);
  return replaced === rows.length ? tokens : Array.from(new Parser().parse(text));
}

/** The qualifying row lines of `text`. */
function rowLines(text: string): Row[] {
  const rows: Row[] = [];
  for (const m of text.matchAll(ROW_LINE)) {
    const source = m[2] as string;
    const items = splitItems(source);
    if (items) rows.push({ offset: (m.index as number) + (m[1] as string).length + 2, source, items });
  }
  return rows;
}

/** The items of `[a, b, "c"]` when every one qualifies, else undefined. */
function splitItems(source: string): string[] | undefined {
  const inner = source.slice(1, -1);
  if (inner === "") return undefined;
  const items: string[] = [];
  let i = 0;
  while (i <= inner.length) {
    const c = inner[i];
    let end: number;
    if (c === '"' || c === "'") {
      end = inner.indexOf(c, i + 1);
      if (end < 0) return undefined;
      end += 1;
    } else {
      end = inner.indexOf(",", i);
      if (end < 0) end = inner.length;
    }
    const item = inner.slice(i, end);
    if (!qualifies(item)) return undefined;
    items.push(item);
    if (end === inner.length) return items;
    if (inner[end] !== "," || inner[end + 1] !== " ") return undefined;
    i = end + 2;
  }
  return undefined;
}

function qualifies(item: string): boolean {
  const c = item[0];
  if (c === '"') return DOUBLE_ITEM.test(item);
  if (c === "'") return SINGLE_ITEM.test(item);
  return PLAIN_ITEM.test(item) && PLAIN_LAST.test(item);
}

function maskRows(text: string, rows: readonly Row[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const r of rows) {
    parts.push(text.slice(at, r.offset), "x".repeat(r.source.length));
    at = r.offset + r.source.length;
  }
  parts.push(text.slice(at));
  return parts.join("");
}

/** Replaces each mask (a plain scalar item of a block sequence) by its row's token; returns how many. */
function replaceMasks(tokens: readonly CST.Token[], rows: ReadonlyMap<number, Row>): number {
  let replaced = 0;
  const stack: CST.Token[] = [];
  for (const t of tokens) if (t.type === "document" && t.value) stack.push(t.value);
  while (stack.length > 0) {
    const t = stack.pop() as CST.Token;
    switch (t.type) {
      case "block-seq":
        for (const item of t.items) {
          const v = item.value;
          if (!v) continue;
          const row = v.type === "scalar" ? rows.get(v.offset) : undefined;
          if (row && v.type === "scalar" && v.source === "x".repeat(row.source.length)) {
            item.value = flowRowToken(row, v);
            replaced++;
          } else stack.push(v);
        }
        break;
      case "block-map":
        for (const item of t.items) {
          if (item.key) stack.push(item.key);
          if (item.value) stack.push(item.value);
        }
        break;
      case "flow-collection":
        for (const item of t.items) {
          if (item.key) stack.push(item.key);
          if (item.value) stack.push(item.value);
        }
        break;
      default:
        break;
    }
  }
  return replaced;
}

/** The flow-collection token yaml builds for the row, in place of its mask's scalar token. */
function flowRowToken(row: Row, mask: CST.FlowScalar): CST.FlowCollection {
  const { indent } = mask;
  const items: CST.CollectionItem[] = [];
  let at = row.offset + 1;
  row.items.forEach((source, k) => {
    const start: CST.SourceToken[] =
      k === 0
        ? []
        : [
            { type: "comma", offset: at - 2, indent, source: "," },
            { type: "space", offset: at - 1, indent, source: " " },
          ];
    const type = source[0] === '"' ? "double-quoted-scalar" : source[0] === "'" ? "single-quoted-scalar" : "scalar";
    items.push({ start, value: { type, offset: at, indent, source, end: [] } });
    at += source.length + 2;
  });
  return {
    type: "flow-collection",
    offset: row.offset,
    indent,
    start: { type: "flow-seq-start", offset: row.offset, indent, source: "[" },
    items,
    end: [
      { type: "flow-seq-end", offset: row.offset + row.source.length - 1, indent, source: "]" },
      ...(mask.end ?? []),
    ],
  };
}
