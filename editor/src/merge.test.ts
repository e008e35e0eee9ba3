import { describe, expect, it } from "vitest";
import { merge3 } from "./merge.js";

const base = ["a: 1", "b: 2", "c: 3", "d: 4", "e: 5", ""].join("\n");

describe("merge3 (re-applying a draft on a newer active version)", () => {
  it("keeps both sides' changes to different lines", () => {
    const mine = base.replace("b: 2", "b: 20");
    const theirs = base.replace("e: 5", "e: 50\nf: 6");
    expect(merge3(base, mine, theirs)).toEqual({
      ok: true,
      text: ["a: 1", "b: 20", "c: 3", "d: 4", "e: 50", "f: 6", ""].join("\n"),
    });
  });

  it("insertions and deletions on both sides", () => {
    const mine = base.replace("c: 3\n", "");
    const theirs = `# topo\n${base}`;
    expect(merge3(base, mine, theirs)).toEqual({ ok: true, text: `# topo\n${mine}` });
  });

  it("the same change on both sides is taken once", () => {
    const both = base.replace("d: 4", "d: 40");
    expect(merge3(base, both, both.replace("a: 1", "a: 10"))).toEqual({
      ok: true,
      text: both.replace("a: 1", "a: 10"),
    });
  });

  it("changes to the same lines conflict", () => {
    expect(merge3(base, base.replace("c: 3", "c: 30"), base.replace("c: 3", "c: 31"))).toEqual({
      ok: false,
      conflicts: 1,
    });
    // two insertions at the same place, different text
    expect(merge3(base, base.replace("b: 2\n", "b: 2\nx: 1\n"), base.replace("b: 2\n", "b: 2\ny: 1\n")).ok).toBe(false);
  });

  it("trivial cases: nothing changed on one side", () => {
    const changed = base.replace("a: 1", "a: 2");
    expect(merge3(base, base, changed)).toEqual({ ok: true, text: changed });
    expect(merge3(base, changed, base)).toEqual({ ok: true, text: changed });
    expect(merge3(base, changed, changed)).toEqual({ ok: true, text: changed });
  });

  it("a text without a final line break", () => {
    expect(merge3("a\nb\nc", "A\nb\nc", "a\nb\nC")).toEqual({ ok: true, text: "A\nb\nC" });
  });
});
