// Pausing desktop notifications for an hour, eight hours or until resumed, and resuming them.

import * as ipc from "../ipc";
import { fmtClock, isForever, parseTime } from "../logic/format";
import { useStore } from "../store";

export function PauseControls() {
  const until = useStore(
    (s) => s.snapshot?.alerts_paused_until ?? s.settings?.ui.notifications_paused_until ?? null,
  );
  const ms = parseTime(until);
  const now = Date.now();
  const paused = ms !== null && ms > now;
  return (
    <div class="pause">
      <p role="status">
        {paused
          ? `Notifications are paused${isForever(ms, now) ? " until you resume them" : ` until ${fmtClock(ms, now)}`}.`
          : "Notifications are on."}
      </p>
      <div class="btn-row">
        {paused ? (
          <button type="button" class="btn" onClick={() => void ipc.resumeNotifications()}>
            Resume notifications
          </button>
        ) : (
          <>
            <button type="button" class="btn" onClick={() => void ipc.pauseNotifications(60)}>
              Pause 1 hour
            </button>
            <button type="button" class="btn" onClick={() => void ipc.pauseNotifications(480)}>
              Pause 8 hours
            </button>
            <button type="button" class="btn" onClick={() => void ipc.pauseNotifications(null)}>
              Pause until I resume
            </button>
          </>
        )}
      </div>
    </div>
  );
}
