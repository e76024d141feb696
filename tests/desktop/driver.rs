//! The window, driven over WebDriver: `tauri-driver` on free ports (it starts `WebKitWebDriver`,
//! which starts the app with `TAURI_WEBVIEW_AUTOMATION=true`) and a `fantoccini` client with a
//! blocking face for the tests (its own small tokio runtime). tauri-driver runs [`Here`], in the
//! test's own network, or in another [`Place`] the test reaches through a relay (a network lab's
//! client namespace).

use std::ffi::OsStr;
use std::future::Future;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use super::session::Session;
use super::{poll, Artifacts, Proc};

/// How long one WebDriver command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a session may take to start (the app, WebKit and the first page).
const SESSION_TIMEOUT: Duration = Duration::from_secs(90);

/// `tauri-driver`: `$TAURI_DRIVER`, else on `PATH`, else `~/.cargo/bin/tauri-driver`.
pub fn tauri_driver_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("tauri-driver"))
            .find(|p| p.is_file())
    });
    on_path.unwrap_or_else(|| {
        let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
        home.join(".cargo/bin/tauri-driver")
    })
}

/// Where tauri-driver — and so `WebKitWebDriver` and the app — runs, and how the test reaches
/// the ports it listens on there.
pub trait Place {
    /// A command running `program` there, with the session's environment.
    fn command(&self, session: &Session, program: &Path) -> Command;
    /// Returns once something listens on `port` of its loopback.
    fn wait_listening(&self, port: u16) -> Result<(), String>;
    /// The address the test connects to for `port` of its loopback.
    fn reach(&mut self, port: u16) -> SocketAddr;
}

/// The test's own network: its loopback as it is.
#[derive(Debug, Clone, Copy)]
pub struct Here;

impl Place for Here {
    fn command(&self, session: &Session, program: &Path) -> Command {
        session.command(program)
    }

    fn wait_listening(&self, port: u16) -> Result<(), String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        poll(
            &format!("something listens on {addr}"),
            Duration::from_secs(15),
            Duration::from_millis(50),
            || {
                TcpStream::connect_timeout(&addr, Duration::from_secs(1))
                    .map(drop)
                    .map_err(|e| e.to_string())
            },
        )
    }

    fn reach(&mut self, port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }
}

/// A WebDriver session on the app's window.
#[derive(Debug)]
pub struct WebDriver {
    client: Option<Client>,
    runtime: tokio::runtime::Runtime,
    // Declared last: dropped after the client, ending tauri-driver, WebKitWebDriver and the app.
    _driver: Proc,
}

impl WebDriver {
    /// Starts tauri-driver under the session and opens a session on `app` run with `args`.
    pub fn start(
        session: &Session,
        app: &Path,
        args: &[String],
        env: &[(&str, &OsStr)],
        artifacts: &Artifacts,
    ) -> Result<Self, String> {
        Self::start_in(&mut Here, session, app, args, env, artifacts)
    }

    /// [`start`](Self::start), with tauri-driver run in `place`.
    pub fn start_in(
        place: &mut impl Place,
        session: &Session,
        app: &Path,
        args: &[String],
        env: &[(&str, &OsStr)],
        artifacts: &Artifacts,
    ) -> Result<Self, String> {
        let binary = tauri_driver_binary();
        if !binary.is_file() {
            return Err(format!(
                "{} is missing: `cargo install tauri-driver --version ^2 --locked`",
                binary.display()
            ));
        }
        let port = free_port()?;
        let native_port = free_port()?;
        let mut command = place.command(session, &binary);
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(artifacts.log_file("tauri-driver.out"))
            .stderr(artifacts.log_file("tauri-driver.err"));
        let driver = Proc::spawn("tauri-driver", &mut command)?;
        // tauri-driver starts `WebKitWebDriver` first and forwards a new session to it at once,
        // whether it listens yet or not: both must.
        place.wait_listening(port)?;
        place.wait_listening(native_port)?;
        let addr = place.reach(port);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "tauri:options".to_owned(),
            json!({ "application": app, "args": args }),
        );
        let url = format!("http://{addr}");
        let client = runtime
            .block_on(async {
                tokio::time::timeout(
                    SESSION_TIMEOUT,
                    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                        .capabilities(capabilities)
                        .connect(&url),
                )
                .await
            })
            .map_err(|_| format!("no WebDriver session within {SESSION_TIMEOUT:?}"))?
            .map_err(|e| format!("WebDriver session: {e}"))?;
        Ok(Self {
            client: Some(client),
            runtime,
            _driver: driver,
        })
    }

    fn run<T, F>(&self, what: &str, f: impl FnOnce(Client) -> F) -> Result<T, String>
    where
        F: Future<Output = Result<T, CmdError>>,
    {
        let client = self
            .client
            .clone()
            .ok_or_else(|| format!("{what}: the session has ended"))?;
        self.runtime
            .block_on(async { tokio::time::timeout(COMMAND_TIMEOUT, f(client)).await })
            .map_err(|_| format!("{what}: no answer within {COMMAND_TIMEOUT:?}"))?
            .map_err(|e| format!("{what}: {e}"))
    }

    /// The values of attribute `name` of every element matching `css`.
    pub fn attributes(&self, css: &str, name: &str) -> Result<Vec<Option<String>>, String> {
        self.run(&format!("find {css}"), |c| async move {
            let mut values = Vec::new();
            for element in c.find_all(Locator::Css(css)).await? {
                values.push(element.attr(name).await?);
            }
            Ok(values)
        })
    }

    /// Clicks the first element matching `css`.
    pub fn click(&self, css: &str) -> Result<(), String> {
        self.run(&format!("click {css}"), |c| async move {
            find_in_view(&c, css).await?.click().await
        })
    }

    /// Replaces the text of the input matching `css` by `text`, typed key by key (so the page
    /// sees its `input` events), and checks the input then holds exactly `text`.
    pub fn fill(&self, css: &str, text: &str) -> Result<(), String> {
        let value = self.run(&format!("type {text:?} into {css}"), |c| async move {
            let input = find_in_view(&c, css).await?;
            input.clear().await?;
            input.send_keys(text).await?;
            input.prop("value").await
        })?;
        match value {
            Some(v) if v == text => Ok(()),
            other => Err(format!("{css} holds {other:?} after typing {text:?}")),
        }
    }

    /// Runs `script` (a function body; `return` gives the result) in the page.
    pub fn execute(&self, script: &str) -> Result<Value, String> {
        self.run("run a script in the page", |c| async move {
            c.execute(script, Vec::new()).await
        })
    }

    /// Waits until at least one element matches `css`.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<(), String> {
        poll(
            &format!("the window shows {css}"),
            timeout,
            Duration::from_millis(250),
            || match self.attributes(css, "data-status") {
                Ok(found) if !found.is_empty() => Ok(()),
                Ok(_) => Err(self.describe_rows()),
                Err(e) => Err(e),
            },
        )
    }

    /// The monitor rows the window shows now, for messages.
    fn describe_rows(&self) -> String {
        match self.attributes(r#"[data-testid="monitor-row"]"#, "data-status") {
            Ok(rows) if rows.is_empty() => {
                let page = self.run("read the page", |c| async move {
                    c.execute(
                        "return document.title + ' | ' + \
                         (document.body ? document.body.innerText : '').slice(0, 200)",
                        Vec::new(),
                    )
                    .await
                });
                format!("no monitor row; the page says {page:?}")
            }
            Ok(rows) => format!("monitor rows with data-status {rows:?}"),
            Err(e) => e,
        }
    }

    /// A PNG of the window's viewport.
    ///
    /// WebKit without GPU compositing (the app turns GDK's GL off) answers a screenshot after
    /// its next paint, and a page where nothing changes does not paint again: the screenshot
    /// would wait for ever. A transparent box, there for 50 ms, makes that paint and shows
    /// nothing.
    pub fn screenshot(&self) -> Result<Vec<u8>, String> {
        const PAINT: &str = "const box = document.createElement('div');
            box.style.cssText = 'position:fixed;left:0;top:0;width:4px;height:4px;background:transparent';
            document.body.appendChild(box);
            setTimeout(() => box.remove(), 50);
            return null;";
        self.execute(PAINT)?;
        self.run("screenshot", |c| async move { c.screenshot().await })
    }

    /// Ends the session (WebDriver "Delete Session"; `WebKitWebDriver` closes the app).
    pub fn quit(&mut self) -> Result<(), String> {
        let client = self.client.take().ok_or("the session has already ended")?;
        self.runtime
            .block_on(async { tokio::time::timeout(COMMAND_TIMEOUT, client.close()).await })
            .map_err(|_| format!("quit: no answer within {COMMAND_TIMEOUT:?}"))?
            .map_err(|e| format!("quit: {e}"))
    }
}

/// The first element matching `css`, scrolled to the middle of the viewport unless its centre
/// is already visible: the window's top bar and the editor's action bar stay in place while the
/// page scrolls, and the scrolling `WebKitWebDriver` does before a click or a key can leave an
/// element under them or above the viewport.
async fn find_in_view(c: &Client, css: &str) -> Result<Element, CmdError> {
    const SCRIPT: &str = "
        const e = arguments[0];
        const r = e.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (!hit || !e.contains(hit)) e.scrollIntoView({ block: 'center' });";
    let element = c.find(Locator::Css(css)).await?;
    c.execute(SCRIPT, vec![serde_json::to_value(&element)?])
        .await?;
    Ok(element)
}

/// A port nobody listens on now (bound and released; tauri-driver binds it right after).
fn free_port() -> Result<u16, String> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}
