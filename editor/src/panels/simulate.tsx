/**
 * The simulator panel: a form generated from the draft's fact declarations (editor/simulate/form.ts),
 * "Simular" decides the facts with the draft (AppContext.decide: compile + decide with explain in
 * the editor's worker) and shows the decision and the explain trace; what fired is highlighted in
 * the editor (`ctx.highlight("decided", ...)`) and in the table grid (./decided.ts). "Salvar como
 * caso de teste" appends the facts and the decision to the draft's suite (editor/simulate/case.ts).
 * "Por que não…?", next to the decision, asks the worker why the decision does not give a picked
 * output value (engine/why-not.ts on the draft; editor/simulate/why-not.ts): the candidate rules
 * and rows, each blocking condition with the values it read, and the smallest change of facts,
 * each clickable to where it is written.
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { assertNever } from "../../../dsl/exhaustive.js";
import { loadRuleSet } from "../../../dsl/ruleset/load.js";
import { appendCase, type SimulationOutcome } from "../../simulate/case.js";
import {
  buildForm,
  emptyValue,
  type FormField,
  type FormValue,
  type FormValues,
  factsFromValues,
  initialValues,
  isMapEntry,
  type MapEntry,
} from "../../simulate/form.js";
import type { AppContext, DraftDecision, DraftTraceEntry, SourceRange } from "../app-context.js";
import {
  type DraftWhyNot,
  type OutputChoice,
  outputChoices,
  suggestionText,
  valueLabel,
  wantedValue,
} from "../../simulate/why-not.js";
import { workerClient } from "../worker/client.js";
import { setDecided } from "./decided.js";
import { showValue, useDraft } from "./use-draft.js";
import "./panels.css";

/** A simulation run: the facts sent, the draft text it ran on, and what came back. */
interface Run {
  readonly facts: Record<string, unknown>;
  readonly source: string;
  readonly result: DraftDecision;
}

/** How long after the last change of the draft the form is read again. */
const FORM_DELAY_MS = 400;

/** Runs already saved as test cases (saving one twice would add the same case twice). */
const savedRuns = new WeakSet<Run>();

/** Form values and the last run, per rule set (kept while the analyst switches tabs). */
const memory = new Map<string, { values: FormValues; run?: Run }>();

export function SimulatePanel(props: { ctx: AppContext }): JSX.Element {
  const { ctx } = props;
  const current = useDraft(ctx);
  const name = current?.name ?? "";
  const source = current?.source ?? "";
  // The form follows the draft's fact declarations, read again shortly after the typing stops
  // (reading the YAML costs tens of milliseconds on the main thread); while the YAML cannot be
  // read, the last form read stays.
  const [formSource, setFormSource] = useState({ name, source });
  useEffect(() => {
    if (formSource.name !== name) {
      setFormSource({ name, source });
      return;
    }
    if (formSource.source === source) return;
    const timer = setTimeout(() => setFormSource({ name, source }), FORM_DELAY_MS);
    return () => clearTimeout(timer);
  }, [name, source]);
  const lastGood = useRef<{ name: string; fields: FormField[] } | undefined>(undefined);
  const fields = useMemo(() => {
    const model = loadRuleSet(formSource.source).model;
    if (!model) return lastGood.current?.name === formSource.name ? lastGood.current.fields : undefined;
    const read = buildForm(model.facts);
    lastGood.current = { name: formSource.name, fields: read };
    return read;
  }, [formSource]);
  const remembered = memory.get(name);
  const [values, setValues] = useState<FormValues>(() => remembered?.values ?? (fields ? initialValues(fields) : {}));
  const [run, setRun] = useState<Run | undefined>(remembered?.run);
  const [busy, setBusy] = useState(false);
  const [, setSavedTick] = useState(0);
  const [formProblems, setFormProblems] = useState<readonly string[]>([]);
  const shownFor = useRef(name);

  // Another rule set opened: its own values and run.
  useEffect(() => {
    if (shownFor.current === name) return;
    shownFor.current = name;
    const m = memory.get(name);
    // Empty values until its form is read (then the declared defaults, below).
    setValues(m?.values ?? {});
    setRun(m?.run);
    setFormProblems([]);
  }, [name]);

  useEffect(() => {
    memory.set(name, { values, ...(run ? { run } : {}) });
  }, [name, values, run]);

  // The form appears once the draft can be read: start from the declared defaults.
  useEffect(() => {
    if (fields && Object.keys(values).length === 0) setValues(initialValues(fields));
  }, [fields]);

  if (!current) return <p class="muted">Abra um conjunto de regras para simular.</p>;
  if (!fields)
    return (
      <p class="muted" role="status">
        O rascunho tem erros de YAML: corrija-os no editor para simular.
      </p>
    );

  const simulate = async () => {
    const { facts, problems } = factsFromValues(fields, values);
    setFormProblems(problems.map((p) => p.message));
    if (problems.length > 0) return;
    setBusy(true);
    try {
      const simulated = source;
      const result = await ctx.decide(facts);
      setRun({ facts, source: simulated, result });
      if (result.ok) {
        ctx.highlight("decided", rangesOf(result.firedRefs, result.refRanges));
        setDecided({ ruleset: name, source: simulated, firedRefs: result.firedRefs });
      } else {
        ctx.highlight("decided", []);
        setDecided(undefined);
      }
    } catch (e) {
      ctx.notify(`Não foi possível simular: ${e instanceof Error ? e.message : String(e)}`, "error");
    } finally {
      setBusy(false);
    }
  };

  const outcome = run ? outcomeOf(run.result) : undefined;
  const saveAsCase = () => {
    if (!run || !outcome) return;
    const result = appendCase(current.suite, name, { facts: run.facts, outcome });
    if (!result.ok) {
      ctx.notify(`Não foi possível salvar o caso de teste: ${result.message}.`, "error");
      return;
    }
    ctx.setSuite(result.text);
    savedRuns.add(run);
    setSavedTick((t) => t + 1);
    ctx.notify(`Caso de teste “${result.name}” adicionado à suíte.`, "info");
  };

  return (
    <div class="panel simulate-panel">
      <h2>Simular uma decisão</h2>
      <p class="muted">
        Preencha os fatos e clique em Simular: a decisão é tomada com o rascunho, sem publicar. Campos marcados com{" "}
        <span class="required-mark">*</span> são obrigatórios; campos vazios não são enviados.
      </p>
      <form
        class="sim-form"
        onSubmit={(e) => {
          e.preventDefault();
          void simulate();
        }}
      >
        {fields.length === 0 && <p class="muted">Este conjunto de regras não declara fatos.</p>}
        {fields.map((f) => (
          <FieldEditor
            key={f.path}
            id={`fact-${idPart(f.name)}`}
            field={f}
            value={values[f.name] ?? emptyValue(f)}
            onChange={(v) => setValues({ ...values, [f.name]: v })}
          />
        ))}
        {formProblems.length > 0 && (
          <ul class="form-problems error" role="alert">
            {formProblems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        <div class="actions">
          <button type="submit" class="primary" data-testid="simulate-run" disabled={busy}>
            {busy ? "Simulando…" : "Simular"}
          </button>
          <button
            type="button"
            onClick={() => {
              setValues(initialValues(fields));
              setFormProblems([]);
            }}
          >
            Limpar formulário
          </button>
          <button
            type="button"
            data-testid="save-as-case"
            disabled={!outcome || !current.editable || (run !== undefined && savedRuns.has(run))}
            title={
              !current.editable
                ? "Uma versão aberta só para leitura não recebe casos de teste."
                : run && savedRuns.has(run)
                  ? "Esta simulação já foi salva como caso de teste."
                  : outcome
                    ? "Acrescenta estes fatos e esta decisão à suíte de testes do rascunho."
                    : "Simule primeiro."
            }
            onClick={saveAsCase}
          >
            Salvar como caso de teste
          </button>
        </div>
      </form>
      {run && <RunResult ctx={ctx} run={run} stale={run.source !== source} />}
    </div>
  );
}

/** The outcome a test case can expect; undefined when the draft did not compile. */
function outcomeOf(result: DraftDecision): SimulationOutcome | undefined {
  if (result.ok) return { kind: "decision", decision: result.decision };
  if (result.kind === "compile") return undefined;
  const paths = result.details.flatMap((d) =>
    typeof d === "object" && d !== null && typeof (d as { path?: unknown }).path === "string"
      ? [(d as { path: string }).path]
      : [],
  );
  return { kind: "error", code: result.code, paths };
}

function rangesOf(refs: readonly string[], ranges: Readonly<Record<string, SourceRange>>): SourceRange[] {
  return refs.flatMap((ref) => {
    const r = ranges[ref];
    return r ? [r] : [];
  });
}

function RunResult(props: { ctx: AppContext; run: Run; stale: boolean }): JSX.Element {
  const { ctx, run, stale } = props;
  const [all, setAll] = useState(false);
  const r = run.result;
  return (
    <section class="sim-result" data-testid="simulate-result" aria-live="polite" data-ok={String(r.ok)}>
      <h3>Resultado</h3>
      {stale && <p class="muted">O rascunho mudou depois desta simulação: simule de novo para atualizar.</p>}
      {!r.ok && r.kind === "compile" && (
        <div class="error">
          <p>O rascunho tem erros e não pode ser simulado:</p>
          <ul>
            {r.diagnostics.slice(0, 10).map((d) => (
              <li key={`${d.range.start}:${d.code}`}>
                <button type="button" class="link" onClick={() => ctx.reveal(d.range)}>
                  {d.message}
                </button>{" "}
                <span class="code">{d.code}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {!r.ok && r.kind === "decision" && (
        <div class="error">
          <p>
            <strong>{r.code}</strong>: {r.message}
          </p>
          {r.details.length > 0 && (
            <ul>
              {r.details.map((d) => {
                const o = (typeof d === "object" && d !== null ? d : {}) as { path?: unknown; message?: unknown };
                const text = `${typeof o.path === "string" ? `${o.path}: ` : ""}${typeof o.message === "string" ? o.message : JSON.stringify(d)}`;
                return <li key={text}>{text}</li>;
              })}
            </ul>
          )}
        </div>
      )}
      {r.ok && (
        <>
          <table class="decision">
            <caption>Decisão</caption>
            <tbody>
              {Object.entries(r.decision).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>
                    <code>{showValue(v)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <strong>Disparou:</strong> {r.fired.length > 0 ? r.fired.join(" · ") : "nenhuma regra"}
          </p>
          <WhyNot ctx={ctx} run={run} decision={r.decision} />
          <div class="trace-head">
            <h4>Explicação</h4>
            <label>
              <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} /> mostrar também o
              que não disparou
            </label>
          </div>
          <ol class="trace">
            {r.trace
              .filter((t) => all || t.matched === true)
              .map((t) => (
                <TraceItem key={`${t.line}:${t.column}:${t.name}`} ctx={ctx} entry={t} run={run} />
              ))}
          </ol>
        </>
      )}
    </section>
  );
}

/**
 * "Por que não…?": pick an output and a value (the declared values offered, or typed), ask the
 * editor's worker (the same path as the simulation: the draft, not the service), and show the
 * candidates, what blocked each one and the smallest change of facts, each clickable.
 */
function WhyNot(props: { ctx: AppContext; run: Run; decision: Readonly<Record<string, unknown>> }): JSX.Element | null {
  const { ctx, run, decision } = props;
  const choices = useMemo<OutputChoice[]>(() => {
    const model = loadRuleSet(run.source).model;
    return model ? outputChoices(model) : [];
  }, [run.source]);
  const [output, setOutput] = useState("");
  const [picked, setPicked] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<DraftWhyNot | undefined>(undefined);
  // A new simulation: the last answer was about another decision.
  useEffect(() => setAnswer(undefined), [run]);
  const choice = choices.find((c) => c.name === output) ?? choices[0];
  if (!choice) return null;
  const options = choice.values;
  const ask = async () => {
    const value = options.length > 0 ? (options[Number(picked)] ?? options[0] ?? null) : wantedValue(choice, picked);
    setBusy(true);
    try {
      setAnswer(
        await workerClient().request("whyNot", {
          source: run.source,
          facts: run.facts,
          want: { [choice.name]: value },
        }),
      );
    } catch (e) {
      ctx.notify(`Não foi possível responder: ${e instanceof Error ? e.message : String(e)}`, "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="why-not" data-testid="why-not">
      <form
        class="why-not-ask"
        onSubmit={(e) => {
          e.preventDefault();
          void ask();
        }}
      >
        <label for="why-not-output">Por que não…?</label>{" "}
        <select
          id="why-not-output"
          data-testid="why-not-output"
          value={choice.name}
          onChange={(e) => {
            setOutput(e.currentTarget.value);
            setPicked("");
          }}
        >
          {choices.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>{" "}
        ={" "}
        {options.length > 0 ? (
          <select
            aria-label={`Valor desejado de ${choice.name}`}
            data-testid="why-not-value"
            value={picked === "" ? "0" : picked}
            onChange={(e) => setPicked(e.currentTarget.value)}
          >
            {options.map((v, i) => (
              <option key={String(v)} value={String(i)}>
                {valueLabel(v)}
              </option>
            ))}
          </select>
        ) : (
          <input
            type="text"
            aria-label={`Valor desejado de ${choice.name}`}
            data-testid="why-not-value"
            placeholder="valor desejado (ou null)"
            value={picked}
            onInput={(e) => setPicked(e.currentTarget.value)}
          />
        )}{" "}
        <button type="submit" data-testid="why-not-run" disabled={busy}>
          {busy ? "Procurando…" : "Por que não?"}
        </button>
      </form>
      {answer && <WhyNotAnswer ctx={ctx} answer={answer} decision={decision} />}
    </section>
  );
}

function WhyNotAnswer(props: {
  ctx: AppContext;
  answer: DraftWhyNot;
  decision: Readonly<Record<string, unknown>>;
}): JSX.Element {
  const { ctx, answer, decision } = props;
  if (!answer.ok)
    return (
      <p class="error" role="alert" data-testid="why-not-answer">
        {answer.message}
      </p>
    );
  const r = answer.result;
  const wanted = Object.entries(r.wanted)
    .map(([k, v]) => `${k} = ${showValue(v)}`)
    .join(" e ");
  if (r.already)
    return (
      <p data-testid="why-not-answer" class="ok">
        A decisão já dá {wanted}.
      </p>
    );
  const got = Object.keys(r.wanted)
    .map((k) => `${k} = ${showValue(decision[k] ?? null)}`)
    .join(" e ");
  const link = (text: string, range: { start: number; end: number } | null | undefined) =>
    range ? (
      <button type="button" class="link" onClick={() => ctx.reveal(range)} title="Mostrar no editor">
        {text}
      </button>
    ) : (
      <span>{text}</span>
    );
  const suggestion = suggestionText(r);
  return (
    <div data-testid="why-not-answer">
      <p>
        Por que não {wanted}? A decisão dá {got}.
      </p>
      {r.candidates.length === 0 ? (
        <p class="muted">Nenhuma regra ou linha de tabela pode dar esse valor.</p>
      ) : (
        <ol class="why-not-candidates">
          {r.candidates.map((c, i) => (
            <li key={`${c.position.line}:${c.position.column}`} data-testid="why-not-candidate">
              {link(answer.labels[i] ?? c.name, answer.ranges[i]?.at)}
              <ul class="conditions">
                {c.blocking.map((b, j) => (
                  <li key={j} class="error">
                    ✗{" "}
                    {b.kind === "condition" ? (
                      <code>{link(b.text, answer.ranges[i]?.blocking[j])}</code>
                    ) : (
                      link(b.text, answer.ranges[i]?.blocking[j])
                    )}
                    {Object.keys(b.values).length > 0 && (
                      <span class="muted">
                        {" "}
                        — {b.kind === "condition" ? "falsa com " : ""}
                        {Object.entries(b.values)
                          .map(([k, v]) => `${k} = ${showValue(v)}`)
                          .join(", ")}
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
      {r.moreCandidates > 0 && <p class="muted">… e mais {r.moreCandidates} candidatas não mostradas.</p>}
      {suggestion ? (
        <p data-testid="why-not-suggestion">
          <strong>Menor mudança:</strong> {suggestion} <span class="muted">(conferida decidindo de novo)</span>
        </p>
      ) : (
        <p class="muted" data-testid="why-not-suggestion">
          Sem sugestão: {r.message}
        </p>
      )}
    </div>
  );
}

function TraceItem(props: { ctx: AppContext; entry: DraftTraceEntry; run: Run }): JSX.Element {
  const { ctx, entry, run } = props;
  const range = traceRange(entry, run);
  const state = entry.matched === true ? "sim" : entry.matched === false ? "não" : "não avaliada";
  return (
    <li class={`trace-item trace-${entry.matched === true ? "hit" : entry.matched === false ? "miss" : "skip"}`}>
      <div>
        {range ? (
          <button type="button" class="link" onClick={() => ctx.reveal(range)} title="Mostrar no editor">
            {entry.name}
          </button>
        ) : (
          <span>{entry.name}</span>
        )}{" "}
        <span class="muted">
          (linha {entry.line} do arquivo) · disparou: {state}
        </span>
        {entry.note && <div class="muted">{entry.note}</div>}
      </div>
      {entry.conditions.length > 0 && (
        <ul class="conditions">
          {entry.conditions.map((c, i) => (
            <li key={i} class={c.result === true ? "ok" : c.result === false ? "error" : "muted"}>
              <code>{c.text}</code> — valor {showValue(c.factValue)}
              {c.result === true ? " ✓" : c.result === false ? " ✗" : ""}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/** Where a trace entry is written: the engine rule whose range starts at the entry's line and column. */
function traceRange(entry: DraftTraceEntry, run: Run): SourceRange | undefined {
  if (!run.result.ok) return undefined;
  const offset = offsetOf(run.source, entry.line, entry.column);
  return Object.values(run.result.refRanges).find((r) => r.start === offset);
}

function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return at + column - 1;
}

/** A name as part of an element id. */
function idPart(name: string): string {
  return name.replace(/[^\p{L}\p{N}_-]/gu, "_");
}

/** One field of the form (recursive for objects, lists and free keys). */
function FieldEditor(props: {
  field: FormField;
  value: FormValue;
  onChange(value: FormValue): void;
  /** The element id: `fact-<name>`, then `-<field>` or `-<position>` for what is inside. */
  id: string;
  /** A list item or a free-key value: labelled by its container. */
  label?: string;
}): JSX.Element {
  const { field, value, onChange, id } = props;
  const text = props.label ?? field.name;
  const c = field.control;
  const help = field.description ? `${id}-help` : undefined;
  const caption = (
    <>
      {text}
      {field.required && field.name !== "" && (
        <span class="required-mark" title="obrigatório">
          *<span class="sr-only"> (obrigatório)</span>
        </span>
      )}
    </>
  );
  const description = field.description && (
    <small id={help} class="muted field-help">
      {field.description}
    </small>
  );
  const str = typeof value === "string" ? value : "";
  switch (c.kind) {
    case "object":
    case "list":
    case "map":
    case "multiselect":
      return (
        <fieldset class={`field field-${c.kind}`} aria-describedby={help}>
          <legend>{caption}</legend>
          {description}
          {c.kind === "object" &&
            c.fields.map((f) => {
              const o = (typeof value === "object" && value !== null && !Array.isArray(value) ? value : {}) as {
                readonly [key: string]: FormValue;
              };
              return (
                <FieldEditor
                  key={f.path}
                  id={`${id}-${idPart(f.name)}`}
                  field={f}
                  value={o[f.name] ?? emptyValue(f)}
                  onChange={(v) => onChange({ ...o, [f.name]: v })}
                />
              );
            })}
          {c.kind === "multiselect" &&
            c.options.map((option) => {
              const list = Array.isArray(value) ? (value as readonly FormValue[]) : [];
              const checked = list.includes(option);
              return (
                <label key={option} class="option">
                  <input
                    type="checkbox"
                    checked={checked}
                    onChange={(e) =>
                      onChange(
                        e.currentTarget.checked
                          ? c.options.filter((o) => o === option || list.includes(o))
                          : list.filter((o) => o !== option),
                      )
                    }
                  />{" "}
                  {option}
                </label>
              );
            })}
          {c.kind === "list" && (
            <ListEditor id={id} field={field} item={c.item} max={c.maxItems} value={value} onChange={onChange} />
          )}
          {c.kind === "map" && <MapEditor id={id} field={field} item={c.value} value={value} onChange={onChange} />}
        </fieldset>
      );
    case "checkbox":
      return (
        <div class="field field-checkbox">
          <Checkbox id={id} value={value} onChange={onChange} help={help} />
          <label for={id}>{caption}</label>
          {value !== undefined && !field.required && field.default === undefined && (
            <button type="button" class="link" onClick={() => onChange(undefined)} aria-label={`Não informar ${text}`}>
              não informar
            </button>
          )}
          {value === undefined && <span class="muted"> (não informado)</span>}
          {description}
        </div>
      );
    case "select":
      return (
        <div class="field">
          <label for={id}>{caption}</label>
          <select id={id} value={str} aria-describedby={help} onChange={(e) => onChange(e.currentTarget.value)}>
            <option value="">— não informado —</option>
            {c.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          {description}
        </div>
      );
    case "number":
    case "date":
    case "datetime":
    case "duration":
    case "text":
    case "json": {
      const attrs = inputAttributes(field);
      return (
        <div class="field">
          <label for={id}>{caption}</label>
          <input
            id={id}
            {...attrs}
            value={str}
            aria-describedby={help}
            onInput={(e) => onChange(e.currentTarget.value)}
          />
          {description}
        </div>
      );
    }
    default:
      return assertNever(c, "form control");
  }
}

function inputAttributes(field: FormField): JSX.InputHTMLAttributes<HTMLInputElement> {
  const c = field.control;
  switch (c.kind) {
    case "number": {
      const bounds =
        c.minimum !== undefined && c.maximum !== undefined
          ? `de ${c.minimum} a ${c.maximum}`
          : c.minimum !== undefined
            ? `a partir de ${c.minimum}`
            : c.maximum !== undefined
              ? `até ${c.maximum}`
              : c.integer
                ? "número inteiro"
                : "número";
      return { type: "text", inputMode: c.integer ? "numeric" : "decimal", placeholder: bounds };
    }
    case "date":
      return { type: "date" };
    case "datetime":
      return { type: "datetime-local", step: 1 };
    case "duration":
      return { type: "text", placeholder: "ex.: 2h, 10d, 30min" };
    case "json":
      return { type: "text", placeholder: 'texto ou JSON: "a", 10, [1, 2], {"x": 1}' };
    default:
      return { type: "text" };
  }
}

/** A checkbox that also shows "not informed" (indeterminate) for an undefined value. */
function Checkbox(props: { id: string; value: FormValue; help: string | undefined; onChange(v: boolean): void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = props.value === undefined;
  }, [props.value]);
  return (
    <input
      ref={ref}
      id={props.id}
      type="checkbox"
      checked={props.value === true}
      aria-describedby={props.help}
      onChange={(e) => props.onChange(e.currentTarget.checked)}
    />
  );
}

function ListEditor(props: {
  id: string;
  field: FormField;
  item: FormField;
  max: number | undefined;
  value: FormValue;
  onChange(value: FormValue): void;
}): JSX.Element {
  const { field, item, max, onChange } = props;
  const list = Array.isArray(props.value) ? (props.value as readonly FormValue[]) : [];
  const what = field.name || "lista";
  return (
    <>
      {list.length === 0 && <p class="muted">Nenhum item.</p>}
      <ol class="list-items">
        {list.map((v, i) => (
          <li key={i}>
            <FieldEditor
              id={`${props.id}-${i}`}
              field={item}
              label={`item ${i + 1}`}
              value={v}
              onChange={(nv) => onChange(list.map((x, j) => (j === i ? nv : x)))}
            />
            <button
              type="button"
              class="link"
              aria-label={`Remover o item ${i + 1} de ${what}`}
              onClick={() => onChange(list.filter((_, j) => j !== i))}
            >
              remover
            </button>
          </li>
        ))}
      </ol>
      <button
        type="button"
        disabled={max !== undefined && list.length >= max}
        aria-label={`Adicionar um item a ${what}`}
        onClick={() => onChange([...list, emptyValue(item)])}
      >
        + item
      </button>
    </>
  );
}

function MapEditor(props: {
  id: string;
  field: FormField;
  item: FormField;
  value: FormValue;
  onChange(value: FormValue): void;
}): JSX.Element {
  const { field, item, onChange } = props;
  const entries = Array.isArray(props.value) ? (props.value as readonly FormValue[]).filter(isMapEntry) : [];
  const update = (i: number, entry: MapEntry) => onChange(entries.map((e, j) => (j === i ? entry : e)));
  const what = field.name || "mapa";
  return (
    <>
      {entries.length === 0 && <p class="muted">Nenhum campo.</p>}
      <ul class="map-entries">
        {entries.map((e, i) => {
          const keyId = `${props.id}-${i}-nome`;
          return (
            <li key={i}>
              <label for={keyId}>nome</label>
              <input
                id={keyId}
                type="text"
                value={e.key}
                onInput={(ev) => update(i, { ...e, key: ev.currentTarget.value })}
              />
              <FieldEditor
                id={`${props.id}-${i}-valor`}
                field={item}
                label="valor"
                value={e.value}
                onChange={(v) => update(i, { ...e, value: v })}
              />
              <button
                type="button"
                class="link"
                aria-label={`Remover o campo ${i + 1} de ${what}`}
                onClick={() => onChange(entries.filter((_, j) => j !== i))}
              >
                remover
              </button>
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        aria-label={`Adicionar um campo a ${what}`}
        onClick={() => onChange([...entries, { key: "", value: emptyValue(item), entry: true }])}
      >
        + campo
      </button>
    </>
  );
}
