/**
 * The rule-set name rule, defined once: the loader, the server's store and the server's route
 * schemas all use this pattern. Lower-case ASCII letters, digits and `-`, starting with a letter or
 * digit, at most 64 characters (names are also directory names and URL segments).
 */
export const RULESET_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
