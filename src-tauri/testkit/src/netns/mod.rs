//! A network lab made of Linux network namespaces, for tests that need real kernel
//! networking: outbound port 25 blocked, all traffic dropped (offline), a host name with a
//! good and a dead address, an AAAA where the client has no IPv6 route — with a real DNS
//! server (NSD), DNSSEC-signed zones and a validating resolver (unbound) on demand, and a
//! counter proving nothing left the lab.
//!
//! A [`Lab`] is a *client* namespace (where the software under test runs, through
//! [`Lab::client_cmd`]) and a *server* namespace (servers, DNS), joined by a veth pair, on
//! [`SUBNET_V4`] and [`SUBNET_V6`]. The client's default routes lead into the server
//! namespace, which forwards nothing: an address outside the lab is routable but answers
//! nothing. The test process itself stays in the root namespace (it reaches a port on the
//! client's loopback through [`Lab::forward_to_client`]). Every method blocks (call it from
//! an async test as it is, or in `spawn_blocking` around a long timeout) and panics with
//! the failing command and its stderr (a lab that cannot be built is a failed test); dropping
//! the lab, also on a panic's unwind, kills its processes and deletes its namespaces.
//!
//! For DANE, a zone marked [`Zone::signed`] is served DNSSEC-signed (keys made per lab), and
//! [`Lab::serve_validating_resolver`] runs unbound on the client's `127.0.0.1:53`, resolving
//! only through the lab's NSD and trusting only the lab's keys: the software under test points
//! its resolver there and may trust the AD bit. [`Lab::fake_smtp_with_cert`] serves a
//! certificate the test knows, and [`ServerCert::tlsa`](crate::ServerCert::tlsa) writes the
//! TLSA records for it.
//!
//! Needs root and Debian's `iproute2`, `iptables`, `nsd`, `unbound` and `ldnsutils`
//! (`scripts/test` installs them), and the testkit's `fake-smtp` binary built (`cargo build -p
//! ehlowatch-testkit --bin fake-smtp`). Tests using it are `#[ignore]`d and run by
//! `scripts/test`.
//!
//! ```no_run
//! use std::net::SocketAddr;
//! use std::time::Duration;
//! use ehlowatch_testkit::netns::{Family, Lab, Reach, Zone};
//!
//! let mut lab = Lab::new("blocked");
//! let good = lab.add_server_ip(Family::V4);
//! let dead = lab.add_dead_ip(Family::V4); // connects time out
//! for port in [25, 587, 443] {
//!     lab.fake_smtp(SocketAddr::new(good, port), "healthy");
//! }
//! lab.serve_dns(&[Zone::new("example.test").ip("mx1", good).ip("mx1", dead).mx(10, "mx1")]);
//! let resolver = lab.serve_validating_resolver(); // 127.0.0.1:53 in the client namespace
//! # let _ = resolver;
//! lab.drop_outbound_tcp(25);
//! let check = lab
//!     .client_cmd("/path/to/ehlowatch") // the binary under test, in the client namespace
//!     .args(["check", "mx1.example.test"])
//!     .output()
//!     .expect("run in the client namespace");
//! # let _ = check;
//! let timeout = Duration::from_secs(2);
//! assert_eq!(lab.connect_from_client(SocketAddr::new(good, 25), timeout), Reach::TimedOut);
//! assert_eq!(lab.connect_from_client(SocketAddr::new(good, 587), timeout), Reach::Connected);
//! assert_eq!(lab.escaped_packets(), 0);
//! ```

mod dns;
mod dnssec;
mod exec;
mod firewall;
mod forward;
mod lab;
mod names;
mod policy_host;
mod run;
mod unbound;

pub use dns::Zone;
pub use lab::{Family, Lab, Side, SUBNET_V4, SUBNET_V6};
pub use run::Reach;
