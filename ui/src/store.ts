// The window's state in one place: a plain object replaced on change, with a hook that re-renders
// a component only when the slice it selects changes (compared with Object.is).

import { useEffect, useReducer, useRef } from "preact/hooks";

import type { AppInfo } from "./bindings/AppInfo";
import type { Settings } from "./bindings/Settings";
import type { Snapshot } from "./bindings/Snapshot";
import type { SourceView } from "./bindings/SourceView";

export type View =
  | { kind: "status" }
  | { kind: "detail"; id: string }
  /** A remote monitor: its source's name and the agent's monitor id. */
  | { kind: "remote"; source: string; monitor: string }
  | { kind: "edit"; id: string | null; preset?: string }
  | { kind: "settings" };

export type State = {
  /** True once the first snapshot, settings and app info are in. */
  ready: boolean;
  /** Why the window could not load, if it could not. */
  fatal: string | null;
  snapshot: Snapshot | null;
  /** The remote agents and their monitors (`list_agents`, then `sources` events). */
  sources: readonly SourceView[];
  settings: Settings | null;
  info: AppInfo | null;
  /** The banner's text (AppInfo.notice, then `notice` events). */
  notice: string | null;
  /** 24 h uptime % per monitor id (absent: not loaded yet). */
  uptime: Readonly<Record<string, number | null>>;
  view: View;
  filter: string;
  /** The last thing announced to screen readers (status changes, saves). */
  announcement: string;
};

let state: State = {
  ready: false,
  fatal: null,
  snapshot: null,
  sources: [],
  settings: null,
  info: null,
  notice: null,
  uptime: {},
  view: { kind: "status" },
  filter: "",
  announcement: "",
};

const listeners = new Set<() => void>();

export function getState(): State {
  return state;
}

export function setState(patch: Partial<State> | ((s: State) => Partial<State>)): void {
  const p = typeof patch === "function" ? patch(state) : patch;
  state = { ...state, ...p };
  for (const l of listeners) l();
}

/** The slice `select` picks; the component renders again only when it changes. */
export function useStore<T>(select: (s: State) => T): T {
  const [, force] = useReducer((n: number) => n + 1, 0);
  const selected = select(state);
  const ref = useRef({ select, selected });
  ref.current = { select, selected };
  useEffect(() => {
    const check = () => {
      const { select: sel, selected: prev } = ref.current;
      if (!Object.is(sel(state), prev)) force(0);
    };
    listeners.add(check);
    check();
    return () => {
      listeners.delete(check);
    };
  }, []);
  return selected;
}

/** Opens a view; the view's heading takes the focus (see `useViewFocus`). */
export function navigate(view: View): void {
  setState({ view });
}
