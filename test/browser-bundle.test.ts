/**
 * The language, the runtime and the test runner run in the editor's browser worker: they bundle
 * for the browser platform with no Node built-in module, and the bundle decides a real rule set.
 */
import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;

describe("browser bundle of dsl/, engine/ and tester/", () => {
  it("bundles for the browser without Node built-ins", async () => {
    const result = await build({
      stdin: {
        contents: `export * from "./dsl/index.ts"; export { decide } from "./engine/index.ts"; export { runSuite } from "./tester/run.ts"; export { loadSuite } from "./tester/suite.ts";`,
        resolveDir: root,
        loader: "ts",
      },
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
      metafile: true,
      define: { "process.env.NODE_ENV": '"production"' },
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0]?.text ?? "";
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code.length).toBeGreaterThan(100_000);
    // The holiday calendar is a small table (dsl/library/holidays.ts): date-holidays and what it
    // pulls in (moment, moment-timezone, astronomia; about 1.4 MiB minified) stay out of the bundle.
    const heavy = Object.keys(result.metafile.inputs).filter((f) =>
      /node_modules\/(date-holidays|date-holidays-parser|moment|moment-timezone|astronomia)\//.test(f),
    );
    expect(heavy).toEqual([]);
    const source = readFileSync(new URL("../rules/reclame-designacao.yaml", import.meta.url), "utf8");
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as {
      compileSource: (s: string) => { compiled?: unknown };
      decide: (c: unknown, f: unknown) => Promise<{ decision: Record<string, unknown> }>;
    };
    const compiled = mod.compileSource(source).compiled;
    const r = await mod.decide(compiled, {
      tipoAtendimento: "Reclamação",
      tipoCliente: "Beneficiário",
      servico: "Reembolso",
      entradaEm: "2026-04-01T09:15",
    });
    expect(r.decision.designacao).toBe("GIPES");
  }, 60_000);
});
