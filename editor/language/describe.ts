/**
 * Texts shown to the analyst (Brazilian Portuguese, Markdown) for what a name refers to: the
 * hover of a fact (type, DMN label, description, allowed values), a constant (its value), a value,
 * a table (policy and aggregate, labels, output values by priority, onNoMatch), a column (its
 * label), an output, a template, a collection and a function (signature, documentation and example
 * from the catalog); and the one-line details of completion items.
 */
import { FUNCTIONS } from "../../dsl/library/catalog.js";
import type { FunctionSpec, ParamType } from "../../dsl/library/spec.js";
import { type FieldDecl, type TableDecl, type TypeDecl, typeOfDecl } from "../../dsl/ruleset/model.js";
import { type Type, typeName } from "../../dsl/types.js";
import type { Knowledge } from "./analysis.js";
import type { Target } from "./context.js";

function paramType(t: ParamType): string {
  return "oneOf" in t ? t.oneOf.map(typeName).join(" ou ") : typeName(t);
}

/** `addBusinessDays(data, dias, feriados?)`: the call as the analyst writes it. */
export function callSignature(spec: FunctionSpec): string {
  const params = spec.params.map(
    (p, i) => `${p.name}${p.optional ? "?" : ""}${spec.variadic && i === spec.params.length - 1 ? "..." : ""}`,
  );
  return `${spec.name}(${params.join(", ")})`;
}

/** The typed signature: `addBusinessDays(data: data ou data-hora, dias: inteiro, feriados?: lista de data) → data`. */
export function typedSignature(spec: FunctionSpec): string {
  const params = spec.params
    .map(
      (p, i) =>
        `${p.name}${p.optional ? "?" : ""}: ${paramType(p.type)}${spec.variadic && i === spec.params.length - 1 ? "..." : ""}`,
    )
    .join(", ");
  const returns = typeof spec.returns === "function" ? "depende dos argumentos" : typeName(spec.returns);
  return `${spec.name}(${params}) → ${returns}`;
}

/** Documentation of a catalog function: its doc and example. */
export function functionDoc(spec: FunctionSpec): string {
  return `${spec.doc}\n\nExemplo: \`${spec.example.call}\` → ${spec.example.result}`;
}

/** The catalog's functions, by name. */
export const FUNCTION_LIST: readonly FunctionSpec[] = [...FUNCTIONS].sort((a, b) => a.name.localeCompare(b.name));

/** A type as the analyst reads it, with the allowed values of a text with an enum. */
export function typeLabel(t: Type | undefined): string {
  return t ? typeName(t) : "qualquer";
}

function declTypeLabel(d: TypeDecl): string {
  return typeName(typeOfDecl(d));
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function enumLine(values: readonly string[] | undefined): string[] {
  return values?.length ? [`Valores permitidos: ${values.map(code).join(", ")}`] : [];
}

/** The line naming a label kept from a DMN file (`Rótulo DMN: "Applicant Age"`). */
function labelLine(label: string | undefined): string[] {
  return label ? [`Rótulo DMN: "${label}"`] : [];
}

/** A table's policy as written: `collect (sum)` when it aggregates. */
function policyText(d: TableDecl): string {
  return d.aggregate ? `${d.hitPolicy} (${d.aggregate})` : d.hitPolicy;
}

/** `nome ("rótulo")` for a column with a label. */
function columnText(d: TableDecl, name: string): string {
  const label = d.labels?.get(name);
  return label ? `${code(name)} ("${label}")` : code(name);
}

function fieldLines(d: FieldDecl, what: "fato" | "saída" | "campo"): string[] {
  const flags: string[] = [];
  if (d.required) flags.push("obrigatório");
  if (d.nullable) flags.push("aceita nulo");
  if (d.default !== undefined) flags.push(`padrão ${code(JSON.stringify(d.default))}`);
  const fields = d.decl.fields ? [...d.decl.fields.keys()] : [];
  return [
    `**${d.name}** — ${what} (${declTypeLabel(d.decl)}${flags.length ? `, ${flags.join(", ")}` : ""})`,
    ...labelLine(d.label),
    ...(d.description ? [d.description] : []),
    ...enumLine(d.decl.enum ?? d.decl.items?.enum),
    ...(fields.length ? [`Campos: ${fields.map(code).join(", ")}`] : []),
  ];
}

/** The value of a constant as written: `= 2h` for a formula, JSON otherwise. */
export function constantText(value: unknown): string {
  if (typeof value === "string" && /^\s*=/.test(value)) return value.trim();
  return JSON.stringify(value) ?? "nulo";
}

/** Markdown describing what a name refers to. */
export function describe(t: Target, k: Knowledge): string {
  const lines = ((): string[] => {
    switch (t.kind) {
      case "fact":
        return fieldLines(t.decl, "fato");
      case "output":
        return fieldLines(t.decl, "saída");
      case "field":
        return t.decl
          ? fieldLines(t.decl, t.role === "output" ? "saída" : "campo")
          : [`**${t.path.join(".")}** — campo (${typeLabel(t.type)})`, ...enumLine(enumOf(t.type))];
      case "constant":
        return [
          `**${t.name}** — constante (${typeLabel(t.type)})`,
          `Valor: ${code(constantText(t.decl.value))}`,
          ...(t.decl.description ? [t.decl.description] : []),
        ];
      case "value": {
        const expr = k.source.slice(t.decl.expr.range.start, t.decl.expr.range.end);
        return [
          `**${t.name}** — valor calculado (${typeLabel(t.type)})`,
          ...(expr && k.current ? [`\`\`\`\n${expr}\n\`\`\``] : []),
          ...(t.decl.description ? [t.decl.description] : []),
          ...enumLine(enumOf(t.type)),
        ];
      }
      case "template":
        return [
          `**${t.name}${t.decl.params.length ? `(${t.decl.params.map((p) => p.name).join(", ")})` : ""}** — modelo de texto`,
          ...(t.decl.description ? [t.decl.description] : []),
        ];
      case "table": {
        const d = t.decl;
        const ranked = d.outputValues
          ? [...d.outputValues].map(([c, v]) => `${code(c)}: ${v.values.map((x) => code(String(x))).join(" > ")}`)
          : [];
        return [
          `**${t.name}** — tabela de decisão (${policyText(d)}, ${d.rows.length} ${d.rows.length === 1 ? "linha" : "linhas"})`,
          ...labelLine(d.label),
          ...(d.description ? [d.description] : []),
          `Entradas: ${d.inputs.map((c) => columnText(d, c.name)).join(", ") || "nenhuma"}`,
          `Saídas: ${d.outputs.map((c) => columnText(d, c.name)).join(", ") || "nenhuma"}`,
          ...(ranked.length ? [`Valores de saída (prioridade): ${ranked.join("; ")}`] : []),
          ...(d.onNoMatch === null
            ? ["Sem linha que case: nulo, de propósito (onNoMatch: null)"]
            : d.onNoMatch
              ? ["Sem linha que case: as saídas de onNoMatch"]
              : []),
        ];
      }
      case "column":
        return [
          `**${t.name}** — coluna de ${t.input ? "entrada" : "saída"} da tabela ${code(t.table.name)} (${typeLabel(t.type)})`,
          ...labelLine(t.table.labels?.get(t.name)),
          ...enumLine(enumOf(t.type)),
          ...(!t.input && t.table.outputValues?.get(t.name)
            ? [
                `Valores de saída (prioridade): ${(t.table.outputValues.get(t.name)?.values ?? []).map((x) => code(String(x))).join(" > ")}`,
              ]
            : []),
        ];
      case "collection":
        return [`**${t.name}** — coleção (${typeLabel(t.type)})`, ...(t.decl.description ? [t.decl.description] : [])];
      case "function":
        return [`\`\`\`\n${typedSignature(t.spec)}\n\`\`\``, functionDoc(t.spec)];
      case "rows":
        return [
          "```\nrows(tabela) → lista de objeto\n```",
          "As linhas de uma tabela de decisão como dados: cada linha é um objeto com as colunas de entrada e de saída.",
        ];
      case "local":
        return [`**${t.name}** — ${t.local.what} (${typeLabel(t.local.type)})`];
      case "decision":
        return [
          "**decision** — a decisão em construção (as saídas já atribuídas)",
          `Saídas: ${[...k.model.outputs.keys()].map(code).join(", ")}`,
        ];
      default: {
        const never: never = t;
        return never;
      }
    }
  })();
  return lines.join("\n\n");
}

/** One line for a completion item's detail. */
export function detail(t: Target): string {
  switch (t.kind) {
    case "fact":
      return `fato: ${declTypeLabel(t.decl.decl)}`;
    case "output":
      return `saída: ${declTypeLabel(t.decl.decl)}`;
    case "field":
      return `${t.role === "output" ? "saída" : "campo"}: ${typeLabel(t.type)}`;
    case "constant":
      return `constante = ${constantText(t.decl.value)}`;
    case "value":
      return `valor: ${typeLabel(t.type)}`;
    case "template":
      return t.decl.params.length
        ? `modelo de texto (${t.decl.params.map((p) => p.name).join(", ")})`
        : "modelo de texto";
    case "table":
      return `tabela (${policyText(t.decl)})`;
    case "column":
      return `coluna de ${t.input ? "entrada" : "saída"}: ${typeLabel(t.type)}`;
    case "collection":
      return `coleção: ${typeLabel(t.type)}`;
    case "function":
      return callSignature(t.spec);
    case "rows":
      return "rows(tabela)";
    case "local":
      return `${t.local.what}: ${typeLabel(t.local.type)}`;
    case "decision":
      return "a decisão (saídas)";
    default: {
      const never: never = t;
      return never;
    }
  }
}

/** Documentation for a completion item (what a hover would show, without the title for functions). */
export function documentation(t: Target, k: Knowledge): string | undefined {
  if (t.kind === "function") return functionDoc(t.spec);
  const text = describe(t, k);
  return text || undefined;
}

/** Enum values of a text type (or of a list of texts). */
export function enumOf(t: Type | undefined): readonly string[] | undefined {
  if (!t) return undefined;
  if (t.kind === "string") return t.enum;
  if (t.kind === "list" && t.of.kind === "string") return t.of.enum;
  return undefined;
}
