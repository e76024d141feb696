//! The HTTP client of one agent: HTTP/1.1 (hyper) over TCP or TLS (rustls, verification always
//! on: the CA file given, else the system's roots), every request with the bearer token. It
//! reads `/api/status` (the live check before a source is saved), acts (check now, snooze) and
//! opens the event stream. Each failure is an [`AgentProblem`] naming the URL, never the token;
//! every body read is bounded.

use std::fmt;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use serde::de::DeserializeOwned;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::entry::AgentUrl;
use super::view::{AgentProblem, AgentProblemKind};

/// The agent's status path: the live check, and the picture at each connect.
pub const STATUS_PATH: &str = "/api/status";
/// How long connecting, the TLS handshake and the answer's head may take together.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes of a JSON answer read (an `/api/status` of thousands of monitors fits).
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// A bearer token, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token (trimmed).
    pub fn new(token: &str) -> Self {
        Self(token.trim().to_owned())
    }

    /// The token itself, for the `Authorization` header and the keyring only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The connection's driver, polled beside the answer's body.
pub type Driver = Pin<Box<dyn Future<Output = ()> + Send>>;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One agent's client.
#[derive(Clone)]
pub struct AgentClient {
    url: String,
    parsed: AgentUrl,
    tls: Option<TlsConnector>,
    token: Secret,
}

impl fmt::Debug for AgentClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentClient")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl AgentClient {
    /// A client for `url` trusting `ca_file` (else the system's roots), sending `token`.
    pub fn new(url: &str, ca_file: Option<&Path>, token: Secret) -> Result<Self, AgentProblem> {
        let parsed = AgentUrl::parse(url).ok_or_else(|| AgentProblem {
            kind: AgentProblemKind::NotAnAgent,
            message: format!("{url} is not an agent URL (https://host:port)"),
        })?;
        let tls = if parsed.tls {
            Some(TlsConnector::from(tls_config(url, ca_file)?))
        } else {
            None
        };
        Ok(Self {
            url: url.trim_end_matches('/').to_owned(),
            parsed,
            tls,
            token,
        })
    }

    /// The agent's base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn problem(&self, kind: AgentProblemKind, what: impl fmt::Display) -> AgentProblem {
        AgentProblem {
            kind,
            message: format!("{}: {what}", self.url),
        }
    }

    async fn connect(&self) -> Result<Box<dyn Io>, AgentProblem> {
        let addr = (self.parsed.host.as_str(), self.parsed.port);
        let tcp = TcpStream::connect(addr).await.map_err(|e| {
            self.problem(
                AgentProblemKind::Unreachable,
                format!("cannot connect ({e})"),
            )
        })?;
        let _ = tcp.set_nodelay(true);
        let Some(tls) = &self.tls else {
            return Ok(Box::new(tcp));
        };
        let name = ServerName::try_from(self.parsed.host.clone()).map_err(|e| {
            self.problem(
                AgentProblemKind::NotAnAgent,
                format!("not a TLS name ({e})"),
            )
        })?;
        let stream = tls
            .connect(name, tcp)
            .await
            .map_err(|e| self.handshake_problem(&e))?;
        Ok(Box::new(stream))
    }

    fn handshake_problem(&self, e: &std::io::Error) -> AgentProblem {
        let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
        match inner {
            Some(rustls::Error::InvalidCertificate(why)) => self.problem(
                AgentProblemKind::UntrustedCertificate,
                format!(
                    "its certificate is not trusted ({why:?}); give the CA file that signed it"
                ),
            ),
            Some(rustls::Error::InvalidMessage(_)) => self.problem(
                AgentProblemKind::TlsMismatch,
                "it did not answer TLS: is it serving plain http? (use http:// for it)",
            ),
            _ if e.kind() == std::io::ErrorKind::UnexpectedEof => self.problem(
                AgentProblemKind::TlsMismatch,
                "it closed the connection during the TLS handshake: is it serving plain http?",
            ),
            _ => self.problem(
                AgentProblemKind::Unreachable,
                format!("the TLS handshake failed ({e})"),
            ),
        }
    }

    /// Sends `method path` (with a JSON body when given); returns the answer's head and body
    /// with the connection's driver, within [`REQUEST_TIMEOUT`]. `last_event_id` adds that
    /// header.
    pub async fn open(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        last_event_id: Option<i64>,
    ) -> Result<(Response<Incoming>, Driver), AgentProblem> {
        let work = async {
            let io = self.connect().await?;
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
                .await
                .map_err(|e| {
                    self.problem(AgentProblemKind::Unreachable, format!("HTTP failed ({e})"))
                })?;
            let mut driver: Driver = Box::pin(async move {
                let _ = conn.await;
            });
            let authority = if self.parsed.host.contains(':') {
                format!("[{}]:{}", self.parsed.host, self.parsed.port)
            } else {
                format!("{}:{}", self.parsed.host, self.parsed.port)
            };
            let mut request = Request::builder()
                .method(method)
                .uri(path)
                .header(hyper::header::HOST, authority)
                .header(
                    hyper::header::AUTHORIZATION,
                    format!("Bearer {}", self.token.expose()),
                )
                .header(hyper::header::ACCEPT, "application/json, text/event-stream");
            if let Some(id) = last_event_id {
                request = request.header("last-event-id", id.to_string());
            }
            if body.is_some() {
                request = request.header(hyper::header::CONTENT_TYPE, "application/json");
            }
            let request = request
                .body(Full::new(Bytes::from(body.unwrap_or_default())))
                .map_err(|e| self.problem(AgentProblemKind::NotAnAgent, e))?;
            let mut send = std::pin::pin!(sender.send_request(request));
            // The answer first: a server that answers and closes at once (`Connection: close`)
            // ends the connection as its answer arrives. When the connection ends first, the
            // request's own result says whether an answer came.
            let response = tokio::select! {
                biased;
                r = &mut send => r,
                () = &mut driver => {
                    driver = Box::pin(std::future::ready(()));
                    send.await
                }
            };
            let response = response.map_err(|e| {
                if e.is_parse() || e.is_incomplete_message() {
                    self.plain_problem()
                } else {
                    self.problem(AgentProblemKind::Unreachable, format!("HTTP failed ({e})"))
                }
            })?;
            Ok((response, driver))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, work)
            .await
            .map_err(|_| {
                self.problem(
                    AgentProblemKind::Unreachable,
                    format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()),
                )
            })?
    }

    /// The problem of an answer that is not HTTP.
    fn plain_problem(&self) -> AgentProblem {
        if self.tls.is_some() {
            self.problem(AgentProblemKind::NotAnAgent, "it did not answer HTTP")
        } else {
            self.problem(
                AgentProblemKind::TlsMismatch,
                "it did not answer plain HTTP: is it serving https? (use https:// for it)",
            )
        }
    }

    /// The problem of a refusal by status code, if it is one.
    pub fn refusal(&self, status: StatusCode) -> Option<AgentProblem> {
        match status.as_u16() {
            401 => Some(self.problem(
                AgentProblemKind::Unauthorized,
                "the agent refused the token (401): check that it is the agent's read or control token",
            )),
            403 => Some(self.problem(
                AgentProblemKind::Forbidden,
                "the token may read but not act (403): use the agent's control token",
            )),
            _ => None,
        }
    }

    /// `method path`, its answer's status and body (at most [`MAX_BODY`] bytes).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Vec<u8>), AgentProblem> {
        let (response, mut driver) = self.open(method, path, body, None).await?;
        let status = response.status();
        let mut body = response.into_body();
        let mut out = Vec::new();
        let read = async {
            loop {
                tokio::select! {
                    frame = body.frame() => match frame {
                        None => return Ok(()),
                        Some(Err(e)) => return Err(self.problem(
                            AgentProblemKind::Unreachable, format!("the answer broke off ({e})"))),
                        Some(Ok(frame)) => {
                            if let Ok(data) = frame.into_data() {
                                if out.len() + data.len() > MAX_BODY {
                                    return Err(self.problem(AgentProblemKind::NotAnAgent,
                                        format!("its answer is over {MAX_BODY} bytes")));
                                }
                                out.extend_from_slice(&data);
                            }
                        }
                    },
                    () = &mut driver => {
                        driver = Box::pin(std::future::pending());
                    }
                }
            }
        };
        tokio::time::timeout(REQUEST_TIMEOUT * 3, read)
            .await
            .map_err(|_| {
                self.problem(
                    AgentProblemKind::Unreachable,
                    "its answer did not end in time",
                )
            })??;
        Ok((status, out))
    }

    /// `GET path` as JSON of type `T`; refusals, other statuses and other JSON are problems.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, AgentProblem> {
        let (status, body) = self.call(Method::GET, path, None).await?;
        if let Some(problem) = self.refusal(status) {
            return Err(problem);
        }
        if status != StatusCode::OK {
            return Err(self.problem(
                AgentProblemKind::NotAnAgent,
                format!(
                    "GET {path} answered {status}: {}",
                    String::from_utf8_lossy(&body[..body.len().min(200)]).trim()
                ),
            ));
        }
        serde_json::from_slice(&body).map_err(|e| {
            self.problem(
                AgentProblemKind::NotAnAgent,
                format!("GET {path} did not answer an EHLO Watch agent's JSON ({e})"),
            )
        })
    }

    /// An action (`POST`/`DELETE` on `path`): `Ok` on 2xx.
    pub async fn act(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(), AgentProblem> {
        let (status, text) = self.call(method.clone(), path, body).await?;
        if let Some(problem) = self.refusal(status) {
            return Err(problem);
        }
        if status.is_success() {
            Ok(())
        } else {
            Err(self.problem(
                AgentProblemKind::NotAnAgent,
                format!(
                    "{method} {path} answered {status}: {}",
                    String::from_utf8_lossy(&text[..text.len().min(200)]).trim()
                ),
            ))
        }
    }
}

/// A TLS client trusting `ca_file`'s certificates, else the system's roots.
fn tls_config(url: &str, ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, AgentProblem> {
    let problem = |what: String| AgentProblem {
        kind: AgentProblemKind::UntrustedCertificate,
        message: format!("{url}: {what}"),
    };
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(file) => {
            let certs = CertificateDer::pem_file_iter(file).map_err(|e| {
                problem(format!(
                    "the CA file {} cannot be read ({e})",
                    file.display()
                ))
            })?;
            for cert in certs {
                let cert = cert.map_err(|e| {
                    problem(format!("the CA file {} is not PEM ({e})", file.display()))
                })?;
                roots.add(cert).map_err(|e| {
                    problem(format!(
                        "the CA file {} holds an unusable certificate ({e})",
                        file.display()
                    ))
                })?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| problem(format!("TLS setup failed ({e})")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
