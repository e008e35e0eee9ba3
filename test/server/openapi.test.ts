/**
 * The API docs (issue 7, item 20): with tokens configured, Swagger UI opens in a browser (page,
 * static assets and the OpenAPI document need no token) while every API route still does; the
 * document's security is what the server enforces (so "Authorize" + "Try it out" work); each
 * active rule set has its own decide operations with the compiled fact and decision schemas,
 * following publishes; and every sampled real response (success and errors of each route)
 * validates against the schema the document gives for that route and status.
 */
import { readdirSync } from "node:fs";
import type { LightMyRequestResponse } from "fastify";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse as parseYaml } from "yaml";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import {
  BROKEN_INVARIANT_SOURCE,
  call,
  json,
  miniSource,
  miniSuite,
  newTokens,
  reclameFacts,
  removeTempDirs,
  SHIPPED_RULES,
  startApp,
  startSeeded,
  type Call,
  type TestApp,
} from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
  formats: string[],
) => Ajv2020;

const SHIPPED = readdirSync(SHIPPED_RULES)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
  .map((f) => f.slice(0, -".yaml".length))
  .sort();

const apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  await removeTempDirs();
});
afterAll(() => removeTempDirs(true));

async function seeded(names: readonly string[], env: Record<string, string> = {}): Promise<TestApp> {
  const t = await startSeeded(names, { env });
  apps.push(t);
  return t;
}

type Doc = {
  openapi: string;
  info: { description: string };
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Record<string, unknown>>;
    securitySchemes?: Record<string, Record<string, unknown>>;
  };
  tags?: { name: string }[];
};
type Operation = {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown>; example?: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
};

async function documentOf(app: TestApp): Promise<Doc> {
  const res = await call(app.app, { url: "/docs/json" });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return json<Doc>(res);
}

const METHODS = ["get", "post", "put", "delete", "patch"];

function operations(doc: Doc): { path: string; method: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ path, method, op })),
  );
}

// ---------------------------------------------------------------------------------------------
// Validating bodies against the document's schemas

/** Rewrites `#/components/schemas/X` references to `#/$defs/X` (the components travel as $defs). */
function localRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(localRefs);
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    out[k] = k === "$ref" && typeof x === "string" ? x.replace("#/components/schemas/", "#/$defs/") : localRefs(x);
  return out;
}

function validatorFor(doc: Doc): (schema: Record<string, unknown>, body: unknown) => string | undefined {
  const ajv = new Ajv2020({ strict: false, allowUnionTypes: true, allErrors: true });
  addFormats(ajv, ["date"]);
  ajv.addFormat("rules-date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/);
  ajv.addFormat("rules-duration", /^(?:\d+(?:d|h|min|s))+$/);
  const defs = localRefs(doc.components.schemas) as Record<string, unknown>;
  const cache = new Map<Record<string, unknown>, ValidateFunction>();
  return (schema, body) => {
    let validate = cache.get(schema);
    if (!validate) {
      validate = ajv.compile({ ...(localRefs(schema) as Record<string, unknown>), $defs: defs });
      cache.set(schema, validate);
    }
    return validate(body) ? undefined : ajv.errorsText(validate.errors);
  };
}

/** The documented operation of a request: a concrete path wins over a templated one. */
function operationFor(doc: Doc, method: string, url: string): { path: string; op: Operation } | undefined {
  const path = url.split("?")[0] as string;
  const m = method.toLowerCase();
  const concrete = doc.paths[path]?.[m];
  if (concrete) return { path, op: concrete };
  const segments = path.split("/");
  for (const [template, ops] of Object.entries(doc.paths)) {
    const parts = template.split("/");
    const fits =
      parts.length === segments.length &&
      parts.every((p, i) => (p.startsWith("{") ? (segments[i] ?? "") !== "" : p === segments[i]));
    if (fits && ops[m]) return { path: template, op: ops[m] as Operation };
  }
  return undefined;
}

/** Asserts the response's status is documented (explicitly) for its operation and its body fits the documented schema. */
function expectDocumented(
  doc: Doc,
  check: ReturnType<typeof validatorFor>,
  request: Call,
  res: LightMyRequestResponse,
): void {
  const method = request.method ?? (request.body === undefined ? "GET" : "POST");
  const found = operationFor(doc, method, request.url);
  const what = `${method} ${request.url} → ${res.statusCode}`;
  expect(found, `${what}: no documented operation`).toBeDefined();
  const response = found!.op.responses[String(res.statusCode)];
  expect(
    response,
    `${what}: status not documented for ${found!.path} (has ${Object.keys(found!.op.responses).join(", ")})`,
  ).toBeDefined();
  const schema = response!.content?.["application/json"]?.schema;
  expect(schema, `${what}: no JSON schema documented`).toBeDefined();
  expect(String(res.headers["content-type"])).toMatch(/^application\/json/);
  const problem = check(schema!, JSON.parse(res.body));
  expect(problem, `${what} (${found!.path}): ${problem}\n${res.body.slice(0, 600)}`).toBeUndefined();
}

// ---------------------------------------------------------------------------------------------

describe("the docs open in a browser with tokens configured", () => {
  it("/docs (HTML), every asset it links, /docs/json and /docs/yaml answer without a token; API routes still 401", async () => {
    const tokens = newTokens();
    const t = await seeded(["reclame-designacao"], { TOKENS: tokens.env });

    let page = await call(t.app, { url: "/docs" });
    if (page.statusCode >= 300 && page.statusCode < 400)
      page = await call(t.app, { url: new URL(String(page.headers.location), "http://x/docs/").pathname });
    expect(page.statusCode, page.body.slice(0, 300)).toBe(200);
    expect(String(page.headers["content-type"])).toMatch(/^text\/html/);
    expect(page.body).toMatch(/swagger-ui/i);

    // Every stylesheet and script the page loads (relative to /docs/).
    const assets = [...page.body.matchAll(/(?:href|src)="([^"]+\.(?:css|js))"/g)].map(
      (m) => new URL(m[1] as string, "http://x/docs/").pathname,
    );
    expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
    expect(assets.some((a) => a.endsWith(".js"))).toBe(true);
    for (const asset of assets) {
      const res = await call(t.app, { url: asset });
      expect(res.statusCode, `${asset}: ${res.body.slice(0, 200)}`).toBe(200);
      expect(String(res.headers["content-type"]), asset).toMatch(asset.endsWith(".css") ? /^text\/css/ : /javascript/);
    }
    // The UI fetches the document at ./json.
    const initializer = await call(t.app, { url: "/docs/static/swagger-initializer.js" });
    expect(initializer.statusCode).toBe(200);
    expect(initializer.body).toContain("./json");

    const docJson = await call(t.app, { url: "/docs/json" });
    expect(docJson.statusCode).toBe(200);
    expect(json(docJson).paths["/v1/decide/reclame-designacao"]).toBeDefined();
    const docYaml = await call(t.app, { url: "/docs/yaml" });
    expect(docYaml.statusCode).toBe(200);
    expect(parseYaml(docYaml.body).paths["/v1/decide/reclame-designacao"]).toBeDefined();

    // Public means the docs only: the API, other paths and tricks through the static route still need a token.
    expect(
      (await call(t.app, { url: "/v1/decide/reclame-designacao", body: { facts: reclameFacts() } })).statusCode,
    ).toBe(401);
    expect((await call(t.app, { url: "/v1/rulesets" })).statusCode).toBe(401);
    expect((await call(t.app, { url: "/docs/nada" })).statusCode).toBe(401);
    for (const url of [
      "/docs/static/..%2f..%2fv1%2frulesets",
      "/docs/static/../../v1/rulesets",
      "/docs/../v1/rulesets",
    ]) {
      const res = await call(t.app, { url });
      expect(res.body, url).not.toContain("reclame-designacao");
    }
  });

  // Swagger UI (swagger-client's applySecurities) sends `Authorization: Bearer <token entered in
  // Authorize>` on an operation whose effective `security` (its own, else the document's) names the
  // `bearer` http scheme, whatever role names the requirement lists, and nothing when the operation's
  // `security` is `[]`. So: every operation needing a token must name `bearer`, and only the
  // public ones may say `[]`.
  it("the document's security is what the server enforces: Authorize's bearer token goes where it is needed, with the listed roles", async () => {
    const tokens = newTokens();
    const t = await seeded(["reclame-designacao"], { TOKENS: tokens.env });
    const doc = await documentOf(t);
    expect(doc.components.securitySchemes?.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ bearer: [] }]);

    const byRole: Record<string, string> = {
      decide: tokens.decide,
      author: tokens.author,
      publisher: tokens.publisher,
    };
    const concrete = (path: string) =>
      path.replace("{ruleset}", "reclame-designacao").replace("{name}", "reclame-designacao").replace("{v}", "1");
    const ops = operations(doc);
    expect(ops.find((o) => o.path === "/health")?.op.security).toEqual([]);
    let checked = 0;
    for (const { path, method, op } of ops) {
      const security = op.security ?? doc.security ?? [];
      const request = (token?: string): Call => ({
        method: method.toUpperCase() as "GET" | "POST",
        url: concrete(path),
        ...(token ? { token } : {}),
        ...(method === "post" ? { body: {} } : {}),
      });
      const anonymous = await call(t.app, request());
      if (security.length === 0) {
        expect(anonymous.statusCode, `${method} ${path} is documented public`).not.toBe(401);
        continue;
      }
      for (const requirement of security) expect(Object.keys(requirement), `${method} ${path}`).toEqual(["bearer"]);
      expect(anonymous.statusCode, `${method} ${path} is documented as needing a token`).toBe(401);
      expect(op.responses["401"], `${method} ${path} documents 401`).toBeDefined();
      const roles = security.flatMap((r) => r.bearer ?? []);
      if (roles.length === 0) {
        for (const token of Object.values(byRole))
          expect((await call(t.app, request(token))).statusCode, `${method} ${path}: any valid token`).not.toBe(403);
      } else {
        expect(op.responses["403"], `${method} ${path} documents 403`).toBeDefined();
        for (const [role, token] of Object.entries(byRole)) {
          const status = (await call(t.app, request(token))).statusCode;
          if (roles.includes(role)) expect([401, 403], `${method} ${path} as ${role}`).not.toContain(status);
          else expect(status, `${method} ${path} as ${role} (accepts ${roles.join(", ")})`).toBe(403);
        }
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(13);
  });

  it("without tokens the document asks for none (no scheme, no requirement)", async () => {
    const t = await seeded(["reclame-designacao"]);
    const doc = await documentOf(t);
    expect(doc.security ?? []).toEqual([]);
    for (const { op } of operations(doc)) {
      expect(op.security ?? []).toEqual([]);
      expect(op.responses["401"]).toBeUndefined();
      // Only the loopback guard's refusals (foreign Host, cross-site writes), not a role check.
      expect(op.responses["403"]?.description).toMatch(/FORBIDDEN_HOST.*FORBIDDEN_ORIGIN/);
      expect(op.responses["403"]?.description).not.toMatch(/`FORBIDDEN`/);
    }
    expect(doc.info.description).toMatch(/loopback/);
  });
});

describe("one decide operation per rule set, from its compiled schemas", () => {
  it("every shipped rule set has POST /v1/decide/<name> and /batch with its facts' enums, and the example from its suite decides", async () => {
    const tokens = newTokens();
    const t = await seeded(SHIPPED, { TOKENS: tokens.env });
    const doc = await documentOf(t);
    expect(SHIPPED.length).toBeGreaterThanOrEqual(5);
    const check = validatorFor(doc);
    for (const name of SHIPPED) {
      const compiled = t.registry.get(name)!.compiled;
      // The component is the very schema ajv validates the facts with (not a hand-written copy).
      expect(doc.components.schemas[`Facts_${name}`]).toEqual(compiled.factSchema);
      expect(doc.components.schemas[`Decision_${name}`]).toEqual(compiled.decisionSchema);
      const op = doc.paths[`/v1/decide/${name}`]?.post;
      expect(op, name).toBeDefined();
      expect(op!.operationId).toBe(`decide_${name}`);
      expect(op!.parameters?.some((p) => p.in === "path")).toBe(false);
      const body = op!.requestBody!.content["application/json"]!;
      expect((body.schema.properties as Record<string, unknown>).facts).toEqual({
        $ref: `#/components/schemas/Facts_${name}`,
      });
      const ok = op!.responses["200"]!.content!["application/json"]!.schema;
      expect((ok.properties as Record<string, unknown>).decision).toEqual({
        $ref: `#/components/schemas/Decision_${name}`,
      });
      const batch = doc.paths[`/v1/decide/${name}/batch`]?.post;
      expect(batch, `${name} batch`).toBeDefined();
      expect(JSON.stringify(batch!.requestBody)).toContain(`#/components/schemas/Facts_${name}`);
      expect(JSON.stringify(batch!.responses["200"])).toContain(`#/components/schemas/Decision_${name}`);

      // "Try it out" starts from a valid request: the example decides (200) and the answer fits the document.
      expect(body.example, `${name} example`).toBeDefined();
      const request: Call = { url: `/v1/decide/${name}`, token: tokens.decide, body: body.example };
      const res = await call(t.app, request);
      expect(res.statusCode, `${name}: ${res.body.slice(0, 500)}`).toBe(200);
      expectDocumented(doc, check, request, res);
    }
    const tipoCliente = (
      doc.components.schemas["Facts_reclame-designacao"]!.properties as Record<string, { enum?: unknown[] }>
    ).tipoCliente;
    expect(tipoCliente?.enum).toEqual(expect.arrayContaining(["Beneficiário", "Credenciado"]));
    // The rule sets' operations are grouped under their names.
    expect(doc.tags?.map((tag) => tag.name)).toEqual(expect.arrayContaining(SHIPPED));
  });

  it("the document follows publishes and roll backs: a new rule set appears, a new version's schema replaces the old", async () => {
    const tokens = newTokens();
    const t = await seeded(["reclame-designacao"], { TOKENS: tokens.env });
    const before = await documentOf(t);
    expect(before.paths["/v1/decide/mini"]).toBeUndefined();

    const v1 = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      token: tokens.publisher,
      body: { source: miniSource(1), tests: miniSuite(1) },
    });
    expect(v1.statusCode, v1.body).toBe(201);
    const first = await documentOf(t);
    expect(first.paths["/v1/decide/mini"]?.post).toBeDefined();
    expect(first.paths["/v1/decide/reclame-designacao"]?.post).toBeDefined();
    const canal = (d: Doc) =>
      (d.components.schemas.Facts_mini!.properties as Record<string, { enum?: unknown[] }>).canal?.enum;
    expect(canal(first)).toEqual(["telefone", "chat", null]);

    const widened = miniSource(2).replace("enum: [telefone, chat]", "enum: [telefone, chat, site]");
    const v2 = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      token: tokens.publisher,
      body: { source: widened, tests: miniSuite(2) },
    });
    expect(v2.statusCode, v2.body).toBe(201);
    const second = await documentOf(t);
    expect(canal(second)).toEqual(["telefone", "chat", "site", null]);
    expect(second.paths["/v1/decide/mini"]!.post!.responses).toBeDefined();
    expect(JSON.stringify(second.paths["/v1/decide/mini"])).toMatch(/Versão ativa: 2\b/);
    const yaml = parseYaml((await call(t.app, { url: "/docs/yaml" })).body) as Doc;
    expect(canal(yaml)).toEqual(["telefone", "chat", "site", null]);

    const back = await call(t.app, {
      url: "/v1/rulesets/mini/rollback",
      token: tokens.publisher,
      body: { version: 1 },
    });
    expect(back.statusCode, back.body).toBe(201);
    const third = await documentOf(t);
    expect(canal(third)).toEqual(["telefone", "chat", null]);
    expect(JSON.stringify(third.paths["/v1/decide/mini"])).toMatch(/Versão ativa: 3\b/);
  });
});

describe("errors and responses as documented", () => {
  it("one named Error envelope, referenced by every 4xx/5xx of every operation; no catch-all ranges; no machine or ../shared paths", async () => {
    const tokens = newTokens();
    const t = await seeded(["reclame-designacao"], { TOKENS: tokens.env });
    const doc = await documentOf(t);
    expect(doc.openapi).toBe("3.1.0");
    const envelope = doc.components.schemas.Error as {
      required: string[];
      properties: { error: { required: string[]; properties: Record<string, unknown> } };
    };
    expect(envelope.required).toEqual(["error"]);
    expect(Object.keys(envelope.properties.error.properties).sort()).toEqual([
      "code",
      "details",
      "message",
      "requestId",
    ]);
    for (const { path, method, op } of operations(doc)) {
      const statuses = Object.keys(op.responses);
      expect(
        statuses.filter((s) => /X/i.test(s)),
        `${method} ${path}`,
      ).toEqual([]);
      expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(["500", "503"]));
      for (const status of statuses.filter((s) => /^[45]/.test(s))) {
        expect(op.responses[status]!.content!["application/json"]!.schema, `${method} ${path} ${status}`).toEqual({
          $ref: "#/components/schemas/Error",
        });
        expect(op.responses[status]!.description.length, `${method} ${path} ${status}`).toBeGreaterThan(10);
      }
    }
    const decide = doc.paths["/v1/decide/{ruleset}"]!.post!;
    expect(Object.keys(decide.responses).sort()).toEqual([
      "200",
      "400",
      "401",
      "403",
      "404",
      "413",
      "415",
      "500",
      "503",
    ]);
    expect(Object.keys(doc.paths["/v1/rulesets/{name}/versions"]!.post!.responses).sort()).toEqual([
      "201",
      "400",
      "401",
      "403",
      "409",
      "413",
      "415",
      "422",
      "429",
      "500",
      "503",
      "507",
    ]);
    expect(doc.info.description).toContain("docs/contract.md");
    expect(JSON.stringify(doc)).not.toMatch(/shared\/|\.\.\/shared|\/work\//);
  });

  it("a sample of real responses (success and errors of each route) validates against the document's schema for that route and status", async () => {
    const tokens = newTokens();
    const t = await seeded(SHIPPED, { TOKENS: tokens.env, BODY_LIMIT: "65536", BATCH_LIMIT: "5" });
    const publish = await call(t.app, {
      url: "/v1/rulesets/mini/versions",
      token: tokens.publisher,
      body: { source: miniSource(1), tests: miniSuite(1) },
    });
    expect(publish.statusCode, publish.body).toBe(201);
    const defect = await call(t.app, {
      url: "/v1/rulesets/defeito/versions",
      token: tokens.publisher,
      body: { source: BROKEN_INVARIANT_SOURCE },
    });
    expect(defect.statusCode, defect.body).toBe(201);
    const doc = await documentOf(t);
    const check = validatorFor(doc);
    const R = "reclame-designacao";
    const facts = reclameFacts();
    const sample: Call[] = [
      { url: "/health" },
      // deciding
      { url: `/v1/decide/${R}`, token: tokens.decide, body: { facts } },
      { url: `/v1/decide/${R}`, token: tokens.decide, body: { facts, explain: true } },
      { url: `/v1/decide/${R}?version=1`, token: tokens.decide, body: { facts } },
      { url: `/v1/decide/${R}`, token: tokens.decide, body: { facts: { ...facts, tipoCliente: "Cliente" } } },
      { url: `/v1/decide/${R}`, token: tokens.decide, body: { fatos: facts } },
      { url: `/v1/decide/${R}`, token: tokens.decide, body: "{bad", headers: { "content-type": "application/json" } },
      { url: `/v1/decide/${R}`, token: tokens.decide, body: "facts", headers: { "content-type": "text/plain" } },
      { url: `/v1/decide/${R}`, token: tokens.decide, body: { facts: { ...facts, numero: "9".repeat(70_000) } } },
      { url: `/v1/decide/${R}`, body: { facts } },
      { url: `/v1/decide/${R}`, token: tokens.author, body: { facts } },
      { url: "/v1/decide/nada", token: tokens.decide, body: { facts } },
      { url: `/v1/decide/${R}?version=99`, token: tokens.decide, body: { facts } },
      { url: "/v1/decide/mini", token: tokens.decide, body: { facts: { valor: 150, canal: "chat" } } },
      { url: "/v1/decide/defeito", token: tokens.decide, body: { facts: { valor: 5 } } },
      { url: "/v1/decide/defeito", token: tokens.decide, body: { facts: { valor: 500 } } },
      {
        url: "/v1/decide/defeito/batch",
        token: tokens.decide,
        body: { items: [{ facts: { valor: 5 } }, { facts: { valor: 500 } }, { facts: {} }] },
      },
      {
        url: `/v1/decide/${R}/batch`,
        token: tokens.decide,
        body: { items: [{ facts }, { facts: { tipoCliente: "?" } }] },
      },
      {
        url: `/v1/decide/${R}/batch`,
        token: tokens.decide,
        body: { items: Array.from({ length: 6 }, () => ({ facts })) },
      },
      { url: "/v1/decide/nada/batch", token: tokens.decide, body: { items: [] } },
      // reading
      { url: "/v1/rulesets", token: tokens.decide },
      { url: `/v1/rulesets/${R}`, token: tokens.author },
      { url: "/v1/rulesets/nada", token: tokens.author },
      { url: "/v1/rulesets/Nome_Ruim", token: tokens.author },
      { url: `/v1/rulesets/${R}/versions/1`, token: tokens.author },
      { url: `/v1/rulesets/${R}/versions/9`, token: tokens.author },
      { url: `/v1/rulesets/${R}/versions/1/compiled`, token: tokens.author },
      { url: `/v1/rulesets/${R}/versions/9/compiled`, token: tokens.author },
      // authoring
      { url: "/v1/rulesets/mini/validate", token: tokens.author, body: { source: miniSource(2) } },
      { url: "/v1/rulesets/mini/validate", token: tokens.author, body: { source: "ruleset: mini\nfacts: [" } },
      { url: "/v1/rulesets/mini/validate", token: tokens.decide, body: { source: miniSource(2) } },
      { url: "/v1/rulesets/mini/test", token: tokens.author, body: {} },
      { url: "/v1/rulesets/mini/test", token: tokens.author, body: { source: "ruleset: mini\nfacts: [" } },
      { url: "/v1/rulesets/nada/test", token: tokens.author, body: {} },
      // publishing
      {
        url: "/v1/rulesets/mini/versions",
        token: tokens.publisher,
        body: { source: miniSource(2), tests: miniSuite(2), baseVersion: 1 },
      },
      {
        url: "/v1/rulesets/mini/versions",
        token: tokens.publisher,
        body: { source: miniSource(3), tests: miniSuite(3), baseVersion: 1 },
      },
      {
        url: "/v1/rulesets/mini/versions",
        token: tokens.publisher,
        body: { source: miniSource(3), tests: miniSuite(4) },
      },
      { url: "/v1/rulesets/mini/versions", token: tokens.author, body: { source: miniSource(3) } },
      { url: "/v1/rulesets/mini/rollback", token: tokens.publisher, body: { version: 1 } },
      { url: "/v1/rulesets/mini/rollback", token: tokens.publisher, body: { version: 42 } },
      { url: "/v1/audit", token: tokens.author },
      { url: "/v1/audit?since=ontem", token: tokens.author },
    ];
    const seen = new Set<string>();
    for (const request of sample) {
      const res = await call(t.app, request);
      expectDocumented(doc, check, request, res);
      seen.add(String(res.statusCode));
    }
    // A full disk while publishing (the store's write fails with ENOSPC).
    const full = vi.spyOn(t.store, "publish").mockRejectedValueOnce(
      Object.assign(new Error("ENOSPC: no space left on device, write"), {
        code: "ENOSPC",
        errno: -28,
        syscall: "write",
      }),
    );
    const onFullDisk: Call = {
      url: "/v1/rulesets/mini/versions",
      token: tokens.publisher,
      body: { source: miniSource(5), tests: miniSuite(5) },
    };
    const refused = await call(t.app, onFullDisk);
    full.mockRestore();
    expectDocumented(doc, check, onFullDisk, refused);
    seen.add(String(refused.statusCode));
    // The sample really covers successes and the errors of the contract.
    expect([...seen].sort()).toEqual(
      expect.arrayContaining(["200", "201", "400", "401", "403", "404", "409", "413", "415", "422", "500", "507"]),
    );
  });

  it("429 (authoring rate limit) and 503 (not loaded yet) are documented as they are answered", async () => {
    const tokens = newTokens();
    const limited = await seeded(["reclame-designacao"], { TOKENS: tokens.env, AUTHORING_RATE_LIMIT: "1" });
    const doc = await documentOf(limited);
    const check = validatorFor(doc);
    const validate: Call = { url: "/v1/rulesets/mini/validate", token: tokens.author, body: { source: miniSource(1) } };
    expectDocumented(doc, check, validate, await call(limited.app, validate));
    const refused = await call(limited.app, validate);
    expect(refused.statusCode).toBe(429);
    expectDocumented(doc, check, validate, refused);

    const loading = await startApp({ load: false, env: { TOKENS: tokens.env } });
    apps.push(loading);
    const loadingDoc = await documentOf(loading);
    const decide: Call = {
      url: "/v1/decide/reclame-designacao",
      token: tokens.decide,
      body: { facts: reclameFacts() },
    };
    const res = await call(loading.app, decide);
    expect(res.statusCode).toBe(503);
    expectDocumented(loadingDoc, validatorFor(loadingDoc), decide, res);
  });
});
