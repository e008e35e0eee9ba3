/**
 * The table grid panel: every decision table of the draft as a grid (inputs and outputs as
 * columns, shown by their label when the table declares `labels`, the name in the tooltip; rows as
 * rows; the hit policy — every DMN policy, `collect (sum)` when it aggregates — as a badge), read and edited through editor/grid/: editing a
 * cell, adding, moving or deleting a row rewrites the draft (`ctx.setSource`, one undoable edit)
 * keeping comments and every other byte; a refused edit shows its Portuguese reason. Each row shows
 * its diagnostics; the rows that decided the last simulation (./decided.ts) have class `decided`.
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import type { Diagnostic } from "../../../dsl/diagnostics.js";
import {
  addRow,
  deleteRow,
  type EditResult,
  type GridRow,
  type GridTable,
  gridColumns,
  moveRow,
  policyBadge,
  readTables,
  rowDiagnostics,
  setCell,
} from "../../grid/index.js";
import type { AppContext } from "../app-context.js";
import { decidedRows, getDecided, onDecided } from "./decided.js";
import { useDraft } from "./use-draft.js";
import "./panels.css";

export function GridPanel(props: { ctx: AppContext }): JSX.Element {
  const { ctx } = props;
  const current = useDraft(ctx);
  const source = current?.source ?? "";
  const tables = useMemo(() => readTables(source), [source]);
  const [, setTick] = useState(0);
  useEffect(() => onDecided(() => setTick((t) => t + 1)), []);
  /** The refused edit's message, by table index. */
  const [refusals, setRefusals] = useState<ReadonlyMap<number, string>>(new Map());

  if (!current) return <p class="muted">Abra um conjunto de regras para ver as tabelas.</p>;
  if (tables.length === 0)
    return (
      <p class="muted" role="status">
        Nenhuma tabela de decisão neste rascunho (ou o YAML tem erros: veja os problemas na aba Editor).
      </p>
    );

  const decided = getDecided();
  const decidedByTable =
    decided && decided.ruleset === current.name && decided.source === source
      ? decidedRows(decided.firedRefs)
      : new Map<string, Set<number>>();
  const diagnostics = ctx.diagnostics();

  /** Applies an edit to the draft, or shows why it was refused. */
  const apply = (table: GridTable, edit: (text: string) => EditResult): boolean => {
    const latest = ctx.current()?.source ?? source;
    const result = edit(latest);
    const next = new Map(refusals);
    if (result.ok) {
      next.delete(table.index);
      setRefusals(next);
      if (result.text !== latest) ctx.setSource(result.text);
      return true;
    }
    next.set(table.index, result.message);
    setRefusals(next);
    return false;
  };

  return (
    <div class="panel grid-panel">
      <h2>Tabelas de decisão</h2>
      <p class="muted">
        Edite uma célula e tecle Enter (ou saia dela) para gravar no rascunho; Esc desfaz a digitação. O YAML é
        reescrito só na linha alterada, mantendo os comentários.
      </p>
      {tables.map((t) => (
        <TableGrid
          key={`${t.index}:${t.name}`}
          table={t}
          editable={current.editable}
          decided={decidedByTable.get(t.name) ?? new Set()}
          problems={rowDiagnostics(t, diagnostics)}
          refusal={refusals.get(t.index)}
          apply={(edit) => apply(t, edit)}
        />
      ))}
    </div>
  );
}

function TableGrid(props: {
  table: GridTable;
  editable: boolean;
  decided: ReadonlySet<number>;
  problems: ReadonlyMap<number, Diagnostic[]>;
  refusal: string | undefined;
  apply(edit: (text: string) => EditResult): boolean;
}): JSX.Element {
  const { table: t, editable, decided, problems, refusal, apply } = props;
  const columns = gridColumns(t);
  const captionId = `grid-${t.index}-caption`;
  const count = t.rows.length;
  return (
    <section class="grid-table-section" aria-labelledby={captionId}>
      <h3 id={captionId}>
        {t.label !== undefined ? <span title={t.name}>{t.label}</span> : t.name}{" "}
        <span class="badge hit-policy">{policyBadge(t)}</span>
      </h3>
      {t.description && <p class="muted">{t.description}</p>}
      {refusal && (
        <p class="error" role="alert">
          Edição recusada: {refusal}.
        </p>
      )}
      <div class="grid-scroll">
        <table class="grid" data-testid="grid-table" data-table={t.name}>
          <thead>
            <tr>
              <th scope="col" class="row-number">
                #
              </th>
              {columns.map((c) => (
                <th key={`${c.kind}:${c.name}`} scope="col" class={`col-${c.kind}`} title={c.title}>
                  {c.shown}
                  <span class="col-kind">{c.kind === "input" ? "entrada" : "saída"}</span>
                </th>
              ))}
              <th scope="col" class="row-actions">
                <span class="sr-only">Ações</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {t.rows.map((row) => (
              <RowView
                key={`${row.index}:${row.range.start}`}
                table={t}
                row={row}
                columns={columns}
                count={count}
                editable={editable}
                decided={decided.has(row.index)}
                problems={problems.get(row.index) ?? []}
                apply={apply}
              />
            ))}
          </tbody>
        </table>
      </div>
      <button
        type="button"
        disabled={!editable}
        aria-label={`Adicionar uma linha no fim da tabela ${t.name}`}
        onClick={() => apply((s) => addRow(s, t.index, count))}
      >
        + linha
      </button>
    </section>
  );
}

function RowView(props: {
  table: GridTable;
  row: GridRow;
  columns: readonly { name: string; shown: string; title: string; kind: "input" | "output" }[];
  count: number;
  editable: boolean;
  decided: boolean;
  problems: readonly Diagnostic[];
  apply(edit: (text: string) => EditResult): boolean;
}): JSX.Element {
  const { table: t, row, columns, count, editable, decided, problems, apply } = props;
  const n = row.index + 1;
  const hasError = problems.some((p) => p.severity === "error");
  const problemsId = `grid-${t.index}-row-${row.index}-problems`;
  const rowClass = [decided ? "decided" : "", hasError ? "has-error" : problems.length ? "has-warning" : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <>
      <tr
        class={rowClass || undefined}
        data-row={row.index}
        aria-describedby={problems.length ? problemsId : undefined}
      >
        <th scope="row" class="row-number" title={row.description}>
          {n}
          {decided && <span class="sr-only"> (decidiu a última simulação)</span>}
        </th>
        {columns.map((c) => {
          const cell = row.cells.find((x) => x.column === c.name);
          return (
            <td key={`${c.kind}:${c.name}`} class={`col-${c.kind}`}>
              <CellInput
                label={`Tabela ${t.name}, linha ${n}, ${c.kind === "input" ? "entrada" : "saída"} ${c.name}`}
                text={cell?.text ?? ""}
                row={row.index}
                column={c.name}
                decided={decided}
                invalid={hasError}
                editable={editable}
                commit={(text) => apply((s) => setCell(s, t.index, row.index, c.name, text))}
              />
            </td>
          );
        })}
        <td class="row-actions">
          <button
            type="button"
            disabled={!editable || row.index === 0}
            aria-label={`Mover a linha ${n} da tabela ${t.name} para cima`}
            title="Mover para cima"
            onClick={() => apply((s) => moveRow(s, t.index, row.index, row.index - 1))}
          >
            ↑
          </button>
          <button
            type="button"
            disabled={!editable || row.index === count - 1}
            aria-label={`Mover a linha ${n} da tabela ${t.name} para baixo`}
            title="Mover para baixo"
            onClick={() => apply((s) => moveRow(s, t.index, row.index, row.index + 1))}
          >
            ↓
          </button>
          <button
            type="button"
            disabled={!editable}
            aria-label={`Inserir uma linha depois da linha ${n} da tabela ${t.name}`}
            title="Inserir uma linha depois desta"
            onClick={() => apply((s) => addRow(s, t.index, row.index + 1))}
          >
            +
          </button>
          <button
            type="button"
            disabled={!editable}
            aria-label={`Excluir a linha ${n} da tabela ${t.name}`}
            title="Excluir a linha"
            onClick={() => apply((s) => deleteRow(s, t.index, row.index))}
          >
            ✕
          </button>
        </td>
      </tr>
      {problems.length > 0 && (
        <tr class="row-problems" id={problemsId}>
          <td colSpan={columns.length + 2}>
            <ul>
              {problems.map((p) => (
                <li
                  key={`${p.range.start}:${p.code}:${p.message}`}
                  class={p.severity === "error" ? "error" : "warning"}
                >
                  {p.severity === "error" ? "erro" : "aviso"}: {p.message} <span class="code">{p.code}</span>
                </li>
              ))}
            </ul>
          </td>
        </tr>
      )}
    </>
  );
}

/** One cell: typing changes only the input; Enter or leaving the cell writes it to the draft. */
function CellInput(props: {
  label: string;
  text: string;
  row: number;
  column: string;
  decided: boolean;
  invalid: boolean;
  editable: boolean;
  commit(text: string): boolean;
}): JSX.Element {
  const { label, text, row, column, decided, invalid, editable, commit } = props;
  const [draft, setDraft] = useState(text);
  // The source changed (an edit here, in the editor, an undo): show the cell as it is now.
  useEffect(() => setDraft(text), [text]);
  const save = () => {
    if (draft === text) return;
    if (!commit(draft)) setDraft(text);
  };
  return (
    <input
      type="text"
      data-testid="grid-cell"
      data-row={row}
      data-col={column}
      class={decided ? "grid-cell decided" : "grid-cell"}
      aria-label={label}
      aria-invalid={invalid || undefined}
      readOnly={!editable}
      value={draft}
      size={Math.max(4, Math.min(60, draft.length + 1))}
      onInput={(e) => setDraft(e.currentTarget.value)}
      onBlur={save}
      onKeyDown={(e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          save();
        } else if (e.key === "Escape") {
          e.preventDefault();
          setDraft(text);
        }
      }}
    />
  );
}
