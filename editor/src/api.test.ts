import { describe, expect, it } from "vitest";
import { ApiError, createApi, errorFromResponse, type Fetch } from "./api.js";

function reply(status: number, body: unknown): Fetch {
  return async () =>
    new Response(typeof body === "string" ? body : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
}

const envelope = (code: string, message: string, details: unknown[] = []) => ({
  error: { code, message, details, requestId: "req-1" },
});

describe("errorFromResponse", () => {
  it("401: asks for a valid token", () => {
    const e = errorFromResponse(401, envelope("UNAUTHORIZED", "informe um token válido"));
    expect(e.code).toBe("UNAUTHORIZED");
    expect(e.message).toMatch(/^Acesso negado: informe um token de acesso válido\./);
    expect(e.requestId).toBe("req-1");
  });

  it("403: says the token lacks the permission, with the service's reason", () => {
    const e = errorFromResponse(403, envelope("FORBIDDEN", "este token não tem o papel necessário (publisher)"));
    expect(e.message).toBe(
      "Seu token não tem permissão para esta ação. (este token não tem o papel necessário (publisher))",
    );
  });

  it("409: someone else published meanwhile", () => {
    const e = errorFromResponse(409, envelope("CONFLICT", "a versão ativa é 3, não 2"));
    expect(e.status).toBe(409);
    expect(e.message).toContain("Outra pessoa publicou uma versão nova");
    expect(e.message).toContain("a versão ativa é 3, não 2");
  });

  it("422 keeps the details (diagnostics or failing cases)", () => {
    const details = [{ code: "check/unknown-fact", message: "nome desconhecido", line: 3, column: 5 }];
    const e = errorFromResponse(422, envelope("RULESET_INVALID", "o conjunto de regras tem erros", details));
    expect(e.code).toBe("RULESET_INVALID");
    expect(e.details).toEqual(details);
  });

  it("limits: 413 and 429 in words", () => {
    expect(errorFromResponse(413, envelope("PAYLOAD_TOO_LARGE", "corpo grande demais")).message).toContain(
      "grande demais",
    );
    expect(errorFromResponse(429, envelope("RATE_LIMITED", "")).message).toBe(
      "Muitas solicitações seguidas: aguarde um minuto e tente de novo.",
    );
  });

  it("internal errors stay generic; answers without the envelope are described by their status", () => {
    expect(errorFromResponse(500, envelope("INTERNAL_ERROR", "boom")).message).toBe("Erro interno do serviço.");
    const e = errorFromResponse(502, undefined);
    expect(e.code).toBe("HTTP_502");
    expect(e.message).toContain("HTTP 502");
    expect(errorFromResponse(400, { whatever: 1 }).message).toBe("O serviço recusou a requisição (HTTP 400).");
  });
});

describe("createApi", () => {
  it("sends the bearer token and JSON bodies", async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const api = createApi({
      fetch: async (url, init) => {
        calls.push({ url, ...(init ? { init } : {}) });
        return new Response(JSON.stringify({ version: 4, hash: "h" }), { status: 201 });
      },
      token: () => "segredo",
    });
    expect(await api.publish("retencao", { source: "x", baseVersion: 3 })).toEqual({ version: 4, hash: "h" });
    expect(calls[0]?.url).toBe("/v1/rulesets/retencao/versions");
    const headers = calls[0]?.init?.headers as Record<string, string>;
    expect(headers.authorization).toBe("Bearer segredo");
    expect(headers["content-type"]).toBe("application/json");
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({ source: "x", baseVersion: 3 });
  });

  it("no token: no Authorization header", async () => {
    let seen: Record<string, string> = {};
    const api = createApi({
      fetch: async (_url, init) => {
        seen = init?.headers as Record<string, string>;
        return new Response("[]", { status: 200 });
      },
      token: () => undefined,
    });
    expect(await api.listRuleSets()).toEqual([]);
    expect(seen.authorization).toBeUndefined();
  });

  it("network down: a readable NETWORK error", async () => {
    const api = createApi({
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
      token: () => undefined,
    });
    const e = await api.listRuleSets().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe("NETWORK");
    expect((e as ApiError).message).toBe(
      "Não foi possível falar com o serviço: verifique se ele está rodando e tente de novo.",
    );
  });

  it("an error answer becomes an ApiError; a non-JSON success is BAD_RESPONSE", async () => {
    const conflict = createApi({ fetch: reply(409, envelope("CONFLICT", "x")), token: () => undefined });
    await expect(conflict.publish("a", { source: "" })).rejects.toMatchObject({ status: 409, code: "CONFLICT" });
    const html = createApi({ fetch: reply(200, "<html>"), token: () => undefined });
    await expect(html.listRuleSets()).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });

  it("roles: from GET /v1/me, undefined when the service has no such route", async () => {
    expect(await createApi({ fetch: reply(200, { roles: ["decide"] }), token: () => "t" }).roles()).toEqual(["decide"]);
    expect(
      await createApi({ fetch: reply(404, envelope("NOT_FOUND", "rota")), token: () => "t" }).roles(),
    ).toBeUndefined();
  });

  it("probeRoles: 403 means the role is missing, anything else that it is there", async () => {
    const api = (validate: number, rollback: number) =>
      createApi({
        fetch: async (url) =>
          new Response(JSON.stringify(envelope("X", "")), {
            status: url.endsWith("/validate") ? validate : rollback,
          }),
        token: () => "t",
      });
    expect(await api(403, 403).probeRoles()).toEqual(["decide"]);
    expect(await api(400, 403).probeRoles()).toEqual(["decide", "author"]);
    expect(await api(400, 400).probeRoles()).toEqual(["decide", "author", "publisher"]);
    await expect(api(401, 401).probeRoles()).rejects.toMatchObject({ code: "X", status: 401 });
  });

  it("timeline: the vigência stretches; undefined from a service without the endpoint; other errors thrown", async () => {
    const entries = [
      {
        version: 1,
        from: "2026-01-10T12:00:00.000Z",
        until: "2026-03-01T03:00:00.000Z",
        reason: "publicação",
        state: "em vigor",
      },
      { version: 2, from: "2026-03-01T03:00:00.000Z", until: null, reason: "vigência", state: "agendada" },
    ];
    let asked = "";
    const ok = createApi({
      fetch: async (url) => {
        asked = url;
        return new Response(JSON.stringify(entries), { status: 200 });
      },
      token: () => "t",
    });
    expect(await ok.timeline("mini")).toEqual(entries);
    expect(asked).toBe("/v1/rulesets/mini/timeline");
    expect(
      await createApi({ fetch: reply(404, envelope("NOT_FOUND", "rota")), token: () => "t" }).timeline("mini"),
    ).toBeUndefined();
    await expect(
      createApi({ fetch: reply(401, envelope("UNAUTHORIZED", "token")), token: () => "t" }).timeline("mini"),
    ).rejects.toMatchObject({ status: 401 });
  });
});
