/**
 * Hover and go to definition. Both read the name under the cursor the way completion reads the
 * expression being typed (`context.ts`): inside an expression, the token under the cursor and what
 * it refers to (a fact, a field, an output, a constant, a value, a table or its column, a template,
 * a collection, a function, a local); outside, the declarations' own names (the keys under
 * `facts:`, `outputs:`, ...). Definitions need the current draft's positions: while the YAML cannot
 * be read (the lenient path), hover still answers from the last good analysis but definition does
 * not.
 */
import type { Range } from "../../dsl/diagnostics.js";
import type { Type } from "../../dsl/types.js";
import { type Analysis, type Knowledge, knowledge } from "./analysis.js";
import { envFor, lex, resolveName, resolvePath, segmentAt, type Target, targetAt, tokenIndexAt } from "./context.js";
import { describe } from "./describe.js";

export interface Hover {
  /** Markdown, Brazilian Portuguese. */
  readonly markdown: string;
  /** The name the hover is about. */
  readonly range: Range;
}

/** The name at `offset` and what it refers to. */
function targetAtOffset(a: Analysis, offset: number): { target: Target; range: Range; k: Knowledge } | undefined {
  const segment = segmentAt(a, offset);
  if (segment) {
    const tokens = lex(segment.text);
    const index = tokenIndexAt(tokens, segment.cursor);
    const env = envFor(a, segment, tokens);
    const tok = tokens[index];
    const range = tok && { start: segment.at(tok.start), end: segment.at(tok.end - 1) + 1 };
    if (env && tok && range && range.start <= offset && offset <= range.end) {
      const target = targetAt(env, segment, tokens, index);
      if (target) return { target, range, k: env.k };
    }
    return undefined;
  }
  return declarationAt(a, offset);
}

const within = (r: Range, offset: number): boolean => r.start <= offset && offset <= r.end;

/** A declaration whose name is at `offset` (current draft only). */
function declarationAt(a: Analysis, offset: number): { target: Target; range: Range; k: Knowledge } | undefined {
  const k = knowledge(a);
  if (!k?.current) return undefined;
  const env = { k, locals: new Map() };
  const { model } = k;
  const named = [
    ...model.facts.values(),
    ...model.constants.values(),
    ...model.values.values(),
    ...model.templates.values(),
    ...model.tables,
    ...model.collections.values(),
  ];
  for (const d of named)
    if (within(d.nameRange, offset)) {
      const target = resolveName(env, d.name);
      if (target) return { target, range: d.nameRange, k };
    }
  for (const o of model.outputs.values())
    if (within(o.nameRange, offset)) {
      const target = resolvePath(env, ["decision", o.name])[1];
      if (target) return { target, range: o.nameRange, k };
    }
  for (const t of model.tables)
    for (const [i, c] of [...t.inputs, ...t.outputs].entries())
      if (within(c.nameRange, offset))
        return {
          target: {
            kind: "column",
            name: c.name,
            table: t,
            column: c,
            input: i < t.inputs.length,
            type: columnType(k, t.name, c.name),
          },
          range: c.nameRange,
          k,
        };
  return undefined;
}

function columnType(k: Knowledge, table: string, column: string): Type {
  const row = k.check.scope.lookup(table)?.rowType;
  const t = row?.kind === "object" ? row.fields?.[column] : undefined;
  return t ?? { kind: "any" };
}

/** What the name at `offset` is (Markdown in Portuguese), or undefined. */
export function hover(a: Analysis, offset: number): Hover | undefined {
  const found = targetAtOffset(a, offset);
  if (!found) return undefined;
  return { markdown: describe(found.target, found.k), range: found.range };
}

/** Where the name at `offset` is declared, or undefined (functions, unknown names, unreadable drafts). */
export function definition(a: Analysis, offset: number): Range | undefined {
  const found = targetAtOffset(a, offset);
  if (!found?.k.current) return undefined;
  const t = found.target;
  switch (t.kind) {
    case "fact":
    case "output":
    case "constant":
    case "value":
    case "template":
    case "table":
    case "collection":
      return t.decl.nameRange;
    case "field":
      return t.decl?.nameRange;
    case "column":
      return t.column.nameRange;
    case "local":
      return t.local.range;
    case "function":
    case "rows":
    case "decision":
      return undefined;
    default: {
      const never: never = t;
      return never;
    }
  }
}
