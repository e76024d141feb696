//! A real Prometheus server (Debian's `prometheus` package) on loopback with a temporary data
//! directory, scraping one target every second, and its HTTP query API. Killed on drop.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use tempfile::TempDir;

use super::{eventually, http, PATIENCE};

/// A running Prometheus.
#[derive(Debug)]
pub struct Prometheus {
    child: Child,
    dir: TempDir,
    addr: SocketAddr,
}

/// One series of an instant query: its labels and value.
pub type Series = (BTreeMap<String, String>, f64);

impl Prometheus {
    /// Starts `prometheus` scraping `target` every second (job `ehlowatch`); returns once it is
    /// ready to answer queries.
    pub async fn start(target: SocketAddr) -> Self {
        Self::start_with_rules(target, None).await
    }

    /// Like [`Prometheus::start`], evaluating the rule file `rules` (if any) every second.
    pub async fn start_with_rules(target: SocketAddr, rules: Option<&Path>) -> Self {
        Self::start_configured(target, rules, "").await
    }

    /// Like [`Prometheus::start_with_rules`], with `job` (YAML lines indented for the job's
    /// keys: `scheme`, `tls_config`, `authorization` …) added to the scrape job.
    pub async fn start_configured(target: SocketAddr, rules: Option<&Path>, job: &str) -> Self {
        let rule_files = rules.map_or_else(String::new, |path| {
            format!("rule_files:\n  - '{}'\n", path.display())
        });
        let text = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
             {rule_files}\
             scrape_configs:\n  - job_name: ehlowatch\n{job}    static_configs:\n      \
             - targets: ['{target}']\n"
        );
        // The port is free when picked but may be taken (by an agent on `127.0.0.1:0`) before
        // Prometheus binds it: then Prometheus exits saying so, and another port is tried.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let dir = tempfile::tempdir().expect("a temporary directory");
            let config = dir.path().join("prometheus.yml");
            std::fs::write(&config, &text).expect("write prometheus.yml");
            let mut prometheus = Self::spawn(&config, dir, free_port());
            match prometheus.ready().await {
                Ok(()) => return prometheus,
                Err(log) if log.contains("address already in use") && attempts < 5 => {}
                Err(log) => panic!("prometheus exited:\n{log}"),
            }
        }
    }

    fn spawn(config: &Path, dir: TempDir, addr: SocketAddr) -> Self {
        let log = File::create(dir.path().join("prometheus.log")).expect("create the log file");
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start prometheus (Debian package `prometheus`)");
        Self { child, dir, addr }
    }

    /// Waits until Prometheus answers `/-/ready`; `Err(its log)` when it exited instead.
    async fn ready(&mut self) -> Result<(), String> {
        let addr = self.addr;
        let running = &mut *self;
        eventually("Prometheus is ready", PATIENCE, || {
            let exited = running.child.try_wait().expect("poll prometheus");
            let log = running.log();
            async move {
                if exited.is_some() {
                    return Ok(Err(log));
                }
                match http::get(addr, "/-/ready", &[]).await {
                    Ok(r) if r.status == 200 => Ok(Ok(())),
                    Ok(r) => Err(format!("{r:?}")),
                    Err(e) => Err(e),
                }
            }
        })
        .await
    }

    /// What Prometheus logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default()
    }

    /// An instant query through `/api/v1/query`: every series with its value.
    pub async fn query(&self, promql: &str) -> Result<Vec<Series>, String> {
        let path = format!("/api/v1/query?query={}", percent_encode(promql));
        let answer = http::get(self.addr, &path, &[]).await?;
        if answer.status != 200 {
            return Err(format!("{answer:?}"));
        }
        let json = answer.json();
        if json["status"] != "success" {
            return Err(json.to_string());
        }
        let result = json["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        result.iter().map(series).collect()
    }

    /// The alerting rule `name` as `/api/v1/rules` shows it: when its group last ran (Unix
    /// seconds) and the `monitor` label of each of its active (pending or firing) alerts.
    pub async fn alert_rule(&self, name: &str) -> Result<(f64, Vec<String>), String> {
        let answer = http::get(self.addr, "/api/v1/rules?type=alert", &[]).await?;
        if answer.status != 200 {
            return Err(format!("{answer:?}"));
        }
        let json = answer.json();
        let groups = json["data"]["groups"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let rule = groups
            .iter()
            .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
            .find(|r| r["name"] == name)
            .ok_or_else(|| format!("no rule {name} in {json}"))?;
        let last = rule["lastEvaluation"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .ok_or_else(|| format!("no lastEvaluation in {rule}"))?;
        #[allow(clippy::cast_precision_loss)]
        let last = last.timestamp_micros() as f64 / 1e6;
        let mut monitors: Vec<String> = rule["alerts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|a| {
                a["labels"]["monitor"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        monitors.sort();
        Ok((last, monitors))
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn series(item: &Value) -> Result<Series, String> {
    let labels = item["metric"]
        .as_object()
        .ok_or_else(|| format!("no labels in {item}"))?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    let value = item["value"][1]
        .as_str()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no value in {item}"))?;
    Ok((labels, value))
}

/// A loopback address with a port free right now (bound, then released).
fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address")
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}
