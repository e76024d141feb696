//! The SMTP client side that a probe needs (RFC 5321): replies, a buffered connection, and the
//! EHLO reply's extensions. Nothing here knows about time limits or verdicts.

pub(crate) mod conn;
pub(crate) mod ehlo;
pub(crate) mod parser;
pub(crate) mod reply;

pub(crate) use conn::{ConnError, SmtpConn};
pub(crate) use ehlo::EhloInfo;
pub use ehlo::Extension;
pub use parser::ReplyParser;
pub use reply::{Reply, ReplyCode, ReplyError};
