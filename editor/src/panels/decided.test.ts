import { describe, expect, it } from "vitest";
import { decidedRows, getDecided, onDecided, setDecided } from "./decided.js";

describe("what decided the last simulation", () => {
  it("finds the table rows among the fired refs, by table", () => {
    const rows = decidedRows(["r:0", "t:designacaoPorServico:8", "x:1", "t:sugestao:0", "t:sugestao:3", "v:2"]);
    expect([...rows.entries()].map(([t, r]) => [t, [...r]])).toEqual([
      ["designacaoPorServico", [8]],
      ["sugestao", [0, 3]],
    ]);
  });

  it("tells its listeners when it changes", () => {
    let calls = 0;
    const off = onDecided(() => calls++);
    setDecided({ ruleset: "x", source: "s", firedRefs: ["t:a:1"] });
    expect(getDecided()?.firedRefs).toEqual(["t:a:1"]);
    off();
    setDecided(undefined);
    expect(calls).toBe(1);
    expect(getDecided()).toBeUndefined();
  });
});
