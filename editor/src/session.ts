/**
 * The editor's state and the `AppContext` the panels receive: the open rule set (its Monaco model
 * is the draft's text), its suite, its diagnostics (computed in the worker ~100 ms after the last
 * keystroke, stale results dropped), highlights, drafts autosaved to localStorage, the active tab
 * and the messages shown to the analyst. Views subscribe with `onChange` and re-render.
 */
import type { Diagnostic } from "../../dsl/diagnostics.js";
import {
  type Api,
  type DecisionsPage,
  type PromotedCase,
  ApiError,
  type MutantsResult,
  type RuleSetDetail,
  type VersionDetail,
  type VersionMeta,
} from "./api.js";
import type {
  AppContext,
  DraftDecision,
  DraftTestRun,
  HighlightKind,
  OpenRuleSet,
  SourceRange,
} from "./app-context.js";
import { ALL, type Permissions } from "./auth.js";
import { type DraftStore, isChanged } from "./drafts.js";
import { merge3 } from "./merge.js";
import { setMutantMarkers, survivorMarkers } from "./monaco/mutant-markers.js";
import { LANGUAGE_ID, setMarkers, toMonacoRange } from "./monaco/regras.js";
import type { Monaco } from "./monaco/setup.js";
import type * as MonacoApi from "monaco-editor/editor";
import { Superseded, type WorkerClient } from "./worker/client.js";

export type Tab = "editor" | "grid" | "simulate" | "tests" | "publish" | "history";

export interface Notice {
  readonly id: number;
  readonly message: string;
  readonly kind: "info" | "error";
}

/** What was published (the draft's starting point), when the rule set exists on the service. */
export interface Published {
  readonly version: number;
  readonly source: string;
  readonly suite: string | undefined;
  readonly versions: readonly VersionMeta[];
}

interface Opened {
  readonly name: string;
  readonly model: MonacoApi.editor.ITextModel;
  suite: string | undefined;
  published: Published | undefined;
  /** A past version open read-only (its own model), or undefined while editing the draft. */
  viewing: { readonly version: number; readonly model: MonacoApi.editor.ITextModel } | undefined;
  savedAt: string | undefined;
  decorations: Record<HighlightKind, string[]>;
  /** Surviving mutants are shown as warnings (cleared on the next change of the draft or suite). */
  mutantMarks: boolean;
}

/** Pause after the last keystroke before diagnostics run (with the worker's time, under 150 ms). */
const ANALYZE_DELAY_MS = 60;
const SAVE_DELAY_MS = 300;

export class Session implements AppContext {
  private opened: Opened | undefined;
  private diags: Diagnostic[] = [];
  private readonly listeners = new Set<() => void>();
  private analyzeTimer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private nextNotice = 1;
  private editorWidget: MonacoApi.editor.IStandaloneCodeEditor | undefined;
  tab: Tab = "editor";
  notices: Notice[] = [];
  permissions: Permissions = ALL;
  /** When the last diagnostics were computed: keystroke to markers (ms), and the worker's own time. */
  lastAnalysis: { totalMs: number; workerMs: number } | undefined;

  /** Monaco, once its (large) chunk has loaded: `open` waits for it (see `attachMonaco`). */
  private monacoApi: Monaco | undefined;
  private readonly monacoWaiters: ((m: Monaco) => void)[] = [];

  constructor(
    readonly worker: WorkerClient,
    readonly api: Api,
    readonly drafts: DraftStore,
  ) {}

  // ---- AppContext -------------------------------------------------------------------------

  current(): OpenRuleSet | undefined {
    const o = this.opened;
    if (!o) return undefined;
    return {
      name: o.name,
      source: (o.viewing?.model ?? o.model).getValue(),
      suite: o.suite,
      baseVersion: o.published?.version,
      editable: !o.viewing,
    };
  }

  diagnostics(): readonly Diagnostic[] {
    return this.diags;
  }

  setSource(text: string): void {
    const o = this.opened;
    if (!o || o.viewing) return;
    const model = o.model;
    if (model.getValue() === text) return;
    const editor = this.editorWidget;
    if (editor && editor.getModel() === model) {
      editor.pushUndoStop();
      editor.executeEdits("regras", [{ range: model.getFullModelRange(), text }]);
      editor.pushUndoStop();
    } else {
      model.pushEditOperations([], [{ range: model.getFullModelRange(), text }], () => null);
    }
  }

  setSuite(text: string): void {
    const o = this.opened;
    if (!o || o.viewing) return;
    o.suite = text;
    this.clearMutantMarks(o);
    this.scheduleSave();
    this.emit();
  }

  reveal(range: SourceRange): void {
    const o = this.opened;
    if (!o) return;
    if (this.tab === "grid" || this.tab === "publish" || this.tab === "history") this.tab = "editor";
    this.emit();
    const editor = this.editorWidget;
    if (!editor) return;
    const model = editor.getModel() ?? o.model;
    const r = toMonacoRange(this.monaco, model, range);
    editor.setSelection(r);
    editor.revealRangeInCenterIfOutsideViewport(r);
    editor.focus();
  }

  highlight(kind: HighlightKind, ranges: readonly SourceRange[]): void {
    const o = this.opened;
    if (!o) return;
    const options: MonacoApi.editor.IModelDecorationOptions =
      kind === "decided"
        ? {
            isWholeLine: true,
            className: "hl-decided",
            linesDecorationsClassName: "hl-decided-gutter",
            hoverMessage: { value: "Decidiu a última simulação" },
          }
        : {
            isWholeLine: true,
            linesDecorationsClassName: "hl-uncovered-gutter",
            hoverMessage: { value: "Nenhum caso de teste exercita este trecho" },
          };
    o.decorations[kind] = o.model.deltaDecorations(
      o.decorations[kind],
      ranges.map((r) => ({ range: toMonacoRange(this.monaco, o.model, r), options })),
    );
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(message: string, kind: "info" | "error" = "info"): void {
    if (this.notices.some((n) => n.message === message && n.kind === kind)) return;
    const notice = { id: this.nextNotice++, message, kind };
    this.notices = [...this.notices, notice].slice(-4);
    this.emit();
    if (kind === "info") setTimeout(() => this.dismiss(notice.id), 6000);
  }

  decide(facts: unknown): Promise<DraftDecision> {
    return this.worker.request("decide", { source: this.current()?.source ?? "", facts });
  }

  runTests(): Promise<DraftTestRun> {
    const c = this.current();
    return this.worker.request("test", { source: c?.source ?? "", suite: c?.suite });
  }

  mayAuthor(): boolean {
    return this.permissions.author;
  }

  runMutants(): Promise<MutantsResult> {
    const c = this.current();
    if (!c) return Promise.reject(new Error("nenhum conjunto de regras aberto"));
    if (c.suite === undefined)
      return Promise.reject(new ApiError(422, "NO_TEST_SUITE", "Não há suíte de testes para rodar."));
    return this.api.mutants(c.name, { source: c.source, tests: c.suite });
  }

  recentDecisions(limit: number): Promise<DecisionsPage> {
    const c = this.current();
    if (!c) return Promise.reject(new Error("nenhum conjunto de regras aberto"));
    return this.api.decisions({ ruleset: c.name, limit });
  }

  promoteDecision(
    id: string,
    input: { readonly name?: string; readonly tags?: readonly string[] },
  ): Promise<PromotedCase> {
    const c = this.current();
    return this.api.promote(id, { ...input, ...(c?.suite !== undefined ? { tests: c.suite } : {}) });
  }

  markMutants(survivors: readonly { readonly range: SourceRange; readonly message: string }[]): void {
    const o = this.opened;
    if (!o || o.model.isDisposed()) return;
    setMutantMarkers(this.monaco, o.model, survivorMarkers(o.model.getValue(), survivors));
    o.mutantMarks = survivors.length > 0;
  }

  private clearMutantMarks(o: Opened): void {
    if (!o.mutantMarks) return;
    o.mutantMarks = false;
    if (!o.model.isDisposed()) setMutantMarkers(this.monaco, o.model, []);
  }

  // ---- shell ------------------------------------------------------------------------------

  /** Monaco (only used once a rule set is open, hence loaded). */
  get monaco(): Monaco {
    if (!this.monacoApi) throw new Error("o editor ainda está carregando");
    return this.monacoApi;
  }

  get monacoLoaded(): Monaco | undefined {
    return this.monacoApi;
  }

  attachMonaco(m: Monaco): void {
    this.monacoApi = m;
    for (const w of this.monacoWaiters.splice(0)) w(m);
  }

  whenMonaco(): Promise<Monaco> {
    const m = this.monacoApi;
    return m ? Promise.resolve(m) : new Promise((resolve) => this.monacoWaiters.push(resolve));
  }

  dismiss(id: number): void {
    const before = this.notices.length;
    this.notices = this.notices.filter((n) => n.id !== id);
    if (this.notices.length !== before) this.emit();
  }

  /** Shows an error (an ApiError's message is already Portuguese). */
  fail(e: unknown): void {
    if (e instanceof Superseded) return;
    this.notify(e instanceof Error ? e.message : String(e), "error");
  }

  emit(): void {
    for (const l of [...this.listeners]) l();
  }

  setTab(tab: Tab): void {
    this.tab = tab;
    this.emit();
  }

  attachEditor(editor: MonacoApi.editor.IStandaloneCodeEditor | undefined): void {
    this.editorWidget = editor;
    const o = this.opened;
    if (editor && o) {
      editor.setModel(o.viewing?.model ?? o.model);
      editor.updateOptions({ readOnly: !!o.viewing });
    }
  }

  editor(): MonacoApi.editor.IStandaloneCodeEditor | undefined {
    return this.editorWidget;
  }

  get name(): string | undefined {
    return this.opened?.name;
  }

  get published(): Published | undefined {
    return this.opened?.published;
  }

  get viewingVersion(): number | undefined {
    return this.opened?.viewing?.version;
  }

  get savedAt(): string | undefined {
    return this.opened?.savedAt;
  }

  /** The draft differs from the published version (or the rule set is new). */
  get changed(): boolean {
    const o = this.opened;
    if (!o) return false;
    return isChanged(
      { source: o.model.getValue(), suite: o.suite },
      o.published && { source: o.published.source, suite: o.published.suite },
    );
  }

  /** Opens a rule set: its saved draft when there is one (said so), its active version otherwise. */
  open(name: string, detail: RuleSetDetail | undefined, template?: string): void {
    this.close();
    const published: Published | undefined = detail && {
      version: detail.version,
      source: detail.source,
      suite: detail.tests ?? undefined,
      versions: detail.versions,
    };
    const draft = this.drafts.load(name);
    let source = published?.source ?? template ?? "";
    let suite = published?.suite;
    let savedAt: string | undefined;
    if (draft && isChanged(draft, published)) {
      source = draft.source;
      suite = draft.suite;
      savedAt = draft.savedAt;
      const newer =
        published && draft.baseVersion !== undefined && draft.baseVersion !== published.version
          ? ` Atenção: ele partiu da versão ${draft.baseVersion}, e a versão ativa agora é a ${published.version}.`
          : "";
      this.notify(`Rascunho não publicado restaurado (salvo em ${formatTime(draft.savedAt)}).${newer}`);
    }
    const uri = this.monaco.Uri.parse(`inmemory://regras/${name}.yaml`);
    this.monaco.editor.getModel(uri)?.dispose();
    const model = this.monaco.editor.createModel(source, LANGUAGE_ID, uri);
    this.opened = {
      name,
      model,
      suite,
      published,
      viewing: undefined,
      savedAt,
      decorations: { decided: [], uncovered: [] },
      mutantMarks: false,
    };
    model.onDidChangeContent(() => {
      if (this.opened?.model === model) this.clearMutantMarks(this.opened);
      this.scheduleSave();
      this.scheduleAnalyze();
      this.emit();
    });
    this.tab = "editor";
    this.diags = [];
    this.attachEditor(this.editorWidget);
    this.analyzeNow();
    this.emit();
  }

  /** Takes a newer published state (after a publish, a roll back or a conflict) keeping the draft text. */
  rebase(detail: RuleSetDetail): void {
    const o = this.opened;
    if (!o || o.name !== detail.name) return;
    o.published = {
      version: detail.version,
      source: detail.source,
      suite: detail.tests ?? undefined,
      versions: detail.versions,
    };
    this.scheduleSave();
    this.emit();
  }

  /**
   * Re-applies the draft on a newer active version (after a 409): the draft's changes since the
   * version it started from are merged by lines into the new version (rule set and suite). Where
   * both changed the same lines, that text is left as the draft had it. Returns how many texts
   * could not be merged (0: all re-applied).
   */
  reapply(detail: RuleSetDetail): number {
    const o = this.opened;
    if (!o || o.name !== detail.name || o.viewing) return 0;
    const old = o.published;
    const source = old ? merge3(old.source, o.model.getValue(), detail.source) : undefined;
    const suite = old ? merge3(old.suite ?? "", o.suite ?? "", detail.tests ?? "") : undefined;
    this.rebase(detail);
    if (source?.ok) this.setSource(source.text);
    if (suite?.ok) o.suite = suite.text === "" && detail.tests === null ? undefined : suite.text;
    this.scheduleSave();
    this.emit();
    return (source?.ok ? 0 : 1) + (suite?.ok ? 0 : 1);
  }

  /** Replaces the draft with the published version (after publishing it, or to drop the draft). */
  resetToPublished(): void {
    const o = this.opened;
    if (!o?.published) return;
    o.suite = o.published.suite;
    this.setSource(o.published.source);
    this.drafts.remove(o.name);
    o.savedAt = undefined;
    this.emit();
  }

  viewVersion(version: VersionDetail | undefined): void {
    const o = this.opened;
    if (!o) return;
    o.viewing?.model.dispose();
    o.viewing = version && {
      version: version.version,
      model: this.monaco.editor.createModel(
        version.source,
        LANGUAGE_ID,
        this.monaco.Uri.parse(`inmemory://regras/${o.name}.v${version.version}.yaml`),
      ),
    };
    this.attachEditor(this.editorWidget);
    if (version) this.tab = "editor";
    this.emit();
  }

  close(): void {
    const o = this.opened;
    if (!o) return;
    this.flushSave();
    clearTimeout(this.analyzeTimer);
    o.viewing?.model.dispose();
    o.model.dispose();
    this.opened = undefined;
    this.diags = [];
    this.emit();
  }

  flushSave(): void {
    if (this.saveTimer === undefined) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.save();
  }

  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, SAVE_DELAY_MS);
  }

  private save(): void {
    const o = this.opened;
    if (!o) return;
    if (!this.changed) {
      this.drafts.remove(o.name);
      o.savedAt = undefined;
      this.emit();
      return;
    }
    const saved = this.drafts.save({
      name: o.name,
      source: o.model.getValue(),
      ...(o.suite !== undefined ? { suite: o.suite } : {}),
      ...(o.published ? { baseVersion: o.published.version } : {}),
    });
    if (saved instanceof Error) this.notify(saved.message, "error");
    else o.savedAt = saved.savedAt;
    this.emit();
  }

  private keystrokeAt = 0;

  private scheduleAnalyze(): void {
    this.keystrokeAt = performance.now();
    clearTimeout(this.analyzeTimer);
    this.analyzeTimer = setTimeout(() => {
      this.analyzeTimer = undefined;
      this.analyzeNow();
    }, ANALYZE_DELAY_MS);
  }

  private analyzeNow(): void {
    const o = this.opened;
    if (!o) return;
    const model = o.model;
    const source = model.getValue();
    const from = this.keystrokeAt || performance.now();
    this.keystrokeAt = 0;
    this.worker.latest("analyze", "analyze", { source }).then(
      (result) => {
        if (this.opened !== o || model.isDisposed() || model.getValue() !== source) return;
        this.diags = result.diagnostics as Diagnostic[];
        setMarkers(this.monaco, model, result.diagnostics);
        this.lastAnalysis = { totalMs: performance.now() - from, workerMs: result.elapsedMs };
        this.emit();
      },
      (e) => this.fail(e),
    );
  }
}

/** A date-time as the analyst reads it (pt-BR, local time). */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("pt-BR", { dateStyle: "short", timeStyle: "medium" });
}
