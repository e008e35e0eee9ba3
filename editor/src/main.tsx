/**
 * Entry point of the editor page: Monaco and the `regras` language, the worker, the API client,
 * the drafts, the session (the `AppContext`), and the Preact shell. Exposes `window.__regras`
 * (`monaco`, `editor()`) for the end-to-end tests.
 */
import { render } from "preact";
import { createApi } from "./api.js";
import { App } from "./app.js";
import { loadToken } from "./auth.js";
import { DraftStore } from "./drafts.js";
import { registerRegras } from "./monaco/regras.js";
import { monaco } from "./monaco/setup.js";
import { Session } from "./session.js";
import "./style.css";
import { workerClient } from "./worker/client.js";

declare global {
  interface Window {
    __regras?: {
      monaco: typeof monaco;
      editor: () => ReturnType<Session["editor"]>;
      session: Session;
    };
  }
}

let token = loadToken();
const worker = workerClient();
registerRegras(monaco, worker);
const api = createApi({ fetch: (input, init) => fetch(input, init), token: () => token });
const session = new Session(monaco, worker, api, new DraftStore(localStorage));
window.__regras = { monaco, editor: () => session.editor(), session };

const root = document.getElementById("app");
if (root)
  render(
    <App
      session={session}
      setToken={(t) => {
        token = t;
      }}
    />,
    root,
  );
