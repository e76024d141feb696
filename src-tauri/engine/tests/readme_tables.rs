//! The README's status and event-id tables say what the engine does: every `EventId` has its row
//! (number, name, whether it is emitted today) and every row its `EventId`; every `Status` its row
//! with its colour class, event id and `ehlowatch_status` value, and no row names a status the
//! engine lacks.

use std::collections::BTreeMap;

use ehlowatch_engine::{EventId, Status};

fn readme() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The body rows of the table whose header row starts with `header`, as trimmed cells.
fn table(text: &str, header: &str) -> Vec<Vec<String>> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(header));
    assert!(
        lines.next().is_some(),
        "no table headed {header:?} in README.md"
    );
    lines
        .skip(1) // the |---| row
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_event_id_table_lists_every_event_id_and_nothing_else() {
    let rows = table(&readme(), "| event id | name | emitted |");
    let documented: BTreeMap<u16, (String, String)> = rows
        .iter()
        .map(|r| {
            let id = r[0]
                .parse()
                .unwrap_or_else(|_| panic!("not an event id: {r:?}"));
            (id, (r[1].clone(), r[2].clone()))
        })
        .collect();
    assert_eq!(documented.len(), rows.len(), "an id twice: {rows:?}");
    for id in EventId::ALL {
        let emitted = if id.emitted() { "yes" } else { "no" };
        assert_eq!(
            documented.get(&id.code()),
            Some(&(id.name().to_owned(), emitted.to_owned())),
            "README.md's row for {id:?} ({})",
            id.code()
        );
    }
    for code in documented.keys() {
        assert!(
            EventId::from_code(*code).is_some(),
            "README.md lists {code}, which EventId does not define"
        );
    }
}

#[test]
fn the_status_table_gives_each_status_its_colour_id_and_metric() {
    let rows = table(&readme(), "| status | colour | meaning | event id |");
    assert_eq!(rows.len(), Status::ALL.len(), "{rows:?}");
    for status in Status::ALL {
        let name = format!("`{}`", status.as_str());
        let row = rows
            .iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("no README.md row for {name}"));
        let id = status
            .event_id()
            .map_or("—".to_owned(), |id| id.to_string());
        assert_eq!(
            (row[1].as_str(), row[3].as_str(), row[4].as_str()),
            (
                status.colour().as_str(),
                id.as_str(),
                status.metric_value().to_string().as_str()
            ),
            "README.md's row for {name}"
        );
    }
}
