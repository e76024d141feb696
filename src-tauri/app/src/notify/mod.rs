//! Native toasts: [`toast`] turns the engine's alert events into toasts — coalescing bursts and
//! keeping to one toast per monitor per minute, a mail domain's findings in [`finding_toast`] —
//! and [`desktop`] shows them with notify-rust
//! (`macos` on macOS), on Windows under the app's registered id ([`registration`]). Remote
//! agents' sources toast through [`remote_toast`], held by the same [`toast::Toaster`].

pub mod desktop;
pub mod finding_toast;
#[cfg(target_os = "macos")]
pub mod macos;
pub mod message;
pub mod registration;
pub mod remote_toast;
pub mod toast;
