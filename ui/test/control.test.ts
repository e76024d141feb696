import { describe, expect, it } from "vitest";

import type { Settings } from "../src/bindings/Settings";
import {
  SUGGESTED_CONTROL_HOSTS,
  blockedBannerText,
  controlConfigured,
  controlOnText,
  splitHosts,
  withSuggestedHosts,
} from "../src/logic/control";

const base: Settings = {
  ui: { notify_warnings: true, notifications_paused_until: null },
  agents: [],
  defaults: { qos_ms: 1200 },
  monitor: [],
};

describe("control probes", () => {
  it("splits hosts at commas and whitespace, dropping blanks", () => {
    expect(splitHosts(" a.example,b.example\tc.example\n, ,d.example ")).toEqual([
      "a.example",
      "b.example",
      "c.example",
      "d.example",
    ]);
    expect(splitHosts(" , ")).toEqual([]);
  });

  it("suggests the documented hosts and turns them on in the settings", () => {
    expect(SUGGESTED_CONTROL_HOSTS).toEqual(["gmail-smtp-in.l.google.com", "mx1.mail.icloud.com", "mx.zoho.com"]);
    const on = withSuggestedHosts(base);
    expect(on).toEqual({ ...base, control: { hosts: [...SUGGESTED_CONTROL_HOSTS] } });
    expect(controlOnText(on.control!.hosts!)).toBe(
      "Control probes on (gmail-smtp-in.l.google.com, mx1.mail.icloud.com, mx.zoho.com).",
    );
  });

  it("offers control probes on a first run only until hosts are configured", () => {
    expect(controlConfigured(null)).toBe(false);
    expect(controlConfigured(base)).toBe(false);
    expect(controlConfigured({ ...base, control: {} })).toBe(false);
    expect(controlConfigured({ ...base, control: { hosts: [] } })).toBe(false);
    expect(controlConfigured({ ...base, control: { hosts: ["mx.a.example"] } })).toBe(true);
    expect(controlConfigured(withSuggestedHosts(base))).toBe(true);
  });

  it("says how many monitors the block keeps from being checked", () => {
    expect(blockedBannerText(7)).toBe(
      "Outbound port 25 is blocked on this network — 7 monitors can’t be checked from here.",
    );
    expect(blockedBannerText(1)).toBe(
      "Outbound port 25 is blocked on this network — 1 monitor can’t be checked from here.",
    );
    expect(blockedBannerText(0)).toBe("Outbound port 25 is blocked on this network.");
  });
});
