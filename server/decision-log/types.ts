/**
 * The decision log: every decision the service takes (single and batch items) is recorded, off the
 * hot path, with its personal facts masked (LGPD), so that auditors can ask "which version and
 * which rules decided this, and why", analysts can replay drafts against real decisions (blast
 * radius) and QA can turn a logged decision into a test case.
 *
 * This file is the contract between the parts: the writer (queue, masking) appends records to a
 * `DecisionLogStorage`; the file storage (under DATA_DIR) and the PostgreSQL storage (next to the
 * rule-set store) implement it; the routes, replay and promote read through it.
 */

/** One logged decision. Immutable once written. */
export interface DecisionRecord {
  /** Time-ordered unique id (UUID version 7 text): sorting ids sorts by time. */
  readonly id: string;
  /** ISO 8601 instant (UTC, milliseconds) when the decision was taken. */
  readonly at: string;
  readonly ruleset: string;
  readonly version: number;
  /** The version's content hash (StoredVersion.hash): proves which text decided. */
  readonly hash: string;
  /** Where the decision came from: POST /v1/decide/:ruleset or one item of /batch. */
  readonly source: "decide" | "batch";
  /** The request id of the HTTP request (x-request-id), for joining with the service log. */
  readonly requestId?: string;
  /** `asOf` of the request (ISO 8601), when the caller asked for the version in force at a moment. */
  readonly asOf?: string;
  /** Why this version decided (in Portuguese, as answered): "versão ativa", "em vigor em ..." */
  readonly versionReason?: string;
  /**
   * The facts as received, with every `personal` fact path masked: a keyed hash (`MASK_PREFIX` +
   * hex) when DECISION_LOG_PERSONAL=hash (default), absent when =drop. Blank values (null, "")
   * are kept as they are (they carry no personal data).
   */
  readonly facts: Record<string, unknown>;
  /** The fact paths that were masked in this record (`cpf`, `contatos.emails.*`...). */
  readonly masked: readonly string[];
  readonly decision: Record<string, unknown>;
  /** Names of the rules and table rows that fired, in order (as the decide response lists them). */
  readonly fired: readonly string[];
  /** Stable ids of what fired (`r:0`, `t:tabela:3`...), for replay's "rows responsible". */
  readonly firedRefs: readonly string[];
}

/** The prefix of a masked (keyed-hash) value: `pii:` + 32 hex characters of HMAC-SHA-256. */
export const MASK_PREFIX = "pii:";

/** A filter over the log. Every field is optional; all given ones must hold. */
export interface DecisionQuery {
  readonly ruleset?: string;
  readonly version?: number;
  /** Epoch milliseconds, inclusive. */
  readonly from?: number;
  /** Epoch milliseconds, exclusive. */
  readonly to?: number;
  /** An output of the decision and the value it must have (compared as JSON: `"APROVADO"`, `true`, `null`). */
  readonly output?: { readonly field: string; readonly value: unknown };
  /** The name of a rule or table row that must be among `fired`. */
  readonly fired?: string;
  /** Page size; storages cap it at 1,000. Default 100. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly cursor?: string;
  /** Oldest first ("asc", what replay reads) or newest first ("desc", default: what an auditor browses). */
  readonly order?: "asc" | "desc";
}

export interface DecisionPage {
  readonly items: readonly DecisionRecord[];
  /** Opaque cursor of the next page; absent on the last page. */
  readonly next?: string;
}

/** What retention removes: records older than `maxAgeMs`, then the oldest until under `maxBytes`. */
export interface RetentionPolicy {
  readonly maxAgeMs: number;
  readonly maxBytes: number;
}

export interface RetentionResult {
  readonly removed: number;
  /** Approximate bytes the log holds after pruning. */
  readonly bytes: number;
}

/** Where logged decisions live. Implementations: memory (tests), files (DATA_DIR), PostgreSQL. */
export interface DecisionLogStorage {
  readonly kind: "memory" | "file" | "postgres";
  /** Prepares the storage (directories, tables, the masking key); idempotent. */
  open(): Promise<void>;
  /** Appends records (already masked), all or none as far as the storage allows; ids are unique. */
  append(records: readonly DecisionRecord[]): Promise<void>;
  /** Records passing the filter, in the asked order, one page at a time. */
  query(query: DecisionQuery): Promise<DecisionPage>;
  get(id: string): Promise<DecisionRecord | undefined>;
  /** Applies the retention policy. */
  prune(policy: RetentionPolicy): Promise<RetentionResult>;
  /**
   * The secret key of the masking hashes, created once and kept by the storage (so that equal
   * values match across restarts and replicas) unless DECISION_LOG_KEY gives one.
   */
  maskingKey(): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * What the routes read and write through: the app's `decisionLog` decoration (server/app.ts).
 * The service's writer (server/decision-log/writer.ts) implements it.
 */
export interface DecisionLogReader {
  readonly storage: DecisionLogStorage;
  /**
   * Queues one decision to be masked and written (the writer); synchronous, never throws, never
   * waits. Absent on a read-only log (tests of the readers): decisions are then not recorded.
   */
  record?(entry: DecisionEntry): void;
}

/** A decision as the decide routes hand it to the log: raw (facts unmasked), masked off the hot path. */
export interface DecisionEntry {
  /** The decision id answered to the caller (UUID version 7: its time is the record's `at`). */
  readonly id: string;
  readonly ruleset: string;
  readonly version: number;
  readonly hash: string;
  /** The personal fact paths of the version that decided (`CompiledRuleSet.personalFacts`). */
  readonly personalFacts: readonly string[];
  readonly source: DecisionRecord["source"];
  readonly requestId?: string | undefined;
  readonly asOf?: string | undefined;
  readonly versionReason?: string | undefined;
  /** The facts as received (never changed by the log). */
  readonly facts: unknown;
  readonly decision: Record<string, unknown>;
  readonly fired: readonly string[];
  readonly firedRefs: readonly string[];
}

/** Whether a record passes a filter (cursor, limit and order aside): shared by every storage. */
export function recordMatches(record: DecisionRecord, query: DecisionQuery): boolean {
  if (query.ruleset !== undefined && record.ruleset !== query.ruleset) return false;
  if (query.version !== undefined && record.version !== query.version) return false;
  if (query.from !== undefined || query.to !== undefined) {
    const at = Date.parse(record.at);
    if (query.from !== undefined && !(at >= query.from)) return false;
    if (query.to !== undefined && !(at < query.to)) return false;
  }
  if (query.output !== undefined) {
    if (!Object.hasOwn(record.decision, query.output.field)) return false;
    if (JSON.stringify(record.decision[query.output.field]) !== JSON.stringify(query.output.value)) return false;
  }
  if (query.fired !== undefined && !record.fired.includes(query.fired)) return false;
  return true;
}

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/** The page size a query asks for, within 1…MAX_PAGE. */
export function pageSize(query: DecisionQuery): number {
  const limit = query.limit ?? DEFAULT_PAGE;
  return Math.max(1, Math.min(MAX_PAGE, Math.floor(limit)));
}

// The tester's view of a record (tester/logged-decision.ts) must stay a subset of DecisionRecord.
type _RecordIsLogged = DecisionRecord extends import("../../tester/logged-decision.js").LoggedDecision ? true : never;
const _recordIsLogged: _RecordIsLogged = true;
void _recordIsLogged;
