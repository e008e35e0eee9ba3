/**
 * `rules publish --vigencia-de / --vigencia-ate` against a listening service: the flags become
 * the publish's vigência (a future start schedules the version), a malformed flag is a usage
 * error (exit 2) with nothing sent, and the service's refusal (`until` not after `from`) is shown.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { CliContext } from "../../cli/main.js";
import { publish } from "../../cli/publish.js";
import { call, closeAfterEach, json, miniSource, miniSuite, startApp } from "./helpers.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });
const keep = closeAfterEach();

function io(cwd: string, argv: string[]): CliContext & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    argv,
    cwd,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    out: () => out,
    err: () => err,
  };
}

describe("rules publish with vigência", () => {
  it("schedules a version, refuses a malformed flag before sending, shows the service's refusal", async () => {
    const t = keep(await startApp());
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const dir = mkdtempSync(join(tmpdir(), "as-of-cli-"));
    const run = async (marca: number, ...flags: string[]) => {
      writeFileSync(join(dir, "mini.yaml"), miniSource(marca));
      writeFileSync(join(dir, "mini.test.yaml"), miniSuite(marca));
      const ctx = io(dir, ["mini.yaml", "--server", url, ...flags]);
      const code = await publish(ctx, {});
      return { code, out: ctx.out(), err: ctx.err() };
    };

    expect((await run(1)).code).toBe(0);
    const scheduled = await run(2, "--vigencia-de", "2999-01-01", "--vigencia-ate", "2999-02-01T00:00:00-03:00");
    expect(scheduled.err).toBe("");
    expect(scheduled.out).toBe(
      "publicado mini versão 2 (com a suíte mini.test.yaml); vigência de 2999-01-01T03:00:00.000Z até 2999-02-01T03:00:00.000Z\n",
    );
    const info = json(await call(t.app, { url: "/v1/rulesets/mini" }));
    expect(info).toMatchObject({ active: 2, inForce: 1, scheduled: [2] });

    const malformed = await run(3, "--vigencia-de", "01/03/2026");
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain("--vigencia-de deve ser uma data (aaaa-mm-dd)");

    const backwards = await run(3, "--vigencia-de", "2999-03-01", "--vigencia-ate", "2999-02-01");
    expect(backwards.code).toBe(1);
    expect(backwards.err).toMatch(
      /^erro 400 INVALID_REQUEST: vigência inválida: o fim da vigência .* deve ser depois do início/,
    );
    expect(json(await call(t.app, { url: "/v1/rulesets/mini" })).versions).toHaveLength(2);
  });
});
