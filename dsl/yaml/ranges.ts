/**
 * Source ranges for the YAML layer: of composed nodes (`rangeOf`, `keyRange`, used by every later
 * stage to place diagnostics) and of CST tokens and raw offsets clamped to the text (`tokenRange`,
 * `clampRange`, used while scanning and translating yaml's errors).
 */
import { isCollection, isNode, isPair, isScalar } from "yaml";
import type { Node as YamlNode, Pair, ParsedNode } from "yaml";
import type { Range } from "../diagnostics.js";

type AnyNode = YamlNode | ParsedNode | Pair<unknown, unknown>;

/**
 * Source range of a node's value, without trailing comments or line breaks. For a block
 * collection this ends where its last item ends; for a pair it spans key and value.
 * Nodes without a range (built in code, not parsed) give `{ start: 0, end: 0 }`.
 */
export function rangeOf(node: AnyNode | null | undefined): Range {
  if (node === null || node === undefined) return { start: 0, end: 0 };
  if (isPair(node)) {
    const k = isNode(node.key) ? rangeOf(node.key) : undefined;
    const v = isNode(node.value) && !isEmptyScalar(node.value) ? rangeOf(node.value) : undefined;
    const start = k?.start ?? v?.start ?? 0;
    return { start, end: Math.max(start, v?.end ?? k?.end ?? start) };
  }
  const range = node.range;
  if (!range) return { start: 0, end: 0 };
  const start = range[0];
  let end = range[1];
  // Block collections' ranges run to the start of the next line; walk the last-item chain
  // iteratively (no recursion) to the last node that really has content.
  let cur: unknown = node;
  for (;;) {
    if (isCollection(cur) && !cur.flow && cur.items.length > 0) {
      const last: unknown = cur.items[cur.items.length - 1];
      if (isPair(last)) {
        if (isNode(last.value) && !isEmptyScalar(last.value)) cur = last.value;
        else if (isNode(last.key)) cur = last.key;
        else break;
        continue;
      }
      if (isNode(last)) {
        cur = last;
        continue;
      }
      break;
    }
    if (isNode(cur) && cur !== node && cur.range) end = cur.range[1];
    break;
  }
  return { start, end: Math.max(start, end) };
}

/** Range of a pair's key (a zero-width range at the value for a missing key). */
export function keyRange(pair: Pair<unknown, unknown>): Range {
  if (isNode(pair.key) && pair.key.range) return rangeOf(pair.key);
  if (isNode(pair.value) && pair.value.range) {
    const start = pair.value.range[0];
    return { start, end: start };
  }
  return { start: 0, end: 0 };
}

function isEmptyScalar(node: YamlNode): boolean {
  return isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}

/** Range of a CST token in `text` (at least one character, clamped to the text). */
export function tokenRange(token: { offset: number; source?: unknown }, text: string): Range {
  const length = typeof token.source === "string" ? token.source.length : 1;
  return clampRange(token.offset, token.offset + Math.max(length, 1), text);
}

/** `[start, end)` clamped to `text` (start within the text, end not before start). */
export function clampRange(start: number, end: number, text: string): Range {
  const s = Math.max(0, Math.min(start, text.length));
  const e = Math.max(s, Math.min(end, text.length));
  return { start: s, end: e };
}
