/**
 * The published versions (author, time, message): open one read-only, or roll back to it. With
 * the vigência timeline of the service (`GET /v1/rulesets/{name}/timeline`), each version shows its
 * vigência and whether it is in force now, scheduled or over, and the timeline is listed above.
 */
import { useEffect, useState } from "preact/hooks";
import type { TimelineEntry, VersionMeta } from "../api.js";
import { formatTime, type Session } from "../session.js";

/** A version's state over the timeline: in force now, scheduled, over, or never in force. */
export function versionState(
  version: number,
  timeline: readonly TimelineEntry[],
): "em vigor" | "agendada" | "encerrada" | "nunca em vigor" {
  const mine = timeline.filter((e) => e.version === version);
  if (mine.some((e) => e.state === "em vigor")) return "em vigor";
  if (mine.some((e) => e.state === "agendada")) return "agendada";
  return mine.length > 0 ? "encerrada" : "nunca em vigor";
}

/** The vigência a version was published with, as analysts read it. */
export function vigenciaText(v: VersionMeta): string | undefined {
  if (v.effectiveFrom === undefined && v.effectiveUntil === undefined) return undefined;
  const from = v.effectiveFrom !== undefined ? `de ${formatTime(v.effectiveFrom)}` : "desde a publicação";
  const until = v.effectiveUntil !== undefined ? ` até ${formatTime(v.effectiveUntil)}` : " sem fim";
  return `Vigência ${from}${until}`;
}

export function HistoryView(props: { session: Session }) {
  const { session } = props;
  const [busy, setBusy] = useState<number | undefined>(undefined);
  const [timeline, setTimeline] = useState<readonly TimelineEntry[] | undefined>(undefined);
  const name = session.name;
  const newest = session.published?.version;

  // The vigência timeline, again whenever the newest version changes (a publish, a roll back).
  useEffect(() => {
    if (!name || newest === undefined) return;
    let live = true;
    session.api.timeline(name).then(
      (t) => {
        if (live) setTimeline(t);
      },
      () => {
        if (live) setTimeline(undefined);
      },
    );
    return () => {
      live = false;
    };
  }, [session, name, newest]);

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
      {timeline && timeline.length > 0 && (
        <section class="timeline" aria-label="Linha do tempo da vigência">
          <h3>Linha do tempo da vigência</h3>
          <ol data-testid="timeline">
            {timeline.map((e) => (
              <li key={`${e.version}@${e.from}`} data-state={e.state}>
                <strong>Versão {e.version}</strong> {e.state} — de {formatTime(e.from)}
                {e.until ? ` até ${formatTime(e.until)}` : " em diante"} ({e.reason})
              </li>
            ))}
          </ol>
        </section>
      )}
      <ul class="versions">
        {versions.map((v) => {
          const state = timeline ? versionState(v.version, timeline) : undefined;
          const vigencia = vigenciaText(v);
          return (
            <li key={v.version} data-testid="version-item" data-version={v.version} data-state={state}>
              <div class="version-head">
                <strong>Versão {v.version}</strong>
                {v.version === published.version && <span class="badge">ativa</span>}
                {state !== undefined && (
                  <span
                    class="badge"
                    data-testid="version-state"
                    style={state === "agendada" ? { background: "#dbeafe", color: "#1e3a8a" } : undefined}
                  >
                    {state}
                  </span>
                )}
                {v.rolledBackFrom !== undefined && <span class="badge">reversão para a {v.rolledBackFrom}</span>}
              </div>
              <div class="version-meta">
                por <strong>{v.author ?? "desconhecido"}</strong> em {formatTime(v.createdAt)}
              </div>
              {vigencia && <div class="version-vigencia">{vigencia}</div>}
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
          );
        })}
      </ul>
    </section>
  );
}
