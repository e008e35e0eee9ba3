import { describe, expect, it } from "vitest";
import { DraftStore, type DraftStorage, isChanged } from "./drafts.js";

class MemoryStorage implements DraftStorage {
  readonly map = new Map<string, string>();
  full = false;
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.full) throw new DOMException("quota exceeded", "QuotaExceededError");
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
  get length() {
    return this.map.size;
  }
}

const at = () => new Date("2026-12-01T12:00:00Z");

describe("DraftStore", () => {
  it("saves and loads a draft per rule set, with the time of the save", () => {
    const store = new DraftStore(new MemoryStorage(), at);
    store.save({ name: "retencao", source: "ruleset: retencao\n", suite: "suite: retencao\n", baseVersion: 2 });
    store.save({ name: "novo", source: "ruleset: novo\n" });
    expect(store.load("retencao")).toEqual({
      name: "retencao",
      source: "ruleset: retencao\n",
      suite: "suite: retencao\n",
      baseVersion: 2,
      savedAt: "2026-12-01T12:00:00.000Z",
    });
    expect(store.load("novo")?.baseVersion).toBeUndefined();
    expect(store.names()).toEqual(["novo", "retencao"]);
    store.remove("novo");
    expect(store.load("novo")).toBeUndefined();
    expect(store.names()).toEqual(["retencao"]);
  });

  it("survives a new store over the same storage (a reload)", () => {
    const storage = new MemoryStorage();
    new DraftStore(storage, at).save({ name: "a", source: "x" });
    expect(new DraftStore(storage).load("a")?.source).toBe("x");
  });

  it("drops an unreadable draft instead of failing", () => {
    const storage = new MemoryStorage();
    storage.setItem("regras.rascunho.a", "{not json");
    storage.setItem("regras.rascunho.b", JSON.stringify({ name: "outro", source: "x", savedAt: "t" }));
    const store = new DraftStore(storage);
    expect(store.load("a")).toBeUndefined();
    expect(store.load("b")).toBeUndefined();
    expect(storage.length).toBe(0);
  });

  it("a full storage is an Error with a Portuguese message, not an exception", () => {
    const storage = new MemoryStorage();
    storage.full = true;
    const result = new DraftStore(storage).save({ name: "a", source: "x" });
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/^não foi possível guardar o rascunho no navegador/);
  });

  it("ignores other keys of the storage", () => {
    const storage = new MemoryStorage();
    storage.setItem("regras.token", "t");
    expect(new DraftStore(storage).names()).toEqual([]);
  });
});

describe("isChanged", () => {
  it("compares source and suite with what was published", () => {
    const published = { source: "a", suite: "s" };
    expect(isChanged({ source: "a", suite: "s" }, published)).toBe(false);
    expect(isChanged({ source: "b", suite: "s" }, published)).toBe(true);
    expect(isChanged({ source: "a", suite: "t" }, published)).toBe(true);
    expect(isChanged({ source: "a" }, { source: "a" })).toBe(false);
    expect(isChanged({ source: "a" }, undefined)).toBe(true);
  });
});
