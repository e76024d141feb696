// The fake shell's remote agents for the browser tests: the agent commands of docs/ipc.md over an
// in-memory list of sources, and `sources` events after every change. With `agents=1` in the URL
// it starts with three: dc1 (connected, control token, mx1 OK and mx2 failed), dc2 (unreachable,
// read-only token) and dc3 (needs its token). add_agent refuses by what it is given: a name or URL
// against the contract's rules (problems at `agent.*`), the token `wrong` (unauthorized), a host
// with `untrusted` (untrusted_certificate), `notagent` (not_an_agent), `down` (unreachable); it
// answers after 300 ms so the pending state shows. A token starting with `ctl` is a control token.

import { emit } from "@tauri-apps/api/event";

import type { AgentInput } from "../src/bindings/AgentInput";
import type { AgentProblemKind } from "../src/bindings/AgentProblemKind";
import type { Problem } from "../src/bindings/Problem";
import type { RemoteMonitor } from "../src/bindings/RemoteMonitor";
import type { ResultRecord } from "../src/bindings/ResultRecord";
import type { SeriesPoint } from "../src/bindings/SeriesPoint";
import type { SourceView } from "../src/bindings/SourceView";
import type { StateChange } from "../src/bindings/StateChange";
import { remoteMonitor } from "../test/fixtures";

const iso = (ms: number) => new Date(ms).toISOString();

// The unit tests' remote monitor, live: its times relative to now.
function remote(source: string, id: string, over: Partial<RemoteMonitor> = {}): RemoteMonitor {
  return remoteMonitor(source, id, {
    latency_ms: 92.4,
    since: iso(Date.now() - 5 * 3600e3),
    checked_at: iso(Date.now() - 8000),
    targets: [{ address: "198.51.100.25", status: "success", reason: null }],
    ...over,
  });
}

function fixture(): SourceView[] {
  const base = { ca_file: null, reason: null, since: iso(Date.now() - 24 * 3600e3) };
  return [
    {
      ...base,
      name: "dc1",
      url: "https://dc1.example.net:9925",
      ca_file: "/etc/ehlowatch/dc1-ca.pem",
      health: "connected",
      can_control: true,
      token_store: "keyring",
      worst: "failed",
      monitors: [
        remote("dc1", "mx1"),
        remote("dc1", "mx2", {
          status: "failed",
          event_id: 5509,
          latency_ms: null,
          reason: "connection refused by 198.51.100.26:25",
          targets: [{ address: "198.51.100.26", status: "failed", reason: "connection refused" }],
        }),
      ],
    },
    {
      ...base,
      name: "dc2",
      url: "https://dc2.example.net:9925",
      health: "unreachable",
      since: iso(Date.now() - 10 * 60e3),
      reason: "no keep-alive from https://dc2.example.net:9925 for 45 s",
      can_control: false,
      token_store: "session",
      worst: "unreachable",
      monitors: [remote("dc2", "mx1", { status: "unreachable", event_id: null, reason: null })],
    },
    {
      ...base,
      name: "dc3",
      url: "https://dc3.example.net:9925",
      health: "needs_token",
      reason: "the token was kept for the last session only",
      can_control: false,
      token_store: "missing",
      worst: "unknown",
      monitors: [],
    },
  ];
}

let sources: SourceView[] = new URLSearchParams(location.search).get("agents") === "1" ? fixture() : [];

/** The sources as they stand. */
export const agents = (): SourceView[] => sources;

const publish = () => emit("sources", sources);
const later = () => setTimeout(() => void publish(), 0);
const refuse = (kind: AgentProblemKind, message: string) => ({ type: "agent", data: { kind, message } });

function validate(a: AgentInput): Problem[] {
  const out: Problem[] = [];
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(a.name)) {
    out.push({ path: "agent.name", message: `"${a.name}" is not a source name (a-z, 0-9 and -, up to 32)` });
  } else if (sources.some((s) => s.name === a.name)) {
    out.push({ path: "agent.name", message: `"${a.name}" is taken by another agent` });
  }
  if (!/^https?:\/\/[^/\s]+/.test(a.url) || (a.url.startsWith("http:") && !a.url.startsWith("http://127.0.0.1"))) {
    out.push({ path: "agent.url", message: `"${a.url}" is not an agent URL (https://host:port)` });
  }
  if (a.token === "") out.push({ path: "agent.token", message: "must not be empty" });
  if (a.ca_file !== null && !a.ca_file.endsWith(".pem")) {
    out.push({ path: "agent.ca_file", message: `"${a.ca_file}" cannot be read as a PEM file` });
  }
  return out;
}

/** The live check's refusal of what was given, or null when the agent would accept it. */
function liveCheck(url: string, token: string) {
  if (url.includes("untrusted")) return refuse("untrusted_certificate", `${url}: the certificate is not signed by a trusted CA`);
  if (url.includes("notagent")) return refuse("not_an_agent", `${url}/api/status did not answer with an agent's status`);
  if (url.includes("down")) return refuse("unreachable", `${url}: connection refused`);
  if (token === "wrong") return refuse("unauthorized", `${url} answered 401 Unauthorized`);
  return null;
}

function series(): SeriesPoint[] {
  const n = 60;
  const step = 864e5 / n;
  const start = Date.now() - 864e5;
  return Array.from({ length: n }, (_, i) => ({
    start: iso(start + i * step),
    probes: 2,
    warning: 0,
    failed: i > n - 3 ? 1 : 0,
    min_ms: 70,
    avg_ms: 90 + 20 * Math.sin(i / 5),
    max_ms: 140,
  }));
}

function events(source: string, monitor: string): StateChange[] {
  const m = sources.find((s) => s.name === source)?.monitors.find((x) => x.id === monitor);
  if (!m) return [];
  return [
    { monitor, name: m.name, at: iso(Date.now() - 6 * 3600e3), event_id: 5509, from: "success", to: "failed", kind: "changed", reason: "connection refused", alert: true },
    { monitor, name: m.name, at: iso(Date.now() - 5 * 3600e3), event_id: 5510, from: "failed", to: "success", kind: "changed", reason: null, alert: true },
  ];
}

function lastFailure(monitor: string): ResultRecord {
  return {
    monitor,
    at: iso(Date.now() - 6 * 3600e3),
    verdict: "failed",
    latency_ms: null,
    phases_ms: { dns: 1, connect: null, tls: null, greeting: null, starttls: null, ehlo: null },
    failure: { phase: "connect", kind: "refused", message: "connection refused by 198.51.100.26:25" },
    reason: "connection refused by 198.51.100.26:25",
    address: "198.51.100.26",
    cert_days_left: null,
    target: null,
    transcript: [{ at: 0.4, dir: "note", text: "connecting to 198.51.100.26:25" }],
  };
}

function find(args: Record<string, unknown>) {
  const s = sources.find((x) => x.name === args.source);
  if (!s) throw { type: "not_found", data: String(args.source) };
  const m = s.monitors.find((x) => x.id === args.monitor);
  if (!m) throw { type: "not_found", data: `${s.name}/${String(args.monitor)}` };
  return { s, m };
}

/** The answer to an agent command, or undefined when `cmd` is not one. */
export async function handleAgents(cmd: string, args: Record<string, unknown>): Promise<{ value: unknown } | undefined> {
  switch (cmd) {
    case "list_agents":
      return { value: sources };
    case "add_agent": {
      const a = args.agent as AgentInput;
      const problems = validate(a);
      if (problems.length) throw { type: "invalid", data: problems };
      await new Promise((r) => setTimeout(r, 300));
      const refused = liveCheck(a.url, a.token);
      if (refused) throw refused;
      const added: SourceView = {
        name: a.name,
        url: a.url,
        ca_file: a.ca_file,
        health: "connected",
        since: iso(Date.now()),
        reason: null,
        can_control: a.token.startsWith("ctl"),
        token_store: "keyring",
        worst: "success",
        monitors: [remote(a.name, "mx1")],
      };
      sources = [...sources, added];
      later();
      return { value: added };
    }
    case "set_agent_token": {
      const s = sources.find((x) => x.name === args.name);
      if (!s) throw { type: "not_found", data: String(args.name) };
      await new Promise((r) => setTimeout(r, 100));
      const refused = liveCheck(s.url, args.token as string);
      if (refused) throw refused;
      const next: SourceView = {
        ...s,
        health: "connected",
        reason: null,
        since: iso(Date.now()),
        token_store: "keyring",
        can_control: (args.token as string).startsWith("ctl"),
        worst: "success",
        monitors: [remote(s.name, "mx1")],
      };
      sources = sources.map((x) => (x.name === s.name ? next : x));
      later();
      return { value: next };
    }
    case "remove_agent":
      sources = sources.filter((x) => x.name !== args.name);
      later();
      return { value: null };
    case "remote_check_now":
    case "remote_snooze":
    case "remote_unsnooze": {
      const { s } = find(args);
      if (!s.can_control) throw refuse("forbidden", `${s.url} refused: the token is read-only`);
      return { value: null };
    }
    case "mute_remote": {
      const { s, m } = find(args);
      const muted = { ...m, muted_until: (args.until as string | null) ?? null };
      sources = sources.map((x) =>
        x === s ? { ...s, monitors: s.monitors.map((y) => (y === m ? muted : y)) } : x,
      );
      later();
      return { value: null };
    }
    case "remote_stats":
      find(args);
      return {
        value: { probes: 2880, success: 2870, warning: 4, failed: 6, uptime_pct: 99.79, latency_samples: 2874, p50_ms: 88.1, p95_ms: 131.2, p99_ms: 150.4 },
      };
    case "remote_series":
      find(args);
      return { value: series() };
    case "remote_events":
      return { value: events(String(args.source), String(args.monitor)) };
    case "remote_last_failure":
      return { value: lastFailure(find(args).m.id) };
    default:
      return undefined;
  }
}
