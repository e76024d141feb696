//! Native toasts: [`toast`] turns the engine's alert events into toasts — coalescing bursts and
//! keeping to one toast per monitor per minute — and [`desktop`] shows them with notify-rust.

pub mod desktop;
pub mod toast;
