/**
 * The service's HTTP API as the editor uses it (docs/contract.md), with every failure turned into
 * an `ApiError` carrying a readable Brazilian Portuguese message: auth, conflicts, limits, the
 * service being down or unreachable. Pure but for the injected `fetch`, so it is unit-tested.
 */
import type { MutationReport } from "../../tester/mutate.js";
import type { ReplayReport } from "../../tester/replay.js";

export interface VersionMeta {
  readonly version: number;
  readonly author?: string;
  readonly message?: string;
  readonly createdAt?: string;
  readonly hash?: string;
  readonly rolledBackFrom?: number;
  /** Vigência: in force from this instant (absent: from its publish). */
  readonly effectiveFrom?: string;
  /** Vigência: in force until this instant (absent: no end). */
  readonly effectiveUntil?: string;
}

/** One stretch of `GET /v1/rulesets/{name}/timeline`: which version is, was or will be in force, and when. */
export interface TimelineEntry {
  readonly version: number;
  readonly from: string;
  readonly until: string | null;
  readonly reason: "publicação" | "reversão" | "vigência";
  readonly state: "encerrada" | "em vigor" | "agendada";
}

export interface RuleSetSummary {
  readonly name: string;
  readonly version?: number;
  readonly description: string;
  readonly updatedAt?: string;
}

export interface RuleSetDetail {
  readonly name: string;
  readonly description: string;
  readonly version: number;
  readonly updatedAt?: string;
  readonly versions: readonly VersionMeta[];
  readonly source: string;
  readonly tests: string | null;
  /** The version in force now (null: none, the newest decides); absent from services without vigência. */
  readonly inForce?: number | null;
  /** Versions whose vigência starts in the future. */
  readonly scheduled?: readonly number[];
}

export interface VersionDetail extends VersionMeta {
  readonly name: string;
  readonly source: string;
  readonly tests: string | null;
}

/** A diagnostic as the service sends it (1-based lines and columns). */
export interface ServerDiagnostic {
  readonly severity?: string;
  readonly code?: string;
  readonly message?: string;
  readonly line?: number;
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

/** A suggested case that kills a surviving mutant (`yaml` ready to paste under `cases:`). */
export interface SuggestedCase {
  readonly name: string;
  readonly facts?: Record<string, unknown>;
  readonly yaml: string;
}

/** A mutant no case caught: where it is in the source and what changed. */
export interface MutantSurvivor {
  readonly id: number;
  readonly operator: string;
  /** Offsets into the source that was sent. */
  readonly range: { readonly start: number; readonly end: number };
  readonly line: number;
  readonly column: number;
  readonly description: string;
  /** "nenhum teste pegaria esta mudança: …" */
  readonly message: string;
  readonly replacement?: string;
  readonly suggestedCase?: SuggestedCase;
}

/** `POST /v1/rulesets/{name}/mutants`: how much the suite catches (docs/contract.md). */
export type MutantsResult = Omit<MutationReport, "mutants"> & { readonly survivors: readonly MutantSurvivor[] };

/** `POST /v1/rulesets/{name}/replay`: what the draft would do to logged decisions (docs/contract.md). */
export type ReplayResult = ReplayReport & {
  readonly replayed: {
    readonly from?: string;
    readonly to?: string;
    readonly limit: number;
    readonly oldest?: string;
    readonly newest?: string;
    readonly truncated: boolean;
  };
};

export interface ReplayInput {
  readonly source: string;
  /** ISO 8601 window, `from` inclusive, `to` exclusive. */
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly samples?: number;
}

/** A logged decision as `GET /v1/decisions` lists it (server/decision-log/types.ts DecisionRecord). */
export interface LoggedDecisionItem {
  readonly id: string;
  /** ISO 8601 instant of the decision. */
  readonly at: string;
  readonly ruleset: string;
  readonly version: number;
  readonly decision: Readonly<Record<string, unknown>>;
  readonly fired: readonly string[];
  /** The personal fact paths that were masked. */
  readonly masked?: readonly string[];
}

export interface DecisionsPage {
  readonly items: readonly LoggedDecisionItem[];
  readonly next?: string;
}

/** What `POST /v1/decisions/:id/promote` answers (docs/contract.md). */
export interface PromotedCase {
  readonly ruleset: string;
  /** The active version the case was checked against. */
  readonly version: number;
  /** The case's name in the suite (made unique). */
  readonly name: string;
  /** The case's YAML lines. */
  readonly case: string;
  /** The suite sent (or the active one) with the case appended. */
  readonly suite: string;
  /** The case decides as logged; false: tagged `revisar`, to review. */
  readonly reproduced: boolean;
  /** The facts carry masked personal values. */
  readonly masked: boolean;
  readonly differences: readonly {
    readonly path: string;
    readonly expected?: unknown;
    readonly actual?: unknown;
    readonly message: string;
  }[];
}

export interface PublishInput {
  readonly source: string;
  readonly tests?: string;
  readonly message?: string;
  readonly baseVersion?: number;
}

/** Where a request failed: the service's code (or NETWORK / BAD_RESPONSE) and a message for the analyst. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly unknown[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Messages for the codes the analyst meets; the service's own message (Portuguese) follows when useful. */
const MESSAGES: Readonly<Record<string, string>> = {
  UNAUTHORIZED: "Acesso negado: informe um token de acesso válido.",
  FORBIDDEN: "Seu token não tem permissão para esta ação.",
  FORBIDDEN_HOST: "O serviço recusou o endereço usado para acessá-lo; abra o editor por http://127.0.0.1 ou localhost.",
  FORBIDDEN_ORIGIN: "O serviço recusou a requisição vinda de outra origem; abra o editor pelo próprio serviço.",
  NOT_FOUND: "Não encontrado.",
  CONFLICT: "Outra pessoa publicou uma versão nova enquanto você editava.",
  PAYLOAD_TOO_LARGE: "O texto enviado é grande demais para o serviço.",
  RULESET_TOO_LARGE: "O conjunto de regras passa dos limites do serviço.",
  RULESET_INVALID: "O serviço recusou o conjunto de regras: ele tem erros.",
  TESTS_FAILED: "O serviço recusou a publicação: a suíte de testes falha.",
  INVALID_TEST_SUITE: "A suíte de testes não pôde ser lida.",
  NO_TEST_SUITE: "Não há suíte de testes para rodar.",
  RATE_LIMITED: "Muitas solicitações seguidas: aguarde um minuto e tente de novo.",
  NOT_READY: "O serviço ainda está iniciando: tente de novo em alguns segundos.",
  SHUTTING_DOWN: "O serviço está sendo desligado: tente de novo em alguns segundos.",
  HANDLER_TIMEOUT: "O serviço demorou demais para responder: tente de novo.",
  AUTHORING_TIMEOUT: "O serviço demorou demais para verificar o conjunto de regras: tente de novo.",
  STORAGE_UNAVAILABLE: "O serviço não consegue gravar agora: nada foi alterado.",
  STORAGE_READ_ONLY: "O armazenamento do serviço está somente leitura: nada foi alterado.",
  STORAGE_FULL: "O armazenamento do serviço está cheio: nada foi alterado.",
  DECISION_LOG_OFF: "O registro de decisões está desligado neste serviço.",
  INTERNAL_ERROR: "Erro interno do serviço.",
  NETWORK: "Não foi possível falar com o serviço: verifique se ele está rodando e tente de novo.",
};

function statusMessage(status: number): string {
  if (status === 401) return MESSAGES.UNAUTHORIZED as string;
  if (status === 403) return MESSAGES.FORBIDDEN as string;
  if (status === 404) return MESSAGES.NOT_FOUND as string;
  if (status === 409) return MESSAGES.CONFLICT as string;
  if (status === 413) return MESSAGES.PAYLOAD_TOO_LARGE as string;
  if (status === 429) return MESSAGES.RATE_LIMITED as string;
  if (status >= 500) return `O serviço não conseguiu atender (HTTP ${status}): tente de novo em instantes.`;
  return `O serviço recusou a requisição (HTTP ${status}).`;
}

/** The `ApiError` for a non-2xx answer: the error envelope when there is one, the status otherwise. */
export function errorFromResponse(status: number, body: unknown): ApiError {
  const envelope =
    typeof body === "object" && body !== null && "error" in body
      ? (body as { error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown } }).error
      : undefined;
  const code = typeof envelope?.code === "string" ? envelope.code : `HTTP_${status}`;
  const serverMessage = typeof envelope?.message === "string" ? envelope.message.trim() : "";
  const details = Array.isArray(envelope?.details) ? envelope.details : [];
  const requestId = typeof envelope?.requestId === "string" ? envelope.requestId : undefined;
  const known = MESSAGES[code] ?? statusMessage(status);
  // The service's message is Portuguese and specific (which rule set, which version); the known
  // text says what it means for the analyst. Internal errors keep only the generic text.
  const message =
    serverMessage && code !== "INTERNAL_ERROR" && !known.includes(serverMessage)
      ? `${known} (${serverMessage})`
      : known;
  return new ApiError(status, code, message, details, requestId);
}

/** The `ApiError` for a request that never got an answer (service down, network cut). */
export function networkError(cause: unknown): ApiError {
  // The browser's own text ("Failed to fetch") is English and says nothing more: not shown.
  void cause;
  return new ApiError(0, "NETWORK", MESSAGES.NETWORK as string);
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiOptions {
  readonly fetch: Fetch;
  /** The bearer token to send, when signed in. */
  readonly token: () => string | undefined;
  readonly base?: string;
}

export interface Api {
  listRuleSets(): Promise<RuleSetSummary[]>;
  getRuleSet(name: string): Promise<RuleSetDetail>;
  getVersion(name: string, version: number): Promise<VersionDetail>;
  /** The vigência timeline, or undefined when the service has no such endpoint. */
  timeline(name: string): Promise<readonly TimelineEntry[] | undefined>;
  publish(name: string, input: PublishInput): Promise<{ version: number; hash: string }>;
  rollback(name: string, version: number, message?: string): Promise<{ version: number; hash: string }>;
  /** Runs `tests` against the mutants of `source` on the service (role author or publisher). */
  mutants(name: string, input: { readonly source: string; readonly tests: string }): Promise<MutantsResult>;
  /** Replays the logged decisions of the rule set against `source` (role author or publisher). */
  replay(name: string, input: ReplayInput): Promise<ReplayResult>;
  /** The latest logged decisions of a rule set, newest first (`GET /v1/decisions`). */
  decisions(query: {
    readonly ruleset: string;
    readonly limit?: number;
    readonly cursor?: string;
  }): Promise<DecisionsPage>;
  /** A logged decision as a case appended to `tests` (the draft suite) or the active suite. */
  promote(
    id: string,
    input: { readonly name?: string; readonly tags?: readonly string[]; readonly tests?: string },
  ): Promise<PromotedCase>;
  /** The caller's roles, or undefined when the service has no such endpoint. */
  roles(): Promise<readonly string[] | undefined>;
  /**
   * The roles of the token, found without `GET /v1/me`: the service checks roles before it reads
   * the body, so a request with an empty body answers 403 without the role and 400 with it (and
   * changes nothing either way).
   */
  probeRoles(): Promise<readonly string[]>;
}

export function createApi(options: ApiOptions): Api {
  const base = options.base ?? "";
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    const token = options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await options.fetch(`${base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw networkError(e);
    }
    const text = await response.text().catch(() => "");
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) throw errorFromResponse(response.status, parsed);
    if (parsed === undefined && text)
      throw new ApiError(response.status, "BAD_RESPONSE", "O serviço respondeu algo que o editor não entende.");
    return parsed as T;
  }
  const enc = encodeURIComponent;
  return {
    listRuleSets: () => call("GET", "/v1/rulesets"),
    getRuleSet: (name) => call("GET", `/v1/rulesets/${enc(name)}`),
    getVersion: (name, version) => call("GET", `/v1/rulesets/${enc(name)}/versions/${version}`),
    async timeline(name) {
      try {
        return await call<TimelineEntry[]>("GET", `/v1/rulesets/${enc(name)}/timeline`);
      } catch (e) {
        // A service from before vigência (or a rule set gone meanwhile): the history shows the versions only.
        if (e instanceof ApiError && e.status === 404) return undefined;
        throw e;
      }
    },
    publish: (name, input) => call("POST", `/v1/rulesets/${enc(name)}/versions`, input),
    rollback: (name, version, message) =>
      call("POST", `/v1/rulesets/${enc(name)}/rollback`, { version, ...(message ? { message } : {}) }),
    mutants: (name, input) => call("POST", `/v1/rulesets/${enc(name)}/mutants`, input),
    replay: (name, input) => call("POST", `/v1/rulesets/${enc(name)}/replay`, input),
    decisions: (q) =>
      call(
        "GET",
        `/v1/decisions?ruleset=${enc(q.ruleset)}&limit=${q.limit ?? 20}&order=desc${q.cursor ? `&cursor=${enc(q.cursor)}` : ""}`,
      ),
    promote: (id, input) => call("POST", `/v1/decisions/${enc(id)}/promote`, input),
    async roles() {
      try {
        const me = await call<{ roles?: unknown }>("GET", "/v1/me");
        return Array.isArray(me.roles) ? me.roles.map(String) : undefined;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return undefined;
        throw e;
      }
    },
    async probeRoles() {
      const refused = async (path: string) => {
        try {
          await call("POST", path, {});
          return false;
        } catch (e) {
          if (e instanceof ApiError && e.status === 403) return true;
          if (e instanceof ApiError && e.status === 401) throw e;
          return false;
        }
      };
      const roles = ["decide"];
      if (!(await refused("/v1/rulesets/-/validate"))) roles.push("author");
      if (!(await refused("/v1/rulesets/-/rollback"))) roles.push("publisher");
      return roles;
    },
  };
}
