/**
 * Rule set → DMN 1.5: the decision tables of a rule set as a DMN file a DMN tool opens (docs/dmn.md,
 * "Exportação"). The rule set is loaded and checked first (errors → diagnostics, no file). Each
 * table becomes a decision with a decision table (hit policy, aggregation, inputs as FEEL names or
 * paths typed from the facts, outputs with their values and default entries, rules with the cells
 * in FEEL's simple unary tests), each fact a table reads becomes an input data (object facts and
 * enums as item definitions), with the information requirements and a DMNDI diagram so that tools
 * draw it. What DMN cannot say (the table's `impossible` combinations and `when`, the original
 * identifiers) goes into `extensionElements` under our own namespace: a round trip keeps it, DMN
 * tools ignore it — a table's `when` is still reported, since a DMN tool will not apply it.
 *
 * A table with a cell outside the subset (reads another value, calls a function, `= expr`), a
 * computed column or a list column is reported (table › linha › coluna) and left out. The output
 * is deterministic: ids come from positions and names, nothing from the clock.
 */
import { compileSource } from "../compile/pipeline.js";
import { printExpr } from "../format/print-expr.js";
import { createLineIndex } from "../positions.js";
import type { FieldDecl, RuleSetModel, TableDecl, TypeDecl } from "../ruleset/model.js";
import { type Expr, walkExpr } from "../syntax/ast.js";
import { exprToFeel, exprValue, feelLiteral, unaryTestToFeel } from "./feel.js";
import {
  DC_NS,
  DI_NS,
  DMN15_FEEL,
  DMN15_NS,
  DMNDI15_NS,
  type DmnType,
  EXTENSION_NS,
  FEEL_TYPE_OF,
  HIT_POLICY_TO_DMN,
  type ScalarKind,
} from "./model.js";
import type { DmnDiagnostic, DmnExportOptions, DmnExportResult } from "./types.js";
import { el, textEl, writeXml, type XmlNode } from "./write.js";

const SHAPE_W = 180;
const SHAPE_H = 80;
const GAP = 40;

interface ExportedTable {
  readonly decision: XmlNode;
  readonly id: string;
  readonly facts: readonly string[];
  readonly requirementIds: readonly string[];
  readonly itemDefinitions: readonly XmlNode[];
}

/** Exports the rule set's tables (or the one named) as DMN 1.5. Never throws for a bad rule set. */
export function exportDmn(source: string, options: DmnExportOptions = {}): DmnExportResult {
  const lines = createLineIndex(source);
  const at = (offset: number) => lines.toPosition(offset);
  const file = options.fileName ?? "conjunto de regras";
  const compiled = compileSource(source, { stopAfter: "check" });
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  if (!compiled.model || errors.length) {
    return {
      exported: [],
      diagnostics: errors.map((d) => ({
        severity: "error" as const,
        message: `o conjunto de regras tem erros e não é exportado: ${d.message}`,
        element: file,
        ...at(d.range.start),
      })),
    };
  }
  const model = compiled.model;
  const diagnostics: DmnDiagnostic[] = [];
  let tables = model.tables;
  if (options.table !== undefined) {
    tables = tables.filter((t) => t.name === options.table);
    if (tables.length === 0) {
      const names = model.tables.map((t) => t.name);
      return {
        exported: [],
        diagnostics: [
          {
            severity: "error",
            message: `o conjunto de regras não tem a tabela "${options.table}" (${names.length ? `tabelas: ${names.join(", ")}` : "não há tabelas"})`,
            element: file,
          },
        ],
      };
    }
  }
  if (tables.length === 0)
    return {
      exported: [],
      diagnostics: [{ severity: "error", message: "o conjunto de regras não tem tabelas de decisão", element: file }],
    };

  const factIds = new Map<string, string>();
  const factOrder: string[] = [];
  const exported: ExportedTable[] = [];
  const exportedNames: string[] = [];
  for (const table of tables) {
    const local: DmnDiagnostic[] = [];
    const n = exported.length + 1;
    let result: ExportedTable | undefined;
    try {
      result = exportTable(model, table, n, at, local, (fact) => {
        let id = factIds.get(fact);
        if (!id) {
          id = `inputData_${factIds.size + 1}`;
          factIds.set(fact, id);
          factOrder.push(fact);
        }
        return id;
      });
    } catch (e) {
      // A defect of ours, not of the rule set: reported on the table, the others still export.
      local.push({
        severity: "error",
        message: `erro interno ao exportar a tabela: ${e instanceof Error ? e.message : String(e)}`,
        element: `tabela ${table.name}`,
        ...at(table.nameRange.start),
      });
    }
    diagnostics.push(...local);
    if (result) {
      exported.push(result);
      exportedNames.push(table.name);
    }
  }
  if (exported.length === 0) return { exported: [], diagnostics };

  // Only the facts of exported tables get an input data (a refused table may have registered some).
  const used = new Set(exported.flatMap((e) => e.facts));
  const itemDefinitions: XmlNode[] = exported.flatMap((e) => e.itemDefinitions);
  const inputData: XmlNode[] = [];
  for (const fact of factOrder) {
    if (!used.has(fact)) continue;
    const decl = model.facts.get(fact) as FieldDecl;
    const type = dmnTypeOf(decl.decl);
    const typeName = `t_${fact}`;
    const typeRef = typeRefFor(type, typeName, itemDefinitions);
    const name = decl.label ?? fact;
    inputData.push(
      el(
        "inputData",
        [
          ["id", factIds.get(fact)],
          ["name", name],
        ],
        [
          decl.description !== undefined && textEl("description", decl.description),
          name !== fact && el("extensionElements", [], [el("rules:fact", [["name", fact]])]),
          el("variable", [
            ["id", `${factIds.get(fact)}_variable`],
            ["name", name],
            ["typeRef", typeRef],
          ]),
        ],
      ),
    );
  }

  // Diagram: decisions on top, input data below, an edge per requirement.
  const shapes: XmlNode[] = [];
  const edges: XmlNode[] = [];
  const position = new Map<string, { x: number; y: number }>();
  exported.forEach((e, i) => {
    const p = { x: GAP + i * (SHAPE_W + GAP), y: GAP };
    position.set(e.id, p);
    shapes.push(shape(e.id, p));
  });
  [...used].forEach((fact, j) => {
    const id = factIds.get(fact) as string;
    const p = { x: GAP + j * (SHAPE_W + GAP), y: GAP + SHAPE_H + 3 * GAP };
    position.set(id, p);
  });
  for (const fact of factOrder) {
    const id = factIds.get(fact) as string;
    const p = position.get(id);
    if (p && used.has(fact)) shapes.push(shape(id, p));
  }
  for (const e of exported) {
    const to = position.get(e.id) as { x: number; y: number };
    e.facts.forEach((fact, k) => {
      const from = position.get(factIds.get(fact) as string) as { x: number; y: number };
      const req = e.requirementIds[k] as string;
      edges.push(
        el(
          "dmndi:DMNEdge",
          [
            ["id", `edge_${req}`],
            ["dmnElementRef", req],
          ],
          [
            el("di:waypoint", [
              ["x", String(from.x + SHAPE_W / 2)],
              ["y", String(from.y)],
            ]),
            el("di:waypoint", [
              ["x", String(to.x + SHAPE_W / 2)],
              ["y", String(to.y + SHAPE_H)],
            ]),
          ],
        ),
      );
    });
  }

  const root = el(
    "definitions",
    [
      ["xmlns", DMN15_NS],
      ["xmlns:dmndi", DMNDI15_NS],
      ["xmlns:dc", DC_NS],
      ["xmlns:di", DI_NS],
      ["xmlns:rules", EXTENSION_NS],
      ["id", `definitions_${idSafe(model.name)}`],
      ["name", model.name],
      ["namespace", `urn:rules:${model.name}`],
      ["expressionLanguage", DMN15_FEEL],
      ["typeLanguage", DMN15_FEEL],
    ],
    [
      // Ids by position (XML ids must be NCNames; names of ours may hold any letter).
      ...itemDefinitions.map((d, i) => ({
        ...d,
        attrs: d.attrs.map(([k, v]) => [k, k === "id" ? `itemDefinition_${i + 1}` : v] as const),
      })),
      ...exported.map((e) => e.decision),
      ...inputData,
      el(
        "dmndi:DMNDI",
        [],
        [
          el(
            "dmndi:DMNDiagram",
            [
              ["id", "diagram_1"],
              ["name", model.name],
            ],
            [...shapes, ...edges],
          ),
        ],
      ),
    ],
  );
  return { xml: writeXml(root), exported: exportedNames, diagnostics };
}

function shape(ref: string, p: { x: number; y: number }): XmlNode {
  return el(
    "dmndi:DMNShape",
    [
      ["id", `shape_${ref}`],
      ["dmnElementRef", ref],
    ],
    [
      el("dc:Bounds", [
        ["x", String(p.x)],
        ["y", String(p.y)],
        ["width", String(SHAPE_W)],
        ["height", String(SHAPE_H)],
      ]),
    ],
  );
}

function idSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** The fact and field declarations an input column reads (`fato` or `fato.campo...`), or why not. */
function columnSource(
  model: RuleSetModel,
  expr: Expr,
): { ok: true; fact: string; path: FieldDecl[]; leaf: TypeDecl | undefined } | { ok: false; message: string } {
  const segments: string[] = [];
  let e: Expr = expr;
  while (e.kind === "member") {
    segments.unshift(e.property);
    e = e.object;
  }
  if (e.kind !== "name")
    return {
      ok: false,
      message:
        "é uma coluna calculada (uma expressão, não um nome de fato ou caminho): o DMN exportado só lê dados de entrada",
    };
  const fact = model.facts.get(e.name);
  if (!fact) {
    const what = model.values.has(e.name)
      ? "um valor calculado (values)"
      : model.constants.has(e.name)
        ? "uma constante"
        : model.tables.some((t) => t.name === e.name)
          ? "outra tabela"
          : "um nome que não é um fato";
    return { ok: false, message: `lê ${what} (${e.name}): o DMN exportado só lê dados de entrada` };
  }
  const path: FieldDecl[] = [fact];
  let decl: TypeDecl | undefined = fact.decl;
  for (const seg of segments) {
    const f: FieldDecl | undefined = decl?.type === "object" ? decl.fields?.get(seg) : undefined;
    if (!f) {
      decl = undefined;
      break;
    }
    path.push(f);
    decl = f.decl;
  }
  return { ok: true, fact: e.name, path, leaf: decl };
}

/** Our declared type → the neutral type (labels kept as DMN names). */
function dmnTypeOf(decl: TypeDecl): DmnType {
  switch (decl.type) {
    case "list":
      return { kind: "list", items: decl.items ? dmnTypeOf(decl.items) : { kind: "any" } };
    case "object":
      return {
        kind: "object",
        fields: [...(decl.fields?.values() ?? [])].map((f) => ({
          id: f.name,
          dmnName: f.label ?? f.name,
          type: dmnTypeOf(f.decl),
        })),
      };
    default:
      return { kind: decl.type, ...(decl.enum ? { enum: decl.enum } : {}) };
  }
}

/** The body of an item definition (or component) for a type: typeRef/allowedValues/components. */
function typeBody(type: DmnType): { attrs: [string, string | undefined][]; children: XmlNode[] } {
  if (type.kind === "list") {
    const inner = type.items.kind === "list" ? { kind: "any" as const } : type.items;
    const body = typeBody(inner);
    return { attrs: [["isCollection", "true"], ...body.attrs], children: body.children };
  }
  if (type.kind === "object") {
    return {
      attrs: [],
      children: type.fields.map((f) => {
        const body = typeBody(f.type);
        return el(
          "itemComponent",
          [["name", f.dmnName], ...body.attrs],
          [f.dmnName !== f.id && el("extensionElements", [], [el("rules:field", [["name", f.id]])]), ...body.children],
        );
      }),
    };
  }
  const children = [textEl("typeRef", FEEL_TYPE_OF[type.kind])];
  if (type.enum?.length)
    children.push(
      el(
        "allowedValues",
        [],
        [textEl("text", type.enum.map((v) => feelLiteral({ kind: "string", value: v })).join(","))],
      ),
    );
  return { attrs: [], children };
}

/** A typeRef for a type: a FEEL built-in, or a new item definition named `name`. */
function typeRefFor(type: DmnType, name: string, itemDefinitions: XmlNode[]): string {
  if (type.kind !== "list" && type.kind !== "object" && !type.enum?.length) return FEEL_TYPE_OF[type.kind];
  const body = typeBody(type);
  itemDefinitions.push(el("itemDefinition", [["id", name], ["name", name], ...body.attrs], body.children));
  return name;
}

/** The rule-set output a rule fills from this table (`x = tabela` or `x = tabela.coluna`), if any. */
function outputFedBy(model: RuleSetModel, table: TableDecl): FieldDecl | undefined {
  for (const rule of model.rules)
    for (const a of rule.then) {
      if (a.kind !== "assign" || a.target.length !== 1) continue;
      const v = a.value;
      const fed =
        (v.kind === "name" && v.name === table.name) ||
        (v.kind === "member" && v.object.kind === "name" && v.object.name === table.name);
      if (fed) return model.outputs.get(a.target[0] as string);
    }
  return undefined;
}

/** The scalar kind of an output column, from its cells (all of one kind), else `any`. */
function cellKind(cells: readonly (Expr | undefined)[]): ScalarKind {
  const kinds = new Set<ScalarKind>();
  for (const c of cells) {
    if (!c) continue;
    const v = exprValue(c);
    if (!v.ok || v.value.kind === "null") continue;
    kinds.add(v.value.kind === "datetime" ? "date-time" : v.value.kind);
  }
  return kinds.size === 1 ? ([...kinds][0] as ScalarKind) : kinds.size === 0 ? "string" : "any";
}

function exportTable(
  model: RuleSetModel,
  table: TableDecl,
  n: number,
  at: (offset: number) => { line: number; column: number },
  diagnostics: DmnDiagnostic[],
  factId: (fact: string) => string,
): ExportedTable | undefined {
  const where = `tabela ${table.name}`;
  let failed = false;
  const fail = (message: string, element: string, offset: number): void => {
    diagnostics.push({ severity: "error", message, element, ...at(offset) });
    failed = true;
  };
  const decisionId = `decision_${n}`;
  const tableId = `decisionTable_${n}`;
  const decisionName = table.label ?? table.name;

  // Inputs.
  const facts: string[] = [];
  const inputs: XmlNode[] = [];
  table.inputs.forEach((col, i) => {
    const colWhere = `${where} › coluna ${col.name}`;
    if (!col.expr) {
      fail("a coluna não tem expressão", colWhere, col.nameRange.start);
      return;
    }
    const src = columnSource(model, col.expr);
    if (!src.ok) {
      fail(`a coluna ${src.message}`, colWhere, col.nameRange.start);
      return;
    }
    if (src.leaf?.type === "list") {
      fail(
        'a coluna é uma lista (nas nossas tabelas, uma célula numa coluna de lista quer dizer "a lista contém"; no DMN, ela compara a lista inteira)',
        colWhere,
        col.nameRange.start,
      );
      return;
    }
    if (!facts.includes(src.fact)) facts.push(src.fact);
    factId(src.fact);
    const feelPath = src.path.map((f) => f.label ?? f.name).join(".");
    const leafKind: ScalarKind = src.leaf && src.leaf.type !== "object" ? src.leaf.type : "any";
    const label = table.labels?.get(col.name);
    inputs.push(
      el(
        "input",
        [
          ["id", `${tableId}_input_${i + 1}`],
          ["label", label],
        ],
        [
          el(
            "inputExpression",
            [
              ["id", `${tableId}_input_${i + 1}_expression`],
              ["typeRef", FEEL_TYPE_OF[leafKind]],
            ],
            [textEl("text", feelPath)],
          ),
          !!src.leaf?.enum?.length &&
            el(
              "inputValues",
              [["id", `${tableId}_input_${i + 1}_values`]],
              [textEl("text", src.leaf.enum.map((v) => feelLiteral({ kind: "string", value: v })).join(","))],
            ),
        ],
      ),
    );
  });

  // The decision's type: from the output a rule fills from this table, else from the columns.
  const fed = outputFedBy(model, table);
  const fedType = fed ? dmnTypeOf(fed.decl) : undefined;
  const fedRecord = fedType?.kind === "list" ? fedType.items : fedType;
  const columnType = (k: number): DmnType | undefined => {
    if (!fedRecord) return undefined;
    if (table.outputs.length === 1 && fedRecord.kind !== "object") return fedRecord;
    if (fedRecord.kind === "object") return fedRecord.fields.find((f) => f.id === table.outputs[k]?.name)?.type;
    return undefined;
  };

  // Outputs.
  const outputs: XmlNode[] = [];
  table.outputs.forEach((col, k) => {
    const colWhere = `${where} › coluna ${col.name}`;
    const label = table.labels?.get(col.name);
    const declared = columnType(k);
    const kind: ScalarKind =
      table.aggregate !== undefined
        ? "number"
        : declared && declared.kind !== "object" && declared.kind !== "list"
          ? declared.kind
          : cellKind([...table.rows.map((r) => r.outputs[k]), table.onNoMatch?.outputs[k]]);
    const values = table.outputValues?.get(col.name);
    const def = table.onNoMatch?.outputs[k];
    let defaultText: string | undefined;
    if (def) {
      const r = exprToFeel(def);
      if (!r.ok) fail(`a saída padrão (onNoMatch): ${r.message}`, colWhere, def.range.start);
      else defaultText = r.value;
    }
    outputs.push(
      el(
        "output",
        [
          ["id", `${tableId}_output_${k + 1}`],
          ["name", label ?? col.name],
          ["typeRef", FEEL_TYPE_OF[kind]],
        ],
        [
          label !== undefined && el("extensionElements", [], [el("rules:column", [["name", col.name]])]),
          values &&
            el(
              "outputValues",
              [["id", `${tableId}_output_${k + 1}_values`]],
              [
                textEl(
                  "text",
                  values.values
                    .map((v) =>
                      feelLiteral(
                        typeof v === "string"
                          ? { kind: "string", value: v }
                          : typeof v === "number"
                            ? { kind: "number", value: v }
                            : { kind: "boolean", value: Boolean(v) },
                      ),
                    )
                    .join(","),
                ),
              ],
            ),
          defaultText !== undefined &&
            el("defaultOutputEntry", [["id", `${tableId}_output_${k + 1}_default`]], [textEl("text", defaultText)]),
        ],
      ),
    );
  });

  // Rules.
  const rules: XmlNode[] = [];
  table.rows.forEach((row, r) => {
    const rowWhere = `${where} › linha ${r + 1}`;
    const entries: XmlNode[] = [];
    row.inputs.forEach((test, i) => {
      const feel = unaryTestToFeel(test);
      if (!feel.ok) {
        fail(feel.message, `${rowWhere} › coluna ${table.inputs[i]?.name ?? i + 1}`, test.range.start);
        return;
      }
      entries.push(el("inputEntry", [["id", `${tableId}_rule_${r + 1}_input_${i + 1}`]], [textEl("text", feel.value)]));
    });
    row.outputs.forEach((cell, k) => {
      const feel = exprToFeel(cell);
      if (!feel.ok) {
        fail(feel.message, `${rowWhere} › coluna ${table.outputs[k]?.name ?? k + 1}`, cell.range.start);
        return;
      }
      entries.push(
        el("outputEntry", [["id", `${tableId}_rule_${r + 1}_output_${k + 1}`]], [textEl("text", feel.value)]),
      );
    });
    rules.push(
      el(
        "rule",
        [["id", `${tableId}_rule_${r + 1}`]],
        [row.description !== undefined && textEl("description", row.description), ...entries],
      ),
    );
  });

  // Facts read by `when` (kept in our extension) are required input data too, so the round trip
  // declares them again.
  if (table.when)
    walkExpr(table.when, (e) => {
      if (e.kind === "name" && model.facts.has(e.name) && !facts.includes(e.name)) {
        facts.push(e.name);
        factId(e.name);
      }
    });

  // What DMN cannot say: our extension elements.
  const extension: XmlNode[] = [el("rules:table", [["name", table.name]])];
  if (fed) extension.push(el("rules:output", [["name", fed.name]]));
  if (table.when) {
    const text = printExpr(table.when);
    extension.push(textEl("rules:when", text));
    diagnostics.push({
      severity: "warning",
      message: `a condição "when: ${text}" da tabela vai só numa extensão nossa: uma ferramenta DMN não a aplica (a tabela valeria sempre)`,
      element: `${where} › when`,
      ...at(table.when.range.start),
    });
  }
  table.impossible.forEach((imp, m) => {
    const cells: XmlNode[] = [];
    imp.inputs.forEach((test, i) => {
      const feel = unaryTestToFeel(test);
      if (!feel.ok) {
        fail(
          feel.message,
          `${where} › impossible ${m + 1} › coluna ${table.inputs[i]?.name ?? i + 1}`,
          test.range.start,
        );
        return;
      }
      cells.push(textEl("rules:inputEntry", feel.value));
    });
    extension.push(el("rules:impossible", [["description", imp.description]], cells));
  });
  if (failed) return undefined;

  // The decision's variable type.
  const itemDefinitions: XmlNode[] = [];
  const typeName = `t_${table.name}`;
  let variableType: DmnType;
  if (fedType) variableType = fedType;
  else {
    const record: DmnType =
      table.outputs.length === 1
        ? { kind: cellKind(table.rows.map((r) => r.outputs[0])) }
        : {
            kind: "object",
            fields: table.outputs.map((c, k) => ({
              id: c.name,
              dmnName: table.labels?.get(c.name) ?? c.name,
              type: { kind: cellKind(table.rows.map((r) => r.outputs[k])) },
            })),
          };
    variableType =
      table.hitPolicy === "unique" ||
      table.hitPolicy === "first" ||
      table.hitPolicy === "any" ||
      table.hitPolicy === "priority" ||
      table.aggregate
        ? record
        : { kind: "list", items: record };
  }
  const variableTypeRef = typeRefFor(variableType, typeName, itemDefinitions);

  const requirementIds = facts.map((_, k) => `${decisionId}_requirement_${k + 1}`);
  const decision = el(
    "decision",
    [
      ["id", decisionId],
      ["name", decisionName],
    ],
    [
      fed?.description !== undefined && textEl("description", fed.description),
      el("extensionElements", [], extension),
      el("variable", [
        ["id", `${decisionId}_variable`],
        ["name", decisionName],
        ["typeRef", variableTypeRef],
      ]),
      ...facts.map((fact, k) =>
        el(
          "informationRequirement",
          [["id", requirementIds[k]]],
          [el("requiredInput", [["href", `#${factId(fact)}`]])],
        ),
      ),
      el(
        "decisionTable",
        [
          ["id", tableId],
          ["hitPolicy", HIT_POLICY_TO_DMN[table.hitPolicy]],
          ["aggregation", table.aggregate?.toUpperCase()],
          ["outputLabel", decisionName],
        ],
        [table.description !== undefined && textEl("description", table.description), ...inputs, ...outputs, ...rules],
      ),
    ],
  );
  return { decision, id: decisionId, facts, requirementIds, itemDefinitions };
}
