/**
 * The one error envelope of the API: `{"error": {"code", "message", "details", "requestId"}}`.
 * Every failure goes through `toApiError`, so framework errors (bad JSON, body too large, wrong
 * content type, schema validation) speak the contract too, and a 5xx never shows internals.
 */
import { randomUUID } from "node:crypto";
import { maxHeaderSize, STATUS_CODES } from "node:http";
import type { FastifyError } from "fastify";
import { osErrorCode, StorageError, storageFailureOf, type StorageFailure } from "./store/storage-error.js";

export interface ApiErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details: readonly unknown[];
    readonly requestId?: string;
  };
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: readonly unknown[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (what: string) => new ApiError(404, "NOT_FOUND", what);

interface ValidationItem {
  readonly instancePath?: string;
  readonly message?: string;
  readonly keyword?: string;
  readonly params?: Record<string, unknown>;
}

function pointer(v: ValidationItem): string {
  const base = v.instancePath ?? "";
  if (v.keyword === "required" && v.params && typeof v.params.missingProperty === "string")
    return `${base}/${v.params.missingProperty}`;
  if (v.keyword === "additionalProperties" && v.params && typeof v.params.additionalProperty === "string")
    return `${base}/${v.params.additionalProperty}`;
  return base;
}

const MESSAGES: Record<string, (v: ValidationItem) => string> = {
  required: () => "campo obrigatório ausente",
  additionalProperties: () => "campo desconhecido",
  type: (v) => `deve ser ${String(v.params?.type ?? "do tipo certo")}`,
  maxItems: (v) => `no máximo ${String(v.params?.limit)} item(ns)`,
  minItems: (v) => `pelo menos ${String(v.params?.limit)} item(ns)`,
  maxLength: (v) => `no máximo ${String(v.params?.limit)} caracteres`,
  minimum: (v) => `no mínimo ${String(v.params?.limit)}`,
  pattern: () => "formato inválido",
};

const STORAGE: Record<StorageFailure, { status: number; code: string; message: string }> = {
  full: {
    status: 507,
    code: "STORAGE_FULL",
    message: "o armazenamento do serviço está cheio: nada foi gravado; as decisões continuam. Avise a operação",
  },
  "read-only": {
    status: 503,
    code: "STORAGE_READ_ONLY",
    message:
      "o armazenamento do serviço não aceita gravações (somente leitura ou sem permissão): nada foi gravado; as decisões continuam. Avise a operação",
  },
  unavailable: {
    status: 503,
    code: "STORAGE_UNAVAILABLE",
    message:
      "o armazenamento do serviço falhou: nada foi gravado; as decisões continuam. Tente de novo em instantes ou avise a operação",
  },
  unreachable: {
    status: 503,
    code: "STORE_UNREACHABLE",
    message:
      "o banco de dados das regras está fora do alcance: nada foi gravado nem lido; as decisões continuam com as versões em memória. Tente de novo em instantes ou avise a operação",
  },
};

/** The API error of a storage failure (507 STORAGE_FULL, 503 STORAGE_READ_ONLY / STORAGE_UNAVAILABLE / STORE_UNREACHABLE). */
export function storageApiError(failure: StorageFailure): ApiError {
  const s = STORAGE[failure];
  return new ApiError(s.status, s.code, s.message);
}

/** The request took longer than HANDLER_TIMEOUT_MS. */
export const handlerTimeout = () =>
  new ApiError(
    503,
    "HANDLER_TIMEOUT",
    "a requisição demorou mais que o limite do serviço e foi interrompida; tente de novo",
  );

/** Maps anything thrown in a request to the status and body the contract fixes. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StorageError) return storageApiError(err.failure);
  // An operating-system error that escaped a store unwrapped is still a storage failure, not a bug.
  if (
    err instanceof Error &&
    osErrorCode(err) !== undefined &&
    typeof (err as { syscall?: unknown }).syscall === "string"
  ) {
    return storageApiError(storageFailureOf(osErrorCode(err)));
  }
  const e = err as FastifyError & { validation?: ValidationItem[]; validationContext?: string };
  if (e && Array.isArray(e.validation)) {
    const where = e.validationContext === "querystring" ? "?" : e.validationContext === "params" ? "" : "";
    const tooMany = e.validation.find((v) => v.keyword === "maxItems" && (v.instancePath ?? "").endsWith("/items"));
    return new ApiError(
      400,
      tooMany ? "BATCH_TOO_LARGE" : "INVALID_REQUEST",
      tooMany
        ? `um lote aceita no máximo ${String(tooMany.params?.limit)} itens`
        : "a requisição não segue o formato esperado",
      e.validation.map((v) => ({
        path: `${where}${pointer(v)}`,
        message: (v.keyword && MESSAGES[v.keyword]?.(v)) ?? v.message ?? "inválido",
      })),
    );
  }
  switch (e?.code) {
    // Includes bodies with __proto__ / constructor.prototype keys (prototype poisoning), which
    // fastify's parser refuses as invalid JSON.
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError(400, "MALFORMED_JSON", "o corpo da requisição não é um JSON válido");
    case "FST_ERR_BAD_URL":
      return new ApiError(400, "BAD_URL", "o endereço (URL) da requisição é inválido");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new ApiError(414, "URI_TOO_LONG", "o endereço (URL) da requisição é longo demais");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError(413, "PAYLOAD_TOO_LARGE", "o corpo da requisição é grande demais");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "envie o corpo como application/json");
    default:
      break;
  }
  if (e instanceof SyntaxError || e?.statusCode === 400)
    return new ApiError(400, "MALFORMED_JSON", "o corpo da requisição não é um JSON válido");
  if (e?.statusCode === 413) return new ApiError(413, "PAYLOAD_TOO_LARGE", "o corpo da requisição é grande demais");
  if (e?.statusCode === 415) return new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "envie o corpo como application/json");
  if (e?.statusCode === 429) return new ApiError(429, "RATE_LIMITED", "muitas requisições: tente de novo em instantes");
  if (e?.statusCode === 408) return new ApiError(408, "REQUEST_TIMEOUT", "a requisição não chegou inteira a tempo");
  if (e?.code === "FST_ERR_HANDLER_TIMEOUT") return handlerTimeout();
  return new ApiError(500, "INTERNAL_ERROR", "erro interno; informe o requestId ao suporte");
}

/** JSON schema of the error body (used in every route's responses). */
export const errorSchema = {
  $id: "ApiError",
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "details"],
      properties: {
        code: { type: "string", description: "Código estável, UPPER_SNAKE." },
        message: { type: "string" },
        details: { type: "array", items: {} },
        requestId: { type: "string" },
      },
    },
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Transport-level errors: answered by Node's HTTP server before fastify sees a request.

/** Status, code and message for a `clientError` of Node's HTTP server (malformed request, timeout, headers too large). */
export function clientErrorOf(err: { code?: unknown; rawPacket?: unknown }): ApiError {
  switch (err.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new ApiError(408, "REQUEST_TIMEOUT", "a requisição não chegou inteira a tempo");
    case "HPE_HEADER_OVERFLOW":
    case "HPE_URI_TOO_LONG": {
      // Node reports a long URL as a header overflow too: when the request line alone takes
      // most of the allowed header size, it is the URL that is too long.
      const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.toString("latin1") : "";
      const lineEnd = raw.indexOf("\n");
      const requestLine = /^[A-Z]+ /.test(raw) ? (lineEnd < 0 ? raw.length : lineEnd) : 0;
      if (err.code === "HPE_URI_TOO_LONG" || requestLine > maxHeaderSize / 2) {
        return new ApiError(414, "URI_TOO_LONG", "o endereço (URL) da requisição é longo demais");
      }
      return new ApiError(431, "HEADERS_TOO_LARGE", "os cabeçalhos da requisição são grandes demais");
    }
    default:
      return new ApiError(400, "MALFORMED_REQUEST", "a requisição HTTP está malformada");
  }
}

/** A complete HTTP/1.1 response with the error envelope (for a socket fastify never saw a request on). */
export function rawErrorResponse(api: ApiError, requestId: string = randomUUID()): string {
  const body = JSON.stringify({ error: { code: api.code, message: api.message, details: api.details, requestId } });
  return (
    `HTTP/1.1 ${api.statusCode} ${STATUS_CODES[api.statusCode] ?? "Error"}\r\n` +
    `content-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    `x-request-id: ${requestId}\r\n` +
    `connection: close\r\n\r\n${body}`
  );
}
