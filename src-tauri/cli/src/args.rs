//! The command line (DESIGN.md §2) and its validation into a [`ProbeSpec`]. Every bad argument is
//! refused with a message naming the argument and the value; `main` turns that into exit 3.
//! Defaults, ranges and rules are the engine's settings registry and config rules, so a value
//! the command line accepts is one a configuration file accepts too.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ehlowatch_engine::settings::{self, Int, CERT_CRIT_DAYS, CERT_WARN_DAYS, PORT, QOS_MS};
use ehlowatch_engine::MailPolicy;
use ehlowatch_engine::TlsSetupError;
use ehlowatch_engine::{check_ehlo_keyword, check_family, check_host, parse_resolver};
use ehlowatch_engine::{check_ehlo_name, AddressFamily, Addresses, ProbeSpec, TlsMode, TlsTrust};

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
    /// /metrics, /api/* and /healthz. SIGHUP reloads the config and the TLS certificate, SIGTERM
    /// stops.
    Run(RunArgs),
    /// Windows: install, uninstall or run the agent as a Windows service (elsewhere use the
    /// systemd or launchd units).
    #[cfg_attr(not(windows), command(hide = true))]
    #[command(subcommand)]
    Service(ServiceCommand),
}

/// `ehlowatch service`: the agent under the Windows Service Control Manager.
#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Register the agent as a service that starts with Windows, running as `LocalService` with
    /// the command line `"<this exe>" service run <the same flags>`, every path made absolute.
    /// Needs an elevated prompt. Reload it with `sc control NAME paramchange`.
    Install(ServiceRunArgs),
    /// Stop the service if it runs and remove it; the history and the log are kept.
    Uninstall(ServiceName),
    /// The entry point the Service Control Manager starts; from a console use `ehlowatch run`.
    Run(ServiceRunArgs),
}

/// `--name` of `ehlowatch service`.
#[derive(Debug, Args)]
pub struct ServiceName {
    /// The service's name.
    #[arg(long, value_name = "NAME", default_value = "ehlowatch", value_parser = parse_service_name)]
    pub name: String,
}

/// `ehlowatch service install` and `service run`: the flags of `run`, and the service's name.
#[derive(Debug, Args)]
pub struct ServiceRunArgs {
    #[command(flatten)]
    pub name: ServiceName,
    #[command(flatten)]
    pub run: RunArgs,
}

/// A service name as the Service Control Manager takes it: 1 to 256 characters, no `/` or `\`.
fn parse_service_name(value: &str) -> Result<String, String> {
    if value.is_empty() || value.chars().count() > 256 {
        return Err(format!("{value:?}: a service name has 1 to 256 characters"));
    }
    if let Some(bad) = value
        .chars()
        .find(|c| matches!(c, '/' | '\\') || c.is_control())
    {
        return Err(format!("{value:?}: a service name cannot hold {bad:?}"));
    }
    Ok(value.to_owned())
}

/// `ehlowatch check`.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)]
pub struct CheckArgs {
    /// Host name or IP address (IPv6 with or without brackets).
    #[arg(value_parser = parse_host, required_unless_present = "domain")]
    pub host: Option<String>,
    /// A mail domain instead of a host: every address of every MX host (at most 10 hosts, one
    /// IPv4 and one IPv6 address each) is probed on port 25 with opportunistic STARTTLS, the
    /// worst shown.
    #[arg(long, value_name = "DOMAIN", value_parser = parse_domain, conflicts_with_all = ["host", "port", "tls", "first_address", "control", "insecure", "ca_file"])]
    pub domain: Option<String>,
    /// The DNS resolver for --domain, ip:port (repeatable) [default: the system's configuration].
    #[arg(long, value_name = "ADDR", value_parser = parse_resolver)]
    pub resolver: Vec<SocketAddr>,
    /// TCP port [default: 25, or 465 with --tls implicit].
    #[arg(short, long, value_parser = int(&PORT))]
    pub port: Option<i64>,
    /// QoS in milliseconds: a 250 later than this is a warning, later than twice this a failure.
    #[arg(long, default_value_t = QOS_MS.default, value_parser = int(&QOS_MS))]
    pub qos_ms: i64,
    /// TLS mode: none, starttls or implicit.
    #[arg(long, default_value = "none", value_parser = clap::builder::ValueParser::new(TlsMode::from_str))]
    pub tls: TlsMode,
    /// The name to send with EHLO [default: this machine's FQDN, else our address literal].
    #[arg(long, value_parser = check_ehlo_name)]
    pub ehlo_name: Option<String>,
    /// Connect over IPv4 only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// Connect over IPv6 only.
    #[arg(short = '6')]
    pub ipv6: bool,
    /// Probe only the first address that answers [default: every address of the host, at most
    /// 8, each a target in the report, the worst shown].
    #[arg(long)]
    pub first_address: bool,
    /// PEM file of CA certificates to trust besides the system's.
    #[arg(long, value_name = "PEM", value_parser = parse_ca_file)]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the server's certificate (the report still says whether it would verify).
    #[arg(long)]
    pub insecure: bool,
    /// Warn when the certificate has fewer days left than this.
    #[arg(long, default_value_t = CERT_WARN_DAYS.default, allow_negative_numbers = true, value_parser = int(&CERT_WARN_DAYS))]
    pub cert_warn_days: i64,
    /// Fail when the certificate has fewer days left than this.
    #[arg(long, default_value_t = CERT_CRIT_DAYS.default, allow_negative_numbers = true, value_parser = int(&CERT_CRIT_DAYS))]
    pub cert_crit_days: i64,
    /// EHLO extensions that must be advertised, comma-separated (e.g. STARTTLS,SIZE).
    #[arg(long, value_name = "NAME[,NAME…]", value_delimiter = ',', value_parser = parse_extension)]
    pub require_ext: Vec<String>,
    /// A control host (repeatable, at most 8): when the probe of port 25 fails to connect, try
    /// this host's ports 25 and 443 to tell a block on this network (exit 3) from a dead server.
    #[arg(long, value_name = "HOST", value_parser = parse_host)]
    pub control: Vec<String>,
    /// Print the whole report as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Print the session transcript after the status line.
    #[arg(short, long)]
    pub verbose: bool,
    /// With --domain: a DNS blocklist zone (RFC 5782) to look each MX address up in
    /// (repeatable, at most 8).
    #[arg(long, value_name = "ZONE", value_parser = parse_domain, requires = "domain")]
    pub blocklist: Vec<String>,
    /// With --domain: a PEM file of CA certificates trusted for MTA-STS beside the system's (the
    /// policy host's certificate and the MX hosts' as a sending MTA checks them).
    #[arg(long, value_name = "PEM", value_parser = parse_ca_file, requires = "domain")]
    pub mta_sts_ca_file: Option<PathBuf>,
    /// With --domain: print each MX target's mail-policy checks (DANE: its verdict and the
    /// TLSA records; a line per blocklist) after the status line. --json always carries them
    /// (`targets[].report.dane`, `targets[].report.blocklists`).
    #[arg(long, requires = "domain")]
    pub policy: bool,
}

/// A problem found after parsing, naming the arguments involved.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ArgError {
    /// The argument at fault, as typed (`--cert-crit-days`, `-4`).
    pub argument: &'static str,
    /// Its value, for an argument that takes one.
    pub value: Option<String>,
    /// What is wrong, naming the arguments involved.
    pub message: String,
}

impl CheckArgs {
    /// The mail policies checked for --domain: every check on, with the blocklists and the
    /// MTA-STS CA file given.
    pub fn mail_policy(&self) -> Result<MailPolicy, ArgError> {
        if self.blocklist.len() > settings::MAX_BLOCKLISTS {
            return Err(ArgError {
                argument: "--blocklist",
                value: self.blocklist.last().cloned(),
                message: format!(
                    "{} blocklists given; at most {}",
                    self.blocklist.len(),
                    settings::MAX_BLOCKLISTS
                ),
            });
        }
        Ok(MailPolicy {
            blocklists: self
                .blocklist
                .iter()
                .map(|zone| zone.trim_end_matches('.').to_ascii_lowercase())
                .collect(),
            mta_sts_ca_file: self.mta_sts_ca_file.clone(),
            ..MailPolicy::default()
        })
    }

    /// The probe these arguments describe.
    pub fn spec(&self) -> Result<ProbeSpec, ArgError> {
        if self.control.len() > settings::MAX_CONTROL_HOSTS {
            return Err(ArgError {
                argument: "--control",
                value: self.control.last().cloned(),
                message: format!(
                    "{} control hosts given; at most {}",
                    self.control.len(),
                    settings::MAX_CONTROL_HOSTS
                ),
            });
        }
        if let (Some(first), None) = (self.resolver.first(), &self.domain) {
            return Err(ArgError {
                argument: "--resolver",
                value: Some(first.to_string()),
                message: format!(
                    "--resolver {first}: applies to --domain only (a host is resolved by the operating system)"
                ),
            });
        }
        if !settings::cert_days_in_order(self.cert_warn_days, self.cert_crit_days) {
            return Err(ArgError {
                argument: "--cert-crit-days",
                value: Some(self.cert_crit_days.to_string()),
                message: format!(
                    "--cert-crit-days {} is above --cert-warn-days {}; the critical threshold must not exceed the warning one",
                    self.cert_crit_days, self.cert_warn_days
                ),
            });
        }
        let (family, flag) = match (self.ipv4, self.ipv6) {
            (true, _) => (AddressFamily::V4, "-4"),
            (_, true) => (AddressFamily::V6, "-6"),
            _ => (AddressFamily::Any, ""),
        };
        let host = self
            .domain
            .as_ref()
            .or(self.host.as_ref())
            .cloned()
            .unwrap_or_default();
        if let Err(why) = check_family(&host, family) {
            return Err(ArgError {
                argument: flag,
                value: None,
                message: format!("{flag}: {why}"),
            });
        }
        // A mail domain is probed as a sending MTA would: port 25, STARTTLS when offered.
        let tls = if self.domain.is_some() {
            TlsMode::Starttls
        } else {
            self.tls
        };
        let port = self
            .port
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(tls.default_port());
        let mut spec = ProbeSpec::new(host, port);
        spec.tls = tls;
        spec.opportunistic = self.domain.is_some();
        spec.family = family;
        if self.first_address {
            spec.addresses = Addresses::First;
        }
        spec.ehlo_name.clone_from(&self.ehlo_name);
        spec.trust = TlsTrust {
            ca_file: self.ca_file.clone(),
            insecure: self.insecure,
        };
        spec.thresholds.qos = Duration::from_millis(self.qos_ms.unsigned_abs());
        spec.thresholds.cert_warn_days = self.cert_warn_days;
        spec.thresholds.cert_crit_days = self.cert_crit_days;
        spec.thresholds
            .required_extensions
            .clone_from(&self.require_ext);
        Ok(spec)
    }
}

/// A value parser for an integer setting of the registry: its range and its messages.
fn int(setting: &'static Int) -> impl Fn(&str) -> Result<i64, String> + Clone + Send + Sync {
    move |text| setting.parse(text)
}

fn parse_host(value: &str) -> Result<String, String> {
    check_host(value).map(|()| value.to_owned())
}

/// A mail domain: a host name, never an address.
fn parse_domain(value: &str) -> Result<String, String> {
    check_host(value)?;
    let bare = value.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return Err(format!("{value:?} is an IP address, not a mail domain"));
    }
    Ok(value.to_owned())
}

fn parse_ca_file(value: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(value);
    match ehlowatch_engine::read_ca_file(&path) {
        Ok(_) => Ok(path),
        Err(TlsSetupError::CaFile { reason, .. }) => Err(reason),
        Err(other) => Err(other.to_string()),
    }
}

fn parse_extension(value: &str) -> Result<String, String> {
    check_ehlo_keyword(value).map(|()| value.to_ascii_uppercase())
}

/// `ehlowatch run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The TOML config file (see examples/agent.toml).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
    /// The history database [default: `history.sqlite` in `$STATE_DIRECTORY`,
    /// `$XDG_STATE_HOME/ehlowatch` or `~/.local/state/ehlowatch` (on macOS
    /// `~/Library/Application Support/ehlowatch`; on Windows `%LOCALAPPDATA%\ehlowatch`, and
    /// for a Windows service `%ProgramData%\ehlowatch`)].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Where to serve /metrics, /api/* and /healthz. Beyond loopback it needs --token-file, and
    /// --tls-cert/--tls-key unless --allow-plain-http.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:9925")]
    pub listen: std::net::SocketAddr,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); reloaded on SIGHUP (a Windows
    /// service: on paramchange).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM); reloaded with --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// A file holding the read-only token: /api/* then needs `Authorization: Bearer <token>`.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// A file holding the control token: it reads too, and may also act (check now).
    #[arg(long, value_name = "FILE", requires = "token_file")]
    pub control_token_file: Option<PathBuf>,
    /// Put /metrics behind the read-only token too [default: /metrics is open].
    #[arg(long, requires = "token_file")]
    pub metrics_auth: bool,
    /// Allow plain HTTP on a non-loopback --listen (behind a TLS-terminating proxy, say).
    #[arg(long)]
    pub allow_plain_http: bool,
}
