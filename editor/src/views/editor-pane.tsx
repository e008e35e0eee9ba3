/** The Monaco editor of the open draft (or of a past version, read-only). One widget, models swapped. */
import { useEffect, useRef } from "preact/hooks";
import { THEME_ID } from "../monaco/regras.js";
import type { Session } from "../session.js";

export function EditorPane(props: { session: Session }) {
  const { session } = props;
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const editor = session.monaco.editor.create(host.current, {
      model: null,
      theme: THEME_ID,
      automaticLayout: true,
      fontSize: 14,
      minimap: { enabled: false },
      tabSize: 2,
      insertSpaces: true,
      wordWrap: "off",
      renderWhitespace: "boundary",
      glyphMargin: false,
      lineDecorationsWidth: 14,
      "semanticHighlighting.enabled": true,
      quickSuggestions: { other: true, comments: false, strings: true },
      ariaLabel: "Texto do conjunto de regras. Ctrl+M alterna o uso da tecla Tab para sair do editor.",
      readOnlyMessage: { value: "Versão publicada aberta só para leitura. Volte ao rascunho para editar." },
    });
    session.attachEditor(editor);
    return () => {
      session.attachEditor(undefined);
      editor.dispose();
    };
  }, [session]);
  return <div class="monaco-host" ref={host} />;
}
