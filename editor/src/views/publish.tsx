/**
 * Publish: the diff of the draft against the active version (Monaco diff editor), a message, and
 * the publish button, disabled while the draft has errors or failing tests (the reason shown). The
 * service stays the authority: its 422 diagnostics and failing cases are listed in place, and a 409
 * (someone published meanwhile) offers to reload the new active version and re-apply the draft on it.
 * Below the diff, "Simular com decisões reais" (`replay.tsx`) shows what the draft would do to the
 * decisions the service logged.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type ServerDiagnostic } from "../api.js";
import type { DraftTestRun } from "../app-context.js";
import { LANGUAGE_ID, THEME_ID } from "../monaco/regras.js";
import type { Session } from "../session.js";
import { ReplaySection } from "./replay.js";

type ServerProblems =
  | { readonly kind: "diagnostics"; readonly items: readonly ServerDiagnostic[] }
  | { readonly kind: "cases"; readonly items: readonly unknown[] }
  | { readonly kind: "conflict"; readonly message: string };

/** How long the diff's own models outlive the diff editor (see DiffView). */
const MODEL_RELEASE_MS = 5_000;

/** The diff of `original` against the draft's model, or against `modifiedText` (the suite) when given. */
function DiffView(props: { session: Session; original: string; modifiedText?: string | undefined }) {
  const { session, original, modifiedText } = props;
  const host = useRef<HTMLDivElement>(null);
  const name = session.name;
  useEffect(() => {
    const m = session.monaco;
    const own = modifiedText !== undefined ? m.editor.createModel(modifiedText, "plaintext") : undefined;
    const modified = own ?? session.editor()?.getModel();
    if (!host.current || !modified) return;
    const originalModel = m.editor.createModel(original, own ? "plaintext" : LANGUAGE_ID);
    const diff = m.editor.createDiffEditor(host.current, {
      theme: THEME_ID,
      automaticLayout: true,
      readOnly: true,
      originalEditable: false,
      renderSideBySide: true,
      hideUnchangedRegions: { enabled: true },
      minimap: { enabled: false },
      ariaLabel: "Diferença entre a versão ativa e o rascunho",
    });
    diff.setModel({ original: originalModel, modified });
    return () => {
      // Detach first: a diff still being computed must not touch models disposed under it.
      diff.setModel(null);
      diff.dispose();
      // Monaco may still finish a diff (or its hidden-regions pass) on these models after the
      // editor is gone: "Model is disposed!" was seen twice in CI (publish tab, then history,
      // quickly). The two text models are released a moment later instead, once that work ended.
      setTimeout(() => {
        originalModel.dispose();
        own?.dispose();
      }, MODEL_RELEASE_MS);
    };
  }, [session, original, modifiedText, name]);
  return <div class="diff-host" ref={host} />;
}

function caseText(c: unknown): string {
  if (typeof c !== "object" || c === null) return String(c);
  const o = c as Record<string, unknown>;
  const name = typeof o.name === "string" ? o.name : typeof o.case === "string" ? o.case : undefined;
  const message = typeof o.message === "string" ? o.message : undefined;
  if (name || message) return [name, message].filter(Boolean).join(": ");
  return JSON.stringify(c);
}

export function PublishView(props: { session: Session }) {
  const { session } = props;
  const [tests, setTests] = useState<DraftTestRun | "running" | undefined>(undefined);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<ServerProblems | undefined>(undefined);
  const [showing, setShowing] = useState<"source" | "suite">("source");
  const current = session.current();
  const source = current?.source ?? "";
  const suite = current?.suite;

  // Run the suite against the draft whenever the draft changes while this view is open.
  useEffect(() => {
    let live = true;
    setTests("running");
    const timer = setTimeout(() => {
      session.runTests().then(
        (r) => live && setTests(r),
        (e) => {
          if (!live) return;
          setTests(undefined);
          session.fail(e);
        },
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [session, source, suite]);

  if (!current) return <p>Nenhum conjunto de regras aberto.</p>;
  const published = session.published;
  const errors = session.diagnostics().filter((d) => d.severity === "error").length;
  let reason: string | undefined;
  if (!session.permissions.publish) reason = "Seu token não permite publicar (é preciso o papel publisher).";
  else if (!current.editable)
    reason = "Uma versão antiga está aberta só para leitura: volte ao rascunho para publicar.";
  else if (errors > 0)
    reason = `O rascunho tem ${errors} ${errors === 1 ? "erro" : "erros"}: corrija antes de publicar (veja Problemas).`;
  else if (tests === "running") reason = "Rodando os testes do rascunho…";
  else if (tests && !tests.ok && tests.where === "suite") reason = "A suíte de testes tem erros e não pôde ser lida.";
  else if (tests && !tests.ok && tests.where === "source") reason = "O rascunho não compila.";
  else if (tests?.ok && tests.failed > 0)
    reason = `${tests.failed} ${tests.failed === 1 ? "caso de teste falha" : "casos de teste falham"}: veja a aba Testes.`;
  else if (!session.changed)
    reason = `Nada a publicar: o rascunho é igual à versão ativa ${published?.version ?? ""}.`.replace(" .", ".");
  else if (busy) reason = "Publicando…";

  async function publish() {
    const c = session.current();
    const name = session.name;
    if (!c || !name) return;
    setBusy(true);
    setProblems(undefined);
    try {
      const result = await session.api.publish(name, {
        source: c.source,
        ...(c.suite !== undefined ? { tests: c.suite } : {}),
        ...(message.trim() ? { message: message.trim() } : {}),
        ...(c.baseVersion !== undefined ? { baseVersion: c.baseVersion } : {}),
      });
      const detail = await session.api.getRuleSet(name);
      session.rebase(detail);
      session.flushSave();
      setMessage("");
      session.notify(`Versão ${result.version} de ${name} publicada: as próximas decisões já usam esta versão.`);
    } catch (e) {
      if (e instanceof ApiError && e.code === "RULESET_INVALID")
        setProblems({ kind: "diagnostics", items: e.details as ServerDiagnostic[] });
      else if (e instanceof ApiError && e.code === "TESTS_FAILED") setProblems({ kind: "cases", items: e.details });
      else if (e instanceof ApiError && e.status === 409) setProblems({ kind: "conflict", message: e.message });
      else if (e instanceof ApiError && e.status === 403) {
        session.permissions = { ...session.permissions, publish: false };
        session.fail(e);
      } else session.fail(e);
    } finally {
      setBusy(false);
    }
  }

  async function reloadAndReapply() {
    const name = session.name;
    if (!name) return;
    try {
      const detail = await session.api.getRuleSet(name);
      const conflicts = session.reapply(detail);
      setProblems(undefined);
      const by = [...detail.versions].sort((a, b) => b.version - a.version)[0]?.author;
      if (conflicts === 0)
        session.notify(
          `Suas alterações foram reaplicadas sobre a versão ${detail.version}${by ? ` (publicada por ${by})` : ""}. Confira a diferença e publique de novo.`,
        );
      else
        session.notify(
          `A versão ${detail.version}${by ? ` (publicada por ${by})` : ""} mudou as mesmas linhas que o seu rascunho: ele ficou como estava. Compare na diferença abaixo e ajuste antes de publicar, para não desfazer o que a outra pessoa mudou.`,
          "error",
        );
    } catch (e) {
      session.fail(e);
    }
  }

  function jump(d: ServerDiagnostic) {
    const model = session.editor()?.getModel();
    if (!model || d.line === undefined) return;
    const start = model.getOffsetAt({ lineNumber: d.line, column: d.column ?? 1 });
    const end =
      d.endLine !== undefined ? model.getOffsetAt({ lineNumber: d.endLine, column: d.endColumn ?? 1 }) : start + 1;
    session.reveal({ start, end });
  }

  return (
    <section class="publish" aria-label="Publicar">
      <h2>
        Publicar {current.name}{" "}
        <span class="muted">
          {published ? `(diferença para a versão ativa ${published.version})` : "(conjunto novo, nunca publicado)"}
        </span>
      </h2>
      <fieldset class="diff-switch">
        <legend class="visually-hidden">O que comparar</legend>
        <button type="button" aria-pressed={showing === "source"} onClick={() => setShowing("source")}>
          Regras
        </button>
        <button type="button" aria-pressed={showing === "suite"} onClick={() => setShowing("suite")}>
          Testes{(suite ?? "") !== (published?.suite ?? "") ? " (alterados)" : ""}
        </button>
      </fieldset>
      {showing === "source" ? (
        <DiffView session={session} original={published?.source ?? ""} />
      ) : (
        <DiffView session={session} original={published?.suite ?? ""} modifiedText={suite ?? ""} />
      )}
      {published && <ReplaySection session={session} />}
      <form
        class="publish-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!reason) void publish();
        }}
      >
        <label for="publish-message">Mensagem da publicação (o que mudou e por quê)</label>
        <input
          id="publish-message"
          data-testid="publish-message"
          value={message}
          onInput={(e) => setMessage(e.currentTarget.value)}
          placeholder="ex.: serviço Reembolso passa a ser designado à CEPES"
        />
        <button type="submit" class="primary" data-testid="publish-button" disabled={!!reason || busy}>
          Publicar
        </button>
        {reason && (
          <p class="reason" data-testid="publish-reason" role="status">
            {reason}
          </p>
        )}
        {tests && tests !== "running" && tests.ok && (
          <p class="muted">
            Testes do rascunho: {tests.passed} passam, {tests.failed} falham.
          </p>
        )}
      </form>
      {problems?.kind === "conflict" && (
        <div class="server-problems" role="alert">
          <p>{problems.message}</p>
          <button type="button" onClick={() => void reloadAndReapply()}>
            Recarregar a versão ativa e reaplicar meu rascunho
          </button>
        </div>
      )}
      {problems?.kind === "diagnostics" && (
        <div class="server-problems" role="alert">
          <p>O serviço recusou a publicação: o conjunto de regras tem estes problemas.</p>
          <ul>
            {problems.items.map((d, i) => (
              <li key={i}>
                <button type="button" class="link" onClick={() => jump(d)}>
                  {d.line !== undefined ? `linha ${d.line}: ` : ""}
                  {d.message} {d.code ? <span class="code">{d.code}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {problems?.kind === "cases" && (
        <div class="server-problems" role="alert">
          <p>O serviço recusou a publicação: estes casos de teste falham.</p>
          <ul>
            {problems.items.map((c, i) => (
              <li key={i}>{caseText(c)}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
