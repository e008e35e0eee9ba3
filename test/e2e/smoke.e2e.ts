/**
 * The harness itself: both services answer on loopback and the browser reaches them.
 */
import { describe, expect, it } from "vitest";
import { api, AUTH_URL, OPEN_URL, SHIPPED, session } from "./helpers.js";

describe("harness", () => {
  it("the open service seeded the shipped rule sets; the other asks for a token", async () => {
    const list = await api(OPEN_URL, "GET", "/v1/rulesets");
    expect(list.status).toBe(200);
    expect(list.json.map((r: { name: string }) => r.name).sort()).toEqual(expect.arrayContaining([...SHIPPED]));
    expect((await api(AUTH_URL, "GET", "/v1/rulesets")).status).toBe(401);
  });

  it("chromium loads the service's root page", async () => {
    const s = await session();
    try {
      const res = await s.page.goto(`${OPEN_URL}/`);
      expect(res?.status()).toBe(200);
    } finally {
      await s.close();
    }
  });
});
