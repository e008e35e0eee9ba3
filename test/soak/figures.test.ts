/**
 * The soak's judgements as pure functions: the suites as oracle (oracle.ts), the version book that
 * calls a decision incoherent (coherence.ts), and the memory verdict (stats.ts).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/service-process.js";
import { VersionBook } from "./coherence.js";
import { judge, loadOracle } from "./oracle.js";
import { memoryFromMetrics, memoryVerdict, type MemorySample } from "./stats.js";

const MIB = 1024 * 1024;

describe("oracle", () => {
  const cases = loadOracle(join(ROOT, "rules"));
  it("loads every shipped suite's cases, decisions and expected errors", () => {
    expect(new Set(cases.map((c) => c.ruleset))).toEqual(
      new Set(["portal-solicitacoes", "protocolo-status", "reclame-designacao", "reclame-duplicidade", "retencao"]),
    );
    expect(cases.some((c) => c.expectError)).toBe(true);
    expect(cases.filter((c) => c.expect).length).toBeGreaterThan(100);
  });

  it("a decision that differs from the suite is wrong; the expected one is right", () => {
    const c = cases.find((k) => k.expect && typeof k.expect.aceito === "boolean");
    if (!c?.expect) throw new Error("no portal case with aceito");
    expect(judge(c, { status: 200, decision: { ...c.expect }, fired: c.fired ?? [] })).toBeUndefined();
    expect(judge(c, { status: 200, decision: { ...c.expect, aceito: !c.expect.aceito } })).toMatch(/aceito/);
    expect(judge(c, { status: 500, error: { code: "INTERNAL_ERROR" } })).toMatch(/inesperado/);
  });

  it("an expected 400 must carry the code and name the paths", () => {
    const c = cases.find((k) => k.expectError);
    if (!c?.expectError) throw new Error("no error case");
    const details = c.expectError.paths.map((path) => ({ path, message: "x" }));
    expect(judge(c, { status: 400, error: { code: "INVALID_FACTS", details } })).toBeUndefined();
    expect(judge(c, { status: 400, error: { code: "INVALID_FACTS", details: [] } })).toMatch(/não aponta/);
    expect(judge(c, { status: 200, decision: {} })).toMatch(/obteve uma decisão/);
  });
});

describe("version book", () => {
  const book = () => {
    const b = new VersionBook(2000);
    b.record({ version: 1, marker: 1, at: 0, replica: -1, kind: "seed" });
    b.record({ version: 2, marker: 2, at: 1000, replica: 0, kind: "publish" });
    b.record({ version: 3, marker: 1, at: 5000, replica: 1, kind: "rollback" });
    return b;
  };

  it("a marker that is not the version's is incoherent", () => {
    expect(book().check({ version: 2, marker: 1, startedAt: 1500, replica: 0 }).incoherent).toMatch(/marca 2/);
    expect(book().check({ version: 3, marker: 1, startedAt: 5500, replica: 1 }).incoherent).toBeUndefined();
  });

  it("after an ack, the same replica serves the new version at once; another within 2 s", () => {
    expect(book().check({ version: 1, marker: 1, startedAt: 1001, replica: 0 }).incoherent).toMatch(/versão 2/);
    const lagging = book().check({ version: 1, marker: 1, startedAt: 2500, replica: 1 });
    expect(lagging).toEqual({ lagMs: 1500 });
    expect(book().check({ version: 1, marker: 1, startedAt: 3500, replica: 1 }).incoherent).toMatch(/réplica 1/);
    // Started before the ack: the old version is fine.
    expect(book().check({ version: 1, marker: 1, startedAt: 999, replica: 0 })).toEqual({});
  });

  it("a version not yet acknowledged is judged once its marker is known", () => {
    const b = book();
    expect(b.check({ version: 4, marker: 9, startedAt: 6000, replica: 0 }).pending).toBe(true);
    expect(b.pendingVersions()).toEqual([4]);
    b.learn(4, 8);
    expect(b.resolve()).toEqual([expect.stringMatching(/marca 8/)]);
    expect(b.pendingCount()).toBe(0);
  });

  it("counts the published and rolled-back versions decisions saw", () => {
    const b = book();
    b.check({ version: 3, marker: 1, startedAt: 6000, replica: 0 });
    expect([b.seen.publish.size, b.seen.rollback.size]).toEqual([0, 1]);
  });
});

describe("memory verdict", () => {
  const series = (f: (t: number) => number): MemorySample[] =>
    Array.from({ length: 60 }, (_, i) => ({ t: i * 10, rss: f(i * 10), heap: f(i * 10) / 4 }));

  it("flat memory with a GC saw-tooth passes", () => {
    const v = memoryVerdict(
      series((t) => (200 + ((t / 10) % 3) * 8) * MIB),
      600,
    );
    expect(v.judged && v.failed).toBe(false);
  });

  it("steady growth fails, on RSS and on heap", () => {
    const v = memoryVerdict(
      series((t) => (200 + t / 2) * MIB),
      600,
    );
    if (!v.judged) throw new Error(v.reason);
    expect(v.rss.failed).toBe(true);
    expect(v.failed).toBe(true);
  });

  it("the heap is judged by its floor: a 100 MiB saw-tooth passes, a rising floor fails", () => {
    const saw = (floor: (t: number) => number): MemorySample[] =>
      Array.from({ length: 60 }, (_, i) => ({
        t: i * 10,
        rss: 300 * MIB,
        heap: (floor(i * 10) + ((i * 37) % 100)) * MIB,
      }));
    const flat = memoryVerdict(
      saw(() => 40),
      600,
    );
    if (!flat.judged) throw new Error(flat.reason);
    expect(flat.heap.failed).toBe(false);
    const rising = memoryVerdict(
      saw((t) => 40 + t / 5),
      600,
    );
    if (!rising.judged) throw new Error(rising.reason);
    expect(rising.heap.failed).toBe(true);
    expect(rising.rss.failed).toBe(false);
  });

  it("a run too short is not judged, and says so", () => {
    const v = memoryVerdict(series(() => 100 * MIB).slice(0, 2), 20);
    expect(v.judged).toBe(false);
  });

  it("reads RSS and heap from the Prometheus page", () => {
    const text = "# HELP x\nprocess_resident_memory_bytes 123456\nnodejs_heap_size_used_bytes 789\n";
    expect(memoryFromMetrics(text)).toEqual({ rss: 123456, heap: 789 });
  });
});
