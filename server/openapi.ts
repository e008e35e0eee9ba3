/**
 * The API's OpenAPI 3.1 description and its browser UI (Swagger UI at /docs).
 *
 * - @fastify/swagger builds the document from the routes' own schemas (the ones that validate
 *   requests and serialise responses), so the document cannot describe another body than the one
 *   a route accepts. `describeRoute` spells out each route's error statuses (every one with the
 *   single `Error` envelope, the component of `errorSchema`) and its security: the bearer scheme
 *   with the roles the route accepts, none on the public routes.
 * - `withRuleSets` adds, for each active rule set, concrete `POST /v1/decide/<name>`, `/batch`
 *   and `/why-not` operations whose facts and decision are the compiled rule set's own JSON Schemas
 *   (`Facts_<name>`: the schema ajv validates the facts with; `Decision_<name>`), with an example
 *   taken from the rule set's test suite. fastify-swagger builds its document once, so this part
 *   is merged in per request and rebuilt whenever the active versions change (publish, roll back).
 * - /docs, its static assets, /docs/json and /docs/yaml need no token (see docs/service.md): a
 *   browser loads them before anyone can type a token; the token entered under "Authorize" then
 *   goes on every "Try it out" call.
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance, FastifySchema, RouteOptions } from "fastify";
import { loadSuite } from "../tester/suite.js";
import type { Config } from "./config.js";
import { errorSchema } from "./errors.js";
import type { LoadedVersion, Registry } from "./registry.js";

/** Error statuses a route may document; each one answers the `Error` envelope. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503 | 507;

declare module "fastify" {
  interface FastifySchema {
    /**
     * Error statuses particular to the route, each with when it happens (OpenAPI only). 400 (a
     * route with a body, params or query schema), 401/403 (tokens configured; roles), 413/415 (a
     * body), 500 and 503 (every route) are added from the route's options; a status given here
     * replaces that generic description (`true`: the generic description).
     */
    errors?: Partial<Record<ErrorStatus, string | true>>;
  }
}

export const DOCS_PREFIX = "/docs";
/** Name of the error envelope in `components.schemas`. */
export const ERROR_COMPONENT = "Error";
const ERROR_REF = `${errorSchema.$id}#`;
const GENERIC_DECIDE = "/v1/decide/{ruleset}";

const GENERIC_ERRORS: Record<ErrorStatus, string> = {
  400: "Requisição fora do formato: JSON malformado (`MALFORMED_JSON`) ou corpo, parâmetros ou consulta inválidos (`INVALID_REQUEST`; `details`: `{path, message}`).",
  401: "Sem token válido em `Authorization: Bearer <token>` (`UNAUTHORIZED`).",
  403: "O token não tem um dos papéis aceitos pela rota (`FORBIDDEN`).",
  404: "Não encontrado (`NOT_FOUND`).",
  409: "Conflito (`CONFLICT`).",
  413: "Corpo maior que `BODY_LIMIT` (`PAYLOAD_TOO_LARGE`).",
  415: "Corpo que não é `application/json` (`UNSUPPORTED_MEDIA_TYPE`).",
  422: "Conteúdo recusado; `details` explica.",
  429: "Limite de requisições de edição por minuto (`AUTHORING_RATE_LIMIT`) excedido (`RATE_LIMITED`).",
  500: "Erro interno (`INTERNAL_ERROR`); informe o `requestId` ao suporte.",
  503: "Indisponível no momento: o serviço está sendo encerrado, a requisição passou de `HANDLER_TIMEOUT_MS` ou o armazenamento falhou. Tente de novo.",
  507: "Armazenamento cheio: nada foi gravado (`STORAGE_FULL`).",
};

/** 403 in open mode (server/loopback-guard.ts). */
const OPEN_MODE_403 =
  "Modo aberto (sem tokens): `Host` que não é de loopback (`FORBIDDEN_HOST`) ou requisição que altera estado vinda de outra origem (`FORBIDDEN_ORIGIN`).";

type Json = Record<string, unknown>;

function isJson(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The route's schema as the document shows it: explicit error statuses, 2xx descriptions, security. */
export function describeRoute(
  schema: FastifySchema | undefined,
  route: Pick<RouteOptions, "config">,
  secured: boolean,
): FastifySchema {
  const s: FastifySchema = schema ?? {};
  if (s.hide) return s;
  const config = route.config as { public?: boolean; roles?: readonly string[] } | undefined;
  const isPublic = config?.public === true;
  const roles = config?.roles ?? [];

  const statuses = new Map<ErrorStatus, string>();
  if (s.body !== undefined || s.params !== undefined || s.querystring !== undefined)
    statuses.set(400, GENERIC_ERRORS[400]);
  if (secured && !isPublic) statuses.set(401, GENERIC_ERRORS[401]);
  if (secured && !isPublic && roles.length > 0) statuses.set(403, GENERIC_ERRORS[403]);
  // Open mode (no tokens): the loopback guard refuses foreign Host headers and cross-site writes.
  if (!secured) statuses.set(403, OPEN_MODE_403);
  if (s.body !== undefined) {
    statuses.set(413, GENERIC_ERRORS[413]);
    statuses.set(415, GENERIC_ERRORS[415]);
  }
  for (const [status, description] of Object.entries(s.errors ?? {})) {
    statuses.set(
      Number(status) as ErrorStatus,
      typeof description === "string" ? description : GENERIC_ERRORS[Number(status) as ErrorStatus],
    );
  }
  if (!statuses.has(500)) statuses.set(500, GENERIC_ERRORS[500]);
  if (!statuses.has(503)) statuses.set(503, GENERIC_ERRORS[503]);

  const response: Json = {};
  for (const [status, body] of Object.entries(isJson(s.response) ? s.response : {})) {
    if (/^[45]/.test(status)) continue; // replaced by the explicit statuses below
    const said =
      isJson(body) && (typeof body.description === "string" || typeof body["x-response-description"] === "string");
    response[status] =
      isJson(body) && !said ? { ...body, "x-response-description": status === "201" ? "Criado." : "Sucesso." } : body;
  }
  for (const status of [...statuses.keys()].sort((a, b) => a - b))
    response[String(status)] = { description: statuses.get(status), $ref: ERROR_REF };

  const { errors: _errors, ...rest } = s;
  const described: FastifySchema = { ...rest, response };
  if (secured && isPublic) described.security = [];
  else if (secured && roles.length > 0) {
    // OpenAPI 3.1: role names in a non-OAuth requirement; one requirement per role = any of them.
    described.security = roles.map((role) => ({ bearer: [role] }));
    const list = roles.map((r) => `\`${r}\``).join(", ");
    const text =
      roles.length === 1 ? `Exige um token com o papel ${list}.` : `Exige um token com um destes papéis: ${list}.`;
    described.description = s.description ? `${s.description}\n\n${text}` : text;
  }
  return described;
}

/** The document's fixed part (fastify-swagger adds paths from the routes). */
function baseDocument(secured: boolean): Json {
  const auth = secured
    ? "**Autenticação.** Toda rota, exceto `GET /health` e esta documentação (`/docs`, `/docs/json`, `/docs/yaml`), exige `Authorization: Bearer <token>`. Clique em **Authorize**, cole o token (sem o prefixo `Bearer`) e as chamadas de **Try it out** passam a enviá-lo. Cada operação diz os papéis aceitos (`decide`: decisões; `author`: validar e testar rascunhos; `publisher`: publicar e voltar versões); qualquer token válido lê os conjuntos de regras."
    : "**Autenticação.** Nenhum token configurado: o serviço só escuta em loopback e não pede token.";
  return {
    openapi: "3.1.0",
    info: {
      title: "Serviço de decisões da central",
      description: [
        "Decisões por conjunto de regras (CRM) e publicação de conjuntos de regras (analistas). O contrato HTTP está em `docs/contract.md` do repositório; o serviço, em `docs/service.md`.",
        auth,
        "**Conjuntos de regras.** Cada conjunto de regras ativo tem suas próprias operações `POST /v1/decide/<nome>` e `/batch`, com o esquema dos fatos (`Facts_<nome>`) e da decisão (`Decision_<nome>`) da versão ativa e um exemplo tirado da sua suíte de testes; este documento muda a cada publicação. `POST /v1/decide/{ruleset}` atende qualquer conjunto, inclusive versões fixadas com `?version=N` (cujos fatos seguem o esquema daquela versão).",
        '**Erros.** Todo erro responde o envelope `Error`: `{"error": {"code", "message", "details", "requestId"}}`, com `code` estável em UPPER_SNAKE e o mesmo `requestId` do cabeçalho `x-request-id`.',
      ].join("\n\n"),
      version: "1.0.0",
    },
    ...(secured
      ? {
          components: {
            securitySchemes: {
              bearer: {
                type: "http",
                scheme: "bearer",
                description:
                  "Token de acesso (gerado com `npx rules token`); os papéis dele decidem as rotas permitidas.",
              },
            },
          },
          security: [{ bearer: [] }],
        }
      : {}),
    tags: [
      { name: "decisões", description: "Decisões com qualquer conjunto de regras (e versões fixadas)." },
      { name: "conjuntos de regras", description: "Leitura dos conjuntos de regras e das suas versões." },
      { name: "edição", description: "Validar e testar rascunhos; medir a suíte com mutantes." },
      { name: "publicação", description: "Publicar, voltar versões, auditoria." },
      { name: "operação", description: "Saúde do processo." },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Per rule set operations

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Example facts for a rule set: the first suite case that expects a decision (cases passed at publish). */
function exampleFacts(loaded: LoadedVersion): Json | undefined {
  if (!loaded.stored.tests) return undefined;
  try {
    const { suite } = loadSuite(loaded.stored.tests);
    const sample = suite?.cases.find((c) => c.expectError === undefined && c.expect !== undefined);
    return sample ? structuredClone(sample.facts) : undefined;
  } catch {
    return undefined;
  }
}

function pathOf(doc: Json, path: readonly string[]): unknown {
  let at: unknown = doc;
  for (const key of path) at = isJson(at) ? at[key] : undefined;
  return at;
}

/** Sets a nested key of a (cloned) document when the path to it exists; returns whether it did. */
function setAt(doc: Json, path: readonly string[], value: unknown): boolean {
  const parent = pathOf(doc, path.slice(0, -1));
  if (!isJson(parent)) return false;
  parent[path[path.length - 1] as string] = value;
  return true;
}

const JSON_CONTENT = ["content", "application/json", "schema"] as const;

/** The concrete operations of one rule set, from the generic ones. */
function ruleSetOperations(
  generic: Json | undefined,
  genericBatch: Json | undefined,
  loaded: LoadedVersion,
  example: Json | undefined,
  genericWhyNot?: Json,
): Record<string, Json> {
  const name = loaded.stored.name;
  const facts = schemaRef(`Facts_${name}`);
  const decision = schemaRef(`Decision_${name}`);
  const about = `${loaded.compiled.description}\n\nVersão ativa: ${loaded.stored.version} (publicada em ${loaded.stored.createdAt}). Com \`?version=N\`, os fatos seguem o esquema daquela versão.`;
  const specialise = (op: Json, operationId: string, summary: string): Json => {
    const copy = structuredClone(op);
    copy.operationId = operationId;
    copy.summary = summary;
    copy.description = typeof op.description === "string" ? `${about}\n\n${op.description}` : about;
    copy.tags = [name];
    if (Array.isArray(copy.parameters))
      copy.parameters = copy.parameters.filter((p) => !(isJson(p) && p.in === "path" && p.name === "ruleset"));
    setAt(copy, ["responses", "200", ...JSON_CONTENT, "properties", "ruleset"], { type: "string", enum: [name] });
    return copy;
  };
  const out: Record<string, Json> = {};
  if (generic) {
    const op = specialise(generic, `decide_${name}`, `Decide com ${name}`);
    setAt(op, ["requestBody", ...JSON_CONTENT, "properties", "facts"], facts);
    setAt(op, ["responses", "200", ...JSON_CONTENT, "properties", "decision"], decision);
    if (example) setAt(op, ["requestBody", "content", "application/json", "example"], { facts: example });
    out[`/v1/decide/${name}`] = { post: op };
  }
  if (genericBatch) {
    const op = specialise(genericBatch, `decideBatch_${name}`, `Várias decisões com ${name}`);
    setAt(op, ["requestBody", ...JSON_CONTENT, "properties", "items", "items", "properties", "facts"], facts);
    setAt(
      op,
      ["responses", "200", ...JSON_CONTENT, "properties", "results", "items", "properties", "decision"],
      decision,
    );
    if (example) setAt(op, ["requestBody", "content", "application/json", "example"], { items: [{ facts: example }] });
    out[`/v1/decide/${name}/batch`] = { post: op };
  }
  if (genericWhyNot) {
    // "Por que não?": the facts of this rule set, and `want` over its outputs (any subset).
    const op = specialise(genericWhyNot, `whyNot_${name}`, `Por que não? (${name})`);
    setAt(op, ["requestBody", ...JSON_CONTENT, "properties", "facts"], facts);
    const outputs = (loaded.compiled.decisionSchema as { properties?: Json }).properties ?? {};
    setAt(op, ["requestBody", ...JSON_CONTENT, "properties", "want"], {
      type: "object",
      minProperties: 1,
      additionalProperties: false,
      properties: structuredClone(outputs),
    });
    setAt(op, ["responses", "200", ...JSON_CONTENT, "properties", "decision"], decision);
    // The example asks for the first value of the first output with a list of values.
    const wanted = Object.entries(outputs).find(
      ([, o]) => isJson(o) && Array.isArray(o.enum) && o.enum.some((v) => v !== null),
    );
    const value =
      wanted && isJson(wanted[1]) && Array.isArray(wanted[1].enum) ? wanted[1].enum.find((v) => v !== null) : undefined;
    if (example && wanted && value !== undefined)
      setAt(op, ["requestBody", "content", "application/json", "example"], {
        facts: example,
        want: { [wanted[0]]: value },
      });
    out[`/v1/decide/${name}/why-not`] = { post: op };
  }
  return out;
}

/**
 * The document with the concrete decide operations and the fact and decision schemas of each
 * active rule set. `base` (fastify-swagger's cached document) is not modified.
 */
export function withRuleSets(
  base: Readonly<Json>,
  rulesets: readonly LoadedVersion[],
  examples: (loaded: LoadedVersion) => Json | undefined = exampleFacts,
): Json {
  const paths: Json = { ...(isJson(base.paths) ? base.paths : {}) };
  const components: Json = { ...(isJson(base.components) ? base.components : {}) };
  const schemas: Json = { ...(isJson(components.schemas) ? components.schemas : {}) };
  const generic = pathOf(base, ["paths", GENERIC_DECIDE, "post"]);
  const genericBatch = pathOf(base, ["paths", `${GENERIC_DECIDE}/batch`, "post"]);
  const genericWhyNot = pathOf(base, ["paths", `${GENERIC_DECIDE}/why-not`, "post"]);
  const tags: Json[] = [];
  for (const loaded of rulesets) {
    const name = loaded.stored.name;
    schemas[`Facts_${name}`] = structuredClone(loaded.compiled.factSchema);
    schemas[`Decision_${name}`] = structuredClone(loaded.compiled.decisionSchema);
    Object.assign(
      paths,
      ruleSetOperations(
        isJson(generic) ? generic : undefined,
        isJson(genericBatch) ? genericBatch : undefined,
        loaded,
        examples(loaded),
        isJson(genericWhyNot) ? genericWhyNot : undefined,
      ),
    );
    tags.push({ name, description: `${loaded.compiled.description} (versão ${loaded.stored.version})` });
  }
  components.schemas = schemas;
  return { ...base, paths, components, tags: [...tags, ...(Array.isArray(base.tags) ? base.tags : [])] };
}

/** The current document: the base one merged with the registry's rule sets, rebuilt only when they change. */
function currentDocument(registry: Registry): (base: Readonly<Json>) => Json {
  let cached: { base: Readonly<Json>; key: string; doc: Json } | undefined;
  return (base) => {
    const loaded = registry.names().flatMap((n) => {
      const l = registry.get(n);
      return l ? [l] : [];
    });
    const key = loaded.map((l) => `${l.stored.name}@${l.stored.version}:${l.stored.hash}`).join("|");
    if (cached?.base !== base || cached.key !== key) cached = { base, key, doc: withRuleSets(base, loaded) };
    return cached.doc;
  };
}

// ---------------------------------------------------------------------------------------------
// Registration

/**
 * Registers the OpenAPI generator (before the routes: it collects them as they are added) and
 * Swagger UI at /docs, whose routes are public.
 */
export async function registerApiDocs(
  app: FastifyInstance,
  options: { readonly config: Config; readonly registry: Registry },
): Promise<void> {
  const secured = options.config.tokens.length > 0;
  await app.register(swagger, {
    openapi: baseDocument(secured),
    refResolver: {
      // Shared schemas by their $id; the error envelope is the `Error` component.
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        json.$id === errorSchema.$id ? ERROR_COMPONENT : typeof json.$id === "string" ? json.$id : `def-${i}`,
    },
    transform: ({ schema, url, route }) => ({ schema: describeRoute(schema, route, secured), url }),
  });

  const document = currentDocument(options.registry);
  await app.register(async (docs) => {
    // Everything under /docs (page, static assets, json, yaml) answers without a token.
    docs.addHook("onRoute", (route) => {
      route.config = { ...route.config, public: true };
    });
    await docs.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      transformSpecificationClone: false,
      transformSpecification: (base) => document(base),
      uiConfig: {
        docExpansion: "list",
        defaultModelsExpandDepth: 0,
        displayOperationId: false,
        tryItOutEnabled: false,
      },
    });
  });
}
