// One monitor of a remote agent in the status list, like a local row: status badge, name (opens
// its detail), its addresses, latency, since when, why. Grey with "Unreachable since …" while its
// source cannot be read. Rendered again only when its own object or its source's state changes.

import { Component } from "preact";

import type { RemoteMonitor } from "../bindings/RemoteMonitor";
import type { Status } from "../bindings/Status";
import { STATUSES } from "../bindings/statuses";
import { announce } from "../app";
import * as ipc from "../ipc";
import { STATUS_LABEL, fmtClock, fmtMs, isForever, parseTime } from "../logic/format";
import { isMuted } from "../logic/sources";
import { Badge } from "./Badge";
import { goTo, takeFocusRequest } from "./focus";
import { Ago } from "./Time";

type Props = {
  m: RemoteMonitor;
  source: string;
  /** The status shown: grey `unreachable` while the source is not connected. */
  shown: Status;
  /** Why the source is not connected ("Unreachable since 14:03: …"), or null. */
  healthNote: string | null;
  canControl: boolean;
};

function targetsText(m: RemoteMonitor): string {
  if (m.targets.length === 0) return "";
  if (m.targets.length === 1) return m.targets[0]!.address;
  const bad = m.targets.filter((t) => t.status !== "success").length;
  return `${m.targets.length} addresses${bad ? `, ${bad} not OK` : ""}`;
}

function RemoteRowView({ m, source, shown, healthNote, canControl }: Props) {
  const now = Date.now();
  const muted = isMuted(m, now);
  const mutedUntil = parseTime(m.muted_until);
  const since = parseTime(m.since);
  const note =
    healthNote ??
    (shown === "unknown"
      ? "Not checked yet"
      : shown !== "success"
        ? (m.reason ??
          m.targets
            .filter((t) => t.status !== "success" && t.reason)
            .map((t) => `${t.address}: ${t.reason}`)
            .join("; "))
        : "");
  const where = [`${source} / ${m.id}`, targetsText(m)].filter(Boolean).join(" · ");
  return (
    <li
      class={`row row-${STATUSES[shown].colour}${muted ? " row-snoozed" : ""}`}
      data-testid="monitor-row"
      data-monitor-id={m.key}
      data-source={source}
      data-status={shown}
    >
      <div class="row-badge">
        <Badge status={shown} />
      </div>
      <div class="row-main">
        <button
          type="button"
          class="linkish row-name"
          data-testid="open-detail"
          ref={(el) => takeFocusRequest(`row:${m.key}`, el)}
          onClick={goTo({ kind: "remote", source, monitor: m.id }, "heading")}
        >
          {m.name}
        </button>
        <span class="row-where" title={m.targets.map((t) => `${t.address}: ${STATUS_LABEL[t.status]}`).join("\n")}>
          {where}
        </span>
        <span class="row-note" title={note}>
          {muted && mutedUntil !== null ? (
            <span class="chip" data-testid="muted-chip">
              Muted here
              {isForever(mutedUntil, now) ? "" : ` until ${fmtClock(mutedUntil, now)}`}
            </span>
          ) : null}
          {note}
        </span>
      </div>
      <div class="row-latency">
        <span class="num" title="Latency of the last probe">
          {fmtMs(m.latency_ms)}
        </span>
      </div>
      <div class="row-meta">
        <span class="row-since">
          {since !== null && healthNote === null ? `${STATUS_LABEL[m.status]} since ${fmtClock(since, now)}` : "\u00a0"}
        </span>
        <Ago at={m.checked_at} prefix="checked " />
      </div>
      <div class="row-actions">
        {canControl ? (
          <button
            type="button"
            class="btn btn-small"
            aria-label={`Check ${source} / ${m.name} now`}
            disabled={healthNote !== null}
            onClick={() => {
              announce(`Checking ${source} / ${m.name}`);
              void ipc.remoteCheckNow(source, m.id);
            }}
          >
            Check now
          </button>
        ) : null}
      </div>
    </li>
  );
}

/** A remote row that renders only when its props change. */
export class RemoteRow extends Component<Props> {
  override shouldComponentUpdate(next: Props): boolean {
    const p = this.props;
    return (
      next.m !== p.m ||
      next.shown !== p.shown ||
      next.healthNote !== p.healthNote ||
      next.canControl !== p.canControl ||
      next.source !== p.source
    );
  }
  override render() {
    return <RemoteRowView {...this.props} />;
  }
}
