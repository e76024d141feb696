// The settings form: defaults every monitor inherits, notifications, the alert policy, how long
// history is kept and the control probes, saved together. Validation messages sit at their
// fields: the limits' as soon as a number is typed, the shell's when it refuses what was sent.

import { useMemo, useRef, useState } from "preact/hooks";

import type { Settings } from "../bindings/Settings";
import { SETTINGS } from "../bindings/settingsRegistry";
import { announce } from "../app";
import * as ipc from "../ipc";
import { SUGGESTED_CONTROL_HOSTS, joinHosts } from "../logic/control";
import { settingsLimits } from "../logic/limits";
import { fieldMessages, placeProblems, problemLine, type Placed } from "../logic/problems";
import {
  NUMBER_KEYS,
  SETTINGS_KEYS,
  fromSettingsForm,
  toSettingsForm,
  type SettingsForm,
} from "../logic/settingsForm";
import { setState } from "../store";
import { CheckField, ProblemSummary, TextField, fieldId } from "./fields";

const LABELS: Record<string, string> = {
  "defaults.qos_ms": "QoS (ms)",
  "defaults.interval_s": "Check every (s)",
  "defaults.retry_s": "Re-check after a failure (s)",
  "defaults.ehlo_name": "EHLO name",
  "defaults.cert_warn_days": "Certificate warning (days left)",
  "defaults.cert_crit_days": "Certificate failure (days left)",
  "alerts.failed_after": "Failed probes before an alert",
  "alerts.warning_after": "Slow probes before a warning",
  "alerts.on_recovery": "Notify when a server recovers",
  "alerts.repeat_every_min": "Remind while down every (min)",
  "alerts.every_failure": "Alert on every failed probe, confirmed or not",
  "history.retention_days": "Keep results for (days)",
  "control.hosts": "Control hosts",
  "ui.notify_warnings": "Notify on warnings (slow answers, certificates nearing expiry)",
};

const PLACEHOLDER: Record<string, string> = {
  "defaults.qos_ms": String(SETTINGS.qos_ms.default),
  "defaults.interval_s": String(SETTINGS.interval_s.default),
  "defaults.retry_s": String(SETTINGS.retry_s.default),
  "defaults.ehlo_name": "this computer’s name",
  "defaults.cert_warn_days": String(SETTINGS.cert_warn_days.default),
  "defaults.cert_crit_days": String(SETTINGS.cert_crit_days.default),
  "alerts.failed_after": String(SETTINGS.failed_after.default),
  "alerts.warning_after": String(SETTINGS.warning_after.default),
  "alerts.repeat_every_min": String(SETTINGS.repeat_every_min.default),
  "history.retention_days": String(SETTINGS.retention_days.default),
  "control.hosts": "none (off)",
};

const ORDER = [
  "defaults.qos_ms",
  "defaults.interval_s",
  "defaults.retry_s",
  "defaults.ehlo_name",
  "defaults.cert_warn_days",
  "defaults.cert_crit_days",
  "ui.notify_warnings",
  "alerts.on_recovery",
  "alerts.repeat_every_min",
  "alerts.failed_after",
  "alerts.warning_after",
  "alerts.every_failure",
  "history.retention_days",
  "control.hosts",
];
const NONE: Placed = { fields: {}, general: [] };

export function PolicyForm({ settings }: { settings: Settings }) {
  const [form, setForm] = useState<SettingsForm>(() => toSettingsForm(settings));
  const [placed, setPlaced] = useState<Placed>(NONE);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [other, setOther] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  // Whether the last Save was refused; the summary lists the problems from then on.
  const [refused, setRefused] = useState(false);
  const summary = useRef<HTMLDivElement | null>(null);

  // Problems the limits find in what is typed now (numbers that are not numbers are left out).
  const live = useMemo(
    () => placeProblems(settingsLimits(fromSettingsForm(form, settings).settings), SETTINGS_KEYS).fields,
    [form, settings],
  );
  /** Field `k`'s messages: the last attempt's, then (with `now`) what the limits find now. */
  const errorsOf = (k: string, now = true) =>
    fieldMessages(local[k] ? [local[k]] : undefined, placed.fields[k], now ? live[k] : undefined);
  const set = (k: keyof SettingsForm) => (v: string | boolean) => {
    setForm((f) => ({ ...f, [k]: v }));
    setSaved(false);
  };
  const num = (k: (typeof NUMBER_KEYS)[number] | "defaults.ehlo_name", hint?: string) => (
    <TextField
      k={k}
      label={LABELS[k]!}
      value={form[k]}
      placeholder={PLACEHOLDER[k]}
      numeric={k !== "defaults.ehlo_name"}
      errors={errorsOf(k)}
      onValue={set(k)}
      {...(hint ? { hint } : {})}
    />
  );
  const check = (k: "alerts.on_recovery" | "alerts.every_failure" | "ui.notify_warnings") => (
    <CheckField k={k} label={LABELS[k]!} checked={form[k]} errors={errorsOf(k)} onValue={set(k)} />
  );

  const focusFirst = (p: Placed, l: Record<string, string>) =>
    requestAnimationFrame(() => {
      const first = ORDER.find((k) => l[k] || p.fields[k]?.length || live[k]?.length);
      if (first) document.getElementById(fieldId(first))?.focus();
      else summary.current?.focus();
    });

  const save = async (e: Event) => {
    e.preventDefault();
    const { settings: next, errors } = fromSettingsForm(form, settings);
    setLocal(errors);
    setOther(null);
    if (Object.keys(errors).length) {
      setRefused(true);
      setPlaced(NONE);
      focusFirst(NONE, errors);
      return;
    }
    setBusy(true);
    try {
      const stored = await ipc.saveSettings(next);
      setState({ settings: stored });
      setPlaced(NONE);
      setRefused(false);
      setSaved(true);
      announce("Settings saved");
    } catch (err) {
      const e2 = ipc.asAppError(err);
      setRefused(true);
      if (e2.type === "invalid") {
        const p = placeProblems(e2.data, SETTINGS_KEYS);
        setPlaced(p);
        focusFirst(p, {});
      } else {
        setPlaced(NONE);
        setOther(`Not saved: ${ipc.errorText(e2)}.`);
        requestAnimationFrame(() => summary.current?.focus());
      }
    } finally {
      setBusy(false);
    }
  };

  const fieldProblems = ORDER.filter((k) => errorsOf(k, refused)).map(
    (k) => [k, `${LABELS[k]}: ${errorsOf(k, refused)!.join(" · ")}`] as [string, string],
  );
  const general = [...placed.general.map(problemLine), ...(other ? [other] : [])];

  return (
    <form class="settings-form" data-testid="settings-form" noValidate onSubmit={(e) => void save(e)}>
      <ProblemSummary
        count={fieldProblems.length + general.length}
        what="nothing was saved."
        general={general}
        fieldKeys={fieldProblems}
        summaryRef={(el) => (summary.current = el)}
      />
      <fieldset class="group">
        <legend>Defaults for every monitor</legend>
        <p class="hint">A monitor’s own value wins; blank fields use the value shown.</p>
        <div class="grid">
          {num("defaults.qos_ms", "Slower is a warning; twice as slow, a failure.")}
          {num("defaults.interval_s")}
          {num("defaults.retry_s")}
          {num("defaults.ehlo_name")}
          {num("defaults.cert_warn_days")}
          {num("defaults.cert_crit_days")}
        </div>
      </fieldset>
      <fieldset class="group">
        <legend>Notifications</legend>
        <p class="hint">A confirmed failure is always notified, unless paused or snoozed.</p>
        {check("ui.notify_warnings")}
        {check("alerts.on_recovery")}
        <div class="grid">{num("alerts.repeat_every_min", "While still down; 0 = never.")}</div>
      </fieldset>
      <fieldset class="group">
        <legend>Alert policy</legend>
        <p class="hint">Confirmations before a status changes (the agent uses the same keys).</p>
        <div class="grid">
          {num("alerts.failed_after")}
          {num("alerts.warning_after")}
        </div>
        {check("alerts.every_failure")}
      </fieldset>
      <fieldset class="group">
        <legend>History</legend>
        <div class="grid">{num("history.retention_days")}</div>
      </fieldset>
      <fieldset class="group">
        <legend>Control probes</legend>
        <div class="control-hosts">
          <TextField
            k="control.hosts"
            label={LABELS["control.hosts"]!}
            value={form["control.hosts"]}
            placeholder={PLACEHOLDER["control.hosts"]}
            errors={errorsOf("control.hosts")}
            onValue={set("control.hosts")}
            hint={
              "When every port-25 monitor fails to connect, EHLO Watch connects to these hosts on " +
              "ports 25 and 443 — at most once per 10 minutes, nothing sent — to tell a block on " +
              "this network from dead servers. Off while empty; separate hosts by commas or spaces."
            }
          />
          <button
            type="button"
            class="btn"
            data-testid="suggest-control-hosts"
            onClick={() => set("control.hosts")(joinHosts(SUGGESTED_CONTROL_HOSTS))}
          >
            Use suggested hosts
          </button>
        </div>
      </fieldset>
      <div class="form-actions">
        <span class="saved" role="status">
          {saved ? "Saved." : ""}
        </span>
        <span class="spacer" />
        <button type="submit" class="btn btn-primary" data-testid="save-settings" disabled={busy}>
          Save settings
        </button>
      </div>
    </form>
  );
}
