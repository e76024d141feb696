//! End to end on a real desktop stack: Xvfb, a private D-Bus session, the `dunst` notification
//! daemon and a `StatusNotifierItem` tray host, with the real app binary on an isolated data
//! directory. The harness is in `tests/desktop/`; each journey is a module of its own here, with
//! one test:
//!
//! - [`tray_toasts_window`]: a first run driven over WebDriver (tauri-driver +
//!   `WebKitWebDriver`): the window welcomes the user (the time to its first frame with status
//!   data is logged); the monitor for a local fake SMTP server is added through the window's
//!   editor, which first shows the backend's refusal of a bad port at the port field; the window
//!   shows the monitor as Success, its detail draws the latency chart, and the tray icon is
//!   green; the server is killed → a critical "SMTP failed: …" toast reaches the notification
//!   daemon, the icon turns red and the window's row says failed; the server comes back → a
//!   low-urgency "SMTP recovered: …" toast, a green icon, and a chart that marks the failure.
//!   The window is light. Screenshots of the X screen and of the window at each stage go to the
//!   artifacts folder the test prints.
//! - [`dark_window`]: the same window under a dark GTK theme (`GTK_THEME=Adwaita:dark`, which
//!   WebKit passes on as `prefers-color-scheme: dark`): status, detail and editor screenshots.
//! - [`blocked_here`]: the app in the tray, run inside the client namespace of a network lab
//!   (servers and NSD in the lab, the desktop outside): outbound TCP 25 dropped → one "Outbound
//!   port 25 is blocked on this network" toast and a grey icon, never red; lifted → one "Port
//!   25 reachable again"; everything but loopback dropped → one "This machine seems offline";
//!   lifted → one "Back online" — four `Notify` calls in all, and no packet left the lab.
//! - [`domain_watch`]: a mail domain watched from inside a network lab's client namespace, its
//!   zone on the lab's NSD (TTL 1 s), the window driven over WebDriver through the lab's relay:
//!   the detail shows the domain as one row per MX host and address; the zone gains a host →
//!   exactly one "MX set changed" toast and a third row; the STARTTLS server is replaced by a
//!   plain one → exactly one "STARTTLS vanished" toast and an amber icon; Quit from the tray and
//!   a restart on the same data directory → nothing told again. "Exactly one" is counted over
//!   the probes that follow, and no packet left the lab.
//! - [`dane`]: a DNSSEC-signed mail domain watched from a network lab's client namespace through
//!   the lab's validating unbound: the Policy card shows both MX hosts' TLSA records matched
//!   (one self-signed, DANE-EE) and the icon is green; a record replaced by one for another
//!   certificate → a critical "SMTP failed" toast with the DANE reason, a red icon and "no
//!   match" in the card; restored → green again.
//! - [`mta_sts`]: a mail domain with an MTA-STS policy served by a fake HTTPS policy host in a
//!   network lab (the test CA trusted through `[mail_policy] mta_sts_ca_file`): both MX hosts
//!   covered → green; a new enforce policy that no longer covers mx2 → a critical "SMTP failed"
//!   toast with the MTA-STS reason, a red icon and "mx not covered" in the Policy card; the same
//!   in testing mode → amber; fixed → green.
//! - [`remote_agents`]: two real agents (HTTPS, tokens) on loopback and a real Secret Service
//!   on the desktop's session bus; both added through Settings → Agents over WebDriver (the
//!   tokens typed into the password field): their monitors in the window and the tray menu
//!   (`dc1 / mx1 — OK`), a green icon; a server of dc1 dies → a critical "SMTP failed: dc1 /
//!   mx2" toast and a red icon, back → green; dc2 is killed → its group unreachable, a grey
//!   icon (never red) and exactly one toast naming dc2 over a whole reconnect backoff cycle;
//!   after Quit no file under the data directory or the session's HOME holds a token, and the
//!   app started again connects with the token from the keyring.
//! - [`kill9_settings`]: `kill -9` during a settings save, again and again at different moments:
//!   the settings file always holds the old or the new settings, never a torn file, and the
//!   restarted app loads it as it is.
//!
//! They need the headless desktop's packages (xvfb, dbus-daemon, dunst, imagemagick,
//! webkit2gtk-driver, haskell-status-notifier-item-utils; haskell-gtk-sni-tray-utils for a
//! visible tray; gnome-keyring for [`remote_agents`]), tauri-driver, and `fake-smtp` built next
//! to the app binary (`cargo build -p ehlowatch-testkit --bin fake-smtp`; [`remote_agents`]
//! runs `ehlowatch` too: `cargo build -p ehlowatch --bin ehlowatch`); `scripts/test` runs them. A new journey is a new module
//! here, holding the desktop with [`desktop::one_at_a_time`] for its whole run.

#[path = "../desktop/mod.rs"]
mod desktop;

// Network namespaces are Linux's.
#[cfg(target_os = "linux")]
mod blocked_here;
#[cfg(target_os = "linux")]
mod dane;
mod dark_window;
#[cfg(target_os = "linux")]
mod domain_watch;
mod kill9_settings;
#[cfg(target_os = "linux")]
mod mta_sts;
// The Secret Service (gnome-keyring-daemon on the session bus) is Linux's.
#[cfg(target_os = "linux")]
mod remote_agents;
mod tray_toasts_window;
mod windows_under_wine;
