/** A Preact hook that re-renders a component after every change of the session. */
import { useEffect, useReducer } from "preact/hooks";
import type { Session } from "./session.js";

export function useSession(session: Session): Session {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => session.onChange(() => bump(undefined)), [session]);
  return session;
}
