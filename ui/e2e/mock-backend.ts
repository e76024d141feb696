// A fake shell for the browser tests: every command of docs/ipc.md over an in-memory settings
// store, with validation that names problems the way the engine does (`monitor[N].port`), and
// events sent through the mocked event plugin. Test-only: loaded by e2e/index.html, never by the
// app's index.html.
//
// `preview_mx` knows a few domains (MX_ANSWERS); `slow.example` answers after 800 ms, and any
// other domain does not exist.
//
// URL parameters: `fixture=fleet|empty` (default fleet), `delay=<ms>` (every command answers
// that late), `notice=<text>` (AppInfo.notice), `agents=1` (three remote agents, see
// mock-agents.ts).
// Tests drive it through `window.__mock` (see MockControl).

import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";

import type { AppInfo } from "../src/bindings/AppInfo";
import type { Counts } from "../src/bindings/Counts";
import type { MonitorFile } from "../src/bindings/MonitorFile";
import type { MonitorView } from "../src/bindings/MonitorView";
import type { MxPreview } from "../src/bindings/MxPreview";
import type { MxSet } from "../src/bindings/MxSet";
import type { Problem } from "../src/bindings/Problem";
import type { ProbeReport } from "../src/bindings/ProbeReport";
import type { ResultRecord } from "../src/bindings/ResultRecord";
import type { SeriesPoint } from "../src/bindings/SeriesPoint";
import type { Settings } from "../src/bindings/Settings";
import type { Snapshot } from "../src/bindings/Snapshot";
import type { SourceView } from "../src/bindings/SourceView";
import type { StateChange } from "../src/bindings/StateChange";
import type { Stats } from "../src/bindings/Stats";
import type { Status } from "../src/bindings/Status";
import type { Window } from "../src/bindings/Window";
import { STATUSES } from "../src/bindings/statuses";
import { monitorLimits, settingsLimits } from "../src/logic/limits";
import { pregreetReport } from "../test/fixtures";
import { agents, handleAgents } from "./mock-agents";

type Runtime = {
  status: Status;
  since: string | null;
  reason: string | null;
  last: ProbeReport | null;
  snoozed_until: string | null;
  next_check_at: string | null;
};

export type MockControl = {
  calls: Array<{ cmd: string; args: Record<string, unknown> }>;
  /** The domains `preview_mx` has answered, in the order it answered them. */
  answered: string[];
  emit: (event: string, payload: unknown) => Promise<void>;
  setStatus: (id: string, status: Status, reason?: string | null) => Promise<void>;
  /** Makes `report` the monitor's last result, its verdict the status and its reason the reason. */
  setReport: (id: string, report: ProbeReport) => Promise<void>;
  /** Outbound port 25 blocked here: the monitors `ids` show `blocked`; none lifts the block. */
  setBlocked: (ids: string[]) => Promise<void>;
  snapshot: () => Snapshot;
  settings: () => Settings;
  /** The remote agents as list_agents answers now. */
  agents: () => SourceView[];
};

declare global {
  interface Window {
    __mock: MockControl;
  }
}

const params = new URLSearchParams(location.search);
const fixture = params.get("fixture") ?? "fleet";
const delay = Number(params.get("delay") ?? 0);
const FOREVER = "+262142-12-31T23:59:59.999999999Z";

const iso = (ms: number) => new Date(ms).toISOString();
const idOf = (m: MonitorFile) => m.id ?? m.name ?? "";

function report(m: MonitorFile, status: Status, reason: string | null = null): ProbeReport {
  const qos = m.qos_ms ?? settings.defaults?.qos_ms ?? 1000;
  const failed = status === "failed";
  const slow = status === "warning";
  const tls = m.tls ?? "none";
  const ehlo = failed ? null : slow ? qos * 0.9 : 48.2;
  const phases = {
    dns: 1.2,
    connect: failed ? null : 11.4,
    tls: tls === "implicit" || tls === "starttls" ? (failed ? null : 23.9) : null,
    greeting: failed ? null : 61.5,
    starttls: tls === "starttls" && !failed ? 14.1 : null,
    ehlo,
  };
  const latency = failed
    ? null
    : Object.entries(phases)
        .filter(([k]) => k !== "dns")
        .reduce((s, [, v]) => s + (v ?? 0), 0);
  const verdict = status === "failed" ? "failed" : status === "warning" ? "warning" : "success";
  return {
    status: verdict,
    event_id: verdict === "failed" ? 5509 : verdict === "warning" ? 5511 : 5510,
    latency_ms: latency,
    qos_ms: qos,
    host: m.host ?? "",
    port: m.port ?? (tls === "implicit" ? 465 : 25),
    address: "192.0.2.25",
    tls_mode: tls === "starttls" || tls === "implicit" ? tls : "none",
    ehlo_name: "probe.example.org",
    checked_at: iso(Date.now() - 4000),
    phases_ms: phases,
    greeting: failed ? null : { code: 220, lines: [`${m.host} ESMTP Postfix`], complete: true },
    ehlo: failed
      ? null
      : {
          code: 250,
          lines: [m.host ?? "", "PIPELINING", "SIZE 10240000", "STARTTLS", "8BITMIME", "SMTPUTF8"],
          complete: true,
          domain: m.host ?? "",
          extensions: [
            { keyword: "PIPELINING", params: [] },
            { keyword: "SIZE", params: ["10240000"] },
            { keyword: "STARTTLS", params: [] },
            { keyword: "8BITMIME", params: [] },
            { keyword: "SMTPUTF8", params: [] },
          ],
        },
    tls:
      tls === "none" || failed
        ? null
        : {
            version: "TLSv1.3",
            cipher: "TLS13_AES_256_GCM_SHA384",
            subject: `CN=${m.host}`,
            issuer: "CN=Example Issuing CA, O=Example",
            subject_alt_names: [m.host ?? ""],
            not_after: iso(Date.now() + 41 * 864e5),
            days_left: 41,
            sha256: "3A:7F:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01:23:45:67:89:AB:CD:EF:10:32:54:76:98:BA",
            verified: true,
            verification_skipped: false,
            verify_error: null,
          },
    reason: failed ? (reason ?? "connection refused") : slow ? (reason ?? "slow EHLO") : null,
    failure: failed
      ? { phase: "connect", kind: "refused", message: reason ?? "connection refused" }
      : null,
    warnings: slow ? [{ kind: "slow", message: reason ?? "slow EHLO" }] : [],
    transcript: failed
      ? [{ at: 0.2, dir: "note", text: `connecting to 192.0.2.25:${m.port ?? 25}` }, { at: 1.1, dir: "note", text: reason ?? "connection refused" }]
      : [
          { at: 11.4, dir: "note", text: "connected" },
          { at: 72.9, dir: "server", text: `220 ${m.host} ESMTP Postfix` },
          { at: 73.0, dir: "client", text: "EHLO probe.example.org" },
          { at: 121.2, dir: "server", text: `250-${m.host}` },
          { at: 121.3, dir: "server", text: "250 SMTPUTF8" },
        ],
    targets: [],
  };
}

let settings: Settings;
let info: AppInfo;
const runtime = new Map<string, Runtime>();
let pausedUntil: string | null = null;
let blocked = false;
let taken = Date.now();

function setup() {
  const base: Settings = {
    ui: { notify_warnings: true, notifications_paused_until: null },
    agents: [],
    defaults: {},
    alerts: {},
    history: {},
    monitor: [],
  };
  info = {
    version: "0.1.0-test",
    data_dir: "/home/ops/.local/share/org.ehlowatch.app",
    settings_path: "/home/ops/.local/share/org.ehlowatch.app/settings.json",
    history_path: "/home/ops/.local/share/org.ehlowatch.app/history.sqlite3",
    first_run: fixture === "empty",
    notice: params.get("notice"),
    autostart: false,
    toasts: params.get("toasts-reason")
      ? { available: false, reason: params.get("toasts-reason") }
      : { available: true, reason: null },
  };
  if (fixture === "empty") {
    settings = base;
    return;
  }
  settings = {
    ...base,
    defaults: { qos_ms: 1000 },
    monitor: [
      { name: "mx1", host: "mx1.example.com", tls: "starttls" },
      { name: "mx2", host: "mx2.example.com", tls: "starttls" },
      { name: "submission", host: "smtp.example.com", port: 587, tls: "starttls" },
      { name: "legacy", host: "old.example.net", port: 465, tls: "implicit", qos_ms: 500 },
    ],
  };
  const at = (m: MonitorFile, status: Status, reason: string | null = null) =>
    runtime.set(idOf(m), {
      status,
      since: iso(Date.now() - 3 * 3600e3),
      reason,
      last: report(m, status, reason),
      snoozed_until: null,
      next_check_at: iso(Date.now() + 20_000 + runtime.size * 7_000),
    });
  const [a, b, c, d] = settings.monitor!;
  at(a!, "success");
  at(b!, "success");
  at(c!, "warning", "EHLO answered in 1.6 s, over the QoS of 1 s");
  at(d!, "failed", "connection refused by 192.0.2.25:465");
}

function monitorView(m: MonitorFile): MonitorView {
  const id = idOf(m);
  const r: Runtime = runtime.get(id) ?? {
    status: "unknown",
    since: null,
    reason: null,
    last: null,
    snoozed_until: null,
    next_check_at: null,
  };
  return {
    id,
    name: m.name ?? id,
    host: m.host ?? m.domain ?? "",
    port: m.port ?? (m.tls === "implicit" ? 465 : 25),
    tls: m.tls === "starttls" || m.tls === "implicit" ? m.tls : "none",
    qos_ms: m.qos_ms ?? settings.defaults?.qos_ms ?? 1000,
    interval_ms: (m.interval_s ?? settings.defaults?.interval_s ?? 60) * 1000,
    enabled: m.enabled ?? true,
    status: r.status,
    shown: r.snoozed_until && Date.parse(r.snoozed_until) > Date.now() ? "paused" : r.status,
    since: r.since,
    pending: null,
    reason: r.reason,
    last: r.last,
    next_check_at: r.next_check_at,
    snoozed_until: r.snoozed_until,
  };
}

function snapshot(): Snapshot {
  const monitors = (settings.monitor ?? []).map(monitorView);
  const enabled = monitors.filter((m) => m.enabled);
  const counted = enabled.filter((m) => m.shown !== "paused");
  const rank = (s: Status) => STATUSES[s].rank;
  const worst = counted.reduce<Status>((w, m) => (rank(m.shown) > rank(w) ? m.shown : w), "unknown");
  const counts = Object.fromEntries(
    (Object.keys(STATUSES) as Status[]).map((s) => [s, enabled.filter((m) => m.shown === s).length]),
  ) as Counts;
  return {
    monitors,
    worst,
    counts,
    offline: false,
    blocked,
    alerts_paused_until: pausedUntil,
    taken_at: iso(taken),
    notice: null,
  };
}

async function publish() {
  taken = Math.max(Date.now(), taken + 1);
  await emit("snapshot", snapshot());
}

// Validation, a subset of the engine's rules with its messages and paths; the numbers are the
// window's own limits (limits.ts, from the engine's settings registry).
function validateMonitor(m: MonitorFile, i: number, all: MonitorFile[]): Problem[] {
  const out: Problem[] = [];
  const at = (k: string, message: string) => out.push({ path: `monitor[${i}].${k}`, message });
  if (!m.name?.trim()) at("name", "must not be empty");
  if (m.domain !== undefined) {
    if (m.host !== undefined) at("domain", "a monitor names a host or a domain, not both");
    for (const k of ["port", "tls", "insecure", "ca_file", "addresses"] as const) {
      if (m[k] !== undefined) {
        at(k, "applies to a host only; a domain's MX hosts are probed on port 25 with opportunistic STARTTLS");
      }
    }
    if (m.domain === "") at("domain", "is required");
  } else if (m.host === undefined || m.host === "") at("host", "is required");
  else if (/\s/.test(m.host)) at("host", `"${m.host}" contains a space; a host name or address has no spaces`);
  if (m.tls !== undefined && !["none", "starttls", "implicit"].includes(m.tls)) {
    at("tls", `"${m.tls}" is not a TLS mode (none, starttls, implicit)`);
  }
  out.push(...monitorLimits(m, i, settings.defaults ?? {}));
  (m.require_ext ?? []).forEach((k, j) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(k)) at(`require_ext[${j}]`, `"${k}" is not an EHLO keyword (letters, digits and -)`);
  });
  const other = all.findIndex((x, j) => j < i && x.name === m.name);
  if (m.name && other >= 0) at("name", `"${m.name}" is used by monitor[${other}] too`);
  return out;
}

function validateAll(list: MonitorFile[]): Problem[] {
  return list.flatMap((m, i) => validateMonitor(m, i, list));
}

const invalid = (data: Problem[]) => ({ type: "invalid", data });

const MX_ANSWERS: Record<string, MxSet> = {
  "example.com": {
    hosts: [
      { preference: 10, host: "mx1.example.com" },
      { preference: 20, host: "mx2.example.com" },
    ],
  },
  "slow.example": { hosts: [{ preference: 5, host: "mx.slow.example" }] },
  "implicit.example": "implicit",
  "null.example": "null_mx",
};

async function previewMx(raw: string): Promise<MxPreview> {
  const domain = raw.trim();
  if (/\s/.test(domain)) {
    return {
      type: "failed",
      domain,
      failure: "bad_name",
      message: `domain: "${domain}" contains a space; a host name or address has no spaces`,
    };
  }
  if (domain === "slow.example") await new Promise((r) => setTimeout(r, 800));
  const set = MX_ANSWERS[domain];
  answered.push(domain);
  return set
    ? { type: "found", domain, set }
    : { type: "failed", domain, failure: "nx_domain", message: `${domain}: the name does not exist (NXDOMAIN)` };
}

function stats(id: string): Stats {
  const r = runtime.get(id);
  const failed = r?.status === "failed" ? 14 : 1;
  const warning = r?.status === "warning" ? 30 : 2;
  const probes = 1440;
  return {
    probes,
    success: probes - failed - warning,
    warning,
    failed,
    uptime_pct: ((probes - failed) * 100) / probes,
    latency_samples: probes - failed,
    p50_ms: 121.4,
    p95_ms: r?.status === "warning" ? 1580 : 240.2,
    p99_ms: r?.status === "warning" ? 1790 : 410.9,
  };
}

const WINDOW_MS: Record<Window, number> = { "1h": 3600e3, "24h": 864e5, "7d": 7 * 864e5, "30d": 30 * 864e5 };

function series(id: string, window: Window): SeriesPoint[] {
  const n = 120;
  const step = WINDOW_MS[window] / n;
  const start = Date.now() - WINDOW_MS[window];
  const r = runtime.get(id);
  const slow = r?.status === "warning";
  return Array.from({ length: n }, (_, i) => {
    const failed = r?.status === "failed" && (i % 17 === 5 || i > n - 4) ? 1 : 0;
    const base = 110 + 40 * Math.sin(i / 6) + (slow && i > 90 ? 1300 : 0);
    return {
      start: iso(start + i * step),
      probes: 2,
      warning: slow && i > 90 ? 2 : 0,
      failed,
      min_ms: base * 0.8,
      avg_ms: base,
      max_ms: base * 1.6 + (i % 9 === 0 ? 300 : 0),
    };
  });
}

function events(id: string | null): StateChange[] {
  const m = (settings.monitor ?? []).find((x) => idOf(x) === id);
  if (!m) return [];
  const name = m.name ?? "";
  const t = Date.now();
  const ev = (ago: number, from: Status, to: Status, reason: string | null): StateChange => ({
    monitor: idOf(m),
    name,
    at: iso(t - ago),
    event_id: to === "failed" ? 5509 : to === "warning" ? 5511 : to === "success" ? 5510 : null,
    from,
    to,
    kind: "changed",
    reason,
    alert: true,
  });
  return [
    ev(20 * 3600e3, "unknown", "success", null),
    ev(9 * 3600e3, "success", "warning", "EHLO answered in 1.5 s, over the QoS of 1 s"),
    ev(8 * 3600e3, "warning", "failed", "connection refused by 192.0.2.25"),
    ev(7 * 3600e3, "failed", "success", null),
  ];
}

function lastFailure(id: string): ResultRecord | null {
  const m = (settings.monitor ?? []).find((x) => idOf(x) === id);
  if (!m) return null;
  const r = report(m, "failed", "connection refused by 192.0.2.25");
  return {
    monitor: id,
    at: iso(Date.now() - 8 * 3600e3),
    verdict: "failed",
    latency_ms: null,
    phases_ms: r.phases_ms,
    failure: { phase: "greeting", kind: "greeting_rejected", message: "the greeting was 421 4.3.2 Service shutting down" },
    reason: "the greeting was 421 4.3.2 Service shutting down",
    address: "192.0.2.25",
    cert_days_left: null,
    target: null,
    transcript: [
      { at: 0.3, dir: "note", text: "connecting to 192.0.2.25:25" },
      { at: 11.2, dir: "note", text: "connected" },
      { at: 64.8, dir: "server", text: "421 4.3.2 Service shutting down" },
      { at: 65.0, dir: "client", text: "QUIT" },
    ],
  };
}

async function probeLater(m: MonitorFile) {
  await new Promise((r) => setTimeout(r, 40));
  const id = idOf(m);
  const rt = runtime.get(id);
  if (!rt) return;
  const rep = report(m, "success");
  runtime.set(id, {
    ...rt,
    status: "success",
    since: iso(Date.now()),
    reason: null,
    last: rep,
    next_check_at: iso(Date.now() + 60_000),
  });
  await emit("result", { type: "result", data: { monitor: id, name: m.name, report: rep, lag: 0.4 } });
  await emit("state_change", {
    monitor: id,
    name: m.name ?? id,
    at: iso(Date.now()),
    event_id: 5510,
    from: "unknown",
    to: "success",
    kind: "changed",
    reason: null,
    alert: false,
  } satisfies StateChange);
  await publish();
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

async function handle(cmd: string, args: Record<string, unknown>): Promise<unknown> {
  const list = settings.monitor ?? [];
  const position = (id: unknown) => list.findIndex((m) => idOf(m) === id);
  switch (cmd) {
    case "get_snapshot":
      return snapshot();
    case "get_settings":
      return settings;
    case "get_app_info":
      return info;
    case "save_settings": {
      const next = args.settings as Settings;
      const problems = settingsLimits(next);
      if (problems.length) throw invalid(problems);
      settings = { ...next, monitor: list };
      return settings;
    }
    case "save_monitor": {
      const monitor = args.monitor as MonitorFile;
      const original = args.originalId as string | null;
      const index = original === null ? list.length : position(original);
      if (index < 0) throw { type: "not_found", data: original };
      const next = [...list];
      next[index] = monitor;
      const problems = validateAll(next);
      if (problems.length) throw invalid(problems);
      settings = { ...settings, monitor: next };
      const id = idOf(monitor);
      if (original !== null && original !== id) runtime.delete(original);
      if (!runtime.has(id)) {
        runtime.set(id, {
          status: "unknown",
          since: null,
          reason: null,
          last: null,
          snoozed_until: null,
          next_check_at: iso(Date.now()),
        });
        void probeLater(monitor);
      }
      setTimeout(() => void publish(), 0);
      return monitor;
    }
    case "delete_monitor": {
      const i = position(args.id);
      if (i < 0) throw { type: "not_found", data: args.id };
      settings = { ...settings, monitor: list.filter((_, j) => j !== i) };
      runtime.delete(args.id as string);
      setTimeout(() => void publish(), 0);
      return null;
    }
    case "test_monitor": {
      const monitor = args.monitor as MonitorFile;
      const original = (args.originalId as string | null | undefined) ?? null;
      const index = original === null ? list.length : position(original);
      const next = [...list];
      next[index < 0 ? list.length : index] = monitor;
      const problems = validateMonitor(monitor, index < 0 ? list.length : index, next);
      if (problems.length) throw invalid(problems);
      await new Promise((r) => setTimeout(r, 30));
      if (monitor.host?.includes("pregreet")) return pregreetReport({ host: monitor.host, port: monitor.port ?? 25 });
      return monitor.host?.includes("down")
        ? report(monitor, "failed", "connection refused by 192.0.2.25:25")
        : report(monitor, "success");
    }
    case "preview_mx":
      return previewMx(args.domain as string);
    case "check_now":
      return null;
    case "snooze": {
      const rt = runtime.get(args.id as string);
      if (!rt) throw { type: "not_found", data: args.id };
      const minutes = args.minutes as number | null;
      rt.snoozed_until = minutes === null ? FOREVER : iso(Date.now() + minutes * 60e3);
      setTimeout(() => void publish(), 0);
      return null;
    }
    case "unsnooze": {
      const rt = runtime.get(args.id as string);
      if (rt) rt.snoozed_until = null;
      setTimeout(() => void publish(), 0);
      return null;
    }
    case "pause_notifications": {
      const minutes = args.minutes as number | null;
      pausedUntil = minutes === null ? FOREVER : iso(Date.now() + minutes * 60e3);
      settings = { ...settings, ui: { ...settings.ui, notifications_paused_until: pausedUntil } };
      setTimeout(() => void publish(), 0);
      return null;
    }
    case "resume_notifications":
      pausedUntil = null;
      settings = { ...settings, ui: { ...settings.ui, notifications_paused_until: null } };
      setTimeout(() => void publish(), 0);
      return null;
    case "history_stats":
      return stats(args.id as string);
    case "history_series":
      return series(args.id as string, args.window as Window);
    case "history_events":
      return events(args.id as string | null);
    case "last_failure":
      return lastFailure(args.id as string);
    case "export_monitors":
      return JSON.stringify({ defaults: settings.defaults, alerts: settings.alerts, monitor: list }, null, 2);
    case "import_monitors": {
      let parsed: { defaults?: Settings["defaults"]; alerts?: Settings["alerts"]; monitor?: MonitorFile[] };
      try {
        parsed = JSON.parse(args.text as string);
      } catch (e) {
        throw invalid([{ path: "", message: `not JSON: ${(e as Error).message}` }]);
      }
      const problems = validateAll(parsed.monitor ?? []);
      if (problems.length) throw invalid(problems);
      settings = { ...settings, defaults: parsed.defaults ?? {}, alerts: parsed.alerts ?? {}, monitor: parsed.monitor ?? [] };
      setTimeout(() => void publish(), 0);
      return settings;
    }
    case "set_autostart":
      info = { ...info, autostart: Boolean(args.enabled) };
      return info;
    case "dismiss_notice":
      info = { ...info, notice: null };
      return null;
    default: {
      const agent = await handleAgents(cmd, args);
      if (agent) return agent.value;
      throw { type: "storage", data: `the mock knows no command ${cmd}` };
    }
  }
}

setup();

const calls: MockControl["calls"] = [];
const answered: string[] = [];
mockIPC(
  async (cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: clone(args) });
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return clone(await handle(cmd, args));
  },
  { shouldMockEvents: true },
);

window.__mock = {
  calls,
  answered,
  emit: (event, payload) => emit(event, payload),
  async setStatus(id, status, reason = null) {
    const m = (settings.monitor ?? []).find((x) => idOf(x) === id);
    if (!m) throw new Error(`no monitor ${id}`);
    await this.setReport(id, report(m, status, reason));
  },
  async setReport(id, rep) {
    const m = (settings.monitor ?? []).find((x) => idOf(x) === id);
    const rt = runtime.get(id);
    if (!m || !rt) throw new Error(`no monitor ${id}`);
    const from = rt.status;
    Object.assign(rt, {
      status: rep.status,
      reason: rep.reason,
      last: rep,
      since: iso(Date.now()),
      next_check_at: iso(Date.now() + 60_000),
    });
    await emit("result", { type: "result", data: { monitor: id, name: m.name, report: rep, lag: 0.2 } });
    await emit("state_change", {
      monitor: id,
      name: m.name ?? id,
      at: iso(Date.now()),
      event_id: rep.event_id,
      from,
      to: rep.status,
      kind: "changed",
      reason: rep.reason,
      alert: true,
    } satisfies StateChange);
    await publish();
  },
  async setBlocked(ids) {
    blocked = ids.length > 0;
    for (const id of ids) {
      const rt = runtime.get(id);
      if (!rt) throw new Error(`no monitor ${id}`);
      Object.assign(rt, {
        status: "blocked",
        reason: "outbound port 25 is blocked on this network: control hosts answer on 443, not on 25",
        since: iso(Date.now()),
      });
    }
    await publish();
  },
  snapshot,
  settings: () => settings,
  agents,
};
