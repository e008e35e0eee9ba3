/**
 * The test-suite format QA writes beside each rule set (`rules/<name>.test.yaml`): named cases
 * with given facts and the expected decision (a subset by default, the whole decision on
 * request), or the error a bad request must get. Loaded with the same hardened YAML loader as
 * rule sets, so every case keeps its line and column.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";
import { createError, didYouMean, em, hasErrors, type Diagnostic, type Range } from "../dsl/diagnostics.js";
import { keyRange, loadYaml, rangeOf } from "../dsl/yaml/load.js";

export interface ExpectedError {
  /** Decision error code: INVALID_FACTS (HTTP 400) or RULESET_DEFECT. */
  readonly code: string;
  /** HTTP status the service answers with (400 for INVALID_FACTS). */
  readonly status?: number;
  /** JSON pointers that must be named in the error details (each must appear). */
  readonly paths: readonly string[];
}

export interface TestCase {
  readonly name: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly facts: Record<string, unknown>;
  readonly expect?: Record<string, unknown>;
  /** `subset` (default): only the fields written are compared; `exact`: the whole decision. */
  readonly match: "subset" | "exact";
  readonly fired?: readonly string[];
  readonly expectError?: ExpectedError;
  readonly range: Range;
}

export interface TestSuite {
  /** Name of the rule set the suite tests. */
  readonly ruleset: string;
  readonly description?: string;
  readonly cases: readonly TestCase[];
}

const SUITE_KEYS = ["suite", "description", "defaults", "cases"];
const CASE_KEYS = ["name", "description", "tags", "facts", "omit", "expect", "match", "fired", "expectError"];

/** Loads a test-suite source. Structural problems are diagnostics with positions, like rule sets. */
export function loadSuite(source: string): { suite?: TestSuite; diagnostics: Diagnostic[] } {
  const yaml = loadYaml(source);
  const diagnostics: Diagnostic[] = [...yaml.diagnostics];
  const doc = yaml.value;
  if (!doc || hasErrors(diagnostics)) return { diagnostics };
  const whole: Range = { start: 0, end: source.length };
  const err = (message: string, range: Range) => diagnostics.push(createError("ruleset/structure", message, range));
  const top = doc.contents as Node | null;
  if (!top || !isMap(top)) {
    err("a suíte de testes deve ser um mapa com suite, description, defaults e cases", top ? rangeOf(top) : whole);
    return { diagnostics };
  }
  const get = (map: YAMLMap, allowed: string[], what: string) => {
    const out = new Map<string, Pair<Scalar, Node | null>>();
    for (const pair of (map as YAMLMap<Scalar, Node | null>).items) {
      const key = String(pair.key?.value ?? "");
      if (!allowed.includes(key))
        diagnostics.push(
          createError(
            "ruleset/unknown-key",
            `chave desconhecida "${key}" ${em(what)}.${didYouMean(key, allowed)} Chaves aceitas: ${allowed.join(", ")}`,
            keyRange(pair),
          ),
        );
      else out.set(key, pair);
    }
    return out;
  };
  const m = get(top, SUITE_KEYS, "a suíte");
  const nameNode = m.get("suite")?.value;
  if (!nameNode || !isScalar(nameNode) || typeof nameNode.value !== "string") {
    err('falta "suite: <nome do conjunto de regras>"', nameNode ? rangeOf(nameNode) : whole);
    return { diagnostics };
  }
  const defaultsNode = m.get("defaults")?.value;
  let defaultFacts: Record<string, unknown> = {};
  if (defaultsNode) {
    if (!isMap(defaultsNode))
      err("defaults deve ser um mapa (por exemplo defaults: { facts: {...} })", rangeOf(defaultsNode));
    else {
      const d = get(defaultsNode, ["facts"], "defaults");
      const f = d.get("facts")?.value?.toJSON();
      if (f !== undefined && (typeof f !== "object" || f === null || Array.isArray(f)))
        err("defaults.facts deve ser um mapa de fatos", rangeOf(d.get("facts")?.value ?? defaultsNode));
      else if (f) defaultFacts = f as Record<string, unknown>;
    }
  }
  const casesNode = m.get("cases")?.value;
  if (!casesNode || !isSeq(casesNode)) {
    err('falta "cases": a lista de casos', casesNode ? rangeOf(casesNode) : whole);
    return { diagnostics };
  }
  const cases: TestCase[] = [];
  const names = new Map<string, Range>();
  for (const node of casesNode.items as Node[]) {
    const range = rangeOf(node);
    if (!isMap(node)) {
      err("cada caso deve ser um mapa com name, facts e expect (ou expectError)", range);
      continue;
    }
    const c = get(node, CASE_KEYS, "o caso");
    const nameValue = c.get("name")?.value;
    if (!nameValue || !isScalar(nameValue) || typeof nameValue.value !== "string" || nameValue.value.trim() === "") {
      err('cada caso precisa de "name"', range);
      continue;
    }
    const name = nameValue.value;
    const prev = names.get(name);
    if (prev)
      diagnostics.push(
        createError("ruleset/duplicate-name", `já existe um caso chamado "${name}"`, rangeOf(nameValue), [
          { message: "primeiro caso", range: prev },
        ]),
      );
    names.set(name, rangeOf(nameValue));
    const json = (k: string) => c.get(k)?.value?.toJSON() as unknown;
    const facts = json("facts") ?? {};
    if (typeof facts !== "object" || facts === null || Array.isArray(facts)) {
      err("facts deve ser um mapa de fatos", rangeOf(c.get("facts")?.value ?? node));
      continue;
    }
    const expectValue = json("expect");
    const errorValue = json("expectError");
    if (expectValue === undefined && errorValue === undefined) {
      err(
        `o caso "${name}" precisa de "expect" (a decisão esperada) ou "expectError" (o erro esperado)`,
        rangeOf(nameValue),
      );
      continue;
    }
    if (
      expectValue !== undefined &&
      (typeof expectValue !== "object" || expectValue === null || Array.isArray(expectValue))
    ) {
      err("expect deve ser um mapa com os campos esperados da decisão", rangeOf(c.get("expect")?.value ?? node));
      continue;
    }
    let expectError: ExpectedError | undefined;
    if (errorValue !== undefined) {
      const e = errorValue as Record<string, unknown>;
      if (typeof e !== "object" || e === null || typeof e.code !== "string") {
        err(
          "expectError deve ter pelo menos code (por exemplo INVALID_FACTS)",
          rangeOf(c.get("expectError")?.value ?? node),
        );
        continue;
      }
      const paths = Array.isArray(e.paths) ? e.paths.map(String) : [];
      expectError = { code: e.code, paths, ...(typeof e.status === "number" ? { status: e.status } : {}) };
    }
    const match = json("match") ?? "subset";
    if (match !== "subset" && match !== "exact") {
      err('match deve ser "subset" (padrão) ou "exact"', rangeOf(c.get("match")?.value ?? node));
      continue;
    }
    const omit = json("omit");
    const merged: Record<string, unknown> = { ...defaultFacts, ...(facts as Record<string, unknown>) };
    if (Array.isArray(omit)) for (const k of omit) delete merged[String(k)];
    const tags = json("tags");
    const fired = json("fired");
    const description = json("description");
    cases.push({
      name,
      tags: Array.isArray(tags) ? tags.map(String) : [],
      facts: merged,
      match,
      range,
      ...(expectValue !== undefined ? { expect: expectValue as Record<string, unknown> } : {}),
      ...(expectError ? { expectError } : {}),
      ...(Array.isArray(fired) ? { fired: fired.map(String) } : {}),
      ...(typeof description === "string" ? { description } : {}),
    });
  }
  const description = m.get("description")?.value?.toJSON();
  return {
    suite: { ruleset: nameNode.value, cases, ...(typeof description === "string" ? { description } : {}) },
    diagnostics,
  };
}
