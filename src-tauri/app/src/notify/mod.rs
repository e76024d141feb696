//! Native toasts: [`toast`] turns the engine's alert events into toasts — coalescing bursts and
//! keeping to one toast per monitor per minute — and [`desktop`] shows them with notify-rust
//! (`macos` on macOS).

pub mod desktop;
#[cfg(target_os = "macos")]
pub mod macos;
pub mod toast;
