//! A precise delaying SMTP server for the timing benchmarks (2 and 4), run as its own process
//! (`ehlowatch-bench --serve-delay-ms N`): greeting, then the EHLO reply held for exactly the
//! delay, then 221 to QUIT. One thread per connection sleeping on the kernel's high-resolution
//! timer, so the hold is the delay to within tens of microseconds — a tokio timer would round it
//! up to the next millisecond and blame the prober for the server's slack. The server measures
//! how long it really held each reply and says so in the reply's first line
//! (`250-bench.test Hello held-us=N`, see [`held_ms`]): that is the server-side truth a probe's
//! latency is compared with. It also keeps its overshoot (hold − delay, to the end of the
//! write) per connection; a client that sends `STATS` instead of EHLO gets `n p50 p99 max` in
//! microseconds and the record is reset.
//! Listens on 127.0.0.1 only.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::stats::Dist;

const GREETING: &[u8] = b"220 bench.test ESMTP ready\r\n";
/// The EHLO reply after its first line.
const EHLO_REST: &[u8] = b"250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n";
/// What precedes the hold time in the first line of the EHLO reply.
const HELD: &str = "held-us=";
/// Overshoot samples kept between two `STATS` (older ones are dropped beyond this).
const KEEP: usize = 2_000_000;

type Record = Arc<Mutex<Vec<u32>>>;

/// Serves until killed; prints `listening on IP:PORT` first.
pub fn serve(delay: Duration) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let record: Record = Arc::default();
    rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        // A deep backlog: a thousand probes may connect in the same millisecond.
        let listener = socket.listen(4096)?;
        let mut out = io::stdout().lock();
        writeln!(out, "listening on {}", listener.local_addr()?)?;
        out.flush()?;
        drop(out);
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                // Out of descriptors or similar: let connections drain, then go on.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let Ok(tcp) = tcp.into_std() else { continue };
            let record = record.clone();
            let spawned = std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    let _ = session(tcp, delay, &record);
                });
            if spawned.is_err() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    })
}

fn session(tcp: TcpStream, delay: Duration, record: &Record) -> io::Result<()> {
    tcp.set_nonblocking(false)?;
    tcp.set_nodelay(true)?;
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut writer = tcp.try_clone()?;
    let mut reader = BufReader::new(tcp);
    writer.write_all(GREETING)?;
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(());
    }
    let heard = Instant::now();
    if line.starts_with("STATS") {
        let taken = std::mem::take(&mut *record.lock().unwrap_or_else(PoisonError::into_inner));
        let mut us: Vec<f64> = taken.into_iter().map(f64::from).collect();
        let d = Dist::of(&mut us);
        let text = d.map_or_else(
            || "0 0 0 0".to_owned(),
            |d| format!("{} {} {} {}", d.n, d.p50, d.p99, d.max),
        );
        writer.write_all(format!("{text}\r\n").as_bytes())?;
        return Ok(());
    }
    let until = heard + delay;
    loop {
        let now = Instant::now();
        if now >= until {
            break;
        }
        std::thread::sleep(until - now);
    }
    let held = heard.elapsed();
    let mut reply = format!("250-bench.test Hello {HELD}{}\r\n", held.as_micros()).into_bytes();
    reply.extend_from_slice(EHLO_REST);
    writer.write_all(&reply)?;
    let over = heard.elapsed().saturating_sub(delay);
    {
        let mut r = record.lock().unwrap_or_else(PoisonError::into_inner);
        if r.len() < KEEP {
            r.push(u32::try_from(over.as_micros()).unwrap_or(u32::MAX));
        }
    }
    line.clear();
    if reader.read_line(&mut line)? > 0 {
        writer.write_all(b"221 2.0.0 Bye\r\n")?;
    }
    Ok(())
}

/// The hold time a delaying server wrote into the first line of its EHLO reply, in ms.
pub fn held_ms(report: &ehlowatch_engine::ProbeReport) -> Option<f64> {
    let first = report.ehlo.as_ref()?.reply.lines.first()?;
    let (_, rest) = first.split_once(HELD)?;
    let us: u64 = rest.split_whitespace().next()?.parse().ok()?;
    Some(us as f64 / 1e3)
}

/// Asks the server at `addr` for its overshoot record since the last ask (ms), and resets it.
pub fn overshoot(addr: SocketAddr) -> Option<Dist> {
    let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    tcp.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut writer = tcp.try_clone().ok()?;
    let mut reader = BufReader::new(tcp);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    writer.write_all(b"STATS\r\n").ok()?;
    line.clear();
    reader.read_line(&mut line).ok()?;
    let v: Vec<f64> = line
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match v[..] {
        [n, p50, p99, max] if n > 0.0 => Some(Dist {
            n: n as usize,
            p50: p50 / 1e3,
            p99: p99 / 1e3,
            max: max / 1e3,
        }),
        _ => None,
    }
}

/// The worst of several servers' overshoot records: total count, and the largest of each
/// percentile (a bound, not a merged distribution).
pub fn worst(of: impl IntoIterator<Item = Option<Dist>>) -> Option<Dist> {
    of.into_iter().flatten().reduce(|a, b| Dist {
        n: a.n + b.n,
        p50: a.p50.max(b.p50),
        p99: a.p99.max(b.p99),
        max: a.max.max(b.max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_the_reply_for_the_delay_and_reports_overshoot() {
        // The sessions of the server process, on a thread of the test.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let record: Record = Arc::default();
        let served = record.clone();
        std::thread::spawn(move || {
            for tcp in listener.incoming().take(2).flatten() {
                let _ = session(tcp, Duration::from_millis(30), &served);
            }
        });
        let tcp = TcpStream::connect(addr).expect("connect");
        let mut writer = tcp.try_clone().expect("clone");
        let mut reader = BufReader::new(tcp);
        let mut line = String::new();
        reader.read_line(&mut line).expect("greeting");
        assert!(line.starts_with("220 "));
        let sent = Instant::now();
        writer.write_all(b"EHLO test.example\r\n").expect("ehlo");
        let mut first = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line).expect("reply");
            if first.is_empty() {
                first.clone_from(&line);
            }
            if line.starts_with("250 ") {
                break;
            }
        }
        let held = sent.elapsed();
        assert!(held >= Duration::from_millis(30), "{held:?}");
        assert!(held < Duration::from_millis(300), "{held:?}");
        let said: u64 = first
            .trim_end()
            .rsplit_once(HELD)
            .and_then(|(_, n)| n.parse().ok())
            .expect("held-us in the first line");
        assert!((30_000..300_000).contains(&said), "{first:?}");
        writer.write_all(b"QUIT\r\n").expect("quit");
        line.clear();
        reader.read_line(&mut line).expect("221");
        assert!(line.starts_with("221 "));
        let d = overshoot(addr).expect("one sample");
        assert_eq!(d.n, 1);
        assert!(d.max >= 0.0 && d.max < 270.0, "{d:?}");
        assert!(record.lock().unwrap().is_empty(), "STATS resets the record");
    }
}
