// Banners above every view: a notice from the app (e.g. a settings file kept aside), this
// machine being offline, outbound port 25 blocked on this network, notifications paused.

import * as ipc from "../ipc";
import { blockedBannerText } from "../logic/control";
import { fmtClock, isForever, parseTime } from "../logic/format";
import { setState, useStore } from "../store";

export function Banners() {
  const notice = useStore((s) => s.notice);
  const offline = useStore((s) => s.snapshot?.offline ?? false);
  const blocked = useStore((s) => (s.snapshot?.blocked ? s.snapshot.counts.blocked : null));
  const pausedUntil = useStore(
    (s) => s.snapshot?.alerts_paused_until ?? s.settings?.ui.notifications_paused_until ?? null,
  );
  const paused = parseTime(pausedUntil);
  const now = Date.now();
  return (
    <div class="banners">
      {notice ? (
        <div class="banner banner-notice" role="status" data-testid="notice">
          <p>{notice}</p>
          <button
            type="button"
            class="btn btn-small"
            onClick={() => {
              setState({ notice: null });
              void ipc.dismissNotice();
            }}
          >
            Dismiss
          </button>
        </div>
      ) : null}
      {offline ? (
        <div class="banner banner-offline" role="status">
          <p>This computer seems to be offline. Checks go on; servers are not blamed meanwhile.</p>
        </div>
      ) : null}
      {blocked !== null ? (
        <div class="banner banner-blocked" role="status" data-testid="blocked-banner">
          <p>{blockedBannerText(blocked)}</p>
        </div>
      ) : null}
      {paused !== null && paused > now ? (
        <div class="banner banner-paused" role="status">
          <p>
            Notifications paused
            {isForever(paused, now) ? " until you resume them" : ` until ${fmtClock(paused, now)}`}.
          </p>
          <button
            type="button"
            class="btn btn-small"
            onClick={() => void ipc.resumeNotifications()}
          >
            Resume
          </button>
        </div>
      ) : null}
    </div>
  );
}
