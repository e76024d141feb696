// Start-up and the live wiring: events are subscribed before the first fetch (so nothing that
// happens in between is lost), every update comes from an event, nothing polls. The 24 h uptime
// of a row is fetched at start and again after that monitor's results, at most every 30 s.

import type { MonitorView } from "./bindings/MonitorView";
import type { RemoteStateChange } from "./bindings/RemoteStateChange";
import type { SourceView } from "./bindings/SourceView";
import type { StateChange } from "./bindings/StateChange";
import type { Status } from "./bindings/Status";
import * as ipc from "./ipc";
import { STATUS_LABEL } from "./logic/format";
import { mergeSnapshot } from "./logic/monitors";
import { freshResults, mergeSources } from "./logic/sources";
import { requestFocus } from "./components/focus";
import { getState, navigate, setState } from "./store";

const UPTIME_SPACING_MS = 30_000;
/** The engine's history writer commits at least once a second: a read after a change waits. */
const HISTORY_COMMIT_MS = 1_500;

type Listener<T> = (value: T) => void;
const resultListeners = new Set<Listener<ipc.ResultEvent>>();
const changeListeners = new Set<Listener<StateChange>>();

/** Calls `fn` with every `result` event until the returned function is called. */
export function onResultEvent(fn: Listener<ipc.ResultEvent>): () => void {
  resultListeners.add(fn);
  return () => resultListeners.delete(fn);
}

/** Calls `fn` with every `state_change` event until the returned function is called. */
export function onChangeEvent(fn: Listener<StateChange>): () => void {
  changeListeners.add(fn);
  return () => changeListeners.delete(fn);
}

/** A remote monitor checked again: its key (`dc1/mx1`) and the status it has now. */
export type RemoteResult = { key: string; status: Status };
const remoteResultListeners = new Set<Listener<RemoteResult>>();
const remoteChangeListeners = new Set<Listener<RemoteStateChange>>();

/** Calls `fn` whenever a `sources` event shows a remote monitor checked again. */
export function onRemoteResult(fn: Listener<RemoteResult>): () => void {
  remoteResultListeners.add(fn);
  return () => remoteResultListeners.delete(fn);
}

/** Calls `fn` with every `remote_state_change` event until the returned function is called. */
export function onRemoteChangeEvent(fn: Listener<RemoteStateChange>): () => void {
  remoteChangeListeners.add(fn);
  return () => remoteChangeListeners.delete(fn);
}

/** True once a `sources` event came: a `list_agents` answer after it is older and is dropped. */
let sourcesFromEvent = false;

/** Takes a new picture of the sources, telling the detail views which monitors were checked. */
export function applySources(next: readonly SourceView[]): void {
  const prev = getState().sources;
  const merged = mergeSources(prev, next);
  if (merged === prev) return;
  setState({ sources: merged });
  for (const r of freshResults(prev, merged)) for (const l of remoteResultListeners) l(r);
}

const uptimeFetched = new Map<string, number>();
const uptimePending = new Map<string, ReturnType<typeof setTimeout>>();

async function fetchUptime(id: string): Promise<void> {
  uptimeFetched.set(id, Date.now());
  try {
    const stats = await ipc.historyStats(id, "24h");
    setState((s) => ({ uptime: { ...s.uptime, [id]: stats.uptime_pct } }));
  } catch {
    setState((s) => ({ uptime: { ...s.uptime, [id]: null } }));
  }
}

/** Fetches a monitor's 24 h uptime now, or once 30 s have passed since the last fetch. */
export function refreshUptime(id: string): void {
  if (uptimePending.has(id)) return;
  const wait = (uptimeFetched.get(id) ?? 0) + UPTIME_SPACING_MS - Date.now();
  if (wait <= 0) {
    void fetchUptime(id);
    return;
  }
  uptimePending.set(
    id,
    setTimeout(() => {
      uptimePending.delete(id);
      void fetchUptime(id);
    }, wait),
  );
}

/** Fetches a monitor's 24 h uptime once the history holds the result that changed it. */
function fetchUptimeAfterCommit(id: string): void {
  clearTimeout(uptimePending.get(id));
  uptimePending.set(
    id,
    setTimeout(() => {
      uptimePending.delete(id);
      void fetchUptime(id);
    }, HISTORY_COMMIT_MS),
  );
}

function fetchMissingUptimes(monitors: readonly MonitorView[]): void {
  for (const m of monitors) {
    if (!uptimeFetched.has(m.id)) void fetchUptime(m.id);
  }
}

function announce(text: string): void {
  setState({ announcement: text });
}

/** Subscribes to every event, then loads the first picture. */
export async function start(): Promise<void> {
  await Promise.all([
    ipc.onSnapshot((snap) => {
      if (!getState().ready) {
        setState((s) => ({ snapshot: mergeSnapshot(s.snapshot, snap) }));
        return;
      }
      const merged = mergeSnapshot(getState().snapshot, snap);
      if (merged !== getState().snapshot) setState({ snapshot: merged });
      fetchMissingUptimes(merged.monitors);
    }),
    ipc.onResult((e) => {
      refreshUptime(e.data.monitor);
      for (const l of resultListeners) l(e);
    }),
    ipc.onStateChange((c) => {
      if (c.kind === "changed") {
        announce(`${c.name} is now ${STATUS_LABEL[c.to]}`);
        fetchUptimeAfterCommit(c.monitor);
      }
      for (const l of changeListeners) l(c);
    }),
    ipc.onSources((sources) => {
      sourcesFromEvent = true;
      applySources(sources);
    }),
    ipc.onRemoteStateChange((r) => {
      const c = r.change;
      if (c.kind === "changed" && !r.replayed) {
        announce(`${r.source} / ${c.name} is now ${STATUS_LABEL[c.to]}`);
      }
      for (const l of remoteChangeListeners) l(r);
    }),
    ipc.onNotice((notice) => setState({ notice })),
    ipc.onShowMonitor((id) => {
      requestFocus("heading");
      navigate({ kind: "detail", id });
    }),
  ]);
  // An older shell or a broken keyring must not keep the local monitors from showing.
  void ipc.listAgents().then(
    (sources) => {
      if (!sourcesFromEvent) applySources(sources);
    },
    () => undefined,
  );
  try {
    const [info, snapshot, settings] = await Promise.all([
      ipc.getAppInfo(),
      ipc.getSnapshot(),
      ipc.getSettings(),
    ]);
    setState((s) => ({
      ready: true,
      info,
      settings,
      notice: s.notice ?? info.notice,
      snapshot: mergeSnapshot(snapshot, s.snapshot ?? snapshot),
    }));
    fetchMissingUptimes(getState().snapshot?.monitors ?? []);
  } catch (e) {
    setState({ fatal: `The app did not answer: ${ipc.errorText(ipc.asAppError(e))}.` });
  }
}

/** Settings again from the shell (after a monitor was saved, deleted or imported). */
export async function reloadSettings(): Promise<void> {
  try {
    setState({ settings: await ipc.getSettings() });
  } catch {
    // The old settings stay shown; the next save reports what is wrong.
  }
}

export { announce };
