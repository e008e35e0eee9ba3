/**
 * What decided the last simulation, shared by the simulate panel (which writes it) and the table
 * grid (which marks the decided rows): the fired refs of the decision and the draft text they
 * belong to. A module-level store, so that it survives switching tabs; the grid shows it only
 * while the draft is still the text that was simulated.
 */

export interface Decided {
  /** The rule set simulated. */
  readonly ruleset: string;
  /** The draft text the decision was made on. */
  readonly source: string;
  /** Stable ids of what fired (`r:0` rule, `t:tabela:3` table row, `x:1` transition...). */
  readonly firedRefs: readonly string[];
}

let decided: Decided | undefined;
const listeners = new Set<() => void>();

/** Records (or clears) what decided the last simulation. */
export function setDecided(value: Decided | undefined): void {
  decided = value;
  for (const l of [...listeners]) l();
}

export function getDecided(): Decided | undefined {
  return decided;
}

/** Calls `listener` whenever the decided refs change; returns the unsubscribe function. */
export function onDecided(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The table rows among fired refs (`t:<table>:<row>`), by table name (row indexes are 0-based). */
export function decidedRows(firedRefs: readonly string[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const ref of firedRefs) {
    const m = /^t:(.+):(\d+)$/.exec(ref);
    if (!m) continue;
    const table = m[1] as string;
    const rows = out.get(table) ?? new Set<number>();
    rows.add(Number(m[2]));
    out.set(table, rows);
  }
  return out;
}
