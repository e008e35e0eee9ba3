/**
 * Seeding and restarts: the first start seeds every rules/*.yaml, later starts never overwrite
 * what was published, and a crash mid-write (leftover temp files, a truncated version file, a
 * pointer that did not move, a torn audit line) is recovered on the next start — a new store,
 * registry and app on the same DATA_DIR serve the last good version and report the problem with
 * its path (store.open()).
 */
import { appendFile, chmod, copyFile, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { versionFileName, versionHash } from "../../server/store/file-store.js";
import {
  SHIPPED_RULES,
  call,
  expectError,
  json,
  miniSource,
  miniSuite,
  removeTempDirs,
  startApp,
  tempDir,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const open: TestApp[] = [];
async function start(options: Parameters<typeof startApp>[0]): Promise<TestApp> {
  const t = await startApp(options);
  open.push(t);
  return t;
}

afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  await removeTempDirs();
});
afterAll(() => removeTempDirs(true));

/** A RULES_DIR with copies of two shipped rule sets (+ suites), the mini rule set and a README. */
async function rulesDir(): Promise<string> {
  const dir = await tempDir("rules-");
  for (const f of [
    "reclame-designacao.yaml",
    "reclame-designacao.test.yaml",
    "reclame-duplicidade.yaml",
    "reclame-duplicidade.test.yaml",
  ]) {
    await copyFile(join(SHIPPED_RULES, f), join(dir, f));
  }
  await writeFile(join(dir, "mini.yaml"), miniSource(1));
  await writeFile(join(dir, "mini.test.yaml"), miniSuite(1));
  await writeFile(join(dir, "README.md"), "not a rule set\n");
  return dir;
}

async function decideMini(t: TestApp, query = ""): Promise<{ version: number; marca: number }> {
  const res = await call(t.app, { url: `/v1/decide/mini${query}`, body: { facts: { valor: 1 } } });
  expect(res.statusCode, res.body).toBe(200);
  return { version: json(res).version, marca: json(res).decision.marca };
}

const versionPath = (dataDir: string, name: string, n: number) => join(dataDir, "rulesets", name, versionFileName(n));

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Publishes miniSource(m) for each marker through the API. */
async function publishMarkers(t: TestApp, markers: number[]): Promise<void> {
  for (const m of markers) {
    const res = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(m), tests: miniSuite(m), message: `marca ${m}` },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
}

describe("seeding", () => {
  it("the first start seeds every rules/*.yaml (with its suite) as version 1, audited as seed", async () => {
    const dir = await rulesDir();
    const t = await start({ rulesDir: dir });
    expect(t.problems).toEqual([]);
    expect(t.seed?.problems).toEqual([]);
    expect(t.seed?.seeded.sort()).toEqual(["mini", "reclame-designacao", "reclame-duplicidade"]);
    const list = json(await call(t.app, { url: "/v1/rulesets" }));
    expect(list.map((r: any) => [r.name, r.version])).toEqual([
      ["mini", 1],
      ["reclame-designacao", 1],
      ["reclame-duplicidade", 1],
    ]);
    for (const name of ["mini", "reclame-designacao", "reclame-duplicidade"]) {
      const body = json(await call(t.app, { url: `/v1/rulesets/${name}` }));
      expect(body.source).toBe(await readFile(join(dir, `${name}.yaml`), "utf8"));
      expect(body.tests).toBe(await readFile(join(dir, `${name}.test.yaml`), "utf8"));
    }
    const audit = json(await call(t.app, { url: "/v1/audit" }));
    expect(audit.map((a: any) => [a.action, a.ruleset, a.version, a.author])).toEqual([
      ["seed", "mini", 1, "seed"],
      ["seed", "reclame-designacao", 1, "seed"],
      ["seed", "reclame-duplicidade", 1, "seed"],
    ]);
    // Each seeded rule set decides.
    expect(await decideMini(t)).toEqual({ version: 1, marca: 1 });
    const dup = await call(t.app, {
      url: "/v1/decide/reclame-duplicidade",
      body: {
        facts: {
          reclames: [
            {
              numero: "202",
              clienteId: "C1",
              servico: "Reembolso",
              tipoEntrada: "RECLAME",
              registradoEm: "2026-04-01T10:00",
            },
            {
              numero: "201",
              clienteId: "C1",
              servico: "Reembolso",
              tipoEntrada: "RECLAME",
              registradoEm: "2026-04-01T09:00",
            },
          ],
        },
      },
    });
    expect(dup.statusCode, dup.body).toBe(200);
    expect(json(dup).decision.resultados.map((r: any) => [r.numero, r.tipoEntrada, r.duplicadoDe])).toEqual([
      ["202", "INTERNO", "201"],
      ["201", "RECLAME", null],
    ]);
    expect((await call(t.app, { url: "/ready" })).statusCode).toBe(200);
  });

  it("a second start with changed files in RULES_DIR does NOT overwrite published versions; only new files are seeded", async () => {
    const dir = await rulesDir();
    const first = await start({ rulesDir: dir });
    await publishMarkers(first, [2]);
    await first.close();

    // The files change (and a new one appears) while the service is down.
    await writeFile(join(dir, "mini.yaml"), miniSource(9));
    await writeFile(join(dir, "mini.test.yaml"), miniSuite(9));
    const reclame = await readFile(join(dir, "reclame-designacao.yaml"), "utf8");
    await writeFile(
      join(dir, "reclame-designacao.yaml"),
      reclame.replace("description: >-", "description: >-\n  ALTERADO."),
    );
    await writeFile(join(dir, "novo.yaml"), miniSource(5, "novo"));

    const second = await start({ dataDir: first.dataDir, rulesDir: dir });
    expect(second.problems).toEqual([]);
    expect(second.seed).toEqual({ seeded: ["novo"], problems: [] });
    const mini = json(await call(second.app, { url: "/v1/rulesets/mini" }));
    expect(mini.version).toBe(2);
    expect(mini.source).toBe(miniSource(2));
    expect(mini.tests).toBe(miniSuite(2));
    expect(await decideMini(second)).toEqual({ version: 2, marca: 2 });
    const r = json(await call(second.app, { url: "/v1/rulesets/reclame-designacao" }));
    expect(r.version).toBe(1);
    expect(r.source).toBe(reclame);
    expect(json(await call(second.app, { url: "/v1/decide/novo", body: { facts: { valor: 1 } } })).decision.marca).toBe(
      5,
    );
    const audit = json(await call(second.app, { url: "/v1/audit" }));
    expect(audit.filter((a: any) => a.ruleset === "mini").map((a: any) => [a.action, a.version])).toEqual([
      ["seed", 1],
      ["publish", 2],
    ]);
  });

  it("a rule-set file that does not compile or fails its suite is reported with its path and not served; the others are", async () => {
    const dir = await rulesDir();
    await writeFile(join(dir, "quebrado.yaml"), miniSource(1, "quebrado").replace("valor >= 100", "valor >= "));
    await writeFile(join(dir, "reprovado.yaml"), miniSource(1, "reprovado"));
    await writeFile(join(dir, "reprovado.test.yaml"), miniSuite(2, "reprovado"));
    await writeFile(join(dir, "trocado.yaml"), miniSource(1, "outro-nome"));
    const t = await start({ rulesDir: dir });
    expect(t.seed?.seeded.sort()).toEqual(["mini", "reclame-designacao", "reclame-duplicidade"]);
    expect(t.seed?.problems.map((p) => p.path).sort()).toEqual([
      join(dir, "quebrado.yaml"),
      join(dir, "reprovado.yaml"),
      join(dir, "trocado.yaml"),
    ]);
    for (const name of ["quebrado", "reprovado", "trocado", "outro-nome"])
      expectError(await call(t.app, { url: `/v1/rulesets/${name}` }), 404, "NOT_FOUND");
    expect((await call(t.app, { url: "/ready" })).statusCode).toBe(200);
  });
});

describe("restart after a crash mid-write", () => {
  it("leftover .tmp-* files (however young) and a truncated highest version: the last good version is served and every problem is reported with its path", async () => {
    const first = await start({});
    await publishMarkers(first, [1, 2, 3]);
    await first.close();
    const dataDir = first.dataDir;
    const dir = join(dataDir, "rulesets", "mini");

    // The crash: v3 was cut in the middle; temp files of interrupted writes are left behind.
    const v3 = versionPath(dataDir, "mini", 3);
    const full = await readFile(v3);
    await chmod(v3, 0o644);
    await writeFile(v3, full.subarray(0, Math.floor(full.length / 2)));
    const oldTmp = join(dir, ".tmp-0123456789abcdef");
    const oldTopTmp = join(dataDir, ".tmp-fedcba9876543210");
    const youngTmp = join(dir, ".tmp-aaaaaaaaaaaaaaaa");
    for (const f of [oldTmp, oldTopTmp, youngTmp]) await writeFile(f, '{"name": "mini", "vers');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(oldTmp, anHourAgo, anHourAgo);
    await utimes(oldTopTmp, anHourAgo, anHourAgo);

    // Restart: a new store, registry and app on the same DATA_DIR.
    const second = await start({ dataDir });
    const byPath = new Map(second.problems.map((p) => [p.path, p.message]));
    expect(byPath.get(v3)).toMatch(/truncated|not valid JSON/);
    expect(byPath.get(oldTmp)).toMatch(/temporary/);
    expect(byPath.get(oldTopTmp)).toMatch(/temporary/);
    // The store holds the data-directory lock: no live process writes there, so even a temp file
    // written a moment ago is a crash leftover.
    expect(byPath.get(youngTmp)).toMatch(/temporary/);
    expect(byPath.get(join(dir, "active.json"))).toMatch(/v3|v2/);
    expect(await exists(oldTmp)).toBe(false);
    expect(await exists(oldTopTmp)).toBe(false);
    expect(await exists(youngTmp)).toBe(false);

    expect((await call(second.app, { url: "/ready" })).statusCode).toBe(200);
    expect(await decideMini(second)).toEqual({ version: 2, marca: 2 });
    const body = json(await call(second.app, { url: "/v1/rulesets/mini" }));
    expect(body.version).toBe(2);
    expect(body.source).toBe(miniSource(2));
    expect(body.versions.map((v: any) => v.version)).toEqual([1, 2]);
    expectError(
      await call(second.app, { url: "/v1/decide/mini?version=3", body: { facts: { valor: 1 } } }),
      404,
      "NOT_FOUND",
    );
    expectError(await call(second.app, { url: "/v1/rulesets/mini/versions/3" }), 404, "NOT_FOUND");
    expect(await decideMini(second, "?version=1")).toEqual({ version: 1, marca: 1 });

    // The damaged number is never reused: the next publish is v4.
    const res = await call(second.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(4), tests: miniSuite(4) },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res).version).toBe(4);
    expect(await decideMini(second)).toEqual({ version: 4, marca: 4 });

    // And a third start is clean again (the pointer was repaired).
    await second.close();
    const third = await start({ dataDir });
    expect(third.problems.filter((p) => p.path !== v3)).toEqual([]);
    expect(await decideMini(third)).toEqual({ version: 4, marca: 4 });
  });

  it("a version written but the pointer not moved (crash between the two): the next start rolls forward and audits it", async () => {
    const first = await start({});
    await publishMarkers(first, [1, 2]);
    await first.close();
    const dataDir = first.dataDir;
    // v3 exists on disk (the commit point) but active.json still names v2 and audit.jsonl has no line.
    const content = {
      name: "mini",
      version: 3,
      source: miniSource(3),
      tests: miniSuite(3),
      author: "ana",
      message: "interrompida",
      createdAt: "2026-04-01T12:00:00.000Z",
    };
    await writeFile(
      versionPath(dataDir, "mini", 3),
      `${JSON.stringify({ ...content, hash: versionHash(content) }, null, 2)}\n`,
    );

    const second = await start({ dataDir });
    const paths = second.problems.map((p) => p.path);
    expect(paths).toContain(join(dataDir, "rulesets", "mini", "active.json"));
    expect(paths).toContain(join(dataDir, "audit.jsonl"));
    expect(await decideMini(second)).toEqual({ version: 3, marca: 3 });
    const audit = json(await call(second.app, { url: "/v1/audit" }));
    expect(audit.map((a: any) => a.version)).toEqual([1, 2, 3]);
    expect(audit[2]).toMatchObject({
      ruleset: "mini",
      version: 3,
      author: "ana",
      message: "interrompida",
      hash: versionHash(content),
    });
    const pointer = JSON.parse(await readFile(join(dataDir, "rulesets", "mini", "active.json"), "utf8"));
    expect(pointer).toEqual({ version: 3, hash: versionHash(content) });
  });

  it("a version file edited on disk (hash mismatch) is skipped and reported; the previous version is served", async () => {
    const first = await start({});
    await publishMarkers(first, [1, 2]);
    await first.close();
    const v2 = versionPath(first.dataDir, "mini", 2);
    const text = await readFile(v2, "utf8");
    await chmod(v2, 0o644);
    await writeFile(v2, text.replace("marca = 2", "marca = 666"));
    const second = await start({ dataDir: first.dataDir });
    expect(second.problems.find((p) => p.path === v2)?.message).toMatch(/hash/);
    expect(await decideMini(second)).toEqual({ version: 1, marca: 1 });
  });

  it("a torn last audit line is reported; the audit still lists the good entries and the next publish starts a fresh line", async () => {
    const first = await start({});
    await publishMarkers(first, [1, 2]);
    await first.close();
    const auditPath = join(first.dataDir, "audit.jsonl");
    await appendFile(auditPath, '{"at":"2026-04-01T12:00:00.000Z","action":"publ');
    const second = await start({ dataDir: first.dataDir });
    expect(second.problems.find((p) => p.path === auditPath)?.message).toMatch(/audit line/);
    expect(json(await call(second.app, { url: "/v1/audit" })).map((a: any) => a.version)).toEqual([1, 2]);
    await publishMarkers(second, [3]);
    expect(json(await call(second.app, { url: "/v1/audit" })).map((a: any) => a.version)).toEqual([1, 2, 3]);
  });

  it("a rule set whose only version is unreadable is not served (reported); the others are, and /ready is 200", async () => {
    const dir = await rulesDir();
    const first = await start({ rulesDir: dir });
    await first.close();
    const v1 = versionPath(first.dataDir, "reclame-duplicidade", 1);
    await chmod(v1, 0o644);
    await writeFile(v1, "");
    // Without the file in RULES_DIR, nothing re-seeds it.
    const emptyRules = await tempDir("rules-");
    const second = await start({ dataDir: first.dataDir, rulesDir: emptyRules });
    expect(second.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([v1, join(first.dataDir, "rulesets", "reclame-duplicidade")]),
    );
    expectError(await call(second.app, { url: "/v1/rulesets/reclame-duplicidade" }), 404, "NOT_FOUND");
    expectError(
      await call(second.app, { url: "/v1/decide/reclame-duplicidade", body: { facts: { reclames: [] } } }),
      404,
      "NOT_FOUND",
    );
    expect(await decideMini(second)).toEqual({ version: 1, marca: 1 });
    expect((await call(second.app, { url: "/ready" })).statusCode).toBe(200);
    expect((await readdir(join(first.dataDir, "rulesets"))).sort()).toEqual([
      "mini",
      "reclame-designacao",
      "reclame-duplicidade",
    ]);
  });
});
