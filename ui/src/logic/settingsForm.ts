// The settings form's model: defaults, alert policy, history, control hosts and desktop
// notification prefs as form values keyed by their path (`defaults.qos_ms`, `control.hosts`,
// `ui.notify_warnings`), and back.

import type { Settings } from "../bindings/Settings";
import { SETTINGS } from "../bindings/settingsRegistry";
import { joinHosts, splitHosts, tooManyHosts } from "./control";
import { parseWhole } from "./monitorForm";

export const NUMBER_KEYS = [
  "defaults.qos_ms",
  "defaults.interval_s",
  "defaults.retry_s",
  "defaults.cert_warn_days",
  "defaults.cert_crit_days",
  "alerts.failed_after",
  "alerts.warning_after",
  "alerts.repeat_every_min",
  "history.retention_days",
] as const;

export type SettingsForm = Record<
  (typeof NUMBER_KEYS)[number] | "defaults.ehlo_name" | "control.hosts",
  string
> & {
  "alerts.on_recovery": boolean;
  "alerts.every_failure": boolean;
  "ui.notify_warnings": boolean;
};

export const SETTINGS_KEYS: ReadonlySet<string> = new Set([
  ...NUMBER_KEYS,
  "defaults.ehlo_name",
  "alerts.on_recovery",
  "alerts.every_failure",
  "control.hosts",
  "ui.notify_warnings",
]);

const str = (v: number | string | null | undefined) => (v == null ? "" : String(v));

export function toSettingsForm(s: Settings): SettingsForm {
  const d = s.defaults ?? {};
  const a = s.alerts ?? {};
  return {
    "defaults.qos_ms": str(d.qos_ms),
    "defaults.interval_s": str(d.interval_s),
    "defaults.retry_s": str(d.retry_s),
    "defaults.ehlo_name": str(d.ehlo_name),
    "defaults.cert_warn_days": str(d.cert_warn_days),
    "defaults.cert_crit_days": str(d.cert_crit_days),
    "alerts.failed_after": str(a.failed_after),
    "alerts.warning_after": str(a.warning_after),
    "alerts.on_recovery": a.on_recovery ?? SETTINGS.on_recovery.default,
    "alerts.repeat_every_min": str(a.repeat_every_min),
    "alerts.every_failure": a.every_failure ?? SETTINGS.every_failure.default,
    "history.retention_days": str(s.history?.retention_days),
    "control.hosts": joinHosts(s.control?.hosts),
    "ui.notify_warnings": s.ui.notify_warnings,
  };
}

/** A yes/no left unset when it was unset and still equals the built-in default. */
function flag(was: boolean | undefined, now: boolean, builtin: boolean): boolean | undefined {
  return was === undefined && now === builtin ? undefined : now;
}

/**
 * `base` with the form's values; blank numbers are left out (they take the built-in default), and
 * so is `control` when no control host is given (control probes off).
 */
export function fromSettingsForm(
  f: SettingsForm,
  base: Settings,
): { settings: Settings; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const num = (k: (typeof NUMBER_KEYS)[number]) => {
    const r = parseWhole(f[k]);
    if (r.error) errors[k] = r.error;
    return r.value;
  };
  const clean = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const ehlo = f["defaults.ehlo_name"].trim();
  const hosts = splitHosts(f["control.hosts"]);
  const tooMany = tooManyHosts(hosts);
  if (tooMany) errors["control.hosts"] = tooMany;
  const { control: _, ...rest } = base;
  const settings: Settings = {
    ...rest,
    defaults: clean({
      qos_ms: num("defaults.qos_ms"),
      interval_s: num("defaults.interval_s"),
      retry_s: num("defaults.retry_s"),
      ehlo_name: ehlo === "" ? undefined : ehlo,
      cert_warn_days: num("defaults.cert_warn_days"),
      cert_crit_days: num("defaults.cert_crit_days"),
    }),
    alerts: clean({
      failed_after: num("alerts.failed_after"),
      warning_after: num("alerts.warning_after"),
      on_recovery: flag(base.alerts?.on_recovery, f["alerts.on_recovery"], SETTINGS.on_recovery.default),
      repeat_every_min: num("alerts.repeat_every_min"),
      every_failure: flag(base.alerts?.every_failure, f["alerts.every_failure"], SETTINGS.every_failure.default),
    }),
    history: clean({ retention_days: num("history.retention_days") }),
    ...(hosts.length ? { control: { ...base.control, hosts } } : {}),
    ui: {
      ...base.ui,
      notify_warnings: f["ui.notify_warnings"],
    },
  };
  return { settings, errors };
}

/** How many monitors an export text holds, or null when it is not an export. */
export function countImported(text: string): number | null {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const list = (v as { monitor?: unknown }).monitor;
      return Array.isArray(list) ? list.length : 0;
    }
  } catch {
    // The shell names what is wrong with it.
  }
  return null;
}
