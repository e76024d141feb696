// A shell that has started: the window's start() run once against the fake shell, answering the
// start-up commands with one local monitor and `agents` for list_agents.

import type { AppInfo } from "../src/bindings/AppInfo";
import type { Settings } from "../src/bindings/Settings";
import type { SourceView } from "../src/bindings/SourceView";
import { start } from "../src/app";
import { snapshot, view } from "./fixtures";
import { type Handler, answer, installShell } from "./ipcMock";

export const INFO: AppInfo = {
  version: "0.1.0-test",
  data_dir: "/tmp/ehlo",
  settings_path: "/tmp/ehlo/settings.json",
  history_path: "/tmp/ehlo/history.sqlite3",
  first_run: false,
  notice: null,
  autostart: null,
  toasts: { available: true, reason: null },
};

const SETTINGS: Settings = {
  ui: { notify_warnings: true, notifications_paused_until: null },
  agents: [],
};

/** The start-up answers, then `more` for anything else. */
export function startAnswers(agents: () => Promise<SourceView[]> | SourceView[], more: Handler = () => null): Handler {
  return (cmd, args) => {
    switch (cmd) {
      case "get_app_info":
        return INFO;
      case "get_snapshot":
        return snapshot([view({ id: "mx1" })]);
      case "get_settings":
        return SETTINGS;
      case "history_stats":
        return { probes: 0, success: 0, warning: 0, failed: 0, uptime_pct: null, latency_samples: 0, p50_ms: null, p95_ms: null, p99_ms: null };
      case "list_agents":
        return agents();
      default:
        return more(cmd, args);
    }
  };
}

/** Installs the fake shell and starts the window's wiring against it. */
export async function startWindow(agents: () => Promise<SourceView[]> | SourceView[], more?: Handler): Promise<void> {
  installShell();
  answer(startAnswers(agents, more));
  await start();
}
