//! Text from a server or a DNS record as a report shows it: bounded, whatever was published.

/// The most bytes of a published record or reason a report keeps.
pub(crate) const MAX_SHOWN: usize = 512;

/// `text` as shown: whole when it fits in [`MAX_SHOWN`] bytes, else cut on a character boundary
/// and ended with `…`, the whole within [`MAX_SHOWN`] bytes.
pub(crate) fn bounded(text: &str) -> String {
    if text.len() <= MAX_SHOWN {
        return text.to_owned();
    }
    let mut end = MAX_SHOWN - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_on_a_character_boundary_within_the_bound() {
        assert_eq!(bounded("short"), "short");
        let exact = "a".repeat(MAX_SHOWN);
        assert_eq!(bounded(&exact), exact);
        let long = "é".repeat(400);
        let cut = bounded(&long);
        assert!(cut.len() <= MAX_SHOWN, "{}", cut.len());
        assert!(cut.ends_with('…') && cut.len() > MAX_SHOWN - 8);
    }
}
