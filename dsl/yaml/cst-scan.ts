/**
 * The walk over yaml's CST that runs before composing (steps 1 and 2 of `load.ts`): nesting depth
 * (bounded by `MAX_YAML_DEPTH`, with an explicit stack), directives (only `%YAML 1.2` is kept in the
 * token stream), more than one document, anchors, aliases, tags and merge keys; on the way it
 * rewrites the any cell `-` of table rows (`any-cell.ts`).
 */
import type { CST } from "yaml";
import { createError } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import { assertNever } from "../exhaustive.js";
import { fixLoneDashValues, fixLoneDashes, reattachLineBreaks, tableRowTokens } from "./any-cell.js";
import { MAX_YAML_DEPTH } from "./options.js";
import { clampRange, tokenRange } from "./ranges.js";

export interface CstScan {
  /** Tokens to compose (rejected directives removed). */
  readonly tokens: CST.Token[];
  readonly diagnostics: Diagnostic[];
  /** Set when nesting exceeds MAX_YAML_DEPTH: the document must not be composed. */
  readonly tooDeep: Diagnostic | undefined;
  /** True when anchors, aliases or tags were found (yaml's own complaints about them are redundant). */
  readonly hasProps: boolean;
}

/** Walks the CST tokens (iteratively), reporting and rewriting as described above; never composes. */
export function scanCst(tokens: CST.Token[], text: string): CstScan {
  const diagnostics: Diagnostic[] = [];
  const kept: CST.Token[] = [];
  let documents = 0;
  let hasProps = false;
  let tooDeep: Diagnostic | undefined;

  const stack: { token: CST.Token; depth: number }[] = [];
  const rows = tableRowTokens(tokens);
  const dashValues: CST.FlowScalar[] = [];
  for (const token of tokens) {
    if (token.type === "directive") {
      if (/^%YAML[ \t]+1\.2[ \t]*$/.test(token.source)) {
        kept.push(token);
      } else {
        // Dropped from the composer's input so that it cannot switch the dialect.
        const name = token.source.trim();
        const message = /^%YAML\b/.test(name)
          ? `a diretiva "${name}" não é suportada: os arquivos de regras usam YAML 1.2 (remova esta linha)`
          : `a diretiva "${name}" não é suportada (remova esta linha)`;
        diagnostics.push(createError("yaml/unsupported", message, tokenRange(token, text)));
      }
      continue;
    }
    kept.push(token);
    if (token.type === "document") {
      documents++;
      if (documents === 2) {
        const marker = token.start.find((t) => t.type === "doc-start");
        const range = marker
          ? tokenRange(marker, text)
          : { start: token.offset, end: Math.min(token.offset + 1, text.length) };
        diagnostics.push(
          createError(
            "yaml/syntax",
            'o arquivo tem mais de um documento YAML (separados por "---"); um conjunto de regras deve ser um único documento',
            range,
          ),
        );
      }
    }
    if (tooDeep === undefined) stack.push({ token, depth: 0 });

    // Iterative walk of this top-level token; children are pushed in reverse so that they are
    // visited in source order (only relevant for the order of discovery, diagnostics are sorted).
    while (stack.length > 0 && tooDeep === undefined) {
      const { token: t, depth } = stack.pop()!;
      const children: (CST.Token | null | undefined)[] = [];
      let childDepth = depth;
      switch (t.type) {
        case "document":
          children.push(...t.start, t.value, ...(t.end ?? []));
          break;
        case "doc-end":
          children.push(...(t.end ?? []));
          break;
        case "block-map":
        case "block-seq":
        case "flow-collection": {
          childDepth = depth + 1;
          if (childDepth > MAX_YAML_DEPTH) {
            const start = t.type === "flow-collection" ? t.start.offset : t.offset;
            tooDeep = createError(
              "yaml/too-deep",
              `o arquivo está aninhado demais (mais de ${MAX_YAML_DEPTH} níveis)`,
              clampRange(start, start + 1, text),
            );
            break;
          }
          if (t.type === "flow-collection") {
            fixLoneDashes(t, rows.has(t), text, diagnostics);
            children.push(t.start);
          } else if (t.type === "block-map" && rows.has(t)) {
            dashValues.push(...fixLoneDashValues(t));
          }
          for (const item of t.items) {
            children.push(...item.start);
            if (item.key !== undefined && item.key !== null) {
              const key = item.key;
              if (key.type === "scalar" && key.source === "<<") {
                diagnostics.push(
                  createError(
                    "yaml/unsupported",
                    'a chave de mesclagem "<<" não é suportada: escreva as chaves explicitamente',
                    tokenRange(key, text),
                  ),
                );
              }
              children.push(key);
            }
            if (item.sep) children.push(...item.sep);
            children.push(item.value);
          }
          if (t.type === "flow-collection") children.push(...t.end);
          break;
        }
        case "block-scalar":
          children.push(...t.props);
          break;
        case "alias":
          hasProps = true;
          diagnostics.push(
            createError(
              "yaml/unsupported",
              `referências como "${t.source}" não são suportadas: repita o conteúdo no lugar da referência`,
              tokenRange(t, text),
            ),
          );
          children.push(...(t.end ?? []));
          break;
        case "scalar":
        case "single-quoted-scalar":
        case "double-quoted-scalar":
          children.push(...(t.end ?? []));
          break;
        case "anchor":
          hasProps = true;
          diagnostics.push(
            createError(
              "yaml/unsupported",
              `âncoras como "${t.source}" não são suportadas: repita o conteúdo em vez de reutilizá-lo`,
              tokenRange(t, text),
            ),
          );
          break;
        case "tag":
          hasProps = true;
          diagnostics.push(
            createError(
              "yaml/unsupported",
              `a marcação de tipo "${t.source}" não é suportada: remova-a (para um texto, use aspas)`,
              tokenRange(t, text),
            ),
          );
          break;
        // Leaves with nothing to walk or report. Listed so that a token type added by a yaml
        // upgrade (a new kind of collection would escape the depth bound) fails tsc here.
        case "directive":
        case "error":
        case "byte-order-mark":
        case "doc-mode":
        case "doc-start":
        case "space":
        case "comment":
        case "newline":
        case "directive-line":
        case "seq-item-ind":
        case "explicit-key-ind":
        case "map-value-ind":
        case "flow-map-start":
        case "flow-map-end":
        case "flow-seq-start":
        case "flow-seq-end":
        case "flow-error-end":
        case "comma":
        case "block-scalar-header":
          break;
        default:
          assertNever(t, "CST token");
      }
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child) stack.push({ token: child, depth: childDepth });
      }
    }
  }
  if (dashValues.length > 0 && tooDeep === undefined) reattachLineBreaks(kept, dashValues);
  return { tokens: kept, diagnostics, tooDeep, hasProps };
}
