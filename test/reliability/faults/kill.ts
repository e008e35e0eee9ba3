/**
 * kill -9 during publishes and roll backs. Each round sends a mix of publishes and roll backs of
 * the fault rule set (in waves, some of 2–3 concurrent requests), kills the service with SIGKILL
 * at a random point — after a random delay, right after a request was written, as a response's
 * head arrives, or right when the service logs a commit (before or after its 201 left) — starts
 * it again on the same store and checks:
 *   - every version acknowledged (201) is present with exactly the content sent and the hash the
 *     201 gave (lost / corrupt otherwise);
 *   - versions are contiguous from 1, and the active version is the highest: the last
 *     acknowledged one or a later one committed without its 201 reaching the client (roll
 *     forward), whose content must be one that was sent;
 *   - no temp file is left in the data folder (file store);
 *   - a decision is served by the active version (its marker);
 *   - the audit log has exactly one line per version, with the version's hash.
 * The same code runs on the file store (DATA_DIR) and on PostgreSQL (DATABASE_URL).
 */
import type { ServiceProcess } from "../../helpers/service-process.js";
import { emptyFigures, violation, type CaseFigures } from "./figures.js";
import { fetchJson, request, type Outcome } from "./http.js";
import {
  faultSource,
  faultSuite,
  launch,
  markerOf,
  RULESET,
  Rng,
  tempFilesUnder,
  type TempDirs,
  writeRulesDir,
} from "./fixture.js";

export interface KillOptions {
  readonly name: string;
  readonly rounds: number;
  readonly seed: number;
  readonly temp: TempDirs;
  readonly log: (line: string) => void;
  /** PostgreSQL: the service's DATABASE_URL (a fresh database); absent: the file store. */
  readonly databaseUrl?: string;
  readonly built?: boolean;
  /** Checks the full content of every acknowledged version every round (default: at the end only). */
  readonly fullCheckEveryRound?: boolean;
}

interface Known {
  readonly source: string;
  readonly tests: string | null;
  readonly hash: string;
  readonly acknowledged: boolean;
  readonly rolledBackFrom?: number;
}

type Op =
  | { readonly kind: "publish"; readonly marker: number }
  | { readonly kind: "rollback"; readonly target: number };

type KillMode = "delay" | "after-send" | "on-response" | "on-commit-log" | "idle";

interface VersionBody {
  version: number;
  hash: string;
  source: string;
  tests: string | null;
  rolledBackFrom?: number;
}

interface RuleSetBody {
  version: number;
  versions: { version: number; hash: string; rolledBackFrom?: number }[];
}

interface AuditLine {
  action: string;
  ruleset: string;
  version?: number;
  hash?: string;
}

const COMMIT_LINE = /"msg":"rule set (published|rolled back)"/g;

export async function runKillRounds(
  options: KillOptions,
): Promise<CaseFigures & { readonly modes: Record<KillMode, number> }> {
  const f = emptyFigures(options.name);
  const modes: Record<KillMode, number> = { delay: 0, "after-send": 0, "on-response": 0, "on-commit-log": 0, idle: 0 };
  const { log } = options;
  const rng = new Rng(options.seed);
  const dataDir = await options.temp.make("data");
  const rulesDir = await options.temp.make("rules");
  await writeRulesDir(rulesDir);
  const env: Record<string, string> = options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {};
  const start = () =>
    launch({ dataDir, rulesDir, env, ...(options.built !== undefined ? { built: options.built } : {}) });

  const known = new Map<number, Known>();
  const sentMarkers = new Set<number>([1]);
  let nextMarker = 2;
  let lastAcked = 1;
  let lastActive = 1;
  let opLatencyMs = 300; // running estimate, for the random delays
  let kills = 0;
  let killsInFlight = 0;

  let s: ServiceProcess = await start();
  // Version 1: the seed (marker 1), acknowledged by the first start.
  {
    const v1 = await fetchJson<VersionBody>(s.url, `/v1/rulesets/${RULESET}/versions/1`);
    if (v1.status !== 200 || v1.json?.source !== faultSource(1)) throw new Error(`seed not served: ${v1.status}`);
    known.set(1, { source: faultSource(1), tests: faultSuite(1), hash: v1.json.hash, acknowledged: true });
  }

  try {
    for (let round = 1; round <= options.rounds; round++) {
      f.rounds = round;
      // The plan: 1–5 operations in waves (a wave of 2–3 runs concurrently).
      const opCount = rng.int(1, 5);
      const ops: Op[] = [];
      for (let i = 0; i < opCount; i++) {
        const targets = [...known.keys()];
        if (targets.length > 1 && rng.chance(0.3)) ops.push({ kind: "rollback", target: rng.pick(targets) });
        else ops.push({ kind: "publish", marker: nextMarker++ });
      }
      const waves: Op[][] = [];
      for (let i = 0; i < ops.length; ) {
        const size = rng.chance(0.4) ? Math.min(rng.int(2, 3), ops.length - i) : 1;
        waves.push(ops.slice(i, i + size));
        i += size;
      }
      const mode: KillMode = rng.pick(["delay", "delay", "after-send", "on-response", "on-commit-log"] as const);
      const victimOp = rng.int(0, ops.length - 1);
      const victimCommit = rng.int(1, ops.length);

      // The kill: exactly once per round.
      let killed = false;
      let inFlight = 0;
      const kill = (how: KillMode) => {
        if (killed) return;
        killed = true;
        modes[how]++;
        if (inFlight > 0) killsInFlight++;
        s.child.kill("SIGKILL");
      };
      let timer: NodeJS.Timeout | undefined;
      if (mode === "delay") {
        const budget = Math.round(opLatencyMs * waves.length * 1.2) + 20;
        timer = setTimeout(() => kill("delay"), rng.int(0, budget));
      }
      let commits = 0;
      const onStdout = (chunk: Buffer) => {
        if (mode !== "on-commit-log") return;
        commits += (chunk.toString("utf8").match(COMMIT_LINE) ?? []).length;
        if (commits >= victimCommit) kill("on-commit-log");
      };
      s.child.stdout?.on("data", onStdout);

      const results: { op: Op; outcome: Outcome }[] = [];
      let index = 0;
      for (const wave of waves) {
        if (killed) break;
        const started = Date.now();
        const pending = wave.map((op) => {
          const i = index++;
          inFlight++;
          if (op.kind === "publish") sentMarkers.add(op.marker);
          const body =
            op.kind === "publish"
              ? { source: faultSource(op.marker), tests: faultSuite(op.marker), message: `faults round ${round}` }
              : { version: op.target, message: `faults round ${round}: back to v${op.target}` };
          const path = op.kind === "publish" ? `/v1/rulesets/${RULESET}/versions` : `/v1/rulesets/${RULESET}/rollback`;
          return request(s.url, path, {
            body,
            timeoutMs: 120_000,
            onSent: () => {
              if (mode === "after-send" && i === victimOp) kill("after-send");
            },
            onResponse: () => {
              if (mode === "on-response" && i === victimOp) kill("on-response");
            },
          }).done.then((outcome) => {
            inFlight--;
            results.push({ op, outcome });
            return outcome;
          });
        });
        const outcomes = await Promise.all(pending);
        if (outcomes.every((o) => o.status === 201))
          opLatencyMs = 0.8 * opLatencyMs + 0.2 * ((Date.now() - started) / wave.length);
      }
      if (timer) clearTimeout(timer);
      if (!killed) kill("idle"); // every operation finished before the chosen moment
      s.child.stdout?.off("data", onStdout);
      await s.exited;
      kills++;
      f.faults = kills;

      // What the client was told.
      const acked: { version: number; expected: Known }[] = [];
      for (const { op, outcome } of results) {
        if (outcome.status === undefined) continue; // cut by the kill: not acknowledged
        if (outcome.status !== 201) {
          violation(f, `round ${round}: ${op.kind} answered ${outcome.status} ${outcome.body?.slice(0, 200)}`, log);
          continue;
        }
        const body = outcome.json as { version?: unknown; hash?: unknown; rolledBackFrom?: unknown } | undefined;
        if (!body || !Number.isSafeInteger(body.version) || typeof body.hash !== "string") {
          violation(f, `round ${round}: a 201 without version and hash: ${outcome.body}`, log);
          continue;
        }
        let expected: Known;
        if (op.kind === "publish") {
          expected = {
            source: faultSource(op.marker),
            tests: faultSuite(op.marker),
            hash: body.hash,
            acknowledged: true,
          };
        } else {
          const target = known.get(op.target)!;
          if (body.rolledBackFrom !== op.target)
            violation(
              f,
              `round ${round}: roll back to v${op.target} answered rolledBackFrom ${String(body.rolledBackFrom)}`,
              log,
            );
          expected = {
            source: target.source,
            tests: target.tests,
            hash: body.hash,
            acknowledged: true,
            rolledBackFrom: op.target,
          };
        }
        acked.push({ version: body.version as number, expected });
      }
      f.acknowledged += acked.length;
      for (const a of acked) {
        const earlier = known.get(a.version);
        if (earlier?.acknowledged) violation(f, `round ${round}: version ${a.version} acknowledged twice`, log);
        known.set(a.version, a.expected);
        lastAcked = Math.max(lastAcked, a.version);
      }

      // Restart on the same store, then check.
      s = await start();
      const leftover = options.databaseUrl ? [] : await tempFilesUnder(dataDir);
      if (leftover.length > 0) {
        f.leftoverTemp += leftover.length;
        violation(f, `round ${round}: temp files left after the restart: ${leftover.join(", ")}`, log);
      }
      const fullCheck = options.fullCheckEveryRound === true || round === options.rounds;
      const newVersions = await check(s, round, fullCheck ? [...known.keys()] : acked.map((a) => a.version));
      f.unacknowledgedCommitted += newVersions;
      if (round % 10 === 0 || round === options.rounds)
        log(
          `  [${f.name}] round ${round}/${options.rounds}: ${f.acknowledged} acknowledged, ${f.unacknowledgedCommitted} committed without 201, active v${lastActive}, ${f.violations.length} violations`,
        );
    }
  } finally {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill("SIGTERM");
      await s.exited;
    }
  }
  f.notes.push(
    `kill points: ${Object.entries(modes)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}; ${killsInFlight} kills with a request in flight`,
  );
  return { ...f, modes };

  // ---------------------------------------------------------------------------------------------

  /** The checks after a restart; returns how many versions were found committed without a 201. */
  async function check(svc: ServiceProcess, round: number, contentOf: readonly number[]): Promise<number> {
    const where = `round ${round}`;
    const rs = await fetchJson<RuleSetBody>(svc.url, `/v1/rulesets/${RULESET}`);
    if (rs.status !== 200 || !rs.json) {
      violation(f, `${where}: GET the rule set answered ${rs.status}`, log);
      return 0;
    }
    const listed = rs.json.versions.map((v) => v.version);
    const hashOf = new Map(rs.json.versions.map((v) => [v.version, v.hash]));
    listed.forEach((v, i) => {
      if (v !== i + 1) violation(f, `${where}: versions not contiguous: ${listed.join(",")}`, log);
    });
    const max = listed[listed.length - 1] ?? 0;
    const active = rs.json.version;
    lastActive = active;
    if (active !== max) violation(f, `${where}: active version v${active} is not the highest (v${max})`, log);
    if (active < lastAcked)
      violation(f, `${where}: active v${active} is older than the last acknowledged v${lastAcked}`, log);

    // Acknowledged versions: present, with the hash the 201 gave (listing) and, for `contentOf`, the content sent.
    for (const [v, k] of known) {
      if (!k.acknowledged) continue;
      const h = hashOf.get(v);
      if (h === undefined) {
        f.lost++;
        violation(f, `${where}: acknowledged v${v} is missing`, log);
      } else if (h !== k.hash) {
        f.corrupt++;
        violation(
          f,
          `${where}: acknowledged v${v} has hash ${h.slice(0, 12)}…, the 201 said ${k.hash.slice(0, 12)}…`,
          log,
        );
      }
    }
    for (const v of contentOf) {
      const k = known.get(v);
      if (!k?.acknowledged || !hashOf.has(v)) continue;
      const got = await fetchJson<VersionBody>(svc.url, `/v1/rulesets/${RULESET}/versions/${v}`);
      if (got.status !== 200 || !got.json) {
        f.lost++;
        violation(f, `${where}: GET acknowledged v${v} answered ${got.status}`, log);
      } else if (
        got.json.source !== k.source ||
        got.json.tests !== k.tests ||
        got.json.hash !== k.hash ||
        got.json.rolledBackFrom !== k.rolledBackFrom
      ) {
        f.corrupt++;
        violation(f, `${where}: acknowledged v${v} does not hold what was sent`, log);
      }
    }

    // Versions committed without their 201 reaching the client: their content must be one sent.
    let unacked = 0;
    for (const v of listed) {
      if (known.has(v)) continue;
      unacked++;
      const got = await fetchJson<VersionBody>(svc.url, `/v1/rulesets/${RULESET}/versions/${v}`);
      const body = got.json;
      if (got.status !== 200 || !body) {
        violation(f, `${where}: listed v${v} cannot be read (${got.status})`, log);
        continue;
      }
      const marker = markerOf(body.source);
      let fine = marker !== undefined && sentMarkers.has(marker) && body.tests === faultSuite(marker);
      if (fine && body.rolledBackFrom !== undefined) fine = known.get(body.rolledBackFrom)?.source === body.source;
      if (!fine) violation(f, `${where}: v${v}, committed without a 201, holds content that was never sent`, log);
      known.set(v, {
        source: body.source,
        tests: body.tests,
        hash: body.hash,
        acknowledged: false,
        ...(body.rolledBackFrom !== undefined ? { rolledBackFrom: body.rolledBackFrom } : {}),
      });
    }

    // Decisions are served by the active version.
    const activeMarker = markerOf(known.get(active)?.source ?? "");
    for (let i = 0; i < 3; i++) {
      f.decisions++;
      const d = await fetchJson<{ version: number; decision: { marca: number } }>(svc.url, `/v1/decide/${RULESET}`, {
        facts: { valor: i + 1 },
      });
      if (d.status !== 200 || d.json?.version !== active || d.json.decision.marca !== activeMarker) {
        f.decisionsFailed++;
        violation(
          f,
          `${where}: decision ${d.status} version ${String(d.json?.version)} marca ${String(d.json?.decision?.marca)}; expected v${active} marca ${String(activeMarker)}`,
          log,
        );
      }
    }

    // One audit line per version, with its hash.
    const audit = await fetchJson<AuditLine[]>(svc.url, `/v1/audit?ruleset=${RULESET}`);
    const lines = (audit.json ?? []).filter((a) => a.action !== "publish-refused");
    for (const v of listed) {
      const mine = lines.filter((a) => a.version === v);
      if (mine.length !== 1 || mine[0]!.hash !== hashOf.get(v))
        violation(
          f,
          `${where}: v${v} has ${mine.length} audit lines${mine.length === 1 ? " with another hash" : ""}`,
          log,
        );
    }
    return unacked;
  }
}
