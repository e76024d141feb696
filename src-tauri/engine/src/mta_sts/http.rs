//! A small, bounded HTTP/1.1 client for the one request MTA-STS needs (RFC 8461 §3.3):
//! `GET /.well-known/mta-sts.txt` over TLS, status 200 only, no redirects (a 3xx is an error
//! naming where it pointed), a header block of at most 8 KiB and a body of at most 64 KiB,
//! delimited by Content-Length, chunked transfer coding, or the connection's close.

use tokio::io::{AsyncRead, AsyncReadExt};

/// The largest policy body accepted.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// The largest header block accepted.
const MAX_HEAD: usize = 8 * 1024;

/// Reads one HTTP/1.1 response from `r` and returns its body, or why it is refused.
pub(crate) async fn read_response<R: AsyncRead + Unpin>(r: &mut R) -> Result<Vec<u8>, String> {
    let mut buf = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(end) = find_head_end(&buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(format!("response header longer than {MAX_HEAD} bytes"));
        }
        if read_more(r, &mut buf).await? == 0 {
            return Err("connection closed before the response header ended".to_owned());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end.0]).into_owned();
    let rest = buf[head_end.1..].to_vec();
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let status = parse_status(status_line)?;
    let mut length = None;
    let mut chunked = false;
    let mut location = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                length = Some(
                    value
                        .parse::<usize>()
                        .map_err(|_| format!("Content-Length {value:?} is not a number"))?,
                );
            }
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            "location" => location = Some(value.chars().take(200).collect::<String>()),
            _ => {}
        }
    }
    if (300..400).contains(&status) {
        let to = location.map_or_else(String::new, |l| format!(" to {l}"));
        return Err(format!(
            "the policy host answered a redirect (HTTP {status}){to}: MTA-STS policies are \
             never fetched through a redirect"
        ));
    }
    if status != 200 {
        return Err(format!("the policy host answered HTTP {status}, not 200"));
    }
    if chunked {
        read_chunked(r, rest).await
    } else if let Some(length) = length {
        if length > MAX_BODY {
            return Err(too_big());
        }
        let mut body = rest;
        while body.len() < length {
            if read_more(r, &mut body).await? == 0 {
                return Err("connection closed before the policy body ended".to_owned());
            }
        }
        body.truncate(length);
        Ok(body)
    } else {
        let mut body = rest;
        loop {
            if body.len() > MAX_BODY {
                return Err(too_big());
            }
            if read_more(r, &mut body).await? == 0 {
                return Ok(body);
            }
        }
    }
}

fn too_big() -> String {
    format!("the policy is larger than {} KiB", MAX_BODY / 1024)
}

/// Where the header block ends: (its length without the blank line, where the body starts).
fn find_head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let crlf = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4));
    let lf = buf
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|i| (i, i + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

fn parse_status(line: &str) -> Result<u16, String> {
    let mut parts = line.split_whitespace();
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        let shown: String = line.chars().take(80).collect();
        return Err(format!("not an HTTP/1.x response: {shown:?}"));
    }
    parts
        .next()
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no status code in {line:?}"))
}

async fn read_more<R: AsyncRead + Unpin>(r: &mut R, buf: &mut Vec<u8>) -> Result<usize, String> {
    let mut chunk = [0u8; 4096];
    let n = r
        .read(&mut chunk)
        .await
        .map_err(|e| format!("reading the response: {}", crate::io_words(&e)))?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// The body of a chunked response whose first bytes are `buf`.
async fn read_chunked<R: AsyncRead + Unpin>(
    r: &mut R,
    mut buf: Vec<u8>,
) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(at) = buf.windows(2).position(|w| w == b"\r\n") {
                break at;
            }
            if buf.len() > 1024 {
                return Err("chunk size line too long".to_owned());
            }
            if read_more(r, &mut buf).await? == 0 {
                return Err("connection closed inside a chunk header".to_owned());
            }
        };
        let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("chunk size {size_text:?} is not hexadecimal"))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(too_big());
        }
        while buf.len() < size + 2 {
            if read_more(r, &mut buf).await? == 0 {
                return Err("connection closed inside a chunk".to_owned());
            }
        }
        body.extend_from_slice(&buf[..size]);
        buf.drain(..size + 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(bytes: &[u8]) -> Result<Vec<u8>, String> {
        let mut r = bytes;
        read_response(&mut r).await
    }

    #[tokio::test]
    async fn content_length_body() {
        let body = read(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello, extra").await;
        assert_eq!(body.unwrap(), b"hello");
    }

    #[tokio::test]
    async fn chunked_body() {
        let body = read(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;x=y\r\n, world\r\n0\r\n\r\n").await;
        assert_eq!(body.unwrap(), b"hello, world");
    }

    #[tokio::test]
    async fn close_delimited_body() {
        let body = read(b"HTTP/1.0 200 OK\n\nversion: STSv1\n").await;
        assert_eq!(body.unwrap(), b"version: STSv1\n");
    }

    #[tokio::test]
    async fn oversized_bodies_are_refused_at_64_kib() {
        let mut big = b"HTTP/1.1 200 OK\r\n\r\n".to_vec();
        big.resize(big.len() + MAX_BODY + 1, b'a');
        assert_eq!(
            read(&big).await.unwrap_err(),
            "the policy is larger than 64 KiB"
        );
        let declared = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert!(read(declared.as_bytes())
            .await
            .unwrap_err()
            .contains("larger than 64 KiB"));
        let chunk = format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
            MAX_BODY + 1
        );
        assert!(read(chunk.as_bytes())
            .await
            .unwrap_err()
            .contains("larger than 64 KiB"));
        let mut exact = b"HTTP/1.1 200 OK\r\n\r\n".to_vec();
        exact.resize(exact.len() + MAX_BODY, b'a');
        assert_eq!(read(&exact).await.unwrap().len(), MAX_BODY);
    }

    #[tokio::test]
    async fn redirects_and_other_statuses_are_refused() {
        let err = read(b"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.test/p\r\n\r\n")
            .await
            .unwrap_err();
        assert!(
            err.contains("redirect (HTTP 301) to https://elsewhere.test/p"),
            "{err}"
        );
        let err = read(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            .await
            .unwrap_err();
        assert_eq!(err, "the policy host answered HTTP 404, not 200");
        assert!(read(b"SSH-2.0-x\r\n\r\n")
            .await
            .unwrap_err()
            .contains("not an HTTP/1.x"));
    }

    #[tokio::test]
    async fn an_endless_header_is_refused() {
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        head.resize(MAX_HEAD * 2, b'x');
        assert!(read(&head).await.unwrap_err().contains("header longer"));
    }
}
