/**
 * YAML document → rule-set model. Reads every section, parses every expression, cell and template
 * with positions into the file, and reports structural mistakes (unknown keys, wrong shapes) as
 * diagnostics. Never throws for user mistakes; returns as much of the model as it could read so
 * that the editor can still complete and highlight.
 */
import { IANAZone } from "luxon";
import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";
import { createError, de, didYouMean, em, type Diagnostic, type Range } from "../diagnostics.js";
import type { Action, Expr, UnaryTest } from "../syntax/ast.js";
import { parseAction, parseExpression, parseUnaryTests, type ParseResult, type SourceSpan } from "../syntax/parse.js";
import { keywordNames } from "../syntax/tokens.js";
import { DEFAULT_ZONE } from "../values.js";
import { keyRange, loadYaml, rangeOf, scalarValueOffsets, unsafeNumbers } from "../yaml/load.js";
import { checkSchemas } from "../check/schema.js";
import { RULESET_NAME_PATTERN } from "./names.js";
import {
  type CollectionDecl,
  type ConstantDecl,
  type FieldDecl,
  type GuardDecl,
  type Aggregation,
  AGGREGATIONS,
  HIT_POLICIES,
  type HitPolicy,
  type ImpossibleDecl,
  type InvariantDecl,
  type NoMatchOutputs,
  type OutputValueList,
  type Named,
  type RuleDecl,
  type RuleSetModel,
  type TableColumn,
  type TableDecl,
  type TableRow,
  type TemplateDecl,
  type TemplatePart,
  type TransitionDecl,
  type TransitionsDecl,
  type TypeDecl,
  type ValidationDecl,
  type ValidationsDecl,
  type ValueDecl,
} from "./model.js";

export interface LoadResult {
  /** The model; undefined only when the YAML itself could not be read. */
  readonly model: RuleSetModel | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Every YAML scalar the loader parsed as language text, in reading order (empty when the YAML
   * could not be read). The formatter re-prints from this list, so a key read as an expression
   * here is formatted as one with no change there.
   */
  readonly expressionSites: readonly ExpressionSite[];
}

/** How the loader parsed a scalar's text. */
export type ExpressionSiteKind =
  /** The whole text is an expression. */
  | "expression"
  /** A transition's `requires` item: an expression labelled by its last name, or else by its text. */
  | "requirement"
  /** A rule's `then` item: an action (`saida = expr`, `lista += expr`). */
  | "action"
  /** A table input cell written in the language (`">= 18"`, `"[1..5]"`, `not "X"`): unary tests. */
  | "unaryTests"
  /** A constant or table output cell (or an item inside one) written `= expr`: the expression after `=`. */
  | "formula"
  /** A text with `{expression}` holes (templates, messages, reasons, refusals). */
  | "template";

/** One scalar the loader parsed as language text. */
export interface ExpressionSite {
  /** The scalar node's source range (`rangeOf`), which identifies it in any parse of the same text. */
  readonly range: Range;
  readonly kind: ExpressionSiteKind;
}

const NAME_RE = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const TYPE_NAMES = [
  "string",
  "number",
  "integer",
  "boolean",
  "date",
  "date-time",
  "duration",
  "list",
  "object",
  "any",
] as const;
/**
 * Names the language reserves at the top of an expression: its keywords (from the lexer's token
 * definitions), the scope names it binds, and object internals.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  ...keywordNames,
  "decision",
  "item",
  "rows",
  // Object internals: never names of data (paths through them are refused at run time too).
  "__proto__",
  "constructor",
  "prototype",
]);

/** Loads a rule-set source text into its model. */
export function loadRuleSet(source: string): LoadResult {
  const yaml = loadYaml(source);
  const diagnostics: Diagnostic[] = [...yaml.diagnostics];
  const doc = yaml.value;
  if (!doc || yaml.diagnostics.some((d) => d.severity === "error"))
    return { model: undefined, diagnostics, expressionSites: [] };
  const reader = new Reader(source, diagnostics);
  const model = reader.ruleSet(doc.contents as Node | null);
  // What the runtime's fact validator would refuse, and numbers JavaScript cannot hold.
  diagnostics.push(...checkSchemas(doc.contents as Node | null), ...unsafeNumbers(doc, source));
  return { model, diagnostics, expressionSites: reader.sites };
}

type Section =
  | "ruleset"
  | "description"
  | "timezone"
  | "facts"
  | "constants"
  | "values"
  | "templates"
  | "outputs"
  | "collections"
  | "tables"
  | "validations"
  | "transitions"
  | "rules"
  | "invariants";
const SECTIONS: readonly Section[] = [
  "ruleset",
  "description",
  "timezone",
  "facts",
  "constants",
  "values",
  "templates",
  "outputs",
  "collections",
  "tables",
  "validations",
  "transitions",
  "rules",
  "invariants",
];

class Reader {
  /** The scalars parsed as language text so far (see `LoadResult.expressionSites`). */
  readonly sites: ExpressionSite[] = [];

  constructor(
    private readonly source: string,
    private readonly diagnostics: Diagnostic[],
  ) {}

  /** Records that `node`'s text is parsed as `kind` (call it where the parse happens). */
  private site(node: Scalar, kind: ExpressionSiteKind): void {
    this.sites.push({ range: rangeOf(node), kind });
  }

  private error(code: Diagnostic["code"], message: string, range: Range): void {
    this.diagnostics.push(createError(code, message, range));
  }

  private take<T>(result: ParseResult<T>): T | undefined {
    this.diagnostics.push(...result.diagnostics);
    return result.value;
  }

  // ---------------------------------------------------------------- generic YAML helpers

  /** Reads a mapping, reporting keys not in `allowed`. Returns key → pair. */
  private mapping(
    node: Node | null | undefined,
    what: string,
    allowed?: readonly string[],
    range?: Range,
  ): Map<string, Pair<Scalar, Node | null>> | undefined {
    if (!node || !isMap(node)) {
      this.error(
        "ruleset/structure",
        `${what} deve ser um mapa (chave: valor)`,
        node ? rangeOf(node) : (range ?? { start: 0, end: 0 }),
      );
      return undefined;
    }
    const out = new Map<string, Pair<Scalar, Node | null>>();
    for (const pair of (node as YAMLMap<Scalar, Node | null>).items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (allowed && !allowed.includes(key)) {
        this.error(
          "ruleset/unknown-key",
          `chave desconhecida "${key}" ${em(what)}.${didYouMean(key, allowed)} Chaves aceitas: ${allowed.join(", ")}`,
          keyRange(pair),
        );
        continue;
      }
      out.set(key, pair);
    }
    return out;
  }

  private list(node: Node | null | undefined, what: string, range: Range): Node[] {
    if (!node) return [];
    if (!isSeq(node)) {
      this.error("ruleset/structure", `${what} deve ser uma lista`, rangeOf(node) ?? range);
      return [];
    }
    return node.items as Node[];
  }

  /** A list, or a single item standing for a list of one. */
  private listOrOne(node: Node | null | undefined): Node[] {
    if (!node) return [];
    return isSeq(node) ? (node.items as Node[]) : [node];
  }

  private text(node: Node | null | undefined, what: string, range: Range): string | undefined {
    if (!node) return undefined;
    if (!isScalar(node) || typeof node.value !== "string") {
      if (isScalar(node) && (typeof node.value === "number" || typeof node.value === "boolean"))
        return String(node.value);
      this.error("ruleset/structure", `${what} deve ser um texto`, rangeOf(node) ?? range);
      return undefined;
    }
    return node.value;
  }

  private bool(node: Node | null | undefined, what: string): boolean | undefined {
    if (!node) return undefined;
    if (isScalar(node) && typeof node.value === "boolean") return node.value;
    this.error("ruleset/structure", `${what} deve ser true ou false`, rangeOf(node));
    return undefined;
  }

  private integer(node: Node | null | undefined, what: string): number | undefined {
    if (!node) return undefined;
    if (isScalar(node) && typeof node.value === "number" && Number.isInteger(node.value)) return node.value;
    this.error("ruleset/structure", `${what} deve ser um número inteiro`, rangeOf(node));
    return undefined;
  }

  private name(node: Node | null | undefined, what: string, range: Range): Named | undefined {
    const text = this.text(node, what, range);
    if (text === undefined) {
      if (!node) this.error("ruleset/missing-key", `falta ${what}`, range);
      return undefined;
    }
    return { name: text, nameRange: rangeOf(node as Node) };
  }

  private identifier(name: string, range: Range, what: string): boolean {
    if (!NAME_RE.test(name)) {
      this.error(
        "ruleset/invalid-name",
        `nome inválido para ${what}: "${name}" (use letras, dígitos e _, começando por letra)`,
        range,
      );
      return false;
    }
    if (RESERVED_NAMES.has(name)) {
      this.error(
        "ruleset/invalid-name",
        `"${name}" é uma palavra reservada da linguagem e não pode ser usado como nome de ${what}`,
        range,
      );
      return false;
    }
    return true;
  }

  private required(
    map: Map<string, Pair<Scalar, Node | null>>,
    key: string,
    what: string,
    range: Range,
  ): Node | undefined {
    const pair = map.get(key);
    if (!pair || pair.value === null || pair.value === undefined) {
      this.error("ruleset/missing-key", `falta "${key}" ${em(what)}`, pair ? keyRange(pair) : range);
      return undefined;
    }
    return pair.value;
  }

  private span(node: Scalar): SourceSpan {
    const text = String(node.value);
    return { text, offsets: scalarValueOffsets(node, this.source) };
  }

  private subSpan(span: SourceSpan, start: number, end: number): SourceSpan {
    const offsets = span.offsets;
    return {
      text: span.text.slice(start, end),
      ...(offsets ? { offsets: offsets.slice(start, end + 1) } : {}),
      base: (span.base ?? 0) + start,
    };
  }

  /** An expression written as a YAML scalar (strings are parsed; numbers and booleans are literals). */
  expression(
    node: Node | null | undefined,
    what: string,
    range: Range,
    kind: "expression" | "requirement" = "expression",
  ): Expr | undefined {
    if (!node) return undefined;
    if (isScalar(node)) {
      const v = node.value;
      const r = rangeOf(node);
      if (typeof v === "boolean") return { kind: "literal", literal: { type: "boolean", value: v }, range: r };
      if (typeof v === "number") return { kind: "literal", literal: { type: "number", value: v }, range: r };
      if (v === null) return { kind: "literal", literal: { type: "null" }, range: r };
      if (typeof v === "string") {
        if (v.trim() === "") {
          this.error("dsl/syntax", `${what} está vazio`, r);
          return undefined;
        }
        this.site(node, kind);
        return this.take(parseExpression(this.span(node)));
      }
    }
    this.error("ruleset/structure", `${what} deve ser uma expressão (texto)`, rangeOf(node) ?? range);
    return undefined;
  }

  private action(node: Node): Action | undefined {
    if (!isScalar(node) || typeof node.value !== "string") {
      this.error(
        "ruleset/structure",
        `cada item de "then" deve ser uma ação em texto, como: acao = "DESIGNAR"`,
        rangeOf(node),
      );
      return undefined;
    }
    this.site(node, "action");
    return this.take(parseAction(this.span(node)));
  }

  /** A YAML value as a literal expression (constants, table output cells, defaults). */
  literal(node: Node | null | undefined): Expr | undefined {
    if (!node) return undefined;
    const range = rangeOf(node);
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === "string") {
        if (/^\s*=/.test(v)) {
          this.site(node, "formula");
          const span = this.span(node);
          const at = span.text.indexOf("=") + 1;
          return this.take(parseExpression(this.subSpan(span, at, span.text.length)));
        }
        return { kind: "literal", literal: { type: "string", value: v }, range };
      }
      if (typeof v === "number") return { kind: "literal", literal: { type: "number", value: v }, range };
      if (typeof v === "boolean") return { kind: "literal", literal: { type: "boolean", value: v }, range };
      if (v === null) return { kind: "literal", literal: { type: "null" }, range };
    }
    if (isSeq(node)) {
      const items = (node.items as Node[]).map((i) => this.literal(i)).filter((e): e is Expr => e !== undefined);
      return { kind: "list", items, range };
    }
    if (isMap(node)) {
      const fields = (node.items as Pair<Scalar, Node | null>[]).map((p) => {
        const value =
          this.literal(p.value) ?? ({ kind: "literal", literal: { type: "null" }, range: keyRange(p) } as Expr);
        return { key: String(p.key?.value ?? ""), keyRange: keyRange(p), value };
      });
      return { kind: "record", fields, range };
    }
    this.error("ruleset/structure", "valor não suportado", range);
    return undefined;
  }

  /** Plain YAML → JS value (defaults). */
  private plain(node: Node | null | undefined): unknown {
    if (!node) return undefined;
    return node.toJSON();
  }

  /** Splits `texto {expr} texto` into parts; `{{` and `}}` stand for literal braces. */
  template(
    node: Node | null | undefined,
    what: string,
    range: Range,
    name = "",
    params: Named[] = [],
  ): TemplateDecl | undefined {
    if (!node) return undefined;
    if (!isScalar(node) || typeof node.value !== "string") {
      this.error("ruleset/structure", `${what} deve ser um texto`, rangeOf(node) ?? range);
      return undefined;
    }
    this.site(node, "template");
    const span = this.span(node);
    const text = span.text;
    const parts: TemplatePart[] = [];
    let buf = "";
    let i = 0;
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === "{" && text[i + 1] === "{") {
        buf += "{";
        i += 2;
        continue;
      }
      if (ch === "}" && text[i + 1] === "}") {
        buf += "}";
        i += 2;
        continue;
      }
      if (ch === "}") {
        this.error(
          "dsl/syntax",
          `"}" sem "{" correspondente no texto (use "}}" para escrever uma chave)`,
          this.spanRange(span, i, i + 1),
        );
        i++;
        continue;
      }
      if (ch !== "{") {
        buf += ch;
        i++;
        continue;
      }
      const close = findClosingBrace(text, i + 1);
      if (close < 0) {
        this.error(
          "dsl/syntax",
          `"{" sem "}" correspondente no texto (use "{{" para escrever uma chave)`,
          this.spanRange(span, i, i + 1),
        );
        break;
      }
      if (buf) parts.push({ kind: "text", text: buf });
      buf = "";
      const inner = this.subSpan(span, i + 1, close);
      if (inner.text.trim() === "")
        this.error("dsl/syntax", "expressão vazia entre { }", this.spanRange(span, i, close + 1));
      else {
        const expr = this.take(parseExpression(inner));
        if (expr) parts.push({ kind: "expr", expr });
      }
      i = close + 1;
    }
    if (buf) parts.push({ kind: "text", text: buf });
    return { name, nameRange: range, params, parts, range: rangeOf(node) };
  }

  private spanRange(span: SourceSpan, start: number, end: number): Range {
    const at = (i: number) => (span.offsets ? (span.offsets[i] ?? 0) : (span.base ?? 0) + i);
    return { start: at(start), end: at(end) };
  }

  // ---------------------------------------------------------------- sections

  ruleSet(root: Node | null): RuleSetModel | undefined {
    const whole: Range = { start: 0, end: this.source.length };
    const top = this.mapping(root, "o conjunto de regras", SECTIONS, whole);
    if (!top) return undefined;
    const nameNode = this.required(top, "ruleset", "o conjunto de regras", whole);
    const name = this.text(nameNode, "ruleset", whole) ?? "";
    const nameRange = nameNode ? rangeOf(nameNode) : whole;
    if (nameNode && name && !RULESET_NAME_PATTERN.test(name)) {
      this.error(
        "ruleset/invalid-name",
        `nome de conjunto de regras inválido "${name}": use minúsculas, dígitos e hífens (ex.: reclame-designacao)`,
        nameRange,
      );
    }
    const get = (k: Section) => top.get(k)?.value ?? undefined;
    const sectionRange = (k: Section) => {
      const p = top.get(k);
      return p ? keyRange(p) : whole;
    };
    const facts = this.fields(get("facts"), "facts", sectionRange("facts"));
    const outputs = this.fields(get("outputs"), "outputs", sectionRange("outputs"));
    const constants = this.constants(get("constants"), sectionRange("constants"));
    const values = this.values(get("values"), sectionRange("values"));
    const templates = this.templates(get("templates"), sectionRange("templates"));
    const collections = this.collections(get("collections"), sectionRange("collections"));
    const tables = this.list(get("tables"), "tables", sectionRange("tables"))
      .map((n) => this.table(n))
      .filter((t): t is TableDecl => t !== undefined);
    const validations = get("validations")
      ? this.validations(get("validations"), sectionRange("validations"))
      : undefined;
    const transitions = get("transitions")
      ? this.transitions(get("transitions"), sectionRange("transitions"))
      : undefined;
    const rules = this.list(get("rules"), "rules", sectionRange("rules"))
      .map((n) => this.rule(n))
      .filter((r): r is RuleDecl => r !== undefined);
    const invariants = this.list(get("invariants"), "invariants", sectionRange("invariants"))
      .map((n) => this.invariant(n))
      .filter((r): r is InvariantDecl => r !== undefined);
    let zone = this.text(get("timezone"), "timezone", sectionRange("timezone")) ?? DEFAULT_ZONE;
    if (!IANAZone.isValidZone(zone)) {
      // An unknown zone would make every date-time fact invalid at run time.
      this.error(
        "ruleset/structure",
        `fuso horário desconhecido "${zone}": use um nome IANA, como ${DEFAULT_ZONE}`,
        rangeOf(get("timezone") as Node),
      );
      zone = DEFAULT_ZONE;
    }
    return {
      name,
      nameRange,
      description: this.text(get("description"), "description", sectionRange("description")) ?? "",
      zone,
      facts,
      constants,
      values,
      templates,
      outputs,
      collections,
      tables,
      ...(validations ? { validations } : {}),
      ...(transitions ? { transitions } : {}),
      rules,
      invariants,
    };
  }

  private fields(node: Node | null | undefined, what: string, range: Range): Map<string, FieldDecl> {
    const out = new Map<string, FieldDecl>();
    if (!node) return out;
    const map = this.mapping(node, what, undefined, range);
    if (!map) return out;
    for (const [key, pair] of map) {
      const nameRange = keyRange(pair);
      if (!this.identifier(key, nameRange, what === "facts" ? "fato" : "campo")) continue;
      const field = this.field(key, nameRange, pair.value, `${what}.${key}`);
      if (field) out.set(key, field);
    }
    return out;
  }

  private field(name: string, nameRange: Range, node: Node | null, what: string): FieldDecl | undefined {
    // Short form: `nome: string`.
    if (node && isScalar(node) && typeof node.value === "string") {
      const decl = this.typeDecl(node, what);
      return decl ? { name, nameRange, decl, required: false, nullable: true, range: rangeOf(node) } : undefined;
    }
    const map = this.mapping(
      node,
      what,
      [
        "type",
        "description",
        "required",
        "nullable",
        "default",
        "enum",
        "items",
        "fields",
        "values",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "normalize",
        "uniqueBy",
        "personal",
        "label",
      ],
      nameRange,
    );
    if (!map || !node) return undefined;
    const decl = this.typeDecl(node, what);
    if (!decl) return undefined;
    const required = this.bool(map.get("required")?.value, `${what}.required`) ?? false;
    const nullable = this.bool(map.get("nullable")?.value, `${what}.nullable`) ?? !required;
    const defaultNode = map.get("default")?.value;
    const description = this.text(map.get("description")?.value, `${what}.description`, nameRange);
    const label = this.text(map.get("label")?.value, `${what}.label`, nameRange);
    // `personal: true`: personal data (LGPD: CPF, CNPJ, names, phones, e-mails, CRO...). The
    // decision log stores such a fact masked (a keyed hash) or not at all, never in clear.
    const personalPair = map.get("personal");
    let personal: boolean | undefined;
    if (personalPair) {
      personal = this.bool(personalPair.value, `${what}.personal`);
      if (!what.startsWith("facts.")) {
        this.error("ruleset/structure", `"personal" só vale em facts (${em(what)})`, keyRange(personalPair));
        personal = undefined;
      }
    }
    return {
      name,
      nameRange,
      decl,
      required,
      nullable,
      ...(defaultNode !== undefined ? { default: this.plain(defaultNode) } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(personal ? { personal } : {}),
      ...(label !== undefined && label !== "" ? { label } : {}),
      range: rangeOf(node),
    };
  }

  private typeDecl(node: Node, what: string): TypeDecl | undefined {
    const range = rangeOf(node);
    if (isScalar(node) && typeof node.value === "string") {
      const type = node.value;
      if (!(TYPE_NAMES as readonly string[]).includes(type)) {
        this.error(
          "ruleset/structure",
          `tipo desconhecido "${type}" em ${what}.${didYouMean(type, TYPE_NAMES)} Tipos: ${TYPE_NAMES.join(", ")}`,
          range,
        );
        return undefined;
      }
      return { type: type as TypeDecl["type"], range };
    }
    const map = this.mapping(node, what, undefined, range);
    if (!map) return undefined;
    const typeNode = map.get("type")?.value;
    let type: TypeDecl["type"] = "any";
    if (typeNode) {
      const t = this.text(typeNode, `${what}.type`, range);
      if (t === undefined) return undefined;
      if (!(TYPE_NAMES as readonly string[]).includes(t)) {
        this.error(
          "ruleset/structure",
          `tipo desconhecido "${t}" em ${what}.${didYouMean(t, TYPE_NAMES)} Tipos: ${TYPE_NAMES.join(", ")}`,
          rangeOf(typeNode),
        );
        return undefined;
      }
      type = t as TypeDecl["type"];
    } else if (map.has("enum")) type = "string";
    else if (map.has("fields")) type = "object";
    else if (map.has("items")) type = "list";
    else {
      this.error("ruleset/missing-key", `falta "type" em ${what}`, range);
      return undefined;
    }
    const enumNode = map.get("enum")?.value;
    let enumValues: string[] | undefined;
    if (enumNode) {
      enumValues = this.list(enumNode, `${what}.enum`, range).map((n) => (isScalar(n) ? String(n.value) : ""));
      if (type !== "string")
        this.error("ruleset/structure", `"enum" só vale para o tipo string (em ${what})`, rangeOf(enumNode));
    }
    const itemsNode = map.get("items")?.value;
    const items = itemsNode ? this.typeDecl(itemsNode, `${what}.items`) : undefined;
    const fieldsNode = map.get("fields")?.value;
    const fields = fieldsNode ? this.fields(fieldsNode, `${what}.fields`, range) : undefined;
    const valuesNode = map.get("values")?.value;
    const values = valuesNode ? this.typeDecl(valuesNode, `${what}.values`) : undefined;
    const num = (k: string) => {
      const n = map.get(k)?.value;
      if (!n) return undefined;
      if (isScalar(n) && typeof n.value === "number") return n.value;
      this.error("ruleset/structure", `${what}.${k} deve ser um número`, rangeOf(n));
      return undefined;
    };
    return {
      type,
      range,
      ...(enumValues ? { enum: enumValues } : {}),
      ...(items ? { items } : {}),
      ...(fields ? { fields } : {}),
      ...(values ? { values } : {}),
      ...optional("minItems", num("minItems")),
      ...optional("maxItems", num("maxItems")),
      ...optional("minimum", num("minimum")),
      ...optional("maximum", num("maximum")),
      ...this.boundaryOptions(map, type, items, what),
    };
  }

  /** `normalize` and `uniqueBy`: options of the fact boundary, so only in `facts`. */
  private boundaryOptions(
    map: Map<string, Pair<Scalar, Node | null>>,
    type: TypeDecl["type"],
    items: TypeDecl | undefined,
    what: string,
  ): { normalize?: boolean; uniqueBy?: readonly string[] } {
    const out: { normalize?: boolean; uniqueBy?: readonly string[] } = {};
    const inFacts = what.startsWith("facts.");
    const normalizePair = map.get("normalize");
    if (normalizePair) {
      const v = this.bool(normalizePair.value, `${what}.normalize`);
      if (!inFacts)
        this.error("ruleset/structure", `"normalize" só vale em facts (${em(what)})`, keyRange(normalizePair));
      else if (v !== undefined) out.normalize = v;
    }
    const uniquePair = map.get("uniqueBy");
    if (uniquePair) {
      const node = uniquePair.value;
      const where = node ? rangeOf(node) : keyRange(uniquePair);
      if (!inFacts) {
        this.error("ruleset/structure", `"uniqueBy" só vale em facts (${em(what)})`, keyRange(uniquePair));
        return out;
      }
      if (type !== "list" || items?.type !== "object") {
        this.error(
          "ruleset/structure",
          `"uniqueBy" só vale para uma lista de objetos (type: list com items do tipo object) (${em(what)})`,
          keyRange(uniquePair),
        );
        return out;
      }
      const keyNodes = node && isSeq(node) ? (node.items as Node[]) : node ? [node] : [];
      const keys: string[] = [];
      for (const n of keyNodes) {
        const k = this.text(n, `${what}.uniqueBy`, where);
        if (k === undefined) continue;
        const field = items.fields?.get(k);
        if (items.fields && !field) {
          this.error(
            "ruleset/structure",
            `"uniqueBy" cita o campo "${k}", que não existe nos itens ${de(what)}.${didYouMean(k, items.fields.keys())}`,
            rangeOf(n),
          );
          continue;
        }
        if (field && (field.decl.type === "list" || field.decl.type === "object" || field.decl.type === "any")) {
          this.error(
            "ruleset/structure",
            `"uniqueBy" precisa de campos de valor simples (texto, número, data...); "${k}" é do tipo ${field.decl.type}`,
            rangeOf(n),
          );
          continue;
        }
        if (keys.includes(k)) continue;
        keys.push(k);
      }
      if (keyNodes.length === 0)
        this.error("ruleset/structure", `"uniqueBy" deve citar pelo menos um campo dos itens (${em(what)})`, where);
      if (keys.length > 0) out.uniqueBy = keys;
    }
    return out;
  }

  private constants(node: Node | null | undefined, range: Range): Map<string, ConstantDecl> {
    const out = new Map<string, ConstantDecl>();
    if (!node) return out;
    const map = this.mapping(node, "constants", undefined, range);
    if (!map) return out;
    for (const [key, pair] of map) {
      const nameRange = keyRange(pair);
      if (!this.identifier(key, nameRange, "constante")) continue;
      let valueNode = pair.value;
      let description: string | undefined;
      if (valueNode && isMap(valueNode)) {
        const long = this.mapping(valueNode, `constants.${key}`, ["value", "description"], nameRange);
        valueNode = long?.get("value")?.value ?? null;
        description = this.text(long?.get("description")?.value, `constants.${key}.description`, nameRange);
        if (!valueNode) {
          this.error("ruleset/missing-key", `falta "value" na constante ${key}`, nameRange);
          continue;
        }
      }
      const expr = this.literal(valueNode);
      if (!expr) continue;
      out.set(key, {
        name: key,
        nameRange,
        value: this.plain(valueNode),
        expr,
        ...(description ? { description } : {}),
      });
    }
    return out;
  }

  private values(node: Node | null | undefined, range: Range): Map<string, ValueDecl> {
    const out = new Map<string, ValueDecl>();
    if (!node) return out;
    const map = this.mapping(node, "values", undefined, range);
    if (!map) return out;
    for (const [key, pair] of map) {
      const nameRange = keyRange(pair);
      if (!this.identifier(key, nameRange, "valor")) continue;
      let exprNode = pair.value;
      let description: string | undefined;
      if (exprNode && isMap(exprNode)) {
        const long = this.mapping(exprNode, `values.${key}`, ["expr", "description"], nameRange);
        exprNode = long?.get("expr")?.value ?? null;
        description = this.text(long?.get("description")?.value, `values.${key}.description`, nameRange);
      }
      const expr = this.expression(exprNode, `o valor ${key}`, nameRange);
      if (expr) out.set(key, { name: key, nameRange, expr, ...(description ? { description } : {}) });
    }
    return out;
  }

  private templates(node: Node | null | undefined, range: Range): Map<string, TemplateDecl> {
    const out = new Map<string, TemplateDecl>();
    if (!node) return out;
    const map = this.mapping(node, "templates", undefined, range);
    if (!map) return out;
    for (const [key, pair] of map) {
      const nameRange = keyRange(pair);
      if (!this.identifier(key, nameRange, "modelo de texto")) continue;
      let textNode = pair.value;
      let params: Named[] = [];
      let description: string | undefined;
      if (textNode && isMap(textNode)) {
        const long = this.mapping(textNode, `templates.${key}`, ["text", "params", "description"], nameRange);
        textNode = long?.get("text")?.value ?? null;
        params = this.list(long?.get("params")?.value, `templates.${key}.params`, nameRange)
          .map((n) => this.name(n, "parâmetro", nameRange))
          .filter((p): p is Named => p !== undefined && this.identifier(p.name, p.nameRange, "parâmetro"));
        description = this.text(long?.get("description")?.value, `templates.${key}.description`, nameRange);
      }
      if (!textNode) {
        this.error("ruleset/missing-key", `falta "text" no modelo ${key}`, nameRange);
        continue;
      }
      const tpl = this.template(textNode, `templates.${key}`, nameRange, key, params);
      if (tpl) out.set(key, { ...tpl, nameRange, ...(description ? { description } : {}) });
    }
    return out;
  }

  private collections(node: Node | null | undefined, range: Range): Map<string, CollectionDecl> {
    const out = new Map<string, CollectionDecl>();
    if (!node) return out;
    const map = this.mapping(node, "collections", undefined, range);
    if (!map) return out;
    for (const [key, pair] of map) {
      const nameRange = keyRange(pair);
      if (!this.identifier(key, nameRange, "coleção")) continue;
      const what = `collections.${key}`;
      const m = this.mapping(pair.value, what, ["from", "where", "key", "order", "description"], nameRange);
      if (!m) continue;
      const from = this.expression(this.required(m, "from", what, nameRange), `${what}.from`, nameRange);
      if (!from) continue;
      const where = this.expression(m.get("where")?.value, `${what}.where`, nameRange);
      const key_ = this.listOrOne(m.get("key")?.value)
        .map((n) => this.expression(n, `${what}.key`, nameRange))
        .filter((e): e is Expr => !!e);
      const order = this.listOrOne(m.get("order")?.value)
        .map((n) => this.expression(n, `${what}.order`, nameRange))
        .filter((e): e is Expr => !!e);
      const description = this.text(m.get("description")?.value, `${what}.description`, nameRange);
      out.set(key, {
        name: key,
        nameRange,
        from,
        ...(where ? { where } : {}),
        key: key_,
        order,
        ...(description ? { description } : {}),
        range: rangeOf(pair.value as Node),
      });
    }
    return out;
  }

  private table(node: Node): TableDecl | undefined {
    const range = rangeOf(node);
    const m = this.mapping(
      node,
      "a tabela",
      [
        "name",
        "label",
        "description",
        "hitPolicy",
        "aggregate",
        "when",
        "inputs",
        "outputs",
        "labels",
        "outputValues",
        "rows",
        "onNoMatch",
        "impossible",
      ],
      range,
    );
    if (!m) return undefined;
    const named = this.name(m.get("name")?.value, "o nome da tabela (name)", range);
    if (!named || !this.identifier(named.name, named.nameRange, "tabela")) return undefined;
    const what = `a tabela ${named.name}`;
    const hitNode = m.get("hitPolicy")?.value;
    let hitPolicy: HitPolicy = "unique";
    if (hitNode) {
      const h = this.text(hitNode, "hitPolicy", range);
      if (HIT_POLICIES.includes(h as HitPolicy)) hitPolicy = h as HitPolicy;
      else
        this.error(
          "ruleset/structure",
          `política de acerto desconhecida "${h}" (use ${HIT_POLICIES.join(", ")})${didYouMean(h ?? "", HIT_POLICIES)}`,
          rangeOf(hitNode),
        );
    }
    const aggregateNode = m.get("aggregate")?.value;
    let aggregate: Aggregation | undefined;
    if (aggregateNode) {
      const a = this.text(aggregateNode, "aggregate", range);
      if (!AGGREGATIONS.includes(a as Aggregation))
        this.error(
          "ruleset/structure",
          `agregação desconhecida "${a}" (use ${AGGREGATIONS.join(", ")})${didYouMean(a ?? "", AGGREGATIONS)}`,
          rangeOf(aggregateNode),
        );
      else if (hitPolicy !== "collect")
        this.error(
          "table/shape",
          `aggregate só vale com hitPolicy: collect (${what} tem hitPolicy: ${hitPolicy})`,
          rangeOf(aggregateNode),
        );
      else aggregate = a as Aggregation;
    }
    const inputs: TableColumn[] = this.listOrOne(this.required(m, "inputs", what, range)).map((n, i) => {
      const expr = this.expression(n, `a entrada ${i + 1} ${de(what)}`, range);
      const name = expr?.kind === "name" ? expr.name : expr?.kind === "member" ? expr.property : `entrada${i + 1}`;
      return { name, nameRange: rangeOf(n), ...(expr ? { expr } : {}) };
    });
    const outputs: TableColumn[] = this.listOrOne(this.required(m, "outputs", what, range))
      .map((n) => this.name(n, "o nome da saída", range))
      .filter((n): n is Named => n !== undefined && this.identifier(n.name, n.nameRange, "saída de tabela"));
    const rows = this.list(m.get("rows")?.value, `rows ${de(what)}`, range)
      .map((r, i) => this.row(r, i, inputs, outputs, what))
      .filter((r): r is TableRow => r !== undefined);
    const impossible = this.list(m.get("impossible")?.value, `impossible ${de(what)}`, range)
      .map((r, i) => this.impossible(r, i, inputs, what))
      .filter((r): r is ImpossibleDecl => r !== undefined);
    const onNoMatch = this.onNoMatch(m.get("onNoMatch"), outputs, what);
    const outputValues = this.outputValues(m.get("outputValues")?.value, outputs, what, range);
    const labels = this.columnLabels(m.get("labels")?.value, [...inputs, ...outputs], what, range);
    const label = this.text(m.get("label")?.value, "label", range);
    const when = this.expression(m.get("when")?.value, `when ${de(what)}`, range);
    const description = this.text(m.get("description")?.value, "description", range);
    return {
      ...named,
      hitPolicy,
      ...(hitNode ? { hitPolicyRange: rangeOf(hitNode) } : {}),
      ...(aggregate ? { aggregate, aggregateRange: rangeOf(aggregateNode as Node) } : {}),
      ...(outputValues ? { outputValues } : {}),
      ...(label ? { label } : {}),
      ...(labels ? { labels } : {}),
      inputs,
      outputs,
      rows,
      impossible,
      ...(onNoMatch !== undefined ? { onNoMatch } : {}),
      range,
      ...(when ? { when } : {}),
      ...(description ? { description } : {}),
    };
  }

  /**
   * `onNoMatch`: `null` (no row → the table's result is null, or an empty list, on purpose), or a
   * map output column → output cell (what the table gives when no row matches); undefined when
   * the key is absent or unreadable.
   */
  private onNoMatch(
    pair: Pair<Scalar, Node | null> | undefined,
    outputs: readonly TableColumn[],
    what: string,
  ): null | NoMatchOutputs | undefined {
    if (!pair) return undefined;
    const value = pair.value;
    if (value === null || (isScalar(value) && value.value === null)) return null;
    if (isMap(value)) {
      const range = rangeOf(value);
      const names = outputs.map((o) => o.name);
      const m = this.mapping(value, `onNoMatch ${de(what)}`, names, range);
      if (!m) return undefined;
      return {
        outputs: names.map((n) => {
          const cell = m.get(n);
          if (!cell) return undefined;
          return this.literal(cell.value) ?? ({ kind: "literal", literal: { type: "null" }, range } as Expr);
        }),
        range,
      };
    }
    this.error(
      "ruleset/structure",
      `onNoMatch ${de(what)} aceita null (sem linha, o resultado da tabela é nulo) ou um mapa saída: valor (o resultado quando nenhuma linha vale)`,
      value ? rangeOf(value) : keyRange(pair),
    );
    return undefined;
  }

  /** `outputValues`: output column → list of plain values, first = highest priority. */
  private outputValues(
    node: Node | null | undefined,
    outputs: readonly TableColumn[],
    what: string,
    range: Range,
  ): ReadonlyMap<string, OutputValueList> | undefined {
    if (!node) return undefined;
    const m = this.mapping(
      node,
      `outputValues ${de(what)}`,
      outputs.map((o) => o.name),
      range,
    );
    if (!m) return undefined;
    const out = new Map<string, OutputValueList>();
    for (const [name, pair] of m) {
      const list = pair.value;
      if (!list || !isSeq(list) || list.items.length === 0) {
        this.error(
          "ruleset/structure",
          `outputValues.${name} ${de(what)} deve ser uma lista não vazia de valores (o primeiro tem a maior prioridade)`,
          list ? rangeOf(list) : keyRange(pair),
        );
        continue;
      }
      const values: unknown[] = [];
      for (const item of list.items as Node[]) {
        const v = isScalar(item) ? item.value : undefined;
        if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") values.push(v);
        else
          this.error(
            "ruleset/structure",
            `outputValues.${name}: cada valor deve ser um texto, número ou booleano`,
            rangeOf(item),
          );
      }
      out.set(name, { values, range: rangeOf(list) });
    }
    return out;
  }

  /** `labels`: column name (input or output) → the label shown for it. */
  private columnLabels(
    node: Node | null | undefined,
    columns: readonly TableColumn[],
    what: string,
    range: Range,
  ): ReadonlyMap<string, string> | undefined {
    if (!node) return undefined;
    const m = this.mapping(
      node,
      `labels ${de(what)}`,
      columns.map((c) => c.name),
      range,
    );
    if (!m) return undefined;
    const out = new Map<string, string>();
    for (const [name, pair] of m) {
      const text = this.text(pair.value, `labels.${name}`, range);
      if (text) out.set(name, text);
    }
    return out.size ? out : undefined;
  }

  /**
   * An item of `impossible`: input cells only, as a list (one per input column) or a map (input
   * column: cell; absent columns are "any"), read like a row's input cells.
   */
  private impossible(
    node: Node,
    index: number,
    inputs: readonly TableColumn[],
    what: string,
  ): ImpossibleDecl | undefined {
    const range = rangeOf(node);
    const columns = inputs.map((c) => c.name);
    const label = `a combinação impossível ${index + 1} ${de(what)}`;
    let cells: (Node | null | undefined)[];
    let description: string | undefined;
    if (isSeq(node)) {
      cells = node.items as Node[];
      if (cells.length !== columns.length) {
        this.error(
          "table/shape",
          `${label} tem ${cells.length} células, mas a tabela tem ${columns.length} entradas (${columns.join(", ")})`,
          range,
        );
        return undefined;
      }
    } else if (isMap(node)) {
      const m = this.mapping(node, label, [...columns, "description"], range);
      if (!m) return undefined;
      description = this.text(m.get("description")?.value, "description", range);
      cells = columns.map((c) => {
        const pair = m.get(c);
        return pair ? (pair.value ?? null) : undefined;
      });
    } else {
      this.error(
        "table/shape",
        `cada item de impossible ${de(what)} deve ser uma lista de células ou um mapa entrada: valor`,
        range,
      );
      return undefined;
    }
    return {
      inputs: inputs.map((_, i) => this.cell(cells[i], range)),
      range,
      ...(description ? { description } : {}),
    };
  }

  private row(
    node: Node,
    index: number,
    inputs: readonly TableColumn[],
    outputs: readonly TableColumn[],
    what: string,
  ): TableRow | undefined {
    const range = rangeOf(node);
    const columns = [...inputs.map((c) => c.name), ...outputs.map((c) => c.name)];
    let cells: (Node | null | undefined)[];
    let description: string | undefined;
    if (isSeq(node)) {
      cells = node.items as Node[];
      if (cells.length !== columns.length) {
        this.error(
          "table/shape",
          `a linha ${index + 1} ${de(what)} tem ${cells.length} células, mas a tabela tem ${columns.length} colunas (${columns.join(", ")})`,
          range,
        );
        return undefined;
      }
    } else if (isMap(node)) {
      const m = this.mapping(node, `a linha ${index + 1} ${de(what)}`, [...columns, "description"], range);
      if (!m) return undefined;
      description = this.text(m.get("description")?.value, "description", range);
      cells = columns.map((c, i) => {
        const pair = m.get(c);
        if (!pair && i >= inputs.length)
          this.error("table/shape", `falta a saída "${c}" na linha ${index + 1} ${de(what)}`, range);
        return pair ? (pair.value ?? null) : i < inputs.length ? undefined : null;
      });
    } else {
      this.error("table/shape", `cada linha ${de(what)} deve ser uma lista de células ou um mapa coluna: valor`, range);
      return undefined;
    }
    const inputTests = inputs.map((_, i) => this.cell(cells[i], range));
    const outputValues = outputs.map((_, i) => {
      const cell = cells[inputs.length + i];
      return this.literal(cell) ?? ({ kind: "literal", literal: { type: "null" }, range } as Expr);
    });
    return { index, inputs: inputTests, outputs: outputValues, range, ...(description ? { description } : {}) };
  }

  /**
   * An input cell: `-` (or absent) is "any"; text starting with a comparison, a bracket, a quote
   * or `not` is a unary test in the language (YAML needs quotes around most of them:
   * `">= 18"`, `"[1..5]"`); any other text is compared literally, byte for byte (write
   * `= "(texto)"` for a literal that starts like a test). A YAML list means "one of these values".
   */
  private cell(node: Node | null | undefined, rowRange: Range): UnaryTest {
    if (node === undefined) return { kind: "any", range: rowRange };
    if (node === null)
      return {
        kind: "compare",
        operator: "==",
        value: { kind: "literal", literal: { type: "null" }, range: rowRange },
        range: rowRange,
      };
    const range = rangeOf(node);
    if (isSeq(node)) {
      const tests = (node.items as Node[]).map((n) => this.cell(n, range));
      return { kind: "oneOf", tests, range };
    }
    if (isScalar(node) && typeof node.value === "string") {
      const text = node.value;
      const trimmed = text.trim();
      if (trimmed === "-" || trimmed === "") return { kind: "any", range };
      if (/^(?:[<>=![\]("']|not\b)/u.test(trimmed)) {
        this.site(node, "unaryTests");
        return this.take(parseUnaryTests(this.span(node))) ?? { kind: "any", range };
      }
    }
    const value = this.literal(node);
    return {
      kind: "compare",
      operator: "==",
      value: value ?? { kind: "literal", literal: { type: "null" }, range },
      range,
    };
  }

  private rule(node: Node): RuleDecl | undefined {
    const range = rangeOf(node);
    const m = this.mapping(node, "a regra", ["name", "description", "priority", "when", "then", "stop"], range);
    if (!m) return undefined;
    const named = this.name(m.get("name")?.value, "o nome da regra (name)", range);
    if (!named) return undefined;
    const what = `a regra "${named.name}"`;
    const when = this.expression(m.get("when")?.value, `when ${de(what)}`, range);
    const then = this.listOrOne(m.get("then")?.value)
      .map((n) => this.action(n))
      .filter((a): a is Action => a !== undefined);
    if (!m.get("then")?.value) this.error("ruleset/missing-key", `falta "then" ${em(what)}`, named.nameRange);
    const description = this.text(m.get("description")?.value, "description", range);
    return {
      ...named,
      priority: this.integer(m.get("priority")?.value, "priority") ?? 0,
      ...(when ? { when } : {}),
      then,
      stop: this.bool(m.get("stop")?.value, "stop") ?? false,
      range,
      ...(description ? { description } : {}),
    };
  }

  private validations(node: Node | null | undefined, range: Range): ValidationsDecl | undefined {
    const m = this.mapping(node, "validations", ["into", "record", "rules"], range);
    if (!m) return undefined;
    const intoNode = this.required(m, "into", "validations", range);
    const into = this.text(intoNode, "validations.into", range) ?? "";
    const recordMap = m.get("record")?.value
      ? this.mapping(m.get("record")?.value, "validations.record", ["field", "message"], range)
      : undefined;
    const fieldKey = this.text(recordMap?.get("field")?.value, "validations.record.field", range) ?? "field";
    const messageKey = this.text(recordMap?.get("message")?.value, "validations.record.message", range) ?? "message";
    const items = this.list(m.get("rules")?.value, "validations.rules", range)
      .map((n) => this.validation(n))
      .filter((v): v is ValidationDecl => v !== undefined);
    return {
      into,
      intoRange: intoNode ? rangeOf(intoNode) : range,
      fieldKey,
      messageKey,
      items,
      range: rangeOf(node as Node),
    };
  }

  private validation(node: Node): ValidationDecl | undefined {
    const range = rangeOf(node);
    const m = this.mapping(node, "a validação", ["field", "when", "require", "message", "description"], range);
    if (!m) return undefined;
    const fieldNode = this.required(m, "field", "a validação", range);
    const field = this.text(fieldNode, "field", range);
    const require = this.expression(this.required(m, "require", "a validação", range), "require", range);
    const message = this.template(this.required(m, "message", "a validação", range), "message", range);
    if (field === undefined || !require || !message || !fieldNode) return undefined;
    const when = this.expression(m.get("when")?.value, "when", range);
    const description = this.text(m.get("description")?.value, "description", range);
    return {
      field,
      fieldRange: rangeOf(fieldNode),
      require,
      message,
      range,
      ...(when ? { when } : {}),
      ...(description ? { description } : {}),
    };
  }

  private guard(node: Node, what: string): GuardDecl | undefined {
    const range = rangeOf(node);
    const m = this.mapping(node, what, ["require", "reason", "description"], range);
    if (!m) return undefined;
    const require = this.expression(this.required(m, "require", what, range), `require ${de(what)}`, range);
    const reason = this.template(this.required(m, "reason", what, range), `reason ${de(what)}`, range);
    const description = this.text(m.get("description")?.value, "description", range);
    return require && reason ? { require, reason, range, ...(description ? { description } : {}) } : undefined;
  }

  private transitions(node: Node | null | undefined, range: Range): TransitionsDecl | undefined {
    const m = this.mapping(
      node,
      "transitions",
      ["from", "to", "states", "initial", "terminal", "outputs", "guards", "allow", "refusals"],
      range,
    );
    if (!m || !node) return undefined;
    const whole = rangeOf(node);
    const from = this.expression(this.required(m, "from", "transitions", whole), "transitions.from", whole);
    const to = this.expression(this.required(m, "to", "transitions", whole), "transitions.to", whole);
    const states = this.list(this.required(m, "states", "transitions", whole), "transitions.states", whole)
      .map((n) => this.name(n, "estado", whole))
      .filter((n): n is Named => n !== undefined);
    const initial = this.name(this.required(m, "initial", "transitions", whole), "transitions.initial", whole);
    const terminal = this.listOrOne(m.get("terminal")?.value)
      .map((n) => this.name(n, "estado terminal", whole))
      .filter((n): n is Named => n !== undefined);
    const outNode = this.required(m, "outputs", "transitions", whole);
    const outMap = outNode
      ? this.mapping(outNode, "transitions.outputs", ["allowed", "reasons", "missing"], whole)
      : undefined;
    const outName = (k: string) => {
      const v = outMap?.get(k)?.value;
      if (!v) {
        this.error("ruleset/missing-key", `falta "${k}" em transitions.outputs`, outNode ? rangeOf(outNode) : whole);
        return "";
      }
      return this.text(v, `transitions.outputs.${k}`, whole) ?? "";
    };
    const outputs = { allowed: outName("allowed"), reasons: outName("reasons"), missing: outName("missing") };
    const outRange = (k: string) => {
      const v = outMap?.get(k)?.value;
      return v ? rangeOf(v) : outNode ? rangeOf(outNode) : whole;
    };
    const outputRanges = { allowed: outRange("allowed"), reasons: outRange("reasons"), missing: outRange("missing") };
    const guards = this.list(m.get("guards")?.value, "transitions.guards", whole)
      .map((n) => this.guard(n, "a condição geral de transição"))
      .filter((g): g is GuardDecl => g !== undefined);
    const allow = this.list(this.required(m, "allow", "transitions", whole), "transitions.allow", whole)
      .map((n) => this.transition(n))
      .filter((t): t is TransitionDecl => t !== undefined);
    const refMap = m.get("refusals")?.value
      ? this.mapping(
          m.get("refusals")?.value,
          "transitions.refusals",
          ["notAllowed", "terminal", "unknownState", "missingFields"],
          whole,
        )
      : undefined;
    const refusal = (k: string, fallback: string): TemplateDecl => {
      const n = refMap?.get(k)?.value;
      return (
        (n && this.template(n, `transitions.refusals.${k}`, whole)) || {
          name: k,
          nameRange: whole,
          params: [],
          parts: [{ kind: "text", text: fallback }],
          range: whole,
        }
      );
    };
    if (!from || !to || !initial) return undefined;
    return {
      from,
      to,
      states,
      initial,
      terminal,
      outputs,
      outputsRange: outNode ? rangeOf(outNode) : whole,
      outputRanges,
      guards,
      allow,
      refusals: {
        notAllowed: refusal("notAllowed", "transição não permitida"),
        terminal: refusal("terminal", "o estado atual é terminal"),
        unknownState: refusal("unknownState", "estado desconhecido"),
        ...(refMap?.get("missingFields")?.value ? { missingFields: refusal("missingFields", "") } : {}),
      },
      range: whole,
    };
  }

  private transition(node: Node): TransitionDecl | undefined {
    const range = rangeOf(node);
    const m = this.mapping(node, "a transição", ["from", "to", "requires", "guards", "description"], range);
    if (!m) return undefined;
    const from = this.name(this.required(m, "from", "a transição", range), "from", range);
    const to = this.name(this.required(m, "to", "a transição", range), "to", range);
    if (!from || !to) return undefined;
    const requires = this.listOrOne(m.get("requires")?.value)
      .map((n) => {
        const expr = this.expression(n, "requires", range, "requirement");
        if (!expr) return undefined;
        const label =
          expr.kind === "member"
            ? expr.property
            : expr.kind === "name"
              ? expr.name
              : String(isScalar(n) ? n.value : "");
        return { expr, label };
      })
      .filter((r): r is { expr: Expr; label: string } => r !== undefined);
    const guards = this.list(m.get("guards")?.value, "guards", range)
      .map((n) => this.guard(n, "a condição da transição"))
      .filter((g): g is GuardDecl => g !== undefined);
    const description = this.text(m.get("description")?.value, "description", range);
    return {
      from: from.name,
      fromRange: from.nameRange,
      to: to.name,
      toRange: to.nameRange,
      requires,
      guards,
      range,
      ...(description ? { description } : {}),
    };
  }

  private invariant(node: Node): InvariantDecl | undefined {
    const range = rangeOf(node);
    const m = this.mapping(node, "o invariante", ["name", "check", "message", "description"], range);
    if (!m) return undefined;
    const named = this.name(m.get("name")?.value, "o nome do invariante (name)", range);
    const check = this.expression(this.required(m, "check", "o invariante", range), "check", range);
    if (!named || !check) return undefined;
    const message = this.text(m.get("message")?.value, "message", range);
    const description = this.text(m.get("description")?.value, "description", range);
    return { ...named, check, range, ...(message ? { message } : {}), ...(description ? { description } : {}) };
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** Index of the `}` closing a template hole opened before `from`, skipping quoted strings and nested braces. */
function findClosingBrace(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "{") depth++;
    else if (ch === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}
