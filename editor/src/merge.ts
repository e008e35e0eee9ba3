/**
 * Re-applying a draft on a newer published version (a publish answered 409: someone published
 * meanwhile): a three-way merge by lines of the version the draft started from (`base`), the draft
 * (`mine`) and the new active version (`theirs`). Changes to different lines are both kept; changes
 * to the same lines are a conflict, and the draft is then left as it is for the analyst to compare
 * in the diff.
 */

interface Hunk {
  /** Base lines [start, end) replaced by `lines`. */
  readonly start: number;
  readonly end: number;
  readonly lines: readonly string[];
}

export type MergeResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly conflicts: number };

/** Largest line-table the merge computes (lines of base × lines of the other side, after trimming). */
const MAX_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The hunks that turn `a` into `b` (longest common subsequence of lines), or undefined when too large. */
function diff(a: readonly string[], b: readonly string[]): Hunk[] | undefined {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  if (n === 0 && m === 0) return [];
  if (n * m > MAX_CELLS) return undefined;
  // lcs[i][j]: length of the LCS of a[pre+i..] and b[pre+j..] (flattened, (n+1) × (m+1)).
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * w + j] =
        a[pre + i] === b[pre + j]
          ? (lcs[(i + 1) * w + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * w + j] as number, lcs[i * w + j + 1] as number);
  const hunks: Hunk[] = [];
  let i = 0;
  let j = 0;
  let start: { i: number; j: number } | undefined;
  const close = () => {
    if (start) hunks.push({ start: pre + start.i, end: pre + i, lines: b.slice(pre + start.j, pre + j) });
    start = undefined;
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[pre + i] === b[pre + j]) {
      close();
      i++;
      j++;
    } else {
      start ??= { i, j };
      if (j < m && (i === n || (lcs[i * w + j + 1] as number) >= (lcs[(i + 1) * w + j] as number))) j++;
      else i++;
    }
  }
  close();
  return hunks;
}

function sameHunk(x: Hunk, y: Hunk): boolean {
  return (
    x.start === y.start &&
    x.end === y.end &&
    x.lines.length === y.lines.length &&
    x.lines.every((l, k) => l === y.lines[k])
  );
}

function overlap(x: Hunk, y: Hunk): boolean {
  if (x.start === x.end && y.start === y.end) return x.start === y.start;
  return x.start < y.end && y.start < x.end;
}

export function merge3(base: string, mine: string, theirs: string): MergeResult {
  if (mine === base) return { ok: true, text: theirs };
  if (theirs === base || theirs === mine) return { ok: true, text: mine };
  const b = splitLines(base);
  const ours = diff(b, splitLines(mine));
  const other = diff(b, splitLines(theirs));
  if (!ours || !other) return { ok: false, conflicts: 1 };
  let conflicts = 0;
  const kept: Hunk[] = [...ours];
  for (const h of other) {
    const clash = ours.filter((o) => overlap(o, h));
    if (clash.length === 0) kept.push(h);
    else if (!clash.every((o) => sameHunk(o, h))) conflicts++;
  }
  if (conflicts > 0) return { ok: false, conflicts };
  kept.sort((x, y) => x.start - y.start || x.end - y.end);
  const out: string[] = [];
  let at = 0;
  for (const h of kept) {
    out.push(...b.slice(at, h.start), ...h.lines);
    at = Math.max(at, h.end);
  }
  out.push(...b.slice(at));
  return { ok: true, text: out.join("") };
}
