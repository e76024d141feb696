// One monitor of a remote agent in depth: its status and addresses as the agent reports them, and
// its history read from the agent by the shell (HistoryPanel over `remote_*`). *Check now* and
// the agent-wide *Snooze* only when the source's token allows control; a *Mute* on this desktop
// always.

import { useMemo } from "preact/hooks";

import type { RemoteMonitor } from "../bindings/RemoteMonitor";
import type { SourceView } from "../bindings/SourceView";
import { STATUSES } from "../bindings/statuses";
import { announce } from "../app";
import { remoteHistory } from "../history";
import * as ipc from "../ipc";
import { fmtClock, isForever, parseTime } from "../logic/format";
import { controlLabel, healthNote, isMuted, muteUntil, remoteActions, shownRemote } from "../logic/sources";
import { useStore } from "../store";
import { Badge } from "./Badge";
import { goTo, takeFocusRequest } from "./focus";
import { HistoryPanel } from "./HistoryPanel";
import { Icon } from "./icons";
import { SnoozeMenu } from "./SnoozeMenu";
import { SinceChecked } from "./Time";

/** What a failed control command says, announced (the agent's refusal by kind). */
function tell(what: string, p: Promise<unknown>): void {
  p.catch((e) => announce(`${what} failed: ${ipc.errorText(ipc.asAppError(e))}`));
}

function Controls({ s, m }: { s: SourceView; m: RemoteMonitor }) {
  const now = Date.now();
  const muted = isMuted(m, now);
  const mutedUntil = parseTime(m.muted_until);
  const label = `${s.name} / ${m.name}`;
  const can = remoteActions(s, m);
  return (
    <div class="detail-actions">
      {can.checkNow ? (
        <button
          type="button"
          class="btn btn-small"
          data-testid="remote-check-now"
          disabled={s.health !== "connected"}
          onClick={() => {
            announce(`Checking ${label}`);
            tell("Check now", ipc.remoteCheckNow(s.name, m.id));
          }}
        >
          Check now
        </button>
      ) : null}
      {can.unsnooze ? (
        <button
          type="button"
          class="btn btn-small"
          data-testid="remote-unsnooze"
          aria-label={`Resume ${label} on the agent`}
          onClick={() => tell("Unsnooze", ipc.remoteUnsnooze(s.name, m.id))}
        >
          Unsnooze
        </button>
      ) : null}
      {can.snooze ? (
        <SnoozeMenu
          label="Snooze"
          ariaLabel={`Snooze ${label} on the agent (for everyone)`}
          testId="remote-snooze"
          onPick={(minutes) => tell("Snooze", ipc.remoteSnooze(s.name, m.id, minutes))}
        />
      ) : null}
      {muted ? (
        <button
          type="button"
          class="btn btn-small"
          data-testid="remote-unmute"
          aria-label={`Unmute ${label} on this desktop`}
          title={
            mutedUntil !== null && !isForever(mutedUntil, now)
              ? `Muted here until ${fmtClock(mutedUntil, now)}`
              : "Muted here until you unmute it"
          }
          onClick={() => tell("Unmute", ipc.muteRemote(s.name, m.id, null))}
        >
          Unmute
        </button>
      ) : (
        <SnoozeMenu
          label="Mute"
          ariaLabel={`Mute ${label} on this desktop`}
          testId="remote-mute"
          onPick={(minutes) => tell("Mute", ipc.muteRemote(s.name, m.id, muteUntil(minutes, Date.now())))}
        />
      )}
    </div>
  );
}

export function RemoteDetail({ source, monitor }: { source: string; monitor: string }) {
  const s = useStore((st) => st.sources.find((x) => x.name === source) ?? null);
  const m = s?.monitors.find((x) => x.id === monitor) ?? null;
  const history = useMemo(() => remoteHistory(source, monitor), [source, monitor]);
  const key = `${source}/${monitor}`;
  const back = goTo({ kind: "status" }, `row:${key}`);

  if (!s || !m) {
    return (
      <section class="view detail" data-testid="detail">
        <h1 tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
          Monitor not found
        </h1>
        <p>
          {s ? `The agent “${source}” has no monitor “${monitor}” any more.` : `There is no agent “${source}” any more.`}
        </p>
        <button type="button" class="btn" onClick={back}>
          Back to status
        </button>
      </section>
    );
  }

  const now = Date.now();
  const shown = shownRemote(m, s);
  const note = healthNote(s, now);
  return (
    <section
      class="view detail"
      data-testid="detail"
      data-monitor-id={m.key}
      data-source={s.name}
      aria-labelledby="detail-title"
    >
      <div class="detail-head">
        <button type="button" class="btn btn-small btn-plain" onClick={back}>
          <Icon name="back" />
          <span>Status</span>
        </button>
        <h1 id="detail-title" tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
          <span class="muted">{s.name} / </span>
          {m.name}
        </h1>
        <Badge status={shown} />
        <Controls s={s} m={m} />
      </div>
      <p class="detail-where">
        Agent {s.name} ({controlLabel(s.can_control)}) · monitor {m.id}
        <SinceChecked status={m.status} since={m.since} checkedAt={m.checked_at} />
      </p>
      <p class="detail-reason">{note ?? m.reason ?? "\u00a0"}</p>

      <HistoryPanel source={history} qosMs={null}>
        {m.targets.length > 0 ? (
          <section class="card" aria-labelledby="targets-title">
            <h2 id="targets-title">Addresses</h2>
            <ul class="targets" data-testid="targets">
              {m.targets.map((t) => (
                <li
                  key={t.address}
                  class={`target target-${STATUSES[t.status].colour}`}
                  data-status={t.status}
                >
                  <Badge status={t.status} /> <span class="target-address">{t.address}</span>{" "}
                  <span class="muted">{t.reason ?? ""}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </HistoryPanel>
    </section>
  );
}
