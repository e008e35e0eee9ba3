/**
 * YAML layer of the rule language: turns the text of a rule-set file into a yaml `Document`
 * whose nodes keep exact source positions, and maps every character of a string scalar back to
 * the offset in the file that produced it (so that an error inside a DSL expression written in a
 * YAML value can point to the exact line:column of the file).
 *
 * Hardening, in order:
 *
 * 1. The text is first turned into a CST with yaml's `Parser` (which drives its `Lexer`). Both are
 *    iterative, so arbitrarily deep input is safe at this stage. The CST is then walked with an
 *    explicit stack (never recursion) to measure the nesting depth of collections; beyond
 *    `MAX_YAML_DEPTH` we report "yaml/too-deep" and never compose, because yaml's composer is
 *    recursive (and yaml 2.9.1 could even abort the process with a V8 OOM on the second deeply
 *    nested document parsed in one process; we pin 2.9.0 AND bound depth).
 * 2. The same walk rejects what analysts do not need and what would make the dialect or the
 *    source positions ambiguous: directives other than `%YAML 1.2` (a `%YAML 1.1` directive
 *    would turn on merge keys and 1.1 booleans such as `NO` → false), explicit tags, anchors and
 *    aliases (an alias makes one node appear at several places of the file, so positions become
 *    ambiguous; repeating the content is always possible), merge keys `<<`, and more than one
 *    document per file.
 * 3. The CST is composed with a pinned, strict option set (YAML 1.2 core schema, no merge keys,
 *    no known-tag resolution; duplicate keys are left to step 4, which is linear where yaml's own
 *    check is quadratic). Rejected directives are removed from the token
 *    stream before composing, so they cannot change the dialect.
 * 4. Composed maps are checked for duplicate keys (reported at the second key) and non-string
 *    keys. Every yaml error AND warning becomes an error diagnostic in Portuguese.
 *
 * Files: `flow-rows.ts` (the CST, with a fast path for one-line table rows `- [a, b]`),
 * `options.ts` (pinned options, depth bound), `cst-scan.ts` (steps 1 and 2) with
 * `any-cell.ts` (the any cell `-` of table rows), `errors.ts` (yaml's errors in Portuguese),
 * `checks.ts` (keys, unsafe numbers), `ranges.ts` (node and token ranges) and `offsets.ts`
 * (`scalarValueOffsets`). This file is the entry point (`loadYaml`) and re-exports what the
 * other stages use, so they import from here only.
 *
 * These modules must stay free of `node:` imports: they also run in a browser worker.
 */
import { Composer, isScalar } from "yaml";
import { createError, sortDiagnostics } from "../diagnostics.js";
import type { Diagnostic, StageResult } from "../diagnostics.js";
import { checkKeys } from "./checks.js";
import { scanCst } from "./cst-scan.js";
import { parseCst } from "./flow-rows.js";
import { indexIssues, misIndentedKey, misalignedItem, pushYamlError, withoutSameLineCascades } from "./errors.js";
import { YAML_OPTIONS } from "./options.js";
import type { ParsedDocument } from "./options.js";

export { unsafeNumbers } from "./checks.js";
export { MAX_YAML_DEPTH } from "./options.js";
export { keyRange, rangeOf } from "./ranges.js";
export { scalarValueOffsets } from "./offsets.js";

/**
 * Parses the text of a rule-set file. Never throws. `value` is the (first) composed document, or
 * `undefined` when nothing could be composed (empty file, nesting too deep, internal error).
 * When `diagnostics` contains errors the document may be partial: later stages may use it for
 * best-effort reporting only. When there are no errors, every map key is a plain `Scalar` with a
 * string value and no anchors, aliases or tags occur anywhere.
 */
export function loadYaml(text: string): StageResult<ParsedDocument | undefined> {
  try {
    return loadYamlUnsafe(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      value: undefined,
      diagnostics: [createError("internal/error", `erro interno ao ler o YAML: ${detail}`, { start: 0, end: 0 })],
    };
  }
}

function loadYamlUnsafe(text: string): StageResult<ParsedDocument | undefined> {
  if (text.trim() === "") {
    return {
      value: undefined,
      diagnostics: [createError("yaml/syntax", "o arquivo está vazio", { start: 0, end: 0 })],
    };
  }

  const tokens = parseCst(text);
  const scan = scanCst(tokens, text);
  if (scan.tooDeep) {
    return { value: undefined, diagnostics: sortDiagnostics([...scan.diagnostics, scan.tooDeep]) };
  }

  const diagnostics: Diagnostic[] = [...scan.diagnostics];
  const composer = new Composer(YAML_OPTIONS);
  const docs = Array.from(composer.compose(scan.tokens, true, text.length));
  for (const doc of docs) {
    const issues = [...doc.errors, ...doc.warnings];
    const index = indexIssues(issues);
    const fromDoc: Diagnostic[] = [];
    for (const e of issues) {
      const indentation = misIndentedKey(e, index, text) ?? misalignedItem(e, text);
      if (indentation === "consequence") continue;
      if (indentation) fromDoc.push(indentation);
      else pushYamlError(fromDoc, e, text, scan.hasProps);
    }
    checkKeys(doc, text, fromDoc);
    diagnostics.push(...withoutSameLineCascades(fromDoc, text));
  }
  const doc = docs[0];
  if (doc === undefined || isEmptyContents(doc)) {
    const range = { start: 0, end: 0 };
    return {
      value: undefined,
      diagnostics: sortDiagnostics([...diagnostics, createError("yaml/syntax", "o arquivo está vazio", range)]),
    };
  }
  return { value: doc, diagnostics: sortDiagnostics(diagnostics) };
}

function isEmptyContents(doc: ParsedDocument): boolean {
  const c = doc.contents;
  if (c === null || c === undefined) return true;
  return isScalar(c) && c.value === null && c.range[0] === c.range[1];
}
