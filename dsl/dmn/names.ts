/**
 * The DMN name ⇄ identifier mapping (docs/dmn.md, "Nomes"). DMN names may hold spaces and most
 * punctuation ("Approval Status", "Approved/Declined"); our facts, outputs, tables and columns are
 * identifiers. A DMN name that already is an identifier and no reserved word is kept; any other
 * becomes the lowerCamelCase of its runs of letters and digits, with `_` in front when it would
 * start with a digit, `_` after a reserved word, and 2, 3... after a name already taken. The DMN
 * name is kept as the `label` of whatever was renamed.
 */
import { RESERVED_NAMES } from "../ruleset/load.js";
import { RULESET_NAME_PATTERN } from "../ruleset/names.js";

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const RUNS = /[\p{L}\p{N}]+/gu;

/** True when `name` can be used as it is: an identifier that is no reserved word of the language. */
export function isPlainIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED_NAMES.has(name);
}

/** The identifier for a DMN name, before clashes are resolved ("Approval Status" → approvalStatus). */
export function identifierFor(dmnName: string): string {
  const name = dmnName.normalize("NFC");
  if (isPlainIdentifier(name)) return name;
  let out: string;
  if (IDENTIFIER.test(name)) out = name;
  else {
    const runs = name.match(RUNS) ?? [];
    out = runs
      .map((run, i) => {
        if (i === 0) return run.charAt(0).toLowerCase() + run.slice(1);
        return run.charAt(0).toUpperCase() + run.slice(1);
      })
      .join("");
    if (out === "") out = "nome";
    if (/^\p{N}/u.test(out)) out = `_${out}`;
  }
  if (RESERVED_NAMES.has(out)) out = `${out}_`;
  return out;
}

/** Gives each DMN name of one namespace a distinct identifier (clashes get 2, 3...). */
export class NameAllocator {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.taken.add(r);
  }

  /** Marks an identifier as used (e.g. a name kept from our own extension elements). */
  reserve(identifier: string): void {
    this.taken.add(identifier);
  }

  has(identifier: string): boolean {
    return this.taken.has(identifier);
  }

  /** The identifier for `dmnName`, or `preferred` when it is a free identifier. */
  allocate(dmnName: string, preferred?: string): string {
    if (preferred !== undefined && isPlainIdentifier(preferred) && !this.taken.has(preferred)) {
      this.taken.add(preferred);
      return preferred;
    }
    const base = identifierFor(dmnName);
    let candidate = base;
    for (let n = 2; this.taken.has(candidate); n++) candidate = `${base}${n}`;
    this.taken.add(candidate);
    return candidate;
  }
}

/** A rule-set name (lower case, digits and `-`) for a DMN decision name ("Approval Status" → approval-status). */
export function ruleSetNameFor(dmnName: string): string {
  const ascii = dmnName
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
  const runs = ascii.match(/[a-z0-9]+/g) ?? [];
  let out = runs.join("-").slice(0, 64).replace(/-+$/, "");
  if (!RULESET_NAME_PATTERN.test(out)) out = "decisao";
  return out;
}

/** Gives each decision of one file a distinct rule-set name (clashes get -2, -3...). */
export function distinctRuleSetName(base: string, taken: Set<string>): string {
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) {
    const suffix = `-${n}`;
    candidate = `${base.slice(0, 64 - suffix.length).replace(/-+$/, "")}${suffix}`;
  }
  taken.add(candidate);
  return candidate;
}
