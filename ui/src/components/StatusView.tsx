// The home view: this machine's monitors worst first, then one group per remote agent; a
// filter, and the counts (of this machine's monitors).

import { useEffect, useMemo, useRef, useState } from "preact/hooks";

import type { MonitorFile } from "../bindings/MonitorFile";

import * as ipc from "../ipc";
import { controlConfigured, controlOnText, withSuggestedHosts } from "../logic/control";
import { STATUS_LABEL } from "../logic/format";
import { filterMonitors, GREYS, sortMonitors } from "../logic/monitors";
import { PRESETS } from "../logic/monitorForm";
import { getState, navigate, setState, useStore } from "../store";
import { requestFocus, takeFocusRequest } from "./focus";
import { Icon } from "./icons";
import { Row } from "./Row";
import { SourceGroup } from "./SourceGroup";

/** The server a first run offers when something answers SMTP on this machine's port 25. */
export const LOCAL_SERVER: MonitorFile = { name: "localhost:25", host: "localhost", port: 25 };

/** Probes localhost:25 once; the greeting when it answers EHLO with a 250, else null. */
function useLocalServer(): string | null {
  const [greeting, setGreeting] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    ipc.testMonitor(LOCAL_SERVER, null).then(
      (report) => {
        if (live && report.status !== "failed") {
          setGreeting(report.greeting?.lines[0] ?? "220");
        }
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return greeting;
}

/**
 * A first run's offer to turn on control probes with the suggested hosts, so a network that
 * blocks outbound port 25 is told apart from dead servers; gone once control hosts are set.
 */
function ControlOffer() {
  const configured = useStore((s) => controlConfigured(s.settings));
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const said = useRef<HTMLParagraphElement | null>(null);
  // The button is gone once it worked: the focus moves to what it did.
  useEffect(() => {
    if (done !== null) said.current?.focus();
  }, [done]);
  if (done !== null) {
    return (
      <p class="control-offer" role="status" tabIndex={-1} ref={said} data-testid="control-offer">
        {done}
      </p>
    );
  }
  if (configured) return null;
  const turnOn = async () => {
    const settings = getState().settings;
    if (!settings) return;
    setBusy(true);
    setFailed(null);
    try {
      const stored = await ipc.saveSettings(withSuggestedHosts(settings));
      setState({ settings: stored });
      setDone(controlOnText(stored.control?.hosts ?? []));
    } catch (err) {
      setFailed(`Not turned on: ${ipc.errorText(ipc.asAppError(err))}.`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="control-offer" data-testid="control-offer">
      <p>
        Behind a network that blocks outbound port 25 (many ISPs, VPNs, hotels do)? Turn on
        control probes so EHLO Watch can tell.
      </p>
      <button
        type="button"
        class="btn btn-small"
        data-testid="turn-on-control"
        disabled={busy}
        onClick={() => void turnOn()}
      >
        Turn on control probes
      </button>
      {failed ? (
        <p class="field-error" role="alert">
          {failed}
        </p>
      ) : null}
    </div>
  );
}

function Welcome() {
  const local = useLocalServer();
  const [adding, setAdding] = useState(false);
  return (
    <section class="welcome" data-testid="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title" tabIndex={-1} ref={(el) => takeFocusRequest("welcome", el)}>
        Welcome to EHLO Watch
      </h2>
      <p>
        It connects to your mail servers, says EHLO and times the answer, and tells you when one
        gets slow or stops answering. Add the first one:
      </p>
      {local !== null && (
        <div class="local-offer" data-testid="local-offer">
          <p>
            Something answers SMTP on <strong>localhost:25</strong>: <code>{local}</code>
          </p>
          <button
            type="button"
            class="btn btn-primary"
            data-testid="add-local"
            disabled={adding}
            onClick={() => {
              setAdding(true);
              ipc.saveMonitor(LOCAL_SERVER, null).catch(() => setAdding(false));
            }}
          >
            Watch localhost:25
          </button>
        </div>
      )}
      <p class="welcome-step">How does the server take mail?</p>
      <div class="preset-grid">
        {PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            class="btn preset"
            data-testid={`welcome-preset-${p.id}`}
            onClick={() => {
              requestFocus("field:host");
              navigate({ kind: "edit", id: null, preset: p.id });
            }}
          >
            <strong>{p.label}</strong>
            <span>{p.detail}</span>
          </button>
        ))}
      </div>
      <p class="hint">
        Then type its host name, press <kbd>Test now</kbd> to see it answer, and save.
      </p>
      <ControlOffer />
    </section>
  );
}

export function StatusView() {
  const snapshot = useStore((s) => s.snapshot);
  const uptime = useStore((s) => s.uptime);
  const filter = useStore((s) => s.filter);
  const firstRun = useStore((s) => s.info?.first_run ?? false);
  const monitors = snapshot?.monitors;
  const sources = useStore((s) => s.sources);

  const shown = useMemo(
    () => (monitors ? sortMonitors(filterMonitors(monitors, filter), Date.now()) : []),
    [monitors, filter],
  );
  const counts = snapshot?.counts;
  const total = monitors?.length ?? 0;

  return (
    <section class="view status-view" aria-labelledby="status-title">
      <div class="toolbar">
        <h1 id="status-title" tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
          Status
        </h1>
        <p class="counts" aria-live="off">
          {counts && total > 0 ? (
            <>
              <span class="count count-failed">{counts.failed} failed</span>
              <span class="count count-warning">{counts.warning} warning</span>
              <span class="count count-success">{counts.success} ok</span>
              {GREYS.filter((s) => counts[s] > 0).map((s) => (
                <span key={s} class="count count-grey">
                  {counts[s]} {STATUS_LABEL[s].toLowerCase()}
                </span>
              ))}
            </>
          ) : (
            "\u00a0"
          )}
        </p>
        <div class="toolbar-tools" hidden={total === 0 && sources.length === 0}>
          <label class="sr-only" for="filter">
            Filter monitors
          </label>
          <input
            id="filter"
            type="search"
            name="filter"
            placeholder="Filter: name, host, status…"
            value={filter}
            autoComplete="off"
            onInput={(e) => setState({ filter: (e.currentTarget as HTMLInputElement).value })}
          />
          <button
            type="button"
            class="btn"
            disabled={total === 0}
            onClick={() => void ipc.checkNow(null)}
            title="Check every monitor now"
          >
            <Icon name="refresh" />
            <span>Check all</span>
          </button>
        </div>
      </div>
      {snapshot && total === 0 && sources.length === 0 ? (
        firstRun ? (
          <Welcome />
        ) : (
          <div class="empty">
            <p>No monitors yet.</p>
            <button
              type="button"
              class="btn btn-primary"
              onClick={() => {
                requestFocus("field:name");
                navigate({ kind: "edit", id: null });
              }}
            >
              Add your first monitor
            </button>
          </div>
        )
      ) : null}
      {total > 0 && shown.length === 0 && filter ? (
        <p class="empty">No monitor matches “{filter}”.</p>
      ) : null}
      <ul class="rows" aria-label="Monitors, worst first">
        {shown.map((m) => (
          <Row key={m.id} m={m} uptime={uptime[m.id]} />
        ))}
      </ul>
      {sources.map((s) => (
        <SourceGroup key={s.name} source={s} filter={filter} />
      ))}
    </section>
  );
}
