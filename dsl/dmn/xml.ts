/**
 * Untrusted XML (DMN models, TCK test files) → a small element tree, through saxes (a
 * well-kept streaming parser; we never parse XML by hand). Imported files come from anywhere, so:
 *
 * - no document type declaration is accepted (`<!DOCTYPE ...>`: DMN never needs one; refusing it
 *   means no entity is ever defined, let alone expanded — billion laughs and external entities
 *   cannot happen); only the five predefined entities and character references are read;
 * - the text is at most `maxBytes` (default 10 MB), elements nest at most `maxDepth` (default 64)
 *   deep, and a document holds at most `maxElements` (default 200,000) elements;
 * - any malformation is an error with its line and column (nothing half-read is returned).
 *
 * Namespaces are resolved (`uri` + `local` name); positions are kept for diagnostics.
 */
import { SaxesParser, type SaxesTagNS } from "saxes";

export interface XmlElement {
  /** Local name (`decisionTable`), without prefix. */
  readonly local: string;
  /** Namespace URI ("" when none). */
  readonly uri: string;
  /** Attributes by qualified name as written (`hitPolicy`, `xsi:type`); see `attrNs` for namespaced ones. */
  readonly attrs: Readonly<Record<string, string>>;
  /** Namespaced attributes by `{uri}local` (`{http://www.w3.org/2001/XMLSchema-instance}type`). */
  readonly attrNs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated text directly inside the element (CDATA included), as written. */
  readonly text: string;
  /** 1-based line and column where saxes reports the start tag (the column is that of its closing `>`). */
  readonly line: number;
  readonly column: number;
}

export interface XmlLimits {
  readonly maxBytes?: number;
  readonly maxDepth?: number;
  readonly maxElements?: number;
}

export const XML_LIMITS = { maxBytes: 10 * 1024 * 1024, maxDepth: 64, maxElements: 200_000 } as const;

export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";

/** An XML file that cannot be read: a Portuguese message with where it was found. */
export class XmlError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line !== undefined ? `linha ${line}, coluna ${column ?? 1}: ${message}` : message);
    this.name = "XmlError";
  }
}

interface Building {
  local: string;
  uri: string;
  attrs: Record<string, string>;
  attrNs: Record<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
  column: number;
}

/** Parses `input` (text or UTF-8 bytes) into its root element; throws `XmlError`. */
export function parseXml(input: string | Uint8Array, limits: XmlLimits = {}): XmlElement {
  const maxBytes = limits.maxBytes ?? XML_LIMITS.maxBytes;
  const maxDepth = limits.maxDepth ?? XML_LIMITS.maxDepth;
  const maxElements = limits.maxElements ?? XML_LIMITS.maxElements;
  // A string's UTF-8 size is at least its length in UTF-16 units: a huge one is refused unencoded.
  const size =
    typeof input === "string"
      ? input.length > maxBytes
        ? input.length
        : new TextEncoder().encode(input).byteLength
      : input.byteLength;
  if (size > maxBytes)
    throw new XmlError(`o arquivo tem ${size} bytes, acima do limite de ${maxBytes} bytes para um arquivo importado`);
  let text = typeof input === "string" ? input : new TextDecoder("utf-8", { fatal: false }).decode(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let failure: XmlError | undefined;
  const fail = (message: string): void => {
    failure ??= new XmlError(message, parser.line, Math.max(1, parser.column));
  };

  parser.on("error", (e) => {
    // saxes prefixes "line:column: "; keep our own position format.
    fail(`XML malformado: ${e.message.replace(/^\d+:\d+:\s*/, "")}`);
  });
  parser.on("doctype", () =>
    fail("declarações DOCTYPE não são aceitas em arquivos importados (entidades nunca são expandidas)"),
  );
  parser.on("opentag", (tag: SaxesTagNS) => {
    if (failure) return;
    count++;
    if (count > maxElements) return fail(`o arquivo tem mais de ${maxElements} elementos`);
    if (stack.length >= maxDepth) return fail(`elementos aninhados mais de ${maxDepth} níveis`);
    const attrs: Record<string, string> = Object.create(null);
    const attrNs: Record<string, string> = Object.create(null);
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === "xmlns" || a.name === "xmlns") continue;
      attrs[a.name] = a.value;
      if (a.uri) attrNs[`{${a.uri}}${a.local}`] = a.value;
    }
    stack.push({
      local: tag.local,
      uri: tag.uri,
      attrs,
      attrNs,
      children: [],
      text: "",
      line: parser.line,
      column: Math.max(1, parser.column),
    });
  });
  const addText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top && !failure) top.text += t;
  };
  parser.on("text", addText);
  parser.on("cdata", addText);
  parser.on("closetag", () => {
    if (failure) return;
    const done = stack.pop();
    if (!done) return;
    const element: XmlElement = done;
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
  });
  try {
    parser.write(text).close();
  } catch (e) {
    fail(`XML malformado: ${e instanceof Error ? e.message.replace(/^\d+:\d+:\s*/, "") : String(e)}`);
  }
  if (failure) throw failure;
  if (!root) throw new XmlError("o arquivo não tem um elemento raiz");
  return root;
}

/** The children of `el` with this local name (any namespace). */
export function childrenNamed(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local);
}

/** The first child of `el` with this local name, or undefined. */
export function childNamed(el: XmlElement, local: string): XmlElement | undefined {
  return el.children.find((c) => c.local === local);
}

/** The `xsi:type` of an element (`xsd:decimal` → `decimal`), or undefined. */
export function xsiType(el: XmlElement): string | undefined {
  const t = el.attrNs[`{${XSI_NS}}type`];
  return t === undefined ? undefined : t.replace(/^[^:]*:/, "");
}

/** Whether the element says `xsi:nil="true"`. */
export function xsiNil(el: XmlElement): boolean {
  return el.attrNs[`{${XSI_NS}}nil`] === "true";
}
