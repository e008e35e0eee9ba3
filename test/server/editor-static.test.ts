/**
 * The editor's static files (server/routes/editor.ts), against a tiny fake build (a temp folder
 * with index.html and assets/x-hash.js given as EDITOR_DIR; no Vite build needed): the page at `/`
 * (no-cache, a Content-Security-Policy fit for Monaco) and the hashed assets (a year, immutable)
 * are public even with tokens configured, while the API still needs a token; a missing build is a
 * readable Portuguese page, never a 500; the static routes stay out of the OpenAPI document and
 * leave the other routes as they were.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_EDITOR_DIR, loadConfig } from "../../server/config.js";
import { call, closeAfterEach, expectError, json, newTokens, ROOT, startApp, tempDir } from "./helpers.js";

vi.setConfig({ testTimeout: 20_000, hookTimeout: 30_000 });

const keep = closeAfterEach();
const tokens = newTokens();

const INDEX = `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>Editor de regras</title>
<script type="module" crossorigin src="/assets/x-Ab12Cd34.js"></script></head><body><div id="app"></div></body></html>
`;
const SCRIPT = 'console.log("editor");\n';

/** A fake editor build: index.html and assets/x-Ab12Cd34.js (plus a font). */
async function fakeBuild(): Promise<string> {
  const dir = await tempDir("editor-build-");
  await mkdir(join(dir, "assets"));
  await writeFile(join(dir, "index.html"), INDEX);
  await writeFile(join(dir, "assets", "x-Ab12Cd34.js"), SCRIPT);
  await writeFile(join(dir, "assets", "codicon-Zz99Yy88.ttf"), Buffer.from([0, 1, 0, 0]));
  return dir;
}

async function withTokens(editorDir: string) {
  return keep(await startApp({ env: { TOKENS: tokens.env, EDITOR_DIR: editorDir } }));
}

describe("the editor's files", () => {
  it("GET / serves index.html without a token while tokens are configured: no-cache and a CSP for Monaco", async () => {
    const t = await withTokens(await fakeBuild());
    const res = await call(t.app, { url: "/" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(INDEX);
    expect(String(res.headers["content-type"])).toMatch(/^text\/html/);
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    const csp = String(res.headers["content-security-policy"]);
    const directives = new Map(
      csp.split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values] as const;
      }),
    );
    expect(directives.get("default-src")).toEqual(["'self'"]);
    expect(directives.get("script-src")).toEqual(["'self'"]); // no inline script, no eval, no CDN
    expect(directives.get("worker-src")).toEqual(["'self'", "blob:"]);
    expect(directives.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]); // Monaco's inline styles
    expect(directives.get("connect-src")).toEqual(["'self'"]);
    expect(directives.get("object-src")).toEqual(["'none'"]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp).not.toMatch(/https?:|\*/);

    const head = await t.app.inject({ method: "HEAD", url: "/" });
    expect(head.statusCode).toBe(200);
    expect(head.headers["cache-control"]).toBe("no-cache");
  });

  it("GET /assets/<hashed name> serves the file without a token, cached for a year (immutable)", async () => {
    const t = await withTokens(await fakeBuild());
    const res = await call(t.app, { url: "/assets/x-Ab12Cd34.js" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(SCRIPT);
    expect(String(res.headers["content-type"])).toMatch(/javascript/);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    const font = await call(t.app, { url: "/assets/codicon-Zz99Yy88.ttf" });
    expect(font.statusCode).toBe(200);
    expect(font.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("an unknown asset or a path outside assets/ is a 404 envelope, never a file of the folder above", async () => {
    const t = await withTokens(await fakeBuild());
    expectError(await call(t.app, { url: "/assets/nada-123.js" }), 404, "NOT_FOUND");
    for (const url of ["/assets/../index.html", "/assets/%2e%2e/index.html", "/assets/..%2findex.html"]) {
      const res = await call(t.app, { url });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body, url).not.toContain("<!doctype html>");
    }
    // index.html is served at / only.
    expectError(await call(t.app, { url: "/index.html", token: tokens.all }), 404, "NOT_FOUND");
  });

  it("the API still needs a token; /health stays public", async () => {
    const t = await withTokens(await fakeBuild());
    expectError(await call(t.app, { url: "/v1/rulesets" }), 401, "UNAUTHORIZED");
    expect((await call(t.app, { url: "/v1/rulesets", token: tokens.decide })).statusCode).toBe(200);
    expect((await call(t.app, { url: "/health" })).statusCode).toBe(200);
    expectError(await call(t.app, { url: "/metrics" }), 401, "UNAUTHORIZED");
    expect((await call(t.app, { url: "/metrics", token: tokens.decide })).statusCode).toBe(200);
    expect((await call(t.app, { url: "/ready", token: tokens.decide })).statusCode).toBe(200);
  });

  it("a missing build: / is a Portuguese page saying how to build it (503, not an error envelope); assets are 404", async () => {
    const t = await withTokens(join(await tempDir("no-editor-"), "dist", "editor"));
    const res = await call(t.app, { url: "/" });
    expect(res.statusCode).toBe(503);
    expect(String(res.headers["content-type"])).toMatch(/^text\/html/);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toContain('lang="pt-BR"');
    expect(res.body).toContain("npm run build:editor");
    expect(res.body).toMatch(/ainda não foi construído/);
    expect(res.body).toContain('href="/docs"');
    expectError(await call(t.app, { url: "/assets/x-Ab12Cd34.js" }), 404, "NOT_FOUND");
  });

  it("a build made while the service runs is served at once", async () => {
    const dir = await tempDir("editor-late-");
    const t = await withTokens(dir);
    expect((await call(t.app, { url: "/" })).statusCode).toBe(503);
    await mkdir(join(dir, "assets"));
    await writeFile(join(dir, "index.html"), INDEX);
    await writeFile(join(dir, "assets", "x-Ab12Cd34.js"), SCRIPT);
    const page = await call(t.app, { url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe(INDEX);
    expect((await call(t.app, { url: "/assets/x-Ab12Cd34.js" })).statusCode).toBe(200);
  });

  it("the static routes are not in the OpenAPI document; /docs still answers", async () => {
    const t = await withTokens(await fakeBuild());
    const doc = json(await call(t.app, { url: "/docs/json" }));
    const paths = Object.keys(doc.paths as Record<string, unknown>);
    expect(paths.filter((p) => p === "/" || p.startsWith("/assets"))).toEqual([]);
    expect(paths).toContain("/health");
    const ui = await call(t.app, { url: "/docs" });
    expect(ui.statusCode).toBeLessThan(400);
  });
});

describe("EDITOR_DIR", () => {
  it("defaults to dist/editor/ of the package, whatever the working directory; a relative value resolves from it", () => {
    expect(DEFAULT_EDITOR_DIR).toBe(join(ROOT, "dist", "editor"));
    expect(loadConfig({}, "/tmp").editorDir).toBe(join(ROOT, "dist", "editor"));
    expect(loadConfig({ EDITOR_DIR: "build/editor" }, "/srv/regras").editorDir).toBe("/srv/regras/build/editor");
  });
});
