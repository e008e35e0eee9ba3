/**
 * The access token of this browser session (sessionStorage only: closing the tab forgets it) and
 * what the token's roles allow in the editor.
 */

const KEY = "regras.token";

export function loadToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveToken(token: string | undefined): void {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // sessionStorage unavailable: the token lives in memory only
  }
}

/** What the editor lets the caller do, from the token's roles (all of it without tokens). */
export interface Permissions {
  /** Publish and roll back (`publisher`). */
  readonly publish: boolean;
  /** Validate and test drafts on the service (`author` or `publisher`). */
  readonly author: boolean;
}

export const ALL: Permissions = { publish: true, author: true };

export function permissionsOf(roles: readonly string[] | undefined): Permissions {
  if (!roles) return ALL;
  return { publish: roles.includes("publisher"), author: roles.includes("author") || roles.includes("publisher") };
}
