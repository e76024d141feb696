//! The `_mta-sts.<domain>` TXT record (RFC 8461 §3.1): `v=STSv1; id=…;` — `v` first, an `id`
//! of 1 to 32 letters and digits, other fields ignored. Records that do not start with
//! `v=STSv1` are not MTA-STS records; more than one `STSv1` record is an error, as is a record
//! without a valid `id`.

use crate::shown::bounded;

/// A valid MTA-STS TXT record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StsRecord {
    /// The policy id: a new one tells senders to fetch the policy again.
    pub id: String,
    /// The record as published (bounded).
    pub raw: String,
}

/// What the TXT records at `_mta-sts.<domain>` say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecordAnswer {
    /// No record starting with `v=STSv1`: the domain does not use MTA-STS.
    None,
    /// One valid record.
    Found(StsRecord),
    /// A record senders cannot use, why, and the raw record(s) (bounded).
    Broken { why: String, raw: String },
}

/// The MTA-STS record among the TXT records of `_mta-sts.<domain>`.
pub(crate) fn parse_records(txt: &[String]) -> RecordAnswer {
    let sts: Vec<&String> = txt.iter().filter(|r| is_sts(r)).collect();
    match sts.as_slice() {
        [] => RecordAnswer::None,
        [one] => match parse_one(one) {
            Ok(id) => RecordAnswer::Found(StsRecord {
                id,
                raw: bounded(one),
            }),
            Err(why) => RecordAnswer::Broken {
                why,
                raw: bounded(one),
            },
        },
        several => RecordAnswer::Broken {
            why: format!(
                "{} MTA-STS records (v=STSv1) where there must be exactly one",
                several.len()
            ),
            raw: bounded(
                &several
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
            ),
        },
    }
}

/// True for a record whose first field is `v=STSv1`.
fn is_sts(record: &str) -> bool {
    record
        .split(';')
        .next()
        .is_some_and(|first| first.trim() == "v=STSv1")
}

/// The `id` of one `STSv1` record.
fn parse_one(record: &str) -> Result<String, String> {
    let mut id = None;
    for field in record.split(';').skip(1) {
        let field = field.trim();
        if field.is_empty() {
            continue;
        }
        let Some((key, value)) = field.split_once('=') else {
            return Err(format!("field {field:?} is not key=value"));
        };
        if key.trim() == "id" {
            if id.is_some() {
                return Err("more than one id field".to_owned());
            }
            id = Some(value.trim().to_owned());
        }
    }
    let id = id.ok_or("no id field (id=…)")?;
    if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "id {id:?} is not 1 to 32 letters and digits (RFC 8461 §3.1)"
        ));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_good_record_gives_its_id() {
        let found = parse_records(&records(&["v=spf1 -all", "v=STSv1; id=20240101T000000;"]));
        assert_eq!(
            found,
            RecordAnswer::Found(StsRecord {
                id: "20240101T000000".into(),
                raw: "v=STSv1; id=20240101T000000;".into()
            })
        );
        let spaced = parse_records(&records(&["v=STSv1;id=abc ; ext=1"]));
        assert!(matches!(spaced, RecordAnswer::Found(r) if r.id == "abc"));
    }

    #[test]
    fn no_sts_record_is_none() {
        assert_eq!(parse_records(&[]), RecordAnswer::None);
        assert_eq!(
            parse_records(&records(&["v=STSv2; id=1", "id=1; v=STSv1"])),
            RecordAnswer::None
        );
    }

    #[test]
    fn two_records_are_broken() {
        let found = parse_records(&records(&["v=STSv1; id=1", "v=STSv1; id=2"]));
        let RecordAnswer::Broken { why, raw } = found else {
            panic!("{found:?}")
        };
        assert!(why.contains("2 MTA-STS records"), "{why}");
        assert!(raw.contains("id=1") && raw.contains("id=2"));
    }

    #[test]
    fn a_bad_id_is_broken() {
        for (record, said) in [
            ("v=STSv1; id=has-dash", "not 1 to 32 letters"),
            ("v=STSv1; id=", "not 1 to 32 letters"),
            (
                "v=STSv1; id=123456789012345678901234567890123",
                "not 1 to 32",
            ),
            ("v=STSv1;", "no id field"),
            ("v=STSv1; id=1; id=2", "more than one id"),
        ] {
            let found = parse_records(&records(&[record]));
            let RecordAnswer::Broken { why, .. } = &found else {
                panic!("{record}: {found:?}")
            };
            assert!(why.contains(said), "{record}: {why}");
        }
    }
}
