/**
 * The decision log in memory: for tests and for a service started with DECISION_LOG=memory. Same
 * semantics as the file and PostgreSQL storages (cursor = the last id of the page).
 */
import { randomBytes } from "node:crypto";
import {
  type DecisionLogStorage,
  type DecisionPage,
  type DecisionQuery,
  type DecisionRecord,
  pageSize,
  type RetentionPolicy,
  type RetentionResult,
  recordMatches,
} from "./types.js";

export function createMemoryDecisionStorage(options: { readonly key?: Buffer } = {}): DecisionLogStorage {
  /** Sorted by id (ids are time-ordered). */
  const records: DecisionRecord[] = [];
  const byId = new Map<string, DecisionRecord>();
  const key = options.key ?? randomBytes(32);
  const sizeOf = (r: DecisionRecord) => JSON.stringify(r).length;
  return {
    kind: "memory",
    async open() {},
    async append(batch) {
      for (const r of batch) {
        if (byId.has(r.id)) throw new Error(`decision log: id ${r.id} already recorded`);
      }
      for (const r of batch) {
        byId.set(r.id, r);
        // Ids come in time order almost always: insert from the end.
        let i = records.length;
        while (i > 0 && records[i - 1]!.id > r.id) i--;
        records.splice(i, 0, r);
      }
    },
    async query(query: DecisionQuery): Promise<DecisionPage> {
      const limit = pageSize(query);
      const desc = query.order !== "asc";
      const items: DecisionRecord[] = [];
      const ordered = desc ? [...records].reverse() : records;
      for (const r of ordered) {
        if (query.cursor !== undefined && (desc ? r.id >= query.cursor : r.id <= query.cursor)) continue;
        if (!recordMatches(r, query)) continue;
        if (items.length === limit) return { items, next: items[items.length - 1]!.id };
        items.push(r);
      }
      return { items };
    },
    async get(id) {
      return byId.get(id);
    },
    async prune(policy: RetentionPolicy): Promise<RetentionResult> {
      const oldest = Date.now() - policy.maxAgeMs;
      let removed = 0;
      while (records.length > 0 && Date.parse(records[0]!.at) < oldest) {
        byId.delete(records.shift()!.id);
        removed++;
      }
      let bytes = records.reduce((n, r) => n + sizeOf(r), 0);
      while (records.length > 0 && bytes > policy.maxBytes) {
        const r = records.shift()!;
        byId.delete(r.id);
        bytes -= sizeOf(r);
        removed++;
      }
      return { removed, bytes };
    },
    async maskingKey() {
      return key;
    },
    async close() {},
  };
}
