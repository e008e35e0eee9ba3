/**
 * Architectural rules a newcomer could break without noticing: the language and the runtime run in
 * a browser (no Node modules), domain knowledge lives in rules/ only, and the generated CST types
 * match the grammar.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateFunctionDocs } from "../dsl/library/docs.js";
import { generateCstTypes } from "../dsl/syntax/cst-types.js";

const root = new URL("..", import.meta.url).pathname;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe("architecture", () => {
  it("dsl/ and engine/ import no Node module (they run in the editor's worker)", () => {
    const offenders = [...sources("dsl"), ...sources("engine"), ...sources("tester")].filter((f) => /from\s+["'](node:|fs|path|os|child_process|crypto)["']/.test(readFileSync(join(root, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("no domain value is hard-coded in the engine or the language", () => {
    const domain = /GIPES|CEPES|2_NIVEL_CAIXA|Reclamação|Credenciado|Beneficiário|RECLAME/;
    const offenders = [...sources("dsl"), ...sources("engine")].filter((f) => domain.test(readFileSync(join(root, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("rule text never becomes code", () => {
    const offenders = [...sources("dsl"), ...sources("engine")].filter((f) => /\beval\(|new Function\(/.test(readFileSync(join(root, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the generated CST types match the grammar (run `npm run generate` after changing it)", () => {
    expect(readFileSync(join(root, "dsl/syntax/cst.generated.ts"), "utf8")).toBe(generateCstTypes());
  });

  it("docs/functions.md matches the function catalog (run `npm run generate` after changing it)", () => {
    expect(readFileSync(join(root, "docs/functions.md"), "utf8")).toBe(generateFunctionDocs());
  });
});
