//! Who may use the agent's HTTP API (bearer tokens, RFC 6750): one layer around the whole
//! router decides, per request, whether it may read, and marks what it may do; a route that
//! acts takes [`RequireControl`]. `/healthz` is always open, `/metrics` open unless configured
//! otherwise, every other path (all of `/api/*`, and any route added later) needs a token once
//! one is configured. Without tokens (an agent on loopback) everything is open, as before.
//!
//! A refusal carries no data: 401 with `WWW-Authenticate: Bearer` for no or a wrong token
//! (RFC 6750 §3), 403 for the read-only token on a route that acts.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::tokens::Token;

/// What a request may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read: status, history, metrics, the stream.
    Read,
    /// Read and act: check now, snooze.
    Control,
}

/// The tokens the agent accepts, and whether `/metrics` needs one.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    /// The read-only token; `None`: no authentication at all.
    pub read: Option<Token>,
    /// The token that may also act; `None`: nobody may act once `read` is set.
    pub control: Option<Token>,
    /// `/metrics` needs a token too.
    pub metrics_need_token: bool,
}

/// The realm named in `WWW-Authenticate`.
const CHALLENGE: &str = "Bearer realm=\"ehlowatch\"";
/// The challenge after a wrong token (RFC 6750 §3.1).
const CHALLENGE_INVALID: &str = "Bearer realm=\"ehlowatch\", error=\"invalid_token\"";

impl Auth {
    /// True when requests need a token at all.
    pub fn enabled(&self) -> bool {
        self.read.is_some()
    }

    /// Wraps `router` so that every request passes [`Auth`] first.
    pub fn wrap(self, router: Router) -> Router {
        router.layer(axum::middleware::from_fn_with_state(Arc::new(self), guard))
    }

    /// Whether a path is served without a token.
    fn open(&self, path: &str) -> bool {
        path == "/healthz" || (path == "/metrics" && !self.metrics_need_token)
    }

    /// What the `Authorization` header allows: `Ok(None)` when it carries no bearer token,
    /// `Err(())` for a wrong one.
    fn access(&self, headers: &HeaderMap) -> Result<Option<Access>, ()> {
        let Some(read) = &self.read else {
            return Ok(Some(Access::Control));
        };
        let Some(presented) = bearer(headers) else {
            return Ok(None);
        };
        // Both comparisons always run, so the time taken does not tell which token matched.
        let is_control = self.control.as_ref().is_some_and(|c| c.matches(presented));
        let is_read = read.matches(presented);
        match (is_control, is_read) {
            (true, _) => Ok(Some(Access::Control)),
            (false, true) => Ok(Some(Access::Read)),
            (false, false) => Err(()),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case).
fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    let (scheme, token) = value.split_at_checked(7)?;
    scheme
        .eq_ignore_ascii_case(b"bearer ")
        .then(|| token.trim_ascii())
        .filter(|t| !t.is_empty())
}

async fn guard(State(auth): State<Arc<Auth>>, mut request: Request, next: Next) -> Response {
    let access = auth.access(request.headers());
    if auth.open(request.uri().path()) {
        // An open path still learns what a valid token allows; a wrong one is ignored here.
        request
            .extensions_mut()
            .insert(access.ok().flatten().unwrap_or(Access::Read));
        return next.run(request).await;
    }
    match access {
        Ok(Some(access)) => {
            request.extensions_mut().insert(access);
            next.run(request).await
        }
        Ok(None) => unauthorized(
            CHALLENGE,
            "this needs a token: Authorization: Bearer <token>\n",
        ),
        Err(()) => unauthorized(CHALLENGE_INVALID, "the token is not valid\n"),
    }
}

fn unauthorized(challenge: &'static str, body: &'static str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        )],
        body,
    )
        .into_response()
}

/// An extractor for routes that act (check now, snooze): it lets through only requests the
/// auth layer found holding the control token (or any request when no token is configured),
/// and answers 403 to the others — also to a route mounted outside the layer.
#[derive(Debug, Clone, Copy)]
pub struct RequireControl;

impl<S: Send + Sync> FromRequestParts<S> for RequireControl {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Access>() {
            Some(Access::Control) => Ok(Self),
            _ => Err((
                StatusCode::FORBIDDEN,
                "this token may read but not act; use the control token (--control-token-file)\n",
            )
                .into_response()),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{header, HeaderMap, HeaderValue};

    use super::{bearer, Access, Auth};
    use crate::agent::tokens::Token;

    fn token(text: &str) -> Token {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("token");
        std::fs::write(&path, text).expect("write the token");
        Token::read("--token-file", &path).expect("a token")
    }

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(value).expect("a header value"),
        );
        headers
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_other_schemes_are_no_token() {
        assert_eq!(bearer(&with("Bearer abc")), Some(&b"abc"[..]));
        assert_eq!(bearer(&with("bearer abc")), Some(&b"abc"[..]));
        assert_eq!(bearer(&with("Basic YWJjOmRlZg==")), None);
        assert_eq!(bearer(&with("Bearer ")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn each_token_gets_its_access() {
        let auth = Auth {
            read: Some(token("reader")),
            control: Some(token("controller")),
            metrics_need_token: false,
        };
        assert_eq!(auth.access(&with("Bearer reader")), Ok(Some(Access::Read)));
        assert_eq!(
            auth.access(&with("Bearer controller")),
            Ok(Some(Access::Control))
        );
        assert_eq!(auth.access(&with("Bearer nobody")), Err(()));
        assert_eq!(auth.access(&HeaderMap::new()), Ok(None));
    }

    #[test]
    fn without_tokens_everything_is_allowed() {
        let auth = Auth::default();
        assert_eq!(auth.access(&HeaderMap::new()), Ok(Some(Access::Control)));
        assert!(auth.open("/metrics") && auth.open("/healthz") && !auth.open("/api/status"));
    }
}
