// One monitor in the status list. Rendered again only when its own monitor object or uptime
// changes (snapshots share unchanged monitors, see mergeSnapshot), so a live update touches
// one row.

import { Component } from "preact";

import type { MonitorView } from "../bindings/MonitorView";
import { STATUSES } from "../bindings/statuses";
import { announce } from "../app";
import * as ipc from "../ipc";
import { fmtClock, fmtMs, fmtPct, hostPort, isForever, parseTime, tlsLabel } from "../logic/format";
import { targetsNote } from "../logic/targets";
import { Badge } from "./Badge";
import { PhaseBar } from "./PhaseBar";
import { SnoozeMenu } from "./SnoozeMenu";
import { Ago, Until } from "./Time";
import { goTo, takeFocusRequest } from "./focus";

type Props = { m: MonitorView; uptime: number | null | undefined };

function RowView({ m, uptime }: Props) {
  const snoozedUntil = parseTime(m.snoozed_until);
  const snoozed = snoozedUntil !== null && snoozedUntil > Date.now();
  const last = m.last;
  const note = !m.enabled
    ? "Disabled"
    : m.pending
      ? m.pending
      : m.shown === "unknown"
        ? "Not checked yet"
        : m.shown === "stale"
          ? "No fresh result: the last check is older than 2× the interval + 2× QoS"
          : m.status !== "success"
            ? (targetsNote(last) ?? m.reason ?? "")
            : "";
  return (
    <li
      class={`row row-${STATUSES[m.shown].colour}${m.enabled ? "" : " row-disabled"}${snoozed ? " row-snoozed" : ""}`}
      data-testid="monitor-row"
      data-monitor-id={m.id}
      data-status={m.shown}
    >
      <div class="row-badge">
        <Badge status={m.shown} />
      </div>
      <div class="row-main">
        <button
          type="button"
          class="linkish row-name"
          data-testid="open-detail"
          ref={(el) => takeFocusRequest(`row:${m.id}`, el)}
          onClick={goTo({ kind: "detail", id: m.id }, "heading")}
        >
          {m.name}
        </button>
        <span class="row-where">
          {hostPort(m.host, m.port)} · {tlsLabel(m.tls)}
        </span>
        <span class="row-note" title={note}>
          {snoozed && snoozedUntil !== null ? (
            <span class="chip">
              Snoozed
              {isForever(snoozedUntil, Date.now())
                ? ""
                : ` until ${fmtClock(snoozedUntil, Date.now())}`}
            </span>
          ) : null}
          {note}
        </span>
      </div>
      <div class="row-latency">
        <span class="num" title="Latency of the last probe">
          {fmtMs(last?.latency_ms)}
        </span>
        <PhaseBar report={last} qosMs={m.qos_ms} />
      </div>
      <div class="row-meta">
        <span class="row-uptime" title="Uptime over the last 24 hours">
          <span class="label">24 h</span> <span class="num">{fmtPct(uptime)}</span>
        </span>
        <Ago at={last?.checked_at} prefix="checked " />
        {m.enabled ? <Until at={m.next_check_at} prefix="next " /> : null}
      </div>
      <div class="row-actions">
        <button
          type="button"
          class="btn btn-small"
          aria-label={`Check ${m.name} now`}
          disabled={!m.enabled}
          onClick={() => {
            announce(`Checking ${m.name}`);
            void ipc.checkNow(m.id);
          }}
        >
          Check now
        </button>
        {snoozed ? (
          <button
            type="button"
            class="btn btn-small"
            aria-label={`Resume alerts for ${m.name}`}
            onClick={() => void ipc.unsnooze(m.id)}
          >
            Unsnooze
          </button>
        ) : (
          <SnoozeMenu label="Snooze" ariaLabel={`Snooze ${m.name}`} onPick={(minutes) => void ipc.snooze(m.id, minutes)} />
        )}
        <button
          type="button"
          class="btn btn-small"
          aria-label={`Edit ${m.name}`}
          data-testid="edit-monitor"
          onClick={goTo({ kind: "edit", id: m.id }, "field:host")}
        >
          Edit
        </button>
      </div>
    </li>
  );
}

/** A row that renders only when its props change. */
export class Row extends Component<Props> {
  override shouldComponentUpdate(next: Props): boolean {
    return next.m !== this.props.m || next.uptime !== this.props.uptime;
  }
  override render() {
    return <RowView {...this.props} />;
  }
}
