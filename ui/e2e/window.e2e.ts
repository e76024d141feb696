// Browser tests of the window with the IPC mocked (e2e/mock-backend.ts): Debian's chromium driven
// by playwright-core (no browser download). Every test also fails on a CSP violation or a page
// error. Screenshots go to test-artifacts/.

import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";

import type { DaneCheck } from "../src/bindings/DaneCheck";
import type { ListCheck } from "../src/bindings/ListCheck";
import type { ProbeReport } from "../src/bindings/ProbeReport";
import type { Settings } from "../src/bindings/Settings";
import type { Status } from "../src/bindings/Status";
import type { StsCheck } from "../src/bindings/StsCheck";
import type { StsMode } from "../src/bindings/StsMode";
import { PREGREET_LINE, pregreetReport, report } from "../test/fixtures";

const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), "..", "test-artifacts");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

let browser: Browser;
let context: BrowserContext | null = null;
let problems: string[] = [];

type Open = {
  fixture?: "fleet" | "empty";
  delay?: number;
  notice?: string;
  /** Three remote agents (e2e/mock-agents.ts). */
  agents?: boolean;
  width?: number;
  height?: number;
  dark?: boolean;
};

async function open(o: Open = {}): Promise<Page> {
  context = await browser.newContext({
    viewport: { width: o.width ?? 420, height: o.height ?? 520 },
    colorScheme: o.dark ? "dark" : "light",
    deviceScaleFactor: 1,
  });
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[]; __cls: number };
    w.__csp = [];
    w.__cls = 0;
    document.addEventListener("securitypolicyviolation", (e) =>
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>) {
        if (!e.hadRecentInput) w.__cls += e.value;
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    // Failed loads are reported by URL below (the browser's own favicon probe is not ours).
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  const q = new URLSearchParams();
  if (o.fixture) q.set("fixture", o.fixture);
  if (o.delay) q.set("delay", String(o.delay));
  if (o.notice) q.set("notice", o.notice);
  if (o.agents) q.set("agents", "1");
  await page.goto(`${inject("pageUrl")}?${q}`);
  return page;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: resolve(ARTIFACTS, `${name}.png`) });
}

/** Screenshots in light, then dark (the window follows the OS). */
async function shots(page: Page, name: string) {
  await page.emulateMedia({ colorScheme: "light" });
  await shot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.waitForTimeout(50); // one frame for the chart to redraw in the new colours
  await shot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: "light" });
}

const activeName = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.tagName);

/** `activeName` once focus is on the field named `expected`, or after 2 s: the form moves focus
 * to a field in error in an effect, a frame after the error is shown. */
const focusedName = async (page: Page, expected: string) => {
  await page
    .waitForFunction((name) => document.activeElement?.getAttribute("name") === name, expected, { timeout: 2000 })
    .catch(() => undefined);
  return activeName(page);
};

const calls = (page: Page, cmd: string) =>
  page.evaluate((c) => window.__mock.calls.filter((x) => x.cmd === c).map((x) => x.args), cmd);

const row = (page: Page, id: string, status?: string) =>
  page.locator(
    `[data-testid="monitor-row"][data-monitor-id="${id}"]${status ? `[data-status="${status}"]` : ""}`,
  );

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  const page = context?.pages()[0];
  const csp = page ? await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp) : [];
  await context?.close();
  context = null;
  const seen = [...problems, ...csp.map((c) => `CSP: ${c}`)];
  problems = [];
  expect(seen).toEqual([]);
});

describe("the status and settings window", () => {
  it("adds a monitor end to end and opens its detail", async () => {
    const page = await open();
    await row(page, "legacy").waitFor();
    await shots(page, "status");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);

    await page.click('[data-testid="add-monitor"]');
    await page.fill('input[name="name"]', "mx-new");
    await page.fill('input[name="host"]', "mx-new.example.org");
    await page.fill('input[name="port"]', "587");
    await page.selectOption('select[name="tls"]', "starttls");
    await page.fill('input[name="qos_ms"]', "1500");
    await page.fill('input[name="require_ext"]', "STARTTLS, SIZE");
    await page.fill('input[name="alerts.failed_after"]', "3");
    await page.selectOption('select[name="alerts.on_recovery"]', "false");
    await page.click('[data-testid="save-monitor"]');

    await row(page, "mx-new", "success").waitFor();
    expect(await row(page, "mx-new").locator(".row-where").textContent()).toBe(
      "mx-new.example.org:587 · STARTTLS",
    );
    expect(await calls(page, "save_monitor")).toEqual([
      {
        monitor: {
          name: "mx-new",
          host: "mx-new.example.org",
          port: 587,
          tls: "starttls",
          qos_ms: 1500,
          require_ext: ["STARTTLS", "SIZE"],
          alerts: { failed_after: 3, on_recovery: false },
        },
        originalId: null,
      },
    ]);
    expect(await page.evaluate(() => document.activeElement?.closest("[data-monitor-id]")?.getAttribute("data-monitor-id"))).toBe("mx-new");

    await row(page, "mx-new").locator('[data-testid="open-detail"]').click();
    await page.locator('[data-testid="detail"] [data-testid="event-log"]').waitFor();
    expect(await page.locator('[data-testid="detail"] h1').textContent()).toBe("mx-new");
    expect(await page.locator('[data-testid="latency-chart"] canvas').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await shots(page, "detail-narrow");
  });

  it("marks the first frame that shows the status data", async () => {
    const page = await open();
    await row(page, "mx1").waitFor();
    // The mark is set on the frame after the rows render: wait for it, then report the timing
    // (timings are figures for the report, not assertions: scripts/first-paint measures the
    // real window).
    await page.waitForFunction(() => performance.getEntriesByName("ehlo:status-ready").length > 0);
    const t = await page.evaluate(() => ({
      ready: performance.getEntriesByName("ehlo:status-ready")[0]!.startTime,
      fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
    }));
    console.log(`first contentful paint ${t.fcp?.toFixed(0)} ms, status data painted ${t.ready.toFixed(0)} ms (mocked IPC, headless chromium)`);
    expect(t.ready).toBeGreaterThan(0);
  });

  it("welcomes a first run and gets the first monitor in through a preset and Test now", async () => {
    const page = await open({ fixture: "empty" });
    await page.locator('[data-testid="welcome"]').waitFor();
    await shots(page, "welcome");
    await page.click('[data-testid="welcome-preset-25-starttls"]');
    expect(await focusedName(page, "host")).toBe("host");
    expect(await page.getAttribute('[data-preset="25-starttls"]', "aria-pressed")).toBe("true");
    await page.keyboard.type("mail.example.org");
    expect(await page.getAttribute('input[name="name"]', "placeholder")).toBe("mail.example.org");

    await page.click('[data-testid="test-monitor"]');
    const result = page.locator('[data-testid="test-result"]');
    await result.waitFor();
    expect(await result.locator('[data-testid="status-badge"]').textContent()).toBe("Success");
    expect(await result.locator('[data-testid="server-said"]').textContent()).toContain(
      "220 mail.example.org ESMTP Postfix",
    );
    expect(await result.textContent()).toContain("starttls");
    await shots(page, "editor-test-result");
    expect(await calls(page, "save_monitor")).toEqual([]);

    await page.click('[data-testid="save-monitor"]');
    await row(page, "mail.example.org", "success").waitFor();
    const saved = await calls(page, "save_monitor");
    expect(saved[0]!.monitor).toEqual({ name: "mail.example.org", host: "mail.example.org", port: 25, tls: "starttls" });
  });

  it("offers the SMTP server that answers on localhost:25 on a first run", async () => {
    const page = await open({ fixture: "empty" });
    const offer = page.locator('[data-testid="local-offer"]');
    await offer.waitFor();
    expect(await offer.textContent()).toContain("localhost:25");
    const probes = await calls(page, "test_monitor");
    expect(probes[0]!.monitor).toEqual({ name: "localhost:25", host: "localhost", port: 25 });
    await page.click('[data-testid="add-local"]');
    await row(page, "localhost:25", "success").waitFor();
    expect(await page.locator('[data-testid="welcome"]').count()).toBe(0);
  });

  it("offers control probes on a first run, turns them on with the suggested hosts, then offers no more", async () => {
    const page = await open({ fixture: "empty" });
    const offer = page.locator('[data-testid="control-offer"]');
    await offer.waitFor();
    expect(await offer.textContent()).toContain("blocks outbound port 25");
    await offer.scrollIntoViewIfNeeded();
    await shots(page, "welcome-control-offer");
    await page.click('[data-testid="turn-on-control"]');
    await offer.getByText("Control probes on").waitFor();
    expect(await offer.textContent()).toBe(
      "Control probes on (gmail-smtp-in.l.google.com, mx1.mail.icloud.com, mx.zoho.com).",
    );
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("control-offer");
    const saved = await calls(page, "save_settings");
    expect(saved).toHaveLength(1);
    expect(saved[0]!.settings).toEqual({
      ui: { notify_warnings: true, notifications_paused_until: null },
      agents: [],
      defaults: {},
      alerts: {},
      history: {},
      monitor: [],
      control: { hosts: ["gmail-smtp-in.l.google.com", "mx1.mail.icloud.com", "mx.zoho.com"] },
    });
    await shots(page, "welcome-control-on");

    await page.click('[data-testid="nav-settings"]');
    expect(await page.inputValue('input[name="control.hosts"]')).toBe(
      "gmail-smtp-in.l.google.com, mx1.mail.icloud.com, mx.zoho.com",
    );
    await page.click('[data-testid="nav-status"]');
    await page.locator('[data-testid="welcome"]').waitFor();
    expect(await offer.count()).toBe(0);
  });

  it("shows each validation problem at the field its path names, and saves nothing", async () => {
    const page = await open();
    await row(page, "mx1").waitFor();
    await page.click('[data-testid="add-monitor"]');
    await page.fill('input[name="name"]', "mx1");
    await page.fill('input[name="host"]', "new.example.org");
    await page.fill('input[name="port"]', "70000");
    await page.fill('input[name="alerts.failed_after"]', "0");
    await page.click('[data-testid="save-monitor"]');

    const err = (k: string) => page.locator(`[data-testid="field-error"][data-field="${k}"]`);
    await err("port").waitFor();
    expect(await err("port").textContent()).toBe("70000 is not a port (1–65535)");
    expect(await err("alerts.failed_after").textContent()).toBe("0 must be at least 1");
    expect(await err("name").textContent()).toBe("\"mx1\" is used by monitor “mx1” too");
    expect(await page.locator('[data-field="port"] input[name="port"] ~ [data-testid="field-error"]').count()).toBe(1);
    expect(await page.getAttribute('input[name="port"]', "aria-invalid")).toBe("true");
    expect(await page.getAttribute('input[name="port"]', "aria-describedby")).toBe("f-port-err");
    expect(await activeName(page)).toBe("name");
    expect(await page.locator('[data-testid="problems"] li').count()).toBe(3);
    expect(await page.evaluate(() => window.__mock.settings().monitor?.length)).toBe(4);
    await shots(page, "editor-validation");

    await page.fill('input[name="port"]', "2525");
    expect(await err("port").count()).toBe(0);
    expect(await page.getAttribute('input[name="port"]', "aria-invalid")).toBe("false");

    await page.fill('input[name="port"]', "twenty-five");
    await page.click('[data-testid="test-monitor"]');
    expect(await err("port").textContent()).toBe("“twenty-five” is not a whole number");
    expect(await calls(page, "test_monitor")).toEqual([]);
  });

  it("shows a number out of range at its field as it is typed, before anything is sent", async () => {
    const page = await open();
    await row(page, "mx1").waitFor();
    const err = (k: string) => page.locator(`[data-testid="field-error"][data-field="${k}"]`);

    await page.click('[data-testid="add-monitor"]');
    await page.fill('input[name="port"]', "0");
    expect(await err("port").textContent()).toBe("0 is not a port (1–65535)");
    expect(await page.getAttribute('input[name="port"]', "aria-invalid")).toBe("true");
    await page.fill('input[name="port"]', "25");
    expect(await err("port").count()).toBe(0);
    // A rule between two numbers: against the inherited interval (60 s), then against its own.
    await page.fill('input[name="qos_ms"]', "40000");
    expect(await err("qos_ms").textContent()).toBe(
      "40000 is too long for interval_s 60: 2×qos_ms (80 s) must be shorter",
    );
    await page.fill('input[name="interval_s"]', "60");
    expect(await err("qos_ms").count()).toBe(0);
    expect(await err("interval_s").textContent()).toBe("60 must be longer than 2×qos_ms (80 s)");
    await page.fill('input[name="interval_s"]', "120");
    expect(await err("interval_s").count()).toBe(0);
    await page.fill('input[name="alerts.repeat_every_min"]', "10081");
    expect(await err("alerts.repeat_every_min").textContent()).toBe("10081 must be at most 10080");
    expect(await page.locator('[data-testid="problems"]').count()).toBe(0);

    await page.click('[data-testid="nav-settings"]');
    await page.fill('input[name="history.retention_days"]', "0");
    expect(await err("history.retention_days").textContent()).toBe("0 must be at least 1");
    await page.fill('input[name="defaults.cert_crit_days"]', "20");
    expect(await err("defaults.cert_crit_days").textContent()).toBe("20 is above cert_warn_days 14");
    expect(await page.locator('[data-testid="problems"]').count()).toBe(0);
    expect(await calls(page, "save_monitor")).toEqual([]);
    expect(await calls(page, "test_monitor")).toEqual([]);
    expect(await calls(page, "save_settings")).toEqual([]);
  });

  it("adds a Domain (all MX hosts) monitor with a debounced preview of its MX set, and edits it as a domain", async () => {
    const page = await open();
    await row(page, "mx1").waitFor();
    await page.click('[data-testid="add-monitor"]');
    await page.selectOption('select[name="kind"]', "domain");
    expect(await page.locator('[data-testid="domain-note"]').textContent()).toBe(
      "MX hosts are probed on port 25 with opportunistic STARTTLS.",
    );
    for (const k of ["host", "port", "ca_file"]) expect(await page.locator(`input[name="${k}"]`).count()).toBe(0);
    for (const k of ["tls", "addresses"]) expect(await page.locator(`select[name="${k}"]`).count()).toBe(0);
    expect(await page.locator('input[name="insecure"]').count()).toBe(0);

    const preview = page.locator('[data-testid="mx-preview"]');
    const previews = () => calls(page, "preview_mx");
    await page.locator('input[name="domain"]').pressSequentially("example.com", { delay: 30 });
    await page.locator('[data-testid="mx-preview"][data-state="found"]').waitFor();
    expect(await preview.textContent()).toBe("10 mx1.example.com, 20 mx2.example.com");
    expect(await previews()).toEqual([{ domain: "example.com" }]);
    await shots(page, "editor-domain");

    // An answer for a domain no longer typed is dropped: the slow one arrives last and is not shown.
    await page.fill('input[name="domain"]', "slow.example");
    await page.waitForFunction(() => window.__mock.calls.filter((c) => c.cmd === "preview_mx").length === 2);
    expect(await preview.textContent()).toBe("looking up…");
    await page.fill('input[name="domain"]', "nx.example");
    await page.waitForFunction(() => window.__mock.answered.includes("slow.example"));
    expect(await page.evaluate(() => window.__mock.answered)).toEqual(["example.com", "nx.example", "slow.example"]);
    expect(await preview.getAttribute("data-state")).toBe("failed");
    expect(await preview.textContent()).toBe("nx.example: the name does not exist (NXDOMAIN)");

    await page.fill('input[name="domain"]', "implicit.example");
    await page.locator('[data-testid="mx-preview"][data-state="found"]').waitFor();
    expect(await preview.textContent()).toBe("no MX: the domain itself receives mail");

    const err = page.locator('[data-testid="field-error"][data-field="domain"]');
    await page.fill('input[name="domain"]', "exa mple.com");
    await page.click('[data-testid="save-monitor"]');
    expect(await err.textContent()).toBe(
      "“exa mple.com” is not a domain name (labels of letters, digits and -, split by dots)",
    );
    expect(await focusedName(page, "domain")).toBe("domain");
    expect(await calls(page, "save_monitor")).toEqual([]);

    await page.fill('input[name="domain"]', "example.com");
    await page.fill('input[name="name"]', "mail");
    await page.click('[data-testid="save-monitor"]');
    await row(page, "mail").waitFor();
    expect(await calls(page, "save_monitor")).toEqual([
      { monitor: { name: "mail", domain: "example.com" }, originalId: null },
    ]);

    await row(page, "mail").locator('[data-testid="edit-monitor"]').click();
    expect(await page.inputValue('select[name="kind"]')).toBe("domain");
    expect(await page.inputValue('input[name="domain"]')).toBe("example.com");
    expect(await focusedName(page, "domain")).toBe("domain");
    await page.locator('[data-testid="mx-preview"][data-state="found"]').waitFor();
    expect(await preview.textContent()).toBe("10 mx1.example.com, 20 mx2.example.com");
  });

  it("re-renders only the row whose monitor changed when a live update arrives", async () => {
    const page = await open();
    await row(page, "mx2").waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".row-uptime .num")].every((e) => e.textContent !== "—"),
    );
    expect(
      await page.locator('[data-testid="monitor-row"]').evaluateAll((rs) => rs.map((r) => r.getAttribute("data-monitor-id"))),
    ).toEqual(["legacy", "submission", "mx1", "mx2"]);
    await page.evaluate(() => {
      const w = window as unknown as { __before: Map<string, Element>; __mut: MutationRecord[] };
      const list = document.querySelector(".rows")!;
      w.__before = new Map(
        [...list.querySelectorAll('[data-testid="monitor-row"]')].map((r) => [r.getAttribute("data-monitor-id")!, r]),
      );
      w.__mut = [];
      new MutationObserver((recs) => w.__mut.push(...recs)).observe(list, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });

    await page.evaluate(() => window.__mock.setStatus("mx2", "failed", "connection refused by 192.0.2.25:25"));
    await row(page, "mx2", "failed").waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-monitor-id="mx2"] .row-uptime .num')?.textContent === "99.02%",
    );

    const seen = await page.evaluate(() => {
      const w = window as unknown as { __before: Map<string, Element>; __mut: MutationRecord[] };
      const list = document.querySelector(".rows")!;
      const rows = [...list.querySelectorAll('[data-testid="monitor-row"]')];
      const changed = rows.find((r) => r.getAttribute("data-monitor-id") === "mx2")!;
      const describe = (n: Node) => (n instanceof Element ? n.outerHTML.slice(0, 90) : `#text ${n.textContent}`);
      const outside = w.__mut.filter((m) => {
        if (m.target === list) return false; // a row moved (re-sorted), no row re-rendered
        // The one clock ticking "12 s ago": text only, the element itself is not rendered again.
        if (m.type === "characterData" && m.target.parentElement?.closest(".reltime")) return false;
        return !changed.contains(m.target);
      });
      return {
        order: rows.map((r) => r.getAttribute("data-monitor-id")),
        sameNodes: rows.every((r) => w.__before.get(r.getAttribute("data-monitor-id")!) === r),
        insideChanged: w.__mut.filter((m) => m.target !== list && changed.contains(m.target)).length,
        outside: outside.map((m) => `${m.type} ${describe(m.target)}`),
        note: changed.querySelector(".row-note")?.textContent,
      };
    });
    expect(seen.order).toEqual(["legacy", "mx2", "submission", "mx1"]);
    expect(seen.sameNodes).toBe(true);
    expect(seen.outside).toEqual([]);
    expect(seen.insideChanged).toBeGreaterThan(0);
    expect(seen.note).toBe("connection refused by 192.0.2.25:25");
    expect(await page.locator('[data-testid="announcer"]').textContent()).toBe("mx2 is now Failed");
    expect(await page.locator(".count-failed").textContent()).toBe("2 failed");
  });

  it("snoozes a monitor from its row with the keyboard, and lifts the snooze", async () => {
    const page = await open({ width: 800, height: 600 });
    await row(page, "legacy").waitFor();
    await row(page, "legacy").locator("summary").focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("1 hour");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() =>
      document.querySelector('[data-monitor-id="legacy"] .chip')?.textContent?.startsWith("Snoozed until "),
    );
    expect(await calls(page, "snooze")).toEqual([{ id: "legacy", minutes: 60 }]);
    expect(
      await page.locator('[data-testid="monitor-row"]').evaluateAll((rs) => rs.map((r) => r.getAttribute("data-monitor-id"))),
    ).toEqual(["submission", "mx1", "mx2", "legacy"]);
    expect(await page.locator(".count-failed").textContent()).toBe("0 failed");

    await row(page, "legacy").getByRole("button", { name: "Resume alerts for legacy" }).click();
    await row(page, "legacy").locator(".chip").waitFor({ state: "detached" });
    expect(await calls(page, "unsnooze")).toEqual([{ id: "legacy" }]);
  });

  it("draws the latency chart with its QoS and 2×QoS guide lines and marks failures", async () => {
    const page = await open({ width: 1000, height: 800 });
    await row(page, "legacy").locator('[data-testid="open-detail"]').click();
    const detail = page.locator('[data-testid="detail"]');
    await detail.locator('[data-testid="event-log"]').waitFor();
    await page.waitForFunction(
      () => Number(document.querySelector<HTMLElement>('[data-testid="latency-chart"]')?.dataset.points) > 0,
    );
    const probe = await page.evaluate(() => {
      const box = document.querySelector<HTMLElement>('[data-testid="latency-chart"]')!;
      const canvas = box.querySelector("canvas")!;
      const ctx = canvas.getContext("2d")!;
      const left = Number(box.dataset.plotLeft);
      const width = Number(box.dataset.plotWidth);
      const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const coverage = (y: number, hex: string) => {
        const c = rgb(hex);
        let best = 0;
        for (const dy of [-1, 0, 1]) {
          const d = ctx.getImageData(left, y + dy, width, 1).data;
          let hit = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3]! > 200 && [0, 1, 2].every((k) => Math.abs(d[i + k]! - c[k]!) < 40)) hit++;
          }
          best = Math.max(best, hit / width);
        }
        return best;
      };
      const qosY = Number(box.dataset.qosPx);
      const qos2Y = Number(box.dataset.qos2Px);
      return {
        qos: coverage(qosY, box.dataset.warnColor!),
        qos2: coverage(qos2Y, box.dataset.failColor!),
        elsewhere: coverage(Math.round((qosY + qos2Y) / 2), box.dataset.warnColor!),
        ordered: qos2Y < qosY,
        marks: Number(box.dataset.failureMarks),
        label: box.getAttribute("aria-label"),
      };
    });
    expect(probe.qos).toBeGreaterThan(0.4);
    expect(probe.qos2).toBeGreaterThan(0.4);
    expect(probe.elsewhere).toBeLessThan(0.05);
    expect(probe.ordered).toBe(true);
    expect(probe.marks).toBeGreaterThan(0);
    expect(probe.label).toMatch(/^Latency chart, last 24 hours: 240 probes, slowest \d+ ms, failures in \d+ of 120 periods\.$/);

    expect(await detail.locator('[data-testid="stats"]').textContent()).toContain("p50121 ms");
    const log = detail.locator('[data-testid="event-log"] tbody tr');
    expect(await log.evaluateAll((rs) => rs.map((r) => r.getAttribute("data-event-id")))).toEqual([
      "5510",
      "5509",
      "5511",
      "5510",
    ]);
    expect(await detail.locator('[data-testid="transcript"]').textContent()).toContain("421 4.3.2 Service shutting down");
    await shots(page, "detail");

    await page.click('[data-window="7d"]');
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === "history_series" && c.args.window === "7d"));
    expect(await page.getAttribute('[data-window="7d"]', "aria-pressed")).toBe("true");

    // The tray asks for another monitor's details: TLS facts and EHLO extensions of mx1.
    await page.evaluate(() => window.__mock.emit("show_monitor", "mx1"));
    await page.locator('[data-testid="detail"][data-monitor-id="mx1"]').waitFor();
    expect(await page.locator('[data-testid="cert-days"]').textContent()).toBe("41 days left");
    expect(
      await page.locator('[data-testid="extensions"] li').evaluateAll((ls) => ls.map((l) => l.textContent)),
    ).toEqual(["PIPELINING", "SIZE 10240000", "STARTTLS", "8BITMIME", "SMTPUTF8"]);
  });

  it("shows a partial greeting marked incomplete and the pregreet explanation, in the detail and in Test now", async () => {
    const page = await open({ width: 800, height: 900 });
    await row(page, "mx2").waitFor();
    const partial = pregreetReport({ host: "mx2.example.com", checked_at: new Date().toISOString() });
    await page.evaluate((rep) => window.__mock.setReport("mx2", rep), partial);
    await row(page, "mx2", "failed").waitFor();
    await page.evaluate(() => window.__mock.emit("show_monitor", "mx2"));
    const detail = page.locator('[data-testid="detail"][data-monitor-id="mx2"]');
    await detail.locator('[data-testid="server-said"]').waitFor();
    expect(await detail.textContent()).toContain("looks like a pregreet test (e.g. Postfix postscreen)");
    const said = detail.locator('[data-testid="server-said"]');
    expect(await said.locator(".reply-head").allTextContents()).toEqual(["Greeting (incomplete)"]);
    expect(await said.locator(".reply-lines").allTextContents()).toEqual([`220-${PREGREET_LINE}`]);
    await shots(page, "detail-partial-greeting");

    await page.click('[data-testid="add-monitor"]');
    await page.fill('input[name="name"]', "behind-postscreen");
    await page.fill('input[name="host"]', "pregreet.example.org");
    await page.click('[data-testid="test-monitor"]');
    const result = page.locator('[data-testid="test-result"]');
    await result.waitFor();
    expect(await result.locator('[data-testid="status-badge"]').textContent()).toBe("Failed");
    expect((await result.locator('[data-testid="test-reason"]').allTextContents()).join(" ")).toContain(
      "looks like a pregreet test",
    );
    expect(await result.locator('[data-testid="server-said"]').textContent()).toBe(
      `Greeting (incomplete)220-${PREGREET_LINE}`,
    );
    await shots(page, "editor-test-partial-greeting");
  });

  it("shows a mail domain's DANE checks per MX host × address in the Policy card, and follows new results", async () => {
    const page = await open({ width: 420, height: 900 });
    await row(page, "mx1").waitFor();
    const digest = "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b";
    const cert = "3082030a".repeat(120);
    const matched: DaneCheck = {
      state: "matched",
      verdict: "DANE: 3 1 1 0a1b2c3d4e5f6a7b… matches the served certificate (DANE-EE: names and expiry not checked)",
      records: [`3 1 1 ${digest}`],
    };
    const refused: DaneCheck = {
      state: "no_match",
      verdict: "DANE senders will refuse this host: no TLSA record matches the served certificate",
      records: [`2 0 0 ${cert}`, `3 1 1 ${digest}`],
    };
    const target = (mx: string, address: string, status: Status, dane?: DaneCheck) => ({
      mx,
      address,
      status,
      report: report({ address, status: status === "success" ? "success" : "failed", ...(dane ? { dane } : {}) }),
    });
    const domain = (second: DaneCheck): ProbeReport =>
      report({
        host: "mx1.example.com",
        status: second.state === "matched" ? "success" : "failed",
        event_id: second.state === "matched" ? 5510 : 5509,
        reason: second.state === "matched" ? null : second.verdict,
        checked_at: new Date().toISOString(),
        targets: [
          target("mx1.example.com", "192.0.2.10", "success", matched),
          target("mx1.example.com", "2001:db8::10", "no_route"),
          target("mx2.example.com", "192.0.2.20", second.state === "matched" ? "success" : "failed", second),
        ],
      });
    await page.evaluate((rep) => window.__mock.setReport("mx1", rep), domain(refused));
    await row(page, "mx1", "failed").waitFor();
    await page.evaluate(() => window.__mock.emit("show_monitor", "mx1"));
    const card = page.getByRole("region", { name: "Policy" });
    const list = card.locator('[data-testid="mail-policy"]');
    await list.waitFor();
    const rows = list.locator(":scope > li");
    expect(await rows.evaluateAll((ls) => ls.map((l) => l.getAttribute("data-target")))).toEqual([
      "mx1.example.com — 192.0.2.10",
      "mx1.example.com — 2001:db8::10",
      "mx2.example.com — 192.0.2.20",
    ]);
    const dane = list.locator('[data-check="dane"]');
    expect(await dane.evaluateAll((ls) => ls.map((l) => l.getAttribute("data-state")))).toEqual([
      "matched",
      "not_checked",
      "no_match",
    ]);
    expect(await dane.locator(".badge").allTextContents()).toEqual(["matched", "not checked", "no match"]);
    expect(await dane.locator(".policy-verdict").allTextContents()).toEqual([
      matched.verdict,
      "DANE not checked: no route from here",
      refused.verdict,
    ]);
    // The failing check wears the Failed badge's colours, the matching one the Success colours.
    const colours = await page.evaluate(() => {
      const paint = (el: Element | null) => (el ? `${getComputedStyle(el).color} on ${getComputedStyle(el).backgroundColor}` : "");
      const badges = document.querySelectorAll('[data-testid="mail-policy"] .badge');
      return {
        matched: paint(badges[0]!),
        notChecked: paint(badges[1]!),
        noMatch: paint(badges[2]!),
        failedHead: paint(document.querySelector('.detail-head [data-testid="status-badge"][data-status="failed"]')),
      };
    });
    expect(colours.noMatch).toBe(colours.failedHead);
    expect(new Set(Object.values(colours)).size).toBe(3);
    const records = dane.nth(2).locator(".policy-records li");
    expect(await records.allTextContents()).toEqual([`TLSA 2 0 0 ${cert.slice(0, 64)}…`, `TLSA 3 1 1 ${digest}`]);
    expect(await records.evaluateAll((ls) => ls.map((l) => l.getAttribute("title")))).toEqual([`TLSA 2 0 0 ${cert}`, null]);
    // A record's data wraps inside the card, even at the window's narrowest.
    expect(
      await card.evaluate((el) => [el.scrollWidth <= el.clientWidth, document.documentElement.scrollWidth <= innerWidth]),
    ).toEqual([true, true]);
    await card.scrollIntoViewIfNeeded();
    await shots(page, "detail-policy");

    await page.evaluate((rep) => window.__mock.setReport("mx1", rep), domain(matched));
    await list.locator('[data-target="mx2.example.com — 192.0.2.20"] [data-check="dane"][data-state="matched"]').waitFor();
    expect(await dane.locator(".badge").allTextContents()).toEqual(["matched", "not checked", "matched"]);
  });

  it("shows a domain's MTA-STS policy, TLS-RPT record and each target's MTA-STS and blocklist checks in the Policy card, and follows new results", async () => {
    const page = await open({ width: 420, height: 900 });
    await row(page, "mx1").waitFor();
    const reason = "https://zen.example/query/ip/192.0.2.20 — listed for sending spam to trap addresses".repeat(2);
    const refused = "MTA-STS senders will refuse this host: mx2.example.com matches no mx pattern of the policy (id=2: mx1.example.com)";
    const listed = (zone: string, state: ListCheck["state"], codes: string[], why?: string): ListCheck => ({
      list: zone,
      state,
      verdict: state === "listed" ? `listed (${codes.join(", ")})${why ? `: ${why}` : ""}` : state === "refused" ? "the list refused the query (127.255.255.254): … — not a listing" : "not listed",
      codes,
      ...(why ? { reason: why } : {}),
      checked_at: new Date().toISOString(),
    });
    const target = (mx: string, address: string, status: Status, sts: StsCheck, lists: ListCheck[]) => ({
      mx,
      address,
      status,
      report: report({ address, status: status === "success" ? "success" : status === "warning" ? "warning" : "failed", mta_sts: sts, blocklists: lists }),
    });
    const domain = (mode: StsMode, covered: boolean): ProbeReport => {
      const second: StsCheck = covered
        ? { mode, state: "valid", verdict: `MTA-STS (${mode}, id=3): mx2.example.com is covered by the policy and its certificate is accepted` }
        : { mode, state: "mx_not_covered", verdict: refused };
      const mx = covered ? ["mx1.example.com", "mx2.example.com"] : ["mx1.example.com"];
      // A broken TLS-RPT record and a listing are amber; an enforced refusal is Failed.
      const failed = !covered && mode === "enforce";
      return report({
        host: "mx1.example.com",
        status: failed ? "failed" : "warning",
        event_id: failed ? 5509 : 5511,
        reason: failed ? refused : null,
        checked_at: new Date().toISOString(),
        mta_sts_policy: {
          state: "active",
          verdict: `MTA-STS policy id=${covered ? 3 : 2} mode ${mode} (mx: ${mx.join(", ")}; max_age 86400 s), fetched at 2025-01-01T00:00:00Z`,
          record: `v=STSv1; id=${covered ? 3 : 2};`,
          id: covered ? "3" : "2",
          mode,
          mx,
          max_age: 86400,
          fetched_at: "2025-01-01T00:00:00Z",
          policy_id: covered ? "3" : "2",
          host_unreachable: false,
        },
        tls_rpt: {
          state: "broken",
          verdict: "the TLS-RPT record at _smtp._tls.example.com is broken: v=TSLRPTv1 is a typo of v=TLSRPTv1; TLS failure reports go nowhere",
          record: "v=TSLRPTv1; rua=mailto:tls-reports@example.com",
        },
        targets: [
          target(
            "mx1.example.com",
            "192.0.2.10",
            "success",
            { mode, state: "valid", verdict: `MTA-STS (${mode}, id=2): mx1.example.com is covered by the policy and its certificate is accepted` },
            [listed("zen.example", "not_listed", []), listed("refused.example", "refused", ["127.255.255.254"])],
          ),
          target("mx2.example.com", "192.0.2.20", failed ? "failed" : "warning", second, [
            listed("zen.example", "listed", ["127.0.0.2"], reason),
            listed("refused.example", "refused", ["127.255.255.254"]),
          ]),
        ],
      });
    };
    await page.evaluate((rep) => window.__mock.setReport("mx1", rep), domain("enforce", false));
    await row(page, "mx1", "failed").waitFor();
    await page.evaluate(() => window.__mock.emit("show_monitor", "mx1"));
    const card = page.getByRole("region", { name: "Policy" });
    const list = card.locator('[data-testid="mail-policy"]');
    await list.waitFor();
    // The domain's own section comes first, then the targets.
    expect(await list.locator(":scope > li").evaluateAll((ls) => ls.map((l) => l.getAttribute("data-domain") ?? l.getAttribute("data-target")))).toEqual([
      "mx1.example.com",
      "mx1.example.com — 192.0.2.10",
      "mx2.example.com — 192.0.2.20",
    ]);
    const lines = list.locator("[data-check]");
    const seen = () =>
      lines.evaluateAll((ls) =>
        ls.map((l) => [l.getAttribute("data-check"), l.getAttribute("data-list"), l.getAttribute("data-state"), l.querySelector(".badge")!.textContent]),
      );
    expect(await seen()).toEqual([
      ["mta_sts_policy", null, "active", "active (enforce)"],
      ["tls_rpt", null, "broken", "broken"],
      ["mta_sts", null, "valid", "valid"],
      ["blocklist", "zen.example", "not_listed", "not listed"],
      ["blocklist", "refused.example", "refused", "list refused"],
      ["mta_sts", null, "mx_not_covered", "mx not covered"],
      ["blocklist", "zen.example", "listed", "listed"],
      ["blocklist", "refused.example", "refused", "list refused"],
    ]);
    expect(await list.locator('[data-check="mta_sts"]').evaluateAll((ls) => ls.map((l) => (l as HTMLElement).dataset.state))).toEqual([
      "valid",
      "mx_not_covered",
    ]);
    expect(await list.locator('[data-check="mta_sts"]').nth(1).locator(".policy-verdict").textContent()).toBe(refused);
    expect(await list.locator('[data-check="mta_sts_policy"] .policy-records li').allTextContents()).toEqual(["TXT v=STSv1; id=2;"]);
    expect(await list.locator('[data-check="tls_rpt"] .policy-records li').allTextContents()).toEqual([
      "TXT v=TSLRPTv1; rua=mailto:tls-reports@example.com",
    ]);
    const mx2Listed = list.locator('[data-target="mx2.example.com — 192.0.2.20"] [data-check="blocklist"][data-list="zen.example"]');
    expect(await mx2Listed.locator(".policy-records li").allTextContents()).toEqual(["A 127.0.0.2", `TXT "${reason}"`]);
    // Each badge wears the colours of the status it stands for: enforced refusal red, a listing
    // and a broken TLS-RPT record amber, a refused list grey (never amber), not listed green.
    const paint = () =>
      page.evaluate(() => {
        const of = (el: Element | null) => (el ? `${getComputedStyle(el).color} on ${getComputedStyle(el).backgroundColor}` : "missing");
        const badge = (sel: string) => of(document.querySelector(`[data-testid="mail-policy"] ${sel} .badge`));
        const head = (status: string) => of(document.querySelector(`.detail-head [data-testid="status-badge"][data-status="${status}"]`));
        return {
          refusal: badge('[data-target="mx2.example.com — 192.0.2.20"] [data-check="mta_sts"]'),
          listed: badge('[data-target="mx2.example.com — 192.0.2.20"] [data-check="blocklist"][data-list="zen.example"]'),
          refused: badge('[data-target="mx2.example.com — 192.0.2.20"] [data-check="blocklist"][data-list="refused.example"]'),
          tlsRpt: badge('[data-check="tls_rpt"]'),
          notListed: badge('[data-check="blocklist"][data-state="not_listed"]'),
          failedHead: head("failed"),
          warningHead: head("warning"),
        };
      });
    const enforced = await paint();
    expect(enforced.refusal).toBe(enforced.failedHead);
    expect(enforced.listed).toBe(enforced.tlsRpt);
    expect(new Set([enforced.refusal, enforced.listed, enforced.refused, enforced.notListed]).size).toBe(4);
    // Every line fits the window at its narrowest.
    expect(
      await card.evaluate((el) => [el.scrollWidth <= el.clientWidth, document.documentElement.scrollWidth <= innerWidth]),
    ).toEqual([true, true]);
    await card.scrollIntoViewIfNeeded();
    await shots(page, "detail-policy-mta-sts-blocklists");

    // The same policy in testing: the refusal is amber; then fixed: valid.
    await page.evaluate((rep) => window.__mock.setReport("mx1", rep), domain("testing", false));
    await list.locator('[data-check="mta_sts_policy"] .badge', { hasText: "active (testing)" }).waitFor();
    expect(await list.locator('[data-check="mta_sts"]').nth(1).locator(".badge").textContent()).toBe("mx not covered (testing)");
    await page.locator('.detail-head [data-testid="status-badge"][data-status="warning"]').waitFor();
    const testing = await paint();
    expect(testing.refusal).toBe(testing.warningHead);
    expect(testing.refusal).toBe(testing.listed);
    await page.evaluate((rep) => window.__mock.setReport("mx1", rep), domain("testing", true));
    await list.locator('[data-target="mx2.example.com — 192.0.2.20"] [data-check="mta_sts"][data-state="valid"]').waitFor();
    expect(await list.locator('[data-check="mta_sts_policy"] .policy-verdict').textContent()).toContain("mx: mx1.example.com, mx2.example.com");
  });

  it("adds a monitor with the keyboard only, with visible focus all the way", async () => {
    const page = await open();
    await row(page, "mx1").waitFor();
    let found = false;
    for (let i = 0; i < 12 && !found; i++) {
      await page.keyboard.press("Tab");
      found = await page.evaluate(() => document.activeElement?.getAttribute("data-testid") === "add-monitor");
    }
    expect(found).toBe(true);
    const focusRing = () =>
      page.evaluate(() => {
        const s = getComputedStyle(document.activeElement!);
        return `${s.outlineStyle} ${s.outlineWidth}`;
      });
    expect(await focusRing()).toBe("solid 2px");
    await page.keyboard.press("Enter");
    expect(await focusedName(page, "host")).toBe("host");
    expect(await focusRing()).toBe("solid 2px");
    await page.keyboard.type("kb.example.org");
    await page.keyboard.press("Tab");
    expect(await focusedName(page, "name")).toBe("name");
    await page.keyboard.type("kb");
    await page.keyboard.press("Tab");
    expect(await activeName(page)).toBe("port");
    await page.keyboard.type("2525");
    await page.keyboard.press("Tab");
    expect(await activeName(page)).toBe("tls");
    await page.keyboard.press("ArrowDown");
    expect(await page.inputValue('select[name="tls"]')).toBe("starttls");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Enter");

    await row(page, "kb", "success").waitFor();
    expect(
      await page.evaluate(() => document.activeElement?.closest("[data-monitor-id]")?.getAttribute("data-monitor-id")),
    ).toBe("kb");
    expect(await focusRing()).toBe("solid 2px");
    expect((await calls(page, "save_monitor"))[0]!.monitor).toEqual({
      name: "kb",
      host: "kb.example.org",
      port: 2525,
      tls: "starttls",
    });
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="detail"][data-monitor-id="kb"]').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("detail-title");
  });

  it("imports only a file without problems, reporting every one; settings errors sit at their field", async () => {
    const page = await open({ width: 900, height: 900 });
    await row(page, "mx1").waitFor();
    await page.click('[data-testid="nav-settings"]');
    await page.locator('[data-testid="settings-form"]').waitFor();
    expect(await page.locator('[data-testid="data-dir"]').textContent()).toBe("/home/ops/.local/share/org.ehlowatch.app");

    const bad = JSON.stringify({ monitor: [{ name: "a", host: "a.example", port: 0 }, { name: "", host: "x y" }] });
    await page.fill('textarea[name="import"]', bad);
    await page.click('[data-testid="import"]');
    await page.click('[data-testid="confirm-import"]');
    const list = page.locator('[data-testid="import-problems"] li');
    await list.first().waitFor();
    expect(await list.evaluateAll((ls) => ls.map((l) => l.textContent))).toEqual([
      "monitor[0].port: 0 is not a port (1–65535)",
      "monitor[1].name: must not be empty",
      "monitor[1].host: \"x y\" contains a space; a host name or address has no spaces",
    ]);
    expect(await page.evaluate(() => window.__mock.settings().monitor?.length)).toBe(4);

    await page.fill('input[name="defaults.qos_ms"]', "0");
    await page.click('[data-testid="save-settings"]');
    const err = page.locator('[data-testid="field-error"][data-field="defaults.qos_ms"]');
    await err.waitFor();
    expect(await err.textContent()).toBe("0 must be at least 1");
    expect(await focusedName(page, "defaults.qos_ms")).toBe("defaults.qos_ms");
    await shots(page, "settings");

    await page.click('[data-testid="export"]');
    const exported = JSON.parse(await page.inputValue('textarea[name="export"]'));
    expect(exported.monitor).toHaveLength(4);
    await page.fill('textarea[name="import"]', JSON.stringify({ monitor: [{ name: "only", host: "only.example" }] }));
    await page.click('[data-testid="import"]');
    await page.click('[data-testid="confirm-import"]');
    await page.locator("text=Imported 1 monitor.").waitFor();
    await page.click('[data-testid="nav-status"]');
    await row(page, "only").waitFor();
    expect(await page.locator('[data-testid="monitor-row"]').count()).toBe(1);
  });

  it("saves the control hosts typed or suggested, leaves them out when blank, and refuses more than 8 unsent", async () => {
    const page = await open({ width: 900, height: 900 });
    await row(page, "mx1").waitFor();
    await page.click('[data-testid="nav-settings"]');
    const field = 'input[name="control.hosts"]';
    const err = page.locator('[data-testid="field-error"][data-field="control.hosts"]');
    const sent = async () => (await calls(page, "save_settings")).map((a) => a.settings as Settings);
    const saveAndWait = async (n: number) => {
      await page.click('[data-testid="save-settings"]');
      await page.waitForFunction((k) => window.__mock.calls.filter((c) => c.cmd === "save_settings").length === k, n);
      await page.locator(".saved", { hasText: "Saved." }).waitFor();
    };

    await page.fill(field, Array.from({ length: 9 }, (_, i) => `mx${i}.example`).join(", "));
    await page.click('[data-testid="save-settings"]');
    await err.waitFor();
    expect(await err.textContent()).toBe("9 hosts given; at most 8 control hosts");
    expect(await focusedName(page, "control.hosts")).toBe("control.hosts");
    expect(await sent()).toEqual([]);

    await page.click('[data-testid="suggest-control-hosts"]');
    expect(await page.inputValue(field)).toBe("gmail-smtp-in.l.google.com, mx1.mail.icloud.com, mx.zoho.com");
    await page.locator(field).scrollIntoViewIfNeeded();
    await shots(page, "settings-control");
    await saveAndWait(1);
    expect(await err.count()).toBe(0);
    expect((await sent())[0]!.control).toEqual({
      hosts: ["gmail-smtp-in.l.google.com", "mx1.mail.icloud.com", "mx.zoho.com"],
    });
    expect(await page.evaluate(() => window.__mock.settings().control)).toEqual({
      hosts: ["gmail-smtp-in.l.google.com", "mx1.mail.icloud.com", "mx.zoho.com"],
    });

    await page.fill(field, "mx.a.example  192.0.2.7");
    await saveAndWait(2);
    expect((await sent())[1]!.control).toEqual({ hosts: ["mx.a.example", "192.0.2.7"] });

    await page.fill(field, "");
    await saveAndWait(3);
    expect("control" in (await sent())[2]!).toBe(false);
  });

  it("shows a quiet banner while outbound port 25 is blocked, with the monitors it keeps unchecked", async () => {
    const page = await open({ width: 800, height: 600 });
    await row(page, "mx1").waitFor();
    const banner = page.locator('[data-testid="blocked-banner"]');
    expect(await banner.count()).toBe(0);
    await page.evaluate(() => window.__mock.setBlocked(["mx1", "mx2"]));
    await banner.waitFor();
    expect(await banner.textContent()).toBe(
      "Outbound port 25 is blocked on this network — 2 monitors can’t be checked from here.",
    );
    await row(page, "mx2", "blocked").waitFor();
    await shots(page, "blocked");
    await page.evaluate(() => window.__mock.setBlocked([]));
    await banner.waitFor({ state: "detached" });
  });

  it("keeps the layout still while data arrives, and shows and dismisses the notice", async () => {
    const notice = "The settings file could not be read; it was kept aside as settings.json.bad.";
    const page = await open({ delay: 150, notice, width: 800, height: 700 });
    await row(page, "mx1").waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".row-uptime .num")].every((e) => e.textContent !== "—"),
    );
    expect(await page.locator('[data-testid="notice"] p').textContent()).toBe(notice);
    // Opened by the tray (an event, not a click), so no shift is excused as following input.
    await page.evaluate(() => window.__mock.emit("show_monitor", "submission"));
    await page.locator('[data-testid="event-log"]').waitFor();
    await page.waitForTimeout(100);
    const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
    expect(cls).toBeLessThan(0.001);
    const ready = await page.evaluate(() => performance.getEntriesByName("ehlo:status-ready")[0]?.startTime);
    expect(ready).toBeGreaterThan(0);
    console.log(`status view ready ${ready!.toFixed(0)} ms after navigation start (every command answering 150 ms late), CLS ${cls}`);

    await page.click('[data-testid="notice"] button');
    expect(await page.locator('[data-testid="notice"]').count()).toBe(0);
    expect(await calls(page, "dismiss_notice")).toHaveLength(1);
    await page.evaluate(() => window.__mock.emit("notice", "The history file was damaged and moved aside."));
    expect(await page.locator('[data-testid="notice"] p').textContent()).toBe(
      "The history file was damaged and moved aside.",
    );
  });
});

describe("remote agents in the window", () => {
  const ids = (page: Page) =>
    page.locator('[data-testid="monitor-row"]').evaluateAll((rs) => rs.map((r) => r.getAttribute("data-monitor-id")));

  it("shows the local monitors, then one group per agent keyed by source, an unreachable one grey", async () => {
    const page = await open({ agents: true, width: 800, height: 900 });
    await row(page, "dc1/mx2", "failed").waitFor();
    expect(await ids(page)).toEqual(["legacy", "submission", "mx1", "mx2", "dc1/mx2", "dc1/mx1", "dc2/mx1"]);
    const groups = page.locator('[data-testid="source-group"]');
    expect(await groups.evaluateAll((gs) => gs.map((g) => `${g.getAttribute("data-source")}:${g.getAttribute("data-health")}`))).toEqual([
      "dc1:connected",
      "dc2:unreachable",
      "dc3:needs_token",
    ]);
    const dc1 = page.locator('[data-source="dc1"][data-testid="source-group"]');
    expect(await dc1.locator(".source-head .badge").getAttribute("data-status")).toBe("failed");
    expect(await row(page, "dc1/mx2").locator(".row-note").textContent()).toBe("connection refused by 198.51.100.26:25");

    const dc2 = page.locator('[data-source="dc2"][data-testid="source-group"]');
    expect(await dc2.locator(".source-head .badge").textContent()).toBe("Unreachable");
    expect(await dc2.locator('[data-testid="source-note"]').textContent()).toMatch(
      /^Unreachable since \d\d:\d\d: no keep-alive from https:\/\/dc2\.example\.net:9925 for 45 s$/,
    );
    const grey = await row(page, "dc2/mx1").evaluate((r) => [r.getAttribute("data-status"), r.className]);
    expect(grey).toEqual(["unreachable", "row row-grey"]);
    // A read-only token: no Check now on its rows.
    expect(await row(page, "dc2/mx1").getByRole("button", { name: /Check/ }).count()).toBe(0);
    expect(await row(page, "dc1/mx1").getByRole("button", { name: "Check dc1 / mx1 now" }).count()).toBe(1);
    await shots(page, "agents-status");

    // dc1 becomes unreachable: its rows turn grey, never red, with the source's note.
    await page.evaluate(() =>
      window.__mock.emit(
        "sources",
        window.__mock.agents().map((s) =>
          s.name === "dc1"
            ? { ...s, health: "unreachable", since: new Date().toISOString(), reason: "connection refused", worst: "unreachable" }
            : s,
        ),
      ),
    );
    await row(page, "dc1/mx2", "unreachable").waitFor();
    expect(await row(page, "dc1/mx2").getAttribute("class")).toBe("row row-grey");
    expect(await page.locator('[data-source="dc1"] [data-testid="source-note"]').textContent()).toMatch(/^Unreachable since /);
  });

  it("opens a remote monitor's detail through the remote_* commands; Check now and Snooze only with a control token", async () => {
    const page = await open({ agents: true, width: 800, height: 900 });
    await row(page, "dc1/mx2").locator('[data-testid="open-detail"]').click();
    const detail = page.locator('[data-testid="detail"][data-monitor-id="dc1/mx2"]');
    await detail.locator('[data-testid="event-log"]').waitFor();
    await detail.locator('[data-testid="latency-chart"][data-drawn]').waitFor();
    expect(await calls(page, "remote_stats")).toEqual([{ source: "dc1", monitor: "mx2", window: "24h" }]);
    expect(await calls(page, "remote_series")).toEqual([{ source: "dc1", monitor: "mx2", window: "24h" }]);
    expect(await calls(page, "remote_events")).toEqual([{ source: "dc1", monitor: "mx2", window: "24h" }]);
    expect(await calls(page, "remote_last_failure")).toEqual([{ source: "dc1", monitor: "mx2" }]);
    expect([...(await calls(page, "history_series")), ...(await calls(page, "last_failure"))]).toEqual([]);
    expect(await detail.locator('[data-testid="transcript"]').textContent()).toContain("connecting to 198.51.100.26:25");
    await page.click('[data-window="7d"]');
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === "remote_series" && c.args.window === "7d"));

    await detail.locator('[data-testid="remote-check-now"]').click();
    expect(await calls(page, "remote_check_now")).toEqual([{ source: "dc1", monitor: "mx2" }]);
    await detail.locator('[data-testid="remote-snooze"] summary').click();
    await detail.locator('[data-testid="remote-snooze"] [data-minutes="60"]').click();
    expect(await calls(page, "remote_snooze")).toEqual([{ source: "dc1", monitor: "mx2", minutes: 60 }]);
    await detail.locator('[data-testid="remote-mute"] summary').click();
    await detail.locator('[data-testid="remote-mute"] [data-minutes="forever"]').click();
    await detail.locator('[data-testid="remote-unmute"]').waitFor();
    expect(await calls(page, "mute_remote")).toEqual([{ source: "dc1", monitor: "mx2", until: "9999-12-31T23:59:59Z" }]);
    await shots(page, "agents-detail");

    // A live state change of this monitor joins its event log; another monitor's does not.
    const change = (monitor: string, reason: string) => ({
      source: "dc1",
      replayed: false,
      change: { monitor, name: monitor, at: new Date().toISOString(), event_id: 5509, from: "success", to: "failed", kind: "changed", reason, alert: true },
    });
    await page.evaluate((c) => window.__mock.emit("remote_state_change", c), change("mx1", "other monitor"));
    await page.evaluate((c) => window.__mock.emit("remote_state_change", c), change("mx2", "refused just now"));
    await detail.locator('[data-testid="event-log"] td', { hasText: "refused just now" }).waitFor();
    expect(await detail.locator('[data-testid="event-log"] td', { hasText: "other monitor" }).count()).toBe(0);

    // A read-only agent's monitor: a local Mute, no Check now, no Snooze.
    await page.click('[data-testid="nav-status"]');
    await row(page, "dc2/mx1").locator('[data-testid="open-detail"]').click();
    const ro = page.locator('[data-testid="detail"][data-monitor-id="dc2/mx1"]');
    await ro.locator('[data-testid="remote-mute"]').waitFor();
    expect(await ro.locator('[data-testid="remote-check-now"], [data-testid="remote-snooze"]').count()).toBe(0);
  });

  it("adds an agent in Settings: a password field, each refusal shown, the token never kept", async () => {
    const page = await open({ agents: true, width: 800, height: 1200 });
    await page.click('[data-testid="nav-settings"]');
    const form = page.locator('[data-testid="add-agent"]');
    const token = form.locator('input[name="agent.token"]');
    expect(await token.evaluate((el) => [el.getAttribute("type"), el.getAttribute("autocomplete")])).toEqual(["password", "off"]);

    // Field problems at their fields; the token field emptied all the same.
    await form.locator('input[name="agent.name"]').fill("DC 4");
    await form.locator('input[name="agent.url"]').fill("ftp://dc4");
    await token.fill("ctl-secret");
    await page.click('[data-testid="save-agent"]');
    await form.locator('[data-testid="field-error"][data-field="agent.url"]').waitFor();
    expect(await form.locator('[data-testid="field-error"][data-field="agent.url"]').textContent()).toBe(
      '"ftp://dc4" is not an agent URL (https://host:port)',
    );
    expect(await form.locator('[data-testid="field-error"][data-field="agent.name"]').count()).toBe(1);
    expect(await token.inputValue()).toBe("");

    // Each failed live check: one sentence by its kind, plus the shell's message.
    const tries: Array<[string, string, string, string]> = [
      ["https://dc4.example.net:9925", "wrong", "unauthorized", "The agent refused the token."],
      ["https://untrusted.example.net:9925", "ctl-secret", "untrusted_certificate", "The agent's certificate is not trusted: give its CA file."],
      ["https://notagent.example.net", "ctl-secret", "not_an_agent", "This URL answers, but not as an EHLO Watch agent."],
      ["https://down.example.net:9925", "ctl-secret", "unreachable", "The agent could not be reached."],
    ];
    await form.locator('input[name="agent.name"]').fill("dc4");
    for (const [url, secret, kind, title] of tries) {
      await form.locator('input[name="agent.url"]').fill(url);
      await token.fill(secret);
      await page.click('[data-testid="save-agent"]');
      expect(await page.locator('[data-testid="save-agent"]').textContent()).toBe("Connecting to the agent…");
      expect(await token.inputValue()).toBe("");
      const problem = form.locator(`[data-testid="agent-problem"][data-kind="${kind}"]`);
      await problem.waitFor();
      expect(await problem.locator("strong").textContent()).toBe(title);
      expect(await problem.textContent()).toContain(url);
    }
    await shots(page, "agents-refused");

    await form.locator('input[name="agent.url"]').fill("https://dc4.example.net:9925");
    await token.fill("ctl-secret");
    await page.click('[data-testid="save-agent"]');
    const added = page.locator('[data-testid="agent"][data-source="dc4"]');
    await added.waitFor();
    expect(await added.locator('[data-testid="token-control"]').textContent()).toBe("control token");
    expect(await form.locator('input[name="agent.name"]').inputValue()).toBe("");
    expect(await token.inputValue()).toBe("");
    expect(await calls(page, "add_agent")).toContainEqual({
      agent: { name: "dc4", url: "https://dc4.example.net:9925", token: "ctl-secret", ca_file: null },
    });
    // Nothing of the token in the webview's storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain("ctl-secret");
  });

  it("asks for a missing token again, and removes an agent after a confirmation", async () => {
    const page = await open({ agents: true, width: 800, height: 1200 });
    await page.click('[data-testid="nav-settings"]');
    const dc3 = page.locator('[data-testid="agent"][data-source="dc3"]');
    expect(await dc3.locator('[data-testid="token-store"]').textContent()).toContain("No token: give the token again");
    const token = dc3.locator('input[name="token-dc3"]');
    expect(await token.evaluate((el) => [el.getAttribute("type"), el.getAttribute("autocomplete")])).toEqual(["password", "off"]);
    await token.fill("wrong");
    await dc3.locator('[data-testid="save-token"]').click();
    await dc3.locator('[data-testid="agent-problem"][data-kind="unauthorized"]').waitFor();
    expect(await token.inputValue()).toBe("");
    await token.fill("read-token");
    await dc3.locator('[data-testid="save-token"]').click();
    await page.locator('[data-testid="agent"][data-source="dc3"][data-health="connected"]').waitFor();
    expect(await dc3.locator('[data-testid="token-again"]').count()).toBe(0);
    expect(await dc3.locator('[data-testid="token-control"]').textContent()).toBe("read-only token");
    expect(await calls(page, "set_agent_token")).toEqual([
      { name: "dc3", token: "wrong" },
      { name: "dc3", token: "read-token" },
    ]);

    const dc2 = page.locator('[data-testid="agent"][data-source="dc2"]');
    expect(await dc2.locator('[data-testid="token-store"]').textContent()).toContain("this session only");
    await dc2.locator('[data-testid="remove-agent"]').click();
    expect(await calls(page, "remove_agent")).toEqual([]);
    await dc2.locator('[data-testid="confirm-remove"]').click();
    await dc2.waitFor({ state: "detached" });
    expect(await calls(page, "remove_agent")).toEqual([{ name: "dc2" }]);
  });
});
