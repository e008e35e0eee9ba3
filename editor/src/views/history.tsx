/** The published versions (author, time, message): open one read-only, or roll back to it. */
import { useEffect, useState } from "preact/hooks";
import { formatTime, type Session } from "../session.js";

export function HistoryView(props: { session: Session }) {
  const { session } = props;
  const [busy, setBusy] = useState<number | undefined>(undefined);
  const name = session.name;

  // Refresh the version list when the view opens (someone may have published meanwhile).
  useEffect(() => {
    if (!name || !session.published) return;
    session.api.getRuleSet(name).then(
      (detail) => session.rebase(detail),
      (e) => session.fail(e),
    );
  }, [session, name]);

  const published = session.published;
  if (!name) return <p>Nenhum conjunto de regras aberto.</p>;
  if (!published) return <p class="muted">{name} ainda não foi publicado: não há histórico.</p>;
  const versions = [...published.versions].sort((a, b) => b.version - a.version);

  async function open(version: number) {
    if (!name) return;
    try {
      session.viewVersion(await session.api.getVersion(name, version));
    } catch (e) {
      session.fail(e);
    }
  }

  async function rollback(version: number) {
    if (!name) return;
    setBusy(version);
    try {
      const unchanged = !session.changed;
      const result = await session.api.rollback(name, version, `Reversão para a versão ${version} pelo editor`);
      const detail = await session.api.getRuleSet(name);
      session.viewVersion(undefined);
      session.rebase(detail);
      if (unchanged) session.resetToPublished();
      session.notify(
        `A versão ${version} voltou a valer, como versão ${result.version}.${unchanged ? "" : " Seu rascunho não publicado foi mantido."}`,
      );
    } catch (e) {
      session.fail(e);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <section class="history" aria-label="Histórico de versões">
      <h2>Histórico de {name}</h2>
      {session.viewingVersion !== undefined && (
        <p class="viewing">
          A versão {session.viewingVersion} está aberta só para leitura no editor.{" "}
          <button type="button" onClick={() => session.viewVersion(undefined)}>
            Voltar ao rascunho
          </button>
        </p>
      )}
      <ul class="versions">
        {versions.map((v) => (
          <li key={v.version} data-testid="version-item" data-version={v.version}>
            <div class="version-head">
              <strong>Versão {v.version}</strong>
              {v.version === published.version && <span class="badge">ativa</span>}
              {v.rolledBackFrom !== undefined && <span class="badge">reversão para a {v.rolledBackFrom}</span>}
            </div>
            <div class="version-meta">
              por <strong>{v.author ?? "desconhecido"}</strong> em {formatTime(v.createdAt)}
            </div>
            <div class="version-message">{v.message || <span class="muted">sem mensagem</span>}</div>
            <div class="version-actions">
              <button type="button" onClick={() => void open(v.version)}>
                Abrir (só leitura)
              </button>
              <button
                type="button"
                data-testid="rollback-button"
                disabled={!session.permissions.publish || v.version === published.version || busy !== undefined}
                title={
                  !session.permissions.publish
                    ? "Seu token não permite reverter (é preciso o papel publisher)."
                    : v.version === published.version
                      ? "Esta já é a versão ativa."
                      : undefined
                }
                onClick={() => void rollback(v.version)}
              >
                {busy === v.version ? "Revertendo…" : "Reverter para esta versão"}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
