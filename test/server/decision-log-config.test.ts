/**
 * The decision log's configuration (server/config.ts, DECISION_LOG_*): defaults, every value
 * checked, a bad one stops the start naming the variable (and never repeats a key), and the
 * writer built from it (server/decision-log/writer.ts `decisionLogFromConfig`).
 */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config.js";
import { createMemoryDecisionStorage } from "../../server/decision-log/memory-storage.js";
import { maskValue } from "../../server/decision-log/mask.js";
import { decisionLogFromConfig } from "../../server/decision-log/writer.js";
import { newDecisionId } from "../../server/decision-log/ids.js";

const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: "/tmp/x", RULES_DIR: "/tmp/y", ...env }, "/");

describe("DECISION_LOG_* variables", () => {
  it("default: on, queue 10,000, 90 days, 1,024 MB, the storage's key, personal facts hashed", () => {
    expect(load({}).decisionLog).toEqual({
      enabled: true,
      queue: 10_000,
      retentionDays: 90,
      maxMb: 1024,
      key: undefined,
      personal: "hash",
    });
  });

  it("reads every variable", () => {
    const key = "ab".repeat(40);
    expect(
      load({
        DECISION_LOG: "off",
        DECISION_LOG_QUEUE: "50",
        DECISION_LOG_RETENTION_DAYS: "30",
        DECISION_LOG_MAX_MB: "10",
        DECISION_LOG_KEY: key,
        DECISION_LOG_PERSONAL: "drop",
      }).decisionLog,
    ).toEqual({
      enabled: false,
      queue: 50,
      retentionDays: 30,
      maxMb: 10,
      key: Buffer.from(key, "hex"),
      personal: "drop",
    });
  });

  it("a bad value is a ConfigError naming the variable; a bad key's value is never repeated", () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ DECISION_LOG: "yes" }, /^DECISION_LOG deve ser on ou off/],
      [{ DECISION_LOG_QUEUE: "0" }, /^DECISION_LOG_QUEUE deve ser um inteiro/],
      [{ DECISION_LOG_QUEUE: "muitos" }, /^DECISION_LOG_QUEUE/],
      [{ DECISION_LOG_RETENTION_DAYS: "-1" }, /^DECISION_LOG_RETENTION_DAYS/],
      [{ DECISION_LOG_MAX_MB: "1.5" }, /^DECISION_LOG_MAX_MB/],
      [{ DECISION_LOG_PERSONAL: "mask" }, /^DECISION_LOG_PERSONAL deve ser hash ou drop/],
      [{ DECISION_LOG_KEY: "ab".repeat(31) }, /^DECISION_LOG_KEY deve ter pelo menos 32 bytes/],
      [{ DECISION_LOG_KEY: `${"ab".repeat(32)}a` }, /^DECISION_LOG_KEY/],
      [{ DECISION_LOG_KEY: `segredo-${"z".repeat(60)}` }, /^DECISION_LOG_KEY/],
    ];
    for (const [env, message] of bad) {
      let error: unknown;
      try {
        load(env);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      if (env.DECISION_LOG_KEY) expect((error as Error).message).not.toContain(env.DECISION_LOG_KEY.slice(0, 20));
    }
  });

  it("decisionLogFromConfig: none when off; otherwise a log masking with DECISION_LOG_KEY", async () => {
    expect(
      decisionLogFromConfig(load({ DECISION_LOG: "off" }).decisionLog, createMemoryDecisionStorage()),
    ).toBeUndefined();
    const key = "cd".repeat(32);
    const storage = createMemoryDecisionStorage();
    const log = decisionLogFromConfig(load({ DECISION_LOG_KEY: key }).decisionLog, storage)!;
    await log.open();
    const id = newDecisionId();
    log.record({
      id,
      ruleset: "x",
      version: 1,
      hash: "h",
      personalFacts: ["cpf"],
      source: "decide",
      facts: { cpf: "161.803.398-05" },
      decision: {},
      fired: [],
      firedRefs: [],
    });
    await log.flush();
    expect((await storage.get(id))!.facts.cpf).toBe(maskValue("161.803.398-05", Buffer.from(key, "hex")));
    await log.close();
  });
});
