/**
 * The vigência rules of server/as-of.ts as a table: which version is in force at an instant
 * (publishes, roll backs, scheduled versions, an expired `effectiveUntil`, an instant before the
 * first version), the next boundary, the timeline, and how instants given by people are read.
 */
import { describe, expect, it } from "vitest";
import {
  formatInstant,
  inForceAt,
  nextBoundary,
  parseWhen,
  reasonText,
  scheduledAt,
  timeline,
  upcoming,
  type VersionTimes,
} from "../../server/as-of.js";

const at = (iso: string) => Date.parse(iso);

/** v1 published; v2 a temporary version (until Feb 1); v3 published Jan 20, in force from Mar 1; v4 a roll back on Mar 5. */
const VERSIONS: VersionTimes[] = [
  { version: 1, createdAt: "2026-01-01T12:00:00.000Z" },
  { version: 2, createdAt: "2026-01-15T12:00:00.000Z", effectiveUntil: "2026-02-01T03:00:00.000Z" },
  { version: 3, createdAt: "2026-01-20T12:00:00.000Z", effectiveFrom: "2026-03-01T03:00:00.000Z" },
  { version: 4, createdAt: "2026-03-05T12:00:00.000Z", rolledBackFrom: 1 },
];

describe("the version in force at an instant", () => {
  it.each([
    ["before the first version: none", "2025-12-31T00:00:00.000Z", undefined],
    ["the first publish", "2026-01-10T00:00:00.000Z", 1],
    ["a later publish supersedes from its publish time", "2026-01-15T12:00:00.000Z", 2],
    ["a scheduled version does not supersede before its start", "2026-01-25T00:00:00.000Z", 2],
    ["once a version's until passes, the one below is in force again", "2026-02-01T03:00:00.000Z", 1],
    ["the instant just before a scheduled start", "2026-03-01T02:59:59.999Z", 1],
    ["a scheduled version from its start", "2026-03-01T03:00:00.000Z", 3],
    ["a roll back supersedes from its publish time", "2026-03-06T00:00:00.000Z", 4],
  ])("%s", (_what, when, expected) => {
    expect(inForceAt(VERSIONS, at(when))?.version).toBe(expected);
  });

  it("a later publish before a scheduled start supersedes the scheduled version (never in force)", () => {
    const versions: VersionTimes[] = [
      { version: 1, createdAt: "2026-01-01T12:00:00.000Z" },
      { version: 2, createdAt: "2026-01-02T12:00:00.000Z", effectiveFrom: "2026-03-01T03:00:00.000Z" },
      { version: 3, createdAt: "2026-01-03T12:00:00.000Z" },
    ];
    expect(inForceAt(versions, at("2026-03-02T00:00:00.000Z"))?.version).toBe(3);
    expect(scheduledAt(versions, at("2026-01-04T00:00:00.000Z"))).toEqual([]);
    expect(timeline(versions, at("2026-01-04T00:00:00.000Z")).map((e) => e.version)).toEqual([1, 3]);
  });

  it("only versions whose every interval is over: none is in force (the newest decides, see the registry)", () => {
    const versions: VersionTimes[] = [
      { version: 1, createdAt: "2026-01-01T12:00:00.000Z", effectiveUntil: "2026-02-01T03:00:00.000Z" },
    ];
    expect(inForceAt(versions, at("2026-02-02T00:00:00.000Z"))).toBeUndefined();
  });

  it("the next boundary is the first start or end after the instant", () => {
    expect(nextBoundary(VERSIONS, at("2026-01-25T00:00:00.000Z"))).toBe(at("2026-02-01T03:00:00.000Z"));
    expect(nextBoundary(VERSIONS, at("2026-02-10T00:00:00.000Z"))).toBe(at("2026-03-01T03:00:00.000Z"));
    expect(nextBoundary(VERSIONS, at("2026-03-06T00:00:00.000Z"))).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("timeline", () => {
  it("lists the stretches in order with why each began and its state", () => {
    const now = at("2026-02-10T00:00:00.000Z");
    expect(timeline(VERSIONS, now)).toEqual([
      {
        version: 1,
        from: "2026-01-01T12:00:00.000Z",
        until: "2026-01-15T12:00:00.000Z",
        reason: "publicação",
        state: "encerrada",
      },
      {
        version: 2,
        from: "2026-01-15T12:00:00.000Z",
        until: "2026-02-01T03:00:00.000Z",
        reason: "publicação",
        state: "encerrada",
      },
      {
        version: 1,
        from: "2026-02-01T03:00:00.000Z",
        until: "2026-03-01T03:00:00.000Z",
        reason: "vigência",
        state: "em vigor",
      },
      {
        version: 3,
        from: "2026-03-01T03:00:00.000Z",
        until: "2026-03-05T12:00:00.000Z",
        reason: "vigência",
        state: "agendada",
      },
      { version: 4, from: "2026-03-05T12:00:00.000Z", until: null, reason: "reversão", state: "agendada" },
    ]);
    expect(scheduledAt(VERSIONS, now).map((v) => v.version)).toEqual([3, 4]);
    // In force now or later: what the registry keeps built.
    expect([...upcoming(VERSIONS, now)].sort()).toEqual([1, 3, 4]);
    expect([...upcoming(VERSIONS, at("2026-01-20T00:00:00.000Z"))].sort()).toEqual([1, 2, 3, 4]);
  });
});

describe("instants given by people", () => {
  it("a date is 00:00 in the rule set's zone; a date-time needs its offset", () => {
    expect(parseWhen("2026-03-01")).toBe(at("2026-03-01T03:00:00.000Z"));
    expect(parseWhen("2026-03-01", "UTC")).toBe(at("2026-03-01T00:00:00.000Z"));
    expect(parseWhen("2026-03-01T09:00:00-03:00")).toBe(at("2026-03-01T12:00:00.000Z"));
    expect(parseWhen("2026-03-01T12:00Z")).toBe(at("2026-03-01T12:00:00.000Z"));
    for (const bad of ["2026-03-01T09:00:00", "2026-02-30", "01/03/2026", "amanhã", "2026-03-01T25:00:00Z", ""])
      expect(parseWhen(bad), bad).toBeUndefined();
  });

  it("reasons read in the rule set's zone", () => {
    const zone = "America/Sao_Paulo";
    expect(formatInstant(at("2026-03-10T12:00:00.000Z"), zone)).toBe("2026-03-10T09:00:00-03:00");
    expect(
      reasonText("in-force", {
        version: 3,
        at: at("2026-03-10T12:00:00.000Z"),
        since: at("2026-03-01T03:00:00.000Z"),
        zone,
      }),
    ).toBe("versão em vigor em 2026-03-10T09:00:00-03:00 (vigência desde 2026-03-01T00:00:00-03:00)");
    expect(reasonText("in-force", { version: 3, zone })).toBe("versão em vigor agora");
    expect(reasonText("explicit", { version: 3, zone })).toBe("versão 3 pedida explicitamente");
    expect(reasonText("none", { version: 3, at: at("2025-12-01T03:00:00.000Z"), zone })).toBe(
      "nenhuma versão em vigor em 2025-12-01T00:00:00-03:00: usada a versão mais recente",
    );
  });
});
