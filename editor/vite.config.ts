/**
 * The Vite build of the analysts' editor (`npm run build:editor`; `npm start` runs it through
 * scripts/ensure-build.js when the build is missing or stale). Input: editor/index.html; output:
 * dist/editor/ (index.html and hashed files under assets/), served by the service at `/`
 * (server/routes/editor.ts). The tsc build of dist/ keeps this folder (ensure-build empties dist/
 * around it).
 *
 * Offline by design: Monaco and its worker are bundled from node_modules (no CDN); workers are ES
 * modules. JSX is Preact's (automatic runtime). Every emitted file but index.html has a content
 * hash in its name, so the service can cache them for a year (`immutable`). Source maps are
 * emitted next to the bundles.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** This folder (the config may be loaded from any working directory). */
const EDITOR = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: EDITOR,
  base: "/",
  // No public/ folder: everything the page uses is imported, hence hashed.
  publicDir: false,
  clearScreen: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  worker: { format: "es" },
  build: {
    outDir: fileURLToPath(new URL("../dist/editor", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: true,
    target: "es2022",
    // Monaco is large by nature (about 4 MB minified): no warning for it.
    chunkSizeWarningLimit: 8000,
    // Fonts and images are files with hashed names too, never inlined as data: URLs.
    assetsInlineLimit: 0,
    rolldownOptions: {
      // No report of slow plugins on every build (ensure-build prints one line, then errors only).
      checks: { bundlerTimings: false },
      input: fileURLToPath(new URL("index.html", import.meta.url)),
      output: {
        entryFileNames: "assets/[name]-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
});
