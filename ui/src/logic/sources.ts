// Remote agents as the window shows them: the health badge of a source, the status a remote row
// shows (grey while its source cannot be read), the words for where a token is kept and what it
// allows, the filter, and structural sharing between `sources` events (an unchanged monitor keeps
// its object, so its row is not rendered again). Pure, unit-tested.

import type { RemoteMonitor } from "../bindings/RemoteMonitor";
import type { SourceHealth } from "../bindings/SourceHealth";
import type { SourceView } from "../bindings/SourceView";
import type { Status } from "../bindings/Status";
import type { TokenStore } from "../bindings/TokenStore";
import { STATUS_LABEL, fmtClock, parseTime } from "./format";
import { statusRank } from "./monitors";

/** What a source's health is called when it is not connected. */
export const HEALTH_LABEL: Record<SourceHealth, string> = {
  connecting: "Connecting",
  connected: "Connected",
  unreachable: "Unreachable",
  needs_token: "Needs its token",
};

/**
 * The badge of a source: its worst status while connected, else grey (`unreachable`'s colour)
 * with the health's name.
 */
export function sourceBadge(s: Pick<SourceView, "health" | "worst">): { status: Status; label: string } {
  if (s.health === "connected") return { status: s.worst, label: STATUS_LABEL[s.worst] };
  return { status: "unreachable", label: HEALTH_LABEL[s.health] };
}

/** Why a source that is not connected shows grey rows, with since when: one line. */
export function healthNote(s: Pick<SourceView, "health" | "since" | "reason">, nowMs: number): string | null {
  if (s.health === "connected") return null;
  const since = parseTime(s.since);
  const when = since === null ? "" : ` since ${fmtClock(since, nowMs)}`;
  const why = s.reason ? `: ${s.reason}` : "";
  switch (s.health) {
    case "unreachable":
      return `Unreachable${when}${why}`;
    case "needs_token":
      return `Needs its token again (Settings → Agents)${why}`;
    default:
      return `Connecting${why}`;
  }
}

/** The status a remote row shows: grey `unreachable` while its source is not connected. */
export function shownRemote(m: Pick<RemoteMonitor, "status">, s: Pick<SourceView, "health">): Status {
  return s.health === "connected" ? m.status : "unreachable";
}

/** Where a source's token is kept, in words. */
export const TOKEN_STORE_LABEL: Record<TokenStore, string> = {
  keyring: "Token in the system keyring",
  session: "Token for this session only (no keyring): give it again after a restart",
  missing: "No token: give the token again",
};

/** What a source's token allows, in words. */
export const controlLabel = (canControl: boolean) => (canControl ? "control token" : "read-only token");

/** True while the user has to give the source's token again. */
export const needsToken = (s: Pick<SourceView, "health" | "token_store">) =>
  s.health === "needs_token" || s.token_store === "missing";

/** True while the desktop mutes this remote monitor. */
export function isMuted(m: Pick<RemoteMonitor, "muted_until">, nowMs: number): boolean {
  const until = parseTime(m.muted_until);
  return until !== null && until > nowMs;
}

/** The far-future time a mute "until I unmute" is sent as (RFC 3339, year 9999). */
export const MUTE_FOREVER = "9999-12-31T23:59:59Z";

/** The time a mute of `minutes` ends (`null`: until unmuted). */
export function muteUntil(minutes: number | null, nowMs: number): string {
  return minutes === null ? MUTE_FOREVER : new Date(nowMs + minutes * 60_000).toISOString();
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** A source's monitors worst first (unmuted before muted), then by name. */
export function sortRemote(list: readonly RemoteMonitor[], nowMs: number): RemoteMonitor[] {
  return [...list].sort(
    (a, b) =>
      Number(isMuted(a, nowMs)) - Number(isMuted(b, nowMs)) ||
      statusRank(a.status) - statusRank(b.status) ||
      collator.compare(a.name, b.name),
  );
}

/** The monitors of a source matching every word of `query` (name, key, status, source). */
export function filterRemote(s: SourceView, query: string): RemoteMonitor[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...s.monitors];
  return s.monitors.filter((m) => {
    const shown = shownRemote(m, s);
    const hay = [m.name, m.key, s.name, shown, STATUS_LABEL[shown], ...m.targets.map((t) => t.address)]
      .join(" ")
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `next` with every source and remote monitor that did not change replaced by the object already
 * shown, and `prev` itself when nothing changed at all.
 */
export function mergeSources(prev: readonly SourceView[], next: readonly SourceView[]): readonly SourceView[] {
  const old = new Map(prev.map((s) => [s.name, s]));
  let changed = prev.length !== next.length;
  const merged = next.map((s, i) => {
    const o = old.get(s.name);
    if (!o) {
      changed = true;
      return s;
    }
    if (same(o, s)) {
      if (prev[i] !== o) changed = true;
      return o;
    }
    changed = true;
    const oldMonitors = new Map(o.monitors.map((m) => [m.key, m]));
    const monitors = s.monitors.map((m) => {
      const om = oldMonitors.get(m.key);
      return om && same(om, m) ? om : m;
    });
    return { ...s, monitors };
  });
  return changed ? merged : prev;
}

/** `list` with `source` in place of the one of the same name, or added at the end. */
export function upsertSource(list: readonly SourceView[], source: SourceView): readonly SourceView[] {
  const i = list.findIndex((s) => s.name === source.name);
  return i < 0 ? [...list, source] : list.map((s, j) => (j === i ? source : s));
}

/** The keys of the monitors whose `checked_at` moved between two pictures, with their status. */
export function freshResults(
  prev: readonly SourceView[],
  next: readonly SourceView[],
): Array<{ key: string; status: Status }> {
  const before = new Map(prev.flatMap((s) => s.monitors.map((m) => [m.key, m.checked_at] as const)));
  return next.flatMap((s) =>
    s.monitors
      .filter((m) => m.checked_at !== null && before.has(m.key) && before.get(m.key) !== m.checked_at)
      .map((m) => ({ key: m.key, status: m.status })),
  );
}

/**
 * The actions a remote monitor's detail offers: *Check now* and the agent-wide *Snooze* only with
 * a control token (and Unsnooze in place of Snooze while the agent has it snoozed), the local
 * *Mute* always.
 */
export function remoteActions(
  s: Pick<SourceView, "can_control">,
  m: Pick<RemoteMonitor, "status">,
): { checkNow: boolean; snooze: boolean; unsnooze: boolean; mute: true } {
  const c = s.can_control;
  return { checkNow: c, snooze: c && m.status !== "paused", unsnooze: c && m.status === "paused", mute: true };
}
