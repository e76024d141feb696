//! I/O errors in the same words on every platform: `No such file or directory` whether the OS
//! said that (Unix) or `File not found.` / `Path not found.` (Windows), and never the `(os error
//! N)` suffix, so a message about a file reads alike wherever EHLO Watch runs.

use std::io;

/// What went wrong, in words: the common kinds fixed, others as the OS words them.
pub fn io_words(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "No such file or directory".to_owned(),
        io::ErrorKind::PermissionDenied => "Permission denied".to_owned(),
        _ => without_decorations(&error.to_string()),
    }
}

/// An error's text without the `I/O error: ` prefix and the ` (os error N)` suffix.
fn without_decorations(text: &str) -> String {
    let text = text.strip_prefix("I/O error: ").unwrap_or(text);
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_owned(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_kinds_read_alike_everywhere() {
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(io_words(&missing), "No such file or directory");
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(io_words(&denied), "Permission denied");
        let real = std::fs::metadata("/nonexistent-ehlowatch/x.pem").unwrap_err();
        assert_eq!(io_words(&real), "No such file or directory");
    }

    #[test]
    fn other_errors_lose_their_decorations() {
        assert_eq!(
            without_decorations("I/O error: Disk quota exceeded (os error 122)"),
            "Disk quota exceeded"
        );
        assert_eq!(
            without_decorations("no PEM certificate in it"),
            "no PEM certificate in it"
        );
    }
}
