/**
 * Drafts kept in the browser (localStorage) per rule set, so that work survives a reload or a
 * closed tab: the rule-set text, the suite text and the version the draft started from. A draft
 * equal to what it started from is no draft (it is removed). Storage errors (quota, private mode)
 * never break editing: `save` reports them and the editor shows a message.
 */

export interface Draft {
  readonly name: string;
  readonly source: string;
  /** The suite text, when the rule set has one. */
  readonly suite?: string;
  /** The published version the draft started from (undefined for a new rule set). */
  readonly baseVersion?: number;
  /** ISO 8601 time of the last save. */
  readonly savedAt: string;
}

/** The part of `Storage` drafts use (localStorage in the page, a map in tests). */
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
  readonly length: number;
}

const PREFIX = "regras.rascunho.";

function isDraft(v: unknown): v is Draft {
  if (typeof v !== "object" || v === null) return false;
  const d = v as Record<string, unknown>;
  return (
    typeof d.name === "string" &&
    typeof d.source === "string" &&
    typeof d.savedAt === "string" &&
    (d.suite === undefined || typeof d.suite === "string") &&
    (d.baseVersion === undefined || typeof d.baseVersion === "number")
  );
}

export class DraftStore {
  constructor(
    private readonly storage: DraftStorage,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The saved draft of `name`, or undefined (none, or unreadable: an unreadable one is dropped). */
  load(name: string): Draft | undefined {
    let raw: string | null;
    try {
      raw = this.storage.getItem(PREFIX + name);
    } catch {
      return undefined;
    }
    if (raw === null) return undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (isDraft(parsed) && parsed.name === name) return parsed;
    } catch {
      // fall through: drop it
    }
    this.remove(name);
    return undefined;
  }

  /** Saves a draft; returns the saved draft, or an Error (storage full or unavailable). */
  save(draft: Omit<Draft, "savedAt">): Draft | Error {
    const saved: Draft = { ...draft, savedAt: this.now().toISOString() };
    try {
      this.storage.setItem(PREFIX + draft.name, JSON.stringify(saved));
      return saved;
    } catch (e) {
      return new Error(
        `não foi possível guardar o rascunho no navegador${e instanceof Error && e.message ? ` (${e.message})` : ""}`,
      );
    }
  }

  remove(name: string): void {
    try {
      this.storage.removeItem(PREFIX + name);
    } catch {
      // nothing to do: storage unavailable
    }
  }

  /** Names of the rule sets with a saved draft, sorted. */
  names(): string[] {
    const out: string[] = [];
    try {
      for (let i = 0; i < this.storage.length; i++) {
        const key = this.storage.key(i);
        if (key?.startsWith(PREFIX)) out.push(key.slice(PREFIX.length));
      }
    } catch {
      return [];
    }
    return out.sort();
  }
}

/** Whether a draft differs from the published texts it started from. */
export function isChanged(
  draft: { readonly source: string; readonly suite?: string | undefined },
  published: { readonly source: string; readonly suite?: string | undefined } | undefined,
): boolean {
  if (!published) return true;
  return draft.source !== published.source || (draft.suite ?? "") !== (published.suite ?? "");
}
