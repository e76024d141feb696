//! The EHLO names every front door must judge alike — the engine's rule, `--ehlo-name` and the
//! configuration's `ehlo_name` — with the name each valid one goes on the wire as and the exact
//! message for each invalid one (RFC 5321 §4.1.1.1, §4.1.2 domains of LDH labels, §4.1.3
//! address literals; RFC 5890 A-labels for a name typed in Unicode; RFC 6761 `localhost`).

/// One name and what the rule makes of it.
#[derive(Debug, Clone)]
pub struct EhloNameCase {
    /// What a person typed.
    pub name: String,
    /// `Ok(what is sent after EHLO)` or `Err(the message naming the value and why)`.
    pub verdict: Result<String, String>,
}

fn ok(name: &str, wire: &str) -> EhloNameCase {
    EhloNameCase {
        name: name.to_owned(),
        verdict: Ok(wire.to_owned()),
    }
}

fn bad(name: &str, message: &str) -> EhloNameCase {
    EhloNameCase {
        name: name.to_owned(),
        verdict: Err(message.to_owned()),
    }
}

fn localhost(name: &str) -> EhloNameCase {
    bad(
        name,
        &format!("{name:?} is not a name a server can check; use the FQDN or an address literal"),
    )
}

/// The table.
pub fn ehlo_name_cases() -> Vec<EhloNameCase> {
    [domains(), loopback_names(), addresses()].concat()
}

/// Domains: ASCII, Unicode, their limits and their characters.
fn domains() -> Vec<EhloNameCase> {
    let label63 = "a".repeat(63);
    let label64 = "a".repeat(64);
    let long63 = format!("{label63}.example");
    let long64 = format!("{label64}.example");
    // Four 63-octet labels and three dots: 255 octets, the most a domain may have.
    let full = [
        &"a".repeat(63),
        &"b".repeat(63),
        &"c".repeat(63),
        &"d".repeat(63),
    ]
    .map(String::as_str)
    .join(".");
    let over = format!("{full}.e");
    vec![
        ok("probe.example.com", "probe.example.com"),
        ok("Probe.Example.COM.", "Probe.Example.COM"),
        ok("mail-1.example", "mail-1.example"),
        ok("probe", "probe"),
        ok("bücher.example", "xn--bcher-kva.example"),
        ok("BÜCHER.example", "xn--bcher-kva.example"),
        ok("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ok(&long63, &long63),
        ok(&full, &full),
        bad("", "must not be empty"),
        bad(
            "probe example.com",
            "\"probe example.com\" contains ' '; a domain or [address literal] has no spaces or control characters",
        ),
        bad(
            "probe.example.com\r\nMAIL FROM:<x@example.com>",
            "\"probe.example.com\\r\\nMAIL FROM:<x@example.com>\" contains '\\r'; a domain or [address literal] has no spaces or control characters",
        ),
        bad(
            "my_probe.example.com",
            "\"my_probe.example.com\" contains '_'; a domain has only letters, digits, hyphens and dots",
        ),
        bad(
            &long64,
            &format!("{long64:?}: the label {label64:?} is 64 octets, longer than 63"),
        ),
        bad(&over, &format!("{over:?} is 257 octets, longer than 255")),
        bad(
            "-probe.example.com",
            "\"-probe.example.com\": the label \"-probe\" starts with a hyphen",
        ),
        bad(
            "probe-.example.com",
            "\"probe-.example.com\": the label \"probe-\" ends with a hyphen",
        ),
        bad(
            "probe..example.com",
            "\"probe..example.com\" has an empty label",
        ),
        bad(".", "\".\" has an empty label"),
        bad(
            "probe\u{e000}.example",
            "\"probe\\u{e000}.example\" is neither an ASCII domain nor a valid internationalised one (IDNA2008, RFC 5891)",
        ),
        bad(
            "\u{301}probe.example",
            "\"\\u{301}probe.example\" is neither an ASCII domain nor a valid internationalised one (IDNA2008, RFC 5891)",
        ),
        bad(
            "xn--a.example",
            "\"xn--a.example\": the label \"xn--a\" is not a valid A-label (IDNA2008, RFC 5891)",
        ),
    ]
}

/// The machine's own name, in every spelling.
fn loopback_names() -> Vec<EhloNameCase> {
    vec![
        localhost("localhost"),
        localhost("LOCALHOST"),
        localhost("localhost."),
        localhost("LocalHost."),
        localhost("localhost.localdomain"),
        localhost("LOCALHOST.LOCALDOMAIN."),
        localhost("localhost6.localdomain6"),
        localhost("ip6-localhost"),
        localhost("mx.localhost"),
        localhost("ｌｏｃａｌｈｏｓｔ"),
    ]
}

/// Addresses, bare and as address literals.
fn addresses() -> Vec<EhloNameCase> {
    vec![
        ok("[192.0.2.1]", "[192.0.2.1]"),
        ok("[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]"),
        ok("[ipv6:::1]", "[ipv6:::1]"),
        ok("[IPv6:::ffff:192.0.2.1]", "[IPv6:::ffff:192.0.2.1]"),
        bad(
            "192.0.2.1",
            "\"192.0.2.1\" is an address; write it as the address literal [192.0.2.1]",
        ),
        bad(
            "2001:db8::1",
            "\"2001:db8::1\" is an address; write it as the address literal [IPv6:2001:db8::1]",
        ),
        bad(
            "[192.0.2.1",
            "\"[192.0.2.1\" is not an address literal: it needs both brackets, as in [192.0.2.1]",
        ),
        bad(
            "[192.0.2.300]",
            "\"[192.0.2.300]\": \"192.0.2.300\" is not an IPv4 address",
        ),
        bad(
            "[IPv6:2001:db8::g]",
            "\"[IPv6:2001:db8::g]\": \"2001:db8::g\" is not an IPv6 address",
        ),
        bad(
            "[2001:db8::1]",
            "\"[2001:db8::1]\": an IPv6 address literal has the tag IPv6:, as in [IPv6:2001:db8::1]",
        ),
        bad(
            "[probe.example.com]",
            "\"[probe.example.com]\": \"probe.example.com\" is not an IPv4 address",
        ),
    ]
}
