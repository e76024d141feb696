//! A scripted fake SMTP server on a loopback port: real TCP (and real TLS), so the probe meets
//! the wire as it is — for what no real server produces on demand (stalls, garbage, resets).

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::script::{Script, Step};

/// How many client lines a server keeps for [`FakeSmtp::received`].
const KEPT_LINES: usize = 100_000;

/// About how many bytes one write of a [`Step::Repeat`] carries.
const REPEAT_CHUNK: usize = 64 * 1024;

/// A fake SMTP server; it stops when dropped.
#[derive(Debug)]
pub struct FakeSmtp {
    addr: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
    script: Arc<Mutex<Script>>,
    accept: JoinHandle<()>,
}

impl FakeSmtp {
    /// Serves `script` on `127.0.0.1` at a free port.
    pub async fn start(script: Script) -> Self {
        Self::start_at(
            "127.0.0.1:0".parse().expect("loopback address"),
            script,
            None,
        )
        .await
    }

    /// Serves `script` with TLS steps using `tls`.
    pub async fn start_tls(script: Script, tls: TlsAcceptor) -> Self {
        Self::start_at(
            "127.0.0.1:0".parse().expect("loopback address"),
            script,
            Some(tls),
        )
        .await
    }

    /// Serves `script` at `bind` (use port 0 for a free port).
    pub async fn start_at(bind: SocketAddr, script: Script, tls: Option<TlsAcceptor>) -> Self {
        let listener = TcpListener::bind(bind)
            .await
            .expect("bind the fake SMTP server");
        let addr = listener.local_addr().expect("local address");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        let script = Arc::new(Mutex::new(script));
        let current = script.clone();
        let accept = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((tcp, _)) = listener.accept().await {
                let script = current
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                let (tls, seen) = (tls.clone(), seen.clone());
                connections.spawn(async move {
                    let _ = serve(tcp, &script, tls, &seen).await;
                });
            }
        });
        Self {
            addr,
            lines,
            script,
            accept,
        }
    }

    /// Serves `script` to the connections accepted from now on (a server that turns bad or good
    /// at the same address); connections already open keep theirs.
    pub fn set_script(&self, script: Script) {
        *self.script.lock().unwrap_or_else(PoisonError::into_inner) = script;
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The lines clients sent (the first 100,000), in order, without line ends.
    pub fn received(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for FakeSmtp {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// The connection, plain or TLS, with a way back to its socket (for a reset).
trait Wire: AsyncRead + AsyncWrite + Unpin + Send {
    fn tcp(&self) -> &TcpStream;
}

impl Wire for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Wire for tokio_rustls::server::TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
}

/// How a run of steps ended.
enum Ended {
    /// The script is done or the connection is gone.
    Done,
    /// A `StartTls` step at this index.
    StartTls(usize),
}

async fn serve(
    tcp: TcpStream,
    script: &Script,
    tls: Option<TlsAcceptor>,
    seen: &Mutex<Vec<String>>,
) -> io::Result<()> {
    tcp.set_nodelay(true)?;
    let mut plain = BufReader::new(tcp);
    let Ended::StartTls(at) = run_steps(&mut plain, &script.0, seen).await? else {
        return Ok(());
    };
    let acceptor = tls.expect("a TLS step needs FakeSmtp::start_tls");
    let mut secure = BufReader::new(acceptor.accept(plain.into_inner()).await?);
    match run_steps(&mut secure, &script.0[at + 1..], seen).await? {
        Ended::Done => Ok(()),
        Ended::StartTls(_) => Err(io::Error::other("TLS inside TLS is not a thing")),
    }
}

async fn run_steps<W: Wire>(
    wire: &mut BufReader<W>,
    steps: &[Step],
    seen: &Mutex<Vec<String>>,
) -> io::Result<Ended> {
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Send(bytes) => {
                wire.write_all(bytes).await?;
                wire.flush().await?;
            }
            Step::Drip(bytes, every) => {
                for b in bytes {
                    wire.write_all(&[*b]).await?;
                    wire.flush().await?;
                    tokio::time::sleep(*every).await;
                }
            }
            Step::Repeat(bytes, count) => repeat(wire, bytes, *count).await?,
            Step::Wait(d) => tokio::time::sleep(*d).await,
            Step::Expect => {
                let mut line = String::new();
                if wire.read_line(&mut line).await? == 0 {
                    return Ok(Ended::Done);
                }
                let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
                // Bounded, so a long-running fake server (benchmarks) does not grow forever.
                if seen.len() < KEPT_LINES {
                    seen.push(line.trim_end().to_owned());
                }
            }
            Step::Close => {
                wire.shutdown().await?;
                return Ok(Ended::Done);
            }
            Step::Reset => {
                // SO_LINGER 0 makes the close send RST.
                wire.get_ref().tcp().set_zero_linger()?;
                return Ok(Ended::Done);
            }
            Step::Hang => {
                let mut sink = Vec::new();
                let _ = wire.read_to_end(&mut sink).await;
                return Ok(Ended::Done);
            }
            Step::StartTls => return Ok(Ended::StartTls(i)),
        }
    }
    Ok(Ended::Done)
}

/// Writes `bytes` `count` times, as whole copies packed into writes of about [`REPEAT_CHUNK`].
async fn repeat<W: Wire>(wire: &mut BufReader<W>, bytes: &[u8], count: usize) -> io::Result<()> {
    let per_chunk = (REPEAT_CHUNK / bytes.len().max(1)).clamp(1, count.max(1));
    let chunk = bytes.repeat(per_chunk);
    let mut left = count;
    while left > 0 {
        let copies = left.min(per_chunk);
        wire.write_all(&chunk[..copies * bytes.len()]).await?;
        left -= copies;
    }
    wire.flush().await
}
