/**
 * Where the CLI reads logged decisions from (`rules replay`, and later whatever else turns logged
 * decisions into something): a file — JSON Lines of records, a JSON array of records, or a saved
 * API page `{items: [...]}` — or the service's API (`GET /v1/decisions`, oldest first, following
 * the `next` cursors with the token of `--token`/RULES_TOKEN). Records are filtered to one rule set
 * and an optional time window, at most `limit`; progress goes to stderr every 1,000 records. Every
 * problem is an InputError in Portuguese: a file that cannot be read, bad JSON (with its line), a
 * record without what a logged decision has, an HTTP error (status and the API's message).
 */
import type { LoggedDecision } from "../tester/logged-decision.js";
import { type CliContext, InputError, readTextFile } from "./io.js";

export interface DecisionSourceOptions {
  /** Only the records of this rule set. */
  readonly ruleset: string;
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
  /** At most this many records (default 10,000). */
  readonly limit?: number;
  /** Bearer token for the API. */
  readonly token?: string;
  /** Called with the count of records read, every PROGRESS_EVERY records. */
  readonly progress?: (read: number) => void;
}

/** What was read: the first and last instants and whether the limit cut the source short. */
export interface SourceWindow {
  oldest?: string;
  newest?: string;
  read: number;
  truncated: boolean;
}

export const DEFAULT_SOURCE_LIMIT = 10_000;
export const PROGRESS_EVERY = 1000;
/** Page size asked of the API (its maximum). */
const API_PAGE = 1000;

/** Whether `--from` names the service (http/https URL) rather than a file. */
export function isServiceUrl(from: string): boolean {
  return /^https?:\/\//i.test(from);
}

/** Checks that a parsed value is a logged decision; `where` says where it came from for the message. */
export function asLoggedDecision(value: unknown, where: string): LoggedDecision {
  const problem = (what: string) => new InputError(`${where}: ${what}`);
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw problem("esperava um registro de decisão (um objeto JSON)");
  const r = value as Record<string, unknown>;
  const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  const isTextList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
  if (typeof r.id !== "string" || r.id === "") throw problem('registro sem "id"');
  if (typeof r.at !== "string" || !Number.isFinite(Date.parse(r.at)))
    throw problem(`registro ${r.id}: "at" não é uma data ISO 8601`);
  if (typeof r.ruleset !== "string") throw problem(`registro ${r.id}: falta "ruleset"`);
  if (!Number.isInteger(r.version)) throw problem(`registro ${r.id}: "version" não é um número de versão`);
  if (!isObject(r.facts)) throw problem(`registro ${r.id}: "facts" não é um objeto`);
  if (!isObject(r.decision)) throw problem(`registro ${r.id}: "decision" não é um objeto`);
  if (r.fired !== undefined && !isTextList(r.fired))
    throw problem(`registro ${r.id}: "fired" não é uma lista de nomes`);
  if (r.firedRefs !== undefined && !isTextList(r.firedRefs))
    throw problem(`registro ${r.id}: "firedRefs" não é uma lista de textos`);
  if (r.masked !== undefined && !isTextList(r.masked))
    throw problem(`registro ${r.id}: "masked" não é uma lista de textos`);
  return {
    ...(r as unknown as LoggedDecision),
    fired: (r.fired as string[] | undefined) ?? [],
    firedRefs: (r.firedRefs as string[] | undefined) ?? [],
    masked: (r.masked as string[] | undefined) ?? [],
  };
}

function jsonError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The records of a file, in file order, each with the place it came from (for messages). */
function* fileRecords(ctx: CliContext, path: string): Generator<LoggedDecision> {
  const text = readTextFile(ctx, path);
  const trimmed = text.trimStart();
  if (trimmed === "") return;
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new InputError(`${path}: JSON inválido (${jsonError(e)})`);
    }
    const items = parsed as unknown[];
    for (const [i, item] of items.entries()) yield asLoggedDecision(item, `${path}, item ${i + 1}`);
    return;
  }
  // A saved API page is one JSON object with `items`; anything else starting with "{" is JSON Lines.
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (
    whole !== undefined &&
    typeof whole === "object" &&
    whole !== null &&
    Array.isArray((whole as { items?: unknown }).items)
  ) {
    for (const [i, item] of (whole as { items: unknown[] }).items.entries())
      yield asLoggedDecision(item, `${path}, item ${i + 1}`);
    return;
  }
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      throw new InputError(`${path}, linha ${i + 1}: JSON inválido (${jsonError(e)})`);
    }
    yield asLoggedDecision(parsed, `${path}, linha ${i + 1}`);
  }
}

interface ApiErrorBody {
  error?: { code?: string; message?: string };
}

/** GET a JSON document from the service; InputError with the status and the API's message otherwise. */
export async function getJson(url: URL, token: string | undefined): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    const cause = (e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message;
    throw new InputError(`não foi possível falar com ${url.origin}: ${cause}`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const err = (json as ApiErrorBody | undefined)?.error;
    throw new InputError(
      `o serviço respondeu ${response.status}${err?.code ? ` ${err.code}` : ""} em ${url.pathname}: ${err?.message ?? (text.slice(0, 300) || response.statusText)}`,
    );
  }
  if (json === undefined) throw new InputError(`o serviço respondeu em ${url.pathname} algo que não é JSON`);
  return json;
}

/** The records of the service's log, oldest first, following `next`. */
async function* apiRecords(base: URL, options: DecisionSourceOptions, limit: number): AsyncGenerator<LoggedDecision> {
  let cursor: string | undefined;
  let read = 0;
  for (;;) {
    const url = new URL("/v1/decisions", base);
    url.searchParams.set("ruleset", options.ruleset);
    url.searchParams.set("order", "asc");
    url.searchParams.set("limit", String(Math.min(API_PAGE, limit - read)));
    if (options.since !== undefined) url.searchParams.set("from", new Date(options.since).toISOString());
    if (options.until !== undefined) url.searchParams.set("to", new Date(options.until).toISOString());
    if (cursor !== undefined) url.searchParams.set("cursor", cursor);
    const page = (await getJson(url, options.token)) as { items?: unknown; next?: unknown };
    if (!Array.isArray(page.items)) throw new InputError(`o serviço respondeu em ${url.pathname} sem "items"`);
    for (const [i, item] of page.items.entries()) {
      read++;
      yield asLoggedDecision(item, `${url.pathname}, item ${i + 1}`);
    }
    if (typeof page.next !== "string" || page.items.length === 0 || read >= limit) return;
    cursor = page.next;
  }
}

/**
 * The logged decisions of `options.ruleset` from `from` (a file path or the service's URL),
 * oldest first for the API (file order for a file), filtered to the window, at most `limit`.
 * `window` is filled as records are read.
 */
export async function* openDecisionSource(
  ctx: CliContext,
  from: string,
  options: DecisionSourceOptions,
  window: SourceWindow = { read: 0, truncated: false },
): AsyncGenerator<LoggedDecision> {
  const limit = options.limit ?? DEFAULT_SOURCE_LIMIT;
  let records: AsyncIterable<LoggedDecision> | Iterable<LoggedDecision>;
  if (isServiceUrl(from)) {
    let base: URL;
    try {
      base = new URL(from);
    } catch {
      throw new InputError(`--from não é uma URL: ${from}`);
    }
    // One more than the limit: seeing it tells that the window holds more.
    records = apiRecords(base, options, limit + 1);
  } else records = fileRecords(ctx, from);
  for await (const record of records) {
    if (record.ruleset !== options.ruleset) continue;
    const at = Date.parse(record.at);
    if (options.since !== undefined && at < options.since) continue;
    if (options.until !== undefined && at >= options.until) continue;
    if (window.read >= limit) {
      window.truncated = true;
      return;
    }
    window.read++;
    window.oldest = window.oldest === undefined || record.at < window.oldest ? record.at : window.oldest;
    window.newest = window.newest === undefined || record.at > window.newest ? record.at : window.newest;
    if (window.read % PROGRESS_EVERY === 0) options.progress?.(window.read);
    yield record;
  }
}
