/**
 * The rule-set name rule is one pattern (dsl/ruleset/names.ts): the loader, the store and every
 * route's params schema use it, the decide routes included.
 */
import { describe, expect, it, vi } from "vitest";
import { RULESET_NAME_PATTERN } from "../../dsl/ruleset/names.js";
import { RULESET_NAME_PATTERN as STORE_PATTERN } from "../../server/store/file-store.js";
import { nameParam, rulesetParam } from "../../server/schemas.js";
import { call, closeAfterEach, json, startApp } from "./helpers.js";

vi.setConfig({ testTimeout: 20_000, hookTimeout: 30_000 });

const keep = closeAfterEach();

describe("rule-set names", () => {
  it("the store and the route schemas use the one pattern", () => {
    expect(STORE_PATTERN).toBe(RULESET_NAME_PATTERN);
    expect(rulesetParam.properties.ruleset.pattern).toBe(RULESET_NAME_PATTERN.source);
    expect(nameParam.properties.name.pattern).toBe(RULESET_NAME_PATTERN.source);
  });

  it("decide, batch and rule-set routes answer 400 INVALID_REQUEST to a name no rule set can have", async () => {
    const { app } = keep(await startApp());
    const bad = "Nao_Existe";
    for (const [url, param] of [
      [`/v1/decide/${bad}`, "/ruleset"],
      [`/v1/decide/${bad}/batch`, "/ruleset"],
      [`/v1/rulesets/${bad}`, "/name"],
    ] as const) {
      const res = await call(app, {
        url,
        ...(url.startsWith("/v1/decide") ? { body: url.endsWith("batch") ? { items: [] } : { facts: {} } } : {}),
      });
      expect(res.statusCode, url).toBe(400);
      expect(json(res).error.code).toBe("INVALID_REQUEST");
      expect(json(res).error.details.map((d: { path: string }) => d.path)).toEqual([param]);
    }
    // A well-formed name that is not published stays 404.
    expect((await call(app, { url: "/v1/decide/nao-existe", body: { facts: {} } })).statusCode).toBe(404);
  });
});
