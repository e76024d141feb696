//! The desktop app's entry point; everything lives in the library.

#![forbid(unsafe_code)]
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    ehlowatch_app::run();
}
