// The monitor editor's fields, grouped as the config model is: server (with the port presets),
// judging, schedule, connection, and the monitor's own alert policy. Labels and the order of the
// fields live here too; the editor names problems by them and focuses the first.

import {
  PRESETS,
  presetOf,
  type FormKey,
  type MonitorForm,
  type Preset,
} from "../logic/monitorForm";
import { DomainPreview } from "./DomainPreview";
import { CheckField, SelectField, TextField, fieldId } from "./fields";
import { takeFocusRequest } from "./focus";

export const LABELS: Record<FormKey, string> = {
  kind: "Monitor",
  host: "Host",
  domain: "Domain",
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
  addresses: "Addresses",
  ca_file: "Extra CA file (PEM)",
  insecure: "Skip certificate verification",
  id: "Id",
  "alerts.failed_after": "Failed probes before an alert",
  "alerts.warning_after": "Slow probes before a warning",
  "alerts.on_recovery": "Alert on recovery",
  "alerts.repeat_every_min": "Remind while down every (min)",
  "alerts.every_failure": "Alert on every failed probe",
};

/** The fields in the order the form shows them. */
export const FORM_ORDER = Object.keys(LABELS) as FormKey[];

export function MonitorFields({
  form,
  placeholders: ph,
  errorsOf,
  set,
  onPreset,
}: {
  form: MonitorForm;
  placeholders: Partial<Record<FormKey, string>>;
  errorsOf: (k: FormKey) => string[] | undefined;
  set: (k: FormKey) => (v: string | boolean) => void;
  onPreset: (p: Preset) => void;
}) {
  const text = (k: FormKey, extra: { numeric?: boolean; required?: boolean; hint?: string } = {}) => (
    <TextField
      k={k}
      label={LABELS[k]}
      value={form[k] as string}
      placeholder={ph[k]}
      errors={errorsOf(k)}
      onValue={set(k)}
      // "field:host" asks for the monitor's target: the host, or the domain of a domain monitor.
      inputRef={(el) => takeFocusRequest(`field:${k === "domain" ? "host" : k}`, el)}
      {...extra}
    />
  );
  type Choice = "kind" | "tls" | "family" | "addresses" | "alerts.on_recovery" | "alerts.every_failure";
  const select = (k: Choice, options: ReadonlyArray<readonly [string, string]>) => (
    <SelectField
      k={k}
      label={LABELS[k]}
      value={form[k]}
      errors={errorsOf(k)}
      onValue={set(k)}
      options={options}
    />
  );
  const check = (k: "enabled" | "insecure", label: string) => (
    <CheckField k={k} label={label} checked={form[k]} errors={errorsOf(k)} onValue={set(k)} />
  );
  const tri = (k: "alerts.on_recovery" | "alerts.every_failure") =>
    select(k, [
      ["", ph[k] ?? "Default"],
      ["true", "Yes"],
      ["false", "No"],
    ]);
  const current = presetOf(form);
  const isDomain = form.kind === "domain";
  const hostServer = (
    <>
      <div class="presets" role="group" aria-label="Presets">
        {PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            class="btn btn-small preset-btn"
            aria-pressed={current?.id === p.id}
            data-preset={p.id}
            title={p.detail}
            onClick={() => onPreset(p)}
          >
            {p.label}
          </button>
        ))}
      </div>
      <div class="grid">
        {text("host", { required: true, hint: "Host name or IP address." })}
        {text("name", { hint: "Shown in the list, toasts and metrics." })}
        {text("port", { numeric: true })}
        {select("tls", [
          ["none", "Plain (no TLS)"],
          ["starttls", "STARTTLS"],
          ["implicit", "Implicit TLS"],
        ])}
      </div>
    </>
  );
  const domainServer = (
    <>
      <p class="hint" data-testid="domain-note">
        MX hosts are probed on port 25 with opportunistic STARTTLS.
      </p>
      <div class="grid">
        <div class="field-with-preview">
          {text("domain", { required: true, hint: "A mail domain, e.g. example.com." })}
          <DomainPreview domain={form.domain} id={`${fieldId("domain")}-mx`} />
        </div>
        {text("name", { hint: "Shown in the list, toasts and metrics." })}
      </div>
    </>
  );

  return (
    <>
      <fieldset class="group">
        <legend>Server</legend>
        {select("kind", [
          ["host", "Host"],
          ["domain", "Domain (all MX hosts)"],
        ])}
        {isDomain ? domainServer : hostServer}
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
          {check("enabled", "Enabled: probe this monitor")}
        </div>
      </fieldset>

      <fieldset class="group">
        <legend>Connection</legend>
        <div class="grid">
          {text("ehlo_name")}
          {select("family", [
            ["", "Any (default)"],
            ["ipv4", "IPv4 only"],
            ["ipv6", "IPv6 only"],
          ])}
          {isDomain
            ? null
            : select("addresses", [
                ["", "Every address (default)"],
                ["first", "First that answers"],
              ])}
          {isDomain ? null : text("ca_file")}
          {isDomain ? null : check("insecure", "Skip certificate verification (insecure)")}
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
    </>
  );
}
