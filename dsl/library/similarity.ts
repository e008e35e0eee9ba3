/**
 * Nearest texts for "você quis dizer" answers: a comparison key that ignores case, accents,
 * the kind of dash and spacing, then the optimal-string-alignment (Damerau–Levenshtein) distance
 * between keys, relative to the longer key. Pure and bounded (browser-safe, no dependencies).
 */

/** Relative distance above which a candidate is unrelated (0 = same key, 1 = nothing in common). */
export const CLOSEST_THRESHOLD = 0.4;

/** Longest key compared (code points); longer texts get no suggestions. */
export const CLOSEST_MAX_LENGTH = 200;

const DASHES = /[\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D]/gu;

/** The comparison key of a text: NFD without combining marks, lower case, `-` for every dash, single spaces, trimmed. */
export function similarityKey(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(DASHES, "-").replace(/\s+/gu, " ").trim();
}

/** Optimal string alignment distance (insertions, deletions, substitutions, adjacent swaps) between code-point arrays. */
export function osaDistance(a: readonly string[], b: readonly string[]): number {
  const m = a.length;
  const n = b.length;
  let before: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] as number) + 1);
      cur[j] = d;
    }
    before = prev;
    prev = cur;
  }
  return prev[n] as number;
}

/**
 * Up to `n` candidates nearest to `text`, closest first (equal distances keep the candidates'
 * order), leaving out repeated candidates and those farther than CLOSEST_THRESHOLD.
 */
export function closest(text: string, candidates: readonly string[], n: number): string[] {
  const key = [...similarityKey(text)];
  if (key.length === 0 || key.length > CLOSEST_MAX_LENGTH || n <= 0) return [];
  const found: { candidate: string; distance: number; index: number }[] = [];
  const seen = new Set<string>();
  candidates.forEach((candidate, index) => {
    if (seen.has(candidate)) return;
    seen.add(candidate);
    const other = [...similarityKey(candidate)];
    const longer = Math.max(key.length, other.length);
    if (other.length === 0 || other.length > CLOSEST_MAX_LENGTH) return;
    // The length difference is a lower bound of the distance: skip the work when it is already too far.
    if (Math.abs(key.length - other.length) / longer > CLOSEST_THRESHOLD) return;
    const distance = osaDistance(key, other) / longer;
    if (distance <= CLOSEST_THRESHOLD) found.push({ candidate, distance, index });
  });
  found.sort((x, y) => x.distance - y.distance || x.index - y.index);
  return found.slice(0, n).map((f) => f.candidate);
}
