/**
 * What each fault case counts, and the summary table `npm run faults` ends with (the README's
 * reliability section copies it). A violation is a broken promise (an acknowledged write lost or
 * altered, a temp file left, a decision not served by the active version, a request taken and not
 * answered...); each is kept with a sentence saying what was seen, and the run fails on any.
 */
export interface CaseFigures {
  readonly name: string;
  rounds: number;
  /** Faults injected: kills, fills, remounts, SIGTERMs, database stops. */
  faults: number;
  /** Writes answered 201. */
  acknowledged: number;
  /** Versions committed whose 201 never reached the client (rolled forward; allowed). */
  unacknowledgedCommitted: number;
  lost: number;
  corrupt: number;
  leftoverTemp: number;
  decisions: number;
  decisionsFailed: number;
  readonly violations: string[];
  /** Why the case did not run (mount not permitted, PostgreSQL absent or not wired in). */
  skipped?: string;
  readonly notes: string[];
}

export function emptyFigures(name: string): CaseFigures {
  return {
    name,
    rounds: 0,
    faults: 0,
    acknowledged: 0,
    unacknowledgedCommitted: 0,
    lost: 0,
    corrupt: 0,
    leftoverTemp: 0,
    decisions: 0,
    decisionsFailed: 0,
    violations: [],
    notes: [],
  };
}

/** Records a violation (and prints it at once through `log`). */
export function violation(f: CaseFigures, message: string, log?: (line: string) => void): void {
  f.violations.push(message);
  log?.(`  VIOLATION [${f.name}] ${message}`);
}

const COLUMNS = [
  "case",
  "rounds",
  "faults injected",
  "acknowledged writes",
  "unacked but committed",
  "lost",
  "corrupt",
  "leftover temp files",
  "decisions (failed)",
  "violations",
] as const;

/** A Markdown table of the cases (a skipped one's reason is printed below the table: `skipReasons`). */
export function summaryTable(cases: readonly CaseFigures[]): string {
  const rows = cases.map((c) =>
    c.skipped !== undefined
      ? [c.name, "skipped", "", "", "", "", "", "", "", ""]
      : [
          c.name,
          String(c.rounds),
          String(c.faults),
          String(c.acknowledged),
          String(c.unacknowledgedCommitted),
          String(c.lost),
          String(c.corrupt),
          String(c.leftoverTemp),
          `${c.decisions} (${c.decisionsFailed})`,
          String(c.violations.length),
        ],
  );
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(COLUMNS), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** One line per skipped case, with its reason. */
export function skipReasons(cases: readonly CaseFigures[]): string[] {
  return cases.filter((c) => c.skipped !== undefined).map((c) => `${c.name} skipped: ${c.skipped}`);
}
