// Entry point of the settings and status window.
//
// Stable hooks for end-to-end tests (keep them when changing markup; see ui/README.md):
//   [data-testid="add-monitor"]     top-bar button that opens the editor for a new monitor
//   editor inputs                   `name` = the config key: name, host, port, tls, qos_ms,
//                                   interval_s, retry_s, ehlo_name, ca_file, insecure,
//                                   cert_warn_days, cert_crit_days, require_ext, family, addresses,
//                                   enabled, id, alerts.failed_after, alerts.warning_after,
//                                   alerts.on_recovery, alerts.repeat_every_min,
//                                   alerts.every_failure
//   [data-testid="save-monitor"]    the editor's Save (submit) button
//   [data-testid="test-monitor"]    the editor's Test now; result in [data-testid="test-result"]
//   [data-testid="field-error"][data-field="<key>"]   a validation message at its field
//   [data-testid="monitor-row"][data-monitor-id="<id>"][data-status="<status>"]   status rows
//                                   (the status shown: success | warning | failed | unknown |
//                                   offline | blocked | stale | no_route | unreachable | paused)
//   [data-testid="open-detail"]     the row's name button; opens [data-testid="detail"]
//   [data-testid="latency-chart"]   the chart inside the detail view
//   performance.getEntriesByName("ehlo:status-ready")   first frame with the status data

// First: a valid locale before uPlot reads it (see locale.ts).
import "./locale";

import { render } from "preact";

import { start } from "./app";
import { App } from "./components/App";
import "./styles/index.css";

const root = document.getElementById("app");
if (root) {
  render(<App />, root);
  void start();
}
