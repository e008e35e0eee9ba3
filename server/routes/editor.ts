/**
 * The analysts' editor, served from its Vite build (EDITOR_DIR, by default dist/editor/; built by
 * `npm run build:editor` or `npm start`):
 *
 * - `GET /`: the page (index.html), `Cache-Control: no-cache` (it names the current bundles), with
 *   a Content-Security-Policy that fits Monaco: scripts, workers, fonts and connections from the
 *   service itself only (workers also from blob:), inline styles (Monaco sets style attributes and
 *   injects <style> elements), no plug-ins, no framing. When the build is missing, a short page in
 *   Portuguese saying how to build it (503), never an error envelope or a 500.
 * - `GET /assets/*`: the hashed bundles, fonts and source maps, cached for a year (`immutable`: a
 *   new build has new names).
 *
 * Public routes (no token even when tokens are configured: the page loads before anyone can type
 * one; the API calls it then makes carry the token). Hidden from the OpenAPI document. The files
 * are read on each request, so a build made while the service runs is served at once.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** The editor page's Content-Security-Policy. */
export const EDITOR_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers of the hashed files under /assets/. */
export const ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable";

/** The page shown when the editor has not been built. */
const MISSING_BUILD = `<!doctype html>
<html lang="pt-BR">
<head><meta charset="utf-8"><title>Editor de regras: falta construir</title><link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}code{background:#eee;padding:.1rem .3rem}</style></head>
<body>
<h1>O editor de regras ainda não foi construído</h1>
<p>O serviço está no ar e atende a API normalmente, mas os arquivos do editor não estão nesta instalação.</p>
<p>Para construí-los, na pasta do projeto rode <code>npm run build:editor</code> e recarregue esta página
(<code>npm start</code> também constrói o editor quando ele falta).</p>
<p>Enquanto isso: <a href="/docs">documentação da API</a>.</p>
</body>
</html>
`;

const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'";

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR";
}

export async function editorRoutes(app: FastifyInstance): Promise<void> {
  const dir = app.config.editorDir;

  // Every route of this plugin (the page and @fastify/static's) is public.
  app.addHook("onRoute", (route) => {
    route.config = { ...route.config, public: true };
  });

  app.get("/", { schema: { hide: true } }, async (_request, reply) => {
    reply.header("x-content-type-options", "nosniff").header("referrer-policy", "no-referrer");
    let page: Buffer;
    try {
      page = await readFile(join(dir, "index.html"));
    } catch (e) {
      if (!isMissing(e)) throw e;
      return reply
        .status(503)
        .header("cache-control", "no-store")
        .header("content-security-policy", PAGE_CSP)
        .type("text/html; charset=utf-8")
        .send(MISSING_BUILD);
    }
    return reply
      .header("cache-control", "no-cache")
      .header("content-security-policy", EDITOR_CSP)
      .type("text/html; charset=utf-8")
      .send(page);
  });

  const assets = join(dir, "assets");
  const isFile = await stat(assets).then(
    (s) => !s.isDirectory(),
    () => false,
  );
  if (isFile) {
    app.log.warn({ path: assets }, "EDITOR_DIR/assets is not a folder: the editor's files are not served");
    return;
  }
  await app.register(fastifyStatic, {
    root: assets,
    prefix: "/assets/",
    // The folder may not exist yet (the editor not built): its files are then 404.
    suppressWarning: true,
    decorateReply: false,
    index: false,
    list: false,
    redirect: false,
    dotfiles: "ignore",
    cacheControl: false,
    setHeaders: (reply) => {
      reply.header("cache-control", ASSET_CACHE_CONTROL).header("x-content-type-options", "nosniff");
    },
  });
}
