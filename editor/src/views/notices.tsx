/** Messages to the analyst: errors (`error-banner`, role alert, stay until closed) and short notices. */
import type { Session } from "../session.js";

export function Notices(props: { session: Session }) {
  const { session } = props;
  if (session.notices.length === 0) return null;
  return (
    <div class="notices">
      {session.notices.map((n) => (
        <div
          key={n.id}
          class={`notice notice-${n.kind}`}
          role={n.kind === "error" ? "alert" : "status"}
          {...(n.kind === "error" ? { "data-testid": "error-banner" } : {})}
        >
          <span>{n.message}</span>
          <button type="button" class="link" onClick={() => session.dismiss(n.id)} aria-label="Fechar a mensagem">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
