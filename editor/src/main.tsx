/**
 * Entry point of the editor page: the API client, the drafts, the worker client and the session
 * (the `AppContext`), then the Preact shell. Monaco and the workspace (`workspace.ts`) load in the
 * background once the list of rule sets is on screen (or when a rule set opens), so the first
 * screen does not wait for the large editor code.
 * Exposes `window.__regras` (`monaco` once loaded, `editor()`) for the end-to-end tests.
 */
import { render } from "preact";
import { createApi } from "./api.js";
import { App } from "./app.js";
import { loadToken } from "./auth.js";
import { DraftStore } from "./drafts.js";
import type { Monaco } from "./monaco/setup.js";
import { Session } from "./session.js";
import "./style.css";
import { workerClient } from "./worker/client.js";

declare global {
  interface Window {
    __regras?: {
      monaco: Monaco | undefined;
      editor: () => ReturnType<Session["editor"]>;
      session: Session;
    };
  }
}

let token = loadToken();
const worker = workerClient();
const api = createApi({ fetch: (input, init) => fetch(input, init), token: () => token });
const session = new Session(worker, api, new DraftStore(localStorage));
const hooks = { monaco: undefined as Monaco | undefined, editor: () => session.editor(), session };
window.__regras = hooks;

let loading: Promise<typeof import("./workspace.js")> | undefined;
function workspace() {
  loading ??= import("./workspace.js").then((w) => {
    w.registerRegras(w.monaco, worker);
    session.attachMonaco(w.monaco);
    hooks.monaco = w.monaco;
    return w;
  });
  return loading;
}

const root = document.getElementById("app");
if (root)
  render(
    <App
      session={session}
      workspace={workspace}
      setToken={(t) => {
        token = t;
      }}
    />,
    root,
  );
