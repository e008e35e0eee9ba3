/**
 * Checks on the composed document (step 4 of `load.ts`): duplicate keys (reported at the second
 * key, with the first as related information) and keys that are not texts (`checkKeys`), and
 * numeric scalars JavaScript cannot hold (`unsafeNumbers`, run by the rule-set loader).
 * Iterative walks only.
 */
import { isCollection, isMap, isScalar, isSeq } from "yaml";
import type { Pair } from "yaml";
import { createError, sortDiagnostics, unsafeNumberProblem } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import type { ParsedDocument } from "./options.js";
import { keyRange, rangeOf } from "./ranges.js";

/** Reports duplicate keys (NFC-normalised, at the second key) and keys that are not texts, into `diagnostics`. */
export function checkKeys(doc: ParsedDocument, text: string, diagnostics: Diagnostic[]): void {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Map<string, Pair>();
      for (const pair of node.items) {
        const key: unknown = pair.key;
        if (isScalar(key) && typeof key.value === "string") {
          // NFC: "é" typed as one or two code points looks the same to an analyst.
          const name = key.value.normalize("NFC");
          const first = seen.get(name);
          if (first) {
            diagnostics.push(
              createError("yaml/duplicate-key", `chave duplicada "${key.value}"`, keyRange(pair), [
                { message: `primeira ocorrência de "${key.value}"`, range: keyRange(first) },
              ]),
            );
          } else {
            seen.set(name, pair);
          }
        } else if (isScalar(key)) {
          const range = keyRange(pair);
          const source = text.slice(range.start, range.end);
          const message =
            range.start === range.end || source.trim() === ""
              ? "chave vazia: escreva um nome antes dos dois-pontos"
              : `a chave ${source} não é um texto: se for mesmo um nome, escreva-a entre aspas ("${source.replace(/"/g, '\\"')}")`;
          diagnostics.push(createError("yaml/unsupported", message, range));
        } else if (isCollection(key)) {
          diagnostics.push(
            createError(
              "yaml/unsupported",
              "chaves compostas (uma lista ou um mapa usado como chave) não são suportadas: use um nome simples como chave",
              keyRange(pair),
            ),
          );
        } else if (key === null || key === undefined) {
          diagnostics.push(
            createError("yaml/unsupported", "chave vazia: escreva um nome antes dos dois-pontos", keyRange(pair)),
          );
        }
        // Alias keys were already reported by the CST scan.
        if (pair.value !== null && pair.value !== undefined) stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
}

/**
 * Numeric scalars of the document that do not survive as a JavaScript number: `.nan`, `.inf`,
 * `-.inf`, `1e400` (Infinity) and integers written beyond 2^53 − 1 (`9007199254740993` silently
 * becomes ...992). Reported at the scalar, code `ruleset/unsafe-number`. Map keys are never
 * numbers here (see checkKeys). Iterative walk.
 */
export function unsafeNumbers(doc: ParsedDocument, text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) if (pair.value !== null && pair.value !== undefined) stack.push(pair.value);
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isScalar(node) && typeof node.value === "number") {
      const range = rangeOf(node);
      const problem = unsafeNumberProblem(text.slice(range.start, range.end), node.value);
      if (problem) out.push(createError("ruleset/unsafe-number", problem, range));
    }
  }
  return sortDiagnostics(out);
}
