/**
 * Smoke test of the benchmark harness (test/bench/harness.ts): run with a tiny budget, it writes
 * the results JSON with every in-process workload and peer. Timings are not checked (figures, not
 * assertions); HTTP is left out here (BENCH_HTTP_SECONDS=0) to keep the suite light.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("benchmark harness", () => {
  it("writes every workload and peer to the results JSON", { timeout: 240_000 }, () => {
    const out = join(mkdtempSync(join(tmpdir(), "bench-smoke-")), "results.json");
    execFileSync(process.execPath, ["--import", "tsx", join(ROOT, "test", "bench", "harness.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        BENCH_MS: "1",
        BENCH_MAX_ITER: "3",
        BENCH_SIZES: "150",
        BENCH_HTTP_SECONDS: "0",
        BENCH_OUT: out,
      },
      stdio: "pipe",
    });
    const results = JSON.parse(readFileSync(out, "utf8")) as {
      decisions: { workload: string; peer: string; iterations: number }[];
      mismatches: string[];
      compile: Record<string, number>;
      targets: unknown[];
      decisionLog: { records: number; decideUs: number; recordUs: number; flushUs: number } | null;
    };
    // The decision log's cost is measured (figures, not asserted): every record was written.
    expect(results.decisionLog?.records).toBeGreaterThanOrEqual(100);
    expect(results.decisionLog?.flushUs).toBeGreaterThan(0);
    const pairs = new Set(results.decisions.map((d) => `${d.workload} ${d.peer}`));
    for (const table of ["designation-15", "synthetic-150"])
      for (const peer of ["project", "json-rules-engine", "zen-engine", "map"])
        expect(pairs).toContain(`${table} ${peer}`);
    for (const name of [
      "portal-solicitacoes",
      "protocolo-status",
      "reclame-designacao",
      "reclame-duplicidade",
      "retencao",
    ])
      expect(pairs).toContain(`ruleset:${name} project`);
    expect(pairs).toContain("reclame-duplicidade-10 project");
    expect(pairs).toContain("reclame-duplicidade-1000 project");
    expect(results.decisions.every((d) => d.iterations >= 3)).toBe(true);
    expect(results.mismatches).toEqual([]);
    expect(Object.keys(results.compile)).toContain("synthetic-150 compile+check");
    expect(results.targets.length).toBeGreaterThan(0);
  });
});
