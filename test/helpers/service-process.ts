/**
 * The decision service as a real process (`node --import tsx server/main.ts`, or the built
 * `dist/server/main.js`), for tests and the reliability scripts that need signals, exit codes,
 * kill -9 or several replicas: a fresh environment (loopback, port 0, no tokens unless given),
 * its JSON log lines collected, the port read from the "Server listening at" line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  /** Every stdout line so far (pino JSON). */
  readonly lines: string[];
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
}

export interface StartServiceOptions {
  readonly dataDir: string;
  readonly rulesDir: string;
  /** Extra environment (DATABASE_URL, TOKENS, limits...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Run the built service (dist/server/main.js) instead of the TypeScript sources. */
  readonly built?: boolean;
  /** Called with every process started (tests collect them to kill what is left in afterEach). */
  readonly track?: (child: ChildProcess) => void;
}

export interface StartedService {
  /** Resolves once the service listens; rejects when it exits first (with its stderr). */
  readonly service: Promise<ServiceProcess>;
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
  readonly child: ChildProcess;
}

/** Starts the service; `service` resolves once it listens. */
export function startService(options: StartServiceOptions): StartedService {
  const entry = options.built ? ["--enable-source-maps", "dist/server/main.js"] : ["--import", "tsx", "server/main.ts"];
  const child = spawn(process.execPath, entry, {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: options.dataDir,
      RULES_DIR: options.rulesDir,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      TOKENS: "",
      TOKENS_FILE: "",
      DATABASE_URL: "",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  options.track?.(child);
  const lines: string[] = [];
  let err = "";
  let partial = "";
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  child.stdout!.on("data", (d: Buffer) => {
    partial += d.toString("utf8");
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const l of parts) {
      lines.push(l);
      for (const w of [...waiters]) {
        if (w.re.test(l)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    }
  });
  child.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitForLine = (re: RegExp, timeoutMs = 90_000): Promise<string> => {
    const seen = lines.find((l) => re.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no log line ${String(re)} within ${timeoutMs} ms; stderr: ${err.slice(0, 2000)}`)),
        timeoutMs,
      );
      waiters.push({
        re,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(
          new Error(`the service exited (${String(code)}) before logging ${String(re)}; stderr: ${err.slice(0, 2000)}`),
        );
      });
    });
  };
  const service = waitForLine(/Server listening at/).then((l) => {
    const port = Number(
      /:(\d+)"?,?/.exec(/listening at (http:\/\/[^"]+)/.exec(l)?.[1] ?? "")?.[1] ?? /127\.0\.0\.1:(\d+)/.exec(l)?.[1],
    );
    return {
      child,
      port,
      url: `http://127.0.0.1:${port}`,
      dataDir: options.dataDir,
      lines,
      stderr: () => err,
      exited,
      waitForLine,
    };
  });
  return { service, exited, stderr: () => err, child };
}
