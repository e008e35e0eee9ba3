/**
 * Where the package is on disk, the same from the TypeScript sources (vitest, tsx: `cli/help.ts`)
 * and from the compiled JavaScript (`dist/cli/help.js`, one folder deeper): the nearest folder,
 * from a module upwards, that holds a package.json. Used for files that ship with the package
 * (package.json itself), never for the user's files (those resolve from the working directory).
 * Node only; imports nothing from the project's other folders.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The nearest folder at or above `moduleUrl`'s folder with a package.json (pass `import.meta.url`). */
export function packageRoot(moduleUrl: string | URL): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json at or above ${start}`);
  }
}

/** The `version` of the package that holds `moduleUrl`; undefined when package.json cannot be read. */
export function packageVersion(moduleUrl: string | URL): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(moduleUrl), "package.json"), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}
