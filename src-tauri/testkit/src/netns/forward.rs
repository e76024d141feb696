//! A way in for the test process, which stays in the root namespace: a port on the root
//! namespace's loopback whose connections are relayed, each by a `bash` run in the client
//! namespace, to a port on the client's loopback (an agent's HTTP API, a WebDriver server).
//! Only loopback on both ends: nothing is routed between the namespaces.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::exec;

/// Connects fd 3 to the client's loopback port `$0`, copies stdin to it in the background and
/// it to stdout in the foreground; when the far end closes, the copy of stdin is stopped and the
/// script ends, so the relayed connection ends too (an HTTP/1.0 answer reaches its end).
const RELAY: &str =
    "exec 3<>/dev/tcp/127.0.0.1/$0 || exit 1; cat <&0 >&3 & cat <&3; kill $! 2>/dev/null";

/// A running relay; dropping it closes the port and ends every relayed connection.
#[derive(Debug)]
pub(super) struct Forward {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    relays: Arc<Mutex<Vec<Child>>>,
    accept: Option<JoinHandle<()>>,
}

impl Forward {
    /// Listens on a free port of `127.0.0.1` and relays to `port` on the loopback of
    /// namespace `ns`.
    pub(super) fn start(ns: &str, port: u16) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap_or_else(|e| panic!("netns lab: cannot listen on 127.0.0.1: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("netns lab: the relay's address: {e}"));
        let stopping = Arc::new(AtomicBool::new(false));
        let relays = Arc::new(Mutex::new(Vec::new()));
        let (stop, kept, ns) = (stopping.clone(), relays.clone(), ns.to_owned());
        let accept = std::thread::spawn(move || {
            for tcp in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(tcp) = tcp else { continue };
                match relay(&ns, port, tcp) {
                    Ok(child) => kept
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(child),
                    Err(e) => eprintln!("warning: netns lab: relay to {ns} port {port}: {e}"),
                }
            }
        });
        Self {
            addr,
            stopping,
            relays,
            accept: Some(accept),
        }
    }

    /// The root-namespace address to connect to.
    pub(super) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Forward {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees `stopping`.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        for child in self
            .relays
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter_mut()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Relays one connection through a `bash` in namespace `ns`; returns the `bash`.
fn relay(ns: &str, port: u16, tcp: TcpStream) -> io::Result<Child> {
    let mut child = exec::in_ns(ns, exec::tool("bash"))
        .args(["-c", RELAY, &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let (Some(mut to_child), Some(mut from_child)) = (child.stdin.take(), child.stdout.take())
    else {
        return Err(io::Error::other("no pipes to the relay"));
    };
    let mut from_peer = tcp.try_clone()?;
    std::thread::spawn(move || pump(&mut from_peer, &mut to_child));
    let mut to_peer = tcp;
    std::thread::spawn(move || {
        pump(&mut from_child, &mut to_peer);
        let _ = to_peer.shutdown(Shutdown::Write);
    });
    Ok(child)
}

/// Copies `from` to `to` until the end of `from` or an error, each read passed on at once.
fn pump(from: &mut impl Read, to: &mut impl Write) {
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || to.write_all(&buf[..n]).and_then(|()| to.flush()).is_err() {
            break;
        }
    }
}
