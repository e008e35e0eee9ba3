/**
 * A worker thread of `rules test --mutate` (cli/mutate.ts): receives `{id, job}` with a rule set,
 * its suite and one mutant, runs the mutant (tester/mutate.ts) and answers `{id, outcome}` (or
 * `{id, error}`). The rule set and suite are compiled once per worker and reused while the jobs
 * name the same texts. Started directly when compiled (dist/cli/mutate-worker.js), or through
 * mutate-worker-entry.js from the TypeScript sources.
 */
import { parentPort } from "node:worker_threads";
import { type MutationSubject, type Mutant, prepareSubject, runMutant } from "../tester/mutate.js";
import { loadSuite } from "../tester/suite.js";

export interface MutateJob {
  readonly source: string;
  readonly suiteSource: string;
  readonly mutant: Mutant;
}

const port = parentPort;
if (!port) throw new Error("cli/mutate-worker.ts runs only as a worker thread");

let cached: { source: string; suiteSource: string; subject: MutationSubject } | undefined;

async function subjectOf(job: MutateJob): Promise<MutationSubject> {
  if (cached && cached.source === job.source && cached.suiteSource === job.suiteSource) return cached.subject;
  const suite = loadSuite(job.suiteSource).suite;
  const subject = suite ? await prepareSubject(job.source, suite, job.suiteSource) : undefined;
  if (!subject) throw new Error("o conjunto de regras ou a suíte não compila");
  cached = { source: job.source, suiteSource: job.suiteSource, subject };
  return subject;
}

port.on("message", (message: { id: number; job: MutateJob }) => {
  const { id, job } = message;
  Promise.resolve()
    .then(() => subjectOf(job))
    .then((subject) => runMutant(subject, job.mutant))
    .then((outcome) => port.postMessage({ id, outcome }))
    .catch((e: unknown) => port.postMessage({ id, error: e instanceof Error ? e.message : String(e) }));
});
