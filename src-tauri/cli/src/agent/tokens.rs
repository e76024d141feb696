//! The agent's bearer tokens (RFC 6750): read from files, kept only as a SHA-256 digest, and
//! compared in constant time. A token is never logged or written anywhere: its `Debug` prints
//! `Token(…)` and no error message quotes it.

use std::fmt;
use std::path::Path;

use ehlowatch_engine::io_words;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A secret the agent accepts in `Authorization: Bearer …`.
#[derive(Clone)]
pub struct Token {
    /// SHA-256 of the token: comparing digests takes the same time whatever the length of the
    /// token presented, and the token itself is not kept.
    digest: [u8; 32],
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// Reads the token in `path`, given with `flag`: the whole file less one trailing line end.
    /// An unreadable or empty file, or one holding what a bearer token cannot carry (spaces,
    /// control characters, non-ASCII), is refused with a message naming the flag and the file
    /// and never quoting the content.
    pub fn read(flag: &str, path: &Path) -> Result<Self, String> {
        let refuse = |why: &str| format!("error: {flag} {}: {why}", path.display());
        let bytes = std::fs::read(path).map_err(|e| refuse(&io_words(&e)))?;
        Self::from_bytes(&bytes).map_err(refuse)
    }

    /// The token in `bytes` (a file's content), or why it is not one.
    fn from_bytes(bytes: &[u8]) -> Result<Self, &'static str> {
        let token = bytes
            .strip_suffix(b"\n")
            .map_or(bytes, |b| b.strip_suffix(b"\r").unwrap_or(b));
        if token.is_empty() {
            return Err("the file is empty; put the token in it");
        }
        if !token.iter().all(u8::is_ascii_graphic) {
            return Err("the token holds spaces, control characters, non-ASCII or more than one line; a bearer token is one word of visible ASCII");
        }
        Ok(Self {
            digest: Sha256::digest(token).into(),
        })
    }

    /// True when `presented` is this token; constant time in the content of both.
    pub fn matches(&self, presented: &[u8]) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented).into();
        bool::from(self.digest.ct_eq(&digest))
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.digest.ct_eq(&other.digest))
    }
}

#[cfg(test)]
mod tests {
    use super::Token;

    #[test]
    fn one_trailing_line_end_is_not_part_of_the_token() {
        for file in [&b"s3cret"[..], b"s3cret\n", b"s3cret\r\n"] {
            let token = Token::from_bytes(file).expect("a token");
            assert!(token.matches(b"s3cret"), "{file:?}");
            assert!(!token.matches(b"s3cret\n"), "{file:?}");
        }
    }

    #[test]
    fn a_wrong_token_does_not_match() {
        let token = Token::from_bytes(b"s3cret").expect("a token");
        for other in [&b""[..], b"s3cre", b"s3cret2", b"S3cret"] {
            assert!(!token.matches(other), "{other:?}");
        }
    }

    #[test]
    fn empty_and_unsendable_files_are_refused_without_quoting_them() {
        for file in [&b""[..], b"\n", b"two words", b"two\nlines", b"caf\xc3\xa9"] {
            let why = Token::from_bytes(file).expect_err("refused");
            assert!(!why.contains("two") && !why.contains("caf"), "{why}");
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = Token::from_bytes(b"s3cret").expect("a token");
        assert_eq!(format!("{token:?}"), "Token(…)");
    }
}
