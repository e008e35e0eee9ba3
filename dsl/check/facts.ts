/**
 * Facts and outputs (the schema) as the checker sees them: the symbol of a fact, the `default` of
 * each fact and output against its declared type and enum, and `requireOutput` for the constructs
 * that write into a named output (validations, transitions). Declarations the runtime's JSON
 * Schema validator would refuse are checked earlier, by the loader (`schema.ts`).
 */
import { didYouMean, type Range } from "../diagnostics.js";
import { assertNever } from "../exhaustive.js";
import { type FieldDecl, typeOfDecl } from "../ruleset/model.js";
import { assignable, type Type, typeName } from "../types.js";
import { isDurationText, parseDate, parseDateTime } from "../values.js";
import type { CheckContext } from "./context.js";
import type { SymbolInfo } from "./typing.js";

export function factSymbol(ctx: CheckContext, name: string): SymbolInfo {
  const f = ctx.model.facts.get(name) as FieldDecl;
  return { kind: "fact", name, type: typeOfDecl(f.decl), range: f.nameRange };
}

/** The `default` of every fact and output fits its declaration. */
export function checkFieldDefaults(ctx: CheckContext): void {
  for (const f of [...ctx.model.facts.values(), ...ctx.model.outputs.values()]) {
    ctx.guarded(f.name, f.nameRange, () => checkDefault(ctx, f));
  }
}

function checkDefault(ctx: CheckContext, f: FieldDecl): void {
  if (f.default === undefined) return;
  const d = f.default;
  const t = f.decl.type;
  const ok = d === null ? f.nullable : defaultFits(f, d);
  if (!ok) {
    const hint = t === "string" && f.decl.enum && typeof d === "string" ? didYouMean(d, f.decl.enum) : "";
    ctx.err(
      f.decl.enum ? "check/not-in-enum" : "check/type-mismatch",
      `o valor padrão de "${f.name}" não é ${f.decl.enum ? "um dos valores aceitos" : `do tipo ${f.decl.type}`}.${hint}`,
      f.range,
    );
  }
}

/** A non-null default against the declared type (objects and `any` accept anything). */
function defaultFits(f: FieldDecl, d: unknown): boolean {
  const t = f.decl.type;
  switch (t) {
    case "string":
      return typeof d === "string" && (!f.decl.enum || f.decl.enum.includes(d));
    case "number":
      return typeof d === "number";
    case "integer":
      return Number.isInteger(d);
    case "boolean":
      return typeof d === "boolean";
    case "list":
      return Array.isArray(d);
    case "date":
      return typeof d === "string" && parseDate(d) !== undefined;
    case "date-time":
      return typeof d === "string" && parseDateTime(d) !== undefined;
    case "duration":
      return typeof d === "string" && isDurationText(d);
    case "object":
    case "any":
      return true;
    default:
      return assertNever(t, "declared type");
  }
}

/** `name` is a declared output whose type accepts `expected` (`what` names the construct that writes it). */
export function requireOutput(ctx: CheckContext, name: string, range: Range, expected: Type, what: string): void {
  const o = ctx.model.outputs.get(name);
  if (!o) {
    ctx.err(
      "check/unknown-output",
      `${what} usa a saída "${name}", que não está declarada em outputs.${didYouMean(name, ctx.model.outputs.keys())}`,
      range,
    );
    return;
  }
  const t = typeOfDecl(o.decl);
  if (!assignable(expected, t))
    ctx.err(
      "check/type-mismatch",
      `a saída "${name}" deve ser ${typeName(expected)} para ${what}, mas está declarada como ${typeName(t)}`,
      range,
    );
}
