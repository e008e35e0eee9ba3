/**
 * Exact source offsets of the characters of string scalars (`scalarValueOffsets`), so that an
 * error inside a DSL expression written in a YAML value points to the exact line:column of the
 * file. Mirrors, style by style, how yaml 2.9.0 resolves plain (line folding), single-quoted,
 * double-quoted (escapes) and block (`|`, `>`, chomping) scalars, with an `OffsetBuilder` that
 * records the source offset of each produced character.
 */
import type { CST, Scalar } from "yaml";
import { assertNever } from "../exhaustive.js";

/**
 * For a string scalar, `map[i]` is the offset in `text` (UTF-16 code units) of the source
 * character that produced `String(node.value)[i]`; `map[value.length]` is the offset just past
 * the last source character of the value (or the start of the content for an empty value).
 *
 * Characters produced by an escape (`\"`, `\u00e9`, `''`) map to the start of the escape; spaces
 * and newlines produced by line folding map to the line break they replace; characters copied
 * verbatim map to themselves. The map is non-decreasing.
 *
 * The mapping replicates, step by step, how yaml 2.9.0 resolves each scalar style (see
 * `compose/resolve-flow-scalar.js` and `compose/resolve-block-scalar.js`) and is verified against
 * the composed value; if it ever disagrees (a yaml change, or `text` is not the parsed text) a
 * coarse map clamped to the scalar's range is returned instead of a wrong exact one.
 * Works best on nodes composed with `keepSourceTokens` (as `loadYaml` does).
 */
export function scalarValueOffsets(node: Scalar, text: string): number[] {
  const expected = String(node.value);
  try {
    for (const token of candidateTokens(node, text)) {
      const mapped = mapToken(token);
      if (mapped && mapped.value === expected) return mapped.map;
    }
  } catch {
    // fall through to the coarse map
  }
  return coarseMap(node, expected, text);
}

interface Mapped {
  readonly value: string;
  /** Length value.length + 1. */
  readonly map: number[];
}

/** Accumulates produced characters with the source offset of each. */
class OffsetBuilder {
  private readonly parts: string[] = [];
  readonly starts: number[] = [];
  /** End offset of the source span of the last produced character. */
  end: number;

  constructor(contentStart: number) {
    this.end = contentStart;
  }

  /** Characters copied verbatim from source offset `at`. */
  copy(s: string, at: number): void {
    if (s.length === 0) return;
    this.parts.push(s);
    for (let k = 0; k < s.length; k++) this.starts.push(at + k);
    this.end = at + s.length;
  }

  /** Characters produced by one source construct spanning `[start, end)`. */
  produce(s: string, start: number, end: number): void {
    if (s.length === 0) return;
    this.parts.push(s);
    for (let k = 0; k < s.length; k++) this.starts.push(start);
    this.end = end;
  }

  /** Like `produce`, with one start per character. */
  produceEach(s: string, starts: readonly number[], end: number): void {
    if (s.length === 0) return;
    this.parts.push(s);
    for (let k = 0; k < s.length; k++) this.starts.push(starts[k] ?? starts[starts.length - 1] ?? end);
    this.end = end;
  }

  get value(): string {
    return this.parts.join("");
  }

  finish(): Mapped {
    return { value: this.value, map: [...this.starts, this.end] };
  }
}

type ScalarToken = CST.FlowScalar | CST.BlockScalar;

function isScalarToken(t: unknown): t is ScalarToken {
  if (typeof t !== "object" || t === null) return false;
  const type = (t as { type?: unknown }).type;
  return (
    type === "scalar" || type === "single-quoted-scalar" || type === "double-quoted-scalar" || type === "block-scalar"
  );
}

/**
 * The CST token of the node, checked against `text`; without one (a document parsed without
 * `keepSourceTokens`), tokens rebuilt from the node's range (for block scalars one per candidate
 * parent indentation, since the indentation is not recorded on the node).
 */
function* candidateTokens(node: Scalar, text: string): Generator<ScalarToken> {
  const src: unknown = node.srcToken;
  if (isScalarToken(src)) {
    if (tokenMatchesText(src, text)) yield src;
    return;
  }
  const range = node.range;
  if (!range) return;
  const [start, valueEnd] = range;
  switch (node.type) {
    case "PLAIN":
      yield { type: "scalar", offset: start, indent: 0, source: text.slice(start, valueEnd) };
      return;
    case "QUOTE_SINGLE":
      yield { type: "single-quoted-scalar", offset: start, indent: 0, source: text.slice(start, valueEnd) };
      return;
    case "QUOTE_DOUBLE":
      yield { type: "double-quoted-scalar", offset: start, indent: 0, source: text.slice(start, valueEnd) };
      return;
    case "BLOCK_LITERAL":
    case "BLOCK_FOLDED": {
      const header = /^[|>][^ \t\r\n#]*/.exec(text.slice(start, valueEnd))?.[0];
      if (!header) return;
      const rest = /^[^\r\n]*(?:\r\n|\r|\n)?/.exec(text.slice(start + header.length, valueEnd))?.[0] ?? "";
      const props: CST.Token[] = [{ type: "block-scalar-header", offset: start, indent: 0, source: header }];
      if (rest) props.push({ type: "space", offset: start + header.length, indent: 0, source: rest });
      const source = text.slice(start + header.length + rest.length, valueEnd);
      for (let indent = -1; indent <= 100; indent++)
        yield { type: "block-scalar", offset: start, indent, props, source };
      return;
    }
    case undefined:
      // A scalar built in code, not parsed: nothing to rebuild (the caller falls back to a coarse map).
      return;
    default:
      assertNever(node.type, "scalar node type");
  }
}

function tokenMatchesText(token: ScalarToken, text: string): boolean {
  if (token.type !== "block-scalar") return text.startsWith(token.source, token.offset);
  let at = token.offset;
  for (const p of token.props) {
    const s = (p as { source?: unknown }).source;
    if (typeof s !== "string") continue;
    if (!text.startsWith(s, at)) return false;
    at += s.length;
  }
  return text.startsWith(token.source, at);
}

function mapToken(token: ScalarToken): Mapped | undefined {
  switch (token.type) {
    case "scalar":
      return foldLinesMapped(token.source, token.offset).finish();
    case "single-quoted-scalar":
      return singleQuotedMapped(token);
    case "double-quoted-scalar":
      return doubleQuotedMapped(token);
    case "block-scalar":
      return blockScalarMapped(token);
    case "alias":
      return undefined;
    default:
      return assertNever(token, "scalar token");
  }
}

function coarseMap(node: Scalar, value: string, text: string): number[] {
  const range = node.range ?? [0, 0, 0];
  let start = Math.max(0, Math.min(range[0], text.length));
  let end = Math.max(start, Math.min(range[1], text.length));
  if ((node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") && end - start >= 2) {
    start += 1;
    end -= 1;
  }
  const map: number[] = [];
  for (let i = 0; i < value.length; i++) map.push(Math.min(start + i, end));
  map.push(end);
  return map;
}

// Same expressions as yaml's foldLines (with its fallback where lookbehind is unsupported), plus
// the `d` flag for group offsets.
const FOLD_REGEXPS = ((): { first: RegExp; line: RegExp } => {
  try {
    return {
      first: /(.*?)(?<![ \t])[ \t]*\r?\n/dsy,
      line: /[ \t]*(.*?)(?:(?<![ \t])[ \t]*)?\r?\n/dsy,
    };
  } catch {
    return { first: /(.*?)[ \t]*\r?\n/dsy, line: /[ \t]*(.*?)[ \t]*\r?\n/dsy };
  }
})();

/** Offset (relative to the match's string) where the line break that ends `match` starts. */
function breakStartOf(match: RegExpExecArray): number {
  const m = match[0];
  return match.index + m.length - (m.endsWith("\r\n") ? 2 : 1);
}

/** Mirror of yaml's `foldLines(source)` for source starting at offset `base`. */
function foldLinesMapped(source: string, base: number): OffsetBuilder {
  const b = new OffsetBuilder(base);
  const first = new RegExp(FOLD_REGEXPS.first.source, FOLD_REGEXPS.first.flags);
  const line = new RegExp(FOLD_REGEXPS.line.source, FOLD_REGEXPS.line.flags);
  let match = first.exec(source);
  if (!match) {
    b.copy(source, base);
    return b;
  }
  b.copy(match[1] ?? "", base);
  // The pending separator: what the last line break folds into, and where that break is.
  let sep = " ";
  let sepStart = base + breakStartOf(match);
  let sepEnd = base + first.lastIndex;
  let pos = first.lastIndex;
  line.lastIndex = pos;
  for (match = line.exec(source); match; match = line.exec(source)) {
    const brkStart = base + breakStartOf(match);
    const brkEnd = base + line.lastIndex;
    const content = match[1] ?? "";
    if (content === "") {
      if (sep === "\n") b.produce("\n", sepStart, sepEnd);
      else sep = "\n";
    } else {
      b.produce(sep, sepStart, sepEnd);
      b.copy(content, base + (match.indices?.[1]?.[0] ?? 0));
      sep = " ";
    }
    sepStart = brkStart;
    sepEnd = brkEnd;
    pos = line.lastIndex;
  }
  const last = /[ \t]*(.*)/dsy;
  last.lastIndex = pos;
  const lastMatch = last.exec(source);
  b.produce(sep, sepStart, sepEnd);
  if (lastMatch) b.copy(lastMatch[1] ?? "", base + (lastMatch.indices?.[1]?.[0] ?? pos));
  return b;
}

/** Mirror of yaml's `singleQuotedValue`: fold the inner text, then `''` → `'`. */
function singleQuotedMapped(token: CST.FlowScalar): Mapped {
  const inner = token.source.slice(1, -1);
  const folded = foldLinesMapped(inner, token.offset + 1);
  const value = folded.value;
  const starts = folded.starts;
  const b = new OffsetBuilder(token.offset + 1);
  for (let k = 0; k < value.length; k++) {
    const at = starts[k] ?? 0;
    if (value[k] === "'" && value[k + 1] === "'") {
      b.produce("'", at, (starts[k + 1] ?? at) + 1);
      k++;
    } else if (k === value.length - 1) {
      // Keep the original span end for the last character (it may be a folded line break).
      b.produce(value[k] ?? "", at, folded.end);
    } else {
      b.copy(value[k] ?? "", at);
    }
  }
  if (value.length === 0) b.end = folded.end;
  return b.finish();
}

const DQ_ESCAPES = new Map<string, string>([
  ["0", "\0"],
  ["a", "\x07"],
  ["b", "\b"],
  ["e", "\x1b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
  ["v", "\v"],
  ["N", "\u0085"],
  ["_", "\u00a0"],
  ["L", "\u2028"],
  ["P", "\u2029"],
  [" ", " "],
  ['"', '"'],
  ["/", "/"],
  ["\\", "\\"],
  ["\t", "\t"],
]);

/** Mirror of yaml's `doubleQuotedValue` (source includes the quotes). */
function doubleQuotedMapped(token: CST.FlowScalar): Mapped {
  const source = token.source;
  const base = token.offset;
  const b = new OffsetBuilder(base + 1);
  for (let i = 1; i < source.length - 1; ++i) {
    const ch = source[i] ?? "";
    if (ch === "\r" && source[i + 1] === "\n") continue;
    if (ch === "\n") {
      // foldNewline: a single break folds to a space, N breaks to N - 1 newlines.
      const brkStart = source[i - 1] === "\r" ? i - 1 : i;
      let fold = "";
      const foldStarts: number[] = [];
      let offset = i;
      let c = source[offset + 1];
      while (c === " " || c === "\t" || c === "\n" || c === "\r") {
        if (c === "\r" && source[offset + 2] !== "\n") break;
        if (c === "\n") {
          fold += "\n";
          foldStarts.push(base + (source[offset] === "\r" ? offset : offset + 1));
        }
        offset += 1;
        c = source[offset + 1];
      }
      if (fold) b.produceEach(fold, foldStarts, base + offset + 1);
      else b.produce(" ", base + brkStart, base + i + 1);
      i = offset;
    } else if (ch === "\\") {
      const escStart = i;
      let next = source[++i];
      const cc = next === undefined ? undefined : DQ_ESCAPES.get(next);
      if (cc) {
        b.produce(cc, base + escStart, base + i + 1);
      } else if (next === "\n") {
        next = source[i + 1];
        while (next === " " || next === "\t") next = source[++i + 1];
      } else if (next === "\r" && source[i + 1] === "\n") {
        next = source[++i + 1];
        while (next === " " || next === "\t") next = source[++i + 1];
      } else if (next === "x" || next === "u" || next === "U") {
        const length = next === "x" ? 2 : next === "u" ? 4 : 8;
        const hex = source.substr(i + 1, length);
        const ok = hex.length === length && /^[0-9a-fA-F]+$/.test(hex);
        const code = ok ? parseInt(hex, 16) : NaN;
        let produced: string | undefined;
        try {
          produced = String.fromCodePoint(code);
        } catch {
          produced = undefined;
        }
        if (produced !== undefined)
          b.produce(produced, base + escStart, base + Math.min(i + 1 + length, source.length));
        else b.copy(source.substr(i - 1, length + 2), base + i - 1);
        i += length;
      } else {
        b.copy(source.substr(i - 1, 2), base + i - 1);
      }
    } else if (ch === " " || ch === "\t") {
      // Trailing white space before a line break is trimmed.
      const wsStart = i;
      let next = source[i + 1];
      while (next === " " || next === "\t") next = source[++i + 1];
      if (next !== "\n" && !(next === "\r" && source[i + 2] === "\n"))
        b.copy(source.slice(wsStart, i + 1), base + wsStart);
    } else {
      b.copy(ch, base + i);
    }
  }
  return b.finish();
}

/** Mirror of yaml's `resolveBlockScalar`. */
function blockScalarMapped(token: CST.BlockScalar): Mapped | undefined {
  const header = token.props[0];
  if (header?.type !== "block-scalar-header") return undefined;
  const hs = header.source;
  const mode = hs[0];
  let explicitIndent = 0;
  let chomp = "";
  for (let i = 1; i < hs.length; ++i) {
    const ch = hs[i] ?? "";
    if (!chomp && (ch === "-" || ch === "+")) chomp = ch;
    else {
      const n = Number(ch);
      if (!explicitIndent && n) explicitIndent = n;
    }
  }
  let headerLength = 0;
  for (const p of token.props) {
    const s = (p as { source?: unknown }).source;
    if (typeof s === "string") headerLength += s.length;
  }
  const contentBase = token.offset + headerLength;
  const source = token.source ?? "";
  const b = new OffsetBuilder(contentBase);

  // splitLines, with the offset (relative to source) where each line starts.
  const lines: { indent: string; content: string; at: number }[] = [];
  if (source) {
    const split = source.split(/\n( *)/);
    const firstLine = split[0] ?? "";
    const m = /^( *)/.exec(firstLine);
    const firstIndent = m?.[1] ?? "";
    lines.push(
      firstIndent
        ? { indent: firstIndent, content: firstLine.slice(firstIndent.length), at: 0 }
        : { indent: "", content: firstLine, at: 0 },
    );
    for (let i = 1; i < split.length; i += 2) {
      const prev = lines[lines.length - 1]!;
      lines.push({
        indent: split[i] ?? "",
        content: split[i + 1] ?? "",
        at: prev.at + prev.indent.length + prev.content.length + 1,
      });
    }
  }
  const sourceEnd = contentBase + source.length;
  const brkStart = (k: number): number => {
    const l = lines[k];
    if (!l) return sourceEnd;
    const crlf = l.content.endsWith("\r");
    return Math.min(contentBase + l.at + l.indent.length + l.content.length - (crlf ? 1 : 0), sourceEnd);
  };
  const brkEnd = (k: number): number => {
    const l = lines[k];
    if (!l) return sourceEnd;
    return Math.min(contentBase + l.at + l.indent.length + l.content.length + 1, sourceEnd);
  };

  let chompStart = lines.length;
  for (let i = lines.length - 1; i >= 0; --i) {
    const content = lines[i]!.content;
    if (content === "" || content === "\r") chompStart = i;
    else break;
  }
  if (chompStart === 0) {
    if (chomp === "+" && lines.length > 0) {
      const n = Math.max(1, lines.length - 1);
      for (let k = 0; k < n; k++) b.produce("\n", brkStart(k), brkEnd(k));
    }
    return b.finish();
  }

  let trimIndent = token.indent + explicitIndent;
  let contentStart = 0;
  for (let i = 0; i < chompStart; ++i) {
    const { indent, content } = lines[i]!;
    if (content === "" || content === "\r") {
      if (explicitIndent === 0 && indent.length > trimIndent) trimIndent = indent.length;
    } else {
      if (explicitIndent === 0) trimIndent = indent.length;
      contentStart = i;
      break;
    }
  }
  for (let i = lines.length - 1; i >= chompStart; --i) {
    if (lines[i]!.indent.length > trimIndent) chompStart = i + 1;
  }

  const folded = mode === ">";
  let sep = "";
  let sepStart = contentBase;
  let sepEnd = contentBase;
  let prevMoreIndented = false;
  const emitSep = (): void => b.produce(sep, sepStart, sepEnd);

  for (let i = 0; i < contentStart; ++i) {
    const l = lines[i]!;
    b.copy(l.indent.slice(trimIndent), contentBase + l.at + trimIndent);
    b.produce("\n", brkStart(i), brkEnd(i));
  }
  for (let i = contentStart; i < chompStart; ++i) {
    const l = lines[i]!;
    let indent = l.indent;
    let content = l.content;
    const contentAt = contentBase + l.at + l.indent.length;
    if (content.endsWith("\r")) content = content.slice(0, -1);
    if (content && indent.length < trimIndent) indent = "";
    const indentAt = contentBase + l.at + trimIndent;
    if (!folded) {
      emitSep();
      b.copy(indent.slice(trimIndent), indentAt);
      b.copy(content, contentAt);
      sep = "\n";
    } else if (indent.length > trimIndent || content[0] === "\t") {
      if (sep === " ") sep = "\n";
      else if (!prevMoreIndented && sep === "\n") sep = "\n\n";
      emitSep();
      b.copy(indent.slice(trimIndent), indentAt);
      b.copy(content, contentAt);
      sep = "\n";
      prevMoreIndented = true;
    } else if (content === "") {
      if (sep === "\n") emitSep();
      else sep = "\n";
    } else {
      emitSep();
      b.copy(content, contentAt);
      sep = " ";
      prevMoreIndented = false;
    }
    sepStart = brkStart(i);
    sepEnd = brkEnd(i);
  }
  switch (chomp) {
    case "-":
      break;
    case "+": {
      for (let i = chompStart; i < lines.length; ++i) {
        b.produce("\n", brkStart(i - 1), brkEnd(i - 1));
        const l = lines[i]!;
        b.copy(l.indent.slice(trimIndent), contentBase + l.at + trimIndent);
      }
      if (!b.value.endsWith("\n")) b.produce("\n", brkStart(lines.length - 1), brkEnd(lines.length - 1));
      break;
    }
    default:
      b.produce("\n", brkStart(chompStart - 1), brkEnd(chompStart - 1));
  }
  return b.finish();
}
