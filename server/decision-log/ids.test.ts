/** Decision ids (ids.ts): UUID version 7 text, time first, ordered within a millisecond. */
import { describe, expect, it } from "vitest";
import { isDecisionId, newDecisionId, timeOfId } from "./ids.js";

describe("newDecisionId", () => {
  it("is a UUID version 7 whose first 48 bits are the time in milliseconds", () => {
    const at = Date.UTC(2026, 2, 10, 12, 30, 15, 123);
    const id = newDecisionId(at + 10_000_000);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isDecisionId(id)).toBe(true);
    expect(timeOfId(id)).toBe(at + 10_000_000);
  });

  it("sorts as text in the order made: 10,000 ids in the same millisecond, then a clock that goes back", () => {
    const at = Date.UTC(2030, 0, 1);
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i++) ids.push(newDecisionId(at));
    ids.push(newDecisionId(at - 5_000));
    ids.push(newDecisionId(at + 60_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // More than 4,096 in one millisecond borrow the next ones, never a time far away.
    expect(timeOfId(ids[9_999]!)! - at).toBeLessThan(10);
    expect(timeOfId(ids[10_001]!)).toBe(at + 60_000);
  });

  it("timeOfId refuses what is not a UUID version 7", () => {
    expect(timeOfId("not-an-id")).toBeUndefined();
    expect(timeOfId("0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b")).toBeUndefined(); // version 4
    expect(isDecisionId("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b")).toBe(true);
  });
});
