/**
 * The editor's shell: signs in when the service asks for a token, then shows the list of rule
 * sets or the open one, with the messages to the analyst on top. Leaving the page with unpublished
 * changes asks first.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "./api.js";
import { loadToken, permissionsOf, saveToken } from "./auth.js";
import type { Session } from "./session.js";
import { ruleSetTemplate, suiteTemplate } from "./template.js";
import { useSession } from "./use-session.js";
import { Browse } from "./views/browse.js";
import { Notices } from "./views/notices.js";
import { SignIn } from "./views/sign-in.js";

type Phase = "starting" | "sign-in" | "rejected" | "ready";

/** The lazily loaded part of the page (Monaco, the workspace and the panels). */
export interface Workspace {
  readonly RuleSetView: typeof import("./views/ruleset.js").RuleSetView;
}

export function App(props: {
  session: Session;
  /** Loads the workspace (once); called when the list is on screen or a rule set opens. */
  workspace: () => Promise<Workspace>;
  setToken(token: string | undefined): void;
}) {
  const session = useSession(props.session);
  const [workspace, setWorkspace] = useState<Workspace | undefined>(undefined);
  const loadWorkspace = () =>
    props.workspace().then(
      (w) => {
        setWorkspace(w);
        return w;
      },
      (e: unknown) => {
        session.fail(e);
        throw e;
      },
    );
  const [phase, setPhase] = useState<Phase>("starting");
  const [signedIn, setSignedIn] = useState(!!loadToken());
  const [attempt, setAttempt] = useState(0);

  // Find out whether the service asks for a token, and what the token may do.
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        // One cheap call says both whether a token is needed (401) and what it may do.
        const token = loadToken();
        let roles = await session.api.roles();
        if (roles === undefined) {
          await session.api.listRuleSets();
          roles = token ? await session.api.probeRoles() : undefined;
        }
        if (!live) return;
        session.permissions = permissionsOf(roles);
        setPhase("ready");
        openFromHash();
      } catch (e) {
        if (!live) return;
        if (e instanceof ApiError && e.status === 401) {
          const had = !!loadToken();
          saveToken(undefined);
          props.setToken(undefined);
          setSignedIn(false);
          setPhase(had ? "rejected" : "sign-in");
        } else {
          setPhase("ready");
          session.fail(e);
        }
      }
    })();
    return () => {
      live = false;
    };
  }, [session, attempt]);

  // Leaving with unpublished changes asks first (the draft is saved anyway).
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      session.flushSave();
      if (session.changed) {
        e.preventDefault();
        e.returnValue = "";
      }
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [session]);

  // `#/<name>` opens a rule set (a link, or the back button of the browser).
  function openFromHash() {
    const name = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
    if (name && name !== session.name) void openRuleSet(name);
    else if (!name && session.name) session.close();
  }
  useEffect(() => {
    if (phase !== "ready") return;
    window.addEventListener("hashchange", openFromHash);
    return () => window.removeEventListener("hashchange", openFromHash);
  }, [session, phase]);

  async function openRuleSet(name: string) {
    try {
      const [detail] = await Promise.all([session.api.getRuleSet(name), loadWorkspace()]);
      session.open(name, detail);
      history.replaceState(null, "", `#/${encodeURIComponent(name)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && session.drafts.load(name)) {
        await loadWorkspace();
        session.open(name, undefined);
        history.replaceState(null, "", `#/${encodeURIComponent(name)}`);
      } else session.fail(e);
    }
  }

  async function create(name: string) {
    await loadWorkspace();
    session.open(name, undefined, ruleSetTemplate(name));
    session.setSuite(suiteTemplate(name));
    history.replaceState(null, "", `#/${encodeURIComponent(name)}`);
  }

  function back() {
    session.close();
    history.replaceState(null, "", location.pathname);
  }

  function signOut() {
    saveToken(undefined);
    props.setToken(undefined);
    session.close();
    setSignedIn(false);
    setPhase("sign-in");
  }

  return (
    <div class="app">
      <header class="topbar">
        <span class="brand">Editor de regras</span>
        <span class="spacer" />
        {phase === "ready" && signedIn && (
          <>
            <span class="muted">
              {session.permissions.publish
                ? "pode publicar"
                : session.permissions.author
                  ? "pode editar, não publicar"
                  : "somente leitura e decisões"}
            </span>
            <button type="button" class="link" onClick={signOut}>
              Sair
            </button>
          </>
        )}
      </header>
      <Notices session={session} />
      {phase === "starting" && <p class="muted loading">Carregando…</p>}
      {(phase === "sign-in" || phase === "rejected") && (
        <SignIn
          rejected={phase === "rejected"}
          onSubmit={(token) => {
            saveToken(token);
            props.setToken(token);
            setSignedIn(true);
            setPhase("starting");
            setAttempt((n) => n + 1);
          }}
        />
      )}
      {phase === "ready" &&
        (session.name && workspace ? (
          <workspace.RuleSetView session={session} onBack={back} />
        ) : (
          <Browse
            session={session}
            onListed={() => void loadWorkspace()}
            onOpen={(n) => void openRuleSet(n)}
            onCreate={(n) => void create(n)}
          />
        ))}
    </div>
  );
}
