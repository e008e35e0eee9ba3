/**
 * Seeding: at start, every `rules/<name>.yaml` (with `rules/<name>.test.yaml` when present) that
 * the store does not have yet is published as its first version, with the same checks as any
 * publish (limits included: pass the service's). A rule set the store already has is never
 * overwritten by the files: the publish is a compare-and-set on "no version yet" (baseVersion 0), so
 * when several replicas start at once on one database, one seeds and the others find it seeded.
 * Seeding runs before the service listens; its jobs run where
 * `authoring` says (main.ts: a worker thread of its own, closed after seeding; inline by default).
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ApiError } from "./errors.js";
import { inlineAuthoring, publish, type Authoring } from "./publish.js";
import type { Registry } from "./registry.js";
import type { StoreProblem } from "./store/types.js";

export interface SeedReport {
  readonly seeded: string[];
  readonly problems: StoreProblem[];
}

export async function seedFromDirectory(
  registry: Registry,
  rulesDir: string,
  authoring: Authoring = inlineAuthoring,
): Promise<SeedReport> {
  const seeded: string[] = [];
  const problems: StoreProblem[] = [];
  let files: string[];
  try {
    files = (await readdir(rulesDir)).filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml")).sort();
  } catch (e) {
    return { seeded, problems: [{ path: rulesDir, message: `pasta de regras ilegível: ${(e as Error).message}` }] };
  }
  for (const file of files) {
    const name = file.replace(/\.yaml$/, "");
    if (registry.store.get(name)) continue;
    const path = join(rulesDir, file);
    try {
      const source = await readFile(path, "utf8");
      const tests = await readFile(join(rulesDir, `${name}.test.yaml`), "utf8").catch(() => null);
      await publish(registry, authoring, {
        name,
        source,
        tests,
        author: "seed",
        message: `semeado de ${file}`,
        action: "seed",
        baseVersion: 0,
      });
      seeded.push(name);
    } catch (e) {
      if (e instanceof ApiError && e.code === "CONFLICT") continue; // another replica seeded it first
      const detail =
        e instanceof ApiError ? `${e.message}: ${JSON.stringify(e.details).slice(0, 2000)}` : (e as Error).message;
      problems.push({ path, message: detail });
    }
  }
  return { seeded, problems };
}
