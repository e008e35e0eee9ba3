/**
 * "Decisões registradas" (issue 13, promote to test), below the tests panel: the open rule set's
 * latest logged decisions, on request (AppContext.recentDecisions: `GET /v1/decisions`), each with its time,
 * version and key outputs and a "Virar caso de teste" button that turns it into a case appended to
 * the draft's suite (AppContext.promoteDecision: `POST /v1/decisions/:id/promote` with the draft
 * suite; then `setSuite`), saying so, with a warning when the case does not reproduce (masked
 * personal facts the rules read). Texts come from `decisions-model.ts`. Only for the roles that
 * may author (author, publisher).
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { AppContext } from "../app-context.js";
import {
  type DecisionRow,
  decisionRow,
  decisionsErrorMessage,
  promotedMessage,
  RECENT_LIMIT,
} from "./decisions-model.js";

export const DECISIONS_TITLE = "Decisões registradas";
export const PROMOTE_BUTTON = "Virar caso de teste";

export function DecisionsSection(props: { ctx: AppContext; name: string }): JSX.Element | null {
  const { ctx, name } = props;
  const [rows, setRows] = useState<readonly DecisionRow[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [asked, setAsked] = useState(false);
  const [warning, setWarning] = useState<string | undefined>(undefined);
  const generation = useRef(0);
  const allowed = ctx.mayAuthor();

  const load = async () => {
    const ticket = ++generation.current;
    setAsked(true);
    setError(undefined);
    try {
      const page = await ctx.recentDecisions(RECENT_LIMIT);
      if (ticket === generation.current) setRows(page.items.map(decisionRow));
    } catch (e) {
      if (ticket === generation.current) {
        setRows(undefined);
        setError(decisionsErrorMessage(e));
      }
    }
  };

  // Another rule set opened: nothing listed until the analyst asks (no request on every visit).
  useEffect(() => {
    generation.current++;
    setRows(undefined);
    setError(undefined);
    setWarning(undefined);
    setAsked(false);
  }, [name]);

  if (!allowed) return null;

  const promote = async (id: string) => {
    setBusy(id);
    setWarning(undefined);
    try {
      const promoted = await ctx.promoteDecision(id, {});
      if (ctx.current()?.name !== name) return;
      ctx.setSuite(promoted.suite);
      const message = promotedMessage(promoted);
      ctx.notify(message.text);
      setWarning(message.warning);
    } catch (e) {
      ctx.notify(`Não foi possível transformar a decisão em caso de teste: ${decisionsErrorMessage(e)}`, "error");
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section class="decisions" data-testid="decisions">
      <div class="panel-head">
        <h3>{DECISIONS_TITLE}</h3>
        <button type="button" data-testid="decisions-load" onClick={() => void load()}>
          {asked ? "Atualizar" : "Ver as últimas decisões"}
        </button>
      </div>
      {error && (
        <p class="muted" data-testid="decisions-error">
          {error}
        </p>
      )}
      {warning && (
        <p class="warning" role="alert" data-testid="decisions-warning">
          {warning}
        </p>
      )}
      {asked && !error && rows === undefined && <p class="muted">Carregando…</p>}
      {rows?.length === 0 && <p class="muted">Nenhuma decisão registrada para este conjunto de regras.</p>}
      {rows && rows.length > 0 && (
        <ul class="decision-list">
          {rows.map((r) => (
            <li key={r.id} data-testid="decision-row" title={r.id}>
              <span class="muted">
                {r.when} · {r.version} · {r.short}
              </span>{" "}
              <span>{r.outputs}</span>
              {r.note && <span class="muted"> ({r.note})</span>}{" "}
              <button type="button" disabled={busy !== undefined} onClick={() => void promote(r.id)}>
                {busy === r.id ? "Transformando…" : PROMOTE_BUTTON}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
