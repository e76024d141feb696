// What the settings say about desktop notifications the system will not show. Pure, unit-tested.

import type { AppInfo } from "../bindings/AppInfo";

/** The text to show when the system does not show the app's toasts; null when it does. */
export function toastsUnavailable(info: Pick<AppInfo, "toasts"> | null | undefined): string | null {
  if (!info || info.toasts.available) return null;
  const reason = info.toasts.reason?.trim();
  return reason ? reason : "The system does not show EHLO Watch's notifications.";
}
