// The only module that talks to the shell (docs/ipc.md): one typed function per command, one
// typed subscription per event. Everything else imports from here, never `@tauri-apps/api`.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { AgentInput } from "./bindings/AgentInput";
import type { AgentProblemKind } from "./bindings/AgentProblemKind";
import type { AppError } from "./bindings/AppError";
import type { AppInfo } from "./bindings/AppInfo";
import type { EngineEvent } from "./bindings/EngineEvent";
import type { MonitorFile } from "./bindings/MonitorFile";
import type { MxPreview } from "./bindings/MxPreview";
import type { ProbeReport } from "./bindings/ProbeReport";
import type { ResultRecord } from "./bindings/ResultRecord";
import type { SeriesPoint } from "./bindings/SeriesPoint";
import type { Settings } from "./bindings/Settings";
import type { RemoteStateChange } from "./bindings/RemoteStateChange";
import type { Snapshot } from "./bindings/Snapshot";
import type { SourceView } from "./bindings/SourceView";
import type { StateChange } from "./bindings/StateChange";
import type { Stats } from "./bindings/Stats";
import type { Window } from "./bindings/Window";

export type { UnlistenFn };

/** A rejected command, as the shell sends it or made from whatever else went wrong. */
export function asAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "type" in e) {
    const t = (e as { type: unknown }).type;
    if (
      t === "invalid" ||
      t === "not_found" ||
      t === "history" ||
      t === "storage" ||
      t === "engine_stopped" ||
      t === "agent"
    ) {
      return e as AppError;
    }
  }
  return { type: "storage", data: e instanceof Error ? e.message : String(e) };
}

/** What each kind of failed live check of an agent means, in one clause. */
export const AGENT_PROBLEM: Record<AgentProblemKind, string> = {
  unauthorized: "The agent refused the token",
  forbidden: "The token does not allow this (a read-only token)",
  untrusted_certificate: "The agent's certificate is not trusted: give its CA file",
  not_an_agent: "This URL answers, but not as an EHLO Watch agent",
  unreachable: "The agent could not be reached",
  tls_mismatch: "The URL's scheme does not match the agent (https to a plain server, or the reverse)",
};

/** An error as one sentence for people. */
export function errorText(err: AppError): string {
  switch (err.type) {
    case "invalid":
      return err.data.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; ");
    case "engine_stopped":
      return "the monitoring engine is not running";
    case "not_found":
      return `not found: ${err.data}`;
    case "agent":
      return `${AGENT_PROBLEM[err.data.kind]}: ${err.data.message}`;
    default:
      return err.data;
  }
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asAppError(e);
  }
}

export const getSnapshot = () => call<Snapshot>("get_snapshot");
export const getSettings = () => call<Settings>("get_settings");
export const saveSettings = (settings: Settings) =>
  call<Settings>("save_settings", { settings });
export const saveMonitor = (monitor: MonitorFile, originalId: string | null) =>
  call<MonitorFile>("save_monitor", { monitor, originalId });
export const deleteMonitor = (id: string) => call<null>("delete_monitor", { id });
export const testMonitor = (monitor: MonitorFile, originalId: string | null) =>
  call<ProbeReport>("test_monitor", { monitor, originalId });
export const previewMx = (domain: string) => call<MxPreview>("preview_mx", { domain });
export const checkNow = (id: string | null) => call<null>("check_now", { id });
export const snooze = (id: string, minutes: number | null) =>
  call<null>("snooze", { id, minutes });
export const unsnooze = (id: string) => call<null>("unsnooze", { id });
export const pauseNotifications = (minutes: number | null) =>
  call<null>("pause_notifications", { minutes });
export const resumeNotifications = () => call<null>("resume_notifications");
export const historyStats = (id: string, window: Window) =>
  call<Stats>("history_stats", { id, window });
export const historySeries = (id: string, window: Window) =>
  call<SeriesPoint[]>("history_series", { id, window });
export const historyEvents = (id: string | null, window: Window) =>
  call<StateChange[]>("history_events", { id, window });
export const lastFailure = (id: string) => call<ResultRecord | null>("last_failure", { id });
export const exportMonitors = () => call<string>("export_monitors");
export const importMonitors = (text: string) => call<Settings>("import_monitors", { text });
export const getAppInfo = () => call<AppInfo>("get_app_info");
export const setAutostart = (enabled: boolean) => call<AppInfo>("set_autostart", { enabled });
export const dismissNotice = () => call<null>("dismiss_notice");

// Remote agents: the shell talks to them; the window only ever sees what it hands over.
export const listAgents = () => call<SourceView[]>("list_agents");
export const addAgent = (agent: AgentInput) => call<SourceView>("add_agent", { agent });
export const setAgentToken = (name: string, token: string) =>
  call<SourceView>("set_agent_token", { name, token });
export const removeAgent = (name: string) => call<null>("remove_agent", { name });
export const remoteCheckNow = (source: string, monitor: string) =>
  call<null>("remote_check_now", { source, monitor });
export const remoteSnooze = (source: string, monitor: string, minutes: number | null) =>
  call<null>("remote_snooze", { source, monitor, minutes });
export const remoteUnsnooze = (source: string, monitor: string) =>
  call<null>("remote_unsnooze", { source, monitor });
export const muteRemote = (source: string, monitor: string, until: string | null) =>
  call<null>("mute_remote", { source, monitor, until });
export const remoteStats = (source: string, monitor: string, window: Window) =>
  call<Stats>("remote_stats", { source, monitor, window });
export const remoteSeries = (source: string, monitor: string, window: Window) =>
  call<SeriesPoint[]>("remote_series", { source, monitor, window });
export const remoteEvents = (source: string, monitor: string, window: Window) =>
  call<StateChange[]>("remote_events", { source, monitor, window });
export const remoteLastFailure = (source: string, monitor: string) =>
  call<ResultRecord | null>("remote_last_failure", { source, monitor });

/** The result events (`EngineEvent` of type `result`). */
export type ResultEvent = Extract<EngineEvent, { type: "result" }>;

function on<T>(name: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  return listen<T>(name, (e) => handler(e.payload));
}

export const onSnapshot = (h: (s: Snapshot) => void) => on<Snapshot>("snapshot", h);
export const onResult = (h: (e: ResultEvent) => void) => on<ResultEvent>("result", h);
export const onStateChange = (h: (c: StateChange) => void) => on<StateChange>("state_change", h);
export const onNotice = (h: (n: string | null) => void) => on<string | null>("notice", h);
export const onShowMonitor = (h: (id: string) => void) => on<string>("show_monitor", h);
export const onSources = (h: (s: SourceView[]) => void) => on<SourceView[]>("sources", h);
export const onRemoteStateChange = (h: (c: RemoteStateChange) => void) =>
  on<RemoteStateChange>("remote_state_change", h);
