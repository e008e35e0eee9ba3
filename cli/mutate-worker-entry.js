// Entry of a `rules test --mutate` worker thread when the CLI runs from the TypeScript sources
// (vitest, tsx): registers tsx for this thread, then loads mutate-worker.ts. The compiled CLI
// (dist/) starts dist/cli/mutate-worker.js directly and never loads tsx (a dev dependency).
import { register } from "tsx/esm/api";

register();
await import(new URL("./mutate-worker.ts", import.meta.url).href);
