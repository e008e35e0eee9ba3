/**
 * Locates the first syntax error of a JSON text (RFC 8259), with a Portuguese message. Used only
 * after `JSON.parse` failed, to tell the analyst where (V8's messages do not always carry a
 * position). Iterative: deeply nested input cannot overflow the stack.
 */

export interface JsonErrorLocation {
  /** Offset of the error (UTF-16 code units). */
  readonly offset: number;
  readonly message: string;
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonError(text: string): JsonErrorLocation | undefined {
  const n = text.length;
  const stack: ("{" | "[")[] = [];
  let i = 0;
  let state: "value" | "key" | "after" = "value";

  const found = (at: number): string =>
    at >= n ? "o fim do texto" : `'${String.fromCodePoint(text.codePointAt(at) ?? 0)}'`;
  const fail = (at: number, message: string): JsonErrorLocation => ({ offset: at, message });
  const skipWhiteSpace = () => {
    while (i < n) {
      const c = text[i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") i++;
      else break;
    }
  };
  /** Reads a string starting at `i` (a `"`); returns an error or advances `i` past it. */
  const readString = (): JsonErrorLocation | undefined => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail(i, "quebra de linha ou caractere de controle dentro de um texto (escreva \\n, \\t...)");
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === undefined) break;
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            return fail(i, "escape \\u inválido: use \\u seguido de 4 dígitos hexadecimais");
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) return fail(i, `escape inválido '\\${e}' dentro de um texto`);
        i += 2;
        continue;
      }
      i++;
    }
    return fail(n, "texto sem as aspas duplas de fechamento");
  };

  skipWhiteSpace();
  if (i >= n) return fail(0, "o JSON está vazio");
  for (;;) {
    skipWhiteSpace();
    if (state === "after" && stack.length === 0) {
      return i < n ? fail(i, `não esperava ${found(i)} depois do fim do JSON`) : undefined;
    }
    if (i >= n) return fail(n, "o JSON terminou antes do esperado (falta fechar um objeto, uma lista ou um valor)");
    const c = text[i] as string;
    if (state === "value") {
      if (c === "{" || c === "[") {
        stack.push(c);
        i++;
        skipWhiteSpace();
        if (text[i] === (c === "{" ? "}" : "]")) {
          stack.pop();
          i++;
          state = "after";
        } else {
          state = c === "{" ? "key" : "value";
        }
        continue;
      }
      if (c === '"') {
        const e = readString();
        if (e) return e;
        state = "after";
        continue;
      }
      if (c === "-" || (c >= "0" && c <= "9")) {
        NUMBER_RE.lastIndex = i;
        const m = NUMBER_RE.exec(text);
        if (!m) return fail(i, "número inválido");
        i += m[0].length;
        state = "after";
        continue;
      }
      const word = ["true", "false", "null"].find((w) => text.startsWith(w, i));
      if (word) {
        i += word.length;
        state = "after";
        continue;
      }
      return fail(
        i,
        `esperava um valor (texto entre aspas duplas, número, true, false, null, objeto ou lista), mas encontrou ${found(i)}`,
      );
    }
    if (state === "key") {
      if (c !== '"') return fail(i, `esperava o nome de um campo entre aspas duplas, mas encontrou ${found(i)}`);
      const e = readString();
      if (e) return e;
      skipWhiteSpace();
      if (text[i] !== ":") return fail(i, `esperava ':' depois do nome do campo, mas encontrou ${found(i)}`);
      i++;
      state = "value";
      continue;
    }
    // state === "after", inside a container
    const top = stack[stack.length - 1];
    const close = top === "{" ? "}" : "]";
    if (c === ",") {
      i++;
      state = top === "{" ? "key" : "value";
      continue;
    }
    if (c === close) {
      stack.pop();
      i++;
      continue;
    }
    return fail(i, `esperava ',' ou '${close}', mas encontrou ${found(i)}`);
  }
}
