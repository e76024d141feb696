//! The TLSA lookup: `_<port>._tcp.<host>` asked of the `[dns]` resolver with the DO and AD bits
//! set (RFC 6840 §5.7), over UDP, then TCP when the answer is truncated. Whether the answer was
//! validated is the resolver's AD bit, trusted only from a resolver on loopback (RFC 7672
//! §2.1.1, RFC 6698 §4.1): a resolver elsewhere could have its bit forged on the way.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::proto::op::{Edns, Message, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

use super::record::Tlsa;

/// The UDP payload size offered (the DNS flag day 2020 value, no fragmentation).
const UDP_PAYLOAD: u16 = 1232;
/// The largest answer read over TCP: a DNS message's own limit.
const TCP_MAX: usize = 65_535;
/// The most TLSA records kept from one answer.
pub(crate) const MAX_RECORDS: usize = 16;

/// What the resolver said about a TLSA name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TlsaAnswer {
    /// Records (at most [`MAX_RECORDS`]); `secure` when the AD bit was set, `signed` when
    /// signatures came with them.
    Records {
        /// The records.
        records: Vec<Tlsa>,
        /// The resolver validated them.
        secure: bool,
        /// RRSIG records came with them.
        signed: bool,
    },
    /// The name has no TLSA record (NXDOMAIN or no data).
    None,
    /// The resolver answered SERVFAIL: with a validating resolver, what a bogus signature
    /// gives.
    ServFail,
    /// No answer, or one that could not be read.
    Unanswered(String),
}

/// `_<port>._tcp.<host>.`, the TLSA name of a service (RFC 6698 §3).
pub(crate) fn tlsa_name(host: &str, port: u16) -> String {
    format!("_{port}._tcp.{}.", host.trim_end_matches('.'))
}

/// True when every server is on loopback, so their AD bit can be trusted.
pub(crate) fn all_loopback(servers: &[SocketAddr]) -> bool {
    !servers.is_empty() && servers.iter().all(|s| s.ip().is_loopback())
}

/// Asks `servers` in turn for the TLSA records of `name`, each within `wait`.
pub(crate) async fn lookup(servers: &[SocketAddr], name: &str, wait: Duration) -> TlsaAnswer {
    let query = match query(name) {
        Ok(query) => query,
        Err(why) => return TlsaAnswer::Unanswered(why),
    };
    let mut last = TlsaAnswer::Unanswered("no resolver".to_owned());
    for server in servers {
        match timeout(wait, ask(*server, &query)).await {
            Ok(Ok(message)) => return answer(&message),
            Ok(Err(why)) => last = TlsaAnswer::Unanswered(format!("{server}: {why}")),
            Err(_) => {
                last = TlsaAnswer::Unanswered(format!("{server}: no answer within {wait:?}"));
            }
        }
    }
    last
}

/// The query message: recursion desired, AD and DO set, EDNS with [`UDP_PAYLOAD`].
fn query(name: &str) -> Result<Vec<u8>, String> {
    let name = Name::from_ascii(name).map_err(|e| format!("{name:?} is not a DNS name: {e}"))?;
    let mut message = Message::query();
    message.add_query(Query::query(name, RecordType::TLSA));
    message.metadata.recursion_desired = true;
    message.metadata.authentic_data = true;
    let mut edns = Edns::new();
    edns.set_max_payload(UDP_PAYLOAD).set_dnssec_ok(true);
    message.set_edns(edns);
    message.to_vec().map_err(|e| e.to_string())
}

/// One exchange with `server`: UDP, and TCP again when the answer is truncated.
async fn ask(server: SocketAddr, query: &[u8]) -> Result<Message, String> {
    let id = u16::from_be_bytes([query[0], query[1]]);
    let bind: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(bind).await.map_err(|e| e.to_string())?;
    socket.connect(server).await.map_err(|e| e.to_string())?;
    socket.send(query).await.map_err(|e| e.to_string())?;
    let mut buffer = vec![0u8; usize::from(UDP_PAYLOAD)];
    let message = loop {
        let read = socket.recv(&mut buffer).await.map_err(|e| e.to_string())?;
        match Message::from_vec(&buffer[..read]) {
            Ok(message) if message.metadata.id == id => break message,
            // Not the answer to this query (late, spoofed or garbled): keep waiting.
            _ => {}
        }
    };
    if !message.metadata.truncation {
        return Ok(message);
    }
    let mut stream = TcpStream::connect(server)
        .await
        .map_err(|e| e.to_string())?;
    let length = u16::try_from(query.len()).map_err(|e| e.to_string())?;
    let mut framed = length.to_be_bytes().to_vec();
    framed.extend_from_slice(query);
    stream.write_all(&framed).await.map_err(|e| e.to_string())?;
    let length = usize::from(stream.read_u16().await.map_err(|e| e.to_string())?);
    let mut buffer = vec![0u8; length.min(TCP_MAX)];
    stream
        .read_exact(&mut buffer)
        .await
        .map_err(|e| e.to_string())?;
    Message::from_vec(&buffer).map_err(|e| format!("an answer that does not parse: {e}"))
}

/// What a response says.
fn answer(message: &Message) -> TlsaAnswer {
    match message.metadata.response_code {
        ResponseCode::NoError | ResponseCode::NXDomain => {}
        ResponseCode::ServFail => return TlsaAnswer::ServFail,
        other => return TlsaAnswer::Unanswered(format!("the resolver answered {other}")),
    }
    let records: Vec<Tlsa> = message
        .answers
        .iter()
        .filter_map(|record| match &record.data {
            RData::TLSA(tlsa) => Some(Tlsa {
                usage: tlsa.cert_usage.into(),
                selector: tlsa.selector.into(),
                matching: tlsa.matching.into(),
                data: tlsa.cert_data.clone(),
            }),
            _ => None,
        })
        .take(MAX_RECORDS)
        .collect();
    if records.is_empty() {
        return TlsaAnswer::None;
    }
    TlsaAnswer::Records {
        records,
        secure: message.metadata.authentic_data,
        signed: message
            .answers
            .iter()
            .any(|r| r.data.record_type() == RecordType::RRSIG),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_loopback() {
        assert_eq!(
            tlsa_name("mx1.example.test.", 25),
            "_25._tcp.mx1.example.test."
        );
        let local: SocketAddr = "127.0.0.1:53".parse().unwrap();
        let v6: SocketAddr = "[::1]:53".parse().unwrap();
        let remote: SocketAddr = "192.0.2.53:53".parse().unwrap();
        assert!(all_loopback(&[local, v6]));
        assert!(!all_loopback(&[local, remote]));
        assert!(!all_loopback(&[]));
    }

    #[test]
    fn the_query_asks_for_validation() {
        let bytes = query("_25._tcp.mx.test.").unwrap();
        let message = Message::from_vec(&bytes).unwrap();
        assert!(message.metadata.authentic_data && message.metadata.recursion_desired);
        assert!(message.edns.as_ref().unwrap().flags().dnssec_ok);
        assert_eq!(message.queries[0].query_type(), RecordType::TLSA);
    }
}
