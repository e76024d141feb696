// Add or edit a monitor: every option of the config model, blank fields showing the default they
// stand for, presets for the usual ports, "Test now" (a one-off probe of what is typed), and the
// shell's validation messages placed at the fields their paths name.

import { useMemo, useRef, useState } from "preact/hooks";

import type { AppError } from "../bindings/AppError";
import type { MonitorFile } from "../bindings/MonitorFile";
import type { ProbeReport } from "../bindings/ProbeReport";
import { announce, reloadSettings } from "../app";
import * as ipc from "../ipc";
import { eventName, fmtMs } from "../logic/format";
import {
  MONITOR_KEYS,
  PRESETS,
  applyPreset,
  fromForm,
  placeholders,
  presetOf,
  toForm,
  type FormKey,
  type MonitorForm,
} from "../logic/monitorForm";
import { nameMonitors, placeMonitorProblems, problemLine, type Placed } from "../logic/problems";
import { navigate, useStore } from "../store";
import { Badge } from "./Badge";
import { Transcript } from "./Detail";
import { CheckField, ProblemSummary, SelectField, TextField, fieldId } from "./fields";
import { requestFocus, takeFocusRequest } from "./focus";

const LABELS: Record<FormKey, string> = {
  host: "Host",
  name: "Name",
  port: "Port",
  tls: "TLS",
  qos_ms: "QoS (ms)",
  require_ext: "Required EHLO extensions",
  cert_warn_days: "Certificate warning (days left)",
  cert_crit_days: "Certificate failure (days left)",
  interval_s: "Check every (s)",
  retry_s: "Re-check after a failure (s)",
  enabled: "Enabled",
  ehlo_name: "EHLO name",
  family: "Address family",
  ca_file: "Extra CA file (PEM)",
  insecure: "Skip certificate verification",
  id: "Id",
  "alerts.failed_after": "Failed probes before an alert",
  "alerts.warning_after": "Slow probes before a warning",
  "alerts.on_recovery": "Alert on recovery",
  "alerts.repeat_every_min": "Remind while down every (min)",
  "alerts.every_failure": "Alert on every failed probe",
};

const FORM_ORDER = Object.keys(LABELS) as FormKey[];

const NO_PROBLEMS: Placed = { fields: {}, general: [] };

function TestResult({ report }: { report: ProbeReport }) {
  const phases = Object.entries(report.phases_ms).filter(
    (e): e is [string, number] => e[1] != null,
  );
  return (
    <section class="card test-result" data-testid="test-result" aria-labelledby="test-title">
      <h2 id="test-title">
        Test result <Badge status={report.status} />{" "}
        <span class="muted small">
          {report.event_id} {eventName(report.event_id)}
        </span>
      </h2>
      <p>
        <strong class="num">{fmtMs(report.latency_ms)}</strong> against QoS {fmtMs(report.qos_ms)}
        {report.address ? <span class="muted"> · {report.address}</span> : null}
      </p>
      {report.failure || report.reason ? (
        <p class="reason" data-testid="test-reason">
          {report.failure?.message ?? report.reason}
        </p>
      ) : null}
      {phases.length ? (
        <dl class="phases">
          {phases.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd class="num">{fmtMs(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <h3>What the server said</h3>
      {report.greeting || report.ehlo ? (
        <pre class="server-said" data-testid="server-said">
          {[
            ...(report.greeting?.lines.map((l) => `${report.greeting!.code} ${l}`) ?? []),
            ...(report.ehlo?.lines.map((l) => `${report.ehlo!.code} ${l}`) ?? []),
          ].join("\n")}
        </pre>
      ) : (
        <p class="muted">Nothing: no reply was read.</p>
      )}
      {report.transcript.length ? (
        <details>
          <summary>Transcript ({report.transcript.length} lines)</summary>
          <Transcript lines={report.transcript} />
        </details>
      ) : null}
    </section>
  );
}

export function Editor({ id, preset }: { id: string | null; preset?: string | undefined }) {
  const settings = useStore((s) => s.settings);
  const monitors = settings?.monitor ?? [];
  const index = id === null ? monitors.length : monitors.findIndex((m) => (m.id ?? m.name) === id);
  const original: MonitorFile | null = id === null ? null : (monitors[index] ?? null);

  const [form, setForm] = useState<MonitorForm>(() => {
    const base = toForm(original ?? {});
    const p = PRESETS.find((x) => x.id === preset);
    return p ? applyPreset(base, p) : base;
  });
  const [placed, setPlaced] = useState<Placed>(NO_PROBLEMS);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState<"save" | "test" | "delete" | null>(null);
  const [report, setReport] = useState<ProbeReport | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [action, setAction] = useState<"save" | "test">("save");
  const summary = useRef<HTMLDivElement | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  const ph = useMemo(
    () => placeholders(form, settings?.defaults, settings?.alerts),
    [form.tls, form.host, settings],
  );
  const names = monitors.map((m) => m.name);

  if (id !== null && !original) {
    return (
      <section class="view">
        <h1 tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
          Monitor not found
        </h1>
        <p>There is no monitor “{id}” to edit.</p>
        <button type="button" class="btn" onClick={() => navigate({ kind: "status" })}>
          Back to status
        </button>
      </section>
    );
  }

  const errorsOf = (k: FormKey): string[] | undefined => {
    const list = [...(local[k] ? [local[k]] : []), ...(placed.fields[k] ?? [])];
    return list.length ? list.map((m) => nameMonitors(m, names)) : undefined;
  };
  const set = (k: FormKey) => (v: string | boolean) => {
    setForm((f) => ({ ...f, [k]: v }));
    if (local[k] || placed.fields[k]) {
      setLocal((l) => ({ ...l, [k]: "" }));
      setPlaced((p) => ({ ...p, fields: { ...p.fields, [k]: [] } }));
    }
  };
  const text = (k: FormKey, extra: { numeric?: boolean; required?: boolean; hint?: string } = {}) => (
    <TextField
      k={k}
      label={LABELS[k]}
      value={form[k] as string}
      placeholder={ph[k]}
      errors={errorsOf(k)}
      onValue={set(k)}
      inputRef={(el) => takeFocusRequest(`field:${k}`, el)}
      {...extra}
    />
  );
  const tri = (k: "alerts.on_recovery" | "alerts.every_failure") => (
    <SelectField
      k={k}
      label={LABELS[k]}
      value={form[k]}
      errors={errorsOf(k)}
      onValue={set(k)}
      options={[
        ["", ph[k] ?? "Default"],
        ["true", "Yes"],
        ["false", "No"],
      ]}
    />
  );

  const focusFirstProblem = (p: Placed, l: Record<string, string>) => {
    requestAnimationFrame(() => {
      const first = FORM_ORDER.find((k) => l[k] || p.fields[k]?.length);
      if (first) document.getElementById(fieldId(first))?.focus();
      else summary.current?.focus();
    });
  };

  const showError = (err: AppError, idx: number | null) => {
    if (err.type === "invalid") {
      const p = placeMonitorProblems(err.data, idx, MONITOR_KEYS);
      setPlaced(p);
      setFailure(null);
      focusFirstProblem(p, {});
    } else {
      setPlaced(NO_PROBLEMS);
      setFailure(`It did not work: ${ipc.errorText(err)}.`);
      requestAnimationFrame(() => summary.current?.focus());
    }
  };

  const build = (): MonitorFile | null => {
    const { monitor, errors } = fromForm(form, original);
    setLocal(errors);
    if (Object.keys(errors).length > 0) {
      setPlaced(NO_PROBLEMS);
      focusFirstProblem(NO_PROBLEMS, errors);
      return null;
    }
    return monitor;
  };

  const save = async (e?: Event) => {
    e?.preventDefault();
    if (busy) return;
    setAction("save");
    const monitor = build();
    if (!monitor) return;
    setBusy("save");
    try {
      const stored = await ipc.saveMonitor(monitor, id);
      const savedId = stored.id ?? stored.name ?? monitor.name ?? "";
      await reloadSettings();
      announce(`Saved ${stored.name ?? savedId}`);
      requestFocus(`row:${savedId}`);
      navigate({ kind: "status" });
    } catch (err) {
      showError(ipc.asAppError(err), index);
      setBusy(null);
    }
  };

  const test = async () => {
    if (busy) return;
    setAction("test");
    const monitor = build();
    if (!monitor) return;
    setBusy("test");
    setReport(null);
    try {
      const r = await ipc.testMonitor(monitor, id);
      setPlaced(NO_PROBLEMS);
      setFailure(null);
      setReport(r);
      announce(`Test ${r.status}: ${fmtMs(r.latency_ms)}`);
      requestAnimationFrame(() => resultRef.current?.scrollIntoView({ block: "nearest" }));
    } catch (err) {
      showError(ipc.asAppError(err), index);
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    if (id === null) return;
    setBusy("delete");
    try {
      await ipc.deleteMonitor(id);
      await reloadSettings();
      announce(`Deleted ${original?.name ?? id}`);
      requestFocus("heading");
      navigate({ kind: "status" });
    } catch (err) {
      showError(ipc.asAppError(err), index);
      setBusy(null);
    }
  };

  const cancel = () => {
    requestFocus(id === null ? "heading" : `row:${id}`);
    navigate({ kind: "status" });
  };

  const current = presetOf(form);
  const fieldProblems = FORM_ORDER.filter((k) => errorsOf(k)).map(
    (k) => [k, `${LABELS[k]}: ${errorsOf(k)!.join(" · ")}`] as [string, string],
  );
  const general = [
    ...placed.general.map((p) => nameMonitors(problemLine(p), names)),
    ...(failure ? [failure] : []),
  ];

  return (
    <form
      class="view editor"
      data-testid="editor"
      noValidate
      onSubmit={(e) => void save(e)}
      aria-labelledby="editor-title"
    >
      <h1 id="editor-title" tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
        {original ? `Edit ${original.name ?? id}` : "Add a monitor"}
      </h1>
      <ProblemSummary
        count={fieldProblems.length + general.length}
        what={action === "test" ? "nothing was tested." : "nothing was saved."}
        general={general}
        fieldKeys={fieldProblems}
        summaryRef={(el) => (summary.current = el)}
      />

      <fieldset class="group">
        <legend>Server</legend>
        <div class="presets" role="group" aria-label="Presets">
          {PRESETS.map((p) => (
            <button
              key={p.id}
              type="button"
              class="btn btn-small preset-btn"
              aria-pressed={current?.id === p.id}
              data-preset={p.id}
              title={p.detail}
              onClick={() => setForm((f) => applyPreset(f, p))}
            >
              {p.label}
            </button>
          ))}
        </div>
        <div class="grid">
          {text("host", { required: true, hint: "Host name or IP address." })}
          {text("name", { hint: "Shown in the list, toasts and metrics." })}
          {text("port", { numeric: true })}
          <SelectField
            k="tls"
            label={LABELS.tls}
            value={form.tls}
            errors={errorsOf("tls")}
            onValue={set("tls")}
            options={[
              ["none", "Plain (no TLS)"],
              ["starttls", "STARTTLS"],
              ["implicit", "Implicit TLS"],
            ]}
          />
        </div>
      </fieldset>

      <fieldset class="group">
        <legend>Judging</legend>
        <div class="grid">
          {text("qos_ms", {
            numeric: true,
            hint: "Slower than this is a warning, slower than twice this a failure.",
          })}
          {text("require_ext", { hint: "Keywords the server must advertise." })}
          {text("cert_warn_days", { numeric: true })}
          {text("cert_crit_days", { numeric: true })}
        </div>
      </fieldset>

      <fieldset class="group">
        <legend>Schedule</legend>
        <div class="grid">
          {text("interval_s", { numeric: true })}
          {text("retry_s", { numeric: true })}
          <CheckField
            k="enabled"
            label="Enabled: probe this monitor"
            checked={form.enabled}
            errors={errorsOf("enabled")}
            onValue={set("enabled")}
          />
        </div>
      </fieldset>

      <fieldset class="group">
        <legend>Connection</legend>
        <div class="grid">
          {text("ehlo_name")}
          <SelectField
            k="family"
            label={LABELS.family}
            value={form.family}
            errors={errorsOf("family")}
            onValue={set("family")}
            options={[
              ["", "Any (default)"],
              ["ipv4", "IPv4 only"],
              ["ipv6", "IPv6 only"],
            ]}
          />
          {text("ca_file")}
          <CheckField
            k="insecure"
            label="Skip certificate verification (insecure)"
            checked={form.insecure}
            errors={errorsOf("insecure")}
            onValue={set("insecure")}
          />
          {text("id", { hint: "Keeps the history across renames." })}
        </div>
      </fieldset>

      <fieldset class="group">
        <legend>Alerts for this monitor</legend>
        <p class="hint">Blank fields follow the alert policy in Settings.</p>
        <div class="grid">
          {text("alerts.failed_after", { numeric: true })}
          {text("alerts.warning_after", { numeric: true })}
          {tri("alerts.on_recovery")}
          {text("alerts.repeat_every_min", { numeric: true, hint: "0 = never." })}
          {tri("alerts.every_failure")}
        </div>
      </fieldset>

      <div ref={resultRef} aria-live="polite">
        {report ? <TestResult report={report} /> : null}
      </div>

      <div class="form-actions">
        {original ? (
          confirmDelete ? (
            <span class="confirm">
              <span>Delete {original.name}?</span>
              <button type="button" class="btn btn-danger" onClick={() => void remove()} disabled={busy !== null}>
                Delete
              </button>
              <button type="button" class="btn" onClick={() => setConfirmDelete(false)}>
                Keep
              </button>
            </span>
          ) : (
            <button type="button" class="btn btn-plain" onClick={() => setConfirmDelete(true)}>
              Delete…
            </button>
          )
        ) : null}
        <span class="spacer" />
        <button type="button" class="btn" onClick={cancel}>
          Cancel
        </button>
        <button
          type="button"
          class="btn"
          data-testid="test-monitor"
          aria-busy={busy === "test"}
          disabled={busy !== null}
          onClick={() => void test()}
        >
          {busy === "test" ? "Testing…" : "Test now"}
        </button>
        <button
          type="submit"
          class="btn btn-primary"
          data-testid="save-monitor"
          aria-busy={busy === "save"}
          disabled={busy !== null && busy !== "save"}
        >
          {busy === "save" ? "Saving…" : "Save"}
        </button>
      </div>
    </form>
  );
}
