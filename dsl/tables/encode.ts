/**
 * Cell text → YAML source for one cell of a decision-table row. Plain (unquoted) when YAML reads
 * the plain text back as what the analyst meant, quoted otherwise: a unary test YAML would not
 * read as text (`>= 18`, `"A", "B"`), a text with `#`, `: `, a leading `- `, or commas inside a
 * flow row, and a number, boolean or null written in a text column (`123`, `true`, `null` in a
 * column of texts keep meaning the text). Quotes follow the file's habit (double or single),
 * switching only to avoid escapes.
 *
 * Pure: no DOM, no Node modules.
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { loadYaml } from "../yaml/load.js";

/** Where the cell is written: inside a row that is a flow/block map or a flow/block sequence. */
export type CellContext = "flow-map" | "flow-seq" | "block-map" | "block-seq";

export type Quote = '"' | "'";

export interface CellOptions {
  /** Input column (unary tests, `-` any) or output column (values, `= formula`). */
  readonly input: boolean;
  /** Whether the column holds texts (a number, boolean or null typed in it is meant as text); asked only when it matters. */
  readonly textColumn: () => boolean;
  readonly context: CellContext;
  /** The quote the file uses most in its table rows (asked only when the cell needs quotes). */
  readonly quote: () => Quote;
}

export interface EncodedCell {
  /** The YAML source to write for the cell. */
  readonly yaml: string;
  /** What the grid shows for the written cell (the trimmed text; `-`/`null` for an empty one). */
  readonly text: string;
  /** True when the cell must read back as a YAML string (not a number, list...). */
  readonly isString: boolean;
}

/** Text starting like a unary test (the loader's rule for input cells). */
export const UNARY_TEST_START = /^(?:[<>=![\]("']|not\b)/u;

/** The YAML source of a cell text; never fails (the caller's guard re-reads the result). */
export function encodeCell(raw: string, options: CellOptions): EncodedCell {
  const text = raw.trim();
  // The loader reads a lone `-` in a row as the text "-" (any, for an input), except as an item
  // of a block list, where it would open a nested list: there it is quoted.
  const dash = options.context === "block-seq" ? quote("-", options.quote()) : "-";
  if (text === "") {
    return options.input ? { yaml: dash, text: "-", isString: true } : { yaml: "null", text: "null", isString: false };
  }
  if (text === "-") return { yaml: dash, text, isString: true };
  const plain = readPlain(text, options.context);
  const asString = (): EncodedCell => ({
    yaml: plain.ok && plain.value === text ? text : quote(text, options.quote()),
    text,
    isString: true,
  });
  if (!plain.ok) return asString();
  const { node } = plain;
  if (isSeq(node) || isMap(node)) {
    // Only a flow collection written by the analyst is one (`a: b` in a block list would be a map).
    if (!/^[[{]/.test(text)) return asString();
    // `[a, b]` is a list of values (one of them, for an input), but `[1..5]` is a range test.
    if (options.input && text.startsWith("[") && text.includes("..")) return asString();
    if (options.input && UNARY_TEST_START.test(text) && !text.startsWith("[")) return asString();
    return { yaml: text, text, isString: false };
  }
  if (options.input && UNARY_TEST_START.test(text)) return asString();
  if (!options.input && text.startsWith("=")) return asString();
  if (isScalar(node) && typeof node.value !== "string") {
    if (options.textColumn()) return asString();
    return { yaml: text, text, isString: false };
  }
  return asString();
}

type PlainRead = { ok: true; node: Node; value: unknown } | { ok: false };

/** How YAML reads `text` written plain in the given context. */
function readPlain(text: string, context: CellContext): PlainRead {
  if (/[\r\n\t]/.test(text)) return { ok: false };
  const probe = {
    "flow-map": `x: { k: ${text} }\n`,
    "flow-seq": `x: [ ${text} ]\n`,
    "block-map": `x:\n  k: ${text}\n`,
    "block-seq": `x:\n  - ${text}\n`,
  }[context];
  const result = loadYaml(probe);
  const doc = result.value;
  if (!doc || result.diagnostics.some((d) => d.severity === "error")) return { ok: false };
  const x = isMap(doc.contents) ? doc.contents.get("x", true) : undefined;
  let node: unknown;
  if (isMap(x)) {
    if (x.items.length !== 1) return { ok: false };
    node = x.get("k", true);
  } else if (isSeq(x)) {
    if (x.items.length !== 1) return { ok: false };
    node = x.items[0];
  }
  if (!node || !(isScalar(node) || isSeq(node) || isMap(node))) return { ok: false };
  return { ok: true, node: node as Node, value: isScalar(node) ? node.value : undefined };
}

/** A quoted YAML scalar for `text`: the preferred quote unless the other one avoids escapes. */
export function quote(text: string, preferred: Quote): string {
  const hasDouble = text.includes('"');
  const hasSingle = text.includes("'");
  const hasBackslash = text.includes("\\");
  let q: Quote = preferred;
  // Control characters need double quotes' escapes; otherwise pick the quote needing no escape.
  if ([...text].some(isControl)) q = '"';
  else if (hasDouble && !hasSingle) q = "'";
  else if (hasSingle && !hasDouble) q = hasBackslash ? "'" : '"';
  else if (hasBackslash) q = "'";
  if (q === "'") return `'${text.replaceAll("'", "''")}'`;
  return `"${escapeDouble(text)}"`;
}

function escapeDouble(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (isControl(ch)) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out;
}

function isControl(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
}
