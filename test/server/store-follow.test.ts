/**
 * What the service does with a store shared by several replicas, in process, with the file store
 * wrapped to play the part of a database (the real thing, two processes on PostgreSQL, is in
 * replicas.test.ts):
 *
 * - the store is degraded (the database is out of reach): decisions go on, `/ready` stays 200 and
 *   says so (and `rules_store_up` is 0), publishing and rolling back answer 503 STORE_UNREACHABLE at once (no compile, no
 *   suite run), validating a draft still works; once the store is back, publishing works again;
 * - another replica published (the store reports a change): the registry builds and serves the
 *   new active version; a version that does not build leaves the rule set on what it served,
 *   listed as degraded; a report of an older version never replaces a newer one.
 */
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { Registry } from "../../server/registry.js";
import type {
  RuleSetState,
  RuleSetStore,
  StoreChangeListener,
  StoredVersion,
  StoreStatus,
} from "../../server/store/types.js";
import { versionHash } from "../../server/store/file-store.js";
import { call, expectError, json, miniSource, miniSuite, removeTempDirs, startApp, type TestApp } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000 });

const apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  await removeTempDirs();
});
afterAll(() => removeTempDirs(true));

/** A store whose status a test sets, delegating everything else. */
function withStatus(status: { current: StoreStatus }) {
  return (store: RuleSetStore): RuleSetStore =>
    new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === "status") return () => status.current;
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
}

const decideMini = (t: TestApp) => call(t.app, { url: "/v1/decide/mini", body: { facts: { valor: 1 } } });

describe("the store is out of reach (a database down)", () => {
  it("decisions go on, /ready is 200 and says degraded, publishing is 503 STORE_UNREACHABLE, validating works; back up, publishing works", async () => {
    const status = { current: { kind: "postgres", state: "ok" } as StoreStatus };
    const t = await startApp({ wrapStore: withStatus(status) });
    apps.push(t);
    expect(
      (await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1), tests: miniSuite(1) } }))
        .statusCode,
    ).toBe(201);
    expect(json(await call(t.app, { url: "/ready" }))).toMatchObject({ status: "ready", store: { state: "ok" } });

    status.current = {
      kind: "postgres",
      state: "degraded",
      reason: "connect ECONNREFUSED 127.0.0.1:5432",
      since: "2026-04-01T12:00:00.000Z",
    };
    const ready = await call(t.app, { url: "/ready" });
    expect(ready.statusCode).toBe(200);
    expect(json(ready)).toMatchObject({
      status: "degraded",
      rulesets: ["mini"],
      store: { kind: "postgres", state: "degraded", reason: "connect ECONNREFUSED 127.0.0.1:5432" },
    });
    expect((await call(t.app, { url: "/metrics" })).body).toMatch(/^rules_store_up\{kind="postgres"\} 0$/m);
    const decided = await decideMini(t);
    expect(decided.statusCode).toBe(200);
    expect(json(decided).decision.marca).toBe(1);

    const refused = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(2), tests: miniSuite(2), message: "com o banco fora" },
    });
    expectError(refused, 503, "STORE_UNREACHABLE");
    expect(json(refused).error.message).toMatch(/as decisões continuam/);
    expectError(
      await call(t.app, { url: "/v1/rulesets/mini/rollback", body: { version: 1, message: "voltar" } }),
      503,
      "STORE_UNREACHABLE",
    );
    const validated = await call(t.app, { url: "/v1/rulesets/mini/validate", body: { source: miniSource(3) } });
    expect(validated.statusCode).toBe(200);
    expect(t.store.get("mini")?.active.version, "nothing was written").toBe(1);

    status.current = { kind: "postgres", state: "ok" };
    expect(json(await call(t.app, { url: "/ready" }))).toMatchObject({ status: "ready", store: { state: "ok" } });
    expect((await call(t.app, { url: "/metrics" })).body).toMatch(/^rules_store_up\{kind="postgres"\} 1$/m);
    const published = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      body: { source: miniSource(2), tests: miniSuite(2), message: "de volta" },
    });
    expect(published.statusCode).toBe(201);
    expect(json(await decideMini(t)).decision.marca).toBe(2);
  });
});

/**
 * A store playing another replica's publishes: `get()` answers the state the test sets, and
 * `announce()` calls the listeners as a store does after seeing another process's change.
 */
class SharedStoreDouble {
  readonly listeners = new Set<StoreChangeListener>();
  private state: RuleSetState | undefined;

  constructor(private readonly inner: RuleSetStore) {}

  wrap = (): RuleSetStore =>
    new Proxy(this.inner, {
      get: (target, prop, receiver) => {
        if (prop === "get") return (name: string) => (this.state?.name === name ? this.state : target.get(name));
        if (prop === "onChange")
          return (l: StoreChangeListener) => {
            this.listeners.add(l);
            return () => this.listeners.delete(l);
          };
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });

  /** Another replica made `version` (with `source`) active. */
  announce(name: string, version: number, source: string): void {
    const fields = {
      name,
      version,
      source,
      tests: null,
      author: "outra-réplica",
      message: `v${version}`,
      createdAt: "2026-04-01T12:00:00.000Z",
    };
    const active: StoredVersion = { ...fields, hash: versionHash(fields) };
    const { source: _s, tests: _t, ...meta } = active;
    this.state = { name, active, versions: [...(this.state?.versions ?? []), meta] };
    for (const l of this.listeners) l([name]);
  }
}

describe("another replica published (the store reports a change)", () => {
  it("the registry serves the new active version; one that does not build leaves the rule set degraded on what it served; an older report never wins", async () => {
    let double: SharedStoreDouble | undefined;
    const t = await startApp({
      wrapStore: (s) => {
        double = new SharedStoreDouble(s);
        return double.wrap();
      },
    });
    apps.push(t);
    expect((await call(t.app, { url: "/v1/rulesets/mini/versions", body: { source: miniSource(1) } })).statusCode).toBe(
      201,
    );
    const registry: Registry = t.registry;
    const activated: [string, number][] = [];
    const problems: string[] = [];
    registry.follow({
      onRefreshed: (name, version) => activated.push([name, version]),
      onProblem: (p) => problems.push(p.message),
    });

    double!.announce("mini", 5, miniSource(5));
    await vi.waitFor(() => expect(activated).toEqual([["mini", 5]]), { timeout: 30_000 });
    expect(json(await decideMini(t)).decision.marca).toBe(5);
    expect(json(await decideMini(t)).version).toBe(5);

    // A version that does not compile here: the rule set keeps deciding on version 5, and says why.
    double!.announce("mini", 6, "ruleset: mini\nrules: [[[\n");
    await vi.waitFor(() => expect(problems).toHaveLength(1), { timeout: 30_000 });
    expect(json(await decideMini(t)).decision.marca).toBe(5);
    const ready = json(await call(t.app, { url: "/ready" }));
    expect(ready.status).toBe("degraded");
    expect(ready.degraded).toEqual([expect.objectContaining({ ruleset: "mini", activeVersion: 6, servedVersion: 5 })]);

    // A late report of an older version than the one served changes nothing.
    double!.announce("mini", 4, miniSource(4));
    const r = await registry.refresh("mini");
    expect(r.activated).toBeUndefined();
    expect(json(await decideMini(t)).decision.marca).toBe(5);

    // The next good version clears the degradation.
    double!.announce("mini", 7, miniSource(7));
    await vi.waitFor(() => expect(activated.at(-1)).toEqual(["mini", 7]), { timeout: 30_000 });
    expect(json(await decideMini(t)).decision.marca).toBe(7);
    expect(json(await call(t.app, { url: "/ready" })).status).toBe("ready");

    registry.stopFollowing();
    expect(double!.listeners.size).toBe(0);
  });
});
