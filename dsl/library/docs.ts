/** Generation of the function reference (docs/functions.md) from the catalog: never typed twice. */
import { typeName } from "../types.js";
import { FUNCTIONS } from "./catalog.js";
import type { ParamType } from "./spec.js";

function paramType(t: ParamType): string {
  return "oneOf" in t ? t.oneOf.map(typeName).join(" ou ") : typeName(t);
}

export function generateFunctionDocs(): string {
  const lines = [
    "<!-- Generated from dsl/library/catalog.ts by `npm run generate`. Do not edit. -->",
    "# Funções da linguagem de regras",
    "",
    "Cada função devolve nulo quando um argumento é nulo ou fora do domínio (nunca interrompe uma decisão).",
    "",
  ];
  for (const f of [...FUNCTIONS].sort((a, b) => a.name.localeCompare(b.name))) {
    const params = f.params
      .map(
        (p) =>
          `${p.name}${p.optional ? "?" : ""}: ${paramType(p.type)}${f.variadic && p === f.params[f.params.length - 1] ? "..." : ""}`,
      )
      .join(", ");
    const returns = typeof f.returns === "function" ? "depende dos argumentos" : typeName(f.returns);
    lines.push(
      `## ${f.name}(${params}) → ${returns}`,
      "",
      f.doc,
      "",
      `Exemplo: \`${f.example.call}\` → ${f.example.result}`,
      "",
    );
  }
  return lines.join("\n");
}
