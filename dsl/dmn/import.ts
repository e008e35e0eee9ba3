/**
 * DMN → rule sets: each decision of a DMN file (1.1–1.5) whose logic is a decision table becomes
 * a rule set in our language: facts from the inputs it reads (typed; allowed values become
 * enums), the table (hit policy, aggregation, cells translated by feel.ts, default outputs), one
 * output and one rule copying the table's result into it. Everything else (literal expressions,
 * contexts, invocations, decisions requiring other decisions, business knowledge models, cells
 * outside the FEEL subset) is reported as a diagnostic naming the element, never dropped in
 * silence; a decision with such a part is not imported, the rest of the file still is.
 *
 * The file is untrusted: it is read only through xml.ts (no DOCTYPE, no entities, bounded size,
 * depth and element count). The YAML text is built with the yaml library, formatted by our
 * formatter and checked by the compile pipeline before it is returned. See docs/dmn.md.
 */
import { Document, isPair, isSeq, visit } from "yaml";
import { compileSource, MAX_SOURCE_LENGTH } from "../compile/pipeline.js";
import { formatRuleSet } from "../format/format.js";
import type { Aggregation, HitPolicy } from "../ruleset/model.js";
import { isSingleHit } from "../ruleset/model.js";
import { type Cell, type FeelValue, feelToCell, outputCell, parseLiteral, parseValueList } from "./feel.js";
import {
  AGGREGATION_FROM_DMN,
  type DmnField,
  type DmnType,
  dmnVersionOf,
  EXTENSION_NS,
  FEEL_TYPES,
  HIT_POLICY_FROM_DMN,
  type ScalarKind,
} from "./model.js";
import { distinctRuleSetName, NameAllocator, ruleSetNameFor } from "./names.js";
import type { DmnDiagnostic, DmnImportOptions, DmnImportResult, ImportedRuleSet } from "./types.js";
import { childNamed, childrenNamed, parseXml, XmlError, type XmlElement } from "./xml.js";

/** Logic a decision can hold instead of a decision table, as the analyst knows them. */
const EXPRESSION_KINDS: Readonly<Record<string, string>> = {
  literalExpression: "uma expressão literal",
  context: "um contexto (boxed context)",
  invocation: "uma invocação",
  relation: "uma relação",
  list: "uma lista",
  functionDefinition: "uma definição de função",
  conditional: "uma condicional",
  filter: "um filtro",
  iterator: "uma iteração",
  for: "uma iteração (for)",
  every: "um teste every",
  some: "um teste some",
};

class DecisionRefused extends Error {}

/** Text of a `<text>` child (or of the element itself), trimmed. */
function textOf(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  const t = childNamed(el, "text");
  return (t ? t.text : el.text).trim();
}

function descriptionOf(el: XmlElement): string | undefined {
  const d = childNamed(el, "description");
  const text = d?.text.trim();
  return text ? text : undefined;
}

/** Our extension elements (`<extensionElements><rules:x .../></extensionElements>`) of an element. */
function extensions(el: XmlElement, local: string): XmlElement[] {
  const ext = childNamed(el, "extensionElements");
  return ext ? ext.children.filter((c) => c.uri === EXTENSION_NS && c.local === local) : [];
}

function extensionName(el: XmlElement, local: string): string | undefined {
  return extensions(el, local)[0]?.attrs.name;
}

function stripPrefix(typeRef: string): string {
  return typeRef.replace(/^(?:feel|FEEL|[A-Za-z][\w.-]*):(?=\S)/, "").trim();
}

interface FactInfo {
  readonly id: string;
  readonly dmnName: string;
  /** The identifier came from our own extension element. */
  readonly kept?: boolean;
  type: DmnType;
  readonly description?: string;
}

interface Context {
  readonly file: string;
  readonly version: string;
  readonly itemDefinitions: ReadonlyMap<string, XmlElement>;
  readonly inputData: ReadonlyMap<string, XmlElement>;
  readonly byId: ReadonlyMap<string, XmlElement>;
  readonly decisionNames: ReadonlySet<string>;
}

/** Imports the decision tables of a DMN file. Never throws for a bad file. */
export function importDmn(input: string | Uint8Array, options: DmnImportOptions = {}): DmnImportResult {
  const file = options.fileName ?? "arquivo DMN";
  let root: XmlElement;
  try {
    root = parseXml(input);
  } catch (e) {
    const err = e instanceof XmlError ? e : new XmlError(String(e));
    return {
      ruleSets: [],
      diagnostics: [
        {
          severity: "error",
          message: `o arquivo não pôde ser lido: ${err.message.replace(/^linha \d+, coluna \d+: /, "")}`,
          element: file,
          ...(err.line !== undefined ? { line: err.line, column: err.column ?? 1 } : {}),
        },
      ],
    };
  }
  const version = dmnVersionOf(root.uri);
  if (root.local !== "definitions" || version === undefined) {
    return {
      ruleSets: [],
      diagnostics: [
        {
          severity: "error",
          message: `não é um modelo DMN: a raiz é <${root.local}>${root.uri ? ` (${root.uri})` : ""}, e um arquivo DMN 1.1 a 1.5 começa com <definitions> no espaço de nomes do DMN`,
          element: file,
          line: root.line,
          column: root.column,
        },
      ],
    };
  }

  const itemDefinitions = new Map<string, XmlElement>();
  const inputData = new Map<string, XmlElement>();
  const byId = new Map<string, XmlElement>();
  const decisions: XmlElement[] = [];
  const diagnostics: DmnDiagnostic[] = [];
  for (const child of root.children) {
    if (child.attrs.id) byId.set(child.attrs.id, child);
    const name = child.attrs.name ?? "";
    switch (child.local) {
      case "itemDefinition":
        itemDefinitions.set(name, child);
        break;
      case "inputData":
        inputData.set(name, child);
        break;
      case "decision":
        decisions.push(child);
        break;
      case "businessKnowledgeModel":
        diagnostics.push({
          severity: "warning",
          message: `o modelo de conhecimento de negócio "${name}" não é importado: só decisões com tabela de decisão viram conjuntos de regras`,
          element: `modelo de conhecimento "${name}"`,
          line: child.line,
          column: child.column,
        });
        break;
      case "decisionService":
        diagnostics.push({
          severity: "warning",
          message: `o serviço de decisão "${name}" não é importado (cada decisão com tabela é importada por si)`,
          element: `serviço de decisão "${name}"`,
          line: child.line,
          column: child.column,
        });
        break;
      default:
        break;
    }
  }
  const ctx: Context = {
    file,
    version,
    itemDefinitions,
    inputData,
    byId,
    decisionNames: new Set(decisions.map((d) => d.attrs.name ?? "")),
  };
  const ruleSets: ImportedRuleSet[] = [];
  const takenNames = new Set<string>();
  for (const decision of decisions) {
    const local: DmnDiagnostic[] = [];
    try {
      const imported = importDecision(decision, ctx, local, takenNames);
      if (imported) ruleSets.push(imported);
    } catch (e) {
      // A defect of ours, not of the file: reported on the decision, the rest still imports.
      local.push({
        severity: "error",
        message: `erro interno ao importar a decisão: ${e instanceof Error ? e.message : String(e)}`,
        element: `decisão "${decision.attrs.name ?? ""}"`,
        line: decision.line,
        column: decision.column,
      });
    }
    diagnostics.push(...local);
  }
  if (decisions.length === 0)
    diagnostics.push({
      severity: "warning",
      message: "o arquivo não tem nenhuma decisão",
      element: file,
      line: root.line,
      column: root.column,
    });
  return { ruleSets, diagnostics, dmnVersion: version };
}

function importDecision(
  decision: XmlElement,
  ctx: Context,
  diagnostics: DmnDiagnostic[],
  takenNames: Set<string>,
): ImportedRuleSet | undefined {
  const dmnName = decision.attrs.name ?? decision.attrs.id ?? "";
  const where = `decisão "${dmnName}"`;
  const error = (message: string, element: string, at: XmlElement): void => {
    diagnostics.push({ severity: "error", message, element, line: at.line, column: at.column });
  };
  const warn = (message: string, element: string, at: XmlElement): void => {
    diagnostics.push({ severity: "warning", message, element, line: at.line, column: at.column });
  };
  const refuse = (message: string, element: string, at: XmlElement): never => {
    error(message, element, at);
    throw new DecisionRefused(message);
  };

  try {
    // What the decision requires: only input data.
    for (const req of childrenNamed(decision, "informationRequirement")) {
      const rd = childNamed(req, "requiredDecision");
      if (rd) {
        const target = ctx.byId.get((rd.attrs.href ?? "").replace(/^.*#/, ""));
        error(
          `a decisão "${dmnName}" depende da decisão "${target?.attrs.name ?? rd.attrs.href ?? "?"}" (uma cadeia de decisões): só decisões que leem apenas dados de entrada são importadas`,
          where,
          rd,
        );
      }
    }
    for (const req of childrenNamed(decision, "knowledgeRequirement")) {
      const rk = childNamed(req, "requiredKnowledge");
      const target = ctx.byId.get((rk?.attrs.href ?? "").replace(/^.*#/, ""));
      error(
        `a decisão "${dmnName}" invoca o modelo de conhecimento "${target?.attrs.name ?? rk?.attrs.href ?? "?"}": invocações não são importadas`,
        where,
        rk ?? req,
      );
    }
    const table = childNamed(decision, "decisionTable");
    if (!table) {
      const other = decision.children.find((c) => c.local in EXPRESSION_KINDS);
      error(
        other
          ? `a decisão "${dmnName}" é ${EXPRESSION_KINDS[other.local]}, não uma tabela de decisão: só tabelas de decisão são importadas`
          : `a decisão "${dmnName}" não tem lógica (nenhuma tabela de decisão)`,
        where,
        other ?? decision,
      );
      return undefined;
    }
    if (diagnostics.some((d) => d.severity === "error")) return undefined;
    const tableWhere = `${where} › tabela`;

    // Hit policy and aggregation.
    const hitText = (table.attrs.hitPolicy ?? "UNIQUE").trim();
    const hitPolicy: HitPolicy | undefined = HIT_POLICY_FROM_DMN[hitText];
    if (!hitPolicy) refuse(`política de acerto desconhecida "${hitText}"`, tableWhere, table);
    let aggregate: Aggregation | undefined;
    if (table.attrs.aggregation !== undefined) {
      aggregate = AGGREGATION_FROM_DMN[table.attrs.aggregation.trim()];
      if (!aggregate) refuse(`agregação desconhecida "${table.attrs.aggregation}"`, tableWhere, table);
      if (hitPolicy !== "collect")
        refuse(`a agregação ${table.attrs.aggregation} só vale com a política COLLECT`, tableWhere, table);
    }
    const policy = hitPolicy as HitPolicy;

    // Names: facts and the table share a namespace.
    const names = new NameAllocator();
    const facts = new Map<string, FactInfo>();
    const factOrder: FactInfo[] = [];

    const inputs = childrenNamed(table, "input");
    const outputs = childrenNamed(table, "output");
    if (outputs.length === 0) refuse("a tabela não tem saídas", tableWhere, table);

    // Inputs → columns.
    interface InputColumn {
      readonly expr: string;
      readonly name: string;
      readonly label?: string;
      readonly display: string;
    }
    const columns: InputColumn[] = [];
    const columnNames = new Set<string>();
    inputs.forEach((input, i) => {
      const ie = childNamed(input, "inputExpression");
      const text = textOf(ie) ?? "";
      const display = input.attrs.label?.trim() || text || `entrada ${i + 1}`;
      const colWhere = `${tableWhere} › entrada ${i + 1} (${display})`;
      if (!ie) refuse("a entrada não tem expressão de entrada (inputExpression)", colWhere, input);
      const resolved = resolveInput(text, ie as XmlElement, ctx, names, facts, factOrder, colWhere, diagnostics);
      if (!resolved) throw new DecisionRefused("entrada");
      const values = textOf(childNamed(input, "inputValues"));
      if (values) {
        const list = parseValueList(values);
        if (list.ok && list.value.every((v) => v.kind === "string") && list.value.length > 0) {
          resolved.setEnum(list.value.map((v) => (v as { value: string }).value));
        } else
          warn(
            `os valores de entrada (inputValues) ${JSON.stringify(values)} não viram enum: só listas de textos são traduzidas`,
            colWhere,
            childNamed(input, "inputValues") as XmlElement,
          );
      }
      if (columnNames.has(resolved.column))
        refuse(
          `duas entradas da tabela leem "${resolved.column}": cada coluna de entrada precisa de um nome próprio`,
          colWhere,
          input,
        );
      columnNames.add(resolved.column);
      // The input's own label, else the DMN name of what it reads when that name was changed.
      const label = input.attrs.label?.trim() || resolved.dmnName;
      columns.push({
        expr: resolved.expr,
        name: resolved.column,
        ...(label && label !== resolved.column ? { label } : {}),
        display,
      });
    });

    // The other input data the decision requires (read by our `when`, or by nothing): facts too.
    for (const req of childrenNamed(decision, "informationRequirement")) {
      const ri = childNamed(req, "requiredInput");
      const data = ctx.byId.get((ri?.attrs.href ?? "").replace(/^.*#/, ""));
      const name = data?.local === "inputData" ? data.attrs.name : undefined;
      if (name === undefined || facts.has(name)) continue;
      const type =
        resolveTypeRef(
          childNamed(data as XmlElement, "variable")?.attrs.typeRef,
          ctx,
          `${where} › ${name}`,
          data as XmlElement,
          diagnostics,
        ) ?? ({ kind: "any" } as DmnType);
      const description = descriptionOf(data as XmlElement);
      const fact: FactInfo = {
        id: names.allocate(name, extensionName(data as XmlElement, "fact")),
        dmnName: name,
        type,
        ...(description ? { description } : {}),
      };
      facts.set(name, fact);
      factOrder.push(fact);
    }

    const tableName = names.allocate(dmnName, extensionName(decision, "table"));

    // Outputs → columns.
    const varType = resolveTypeRef(
      childNamed(decision, "variable")?.attrs.typeRef ?? table.attrs.typeRef,
      ctx,
      `${where} › variável`,
      decision,
      diagnostics,
    );
    const baseVar = varType?.kind === "list" ? varType.items : varType;
    const outNames = new NameAllocator(columnNames);
    const rules = childrenNamed(table, "rule");
    interface OutputColumn {
      readonly name: string;
      readonly label?: string;
      readonly type: DmnType;
      readonly values?: readonly FeelValue[];
      readonly defaultCell?: Cell;
      readonly display: string;
    }
    const outCols: OutputColumn[] = [];
    outputs.forEach((output, k) => {
      const outName = output.attrs.name?.trim();
      const display = outName || dmnName;
      const colWhere = `${tableWhere} › saída ${k + 1} (${display})`;
      // A single unnamed output is the decision's own value: its column takes the decision's
      // identifier, except under a list policy, where the decision's output is the list and a
      // column of the same name would have to hold lists (the checker matches the two): "valor".
      const name =
        outName === undefined || outName === ""
          ? isSingleHit(policy) || aggregate
            ? outNames.allocate(dmnName, extensionName(output, "column") ?? tableName)
            : outNames.allocate("valor", extensionName(output, "column"))
          : outNames.allocate(outName, extensionName(output, "column"));
      const component =
        baseVar?.kind === "object"
          ? baseVar.fields.find((f) => f.dmnName === outName || (outputs.length === 1 && !outName))
          : undefined;
      const clauseType = resolveTypeRef(output.attrs.typeRef, ctx, colWhere, output, diagnostics);
      const fromVar = component?.type ?? (outputs.length === 1 && baseVar?.kind !== "object" ? baseVar : undefined);
      let type: DmnType | undefined = clauseType ?? fromVar;
      if (type && (type.kind === "object" || type.kind === "list")) type = undefined;
      const valuesEl = childNamed(output, "outputValues");
      let values: FeelValue[] | undefined;
      if (valuesEl) {
        const list = parseValueList(textOf(valuesEl) ?? "");
        if (list.ok && list.value.every((v) => v.kind === "string" || v.kind === "number" || v.kind === "boolean"))
          values = list.value;
        else
          refuse(
            `os valores de saída (outputValues) ${JSON.stringify(textOf(valuesEl))} não são uma lista de textos, números ou booleanos`,
            colWhere,
            valuesEl,
          );
      }
      const cellKinds = new Set<string>();
      for (const rule of rules) {
        const entry = childrenNamed(rule, "outputEntry")[k];
        const parsed = entry ? parseLiteral(textOf(entry) ?? "") : undefined;
        if (parsed?.ok && parsed.value.kind !== "null") cellKinds.add(parsed.value.kind);
      }
      if (!type) {
        const only = cellKinds.size === 1 ? [...cellKinds][0] : undefined;
        const inferred: ScalarKind =
          only === "string" || only === "number" || only === "boolean" || only === "date" || only === "duration"
            ? only
            : only === "datetime"
              ? "date-time"
              : cellKinds.size === 0
                ? "string"
                : "any";
        type = { kind: inferred };
      }
      const enumValues = values?.every((v) => v.kind === "string")
        ? (values as FeelValue[]).map((v) => (v as { value: string }).value)
        : ((clauseType as { enum?: readonly string[] } | undefined)?.enum ??
          (fromVar as { enum?: readonly string[] } | undefined)?.enum);
      const scalar = type.kind as ScalarKind;
      type = { kind: scalar, ...(scalar === "string" && enumValues ? { enum: enumValues } : {}) };
      let defaultCell: Cell | undefined;
      const def = childNamed(output, "defaultOutputEntry");
      if (def) {
        const parsed = parseLiteral(textOf(def) ?? "");
        if (!parsed.ok) refuse(parsed.message, `${colWhere} › saída padrão`, def);
        else defaultCell = outputCell(parsed.value);
      }
      outCols.push({
        name,
        ...(outName && outName !== name ? { label: outName } : {}),
        type,
        ...(values ? { values } : {}),
        ...(defaultCell !== undefined ? { defaultCell } : {}),
        display,
      });
    });
    if (diagnostics.some((d) => d.severity === "error")) return undefined;

    // Rows.
    const allCols = [...columns.map((c) => c.name), ...outCols.map((c) => c.name)];
    const rows: unknown[] = [];
    let failed = false;
    rules.forEach((rule, r) => {
      const ruleWhere = `${tableWhere} › regra ${r + 1}`;
      const ins = childrenNamed(rule, "inputEntry");
      const outs = childrenNamed(rule, "outputEntry");
      if (ins.length !== columns.length || outs.length !== outCols.length) {
        error(
          `a regra tem ${ins.length} entradas e ${outs.length} saídas, mas a tabela tem ${columns.length} entradas e ${outCols.length} saídas`,
          ruleWhere,
          rule,
        );
        failed = true;
        return;
      }
      const cells: Cell[] = [];
      ins.forEach((entry, i) => {
        const cell = feelToCell(textOf(entry) ?? "");
        if (!cell.ok) {
          error(cell.message, `${ruleWhere} › entrada ${i + 1} (${columns[i]?.display})`, entry);
          failed = true;
        } else cells.push(cell.value);
      });
      outs.forEach((entry, k) => {
        const v = parseLiteral(textOf(entry) ?? "");
        if (!v.ok) {
          error(v.message, `${ruleWhere} › saída ${k + 1} (${outCols[k]?.display})`, entry);
          failed = true;
        } else cells.push(outputCell(v.value));
      });
      if (failed) return;
      const annotations = childrenNamed(rule, "annotationEntry")
        .map((a) => textOf(a) ?? "")
        .filter((t) => t !== "");
      const description = descriptionOf(rule) ?? (annotations.length ? annotations.join("; ") : undefined);
      if (description === undefined) rows.push(cells);
      else {
        const map: Record<string, unknown> = {};
        allCols.forEach((c, i) => {
          map[c] = cells[i];
        });
        map.description = description;
        rows.push(map);
      }
    });
    if (failed) return undefined;

    // Our extensions: impossible combinations and `when`.
    const impossible: unknown[] = [];
    extensions(decision, "impossible").forEach((imp, n) => {
      const entries = imp.children.filter((c) => c.uri === EXTENSION_NS && c.local === "inputEntry");
      if (entries.length !== columns.length) {
        error(
          `a combinação impossível ${n + 1} tem ${entries.length} células, mas a tabela tem ${columns.length} entradas`,
          `${tableWhere} › impossível ${n + 1}`,
          imp,
        );
        failed = true;
        return;
      }
      const cells: Cell[] = [];
      for (const [i, entry] of entries.entries()) {
        const cell = feelToCell(entry.text);
        if (!cell.ok) {
          error(cell.message, `${tableWhere} › impossível ${n + 1} › entrada ${i + 1}`, entry);
          failed = true;
          return;
        }
        cells.push(cell.value);
      }
      const description = imp.attrs.description;
      if (description === undefined) impossible.push(cells);
      else {
        const map: Record<string, unknown> = {};
        columns.forEach((c, i) => {
          map[c.name] = cells[i];
        });
        map.description = description;
        impossible.push(map);
      }
    });
    if (failed) return undefined;
    const when = extensions(decision, "when")[0]?.text.trim();

    // The decision's output and the rule that fills it.
    const single = outCols.length === 1;
    const colDecl = (c: OutputColumn): DmnType =>
      aggregate ? { kind: aggregate === "count" ? "integer" : "number" } : c.type;
    const record: DmnType = single
      ? colDecl(outCols[0] as OutputColumn)
      : { kind: "object", fields: outCols.map((c) => ({ id: c.name, dmnName: c.label ?? c.name, type: colDecl(c) })) };
    const outType: DmnType = isSingleHit(policy) || aggregate ? record : { kind: "list", items: record };
    const outputName = new NameAllocator().allocate(dmnName, extensionName(decision, "output"));
    const outputDecl: Record<string, unknown> = {
      ...typeDecl(outType),
      ...(outputName !== dmnName ? { label: dmnName } : {}),
      nullable: true,
      ...(descriptionOf(decision) ? { description: descriptionOf(decision) } : {}),
    };

    const labels: Record<string, string> = {};
    for (const c of columns) if (c.label) labels[c.name] = c.label;
    for (const c of outCols) if (c.label) labels[c.name] = c.label;
    const outputValues: Record<string, unknown[]> = {};
    for (const c of outCols) if (c.values) outputValues[c.name] = c.values.map((v) => (v as { value: unknown }).value);
    const defaults = outCols.filter((c) => c.defaultCell !== undefined);
    const onNoMatch: Record<string, unknown> | null = defaults.length
      ? Object.fromEntries(defaults.map((c) => [c.name, c.defaultCell]))
      : null;

    const tableDecl: Record<string, unknown> = {
      name: tableName,
      ...(tableName !== dmnName ? { label: dmnName } : {}),
      ...(descriptionOf(table) ? { description: descriptionOf(table) } : {}),
      hitPolicy: policy,
      ...(aggregate ? { aggregate } : {}),
      ...(when ? { when } : {}),
      onNoMatch,
      inputs: columns.map((c) => c.expr),
      outputs: outCols.map((c) => c.name),
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(Object.keys(outputValues).length ? { outputValues } : {}),
      ...(impossible.length ? { impossible } : {}),
      rows,
    };

    const factsDecl: Record<string, unknown> = {};
    for (const f of factOrder)
      factsDecl[f.id] = {
        ...typeDecl(f.type),
        ...(f.id !== f.dmnName ? { label: f.dmnName } : {}),
        ...(f.description ? { description: f.description } : {}),
      };

    const target = single ? `${tableName}.${(outCols[0] as OutputColumn).name}` : tableName;
    const ruleSetName = distinctRuleSetName(ruleSetNameFor(dmnName), takenNames);
    const yamlObject = {
      ruleset: ruleSetName,
      description: `Importado de ${ctx.file}: decisão "${dmnName}" (DMN ${ctx.version}).`,
      ...(factOrder.length ? { facts: factsDecl } : {}),
      outputs: { [outputName]: outputDecl },
      tables: [tableDecl],
      rules: [{ name: dmnName || tableName, then: `${outputName} = ${target}` }],
    };
    const text = toYaml(yamlObject);
    if (text === undefined) {
      error(
        `o conjunto de regras gerado passaria de ${MAX_SOURCE_LENGTH} caracteres, o limite de um conjunto de regras: divida a tabela`,
        where,
        decision,
      );
      return undefined;
    }
    const compiled = compileSource(text);
    const errors = compiled.diagnostics.filter((d) => d.severity === "error");
    if (errors.length) {
      for (const e of errors)
        error(`o conjunto de regras gerado não passa na verificação: ${e.message}`, where, decision);
      return undefined;
    }
    return { name: ruleSetName, decision: dmnName, table: tableName, yaml: text };
  } catch (e) {
    if (e instanceof DecisionRefused) return undefined;
    throw e;
  }
}

/** The key under which a node sits in its parent mapping (visit's path ends with the Pair). */
function keyOf(path: readonly unknown[]): unknown {
  const parent = path[path.length - 1];
  return isPair(parent) ? (parent.key as { value?: unknown } | null)?.value : undefined;
}

/**
 * The YAML of a rule set: lists of plain values in flow style, rows one per line, formatted;
 * undefined when it would be larger than a rule set may be.
 */
function toYaml(value: unknown): string | undefined {
  const doc = new Document(value, { version: "1.2" });
  visit(doc, {
    Seq(_key, node, path) {
      const key = keyOf(path);
      if (key === "tables" || key === "rules" || key === "rows" || key === "impossible") return;
      node.flow = true;
    },
    Map(_key, node, path) {
      const parent = path[path.length - 1];
      if (isSeq(parent)) {
        const key = keyOf(path.slice(0, -1));
        const described = node.items.some((p) => (p.key as { value?: unknown } | null)?.value === "description");
        if ((key === "rows" || key === "impossible") && !described) node.flow = true;
        return;
      }
      if (keyOf(path) === "onNoMatch") node.flow = true;
    },
  });
  const raw = doc.toString({ lineWidth: 0, indent: 2, indentSeq: true });
  if (raw.length > MAX_SOURCE_LENGTH) return undefined;
  const formatted = formatRuleSet(raw);
  return formatted.text ?? raw;
}

/** A data type as our YAML declaration (`{type: string, enum: [...]}`, objects with `fields`). */
function typeDecl(t: DmnType): Record<string, unknown> {
  switch (t.kind) {
    case "list":
      return { type: "list", items: typeDecl(t.items) };
    case "object":
      return {
        type: "object",
        fields: Object.fromEntries(
          t.fields.map((f) => [f.id, { ...typeDecl(f.type), ...(f.id !== f.dmnName ? { label: f.dmnName } : {}) }]),
        ),
      };
    default:
      return { type: t.kind, ...(t.enum ? { enum: [...t.enum] } : {}) };
  }
}

/** A DMN typeRef → our type (built-in FEEL types and the file's itemDefinitions), or undefined. */
function resolveTypeRef(
  typeRef: string | undefined,
  ctx: Context,
  where: string,
  at: XmlElement,
  diagnostics: DmnDiagnostic[],
  depth = 0,
): DmnType | undefined {
  if (typeRef === undefined || typeRef.trim() === "") return undefined;
  const name = stripPrefix(typeRef);
  const builtin = FEEL_TYPES[name] ?? FEEL_TYPES[typeRef.trim()];
  if (builtin) return builtin === "object" ? { kind: "object", fields: [] } : { kind: builtin };
  const def = ctx.itemDefinitions.get(name) ?? ctx.itemDefinitions.get(typeRef.trim());
  if (!def || depth > 16) {
    diagnostics.push({
      severity: "error",
      message: `o tipo "${typeRef}" não é traduzido (tipos traduzidos: string, number, boolean, date, date and time, days and time duration e itemDefinitions com eles)`,
      element: where,
      line: at.line,
      column: at.column,
    });
    throw new DecisionRefused("tipo");
  }
  return itemDefinitionType(def, ctx, where, diagnostics, depth + 1);
}

function itemDefinitionType(
  def: XmlElement,
  ctx: Context,
  where: string,
  diagnostics: DmnDiagnostic[],
  depth: number,
): DmnType {
  let type: DmnType;
  const components = childrenNamed(def, "itemComponent");
  if (components.length) {
    const fieldNames = new NameAllocator();
    const fields: DmnField[] = components.map((c) => {
      const dmnName = c.attrs.name ?? "";
      const kept = extensionName(c, "field");
      const id = fieldNames.allocate(dmnName, kept);
      return {
        id,
        dmnName,
        type: itemDefinitionType(c, ctx, `${where} › ${dmnName}`, diagnostics, depth + 1),
        ...(kept === id ? { kept: true } : {}),
      };
    });
    type = { kind: "object", fields };
  } else {
    const inner = textOf(childNamed(def, "typeRef")) ?? def.attrs.typeRef;
    type = resolveTypeRef(inner, ctx, where, def, diagnostics, depth) ?? { kind: "any" };
    const allowed = textOf(childNamed(def, "allowedValues"));
    if (allowed && type.kind === "string") {
      const list = parseValueList(allowed);
      if (list.ok && list.value.every((v) => v.kind === "string"))
        type = { kind: "string", enum: list.value.map((v) => (v as { value: string }).value) };
      else
        diagnostics.push({
          severity: "warning",
          message: `os valores permitidos (allowedValues) ${JSON.stringify(allowed)} não viram enum: só listas de textos são traduzidas`,
          element: where,
          line: def.line,
          column: def.column,
        });
    }
  }
  if (def.attrs.isCollection === "true") type = { kind: "list", items: type };
  return type;
}

const PLAIN_NAME = /^[\p{L}_][\p{L}\p{N}_ ]*$/u;

/**
 * An input expression → the fact (and fields) it reads: an inputData name, a dotted path into an
 * inputData of a structured type, or a plain name with no inputData (typed by the expression).
 */
function resolveInput(
  text: string,
  ie: XmlElement,
  ctx: Context,
  names: NameAllocator,
  facts: Map<string, FactInfo>,
  order: FactInfo[],
  where: string,
  diagnostics: DmnDiagnostic[],
): { expr: string; column: string; dmnName: string | undefined; setEnum(values: string[]): void } | undefined {
  const fail = (message: string): undefined => {
    diagnostics.push({ severity: "error", message, element: where, line: ie.line, column: ie.column });
    return undefined;
  };
  const name = text.trim();
  if (name === "") return fail("a expressão de entrada está vazia");
  let top = ctx.inputData.has(name) ? name : undefined;
  let rest: string[] = [];
  if (!top && name.includes(".")) {
    for (const candidate of ctx.inputData.keys())
      if (name.startsWith(`${candidate}.`) && (!top || candidate.length > top.length)) top = candidate;
    if (top)
      rest = name
        .slice(top.length + 1)
        .split(".")
        .map((s) => s.trim());
  }
  if (!top) {
    if (ctx.decisionNames.has(name))
      return fail(`a entrada lê a decisão "${name}" (uma cadeia de decisões): só dados de entrada são importados`);
    if (!PLAIN_NAME.test(name))
      return fail(
        `a expressão de entrada ${JSON.stringify(name)} não é um nome nem um caminho (a.b): expressões FEEL nas entradas não são traduzidas`,
      );
    top = name;
  }
  let fact = facts.get(top);
  if (!fact) {
    const data = ctx.inputData.get(top);
    const typeRef = data ? childNamed(data, "variable")?.attrs.typeRef : undefined;
    const type =
      resolveTypeRef(typeRef ?? ie.attrs.typeRef, ctx, where, data ?? ie, diagnostics) ?? ({ kind: "any" } as DmnType);
    const description = data ? descriptionOf(data) : undefined;
    const kept = data ? extensionName(data, "fact") : undefined;
    const id = names.allocate(top, kept);
    fact = {
      id,
      dmnName: top,
      ...(kept === id ? { kept: true } : {}),
      type,
      ...(description ? { description } : {}),
    };
    facts.set(top, fact);
    order.push(fact);
  }
  const path: string[] = [];
  // The DMN name of what the column reads, when we changed it (a name kept from our extension
  // elements was chosen in a rule set: no label then).
  let lastDmnName = fact.kept ? undefined : fact.dmnName;
  let t: DmnType = fact.type;
  for (const seg of rest) {
    if (t.kind !== "object")
      return fail(`a expressão de entrada ${JSON.stringify(name)} lê "${seg}" de um valor que não é uma estrutura`);
    const fields = t.fields;
    const f = fields.find((x) => x.dmnName === seg);
    if (!f) return fail(`a estrutura de "${top}" não tem o componente "${seg}"`);
    path.push(f.id);
    lastDmnName = f.kept ? undefined : f.dmnName;
    t = f.type;
  }
  const factRef = fact;
  return {
    expr: [fact.id, ...path].join("."),
    column: path.length ? (path[path.length - 1] as string) : fact.id,
    dmnName: lastDmnName,
    setEnum(values: string[]) {
      // Rebuild the fact's type with the enum on the leaf this column reads.
      const chain: DmnType[] = [factRef.type];
      let cur: DmnType = factRef.type;
      for (const seg of path) {
        const f = (cur as { fields: readonly DmnField[] }).fields.find((x) => x.id === seg) as DmnField;
        cur = f.type;
        chain.push(cur);
      }
      if (cur.kind !== "string" && cur.kind !== "any") return;
      let rebuilt: DmnType = { kind: "string", enum: values };
      for (let i = path.length - 1; i >= 0; i--) {
        const parent = chain[i] as { kind: "object"; fields: readonly DmnField[] };
        const seg = path[i];
        const leaf: DmnType = rebuilt;
        rebuilt = { kind: "object", fields: parent.fields.map((x) => (x.id === seg ? { ...x, type: leaf } : x)) };
      }
      factRef.type = rebuilt;
    },
  };
}
