/**
 * Global set-up of the browser tests (vitest.e2e.config.ts): builds the service and the editor,
 * starts two real services on loopback from the compiled code (`node dist/server/main.js`, port 0,
 * each on a fresh temp DATA_DIR seeded from a copy of rules/) — one in the open mode (no tokens) and
 * one with tokens configured for the sign-in tests — and one Debian chromium (a playwright-core
 * browser server the test files connect to). The test files receive the URLs, the tokens and the
 * browser endpoint through `inject()`. The teardown stops the browser and both services and removes
 * the temp folders.
 *
 * While working on the tests, `E2E_SKIP_BUILD=1` skips the build (dist/ and the editor as they are)
 * and `EDITOR_DIR=<folder>` serves another build of the editor (the services inherit the environment).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserServer, chromium } from "playwright-core";
import type { TestProject } from "vitest/node";
import { newToken } from "../../common/tokens.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Debian's chromium (`.ci/run` installs it with apt-get). */
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** The flags that keep a headless chromium quiet and offline (EDITOR-NOTES). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  // Names for the loopback-safety tests: another site and a DNS-rebinding name, both on 127.0.0.1.
  "--host-resolver-rules=MAP *.e2e.test 127.0.0.1",
];

/** Where the screenshots for a reviewer go (gitignored). */
export const SCREENSHOTS = join(ROOT, "test-output", "e2e");

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the open (no-token) service, e.g. http://127.0.0.1:40123. */
    openUrl: string;
    /** Base URL of the service with tokens configured. */
    authUrl: string;
    /** Tokens of the second service by role set. */
    tokens: { publisher: string; author: string; decide: string };
    /** playwright-core browser server of the shared chromium. */
    wsEndpoint: string;
    /** Folder for the screenshots. */
    screenshots: string;
  }
}

interface Service {
  readonly url: string;
  readonly child: ChildProcess;
}

const temps: string[] = [];
const children: ChildProcess[] = [];
let browser: BrowserServer | undefined;

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

function run(command: string, args: string[], what: string): void {
  const started = Date.now();
  const r = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", timeout: 900_000 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const ms = Date.now() - started;
  if (ms > 2000) process.stderr.write(`e2e: ${what} took ${(ms / 1000).toFixed(1)} s\n`);
}

/** Builds dist/ and the editor (dist/editor/) when stale, as `npm start` does. */
function build(): void {
  run(process.execPath, [join(ROOT, "scripts/ensure-build.js")], "node scripts/ensure-build.js");
}

/** Starts the compiled service on a fresh data folder; resolves with its base URL once it is ready. */
async function startService(
  name: string,
  env: Record<string, string>,
  ruleSets: readonly string[] | "all" = "all",
): Promise<Service> {
  const dataDir = tempDir(`e2e-data-${name}-`);
  const rulesDir = tempDir(`e2e-rules-${name}-`);
  cpSync(join(ROOT, "rules"), rulesDir, {
    recursive: true,
    filter: (src) =>
      ruleSets === "all" || !src.endsWith(".yaml") || ruleSets.some((r) => basename(src).startsWith(`${r}.`)),
  });
  const child = spawn(process.execPath, ["--enable-source-maps", "dist/server/main.js"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      RULES_DIR: rulesDir,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      TOKENS: "",
      TOKENS_FILE: "",
      AUTHORING_WORKERS: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  // The service's log, for the reviewer of a failed run.
  child.on("exit", () => writeFileSync(join(SCREENSHOTS, `service-${name}.log`), out));
  child.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  const tail = () => out.slice(-4000);
  // Listening first, then "decision service ready" once the rule sets are loaded (/ready would need
  // a token on the service with tokens).
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} service not ready within 90 s:\n${tail()}`)), 90_000);
    const onData = () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes("decision service ready")) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} service exited (${code}) before it was ready:\n${tail()}`));
    });
  });
  return { url, child };
}

async function teardown(): Promise<void> {
  await browser?.close().catch(() => undefined);
  browser = undefined;
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  if (process.env.E2E_SKIP_BUILD !== "1") build();
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });

  const publisher = newToken("ana", ["author", "publisher", "decide"]);
  const author = newToken("bruno", ["author"]);
  const decide = newToken("crm", ["decide"]);
  try {
    const started = Date.now();
    const [open, auth] = await Promise.all([
      startService("open", {}),
      // The sign-in tests use retencao only: a quicker start.
      startService("auth", { TOKENS: [publisher.line, author.line, decide.line].join(";") }, ["retencao"]),
    ]);
    const server = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    browser = server;
    process.stderr.write(`e2e: services and chromium ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    project.provide("openUrl", open.url);
    project.provide("authUrl", auth.url);
    project.provide("tokens", { publisher: publisher.token, author: author.token, decide: decide.token });
    project.provide("wsEndpoint", server.wsEndpoint());
    project.provide("screenshots", SCREENSHOTS);
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
