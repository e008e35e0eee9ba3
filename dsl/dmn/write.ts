/**
 * A tiny XML writer for the DMN export: elements, attributes and text, escaped, indented two
 * spaces, deterministic (attributes in the order given). Writing XML by hand is safe when every
 * text and attribute goes through `escapeText`/`escapeAttr`; reading XML is xml.ts's job only.
 */

export interface XmlNode {
  readonly name: string;
  /** Attributes in the order they are written; undefined values are left out. */
  readonly attrs: readonly (readonly [string, string | undefined])[];
  readonly children: readonly XmlNode[];
  /** Text content (an element has text or children, not both). */
  readonly text?: string;
}

/** An element with attributes and children. */
export function el(
  name: string,
  attrs: readonly (readonly [string, string | undefined])[] = [],
  children: readonly (XmlNode | undefined | false)[] = [],
): XmlNode {
  return { name, attrs, children: children.filter((c): c is XmlNode => !!c) };
}

/** An element holding only text. */
export function textEl(
  name: string,
  text: string,
  attrs: readonly (readonly [string, string | undefined])[] = [],
): XmlNode {
  return { name, attrs, children: [], text };
}

/** Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF) become U+FFFD. */
function xmlChars(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s.slice(i, i + 2);
        i++;
      } else out += "\ufffd";
      continue;
    }
    const bad =
      (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) ||
      (c >= 0xdc00 && c <= 0xdfff) ||
      c === 0xfffe ||
      c === 0xffff;
    out += bad ? "\ufffd" : s.charAt(i);
  }
  return out;
}

export function escapeText(s: string): string {
  return xmlChars(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
}

export function escapeAttr(s: string): string {
  return xmlChars(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}

function write(node: XmlNode, indent: string, out: string[]): void {
  const attrs = node.attrs
    .filter((a): a is readonly [string, string] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join("");
  if (node.text !== undefined) {
    out.push(`${indent}<${node.name}${attrs}>${escapeText(node.text)}</${node.name}>`);
    return;
  }
  if (node.children.length === 0) {
    out.push(`${indent}<${node.name}${attrs}/>`);
    return;
  }
  out.push(`${indent}<${node.name}${attrs}>`);
  for (const c of node.children) write(c, `${indent}  `, out);
  out.push(`${indent}</${node.name}>`);
}

/** The document: XML declaration, then the root element; ends with a newline. */
export function writeXml(root: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  write(root, "", out);
  return `${out.join("\n")}\n`;
}
