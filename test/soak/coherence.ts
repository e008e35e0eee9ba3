/**
 * Which version of the marker rule set each decision may be served by. The book knows the marker
 * of every version the soak published or rolled back to (a roll back to N is a new version
 * carrying N's marker) and when each was acknowledged, by which replica. A decision is incoherent
 * when
 * - its marker is not the marker of the version its response names, or
 * - it started after a newer version was acknowledged and was still served by an older one: at
 *   once on the replica that acknowledged it (a publish is atomic: the next decision sees it), more
 *   than `lagMs` (2 s) later on another replica.
 * A response naming a version the book does not know yet (its publish answer not back) is kept
 * pending and judged when the marker is known (`resolve`).
 */

export const REPLICA_LAG_MS = 2000;

export interface Ack {
  readonly version: number;
  readonly marker: number;
  /** performance.now() when the acknowledgement arrived. */
  readonly at: number;
  readonly replica: number;
  readonly kind: "publish" | "rollback" | "seed";
}

export interface Served {
  readonly version: number;
  readonly marker: unknown;
  /** performance.now() when the request was sent. */
  readonly startedAt: number;
  readonly replica: number;
}

export interface Verdict {
  /** Why the decision is incoherent (undefined when it is not). */
  readonly incoherent?: string;
  /** Served by an older version after a newer one was acknowledged, within the allowed lag (ms). */
  readonly lagMs?: number;
  /** The version's marker is not known yet. */
  readonly pending?: boolean;
}

export class VersionBook {
  private readonly markers = new Map<number, number>();
  private readonly kinds = new Map<number, Ack["kind"]>();
  private readonly acks: Ack[] = [];
  private readonly pending: Served[] = [];
  /** Versions decisions were served by, by how they were made. */
  readonly seen = { publish: new Set<number>(), rollback: new Set<number>(), seed: new Set<number>() };

  constructor(readonly lagMs = REPLICA_LAG_MS) {}

  record(ack: Ack): void {
    this.markers.set(ack.version, ack.marker);
    this.kinds.set(ack.version, ack.kind);
    this.acks.push(ack);
  }

  /** A version's marker read from the store (no acknowledgement time: it never counts for lag). */
  learn(version: number, marker: number): void {
    if (!this.markers.has(version)) this.markers.set(version, marker);
  }

  /** Versions named by pending decisions. */
  pendingVersions(): number[] {
    return [...new Set(this.pending.map((s) => s.version))].sort((a, b) => a - b);
  }

  markerOf(version: number): number | undefined {
    return this.markers.get(version);
  }

  /** Versions known, for roll backs. */
  versions(): number[] {
    return [...this.markers.keys()].sort((a, b) => a - b);
  }

  check(s: Served): Verdict {
    const lag = this.lag(s);
    if (lag?.incoherent) return lag;
    const known = this.markers.get(s.version);
    if (known === undefined) {
      this.pending.push(s);
      return { pending: true, ...lag };
    }
    const kind = this.kinds.get(s.version);
    if (kind) this.seen[kind].add(s.version);
    if (s.marker !== known)
      return { incoherent: `a versão ${s.version} tem a marca ${known}, a decisão trouxe ${String(s.marker)}` };
    return lag ?? {};
  }

  /** Judges the pending decisions whose markers are known now; returns the incoherent ones' reasons. */
  resolve(): string[] {
    const out: string[] = [];
    for (const s of this.pending.splice(0)) {
      const v = this.check(s);
      if (v.incoherent) out.push(v.incoherent);
    }
    return out;
  }

  pendingCount(): number {
    return this.pending.length;
  }

  private lag(s: Served): Verdict | undefined {
    let worst: Verdict | undefined;
    for (let i = this.acks.length - 1; i >= 0; i--) {
      const a = this.acks[i] as Ack;
      if (a.at >= s.startedAt) continue;
      // A version acknowledged a minute before and still not served is caught by a newer ack.
      if (s.startedAt - a.at > 60_000) break;
      if (a.version <= s.version) continue;
      const lagMs = s.startedAt - a.at;
      const allowed = a.replica === s.replica ? 0 : this.lagMs;
      if (lagMs > allowed)
        return {
          incoherent: `a versão ${a.version} foi confirmada (réplica ${a.replica}) ${Math.round(lagMs)} ms antes e a decisão (réplica ${s.replica}) usou a ${s.version}`,
        };
      if (!worst || (worst.lagMs ?? 0) < lagMs) worst = { lagMs };
    }
    return worst;
  }
}
