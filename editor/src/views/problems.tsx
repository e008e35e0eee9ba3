/** The draft's problems (diagnostics), each a button that jumps to its place in the editor. */
import type { Session } from "../session.js";

const SEVERITY = { error: "Erro", warning: "Aviso", info: "Info" } as const;

export function Problems(props: { session: Session }) {
  const { session } = props;
  const model = session.editor()?.getModel();
  const diagnostics = session.diagnostics();
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  return (
    <section class="problems" aria-label="Problemas">
      <h2>
        Problemas{" "}
        <span class="count">
          {errors} {errors === 1 ? "erro" : "erros"}, {warnings} {warnings === 1 ? "aviso" : "avisos"}
        </span>
      </h2>
      <ul data-testid="problems">
        {diagnostics.map((d, i) => {
          const line = model && !model.isDisposed() ? model.getPositionAt(d.range.start).lineNumber : undefined;
          return (
            <li key={`${i}-${d.range.start}-${d.code}`}>
              <button
                type="button"
                class={`problem problem-${d.severity}`}
                data-testid="problem"
                data-line={line}
                onClick={() => session.reveal(d.range)}
              >
                <span class="sev">{SEVERITY[d.severity]}</span>
                {line !== undefined && <span class="where">linha {line}</span>}
                <span class="msg">{d.message}</span>
                <span class="code">{d.code}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {diagnostics.length === 0 && <p class="muted">Nenhum problema encontrado.</p>}
    </section>
  );
}
