// Where a detail view's history comes from: this machine's history database (`history_*`,
// `last_failure`) or an agent's, read by the shell (`remote_*` with the source and the agent's
// monitor id). Both hand over the same types, so one panel shows either. Each also says when to
// read again: a result of that monitor, and a state change to append to its event log.

import type { ResultRecord } from "./bindings/ResultRecord";
import type { SeriesPoint } from "./bindings/SeriesPoint";
import type { StateChange } from "./bindings/StateChange";
import type { Stats } from "./bindings/Stats";
import type { Window } from "./bindings/Window";
import { onChangeEvent, onRemoteChangeEvent, onRemoteResult, onResultEvent } from "./app";
import * as ipc from "./ipc";

export type HistorySource = {
  /** Identifies the source: a panel reloads when it changes. */
  key: string;
  stats(w: Window): Promise<Stats>;
  series(w: Window): Promise<SeriesPoint[]>;
  events(w: Window): Promise<StateChange[]>;
  lastFailure(): Promise<ResultRecord | null>;
  /** Calls `fn` after each new result of the monitor (`failed`: not a success). */
  onResult(fn: (failed: boolean) => void): () => void;
  /** Calls `fn` with each state change of the monitor. */
  onChange(fn: (c: StateChange) => void): () => void;
};

/** A monitor of this machine. */
export function localHistory(id: string): HistorySource {
  return {
    key: `local:${id}`,
    stats: (w) => ipc.historyStats(id, w),
    series: (w) => ipc.historySeries(id, w),
    events: (w) => ipc.historyEvents(id, w),
    lastFailure: () => ipc.lastFailure(id),
    onResult: (fn) =>
      onResultEvent((e) => {
        if (e.data.monitor === id) fn(e.data.report.status !== "success");
      }),
    onChange: (fn) =>
      onChangeEvent((c) => {
        if (c.monitor === id) fn(c);
      }),
  };
}

/** The agent monitor `monitor` of the source `source`; its key is `source/monitor`. */
export function remoteHistory(source: string, monitor: string): HistorySource {
  const key = `${source}/${monitor}`;
  return {
    key: `remote:${key}`,
    stats: (w) => ipc.remoteStats(source, monitor, w),
    series: (w) => ipc.remoteSeries(source, monitor, w),
    events: (w) => ipc.remoteEvents(source, monitor, w),
    lastFailure: () => ipc.remoteLastFailure(source, monitor),
    onResult: (fn) =>
      onRemoteResult((r) => {
        if (r.key === key) fn(r.status !== "success");
      }),
    onChange: (fn) =>
      onRemoteChangeEvent((r) => {
        if (r.source === source && r.change.monitor === monitor) fn(r.change);
      }),
  };
}
