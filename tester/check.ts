/**
 * Checks a test suite against the rule set it tests, before anything runs: the fact names in
 * `defaults.facts`, each case's `facts` and `omit`, and the output names in `expect` must exist in
 * the rule set (a typo gets a "você quis dizer" suggestion), and text values of enumerated facts and
 * outputs must be among their values. Cases with `expectError` may send wrong facts on purpose, so
 * their facts are not checked. Positions point into the suite file.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";
import type { CompiledRuleSet } from "../dsl/compile/compiled.js";
import { createError, didYouMean, type Diagnostic, type DiagnosticCode } from "../dsl/diagnostics.js";
import { keyRange, loadYaml, rangeOf } from "../dsl/yaml/load.js";

/** The part of a JSON Schema (as the compiler emits them) that the check reads. */
interface SchemaNode {
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
  readonly enum?: readonly unknown[];
}

type Kind = "fact" | "output";

const WORDS: Readonly<
  Record<Kind, { readonly unknown: DiagnosticCode; readonly top: string; readonly one: string; readonly of: string }>
> = {
  fact: { unknown: "check/unknown-fact", top: "fato desconhecido", one: "esse fato", of: "no fato" },
  output: { unknown: "check/unknown-output", top: "saída desconhecida", one: "essa saída", of: "na saída" },
};

function asSchema(value: unknown): SchemaNode | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as SchemaNode) : undefined;
}

function pairsOf(map: YAMLMap): Pair<Scalar, Node | null>[] {
  return (map as YAMLMap<Scalar, Node | null>).items;
}

function keyOf(pair: Pair<Scalar, Node | null>): string {
  return String(pair.key?.value ?? "");
}

/** The value of a key of a YAML map, if present. */
function valueAt(map: YAMLMap, key: string): Node | null | undefined {
  return pairsOf(map).find((p) => keyOf(p) === key)?.value;
}

/**
 * Diagnostics of a suite source against the compiled rule set it tests. Structural problems of the
 * suite itself are `loadSuite`'s job: whatever is malformed here is skipped, never reported twice.
 */
export function checkSuite(source: string, compiled: CompiledRuleSet): Diagnostic[] {
  const doc = loadYaml(source).value;
  const top = doc?.contents as Node | null | undefined;
  if (!top || !isMap(top)) return [];
  const diagnostics: Diagnostic[] = [];
  const factSchema = asSchema(compiled.factSchema) ?? {};
  const decisionSchema = asSchema(compiled.decisionSchema) ?? {};

  const suiteName = valueAt(top, "suite");
  if (suiteName && isScalar(suiteName) && typeof suiteName.value === "string" && suiteName.value !== compiled.name) {
    diagnostics.push(
      createError(
        "ruleset/structure",
        `a suíte testa "${suiteName.value}", mas o conjunto de regras ao lado é "${compiled.name}"`,
        rangeOf(suiteName),
      ),
    );
  }

  /** Walks a YAML value along its schema: unknown names in objects, values outside enums. */
  const walk = (node: Node | null | undefined, schema: SchemaNode | undefined, kind: Kind, path: string): void => {
    if (!node || !schema) return;
    if (isMap(node)) {
      const properties = schema.properties;
      const extra = asSchema(schema.additionalProperties);
      for (const pair of pairsOf(node)) {
        const key = keyOf(pair);
        const known = properties && Object.hasOwn(properties, key) ? properties[key] : undefined;
        if (known) walk(pair.value, known, kind, path ? `${path}.${key}` : key);
        else if (extra) walk(pair.value, extra, kind, path ? `${path}.${key}` : key);
        else if (properties && schema.additionalProperties === false) {
          const names = Object.keys(properties);
          const what = path
            ? `campo desconhecido "${key}" ${WORDS[kind].of} ${path}`
            : `${WORDS[kind].top} "${key}": o conjunto de regras ${compiled.name} não tem ${WORDS[kind].one}`;
          diagnostics.push(createError(WORDS[kind].unknown, `${what}.${didYouMean(key, names)}`, keyRange(pair)));
        }
      }
      return;
    }
    if (isSeq(node)) {
      if (schema.items) for (const item of node.items as Node[]) walk(item, schema.items, kind, `${path}[]`);
      return;
    }
    if (isScalar(node) && typeof node.value === "string" && schema.enum && !schema.enum.includes(node.value)) {
      const values = schema.enum.filter((v): v is string => typeof v === "string");
      diagnostics.push(
        createError(
          "check/not-in-enum",
          `valor "${node.value}" fora dos valores de ${path} (${values.join(", ")}).${didYouMean(node.value, values)}`,
          rangeOf(node),
        ),
      );
    }
  };

  const omitted = (node: Node | null | undefined): void => {
    if (!node || !isSeq(node)) return;
    const names = Object.keys(factSchema.properties ?? {});
    for (const item of node.items as Node[]) {
      if (!isScalar(item) || typeof item.value !== "string" || names.includes(item.value)) continue;
      diagnostics.push(
        createError(
          "check/unknown-fact",
          `fato desconhecido "${item.value}" em omit: o conjunto de regras ${compiled.name} não tem esse fato.${didYouMean(item.value, names)}`,
          rangeOf(item),
        ),
      );
    }
  };

  const defaults = valueAt(top, "defaults");
  if (defaults && isMap(defaults)) walk(valueAt(defaults, "facts"), factSchema, "fact", "");

  const cases = valueAt(top, "cases");
  if (cases && isSeq(cases)) {
    for (const node of cases.items as Node[]) {
      if (!isMap(node)) continue;
      // A case expecting an error may send unknown or wrong facts on purpose.
      if (valueAt(node, "expectError") === undefined) {
        walk(valueAt(node, "facts"), factSchema, "fact", "");
        omitted(valueAt(node, "omit"));
      }
      walk(valueAt(node, "expect"), decisionSchema, "output", "");
    }
  }
  return diagnostics.sort((a, b) => a.range.start - b.range.start);
}
