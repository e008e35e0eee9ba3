/**
 * The compiled-rule-set cache: what the compiler made of a stored source, kept on disk so that a
 * restart does not load the compiler (Chevrotain, YAML: about a second of start-up and 25 MiB) nor
 * compile every active version again. Only the compiling (and the meta-schema check of the fact
 * and decision schemas, which passed when the entry was kept) is skipped: the runtime (fact
 * validator and a first engine) is still built from the cached data at every start, so a runtime
 * change since a version was published is found exactly as before. An entry is kept only after
 * its runtime was built (server/registry.ts).
 *
 * An entry is `<dir>/<fingerprint>-<sha256 of the source>.json`. The fingerprint names the
 * compiler that made it: a hash of every file of the compiler's folder (`dsl/` beside `server/`,
 * compiled or not), of the versions of the packages it uses and of Node's own versions (ICU, time
 * zones). Any change to one of them is a new fingerprint, so a version whose source no longer
 * compiles is compiled again at the next start and reported as before; entries of other
 * fingerprints are removed. An entry is written only when its JSON reads back into exactly the
 * same data (`faithfulJson`); an entry that cannot be read, or that does not name the same fingerprint and source
 * hash, is a miss. Every failure here is a miss or a skipped write, never an error: the cache only
 * saves time.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";

/** The cache's folder under DATA_DIR (the store keeps to `rulesets/`, `audit.jsonl` and `.lock`). */
export const COMPILED_CACHE_DIR = "compiled-cache";

/**
 * The npm packages the compiler (dsl/) imports, and ajv: an entry also vouches that ajv accepted
 * its schemas (a runtime was built from it before it was kept; see server/registry.ts).
 */
const COMPILER_PACKAGES = ["ajv", "chevrotain", "luxon", "re2js", "yaml"] as const;

interface Entry {
  readonly fingerprint: string;
  readonly source: string;
  readonly compiled: CompiledRuleSet;
}

const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

/** The version of an installed package (its package.json, found above its entry point), or undefined. */
function packageVersion(name: string): string | undefined {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve(name));
  } catch {
    return undefined;
  }
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === name && typeof pkg.version === "string") return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The fingerprint of the compiler this process runs, or undefined when it cannot be determined
 * (then nothing is cached). `compilerDir`: the compiler's folder (default `dsl/` beside `server/`).
 */
export function compilerFingerprint(
  compilerDir: string = fileURLToPath(new URL("../dsl/", import.meta.url)),
): string | undefined {
  const hash = createHash("sha256");
  hash.update(`node ${process.versions.node} icu ${process.versions.icu ?? ""} tz ${process.versions.tz ?? ""}\n`);
  for (const name of COMPILER_PACKAGES) {
    const version = packageVersion(name);
    if (version === undefined) return undefined;
    hash.update(`${name}@${version}\n`);
  }
  let files: string[];
  try {
    files = (readdirSync(compilerDir, { recursive: true, encoding: "utf8" }) as string[])
      .filter((f) => /\.(js|ts|json)$/.test(f))
      .sort();
  } catch {
    return undefined;
  }
  if (files.length === 0) return undefined;
  for (const f of files) {
    let content: Buffer;
    try {
      content = readFileSync(join(compilerDir, f));
    } catch {
      return undefined;
    }
    hash.update(`${f.replaceAll("\\", "/")} ${sha256(content)}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * The JSON text of `value` when JSON.parse gives back deep-strictly-equal data (plain objects and
 * arrays, strings, finite numbers other than -0, booleans, null; no undefined, holes, symbol keys,
 * class instances or toJSON), else undefined. One pass over the data (a parse and a deep
 * comparison took seconds for a 15,000-row rule set).
 */
export function faithfulJson(value: unknown): string | undefined {
  let faithful = true;
  const text = JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    // The holder's own value, before any toJSON.
    const raw = (this as Record<string, unknown>)[key];
    switch (typeof raw) {
      case "string":
      case "boolean":
        break;
      case "number":
        if (!Number.isFinite(raw) || Object.is(raw, -0)) faithful = false;
        break;
      case "object":
        if (raw === null) break;
        if (Array.isArray(raw)) {
          if (Object.getPrototypeOf(raw) !== Array.prototype) faithful = false;
        } else if (Object.getPrototypeOf(raw) !== Object.prototype) faithful = false;
        if (Object.getOwnPropertySymbols(raw).length > 0 || typeof (raw as { toJSON?: unknown }).toJSON === "function")
          faithful = false;
        break;
      default:
        faithful = false;
    }
    return v;
  });
  return faithful ? text : undefined;
}

export class CompiledCache {
  private pruned = false;

  /** `dir`: where entries live (created on the first write); `fingerprint`: see `compilerFingerprint`. */
  constructor(
    readonly dir: string,
    readonly fingerprint: string,
  ) {}

  private pathOf(source: string): string {
    return join(this.dir, `${this.fingerprint}-${sha256(source)}.json`);
  }

  /** The cached compiled form of `source`, or undefined (a miss). */
  get(source: string): CompiledRuleSet | undefined {
    this.prune();
    let entry: Entry;
    try {
      entry = JSON.parse(readFileSync(this.pathOf(source), "utf8")) as Entry;
    } catch {
      return undefined;
    }
    if (entry?.fingerprint !== this.fingerprint || entry.source !== sha256(source)) return undefined;
    if (typeof entry.compiled !== "object" || entry.compiled === null) return undefined;
    return entry.compiled;
  }

  /** Keeps the compiled form of `source` (written beside, then renamed: never half an entry). */
  put(source: string, compiled: CompiledRuleSet): void {
    const target = this.pathOf(source);
    const text = faithfulJson({ fingerprint: this.fingerprint, source: sha256(source), compiled } satisfies Entry);
    // Only data that JSON carries unchanged is cached: a hit must be the very same compiled rule set.
    if (text === undefined) return;
    const temp = `${target}.${process.pid}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(temp, text);
      renameSync(temp, target);
    } catch {
      try {
        unlinkSync(temp);
      } catch {
        // nothing was written
      }
    }
  }

  /** `put`, unless the entry is already there. */
  putIfMissing(source: string, compiled: CompiledRuleSet): void {
    if (!existsSync(this.pathOf(source))) this.put(source, compiled);
  }

  /** Removes entries of other compilers (once per process). */
  private prune(): void {
    if (this.pruned) return;
    this.pruned = true;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(`${this.fingerprint}-`) && name.endsWith(".json")) continue;
      try {
        unlinkSync(join(this.dir, name));
      } catch {
        // another process's temp file, or already gone
      }
    }
  }
}
