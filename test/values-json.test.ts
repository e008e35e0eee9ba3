/**
 * `toJson` (dsl/values.ts) assigns most keys and defines the ones Object.prototype has: whatever
 * the names, the result is a plain object whose own keys are the record's, in order, and none of
 * them touches a prototype. `parseDuration` shares the values it has already parsed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRecord, parseDuration, toJson, type Value } from "../dsl/values.js";

describe("toJson of records", () => {
  it("keeps every key as an own data property, prototype names included", () => {
    const names = [...Object.getOwnPropertyNames(Object.prototype), "a", "b", "0", "constructor", "__proto__"];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...names), fc.integer()), { maxLength: 8 }), (entries) => {
        const record = createRecord(entries as [string, Value][]);
        const out = toJson(record) as Record<string, unknown>;
        expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        expect(Object.keys(out)).toEqual(Object.keys(record));
        for (const k of Object.keys(record)) {
          expect(Object.getOwnPropertyDescriptor(out, k)).toEqual({
            value: record[k],
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
      }),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("parseDuration", () => {
  it("gives equal values for the same text", () => {
    expect(parseDuration("1h30min")).toEqual(parseDuration("1h30min"));
    expect(parseDuration("1h30min").millis).toBe(5_400_000);
    expect(parseDuration("2d").days).toBe(2);
  });
});
