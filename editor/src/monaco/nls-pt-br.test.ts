/// <reference types="node" />
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MESSAGES } from "./nls-pt-br.js";

/** Every `localize(N, "text"` / `localize2(N, "text"` of monaco-editor's ESM build. */
function monacoMessages(): Map<number, Set<string>> {
  const root = join(process.cwd(), "node_modules", "monaco-editor", "esm", "vs");
  const found = new Map<number, Set<string>>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".js"))
        for (const m of readFileSync(path, "utf8").matchAll(/localize2?\((\d+), (["'])((?:(?!\2)[^\\]|\\.)*)\2/g)) {
          const set = found.get(Number(m[1])) ?? new Set<string>();
          set.add(m[3] as string);
          found.set(Number(m[1]), set);
        }
    }
  };
  walk(join(root, "editor"));
  walk(join(root, "base"));
  walk(join(root, "platform"));
  return found;
}

describe("Monaco's texts in Portuguese", () => {
  it("each message number still carries the English text it translates (monaco-editor as installed)", () => {
    const found = monacoMessages();
    const wrong = MESSAGES.filter(([n, english]) => !found.get(n)?.has(english)).map(([n, e]) => `${n} ${e}`);
    expect(wrong).toEqual([]);
  });
});
