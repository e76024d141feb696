import { describe, expect, it } from "vitest";

import {
  FOREVER_MS,
  eventName,
  fmtAgo,
  fmtDaysLeft,
  fmtMs,
  fmtPct,
  fmtUntil,
  hostPort,
  isForever,
  parseTime,
  tlsLabel,
} from "../src/logic/format";

describe("fmtMs", () => {
  it.each([
    [null, "—"],
    [undefined, "—"],
    [0, "0.0 ms"],
    [3.44, "3.4 ms"],
    [9.96, "10.0 ms"],
    [10, "10 ms"],
    [123.4, "123 ms"],
    [1850.6, "1851 ms"],
    [12_345, "12.3 s"],
    [Number.NaN, "—"],
  ])("%s → %s", (v, want) => expect(fmtMs(v)).toBe(want));
});

describe("fmtPct", () => {
  it.each([
    [null, "—"],
    [100, "100%"],
    [99.999, "99.99%"],
    [99.5, "99.50%"],
    [87.56, "87.5%"],
    [0, "0.0%"],
  ])("%s → %s", (v, want) => expect(fmtPct(v)).toBe(want));

  it("never rounds up to 100%", () => expect(fmtPct(99.9999)).toBe("99.99%"));
});

describe("relative times", () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  it.each([
    [now, "just now"],
    [now - 400, "just now"],
    [now - 12_000, "12 s ago"],
    [now - 59_999, "59 s ago"],
    [now - 60_000, "1 min ago"],
    [now - 3_600_000, "1 h ago"],
    [now - 47 * 3_600_000, "47 h ago"],
    [now - 3 * 86_400_000, "3 d ago"],
    [now + 5_000, "just now"],
  ])("ago %s", (at, want) => expect(fmtAgo(at, now)).toBe(want));

  it.each([
    [now + 12_000, "in 12 s"],
    [now + 11_200, "in 12 s"],
    [now + 90_000, "in 1 min"],
    [now, "due"],
    [now - 5_000, "due"],
  ])("until %s", (at, want) => expect(fmtUntil(at, now)).toBe(want));
});

describe("parseTime", () => {
  it("reads RFC 3339 with nanoseconds", () => {
    expect(parseTime("2025-01-01T00:00:00.123456789Z")).toBe(Date.UTC(2025, 0, 1, 0, 0, 0, 123));
  });
  it("reads chrono's MAX_UTC as forever", () => {
    const t = parseTime("+262142-12-31T23:59:59.999999999Z");
    expect(t).not.toBeNull();
    expect(isForever(t!, Date.now())).toBe(true);
  });
  it("gives null for nothing or nonsense", () => {
    expect(parseTime(null)).toBeNull();
    expect(parseTime("")).toBeNull();
    expect(parseTime("yesterday")).toBeNull();
  });
  it("knows a pause of an hour is not forever", () => {
    const now = Date.now();
    expect(isForever(now + 3_600_000, now)).toBe(false);
    expect(isForever(FOREVER_MS, now)).toBe(true);
  });
});

describe("labels", () => {
  it("names TLS modes and event ids", () => {
    expect(tlsLabel("starttls")).toBe("STARTTLS");
    expect(tlsLabel("implicit")).toBe("Implicit TLS");
    expect(tlsLabel("weird")).toBe("weird");
    expect(eventName(5509)).toBe("Failed");
    expect(eventName(5510)).toBe("Success");
    expect(eventName(5511)).toBe("QoS Warning");
    expect(eventName(null)).toBe("No verdict");
    expect(eventName(5520)).toBe("Offline began");
    expect(eventName(5524)).toBe("Stale began");
    expect(eventName(5599)).toBe("No verdict");
  });
  it("brackets IPv6 literals", () => {
    expect(hostPort("mx.example.com", 25)).toBe("mx.example.com:25");
    expect(hostPort("2001:db8::1", 465)).toBe("[2001:db8::1]:465");
    expect(hostPort("[2001:db8::1]", 465)).toBe("[2001:db8::1]:465");
  });
  it("says how long a certificate has", () => {
    expect(fmtDaysLeft(30)).toBe("30 days left");
    expect(fmtDaysLeft(1)).toBe("1 day left");
    expect(fmtDaysLeft(0)).toBe("expires today");
    expect(fmtDaysLeft(-1)).toBe("expired 1 day ago");
    expect(fmtDaysLeft(-4)).toBe("expired 4 days ago");
  });
});
