/**
 * Access tokens with roles. Tokens are configured as SHA-256 hashes (never in clear text at
 * rest); a presented bearer token is hashed and compared in constant time with every configured
 * hash (timingSafeEqual, no early exit), so timing reveals nothing about which one almost matched.
 */
import { timingSafeEqual } from "node:crypto";
import { hashToken, ROLES, type Role } from "../common/tokens.js";

// Token generation and hashing live in common/ so that the CLI (`rules token`) shares them without
// depending on the server.
export { hashToken, newToken, randomToken, ROLES, type Role } from "../common/tokens.js";

export interface TokenEntry {
  readonly name: string;
  readonly roles: readonly Role[];
  /** SHA-256 of the token, hex. */
  readonly sha256: string;
}

export interface Principal {
  readonly name: string;
  readonly roles: readonly Role[];
}

/**
 * Parses token configuration: either JSON (`[{"name", "roles", "sha256"}]`) or lines / `;`-separated
 * entries `name:role1,role2:sha256hex`. Throws an Error naming the bad entry.
 */
export function parseTokens(text: string, origin: string): TokenEntry[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  let raw: { name?: unknown; roles?: unknown; sha256?: unknown }[];
  if (trimmed.startsWith("[")) {
    try {
      raw = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`${origin}: JSON inválido: ${(e as Error).message}`);
    }
    if (!Array.isArray(raw)) throw new Error(`${origin}: esperava uma lista de tokens`);
  } else {
    raw = trimmed
      .split(/[;\n]/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => {
        const [name, roles, sha256] = l.split(":");
        return { name, roles: roles?.split(",").map((r) => r.trim()), sha256 };
      });
  }
  return raw.map((e, i) => {
    const where = `${origin}, token ${i + 1}`;
    if (typeof e.name !== "string" || !/^[\w.@-]{1,64}$/.test(e.name))
      throw new Error(`${where}: nome inválido (letras, dígitos, . @ - _)`);
    if (!Array.isArray(e.roles) || e.roles.length === 0)
      throw new Error(`${where} (${e.name}): informe pelo menos um papel (${ROLES.join(", ")})`);
    for (const r of e.roles)
      if (!ROLES.includes(r as Role))
        throw new Error(`${where} (${e.name}): papel desconhecido "${String(r)}" (use ${ROLES.join(", ")})`);
    if (typeof e.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(e.sha256)) {
      throw new Error(
        `${where} (${e.name}): sha256 deve ser o hash SHA-256 do token em hexadecimal (64 caracteres); gere com: npx rules token --name ${e.name} --roles ${(e.roles as string[]).join(",")}`,
      );
    }
    return { name: e.name, roles: e.roles as Role[], sha256: e.sha256 };
  });
}

/** Finds the principal of a bearer token, comparing against every entry in constant time. */
export function authenticate(tokens: readonly TokenEntry[], authorization: string | undefined): Principal | undefined {
  if (!authorization) return undefined;
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization);
  if (!m) return undefined;
  const presented = Buffer.from(hashToken(m[1] as string), "hex");
  let found: TokenEntry | undefined;
  for (const t of tokens) {
    const equal = timingSafeEqual(presented, Buffer.from(t.sha256, "hex"));
    if (equal && !found) found = t;
  }
  return found ? { name: found.name, roles: found.roles } : undefined;
}
