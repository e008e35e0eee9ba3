/**
 * Checks shared by the file and PostgreSQL decision-log storages: what an appended record and a
 * query must look like before anything is written or asked. A bad batch is refused whole (nothing
 * written) with an Error naming the record and the field; a bad query with an Error naming the field.
 */
import { isDecisionId } from "./ids.js";
import type { DecisionQuery, DecisionRecord } from "./types.js";

/**
 * An id a storage keeps: a UUID version 7 (ids.ts, what the writer makes) in lower case. The
 * storages order and page by the id's text, which is time order only for v7 ids written in one
 * case (upper-case A-F would sort before lower-case a-f).
 */
function isStoredDecisionId(id: unknown): id is string {
  return typeof id === "string" && isDecisionId(id) && id === id.toLowerCase();
}

function problemOf(r: DecisionRecord): string | undefined {
  if (typeof r !== "object" || r === null) return "must be an object";
  if (!isStoredDecisionId(r.id)) return "id must be a lower-case UUID version 7";
  if (typeof r.at !== "string" || !Number.isFinite(Date.parse(r.at))) return "at must be an ISO 8601 instant";
  if (typeof r.ruleset !== "string" || r.ruleset === "") return "ruleset must be a non-empty string";
  if (!Number.isSafeInteger(r.version) || r.version < 1) return "version must be a positive integer";
  if (typeof r.decision !== "object" || r.decision === null || Array.isArray(r.decision))
    return "decision must be an object";
  if (!Array.isArray(r.fired) || r.fired.some((f) => typeof f !== "string")) return "fired must be a list of names";
  return undefined;
}

/** Throws (before anything is written) when a record is unusable or an id repeats within the batch. */
export function checkBatch(records: readonly DecisionRecord[]): void {
  if (!Array.isArray(records)) throw new Error("decision log: append expects a list of records");
  const seen = new Set<string>();
  records.forEach((r, i) => {
    const problem = problemOf(r);
    if (problem) throw new Error(`decision log: record ${i + 1} of the batch refused (nothing written): ${problem}`);
    if (seen.has(r.id)) throw new Error(`decision log: id ${r.id} appears twice in the batch (nothing written)`);
    seen.add(r.id);
  });
}

/** Epoch milliseconds a Date can hold (±8.64e15). */
function isInstant(ms: unknown): boolean {
  return typeof ms === "number" && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}

/** Throws when a query field has the wrong type (the routes check first; this guards other callers). */
export function checkQuery(query: DecisionQuery): void {
  const bad = (field: string, what: string) => new Error(`decision log query: ${field} ${what}`);
  if (query.ruleset !== undefined && typeof query.ruleset !== "string") throw bad("ruleset", "must be a string");
  if (query.version !== undefined && !Number.isSafeInteger(query.version)) throw bad("version", "must be an integer");
  if (query.from !== undefined && !isInstant(query.from)) throw bad("from", "must be epoch milliseconds");
  if (query.to !== undefined && !isInstant(query.to)) throw bad("to", "must be epoch milliseconds");
  if (query.fired !== undefined && typeof query.fired !== "string") throw bad("fired", "must be a string");
  if (query.output !== undefined && (typeof query.output !== "object" || typeof query.output?.field !== "string"))
    throw bad("output", "must be {field, value}");
  if (query.limit !== undefined && !Number.isFinite(query.limit)) throw bad("limit", "must be a number");
  if (query.cursor !== undefined && !isStoredDecisionId(query.cursor))
    throw bad("cursor", "is not a cursor this log gave");
  if (query.order !== undefined && query.order !== "asc" && query.order !== "desc")
    throw bad("order", 'must be "asc" or "desc"');
}

/** The epoch milliseconds of an `at` (already checked by checkBatch). */
export function atMs(record: DecisionRecord): number {
  return Date.parse(record.at);
}
