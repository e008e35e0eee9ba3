/**
 * How a replica compiles what another replica published (server/follow.ts): small sources on the
 * calling thread, large ones in an authoring worker thread, both with the service's limits; a
 * version that does not compile here is an error naming the version and the first diagnostic.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { AuthoringPool, type AuthoringRunner } from "../../server/authoring/pool.js";
import { followCompiler } from "../../server/follow.js";
import { versionHash } from "../../server/store/file-store.js";
import type { StoredVersion } from "../../server/store/types.js";
import { miniSource } from "./helpers.js";

vi.setConfig({ testTimeout: 120_000 });

const pool = new AuthoringPool({ size: 1 });
afterAll(() => pool.close());

/** The pool, counting the jobs it is given. */
function counting(runner: AuthoringRunner): AuthoringRunner & { jobs: number } {
  const c = {
    jobs: 0,
    run: (...args: Parameters<AuthoringRunner["run"]>) => {
      c.jobs++;
      return runner.run(...args);
    },
  };
  return c;
}

function stored(source: string, version = 2): StoredVersion {
  const fields = {
    name: "mini",
    version,
    source,
    tests: null,
    author: "outra-réplica",
    message: "m",
    createdAt: "2026-04-01T12:00:00.000Z",
  };
  return { ...fields, hash: versionHash(fields) };
}

const limits = { maxRules: 2000, maxTableRows: 10_000 };

describe("followCompiler", () => {
  it("a source under the inline limit compiles on this thread; over it, in the worker — same compiled rule set", async () => {
    const workers = counting(pool);
    const small = await followCompiler({ workers, limits })(stored(miniSource(3)));
    expect(workers.jobs).toBe(0);
    const large = await followCompiler({ workers, limits, inlineLimit: 10 })(stored(miniSource(3)));
    expect(workers.jobs).toBe(1);
    expect(large).toEqual(small);
    expect(small.name).toBe("mini");
  });

  it("a version that does not compile here: the error names the version and the first diagnostic", async () => {
    const compile = followCompiler({ workers: pool, limits });
    await expect(compile(stored("ruleset: mini\nrules: [[[\n", 7))).rejects.toThrow(
      /^a versão 7 de mini não compila aqui: \S+\/\S+ /,
    );
    // Over the service's limits counts as not compiling here (the replicas' limits differ).
    await expect(
      followCompiler({ workers: pool, limits: { maxRules: 1, maxTableRows: 10 } })(stored(miniSource(3), 8)),
    ).rejects.toThrow(/a versão 8 de mini não compila aqui/);
  });
});
