import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../dsl/compile/pipeline.js";
import { createLineIndex } from "../../dsl/positions.js";
import { firedRanges } from "./fired.js";

const RULES = join(import.meta.dirname, "../../rules");

describe("where fired items are written", () => {
  it("finds every rule, table row, validation and allowed transition of the shipped rule sets where the compiler put it", () => {
    let checked = 0;
    for (const file of readdirSync(RULES).filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))) {
      const source = readFileSync(join(RULES, file), "utf8");
      const { compiled, model } = compileSource(source);
      if (!compiled || !model) throw new Error(`${file} does not compile`);
      const index = createLineIndex(source);
      for (const rule of compiled.rules) {
        const ref = rule.event.params.ref;
        if (!/^(r:\d+|t:.+:\d+|v:\d+|x:\d+)$/.test(ref)) continue;
        const at = compiled.sourceMap[ref];
        const starts = firedRanges(model, [rule.name]).map((r) => index.toPosition(r.start));
        expect(starts, `${file} ${ref} ${rule.name}`).toContainEqual({ line: at?.line, column: at?.column });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  }, 60_000);

  it("skips names no item has", () => {
    const { model } = compileSource(
      "ruleset: x\noutputs:\n  ok: { type: boolean }\nrules:\n  - name: a\n    then: [ok = true]\n",
    );
    expect(firedRanges(model!, ["a", "b"]).length).toBe(1);
  });
});
