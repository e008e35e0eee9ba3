/**
 * SIGTERM with requests in flight. Each round starts the service, sends a burst of decides and
 * one publish with `Expect: 100-continue` (the server answers 100 Continue once it has taken a
 * request, so "in flight" is known exactly), and sends SIGTERM — either once every request is
 * taken and before their bodies are written (as test/server/shutdown.test.ts does), or after a
 * random delay while the burst goes on. Then:
 *   - every request taken got a complete response (decides: 200 from the active version, or 503
 *     SHUTTING_DOWN; none reset or cut);
 *   - the publish is committed if and only if it was answered 201 (checked at the next start);
 *   - the process exits 0.
 * Requests the server had not taken yet (refused or reset while it closed) are counted, not faults.
 */
import { emptyFigures, violation, type CaseFigures } from "./figures.js";
import { fetchJson, request, type Outcome, type PendingRequest } from "./http.js";
import { faultSource, faultSuite, launch, markerOf, RULESET, Rng, type TempDirs, writeRulesDir } from "./fixture.js";

export interface SigtermOptions {
  readonly name: string;
  readonly rounds: number;
  readonly seed: number;
  readonly temp: TempDirs;
  readonly log: (line: string) => void;
  readonly built?: boolean;
  readonly databaseUrl?: string;
  /** Decides per burst (default 20). */
  readonly decides?: number;
}

interface RuleSetBody {
  version: number;
  source: string;
  versions: { version: number; hash: string }[];
}

export async function runSigtermRounds(options: SigtermOptions): Promise<CaseFigures> {
  const f = emptyFigures(options.name);
  const { log } = options;
  const rng = new Rng(options.seed ^ 0x5151);
  const dataDir = await options.temp.make("data");
  const rulesDir = await options.temp.make("rules");
  await writeRulesDir(rulesDir);
  const env: Record<string, string> = options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {};
  const start = () =>
    launch({ dataDir, rulesDir, env, ...(options.built !== undefined ? { built: options.built } : {}) });
  const burst = options.decides ?? 20;
  let notTaken = 0;
  let pending: { round: number; marker: number; answered201: boolean; hash?: string; before: number } | undefined;

  /** The publish of the previous round: committed iff it was answered 201. */
  const checkPublish = (state: RuleSetBody, where: string) => {
    if (!pending) return;
    const committed = state.versions.some((v) => v.version === pending!.before + 1);
    if (pending.answered201 && !committed) {
      f.lost++;
      violation(f, `${where}: the publish of round ${pending.round} was answered 201 but is not committed`, log);
    } else if (
      pending.answered201 &&
      state.versions.find((v) => v.version === pending!.before + 1)?.hash !== pending.hash
    ) {
      f.corrupt++;
      violation(
        f,
        `${where}: the publish of round ${pending.round} is committed with another hash than its 201's`,
        log,
      );
    } else if (!pending.answered201 && committed) {
      violation(f, `${where}: the publish of round ${pending.round} is committed but was not answered 201`, log);
    }
    pending = undefined;
  };

  for (let round = 1; round <= options.rounds + 1; round++) {
    const s = await start();
    const state = await fetchJson<RuleSetBody>(s.url, `/v1/rulesets/${RULESET}`);
    if (state.status !== 200 || !state.json) throw new Error(`GET ${RULESET}: ${state.status}`);
    checkPublish(state.json, `round ${round}`);
    if (round > options.rounds) {
      // The last start only checks the last round's publish.
      s.child.kill("SIGTERM");
      await s.exited;
      break;
    }
    f.rounds = round;
    const before = state.json.version;
    const activeMarker = markerOf(state.json.source);
    const marker = 1000 + round;
    const held = round % 2 === 1;

    const decides: PendingRequest[] = [];
    for (let i = 0; i < burst; i++)
      decides.push(
        request(s.url, `/v1/decide/${RULESET}`, {
          body: { facts: { valor: i + 1 } },
          expectContinue: true,
          holdBody: held,
          timeoutMs: 120_000,
        }),
      );
    const publish = request(s.url, `/v1/rulesets/${RULESET}/versions`, {
      body: { source: faultSource(marker), tests: faultSuite(marker), message: `sigterm round ${round}` },
      expectContinue: true,
      holdBody: held,
      timeoutMs: 120_000,
    });
    const all = [...decides, publish];
    if (held) {
      await Promise.all(all.map((r) => r.taken));
      s.child.kill("SIGTERM");
      await s.waitForLine(/shutting down/);
      for (const r of all) r.send();
    } else {
      await new Promise((resolve) => setTimeout(resolve, rng.int(0, 400)));
      s.child.kill("SIGTERM");
    }
    f.faults++;
    const outcomes: Outcome[] = await Promise.all(all.map((r) => r.done));
    const code = await s.exited;
    if (code !== 0) violation(f, `round ${round}: exit code ${String(code)} after SIGTERM`, log);

    outcomes.slice(0, burst).forEach((o, i) => {
      if (!o.taken) {
        notTaken++;
        return;
      }
      f.decisions++;
      const body = o.json as { version?: number; decision?: { marca?: number }; error?: { code?: string } } | undefined;
      const fine =
        // The burst's publish may commit before a decide runs: then the new version decides it.
        (o.status === 200 && body?.version === before && body.decision?.marca === activeMarker) ||
        (o.status === 200 && body?.version === before + 1 && body.decision?.marca === marker) ||
        (o.status === 503 && body?.error?.code === "SHUTTING_DOWN");
      if (!fine) {
        f.decisionsFailed++;
        violation(
          f,
          `round ${round}: decide #${i + 1}, taken, got ${o.status === undefined ? `no complete response (${o.error})` : `${o.status} ${o.body?.slice(0, 160)}`}`,
          log,
        );
      }
    });
    const p = outcomes[burst]!;
    if (!p.taken) notTaken++;
    else if (p.status === undefined)
      violation(f, `round ${round}: the publish was taken but got no complete response (${p.error})`, log);
    const body = p.json as { version?: number; hash?: string } | undefined;
    const answered201 = p.status === 201;
    if (answered201) {
      f.acknowledged++;
      if (body?.version !== before + 1)
        violation(f, `round ${round}: publish answered version ${String(body?.version)}, expected ${before + 1}`, log);
    }
    pending = { round, marker, answered201, before, ...(body?.hash !== undefined ? { hash: body.hash } : {}) };
    log(
      `  [${f.name}] round ${round}/${options.rounds} (${held ? "all taken, then SIGTERM" : "SIGTERM at a random moment"}): exit ${String(code)}, publish ${p.status ?? p.error}, decides taken ${outcomes.slice(0, burst).filter((o) => o.taken).length}/${burst}`,
    );
  }
  f.notes.push(`${notTaken} requests not yet taken when the service stopped listening (refused; not faults)`);
  return f;
}
