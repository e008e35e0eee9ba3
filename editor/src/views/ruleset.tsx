/**
 * The open rule set: tabs (editor, tables, simulate, tests, publish, history), the Monaco editor
 * with its problems list, and the side panels. The editor stays mounted across tabs (the panels
 * highlight and reveal in it); CSS decides what each tab shows.
 */
import type { JSX } from "preact";
import { findPanel, type Panel } from "../panel-registry.js";
import type { Session, Tab } from "../session.js";
import { formatTime } from "../session.js";
import { EditorPane } from "./editor-pane.js";
import { HistoryView } from "./history.js";
import { Problems } from "./problems.js";
import { PublishView } from "./publish.js";

const TABS: readonly { readonly id: Tab; readonly label: string }[] = [
  { id: "editor", label: "Editor" },
  { id: "grid", label: "Tabelas" },
  { id: "simulate", label: "Simular" },
  { id: "tests", label: "Testes" },
  { id: "publish", label: "Publicar" },
  { id: "history", label: "Histórico" },
];

const PANELS: Partial<Record<Tab, Panel | undefined>> = {
  grid: findPanel("grid", "GridPanel"),
  simulate: findPanel("simulate", "SimulatePanel"),
  tests: findPanel("tests", "TestsPanel"),
};

function Placeholder(props: { label: string }) {
  return <p class="muted">O painel “{props.label}” ainda não está disponível nesta versão do editor.</p>;
}

function DraftStatus(props: { session: Session }) {
  const { session } = props;
  let text: string;
  let state: string;
  if (session.viewingVersion !== undefined) {
    text = `Versão ${session.viewingVersion} (só leitura)`;
    state = "readonly";
  } else if (!session.changed) {
    text = session.published ? `Sem alterações (versão ativa ${session.published.version})` : "Sem alterações";
    state = "clean";
  } else if (session.savedAt) {
    text = `Alterações não publicadas · rascunho salvo neste navegador às ${formatTime(session.savedAt)}`;
    state = "saved";
  } else {
    text = "Alterações não publicadas · salvando…";
    state = "saving";
  }
  return (
    <span class={`draft-status draft-${state}`} data-testid="draft-status" data-state={state} role="status">
      {text}
    </span>
  );
}

export function RuleSetView(props: { session: Session; onBack(): void }) {
  const { session, onBack } = props;
  const tab = session.tab;
  const current = session.current();
  if (!current) return null;
  const label = TABS.find((t) => t.id === tab)?.label ?? "";
  let side: JSX.Element | null = null;
  if (tab === "publish") side = <PublishView session={session} />;
  else if (tab === "history") side = <HistoryView session={session} />;
  else if (tab !== "editor") {
    const P = PANELS[tab];
    side = P ? <P ctx={session} /> : <Placeholder label={label} />;
  }
  return (
    <main class="ruleset-view">
      <div class="ruleset-bar">
        <button type="button" class="link" onClick={onBack}>
          ← Conjuntos de regras
        </button>
        <h1>{current.name}</h1>
        <DraftStatus session={session} />
        {session.viewingVersion !== undefined && (
          <button type="button" onClick={() => session.viewVersion(undefined)}>
            Voltar ao rascunho
          </button>
        )}
        {session.changed && session.published && session.viewingVersion === undefined && (
          <button
            type="button"
            class="link"
            onClick={() => {
              if (window.confirm("Descartar o rascunho e voltar à versão ativa?")) session.resetToPublished();
            }}
          >
            Descartar rascunho
          </button>
        )}
      </div>
      <div class="tabs" role="tablist" aria-label="Seções do conjunto de regras">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls="workspace"
            data-testid={`tab-${t.id}`}
            class={tab === t.id ? "tab active" : "tab"}
            onClick={() => session.setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id="workspace" class={`workspace tab-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
        <section class="editor-pane" aria-label="Editor">
          <EditorPane session={session} />
          <Problems session={session} />
        </section>
        <section class="side-pane" aria-label={label}>
          {side}
        </section>
      </div>
    </main>
  );
}
