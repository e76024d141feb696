// How numbers, times and states read in the window. Pure functions, unit-tested.

import type { Status } from "../bindings/Status";
import { EVENT_IDS } from "../bindings/statuses";
import type { TlsMode } from "../bindings/TlsMode";

export const DASH = "—";

/** A latency: `3.4 ms`, `123 ms`, `1850 ms`, `12.3 s`; a dash when there is none. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return DASH;
  if (ms < 10) return `${(Math.round(ms * 10) / 10).toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** An uptime percentage: `100%`, `99.95%`, `87.5%`; a dash without probes. */
export function fmtPct(pct: number | null | undefined): string {
  if (pct == null || !Number.isFinite(pct)) return DASH;
  if (pct >= 100) return "100%";
  if (pct >= 99) return `${(Math.floor(pct * 100) / 100).toFixed(2)}%`;
  return `${(Math.floor(pct * 10) / 10).toFixed(1)}%`;
}

function span(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const min = Math.floor(seconds / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** How long ago: `just now`, `12 s ago`, `5 min ago`, `3 h ago`, `4 d ago`. */
export function fmtAgo(atMs: number, nowMs: number): string {
  const s = Math.floor((nowMs - atMs) / 1000);
  if (s < 1) return "just now";
  return `${span(s)} ago`;
}

/** How long until: `in 12 s`, `in 5 min`; `due` once the time has come. */
export function fmtUntil(atMs: number, nowMs: number): string {
  const s = Math.ceil((atMs - nowMs) / 1000);
  if (s <= 0) return "due";
  return `in ${span(s)}`;
}

/** Milliseconds since the epoch of an RFC 3339 time, or null. */
export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  let t = Date.parse(iso);
  if (Number.isNaN(t)) {
    // Nanoseconds (chrono writes up to 9 digits) cut to milliseconds.
    t = Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));
  }
  if (Number.isNaN(t) && /^\+\d{5,}-/.test(iso)) {
    // Beyond what Date holds: "until resumed" (chrono's MAX_UTC).
    return FOREVER_MS;
  }
  return Number.isNaN(t) ? null : t;
}

/** The largest time a Date holds; times this far out read as "until resumed". */
export const FOREVER_MS = 8.64e15;

/** True for a time so far ahead it stands for "until resumed" (more than 50 years away). */
export function isForever(ms: number, nowMs: number): boolean {
  return ms - nowMs > 50 * 365 * 864e5;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A local date and time, `2025-11-22 14:03:12` (sortable, unambiguous, any locale). */
export function fmtDateTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** A local time of day, `14:03`; with the date when it is not today. */
export function fmtClock(ms: number, nowMs: number): string {
  const d = new Date(ms);
  const n = new Date(nowMs);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === n.toDateString()) return hm;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

export const STATUS_LABEL: Record<Status, string> = {
  success: "Success",
  warning: "Warning",
  failed: "Failed",
  offline: "Offline",
  unknown: "Unknown",
  blocked: "Blocked here",
  stale: "Stale",
  no_route: "No route",
  unreachable: "Unreachable",
  no_mail: "Takes no mail",
  paused: "Paused",
};

export const TLS_LABEL: Record<TlsMode, string> = {
  none: "Plain",
  starttls: "STARTTLS",
  implicit: "Implicit TLS",
};

export function tlsLabel(mode: string): string {
  return TLS_LABEL[mode as TlsMode] ?? mode;
}

/** The name of an event id (`Failed`, `Offline began`), from the engine's table. */
export function eventName(id: number | null): string {
  const known = id === null ? undefined : (EVENT_IDS as Record<number, { name: string }>)[id];
  return known?.name ?? "No verdict";
}

/** `host:port`, with brackets around an IPv6 literal. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `12 days left`, `1 day left`, `expired 3 days ago`, `expires today`. */
export function fmtDaysLeft(days: number): string {
  if (days > 1) return `${days} days left`;
  if (days === 1) return "1 day left";
  if (days === 0) return "expires today";
  return days === -1 ? "expired 1 day ago" : `expired ${-days} days ago`;
}
