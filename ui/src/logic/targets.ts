// The targets of a monitor's last probe (every address of its host), as the window shows them:
// one row per address with a glyph, its colour and its latency or reason, and the note a row
// carries when the addresses disagree ("1 of 2 addresses failing"). Pure, unit-tested.

import type { ProbeReport } from "../bindings/ProbeReport";
import type { Status } from "../bindings/Status";
import type { TargetReport } from "../bindings/TargetReport";
import { STATUSES } from "../bindings/statuses";
import { fmtMs } from "./format";

export type TargetRow = {
  /** `mx1 — 192.0.2.1` for an MX host's address, else the address. */
  label: string;
  status: Status;
  glyph: string;
  colour: string;
  /** The latency of a 250, else why not. */
  detail: string;
};

const GLYPH: Partial<Record<Status, string>> = {
  success: "✓",
  warning: "!",
  failed: "✕",
  no_route: "–",
};

/** `mx1 — 192.0.2.1` for an MX host's address, else the address. */
export function targetLabel(t: Pick<TargetReport, "mx" | "address">): string {
  return t.mx ? `${t.mx} — ${t.address}` : t.address;
}

/** One row per target, in the resolver's order. */
export function targetRows(report: ProbeReport | null | undefined): TargetRow[] {
  return (report?.targets ?? []).map((t) => {
    const own = t.report;
    const detail =
      t.status === "no_route"
        ? "no route from here"
        : t.status === "success"
          ? fmtMs(own.latency_ms)
          : own.reason ?? fmtMs(own.latency_ms);
    return {
      label: targetLabel(t),
      status: t.status,
      glyph: GLYPH[t.status] ?? "–",
      colour: STATUSES[t.status].colour,
      detail,
    };
  });
}

/**
 * "1 of 2 addresses failing" when some but not all judged targets are not Success — for a mail
 * domain "1 of 2 MX hosts failing", a host failing when any of its judged addresses does; else
 * null.
 */
export function targetsNote(report: ProbeReport | null | undefined): string | null {
  const targets = report?.targets ?? [];
  const judged = targets.filter((t) => t.status !== "no_route");
  const domain = targets.some((t) => t.mx !== undefined);
  const hosts = new Map<string, boolean>();
  judged.forEach((t, i) => {
    const key = domain ? (t.mx ?? "") : String(i);
    hosts.set(key, (hosts.get(key) ?? false) || t.status !== "success");
  });
  const failing = [...hosts.values()].filter((f) => f).length;
  if (failing === 0 || failing === hosts.size) return null;
  return `${failing} of ${hosts.size} ${domain ? "MX hosts" : "addresses"} failing`;
}
