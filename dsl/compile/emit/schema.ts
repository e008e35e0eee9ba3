/**
 * Facts and outputs: the JSON Schemas the runtime validates facts (and describes decisions) with,
 * the shapes that convert JSON facts into runtime values, and each output's default.
 */
import { assertNever } from "../../exhaustive.js";
import type { FieldDecl, TypeDecl } from "../../ruleset/model.js";
import type { CompiledRuleSet, Shape } from "../compiled.js";
import type { EmitContext } from "./context.js";

/** The fact schema, the fact shapes and the decision schema of the rule set. */
export function emitFacts(
  ctx: EmitContext,
): Pick<CompiledRuleSet, "factSchema" | "factShapes" | "decisionSchema" | "personalFacts"> {
  const factShapes: Record<string, Shape> = {};
  for (const f of ctx.model.facts.values()) factShapes[f.name] = shapeOf(f.decl);
  return {
    factSchema: objectSchema(ctx.model.facts, true),
    factShapes,
    decisionSchema: objectSchema(ctx.model.outputs, false),
    personalFacts: personalPaths(ctx.model.facts.values(), ""),
  };
}

/** Paths of the fields marked `personal` (a marked object or list is personal as a whole). */
function personalPaths(fields: Iterable<FieldDecl>, prefix: string): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const path = `${prefix}${f.name}`;
    if (f.personal) out.push(path);
    else out.push(...personalInType(f.decl, path));
  }
  return out;
}

function personalInType(decl: TypeDecl, path: string): string[] {
  if (decl.type === "list" && decl.items) return personalInType(decl.items, `${path}.*`);
  if (decl.type === "object") {
    const out = decl.fields ? personalPaths(decl.fields.values(), `${path}.`) : [];
    if (decl.values) out.push(...personalInType(decl.values, `${path}.*`));
    return out;
  }
  return [];
}

/** Each output's default and shape; locates each output's declaration (`o:<output>`). */
export function emitOutputs(ctx: EmitContext): CompiledRuleSet["outputs"] {
  const outputs: Record<string, { default: unknown; shape: Shape }> = {};
  for (const o of ctx.model.outputs.values()) {
    outputs[o.name] = { default: o.default !== undefined ? o.default : defaultFor(o), shape: shapeOf(o.decl) };
    ctx.locate(`o:${o.name}`, o.nameRange, `saída ${o.name}`);
  }
  return outputs;
}

function defaultFor(o: FieldDecl): unknown {
  if (o.decl.type === "list") return [];
  return null;
}

export function shapeOf(decl: TypeDecl): Shape {
  switch (decl.type) {
    case "date":
      return { t: "date" };
    case "date-time":
      return { t: "datetime" };
    case "duration":
      return { t: "duration" };
    case "list":
      return { t: "list", items: decl.items ? shapeOf(decl.items) : { t: "plain" } };
    case "object": {
      const fields: Record<string, Shape> = {};
      if (decl.fields) for (const [k, f] of decl.fields) fields[k] = shapeOf(f.decl);
      return {
        t: "object",
        ...(decl.fields ? { fields } : {}),
        ...(decl.values ? { values: shapeOf(decl.values) } : {}),
      };
    }
    case "string":
    case "number":
    case "integer":
    case "boolean":
    case "any":
      return { t: "plain" };
    default:
      return assertNever(decl.type, "type declaration");
  }
}

/** JSON Schema of a type declaration (no coercion needed: the engine compiles it with coerceTypes false). */
export function schemaOf(decl: TypeDecl, nullable: boolean, description?: string): Record<string, unknown> {
  let s: Record<string, unknown>;
  switch (decl.type) {
    case "string":
      s = { type: "string", ...(decl.enum ? { enum: [...decl.enum] } : {}) };
      break;
    case "number":
    case "integer":
      s = {
        type: decl.type,
        ...(decl.minimum !== undefined ? { minimum: decl.minimum } : {}),
        ...(decl.maximum !== undefined ? { maximum: decl.maximum } : {}),
      };
      break;
    case "boolean":
      s = { type: "boolean" };
      break;
    case "date":
      s = { type: "string", format: "date" };
      break;
    case "date-time":
      s = { type: "string", format: "rules-date-time" };
      break;
    case "duration":
      s = { type: "string", format: "rules-duration" };
      break;
    case "list":
      s = {
        type: "array",
        ...(decl.items ? { items: schemaOf(decl.items, false) } : {}),
        ...(decl.minItems !== undefined ? { minItems: decl.minItems } : {}),
        ...(decl.maxItems !== undefined ? { maxItems: decl.maxItems } : {}),
      };
      break;
    case "object":
      if (decl.fields) s = objectSchema(decl.fields, true);
      else s = { type: "object", ...(decl.values ? { additionalProperties: schemaOf(decl.values, true) } : {}) };
      break;
    case "any":
      s = {};
      break;
    default:
      return assertNever(decl.type, "type declaration");
  }
  if (nullable && typeof s.type === "string") {
    s = { ...s, type: [s.type, "null"] };
    if (Array.isArray(s.enum)) s = { ...s, enum: [...(s.enum as unknown[]), null] };
  }
  // Fact-boundary annotations (engine/facts.ts FACT_SCHEMA_ANNOTATIONS).
  if (decl.normalize !== undefined) s = { ...s, "x-normalize": decl.normalize };
  if (decl.uniqueBy) s = { ...s, "x-uniqueBy": [...decl.uniqueBy] };
  return description ? { ...s, description } : s;
}

/** JSON Schema of an object with these fields (closed; with their defaults when `withDefaults`). */
function objectSchema(fields: ReadonlyMap<string, FieldDecl>, withDefaults: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const f of fields.values()) {
    const s = schemaOf(f.decl, f.nullable, f.description);
    properties[f.name] = withDefaults && f.default !== undefined ? { ...s, default: f.default } : s;
    if (f.required) required.push(f.name);
  }
  return { type: "object", properties, ...(required.length ? { required } : {}), additionalProperties: false };
}
