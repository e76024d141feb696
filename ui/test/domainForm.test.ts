import { describe, expect, it } from "vitest";

import type { MonitorFile } from "../src/bindings/MonitorFile";
import { HOST_ONLY, domainError, fromForm, placeholders, toForm } from "../src/logic/monitorForm";

describe("the Domain kind of the monitor form", () => {
  it("opens an existing domain monitor in the Domain kind and round-trips it", () => {
    const m: MonitorFile = { name: "mail", domain: "example.com", qos_ms: 900, require_ext: ["STARTTLS"] };
    const f = toForm(m);
    expect(f.kind).toBe("domain");
    expect(f.domain).toBe("example.com");
    expect(fromForm(f)).toEqual({ monitor: m, errors: {} });
    expect(toForm({ host: "mx.example.com" }).kind).toBe("host");
  });

  it("writes domain, never host nor a host-only field, and names the monitor after the domain", () => {
    const f = {
      ...toForm({ host: "mx1.example.com", port: 587, tls: "starttls", ca_file: "/ca.pem", insecure: true, addresses: "first" }),
      kind: "domain" as const,
      domain: " example.com ",
      name: "",
    };
    const { monitor, errors } = fromForm(f);
    expect(errors).toEqual({});
    expect(monitor).toEqual({ name: "example.com", domain: "example.com" });
    for (const k of HOST_ONLY) expect(monitor).not.toHaveProperty(k);
  });

  it("keeps the host when switched back to the Host kind", () => {
    const f = { ...toForm({ host: "mx1.example.com", tls: "starttls" }), domain: "example.com" };
    expect(fromForm(f).monitor).toEqual({ name: "mx1.example.com", host: "mx1.example.com", tls: "starttls" });
  });

  it("refuses what is not a domain name, naming the field and the value", () => {
    const bad = (domain: string) => fromForm({ ...toForm(), kind: "domain", domain }).errors;
    expect(bad("exa mple.com")).toEqual({
      domain: "“exa mple.com” is not a domain name (labels of letters, digits and -, split by dots)",
    });
    expect(bad("192.0.2.1").domain).toBe(
      "“192.0.2.1” is an IP address, not a mail domain (use the Host kind for a server)",
    );
    expect(domainError("-bad.example")).toMatch(/not a domain name/);
    expect(domainError("a..example")).toMatch(/not a domain name/);
    expect(domainError(`${"a".repeat(64)}.example`)).toMatch(/not a domain name/);
    expect(domainError("example.com.")).toBeUndefined();
    expect(domainError("bücher.example")).toBeUndefined();
    expect(domainError("")).toBeUndefined();
  });

  it("shows the domain as the name's placeholder", () => {
    const f = { ...toForm(), kind: "domain" as const, domain: "example.com" };
    expect(placeholders(f).name).toBe("example.com");
    expect(placeholders({ ...f, domain: "" }).name).toBe("same as the domain");
    expect(placeholders(f).domain).toBe("example.com");
  });
});
