/**
 * What start-up no longer does, and the compiled cache that lets it (issue 10): a fresh start
 * builds each seeded rule set once (the seed's publish builds it; `loadAll` keeps it); a restart
 * takes the compiled forms from the cache under DATA_DIR (server/compiled-cache.ts) and serves
 * exactly what compiling would give; an entry that cannot be read or was made by another compiler
 * is a miss; a version that does not compile is reported as before; a version published while
 * serving is cached by the next start; the authoring worker threads start on the first job, not before.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { Ajv } from "ajv";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { compileSource } from "../../dsl/compile/pipeline.js";
import { AuthoringPool } from "../../server/authoring/pool.js";
import { COMPILED_CACHE_DIR, CompiledCache, compilerFingerprint, faithfulJson } from "../../server/compiled-cache.js";
import { buildRuntime, Registry, type RuntimeBuilder } from "../../server/registry.js";
import { seedFromDirectory } from "../../server/seed.js";
import { createFileStore } from "../../server/store/file-store.js";
import { DEFAULT_LIMITS } from "../../server/authoring/limits.js";
import { inlineAuthoring, publish } from "../../server/publish.js";
import { miniSource, reclameFacts, removeTempDirs, rulesDirWith, tempDir } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const RECLAME = "reclame-designacao";
const SHIPPED = [RECLAME, "retencao"] as const;

afterEach(async () => {
  await removeTempDirs();
});
afterAll(async () => {
  await removeTempDirs(true);
});

/** A runtime builder that counts the runtimes it builds, per rule set. */
function countingBuilder(): { builder: RuntimeBuilder; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    builder: (compiled, options) => {
      counts.set(compiled.name, (counts.get(compiled.name) ?? 0) + 1);
      return buildRuntime(compiled, options);
    },
  };
}

/** Opens the store on `dataDir`, optionally seeds, loads; the caller closes the store. */
async function start(
  dataDir: string,
  options: { rulesDir?: string; cache?: CompiledCache; builder?: RuntimeBuilder } = {},
) {
  const store = createFileStore(dataDir);
  await store.open();
  const registry = new Registry(store, {
    ...(options.cache ? { compiledCache: options.cache } : {}),
    ...(options.builder ? { buildRuntime: options.builder } : {}),
  });
  if (options.rulesDir) {
    const seed = await seedFromDirectory(registry, options.rulesDir);
    expect(seed.problems).toEqual([]);
  }
  const problems = await registry.loadAll();
  return { store, registry, problems };
}

function cacheOn(dataDir: string): CompiledCache {
  const fingerprint = compilerFingerprint();
  expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
  return new CompiledCache(join(dataDir, COMPILED_CACHE_DIR), fingerprint as string);
}

describe("start-up work", () => {
  it("a fresh start builds each seeded rule set once: loadAll keeps what the seed's publish built", async () => {
    const dataDir = await tempDir("data-");
    const { builder, counts } = countingBuilder();
    const t = await start(dataDir, { rulesDir: await rulesDirWith(SHIPPED), builder });
    try {
      expect(t.problems).toEqual([]);
      expect(t.registry.ready).toBe(true);
      expect(t.registry.names()).toEqual([...SHIPPED].sort());
      expect(Object.fromEntries(counts)).toEqual({ [RECLAME]: 1, retencao: 1 });
      const decided = await t.registry.get(RECLAME)?.runtime.decide(reclameFacts());
      expect(decided?.decision).toBeDefined();
    } finally {
      await t.store.close();
    }
  });

  it("a restart serves from the cache exactly what compiling gives, and builds every runtime again", async () => {
    const dataDir = await tempDir("data-");
    const first = await start(dataDir, { rulesDir: await rulesDirWith(SHIPPED), cache: cacheOn(dataDir) });
    await first.store.close();
    // The seed's rule sets were written to the cache by loadAll.
    expect((await readdir(join(dataDir, COMPILED_CACHE_DIR))).length).toBe(SHIPPED.length);

    const { builder, counts } = countingBuilder();
    const again = await start(dataDir, { cache: cacheOn(dataDir), builder });
    try {
      expect(again.problems).toEqual([]);
      expect(Object.fromEntries(counts)).toEqual({ [RECLAME]: 1, retencao: 1 });
      for (const name of SHIPPED) {
        const loaded = again.registry.get(name);
        expect(loaded?.compiled).toEqual(compileSource(loaded?.stored.source ?? "").compiled);
      }
      const fromCache = await again.registry.get(RECLAME)?.runtime.decide(reclameFacts(), { explain: true });
      const compiled = compileSource(again.registry.get(RECLAME)?.stored.source ?? "").compiled;
      const direct = await buildRuntime(compiled as NonNullable<typeof compiled>).decide(reclameFacts(), {
        explain: true,
      });
      expect(fromCache).toEqual(direct);
    } finally {
      await again.store.close();
    }
  });

  it("a restart does not check cached schemas against the meta-schema again; a form whose runtime fails is never cached", async () => {
    const dataDir = await tempDir("data-");
    const checks = vi.spyOn(Ajv.prototype, "validateSchema");
    try {
      const first = await start(dataDir, { rulesDir: await rulesDirWith([RECLAME]) });
      await first.store.close();
      expect(checks).toHaveBeenCalled();

      // No cache entry yet (seeded without a cache): the runtime fails to build, nothing is kept.
      const failing: RuntimeBuilder = (compiled, options) => {
        if (compiled.name === RECLAME) throw new Error("motor indisponível");
        return buildRuntime(compiled, options);
      };
      const broken = await start(dataDir, { cache: cacheOn(dataDir), builder: failing });
      await broken.store.close();
      expect(broken.problems.map((p) => p.message).join(" ")).toMatch(/motor indisponível/);
      expect(await readdir(join(dataDir, COMPILED_CACHE_DIR)).catch(() => [])).toEqual([]);

      // Compiled and built: kept. The next start builds its runtime from the cache without the check.
      const kept = await start(dataDir, { cache: cacheOn(dataDir) });
      await kept.store.close();
      expect((await readdir(join(dataDir, COMPILED_CACHE_DIR))).length).toBe(1);
      checks.mockClear();
      const again = await start(dataDir, { cache: cacheOn(dataDir) });
      try {
        expect(again.problems).toEqual([]);
        expect(checks).not.toHaveBeenCalled();
        expect((await again.registry.get(RECLAME)?.runtime.decide(reclameFacts()))?.decision).toHaveProperty(
          "designacao",
        );
      } finally {
        await again.store.close();
      }
    } finally {
      checks.mockRestore();
    }
  });

  it("the cache is read at a restart (an entry's content is what is served), keyed by compiler and source", async () => {
    const dataDir = await tempDir("data-");
    const first = await start(dataDir, { rulesDir: await rulesDirWith([RECLAME]), cache: cacheOn(dataDir) });
    await first.store.close();
    const dir = join(dataDir, COMPILED_CACHE_DIR);
    const [file] = await readdir(dir);
    expect(file).toMatch(new RegExp(`^${compilerFingerprint()}-[0-9a-f]{64}\\.json$`));
    const entry = JSON.parse(await readFile(join(dir, file as string), "utf8"));
    entry.compiled.description = "lido do cache";
    await writeFile(join(dir, file as string), JSON.stringify(entry));
    const again = await start(dataDir, { cache: cacheOn(dataDir) });
    try {
      expect(again.registry.get(RECLAME)?.compiled.description).toBe("lido do cache");
    } finally {
      await again.store.close();
    }
  });

  it("an unreadable entry, or one of another compiler, is a miss: the version is compiled again", async () => {
    const dataDir = await tempDir("data-");
    const first = await start(dataDir, { rulesDir: await rulesDirWith([RECLAME]), cache: cacheOn(dataDir) });
    await first.store.close();
    const dir = join(dataDir, COMPILED_CACHE_DIR);
    const [file] = await readdir(dir);
    await writeFile(join(dir, file as string), '{"fingerprint": "trunc');
    // Another compiler's entry for the same source: removed at the next start, never read.
    const other = `0000000000000000${(file as string).slice(16)}`;
    await writeFile(join(dir, other), "{}");

    const again = await start(dataDir, { cache: cacheOn(dataDir) });
    try {
      expect(again.problems).toEqual([]);
      const loaded = again.registry.get(RECLAME);
      expect(loaded?.compiled).toEqual(compileSource(loaded?.stored.source ?? "").compiled);
      expect(await readdir(dir)).toEqual([file]);
      // Rewritten whole.
      expect(JSON.parse(await readFile(join(dir, file as string), "utf8")).compiled).toEqual(loaded?.compiled);
    } finally {
      await again.store.close();
    }
  });

  it("with the cache, a stored version that no longer compiles is reported and the older one serves, as before", async () => {
    const dataDir = await tempDir("data-");
    const store = createFileStore(dataDir);
    await store.open();
    await store.publish("mini", { source: miniSource(1), tests: null, author: "t", message: "v1" });
    // Stands for a compiler change since v2 was published: v2's source does not compile now.
    await store.publish("mini", {
      source: `${miniSource(2)}  - name: quebrada\n    then: marca = \n`,
      tests: null,
      author: "t",
      message: "v2",
    });
    await store.close();
    const t = await start(dataDir, { cache: cacheOn(dataDir) });
    try {
      expect(t.problems.map((p) => p.path)).toEqual(["mini v2", "mini"]);
      expect(t.registry.degraded()).toMatchObject([{ ruleset: "mini", activeVersion: 2, servedVersion: 1 }]);
      expect(t.registry.get("mini")?.stored.version).toBe(1);
      // Only what compiled is cached.
      expect((await readdir(join(dataDir, COMPILED_CACHE_DIR))).length).toBe(1);
    } finally {
      await t.store.close();
    }
  });

  it("a version published while serving is compiled at the next start, then kept", async () => {
    const dataDir = await tempDir("data-");
    const t = await start(dataDir, { cache: cacheOn(dataDir) });
    try {
      await publish(t.registry, inlineAuthoring, {
        name: "mini",
        source: miniSource(7),
        tests: null,
        author: "t",
        message: "v1",
      });
    } finally {
      await t.store.close();
    }
    const again = await start(dataDir, { cache: cacheOn(dataDir) });
    try {
      expect(again.problems).toEqual([]);
      const [file] = await readdir(join(dataDir, COMPILED_CACHE_DIR));
      expect(JSON.parse(await readFile(join(dataDir, COMPILED_CACHE_DIR, file as string), "utf8")).compiled).toEqual(
        again.registry.get("mini")?.compiled,
      );
    } finally {
      await again.store.close();
    }
  });

  it("the fingerprint changes with any file of the compiler's folder", async () => {
    const dir = await tempDir("compiler-");
    await mkdir(join(dir, "syntax"));
    await writeFile(join(dir, "a.js"), "export const a = 1;\n");
    await writeFile(join(dir, "syntax", "b.js"), "export const b = 1;\n");
    const before = compilerFingerprint(dir);
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    expect(compilerFingerprint(dir)).toBe(before);
    await writeFile(join(dir, "syntax", "b.js"), "export const b = 2;\n");
    const changed = compilerFingerprint(dir);
    expect(changed).not.toBe(before);
    await writeFile(join(dir, "c.ts"), "export {};\n");
    expect(compilerFingerprint(dir)).not.toBe(changed);
    // No compiler there: nothing is cached.
    expect(compilerFingerprint(join(dir, "nothing"))).toBeUndefined();
  });
});

describe("faithfulJson", () => {
  it("gives the JSON of plain data, which reads back deep-strictly equal", () => {
    const data = { a: [1, "x", true, null, { b: 2.5, c: [] }], d: {}, e: "", f: 0, g: -1.5e300 };
    const text = faithfulJson(data);
    expect(text).toBe(JSON.stringify(data));
    expect(isDeepStrictEqual(JSON.parse(text as string), data)).toBe(true);
  });

  it("refuses what JSON would change", () => {
    const nullProto = Object.create(null) as Record<string, unknown>;
    nullProto.a = 1;
    const holes: unknown[] = [1];
    holes[2] = 3;
    const bad: unknown[] = [
      { a: undefined },
      [undefined],
      holes,
      { n: Number.NaN },
      { n: Number.POSITIVE_INFINITY },
      { n: -0 },
      { d: new Date(0) },
      { m: new Map() },
      { s: new Set([1]) },
      nullProto,
      { [Symbol("k")]: 1, a: 1 },
      { f: () => 1 },
      { x: { toJSON: () => "y" } },
    ];
    for (const value of bad) {
      expect(faithfulJson(value)).toBeUndefined();
      // Each of them indeed does not read back equal.
      const text = JSON.stringify(value);
      expect(text === undefined || !isDeepStrictEqual(JSON.parse(text), value)).toBe(true);
    }
  });
});

describe("authoring workers", () => {
  it("start on the first job, not with the pool", async () => {
    const pool = new AuthoringPool({ size: 1 });
    try {
      expect(pool.stats.started).toBe(0);
      const verdict = await pool.run(
        { name: "mini", source: miniSource(1), tests: null, limits: DEFAULT_LIMITS, wantCompiled: false },
        0,
      );
      expect(verdict.ok).toBe(true);
      expect(pool.stats.started).toBe(1);
    } finally {
      await pool.close();
    }
  });
});
