import type { MonitorView } from "../src/bindings/MonitorView";
import type { ProbeReport } from "../src/bindings/ProbeReport";
import type { Snapshot } from "../src/bindings/Snapshot";

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
    ...over,
  };
}

export function view(over: Partial<MonitorView> & { id: string }): MonitorView {
  return {
    name: over.id,
    host: `${over.id}.example.com`,
    port: 25,
    tls: "none",
    qos_ms: 1000,
    enabled: true,
    status: "success",
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
    counts: { success: monitors.length, warning: 0, failed: 0, other: 0 },
    offline: false,
    alerts_paused_until: null,
    taken_at: taken,
    notice: null,
  };
}
