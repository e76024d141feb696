// Settings: defaults every monitor inherits, the alert policy, desktop notifications (their
// pause, and why the system shows none when it will not), remote agents, start with the
// computer, where the data lives, export and import of the monitors.

import { toastsUnavailable } from "../logic/toasts";
import { useStore } from "../store";
import { AgentsSettings } from "./AgentsSettings";
import { Autostart } from "./Autostart";
import { ExportImport } from "./ExportImport";
import { takeFocusRequest } from "./focus";
import { PauseControls } from "./PauseControls";
import { PolicyForm } from "./PolicyForm";

export function SettingsView() {
  const settings = useStore((s) => s.settings);
  const info = useStore((s) => s.info);
  const noToasts = toastsUnavailable(info);
  return (
    <section class="view settings" aria-labelledby="settings-title">
      <h1 id="settings-title" tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
        Settings
      </h1>
      {settings ? <PolicyForm settings={settings} /> : null}
      <section class="card" aria-labelledby="pause-title">
        <h2 id="pause-title">Pause notifications</h2>
        {noToasts ? (
          <p class="banner banner-notice" role="status" data-testid="toasts-unavailable">
            {noToasts}
          </p>
        ) : null}
        <PauseControls />
      </section>
      <section class="card" aria-labelledby="agents-title" data-testid="agents-settings">
        <h2 id="agents-title">Agents</h2>
        <AgentsSettings />
      </section>
      <section class="card" aria-labelledby="start-title">
        <h2 id="start-title">Start with the computer</h2>
        <Autostart />
      </section>
      <section class="card" aria-labelledby="io-title">
        <h2 id="io-title">Export and import</h2>
        <p class="hint">
          The monitors, defaults and alert policy as JSON. Import checks the whole file first and
          changes nothing unless every part of it is right.
        </p>
        <ExportImport />
      </section>
      <section class="card" aria-labelledby="data-title">
        <h2 id="data-title">Data</h2>
        {info ? (
          <dl class="facts">
            <dt>Folder</dt>
            <dd class="wrap mono small" data-testid="data-dir">
              {info.data_dir}
            </dd>
            <dt>Settings</dt>
            <dd class="wrap mono small">{info.settings_path}</dd>
            <dt>History</dt>
            <dd class="wrap mono small">{info.history_path}</dd>
            <dt>Version</dt>
            <dd>{info.version}</dd>
          </dl>
        ) : null}
      </section>
    </section>
  );
}
