/**
 * Collections: `from` must be a list; `where`, `key` and `order` are typed with `item` bound to an
 * element, and `order` keys must be orderable. The symbol of a collection is the list of its
 * entries (`collectionEntryType`).
 */
import { T, type Type, typeName } from "../types.js";
import type { CheckContext } from "./context.js";
import { localScope, type SymbolInfo } from "./typing.js";

/** Type of an element of a collection's result. */
export function collectionEntryType(item: Type): Type {
  return T.object({
    item,
    index: T.integer,
    included: T.boolean,
    first: item,
    isFirst: T.boolean,
    rank: T.integer,
    size: T.integer,
  });
}

export function collectionSymbol(ctx: CheckContext, name: string): SymbolInfo {
  const kind = "collection";
  const c = ctx.model.collections.get(name);
  if (!c) return { kind, name, type: T.any };
  const from = ctx.tc.infer(c.from, ctx.scope);
  return { kind, name, type: T.list(collectionEntryType(from.kind === "list" ? from.of : T.any)) };
}

export function checkCollections(ctx: CheckContext): void {
  const { tc } = ctx;
  for (const c of ctx.model.collections.values()) {
    ctx.guarded(c.name, c.nameRange, () => {
      const from = tc.infer(c.from, ctx.scope);
      if (from.kind !== "list" && from.kind !== "any")
        ctx.err("check/type-mismatch", `"from" da coleção deve ser uma lista, mas é ${typeName(from)}`, c.from.range);
      const itemScope = localScope(ctx.scope, { item: from.kind === "list" ? from.of : T.any });
      if (c.where) tc.expect(c.where, itemScope, T.boolean, `"where" da coleção ${c.name}`);
      for (const k of c.key) tc.infer(k, itemScope);
      for (const o of c.order) {
        const t = tc.infer(o, itemScope);
        if (t.kind === "boolean" || t.kind === "list" || t.kind === "object")
          ctx.err("check/type-mismatch", `não é possível ordenar por ${typeName(t)}`, o.range);
      }
    });
  }
}
