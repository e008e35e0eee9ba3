/**
 * The tests panel: runs the draft's suite against the draft (AppContext.runTests: tester/ in the
 * editor's worker), shows pass/fail per case with expected vs actual, opens a case (its text in the
 * suite and, in the editor, what it fired: rules, table rows, transitions) and marks in the editor's gutter the rules, table
 * rows and transitions no case exercises (`ctx.highlight("uncovered", ...)`). Below, for authors and
 * publishers, "Testar a suíte com mutantes" (`mutants.tsx`): the same draft and suite measured on
 * the service against small changes of the rule set.
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { createLineIndex } from "../../../dsl/positions.js";
import type { RuleSetModel } from "../../../dsl/ruleset/model.js";
import { loadRuleSet } from "../../../dsl/ruleset/load.js";
import { firedRanges } from "../../simulate/fired.js";
import type { AppContext, DraftCaseResult, DraftTestRun } from "../app-context.js";
import { DecisionsSection } from "./decisions.js";
import { MutantsSection } from "./mutants.js";
import { useDraft } from "./use-draft.js";
import "./panels.css";

/** A suite run: the texts it ran on and what came back. */
interface Run {
  readonly source: string;
  readonly suite: string | undefined;
  readonly result: DraftTestRun;
}

/** The last run per rule set (kept while the analyst switches tabs). */
const memory = new Map<string, Run>();

/** How long after the last change the suite runs again on its own (once it has been run). */
const RERUN_DELAY_MS = 800;

export function TestsPanel(props: { ctx: AppContext }): JSX.Element {
  const { ctx } = props;
  const current = useDraft(ctx);
  const name = current?.name ?? "";
  const [run, setRun] = useState<Run | undefined>(memory.get(name));
  const [busy, setBusy] = useState(false);
  const generation = useRef(0);
  const runSource = run?.source;
  const model = useMemo(() => (runSource !== undefined ? loadRuleSet(runSource).model : undefined), [runSource]);

  const runTests = async () => {
    const c = ctx.current();
    if (!c) return;
    const ticket = ++generation.current;
    setBusy(true);
    try {
      const result = await ctx.runTests();
      if (ticket !== generation.current) return;
      const next: Run = { source: c.source, suite: c.suite, result };
      memory.set(c.name, next);
      setRun(next);
      ctx.highlight("uncovered", result.ok ? result.uncovered.map((u) => u.range) : []);
    } catch (e) {
      if (ticket === generation.current)
        ctx.notify(`Não foi possível rodar os testes: ${e instanceof Error ? e.message : String(e)}`, "error");
    } finally {
      if (ticket === generation.current) setBusy(false);
    }
  };

  // Another rule set opened: its own last run.
  useEffect(() => {
    setRun(memory.get(name));
  }, [name]);

  // First visit: run once. After that, run again shortly after the draft or the suite changes.
  const stale =
    run !== undefined && current !== undefined && (run.source !== current.source || run.suite !== current.suite);
  useEffect(() => {
    if (!current) return;
    if (!run) {
      void runTests();
      return;
    }
    if (!stale) return;
    const timer = setTimeout(() => void runTests(), RERUN_DELAY_MS);
    return () => clearTimeout(timer);
    // runTests reads the context when it runs; the texts are the dependencies.
  }, [current?.name, current?.source, current?.suite, run === undefined]);

  if (!current) return <p class="muted">Abra um conjunto de regras para rodar os testes.</p>;

  return (
    <div class="panel tests-panel">
      <div class="panel-head">
        <h2>Testes</h2>
        <button type="button" class="primary" data-testid="tests-run" disabled={busy} onClick={() => void runTests()}>
          {busy ? "Rodando…" : "Rodar testes"}
        </button>
      </div>
      {!run && <p class="muted">Rodando a suíte…</p>}
      {run && <RunView ctx={ctx} run={run} stale={stale} model={model} />}
      {current.editable && (
        <MutantsSection ctx={ctx} name={current.name} source={current.source} suite={current.suite} />
      )}
      {current.editable && <DecisionsSection ctx={ctx} name={current.name} />}
    </div>
  );
}

function RunView(props: { ctx: AppContext; run: Run; stale: boolean; model: RuleSetModel | undefined }): JSX.Element {
  const { ctx, run, stale, model } = props;
  const r = run.result;
  if (!r.ok && r.where === "none")
    return (
      <div data-testid="tests-summary" data-status="none">
        <p>Este conjunto de regras ainda não tem suíte de testes.</p>
        <p class="muted">Na aba Simular, “Salvar como caso de teste” começa a suíte com o caso simulado.</p>
      </div>
    );
  if (!r.ok) {
    const index = r.where === "suite" && run.suite !== undefined ? createLineIndex(run.suite) : undefined;
    return (
      <div data-testid="tests-summary" data-status="error" class="error">
        <p>
          {r.where === "source"
            ? "O rascunho tem erros: corrija-os para rodar os testes."
            : "A suíte de testes tem erros e não pode ser rodada:"}
        </p>
        <ul>
          {r.diagnostics.slice(0, 20).map((d) => {
            const at = index?.toPosition(d.range.start);
            return (
              <li key={`${d.range.start}:${d.code}:${d.message}`}>
                {at ? (
                  <span class="muted">
                    suíte, linha {at.line}, coluna {at.column}:{" "}
                  </span>
                ) : null}
                {r.where === "source" ? (
                  <button type="button" class="link" onClick={() => ctx.reveal(d.range)}>
                    {d.message}
                  </button>
                ) : (
                  d.message
                )}{" "}
                <span class="code">{d.code}</span>
              </li>
            );
          })}
        </ul>
      </div>
    );
  }
  const total = r.passed + r.failed;
  const failing = r.cases.filter((c) => !c.passed);
  return (
    <>
      <p
        data-testid="tests-summary"
        data-status={r.failed > 0 ? "fail" : "pass"}
        role="status"
        class={r.failed > 0 ? "summary error" : "summary ok"}
      >
        {r.failed > 0
          ? `${r.failed} de ${total} ${total === 1 ? "caso falhou" : "casos falharam"}`
          : `${total === 1 ? "O caso passou" : `Os ${total} casos passaram`}`}{" "}
        · cobertura {formatPercent(r.percent)}
        {stale && <span class="muted"> · o rascunho mudou: rodando de novo…</span>}
      </p>
      {failing.length > 0 && <p class="muted">Os casos que falharam vêm primeiro.</p>}
      <ul class="test-cases">
        {[...failing, ...r.cases.filter((c) => c.passed)].map((c) => (
          <CaseItem key={c.name} ctx={ctx} c={c} suite={run.suite} model={model} />
        ))}
      </ul>
      <section class="coverage">
        <h3>Cobertura</h3>
        {r.uncovered.length === 0 ? (
          <p class="ok">Todas as regras, linhas de tabela e transições são exercitadas por algum caso.</p>
        ) : (
          <>
            <p>
              Nenhum caso exercita {r.uncovered.length === 1 ? "este item" : `estes ${r.uncovered.length} itens`}{" "}
              (marcados na margem do editor):
            </p>
            <ul class="uncovered">
              {r.uncovered.map((u) => (
                <li key={u.ref}>
                  <button type="button" class="link" onClick={() => ctx.reveal(u.range)}>
                    {u.name}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}

function CaseItem(props: {
  ctx: AppContext;
  c: DraftCaseResult;
  suite: string | undefined;
  model: RuleSetModel | undefined;
}): JSX.Element {
  const { ctx, c, suite, model } = props;
  const [open, setOpen] = useState(!c.passed);
  const fired = firedNames(c.actual);
  /** Opens the case: its details here, and what it fired highlighted and shown in the editor. */
  const toggle = () => {
    setOpen(!open);
    if (open || !model) return;
    const ranges = firedRanges(model, fired);
    ctx.highlight("decided", ranges);
    if (ranges[0]) ctx.reveal(ranges[0]);
  };
  const detailsId = `case-${c.line}-${c.column}`;
  return (
    <li data-testid="test-case" data-status={c.passed ? "pass" : "fail"} class={c.passed ? "case pass" : "case fail"}>
      <button type="button" class="case-name link" aria-expanded={open} aria-controls={detailsId} onClick={toggle}>
        <span aria-hidden="true">{c.passed ? "✓" : "✗"}</span> {c.name}
      </button>{" "}
      <span class="muted">
        {c.passed ? "passou" : "falhou"} · suíte, linha {c.line}
      </span>
      {open && (
        <div id={detailsId} class="case-details">
          {c.differences.length > 0 && (
            <table class="differences">
              <thead>
                <tr>
                  <th scope="col">Campo</th>
                  <th scope="col">Esperado</th>
                  <th scope="col">Obtido</th>
                  <th scope="col">Problema</th>
                </tr>
              </thead>
              <tbody>
                {c.differences.map((d) => (
                  <tr key={`${d.path}:${d.message}`}>
                    <td>
                      <code>{d.path || "(decisão)"}</code>
                    </td>
                    <td>
                      <code>{JSON.stringify(d.expected) ?? "—"}</code>
                    </td>
                    <td>
                      <code>{JSON.stringify(d.actual) ?? "—"}</code>
                    </td>
                    <td>{d.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p class="muted">Disparou: {fired.length > 0 ? fired.join(" · ") : "nada (ou a decisão terminou em erro)"}</p>
          <CaseText suite={suite} line={c.line} />
          <details>
            <summary>Decisão obtida</summary>
            <pre>{JSON.stringify(c.actual, null, 2)}</pre>
          </details>
        </div>
      )}
    </li>
  );
}

/** The names of what a case's decision fired (`actual.fired`), none for an error. */
function firedNames(actual: unknown): string[] {
  const fired = typeof actual === "object" && actual !== null ? (actual as { fired?: unknown }).fired : undefined;
  return Array.isArray(fired) ? fired.filter((f): f is string => typeof f === "string") : [];
}

/** The case as written in the suite: from its line to the next case (or the end of the list). */
function CaseText(props: { suite: string | undefined; line: number }): JSX.Element | null {
  const { suite, line } = props;
  if (suite === undefined || line <= 0) return null;
  const lines = suite.split(/\r?\n/);
  const first = lines[line - 1] ?? "";
  const indent = first.length - first.trimStart().length;
  // The case's `-` sits two columns before its first key (`  - name:`), or at its column.
  const dash = first.slice(0, indent).endsWith("- ") ? indent - 2 : indent;
  const out = [first];
  for (let i = line; i < lines.length; i++) {
    const l = lines[i] as string;
    const ind = l.length - l.trimStart().length;
    if (l.trim() !== "" && ind <= dash && !l.trimStart().startsWith("#")) break;
    out.push(l);
  }
  // Blank lines and the next section's comments (at the cases' column) belong to what follows.
  const trailing = (l: string) =>
    l.trim() === "" || (l.trimStart().startsWith("#") && l.length - l.trimStart().length <= dash);
  while (out.length > 1 && trailing(out[out.length - 1] as string)) out.pop();
  return (
    <figure class="case-figure">
      <figcaption class="muted">Na suíte, a partir da linha {line}:</figcaption>
      <pre class="case-text">{out.join("\n")}</pre>
    </figure>
  );
}

function formatPercent(p: number): string {
  return `${String(p).replace(".", ",")}%`;
}
