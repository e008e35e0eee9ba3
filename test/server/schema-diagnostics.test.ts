/**
 * Fact schemas that the runtime's validator (ajv, strict) would refuse are caught by
 * `POST /v1/rulesets/{name}/validate` as error diagnostics at the exact YAML node, and the
 * publish of the same source is refused (422) with nothing stored. Synthetic data only.
 */
import { describe, expect, it, vi } from "vitest";
import { call, closeAfterEach, expectError, json, miniSource, startApp } from "./helpers.js";

// Generous budgets: the machine is shared and an app starts its store and authoring workers.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const keep = closeAfterEach();

interface WireDiagnostic {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** miniSource with one more fact declaration (line 6 of the source). */
function withFact(declaration: string): string {
  const source = miniSource(1).replace("facts:\n", `facts:\n  extra: ${declaration}\n`);
  expect(source.split("\n")[3]).toBe(`  extra: ${declaration}`);
  return source;
}

const CASES = [
  {
    what: "a repeated enum value",
    declaration: "{ type: string, enum: [J, F, J] }",
    code: "ruleset/invalid-schema",
    at: "J]",
  },
  { what: "minimum: .nan", declaration: "{ type: integer, minimum: .nan }", code: "ruleset/unsafe-number", at: ".nan" },
  {
    what: "maximum: 1e400",
    declaration: "{ type: number, maximum: 1e400 }",
    code: "ruleset/unsafe-number",
    at: "1e400",
  },
] as const;

describe("fact schemas ajv would refuse, over HTTP", () => {
  for (const c of CASES) {
    it(`${c.what}: validate answers ok false with the error at its node; publish is refused and stores nothing`, async () => {
      const { app } = keep(await startApp());
      const source = withFact(c.declaration);
      const res = await call(app, { url: "/v1/rulesets/mini/validate", body: { source } });
      expect(res.statusCode, res.body).toBe(200);
      const body = json<{ ok: boolean; diagnostics: WireDiagnostic[] }>(res);
      expect(body.ok).toBe(false);
      const errors = body.diagnostics.filter((d) => d.severity === "error");
      const column = `  extra: ${c.declaration}`.lastIndexOf(c.at) + 1;
      expect(errors.map((d) => `${d.code} @ ${d.line}:${d.column}`)).toEqual([`${c.code} @ 4:${column}`]);

      expectError(
        await call(app, { url: "/v1/rulesets/mini/versions", body: { source, message: "esquema inválido" } }),
        422,
      );
      expect((await call(app, { url: "/v1/rulesets/mini" })).statusCode).toBe(404);
    });
  }
});
