//! The least HTTP a Prometheus-style scrape of `blackbox_exporter`'s `/probe` needs: one
//! `GET` per probe on a fresh connection (`Connection: close`), the body read to the end, and
//! the probe judged by the `probe_success` sample. The agent's `/metrics` is read the same way.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// What one `/probe` scrape said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scrape {
    /// HTTP 200 with `probe_success 1`.
    Success,
    /// Anything else.
    Failed,
}

/// `GET /probe?module=MODULE&target=TARGET` on the exporter at `exporter`.
pub fn probe(exporter: SocketAddr, module: &str, target: &str) -> Scrape {
    match get(exporter, &format!("/probe?module={module}&target={target}")) {
        Ok(response) => judge(&response),
        Err(_) => Scrape::Failed,
    }
}

/// `GET PATH` on a fresh connection; the whole response, head and body.
pub fn get(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let mut tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    tcp.set_nodelay(true)?;
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: ehlowatch-bench\r\nConnection: close\r\n\r\n"
    )?;
    let mut body = Vec::with_capacity(4096);
    tcp.read_to_end(&mut body)?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// A 200 whose exposition has `probe_success 1` on a line of its own.
fn judge(response: &str) -> Scrape {
    let ok_status = response
        .lines()
        .next()
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("200"));
    let success = response.lines().any(|l| l.trim_end() == "probe_success 1");
    if ok_status && success {
        Scrape::Success
    } else {
        Scrape::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_needs_200_and_probe_success_1() {
        let ok = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n# HELP probe_success x\nprobe_success 1\n";
        assert_eq!(judge(ok), Scrape::Success);
        let failed = ok.replace("probe_success 1", "probe_success 0");
        assert_eq!(judge(&failed), Scrape::Failed);
        let error = "HTTP/1.1 400 Bad Request\r\n\r\nprobe_success 1\n";
        assert_eq!(judge(error), Scrape::Failed);
        // probe_success_total or a 10 must not pass for a 1.
        let lookalike = ok.replace("probe_success 1", "probe_success 10");
        assert_eq!(judge(&lookalike), Scrape::Failed);
    }
}
