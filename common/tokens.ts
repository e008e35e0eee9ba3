/**
 * Access-token primitives shared by the service (server/auth.ts checks tokens) and the CLI
 * (`rules token` creates them): the roles, SHA-256 hashing, random generation. Node only; imports
 * nothing from the project's other folders.
 */
import { createHash, randomBytes } from "node:crypto";

export const ROLES = ["decide", "author", "publisher"] as const;
export type Role = (typeof ROLES)[number];

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * A random token: 32 random bytes in base64url (43 characters). A token starting with `-` would
 * read as an option on a command line (`--token "$T"`), so one starting with `-` or `_` is drawn
 * again (rejection keeps the rest uniformly random).
 */
export function randomToken(): string {
  for (;;) {
    const token = randomBytes(32).toString("base64url");
    if (/^[A-Za-z0-9]/.test(token)) return token;
  }
}

/** A new random token and its configuration line (`name:roles:sha256`). */
export function newToken(name: string, roles: readonly Role[]): { token: string; line: string } {
  const token = randomToken();
  return { token, line: `${name}:${roles.join(",")}:${hashToken(token)}` };
}
