/**
 * Checks of the declared data types (`facts` and `outputs`) for what the runtime's JSON Schema
 * validator (ajv, strict mode, in engine/facts.ts) would refuse when the rule set is published, or
 * what makes a declaration useless. Works on the YAML nodes, so that each problem points at the
 * exact node: the repeated `enum` item, the negative `minItems`...
 *
 * Refused by ajv, hence errors (`ruleset/invalid-schema`): an empty `enum`, a repeated `enum`
 * value (compared as the loader reads them: as text, NFC), an `enum` item that is a list or a
 * map, `minItems`/`maxItems` that are not whole numbers ≥ 0; also a `default` outside its bounds
 * (ajv accepts the schema, but puts the default in place of every absent fact and then refuses it,
 * so every request without the fact would fail). Accepted by ajv but no value could ever pass,
 * hence warnings: `minimum` > `maximum`, `minItems` > `maxItems`, and an `enum` text of a fact
 * that is not NFC or has spaces at its ends (fact texts arrive normalized, so it never matches,
 * unless `normalize: false`). Non-finite and
 * unsafe numbers (`.nan`, `1e400`) are reported once, by `unsafeNumbers` (ruleset/unsafe-number).
 *
 * Shapes the loader reports (a field that is not a map, a non-numeric `minimum`) are skipped here.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";
import { createError, createWarning, type Diagnostic } from "../diagnostics.js";
import { keyRange, rangeOf } from "../yaml/load.js";

/** Diagnostics of every type declaration under `facts` and `outputs` of a rule-set document root. */
export function checkSchemas(root: Node | null | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!isMap(root)) return out;
  for (const pair of (root as YAMLMap<unknown, Node | null>).items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if ((key === "facts" || key === "outputs") && pair.value) fields(pair.value, key === "facts", out);
  }
  return out;
}

/** A `fields`-like map: name → declaration. Iterative over nesting (fields, items, values). */
function fields(root: Node, facts: boolean, out: Diagnostic[]): void {
  // `normalized`: texts of facts arrive NFC and trimmed unless `normalize: false` (engine/facts.ts).
  const stack: { node: Node; kind: "fields" | "decl"; normalized: boolean }[] = [
    { node: root, kind: "fields", normalized: facts },
  ];
  while (stack.length > 0) {
    const {
      node,
      kind,
      normalized: inherited,
    } = stack.pop() as { node: Node; kind: "fields" | "decl"; normalized: boolean };
    if (!isMap(node)) continue;
    const items = (node as YAMLMap<unknown, Node | null>).items;
    if (kind === "fields") {
      for (const pair of items) if (pair.value) stack.push({ node: pair.value, kind: "decl", normalized: inherited });
      continue;
    }
    const get = (k: string): Pair<unknown, Node | null> | undefined =>
      items.find((p) => isScalar(p.key) && p.key.value === k);
    const normalizeNode = get("normalize")?.value;
    const normalized =
      normalizeNode && isScalar(normalizeNode) && typeof normalizeNode.value === "boolean"
        ? facts && normalizeNode.value
        : inherited;
    const enumNode = get("enum")?.value;
    if (enumNode) checkEnum(enumNode, normalized, out);
    checkBounds(get("minimum"), get("maximum"), false, out);
    checkBounds(get("minItems"), get("maxItems"), true, out);
    const defaultNode = get("default")?.value;
    if (defaultNode) checkDefaultBounds(defaultNode, get, out);
    for (const k of ["items", "values"]) {
      const child = get(k)?.value;
      if (child) stack.push({ node: child, kind: "decl", normalized });
    }
    const nested = get("fields")?.value;
    if (nested) stack.push({ node: nested, kind: "fields", normalized });
  }
}

function checkEnum(node: Node, normalized: boolean, out: Diagnostic[]): void {
  if (!isSeq(node)) return;
  const items = node.items as (Node | null)[];
  if (items.length === 0) {
    out.push(
      createError(
        "ruleset/invalid-schema",
        "enum vazio: liste pelo menos um valor aceito (ou remova o enum)",
        rangeOf(node),
      ),
    );
    return;
  }
  const seen = new Map<string, { node: Scalar; position: number }>();
  items.forEach((item, i) => {
    if (!item) return;
    if (!isScalar(item)) {
      out.push(
        createError(
          "ruleset/invalid-schema",
          "cada valor de enum deve ser um texto simples, não uma lista nem um mapa",
          rangeOf(item),
        ),
      );
      return;
    }
    const written = String(item.value);
    const value = written.normalize("NFC");
    if (normalized && typeof item.value === "string" && value.trim() !== written) {
      const fixed = value.trim();
      out.push(
        createWarning(
          "ruleset/invalid-schema",
          `o valor ${JSON.stringify(written)} do enum nunca será aceito: os textos dos fatos chegam normalizados (NFC, sem espaços nas pontas); escreva ${JSON.stringify(fixed)} (ou declare normalize: false)`,
          rangeOf(item),
        ),
      );
    }
    const first = seen.get(value);
    if (first) {
      out.push(
        createError(
          "ruleset/invalid-schema",
          `valor repetido no enum: "${value}" já aparece na posição ${first.position} (cada valor aceito deve aparecer uma vez)`,
          rangeOf(item),
          [{ message: `primeira ocorrência de "${value}"`, range: rangeOf(first.node) }],
        ),
      );
    } else {
      seen.set(value, { node: item, position: i + 1 });
    }
  });
}

function numberOf(pair: Pair<unknown, Node | null> | undefined): { value: number; node: Node } | undefined {
  const node = pair?.value;
  if (!node || !isScalar(node) || typeof node.value !== "number" || !Number.isFinite(node.value)) return undefined;
  return { value: node.value, node };
}

function checkBounds(
  lowPair: Pair<unknown, Node | null> | undefined,
  highPair: Pair<unknown, Node | null> | undefined,
  counts: boolean,
  out: Diagnostic[],
): void {
  const low = numberOf(lowPair);
  const high = numberOf(highPair);
  const [lowName, highName] = counts ? ["minItems", "maxItems"] : ["minimum", "maximum"];
  let valid = true;
  if (counts) {
    for (const [b, name] of [
      [low, lowName],
      [high, highName],
    ] as const) {
      if (b && (!Number.isInteger(b.value) || b.value < 0)) {
        out.push(
          createError(
            "ruleset/invalid-schema",
            `${name} deve ser um número inteiro maior ou igual a zero (é a quantidade de itens da lista)`,
            rangeOf(b.node),
          ),
        );
        valid = false;
      }
    }
  }
  if (valid && low && high && low.value > high.value) {
    const message = `${lowName} (${low.value}) é maior que ${highName} (${high.value}): nenhum valor pode ser aceito`;
    out.push(createWarning("ruleset/invalid-schema", message, highPair ? keyRange(highPair) : rangeOf(high.node)));
  }
}

/**
 * A default outside `minimum`/`maximum` (or a default list outside `minItems`/`maxItems`) is put
 * in place of every absent fact and then refused by the validator: every request that omits the
 * fact would be refused for a value the caller never sent.
 */
function checkDefaultBounds(
  node: Node,
  get: (k: string) => Pair<unknown, Node | null> | undefined,
  out: Diagnostic[],
): void {
  const [lowName, highName, value, what] = isSeq(node)
    ? (["minItems", "maxItems", node.items.length, `a lista padrão tem ${node.items.length} item(ns)`] as const)
    : isScalar(node) && typeof node.value === "number" && Number.isFinite(node.value)
      ? (["minimum", "maximum", node.value, `o valor padrão ${String(node.value)}`] as const)
      : [undefined, undefined, undefined, ""];
  if (lowName === undefined || value === undefined) return;
  const low = numberOf(get(lowName));
  const high = numberOf(get(highName));
  if (low && value < low.value)
    out.push(
      createError(
        "ruleset/invalid-schema",
        `${what}, abaixo de ${lowName} (${low.value}): todo pedido sem este fato seria recusado`,
        rangeOf(node),
      ),
    );
  else if (high && value > high.value)
    out.push(
      createError(
        "ruleset/invalid-schema",
        `${what}, acima de ${highName} (${high.value}): todo pedido sem este fato seria recusado`,
        rangeOf(node),
      ),
    );
}
