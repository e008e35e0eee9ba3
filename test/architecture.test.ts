/**
 * Architectural rules a newcomer could break without noticing: the language and the runtime run in
 * a browser (no Node modules), domain knowledge lives in rules/ only, and the generated CST types
 * match the grammar.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
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

  it("no tracked file points outside the repository (the contract and the hazards are in docs/)", () => {
    // Written in pieces so that this file does not match itself.
    const outside = new RegExp(["\\.\\./shared/", "shared/(?:CONTRACT|HAZARDS|DOMAIN)", "/wo" + "rk/"].join("|"));
    const offenders: string[] = [];
    for (const file of trackedFiles()) {
      const text = readFileSync(join(root, file));
      if (text.includes(0)) continue; // binary
      const lines = text.toString("utf8").split("\n");
      lines.forEach((line, i) => {
        if (outside.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
    expect(existsSync(join(root, "docs/contract.md"))).toBe(true);
    expect(existsSync(join(root, "docs/hazards.md"))).toBe(true);
  });
});

/** Files under version control (`git ls-files`), or every file but node_modules/.git/data without git. */
function trackedFiles(): string[] {
  const git = spawnSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" });
  if (git.status === 0) return git.stdout.split("\0").filter((f) => f && existsSync(join(root, f)) && statSync(join(root, f)).isFile());
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      if (name === "node_modules" || name === ".git" || name === "data") continue;
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk("");
  return out;
}
