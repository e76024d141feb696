import type { MonitorView } from "../src/bindings/MonitorView";
import type { ProbeReport } from "../src/bindings/ProbeReport";
import type { RemoteMonitor } from "../src/bindings/RemoteMonitor";
import type { Snapshot } from "../src/bindings/Snapshot";
import type { SourceView } from "../src/bindings/SourceView";

export function report(over: Partial<ProbeReport> = {}): ProbeReport {
  return {
    status: "success",
    event_id: 5510,
    latency_ms: 120,
    qos_ms: 1000,
    host: "mx.example.com",
    port: 25,
    address: "192.0.2.1",
    tls_mode: "none",
    ehlo_name: "probe.example.com",
    checked_at: "2025-01-01T00:00:00Z",
    phases_ms: { dns: 2, connect: 10, tls: null, greeting: 60, starttls: null, ehlo: 50 },
    greeting: null,
    ehlo: null,
    tls: null,
    reason: null,
    failure: null,
    warnings: [],
    transcript: [],
    targets: [],
    ...over,
  };
}

/** The greeting Postfix postscreen sends at once before it pauses (a pregreet test). */
export const PREGREET_LINE = "mx.example ESMTP postscreen";

/**
 * A probe of a server that sent the first line of a multi-line greeting and then paused past
 * 2×QoS: Failed, the partial greeting kept, and the pregreet explanation in the reason.
 */
export function pregreetReport(over: Partial<ProbeReport> = {}): ProbeReport {
  const message = `greeting started (220-${PREGREET_LINE}) but did not finish within 2×QoS (2.000 s)`;
  return report({
    status: "failed",
    event_id: 5509,
    latency_ms: null,
    phases_ms: { dns: 0.1, connect: 0.3, tls: null, greeting: null, starttls: null, ehlo: null },
    greeting: { code: 220, lines: [PREGREET_LINE], complete: false },
    failure: { phase: "greeting", kind: "timeout", message },
    reason:
      `${message}; looks like a pregreet test (e.g. Postfix postscreen): allowlist this probe's ` +
      "address on the server or raise QoS above the pause",
    transcript: [
      { at: 0.3, dir: "note", text: "connected to 192.0.2.1:25" },
      { at: 0.9, dir: "server", text: `220-${PREGREET_LINE}` },
      { at: 2000, dir: "note", text: "(incomplete) no more greeting lines within 2×QoS; closed without a word" },
    ],
    ...over,
  });
}

export function view(over: Partial<MonitorView> & { id: string }): MonitorView {
  return {
    name: over.id,
    host: `${over.id}.example.com`,
    port: 25,
    tls: "none",
    qos_ms: 1000,
    interval_ms: 60_000,
    enabled: true,
    status: "success",
    shown: over.shown ?? over.status ?? "success",
    since: null,
    pending: null,
    reason: null,
    last: null,
    next_check_at: null,
    snoozed_until: null,
    ...over,
  };
}

export function snapshot(monitors: MonitorView[], taken = "2025-01-01T00:00:00Z"): Snapshot {
  return {
    monitors,
    worst: "success",
    counts: {
      success: monitors.length,
      warning: 0,
      failed: 0,
      unknown: 0,
      offline: 0,
      blocked: 0,
      stale: 0,
      no_route: 0,
      unreachable: 0,
      no_mail: 0,
      paused: 0,
    },
    offline: false,
    blocked: false,
    alerts_paused_until: null,
    taken_at: taken,
    notice: null,
  };
}

/** A remote monitor of the source `source` (its key is `source/id`). */
export function remoteMonitor(source: string, id: string, over: Partial<RemoteMonitor> = {}): RemoteMonitor {
  return {
    id,
    key: `${source}/${id}`,
    name: id,
    status: "success",
    event_id: 5510,
    latency_ms: 84.5,
    since: "2025-01-01T00:00:00Z",
    checked_at: "2025-01-01T00:10:00Z",
    reason: null,
    targets: [{ address: "192.0.2.10", status: "success", reason: null }],
    muted_until: null,
    ...over,
  };
}

/** A connected agent with a control token, watching `monitors` (by id). */
export function sourceView(name: string, over: Partial<SourceView> = {}, monitors: string[] = ["mx1"]): SourceView {
  return {
    name,
    url: `https://${name}.example.net:9925`,
    ca_file: null,
    health: "connected",
    since: "2025-01-01T00:00:00Z",
    reason: null,
    can_control: true,
    token_store: "keyring",
    worst: "success",
    monitors: monitors.map((id) => remoteMonitor(name, id)),
    ...over,
  };
}
