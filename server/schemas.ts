/**
 * JSON schemas of the API in one place: route params, request and response bodies. Fastify uses
 * them to validate requests, serialise responses and describe the API (OpenAPI at /docs). The
 * error envelope's schema is `errorSchema` in errors.ts; schemas that depend on the configuration
 * (batch size, source size) are built in their routes.
 */
import { RULESET_NAME_PATTERN } from "../dsl/ruleset/names.js";

/** Rule-set names in URLs: the one rule of dsl/ruleset/names.ts. */
const ruleSetName = { type: "string", pattern: RULESET_NAME_PATTERN.source } as const;

export const rulesetParam = { type: "object", required: ["ruleset"], properties: { ruleset: ruleSetName } } as const;
export const versionQuery = {
  type: "object",
  additionalProperties: false,
  properties: { version: { type: "string", pattern: "^[1-9][0-9]{0,8}$", description: "Fixa uma versão publicada." } },
} as const;

export const traceSchema = {
  type: "array",
  items: {
    type: "object",
    properties: {
      name: { type: "string" },
      kind: { type: "string" },
      matched: { type: ["boolean", "null"] },
      line: { type: "integer" },
      column: { type: "integer" },
      note: { type: "string" },
      conditions: {
        type: "array",
        items: {
          type: "object",
          properties: {
            text: { type: "string" },
            line: { type: "integer" },
            column: { type: "integer" },
            factValue: {},
            value: {},
            result: { type: ["boolean", "null"] },
          },
        },
      },
    },
  },
} as const;

export const decisionResponse = {
  type: "object",
  required: ["decisionId", "ruleset", "version", "decision", "fired"],
  properties: {
    decisionId: {
      type: "string",
      description:
        "Identificador da decisão (UUID versão 7, ordenável por tempo), sempre devolvido: com o registro de decisões ligado (DECISION_LOG=on), `GET /v1/decisions/{id}` mostra a decisão registrada, com os fatos pessoais mascarados.",
    },
    ruleset: { type: "string" },
    version: { type: "integer" },
    decision: { type: "object", additionalProperties: true },
    fired: { type: "array", items: { type: "string" } },
    trace: traceSchema,
    versionReason: { type: "string", description: "Por que esta versão decidiu (vigência, versão pedida)." },
  },
} as const;

export const nameParam = { type: "object", required: ["name"], properties: { name: ruleSetName } } as const;
export const versionParam = {
  type: "object",
  required: ["name", "v"],
  properties: { name: nameParam.properties.name, v: { type: "string", pattern: "^[1-9][0-9]{0,8}$" } },
} as const;
export const errorResponses = { "4xx": { $ref: "ApiError#" }, "5xx": { $ref: "ApiError#" } } as const;

export const versionMeta = {
  type: "object",
  properties: {
    version: { type: "integer" },
    author: { type: "string" },
    message: { type: "string" },
    createdAt: { type: "string" },
    hash: { type: "string" },
    rolledBackFrom: { type: "integer" },
    effectiveFrom: {
      type: "string",
      description: "Início da vigência (instante ISO 8601 em UTC); sem ele, a publicação.",
    },
    effectiveUntil: { type: "string", description: "Fim da vigência (instante ISO 8601 em UTC); sem ele, sem fim." },
  },
} as const;

export const diagnosticSchema = {
  type: "object",
  properties: {
    severity: { type: "string" },
    code: { type: "string" },
    message: { type: "string" },
    line: { type: "integer" },
    column: { type: "integer" },
    endLine: { type: "integer" },
    endColumn: { type: "integer" },
    related: {
      type: "array",
      items: {
        type: "object",
        properties: {
          message: { type: "string" },
          line: { type: "integer" },
          column: { type: "integer" },
          endLine: { type: "integer" },
          endColumn: { type: "integer" },
        },
      },
    },
  },
} as const;

export const suiteResultSchema = {
  type: "object",
  properties: {
    passed: { type: "integer" },
    failed: { type: "integer" },
    cases: { type: "array", items: { type: "object", additionalProperties: true } },
    coverage: { type: "object", additionalProperties: true },
  },
} as const;
