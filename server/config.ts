/**
 * Service configuration from environment variables (documented in docs/service.md). Every value
 * is checked; a bad one stops the start with a message naming the variable.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { packageRoot } from "../common/package-root.js";
import { parseTokens, type TokenEntry } from "./auth.js";

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /**
   * PostgreSQL connection URL (`postgres://user:password@host:5432/db`): the store of several
   * replicas. Unset: the embedded file store under `dataDir` (one process).
   */
  readonly databaseUrl: string | undefined;
  /** With PostgreSQL: milliseconds between two polls for other replicas' changes (NOTIFY is only a hint). */
  readonly storePollMs: number;
  /** Folder whose `<name>.yaml` (+ `<name>.test.yaml`) seed rule sets the store does not have yet. */
  readonly rulesDir: string;
  readonly tokens: readonly TokenEntry[];
  readonly logLevel: string;
  /** Largest request body, bytes. */
  readonly bodyLimit: number;
  /** Largest rule-set or test-suite source, characters. */
  readonly sourceLimit: number;
  /** Most items in one batch decision. */
  readonly batchLimit: number;
  /** Milliseconds to receive a whole request. */
  readonly requestTimeout: number;
  /** Milliseconds a handler may run (then 503 HANDLER_TIMEOUT, and a batch stops deciding). */
  readonly handlerTimeout: number;
  /** On SIGTERM / SIGINT: milliseconds the requests in flight get to finish before the connections are cut. */
  readonly shutdownGrace: number;
  /** Authoring requests (validate, test, publish, roll back) per minute per client. */
  readonly authoringRateLimit: number;
  /** Worker threads that compile, check and test for authoring (0: on the main thread). */
  readonly authoringWorkers: number;
  /** Most rules (`rules:` entries) in one rule set. */
  readonly maxRules: number;
  /** Most table rows (all tables together) in one rule set. */
  readonly maxTableRows: number;
  /** The analysts' editor as built by Vite (index.html + assets/), served at `/`. */
  readonly editorDir: string;
  /** The decision log (server/decision-log/): every decision recorded, personal facts masked. */
  readonly decisionLog: DecisionLogConfig;
}

export interface DecisionLogConfig {
  /** DECISION_LOG=on (default) or off. */
  readonly enabled: boolean;
  /** DECISION_LOG_QUEUE: decisions waiting to be written; past it new ones are dropped (counted), never waited for. */
  readonly queue: number;
  /** DECISION_LOG_RETENTION_DAYS: records older than this are removed. */
  readonly retentionDays: number;
  /** DECISION_LOG_MAX_MB: past this size the oldest records are removed. */
  readonly maxMb: number;
  /**
   * DECISION_LOG_KEY (hex, at least 32 bytes): the key of the masking hashes, the same on every
   * replica. Unset: the storage keeps a random one of its own.
   */
  readonly key: Buffer | undefined;
  /** DECISION_LOG_PERSONAL: personal facts stored as keyed hashes ("hash", default) or left out ("drop"). */
  readonly personal: "hash" | "drop";
}

/** Where `npm run build:editor` (and `npm start`) put the editor: dist/editor/ of this package. */
export const DEFAULT_EDITOR_DIR = join(packageRoot(import.meta.url), "dist", "editor");

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Loopback addresses only as literals (a name such as 127.example.com may resolve anywhere). */
export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1" || host === "[::1]") return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m?.slice(1).every((n) => Number(n) <= 255) ?? false;
}

function tokensFrom(text: string, origin: string): TokenEntry[] {
  try {
    return parseTokens(text, origin);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

function int(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${key} deve ser um inteiro entre ${min} e ${max} (recebido: ${JSON.stringify(raw)})`);
  return n;
}

/** A PostgreSQL URL node-postgres can use; the message never repeats the URL (it may hold a password). */
function checkDatabaseUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("DATABASE_URL não é uma URL válida (esperado: postgres://usuário:senha@máquina:5432/banco)");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    throw new ConfigError(
      `DATABASE_URL deve começar com postgres:// ou postgresql:// (recebido: ${JSON.stringify(url.protocol)})`,
    );
}

/** The URL with its password masked, for logs. */
export function redactDatabaseUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(DATABASE_URL)";
  }
}

function choice<T extends string>(env: NodeJS.ProcessEnv, key: string, values: readonly T[], fallback: T): T {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  if (!(values as readonly string[]).includes(raw))
    throw new ConfigError(`${key} deve ser ${values.join(" ou ")} (recebido: ${JSON.stringify(raw)})`);
  return raw as T;
}

/** DECISION_LOG_KEY: hex of at least 32 bytes. The message never repeats the value (it is a secret). */
function maskingKey(env: NodeJS.ProcessEnv): Buffer | undefined {
  const raw = env.DECISION_LOG_KEY;
  if (raw === undefined || raw === "") return undefined;
  if (!/^(?:[0-9a-fA-F]{2}){32,}$/.test(raw))
    throw new ConfigError(
      `DECISION_LOG_KEY deve ter pelo menos 32 bytes em hexadecimal (64 caracteres 0-9a-f, em número par; recebidos ${raw.length} caracteres). Gere um com: openssl rand -hex 32`,
    );
  return Buffer.from(raw, "hex");
}

function decisionLogConfig(env: NodeJS.ProcessEnv): DecisionLogConfig {
  return {
    enabled: choice(env, "DECISION_LOG", ["on", "off"], "on") === "on",
    queue: int(env, "DECISION_LOG_QUEUE", 10_000, 1, 1_000_000),
    retentionDays: int(env, "DECISION_LOG_RETENTION_DAYS", 90, 1, 36_500),
    maxMb: int(env, "DECISION_LOG_MAX_MB", 1024, 1, 10_485_760),
    key: maskingKey(env),
    personal: choice(env, "DECISION_LOG_PERSONAL", ["hash", "drop"], "hash"),
  };
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Reads the configuration. Throws ConfigError with a clear message for any bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  let tokens: TokenEntry[] = [];
  if (env.TOKENS_FILE) {
    const path = resolve(cwd, env.TOKENS_FILE);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new ConfigError(`TOKENS_FILE: não foi possível ler ${path}: ${(e as Error).message}`);
    }
    tokens = tokensFrom(text, `TOKENS_FILE (${path})`);
  }
  if (env.TOKENS) tokens = [...tokens, ...tokensFrom(env.TOKENS, "TOKENS")];
  const host = env.HOST || "127.0.0.1";
  if (tokens.length === 0 && !isLoopback(host)) {
    throw new ConfigError(
      `HOST=${host} não é um endereço local e nenhum token de acesso foi configurado: o serviço ficaria aberto na rede. Configure TOKENS ou TOKENS_FILE (veja docs/service.md) ou use HOST=127.0.0.1.`,
    );
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) checkDatabaseUrl(databaseUrl);
  const logLevel = env.LOG_LEVEL || "info";
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL deve ser um de ${LOG_LEVELS.join(", ")}`);
  return {
    port: int(env, "PORT", 3000, 0, 65535),
    host,
    dataDir: resolve(cwd, env.DATA_DIR || "data"),
    databaseUrl,
    storePollMs: int(env, "STORE_POLL_MS", 1000, 50, 60_000),
    rulesDir: resolve(cwd, env.RULES_DIR || "rules"),
    tokens,
    logLevel,
    bodyLimit: int(env, "BODY_LIMIT", 1_048_576, 1024, 64 * 1_048_576),
    sourceLimit: int(env, "SOURCE_LIMIT", 262_144, 1024, 1_000_000),
    batchLimit: int(env, "BATCH_LIMIT", 1000, 1, 100_000),
    requestTimeout: int(env, "REQUEST_TIMEOUT_MS", 30_000, 100, 600_000),
    handlerTimeout: int(env, "HANDLER_TIMEOUT_MS", 30_000, 100, 600_000),
    shutdownGrace: int(env, "SHUTDOWN_GRACE_MS", 10_000, 0, 600_000),
    authoringRateLimit: int(env, "AUTHORING_RATE_LIMIT", 120, 1, 1_000_000),
    authoringWorkers: int(env, "AUTHORING_WORKERS", 1, 0, 16),
    maxRules: int(env, "MAX_RULES", 2000, 1, 100_000),
    maxTableRows: int(env, "MAX_TABLE_ROWS", 10_000, 1, 1_000_000),
    editorDir: env.EDITOR_DIR ? resolve(cwd, env.EDITOR_DIR) : DEFAULT_EDITOR_DIR,
    decisionLog: decisionLogConfig(env),
  };
}
