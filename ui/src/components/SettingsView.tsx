// Settings: defaults every monitor inherits, the alert policy, desktop notifications (and their
// pause), start with the computer, where the data lives, export and import of the monitors.

import { useEffect, useRef, useState } from "preact/hooks";

import type { Problem } from "../bindings/Problem";
import type { Settings } from "../bindings/Settings";
import { announce, reloadSettings } from "../app";
import * as ipc from "../ipc";
import { fmtClock, isForever, parseTime } from "../logic/format";
import { BUILTIN } from "../logic/monitorForm";
import { placeProblems, problemLine, type Placed } from "../logic/problems";
import {
  NUMBER_KEYS,
  SETTINGS_KEYS,
  countImported,
  fromSettingsForm,
  toSettingsForm,
  type SettingsForm,
} from "../logic/settingsForm";
import { setState, useStore } from "../store";
import { CheckField, ProblemSummary, TextField, fieldId } from "./fields";
import { takeFocusRequest } from "./focus";

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
  "ui.notify_warnings": "Notify on warnings (slow answers, certificates nearing expiry)",
};

const PLACEHOLDER: Record<string, string> = {
  "defaults.qos_ms": String(BUILTIN.qos_ms),
  "defaults.interval_s": String(BUILTIN.interval_s),
  "defaults.retry_s": String(BUILTIN.retry_s),
  "defaults.ehlo_name": "this computer’s name",
  "defaults.cert_warn_days": String(BUILTIN.cert_warn_days),
  "defaults.cert_crit_days": String(BUILTIN.cert_crit_days),
  "alerts.failed_after": String(BUILTIN.failed_after),
  "alerts.warning_after": String(BUILTIN.warning_after),
  "alerts.repeat_every_min": String(BUILTIN.repeat_every_min),
  "history.retention_days": String(BUILTIN.retention_days),
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
];
const NONE: Placed = { fields: {}, general: [] };

function PolicyForm({ settings }: { settings: Settings }) {
  const [form, setForm] = useState<SettingsForm>(() => toSettingsForm(settings));
  const [placed, setPlaced] = useState<Placed>(NONE);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [other, setOther] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement | null>(null);

  const errorsOf = (k: string) => {
    const list = [...(local[k] ? [local[k]] : []), ...(placed.fields[k] ?? [])];
    return list.length ? list : undefined;
  };
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
      const first = ORDER.find((k) => l[k] || p.fields[k]?.length);
      if (first) document.getElementById(fieldId(first))?.focus();
      else summary.current?.focus();
    });

  const save = async (e: Event) => {
    e.preventDefault();
    const { settings: next, errors } = fromSettingsForm(form, settings);
    setLocal(errors);
    setOther(null);
    if (Object.keys(errors).length) {
      setPlaced(NONE);
      focusFirst(NONE, errors);
      return;
    }
    setBusy(true);
    try {
      const stored = await ipc.saveSettings(next);
      setState({ settings: stored });
      setPlaced(NONE);
      setSaved(true);
      announce("Settings saved");
    } catch (err) {
      const e2 = ipc.asAppError(err);
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

  const fieldProblems = ORDER.filter((k) => errorsOf(k)).map(
    (k) => [k, `${LABELS[k]}: ${errorsOf(k)!.join(" · ")}`] as [string, string],
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

function PauseControls() {
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

function Autostart() {
  const info = useStore((s) => s.info);
  const [error, setError] = useState<string | null>(null);
  if (!info) return null;
  if (info.autostart === null) {
    return <p class="muted">Starting with the session is not available on this system.</p>;
  }
  return (
    <>
      <CheckField
        k="autostart"
        label="Start EHLO Watch when I log in"
        checked={info.autostart}
        errors={error ? [error] : undefined}
        onValue={async (on) => {
          try {
            setState({ info: await ipc.setAutostart(on) });
            setError(null);
          } catch (e) {
            setError(`Could not change it: ${ipc.errorText(ipc.asAppError(e))}.`);
          }
        }}
      />
    </>
  );
}

function ExportImport() {
  const [exported, setExported] = useState<string | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<number | null>(null);
  const current = useStore((s) => s.settings?.monitor?.length ?? 0);

  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);

  const doExport = async () => {
    try {
      const json = await ipc.exportMonitors();
      setExported(json);
      setUrl(URL.createObjectURL(new Blob([json], { type: "application/json" })));
    } catch (e) {
      setMessage(`Export failed: ${ipc.errorText(ipc.asAppError(e))}.`);
    }
  };

  const readFile = (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    void file.text().then((t) => {
      setText(t);
      setProblems(null);
      setMessage(null);
      setConfirm(null);
    });
  };

  const doImport = async () => {
    setConfirm(null);
    try {
      const stored = await ipc.importMonitors(text);
      setState({ settings: stored });
      setProblems(null);
      const n = stored.monitor?.length ?? 0;
      setMessage(`Imported ${n} monitor${n === 1 ? "" : "s"}.`);
      announce(`Imported ${n} monitors`);
      void reloadSettings();
    } catch (e) {
      const err = ipc.asAppError(e);
      if (err.type === "invalid") {
        setProblems(err.data);
        setMessage(null);
      } else {
        setProblems(null);
        setMessage(`Import failed: ${ipc.errorText(err)}. Nothing was changed.`);
      }
    }
  };

  const ask = () => {
    const n = countImported(text);
    if (n === null) void doImport();
    else setConfirm(n);
  };

  return (
    <div class="export-import">
      <div class="btn-row">
        <button type="button" class="btn" data-testid="export" onClick={() => void doExport()}>
          Export monitors
        </button>
        {url ? (
          <a class="btn" href={url} download="ehlowatch-monitors.json">
            Save as file…
          </a>
        ) : null}
        {exported ? (
          <button
            type="button"
            class="btn"
            onClick={() => void navigator.clipboard?.writeText(exported).then(() => setMessage("Copied."))}
          >
            Copy
          </button>
        ) : null}
      </div>
      {exported !== null ? (
        <div class="field">
          <label for="export-text">Exported JSON</label>
          <textarea id="export-text" name="export" rows={6} readOnly value={exported} />
        </div>
      ) : null}
      <div class="field">
        <label for="import-file">Import from a file</label>
        <input id="import-file" type="file" accept=".json,application/json" onChange={readFile} />
      </div>
      <div class="field">
        <label for="import-text">…or paste the JSON</label>
        <textarea
          id="import-text"
          name="import"
          rows={6}
          value={text}
          spellcheck={false}
          onInput={(e) => {
            setText((e.currentTarget as HTMLTextAreaElement).value);
            setConfirm(null);
          }}
        />
      </div>
      {confirm !== null ? (
        <div class="confirm" role="alertdialog" aria-label="Confirm import">
          <span>
            Replace your {current} monitor{current === 1 ? "" : "s"} and defaults with the {confirm}{" "}
            in this file?
          </span>
          <button type="button" class="btn btn-danger" data-testid="confirm-import" onClick={() => void doImport()}>
            Replace
          </button>
          <button type="button" class="btn" onClick={() => setConfirm(null)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" class="btn" data-testid="import" disabled={text.trim() === ""} onClick={ask}>
          Import…
        </button>
      )}
      {problems ? (
        <div class="problems" role="alert" data-testid="import-problems">
          <p>
            <strong>
              {problems.length === 1 ? "1 problem" : `${problems.length} problems`} in this file —
              nothing was changed.
            </strong>
          </p>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{problemLine(p)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {message ? <p role="status">{message}</p> : null}
    </div>
  );
}

export function SettingsView() {
  const settings = useStore((s) => s.settings);
  const info = useStore((s) => s.info);
  return (
    <section class="view settings" aria-labelledby="settings-title">
      <h1 id="settings-title" tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
        Settings
      </h1>
      {settings ? <PolicyForm settings={settings} /> : null}
      <section class="card" aria-labelledby="pause-title">
        <h2 id="pause-title">Pause notifications</h2>
        <PauseControls />
      </section>
      <section class="card" aria-labelledby="start-title">
        <h2 id="start-title">Start with the computer</h2>
        <Autostart />
      </section>
      <section class="card" aria-labelledby="io-title">
        <h2 id="io-title">Export and import</h2>
        <p class="hint">
          The monitors, defaults and alert policy as JSON. Import checks the whole file first and
          changes nothing unless every part of it is right.
        </p>
        <ExportImport />
      </section>
      <section class="card" aria-labelledby="data-title">
        <h2 id="data-title">Data</h2>
        {info ? (
          <dl class="facts">
            <dt>Folder</dt>
            <dd class="wrap mono small" data-testid="data-dir">
              {info.data_dir}
            </dd>
            <dt>Settings</dt>
            <dd class="wrap mono small">{info.settings_path}</dd>
            <dt>History</dt>
            <dd class="wrap mono small">{info.history_path}</dd>
            <dt>Version</dt>
            <dd>{info.version}</dd>
          </dl>
        ) : null}
      </section>
    </section>
  );
}
