// The monitor editor's model: a `MonitorFile` as form text and back, the defaults a blank field
// stands for, and the port presets. Every input's `name` is its key here, the config key.

import type { AlertsFile } from "../bindings/AlertsFile";
import type { DefaultsFile } from "../bindings/DefaultsFile";
import type { MonitorFile } from "../bindings/MonitorFile";
import { IMPLICIT_TLS_PORT, SETTINGS } from "../bindings/settingsRegistry";

/** A yes/no override that can also be left to the default. */
export type Tri = "" | "true" | "false";

/** What a monitor probes: one host, or every MX host of a mail domain. */
export type Kind = "host" | "domain";

/** The fields that apply to a host only: a domain's MX hosts are probed on port 25 with
 * opportunistic STARTTLS. */
export const HOST_ONLY: ReadonlySet<string> = new Set(["host", "port", "tls", "insecure", "ca_file", "addresses"]);

export type MonitorForm = {
  kind: Kind;
  id: string;
  name: string;
  host: string;
  domain: string;
  port: string;
  tls: string;
  qos_ms: string;
  interval_s: string;
  retry_s: string;
  ehlo_name: string;
  ca_file: string;
  insecure: boolean;
  cert_warn_days: string;
  cert_crit_days: string;
  require_ext: string;
  family: string;
  addresses: string;
  enabled: boolean;
  "alerts.failed_after": string;
  "alerts.warning_after": string;
  "alerts.on_recovery": Tri;
  "alerts.repeat_every_min": string;
  "alerts.every_failure": Tri;
};

export type FormKey = keyof MonitorForm;

export const MONITOR_KEYS: ReadonlySet<string> = new Set<FormKey>([
  "id",
  "name",
  "host",
  "domain",
  "port",
  "tls",
  "qos_ms",
  "interval_s",
  "retry_s",
  "ehlo_name",
  "ca_file",
  "insecure",
  "cert_warn_days",
  "cert_crit_days",
  "require_ext",
  "family",
  "addresses",
  "enabled",
  "alerts.failed_after",
  "alerts.warning_after",
  "alerts.on_recovery",
  "alerts.repeat_every_min",
  "alerts.every_failure",
]);

/** The port a monitor without one uses with TLS mode `tls`. */
export function defaultPort(tls: string): number {
  return tls === "implicit" ? IMPLICIT_TLS_PORT : SETTINGS.port.default;
}

const str = (v: number | string | null | undefined) => (v == null ? "" : String(v));
const tri = (v: boolean | null | undefined): Tri => (v == null ? "" : v ? "true" : "false");

/** The form showing `m` (a blank form for a new monitor). */
export function toForm(m: MonitorFile = {}): MonitorForm {
  const a = m.alerts ?? {};
  return {
    kind: m.domain != null ? "domain" : "host",
    id: str(m.id),
    name: str(m.name),
    host: str(m.host),
    domain: str(m.domain),
    port: str(m.port),
    tls: m.tls ?? "none",
    qos_ms: str(m.qos_ms),
    interval_s: str(m.interval_s),
    retry_s: str(m.retry_s),
    ehlo_name: str(m.ehlo_name),
    ca_file: str(m.ca_file),
    insecure: m.insecure ?? false,
    cert_warn_days: str(m.cert_warn_days),
    cert_crit_days: str(m.cert_crit_days),
    require_ext: (m.require_ext ?? []).join(" "),
    family: m.family && m.family !== "any" ? m.family : "",
    addresses: m.addresses && m.addresses !== "all" ? m.addresses : "",
    enabled: m.enabled ?? true,
    "alerts.failed_after": str(a.failed_after),
    "alerts.warning_after": str(a.warning_after),
    "alerts.on_recovery": tri(a.on_recovery),
    "alerts.repeat_every_min": str(a.repeat_every_min),
    "alerts.every_failure": tri(a.every_failure),
  };
}

/** A whole number typed into a field, or why it is not one. */
export function parseWhole(text: string): { value?: number; error?: string } {
  const t = text.trim();
  if (t === "") return {};
  if (!/^[+-]?\d+$/.test(t)) return { error: `“${t}” is not a whole number` };
  const n = Number(t);
  if (!Number.isSafeInteger(n)) return { error: `${t} is too large` };
  return { value: n };
}

/** Why `text` is not a mail domain's name, or `undefined` when it is one (or is blank: the
 * shell names a missing domain). Names of letters (any script), digits and `-`, split by dots. */
export function domainError(text: string): string | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  if (/^[\d.]+$/.test(t) || t.includes(":")) {
    return `“${t}” is an IP address, not a mail domain (use the Host kind for a server)`;
  }
  const label = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
  const labels = t.replace(/\.$/, "").split(".");
  if (t.length > 253 || !labels.every((l) => label.test(l))) {
    return `“${t}” is not a domain name (labels of letters, digits and -, split by dots)`;
  }
  return undefined;
}

/**
 * The `MonitorFile` of a form: blank fields left out (they take the defaults), a blank name
 * taken from the host (or the domain), a domain monitor without the host-only fields, and — when an existing monitor without an id of its own is renamed — its
 * old name kept as its id so its history stays with it. `errors` holds fields that are not
 * numbers; the monitor is only sent when it is empty.
 */
export function fromForm(
  f: MonitorForm,
  original: MonitorFile | null = null,
): { monitor: MonitorFile; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const m: MonitorFile = {};
  const text = (v: string) => {
    const t = v.trim();
    return t === "" ? undefined : t;
  };
  const whole = (key: FormKey): number | undefined => {
    const r = parseWhole(f[key] as string);
    if (r.error) errors[key] = r.error;
    return r.value;
  };
  const isDomain = f.kind === "domain";
  const id = text(f.id);
  const host = isDomain ? undefined : text(f.host);
  const domain = isDomain ? text(f.domain) : undefined;
  const name = text(f.name) ?? host ?? domain;
  if (id !== undefined) m.id = id;
  else if (original && !original.id && original.name && name !== original.name) {
    m.id = original.name;
  }
  if (name !== undefined) m.name = name;
  if (host !== undefined) m.host = host;
  if (domain !== undefined) {
    const bad = domainError(domain);
    if (bad) errors.domain = bad;
    m.domain = domain;
  }
  if (!isDomain) {
    const port = whole("port");
    if (port !== undefined) m.port = port;
    m.tls = f.tls || "none";
  }
  const numbers = ["qos_ms", "interval_s", "retry_s", "cert_warn_days", "cert_crit_days"] as const;
  for (const key of numbers) {
    const v = whole(key);
    if (v !== undefined) m[key] = v;
  }
  const ehlo = text(f.ehlo_name);
  if (ehlo !== undefined) m.ehlo_name = ehlo;
  const ca = isDomain ? undefined : text(f.ca_file);
  if (ca !== undefined) m.ca_file = ca;
  if (f.insecure && !isDomain) m.insecure = true;
  const ext = f.require_ext.split(/[\s,]+/).filter(Boolean);
  if (ext.length > 0) m.require_ext = ext;
  if (f.family && f.family !== "any") m.family = f.family;
  if (f.addresses && f.addresses !== "all" && !isDomain) m.addresses = f.addresses;
  if (!f.enabled) m.enabled = false;

  const alerts: AlertsFile = {};
  const fa = whole("alerts.failed_after");
  if (fa !== undefined) alerts.failed_after = fa;
  const wa = whole("alerts.warning_after");
  if (wa !== undefined) alerts.warning_after = wa;
  if (f["alerts.on_recovery"]) alerts.on_recovery = f["alerts.on_recovery"] === "true";
  const rep = whole("alerts.repeat_every_min");
  if (rep !== undefined) alerts.repeat_every_min = rep;
  if (f["alerts.every_failure"]) alerts.every_failure = f["alerts.every_failure"] === "true";
  if (Object.keys(alerts).length > 0) m.alerts = alerts;
  return { monitor: m, errors };
}

/** What each blank field stands for, shown as its placeholder. */
export function placeholders(
  f: Pick<MonitorForm, "tls" | "host"> & Partial<Pick<MonitorForm, "kind" | "domain">>,
  defaults: DefaultsFile = {},
  alerts: AlertsFile = {},
): Partial<Record<FormKey, string>> {
  const yes = (b: boolean) => (b ? "yes" : "no");
  return {
    id: "same as the name",
    name:
      f.kind === "domain"
        ? (f.domain ?? "").trim() || "same as the domain"
        : f.host.trim() || "same as the host",
    host: "mx1.example.com",
    domain: "example.com",
    port: String(defaultPort(f.tls)),
    qos_ms: String(defaults.qos_ms ?? SETTINGS.qos_ms.default),
    interval_s: String(defaults.interval_s ?? SETTINGS.interval_s.default),
    retry_s: String(defaults.retry_s ?? SETTINGS.retry_s.default),
    ehlo_name: defaults.ehlo_name ?? "this computer’s name",
    ca_file: "system trust store only",
    cert_warn_days: String(defaults.cert_warn_days ?? SETTINGS.cert_warn_days.default),
    cert_crit_days: String(defaults.cert_crit_days ?? SETTINGS.cert_crit_days.default),
    require_ext: "e.g. STARTTLS SIZE",
    "alerts.failed_after": String(alerts.failed_after ?? SETTINGS.failed_after.default),
    "alerts.warning_after": String(alerts.warning_after ?? SETTINGS.warning_after.default),
    "alerts.on_recovery": `Default (${yes(alerts.on_recovery ?? SETTINGS.on_recovery.default)})`,
    "alerts.repeat_every_min": String(alerts.repeat_every_min ?? SETTINGS.repeat_every_min.default),
    "alerts.every_failure": `Default (${yes(alerts.every_failure ?? SETTINGS.every_failure.default)})`,
  };
}

export type Preset = { id: string; label: string; detail: string; port: number; tls: string };

/** The usual ports. */
export const PRESETS: readonly Preset[] = [
  { id: "25-plain", label: "25 plain", detail: "MX, no TLS", port: 25, tls: "none" },
  { id: "25-starttls", label: "25 STARTTLS", detail: "MX with STARTTLS", port: 25, tls: "starttls" },
  { id: "465-implicit", label: "465 TLS", detail: "submission, implicit TLS", port: 465, tls: "implicit" },
  { id: "587-starttls", label: "587 STARTTLS", detail: "submission with STARTTLS", port: 587, tls: "starttls" },
];

/** The form with a preset's port and TLS mode. */
export function applyPreset(f: MonitorForm, p: Preset): MonitorForm {
  return { ...f, port: String(p.port), tls: p.tls };
}

/** The preset matching the form's port and TLS mode, if any. */
export function presetOf(f: Pick<MonitorForm, "port" | "tls">): Preset | undefined {
  const port = f.port.trim() || String(defaultPort(f.tls));
  return PRESETS.find((p) => String(p.port) === port && p.tls === (f.tls || "none"));
}
