/**
 * Loopback safety in the open (no-token) mode, from a browser's point of view: a page of another
 * site cannot publish through the analyst's browser (an HTML form, a `no-cors` fetch and a JSON
 * fetch all fail, nothing is created), and a page reached under another name that resolves to
 * 127.0.0.1 (DNS rebinding) gets nothing from the service. The editor's own page still works.
 * Chromium maps every `*.e2e.test` name to 127.0.0.1 (global-setup.ts).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, OPEN_URL, session } from "./helpers.js";

const TARGET = "invadido";
const SOURCE = `ruleset: ${TARGET}
facts:
  valor: { type: integer }
outputs:
  marca: { type: integer }
rules:
  - name: marca
    then: marca = 1
`;
const PUBLISH_URL = `${OPEN_URL}/v1/rulesets/${TARGET}/versions`;
/** A text/plain form body that reads as JSON: `{"source": "...", "x": "=" + "\"}"`. */
const FORM_NAME = `${JSON.stringify({ source: SOURCE, x: "" }).slice(0, -2)}`;

const ATTACK_PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<form id="f" method="POST" action="${PUBLISH_URL}" enctype="text/plain" target="sink">
<input type="hidden" name='${FORM_NAME.replaceAll("'", "&#39;")}' value='"}'></form>
<iframe name="sink" id="sink"></iframe>
</body></html>`;

let attacker: Server;
let attackerPort: number;

beforeAll(async () => {
  attacker = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(ATTACK_PAGE);
  });
  await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", r));
  attackerPort = (attacker.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((r) => attacker.close(() => r())));

async function nothingPublished(): Promise<void> {
  expect((await api(OPEN_URL, "GET", `/v1/rulesets/${TARGET}`)).status).toBe(404);
  const list = await api(OPEN_URL, "GET", "/v1/rulesets");
  expect(list.json.map((r: { name: string }) => r.name)).not.toContain(TARGET);
}

describe("loopback safety from a browser", () => {
  it("a page of another site cannot publish: form, no-cors fetch and JSON fetch all fail", async () => {
    const s = await session();
    try {
      await s.page.goto(`http://attacker.e2e.test:${attackerPort}/`);
      const fetches = await s.page.evaluate(
        async ([url, source]) => {
          const out: Record<string, string> = {};
          try {
            const r = await fetch(url, {
              method: "POST",
              mode: "no-cors",
              headers: { "content-type": "text/plain" },
              body: JSON.stringify({ source }),
            });
            out.noCors = `opaque:${r.type}`;
          } catch (e) {
            out.noCors = `failed:${(e as Error).name}`;
          }
          try {
            const r = await fetch(url, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ source }),
            });
            out.json = `status:${r.status}`;
          } catch (e) {
            out.json = `failed:${(e as Error).name}`;
          }
          return out;
        },
        [PUBLISH_URL, SOURCE] as const,
      );
      // The no-cors request leaves with an opaque answer the page cannot read; the JSON one needs a
      // CORS preflight the service never approves.
      expect(fetches.noCors).toMatch(/^opaque:opaque$|^failed:/);
      expect(fetches.json).toBe("failed:TypeError");

      // The form navigates the frame to the service's answer: refused for its origin.
      const navigated = s.page.waitForEvent(
        "framenavigated",
        (f) => f.name() === "sink" && f.url().startsWith(OPEN_URL),
      );
      await s.page.evaluate(() => (document.getElementById("f") as HTMLFormElement).submit());
      const frame = await navigated;
      await frame.waitForLoadState();
      expect(await frame.locator("body").textContent()).toContain("FORBIDDEN_ORIGIN");
      await nothingPublished();
    } finally {
      await s.close();
    }
  });

  it("a page reached under another name (DNS rebinding) gets nothing; the editor's own origin works", async () => {
    const s = await session();
    try {
      const port = new URL(OPEN_URL).port;
      const res = await s.page.goto(`http://rebind.e2e.test:${port}/`);
      expect(res?.status()).toBe(403);
      expect(await res?.text()).toContain("FORBIDDEN_HOST");
      const same = await s.page.evaluate(async (source) => {
        const read = await fetch("/v1/rulesets");
        const publish = await fetch(`/v1/rulesets/invadido/versions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ source }),
        });
        return { read: read.status, publish: publish.status, body: await publish.text() };
      }, SOURCE);
      expect(same.read).toBe(403);
      expect(same.publish).toBe(403);
      expect(same.body).toContain("FORBIDDEN_HOST");
      await nothingPublished();

      // The service's own page (loopback origin) may call it.
      await s.page.goto(`${OPEN_URL}/`);
      const own = await s.page.evaluate(async (source) => {
        const r = await fetch("/v1/rulesets/invadido/validate", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ source }),
        });
        return { status: r.status, body: (await r.json()) as { ok: boolean } };
      }, SOURCE);
      expect(own).toEqual({ status: 200, body: expect.objectContaining({ ok: true }) });
    } finally {
      await s.close();
    }
  });
});
