/**
 * The single boundary where source offsets become 1-based line/column positions (for JSON, the
 * CLI and Monaco). Columns count UTF-16 code units, as Monaco and LSP do. CRLF and lone CR count
 * as one line break each.
 */
import type { Diagnostic, Range } from "./diagnostics.js";

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface LineIndex {
  /** 1-based line/column of an offset (clamped into the text). */
  toPosition(offset: number): Position;
  /** Offset of a 1-based line/column (clamped into the text). */
  toOffset(position: Position): number;
}

/** Builds a line index of `text`. O(n) once, O(log lines) per lookup. */
export function createLineIndex(text: string): LineIndex {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return {
    toPosition(offset: number): Position {
      const o = Math.max(0, Math.min(offset, text.length));
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] ?? 0) <= o) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo + 1, column: o - (starts[lo] ?? 0) + 1 };
    },
    toOffset(position: Position): number {
      const lineStart = starts[Math.max(0, Math.min(position.line - 1, starts.length - 1))] ?? 0;
      return Math.max(0, Math.min(lineStart + position.column - 1, text.length));
    },
  };
}

/** A diagnostic as it crosses the wire: 1-based, end exclusive column (Monaco's convention). */
export interface LocatedDiagnostic {
  readonly severity: Diagnostic["severity"];
  readonly code: Diagnostic["code"];
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** Other places the diagnostic is about (the row that shadows this one, the rule that writes first). */
  readonly related?: readonly {
    readonly message: string;
    readonly line: number;
    readonly column: number;
    readonly endLine: number;
    readonly endColumn: number;
  }[];
}

export function locateRange(
  index: LineIndex,
  range: Range,
): { line: number; column: number; endLine: number; endColumn: number } {
  const start = index.toPosition(range.start);
  const end = index.toPosition(Math.max(range.end, range.start));
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

/** Converts diagnostics of `text` to their wire form. */
export function locateDiagnostics(text: string, diagnostics: readonly Diagnostic[]): LocatedDiagnostic[] {
  const index = createLineIndex(text);
  return diagnostics.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...locateRange(index, d.range),
    ...(d.related?.length
      ? { related: d.related.map((r) => ({ message: r.message, ...locateRange(index, r.range) })) }
      : {}),
  }));
}
