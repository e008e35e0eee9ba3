/**
 * The rule sets on the service: name, description, active version and the last change (who, when,
 * message), plus drafts of new rule sets kept in this browser; open one, or create one from a
 * template.
 */
import { useEffect, useState } from "preact/hooks";
import type { RuleSetDetail, RuleSetSummary, VersionMeta } from "../api.js";
import { formatTime, type Session } from "../session.js";
import { NAME_PATTERN } from "../template.js";

interface Row {
  readonly summary: RuleSetSummary;
  readonly last: VersionMeta | undefined;
}

function lastChange(detail: RuleSetDetail | undefined): VersionMeta | undefined {
  if (!detail) return undefined;
  return [...detail.versions].sort((a, b) => b.version - a.version)[0];
}

export function Browse(props: {
  session: Session;
  /** The list is on screen (the page then loads the editor's code in the background). */
  onListed(): void;
  onOpen(name: string): void;
  onCreate(name: string): void;
}) {
  const { session } = props;
  const [rows, setRows] = useState<Row[] | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const [newName, setNewName] = useState("");
  const drafts = session.drafts.names();

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const list = await session.api.listRuleSets();
        if (!live) return;
        // The list first; each rule set's last change (its versions) fills in when it arrives.
        setRows(list.map((summary) => ({ summary, last: undefined })));
        const details = await Promise.all(list.map((r) => session.api.getRuleSet(r.name).catch(() => undefined)));
        if (live) setRows(list.map((summary, i) => ({ summary, last: lastChange(details[i]) })));
      } catch (e) {
        if (!live) return;
        setFailed(true);
        session.fail(e);
      }
    })();
    return () => {
      live = false;
    };
  }, [session]);

  const listed = rows !== undefined || failed;
  useEffect(() => {
    if (listed) props.onListed();
  }, [listed]);

  const known = new Set(rows?.map((r) => r.summary.name));
  const newDrafts = drafts.filter((d) => !known.has(d));
  const nameProblem =
    newName === ""
      ? undefined
      : !NAME_PATTERN.test(newName)
        ? "Use letras minúsculas, dígitos e hífen (até 64), começando por letra ou dígito."
        : known.has(newName) || drafts.includes(newName)
          ? "Já existe um conjunto de regras (ou rascunho) com esse nome."
          : undefined;

  return (
    <main class="browse">
      <h1>Conjuntos de regras</h1>
      {!rows && !failed && <p class="muted">Carregando…</p>}
      {rows && (
        <ul class="ruleset-list" data-testid="ruleset-list">
          {rows.map(({ summary, last }) => (
            <li key={summary.name} class="ruleset-item" data-testid="ruleset-item" data-name={summary.name}>
              <button type="button" class="ruleset-open" onClick={() => props.onOpen(summary.name)}>
                <span class="ruleset-name">{summary.name}</span>
                {drafts.includes(summary.name) && <span class="badge">rascunho não publicado</span>}
              </button>
              <p class="ruleset-description">{summary.description || "Sem descrição."}</p>
              <p class="ruleset-meta">
                Versão ativa <strong>{summary.version ?? "—"}</strong>
                {last && (
                  <>
                    {" · "}última alteração: versão {last.version} por <strong>{last.author ?? "desconhecido"}</strong>{" "}
                    em {formatTime(last.createdAt)}
                    {last.message ? <> — “{last.message}”</> : null}
                  </>
                )}
              </p>
            </li>
          ))}
          {newDrafts.map((name) => (
            <li key={name} class="ruleset-item" data-testid="ruleset-item" data-name={name}>
              <button type="button" class="ruleset-open" onClick={() => props.onOpen(name)}>
                <span class="ruleset-name">{name}</span>
                <span class="badge">novo, nunca publicado</span>
              </button>
              <p class="ruleset-description">Rascunho guardado neste navegador.</p>
            </li>
          ))}
        </ul>
      )}
      {rows && rows.length === 0 && newDrafts.length === 0 && <p>Nenhum conjunto de regras publicado ainda.</p>}
      <form
        class="new-ruleset"
        onSubmit={(e) => {
          e.preventDefault();
          if (newName && !nameProblem) props.onCreate(newName);
        }}
      >
        <h2>Novo conjunto de regras</h2>
        <label for="new-name">Nome (como aparece na URL do serviço)</label>
        <div class="row">
          <input
            id="new-name"
            value={newName}
            placeholder="ex.: triagem-ouvidoria"
            aria-invalid={!!nameProblem}
            aria-describedby="new-name-help"
            onInput={(e) => setNewName(e.currentTarget.value)}
          />
          <button type="submit" data-testid="new-ruleset" disabled={!newName || !!nameProblem}>
            Criar a partir do modelo
          </button>
        </div>
        <p id="new-name-help" class={nameProblem ? "error" : "muted"}>
          {nameProblem ?? "O novo conjunto começa de um modelo pequeno, com fatos, saídas, regras e testes."}
        </p>
      </form>
    </main>
  );
}
