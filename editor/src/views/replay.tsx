/**
 * "Simular com decisões reais" in the publish view, next to the diff (issue 13, blast radius):
 * sends the draft to `POST /v1/rulesets/:name/replay` and shows what it would do to the decisions
 * the service logged — the summary lines, each group (output, from → to, how many) with its sample
 * decisions and the rules and table rows responsible, each a link to its range in the draft. Texts
 * come from `replay-model.ts`. Only for the roles that may test drafts on the service (author,
 * publisher).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ReplayResult } from "../api.js";
import type { Session } from "../session.js";
import {
  REPLAY_BUTTON,
  replayErrorMessage,
  responsibleRange,
  responsibleText,
  sampleText,
  windowText,
} from "./replay-model.js";
import type { ResponsibleRef } from "../../../tester/replay.js";

interface Replayed {
  readonly source: string;
  readonly result: ReplayResult;
}

/** The last replay per rule set: a link to a row opens the editor tab, coming back shows it again. */
const memory = new Map<string, Replayed>();

export function ReplaySection(props: { session: Session }) {
  const { session } = props;
  const name = session.name;
  const source = session.current()?.source ?? "";
  const [replayed, setReplayed] = useState<Replayed | undefined>(name ? memory.get(name) : undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const generation = useRef(0);

  useEffect(() => {
    generation.current++;
    setReplayed(name ? memory.get(name) : undefined);
    setBusy(false);
    setError(undefined);
  }, [name]);

  if (!name || !session.permissions.author) return null;
  const stale = replayed !== undefined && replayed.source !== source;

  const run = async () => {
    const ticket = ++generation.current;
    setBusy(true);
    setError(undefined);
    try {
      const result = await session.api.replay(name, { source });
      memory.set(name, { source, result });
      if (ticket === generation.current) setReplayed({ source, result });
    } catch (e) {
      if (ticket === generation.current) setError(replayErrorMessage(e));
    } finally {
      if (ticket === generation.current) setBusy(false);
    }
  };

  const jump = (r: ResponsibleRef) => {
    const range = responsibleRange(r);
    const model = session.editor()?.getModel();
    if (!range || !model) return;
    const start = model.getOffsetAt({ lineNumber: range.line, column: range.column });
    const end = model.getOffsetAt({ lineNumber: range.endLine, column: range.endColumn });
    session.reveal({ start, end: Math.max(end, start + 1) });
  };

  const result = replayed?.result;
  return (
    <section class="replay" aria-label="Simular com decisões reais" data-testid="replay">
      <button type="button" data-testid="replay-button" disabled={busy} onClick={() => void run()}>
        {busy ? "Simulando…" : REPLAY_BUTTON}
      </button>
      {error && (
        <p class="server-problems" role="alert" data-testid="replay-error">
          {error}
        </p>
      )}
      {result && (
        <div data-testid="replay-result">
          <p class="muted">
            {windowText(result)}
            {stale ? " O rascunho mudou desde esta simulação: simule de novo." : ""}
          </p>
          <ul class="replay-lines">
            {result.lines.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ul>
          {result.groups.map((g, i) => (
            <details key={i} open={i === 0}>
              <summary>{g.line}</summary>
              <ul>
                {g.samples.map((s) => (
                  <li key={s.id}>
                    <span class="code">{sampleText(s)}</span>
                    {s.responsible.length > 0 && (
                      <ul>
                        {s.responsible.map((r, j) => (
                          <li key={j}>
                            {responsibleRange(r) && !stale ? (
                              <button type="button" class="link" onClick={() => jump(r)}>
                                {`linha ${r.line}: ${responsibleText(r)}`}
                              </button>
                            ) : (
                              responsibleText(r)
                            )}
                          </li>
                        ))}
                      </ul>
                    )}
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </div>
      )}
    </section>
  );
}
