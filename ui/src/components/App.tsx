// The window: a top bar (views, add a monitor), banners, the current view, and a live region
// that announces status changes and saves.

import { useEffect } from "preact/hooks";

import { useStore, type View } from "../store";
import { Banners } from "./Banner";
import { Detail } from "./Detail";
import { Editor } from "./Editor";
import { goTo } from "./focus";
import { Icon } from "./icons";
import { RemoteDetail } from "./RemoteDetail";
import { SettingsView } from "./SettingsView";
import { StatusView } from "./StatusView";

function viewKey(v: View): string {
  switch (v.kind) {
    case "detail":
      return `detail:${v.id}`;
    case "remote":
      return `remote:${v.source}/${v.monitor}`;
    case "edit":
      return `edit:${v.id ?? ""}:${v.preset ?? ""}`;
    default:
      return v.kind;
  }
}

function Content({ view }: { view: View }) {
  switch (view.kind) {
    case "detail":
      return <Detail id={view.id} />;
    case "remote":
      return <RemoteDetail source={view.source} monitor={view.monitor} />;
    case "edit":
      return <Editor id={view.id} preset={view.preset} />;
    case "settings":
      return <SettingsView />;
    default:
      return <StatusView />;
  }
}

export function App() {
  const ready = useStore((s) => s.ready);
  const fatal = useStore((s) => s.fatal);
  const view = useStore((s) => s.view);
  const announcement = useStore((s) => s.announcement);
  const worst = useStore((s) => s.snapshot?.worst ?? "unknown");
  const key = viewKey(view);

  useEffect(() => {
    window.scrollTo(0, 0);
  }, [key]);

  useEffect(() => {
    if (ready) {
      requestAnimationFrame(() => performance.mark("ehlo:status-ready"));
    }
  }, [ready]);

  return (
    <div class="app">
      <header class="topbar">
        <span class={`brand brand-${worst}`}>
          <span class="brand-dot" aria-hidden="true" />
          EHLO Watch
        </span>
        <nav class="nav" aria-label="Views">
          <button
            type="button"
            class="nav-btn"
            data-testid="nav-status"
            aria-current={view.kind === "status" ? "page" : undefined}
            onClick={goTo({ kind: "status" }, "heading")}
          >
            Status
          </button>
          <button
            type="button"
            class="nav-btn"
            data-testid="nav-settings"
            aria-current={view.kind === "settings" ? "page" : undefined}
            onClick={goTo({ kind: "settings" }, "heading")}
          >
            <Icon name="gear" />
            <span>Settings</span>
          </button>
        </nav>
        <button
          type="button"
          class="btn btn-primary add-btn"
          data-testid="add-monitor"
          onClick={goTo({ kind: "edit", id: null }, "field:host")}
        >
          <Icon name="plus" />
          <span>Add monitor</span>
        </button>
      </header>
      {ready ? <Banners /> : null}
      <main id="main" aria-busy={!ready}>
        {fatal ? (
          <div class="view">
            <h1>The window could not load</h1>
            <p class="error-text">{fatal}</p>
          </div>
        ) : ready ? (
          <Content key={key} view={view} />
        ) : null}
      </main>
      <div class="sr-only" aria-live="polite" data-testid="announcer">
        {announcement}
      </div>
    </div>
  );
}
