//! The registry's own rules: ranges and their messages, unique keys, defaults in range.

use super::*;

#[test]
fn ranges_say_what_is_wrong_with_the_value() {
    assert_eq!(QOS_MS.check(0), Err("0 must be at least 1".into()));
    assert_eq!(
        QOS_MS.check(300_001),
        Err("300001 must be at most 300000".into())
    );
    assert_eq!(QOS_MS.check(300_000), Ok(300_000));
    assert_eq!(PORT.check(0), Err("0 is not a port (1–65535)".into()));
    assert_eq!(
        PORT.parse("smtp"),
        Err("smtp is not a port (1–65535)".into())
    );
    assert_eq!(
        QOS_MS.parse("fast"),
        Err("fast is not a whole number".into())
    );
    assert_eq!(
        CERT_WARN_DAYS.parse("-1"),
        Err("-1 must be at least 0".into())
    );
}

#[test]
fn keys_are_unique_and_flags_follow_them() {
    let mut keys: Vec<&str> = ALL.iter().map(|s| s.key()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), ALL.len());
    assert_eq!(QOS_MS.flag(), "--qos-ms");
    assert_eq!(flag("require_ext"), "--require-ext");
}

#[test]
fn every_default_is_in_its_range() {
    for setting in ALL {
        if let Setting::Int(s) = setting {
            assert_eq!(s.check(s.default), Ok(s.default), "{}", s.key);
        }
    }
}

#[test]
fn the_default_port_follows_the_tls_mode() {
    assert_eq!(default_port(true), 465);
    assert_eq!(default_port(false), 25);
}
