/**
 * Architectural rules a newcomer could break without noticing: the language and the runtime run in
 * a browser (no Node modules), dependencies between the top folders point one way (a table, not a
 * convention) with no cycles, domain knowledge lives in rules/ only, and the generated CST types
 * match the grammar.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, posix } from "node:path";
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
  it("dsl/, engine/ and tester/ import no Node module (they run in the editor's worker)", () => {
    const offenders: string[] = [];
    for (const [file, imports] of importGraph()) {
      if (!["dsl", "engine", "tester"].includes(topFolder(file))) continue;
      for (const i of imports)
        if (i.kind === "external" && isNodeBuiltin(i.specifier)) offenders.push(`${file} imports "${i.specifier}"`);
    }
    expect(offenders).toEqual([]);
  });

  it("no domain value is hard-coded in the engine or the language", () => {
    const domain = /GIPES|CEPES|2_NIVEL_CAIXA|Reclamação|Credenciado|Beneficiário|RECLAME/;
    const offenders = [...sources("dsl"), ...sources("engine")].filter((f) =>
      domain.test(readFileSync(join(root, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("rule text never becomes code", () => {
    const offenders = [...sources("dsl"), ...sources("engine")].filter((f) =>
      /\beval\(|new Function\(/.test(readFileSync(join(root, f), "utf8")),
    );
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

/**
 * Which top folders each top folder may import (besides its own files). `common/` holds the few
 * Node-only pieces that both the service and the CLI need (access tokens), so that `cli/` does not
 * depend on `server/`. Every folder with production code must appear here.
 */
const ALLOWED_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  dsl: [],
  engine: ["dsl"],
  tester: ["engine", "dsl"],
  editor: ["dsl", "engine", "tester"],
  common: [],
  server: ["dsl", "engine", "tester", "common"],
  cli: ["dsl", "engine", "tester", "common"],
};

/** Finer rules inside the table: [importer prefix, forbidden target prefix, why]. */
const FORBIDDEN_IMPORTS: readonly (readonly [string, string, string])[] = [
  [
    "engine/",
    "dsl/compile/emit",
    "the runtime reads the compiled form (dsl/compile/compiled.ts), not the code generator (emit.ts, emit/)",
  ],
  ["dsl/format/", "dsl/compile/", "the formatter works on the AST (dsl/syntax/), not the compiler"],
  ["cli/", "server/", "the CLI shares code with the service through common/"],
  [
    "tester/reference/",
    "engine/",
    "the reference interpreter is a second implementation: it must not share the engine's code",
  ],
  [
    "tester/reference/",
    "dsl/compile/",
    "the reference interpreter reads the rule-set model, not the compiler's output",
  ],
];

describe("dependency boundaries", () => {
  const graph = importGraph();

  it("finds the project's modules and resolves every relative import", () => {
    expect(graph.size).toBeGreaterThan(50);
    for (const folder of Object.keys(ALLOWED_DEPENDENCIES))
      if (folder !== "editor")
        expect(
          [...graph.keys()].some((f) => topFolder(f) === folder),
          folder,
        ).toBe(true);
    const unresolved: string[] = [];
    for (const [file, imports] of graph)
      for (const i of imports) if (i.kind === "unresolved") unresolved.push(`${file} imports "${i.specifier}"`);
    expect(unresolved).toEqual([]);
  });

  it("each top folder imports only the folders below it", () => {
    const offenders: string[] = [];
    for (const [file, imports] of graph) {
      const from = topFolder(file);
      const allowed = ALLOWED_DEPENDENCIES[from];
      if (!allowed) {
        offenders.push(`${file}: folder ${from}/ is missing from the dependency table`);
        continue;
      }
      for (const i of imports) {
        if (i.kind !== "internal") continue;
        const to = topFolder(i.target);
        if (to !== from && !allowed.includes(to))
          offenders.push(
            `${file} imports ${i.target} (${from}/ may import ${allowed.length ? allowed.map((a) => `${a}/`).join(", ") : "nothing outside itself"})`,
          );
      }
    }
    expect(offenders).toEqual([]);
  });

  it("finer rules: the engine does not import the code generator, the formatter not the compiler, the CLI not the server", () => {
    const offenders: string[] = [];
    for (const [file, imports] of graph)
      for (const i of imports)
        for (const [importer, target, why] of FORBIDDEN_IMPORTS)
          if (i.kind === "internal" && file.startsWith(importer) && i.target.startsWith(target))
            offenders.push(`${file} imports ${i.target}: ${why}`);
    expect(offenders).toEqual([]);
  });

  it("no cycle between top folders", () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, imports] of graph)
      for (const i of imports) {
        if (i.kind !== "internal" || topFolder(i.target) === topFolder(file)) continue;
        const edges = folders.get(topFolder(file)) ?? new Set<string>();
        edges.add(topFolder(i.target));
        folders.set(topFolder(file), edges);
      }
    expect(findCycles(folders)).toEqual([]);
  });

  it("no module-level import cycle in any folder (type-only imports included)", () => {
    const modules = new Map<string, Set<string>>();
    for (const [file, imports] of graph)
      modules.set(file, new Set(imports.flatMap((i) => (i.kind === "internal" ? [i.target] : []))));
    for (const folder of ["dsl", "engine", "tester", "server", "cli"])
      expect([...modules.keys()].filter((f) => topFolder(f) === folder).length, folder).toBeGreaterThan(3);
    expect(findCycles(modules)).toEqual([]);
  });

  it("the cycle finder reports the cycle's path", () => {
    const g = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a", "d"])],
      ["d", new Set<string>()],
    ]);
    expect(findCycles(g)).toEqual(["a → b → c → a"]);
    expect(
      findCycles(
        new Map([
          ["a", new Set(["b"])],
          ["b", new Set<string>()],
        ]),
      ),
    ).toEqual([]);
  });

  it("the import scanner sees every form of import and ignores comments", () => {
    const text = [
      'import a from "./a.js";',
      'import type { B } from "../b.js";',
      "import {\n  c,\n  d,\n} from './c.js';",
      'import "./side-effect.js";',
      'export { e } from "./e.js";',
      'export * from "./f.js";',
      'const g = await import("./g.js");',
      '// import h from "./h.js";',
      '/* import i from "./i.js"; */',
      "const message = `x`;",
    ].join("\n");
    expect(importSpecifiers(text).sort()).toEqual([
      "../b.js",
      "./a.js",
      "./c.js",
      "./e.js",
      "./f.js",
      "./g.js",
      "./side-effect.js",
    ]);
  });
});

type Import = { readonly specifier: string } & (
  | { readonly kind: "internal"; readonly target: string }
  | { readonly kind: "external" }
  | { readonly kind: "unresolved" }
);

/** The module specifiers a source file imports or re-exports (static and literal dynamic imports). */
function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/g,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push(m[1] as string);
  return found;
}

/** Every production source (.ts/.js, not tests) of the folders in the dependency table, with its resolved imports. */
function importGraph(): Map<string, Import[]> {
  const files = Object.keys(ALLOWED_DEPENDENCIES)
    .filter((folder) => existsSync(join(root, folder)))
    .flatMap((folder) => codeFiles(folder));
  const graph = new Map<string, Import[]>();
  for (const file of files) {
    graph.set(
      file,
      importSpecifiers(readFileSync(join(root, file), "utf8")).map((specifier): Import => {
        if (!specifier.startsWith(".")) return { specifier, kind: "external" };
        const target = resolveRelative(file, specifier);
        return target ? { specifier, kind: "internal", target } : { specifier, kind: "unresolved" };
      }),
    );
  }
  return graph;
}

function codeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    if (name === "node_modules" || name === "dist") continue;
    const path = posix.join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...codeFiles(path));
    else if (/\.(ts|tsx|js)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

/** A relative specifier as a repository path (`./x.js` is the TypeScript file `x.ts`), or undefined. */
function resolveRelative(from: string, specifier: string): string | undefined {
  // Vite's import suffixes (`./worker.ts?worker`, `./x.css?inline`) name the same file.
  const base = posix.normalize(posix.join(posix.dirname(from), specifier.replace(/\?.*$/, "")));
  const candidates = [
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.js$/, ".tsx"),
    base,
    `${base}.ts`,
    `${base}.tsx`,
    posix.join(base, "index.ts"),
  ];
  return candidates.find((c) => existsSync(join(root, c)) && statSync(join(root, c)).isFile());
}

function topFolder(file: string): string {
  return file.split("/")[0] as string;
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0] as string);
}

/** The elementary cycles found by a depth-first search, one per back edge, as `a → b → a` paths. */
function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/** Files under version control (`git ls-files`), or every file but node_modules/.git/data without git. */
function trackedFiles(): string[] {
  const git = spawnSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" });
  if (git.status === 0)
    return git.stdout.split("\0").filter((f) => f && existsSync(join(root, f)) && statSync(join(root, f)).isFile());
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
