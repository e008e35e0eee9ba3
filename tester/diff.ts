/**
 * Comparison of an expected decision with the actual one, as a list of differences with paths
 * (`email.prazoRespostaData`, `resultados[2].duplicadoDe`) that QA can read.
 */

export interface Difference {
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly message: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Differences between `expected` and `actual`. In subset mode only what `expected` names is
 * compared (recursively into objects; lists are compared item by item and must have the same
 * length); in exact mode extra fields are differences too.
 */
export function diffValues(expected: unknown, actual: unknown, exact: boolean, path = ""): Difference[] {
  if (isObject(expected)) {
    if (!isObject(actual)) return [{ path, expected, actual, message: "esperava um objeto" }];
    const out: Difference[] = [];
    for (const k of Object.keys(expected)) {
      if (!Object.hasOwn(actual, k))
        out.push({
          path: join(path, k),
          expected: expected[k],
          actual: undefined,
          message: "campo ausente na decisão",
        });
      else out.push(...diffValues(expected[k], actual[k], exact, join(path, k)));
    }
    if (exact)
      for (const k of Object.keys(actual))
        if (!Object.hasOwn(expected, k))
          out.push({
            path: join(path, k),
            expected: undefined,
            actual: actual[k],
            message: "campo a mais na decisão (comparação exata)",
          });
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path, expected, actual, message: "esperava uma lista" }];
    if (expected.length !== actual.length)
      return [{ path, expected, actual, message: `esperava ${expected.length} item(ns), obteve ${actual.length}` }];
    return expected.flatMap((e, i) => diffValues(e, actual[i], exact, join(path, i)));
  }
  if (expected === actual || (expected === null && actual === undefined)) return [];
  return [{ path, expected, actual, message: "valor diferente" }];
}
