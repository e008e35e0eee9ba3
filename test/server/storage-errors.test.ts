/**
 * Storage failures while publishing (issue 7, item 11): a full disk answers 507 STORAGE_FULL, a
 * read-only (or not permitted) data folder 503 STORAGE_READ_ONLY, any other I/O error 503
 * STORAGE_UNAVAILABLE — the contract's envelope, never a bare 500 — nothing is half-written (no
 * temp file, no version, the active version unchanged) and deciding goes on.
 *
 * Tests run as root, so chmod cannot make a folder read-only: the failures are injected into the
 * store's file-system functions (FileStoreOptions.fs).
 */
import * as fs from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { StoreFs } from "../../server/store/file-store.js";
import { call, closeAfterEach, expectError, json, miniSource, miniSuite, startApp, type TestApp } from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

type Op = "open" | "writeFile" | "sync" | "close" | "link" | "mkdir" | "rename";

interface Fault {
  readonly op: Op;
  readonly code: string;
  /** Only paths containing this (default: every path). */
  readonly pathIncludes?: string;
  /** For `open`: only these flags (e.g. "wx" for new files). */
  readonly flags?: string;
}

function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated failure, ${syscall} '${path}'`), {
    code,
    errno: -1,
    syscall,
    path,
  });
}

/** node:fs/promises with one switchable fault. */
function faultyFs(): { fs: StoreFs; set(fault: Fault | undefined): void; hits(): number } {
  let fault: Fault | undefined;
  let hits = 0;
  const check = (op: Op, path: string, flags?: string) => {
    if (!fault || fault.op !== op) return;
    if (fault.pathIncludes !== undefined && !path.includes(fault.pathIncludes)) return;
    if (fault.flags !== undefined && fault.flags !== flags) return;
    hits++;
    throw errno(fault.code, op, path);
  };
  const io: StoreFs = {
    ...fs,
    open: (async (path: string, flags?: string, mode?: number) => {
      check("open", String(path), flags);
      const fh = await fs.open(path, flags, mode);
      return new Proxy(fh, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target) as unknown;
          if (typeof value !== "function") return value;
          if (prop === "writeFile" || prop === "sync" || prop === "close") {
            return async (...args: unknown[]) => {
              if (prop !== "close") check(prop, String(path));
              const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              if (prop === "close") check("close", String(path)); // a delayed write error shows at close
              return result;
            };
          }
          return (value as (...a: unknown[]) => unknown).bind(target);
        },
      });
    }) as StoreFs["open"],
    link: async (existing, target) => {
      check("link", String(target));
      return fs.link(existing, target);
    },
    mkdir: (async (path: string, options?: Parameters<typeof fs.mkdir>[1]) => {
      check("mkdir", String(path));
      return fs.mkdir(path, options);
    }) as StoreFs["mkdir"],
    rename: async (from, to) => {
      check("rename", String(to));
      return fs.rename(from, to);
    },
  };
  return {
    fs: io,
    set: (f) => {
      fault = f;
      hits = 0;
    },
    hits: () => hits,
  };
}

const keep = closeAfterEach();

/** An app whose store runs on an injectable failing fs, with `mini` v1 published. */
async function appWithFaults() {
  const faults = faultyFs();
  const t = await startApp({ storeOptions: { fs: faults.fs } });
  keep(t);
  const res = await call(t.app, {
    url: "/v1/rulesets/mini/versions",
    body: { source: miniSource(1), tests: miniSuite(1), message: "v1" },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { t, faults };
}

const publishMini = (t: TestApp, marca: number) =>
  call(t.app, {
    url: "/v1/rulesets/mini/versions",
    body: { source: miniSource(marca), tests: miniSuite(marca), message: `v${marca}` },
  });

/** What a failed publish must leave: the rule set's folder as it was, version 1 active and deciding. */
async function expectNothingWritten(t: TestApp): Promise<void> {
  const files = (await fs.readdir(join(t.dataDir, "rulesets", "mini"))).sort();
  expect(files, "no temp file, no new version file").toEqual(["active.json", "v000001.json"]);
  expect(JSON.parse(await fs.readFile(join(t.dataDir, "rulesets", "mini", "active.json"), "utf8")).version).toBe(1);
  expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).version).toBe(1);
  const decided = await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 150 } } });
  expect(decided.statusCode, decided.body).toBe(200);
  expect(json(decided)).toMatchObject({ version: 1, decision: { marca: 1, faixa: "ALTA" } });
}

describe("storage failures while publishing", () => {
  const cases: readonly {
    readonly name: string;
    readonly fault: Fault;
    readonly status: number;
    readonly code: string;
  }[] = [
    {
      name: "disk full while writing the version (ENOSPC)",
      fault: { op: "writeFile", code: "ENOSPC", pathIncludes: ".tmp-" },
      status: 507,
      code: "STORAGE_FULL",
    },
    {
      name: "quota exceeded at fsync (EDQUOT)",
      fault: { op: "sync", code: "EDQUOT", pathIncludes: ".tmp-" },
      status: 507,
      code: "STORAGE_FULL",
    },
    {
      name: "delayed write error at close (ENOSPC)",
      fault: { op: "close", code: "ENOSPC", pathIncludes: ".tmp-" },
      status: 507,
      code: "STORAGE_FULL",
    },
    {
      name: "read-only file system (EROFS on creating the temp file)",
      fault: { op: "open", code: "EROFS", flags: "wx" },
      status: 503,
      code: "STORAGE_READ_ONLY",
    },
    {
      name: "no permission (EACCES on creating the temp file)",
      fault: { op: "open", code: "EACCES", flags: "wx" },
      status: 503,
      code: "STORAGE_READ_ONLY",
    },
    {
      name: "I/O error while claiming the version number (EIO on link)",
      fault: { op: "link", code: "EIO" },
      status: 503,
      code: "STORAGE_UNAVAILABLE",
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.status} ${c.code} envelope, nothing half-written, decisions go on, the next publish after recovery works`, async () => {
      const { t, faults } = await appWithFaults();
      faults.set(c.fault);
      const err = expectError(await publishMini(t, 2), c.status, c.code);
      expect(faults.hits(), "the injected fault was hit").toBeGreaterThan(0);
      expect(err.message).toMatch(/armazenamento/);
      expect(err.message).toMatch(/nada foi gravado/);
      await expectNothingWritten(t);

      // Roll back (a publish too) fails the same way.
      expectError(await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 1 } }), c.status, c.code);
      await expectNothingWritten(t);

      // The disk recovers: the next publish takes the next number (nothing was consumed).
      faults.set(undefined);
      const ok = await publishMini(t, 2);
      expect(ok.statusCode, ok.body).toBe(201);
      expect(json(ok).version).toBe(2);
      expect(json(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } })).decision.marca).toBe(2);
    });
  }

  it("a new rule set on a read-only folder (EROFS creating its directory): 503 STORAGE_READ_ONLY and no directory left behind", async () => {
    const { t, faults } = await appWithFaults();
    faults.set({ op: "mkdir", code: "EROFS", pathIncludes: "novo" });
    expectError(
      await call(t.app, { url: "/v1/rulesets/novo/versions", body: { source: miniSource(1, "novo") } }),
      503,
      "STORAGE_READ_ONLY",
    );
    expect(await fs.readdir(join(t.dataDir, "rulesets"))).toEqual(["mini"]);
    expectError(await call(t.app, { url: "/v1/decide/novo", body: { facts: { valor: 1 } } }), 404, "NOT_FOUND");
    await expectNothingWritten(t);
  });

  it("after the commit point a failure (pointer or audit not written) does not fail the publish: the version is served", async () => {
    const { t, faults } = await appWithFaults();
    // active.json is replaced with rename: fail it. The version file itself is already linked.
    faults.set({ op: "rename", code: "ENOSPC", pathIncludes: "active.json" });
    const res = await publishMini(t, 2);
    expect(res.statusCode, res.body).toBe(201);
    expect(json(await call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } })).decision.marca).toBe(2);
    expect((await fs.readdir(join(t.dataDir, "rulesets", "mini"))).filter((f) => f.startsWith(".tmp-"))).toEqual([]);
  });
});
