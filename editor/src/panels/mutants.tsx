/**
 * "Testar a suíte com mutantes" in the tests panel (issue 11, mutation score for QA): sends the
 * draft's source and suite (the texts the panel's test run uses) to the service's mutants endpoint
 * (AppContext.runMutants), shows the score and every surviving mutant — what changed, "nenhum teste
 * pegaria esta mudança", a link to its position in the editor and the suggested case to copy — and
 * puts the survivors in the editor as warnings (AppContext.markMutants, cleared when the draft
 * changes). Texts and markers come from `mutants-model.ts`. Only for the roles that may test drafts
 * on the service (author, publisher).
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { MutantSurvivor, MutantsResult } from "../api.js";
import type { AppContext } from "../app-context.js";
import { leftOutText, mutantsErrorMessage, scoreText, survivorLead } from "./mutants-model.js";

/** A mutants run: the texts it measured and the answer. */
interface Measured {
  readonly source: string;
  readonly suite: string | undefined;
  readonly result: MutantsResult;
}

/** The last run per rule set (kept while the analyst switches tabs). */
const memory = new Map<string, Measured>();

export const MUTANTS_BUTTON = "Testar a suíte com mutantes";

export function MutantsSection(props: { ctx: AppContext; name: string; source: string; suite: string | undefined }) {
  const { ctx, name, source, suite } = props;
  const [measured, setMeasured] = useState<Measured | undefined>(memory.get(name));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const generation = useRef(0);

  useEffect(() => {
    generation.current++;
    setMeasured(memory.get(name));
    setBusy(false);
    setError(undefined);
  }, [name]);

  const allowed = ctx.mayAuthor();
  const fresh = measured !== undefined && measured.source === source && measured.suite === suite;

  // The survivors' ranges hold for the text that was measured: marked in the editor while the draft
  // is that text (after a run, on coming back to the panel or to the rule set, after an undo).
  useEffect(() => {
    if (fresh && measured) ctx.markMutants(measured.result.survivors);
  }, [measured, fresh]);

  const run = async () => {
    const c = ctx.current();
    if (!c) return;
    const ticket = ++generation.current;
    setBusy(true);
    setError(undefined);
    ctx.markMutants([]);
    try {
      const result = await ctx.runMutants();
      if (ticket !== generation.current) return;
      const next: Measured = { source: c.source, suite: c.suite, result };
      memory.set(c.name, next);
      setMeasured(next);
    } catch (e) {
      if (ticket === generation.current) setError(mutantsErrorMessage(e));
    } finally {
      if (ticket === generation.current) setBusy(false);
    }
  };

  let reason: string | undefined;
  if (!allowed) reason = "Seu token não permite rodar mutantes (é preciso o papel author ou publisher).";
  else if (suite === undefined) reason = "Sem suíte de testes não há o que medir.";

  return (
    <section class="mutants" aria-labelledby="mutants-title">
      <h3 id="mutants-title">Mutantes</h3>
      <p class="muted">
        O serviço faz pequenas mudanças no rascunho (troca uma saída de tabela, inverte uma comparação, muda uma
        constante em uma unidade, tira uma linha…) e roda a suíte contra cada uma: uma mudança que nenhum caso pega é um
        buraco da suíte.
      </p>
      <button
        type="button"
        data-testid="mutants-run"
        disabled={busy || reason !== undefined}
        aria-busy={busy}
        onClick={() => void run()}
      >
        {MUTANTS_BUTTON}
      </button>
      {reason && (
        <p class="reason muted" data-testid="mutants-reason" role="status">
          {reason}
        </p>
      )}
      {busy && (
        <p class="muted" data-testid="mutants-status" role="status">
          rodando mutantes… (cada mudança roda a suíte inteira: pode levar alguns segundos)
        </p>
      )}
      {error && !busy && (
        <p class="error" data-testid="mutants-error" role="alert">
          {error}
        </p>
      )}
      {measured && !busy && !error && <MeasuredView ctx={ctx} measured={measured} fresh={fresh} />}
    </section>
  );
}

function MeasuredView(props: { ctx: AppContext; measured: Measured; fresh: boolean }): JSX.Element {
  const { ctx, measured, fresh } = props;
  const r = measured.result;
  const leftOut = leftOutText(r);
  return (
    <>
      <p
        class={r.survived > 0 ? "summary warning" : "summary ok"}
        data-testid="mutants-score"
        data-score={String(r.score)}
        role="status"
      >
        {scoreText(r)}
        {!fresh && <span class="muted"> · o rascunho ou a suíte mudou depois desta medição: rode de novo</span>}
      </p>
      {leftOut && <p class="muted">{leftOut}</p>}
      {r.survivors.length > 0 && fresh && (
        <>
          <p>
            {r.survivors.length === 1
              ? "Esta mudança sobreviveu (marcada no editor):"
              : `Estas ${r.survivors.length} mudanças sobreviveram (marcadas no editor):`}
          </p>
          <ul class="test-cases">
            {r.survivors.map((s) => (
              <SurvivorItem key={s.id} ctx={ctx} s={s} />
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function SurvivorItem(props: { ctx: AppContext; s: MutantSurvivor }): JSX.Element {
  const { ctx, s } = props;
  const pre = useRef<HTMLPreElement>(null);
  const yaml = s.suggestedCase?.yaml;
  const copy = async () => {
    if (yaml === undefined) return;
    try {
      await navigator.clipboard.writeText(yaml);
      ctx.notify("Caso sugerido copiado: cole-o sob cases: na suíte.");
    } catch {
      // No clipboard (permission, insecure origin): select the text so Ctrl+C copies it.
      const node = pre.current;
      const selection = window.getSelection();
      if (node && selection) {
        const range = document.createRange();
        range.selectNodeContents(node);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      ctx.notify("O navegador não deixou copiar: o caso está selecionado, use Ctrl+C.", "error");
    }
  };
  return (
    <li class="case" data-testid="mutant-survivor" data-line={String(s.line)}>
      <button type="button" class="case-name link" onClick={() => ctx.reveal(s.range)}>
        {s.description}
      </button>{" "}
      <span class="muted">
        {survivorLead(s)} · linha {s.line}, coluna {s.column}
      </span>
      {yaml !== undefined ? (
        <figure class="case-figure">
          <figcaption class="muted">Um caso que pegaria esta mudança:</figcaption>
          <pre class="case-text" ref={pre} data-testid="mutant-case">
            {yaml}
          </pre>
          <button type="button" data-testid="mutant-copy" onClick={() => void copy()}>
            Copiar caso sugerido
          </button>
        </figure>
      ) : (
        <p class="muted">
          Nenhum caso sugerido: com os fatos da suíte e os valores escritos nas regras, o original e a mudança decidem
          igual; pode ser uma mudança equivalente, ou pedir fatos que a suíte ainda não tem.
        </p>
      )}
    </li>
  );
}
