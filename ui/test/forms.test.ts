import { describe, expect, it } from "vitest";

import type { MonitorFile } from "../src/bindings/MonitorFile";
import type { Settings } from "../src/bindings/Settings";
import {
  MONITOR_KEYS,
  PRESETS,
  applyPreset,
  fromForm,
  parseWhole,
  placeholders,
  presetOf,
  toForm,
} from "../src/logic/monitorForm";
import { SUGGESTED_CONTROL_HOSTS, joinHosts } from "../src/logic/control";
import { countImported, fromSettingsForm, toSettingsForm } from "../src/logic/settingsForm";

const FULL: MonitorFile = {
  id: "mx-main",
  name: "mx1",
  host: "mx1.example.com",
  port: 587,
  tls: "starttls",
  qos_ms: 800,
  interval_s: 30,
  retry_s: 5,
  ehlo_name: "probe.example.com",
  ca_file: "/etc/ssl/ca.pem",
  insecure: true,
  cert_warn_days: 20,
  cert_crit_days: 5,
  require_ext: ["STARTTLS", "SIZE"],
  family: "ipv6",
  addresses: "first",
  enabled: false,
  alerts: { failed_after: 3, warning_after: 4, on_recovery: false, repeat_every_min: 60, every_failure: true },
};

describe("monitor form", () => {
  it("round-trips every option", () => {
    const { monitor, errors } = fromForm(toForm(FULL));
    expect(errors).toEqual({});
    expect(monitor).toEqual(FULL);
  });

  it("has a form field for every MonitorFile key (and alerts key), and the kind", () => {
    const keys = Object.keys(toForm(FULL)).filter((k) => k !== "kind");
    expect(new Set(keys)).toEqual(MONITOR_KEYS);
    const fileKeys = [
      ...Object.keys(FULL).filter((k) => k !== "alerts"),
      "domain",
      ...Object.keys(FULL.alerts!).map((k) => `alerts.${k}`),
    ];
    expect(new Set(fileKeys)).toEqual(MONITOR_KEYS);
  });

  it("leaves blank fields out so they take the defaults", () => {
    const f = toForm();
    f.host = " mx.example.com ";
    const { monitor } = fromForm(f);
    expect(monitor).toEqual({ name: "mx.example.com", host: "mx.example.com", tls: "none" });
  });

  it("reports words in number fields without sending", () => {
    const f = { ...toForm({ name: "a", host: "b" }), port: "twenty-five", "alerts.failed_after": "1.5" };
    const { errors } = fromForm(f);
    expect(errors).toEqual({
      port: "“twenty-five” is not a whole number",
      "alerts.failed_after": "“1.5” is not a whole number",
    });
  });

  it("passes out-of-range numbers on for the shell to judge", () => {
    const { monitor, errors } = fromForm({ ...toForm({ name: "a", host: "b" }), port: "70000" });
    expect(errors).toEqual({});
    expect(monitor.port).toBe(70000);
  });

  it("keeps the old name as id when a monitor without an id is renamed", () => {
    const original: MonitorFile = { name: "old", host: "h" };
    expect(fromForm({ ...toForm(original), name: "new" }, original).monitor.id).toBe("old");
    expect(fromForm(toForm(original), original).monitor.id).toBeUndefined();
    const withId: MonitorFile = { id: "x", name: "old", host: "h" };
    expect(fromForm({ ...toForm(withId), name: "new" }, withId).monitor.id).toBe("x");
  });

  it("parses whole numbers only", () => {
    expect(parseWhole("")).toEqual({});
    expect(parseWhole(" 42 ")).toEqual({ value: 42 });
    expect(parseWhole("-3")).toEqual({ value: -3 });
    expect(parseWhole("4e3").error).toBeDefined();
    expect(parseWhole("99999999999999999999").error).toBe("99999999999999999999 is too large");
  });

  it("shows the inherited defaults as placeholders", () => {
    const ph = placeholders({ tls: "implicit", host: "" }, { qos_ms: 1500 }, { failed_after: 4, on_recovery: false });
    expect(ph.port).toBe("465");
    expect(ph.qos_ms).toBe("1500");
    expect(ph.interval_s).toBe("60");
    expect(ph["alerts.failed_after"]).toBe("4");
    expect(ph["alerts.on_recovery"]).toBe("Default (no)");
    expect(ph["alerts.every_failure"]).toBe("Default (no)");
    expect(placeholders({ tls: "none", host: "mx.example" }).name).toBe("mx.example");
    expect(placeholders({ tls: "starttls", host: "" }).port).toBe("25");
  });

  it("applies and recognises presets", () => {
    expect(PRESETS.map((p) => `${p.port}/${p.tls}`)).toEqual([
      "25/none",
      "25/starttls",
      "465/implicit",
      "587/starttls",
    ]);
    const f = applyPreset(toForm(), PRESETS[3]!);
    expect([f.port, f.tls]).toEqual(["587", "starttls"]);
    expect(presetOf(f)?.id).toBe("587-starttls");
    expect(presetOf(toForm())?.id).toBe("25-plain");
    expect(presetOf({ port: "", tls: "implicit" })?.id).toBe("465-implicit");
    expect(presetOf({ port: "2525", tls: "none" })).toBeUndefined();
  });
});

describe("settings form", () => {
  const base: Settings = {
    ui: { notify_warnings: true, notifications_paused_until: null },
    agents: [],
    defaults: { qos_ms: 1200 },
    alerts: { every_failure: true },
    monitor: [{ name: "a", host: "b" }],
  };

  it("round-trips and keeps the monitors and pause", () => {
    const { settings, errors } = fromSettingsForm(toSettingsForm(base), base);
    expect(errors).toEqual({});
    expect(settings).toEqual({ ...base, history: {} });
  });

  it("leaves booleans at their built-in default unset", () => {
    const f = toSettingsForm(base);
    expect(f["alerts.on_recovery"]).toBe(true);
    const { settings } = fromSettingsForm(f, base);
    expect(settings.alerts).toEqual({ every_failure: true });
    const off = fromSettingsForm({ ...f, "alerts.on_recovery": false }, base).settings;
    expect(off.alerts?.on_recovery).toBe(false);
  });

  it("reports words in number fields", () => {
    const f = { ...toSettingsForm(base), "history.retention_days": "a month" };
    expect(fromSettingsForm(f, base).errors).toEqual({
      "history.retention_days": "“a month” is not a whole number",
    });
  });

  it("shows the control hosts as one field and saves them as a list", () => {
    const withHosts: Settings = { ...base, control: { hosts: ["mx.a.example", "192.0.2.7"] } };
    const f = toSettingsForm(withHosts);
    expect(f["control.hosts"]).toBe("mx.a.example, 192.0.2.7");
    expect(fromSettingsForm(f, withHosts).settings.control).toEqual({ hosts: ["mx.a.example", "192.0.2.7"] });
    const typed = { ...toSettingsForm(base), "control.hosts": " mx.a.example,mx.b.example\n [2001:db8::1] ,, " };
    const { settings, errors } = fromSettingsForm(typed, base);
    expect(errors).toEqual({});
    expect(settings.control).toEqual({ hosts: ["mx.a.example", "mx.b.example", "[2001:db8::1]"] });
  });

  it("leaves control out when no control host is given", () => {
    const withHosts: Settings = { ...base, control: { hosts: ["mx.a.example"] } };
    const { settings, errors } = fromSettingsForm({ ...toSettingsForm(withHosts), "control.hosts": " , " }, withHosts);
    expect(errors).toEqual({});
    expect("control" in settings).toBe(false);
    expect("control" in fromSettingsForm(toSettingsForm(base), base).settings).toBe(false);
  });

  it("refuses more than 8 control hosts at the field, with the engine's message", () => {
    const nine = Array.from({ length: 9 }, (_, i) => `mx${i}.example`).join(" ");
    expect(fromSettingsForm({ ...toSettingsForm(base), "control.hosts": nine }, base).errors).toEqual({
      "control.hosts": "9 hosts given; at most 8 control hosts",
    });
    const eight = Array.from({ length: 8 }, (_, i) => `mx${i}.example`).join(" ");
    expect(fromSettingsForm({ ...toSettingsForm(base), "control.hosts": eight }, base).errors).toEqual({});
  });

  it("fills the suggested control hosts", () => {
    const f = { ...toSettingsForm(base), "control.hosts": joinHosts(SUGGESTED_CONTROL_HOSTS) };
    expect(fromSettingsForm(f, base).settings.control).toEqual({
      hosts: ["gmail-smtp-in.l.google.com", "mx1.mail.icloud.com", "mx.zoho.com"],
    });
  });

  it("counts the monitors in an export", () => {
    expect(countImported('{"monitor":[{},{}]}')).toBe(2);
    expect(countImported("{}")).toBe(0);
    expect(countImported("[1]")).toBeNull();
    expect(countImported("not json")).toBeNull();
  });
});
