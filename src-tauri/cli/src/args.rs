//! The command line (DESIGN.md §2) and its validation into a [`ProbeSpec`]. Every bad argument is
//! refused with a message naming the argument and the value; `main` turns that into exit 3.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ehlowatch_engine::probe::{check_ehlo_name, AddressFamily, ProbeSpec, TlsMode, TlsTrust};
use ehlowatch_engine::tls::TlsSetupError;

/// EHLO Watch: is this mail server answering EHLO, and how fast?
#[derive(Debug, Parser)]
#[command(name = "ehlowatch", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Probe one server once, Nagios-plugin style: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    // `ehlowatch check --version` names the program, not "ehlowatch-check".
    #[command(display_name = "ehlowatch")]
    Check(CheckArgs),
    /// Run the monitoring agent on a config file: probe every monitor, log state changes, serve
    /// /metrics, /api/status and /healthz. SIGHUP reloads the config, SIGTERM stops.
    Run(RunArgs),
}

/// `ehlowatch check`.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)]
pub struct CheckArgs {
    /// Host name or IP address (IPv6 with or without brackets).
    #[arg(value_parser = parse_host)]
    pub host: String,
    /// TCP port [default: 25, or 465 with --tls implicit].
    #[arg(short, long, value_parser = parse_port)]
    pub port: Option<u16>,
    /// QoS in milliseconds: a 250 later than this is a warning, later than twice this a failure.
    #[arg(long, default_value_t = 1000, value_parser = parse_qos_ms)]
    pub qos_ms: u64,
    /// TLS mode: none, starttls or implicit.
    #[arg(long, default_value = "none", value_parser = clap::builder::ValueParser::new(TlsMode::from_str))]
    pub tls: TlsMode,
    /// The name to send with EHLO [default: this machine's FQDN, else our address literal].
    #[arg(long, value_parser = parse_ehlo_name)]
    pub ehlo_name: Option<String>,
    /// Connect over IPv4 only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// Connect over IPv6 only.
    #[arg(short = '6')]
    pub ipv6: bool,
    /// PEM file of CA certificates to trust besides the system's.
    #[arg(long, value_name = "PEM", value_parser = parse_ca_file)]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the server's certificate (the report still says whether it would verify).
    #[arg(long)]
    pub insecure: bool,
    /// Warn when the certificate has fewer days left than this.
    #[arg(long, default_value_t = ProbeSpec::DEFAULT_CERT_WARN_DAYS, allow_negative_numbers = true)]
    pub cert_warn_days: i64,
    /// Fail when the certificate has fewer days left than this.
    #[arg(long, default_value_t = ProbeSpec::DEFAULT_CERT_CRIT_DAYS, allow_negative_numbers = true)]
    pub cert_crit_days: i64,
    /// EHLO extensions that must be advertised, comma-separated (e.g. STARTTLS,SIZE).
    #[arg(long, value_name = "NAME[,NAME…]", value_delimiter = ',', value_parser = parse_extension)]
    pub require_ext: Vec<String>,
    /// Print the whole report as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Print the session transcript after the status line.
    #[arg(short, long)]
    pub verbose: bool,
}

/// A problem found after parsing, naming the arguments involved.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ArgError(String);

impl CheckArgs {
    /// The probe these arguments describe.
    pub fn spec(&self) -> Result<ProbeSpec, ArgError> {
        if self.cert_crit_days > self.cert_warn_days {
            return Err(ArgError(format!(
                "--cert-crit-days {} is above --cert-warn-days {}; the critical threshold must not exceed the warning one",
                self.cert_crit_days, self.cert_warn_days
            )));
        }
        let tls = self.tls;
        let mut spec = ProbeSpec::new(&self.host, self.port.unwrap_or(default_port(tls)));
        spec.tls = tls;
        spec.family = match (self.ipv4, self.ipv6) {
            (true, _) => AddressFamily::V4,
            (_, true) => AddressFamily::V6,
            _ => AddressFamily::Any,
        };
        spec.ehlo_name.clone_from(&self.ehlo_name);
        spec.trust = TlsTrust {
            ca_file: self.ca_file.clone(),
            insecure: self.insecure,
        };
        spec.thresholds.qos = Duration::from_millis(self.qos_ms);
        spec.thresholds.cert_warn_days = self.cert_warn_days;
        spec.thresholds.cert_crit_days = self.cert_crit_days;
        spec.thresholds
            .required_extensions
            .clone_from(&self.require_ext);
        Ok(spec)
    }
}

/// 465 for implicit TLS (RFC 8314), else 25.
fn default_port(tls: TlsMode) -> u16 {
    match tls {
        TlsMode::Implicit => 465,
        TlsMode::None | TlsMode::Starttls => 25,
    }
}

fn parse_host(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        return Err("the host must not be empty".into());
    }
    if value.chars().any(char::is_whitespace) {
        return Err("a host name has no spaces".into());
    }
    Ok(value.to_owned())
}

fn parse_port(value: &str) -> Result<u16, String> {
    value
        .parse::<u16>()
        .ok()
        .filter(|&port| port != 0)
        .ok_or_else(|| format!("{value} is not a port (1–65535)"))
}

/// The longest QoS accepted: an hour (the probe may then take two).
const MAX_QOS_MS: u64 = 3_600_000;

fn parse_qos_ms(value: &str) -> Result<u64, String> {
    match value.parse::<u64>() {
        Ok(0) => Err("the QoS must be at least 1 ms".into()),
        Ok(ms @ 1..=MAX_QOS_MS) => Ok(ms),
        Ok(_) => Err(format!(
            "{value} ms is more than an hour; the QoS is at most {MAX_QOS_MS} ms"
        )),
        Err(_) => Err(format!("{value} is not a whole number of milliseconds")),
    }
}

fn parse_ehlo_name(value: &str) -> Result<String, String> {
    check_ehlo_name(value).map(|()| value.to_owned())
}

fn parse_ca_file(value: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(value);
    match ehlowatch_engine::tls::read_ca_file(&path) {
        Ok(_) => Ok(path),
        Err(TlsSetupError::CaFile { reason, .. }) => Err(reason),
        Err(other) => Err(other.to_string()),
    }
}

fn parse_extension(value: &str) -> Result<String, String> {
    let ok = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(value.to_ascii_uppercase())
    } else {
        Err("an extension keyword is letters, digits and hyphens (e.g. STARTTLS)".into())
    }
}

/// `ehlowatch run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The TOML config file (see examples/agent.toml).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
    /// The history database [default: `history.sqlite` in `$STATE_DIRECTORY`,
    /// `$XDG_STATE_HOME/ehlowatch` or `~/.local/state/ehlowatch`].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Where to serve /metrics, /api/status and /healthz (loopback unless you say otherwise).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:9925")]
    pub listen: std::net::SocketAddr,
}
