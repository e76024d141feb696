//! The SMTP client side that a probe needs (RFC 5321): replies, a buffered connection, and the
//! EHLO reply's extensions. Nothing here knows about time limits or verdicts.

pub mod conn;
pub mod ehlo;
pub mod parser;
pub mod reply;

pub use conn::{ConnError, SmtpConn};
pub use ehlo::{EhloInfo, Extension};
pub use parser::ReplyParser;
pub use reply::{Reply, ReplyCode, ReplyError};
